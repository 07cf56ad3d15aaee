"""test_run.py: pyhd-run behaves as python does, and adds a dump and one line when an exception escapes."""
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import textwrap
import time
import unittest

from e2e_util import clean_env, dumps_in

RUN = os.environ["PYHD_RUN"]
PYTHON = os.environ["PYHD_PYTHON"]
SOURCE_DIR = os.environ["PYHD_SOURCE_DIR"]
DIVIDE = os.path.join(SOURCE_DIR, "examples", "divide.py")

DUMP_LINE = re.compile(
    rb"pyhd: dump written to (?P<path>/.+\.dump) \((?P<size>[0-9.]+ [KMGT]?i?B), "
    rb"(?P<objects>[0-9]+) objects, (?P<ms>[0-9]+\.[0-9]) ms\)\n\Z")
NO_DUMP_LINE = re.compile(rb"pyhd: no dump: [^\n]+\n\Z")


def split_last_line(data):
    """(everything before the last line, the last line with its newline)."""
    head, sep, last = data.rstrip(b"\n").rpartition(b"\n")
    return (head + sep, last + b"\n") if sep else (b"", last + b"\n")



def wait_until_sleeping(pid, timeout=30.0):
    """Wait until pid sleeps in the kernel (state S) twice in a row, 50 ms apart.

    "ready" is printed just before time.sleep(); a signal sent right after it
    can land between the two, and the traceback then names the print line.
    """
    deadline = time.monotonic() + timeout
    seen = 0
    while time.monotonic() < deadline:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        seen = seen + 1 if state == "S" else 0
        if seen == 2:
            return
        time.sleep(0.05)

class RunTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-run-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, name, text, mode=0o644):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text))
        os.chmod(path, mode)
        return path

    def run_cmd(self, argv, env=None, input=None, cwd=None, umask=None):
        preexec = None if umask is None else (lambda: os.umask(umask))
        return subprocess.run(argv, cwd=cwd or self.dir, env=env or clean_env(), input=input,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300,
                              preexec_fn=preexec)

    def both(self, args, env=None, input=None, pyhd_options=()):
        """Run `python ARGS` and `pyhd-run [OPTIONS] ARGS` the same way."""
        py = self.run_cmd([PYTHON, *args], env, input)
        hd = self.run_cmd([RUN, *pyhd_options, *args], env, input)
        return py, hd

    def dumps(self, directory=None):
        return dumps_in(directory or self.dir)

    def assert_same(self, py, hd):
        """Same status, output and error output; no dump written."""
        self.assertEqual(hd.returncode, py.returncode, hd.stderr)
        self.assertEqual(hd.stdout, py.stdout)
        self.assertEqual(hd.stderr, py.stderr)
        self.assertEqual(self.dumps(), [])

    def assert_dump_file(self, path):
        self.assertTrue(os.path.isfile(path), path)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with tarfile.open(path) as tar:
            names = tar.getnames()
        self.assertEqual(names[:3], ["MANIFEST", "traceback.txt", "graph.z"])
        if shutil.which("tar"):
            listing = subprocess.run(["tar", "tf", path], stdout=subprocess.PIPE, check=True)
            self.assertEqual(listing.stdout.decode().splitlines()[:3],
                             ["MANIFEST", "traceback.txt", "graph.z"])

    def assert_dumped(self, py, hd, dump_dir=None):
        """python's status, output and error output plus one final "pyhd:" line
        naming the one dump file, which exists. Returns the dump's path."""
        self.assertEqual(hd.returncode, py.returncode, hd.stderr)
        self.assertEqual(hd.stdout, py.stdout)
        head, last = split_last_line(hd.stderr)
        self.assertEqual(head, py.stderr)
        match = DUMP_LINE.match(last)
        self.assertIsNotNone(match, last)
        path = os.fsdecode(match["path"])
        self.assertEqual(os.path.dirname(path), os.path.realpath(dump_dir or self.dir))
        self.assertEqual(self.dumps(dump_dir), [path])
        self.assert_dump_file(path)
        return path


