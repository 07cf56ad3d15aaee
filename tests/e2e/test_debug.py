"""pyhd-debug on real dumps: crash examples under pyhd-run, then drive pdb and the reports.

Each example in examples/crash_*.py is run once under $PYHD_RUN (its dump and
stderr kept for the whole module); pyhd-debug ($PYHD_DEBUG) then gets pdb
commands on a pipe. $PYHD_DEBUG_OTHERS (space-separated pyhd-debug builds for
other Python versions) opens the same dumps with those builds.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

from e2e_util import clean_env

RUN = os.environ["PYHD_RUN"]
DEBUG = os.environ["PYHD_DEBUG"]
SOURCE_DIR = os.path.abspath(os.environ["PYHD_SOURCE_DIR"])
EXAMPLES = os.path.join(SOURCE_DIR, "examples")
CRASH_LOCALS = os.path.join(EXAMPLES, "crash_locals.py")
CRASH_CHAIN = os.path.join(EXAMPLES, "crash_chain.py")
OTHERS = os.environ.get("PYHD_DEBUG_OTHERS", "").split()

# What this Python says for float / 0 ("float division by zero" before 3.14).
try:
    1.0 / 0
except ZeroDivisionError as _e:
    FLOAT_DIVISION = str(_e)

DUMP_LINE = re.compile(r"pyhd: dump written to (/\S+\.dump) ")
ERROR_LINE = re.compile(r"pyhd-debug: [^\n]+\n\Z")
STACK_ENTRY = re.compile(r"^[> ] (\S+)\((\d+)\)(\S+)\(\)$", re.M)


class Crash:
    """One run of a program under pyhd-run: its stderr and its dump."""

    def __init__(self, directory, script, *args):
        proc = subprocess.run([RUN, "--dump-dir", directory, script, *args],
                              cwd=directory, env=clean_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=300)
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        match = DUMP_LINE.search(proc.stderr)
        if match is None:
            raise AssertionError(f"{script}: no dump written:\n{proc.stderr}")
        self.dump = match.group(1)
        # What python printed: everything before pyhd's own last line.
        self.original = proc.stderr[:proc.stderr.rindex("pyhd: ")]


def debug(*args, commands="", program=DEBUG, cwd=None, env=None):
    """Run pyhd-debug with commands piped to its standard input."""
    return subprocess.run([program, *args], input=commands, env=env or clean_env(),
                          cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=300)


def setUpModule():
    global WORKDIR, LOCALS, CHAIN
    WORKDIR = tempfile.mkdtemp(prefix="pyhd-test-debug-")
    LOCALS = Crash(WORKDIR, CRASH_LOCALS, "10")
    CHAIN = Crash(WORKDIR, CRASH_CHAIN)


def tearDownModule():
    shutil.rmtree(WORKDIR, True)


class DebugTestCase(unittest.TestCase):
    maxDiff = None

    def session(self, crash, commands, program=DEBUG):
        proc = debug(crash.dump, commands=commands, program=program)
        self.assertEqual(proc.stderr, "")
        self.assertEqual(proc.returncode, 0)
        return proc.stdout

    def replies(self, crash, commands, program=DEBUG):
        """What each command printed, in order (the text between prompts)."""
        out = self.session(crash, "".join(c + "\n" for c in commands), program)
        parts = out.split("(Pdb) ")
        self.assertEqual(len(parts), len(commands) + 2, out)
        return parts[1:-1]


class Session(DebugTestCase):
    def test_start_quotes_the_arguments_as_shlex_does(self):
        # The header quotes Argv itself (shlex is not imported at start): the
        # same text as shlex.join, for words a shell would split or expand.
        args = ["10", "two words", "it's", "", "$HOME", "na\u00efve", "a=b,c:d/e.f-g@h%i+j"]
        crash = Crash(WORKDIR, CRASH_LOCALS, *args)
        out = self.session(crash, "")
        self.assertIn("Program:   %s\n" % shlex.join([CRASH_LOCALS, *args]), out)

    def test_start_imports_only_what_the_dump_needs(self):
        """A start pays for no module the dump does not need: C objects
        (pyhd_cobjects), the program's reprs (pyhd_reprexpr), the standard
        library's (pyhd_stdlib_reprs) and json are imported when a value asks."""
        program = os.path.join(WORKDIR, "start_imports.py")
        with open(program, "w") as f:
            f.write("class Account:\n"
                    "    def __init__(self, owner):\n"
                    "        self.owner = owner\n"
                    "    def __repr__(self):\n"
                    "        return f'Account({self.owner!r})'\n"
                    "def fail(n, words):\n"
                    "    account = Account('ada')\n"
                    "    raise ValueError(n)\n"
                    "fail(3, ['a', 'b'])\n")
        crash = Crash(WORKDIR, program)
        lazy = ("pyhd_cobjects", "pyhd_reprexpr", "pyhd_stdlib_reprs", "json", "_json")
        show = "!print('LOADED', [m for m in %r if m in __import__('sys').modules])\n" % (lazy,)
        # pyhd_surrogates imports pyhd_stdlib_reprs only for a function of a
        # package it knows: every package of its table.
        roots = ("!import pyhd_stdlib_reprs, pyhd_surrogates; print('UNKNOWN', sorted("
                 "{m.partition('.')[0] for m, _ in pyhd_stdlib_reprs.STDLIB_REPRS} - "
                 "pyhd_surrogates._STDLIB_REPR_ROOTS))\n")
        out = self.session(crash, show + "p n, words\n" + show + "p account\n" + show + roots)
        # What pdb itself imports is no extra cost (3.14's pdb imports json).
        with_pdb = subprocess.run(
            [os.environ["PYHD_PYTHON"], "-I", "-c",
             "import pdb, sys; print(' '.join(sys.modules))"],
            capture_output=True, text=True, check=True).stdout.split()
        before = [m for m in lazy if m in with_pdb]
        after = [m for m in lazy if m in with_pdb or m == "pyhd_reprexpr"]
        self.assertEqual(re.findall(r"LOADED (.*)", out),
                         [repr(before), repr(before), repr(after)], out)
        self.assertIn("UNKNOWN []\n", out)
        self.assertIn("(3, ['a', 'b'])\n", out)
        self.assertIn("Account('ada')\n", out)

    def test_start_runs_no_collection(self):
        # Importing the debugger and loading the dump make long-lived objects:
        # the collector is paused from the end of python's own start to the
        # session, which finds it running. python -I has run as many
        # collections by the time it runs a command (its site).
        show = ("import gc; print('GC', gc.isenabled(), "
                "[s['collections'] for s in gc.get_stats()], gc.get_freeze_count())")
        out = self.session(LOCALS, "!" + show + "\n")
        python = subprocess.run([os.environ["PYHD_PYTHON"], "-I", "-c", show],
                                capture_output=True, text=True, check=True).stdout
        ours = re.findall(r"GC (\w+) \[(.*)\] (\d+)", out)
        theirs = re.findall(r"GC (\w+) \[(.*)\] (\d+)", python)
        self.assertEqual([enabled for enabled, _, _ in ours], ["True"], out)
        counts = [int(n) for n in ours[0][1].split(",")]
        expected = [int(n) for n in theirs[0][1].split(",")]
        if int(theirs[0][2]):
            # CPython 3.12 starts with objects of its own frozen, which the
            # resumed collector must leave so: what the start made stays young,
            # and one young collection walks it.
            expected[0] += 1
        self.assertTrue(all(c <= e for c, e in zip(counts, expected)) and counts,
                        (counts, expected))

    def test_exit_runs_atexit_and_flushes_files(self):
        # Finalization leaves the session's objects to the process's exit (the
        # collector does not walk them): atexit functions still run, and a file
        # left open is still flushed when its module is cleared.
        path = os.path.join(WORKDIR, "left-open.txt")
        out = self.session(LOCALS, "!import atexit; atexit.register(print, 'BYE')\n"
                                   "!import builtins; builtins.kept = open(%r, 'w')\n"
                                   "!kept.write('unflushed')\n" % path)
        self.assertTrue(out.endswith("BYE\n"), out[-200:])
        with open(path) as f:
            self.assertEqual(f.read(), "unflushed")

    def test_locale_and_utf8_mode_are_python_Is(self):
        # The C library's LC_CTYPE comes from the environment as under python -I
        # (readline mangles every non-ASCII character typed under "C"), and
        # UTF-8 mode is on exactly where python turns it on.
        show = ("import sys, locale; print('LOCALE', locale.setlocale(locale.LC_CTYPE), "
                "sys.flags.utf8_mode, sys.stdout.encoding)")
        for lang in ("C.UTF-8", "C", "POSIX"):
            env = clean_env(LANG=lang)
            env.pop("LC_ALL", None)
            env.pop("LC_CTYPE", None)
            out = debug(LOCALS.dump, commands="!" + show + "\n", env=env).stdout
            python = subprocess.run([os.environ["PYHD_PYTHON"], "-I", "-c", show], env=env,
                                    capture_output=True, text=True, check=True).stdout
            self.assertEqual(re.findall(r"LOCALE .*", out), [python.strip()], (lang, out))

    def test_start(self):
        out = self.session(LOCALS, "")
        self.assertIn(f"Dump:      {LOCALS.dump}\n", out)
        self.assertIn(f"Program:   {CRASH_LOCALS} 10\n", out)
        self.assertIn(f"Exception: ZeroDivisionError: {FLOAT_DIVISION}\n", out)
        # The rebuilt traceback prints as the program printed it.
        self.assertIn("\n" + LOCALS.original.split("\n\n")[0], out)
        self.assertTrue(out.endswith(f"> {CRASH_LOCALS}(29)average()\n"
                                     "-> return total / count\n(Pdb) \n"), out)

    def test_header_shows_a_message_pyhd_run_left_to_the_reader(self):
        """str() of KeyError(Decimal) could run program code in pyhd-run: the header
        takes the rebuilt exception's line."""
        script = os.path.join(WORKDIR, "uncomputed.py")
        with open(script, "w") as f:
            f.write("import decimal\n"
                    "raise KeyError(('missing', decimal.Decimal('3.5')))\n")
        out = self.session(Crash(WORKDIR, script), "")
        self.assertIn("Exception: KeyError: ('missing', Decimal('3.5'))\n", out)

    def test_program_str_of_exceptions_is_what_python_printed(self):
        """A program exception's __str__ cannot run in the debugger: str() gives what
        python printed for it (traceback.txt), not BaseException's str of its args."""
        script = os.path.join(WORKDIR, "odd.py")
        with open(script, "w") as f:
            f.write("import threading, sys\n"
                    "class Odd(Exception):\n"
                    "    def __str__(self):\n"
                    "        return 'odd ' + str(self.args[0]) + '\\nsecond line'\n"
                    "class Odder(Odd):\n"
                    "    pass\n"
                    "def work():\n"
                    "    try:\n"
                    "        raise Odd(1)\n"
                    "    except Odd as e:\n"
                    "        err = Odder(2)\n"
                    "        if hasattr(err, 'add_note'):  # 3.11+\n"
                    "            err.add_note('a note')\n"
                    "        raise err from e\n"
                    "if sys.argv[1] == 'thread':\n"
                    "    t = threading.Thread(target=work, name='w')\n"
                    "    t.start(); t.join()\n"
                    "else:\n"
                    "    work()\n")
        for how in ("main", "thread"):
            crash = Crash(WORKDIR, script, how)
            note = "a note\n" if sys.version_info >= (3, 11) else ""
            self.assertIn("Odder: odd 2\nsecond line\n" + note, crash.stderr)
            out = self.replies(crash, ["p str(err)", "p str(err.__cause__)", "p str(Odd(3))"])
            self.assertEqual(out[0], "'odd 2\\nsecond line'\n", how)
            self.assertEqual(out[1], "'odd 1\\nsecond line'\n", how)
            # A new instance has no printed text: the program's __str__ does not run.
            self.assertIn("__str__", out[2])
            self.assertIn("a dump does not run program code", out[2])
            if how == "main":
                head = self.session(crash, "")
                self.assertIn("Exception: Odder: odd 2\n", head)

    def test_struct_sequences_are_real_with_their_hidden_fields(self):
        script = os.path.join(WORKDIR, "stat.py")
        with open(script, "w") as f:
            f.write("import os, time\n"
                    "info = os.stat(__file__)\n"
                    "moment = time.gmtime(86400 * 365)\n"
                    "print(info.st_mtime_ns, info.st_blksize, moment.tm_zone, moment.tm_gmtoff)\n"
                    "raise SystemError('stat')\n")
        proc = subprocess.run([RUN, "--dump-dir", WORKDIR, script], env=clean_env(),
                              capture_output=True, text=True, timeout=300)
        expected = proc.stdout.split()
        crash = Crash(WORKDIR, script)
        out = self.replies(crash, [
            "!import os, time; print(isinstance(info, os.stat_result), "
            "isinstance(moment, time.struct_time))",
            "!print(info.st_mtime_ns, info.st_blksize, moment.tm_zone, moment.tm_gmtoff)",
            "p moment[:3]"])
        self.assertEqual(out[0], "True True\n")
        self.assertEqual(out[1].split(), expected)
        self.assertEqual(out[2], "(1971, 1, 1)\n")

    def test_source_of_a_file_whose_name_is_not_utf8(self):
        """The dumped source of /dir\\xff/p\\xfe.py is found once the file is gone."""
        directory = os.path.join(os.fsencode(WORKDIR), b"dir\xff")
        os.mkdir(directory)
        script = os.path.join(directory, b"p\xfe.py")
        with open(script, "w") as f:
            f.write("def f():\n    marker = 41\n    raise ValueError(marker)\nf()\n")
        crash = Crash(WORKDIR, os.fsdecode(script))
        os.unlink(script)
        listing, = self.replies(crash, ["l"])
        self.assertIn("marker = 41", listing)

    def test_where_shows_exactly_the_dumped_frames(self):
        where, = self.replies(LOCALS, ["where"])
        self.assertEqual(STACK_ENTRY.findall(where), [
            (CRASH_LOCALS, "51", "<module>"), (CRASH_LOCALS, "47", "main"),
            (CRASH_LOCALS, "36", "process"), (CRASH_LOCALS, "29", "average")])
        self.assertIn("> " + CRASH_LOCALS + "(29)average()\n-> return total / count\n", where)

    def test_args_and_every_local(self):
        replies = self.replies(LOCALS, [
            "args", "p sorted(locals())", "p values", "p label", "p extra", "p scale",
            "p options", "p count", "p total"])
        self.assertEqual(replies, [
            "values = []\nlabel = 'selected'\nscale = 2.0\nextra = ('extra',)\n"
            "options = {'verbose': True}\n",
            "['count', 'extra', 'label', 'options', 'scale', 'total', 'values']\n",
            "[]\n", "'selected'\n", "('extra',)\n", "2.0\n", "{'verbose': True}\n",
            "0\n", "0.0\n"])

    def test_up_down_and_the_callers_locals(self):
        replies = self.replies(LOCALS, [
            "up", "p sorted(locals())", "p count", "p names", "p totals", "p selected",
            "p [(o.number, o.items) for o in orders]", "up", "p count", "p argv[1:]",
            "down", "down", "p label"])
        self.assertTrue(replies[0].startswith(f"> {CRASH_LOCALS}(36)process()\n"))
        self.assertEqual(replies[1:7], [
            "['count', 'names', 'orders', 'selected', 'totals']\n", "10\n",
            "['order-1', 'order-2']\n", "{1: 6, 2: 2.5}\n", "[]\n",
            "[(1, [('pen', 2), ('ink', 5)]), (2, [('café', 3.5)])]\n"])
        self.assertTrue(replies[7].startswith(f"> {CRASH_LOCALS}(47)main()\n"))
        self.assertEqual(replies[8:10], ["10\n", "['10']\n"])
        self.assertTrue(replies[11].startswith(f"> {CRASH_LOCALS}(29)average()\n"))
        self.assertEqual(replies[12], "'selected'\n")

    def test_ll_and_list_show_the_dumped_source(self):
        ll, listing = self.replies(LOCALS, ["ll", "list 1, 3"])
        self.assertEqual(ll, (
            " 26  \tdef average(values, label=\"batch\", *extra, scale=1.0, **options):\n"
            " 27  \t    count = len(values)\n"
            " 28  \t    total = sum(values) * scale\n"
            " 29  ->\t    return total / count\n"))
        self.assertEqual(listing, (
            "  1  \t\"\"\"A crash with locals of many kinds and a second thread "
            "(pyhd-debug's tests use it).\n  2  \t\n"
            "  3  \tUsage: crash_locals.py [COUNT]. A daemon worker thread waits on an "
            "event while\n"))

    def test_source_of_a_rebuilt_function(self):
        source, missing = self.replies(LOCALS, ["source average", "source nosuch"])
        self.assertEqual(source, (
            " 26  \tdef average(values, label=\"batch\", *extra, scale=1.0, **options):\n"
            " 27  \t    count = len(values)\n"
            " 28  \t    total = sum(values) * scale\n"
            " 29  \t    return total / count\n"))
        self.assertEqual(missing, "*** NameError: name 'nosuch' is not defined\n")

    def test_inspect_finds_the_source_of_a_program_class(self):
        # inspect looks a class's file up through sys.modules[cls.__module__]:
        # the debugger's __main__ lends it the dumped program's __file__.
        first, = self.replies(LOCALS, [
            "!import inspect; print(inspect.getsource(Order).splitlines()[:2])"])
        self.assertEqual(first, "['class Order:', '    def __init__(self, number, items):']\n")

    def test_str_of_standard_library_exceptions_that_are_copies(self):
        # HTTPError holds a response, so it is a copy whose methods do not
        # run; str() is written again over its dumped attributes.
        script = os.path.join(WORKDIR, "copies.py")
        with open(script, "w") as f:
            f.write("import argparse, urllib.error\n"
                    "errors = [urllib.error.HTTPError('http://h/', 503, 'Unavailable', None, None),\n"
                    "          urllib.error.URLError('refused'),\n"
                    "          argparse.ArgumentError(None, 'expected one argument')]\n"
                    "print([str(e) for e in errors])\n"
                    "raise RuntimeError('x')\n")
        crash = Crash(WORKDIR, script)
        texts, = self.replies(crash, ["p [str(e) for e in errors]"])
        self.assertEqual(texts, crash.stdout)

    def test_threads_and_thread(self):
        threads, switch, where, back, p = self.replies(
            LOCALS, ["threads", "thread 2", "where", "thread 1", "p count"])
        self.assertRegex(threads, r"^> Thread 1: MainThread \(ident \d+, native id \d+, "
                                  r"main, failed, current\)\n")
        self.assertRegex(threads, r"\n  Thread 2: worker \(ident \d+, native id \d+, daemon\)\n"
                                  r"      at \S+/threading\.py:\d+ in wait\n\Z")
        self.assertRegex(switch, r"^> \S+/threading\.py\(\d+\)wait\(\)\n-> waiter\.acquire\(\)\n")
        names = [name for _, _, name in STACK_ENTRY.findall(where)]
        self.assertEqual(names[-3:], ["worker_loop", "wait", "wait"])
        self.assertIn(f"  {CRASH_LOCALS}(23)worker_loop()\n-> stop.wait()\n", where)
        self.assertTrue(back.startswith(f"> {CRASH_LOCALS}(29)average()\n"))
        self.assertEqual(p, "0\n")

    def test_dumpinfo(self):
        info, = self.replies(LOCALS, ["dumpinfo"])
        self.assertTrue(info.startswith("Format-Version: 4\n"), info)
        self.assertIn("\nTrigger: ", info)
        self.assertIn('\nArgv: ["' + CRASH_LOCALS + '", "10"]\n', info)

    def test_help_documents_the_added_commands(self):
        replies = self.replies(LOCALS, ["help threads", "help thread", "help exceptions",
                                        "help exception", "help dumpinfo", "help"])
        for reply, usage in zip(replies, ["threads", "thread [N]", "exceptions [number]",
                                          "exception [number]", "dumpinfo"]):
            self.assertIn(usage, reply)
        for name in ("threads", "thread", "exceptions", "exception", "dumpinfo"):
            self.assertRegex(replies[-1], rf"\s{name}\s")

    def test_commands_option_without_terminal(self):
        proc = debug("-c", "p count", "-c", "up", "-c", "p names", LOCALS.dump)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertIn("\n0\n> " + CRASH_LOCALS + "(36)process()\n", proc.stdout)
        self.assertIn("\n['order-1', 'order-2']\n", proc.stdout)


