"""pyhd-debug sessions have no dead ends: commands that would run the program
keep the session, and the session starts where the program's own code failed.

The crash programs run under $PYHD_RUN; pyhd-debug ($PYHD_DEBUG) then gets
pdb commands on a pipe.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import e2e_util
from test_debug import CRASH_LOCALS, STACK_ENTRY, Crash, debug

FORWARD = re.compile(r"^\*\*\* (\w+): a dump cannot run forward: [^\n]*\n\Z")


def setUpModule():
    global WORKDIR, LOCALS
    WORKDIR = tempfile.mkdtemp(prefix="pyhd-test-session-")
    LOCALS = Crash(WORKDIR, CRASH_LOCALS, "10")


def tearDownModule():
    shutil.rmtree(WORKDIR, True)


def write_program(name, text):
    return e2e_util.write_program(os.path.join(WORKDIR, name), text)


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


ENV_PROGRAM = """\
import os

def setting(name):
    return os.environ[name]

def main():
    return setting("PYHD_TEST_NOT_SET")

main()
"""

GROUP_PROGRAM = """\
import asyncio

async def fetch(n):
    await asyncio.sleep(0)
    if n == 2:
        raise ValueError(f"bad page {n}")

async def main():
    async with asyncio.TaskGroup() as tg:
        for n in range(3):
            tg.create_task(fetch(n))

asyncio.run(main())
"""

WORDS = ("the quarterly summary for region north-east could not be totalled because "
         "row five has no amount and row nine repeats an invoice number")
LONG_PROGRAM = f"""\
def check():
    raise ValueError({WORDS!r})

check()
"""


FLASK_PROGRAM = """\
from flask import abort


def find_order(number):
    orders = {1: "pen"}
    if number not in orders:
        abort(404, f"no order {number}")
    return orders[number]


find_order(7)
"""


class StartingFrame(SessionTestCase):
    def test_the_programs_own_innermost_frame(self):
        path = write_program("env_crash.py", ENV_PROGRAM)
        crash = Crash(WORKDIR, path)
        out = self.run_session(crash.dump, ["where"])
        note = re.search(r"(?m)^note: starting in the program's own innermost frame; "
                         r"the exception went 1 frame further in, to (.*):\d+ in "
                         r"__getitem__ .*--frame innermost.*$", out)
        self.assertIsNotNone(note, out)
        self.assertRegex(note.group(1), r"^<frozen os>$|/os\.py$")
        self.assertIn(f"\n> {path}(4)setting()\n-> return os.environ[name]\n(Pdb) ", out)
        where = out.split("(Pdb) ")[1]
        self.assertEqual(re.findall(r"(?m)^[> ] .+\(\d+\)(\S+)\(\)$", where),
                         ["<module>", "main", "setting", "__getitem__"])
        self.assertIn(f"> {path}(4)setting()", where)
        # --frame innermost keeps the innermost frame, without a note.
        out = self.run_session(crash.dump, [], "--frame", "innermost")
        self.assertNotIn("note: starting", out)
        self.assertRegex(out, r"\n> (<frozen os>|\S+/os\.py)\(\d+\)__getitem__\(\)\n")

    def test_an_installed_package_is_not_the_programs_code(self):
        python = os.environ["PYHD_PYTHON"]
        if subprocess.run([python, "-c", "import flask"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode:
            print(f"skipped: flask is not installed for {python} (Debian: python3-flask)",
                  file=sys.stderr)
            self.skipTest("no flask")
        crash = Crash(WORKDIR, write_program("abort_crash.py", FLASK_PROGRAM))
        out = self.run_session(crash.dump, ["where"])
        self.assertRegex(out, r"note: starting in the program's own innermost frame; the "
                              r"exception went 3 frames further in, to \S+/werkzeug/"
                              r"exceptions\.py:\d+ in __call__ ")
        self.assertIn("abort_crash.py(7)find_order()\n-> abort(404, f\"no order {number}\")\n"
                      "(Pdb) ", out)

    def test_the_leaf_of_an_exception_group(self):
        if sys.version_info < (3, 11):
            print("skipped: asyncio.TaskGroup and ExceptionGroup are new in 3.11",
                  file=sys.stderr)
            self.skipTest("no asyncio.TaskGroup before 3.11")
        path = write_program("group_crash.py", GROUP_PROGRAM)
        crash = Crash(WORKDIR, path)
        replies = self.replies(crash.dump, ["exceptions", "p n"])
        out = self.run_session(crash.dump, [])
        self.assertIn("note: an exception group was raised; starting at its first leaf, "
                      "exception 1 (ValueError;", out)
        self.assertTrue(out.endswith(f"> {path}(6)fetch()\n"
                                     "-> raise ValueError(f\"bad page {n}\")\n(Pdb) \n"), out)
        self.assertRegex(replies[0], r"(?m)^>   1 ValueError\('bad page 2'\)$")
        self.assertRegex(replies[0], r"(?m)^    0 ExceptionGroup\(")
        self.assertEqual(replies[1], "2\n")
        out = self.run_session(crash.dump, [], "--frame", "innermost")
        # 3.14's TaskGroup raises the group in _aexit, called by __aexit__.
        self.assertRegex(out, r"\n> \S+/asyncio/taskgroups\.py\(\d+\)_?_aexit(__)?\(\)\n")

    def test_exceptions_cuts_long_reprs_at_a_word(self):
        path = write_program("long_crash.py", LONG_PROGRAM)
        crash = Crash(WORKDIR, path)
        listing, = self.replies(crash.dump, ["exceptions"])
        line = listing.splitlines()[0]
        self.assertTrue(line.startswith(">   0 ValueError('the quarterly"), line)
        self.assertTrue(line.endswith("..."), line)
        shown = line[len(">   0 ValueError('"):-len("...")]
        self.assertTrue(WORDS.startswith(shown), shown)
        self.assertEqual(WORDS[len(shown)], " ", shown)
        self.assertLessEqual(len(line), 6 + 80)


ROWS_PROGRAM = """\
import sys

