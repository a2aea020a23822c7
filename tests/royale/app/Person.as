package
{
import mx.collections.ArrayCollection;

/** A typed value for the remoting echo: a Date and an ArrayCollection inside. */
[RemoteClass(alias="flexgate.test.Person")]
public class Person
{
    public var name:String;
    public var born:Date;
    public var tags:ArrayCollection;
}
}