class CleanRuns(RunTestCase):
    def test_clean_script(self):
        script = self.write("ok.py", """\
            import sys
            print("out", sys.argv)
            print("err", file=sys.stderr)
            """)
        self.assert_same(*self.both([script, "x", "y"]))

    def test_divide_without_error(self):
        py, hd = self.both([DIVIDE, "5", "2"])
        self.assert_same(py, hd)
        self.assertEqual(py.stdout, b"5 / 2 = 2.5 (after 1 run, [5, 2, 'divide'])\n")

    def test_sys_exit_code(self):
        py, hd = self.both(["-c", "import sys; sys.exit(3)"])
        self.assertEqual(py.returncode, 3)
        self.assert_same(py, hd)

    def test_sys_exit_message(self):
        py, hd = self.both(["-c", "import sys; sys.exit('msg')"])
        self.assertEqual(py.returncode, 1)
        self.assertEqual(py.stderr, b"msg\n")
        self.assert_same(py, hd)

    def test_raise_system_exit_never_dumps(self):
        script = self.write("se.py", """\
            def f():
                raise SystemExit(5)
            f()
            """)
        py, hd = self.both([script])
        self.assertEqual(py.returncode, 5)
        self.assert_same(py, hd)

    def test_orig_argv_and_executable_as_python(self):
        code = "import json, sys; print(json.dumps([sys.argv, sys.orig_argv, sys.executable]))"
        py, hd = self.both(["-c", code, "a"])
        self.assert_same(py, hd)
        self.assertEqual(json.loads(py.stdout)[2], PYTHON)

    def test_unicode_and_undecodable_arguments(self):
        code = "import os, sys; print(ascii(sys.argv), [os.fsencode(a) for a in sys.argv])"
        script = self.write("naïve-日本.py", "import sys\nprint(ascii(sys.argv))\n")
        args = [b"-c", code.encode(), "héllo".encode(), "日本語".encode(), b"\xff\xfe", b""]
        py, hd = self.both(args)
        self.assert_same(py, hd)
        self.assertIn(b"\\xe9", py.stdout)
        self.assert_same(*self.both([script, "ü"]))

    def test_python_options(self):
        code = ("import sys, json; print(json.dumps([repr(sys.flags), sys.warnoptions, "
                "sys._xoptions, sys.path, sys.dont_write_bytecode, "
                "type(sys.stdout.buffer).__name__, sys.stdout.write_through]))")
        env = clean_env(PYTHONPATH=os.path.join(self.dir, "pp"))
        option_sets = [[], ["-u"], ["-X", "dev"], ["-X", "utf8", "-X", "a=b"], ["-W", "error"],
                       ["-E"], ["-I"], ["-O"], ["-OO"], ["-B"], ["-s"], ["-S"], ["-b"],
                       ["-q"], ["-u", "-B", "-E", "-W", "ignore::DeprecationWarning"]]
        for options in option_sets:
            with self.subTest(options=options):
                self.assert_same(*self.both([*options, "-c", code], env))

    def test_python_help_version_and_bad_arguments(self):
        for args in (["-V"], ["-VV"], ["-h"], ["-Z"], ["--help-env"], ["missing.py"],
                     ["-m", "no_such_module_here"], ["-c"]):
            if args == ["--help-env"] and sys.version_info < (3, 11):
                continue
            with self.subTest(args=args):
                self.assert_same(*self.both(args))

    def test_pythonpath(self):
        self.write("pp/ppmod.py", "WHERE = 'pythonpath'\n")
        code = "import sys, ppmod; print(ppmod.WHERE, sys.path)"
        env = clean_env(PYTHONPATH=os.path.join(self.dir, "pp"))
        py, hd = self.both(["-c", code], env)
        self.assertTrue(py.stdout.startswith(b"pythonpath "), py.stderr)
        self.assert_same(py, hd)

    def test_pythonhome(self):
        prefix = self.run_cmd([PYTHON, "-c", "import sys; print(sys.base_prefix)"])
        home = prefix.stdout.decode().strip()
        code = "import sys; print(sys.prefix, sys.exec_prefix, sys.path)"
        for extra in ([], ["-E"], ["-I"]):
            with self.subTest(options=extra):
                py, hd = self.both([*extra, "-c", code], clean_env(PYTHONHOME=home))
                self.assertEqual(py.returncode, 0, py.stderr)
                self.assert_same(py, hd)

    def test_subprocess_runs_plain_python(self):
        script = self.write("sub.py", """\
            import subprocess, sys
            out = subprocess.run([sys.executable, "-c",
                                  "import sys; print(sys.executable, sys.prefix, sys.path)"],
                                 capture_output=True, text=True, check=True).stdout
            print(sys.executable, out)
            """)
        py, hd = self.both([script])
        self.assert_same(py, hd)
        self.assertIn(PYTHON.encode(), py.stdout)

    def test_multiprocessing_spawn(self):
        script = self.write("spawn.py", """\
            import multiprocessing, sys

            def square(x):
                return x * x

            if __name__ == "__main__":
                ctx = multiprocessing.get_context("spawn")
                with ctx.Pool(2) as pool:
                    print(pool.map(square, range(5)))
                proc = ctx.Process(target=print, args=("child", ))
                proc.start()
                proc.join()
                print(proc.exitcode)
            """)
        py, hd = self.both([script])
        self.assertEqual(py.stdout, b"[0, 1, 4, 9, 16]\nchild\n0\n")
        self.assert_same(py, hd)

    def test_virtualenv(self):
        venv = os.path.join(self.dir, "venv")
        subprocess.run([PYTHON, "-m", "venv", "--without-pip", venv], check=True,
                       env=clean_env())
        # lib/python3.14t/... on a free-threaded build: sysconfig knows.
        scheme = "venv" if "venv" in sysconfig.get_scheme_names() else "posix_prefix"
        site_packages = sysconfig.get_path("purelib", scheme, vars={"base": venv})
        self.write(os.path.join(os.path.relpath(site_packages, self.dir), "invenv.py"),
                   "WHERE = 'venv'\n")
        code = ("import json, site, sys, invenv; print(json.dumps([sys.path, sys.prefix, "
                "sys.base_prefix, sys.exec_prefix, site.getsitepackages(), sys.executable, "
                "sys._base_executable, invenv.WHERE]))")
        env = clean_env(VIRTUAL_ENV=venv)
        venv_python = self.run_cmd([os.path.join(venv, "bin", "python"), "-c", code], env)
        hd = self.run_cmd([RUN, "-c", code], env)
        self.assertEqual(hd.returncode, 0, hd.stderr)
        self.assertEqual(hd.stderr, b"")
        self.assertEqual(json.loads(hd.stdout), json.loads(venv_python.stdout))
        self.assertEqual(json.loads(hd.stdout)[1], venv)

        # subprocess through sys.executable runs the venv's python, as it would.
        sub = ("import subprocess, sys; print(subprocess.run([sys.executable, '-c', "
               "'import sys; print(sys.prefix)'], capture_output=True, text=True).stdout)")
        hd = self.run_cmd([RUN, "-c", sub], env)
        self.assertEqual(hd.stdout.decode().strip(), venv)

    def test_virtualenv_of_another_version_is_ignored(self):
        venv = os.path.join(self.dir, "old")
        self.write("old/pyvenv.cfg", "home = /usr/bin\nversion = 2.7.18\n")
        self.write("old/bin/python", "", 0o755)
        code = "import json, sys; print(json.dumps([sys.path, sys.prefix, sys.executable]))"
        py = self.run_cmd([PYTHON, "-c", code])
        hd = self.run_cmd([RUN, "-c", code], clean_env(VIRTUAL_ENV=venv))
        self.assertEqual(hd.returncode, 0)
        self.assertEqual(hd.stdout, py.stdout)
        self.assertRegex(hd.stderr, rb"\Apyhd-run: warning: ignoring virtualenv .*old: it is "
                                    rb"for Python 2\.7\.18, pyhd-run runs Python 3\.\d+\n\Z")

    def test_no_arguments_reads_stdin_like_python(self):
        self.assert_same(*self.both([], input=b"print('from stdin')\n"))


