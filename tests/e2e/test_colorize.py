"""test_colorize.py: on a terminal, pyhd-debug's pdb colours source as python's pdb does (3.14+)."""
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from e2e_util import clean_env

RUN = os.environ["PYHD_RUN"]
DEBUG = os.environ["PYHD_DEBUG"]
SOURCE_DIR = os.path.abspath(os.environ["PYHD_SOURCE_DIR"])
CRASH_LOCALS = os.path.join(SOURCE_DIR, "examples", "crash_locals.py")
DUMP_LINE = re.compile(r"pyhd: dump written to (/\S+\.dump) ")
# An SGR sequence around the "return" keyword of the crashing line.
COLOURED_KEYWORD = re.compile(rb"\x1b\[[0-9;]*mreturn\x1b\[0?m")


def on_terminal(argv, env, typed):
    """Run argv on a pseudo-terminal, type the lines, return all it wrote."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    out = b""
    for line in typed:
        os.write(fd, line.encode() + b"\r")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            out += data
    os.waitpid(pid, 0)
    os.close(fd)
    return out


class Colours(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pyhd-test-colorize-")
        proc = subprocess.run([RUN, "--dump-dir", cls.dir, CRASH_LOCALS, "10"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=clean_env(TERM="xterm"), encoding="utf-8")
        [cls.dump] = DUMP_LINE.findall(proc.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, True)

    def test_source_is_coloured_on_a_terminal(self):
        out = on_terminal([DEBUG, self.dump], clean_env(TERM="xterm"), ["ll", "q"])
        self.assertIn(b"-> return total / count", re.sub(rb"\x1b\[[0-9;]*m", b"", out))
        if sys.version_info >= (3, 14):
            self.assertRegex(out, COLOURED_KEYWORD)
        else:
            self.assertNotRegex(out, COLOURED_KEYWORD)

    def test_no_colour_when_asked(self):
        out = on_terminal([DEBUG, self.dump], clean_env(TERM="xterm", NO_COLOR="1"), ["ll", "q"])
        self.assertIn(b"-> return total / count", out)
        self.assertNotRegex(out, COLOURED_KEYWORD)


if __name__ == "__main__":
    unittest.main()
