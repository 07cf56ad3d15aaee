"""test_robust.py: a crash never gets worse under pyhd-run: one guarded dump path, faulthandler-grade signals, no trace left in a live program."""
import os
import re
import resource
import shutil
import signal
import subprocess
import tarfile
import tempfile
import textwrap
import time
import unittest

from e2e_util import (dumps_in, manifest, manifest_lines, member, signal_env as base_env,
                      without_pyhd_lines, write_program)

RUN = os.environ["PYHD_RUN"]
PYTHON = os.environ["PYHD_PYTHON"]

DUMP_LINE = re.compile(rb"pyhd: dump written to (/\S+\.dump) \([^)]*\)\n")
STACKS_LINE = re.compile(rb"pyhd: stacks written to (/\S+\.txt)\n")


def default_signals():
    for signum in (signal.SIGINT, signal.SIGUSR1, signal.SIGURG):
        signal.signal(signum, signal.SIG_DFL)


def big_stack():
    """Python 3.10 recurses on the C stack for every Python call: give the
    main thread room for 200,000 of them, as `ulimit -s unlimited` would."""
    default_signals()
    hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
    resource.setrlimit(resource.RLIMIT_STACK, (hard, hard))


class RobustTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-robust-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, name, text):
        return write_program(os.path.join(self.dir, name), text)

    def run_cmd(self, argv, env=None, timeout=300, preexec_fn=default_signals):
        return subprocess.run(argv, cwd=self.dir, env=env or base_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, preexec_fn=preexec_fn)

    def dumps(self, where=None):
        return dumps_in(where or self.dir)


