package
{
import mx.collections.ArrayCollection;
import mx.events.PropertyChangeEvent;
import mx.messaging.ChannelSet;
import mx.messaging.Consumer;
import mx.messaging.Producer;
import mx.messaging.channels.AMFChannel;
import mx.messaging.events.ChannelFaultEvent;
import mx.messaging.events.MessageAckEvent;
import mx.messaging.events.MessageEvent;
import mx.messaging.events.MessageFaultEvent;
import mx.messaging.messages.AsyncMessage;
import mx.messaging.messages.ErrorMessage;
import mx.rpc.AsyncToken;
import mx.rpc.Responder;
import mx.rpc.events.FaultEvent;
import mx.rpc.events.ResultEvent;
import mx.rpc.remoting.RemoteObject;

/**
 * The scenarios of the browser suite (tests/royale/main.rs asserts what
 * each reports). Every one uses the Flex API as a Flex application does.
 */
public class Scenarios
{
    /** Where the channels are: "" for the page's origin, else `scheme://host:port`. */
    private var gateway:String = "";

    public function run():void
    {
        var name:String = Bridge.param("scenario");
        // Cross-origin scenarios: the channels live on another origin.
        gateway = Bridge.param("gateway");
        if (Bridge.param("credentials") == "include")
            Credentials.sendTo(gateway);
        switch (name)
        {
            case "echo": echo(); break;
            case "unknown-method": unknownMethod(); break;
            case "backend": backend(Bridge.param("destination")); break;
            case "polling": polling(); break;
            case "long-polling": longPolling(); break;
            case "multi-topic": multiTopic(); break;
            case "secured": secured(); break;
            case "restart": restart(); break;
            case "disconnect-all": disconnectAll(); break;
            case "cross-origin": crossOrigin(); break;
            default: Bridge.fail("unknown scenario '" + name + "'");
        }
    }

    /** RemoteObject echo of a typed object holding a Date and an ArrayCollection. */
    private function echo():void
    {
        var sent:Person = new Person();
        sent.name = "Ada";
        // Before 1970 and with milliseconds: an exact double or nothing.
        sent.born = new Date(Date.UTC(1815, 11, 10, 12, 34, 56, 789));
        sent.tags = new ArrayCollection(["math", "engines"]);
        var ro:RemoteObject = remote();
        ro.addEventListener(ResultEvent.RESULT, function(e:ResultEvent):void {
            var back:Person = e.result as Person;
            if (back == null)
            {
                Bridge.report({typed: false, result: e.result});
                return;
            }
            Bridge.report({
                typed: true,
                name: back.name,
                bornSent: sent.born.time,
                bornBack: (back.born is Date) ? back.born.time : String(back.born),
                collection: back.tags is ArrayCollection,
                tags: (back.tags is ArrayCollection) ? back.tags.source : back.tags
            });
        });
        ro.getOperation("echo").send(sent);
    }

    /**
     * A destination served by an HTTP backend (tests/backends/): the echo
     * of a typed Person holding a Date and an ArrayCollection, then the
     * backend's faulting method, whose fault must reach the FaultEvent.
     */
    private function backend(destination:String):void
    {
        var sent:Person = new Person();
        sent.name = "Grace";
        sent.born = new Date(Date.UTC(1906, 11, 9, 8, 7, 6, 543));
        sent.tags = new ArrayCollection(["cobol", "compilers"]);
        var result:Object = {};
        var ro:RemoteObject = new RemoteObject(destination);
        ro.channelSet = channels("amf");
        // The RemoteObject's own events, as an application listens: the
        // echo's result, then the fault of "fail" (any other is a failure).
        ro.addEventListener(ResultEvent.RESULT, function(e:ResultEvent):void {
            if (result.typed !== undefined)
            {
                Bridge.fail("fail returned " + e.result);
                return;
            }
            var back:Person = e.result as Person;
            result.typed = back != null;
            if (back != null)
            {
                result.name = back.name;
                result.bornSent = sent.born.time;
                result.bornBack = (back.born is Date) ? back.born.time : String(back.born);
                result.collection = back.tags is ArrayCollection;
                result.tags = (back.tags is ArrayCollection) ? back.tags.source : back.tags;
            }
            // Checked here as well as by the test: a wrong echo stops here.
            if (back == null || result.bornBack !== result.bornSent || !result.collection)
            {
                result.result = back == null ? e.result : null;
                Bridge.fail("the echo came back changed: " + JSON.stringify(result));
                return;
            }
            ro.getOperation("fail").send();
        });
        ro.addEventListener(FaultEvent.FAULT, function(e:FaultEvent):void {
            if (result.typed === undefined)
            {
                Bridge.fail("echo fault " + e.fault.faultCode + ": " + e.fault.faultString);
                return;
            }
            result.faultCode = e.fault.faultCode;
            result.faultString = e.fault.faultString;
            result.faultDetail = e.fault.faultDetail;
            Bridge.report(result);
        });
        ro.getOperation("echo").send(sent);
    }

    /** An unknown method: a FaultEvent with BlazeDS's code. */
    private function unknownMethod():void
    {
        var ro:RemoteObject = new RemoteObject("EchoService");
        ro.channelSet = channels("amf");
        ro.addEventListener(ResultEvent.RESULT, function(e:ResultEvent):void {
            Bridge.fail("noSuchMethod returned " + e.result);
        });
        ro.addEventListener(FaultEvent.FAULT, function(e:FaultEvent):void {
            Bridge.report({faultCode: e.fault.faultCode, faultString: e.fault.faultString,
                faultDetail: e.fault.faultDetail});
        });
        ro.getOperation("noSuchMethod").send(1);
    }

    /** A polling Consumer receives a Producer's message. */
    private function polling():void
    {
        var cs:ChannelSet = channels("polling");
        var c:Consumer = consumer(cs, "chat", null);
        c.addEventListener(MessageEvent.MESSAGE, function(e:MessageEvent):void {
            Bridge.report({body: e.message.body, destination: e.message.destination});
        });
        c.subscribe();
        waitFor(function():Boolean { return c.subscribed; }, function():void {
            send(producer(cs, "chat", null), {text: "polled"}, null, null);
        }, "the subscribe");
    }

    /** A long-polling Consumer with a subtopic; a message to another subtopic first. */
    private function longPolling():void
    {
        var cs:ChannelSet = channels("long-polling");
        var c:Consumer = consumer(cs, "chat", "room.1");
        var sentAt:Number = 0;
        c.addEventListener(MessageEvent.MESSAGE, function(e:MessageEvent):void {
            Bridge.report({body: e.message.body, subtopic: e.message.headers["DSSubtopic"],
                latencyMs: new Date().time - sentAt});
        });
        c.subscribe();
        waitFor(function():Boolean { return c.subscribed; }, function():void {
            // The test answers once the gateway holds this client's poll.
            Bridge.step("parked", null, function():void {
                var elsewhere:Producer = producer(cs, "chat", "room.2");
                var here:Producer = producer(cs, "chat", "room.1");
                send(elsewhere, {text: "room two"}, null, function():void {
                    sentAt = new Date().time;
                    send(here, {text: "room one"}, null, null);
                });
            });
        }, "the subscribe");
    }

    /** MultiTopicConsumer (two subtopics, one with a selector), MultiTopicProducer to both. */
    private function multiTopic():void
    {
        var cs:ChannelSet = channels("polling");
        var mc:MultiTopicConsumer = new MultiTopicConsumer();
        mc.channelSet = cs;
        mc.destination = "chat";
        mc.addSubscription("room.a");
        mc.addSubscription("room.b", "level > 5");
        var got:Array = [];
        mc.addEventListener(MessageEvent.MESSAGE, function(e:MessageEvent):void {
            got.push(e.message.body.n);
            if (e.message.body.last)
                Bridge.report({received: got});
        });
        mc.addEventListener(MessageFaultEvent.FAULT, agentFault);
        mc.subscribe();
        waitFor(function():Boolean { return mc.subscribed; }, function():void {
            var both:MultiTopicProducer = new MultiTopicProducer();
            both.channelSet = cs;
            both.destination = "chat";
            both.subtopics = ["room.a", "room.b"];
            both.addEventListener(MessageFaultEvent.FAULT, agentFault);
            var b:Producer = producer(cs, "chat", "room.b");
            var other:Producer = producer(cs, "chat", "room.c");
            // 1 once (both subtopics match), 2 filtered by the selector,
            // 3 passes it, 4 to a subtopic not subscribed, 5 ends.
            send(both, {n: 1}, {level: 1}, function():void {
                send(b, {n: 2}, {level: 1}, function():void {
                    send(b, {n: 3}, {level: 9}, function():void {
                        send(other, {n: 4}, {level: 9}, function():void {
                            send(both, {n: 5, last: true}, {level: 7}, null);
                        });
                    });
                });
            });
        }, "the multi-subscribe");
    }

    /** Login, a secured destination, logout: no more messages from it. */
    private function secured():void
    {
        var cs:ChannelSet = channels("polling");
        var result:Object = {before: [], after: [], faults: []};
        var loggedOut:Boolean = false;
        var early:Consumer = consumer(cs, "secure-chat", null, false);
        early.addEventListener(MessageFaultEvent.FAULT, function(e:MessageFaultEvent):void {
            result.refused = e.faultCode;
            token(cs.login("alice", "secret"), function():void {
                var c:Consumer = consumer(cs, "secure-chat", null, false);
                c.addEventListener(MessageFaultEvent.FAULT, function(e:MessageFaultEvent):void {
                    result.faults.push(e.faultCode);
                });
                c.addEventListener(MessageEvent.MESSAGE, function(e:MessageEvent):void {
                    (loggedOut ? result.after : result.before).push(e.message.body);
                });
                c.subscribe();
                waitFor(function():Boolean { return c.subscribed; }, function():void {
                    send(producer(cs, "secure-chat", null), "while logged in", null, null);
                    waitFor(function():Boolean { return result.before.length > 0; }, function():void {
                        token(cs.logout(), function():void {
                            loggedOut = true;
                            // The test publishes to secure-chat now, then answers.
                            Bridge.step("logged-out", null, function():void {
                                // Polls go on every 100 ms: a leak would show.
                                setTimeout(function():void {
                                    result.subscribed = c.subscribed;
                                    result.authenticated = cs.authenticated;
                                    Bridge.report(result);
                                }, 1500);
                            });
                        });
                    }, "the message sent while logged in");
                }, "the subscribe after login");
            });
        });
        early.subscribe();
    }

    /** The gateway restarts (memory store) while a polling Consumer is subscribed. */
    private function restart():void
    {
        var cs:ChannelSet = channels("polling");
        var c:Consumer = consumer(cs, "chat", null, false);
        c.resubscribeInterval = 200;
        c.resubscribeAttempts = 50;
        var result:Object = {faults: [], channelFaults: [], received: []};
        // Watched by event from the start, not sampled: on a busy machine
        // the drop and the resubscribe can both happen before the page is
        // told that the gateway restarted.
        var dropped:Boolean = false;
        c.addEventListener(PropertyChangeEvent.PROPERTY_CHANGE, function(e:PropertyChangeEvent):void {
            if (e.property == "subscribed" && e.newValue == false)
                dropped = true;
        });
        c.addEventListener(MessageFaultEvent.FAULT, function(e:MessageFaultEvent):void {
            result.faults.push(e.faultCode);
        });
        c.addEventListener(ChannelFaultEvent.FAULT, function(e:ChannelFaultEvent):void {
            var root:ErrorMessage = e.rootCause as ErrorMessage;
            result.channelFaults.push({code: e.faultCode, serverCode: root ? root.faultCode : null});
        });
        c.addEventListener(MessageEvent.MESSAGE, function(e:MessageEvent):void {
            result.received.push(e.message.body);
            Bridge.report(result);
        });
        c.subscribe();
        waitFor(function():Boolean { return c.subscribed; }, function():void {
            Bridge.step("subscribed", null, function():void {
                // The test restarted the gateway: the Consumer must drop
                // its subscription and make it again.
                waitFor(function():Boolean {
                    return dropped && c.subscribed;
                }, function():void {
                    result.resubscribed = true;
                    send(producer(cs, "chat", null), "after restart", null, null);
                }, "the resubscribe", function():void {
                    result.resubscribed = false;
                    result.dropped = dropped;
                    Bridge.report(result);
                });
            });
        }, "the subscribe");
    }

    /** ChannelSet.disconnectAll() with a long poll waiting. */
    private function disconnectAll():void
    {
        var cs:ChannelSet = channels("long-polling");
        var c:Consumer = consumer(cs, "chat", null);
        c.subscribe();
        waitFor(function():Boolean { return c.subscribed; }, function():void {
            Bridge.step("parked", null, function():void {
                cs.disconnectAll();
                waitFor(function():Boolean { return !cs.connected; }, function():void {
                    Bridge.step("disconnected", null, function():void {
                        Bridge.report({connected: cs.connected, subscribed: c.subscribed});
                    });
                }, "the disconnect");
            });
        }, "the subscribe");
    }

    /**
     * From a page on another origin: a RemoteObject echo, then a polling
     * Consumer receives a Producer's message. A fault anywhere is the
     * report (the test asserts which); else the test looks at the gateway
     * at step "exchanged" before the report.
     */
    private function crossOrigin():void
    {
        var result:Object = {};
        var faulted:Function = function(where:String, code:String, text:String):void {
            result.faultAt = where;
            result.faultCode = code;
            result.faultString = text;
            Bridge.report(result);
        };
        var ro:RemoteObject = new RemoteObject("EchoService");
        ro.channelSet = channels("amf");
        ro.addEventListener(FaultEvent.FAULT, function(e:FaultEvent):void {
            faulted("echo", e.fault.faultCode, e.fault.faultString);
        });
        ro.addEventListener(ResultEvent.RESULT, function(e:ResultEvent):void {
            result.echo = e.result;
            var cs:ChannelSet = channels("polling");
            var c:Consumer = new Consumer();
            c.channelSet = cs;
            c.destination = "chat";
            c.addEventListener(MessageFaultEvent.FAULT, function(e:MessageFaultEvent):void {
                faulted("consumer", e.faultCode, e.faultString);
            });
            c.addEventListener(MessageEvent.MESSAGE, function(e:MessageEvent):void {
                result.body = e.message.body;
                Bridge.step("exchanged", null, function():void {
                    Bridge.report(result);
                });
            });
            c.subscribe();
            waitFor(function():Boolean { return c.subscribed; }, function():void {
                var p:Producer = new Producer();
                p.channelSet = cs;
                p.destination = "chat";
                p.addEventListener(MessageFaultEvent.FAULT, function(e:MessageFaultEvent):void {
                    faulted("producer", e.faultCode, e.faultString);
                });
                send(p, {text: "across origins"}, null, null);
            }, "the subscribe");
        });
        ro.getOperation("echo").send("hello from another origin");
    }

    // -- helpers --

    private function channels(kind:String):ChannelSet
    {
        var cs:ChannelSet = new ChannelSet();
        var ch:AMFChannel;
        if (kind == "amf")
        {
            ch = new AMFChannel("my-amf", gateway + "/messagebroker/amf");
        }
        else if (kind == "polling")
        {
            ch = new AMFChannel("my-polling-amf", gateway + "/messagebroker/amfpolling");
            ch.pollingEnabled = true;
            ch.pollingInterval = 100;
        }
        else
        {
            ch = new AMFChannel("my-longpolling-amf", gateway + "/messagebroker/amflongpolling");
            ch.pollingEnabled = true;
            ch.pollingInterval = 0;
        }
        cs.addChannel(ch);
        return cs;
    }

    private function remote():RemoteObject
    {
        var ro:RemoteObject = new RemoteObject("EchoService");
        ro.channelSet = channels("amf");
        ro.addEventListener(FaultEvent.FAULT, function(e:FaultEvent):void {
            Bridge.fail("remoting fault " + e.fault.faultCode + ": " + e.fault.faultString);
        });
        return ro;
    }

    private function consumer(cs:ChannelSet, destination:String, subtopic:String,
                              faultsFail:Boolean = true):Consumer
    {
        var c:Consumer = new Consumer();
        c.channelSet = cs;
        c.destination = destination;
        if (subtopic != null)
            c.subtopic = subtopic;
        if (faultsFail)
            c.addEventListener(MessageFaultEvent.FAULT, agentFault);
        return c;
    }

    private function producer(cs:ChannelSet, destination:String, subtopic:String):Producer
    {
        var p:Producer = new Producer();
        p.channelSet = cs;
        p.destination = destination;
        if (subtopic != null)
            p.subtopic = subtopic;
        p.addEventListener(MessageFaultEvent.FAULT, agentFault);
        return p;
    }

    /** Sends `body` with `headers`; `then` runs on the acknowledgement. */
    private function send(p:Producer, body:Object, headers:Object, then:Function):void
    {
        var m:AsyncMessage = new AsyncMessage();
        m.body = body;
        for (var k:String in headers)
            m.headers[k] = headers[k];
        if (then != null)
        {
            var onAck:Function = function(e:MessageAckEvent):void {
                if (e.correlation.messageId != m.messageId)
                    return;
                p.removeEventListener(MessageAckEvent.ACKNOWLEDGE, onAck);
                then();
            };
            p.addEventListener(MessageAckEvent.ACKNOWLEDGE, onAck);
        }
        p.send(m);
    }

    private function token(t:AsyncToken, then:Function):void
    {
        t.addResponder(new Responder(function(e:ResultEvent):void { then(); },
            function(e:FaultEvent):void {
                Bridge.fail("fault " + e.fault.faultCode + ": " + e.fault.faultString);
            }));
    }

    private function agentFault(e:MessageFaultEvent):void
    {
        Bridge.fail("fault " + e.faultCode + ": " + e.faultString);
    }

    /** Runs `then` once `ready()` holds; `timedOut` (or a failure) after 8 s. */
    private function waitFor(ready:Function, then:Function, what:String,
                             timedOut:Function = null):void
    {
        var deadline:Number = new Date().time + 8000;
        var check:Function = function():void {
            if (ready())
                then();
            else if (new Date().time > deadline)
                timedOut != null ? timedOut() : Bridge.fail("timed out waiting for " + what);
            else
                setTimeout(check, 20);
        };
        check();
    }
}
}
