#!/usr/bin/env python3
"""A Flex/Flash client built from py3amf (PyPI `py3amf`, module `pyamf`), run
against a live flexgate gateway.

Usage: python py3amf_client.py http://127.0.0.1:PORT

Every request is encoded and every reply decoded by py3amf, an AMF
implementation nobody on flexgate wrote: NetConnection calls go through its
`RemotingService` client, Flex messaging through its own message classes
(`pyamf.flex.messaging`) sent as the bodies a Flash Player's channels send
(target 'null', args [message]).

The gateway must serve the demo configuration plus a user alice/secret
(tests/py3amf_interop.rs starts it). Exits 0 when every check passes, 1 with
the failed checks listed otherwise.
"""

import base64
import http.cookiejar
import sys
import threading
import time
import traceback
import urllib.request
import uuid

import pyamf
import pyamf.remoting
from pyamf.flex import ArrayCollection
from pyamf.flex import messaging as m
from pyamf.remoting import Envelope, Request
from pyamf.remoting.client import RemotingService

AMF_PATH = "/messagebroker/amf"
LONG_POLL_PATH = "/messagebroker/amflongpolling"

# mx.messaging.messages.CommandMessage operations (Flex SDK).
SUBSCRIBE, UNSUBSCRIBE, POLL, CLIENT_SYNC, CLIENT_PING = 0, 1, 2, 4, 5
LOGIN, LOGOUT, MULTI_SUBSCRIBE, DISCONNECT = 8, 9, 11, 12
SUBTOPIC_SEPARATOR = "_;_"


class Person(object):
    """com.example.Person, sealed, as a Flex value object declares it."""

    class __amf__:
        static = ("name", "age")
        dynamic = False

    def __init__(self, name=None, age=None):
        self.name = name
        self.age = age

    def __eq__(self, other):
        return isinstance(other, Person) and (self.name, self.age) == (other.name, other.age)

    def __repr__(self):
        return "Person(%r, %r)" % (self.name, self.age)


pyamf.register_class(Person, "com.example.Person")


