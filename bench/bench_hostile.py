"""bench_hostile: crafted dumps of about 1 MB, each opened by pyhd-debug; the bound is 2 s.

    python bench/bench_hostile.py --pyhd-run BUILD/pyhd-run --pyhd-debug BUILD/pyhd-debug

Each case is a whole dump (a real dump's MANIFEST and traceback.txt around a
crafted graph, tests/e2e/hostile_graphs.py) grown until its file is as large
as it can be within 1 MiB. pyhd-debug opens it as a user would (`pyhd-debug
DUMP` with stdin at end of file: the graph is rebuilt, the header and the
traceback printed, pdb started and left), and --print once more. The table
shows the file size, the outcome (exit status and the first words of a
refusal) and the best of --repeat wall-clock times. See bench/README.md.
"""

import argparse
import glob
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import hostile_graphs as hg  # noqa: E402

LIMIT = 1 << 20


def deep_tuple_key(n):
    g = hg.Graph()
    t = g.tuple([])
    for _ in range(n):
        t = g.tuple([t])
    return g, {"d": g.dict([(t, g.none())]), "s": g.set([t])}


def deep_slices(n):
    g = hg.Graph()
    none = g.none()
    s = none
    for _ in range(n):
        s = g.slice(s, none, none)
    return g, {"s": s}


def deep_list(n):
    g = hg.Graph()
    item = g.list([])
    for _ in range(n):
        item = g.list([item])
    return g, {"l": item}


def class_chain(n):
    g = hg.Graph()
    c = g.klass("C0")
    for i in range(1, n):
        c = g.klass("C%d" % i, bases=[c])
    return g, {"x": g.instance(c)}


