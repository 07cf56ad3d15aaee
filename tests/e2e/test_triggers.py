"""test_triggers.py: dumps beyond the top-level crash: thread failures, the dump signal, fatal signals, Ctrl-C."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
import unittest

from e2e_util import (dumps_in, manifest, member, signal_env as base_env, without_pyhd_lines,
                      write_program)

RUN = os.environ["PYHD_RUN"]
DEBUG = os.environ["PYHD_DEBUG"]
PYTHON = os.environ["PYHD_PYTHON"]

DUMP_LINE = re.compile(rb"pyhd: dump written to (/\S+\.dump) \([^)]*\)\n")
STACKS_LINE = re.compile(rb"pyhd: stacks written to (/\S+\.txt)\n")


def default_signals():
    """A shell's background job starts with SIGINT ignored, and python keeps
    it so; the tests need python's own SIGINT handling."""
    for signum in (signal.SIGINT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGURG):
        signal.signal(signum, signal.SIG_DFL)


def interrupt_report(stderr):
    """python's report of a KeyboardInterrupt without the lines naming where
    it came: the signal may land in print() or in time.sleep()."""
    lines = stderr.splitlines(keepends=True)
    return (lines[0], lines[-1]) if lines else ()


class TriggerTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-triggers-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, name, text):
        return write_program(os.path.join(self.dir, name), text)

    def run_cmd(self, argv, env=None):
        return subprocess.run(argv, cwd=self.dir, env=env or base_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)

    def dumps(self):
        return dumps_in(self.dir)

    def signalled(self, argv, signum, env=None):
        """Start argv, wait for its "ready" line, send signum, collect the rest."""
        proc = subprocess.Popen(argv, cwd=self.dir, env=env or base_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                preexec_fn=default_signals)
        self.assertEqual(proc.stdout.readline(), b"ready\n")
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=300)
        return subprocess.CompletedProcess(argv, proc.returncode, b"ready\n" + out, err)


SLEEPER = """\
    import sys, threading, time
    stop = threading.Event()

    def worker_waits():
        marker = "worker-local"
        stop.wait()

    # A daemon: an interrupt that comes before the try must not leave python
    # waiting for it at exit.
    worker = threading.Thread(target=worker_waits, name="waiter", daemon=True)
    worker.start()
    try:
        print("ready", flush=True)
        time.sleep(3)
    finally:
        stop.set()
        worker.join()
    print("finished", flush=True)
    """