class DeepStack(DebugTestCase):
    def test_recursion_error(self):
        crash = Crash(WORKDIR, os.path.join(EXAMPLES, "crash_recursion.py"))
        proc = debug("--print", crash.dump)
        self.assertEqual((proc.returncode, proc.stdout), (0, crash.original))
        where, depth, up, depth_up, parent = self.replies(
            crash, ["where", "p depth", "up 100", "p depth", "p child['parent']['depth']"])
        names = [name for _, _, name in STACK_ENTRY.findall(where)]
        self.assertEqual(names[0], "<module>")
        self.assertEqual(set(names[1:]), {"descend"})
        self.assertGreater(len(names), 900)
        # The innermost frame is the (len - 1)th call of descend, from depth 0.
        self.assertEqual(depth, f"{len(names) - 2}\n")
        self.assertEqual(depth_up, f"{len(names) - 102}\n")
        self.assertEqual(parent, f"{len(names) - 103}\n")


class ModuleLevel(DebugTestCase):
    def test_class_body_in_an_imported_module(self):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "shapes.py"), "w", encoding="utf-8") as f:
                f.write("SIDES = 4\nclass Square:\n    sides = SIDES\n"
                        "    angle = 360 / (sides - SIDES)\n")
            script = os.path.join(tmp, "main.py")
            with open(script, "w", encoding="utf-8") as f:
                f.write("import sys\nimport shapes\n")
            crash = Crash(tmp, script)
            out = self.session(crash, "")
            self.assertIn("\n\n" + crash.original + "\n> ", out)
            where, class_locals, up, module_names, same = self.replies(crash, [
                "where", "p sorted(k for k in locals() if not k.startswith('__'))", "up",
                "p sorted(k for k in locals() if not k.startswith('__'))",
                "p locals() is globals()"])
        self.assertEqual([name for _, _, name in STACK_ENTRY.findall(where)],
                         ["<module>", "<module>", "Square"])
        self.assertEqual(class_locals, "['sides']\n")
        self.assertTrue(up.startswith("> " + os.path.join(tmp, "shapes.py") + "(2)<module>()"))
        self.assertEqual(module_names, "['SIDES']\n")
        self.assertEqual(same, "True\n")


