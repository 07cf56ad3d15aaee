"""test_threads_together.py: threads mutating shared containers and failing at once; free-threaded builds.

On a free-threaded python the dump must pause the other threads while it
reads them (src/world.c): without that, 8 threads failing together crashed
the process. Every run here must end as python's would, with dumps that open.
"""
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import unittest

from e2e_util import clean_env, manifest

RUN = os.environ["PYHD_RUN"]
DEBUG = os.environ["PYHD_DEBUG"]
PYTHON = os.environ["PYHD_PYTHON"]
BUILD_DIR = os.environ["PYHD_BUILD_DIR"]
FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))

DUMP_LINE = re.compile(rb"pyhd: dump written to (/\S+\.dump) \([^)]*\)\n")
RUNS = 3

PROGRAM = """\
import sys, threading

FAILING = 8
shared = {"dict": {}, "list": [], "set": set()}
ready = threading.Barrier(FAILING + 1)

def mutate(i, rounds):
    d, l, s = shared["dict"], shared["list"], shared["set"]
    for k in range(rounds):
        d[(i, k % 300)] = [k] * (k % 5)
        d.pop((i, (k + 150) % 300), None)
        l.append({i: k})
        if len(l) > 500:
            del l[:250]
        s.add(k % 400)
        s.discard((k + 200) % 400)

def forever(i):
    while True:
        mutate(i, 1000)

def fail(i):
    ready.wait()
    mutate(i, 2000)
    raise ValueError(f"thread {i} failed")

for i in range(3):
    threading.Thread(target=forever, args=(100 + i,), daemon=True, name=f"mutator-{i}").start()
failing = [threading.Thread(target=fail, args=(i,), name=f"failing-{i}") for i in range(FAILING)]
for t in failing:
    t.start()
ready.wait()
for t in failing:
    t.join()
mutate(-1, 2000)
raise RuntimeError("main failed while the mutators run")
"""


class ThreadsTogether(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-threads-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.script = os.path.join(self.dir, "together.py")
        with open(self.script, "w", encoding="utf-8") as f:
            f.write(PROGRAM)

    def test_failing_together_while_others_mutate(self):
        for run in range(RUNS):
            with self.subTest(run=run):
                out = os.path.join(self.dir, str(run))
                os.mkdir(out)
                proc = subprocess.run([RUN, "--dump-dir", out, self.script],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      env=clean_env(), timeout=300)
                self.assertEqual(proc.returncode, 1, proc.stderr[-3000:])
                self.assertIn(b"RuntimeError: main failed while the mutators run\n",
                              proc.stderr)
                self.assertEqual(proc.stderr.count(b"ValueError: thread "), 8)
                self.assertNotIn(b"pyhd: no dump", proc.stderr)
                paths = [os.fsdecode(p) for p in DUMP_LINE.findall(proc.stderr)]
                # At least one failing thread's dump (the others find one being
                # written) and the main thread's.
                self.assertGreaterEqual(len(paths), 2, proc.stderr[-3000:])
                triggers = sorted(manifest(p)["Trigger"] for p in paths)
                self.assertEqual(triggers[0], "thread-exception")
                self.assertEqual(triggers[-1], "uncaught-exception")
                for path in paths:
                    m = manifest(path)
                    self.assertEqual(m["Python-Abi-Flags"], sys.abiflags)
                    self.assertEqual(m["Gil"], "off" if FREE_THREADED else "on")
                    shown = subprocess.run([DEBUG, "--threads", path], stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, env=clean_env())
                    self.assertEqual((shown.returncode, shown.stderr), (0, b""))
                    self.assertIn(b"mutator-0", shown.stdout)
                    self.assertIn(b"in mutate", shown.stdout)


class GilDeclared(unittest.TestCase):
    def test_modules_keep_the_gil_off(self):
        if not FREE_THREADED:
            self.skipTest("not a free-threaded python: there is no GIL to keep off")
        env = clean_env()
        env["PYTHONPATH"] = BUILD_DIR
        proc = subprocess.run([PYTHON, "-W", "error", "-c",
                               "import sys, pyhd; print(sys._is_gil_enabled())"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr), (0, b"False\n", b""))
        proc = subprocess.run([DEBUG, "--help"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=clean_env())
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))


if __name__ == "__main__":
    unittest.main()