class ThreadFailures(TriggerTestCase):
    def test_thread_failure_dumps_and_program_goes_on(self):
        script = self.write("t.py", """\
            import threading
            def fails():
                raise ValueError("thread broke")
            t = threading.Thread(target=fails, name="failing")
            t.start()
            t.join()
            print("main goes on")
            """)
        py = self.run_cmd([PYTHON, script])
        hd = self.run_cmd([RUN, script])
        self.assertEqual(hd.returncode, 0, hd.stderr)
        self.assertEqual(hd.returncode, py.returncode)
        self.assertEqual(hd.stdout, py.stdout)
        self.assertIn(b"Exception in thread failing", py.stderr)
        self.assertEqual(without_pyhd_lines(hd.stderr), py.stderr)
        paths = [os.fsdecode(p) for p in DUMP_LINE.findall(hd.stderr)]
        self.assertEqual(paths, self.dumps())
        self.assertEqual(len(paths), 1)
        m = manifest(paths[0])
        self.assertEqual(m["Trigger"], "thread-exception")
        self.assertEqual(m["Exception-Type"], "builtins.ValueError")
        self.assertEqual(m["Exception-Message"], "thread broke")
        self.assertIn("Exception in thread failing", member(paths[0], "traceback.txt"))

    def test_program_replaced_threading_excepthook(self):
        script = self.write("t.py", """\
            import sys, threading
            def hook(args):
                print("own hook:", args.exc_type.__name__, args.thread.name, file=sys.stderr)
            threading.excepthook = hook
            t = threading.Thread(target=lambda: 1 / 0, name="div")
            t.start()
            t.join()
            """)
        py = self.run_cmd([PYTHON, script])
        hd = self.run_cmd([RUN, script])
        self.assertEqual(py.stderr, b"own hook: ZeroDivisionError div\n")
        self.assertEqual(without_pyhd_lines(hd.stderr), py.stderr)
        self.assertEqual(hd.returncode, 0)
        [path] = self.dumps()
        self.assertEqual(manifest(path)["Exception-Type"], "builtins.ZeroDivisionError")

    def test_thread_system_exit_is_silent(self):
        script = self.write("t.py", """\
            import sys, threading
            t = threading.Thread(target=sys.exit)
            t.start()
            t.join()
            """)
        hd = self.run_cmd([RUN, script])
        self.assertEqual((hd.returncode, hd.stderr), (0, b""))
        self.assertEqual(self.dumps(), [])

    def test_own_except_hook_args_is_not_a_failure(self):
        script = self.write("t.py", """\
            import threading
            args = threading.ExceptHookArgs([ValueError, ValueError("x"), None, None])
            print(args.exc_type.__name__)
            """)
        hd = self.run_cmd([RUN, script])
        self.assertEqual((hd.returncode, hd.stdout, hd.stderr), (0, b"ValueError\n", b""))
        self.assertEqual(self.dumps(), [])

    def test_flood_is_rate_limited(self):
        script = self.write("t.py", """\
            import threading
            def fails(n):
                raise RuntimeError("failure %d" % n)
            for n in range(25):
                t = threading.Thread(target=fails, args=(n,))
                t.start()
                t.join()
            print("done")
            """)
        hd = self.run_cmd([RUN, script])
        self.assertEqual((hd.returncode, hd.stdout), (0, b"done\n"), hd.stderr)
        self.assertEqual(len(DUMP_LINE.findall(hd.stderr)), 10)
        self.assertEqual(len(self.dumps()), 10)
        limited = [line for line in hd.stderr.splitlines() if b"rate limit" in line]
        self.assertEqual(len(limited), 1, hd.stderr)
        self.assertTrue(limited[0].startswith(b"pyhd: no dump: rate limit of 10 dumps a minute"))
        self.assertEqual(hd.stderr.count(b"RuntimeError: failure"), 25)