class HeldFrames(DebugTestCase):
    """Frames and tracebacks the program held in variables are the real ones
    pyhd-debug built for those records, as pdb, traceback and inspect expect."""

    def test_held_frames_and_tracebacks_are_real(self):
        with tempfile.TemporaryDirectory() as tmp:
            script = os.path.join(tmp, "held.py")
            with open(script, "w", encoding="utf-8") as f:
                f.write(textwrap.dedent("""\
                    import inspect, sys
                    def helper():
                        return sys._getframe()
                    def gen():
                        yield 1
                    class Report:
                        def __init__(self):
                            self.tb = None
                            self.seen = []
                            self.code = helper.__code__
                    def main():
                        here = sys._getframe()
                        report = Report()
                        caller = helper()
                        g = gen(); next(g)
                        suspended = g.gi_frame
                        stack = inspect.stack()
                        try:
                            {}["k"]
                        except KeyError as e:
                            err, tb, info = e, e.__traceback__, sys.exc_info()
                            report.tb = tb
                            report.seen.append(sys.exc_info())
                        raise RuntimeError("held")
                    try:
                        main()
                    except RuntimeError:
                        module_tb = sys.exc_info()[2]
                        raise
                    """))
            crash = Crash(tmp, script)
            types_, lines, same, alone, kept, up, module = self.replies(crash, [
                "p [type(x).__name__ for x in (here, tb, info[2], caller, suspended)]",
                "p here.f_code.co_name, here.f_lineno, tb.tb_lineno, tb.tb_frame.f_code.co_name",
                "p err.__traceback__ is tb is info[2], type(info)",
                "p caller.f_code.co_name, caller.f_back.f_code.co_name, "
                "suspended is g.gi_frame, suspended.f_lineno, suspended.f_back",
                "p report.tb is tb, report.seen[0][2] is tb, type(report.code).__name__, "
                "type(stack[0]).__name__, stack[0].frame is here, stack[0].function",
                "up", "p type(module_tb).__name__, module_tb.tb_frame.f_code.co_name"])
        self.assertEqual(types_, "['frame', 'traceback', 'traceback', 'frame', 'frame']\n")
        self.assertEqual(lines, "('main', 24, 19, 'main')\n")
        self.assertEqual(same, "(True, <class 'tuple'>)\n")
        # A finished frame keeps its f_back; a suspended generator's has none.
        self.assertEqual(alone, "('helper', 'main', True, 5, None)\n")
        # Held in an instance's attributes, and in a list there, too.
        # inspect.stack()'s FrameInfo, a named tuple, is made again around the real frame.
        self.assertEqual(kept, "(True, True, 'code', 'FrameInfo', True, 'main')\n")
        self.assertEqual(module, "('traceback', '<module>')\n")


    def test_trusted_program_objects_are_not_read_for_held_frames(self):
        # Under --trust the program's own classes are real: the search for
        # held frames does not read their instances' __dict__, which a
        # property of the program could compute.
        with tempfile.TemporaryDirectory() as tmp:
            marker = os.path.join(tmp, "ran")
            with open(os.path.join(tmp, "boxes.py"), "w", encoding="utf-8") as f:
                f.write(textwrap.dedent("""\
                    class Box:
                        @property
                        def __dict__(self):
                            open(%r, "w").close()
                            return {}
                    """ % marker))
            script = os.path.join(tmp, "main.py")
            with open(script, "w", encoding="utf-8") as f:
                f.write(textwrap.dedent("""\
                    import sys, boxes
                    def main():
                        box = boxes.Box()
                        box.tb = sys._getframe()
                        raise RuntimeError("boxed")
                    main()
                    """))
            crash = Crash(tmp, script)
            proc = debug(crash.dump, "--trust", commands="p type(box).__module__, "
                         "type(type(box).__dict__['__dict__']).__name__\n", cwd=tmp,
                         env=dict(clean_env(), PYTHONPATH=tmp))
            self.assertEqual(proc.returncode, 0, proc.stderr)
            # boxes.Box is the program's real class, its property included.
            self.assertIn("('boxes', 'property')", proc.stdout)
            self.assertFalse(os.path.exists(marker))


