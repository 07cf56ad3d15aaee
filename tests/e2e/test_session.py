"""pyhd-debug sessions have no dead ends: commands that would run the program
keep the session, and the session starts where the program's own code failed.

The crash programs run under $PYHD_RUN; pyhd-debug ($PYHD_DEBUG) then gets
pdb commands on a pipe.
"""

import os
import re
import shutil
import sys
import tempfile
import textwrap
import unittest

from test_debug import CRASH_LOCALS, STACK_ENTRY, Crash, debug

FORWARD = re.compile(r"^\*\*\* (\w+): a dump cannot run forward: [^\n]*\n\Z")


def setUpModule():
    global WORKDIR, LOCALS
    WORKDIR = tempfile.mkdtemp(prefix="pyhd-test-session-")
    LOCALS = Crash(WORKDIR, CRASH_LOCALS, "10")


def tearDownModule():
    shutil.rmtree(WORKDIR, True)


def write_program(name, text):
    path = os.path.join(WORKDIR, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(textwrap.dedent(text))
    return path


class SessionTestCase(unittest.TestCase):
    maxDiff = None

    def run_session(self, dump, commands, *options):
        proc = debug(dump, *options, commands="".join(c + "\n" for c in commands))
        self.assertEqual(proc.stderr, "")
        self.assertEqual(proc.returncode, 0)
        return proc.stdout

    def replies(self, dump, commands, *options):
        """What each command printed, in order (the text between prompts)."""
        out = self.run_session(dump, commands, *options)
        parts = out.split("(Pdb) ")
        self.assertEqual(len(parts), len(commands) + 2, out)
        return parts[1:-1]


class RunningCommands(SessionTestCase):
    def test_commands_that_run_keep_the_session(self):
        commands = ["n", "next", "s", "step", "c", "cont", "continue", "unt", "until 40",
                    "r", "return", "b 30", "break average", "tbreak 30", "j 28", "jump 28"]
        replies = self.replies(LOCALS.dump, commands + ["p count", "where"])
        names = [FORWARD.match(reply) for reply in replies[:len(commands)]]
        self.assertTrue(all(names), replies)
        self.assertEqual([m.group(1) for m in names], [
            "next", "next", "step", "step", "continue", "continue", "continue", "until",
            "until", "return", "return", "break", "break", "tbreak", "jump", "jump"])
        # The session is still at the frame that raised.
        self.assertEqual(replies[-2], "0\n")
        self.assertIn(f"> {CRASH_LOCALS}(29)average()\n", replies[-1])

    def test_help_says_why(self):
        reply, = self.replies(LOCALS.dump, ["help next"])
        self.assertIn("cannot run forward", reply)

    def test_debug_whose_call_fails_returns_to_the_dump(self):
        out = self.run_session(LOCALS.dump, [
            'debug average([1], "x")', "c", "where", "p count", "q"])
        self.assertIn("LEAVING RECURSIVE DEBUGGER\n", out)
        after = out[out.index("LEAVING RECURSIVE DEBUGGER\n"):].replace("(Pdb) ", "(Pdb) \n")
        frames = STACK_ENTRY.findall(after)
        self.assertEqual([(f, name) for f, _, name in frames], [
            (CRASH_LOCALS, "<module>"), (CRASH_LOCALS, "main"),
            (CRASH_LOCALS, "process"), (CRASH_LOCALS, "average")])
        self.assertNotIn("cmd.py", after)
        self.assertIn("(Pdb) \n0\n", after)
        self.assertNotIn("BdbQuit", out)


if __name__ == "__main__":
    unittest.main()
