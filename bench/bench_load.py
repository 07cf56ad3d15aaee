"""bench_load.py: pyhd-debug's load and rebuild against pickle.loads of the same objects.

Usage: python bench/bench_load.py --pyhd-run BUILD/pyhd-run --pyhd-debug BUILD/pyhd-debug
       [--mix realistic|simple] [--sizes 10000,100000,1000000] [--repeat 3]
Run it with the python pyhd was built against. See bench/README-load.md.

For each size N a program builds about N objects and crashes under pyhd-run.
--mix realistic (the default; issue 9's mix): instances with a __dict__
holding a str, an int, a datetime, a float, bytes, a tuple, a set of str and
nested dicts with str keys, and a cyclic tree (each node's parent and its
list of children). --mix simple: the objects of bench_dump.py (dicts, lists,
str, int, float and small class instances).
the same program under plain python pickles the same objects (protocol 5) to
a file instead. Then, in one pyhd-debug process, a pdb command times the
three taking turns, one run of each per round (best of --repeat rounds, and
at small sizes of more: 201 at 10^4, 20 at 10^5; garbage collector on as usual):
  load      _pyhd.load(dump): reading the archive, inflating and checking
            graph.z, rebuilding every object (the program's classes as
            surrogates) and the frames' records;
  pickle    pickle.loads of the pickle file's bytes (already in memory), with
            the program's class defined in __main__ so that it can;
  zpickle   zlib.decompress + pickle.loads of the level-1 compressed pickle,
            the closer analogue of load, which inflates graph.z.
It also times pyhd-debug's start-up to the prompt on a small dump, a
three-line program's (the wall time of `pyhd-debug -c q DUMP`, which quits
at the first prompt), next to `python -I -c "import pdb"` for scale, the two
taking turns (best of --repeat, at least 21).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_dump  # noqa: E402  (the program that builds the objects)

SIMPLE = bench_dump.PROGRAM.replace("crash(int(sys.argv[1]), sys.argv[2])", "")

# About 20 objects per unit: a Record (its __dict__, 2 str, 2 int, a datetime,
# 2 float, bytes, a tuple, a set of 2 str, a dict holding a dict of a str and
# an int, and a str) and a tree Node (its __dict__, its list of children, an int).
REALISTIC = r'''
import datetime, pickle, sys

class Record:
    def __init__(self, i):
        self.id = 1000 + i
        self.name = "rec-%d" % i
        self.created = datetime.datetime(2026, 1, 1) + datetime.timedelta(seconds=i)
        self.score = i * 0.25
        self.payload = b"\x00\x01" + i.to_bytes(4, "little")
        self.point = (i * 0.5, -i * 0.5)
        self.tags = {"t%d" % (i % 50), "all"}
        self.meta = {"source": {"host": "h%d" % (i % 16), "port": 8000 + i}, "note": "n%d" % i}

class Node:
    def __init__(self, parent, value):
        self.parent = parent
        self.value = value
        self.children = []
        if parent is not None:
            parent.children.append(self)

def build(n):
    units = n // 20
    records = [Record(i) for i in range(units)]
    nodes = [Node(None, 1000)]
    for i in range(1, units):
        nodes.append(Node(nodes[(i - 1) // 4], 1000 + i))
    return records, {"tree": nodes[0]}
'''

MAIN = r'''
def main(n, mode, path):
    items, index = build(n)
    if mode == "save":
        with open(path, "wb") as f:
            f.write(pickle.dumps({"items": items, "index": index}, protocol=5))
        return
    raise RuntimeError("bench crash")

main(int(sys.argv[1]), sys.argv[2], sys.argv[3])
'''
PROGRAMS = {"simple": SIMPLE + MAIN, "realistic": REALISTIC + MAIN}

# The program's classes, in the debugger's __main__, so that pickle can load
# their instances (sys must be imported first).
PICKLE_CLASSES = r'''
class Item:
    pass
class Record:
    pass
class Node:
    pass
sys.modules["__main__"].Item = Item
sys.modules["__main__"].Record = Record
sys.modules["__main__"].Node = Node
'''

# Run inside pyhd-debug by a pdb command: prints one line of results.
TIMER = r'''
import gc, pickle, sys, time, zlib, _pyhd
DUMP, PICKLE, REPEAT = sys.argv_bench
''' + PICKLE_CLASSES + r'''
with open(PICKLE, "rb") as f:
    raw = f.read()
packed = zlib.compress(raw, 1)
# The three alternate, one run of each per round, so that a slower stretch of the
# machine (another process, frequency) weighs on all three alike.
fns = (lambda: _pyhd.load(DUMP), lambda: pickle.loads(raw),
       lambda: pickle.loads(zlib.decompress(packed)))
times = ([], [], [])
for _ in range(REPEAT):
    for fn, acc in zip(fns, times):
        t0 = time.perf_counter()
        result = fn()
        acc.append(time.perf_counter() - t0)
        del result
        gc.collect()
load_ms, pickle_ms, zpickle_ms = (min(acc) * 1000 for acc in times)
objects = _pyhd.load(DUMP)["objects"]
print("BENCH %d %.2f %.2f %.2f" % (objects, load_ms, pickle_ms, zpickle_ms))
'''


def run(argv, cwd, check=True, **kw):
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, **kw)
    if check and proc.returncode != 0:
        sys.exit("bench: %s failed (%d): %s" % (argv[0], proc.returncode, proc.stderr))
    return proc


def crash(pyhd_run, workdir, label, source, *args):
    """Write source to workdir/label.py, crash it under pyhd-run with args:
    (the program's path, its dump's path, the environment both ran with)."""
    prog = os.path.join(workdir, label + ".py")
    with open(prog, "w") as f:
        f.write(source)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYHD_")}
    env["PYHD_QUIET"] = "1"
    dumpdir = os.path.join(workdir, "dumps-" + label)
    os.makedirs(dumpdir)
    run([pyhd_run, "--dump-dir", dumpdir, prog, *args], workdir, check=False, env=env)
    dumps = os.listdir(dumpdir)
    if len(dumps) != 1:
        sys.exit("bench: no dump of %s" % label)
    return prog, os.path.join(dumpdir, dumps[0]), env


def rounds(repeat, n):
    """--repeat, and at small sizes more: a 10^4 load takes under a millisecond and
    its times spread by a fifth (the allocator's state, the machine), so the best
    of a few is chance. About two million objects' worth of rounds, at most 201."""
    return max(repeat, min(201, 2000000 // max(n, 1)))


def bench(pyhd_run, pyhd_debug, mix, n, repeat, workdir):
    prog, dump, env = crash(pyhd_run, workdir, "prog-%d" % n, PROGRAMS[mix], str(n), "dump",
                            "-")
    pickle_path = os.path.join(workdir, "data.pickle")
    run([sys.executable, prog, str(n), "save", pickle_path], workdir, env=env)
    timer = os.path.join(workdir, "timer.py")
    with open(timer, "w") as f:
        f.write(TIMER)
    command = ("!import sys; sys.argv_bench = (%r, %r, %d); exec(open(%r).read(), {})"
               % (dump, pickle_path, repeat, timer))
    out = run([pyhd_debug, "-c", command, "-c", "q", dump], workdir).stdout
    line = [l for l in out.splitlines() if l.startswith("BENCH ")]
    if not line:
        sys.exit("bench: no result from pyhd-debug:\n" + out)
    _, objects, load_ms, pickle_ms, zpickle_ms = line[0].split()
    return {"n": n, "objects": int(objects), "load": float(load_ms),
            "pickle": float(pickle_ms), "zpickle": float(zpickle_ms), "dump": dump}


# The small dump of the start-up timing: three lines that raise.
SMALL = 'def f(n):\n    raise ValueError(n)\nf(3)\n'


def startup(argvs, workdir, repeat):
    """The best wall time of each command, in ms, the commands taking turns
    (so that both see the same load of the machine)."""
    times = [[] for _ in argvs]
    for _ in range(repeat):
        for argv, acc in zip(argvs, times):
            t0 = time.perf_counter()
            run(argv, workdir)
            acc.append(time.perf_counter() - t0)
    return [min(t) * 1000 for t in times]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pyhd-run", required=True)
    ap.add_argument("--pyhd-debug", required=True)
    ap.add_argument("--mix", choices=sorted(PROGRAMS), default="realistic")
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--repeat", type=int, default=3,
                    help="rounds per size (more at small sizes); the best is shown")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="pyhd-bench-load-")
    try:
        rows = [bench(os.path.abspath(args.pyhd_run), os.path.abspath(args.pyhd_debug),
                      args.mix, n, rounds(args.repeat, n), workdir)
               for n in map(int, args.sizes.split(","))]
        # For scale: the same python starting isolated and importing pdb, nothing else.
        small, baseline = startup(
            [[os.path.abspath(args.pyhd_debug), "-c", "q",
              crash(os.path.abspath(args.pyhd_run), workdir, "small", SMALL)[1]],
             [sys.executable, "-I", "-c", "import pdb"]], workdir, max(args.repeat, 21))
    finally:
        shutil.rmtree(workdir, True)
    print("python %s, --mix %s" % (sys.version.split()[0], args.mix))
    print("%8s %9s %10s %11s %8s %13s %8s" % ("N", "objects", "load ms", "pickle ms",
                                                "load x", "zlib+pickle", "load x"))
    for r in rows:
        print("%8d %9d %10.1f %11.1f %8.2f %13.1f %8.2f" % (
            r["n"], r["objects"], r["load"], r["pickle"], r["load"] / r["pickle"],
            r["zpickle"], r["load"] / r["zpickle"]))
    print("start-up to the prompt and quit, a three-line program's dump: %.1f ms "
          "(python -I -c 'import pdb': %.1f ms, %.2fx)" % (small, baseline, small / baseline))


if __name__ == "__main__":
    main()
