"""Real frames from records: rebuilt tracebacks print and behave as the originals.

Runs in-process under $PYHD_PYTHON with no dump: each case raises a live
exception, converts its traceback into the record structure _pyhd.load()
returns (plain attribute holders), rebuilds real frames from the records
with pyhd_debugger, and compares with the live original.
"""

import copy
import importlib.util
import inspect
import os
import sys
import tempfile
import textwrap
import traceback
import types
import unittest
import builtins

SOURCE_DIR = os.environ.get(
    "PYHD_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
_spec = importlib.util.spec_from_file_location(
    "pyhd_debugger", os.path.join(SOURCE_DIR, "src", "py", "pyhd_debugger.py"))
pyhd_debugger = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pyhd_debugger)

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

    def test_dumped_source_wins(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "changed.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write("x = 1\n")
            notes = pyhd_debugger.register_sources({path: b"def f():\n    return 2\n"})
            self.assertEqual(len(notes), 1)
            self.assertIn(path, notes[0])
            self.assertEqual(__import__("linecache").getline(path, 2), "    return 2\n")
            # A file that is not here at all is still shown.
            gone = os.path.join(tmp, "gone.py")
            self.assertEqual(pyhd_debugger.register_sources({gone: b"a = 1\n"}), [])
            self.assertEqual(__import__("linecache").getlines(gone), ["a = 1\n"])


if __name__ == "__main__":
    unittest.main()
