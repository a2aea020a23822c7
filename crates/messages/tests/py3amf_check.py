"""Decodes AMF3 files written by the flexgate-messages test `py3amf.rs` with
py3amf and compares the message fields with the JSON the Rust side expected.

Usage: py3amf_check.py DIR   (DIR holds NAME.amf3 + NAME.json pairs)
Prints one line per case; exits 1 on any mismatch.
"""
import calendar
import datetime
import json
import os
import sys
import uuid

import pyamf
import pyamf.amf3
import pyamf.flex
import pyamf.flex.messaging  # registers the message classes and DSA/DSC/DSK


def millis(d):
    return calendar.timegm(d.utctimetuple()) * 1000 + d.microsecond // 1000


def norm(v):
    if v is None or v is pyamf.Undefined:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        return v
    if isinstance(v, uuid.UUID):
        return str(v).upper()
    if isinstance(v, datetime.datetime):
        return {"$date": float(millis(v))}
    if isinstance(v, pyamf.amf3.ByteArray):
        return {"$bytes": v.getvalue().hex()}
    if isinstance(v, (bytes, bytearray)):
        return {"$bytes": bytes(v).hex()}
    if isinstance(v, pyamf.flex.ArrayCollection):
        return {"$ext": "flex.messaging.io.ArrayCollection", "value": [norm(x) for x in v]}
    if isinstance(v, pyamf.flex.ObjectProxy):
        return {"$ext": "flex.messaging.io.ObjectProxy", "value": norm(v._amf_object)}
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        out = {"$class": getattr(v, "alias", "") or ""}
        out.update({str(k): norm(x) for k, x in v.items()})
        return out
    alias = pyamf.get_class_alias(type(v))
    out = {"$class": alias.alias if alias else type(v).__name__}
    out.update({k: norm(x) for k, x in vars(v).items()})
    return out


KINDS = {
    "AsyncMessage": "async", "AsyncMessageExt": "async",
    "CommandMessage": "command", "CommandMessageExt": "command",
    "AcknowledgeMessage": "acknowledge", "AcknowledgeMessageExt": "acknowledge",
    "ErrorMessage": "error", "RemotingMessage": "remoting",
}


def field(msg, name):
    v = getattr(msg, name, None)
    if name in ("timestamp", "timeToLive"):
        # py3amf turns small-form times into datetimes; 0/absent reads as None.
        if isinstance(v, datetime.datetime):
            return float(millis(v))
        return float(v or 0)
    if name == "headers":
        return {str(k): norm(x) for k, x in (v or {}).items()}
    return norm(v)


def main(directory):
    failed = 0
    names = sorted(f[:-5] for f in os.listdir(directory) if f.endswith(".json"))
    for name in names:
        with open(os.path.join(directory, name + ".json"), encoding="utf-8") as f:
            expected = json.load(f)
        with open(os.path.join(directory, name + ".amf3"), "rb") as f:
            data = f.read()
        try:
            msg = next(iter(pyamf.decode(data, encoding=pyamf.AMF3)))
        except Exception as e:  # report, do not stop
            print("FAIL %s: py3amf could not decode: %r" % (name, e))
            failed += 1
            continue
        actual = {"kind": KINDS.get(type(msg).__name__, type(msg).__name__)}
        for key in expected:
            if key != "kind":
                actual[key] = field(msg, key)
        if actual != expected:
            diff = {k: (expected.get(k), actual.get(k)) for k in expected if expected.get(k) != actual.get(k)}
            print("FAIL %s: %s" % (name, json.dumps(diff, sort_keys=True)))
            failed += 1
        else:
            print("ok %s" % name)
    print("%d cases, %d failed" % (len(names), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
