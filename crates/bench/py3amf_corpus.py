#!/usr/bin/env python3
"""Decode + encode the fixture corpus with py3amf (PyPI `py3amf`), on the same
files as the criterion run `cargo bench -p flexgate-bench --bench corpus`.

Usage: python py3amf_corpus.py LIST_FILE
LIST_FILE is written by the criterion run when FLEXGATE_BENCH_CORPUS_LIST is
set: one fixture path per line (the files every Rust codec reads).
Prints the best-of-5 time of one pass over all files (timeit).
"""

import sys
import timeit

import pyamf
import pyamf.remoting
import pyamf.flex  # registers ArrayCollection, ObjectProxy, the Flex messages


def roundtrip(data):
    env = pyamf.remoting.decode(data, strict=False)
    return pyamf.remoting.encode(env, strict=True).getvalue()


def main(argv):
    paths = [line.strip() for line in open(argv[1]) if line.strip()]
    blobs = [open(p, "rb").read() for p in paths]
    ok = []
    for p, b in zip(paths, blobs):
        try:
            roundtrip(b)
            ok.append(b)
        except Exception as e:  # counted, not timed
            print("py3amf cannot round-trip %s: %r" % (p, e), file=sys.stderr)
    total = sum(len(b) for b in ok)
    timer = timeit.Timer(lambda: [roundtrip(b) for b in ok])
    n, _ = timer.autorange()
    best = min(timer.repeat(repeat=5, number=n)) / n
    print("py3amf %s: %d of %d files, %d bytes: %.3f ms per pass (%.2f MiB/s), best of 5 x %d"
          % (".".join(map(str, pyamf.version)), len(ok), len(blobs), total, best * 1e3,
             total / best / 2 ** 20, n))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