class Dumps(RunTestCase):
    def test_uncaught_exception(self):
        py, hd = self.both([DIVIDE, "5", "0"])
        self.assertEqual(py.returncode, 1)
        self.assertIn(b"ZeroDivisionError: division by zero\n", py.stderr)
        self.assert_dumped(py, hd)

    def test_dump_is_0600_whatever_the_umask(self):
        py = self.run_cmd([PYTHON, DIVIDE, "5", "0"], umask=0)
        hd = self.run_cmd([RUN, DIVIDE, "5", "0"], umask=0)
        self.assert_dumped(py, hd)

    def test_chained_exceptions(self):
        script = self.write("chain.py", """\
            class Oops(Exception):
                pass

            def inner():
                return {}["missing"]

            def outer():
                try:
                    inner()
                except KeyError as e:
                    try:
                        1 / 0
                    except ZeroDivisionError:
                        raise Oops("wrapped") from e

            outer()
            """)
        py, hd = self.both([script])
        self.assertIn(b"direct cause", py.stderr)
        self.assert_dumped(py, hd)

    def test_user_excepthook_still_dumps(self):
        script = self.write("hook.py", """\
            import sys
            def hook(t, v, tb):
                print("my hook:", t.__name__, v, file=sys.stderr)
            sys.excepthook = hook
            raise ValueError("bad")
            """)
        py, hd = self.both([script])
        self.assertEqual(py.stderr, b"my hook: ValueError bad\n")
        self.assert_dumped(py, hd)

    def test_line_comes_before_the_programs_atexit_output(self):
        script = self.write("ae.py", """\
            import atexit, sys
            atexit.register(lambda: print("bye", file=sys.stderr))
            raise RuntimeError("x")
            """)
        py, hd = self.both([script])
        self.assertTrue(py.stderr.endswith(b"RuntimeError: x\nbye\n"))
        self.assertEqual(hd.returncode, py.returncode)
        head, last = split_last_line(hd.stderr)
        self.assertEqual(last, b"bye\n")
        traceback_part, line = split_last_line(head)
        self.assertEqual(traceback_part + last, py.stderr)
        self.assertRegex(line, DUMP_LINE)

    def test_module(self):
        self.write("pkg/__init__.py", "")
        self.write("pkg/__main__.py", """\
            from . import helper
            helper.fail([1, 2, 3])
            """)
        self.write("pkg/helper.py", """\
            def fail(items):
                return items[10]
            """)
        py, hd = self.both(["-m", "pkg"])
        self.assertIn(b"IndexError", py.stderr)
        self.assert_dumped(py, hd)

    def test_command(self):
        py, hd = self.both(["-c", "x = [1]\nx.missing()"])
        self.assertIn(b"AttributeError", py.stderr)
        self.assert_dumped(py, hd)

    def test_stdin_script(self):
        source = b"import sys\nprint(sys.argv)\ndef f():\n    raise LookupError(7)\nf()\n"
        py, hd = self.both(["-", "arg"], input=source)
        self.assertIn(b'File "<stdin>", line 4, in f', py.stderr)
        self.assert_dumped(py, hd)

    def test_raised_keyboard_interrupt(self):
        py, hd = self.both(["-c", "raise KeyboardInterrupt"])
        self.assertEqual(py.returncode, -signal.SIGINT)
        self.assert_dumped(py, hd)

    def sigint_sleeper(self, argv):
        """Run argv, which prints "ready" and sleeps, and interrupt it in its sleep."""
        proc = subprocess.Popen(argv, cwd=self.dir, env=clean_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        self.assertEqual(proc.stdout.readline(), b"ready\n")
        wait_until_sleeping(proc.pid)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=300)
        return subprocess.CompletedProcess(argv, proc.returncode, b"ready\n" + out, err)

    def test_real_sigint(self):
        script = self.write("sleeper.py", """\
            import time
            print("ready", flush=True)
            time.sleep(600)
            """)
        py = self.sigint_sleeper([PYTHON, script])
        hd = self.sigint_sleeper([RUN, script])
        self.assertEqual(py.returncode, -signal.SIGINT)
        self.assertIn(b"KeyboardInterrupt", py.stderr)
        self.assert_dumped(py, hd)

    def test_one_dump_per_process(self):
        # -i: the script's error dumps; the next one at the prompt does not.
        py, hd = self.both(["-i", "-c", "raise ValueError(1)"], input=b"1/0\n")
        self.assertIn(b"ZeroDivisionError", py.stderr)
        self.assert_dumped(py, hd)

    def test_shebang(self):
        path_env = clean_env(PATH=os.path.dirname(RUN) + os.pathsep + os.environ["PATH"])
        script = self.write("plain.py", """\
            #!/usr/bin/env pyhd-run
            import sys
            print(sys.argv[1:])
            raise ValueError("from a shebang")
            """, 0o755)
        py = self.run_cmd([PYTHON, script, "arg"], path_env)
        hd = self.run_cmd([script, "arg"], path_env)
        self.assert_dumped(py, hd)

    def test_shebang_with_options(self):
        dump_dir = os.path.join(self.dir, "dumps")
        os.mkdir(dump_dir)
        path_env = clean_env(PATH=os.path.dirname(RUN) + os.pathsep + os.environ["PATH"])
        script = self.write("opts.py", """\
            #!/usr/bin/env -S pyhd-run --dump-dir=%s
            import sys
            print(sys.argv[1:])
            raise ValueError("from a shebang")
            """ % dump_dir, 0o755)
        py = self.run_cmd([PYTHON, script, "arg"], path_env)
        hd = self.run_cmd([script, "arg"], path_env)
        self.assert_dumped(py, hd, dump_dir)
        self.assertEqual(self.dumps(), [])