class DumpSignal(TriggerTestCase):
    def test_sigurg_dumps_every_thread_and_program_finishes(self):
        script = self.write("s.py", SLEEPER)
        hd = self.signalled([RUN, script], signal.SIGURG)
        self.assertEqual(hd.returncode, 0, hd.stderr)
        self.assertEqual(hd.stdout, b"ready\nfinished\n")
        [path] = [os.fsdecode(p) for p in DUMP_LINE.findall(hd.stderr)]
        self.assertEqual(self.dumps(), [path])
        m = manifest(path)
        self.assertEqual((m["Trigger"], m["Reason"], m["Threads"]), ("signal", "SIGURG", "2"))
        self.assertNotIn("Exception-Type", m)
        threads = subprocess.run([DEBUG, "--threads", path], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=base_env())
        self.assertEqual(threads.returncode, 0, threads.stderr)
        main, _, other = threads.stdout.partition(b"\nThread 2: ")
        self.assertIn(b"MainThread", main)
        self.assertIn(b's.py", line ', main)
        self.assertIn(b"in <module>", main)
        self.assertIn(b"waiter", other)
        self.assertIn(b"in worker_waits", threads.stdout)

    def test_sigusr1_does_what_it_does_under_python(self):
        # SIGUSR1's default action ends the program; pyhd-run leaves it so
        # (faulthandler's own tests count on it).
        script = self.write("s.py", SLEEPER)
        py = self.signalled([PYTHON, script], signal.SIGUSR1)
        hd = self.signalled([RUN, script], signal.SIGUSR1)
        self.assertEqual(py.returncode, -signal.SIGUSR1)
        self.assertEqual((hd.returncode, hd.stdout, hd.stderr),
                         (py.returncode, py.stdout, py.stderr))
        self.assertEqual(self.dumps(), [])

    def test_other_dump_signal_from_environment(self):
        script = self.write("s.py", SLEEPER)
        hd = self.signalled([RUN, script], signal.SIGUSR2, base_env(PYHD_DUMP_SIGNAL="USR2"))
        self.assertEqual((hd.returncode, hd.stdout), (0, b"ready\nfinished\n"), hd.stderr)
        [path] = self.dumps()
        self.assertEqual(manifest(path)["Reason"], "SIGUSR2")

    def test_dump_signal_none_leaves_the_signal_to_python(self):
        script = self.write("s.py", SLEEPER)
        for signum, python_status in ((signal.SIGURG, 0), (signal.SIGUSR1, -signal.SIGUSR1)):
            py = self.signalled([PYTHON, script], signum)
            hd = self.signalled([RUN, "--dump-signal=none", script], signum)
            self.assertEqual(py.returncode, python_status)
            self.assertEqual((hd.returncode, hd.stdout, hd.stderr),
                             (py.returncode, py.stdout, py.stderr))
        self.assertEqual(self.dumps(), [])

    def test_program_handler_replaces_ours(self):
        script = self.write("s.py", """\
            import signal, time
            got = []
            signal.signal(signal.SIGURG, lambda signum, frame: got.append(signum))
            print("ready", flush=True)
            time.sleep(2)
            print("own handler" if got else "no signal")
            """)
        hd = self.signalled([RUN, script], signal.SIGURG)
        self.assertEqual((hd.returncode, hd.stdout, hd.stderr),
                         (0, b"ready\nown handler\n", b""))
        self.assertEqual(self.dumps(), [])

    def test_dump_fork(self):
        script = self.write("s.py", SLEEPER)
        hd = self.signalled([RUN, "--dump-fork", script], signal.SIGURG)
        self.assertEqual((hd.returncode, hd.stdout), (0, b"ready\nfinished\n"), hd.stderr)
        [path] = [os.fsdecode(p) for p in DUMP_LINE.findall(hd.stderr)]
        self.assertEqual(self.dumps(), [path])
        m = manifest(path)
        self.assertEqual((m["Trigger"], m["Threads"]), ("signal", "2"))
        # Named for, and labelled with, the process dumped, not the child.
        self.assertIn("-%s-" % m["Pid"], os.path.basename(path))
        threads = subprocess.run([DEBUG, "--threads", path], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=base_env())
        self.assertIn(b"in worker_waits", threads.stdout)


CRASH = """\
    import ctypes, os, sys
    def crash_here(how):
        local_marker = [1, 2, 3]
        if how == "segv":
            ctypes.string_at(0)
        os.abort()
    crash_here(sys.argv[1])
    """


