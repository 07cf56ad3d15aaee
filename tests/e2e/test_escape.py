"""Text from a dump reaches a terminal with its control characters escaped.

A program puts OSC 52 (clipboard write), screen-clear and title-change
sequences into its file name, argv, exception message, thread name and
locals; every report and debugger command that shows them must print them
escaped (as repr does: \\x1b), and --print into a pipe stays byte-exact.
"""

import os
import shutil
import subprocess
import tarfile
import tempfile
import unittest

from e2e_util import read_pty
from test_debug import DEBUG, Crash, debug

OSC52 = "\x1b]52;c;cHduZWQ=\x07"
CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;owned\x07"
CONTROL = [chr(c) for c in range(0x20) if chr(c) not in "\n\t"] + ["\x7f", "\x9b"]

PROGRAM = f'''\
import sys
import threading

ready = threading.Event()
stop = threading.Event()

def idle():
    ready.set()
    stop.wait()

def fail(note):
    message = {OSC52!r} + note + "\\x9b31m"
    raise ValueError(message)

worker = threading.Thread(target=idle, name={CLEAR!r} + "worker", daemon=True)
worker.start()
ready.wait()
fail(sys.argv[1])
'''


def setUpModule():
    global WORKDIR, CRASH, SCRIPT
    WORKDIR = tempfile.mkdtemp(prefix="pyhd-test-escape-")
    SCRIPT = os.path.join(WORKDIR, "evil" + TITLE + ".py")
    with open(SCRIPT, "w", encoding="utf-8") as f:
        f.write(PROGRAM)
    CRASH = Crash(WORKDIR, SCRIPT, "arg" + CLEAR)


def tearDownModule():
    shutil.rmtree(WORKDIR, True)


def on_terminal(*args, commands=None):
    """pyhd-debug's output with a terminal as its standard output."""
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen([DEBUG, *args], stdin=subprocess.PIPE if commands else
                                subprocess.DEVNULL, stdout=slave, stderr=slave)
        os.close(slave)
        slave = None
        if commands:
            proc.stdin.write(commands.encode())
            proc.stdin.close()
        out = read_pty(master)
        proc.wait(timeout=60)
        return proc.returncode, out.decode("utf-8", "replace")
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)


class Escaping(unittest.TestCase):
    maxDiff = None

    def assertSafe(self, text, *expected):
        """No control character but newline, tab (and a terminal's CR) in text."""
        bad = sorted({repr(c) for c in text if c in CONTROL and c != "\r"})
        self.assertEqual(bad, [], text)
        for piece in expected:
            self.assertIn(piece, text)

    def test_session_header_where_threads_exceptions(self):
        proc = debug(CRASH.dump, commands="where\nthreads\nexceptions\nexception\n"
                     "p message\npp message\np type(message)\n"
                     "!print(message)\n")
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertSafe(proc.stdout,
                        r"evil\x1b]0;owned\x07.py",        # header, where
                        r"arg\x1b[2J\x1b[H",               # Program:
                        r"ValueError: \x1b]52;c;cHduZWQ=\x07arg",  # header, exception
                        r"\x1b[2J\x1b[Hworker",            # threads
                        r"'\x1b]52;c;cHduZWQ=\x07arg")     # p (repr)
        self.assertIn(r"\x9b31m", proc.stdout)
        # print() in the session writes escaped text too (no quotes: not a repr).
        self.assertIn("(Pdb) " + r"\x1b]52;c;cHduZWQ=\x07arg", proc.stdout)

    def test_reports(self):
        for option, expected in [
                ("--info", r"Exception-Message: \x1b]52;c;cHduZWQ=\x07arg"),
                ("--threads", r"\x1b[2J\x1b[Hworker"),
                ("--locals", r"message = '\x1b]52;c;cHduZWQ=\x07arg"),
                ("--print", r"ValueError: \x1b]52;c;cHduZWQ=\x07arg")]:
            with self.subTest(option=option):
                status, out = on_terminal(option, CRASH.dump)
                self.assertEqual(status, 0, out)
                self.assertSafe(out, expected, r"\x1b")

    def test_print_into_a_pipe_is_byte_exact(self):
        proc = subprocess.run([DEBUG, "--print", CRASH.dump], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        with tarfile.open(CRASH.dump) as archive:
            member = archive.extractfile("traceback.txt").read()
        self.assertEqual(proc.stdout, member)
        self.assertTrue(proc.stdout.startswith(CRASH.original.encode()))
        self.assertIn(OSC52.encode(), proc.stdout)

    def test_list_of_another_dump(self):
        for options in (["--list", WORKDIR], ["--list", WORKDIR, "--group"]):
            proc = debug(*options)
            self.assertEqual((proc.returncode, proc.stderr), (0, ""))
            self.assertSafe(proc.stdout, r"\x1b]52;c;cHduZWQ=\x07")

    def test_error_message_naming_a_file(self):
        bad = os.path.join(WORKDIR, "bad" + OSC52 + ".dump")
        with open(bad, "wb") as f:
            f.write(b"not a dump\n" * 100)
        proc = debug(bad)
        self.assertEqual(proc.returncode, 2)
        self.assertSafe(proc.stderr, r"bad\x1b]52;c;cHduZWQ=\x07.dump")


if __name__ == "__main__":
    unittest.main()