def many_class_chains(n):
    # Chains of 60 (inside the per-chain cost) until the total bound is reached.
    g = hg.Graph()
    leaves = []
    for chain in range(n // 60):
        c = g.klass("R%d" % chain)
        for i in range(60):
            c = g.klass("C%d_%d" % (chain, i), bases=[c])
        leaves.append(g.instance(c))
    return g, {"x": g.list(leaves)}


def wide_class(n):
    g = hg.Graph()
    return g, {"x": g.instance(g.klass("W", bases=[g.klass("B%d" % i) for i in range(n)]))}


def colliding_keys(n):
    g = hg.Graph()
    keys = [g.bigint(i * (2 ** 61 - 1)) for i in range(1, n + 1)]
    none = g.none()
    return g, {"d": g.dict([(k, none) for k in keys])}


def shared_instances(n):
    g = hg.Graph()
    node = g.klass("Node")
    a, b = g.str("a"), g.str("b")
    item = g.none()
    for _ in range(n):
        item = g.instance(node, g.dict([(a, item), (b, item)]))
    cls = g.klass("ValueError", "builtins", flags=hg.CLASS_STDLIB | hg.CLASS_EXCEPTION)
    return g, {"exception": g.exception(cls, g.tuple([item]))}


def exception_chain(n):
    g = hg.Graph()
    cls = g.klass("ValueError", "builtins", flags=hg.CLASS_STDLIB | hg.CLASS_EXCEPTION)
    args = g.tuple([])
    exc = 0
    for _ in range(n):
        exc = g.exception(cls, args, context=exc)
    return g, {"exception": exc}


def _frames(g, n):
    s = g.str
    code = g.add(hg.CODE, g.refs([s("/nonexistent/prog.py"), s("f"), s("f")])
                 + b"\x01\x00\x00\x00\x03" + g.refs([g.tuple([])] * 3))
    glob_ = g.dict([])
    frames, back = [], 0
    for i in range(n):
        line = 1 + i % 7
        back = g.add(hg.FRAME, g.ref(code) + b"".join(hg.svarint(v) for v in (line, line, 0, 9))
                     + g.ref(0) + g.ref(glob_) + g.ref(0) + g.ref(back))
        frames.append(back)
    return frames


def _traceback(g, frames):
    tb = 0
    for frame in reversed(frames):
        tb = g.add(hg.TRACEBACK, g.ref(frame) + b"".join(hg.svarint(v) for v in (2, 2, 0, 9))
                   + g.ref(tb))
    return tb


def deep_stack(n):
    g = hg.Graph()
    cls = g.klass("RecursionError", "builtins", flags=hg.CLASS_STDLIB | hg.CLASS_EXCEPTION)
    return g, {"exception": g.exception(cls, g.tuple([]), tb=_traceback(g, _frames(g, n)))}


def many_tracebacks(n):
    g = hg.Graph()
    cls = g.klass("ValueError", "builtins", flags=hg.CLASS_STDLIB | hg.CLASS_EXCEPTION)
    args = g.tuple([])
    exc = 0
    for _ in range(n):
        exc = g.exception(cls, args, context=exc, tb=_traceback(g, _frames(g, 1)))
    return g, {"exception": exc}


def many_threads(n):
    g = hg.Graph()
    for i in range(n):
        g.meta.append((hg.THREAD, hg.varint(i + 1) + b"\x00" + hg.text("T%d" % i) + b"\x00\x00"))
    return g, {}


def long_name(n):
    g = hg.Graph()
    return g, {"x": g.instance(g.klass("N" * n))}


# (name, builder, first n to try)
CASES = [
    ("deep tuple key", deep_tuple_key, 400000),
    ("deep slices", deep_slices, 400000),
    ("deep list", deep_list, 400000),
    ("class chain", class_chain, 100000),
    ("many class chains", many_class_chains, 100000),
    ("wide class", wide_class, 100000),
    ("colliding keys", colliding_keys, 100000),
    ("shared stand-ins", shared_instances, 100000),
    ("exception chain", exception_chain, 200000),
    ("deep stack", deep_stack, 100000),
    ("many tracebacks", many_tracebacks, 50000),
    ("many threads", many_threads, 100000),
    ("long name", long_name, 50000000),
]


def build_case(builder, n, manifest, traceback_txt):
    """The largest dump (bytes) of builder within LIMIT, shrinking n from its first value."""
    while True:
        g, roots = builder(n)
        data = hg.dump_bytes(g.stream(roots), manifest, traceback_txt)
        if len(data) <= LIMIT:
            return data, n
        n = int(n * 0.8 * LIMIT / len(data))


def timed(args, repeat):
    """The best wall-clock and CPU (user + system) seconds of repeat runs, and the last run."""
    best = best_cpu = None
    proc = None
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=600, errors="replace")
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = elapsed if best is None else min(best, elapsed)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    return best, best_cpu, proc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyhd-run", required=True)
    parser.add_argument("--pyhd-debug", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    args.pyhd_run = os.path.abspath(args.pyhd_run)
    args.pyhd_debug = os.path.abspath(args.pyhd_debug)
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "prog.py"), "w") as f:
            f.write("raise ValueError('bench')\n")
        subprocess.run([args.pyhd_run, "prog.py"], cwd=tmp, capture_output=True, timeout=120)
        with tarfile.open(glob.glob(os.path.join(tmp, "*.dump"))[0]) as tar:
            manifest = tar.extractfile("MANIFEST").read()
            traceback_txt = tar.extractfile("traceback.txt").read()
        print("| case | n | file | outcome | open (CPU) | --print (CPU) |")
        print("| --- | --- | --- | --- | --- | --- |")
        worst = worst_cpu = 0.0
        for name, builder, n in CASES:
            data, n = build_case(builder, n, manifest, traceback_txt)
            path = os.path.join(tmp, "case.dump")
            with open(path, "wb") as f:
                f.write(data)
            opened, opened_cpu, proc = timed([args.pyhd_debug, path], args.repeat)
            printed, printed_cpu, _ = timed([args.pyhd_debug, "--print", path], args.repeat)
            outcome = "opens" if proc.returncode == 0 else "refused: %s" % (
                proc.stderr.strip().split(": ", 4)[-1])[:40]
            worst = max(worst, opened, printed)
            worst_cpu = max(worst_cpu, opened_cpu, printed_cpu)
            print("| %s | %d | %.0f KiB | %s | %.2f s (%.2f) | %.2f s (%.2f) |" % (
                name, n, len(data) / 1024, outcome, opened, opened_cpu, printed, printed_cpu))
            sys.stdout.flush()
        print("\nslowest: %.2f s wall clock, %.2f s CPU (bound: 2 s)" % (worst, worst_cpu))


if __name__ == "__main__":
    main()
