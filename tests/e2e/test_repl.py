"""test_repl.py: an error typed at the interactive prompt dumps, at the new REPL (3.13+) as at the basic one."""
import os
import pty
import re
import select
import shutil
import subprocess
import tempfile
import time
import unittest

from e2e_util import clean_env

RUN = os.environ["PYHD_RUN"]
DEBUG = os.environ["PYHD_DEBUG"]

# The REPL colours its output; the line pyhd prints has none.
DUMP_LINE = re.compile(rb"pyhd: dump written to (/\S+\.dump) \(")


class Terminal:
    """pyhd-run with no script, on a pseudo-terminal, as a user types at it."""

    def __init__(self, cwd, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.chdir(cwd)
                os.execve(RUN, [RUN], env)
            finally:
                os._exit(127)
        self.out = b""

    def read_until(self, pattern, timeout=20):
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.out) and time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                self.out += data
        return re.search(pattern, self.out)

    def type(self, line):
        os.write(self.fd, line.encode() + b"\r")

    def close(self):
        self.type("exit()")
        # Read to the end (EIO once the child has gone): closing first would
        # hang up on it.
        self.read_until(rb"(?!)", timeout=20)
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


class Prompt(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-repl-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def check_error_at_prompt(self, **env):
        term = Terminal(self.dir, clean_env(TERM="xterm", **env))
        self.assertTrue(term.read_until(rb">>> "), term.out)
        term.type("x = 41")
        term.type("1/0")
        self.assertTrue(term.read_until(rb"ZeroDivisionError.*\n(?:.*\n)*.*>>> "), term.out)
        # A second error writes no second dump, as for any uncaught exception.
        term.type("undefined_name")
        self.assertTrue(term.read_until(rb"NameError.*\n(?:.*\n)*.*>>> "), term.out)
        self.assertEqual(term.close(), 0, term.out)
        # The basic REPL's line comes at exit, as after a script's traceback.
        match = DUMP_LINE.search(term.out)
        self.assertIsNotNone(match, term.out)
        self.assertEqual(len(DUMP_LINE.findall(term.out)), 1, term.out)
        path = os.fsdecode(match.group(1))
        shown = subprocess.run([DEBUG, "--print", path], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=clean_env(TERM="xterm"),
                               encoding="utf-8")
        self.assertEqual((shown.returncode, shown.stderr), (0, ""))
        self.assertRegex(shown.stdout, r'\ATraceback \(most recent call last\):\n'
                         r'  File "<(stdin|python-input-1)>", line 1, in <module>\n')
        self.assertTrue(shown.stdout.endswith("ZeroDivisionError: division by zero\n"),
                        shown.stdout)
        value = subprocess.run([DEBUG, "-c", "p x", path], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=clean_env(TERM="xterm"), encoding="utf-8")
        self.assertIn("\n41\n", value.stdout)

    def test_prompt(self):
        # 3.13+: the new REPL, which prints errors itself; before, the basic one.
        self.check_error_at_prompt()

    def test_basic_prompt(self):
        self.check_error_at_prompt(PYTHON_BASIC_REPL="1")


if __name__ == "__main__":
    unittest.main()
