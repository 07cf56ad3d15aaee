"""Real frames from records: rebuilt tracebacks print and behave as the originals.

Runs in-process under $PYHD_PYTHON with no dump: each case raises a live
exception, converts its traceback into the record structure _pyhd.load()
returns (plain attribute holders), rebuilds real frames from the records
with pyhd_debugger, and compares with the live original.
"""

import builtins
import copy
import inspect
import io
import os
import re
import runpy
import sys
import tempfile
import textwrap
import threading
import traceback
import types
import unittest

SOURCE_DIR = os.environ.get(
    "PYHD_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
# The debugger's package and entry module, from the source tree (pyhd-debug
# has them compiled in).
sys.path.insert(0, os.path.join(SOURCE_DIR, "src", "py"))
import pyhd_debugger  # noqa: E402

# What this Python says for float / 0 ("float division by zero" before 3.14).
try:
    1.0 / 0
except ZeroDivisionError as _e:
    FLOAT_DIVISION = str(_e)

GROUP = getattr(builtins, "BaseExceptionGroup", None)


# ---------------------------------------------------------------------------
# Live objects -> records (what the dump writer and _pyhd.load() do)

class Records:
    """Converts live tracebacks and frames into record namespaces, memoized."""

    def __init__(self):
        self.codes = {}
        self.frames = {}

    def code(self, co):
        rec = self.codes.get(id(co))
        if rec is None:
            rec = self.codes[id(co)] = types.SimpleNamespace(
                filename=co.co_filename, name=co.co_name,
                qualname=getattr(co, "co_qualname", co.co_name),
                firstlineno=co.co_firstlineno, argcount=co.co_argcount,
                posonlyargcount=co.co_posonlyargcount,
                kwonlyargcount=co.co_kwonlyargcount, flags=co.co_flags,
                varnames=co.co_varnames, cellvars=co.co_cellvars,
                freevars=co.co_freevars, live=co)
        return rec

    @staticmethod
    def positions(code, lasti, lineno):
        if sys.version_info >= (3, 11) and lasti >= 0:
            line, end_line, col, end_col = list(code.co_positions())[lasti // 2]
            return line, end_line, col, end_col
        return lineno, None, None, None

    def frame(self, f):
        rec = self.frames.get(id(f))
        if rec is None:
            code = f.f_code
            line, end_line, col, end_col = self.positions(code, f.f_lasti, f.f_lineno)
            if f.f_locals is f.f_globals:
                f_locals = f.f_globals
            else:
                f_locals = dict(f.f_locals)
            rec = self.frames[id(f)] = types.SimpleNamespace(
                code=self.code(code), lineno=line, end_lineno=end_line, col=col,
                end_col=end_col, locals=f_locals, globals=f.f_globals,
                builtins=f.f_builtins, back=None, live=f)
            if f.f_back is not None:
                rec.back = self.frame(f.f_back)
        return rec

    def traceback(self, tb):
        entries = []
        while tb is not None:
            line, end_line, col, end_col = self.positions(
                tb.tb_frame.f_code, tb.tb_lasti, tb.tb_lineno)
            entries.append(types.SimpleNamespace(
                frame=self.frame(tb.tb_frame), lineno=line, end_lineno=end_line,
                col=col, end_col=end_col, next=None))
            tb = tb.tb_next
        for outer, inner in zip(entries, entries[1:]):
            outer.next = inner
        return entries[0] if entries else None


def clone_exception(exc, memo):
    """A copy of exc and everything it chains to, without tracebacks."""
    if exc is None:
        return None
    if id(exc) in memo:
        return memo[id(exc)]
    if GROUP is not None and isinstance(exc, GROUP):
        new = exc.derive([clone_exception(m, memo) for m in exc.exceptions])
        new.__dict__.update(exc.__dict__)
    else:
        new = copy.copy(exc)
    memo[id(exc)] = new
    new.__traceback__ = None
    new.__cause__ = clone_exception(exc.__cause__, memo)
    new.__context__ = clone_exception(exc.__context__, memo)
    new.__suppress_context__ = exc.__suppress_context__
    return new


def all_exceptions(exc, seen=None):
    """exc and every exception it chains to or groups."""
    seen = [] if seen is None else seen
    if exc is None or any(exc is e for e in seen):
        return seen
    seen.append(exc)
    all_exceptions(exc.__cause__, seen)
    all_exceptions(exc.__context__, seen)
    for member in getattr(exc, "exceptions", ()) or ():
        if isinstance(member, BaseException):
            all_exceptions(member, seen)
    return seen


# ---------------------------------------------------------------------------
# The crashing code: the edge cases of REAL-FRAMES.md

def one_char_name_error():
    return q  # noqa: F821 (the NameError is the point)


def one_line_def(x): return 1 / x


lambda_case = lambda items: items[3]  # noqa: E731


def callee(a, b, c):
    return a[b] + c


def call_over_lines():
    values = [1, 2]
    return callee(
        values,
        5,
        0)


class Holder:
    def __init__(self):
        self.data = [1, 0, 2]

    def method_with_genexp(self, scale):
        return sum(scale / x
                   for x in self.data)


def many_kinds(a, b=2, /, c=3, *args, d, e=5, **kw):
    total = a + b + c + d + e
    return total / len(args) / len(kw)


def fails_first_line(value):
    return value.missing_attribute
    unused = 1  # noqa: F841 (a local that is never bound)


def closure_outer(n):
    factor = 0

    def inner(x):
        return n / factor + x
    return inner(7)


def non_ascii():
    données = {"clé": "été"}
    return données["clé"] + données["ñandú"]


def recurse(n):
    return recurse(n + 1)


def chained():
    try:
        {}["missing"]
    except KeyError as error:
        raise ValueError("bad value") from error


def context_chained():
    try:
        1 / 0
    except ZeroDivisionError:
        return undefined_name  # noqa: F821


def grouped():
    def member(kind):
        raise kind("inside")
    errors = []
    for kind in (ValueError, TypeError):
        try:
            member(kind)
        except Exception as error:
            errors.append(error)
    raise ExceptionGroup("several", errors)  # noqa: F821 (3.11+ only)


def class_body():
    class Broken:
        size = 3
        ratio = size / 0
    return Broken


async def fetch(key):
    table = {"a": 1}
    return table[key]


async def gather_one():
    return await fetch("b")


def run_coroutine():
    coroutine = gather_one()
    try:
        coroutine.send(None)
    finally:
        coroutine.close()


MODULE_SOURCE = textwrap.dedent("""\
    _ = "underscore global"
    def helper(value):
        return value + _
    RESULT = helper(
        41)
""")


class RebuiltFrames(unittest.TestCase):
    def capture(self, call):
        try:
            call()
        except BaseException as error:  # noqa: B902 (any escaping exception)
            return error
        self.fail("the case did not raise")

    def rebuild(self, original):
        """Records of original and its chain, rebuilt as the debugger does."""
        records = Records()
        memo = {}
        clone = clone_exception(original, memo)
        pairs = []
        for exc in all_exceptions(original):
            tb = exc.__traceback__
            pairs.append((memo[id(exc)], records.traceback(tb) if tb else None))
        sources = {}
        for frame_rec in records.frames.values():
            path = frame_rec.code.filename
            if os.path.exists(path):
                with open(path, "rb") as f:
                    sources[path] = f.read()
        pyhd_debugger.register_sources(sources)
        warnings = pyhd_debugger.rebuild_exceptions(pairs)
        self.assertEqual(warnings, [])
        return clone

    def check(self, call, globals_dict=None):
        globals_dict = globals() if globals_dict is None else globals_dict
        original = self.capture(call)
        expected = traceback.format_exception(original)
        names_before = set(globals_dict)
        rebuilt = self.rebuild(original)
        self.assertEqual(set(globals_dict), names_before, "globals gained names")
        self.assertEqual([k for k in vars(builtins) if "pyhd" in k], [])
        self.assertIsNot(rebuilt, original)
        self.assertEqual(traceback.format_exception(rebuilt), expected)
        for orig_exc, new_exc in zip(all_exceptions(original), all_exceptions(rebuilt)):
            self.compare_stacks(orig_exc.__traceback__, new_exc.__traceback__)
        return original, rebuilt

    def compare_stacks(self, orig_tb, new_tb):
        orig = list(traceback.walk_tb(orig_tb))
        new = list(traceback.walk_tb(new_tb))
        self.assertEqual(len(orig), len(new))
        for (of, oline), (nf, nline) in zip(orig, new):
            self.assertIs(type(nf), types.FrameType)
            self.assertEqual(nline, oline)
            self.assertEqual(nf.f_code.co_filename, of.f_code.co_filename)
            self.assertEqual(nf.f_code.co_name, of.f_code.co_name)
            self.assertEqual(nf.f_code.co_firstlineno, of.f_code.co_firstlineno)
            self.assertEqual(nf.f_code.co_argcount, of.f_code.co_argcount)
            self.assertEqual(nf.f_code.co_kwonlyargcount, of.f_code.co_kwonlyargcount)
            self.assertEqual(nf.f_code.co_varnames[:len(of.f_code.co_varnames)],
                             of.f_code.co_varnames)
            self.assertIs(nf.f_globals, of.f_globals)
            if of.f_locals is of.f_globals:
                self.assertIs(nf.f_locals, nf.f_globals)
            else:
                # Equal as dicts: 3.10 lists cell arguments after the
                # other locals, which the rebuilt frame cannot mimic.
                self.assertEqual(dict(nf.f_locals), dict(of.f_locals))
            self.assertEqual(inspect.getsourcelines(nf), inspect.getsourcelines(of))
        # No frame of pyhd (or of this test's driver) below the outermost
        # rebuilt frame: the stack is exactly the dumped frames.
        if new:
            self.assertIsNone(new[0][0].f_back)
            frame, chain = new[-1][0], []
            while frame is not None:
                chain.append(frame)
                frame = frame.f_back
            self.assertEqual(chain[::-1], [f for f, _ in new])

    def test_one_char_name_error(self):
        self.check(one_char_name_error)

    def test_one_line_def(self):
        self.check(lambda: one_line_def(0))

    def test_lambda(self):
        self.check(lambda: lambda_case([1]))

    def test_call_over_several_lines(self):
        self.check(call_over_lines)

    def test_method_with_generator_expression(self):
        self.check(lambda: Holder().method_with_genexp(3))

    def test_args_keyword_only_and_kw(self):
        _, rebuilt = self.check(lambda: many_kinds(1, 2, 3, d=4))
        inner = list(traceback.walk_tb(rebuilt.__traceback__))[-1][0]
        self.assertEqual(inner.f_locals["args"], ())
        self.assertEqual(inner.f_locals["kw"], {})
        self.assertEqual(inner.f_code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS),
                         inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)
        self.assertEqual(inner.f_code.co_posonlyargcount, 2)

    def test_failure_on_first_body_line(self):
        _, rebuilt = self.check(lambda: fails_first_line(3))
        inner = list(traceback.walk_tb(rebuilt.__traceback__))[-1][0]
        self.assertNotIn("unused", inner.f_locals)
        self.assertIn("unused", inner.f_code.co_varnames)

    def test_module_global_named_underscore(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "underscore_module.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write(MODULE_SOURCE)
            module_globals = {"__name__": "underscore_module", "__file__": path,
                              "__builtins__": builtins}
            code = compile(MODULE_SOURCE, path, "exec")
            _, rebuilt = self.check(lambda: exec(code, module_globals), module_globals)
            # The module frame runs with the module dict as globals and locals.
            frames = [f for f, _ in traceback.walk_tb(rebuilt.__traceback__)]
            module_frame = next(f for f in frames if f.f_code.co_name == "<module>")
            self.assertIs(module_frame.f_globals, module_globals)
            self.assertEqual(module_frame.f_globals["_"], "underscore global")

    def test_closure(self):
        _, rebuilt = self.check(lambda: closure_outer(5))
        inner = list(traceback.walk_tb(rebuilt.__traceback__))[-1][0]
        self.assertEqual(inner.f_locals["n"], 5)
        self.assertEqual(inner.f_locals["factor"], 0)

    def test_non_ascii_columns(self):
        self.check(non_ascii)

    def test_recursion_error(self):
        original, rebuilt = self.check(lambda: recurse(0))
        self.assertIsInstance(rebuilt, RecursionError)
        self.assertGreater(len(list(traceback.walk_tb(rebuilt.__traceback__))), 900)

    def test_class_body(self):
        # A class body runs with its namespace as locals, apart from globals.
        _, rebuilt = self.check(class_body)
        frame = list(traceback.walk_tb(rebuilt.__traceback__))[-1][0]
        self.assertEqual(frame.f_code.co_name, "Broken")
        self.assertEqual(frame.f_locals["size"], 3)
        self.assertIsNot(frame.f_locals, frame.f_globals)

    def test_class_body_with_globals_without_builtins(self):
        # Globals without __builtins__ (exec inserts one) gain no names either.
        module_globals = {"__name__": "bare"}
        exec("def make():\n    class Bare:\n        n = 1\n        r = n / 0\n",
             module_globals)
        del module_globals["__builtins__"]
        original = self.capture(module_globals["make"])
        before = set(module_globals)
        self.rebuild(original)
        self.assertEqual(set(module_globals), before)

    def test_coroutines(self):
        _, rebuilt = self.check(run_coroutine)
        names = [f.f_code.co_name for f, _ in traceback.walk_tb(rebuilt.__traceback__)]
        self.assertEqual(names[-2:], ["gather_one", "fetch"])

    def test_explicit_chain(self):
        _, rebuilt = self.check(chained)
        self.assertIsInstance(rebuilt.__cause__, KeyError)
        self.assertIsNotNone(rebuilt.__cause__.__traceback__)

    def test_implicit_chain(self):
        _, rebuilt = self.check(context_chained)
        self.assertIsInstance(rebuilt.__context__, ZeroDivisionError)

    @unittest.skipIf(GROUP is None, "exception groups need Python 3.11")
    def test_exception_group(self):
        _, rebuilt = self.check(grouped)
        self.assertEqual([type(e) for e in rebuilt.exceptions], [ValueError, TypeError])
        for member in rebuilt.exceptions:
            self.assertIsNotNone(member.__traceback__)

    def test_frames_naming_a_device_read_nothing(self):
        original = self.capture(lambda: one_line_def(0))
        records = Records()
        tb_rec = records.traceback(original.__traceback__)
        tb_rec.next.frame.code = types.SimpleNamespace(
            **dict(vars(tb_rec.next.frame.code), filename="/dev/zero"))
        self.addCleanup(__import__("linecache").cache.pop, "/dev/zero", None)
        clone = clone_exception(original, {})
        self.assertEqual(pyhd_debugger.rebuild_exceptions([(clone, tb_rec)]), [])
        # linecache would read /dev/zero forever; an empty entry stops it.
        self.assertEqual(__import__("linecache").cache["/dev/zero"], (0, None, [], "/dev/zero"))
        text = "".join(traceback.format_exception(clone))
        self.assertIn('File "/dev/zero", line ', text)

    def test_dumped_source_wins(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "changed.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write("x = 1\n")
            notes = pyhd_debugger.register_sources({path: b"def f():\n    return 2\n"})
            self.assertEqual(len(notes), 1)
            self.assertIn(path, notes[0])
            self.assertEqual(__import__("linecache").getline(path, 2), "    return 2\n")
            # Files that are not regular are never read (/dev/zero is endless).
            self.addCleanup(__import__("linecache").cache.pop, "/dev/zero", None)
            self.assertEqual(pyhd_debugger.register_sources({"/dev/zero": b"x = 1\n"}), [])
            self.assertEqual(__import__("linecache").getlines("/dev/zero"), ["x = 1\n"])
            # A file that is not here at all is still shown.
            gone = os.path.join(tmp, "gone.py")
            self.assertEqual(pyhd_debugger.register_sources({gone: b"a = 1\n"}), [])
            self.assertEqual(__import__("linecache").getlines(gone), ["a = 1\n"])



# ---------------------------------------------------------------------------
# The debugger on rebuilt frames, in-process: _pyhd.load() is replaced by a
# function returning records made from a live crash of examples/crash_locals.py.

CRASH_LOCALS = os.path.abspath(os.path.join(SOURCE_DIR, "examples", "crash_locals.py"))


def live_dump(path="/dumps/crash.dump"):
    """A load() result for a live crash of crash_locals.py with its worker."""
    module = runpy.run_path(CRASH_LOCALS, run_name="crash_locals_live")
    try:
        module["main"](["crash_locals.py", "10"])
    except ZeroDivisionError as error:
        exc = error
    # The dumped traceback starts at the program's main(), not at this test.
    exc.__traceback__ = exc.__traceback__.tb_next
    worker = next(t for t in threading.enumerate() if t.name == "worker")
    worker_frame = sys._current_frames()[worker.ident]
    records = Records()
    thread_rec = records.frame(worker_frame)
    pairs = [(e, records.traceback(e.__traceback__) if e.__traceback__ else None)
             for e in all_exceptions(exc)]
    sources = {}
    for frame_rec in list(records.frames.values()):
        path_ = frame_rec.code.filename
        if os.path.exists(path_):
            with open(path_, "rb") as f:
                sources[path_] = f.read()
    # Let the worker finish once its frames are recorded.
    stop = next(f for f in iter_back(worker_frame) if f.f_code.co_name == "worker_loop")
    stop.f_locals["stop"].set()
    worker.join()
    manifest = [("Format-Version", "1"), ("Argv", '["crash_locals.py", "10"]'),
                ("Hostname", "testhost"), ("Pid", "4242"), ("Uid", "1000"),
                ("Python-Version", sys.version.split()[0]),
                ("Python-Implementation", "CPython"), ("Trigger", "uncaught exception"),
                ("Exception-Type", "ZeroDivisionError"),
                ("Exception-Message", str(exc)), ("Threads", "2")]
    return {
        "path": path, "format_version": 1, "objects": 1, "truncated": False,
        "manifest": manifest,
        "traceback_txt": "".join(traceback.format_exception(exc)) + "original text\n",
        "sources": sources,
        "roots": {"exception": exc},
        "threads": [
            {"ident": threading.main_thread().ident, "native_id": 1,
             "name": "MainThread", "flags": 2 | 4 | 8, "frame": None},
            {"ident": worker.ident, "native_id": 2, "name": "worker", "flags": 1,
             "frame": thread_rec},
        ],
        "exceptions": pairs,
    }


def iter_back(frame):
    while frame is not None:
        yield frame
        frame = frame.f_back


class FakePyhd(types.ModuleType):
    """Stands for the builtin module _pyhd: load() returns a prepared dict."""

    class DumpError(Exception):
        pass

    def __init__(self, data):
        super().__init__("_pyhd")
        self.data = data
        self.__version__ = "9.9.9-test"

    FORMAT_VERSION = 1

    def resume_collector(self):
        """pyhd-debug's start paused the collector; this process did not."""

    def load(self, path, trust=False):
        if path != self.data["path"]:
            raise self.DumpError("not a pyhd dump (bad magic)")
        return self.data

    def read_members(self, path, names):
        """The MANIFEST and traceback.txt members, made from the prepared dict."""
        if path != self.data["path"]:
            raise self.DumpError("not a pyhd dump (bad magic)")
        members = {
            "MANIFEST": "".join(f"{k}: {v}\n" for k, v in self.data["manifest"]).encode(),
            "traceback.txt": self.data["traceback_txt"].encode(),
        }
        return {name: members[name] for name in names if name in members}

    @staticmethod
    def parse_manifest(data):
        return [tuple(line.split(": ", 1)) for line in data.decode().splitlines()]


class DebuggerSession(unittest.TestCase):
    def setUp(self):
        self.data = live_dump()
        saved = sys.modules.get("_pyhd")
        sys.modules["_pyhd"] = FakePyhd(self.data)
        self.addCleanup(lambda: sys.modules.pop("_pyhd") if saved is None
                        else sys.modules.__setitem__("_pyhd", saved))

    def run_main(self, argv, commands=""):
        saved = sys.stdin, sys.stdout, sys.stderr
        sys.stdin, sys.stdout, sys.stderr = (io.StringIO(commands), io.StringIO(),
                                             io.StringIO())
        try:
            status = pyhd_debugger.main(argv)
            out, err = sys.stdout.getvalue(), sys.stderr.getvalue()
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
        return status, out, err

    def session(self, commands):
        status, out, err = self.run_main([self.data["path"]], commands)
        self.assertEqual((status, err), (0, ""))
        return out

    def test_header_and_start(self):
        out = self.session("")
        self.assertIn("Program:   crash_locals.py 10\n", out)
        self.assertIn("Host:      testhost, pid 4242, uid 1000\n", out)
        self.assertIn(f"Exception: ZeroDivisionError: {FLOAT_DIVISION}\n", out)
        self.assertIn("".join(traceback.format_exception(self.data["roots"]["exception"])), out)
        self.assertIn(f"> {CRASH_LOCALS}(29)average()\n-> return total / count\n", out)

    def test_where_args_and_locals(self):
        out = self.session("where\nargs\np count\np total\np values\n")
        where = out.split("(Pdb) ")[1]
        names = re.findall(r"\(\d+\)(\w+|<module>)\(\)\n", where)
        self.assertEqual(names, ["main", "process", "average"])
        self.assertIn("values = []\nlabel = 'selected'\nscale = 2.0\n"
                      "extra = ('extra',)\noptions = {'verbose': True}\n", out)
        self.assertIn("(Pdb) 0\n(Pdb) 0.0\n(Pdb) []\n", out)

    def test_up_down_and_ll(self):
        out = self.session("up\np names\np count\nll\ndown\np label\n")
        self.assertIn(f"> {CRASH_LOCALS}(36)process()\n", out)
        self.assertIn("(Pdb) ['order-1', 'order-2']\n(Pdb) 10\n", out)
        self.assertIn("32  \tdef process(orders, count):\n", out)
        self.assertIn("36  ->\t    return average(", out)
        self.assertIn("(Pdb) 'selected'\n", out)

    def test_threads_and_thread(self):
        out = self.session("threads\nthread 2\nwhere\nthread 1\np count\n")
        self.assertIn("> Thread 1: MainThread (ident", out)
        self.assertIn("  Thread 2: worker (ident", out)
        self.assertIn(", daemon)\n", out)
        after = out.split("(Pdb) ", 3)[2]
        self.assertRegex(after, r"^> .*threading\.py\(\d+\)wait\(\)\n")
        self.assertIn(f"{CRASH_LOCALS}(23)worker_loop()\n-> stop.wait()", out)
        self.assertIn("(Pdb) 0\n", out)

    def test_exceptions_and_dumpinfo(self):
        out = self.session("exceptions\nexception\ndumpinfo\nhelp dumpinfo\n")
        self.assertIn(f">   0 ZeroDivisionError('{FLOAT_DIVISION}')\n", out)
        self.assertIn(f"(Pdb) ZeroDivisionError: {FLOAT_DIVISION}\n", out)
        self.assertIn("Hostname: testhost\nPid: 4242\n", out)
        self.assertIn("Print the dump's MANIFEST", out)

    def test_commands_option(self):
        status, out, err = self.run_main(["-c", "p count", "-c", "up", "-c", "p count",
                                          self.data["path"]])
        self.assertEqual((status, err), (0, ""))
        # As with pdb -c, the commands run before the current frame is
        # shown and the first prompt.
        process = r"> [^\n]*\(36\)process\(\)\n-> [^\n]*\n"
        self.assertRegex(out, r"division by zero\n\n0\n" + process + r"10\n" + process
                         + r"\(Pdb\) \n\Z")

    def test_reports(self):
        status, out, err = self.run_main(["--print", self.data["path"]])
        self.assertEqual((status, out, err), (0, self.data["traceback_txt"], ""))
        status, out, err = self.run_main(["--info", self.data["path"]])
        self.assertEqual(status, 0)
        self.assertTrue(out.startswith("Format-Version: 1\nArgv: "))
        status, out, err = self.run_main(["--locals", self.data["path"]])
        self.assertEqual(status, 0)
        self.assertIn("    count = 0\n", out)
        self.assertIn("    options = {'verbose': True}\n", out)
        self.assertTrue(out.endswith(f"ZeroDivisionError: {FLOAT_DIVISION}\n"))
        status, out, err = self.run_main(["--threads", self.data["path"]])
        self.assertEqual(status, 0)
        self.assertIn("Thread 2: worker (ident", out)
        self.assertIn("in worker_loop\n    stop.wait()\n", out)

    def test_errors(self):
        self.assertEqual(self.run_main(["/no/such.dump"]),
                         (2, "", "pyhd-debug: /no/such.dump: not a pyhd dump (bad magic)\n"))
        status, out, err = self.run_main([])
        self.assertEqual((status, out), (2, ""))
        self.assertRegex(err, r"^pyhd-debug: [^\n]+\n\Z")
        status, out, err = self.run_main(["--bogus", self.data["path"]])
        self.assertEqual(status, 2)
        self.assertRegex(err, r"^pyhd-debug: [^\n]*--bogus[^\n]*\n\Z")
        status, out, err = self.run_main(["--debugger=gdb", self.data["path"]])
        self.assertEqual((status, err), (2, "pyhd-debug: unknown debugger 'gdb' "
                                            "(choose from pdb, ipdb, pudb)\n"))
        self.assertEqual(self.run_main(["--version"]), (0, "pyhd-debug 9.9.9-test\n", ""))
        os.environ["PYHD_DEBUGGER"] = "winpdb"
        try:
            status, out, err = self.run_main([self.data["path"]])
        finally:
            del os.environ["PYHD_DEBUGGER"]
        self.assertEqual((status, out, err), (2, "", "pyhd-debug: unknown debugger 'winpdb' "
                                                     "(choose from pdb, ipdb, pudb)\n"))

if __name__ == "__main__":
    unittest.main()