class Options(RunTestCase):
    def test_no_dump(self):
        self.assert_same(*self.both([DIVIDE, "5", "0"], pyhd_options=["--no-dump"]))

    def test_pyhd_disable(self):
        self.assert_same(*self.both([DIVIDE, "5", "0"], clean_env(PYHD_DISABLE="1")))

    def test_dump_dir(self):
        dump_dir = os.path.join(self.dir, "d")
        os.mkdir(dump_dir)
        py, hd = self.both([DIVIDE, "5", "0"], pyhd_options=["--dump-dir", dump_dir])
        self.assert_dumped(py, hd, dump_dir)
        self.assertEqual(self.dumps(), [])

    def test_dump_dir_from_environment_and_relative(self):
        os.mkdir(os.path.join(self.dir, "e"))
        py, hd = self.both([DIVIDE, "5", "0"], clean_env(PYHD_DUMP_DIR="e"))
        self.assert_dumped(py, hd, os.path.join(self.dir, "e"))

    def test_dump_stays_in_the_starting_directory(self):
        os.mkdir(os.path.join(self.dir, "elsewhere"))
        py, hd = self.both(["-c", "import os; os.chdir('elsewhere'); 1/0"])
        self.assert_dumped(py, hd)
        self.assertEqual(self.dumps(os.path.join(self.dir, "elsewhere")), [])

    def test_dump_name(self):
        py, hd = self.both([DIVIDE, "5", "0"], pyhd_options=["--dump-name=crash.dump"])
        path = self.assert_dumped(py, hd)
        self.assertEqual(os.path.basename(path), "crash.dump")

    def test_quiet(self):
        py, hd = self.both([DIVIDE, "5", "0"], pyhd_options=["--quiet"])
        self.assertEqual(hd.returncode, py.returncode)
        self.assertEqual(hd.stderr, py.stderr)
        self.assertEqual(len(self.dumps()), 1)
        self.assert_dump_file(self.dumps()[0])

    def test_unwritable_dump_dir(self):
        regular_file = self.write("not-a-dir", "")
        bad = os.path.join(regular_file, "sub")
        for quiet in ([], ["--quiet"]):
            with self.subTest(quiet=quiet):
                py, hd = self.both([DIVIDE, "5", "0"],
                                   pyhd_options=[*quiet, "--dump-dir=" + bad])
                self.assertEqual(hd.returncode, py.returncode)
                self.assertEqual(hd.stdout, py.stdout)
                head, last = split_last_line(hd.stderr)
                self.assertEqual(head, py.stderr)
                self.assertRegex(last, NO_DUMP_LINE)
                self.assertEqual(self.dumps(), [])

    def test_bad_options_exit_2(self):
        cases = [["--bogus"], ["--max-size=12Q"], ["--max-items"], ["--quiet=1"],
                 ["--dump-name=a/b"]]
        for options in cases:
            with self.subTest(options=options):
                hd = self.run_cmd([RUN, *options, "-c", "print('ran')"])
                self.assertEqual(hd.returncode, 2)
                self.assertEqual(hd.stdout, b"")
                self.assertRegex(hd.stderr, rb"\Apyhd-run: [^\n]+\n\Z")
        hd = self.run_cmd([RUN, "-c", "print('ran')"], clean_env(PYHD_MAX_STRING="x"))
        self.assertEqual(hd.returncode, 2)
        self.assertRegex(hd.stderr, rb"\Apyhd-run: PYHD_MAX_STRING: [^\n]+\n\Z")

    def test_options_after_the_program_are_the_programs(self):
        code = "import sys; print(sys.argv)"
        py, hd = self.both(["-c", code, "--no-dump", "--bogus"])
        self.assert_same(py, hd)

    def test_double_dash(self):
        py, hd = self.both(["-c", "print('x')"], pyhd_options=["--quiet", "--"])
        self.assert_same(py, hd)

    def test_help_and_version(self):
        hd = self.run_cmd([RUN, "--help"])
        self.assertEqual(hd.returncode, 0)
        self.assertTrue(hd.stdout.startswith(b"usage: pyhd-run "))
        self.assertEqual(hd.stderr, b"")
        hd = self.run_cmd([RUN, "--version"])
        self.assertEqual(hd.returncode, 0)
        self.assertRegex(hd.stdout, rb"\Apyhd-run \d+\.\d+\.\d+ \(Python %d\.%d\.\d+\)\n\Z"
                         % sys.version_info[:2])

    def test_limits_are_accepted(self):
        py, hd = self.both([DIVIDE, "5", "0"],
                           pyhd_options=["--max-size=1M", "--max-string", "10",
                                         "--max-items=3", "--repr-all"])
        self.assert_dumped(py, hd)


if __name__ == "__main__":
    unittest.main()
