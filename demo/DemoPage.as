package
{
import mx.messaging.ChannelSet;
import mx.messaging.Consumer;
import mx.messaging.Producer;
import mx.messaging.channels.AMFChannel;
import mx.messaging.events.MessageEvent;
import mx.messaging.events.MessageFaultEvent;
import mx.messaging.messages.AsyncMessage;
import mx.rpc.events.FaultEvent;
import mx.rpc.events.ResultEvent;
import mx.rpc.remoting.RemoteObject;

/**
 * The demo: RemoteObject `EchoService.echo` over the AMF channel, and a
 * chat on destination `chat` (a Consumer on the long-polling channel, a
 * Producer sending what is typed). Plain DOM for the page, the Flex API
 * for the gateway. Each event is also logged to the console as
 * `FLEXGATE {json}` (what tests/royale's driver reads).
 */
public class DemoPage
{
    private var log:Element;
    private var input:HTMLInputElement;
    private var producer:Producer;

    public function start():void
    {
        var body:Element = document.body;
        body.appendChild(text("h1", "flexgate demo"));
        body.appendChild(text("p", "A Royale client (the Flex API compiled to JavaScript) of the demo " +
            "destinations: EchoService over /messagebroker/amf, chat over /messagebroker/amflongpolling."));
        input = document.createElement("input") as HTMLInputElement;
        input.value = "hello, Flex";
        body.appendChild(input);
        var button:Element = text("button", "Send to chat");
        button.addEventListener("click", function(e:Object):void { say(input.value); });
        body.appendChild(button);
        log = document.createElement("ul");
        body.appendChild(log);
        echo();
        chat();
    }

    private function echo():void
    {
        var ro:RemoteObject = new RemoteObject("EchoService");
        ro.channelSet = channels("my-amf", "/messagebroker/amf", false);
        ro.addEventListener(ResultEvent.RESULT, function(e:ResultEvent):void {
            show("echo", "EchoService.echo answered: " + e.result, e.result);
        });
        ro.addEventListener(FaultEvent.FAULT, function(e:FaultEvent):void {
            show("fault", "EchoService fault " + e.fault.faultCode + ": " + e.fault.faultString,
                e.fault.faultCode);
        });
        ro.getOperation("echo").send("Hello from Royale");
    }

    private function chat():void
    {
        var cs:ChannelSet = channels("my-longpolling-amf", "/messagebroker/amflongpolling", true);
        var c:Consumer = new Consumer();
        c.channelSet = cs;
        c.destination = "chat";
        c.addEventListener(MessageEvent.MESSAGE, function(e:MessageEvent):void {
            show("message", "chat: " + e.message.body, e.message.body);
        });
        c.addEventListener(MessageFaultEvent.FAULT, function(e:MessageFaultEvent):void {
            show("fault", "chat fault " + e.faultCode + ": " + e.faultString, e.faultCode);
        });
        producer = new Producer();
        producer.channelSet = cs;
        producer.destination = "chat";
        producer.addEventListener(MessageFaultEvent.FAULT, function(e:MessageFaultEvent):void {
            show("fault", "send fault " + e.faultCode + ": " + e.faultString, e.faultCode);
        });
        c.subscribe();
        var check:Function = function():void {
            if (!c.subscribed)
            {
                setTimeout(check, 50);
                return;
            }
            show("subscribed", "subscribed to chat", null);
            say("Royale joined the chat");
        };
        check();
    }

    private function say(what:String):void
    {
        var m:AsyncMessage = new AsyncMessage();
        m.body = what;
        producer.send(m);
    }

    private function channels(id:String, path:String, polling:Boolean):ChannelSet
    {
        var cs:ChannelSet = new ChannelSet();
        var ch:AMFChannel = new AMFChannel(id, path);
        if (polling)
        {
            ch.pollingEnabled = true;
            ch.pollingInterval = 0;
        }
        cs.addChannel(ch);
        return cs;
    }

    private function text(tag:String, content:String):Element
    {
        var e:Element = document.createElement(tag);
        e.textContent = content;
        return e;
    }

    private function show(kind:String, line:String, data:Object):void
    {
        log.appendChild(text("li", line));
        console.log("FLEXGATE " + JSON.stringify({kind: "demo", name: kind, data: data}));
    }
}
}