class FatalSignals(TriggerTestCase):
    def check_crash(self, how, signum, python_options=()):
        script = self.write("c.py", CRASH)
        py = self.run_cmd([PYTHON, *python_options, script, how])
        hd = self.run_cmd([RUN, *python_options, script, how])
        self.assertEqual(py.returncode, -signum)
        self.assertEqual(hd.returncode, py.returncode, hd.stderr)
        [stacks] = [os.fsdecode(p) for p in STACKS_LINE.findall(hd.stderr)]
        with open(stacks, "rb") as f:
            text = f.read()
        name = signal.Signals(signum).name.encode()
        self.assertRegex(os.path.basename(stacks), r"\Apyhd-[0-9]+-%s\.txt\Z" % name.decode())
        self.assertTrue(text.startswith(b"Fatal signal " + name), text)
        self.assertIn(b'c.py", line 7 in <module>', text)
        self.assertIn(b"in crash_here", text)
        # 3.14 has the C stack too, faulthandler's, with the crashing call.
        if sys.version_info >= (3, 14):
            self.assertRegex(text, rb"\n\nCurrent thread's C stack trace \(most recent call "
                                   rb"first\):\n(  Binary file .*\n)+")
        [path] = [os.fsdecode(p) for p in DUMP_LINE.findall(hd.stderr)]
        self.assertEqual(self.dumps(), [path])
        m = manifest(path)
        self.assertEqual((m["Trigger"], m["Reason"]), ("signal", name.decode()))
        locals_out = subprocess.run([DEBUG, "--threads", path], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=base_env())
        self.assertIn(b"in crash_here", locals_out.stdout)
        return py, hd

    def test_segfault(self):
        self.check_crash("segv", signal.SIGSEGV)

    def test_abort(self):
        self.check_crash("abort", signal.SIGABRT)

    def test_faulthandler_output_still_appears(self):
        py, hd = self.check_crash("segv", signal.SIGSEGV, ["-X", "faulthandler"])
        self.assertIn(b"Fatal Python error: Segmentation fault", py.stderr)
        # python's own report, unchanged but for thread ids, after pyhd's lines.
        # 3.14 also names the thread (the process's name: "pyhd-run", not
        # "python3") and adds the C stack, whose frames are the launcher's
        # (main, and the handler re-raising the signal): the section must be
        # there, its lines differ.
        def ids_out(data):
            data = re.sub(rb"0x[0-9a-f]+", b"0x?", data)
            data = re.sub(rb"^(Current thread 0x\?|Thread 0x\?) \[[^\]\n]*\]", rb"\1 [?]",
                          data, flags=re.M)
            return re.sub(rb"^  Binary file .*\n", b"", data, flags=re.M)
        self.assertEqual(ids_out(without_pyhd_lines(hd.stderr)), ids_out(py.stderr))

    def test_faulthandler_enabled_by_the_program(self):
        script = self.write("c.py", """\
            import ctypes, faulthandler
            faulthandler.enable()
            ctypes.string_at(0)
            """)
        hd = self.run_cmd([RUN, script])
        self.assertEqual(hd.returncode, -signal.SIGSEGV)
        self.assertIn(b"Fatal Python error: Segmentation fault", hd.stderr)
        self.assertEqual(len(STACKS_LINE.findall(hd.stderr)), 1)
        self.assertEqual(len(self.dumps()), 1)


class Interrupt(TriggerTestCase):
    def test_ctrl_c_dumps_with_python_status(self):
        script = self.write("s.py", SLEEPER)
        py = self.signalled([PYTHON, script], signal.SIGINT)
        hd = self.signalled([RUN, script], signal.SIGINT)
        self.assertEqual(py.returncode, -signal.SIGINT)
        self.assertEqual((hd.returncode, hd.stdout), (py.returncode, py.stdout))
        self.assertEqual(interrupt_report(without_pyhd_lines(hd.stderr)),
                         interrupt_report(py.stderr))
        [path] = self.dumps()
        self.assertEqual(manifest(path)["Exception-Type"], "builtins.KeyboardInterrupt")

    def test_no_dump_on_interrupt(self):
        script = self.write("s.py", SLEEPER)
        py = self.signalled([PYTHON, script], signal.SIGINT)
        for argv, env in (([RUN, "--no-dump-on-interrupt", script], None),
                          ([RUN, script], base_env(PYHD_NO_DUMP_ON_INTERRUPT="1"))):
            with self.subTest(argv=argv):
                hd = self.signalled(argv, signal.SIGINT, env)
                self.assertEqual((hd.returncode, hd.stdout, interrupt_report(hd.stderr)),
                                 (py.returncode, py.stdout, interrupt_report(py.stderr)))
                self.assertNotIn(b"pyhd:", hd.stderr)
                self.assertEqual(self.dumps(), [])

    def test_other_exceptions_still_dump_without_interrupt_dumps(self):
        hd = self.run_cmd([RUN, "--no-dump-on-interrupt", "-c", "1/0"])
        self.assertEqual(hd.returncode, 1)
        self.assertEqual(len(self.dumps()), 1)


if __name__ == "__main__":
    unittest.main()
