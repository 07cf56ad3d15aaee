"""e2e: pyhd-debug shows the crashed program's locals as python had them.

Each program in tests/e2e/fidelity/ crashes. It runs twice: under plain
python with an excepthook that records, for every local of the innermost
frame of the program, repr(value), type(value).__module__ and
type(value).__qualname__; and under pyhd-run, whose dump pyhd-debug opens to
record the same at the frame where it stops. A local matches on type when
module and qualname agree; on repr when the text is identical, counted only
for reprs that hold no address (a default `<C object at 0x...>` differs
between any two runs).

The shares are printed. Every local must match, except the ones KNOWN_GAPS
lists with the reason (what pyhd cannot rebuild yet); a gap that closes is
reported so the list can shrink.
"""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

RUN = os.environ.get("PYHD_RUN")
DEBUG = os.environ.get("PYHD_DEBUG")
PYTHON = os.environ.get("PYHD_PYTHON", sys.executable)
HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "fidelity")
MARK = "@@pyhd-fidelity@@"
ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")

# Describes the dict L of locals as {name: [repr, type module, type qualname]}.
DESCRIBE = r"""
import json as _json
def _describe(L):
    out = {}
    for name, value in L.items():
        if name.startswith('__'):
            continue
        try:
            text = repr(value)
        except BaseException as exc:
            text = '<repr failed: %s: %s>' % (type(exc).__name__, exc)
        t = type(value)
        out[name] = [text, getattr(t, '__module__', '?'), getattr(t, '__qualname__', '?')]
    return out
"""

# Under plain python: run the program with a hook that describes its innermost
# frame, in the traceback pyhd-debug starts in (an exception group's first leaf
# that has one, as pyhd_debug.model's leaf_exception picks it).
PYTHON_SIDE = DESCRIBE + r"""
import builtins, runpy, sys
_prog = sys.argv[1]
sys.argv = sys.argv[1:]
_GROUP = getattr(builtins, 'BaseExceptionGroup', ())
def _leaf(exc):
    seen = set()
    while isinstance(exc, _GROUP) and exc.exceptions and id(exc) not in seen:
        seen.add(id(exc))
        exc = next((m for m in exc.exceptions if m.__traceback__ is not None),
                   exc.exceptions[0])
    return exc
def _hook(t, v, tb):
    leaf = _leaf(v)
    if leaf is not v and leaf.__traceback__ is not None:
        tb = leaf.__traceback__
    frame = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _prog:
            frame = tb.tb_frame
        tb = tb.tb_next
    print(MARK + _json.dumps(_describe(dict(frame.f_locals))))
sys.excepthook = _hook
runpy.run_path(_prog, run_name='__main__')
""".replace("MARK", repr(MARK))

# Inside pyhd-debug, at the frame it stops on: L is that frame's locals.
DEBUG_SIDE = DESCRIBE + "print(%r + _json.dumps(_describe(L)))\n" % MARK

# Locals that do not match yet, per program, and why.
KNOWN_GAPS = {
}


def has_address(text):
    return bool(ADDRESS.search(text))


class FidelityTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.totals = {"type": [0, 0], "repr": [0, 0]}

    @classmethod
    def tearDownClass(cls):
        for what, (good, total) in cls.totals.items():
            if total:
                print("fidelity: %s matches for %d of %d locals (%.0f%%)"
                      % (what, good, total, 100.0 * good / total), file=sys.stderr)

    def observe(self, program):
        """(python's description, pyhd-debug's) of program's crashing frame."""
        path = os.path.join(PROGRAMS, program)
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run([PYTHON, "-I", "-c", PYTHON_SIDE, path], cwd=tmp,
                                  capture_output=True, text=True, timeout=120)
            want = [l for l in proc.stdout.splitlines() if l.startswith(MARK)]
            self.assertEqual(len(want), 1, proc.stdout + proc.stderr)
            proc = subprocess.run([RUN, path], cwd=tmp, capture_output=True, text=True,
                                  timeout=120)
            dumps = glob.glob(os.path.join(tmp, "*.dump"))
            self.assertEqual(len(dumps), 1, proc.stderr)
            got = self.probe(dumps[0], DEBUG_SIDE, "{'L': dict(locals())}")
        return json.loads(want[0][len(MARK):]), got

    def probe_program(self, program, source):
        """probe() on the dump of program (of PROGRAMS) crashed under pyhd-run, at
        its frame's globals and locals."""
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([RUN, os.path.join(PROGRAMS, program)], cwd=tmp,
                           capture_output=True, timeout=120)
            dumps = glob.glob(os.path.join(tmp, "*.dump"))
            self.assertEqual(len(dumps), 1)
            return self.probe(dumps[0], source, "dict(globals(), **locals())")

    def probe(self, dump, source, namespace):
        """What source, run by pyhd-debug at the dump's frame with namespace (a
        Python expression there), printed after MARK, as JSON."""
        probe = os.path.join(os.path.dirname(dump), "probe.py")
        with open(probe, "w", encoding="utf-8") as f:
            f.write(source)
        proc = subprocess.run(
            [DEBUG, "-c", "!exec(open(%r).read(), %s)" % (probe, namespace), "-c", "q", dump],
            cwd=os.path.dirname(dump), capture_output=True, text=True, timeout=120,
            stdin=subprocess.DEVNULL)
        got = [l for l in proc.stdout.splitlines() if l.startswith(MARK)]
        self.assertEqual(len(got), 1, proc.stdout + proc.stderr)
        return json.loads(got[0][len(MARK):])

    def compare(self, program):
        want, got = self.observe(program)
        self.assertEqual(sorted(got), sorted(want), "the same locals")
        failures = []
        for name, (text, module, qualname) in sorted(want.items()):
            g_text, g_module, g_qualname = got[name]
            checks = [("type", (g_module, g_qualname) == (module, qualname),
                       "%s.%s" % (module, qualname), "%s.%s" % (g_module, g_qualname))]
            if not has_address(text):
                checks.append(("repr", g_text == text, text, g_text))
            for what, ok, expected, actual in checks:
                self.totals[what][1] += 1
                self.totals[what][0] += ok
                gap = KNOWN_GAPS.get((program, name, what))
                if ok and gap:
                    print("fidelity: %s %s %s matches now; drop it from KNOWN_GAPS"
                          % (program, name, what), file=sys.stderr)
                if not ok and not gap:
                    failures.append("%s: %s: python %r, pyhd-debug %r"
                                    % (name, what, expected[:300], actual[:300]))
        self.assertEqual(failures, [], program + ":\n" + "\n".join(failures))

    def test_builtin_values(self):
        self.compare("builtin_values.py")

    def test_stdlib_values(self):
        self.compare("stdlib_values.py")

    def test_stdlib_datetimes(self):
        self.compare("stdlib_datetimes.py")

    def test_stdlib_records(self):
        self.compare("stdlib_records.py")

    def test_stdlib_opaque(self):
        self.compare("stdlib_opaque.py")

    def test_stdlib_copies(self):
        self.compare("stdlib_copies.py")

    def test_stdlib_reprs(self):
        self.compare("stdlib_reprs.py")

    def test_stdlib_documents(self):
        self.compare("stdlib_documents.py")

    def test_stdlib_facts(self):
        self.compare("stdlib_facts.py")

    def test_stdlib_raised(self):
        self.compare("stdlib_raised.py")

    def test_stdlib_testcase(self):
        self.compare("stdlib_testcase.py")

    def test_stdlib_cmembers(self):
        self.compare("stdlib_cmembers.py")

    def test_library_reprs(self):
        """Flask's, werkzeug's, Django's, requests', dateutil's, pytz's, numpy's (...) own
        reprs (Python code of theirs)."""
        missing = subprocess.run(
            [PYTHON, "-I", "-c", "import click, dateutil, django, flask, jinja2, markupsafe, "
             "numpy, packaging, pytz, requests, urllib3, werkzeug, yaml"],
            capture_output=True).returncode
        if missing:
            libraries = ("click, dateutil, Django, Flask, jinja2, markupsafe, numpy, "
                         "packaging, pytz, PyYAML, requests, urllib3 or werkzeug")
            print("\n%s is not installed for %s: library_reprs.py is not run"
                  % (libraries, PYTHON), file=sys.stderr)
            self.skipTest(libraries + " is not installed")
        self.compare("library_reprs.py")

    def test_library_django(self):
        """A Django view's locals: models and User, whose __str__ calls a method."""
        if subprocess.run([PYTHON, "-I", "-c", "import django"],
                          capture_output=True).returncode:
            print("\nDjango is not installed for %s: library_django.py is not run" % PYTHON,
                  file=sys.stderr)
            self.skipTest("Django is not installed")
        self.compare("library_django.py")

    def test_library_pytest(self):
        """pytest's approx, ExceptionInfo and marks; attrs' generated reprs."""
        if subprocess.run([PYTHON, "-I", "-c", "import attr, pytest"],
                          capture_output=True).returncode:
            print("\npytest or attrs is not installed for %s: library_pytest.py is not run"
                  % PYTHON, file=sys.stderr)
            self.skipTest("pytest or attrs is not installed")
        self.compare("library_pytest.py")

    def test_stdlib_reprs_behave(self):
        """The stand-ins of stdlib_reprs.py act as python's: struct sequences are
        tuples, signatures bind, parameters' kinds are inspect's own members,
        os.environ reads as a mapping."""
        path = os.path.join(PROGRAMS, "stdlib_reprs.py")
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run([RUN, path], cwd=tmp, capture_output=True, text=True,
                                  timeout=120)
            flags = [l[len("FLAGS: "):] for l in proc.stdout.splitlines()
                     if l.startswith("FLAGS: ")]
            self.assertEqual(len(flags), 1, proc.stdout + proc.stderr)
            dumps = glob.glob(os.path.join(tmp, "*.dump"))
            self.assertEqual(len(dumps), 1, proc.stderr)
            facts = self.probe(dumps[0], """
import inspect, json
facts = {
    'flags': repr(FLAGS),
    'flags_type': [type(FLAGS).__module__, type(FLAGS).__qualname__],
    'tuple': [isinstance(version, tuple), len(version), list(version[:2]),
              version >= (3, 8), version < (2, 0), version.major == version[0],
              floats.dig, len(hashes) >= 9],
    'bind': str(signature.bind('a', 1, limit=5)),
    'kind': [parameter.kind is inspect.Parameter.KEYWORD_ONLY, str(kind),
             parameter.default, empty is inspect.Parameter.empty,
             signature.return_annotation is bool],
    'real': [type(signature) is inspect.Signature, type(dist).__module__],
    'dist': [dist.mean, dist.stdev, round(dist.cdf(0.0), 3)],
    'done': [done.returncode, done.stdout.decode(), done.check_returncode()],
    'warning': str(warning),
    'environ': [env['HOME'], 'LANG' in env, 'NOPE' in env, sorted(env), len(env),
                env.get('NOPE', 5), dict(env) == env.copy()],
}
print(%r + json.dumps(facts))
""" % MARK, "dict(globals(), **locals())")
        self.assertEqual(facts["flags"], flags[0])
        self.assertEqual(facts["flags_type"], ["sys", "flags"])
        self.assertEqual(facts["tuple"], [True, 5, list(sys.version_info[:2]), True, False,
                                          True, sys.float_info.dig, True])
        self.assertEqual(facts["bind"], "<BoundArguments (path='a', rest=(1,), limit=5)>")
        self.assertEqual(facts["kind"], [True, "KEYWORD_ONLY", 3, True, True])
        self.assertEqual(facts["real"], [True, "statistics"])
        self.assertEqual(facts["dist"], [0.0, 1.0, 0.5])
        self.assertEqual(facts["done"], [0, "x", None])
        self.assertEqual(facts["warning"], "{message : 'disk low', category : 'UserWarning', "
                         "filename : 'app.py', lineno : 7, line : None}")
        self.assertEqual(facts["environ"], ["/home/app", True, False,
                                            ["APP_MODE", "HOME", "LANG"], 3, 5, True])

    def test_stdlib_tools(self):
        self.compare("stdlib_tools.py")

    def test_stdlib_symtable_behave(self):
        """A symtable.SymbolTable is a real one over look-alikes of its C entries:
        its methods answer as python's."""
        facts = self.probe_program("stdlib_tools.py", """
import json, symtable
child = next(c for c in table.get_children() if c.get_name() == "scan")  # 3.14 adds one
facts = [type(table) is symtable.SymbolTable, type(table._table).__qualname__,
         repr(table._table).split("(")[0] + repr(table._table).split(")")[1],
         str(table.get_type()),
         table.get_name(), sorted(table.get_identifiers()), repr(child), type(child).__name__,
         child.get_parameters(), table.lookup("scan").is_local(), type(limit) is symtable.Symbol,
         limit.is_assigned(), imported.is_imported()]
print(%r + json.dumps(facts))
""" % MARK)
        self.assertEqual(facts[:3], [True, "symtable entry", "<symtable entry top, line 0>"])
        self.assertIn(facts[3], ("module", "SymbolTableType.MODULE"))
        self.assertEqual(facts[4:], [
            "top", ["LIMIT", "os", "scan"], "<Function SymbolTable for scan in <tools>>",
            "Function", ["path"], True, True, True, True])

    def test_stdlib_tools_behave(self):
        """ast nodes are real ones (ast.dump and unparse read them as python's);
        a Struct is a real one; mocks print as python's (with the rebuilt mock's
        id); ctypes values are real ones with their values; a program's
        Structure has its fields."""
        facts = self.probe_program("stdlib_tools.py", """
import ctypes, json, re, struct
mocks = [re.sub(r"id='[0-9]+'", "id=N", repr(m)) for m in (box.gateway, box.spec, box.child)]
import ast as ast_module
facts = [ast_module.dump(tree, include_attributes=True) == dumped,
         type(function) is ast_module.FunctionDef, ast_module.unparse(call),
         layout.size, layout.unpack(b"PYHD\\x02\\x00\\x01\\x00\\x00\\x00")[1:],
         type(layout) is struct.Struct]
facts += [mocks, word.value, type(word) is ctypes.c_uint32, buffer.raw.decode(),
         list(numbers), type(numbers).__name__, type(numbers).__module__,
         {k: repr(v) for k, v in vars(header).items()}, vars(wire), wide.value]
print(%r + json.dumps(facts))
""" % MARK)
        self.assertEqual(facts, [
            True, True, "f(x, *rest, key=1)", 10, [2, 1], True,
            ["<Mock name='gateway' id=N>", "<Mock name='header' spec='Header' id=N>",
             "<Mock name='gateway.refund.post().json' id=N>"],
            0xDEADBEEF, True, "abc\x00\x00\x00", [1, -2, 3], "c_int_Array_3", "__main__",
            {"magic": "b'PYHD'", "version": "2", "crc": str(0xCAFE)},
            {"kind": 7, "length": 1024}, "\u00e9"])

    def test_stdlib_text(self):
        self.compare("stdlib_text.py")

    def test_stdlib_text_behave(self):
        """difflib's matcher, textwrap, string, json, html.parser, gettext and optparse
        objects are real ones: their methods answer as in the program; a
        program's parser subclass keeps its own (inert) handler."""
        facts = self.probe_program("stdlib_text.py", """
import json
facts = [round(matcher.ratio(), 4), matcher.get_opcodes()[0],
         wrapper.wrap("the rebuilt crash should look like the program"),
         formatter.format("{0}-{name}", 1, name="z"),
         encoder.encode({"b": 1, "a": [2]}), decoder.strict, parser.get_starttag_text(),
         parser.feed("<b>x</b>") or parser.getpos(), collector.links, catalog.gettext("Save"),
         options.level, str(options)]
try:
    collector.handle_starttag("a", [])
except Exception as e:
    facts.append(type(e).__name__)
print(%r + json.dumps(facts))
""" % MARK)
        self.assertEqual(facts, [
            0.9032, ["equal", 0, 12, 0, 12],
            ["* the rebuilt crash", "  should look like the", "  program"], "1-z",
            '{\n  "a": [\n    2\n  ],\n  "b": 1\n}', False, "<p class='x'>", [1, 25],
            ["/docs"], "Save", 3, "{'verbose': True, 'level': 3}",
            "DumpedCodeError"])

    def test_stdlib_memfiles(self):
        self.compare("stdlib_memfiles.py")

    def test_stdlib_memfiles_behave(self):
        """StringIO and BytesIO are real ones: getvalue(), tell() and read() answer
        as in the program, and they can be read on and written to."""
        facts = self.probe_program("stdlib_memfiles.py", """
import io, json
facts = [report.getvalue(), report.tell(), lines.tell(), lines.read(),
         raw_newlines.getvalue(), raw_newlines.tell(), accents.getvalue(),
         packet.tell(), packet.read().decode(), built.getvalue().decode(), built.tell(),
         finished.closed, released.closed, type(report) is io.StringIO,
         type(packet) is io.BytesIO, report.write("pear,1\\n"), report.getvalue()[-7:]]
print(%r + json.dumps(facts))
""" % MARK)
        self.assertEqual(facts, [
            "name,qty\napple,3\r\n", 18, 6, "second\nthird\n", "a\r\nb", 2,
            "caf\u00e9 \u20ac \U0001F600", 2, "payload", "abcabcabc", 9, True, True, True,
            True, 7, "pear,1\n"])

    def test_stdlib_xml(self):
        self.compare("stdlib_xml.py")

    def test_stdlib_xml_behave(self):
        """Elements are real ones: ElementTree serializes and searches them as in
        the program."""
        facts = self.probe_program("stdlib_xml.py", """
import json, xml.etree.ElementTree as real
facts = [real.tostring(root).decode(), real.tostring(built).decode(), joined.text,
         entry.attrib, entry[0].tail, [e.get("id") for e in root.iter("entry")],
         root.find("entry/b").text, type(root) is real.Element, len(root)]
print(%r + json.dumps(facts))
""" % MARK)
        self.assertEqual(facts, [
            '<feed version="2"><entry id="1">first<b>bold</b>after</entry><entry id="2" />'
            '</feed>', '<item k="v"><child>x</child></item>', "piece1piece2", {"id": "1"},
            "after", ["1", "2"], "bold", True, 2])

    def test_stdlib_random(self):
        self.compare("stdlib_random.py")

    def test_stdlib_random_behave(self):
        """A random.Random draws next what the program's would have drawn."""
        facts = self.probe_program("stdlib_random.py", """
import json, random
facts = [type(rng) is random.Random, [rng.random() for _ in range(3)] == upcoming,
         [normal.gauss(0.0, 1.0) for _ in range(2)] == upcoming_gauss]
print(%r + json.dumps(facts))
""" % MARK)
        self.assertEqual(facts, [True, True, True])

    def test_stdlib_caches(self):
        self.compare("stdlib_caches.py")

    def test_stdlib_caches_behave(self):
        """An lru_cache wrapper is a real one of the rebuilt function: the program's
        counts, parameters, names and source; a call raises one line."""
        facts = self.probe_program("stdlib_caches.py", """
import functools, inspect, json
facts = [type(memo) is functools._lru_cache_wrapper,
         [memo.cache_info(), unbounded.cache_info(), method.cache_info()] == list(counts),
         [memo.cache_parameters(), method.cache_parameters()] == list(parameters),
         memo.__wrapped__.__name__, memo.__name__, memo.__qualname__, memo.__doc__,
         method.__qualname__, inspect.getsource(memo).splitlines()[:2]]
try:
    memo(3)
except Exception as exc:
    facts.append(str(exc))
print(%r + json.dumps(facts))
""" % MARK)
        self.assertEqual(facts[:9], [
            True, True, True, "fib", "fib", "fib", "Fibonacci, memoized.", "Shape.area",
            ["@functools.lru_cache(maxsize=32)", "def fib(n):"]])
        self.assertEqual(facts[9:], [
            "fib is a function (stdlib_caches.py:8); a dump does not run program code"])

    def test_stdlib_contexts(self):
        self.compare("stdlib_contexts.py")

    def test_stdlib_contexts_behave(self):
        """ContextVars and Contexts are real ones holding the program's values, and
        the session runs with the crashing thread's context variables set."""
        facts = self.probe_program("stdlib_contexts.py", """
import contextvars, json
facts = [type(current) is contextvars.ContextVar, current.name, unset.name,
         current.get(), user.get(), unset.get("no value"),
         type(snapshot) is contextvars.Context, sorted((v.name, x) for v, x in snapshot.items()
                                                     if v.name == "request_id"),
         snapshot[user], other.run(user.get), other.get(request_id, "unset here")]
print(%r + json.dumps(facts))
""" % MARK)
        self.assertEqual(facts, [
            True, "request_id", "unset", "req-42", {"name": "ann", "roles": ["admin"]},
            "no value", True, [["request_id", "req-42"]], {"name": "ann", "roles": ["admin"]},
            "bob", "unset here"])

    def test_stdlib_rows(self):
        self.compare("stdlib_rows.py")

    def test_stdlib_rows_behave(self):
        """A sqlite3.Row answers by index, slice and column name (any case) with the
        program's values, and compares and hashes as python's."""
        facts = self.probe_program("stdlib_rows.py", """
import json
facts = [type(row).__module__, type(row).__qualname__, row["NAME"], row[0], row[-1],
         list(row[0:2]), len(row), row.keys(), row == rows[0], row != rows[1],
         hash(row) == hash(rows[0]), [tuple(r) for r in rows]]
try:
    row["missing"]
except IndexError as exc:
    facts.append(str(exc))
print(%r + json.dumps(facts))
""" % MARK)
        self.assertEqual(facts, [
            "sqlite3", "Row", "ann", 1, None, [1, "ann"], 3, ["id", "Name", "email"], True,
            True, True, [[1, "ann", None], [2, "bob", "bob@example.org"]],
            "No item with that key"])

    def test_stdlib_sockets(self):
        self.compare("stdlib_sockets.py")

    def test_stdlib_sockets_behave(self):
        """A socket answers its getters as python's, and whatever would reach a
        socket raises one line."""
        facts = self.probe_program("stdlib_sockets.py", """
import json, socket
facts = [type(tcp).__module__, type(tcp).__qualname__, tcp.family == socket.AF_INET,
         tcp.type == socket.SOCK_STREAM, tcp.gettimeout(), tcp.getsockname(),
         listener.getsockname(), udp6.family == socket.AF_INET6, done.fileno(),
         left.fileno() >= 0, isinstance(left.getpeername(), str)]
for action in (lambda: tcp.connect(("127.0.0.1", 9)), lambda: left.send(b"x"),
               lambda: listener.accept(), lambda: left.close()):
    try:
        action()
    except Exception as exc:
        facts.append(type(exc).__name__ + ": " + str(exc))
try:
    tcp.getpeername()
except OSError as exc:
    facts.append(exc.errno)
print(%r + json.dumps(facts))
""" % MARK)
        self.assertEqual(facts[:11], [
            "socket", "socket", True, True, 2.5, ["0.0.0.0", 0], "fidelity.sock", True, -1,
            True, True])
        self.assertEqual(facts[11:], [
            "DumpedCodeError: %s is a method of socket.socket; a rebuilt socket reaches no "
            "socket of this machine" % name for name in ("connect", "send", "accept", "close")]
            + [107])

    def test_builtin_iterators(self):
        self.compare("builtin_iterators.py")

    def test_builtin_iterators_behave(self):
        """Iterators come back where they were: what is left is what the program
        had left, and a list iterator walks the rebuilt list itself."""
        facts = self.probe_program("builtin_iterators.py", """
import json
facts = [list(cursor), list(backwards), list(digits), list(word), list(plain),
         list(octets), list(spent), list(numbered), list(pairs), list(sizes),
         list(nonzero), type(cursor).__name__, list(counter), list(huge),
         type(counter).__name__, type(huge).__name__]
rows.append("late")
print(%r + json.dumps(facts + [list(iter(rows))[-1]]))
""" % MARK)
        self.assertEqual(facts, [
            [[1, "ann"], [2, "bob"], [3, "cy"]], [[2, "bob"], [1, "ann"], ["id", "name"]],
            [2, 3], ["\u00e9", "l", "l", "o"], ["b", "c"], [121, 122], [],
            [[11, "y"], [12, "z"]], [[2, "b"], [3, "c"]], [2, 3], [2], "list_iterator",
            [13, 16, 19], [2 ** 70 + 2, 2 ** 70 + 3, 2 ** 70 + 4], "range_iterator",
            "longrange_iterator", "late"])

    def test_program_values(self):
        self.compare("program_values.py")

    def test_enum_values(self):
        self.compare("enum_values.py")

    def test_dataclass_values(self):
        self.compare("dataclass_values.py")

    def test_builtin_callables(self):
        self.compare("builtin_callables.py")

    def test_module_level(self):
        self.compare("module_level.py")

    def test_program_metaclasses(self):
        self.compare("program_metaclasses.py")

    def test_program_metaclasses_behave(self):
        """A class keeps its rebuilt metaclass (whose methods stay inert) and
        its own attributes; its instances are its instances."""
        facts = self.probe_program("program_metaclasses.py", """
import json
facts = [isinstance(plugin_class, metaclass), issubclass(plugin_class, base_class),
         type(exporter) is plugin_class, plugin_class.kind, repr(metaclass),
         repr(plugin_class), type(metaclass).__name__, isinstance(store_class, type)]
print(%r + json.dumps(facts))
""" % MARK)
        self.assertEqual(facts, [True, True, True, "export", "<class '__main__.Registry'>",
                                 "<class '__main__.Exporter'>", "type", True])

    def test_program_reprs(self):
        self.compare("program_reprs.py")


if __name__ == "__main__":
    unittest.main()
