#!/usr/bin/env python3
"""An HTTP remoting backend for flexgate in Python's standard library only.

Usage: python3 backend.py [PORT]   (listens on PORT, by default a free
loopback port, prints "listening PORT" on its first line, serves until
killed)

It speaks the JSON of docs/backends.md: a POST body
{"destination", "operation", "args", "principal", "headers", "messageId"}
answered with {"result": ...} or {"fault": {"code", "string", "detail"}}.
tests/http_backends.rs starts it and calls it through the gateway.
"""

import datetime
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LANG = "python"


def parse_date(tagged):
    text = tagged["$date"].replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(text)


def format_date(d):
    return {"$date": d.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")}


def describe(call):
    """A typed com.example.Order in, a typed com.example.Receipt out."""
    order = call["args"][0]
    if order.get("$class") != "com.example.Order":
        return {"fault": {"code": "Orders.BadType", "string": "expected a com.example.Order", "detail": repr(order)}}
    placed = parse_date(order["placed"])
    principal = call["principal"]
    return {"result": {
        "$class": "com.example.Receipt",
        "order": order,
        "due": format_date(placed + datetime.timedelta(days=1)),
        "lines": len(order["lines"]),
        "by": principal["name"] if principal else None,
        "roles": principal["roles"] if principal else [],
        "lang": LANG,
        "messageId": call["messageId"],
        "clientId": call["headers"].get("DSId"),
    }}


def answer(call, handler):
    op = call["operation"]
    args = call["args"]
    if op == "echo":
        return 200, {"result": args[0] if args else None}
    if op == "echoAll":
        return 200, {"result": args}
    if op == "describe":
        return 200, describe(call)
    if op == "trace":
        return 200, {"result": handler.headers.get("traceparent")}
    if op == "fail":
        return 200, {"fault": {"code": "Orders.Rejected", "string": "order rejected", "detail": LANG}}
    if op == "slow":
        time.sleep(args[0] / 1000.0)
        return 200, {"result": "slept"}
    if op == "garbage":
        return 200, None
    if op == "status500":
        return 500, None
    return 200, {"fault": {"code": "Server.ResourceUnavailable", "string": "no method " + op}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the gateway's pool expects

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        call = json.loads(self.rfile.read(length))
        status, body = answer(call, self)
        data = b"this is not JSON" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print("listening", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
