"""bench_pause.py: how long an on-demand dump stalls a live program, with and without --dump-fork.

Usage: python bench/bench_pause.py --pyhd-run BUILD/pyhd-run [--objects 1000000] [--repeat 3]
Run it with the python pyhd-run was built against.

A program under pyhd-run builds about N objects (tuples of an int and a str,
3 objects each, held by a list), then a ticker loop in its main thread
records the time between consecutive iterations while a dump is asked for:
  api       pyhd.dump() called from the loop: the call's own duration;
  signal    SIGURG (the dump signal) sent to itself from another thread: the dump runs in the
            main thread at its next safe point, so the pause is the longest
            gap between two iterations.
Each is run plain and with --dump-fork, where the program pauses only for
the fork and a grandchild writes the dump. The table gives the pause (best
and worst of --repeat runs, in ms), the objects the dump holds and its size.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

PROGRAM = r'''
import os, signal, sys, threading, time
import pyhd

n = int(sys.argv[1]) // 3
heap = [(i + 1000, "s%d" % i) for i in range(n)]
mode = sys.argv[2]

asked = threading.Event()
if mode == "signal":
    def ask():
        time.sleep(0.2)
        asked.set()
        os.kill(os.getpid(), signal.SIGURG)
    threading.Thread(target=ask, daemon=True).start()
    # Only floats that are replaced: the loop adds nothing to the heap.
    pause = 0.0
    last = time.perf_counter()
    end = last + 30
    while last < end:
        now = time.perf_counter()
        pause = max(pause, now - last)
        last = now
        # Done once the signal was sent and a dump-sized gap was seen.
        if asked.is_set() and pause > 0.001:
            break
else:
    t0 = time.perf_counter()
    pyhd.dump()
    pause = time.perf_counter() - t0
print("pause_ms %.1f" % (pause * 1000), flush=True)
'''



def run_once(pyhd_run, program, objects, mode, fork, directory):
    argv = [pyhd_run, "--dump-dir=" + directory, "--max-size=4G"]
    if fork:
        argv.append("--dump-fork")
    result = subprocess.run(argv + [program, str(objects), mode], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, check=True, text=True)
    pause = float(result.stdout.split()[1])
    # With --dump-fork the writer may still be at work when the program ends.
    [name] = os.listdir(directory)
    path = os.path.join(directory, name)
    with tarfile.open(path) as tar:
        text = tar.extractfile("MANIFEST").read().decode()
    manifest = dict(line.split(": ", 1) for line in text.splitlines())
    size = os.path.getsize(path)
    os.unlink(path)
    return pause, "%.1f MiB" % (size / 2**20), int(manifest["Objects"]), \
        float(manifest["Dump-Time-Ms"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyhd-run", required=True)
    parser.add_argument("--objects", type=int, default=1000000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="pyhd-bench-pause-")
    try:
        program = os.path.join(work, "paused.py")
        with open(program, "w") as f:
            f.write(PROGRAM)
        dumps = os.path.join(work, "dumps")
        os.mkdir(dumps)
        print("python %s, %d objects asked for" % (sys.version.split()[0], args.objects))
        print("%-8s %-6s %12s %12s %10s %10s %12s" % (
            "trigger", "fork", "pause best", "pause worst", "objects", "size",
            "Dump-Time-Ms"))
        for mode in ("api", "signal"):
            for fork in (False, True):
                runs = [run_once(args.pyhd_run, program, args.objects, mode, fork, dumps)
                        for _ in range(args.repeat)]
                pauses = [r[0] for r in runs]
                print("%-8s %-6s %10.1f ms %10.1f ms %10d %10s %12.1f" % (
                    mode, "yes" if fork else "no", min(pauses), max(pauses), runs[-1][2],
                    runs[-1][1], runs[-1][3]))
    finally:
        shutil.rmtree(work, True)


if __name__ == "__main__":
    main()
