package
{
/**
 * The page's side of the test handshake. `report` ends the scenario;
 * `step` tells the test a checkpoint was reached and waits until the test
 * answers `go` for it (the driver calls window.flexgateGo(name)).
 */
public class Bridge
{
    private static var waiting:Object = {};

    public static function param(name:String):String
    {
        var query:String = String(window.location.search).substr(1);
        for each (var pair:String in query.split("&"))
        {
            var kv:Array = pair.split("=");
            if (kv[0] == name)
                return decodeURIComponent(kv.length > 1 ? kv[1] : "");
        }
        return "";
    }

    public static function log(what:String):void
    {
        emit("log", what, null);
    }

    public static function report(data:Object):void
    {
        emit("result", "done", data);
    }

    public static function fail(why:String):void
    {
        emit("result", "failed", {error: why});
    }

    public static function step(name:String, data:Object, next:Function):void
    {
        waiting[name] = next;
        window["flexgateGo"] = go;
        emit("step", name, data);
    }

    private static function go(name:String):void
    {
        var next:Function = waiting[name];
        delete waiting[name];
        if (next != null)
            next();
    }

    private static function emit(kind:String, name:String, data:Object):void
    {
        console.log("FLEXGATE " + JSON.stringify({kind: kind, name: name, data: data}));
    }
}
}