class PdbRc(DebugTestCase):
    def test_home_pdbrc_and_trusted_current_directory(self):
        with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as cwd:
            with open(os.path.join(home, ".pdbrc"), "w", encoding="utf-8") as f:
                f.write("p 'from home'\n")
            with open(os.path.join(cwd, ".pdbrc"), "w", encoding="utf-8") as f:
                f.write("p 'from cwd'\n")
            env = dict(clean_env(), HOME=home)
            plain = debug(LOCALS.dump, cwd=cwd, env=env)
            trusted = debug("--trust", LOCALS.dump, cwd=cwd, env=env)
        self.assertEqual((plain.returncode, plain.stderr), (0, ""))
        self.assertIn("\n'from home'\n> ", plain.stdout)
        # A .pdbrc beside a stranger's dump could run anything: only --trust
        # reads it.
        self.assertNotIn("from cwd", plain.stdout)
        self.assertEqual((trusted.returncode, trusted.stderr), (0, ""))
        self.assertIn("\n'from home'\n'from cwd'\n> ", trusted.stdout)


class Exceptions(DebugTestCase):
    def test_rebuilt_chain_prints_as_the_original(self):
        out = self.session(CHAIN, "")
        self.assertIn("\n\n" + CHAIN.original + "\n> ", out)

    def test_exceptions_lists_the_chain_and_groups(self):
        listing, = self.replies(CHAIN, ["exceptions"])
        lines = listing.splitlines()
        expected_chain = [
            "KeyError('two')",
            "ValueError(\"invalid literal for int() with base 10: 'two'\")",
            "KeyError('two')"]
        if sys.version_info >= (3, 11):
            # Cut at a word, not in the middle of a name.
            expected = ["ExceptionGroup('invalid values', [ValueError('negative: -1')..."
                        ] + expected_chain
        else:
            expected = ["ValueError('negative: -1')"] + expected_chain
        n = len(expected)
        self.assertEqual([line[6:] for line in lines[:n]], expected)
        self.assertEqual(lines[n - 1][:6], ">   " + str(n - 1) + " ")
        if sys.version_info >= (3, 11):
            self.assertEqual([line[6:] for line in lines[n:]],
                             ["ValueError('negative: -1')", "ValueError('negative: -2')"])

    def test_exception_switches_stacks(self):
        first, where, current, last = self.replies(
            CHAIN, ["exceptions 0", "where", "exception", "exception -1"])
        names = [name for _, _, name in STACK_ENTRY.findall(where)]
        if sys.version_info >= (3, 11):
            # The group, raised at line 32 of validate().
            self.assertEqual(names, ["main", "validate"])
            self.assertTrue(first.startswith(f"> {CRASH_CHAIN}(32)validate()\n"), first)
            self.assertIn("ExceptionGroup: invalid values", current)
        else:
            # ValueError('negative: -1'): raised at line 28, raised again at 34.
            self.assertEqual(names, ["main", "validate", "validate"])
            self.assertTrue(first.startswith(f"> {CRASH_CHAIN}(28)validate()\n"), first)
            self.assertIn("ValueError: negative: -1", current)
        self.assertEqual(last, "*** No exception with that number\n")


