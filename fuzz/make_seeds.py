#!/usr/bin/env python3
"""Builds the seed inputs of each fuzz target from fixtures/ into fuzz/seeds/.

Run from the repository root. The seeds are then merged (minimised) into
fuzz/corpus/<target>/; see docs/reliability.md for the commands.
"""
import glob
import os
import shutil
import struct

ROOT = "fixtures"
OUT = "fuzz/seeds"


def packet(value, version):
    """One body `a` -> `/1` holding `value` (AMF0 bytes, or 0x11 + AMF3)."""
    def utf(s):
        return struct.pack(">H", len(s)) + s
    return (struct.pack(">HHH", version, 0, 1) + utf(b"a") + utf(b"/1")
            + struct.pack(">I", len(value)) + value)


def main():
    dirs = {t: os.path.join(OUT, t) for t in ("amf0_packet", "amf3_value", "flex_message")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    for kind in ("requests", "replies"):
        for f in glob.glob(f"{ROOT}/{kind}/*.amf"):
            for t in ("amf0_packet", "flex_message"):
                shutil.copy(f, os.path.join(dirs[t], f"{kind}_{os.path.basename(f)}"))
    for f in glob.glob(f"{ROOT}/values/*.amf0") + glob.glob(f"{ROOT}/values/amf-crate/amf0-*"):
        with open(f, "rb") as src, open(os.path.join(dirs["amf0_packet"], "value_" + os.path.basename(f)), "wb") as out:
            out.write(packet(src.read(), 0))
    for f in glob.glob(f"{ROOT}/values/*.amf3") + glob.glob(f"{ROOT}/values/amf-crate/amf3-*"):
        with open(f, "rb") as src:
            value = src.read()
        shutil.copy(f, os.path.join(dirs["amf3_value"], os.path.basename(f)))
        for t in ("amf0_packet", "flex_message"):
            with open(os.path.join(dirs[t], "avm_" + os.path.basename(f)), "wb") as out:
                out.write(packet(b"\x11" + value, 3))


if __name__ == "__main__":
    main()
