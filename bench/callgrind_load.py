"""callgrind_load.py: pyhd-debug's load against pickle.loads, in instructions (callgrind).

Usage: python3 bench/callgrind_load.py --pyhd-run BUILD/pyhd-run --pyhd-debug BUILD/pyhd-debug
       [--sizes 10000,100000] [--rounds 4] [--mix realistic|simple]
See bench/README-load.md.

For each size, the program of bench_load.py makes a dump (under pyhd-run) and
a pickle of the same objects (under the python running this script). Then one
pyhd-debug process, under valgrind's callgrind with collection on only inside
_pyhd.load (pyhd_load) and pickle.loads (_pickle_loads, visible when libpython
is linked statically), runs --rounds rounds of one load and one pickle.loads;
each call is dumped as its own part, so each gets its own count. The debugger's
own load at start is the first part and is not shown. PYTHONHASHSEED=0, so
that two runs count the same.

pickle.loads keeps the garbage collector on: which of its calls a collection
of the older generations falls in moves its count by half. The medians of the
rounds after the first are the figures to compare.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_load  # noqa: E402  (the programs that build the objects)

INNER = r'''
import pickle, sys, _pyhd
''' + bench_load.PICKLE_CLASSES + r'''
DUMP, PICKLE, ROUNDS = sys.argv_bench
with open(PICKLE, "rb") as f:
    raw = f.read()
for _ in range(ROUNDS):
    result = _pyhd.load(DUMP)
    del result
    result = pickle.loads(raw)
    del result
'''


def make(pyhd_run, mix, n, workdir):
    """The dump and the pickle of size n: their paths."""
    prog = os.path.join(workdir, "prog.py")
    with open(prog, "w") as f:
        f.write(bench_load.PROGRAMS[mix])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYHD_")}
    env["PYHD_QUIET"] = "1"
    dumpdir = os.path.join(workdir, "dumps-%d" % n)
    os.makedirs(dumpdir)
    bench_load.run([pyhd_run, "--dump-dir", dumpdir, prog, str(n), "dump", "-"], workdir,
                   check=False, env=env)
    dumps = os.listdir(dumpdir)
    if len(dumps) != 1:
        sys.exit("callgrind_load: no dump for n=%d" % n)
    pickle_path = os.path.join(workdir, "data-%d.pickle" % n)
    bench_load.run([sys.executable, prog, str(n), "save", pickle_path], workdir, env=env)
    return os.path.join(dumpdir, dumps[0]), pickle_path


def count(pyhd_debug, dump, pickle_path, rounds, workdir):
    """(load counts, pickle counts), one per round."""
    inner = os.path.join(workdir, "inner.py")
    with open(inner, "w") as f:
        f.write(INNER)
    out = os.path.join(workdir, "cg.out")
    command = ("!import sys; sys.argv_bench = (%r, %r, %d); exec(open(%r).read(), {})"
               % (dump, pickle_path, rounds, inner))
    env = dict(os.environ, PYTHONHASHSEED="0")
    bench_load.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                    "--collect-atstart=no", "--toggle-collect=pyhd_load",
                    "--toggle-collect=_pickle_loads", "--dump-after=pyhd_load",
                    "--dump-after=_pickle_loads", pyhd_debug, "-c", command, "-c", "q", dump],
                   workdir, env=env)
    parts = []
    for i in range(1, 2 * rounds + 2):
        with open("%s.%d" % (out, i)) as f:
            line = next(l for l in f if l.startswith("summary:") or l.startswith("totals:"))
        parts.append(int(line.split()[1]))
    # Part 1 is the debugger's own load at start; then load, pickle, load, pickle, ...
    return parts[1::2], parts[2::2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pyhd-run", required=True)
    ap.add_argument("--pyhd-debug", required=True)
    ap.add_argument("--mix", choices=sorted(bench_load.PROGRAMS), default="realistic")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("callgrind_load: valgrind is not installed")
    workdir = tempfile.mkdtemp(prefix="pyhd-callgrind-load-")
    try:
        for n in map(int, args.sizes.split(",")):
            dump, pickle_path = make(os.path.abspath(args.pyhd_run), args.mix, n, workdir)
            loads, pickles = count(os.path.abspath(args.pyhd_debug), dump, pickle_path,
                                   args.rounds, workdir)
            later = slice(1, None) if args.rounds > 1 else slice(None)
            load, pick = statistics.median(loads[later]), statistics.median(pickles[later])
            print("N=%d load: %s" % (n, " ".join("%.2f M" % (x / 1e6) for x in loads)))
            print("N=%d pickle.loads: %s" % (n, " ".join("%.2f M" % (x / 1e6) for x in pickles)))
            print("N=%d medians after the first round: load %.2f M, pickle.loads %.2f M, "
                  "load x %.2f" % (n, load / 1e6, pick / 1e6, load / pick))
    finally:
        shutil.rmtree(workdir, True)


if __name__ == "__main__":
    main()