LIMIT = 3
numbers = list(range(20))


def amount_with_tax(row, rate):
    zebra = len(row)
    apple = rate * 2
    return row["amount"] * (1 + rate)


def report(rows):
    totals = {}
    for row in rows:
        totals[row["id"]] = amount_with_tax(row, 0.2)
    return totals


rows = [{"id": 1, "region": "north", "units": 4, "price": 2.5, "amount": None,
         "note": "x", "tax": 0.2, "currency": "EUR", "seller": "ann", "day": 3}]
report(rows)
"""


class Locals(SessionTestCase):
    def test_locals_in_the_programs_order_and_cut_with_a_count(self):
        path = write_program("rows_crash.py", ROWS_PROGRAM)
        crash = Crash(WORKDIR, path)
        proc = debug("--locals", crash.dump)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        row = ("{'id': 1, 'region': 'north', 'units': 4, 'price': 2.5, 'amount': None, "
               "'note': 'x', 'tax': 0.2, 'currency': 'EUR', ..., 2 more}")
        frames = re.split(r"(?m)^  File ", proc.stdout)[1:]
        self.assertEqual(len(frames), 3, proc.stdout)
        local_lines = [re.findall(r"(?m)^    (\w+) = (.*)$", frame) for frame in frames]
        module, report, inner = [[name for name, _ in lines] for lines in local_lines]
        # The module's names as it defined them, without its dunders.
        self.assertEqual(module, ["sys", "LIMIT", "numbers", "amount_with_tax", "report",
                                  "rows"])
        self.assertEqual(report, ["rows", "totals", "row"])
        # Parameters first, then the other locals as the function made them.
        self.assertEqual(inner, ["row", "rate", "zebra", "apple"])
        values = dict(local_lines[2])
        self.assertEqual(values["row"], row)
        self.assertEqual(dict(local_lines[0])["numbers"],
                         "[0, 1, 2, 3, 4, 5, 6, 7, ..., 12 more]")
        self.assertEqual(dict(local_lines[0])["rows"], f"[{row}]")
        self.assertTrue(proc.stdout.endswith(
            "TypeError: unsupported operand type(s) for *: 'NoneType' and 'float'\n"))


if __name__ == "__main__":
    unittest.main()
