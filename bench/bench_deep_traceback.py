"""bench_deep_traceback: a deep recursion's RecursionError, python against pyhd-run.

    python bench/bench_deep_traceback.py --pyhd-run BUILD/pyhd-run [--depth 200000] [--repeat 1]

Run it with the python that pyhd-run was built against. The program raises
ValueError at the bottom of a DEPTH-deep recursion (sys.setrecursionlimit
above it, the stack limit raised to its hard limit as `ulimit -s unlimited`
would). Shown: the wall time of `python prog.py` (python's printing of the
traceback is most of it) and of `pyhd-run prog.py` (the same plus the dump),
the dump's own Dump-Time-Ms from its MANIFEST, and the size of its
traceback.txt. The best of --repeat runs. See bench/README.md.
"""

import argparse
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time

PROGRAM = """\
import sys
sys.setrecursionlimit({limit})
def down(n):
    if n == 0:
        raise ValueError("bottom")
    return down(n - 1)
down({depth})
"""


def big_stack():
    hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
    resource.setrlimit(resource.RLIMIT_STACK, (hard, hard))


def timed(argv, cwd):
    started = time.monotonic()
    p = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       preexec_fn=big_stack)
    return time.monotonic() - started, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pyhd-run", required=True)
    ap.add_argument("--depth", type=int, default=200000)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    args.pyhd_run = os.path.abspath(args.pyhd_run)
    env_note = "python %d.%d.%d" % sys.version_info[:3]
    with tempfile.TemporaryDirectory(prefix="pyhd-bench-deep-") as where:
        prog = os.path.join(where, "deep.py")
        with open(prog, "w") as f:
            f.write(PROGRAM.format(limit=args.depth + 50000, depth=args.depth))
        py_best = hd_best = dump_ms = None
        tb_size = 0
        for _ in range(args.repeat):
            seconds, p = timed([sys.executable, prog], where)
            assert p.returncode == 1, p.stderr[-500:]
            py_best = seconds if py_best is None else min(py_best, seconds)
            for name in os.listdir(where):
                if name.endswith(".dump"):
                    os.remove(os.path.join(where, name))
            seconds, p = timed([args.pyhd_run, prog], where)
            assert p.returncode == 1, p.stderr[-500:]
            hd_best = seconds if hd_best is None else min(hd_best, seconds)
            [dump] = [os.path.join(where, n) for n in os.listdir(where) if n.endswith(".dump")]
            with tarfile.open(dump) as tar:
                manifest = tar.extractfile("MANIFEST").read().decode()
                tb_size = len(tar.extractfile("traceback.txt").read())
            ms = float(dict(line.split(": ", 1) for line in manifest.splitlines()
                            if ": " in line)["Dump-Time-Ms"])
            dump_ms = ms if dump_ms is None else min(dump_ms, ms)
        print(env_note)
        print("%8s %10s %12s %12s %14s" % ("depth", "python s", "pyhd-run s", "dump ms",
                                           "traceback.txt"))
        print("%8d %10.2f %12.2f %12.1f %14d" % (args.depth, py_best, hd_best, dump_ms, tb_size))


if __name__ == "__main__":
    main()