class GuardedDumps(RobustTestCase):
    def test_deep_recursion_is_dumped_in_linear_time(self):
        # python 3.11 prints this in about a second; pyhd used to walk every
        # frame's callers once per frame (quadratic: over 300 s). The timeout
        # only tells a hang from an answer.
        script = self.write("deep.py", """\
            import sys
            sys.setrecursionlimit(250000)
            def down(n):
                if n == 0:
                    raise ValueError("bottom")
                return down(n - 1)
            down(200000)
            """)
        started = time.monotonic()
        py = self.run_cmd([PYTHON, script], preexec_fn=big_stack)
        python_seconds = time.monotonic() - started
        self.assertEqual(py.returncode, 1, py.stderr[-300:])
        # 3.13 prints this traceback in Python, in tens of seconds; the dump
        # prints it once more. Ten times python's own time tells a hang.
        hd = self.run_cmd([RUN, script], timeout=max(120, 10 * python_seconds),
                          preexec_fn=big_stack)
        self.assertEqual((hd.returncode, without_pyhd_lines(hd.stderr)),
                         (py.returncode, py.stderr))
        # python's traceback first, then the one line.
        self.assertTrue(hd.stderr.startswith(b"Traceback (most recent call last):\n"))
        [path] = DUMP_LINE.findall(hd.stderr.splitlines(keepends=True)[-1])
        self.assertEqual(self.dumps(), [os.fsdecode(path)])
        self.assertIn("[Previous line repeated", member(os.fsdecode(path), "traceback.txt"))

    def test_deep_traceback_is_not_printed_by_python_again(self):
        # 3.13+ print tracebacks with the traceback module, in Python, at
        # about 0.2 ms a frame; the dump renders a deep one in C rather than
        # run that printer (the program's, here patched to count) again.
        # 3.10 to 3.12 print in C: nothing counts there, under either.
        script = self.write("deep.py", """\
            import atexit, sys, traceback
            calls = []
            real = traceback.StackSummary.format
            def counting(self, *args, **kwargs):
                calls.append(len(self))
                return real(self, *args, **kwargs)
            traceback.StackSummary.format = counting
            atexit.register(lambda: print("formatted", calls))
            sys.setrecursionlimit(5000)
            def down(n):
                if n == 0:
                    raise KeyError("bottom")
                return down(n - 1)
            def outer():
                try:
                    down(2000)
                except KeyError as e:
                    err = ValueError("wrapped")
                    err.add_note("a note") if hasattr(err, "add_note") else None
                    raise err from e
            outer()
            """)
        py = self.run_cmd([PYTHON, script])
        hd = self.run_cmd([RUN, script])
        self.assertEqual((hd.returncode, hd.stdout, without_pyhd_lines(hd.stderr)),
                         (py.returncode, py.stdout, py.stderr))
        [path] = DUMP_LINE.findall(hd.stderr)
        text = member(os.fsdecode(path), "traceback.txt").encode()
        # As python printed it, but for 3.11+'s caret lines under a call.
        carets = re.compile(rb"^ +[~^]+\n", re.M)
        self.assertEqual(carets.sub(b"", text), carets.sub(b"", py.stderr))
        self.assertIn(b"  [Previous line repeated ", text)

    def test_dump_signal_during_a_dump_is_recorded_not_nested(self):
        # The dump computes the exception's str() for traceback.txt; this one
        # sends the dump signal the first time, inside that dump.
        script = self.write("loud.py", """\
            import os, signal
            sent = []
            class Loud(Exception):
                def __str__(self):
                    if not sent:
                        sent.append(1)
                        os.kill(os.getpid(), signal.SIGURG)
                        for _ in range(1000):
                            pass
                    return "loud"
            raise Loud()
            """)
        hd = self.run_cmd([RUN, script])
        self.assertEqual(hd.returncode, 1, hd.stderr)
        [path] = [os.fsdecode(p) for p in DUMP_LINE.findall(hd.stderr)]
        self.assertEqual(self.dumps(), [path])
        self.assertIn("Missed-Trigger: signal SIGURG", manifest_lines(path))
        self.assertEqual(manifest(path)["Trigger"], "uncaught-exception")
        self.assertNotIn("pyhd:", member(path, "traceback.txt"))
        self.assertTrue(member(path, "traceback.txt").endswith("Loud: loud\n"))

    def test_threads_failing_together_each_print_and_dump(self):
        # Each exception's __str__ sleeps, so the threads' dumps and
        # tracebacks overlap: none may land in another's traceback.txt.
        script = self.write("eight.py", """\
            import threading, time
            barrier = threading.Barrier(8)
            class Slow(Exception):
                def __str__(self):
                    time.sleep(0.05)
                    return "slow %s" % self.args[0]
            def work(i):
                barrier.wait()
                raise Slow(i)
            threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            """)
        py = self.run_cmd([PYTHON, script])
        hd = self.run_cmd([RUN, script])
        self.assertEqual(py.stderr.count(b"Exception in thread"), 8)
        self.assertEqual(hd.stderr.count(b"Exception in thread"), 8, hd.stderr)
        paths = sorted(os.fsdecode(p) for p in DUMP_LINE.findall(hd.stderr))
        self.assertEqual(len(paths), 8, hd.stderr)
        self.assertEqual(self.dumps(), paths)
        messages = set()
        for path in paths:
            text = member(path, "traceback.txt")
            self.assertEqual(text.count("Exception in thread"), 1, text)
            [message] = re.findall(r"Slow: slow \d", text)
            messages.add(message)
        self.assertEqual(len(messages), 8)

    def test_thread_traceback_comes_before_the_pyhd_line(self):
        script = self.write("t.py", """\
            import threading
            def work():
                raise KeyError("gone")
            t = threading.Thread(target=work, name="worker")
            t.start()
            t.join()
            print("after")
            """)
        py = self.run_cmd([PYTHON, script])
        hd = self.run_cmd([RUN, script])
        self.assertEqual((hd.returncode, hd.stdout), (0, b"after\n"))
        self.assertEqual(without_pyhd_lines(hd.stderr), py.stderr)
        self.assertTrue(hd.stderr.startswith(b"Exception in thread worker:\n"), hd.stderr)
        self.assertRegex(hd.stderr, rb"KeyError: 'gone'\npyhd: dump written to ")
        self.assertEqual(len(self.dumps()), 1)

    def test_threads_ending_during_dumps(self):
        # Short-lived threads end while dump after dump lists them. A key in
        # threading._active that collides with a thread's ident makes the
        # lookup of that thread run program code that lets the thread end:
        # the walk that followed the thread states without the runtime's
        # lock (before 7389150) read a freed one and died of SIGSEGV, 5 runs
        # in 5, in 0.2 s (glibc's malloc) or 0.4 s (ASan, whose freed memory
        # is filled here).
        script = self.write("churn.py", """\
            import sys, threading, time, pyhd
            MAIN = threading.get_ident()
            class Key:
                def __init__(self, ident):
                    self.ident = ident
                def __hash__(self):
                    return self.ident
                def __eq__(self, other):
                    if threading.get_ident() == MAIN:
                        time.sleep(0.005)   # the GIL goes to threads that end
                    return False
            seen = set()
            stop = False
            def short():
                seen.add(threading.get_ident())
                time.sleep(0.001)
            def churn():
                while not stop:
                    ts = [threading.Thread(target=short) for _ in range(4)]
                    for t in ts:
                        t.start()
                    for t in ts:
                        t.join()
            workers = [threading.Thread(target=churn) for _ in range(2)]
            for w in workers:
                w.start()
            planted = set()
            dumps = 0
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                with threading._active_limbo_lock:
                    for ident in seen - planted:
                        threading._active[Key(ident)] = threading.main_thread()
                        planted.add(ident)
                pyhd.dump()
                dumps += 1
            stop = True
            for w in workers:
                w.join()
            with threading._active_limbo_lock:
                for key in [k for k in threading._active if isinstance(k, Key)]:
                    del threading._active[key]
            print(dumps, len(planted))
            """)
        env = base_env(PYHD_QUIET="1")
        env["ASAN_OPTIONS"] += ":max_free_fill_size=65536"
        hd = self.run_cmd([RUN, "--dump-dir=dumps", "--max-dumps=100000", script], env=env,
                          timeout=120)
        self.assertEqual(hd.returncode, 0, hd.stderr[-3000:])
        dumps, planted = map(int, hd.stdout.split())
        self.assertGreater(planted, 0)
        self.assertEqual(len(self.dumps(os.path.join(self.dir, "dumps"))), dumps)