class CheckFailed(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise CheckFailed(what)


def same_id(a, b):
    """Ids arrive as strings (full form) or uuid.UUID (small form)."""
    norm = lambda x: str(x).upper() if x is not None else None
    return norm(a) == norm(b)


def new_id():
    return str(uuid.uuid4()).upper()


# --------------------------------------------------------------------------
# NetConnection calls: py3amf's RemotingService, unchanged
# --------------------------------------------------------------------------
# One browser for the whole run: Flash Player sends the page's cookies, and
# flexgate binds each Flex client id to the session cookie it first came with.
BROWSER = urllib.request.build_opener(
    urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def remoting_service(base, version):
    # strict=True: py3amf sets the body length fields, as Flash Player does.
    return RemotingService(base + AMF_PATH, amf_version=version, strict=True,
                           opener=BROWSER.open)


def check_netconnection_amf0(base):
    gw = remoting_service(base, pyamf.AMF0)
    echo = gw.getService("EchoService")
    got = echo.echo({"a": 1, "b": "two", "nested": [1, 2, None]})
    expect(got == {"a": 1, "b": "two", "nested": [1, 2, None]}, "echo(object) = %r" % (got,))
    got = echo.echoAll("hello", 42, True)
    expect(list(got) == ["hello", 42, True], "echoAll = %r" % (got,))
    got = echo.echo(Person("Ann", 31))
    expect(got == Person("Ann", 31), "typed object round trip = %r" % (got,))


def check_netconnection_amf3(base):
    gw = remoting_service(base, pyamf.AMF3)
    echo = gw.getService("EchoService")
    people = [Person("Ann", 31), Person("Ben", 42)]
    got = echo.echo(people)
    expect(list(got) == people, "echo(list of Person) = %r" % (got,))
    got = echo.echo("h\u00e9llo \u65e5\u672c \U0001F600")
    expect(got == "h\u00e9llo \u65e5\u672c \U0001F600", "echo(utf-8) = %r" % (got,))
    got = echo.echo(pyamf.amf3.ByteArray(b"\x00\x01\xff"))
    expect(bytes(got) == b"\x00\x01\xff", "echo(ByteArray) = %r" % (got,))


def check_netconnection_batch_and_faults(base):
    gw = remoting_service(base, pyamf.AMF3)
    echo = gw.getService("EchoService", auto_execute=False)
    first = echo.echo("first")
    missing = echo.noSuchMethod(1)
    unknown = gw.getService("NoSuchService", auto_execute=False).anything()
    envelope = gw.execute()  # one HTTP request, three bodies
    expect(len(envelope) == 3, "three replies, got %d" % len(envelope))
    ok = envelope[first.id]
    expect(ok.status == pyamf.remoting.STATUS_OK and ok.body == "first",
           "batched echo = %r" % (ok,))
    for req, what in ((missing, "unknown method"), (unknown, "unknown service")):
        resp = envelope[req.id]
        expect(resp.status == pyamf.remoting.STATUS_ERROR, "%s: status %r" % (what, resp.status))
        expect(getattr(resp.body, "code", None) is not None, "%s: fault %r" % (what, resp.body))


def check_netconnection_credentials(base):
    gw = remoting_service(base, pyamf.AMF0)
    gw.setCredentials("alice", "secret")  # the Credentials header
    got = gw.getService("EchoService").whoAmI()
    expect(got == "alice", "whoAmI with Credentials header = %r" % (got,))


# --------------------------------------------------------------------------
# Flex messaging: py3amf's message classes in the bodies a channel sends
# --------------------------------------------------------------------------
class FlexClient(object):
    """One Flex client (DSId) on one channel, as mx.messaging.ChannelSet."""

    def __init__(self, base, path=AMF_PATH, small=False):
        self.url = base + path
        self.small = small  # advertise DSMessagingVersion 1 at ping
        self.ds_id = "nil"
        self.next = 1

    def send(self, messages, timeout=10):
        """Sends messages as the bodies of one packet; returns the
        (status, message) of each reply body, in order."""
        env = Envelope(pyamf.AMF3)
        names = []
        for msg in messages:
            msg.headers["DSId"] = self.ds_id
            if msg.messageId is None:
                msg.messageId = new_id()
            name = "/%d" % self.next
            self.next += 1
            env[name] = Request("null", [msg])
            names.append(name)
        body = pyamf.remoting.encode(env, strict=True).getvalue()
        req = urllib.request.Request(self.url, body, {"Content-Type": pyamf.remoting.CONTENT_TYPE})
        with BROWSER.open(req, timeout=timeout) as res:
            expect(res.headers.get("Content-Type") == pyamf.remoting.CONTENT_TYPE,
                   "reply content type %r" % res.headers.get("Content-Type"))
            reply = pyamf.remoting.decode(res.read(), strict=True)
        out = []
        for name in names:
            resp = reply[name]
            expect(isinstance(resp.body, m.AbstractMessage),
                   "%s: reply is not a Flex message: %r" % (name, resp.body))
            expect(same_id(resp.body.correlationId, messages[names.index(name)].messageId)
                   or isinstance(resp.body, m.CommandMessage),
                   "%s: correlationId %r" % (name, resp.body.correlationId))
            out.append((resp.status, resp.body))
        return out

    def send_one(self, message, timeout=10):
        return self.send([message], timeout)[0]

    def ping(self):
        headers = {"DSMessagingVersion": 1} if self.small else {}
        status, ack = self.send_one(command(CLIENT_PING, "", headers=headers))
        expect(status == pyamf.remoting.STATUS_OK, "ping status %r" % status)
        expect(isinstance(ack, m.AcknowledgeMessage), "ping reply %r" % (ack,))
        ds_id = ack.headers.get("DSId")
        expect(isinstance(ds_id, str) and len(ds_id) == 36, "DSId %r" % (ds_id,))
        self.ds_id = ds_id
        return ack


def command(op, destination, client_id=None, headers=None, body=None):
    msg = m.CommandMessage(operation=op, destination=destination, clientId=client_id,
                           correlationId="", body=body if body is not None else pyamf.ASObject(),
                           timestamp=0, timeToLive=0)
    msg.headers = pyamf.ASObject(headers or {})
    msg.messageId = None
    return msg


def async_message(destination, body, subtopic=None, headers=None):
    msg = m.AsyncMessage(destination=destination, clientId=new_id(), correlationId="",
                         body=body, timestamp=0, timeToLive=0)
    msg.headers = pyamf.ASObject(headers or {})
    if subtopic:
        msg.headers["DSSubtopic"] = subtopic
    msg.messageId = None
    return msg


def remoting_message(destination, operation, args):
    msg = m.RemotingMessage(destination=destination, operation=operation, source=None,
                            body=list(args), timestamp=0, timeToLive=0, clientId=None)
    msg.headers = pyamf.ASObject({"DSEndpoint": "my-amf"})
    msg.messageId = None
    return msg


def polled(reply):
    """The messages a poll delivered: a CLIENT_SYNC's body, or none."""
    status, msg = reply
    expect(status == pyamf.remoting.STATUS_OK, "poll status %r: %r" % (status, msg))
    if isinstance(msg, m.CommandMessage):
        expect(msg.operation == CLIENT_SYNC, "poll reply operation %r" % msg.operation)
        return list(msg.body)
    expect(isinstance(msg, m.AcknowledgeMessage), "poll reply %r" % (msg,))
    return []


def check_ping_full_and_small(base):
    full = FlexClient(base)
    ack = full.ping()
    expect(type(ack) is m.AcknowledgeMessage, "full-form ack, got %s" % type(ack).__name__)
    small = FlexClient(base, small=True)
    small.ping()
    # After a DSMessagingVersion ping the gateway may answer in small form
    # (DSK); py3amf must read it back into the same message.
    status, ack = small.send_one(command(CLIENT_PING, ""))
    expect(status == pyamf.remoting.STATUS_OK, "second ping %r" % status)
    expect(type(ack) is m.AcknowledgeMessageExt, "small-form (DSK) ack, got %r" % (ack,))
    expect(isinstance(ack.messageId, uuid.UUID), "DSK messageId %r" % (ack.messageId,))


def check_login(base):
    c = FlexClient(base)
    c.ping()
    bad = base64.b64encode(b"alice:wrong").decode()
    status, err = c.send_one(command(LOGIN, "auth", body=bad))
    expect(status == pyamf.remoting.STATUS_ERROR, "bad login status %r" % status)
    expect(isinstance(err, m.ErrorMessage) and err.faultCode == "Client.Authentication",
           "bad login reply %r" % (err,))
    good = base64.b64encode(b"alice:secret").decode()
    status, ack = c.send_one(command(LOGIN, "auth", body=good))
    expect(status == pyamf.remoting.STATUS_OK and ack.body == "success", "login %r" % (ack,))
    status, who = c.send_one(remoting_message("EchoService", "whoAmI", []))
    expect(who.body == "alice", "whoAmI after login = %r" % (who.body,))
    status, ack = c.send_one(command(LOGOUT, "auth"))
    expect(status == pyamf.remoting.STATUS_OK, "logout %r" % (ack,))


def check_subscribe_publish_poll(base):
    consumer = FlexClient(base)
    consumer.ping()
    sub_id = new_id()
    status, ack = consumer.send_one(command(SUBSCRIBE, "chat", client_id=sub_id,
                                            headers={"DSSubtopic": "room.1",
                                                     "DSSelector": "priority > 2"}))
    expect(status == pyamf.remoting.STATUS_OK, "subscribe %r" % (ack,))
    expect(polled(consumer.send_one(command(POLL, ""))) == [], "first poll is empty")

    producer = FlexClient(base)
    producer.ping()
    for priority, text in ((5, "urgent"), (1, "filtered out")):
        status, ack = producer.send_one(async_message(
            "chat", {"user": "bob", "text": text}, subtopic="room.1",
            headers={"priority": priority}))
        expect(status == pyamf.remoting.STATUS_OK, "publish %r" % (ack,))
    status, ack = producer.send_one(async_message("chat", {"text": "elsewhere"}, "room.2",
                                                  headers={"priority": 9}))
    expect(status == pyamf.remoting.STATUS_OK, "publish room.2 %r" % (ack,))

    got = polled(consumer.send_one(command(POLL, "")))
    expect(len(got) == 1, "one message passes subtopic and selector, got %r" % (got,))
    delivered = got[0]
    expect(isinstance(delivered, m.AsyncMessage), "delivered %r" % (delivered,))
    expect(delivered.body == {"user": "bob", "text": "urgent"}, "body %r" % (delivered.body,))
    expect(same_id(delivered.clientId, sub_id), "delivered to consumer %r" % delivered.clientId)
    expect(delivered.destination == "chat", "destination %r" % delivered.destination)

    # multi-subscribe: drop room.1, add room.2 (what a MultiTopicConsumer sends)
    status, ack = consumer.send_one(command(
        MULTI_SUBSCRIBE, "chat", client_id=sub_id,
        headers={"DSAddSub": ["room.2" + SUBTOPIC_SEPARATOR],
                 "DSRemSub": ["room.1" + SUBTOPIC_SEPARATOR + "priority > 2"]}))
    expect(status == pyamf.remoting.STATUS_OK, "multi-subscribe %r" % (ack,))
    producer.send_one(async_message("chat", {"text": "to room.1"}, "room.1",
                                    headers={"priority": 9}))
    producer.send_one(async_message("chat", {"text": "to room.2"}, "room.2"))
    got = polled(consumer.send_one(command(POLL, "")))
    expect([x.body["text"] for x in got] == ["to room.2"], "after multi-subscribe %r" % (got,))

    status, ack = consumer.send_one(command(UNSUBSCRIBE, "chat", client_id=sub_id,
                                            headers={"DSSubtopic": "room.2"}))
    expect(status == pyamf.remoting.STATUS_OK, "unsubscribe %r" % (ack,))
    producer.send_one(async_message("chat", {"text": "nobody"}, "room.2"))
    # Its last filter gone, the client has no subscription: BlazeDS's fault.
    status, fault = consumer.send_one(command(POLL, ""))
    expect(status == pyamf.remoting.STATUS_ERROR
           and isinstance(fault, m.ErrorMessage)
           and fault.faultCode == "Server.Processing.NotSubscribed",
           "poll after the last unsubscribe %r" % (fault,))

    status, ack = consumer.send_one(command(DISCONNECT, ""))
    expect(status == pyamf.remoting.STATUS_OK, "disconnect %r" % (ack,))


def check_long_poll(base):
    consumer = FlexClient(base, path=LONG_POLL_PATH)
    consumer.ping()
    sub_id = new_id()
    consumer.send_one(command(SUBSCRIBE, "chat", client_id=sub_id))
    result = {}

    def wait():
        try:
            result["reply"] = consumer.send_one(command(POLL, ""), timeout=30)
        except Exception as e:  # reported by the main thread
            result["error"] = e

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.3)  # let the poll park; if it has not, it still finds the message
    producer = FlexClient(base)
    producer.ping()
    producer.send_one(async_message("chat", ArrayCollection(["a", 2, {"k": "v"}])))
    waiter.join(30)
    expect(not waiter.is_alive(), "long poll did not return")
    expect("error" not in result, "long poll failed: %r" % (result.get("error"),))
    got = polled(result["reply"])
    expect(len(got) == 1, "long poll delivered %r" % (got,))
    body = got[0].body
    expect(isinstance(body, ArrayCollection) and list(body) == ["a", 2, {"k": "v"}],
           "ArrayCollection body %r" % (body,))


def check_remote_object(base):
    c = FlexClient(base)
    c.ping()
    people = ArrayCollection([Person("Ann", 31), Person("Ben", 42), Person("Cy", 7)])
    status, ack = c.send_one(remoting_message("EchoService", "echo", [people]))
    expect(status == pyamf.remoting.STATUS_OK, "RemoteObject echo %r" % (ack,))
    expect(isinstance(ack.body, ArrayCollection), "echo body type %s" % type(ack.body).__name__)
    expect(list(ack.body) == list(people), "echo body %r" % (ack.body,))

    replies = c.send([remoting_message("EchoService", "echo", ["one"]),
                      remoting_message("EchoService", "noSuchMethod", []),
                      remoting_message("NoSuchDestination", "x", []),
                      remoting_message("EchoService", "echo", ["four"])])
    expect([s for s, _ in replies] == [0, 1, 1, 0], "batched statuses %r" % (replies,))
    expect(replies[0][1].body == "one" and replies[3][1].body == "four", "batched results")
    for _, err in replies[1:3]:
        expect(isinstance(err, m.ErrorMessage) and err.faultCode, "fault %r" % (err,))


CHECKS = [
    check_netconnection_amf0,
    check_netconnection_amf3,
    check_netconnection_batch_and_faults,
    check_netconnection_credentials,
    check_ping_full_and_small,
    check_login,
    check_subscribe_publish_poll,
    check_long_poll,
    check_remote_object,
]


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    base = argv[1].rstrip("/")
    failed = []
    for check in CHECKS:
        try:
            check(base)
            print("ok   %s" % check.__name__)
        except Exception:
            failed.append(check.__name__)
            print("FAIL %s\n%s" % (check.__name__, traceback.format_exc()))
    print("py3amf %s interop: %d of %d checks ok"
          % (".".join(map(str, pyamf.version)), len(CHECKS) - len(failed), len(CHECKS)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
