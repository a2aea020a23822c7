#!/usr/bin/env python3
"""py3amf's NetConnection client (`RemotingService`) calling a remoting
destination served by an HTTP backend (tests/backends/), through flexgate.

Usage: python py3amf_backend_client.py http://127.0.0.1:PORT LANG

The gateway must have the destination "Orders" forwarding to
tests/backends/backend.py or backend.js (LANG is "python" or "node"), and a
user alice/secret with the role "traders"; tests/http_backends_py3amf.rs
starts them. Exits 0 when every check passes.
"""

import datetime
import sys
import traceback

import pyamf
import pyamf.remoting
from pyamf.remoting.client import RemotingService

AMF_PATH = "/messagebroker/amf"
UTC = datetime.timezone.utc
PLACED = datetime.datetime(2009, 3, 4, 5, 6, 7)


class Order(object):
    """com.example.Order, sealed, as a [RemoteClass] value object."""

    class __amf__:
        static = ("id", "placed", "lines", "note")
        dynamic = False

    def __init__(self, id=None, placed=None, lines=None, note=None):
        self.id, self.placed, self.lines, self.note = id, placed, lines, note


class Receipt(object):
    """com.example.Receipt, what the backends answer describe() with."""

    class __amf__:
        static = ("order", "due", "lines", "by", "roles", "lang", "messageId", "clientId")
        dynamic = False


pyamf.register_class(Order, "com.example.Order")
pyamf.register_class(Receipt, "com.example.Receipt")


class CheckFailed(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise CheckFailed(what)


def naive_utc(d):
    """py3amf decodes dates as naive UTC datetimes."""
    return d.astimezone(UTC).replace(tzinfo=None) if d.tzinfo else d


def service(base, version):
    gw = RemotingService(base + AMF_PATH, amf_version=version, strict=True)
    gw.setCredentials("alice", "secret")
    return gw.getService("Orders")


def check_typed_call(base, lang, version):
    orders = service(base, version)
    receipt = orders.describe(Order(7, PLACED, ["tea", "cake"], "\u00fcn\u00efcode"))
    expect(isinstance(receipt, Receipt), "a typed Receipt: %r" % (receipt,))
    get = lambda k: getattr(receipt, k)
    expect(get("lang") == lang, "lang %r" % (get("lang"),))
    expect(get("lines") == 2, "lines %r" % (get("lines"),))
    expect(get("by") == "alice", "principal %r" % (get("by"),))
    order = get("order")
    expect(isinstance(order, Order) and order.id == 7 and order.note == "\u00fcn\u00efcode",
           "the Order comes back as an Order: %r" % (order,))
    expect(naive_utc(order.placed) == PLACED, "placed %r" % (order.placed,))
    due = naive_utc(get("due"))
    expect(due == PLACED + datetime.timedelta(days=1), "due %r" % (due,))


def check_amf0(base, lang):
    check_typed_call(base, lang, pyamf.AMF0)


def check_amf3(base, lang):
    check_typed_call(base, lang, pyamf.AMF3)


def check_fault(base, lang):
    gw = RemotingService(base + AMF_PATH, amf_version=pyamf.AMF3, strict=True)
    orders = gw.getService("Orders", auto_execute=False)
    failing = orders.fail()
    slow = orders.slow(5000)
    envelope = gw.execute()
    for req, code, what in ((failing, "Orders.Rejected", "backend fault"),
                            (slow, "Server.Processing", "timeout")):
        resp = envelope[req.id]
        expect(resp.status == pyamf.remoting.STATUS_ERROR, "%s: status %r" % (what, resp.status))
        expect(getattr(resp.body, "code", None) == code, "%s: fault %r" % (what, resp.body))
    expect(getattr(envelope[failing.id].body, "details", None) == lang, "detail of the fault")


CHECKS = [check_amf0, check_amf3, check_fault]


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    base, lang = argv[1].rstrip("/"), argv[2]
    failed = []
    for check in CHECKS:
        try:
            check(base, lang)
            print("ok   %s" % check.__name__)
        except Exception:
            failed.append(check.__name__)
            print("FAIL %s\n%s" % (check.__name__, traceback.format_exc()))
    print("py3amf backend client (%s): %d of %d checks ok" % (lang, len(CHECKS) - len(failed), len(CHECKS)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