class Reports(DebugTestCase):
    def test_print_is_what_python_printed(self):
        proc = debug("--print", CHAIN.dump)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertEqual(proc.stdout, CHAIN.original)
        # With a second thread, its stack follows the program's own text.
        proc = debug("--print", LOCALS.dump)
        self.assertTrue(proc.stdout.startswith(LOCALS.original), proc.stdout)
        self.assertIn('"worker"', proc.stdout[len(LOCALS.original):])

    def test_locals(self):
        proc = debug("--locals", LOCALS.dump)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertIn("    return total / count\n", proc.stdout)
        # In the frame's own order, as f_locals lists them: parameters first.
        self.assertIn("    values = []\n    label = 'selected'\n    scale = 2.0\n"
                      "    extra = ('extra',)\n    options = {'verbose': True}\n"
                      "    count = 0\n    total = 0.0\n", proc.stdout)
        self.assertTrue(proc.stdout.endswith(f"ZeroDivisionError: {FLOAT_DIVISION}\n"))

    def test_threads(self):
        proc = debug("--threads", LOCALS.dump)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertRegex(proc.stdout, r"^Thread 1: MainThread \(")
        self.assertIn(LOCALS.original.split("\n\n")[0], proc.stdout)
        self.assertRegex(proc.stdout, r"\nThread 2: worker \(ident \d+, native id \d+, "
                                      r"daemon\)\nStack \(most recent call last\):\n")
        self.assertIn(f'  File "{CRASH_LOCALS}", line 23, in worker_loop\n    stop.wait()\n',
                      proc.stdout)

    def test_info(self):
        proc = debug("--info", LOCALS.dump)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertTrue(proc.stdout.startswith("Format-Version: 4\n"))
        self.assertRegex(proc.stdout, r"\nPid: \d+\n")