class DropIn(RobustTestCase):
    def test_no_descriptor_is_held_open(self):
        script = self.write("fd.py", """\
            import os
            print(os.open(os.devnull, os.O_RDONLY))
            print(sorted(int(n) for n in os.listdir("/proc/self/fd"))[:4])
            """)
        py = self.run_cmd([PYTHON, script])
        hd = self.run_cmd([RUN, script])
        self.assertEqual((hd.returncode, hd.stdout), (py.returncode, py.stdout), hd.stderr)

    def test_stderr_none_silences_the_line_too(self):
        script = self.write("quiet.py", """\
            import sys
            sys.stderr = None
            raise ValueError("unseen")
            """)
        py = self.run_cmd([PYTHON, script])
        hd = self.run_cmd([RUN, script])
        self.assertEqual((py.returncode, py.stderr), (1, b""))
        self.assertEqual((hd.returncode, hd.stderr), (1, b""))
        self.assertEqual(len(self.dumps()), 1)

    def test_python_options_with_values_before_dash_m(self):
        self.write("pkg/__init__.py", "")
        self.write("pkg/__main__.py", "raise ValueError(1)\n")
        hd = self.run_cmd([RUN, "-X", "faulthandler", "-W", "ignore", "-m", "pkg"])
        [path] = DUMP_LINE.findall(hd.stderr)
        self.assertRegex(os.path.basename(os.fsdecode(path)), r"\Apyhd-pkg-\d+-")

    def test_virtualenv_of_another_build_is_refused(self):
        # A virtualenv of the same minor version whose home is another
        # python's: its standard library does not fit pyhd-run's libpython.
        probe = self.run_cmd([PYTHON, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        minor = probe.stdout.decode().strip()
        venv = os.path.join(self.dir, "venv")
        os.makedirs(os.path.join(venv, "bin"))
        os.makedirs(os.path.join(self.dir, "otherbuild", "bin"))
        with open(os.path.join(venv, "pyvenv.cfg"), "w") as f:
            f.write("home = %s\nversion = %s.99\n" % (os.path.join(self.dir, "otherbuild", "bin"),
                                                      minor))
        os.symlink(os.path.realpath(PYTHON), os.path.join(venv, "bin", "python"))
        hd = self.run_cmd([RUN, "-c", "import sys, subprocess; print(sys.prefix)"],
                          env=base_env(VIRTUAL_ENV=venv))
        self.assertEqual(hd.returncode, 0, hd.stderr)
        self.assertIn(b"ignoring virtualenv %s: it was made by another build of Python %s.99"
                      % (os.fsencode(venv), minor.encode()), hd.stderr)
        self.assertNotEqual(hd.stdout.decode().strip(), venv)


class OnDemand(RobustTestCase):
    def test_dump_logged_exceptions_leaves_logging_alone(self):
        body = """\
            import logging
            logging.warning("plain warning")
            try:
                1 / 0
            except ZeroDivisionError:
                logging.exception("boom")
            """
        plain = self.write("plain.py", body)
        script = self.write("logged.py", "import pyhd\npyhd.dump_logged_exceptions()\n"
                            + textwrap.dedent(body))
        py = self.run_cmd([PYTHON, plain])
        hd = self.run_cmd([RUN, script])
        self.assertEqual(hd.returncode, 0, hd.stderr)
        self.assertIn(b"WARNING:root:plain warning\n", py.stderr)
        # Everything logging printed, as python printed it (line numbers aside).
        def lines_out(data):
            return re.sub(rb'line \d+', b"line ?", re.sub(rb'"[^"]*\.py"', b'"?"', data))
        self.assertEqual(lines_out(without_pyhd_lines(hd.stderr)), lines_out(py.stderr))
        [path] = [os.fsdecode(p) for p in DUMP_LINE.findall(hd.stderr)]
        m = manifest(path)
        self.assertEqual((m["Trigger"], m["Reason"], m["Exception-Type"]),
                         ("api", "log record of logger root", "builtins.ZeroDivisionError"))

    def test_flask_logs_as_without_pyhd(self):
        # A real program: Flask logs an unhandled view error through its own
        # handler, which it adds only while the root logger has none.
        probe = self.run_cmd([PYTHON, "-c", "import flask"])
        if probe.returncode != 0:
            self.skipTest("flask is not installed for %s" % PYTHON)
        body = """\
            import flask
            app = flask.Flask("shop")
            @app.route("/cart")
            def cart():
                return {"apples": 1}["pears"]
            print(app.test_client().get("/cart").status_code)
            """
        plain = self.write("plain_app.py", body)
        script = self.write("app.py", "import pyhd\npyhd.dump_logged_exceptions()\n"
                            + textwrap.dedent(body))
        py = self.run_cmd([PYTHON, plain])
        hd = self.run_cmd([RUN, script])
        self.assertEqual((hd.returncode, hd.stdout), (0, b"500\n"), hd.stderr)
        self.assertIn(b"ERROR in app: Exception on /cart [GET]", py.stderr)
        def comparable(data):
            data = re.sub(rb"^\[[^]]*\]", b"[time]", data, flags=re.M)
            return re.sub(rb'line \d+', b"line ?", re.sub(rb'"[^"]*app\.py"', b'"?"', data))
        self.assertEqual(comparable(without_pyhd_lines(hd.stderr)), comparable(py.stderr))
        [path] = [os.fsdecode(p) for p in DUMP_LINE.findall(hd.stderr)]
        self.assertEqual(manifest(path)["Exception-Type"], "builtins.KeyError")

    def test_dump_handler_dumps_are_not_silent(self):
        script = self.write("handler.py", """\
            import logging, pyhd
            log = logging.getLogger("app")
            log.addHandler(pyhd.DumpHandler())
            log.propagate = False
            try:
                {}["key"]
            except KeyError:
                log.exception("lookup failed")
            """)
        hd = self.run_cmd([RUN, script])
        self.assertEqual(hd.returncode, 0, hd.stderr)
        [path] = [os.fsdecode(p) for p in DUMP_LINE.findall(hd.stderr)]
        self.assertEqual(self.dumps(), [path])

    def test_dump_fork_child_is_bounded_by_its_alarm(self):
        # --repr-all runs this __repr__ in the forked child (through the repr of
        # a contextvars.Token, which the dump does not read: its variable's repr
        # holds the default's): it never returns.
        script = self.write("fork.py", """\
            import contextvars, time
            class Hang:
                def __repr__(self):
                    time.sleep(3600)
                    return "never"
            stuck = contextvars.ContextVar("v", default=Hang()).set(1)
            print("ready", flush=True)
            time.sleep(4)
            print("finished", flush=True)
            """)
        proc = subprocess.Popen([RUN, "--dump-fork", "--repr-all", "--dump-timeout=1", script],
                                cwd=self.dir, env=base_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, preexec_fn=default_signals)
        self.assertEqual(proc.stdout.readline(), b"ready\n")
        proc.send_signal(signal.SIGURG)
        out, err = proc.communicate(timeout=120)
        self.assertEqual((proc.returncode, out), (0, b"finished\n"), err)
        self.assertIn(b"pyhd: no dump: the forked dump took more than 1 s (--dump-timeout)\n",
                      err)
        self.assertEqual(self.dumps(), [])
        # Where the dumps go, a file says so, with where the dump stopped.
        [stacks] = STACKS_LINE.findall(err)
        stacks = os.fsdecode(stacks)
        self.assertEqual(os.path.dirname(stacks), self.dir)
        self.assertTrue(os.path.basename(stacks).startswith(
            "pyhd-%d-dump-fork-timeout-" % proc.pid), stacks)
        with open(stacks, encoding="utf-8") as f:
            text = f.read()
        self.assertTrue(text.startswith("Dump-Fork: timed out after 1 s\nPid: %d\n" % proc.pid),
                        text)
        self.assertIn('fork.py", line 4 in __repr__', text)
        # The signal is handled at line 7 or 8, whichever runs when it comes.
        self.assertRegex(text, r'fork\.py", line [78] in <module>\n')


class FatalSignals(RobustTestCase):
    def test_crash_after_finalization_dies_as_python(self):
        # abort() in a C exit handler, which runs after Py_FinalizeEx.
        script = self.write("late.py", """\
            import ctypes
            libc = ctypes.CDLL(None)
            libc.__cxa_atexit(ctypes.cast(libc.abort, ctypes.c_void_p), None, None)
            print("done")
            """)
        py = self.run_cmd([PYTHON, script])
        hd = self.run_cmd([RUN, script])
        self.assertEqual(py.returncode, -signal.SIGABRT)
        self.assertEqual((hd.returncode, hd.stdout, hd.stderr),
                         (py.returncode, py.stdout, py.stderr))

    def test_stacks_go_into_a_dump_dir_not_yet_made(self):
        script = self.write("crash.py", """\
            import ctypes
            ctypes.string_at(0)
            """)
        hd = self.run_cmd([RUN, "--dump-dir=new/sub", script])
        self.assertEqual(hd.returncode, -signal.SIGSEGV, hd.stderr)
        where = os.path.join(self.dir, "new", "sub")
        [stacks] = STACKS_LINE.findall(hd.stderr)
        self.assertEqual(os.path.dirname(os.fsdecode(stacks)), where)
        with open(stacks, "rb") as f:
            self.assertIn(b'crash.py", line 2 in <module>', f.read())
        self.assertEqual(len(self.dumps(where)), 1, hd.stderr)

    def test_heap_dump_after_a_crash_is_bounded_by_its_alarm(self):
        script = self.write("hang.py", """\
            import contextvars, ctypes, time
            class Hang:
                def __repr__(self):
                    time.sleep(3600)
                    return "never"
            def crash_here():
                stuck = contextvars.ContextVar("v", default=Hang()).set(1)
                ctypes.string_at(0)
            crash_here()
            """)
        hd = self.run_cmd([RUN, "--repr-all", "--dump-timeout=1", script], timeout=120)
        self.assertEqual(hd.returncode, -signal.SIGSEGV, hd.stderr)
        self.assertEqual(len(STACKS_LINE.findall(hd.stderr)), 1, hd.stderr)
        self.assertIn(b"pyhd: no dump: it took more than 1 s (--dump-timeout)\n", hd.stderr)
        self.assertEqual(self.dumps(), [])


if __name__ == "__main__":
    unittest.main()
