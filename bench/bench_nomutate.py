"""bench_nomutate.py: a live program's memory and attribute speed before and after a dump.

Usage: python bench/bench_nomutate.py --pyhd-run BUILD/pyhd-run [--instances 300000] [--repeat 5]
Run it with the python pyhd-run was built against. See bench/README.md.

A program under pyhd-run makes N instances of a small class (two attributes,
which 3.11+ keep inline, without a dict), then:
  before   reads an attribute of every instance, best of --repeat rounds;
  dump     pyhd.dump() of the whole program (a first dump is made before the
           instances exist, so what pyhd caches once is not counted);
  after    the same reads again, and the heap's growth across the dump:
           sys.getallocatedblocks() and tracemalloc's count of traced bytes.
A dump that gave each instance a __dict__ shows as N more blocks, about 64
bytes each, and (3.11, 3.12) slower reads; one that changes nothing shows
neither.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

PROGRAM = r'''
import gc, json, sys, time, tracemalloc
import pyhd

class Item:
    def __init__(self, i):
        self.a = i
        self.b = 'x'

def reads(items, repeat):
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        total = 0
        for it in items:
            total += it.a
        dt = time.perf_counter() - t0
        best = dt if best is None or dt < best else best
    return best * 1e9 / len(items)

n, repeat = int(sys.argv[1]), int(sys.argv[2])
pyhd.dump()
items = [Item(i) for i in range(n)]
before_ns = reads(items, repeat)
gc.collect()
tracemalloc.start()
blocks = sys.getallocatedblocks()
traced = tracemalloc.get_traced_memory()[0]
t0 = time.perf_counter()
pyhd.dump()
dump_ms = (time.perf_counter() - t0) * 1000
gc.collect()
blocks = sys.getallocatedblocks() - blocks
traced = tracemalloc.get_traced_memory()[0] - traced
tracemalloc.stop()
after_ns = reads(items, repeat)
print(json.dumps({"before_ns": before_ns, "after_ns": after_ns, "dump_ms": dump_ms,
                  "blocks": blocks, "bytes": traced}))
'''


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pyhd-run", required=True)
    ap.add_argument("--instances", type=int, default=300000)
    ap.add_argument("--repeat", type=int, default=5, help="rounds of reads; the best is shown")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pyhd-bench-nomutate-") as d:
        script = os.path.join(d, "prog.py")
        with open(script, "w") as f:
            f.write(PROGRAM)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYHD_")}
        p = subprocess.run([args.pyhd_run, script, str(args.instances), str(args.repeat)],
                           cwd=d, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            sys.exit("the program failed:\n" + p.stderr.decode(errors="replace"))
        r = json.loads(p.stdout.decode().splitlines()[-1])
    print("python %d.%d" % sys.version_info[:2])
    print("%10s %12s %12s %8s %10s %12s %12s" % ("instances", "read ns", "after ns", "ratio",
                                                 "dump ms", "blocks added", "bytes added"))
    print("%10d %12.1f %12.1f %8.2f %10.1f %12d %12d" % (
        args.instances, r["before_ns"], r["after_ns"], r["after_ns"] / r["before_ns"],
        r["dump_ms"], r["blocks"], r["bytes"]))


if __name__ == "__main__":
    main()