class Errors(DebugTestCase):
    def test_missing_and_damaged_dumps(self):
        missing = os.path.join(WORKDIR, "missing.dump")
        proc = debug(missing)
        self.assertEqual((proc.returncode, proc.stdout), (2, ""))
        self.assertTrue(proc.stderr.startswith(f"pyhd-debug: {missing}: "), proc.stderr)
        self.assertRegex(proc.stderr, ERROR_LINE)
        garbage = os.path.join(WORKDIR, "garbage.dump")
        with open(garbage, "wb") as f:
            f.write(b"this is not a dump\n" * 10)
        proc = debug(garbage)
        self.assertEqual((proc.returncode, proc.stdout), (2, ""))
        self.assertTrue(proc.stderr.startswith(f"pyhd-debug: {garbage}: "), proc.stderr)
        self.assertRegex(proc.stderr, ERROR_LINE)
        with open(LOCALS.dump, "rb") as f:
            data = f.read()
        cut = os.path.join(WORKDIR, "cut.dump")
        with open(cut, "wb") as f:
            f.write(data[:len(data) // 2])
        proc = debug(cut)
        self.assertEqual((proc.returncode, proc.stdout), (2, ""))
        self.assertRegex(proc.stderr, ERROR_LINE)
        # --print reads only MANIFEST and traceback.txt, the first members:
        # a dump cut after them still prints, one cut inside them does not.
        proc = debug("--print", cut)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertTrue(proc.stdout.startswith(LOCALS.original), proc.stdout)
        with open(cut, "wb") as f:
            f.write(data[:700])
        proc = debug("--print", cut)
        self.assertEqual((proc.returncode, proc.stdout), (2, ""))
        self.assertRegex(proc.stderr, ERROR_LINE)

    def test_bad_usage(self):
        for args in ([], ["--bogus", LOCALS.dump], ["--debugger=gdb", LOCALS.dump],
                     ["--print", "-c", "where", LOCALS.dump]):
            proc = debug(*args)
            self.assertEqual((proc.returncode, proc.stdout), (2, ""), args)
            self.assertRegex(proc.stderr, r"^pyhd-debug: [^\n]+\n\Z")

    def test_version(self):
        proc = debug("--version")
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertRegex(proc.stdout, r"^pyhd-debug \d+\.\d+\.\d+\n\Z")


class Sources(DebugTestCase):
    def test_dumped_source_when_the_file_is_gone_or_changed(self):
        with tempfile.TemporaryDirectory() as tmp:
            script = os.path.join(tmp, "crash_copy.py")
            shutil.copy(CRASH_LOCALS, script)
            crash = Crash(tmp, script)
            os.remove(script)
            ll, = self.replies(crash, ["ll"])
            self.assertIn(" 29  ->\t    return total / count\n", ll)
            with open(script, "w", encoding="utf-8") as f:
                f.write("# a different file\n")
            out = self.session(crash, "")
            self.assertIn(f"note: {script} differs from the file on this machine; "
                          "showing the dumped source\n", out)
            self.assertIn("-> return total / count\n", out)


class Docs(unittest.TestCase):
    def test_help_and_man_page_list_the_same_options(self):
        proc = debug("--help")
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        help_options = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", proc.stdout))
        help_options |= set(re.findall(r"\b(?:PYHD_[A-Z_]+|VIRTUAL_ENV)\b", proc.stdout))
        with open(os.path.join(SOURCE_DIR, "man", "pyhd-debug.1"), encoding="utf-8") as f:
            man = f.read()
        man_options = set()
        for section in re.findall(r"^\.Sh (?:OPTIONS|ENVIRONMENT)\n(.*?)(?=^\.Sh )", man,
                                  re.M | re.S):
            for line in section.splitlines():
                if line.startswith(".It "):
                    man_options |= {("-" + flag) for flag in re.findall(r"Fl (\S+)", line)}
                    man_options |= set(re.findall(r"Ev (\S+)", line))
        self.assertEqual(help_options, man_options)


class OtherVersions(DebugTestCase):
    def test_other_builds_open_these_dumps(self):
        if not OTHERS:
            print("\nPYHD_DEBUG_OTHERS is not set: not opening dumps with other "
                  "Python versions' pyhd-debug", file=sys.stderr)
            self.skipTest("PYHD_DEBUG_OTHERS is not set")
        for program in OTHERS:
            with self.subTest(program=program):
                proc = debug("--print", CHAIN.dump, program=program)
                self.assertEqual((proc.returncode, proc.stdout), (0, CHAIN.original))
                replies = self.replies(LOCALS, ["where", "p count", "up", "p totals",
                                                "thread 2"], program=program)
                self.assertEqual([name for _, _, name in STACK_ENTRY.findall(replies[0])],
                                 ["<module>", "main", "process", "average"])
                self.assertEqual(replies[1], "0\n")
                self.assertEqual(replies[3], "{1: 6, 2: 2.5}\n")
                self.assertRegex(replies[4], r"^> \S+/threading\.py\(\d+\)wait\(\)\n")
                # The chain, and on 3.11+ the group's two members, even where
                # the debugging Python has no exception groups.
                listing, switch = self.replies(CHAIN, ["exceptions", "exceptions 0"],
                                               program=program)
                self.assertEqual(len(listing.splitlines()),
                                 6 if sys.version_info >= (3, 11) else 4, listing)
                self.assertTrue(switch.startswith(f"> {CRASH_CHAIN}("), switch)


if __name__ == "__main__":
    unittest.main()
