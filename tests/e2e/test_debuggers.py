"""--debugger ipdb and pudb: found without --trust or PYTHONPATH, with the dump's
commands (ipdb) and its threads reachable (pudb, through a terminal in tmux).

ipdb and pudb are those of the Python pyhd-debug was built for (Debian's
python3-ipdb and python3-pudb for /usr/bin/python3); each test says so and
skips where they are missing. A fake ipdb in a virtual environment checks
that the active venv is searched too.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

from e2e_util import clean_env
from test_debug import CRASH_LOCALS, DEBUG, Crash, debug
from test_session import ENV_PROGRAM

PYTHON = os.environ["PYHD_PYTHON"]
SGR = re.compile(r"\x1b\[[0-9;]*m")
# What this Python says for float / 0 ("float division by zero" before 3.14).
try:
    1.0 / 0
except ZeroDivisionError as _e:
    FLOAT_DIVISION = str(_e)


def setUpModule():
    global WORKDIR, LOCALS
    WORKDIR = tempfile.mkdtemp(prefix="pyhd-test-debuggers-")
    LOCALS = Crash(WORKDIR, CRASH_LOCALS, "10")


def tearDownModule():
    shutil.rmtree(WORKDIR, True)


def installed(module):
    """Whether module imports in the Python pyhd-debug was built for."""
    return subprocess.run([PYTHON, "-c", f"import {module}"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def skip_unless_installed(test, module):
    if not installed(module):
        print(f"skipped: {module} is not installed for {PYTHON} "
              f"(Debian: python3-{module})", file=sys.stderr)
        test.skipTest(f"{module} is not installed for {PYTHON}")


class Ipdb(unittest.TestCase):
    maxDiff = None

    def test_the_dumps_commands_in_ipdb(self):
        skip_unless_installed(self, "ipdb")
        proc = debug("--debugger", "ipdb", LOCALS.dump, commands=(
            "threads\nthread 2\nexceptions\nexception 0\ndumpinfo\nn\nc\nhelp threads\n"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertNotIn("Traceback", proc.stderr)
        out = SGR.sub("", proc.stdout)
        replies = out.split("ipdb> ")[1:]
        self.assertEqual(len(replies), 9, out)
        self.assertRegex(replies[0], r"(?m)^> Thread 1: MainThread \(ident \d+.*failed")
        self.assertRegex(replies[0], r"(?m)^  Thread 2: worker \(ident \d+")
        self.assertRegex(replies[1], r"^> \S+/threading\.py\(\d+\)wait\(\)\n")
        self.assertRegex(replies[2], r"(?m)^>   0 ZeroDivisionError\('%s'\)$"
                         % re.escape(FLOAT_DIVISION))
        self.assertIn("crash_locals.py(29)average()", replies[3])
        self.assertIn("Format-Version: 4\n", replies[4])
        self.assertRegex(replies[5], r"^\*\*\* next: a dump cannot run forward")
        self.assertRegex(replies[6], r"^\*\*\* continue: a dump cannot run forward")
        self.assertIn("List every thread in the dump", replies[7])

    def test_ipdb_starts_in_the_programs_own_frame(self):
        skip_unless_installed(self, "ipdb")
        path = os.path.join(WORKDIR, "env_crash.py")
        with open(path, "w") as f:
            f.write(ENV_PROGRAM)
        crash = Crash(WORKDIR, path)
        proc = debug("--debugger", "ipdb", crash.dump, commands="p name\n")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        out = SGR.sub("", proc.stdout)
        self.assertIn("note: starting in the program's own innermost frame", out)
        self.assertIn(f"> {path}(4)setting()\n", out)
        self.assertIn("ipdb> 'PYHD_TEST_NOT_SET'\n", out)

    def test_an_ipdb_in_the_active_virtual_environment(self):
        venv = os.path.join(WORKDIR, "venv")
        subprocess.run([PYTHON, "-m", "venv", "--without-pip", venv], check=True)
        # The venv's python says where its packages go: lib/python3.14t on a
        # free-threaded build.
        site_packages = subprocess.run(
            [os.path.join(venv, "bin", "python"), "-c",
             "import sysconfig; print(sysconfig.get_path('purelib'))"],
            stdout=subprocess.PIPE, text=True, check=True, env=clean_env()).stdout.strip()
        package = os.path.join(site_packages, "ipdb")
        os.makedirs(package)
        # A stand-in ipdb with ipdb's entry point: its debugger class is pdb's.
        with open(os.path.join(package, "__init__.py"), "w") as f:
            f.write("")
        with open(os.path.join(package, "__main__.py"), "w") as f:
            f.write(textwrap.dedent("""\
                import pdb

                class VenvPdb(pdb.Pdb):
                    def __init__(self, context=3):
                        super().__init__()
                        self.prompt = "(venv ipdb) "

                def _get_debugger_cls():
                    return VenvPdb
                """))
        proc = debug("--debugger", "ipdb", LOCALS.dump, commands="threads\np count\n",
                     env=dict(clean_env(), VIRTUAL_ENV=venv))
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        replies = proc.stdout.split("(venv ipdb) ")[1:]
        self.assertEqual(len(replies), 3, proc.stdout)
        self.assertIn("Thread 2: worker", replies[0])
        self.assertEqual(replies[1], "0\n")

    def test_missing_debugger_says_where_and_how(self):
        venv = os.path.join(WORKDIR, "empty-venv")
        subprocess.run([PYTHON, "-m", "venv", "--without-pip", venv], check=True)
        for name in ("ipdb", "pudb"):
            if installed(name):
                print(f"skipped: {name} is installed for {PYTHON}; no error to see",
                      file=sys.stderr)
                continue
            proc = debug("--debugger", name, LOCALS.dump,
                         env=dict(clean_env(), VIRTUAL_ENV=venv))
            self.assertEqual((proc.returncode, proc.stdout), (2, ""))
            self.assertRegex(proc.stderr, rf"^pyhd-debug: debugger {name} is not installed "
                                          rf"for \S+ \(looked in [^)]*site-packages[^)]*\); "
                                          rf"install it with \S+ -m pip install {name}.*\n\Z")
            self.assertIn(venv, proc.stderr)


class Pudb(unittest.TestCase):
    def setUp(self):
        skip_unless_installed(self, "pudb")
        if shutil.which("tmux") is None:
            print("skipped: tmux is not installed", file=sys.stderr)
            self.skipTest("no tmux")
        self.session = f"pyhd-test-{os.getpid()}"
        self.config = os.path.join(WORKDIR, "xdg")
        os.makedirs(os.path.join(self.config, "pudb"), exist_ok=True)
        # A user who has seen pudb's welcome dialog ("z" sorts after every
        # welcome level).
        with open(os.path.join(self.config, "pudb", "pudb.cfg"), "w") as f:
            f.write("[pudb]\nseen_welcome = z\n")
        self.addCleanup(subprocess.run, ["tmux", "kill-session", "-t", self.session],
                        stderr=subprocess.DEVNULL)

    def screen(self, *args, wait_for):
        """pyhd-debug --debugger pudb ARGS in a 160x45 tmux terminal: the
        screen once it shows wait_for."""
        env = " ".join(f"{k}={v}" for k, v in {"XDG_CONFIG_HOME": self.config,
                                                "TERM": "xterm"}.items())
        command = f"env {env} {DEBUG} --debugger pudb {' '.join(args)}; sleep 60"
        subprocess.run(["tmux", "new-session", "-d", "-s", self.session, "-x", "160",
                        "-y", "45", command], check=True)
        screen = ""
        for _ in range(150):
            time.sleep(0.2)
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.session],
                                    stdout=subprocess.PIPE, text=True).stdout
            if wait_for in screen and "Stack:" in screen:
                return screen
        self.fail(f"pudb never showed {wait_for!r}:\n{screen}")

    def test_the_failed_thread(self):
        screen = self.screen(LOCALS.dump, wait_for="average")
        self.assertIn("return total / count", screen)

    def test_another_thread(self):
        screen = self.screen("--thread", "2", LOCALS.dump, wait_for="worker_loop")
        self.assertIn("waiter.acquire()", screen)


if __name__ == "__main__":
    unittest.main()
