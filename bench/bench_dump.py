"""bench_dump.py: pyhd-run's dump against pickle+zlib on the same objects.

Usage: python bench/bench_dump.py --pyhd-run BUILD/pyhd-run [--sizes 10000,100000,1000000]
Run it with the python pyhd-run was built against. See bench/README.md.

For each size N a program builds about N objects (dicts, lists, str, int,
float and small class instances) in the locals of a function that then
raises. Three runs of that program:
  dump     under pyhd-run: the MANIFEST's Dump-Time-Ms and sizes, peak RSS;
  no-dump  under pyhd-run --no-dump: the baseline peak RSS;
  pickle   under plain python: instead of raising, time pickle.dumps(protocol=5)
           + zlib.compress(level=1) of the same locals, and the peak RSS it adds.
Peak memory is ru_maxrss of the child (wait4), so it includes everything the
process allocated; "extra" is the dump run's peak minus the baseline's.
"""
import argparse
import os
import resource
import shutil
import sys
import tarfile
import tempfile

PROGRAM = r'''
import os, pickle, resource, sys, time, zlib

class Item:
    def __init__(self, i):
        self.name = "item-%d" % i
        self.value = i * 0.5
        self.count = i
        self.tags = ["t%d" % (i % 100), "u%d" % i]

def build(n):
    # Each unit is 10 objects: an Item, its __dict__, name, value, count, the
    # tags list and its 2 str, plus a dict entry's key str and an int.
    units = n // 10
    items = [Item(i) for i in range(units)]
    index = {"k%d" % i: i * 3 + 100000 for i in range(units)}
    return items, index

def crash(n, mode):
    items, index = build(n)
    if mode == "pickle":
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        data = pickle.dumps({"items": items, "index": index}, protocol=5)
        packed = zlib.compress(data, 1)
        t1 = time.perf_counter()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print("PICKLE %.3f %d %d %d" % ((t1 - t0) * 1000, len(data), len(packed),
                                        (after - before) * 1024))
        return
    raise RuntimeError("bench crash")

crash(int(sys.argv[1]), sys.argv[2])
'''


def run_rss(argv, cwd, env):
    out_path = os.path.join(cwd, "stdout.txt")
    err_path = os.path.join(cwd, "stderr.txt")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        pid = os.fork()
        if pid == 0:
            os.chdir(cwd)
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            try:
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        _, status, usage = os.wait4(pid, 0)
    with open(out_path, "rb") as f:
        out = f.read()
    with open(err_path, "rb") as f:
        err = f.read()
    return out, err, os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024


def manifest(path):
    with tarfile.open(path) as tar:
        text = tar.extractfile("MANIFEST").read().decode()
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


def bench(pyhd_run, n, workdir, options=()):
    prog = os.path.join(workdir, "prog.py")
    with open(prog, "w") as f:
        f.write(PROGRAM)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYHD_")}
    env["PYHD_QUIET"] = "1"
    dumpdir = os.path.join(workdir, "dumps")
    os.makedirs(dumpdir, exist_ok=True)
    _, err, rc, rss_dump = run_rss([pyhd_run, "--dump-dir", dumpdir, *options, prog, str(n),
                                    "dump"], workdir, env)
    dumps = [os.path.join(dumpdir, d) for d in os.listdir(dumpdir)]
    if rc == 0 or len(dumps) != 1:
        sys.exit("bench: the dump run failed: %s" % err.decode(errors="replace"))
    m = manifest(dumps[0])
    archive = os.path.getsize(dumps[0])
    for d in dumps:
        os.remove(d)
    _, _, _, rss_base = run_rss([pyhd_run, "--no-dump", prog, str(n), "dump"], workdir, env)
    out, err, rc, _ = run_rss([sys.executable, prog, str(n), "pickle"], workdir, env)
    if rc != 0:
        sys.exit("bench: the pickle run failed: %s" % err.decode(errors="replace"))
    _, p_ms, p_raw, p_z, p_mem = out.split()
    objects = int(m["Objects"]) if "Objects" in m else None
    return {
        "n": n,
        "objects": objects,
        "dump_ms": float(m["Dump-Time-Ms"]),
        "graph_raw": int(m["Graph-Size"]),
        "graph_z": int(m["Graph-Compressed-Size"]),
        "archive": archive,
        "dump_extra": rss_dump - rss_base,
        "pickle_ms": float(p_ms),
        "pickle_raw": int(p_raw),
        "pickle_z": int(p_z),
        "pickle_extra": int(p_mem),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pyhd-run", required=True)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--repeat", type=int, default=3, help="runs per size; the best is shown")
    ap.add_argument("--pyhd-option", action="append", default=[], metavar="OPTION",
                    help="an option for pyhd-run's dump run, e.g. --privacy=full (repeatable)")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="pyhd-bench-")
    try:
        rows = []
        for n in map(int, args.sizes.split(",")):
            runs = [bench(os.path.abspath(args.pyhd_run), n, workdir, args.pyhd_option)
                    for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["dump_ms"])
            best["pickle_ms"] = min(r["pickle_ms"] for r in runs)
            best["dump_extra"] = min(r["dump_extra"] for r in runs)
            best["pickle_extra"] = min(r["pickle_extra"] for r in runs)
            rows.append(best)
    finally:
        shutil.rmtree(workdir, True)
    print("python %s%s" % (sys.version.split()[0],
                           "  pyhd-run " + " ".join(args.pyhd_option) if args.pyhd_option else ""))
    head = ("N", "objects", "dump ms", "pickle+z ms", "time x", "graph.z", "archive",
            "pickle+z", "size x", "dump extra", "B/obj", "pickle extra")
    print("%8s %9s %9s %11s %6s %10s %10s %10s %6s %11s %6s %12s" % head)
    for r in rows:
        objs = r["objects"] or r["n"]
        print("%8d %9s %9.1f %11.1f %6.2f %10d %10d %10d %6.2f %11d %6.1f %12d" % (
            r["n"], r["objects"], r["dump_ms"], r["pickle_ms"], r["dump_ms"] / r["pickle_ms"],
            r["graph_z"], r["archive"], r["pickle_z"], r["graph_z"] / r["pickle_z"],
            r["dump_extra"], r["dump_extra"] / objs, r["pickle_extra"]))


if __name__ == "__main__":
    main()
