"""e2e: crafted dumps cannot hang, crash or flood pyhd-debug; each opens or is refused with one line.

Each dump here is well-formed (it passes the validator) but built to make a
naive reader do too much: keys nested too deep to hash, class chains whose
MRO costs cubic time, keys that all hash alike, exception chains and stacks
far longer than any crash, stand-ins that share their attributes. The
timeouts are generous hang detectors, not speed targets (bench/bench_hostile.py
measures those).
"""

import glob
import os
import struct
import subprocess
import sys
import tarfile
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile_graphs as hg  # noqa: E402
from e2e_util import one_dump  # noqa: E402

RUN = os.environ.get("PYHD_RUN")
DEBUG = os.environ.get("PYHD_DEBUG")
HANG = 60  # seconds: far beyond what any of these takes once bounded

PROGRAM = """
def f(n):
    raise ValueError('bad', n)
f(1)
"""


def run(args, timeout=HANG, cwd=None):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, cwd=cwd, errors="replace")


class HostileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.dir = cls._tmp.name
        cls.good = one_dump(cls.dir, PROGRAM)
        with tarfile.open(cls.good) as tar:
            cls.manifest = tar.extractfile("MANIFEST").read()
            cls.traceback_txt = tar.extractfile("traceback.txt").read()

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def save(self, name, graph, roots, version=1):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(hg.dump_bytes(graph.stream(roots, version), self.manifest,
                                  self.traceback_txt))
        return path

    def refused(self, path, *options):
        """pyhd-debug refuses path with one line and exit 2; returns the message."""
        proc = run([DEBUG, *options, path])
        lines = proc.stderr.splitlines()
        self.assertEqual(proc.returncode, 2, proc.stderr[-2000:])
        self.assertEqual(len(lines), 1, proc.stderr[-2000:])
        prefix = "pyhd-debug: %s: " % path
        self.assertTrue(lines[0].startswith(prefix), lines[0])
        return lines[0][len(prefix):]

    def opens(self, path, *commands):
        """pyhd-debug opens path (header, traceback, commands); returns stdout."""
        args = [DEBUG]
        for command in commands:
            args += ["-c", command]
        proc = run(args + [path])
        self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
        self.assertNotIn("Traceback (most recent call last)", proc.stderr)
        return proc.stdout

    def inspect(self, path, code):
        """Run code inside pyhd-debug (on a good dump) with r = _pyhd.load(path); stdout."""
        script = os.path.join(self.dir, "inspect.py")
        with open(script, "w") as f:
            f.write("import _pyhd\nr = _pyhd.load(%r)\n%s\n" % (path, code))
        # Not left beside the programs the other tests run from self.dir.
        self.addCleanup(os.unlink, script)
        proc = run([DEBUG, "-c", "!exec(open(%r).read(), {})" % script, "-c", "q", self.good])
        self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
        return proc.stdout

    def inspect_values(self, path, code):
        """inspect() with vals, the dump's "values" root, and a first line "STUBS
        [...]": which of them are stand-ins (OpaqueStub), not rebuilt values."""
        return self.inspect(path, (
            "import pyhd_surrogates\n"
            "vals = r['roots']['values']\n"
            "print('STUBS', [isinstance(v, pyhd_surrogates.OpaqueStub) for v in vals])\n"
            + code))

    # -- nesting ----------------------------------------------------------------

    def test_deeply_nested_tuple_as_key_is_kept_unhashed(self):
        # Hashing recurses in C without a check: a million levels overflowed
        # the C stack (SIGSEGV) when the tuple was a dict key or set item.
        g = hg.Graph()
        t = g.tuple([])
        for _ in range(1000000):
            t = g.tuple([t])
        shallow = g.tuple([g.int(1), g.int(2)])
        for _ in range(900):  # within the bound: hashed as usual
            shallow = g.tuple([shallow])
        d = g.dict([(t, g.int(7)), (shallow, g.int(8))])
        s = g.set([t, shallow])
        path = self.save("deep-key.dump", g, {"d": g.list([d, s])})
        out = self.opens(path)
        self.assertIn("The dump has no frame to debug.", out)
        out = self.inspect(path, (
            "d, s = r['roots']['d']\n"
            "keys = sorted(type(k).__name__ for k in d)\n"
            "key = (1, 2)\n"
            "for _ in range(900): key = (key,)\n"
            "print('KEYS', keys, d[key], key in s, len(s))\n"
            "deep = next(k for k in d if type(k).__name__ == 'UnhashableKey')\n"
            "print('DEPTH', type(deep.value).__name__, d[deep])"))
        self.assertIn("KEYS ['UnhashableKey', 'tuple'] 8 True 2", out)
        self.assertIn("DEPTH tuple 7", out)

    def test_deeply_nested_slices_are_refused(self):
        g = hg.Graph()
        none = g.none()
        s = none
        for _ in range(1000000):
            s = g.slice(s, none, none)
        path = self.save("deep-slice.dump", g, {"s": s})
        self.assertRegex(self.refused(path),
                         r"^bad record \d+ \(byte \d+\): SLICE: slices nested more than "
                         r"1000 deep$")

    # -- classes ----------------------------------------------------------------

    def test_deep_class_chain_is_refused(self):
        # 2,000 classes each deriving from the previous: CPython's MRO checks
        # are cubic in the depth (over 100 s).
        g = hg.Graph()
        c = g.klass("C0")
        for i in range(1, 2000):
            c = g.klass("C%d" % i, bases=[c])
        path = self.save("deep-classes.dump", g, {"x": g.instance(c)})
        self.assertRegex(self.refused(path),
                         r"^bad record \d+ \(byte \d+\): CLASS: the classes are too many, deep "
                         r"or wide to rebuild \(this one has 1 bases and about \d+ classes in "
                         r"its MRO\)$")
        # Reports that show stored text do not rebuild the graph at all.
        proc = run([DEBUG, "--print", path])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, self.traceback_txt.decode())
        proc = run([DEBUG, "--info", path])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("Exception-Type: builtins.ValueError\n", proc.stdout)
        proc = run([DEBUG, "--list", self.dir])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("deep-classes.dump", proc.stdout)
        # Thirty chains thirty classes deep stay far inside the bound.
        g = hg.Graph()
        leaves = []
        for chain in range(30):
            c = g.klass("R%d" % chain)
            for i in range(30):
                c = g.klass("C%d_%d" % (chain, i), bases=[c])
            leaves.append(g.instance(c))
        path = self.save("classes.dump", g, {"x": g.list(leaves)})
        out = self.inspect(path, "print('MRO', len(type(r['roots']['x'][0]).__mro__))")
        self.assertIn("MRO 32", out)

    def test_wide_class_is_refused(self):
        g = hg.Graph()
        bases = [g.klass("B%d" % i) for i in range(3000)]
        path = self.save("wide-class.dump", g, {"x": g.instance(g.klass("W", bases=bases))})
        self.assertIn("CLASS: the classes are too many, deep or wide to rebuild (this one has "
                      "3000 bases", self.refused(path))

    # -- keys that hash alike ------------------------------------------------------

    def colliding(self, kind, count):
        # n * (2**61 - 1) all hash to 0 on 64-bit CPython.
        g = hg.Graph()
        keys = [g.bigint(i * (2 ** 61 - 1)) for i in range(1, count + 1)]
        none = g.none()
        if kind == "dict":
            return g, g.dict([(k, none) for k in keys])
        return g, g.set(keys)

    def test_colliding_keys_are_refused(self):
        # 40,000 int keys of one hash took 35 to 55 s (each insertion compares
        # with all the earlier ones).
        for kind in ("dict", "set"):
            with self.subTest(kind=kind):
                g, container = self.colliding(kind, 40000)
                path = self.save("collide-%s.dump" % kind, g, {"c": container})
                self.assertRegex(self.refused(path),
                                 r"^bad record \d+ \(byte \d+\): %s: more than 100 keys with "
                                 r"one hash value \(a hash flood\)$" % kind.upper())

        # A hundred keys of one hash are within the bound.
        g, container = self.colliding("dict", 100)
        path = self.save("collide-few.dump", g, {"c": container})
        out = self.inspect(path, "print('LEN', len(r['roots']['c']))")
        self.assertIn("LEN 100", out)

    # -- long chains ----------------------------------------------------------------

    def test_long_exception_chain_opens(self):
        # Walking the chain compared each exception with every earlier one.
        g = hg.Graph()
        cls = g.klass("ValueError", "builtins", flags=hg.CLASS_STDLIB | hg.CLASS_EXCEPTION)
        args = g.tuple([])
        exc = 0
        for _ in range(80000):
            exc = g.exception(cls, args, context=exc)
        path = self.save("chain.dump", g, {"exception": exc})
        out = self.opens(path)
        self.assertIn("note: the exception chain holds 80000 exceptions; the 79000 oldest are "
                      "left out (pyhd-debug shows at most 1000)", out)
        self.assertEqual(out.count("During handling of the above exception"), 999)

    def frames_graph(self, g, count, line=3):
        """A CODE and count chained FRAMEs (outermost first); returns the frames."""
        s = g.str
        code = g.add(hg.CODE, g.refs([s(os.path.join(self.dir, "prog.py")), s("f"), s("f")])
                     + b"\x01\x00\x00\x00\x03" + g.refs([g.tuple([])] * 3))
        glob_ = g.dict([])
        frames, back = [], 0
        for _ in range(count):
            back = g.add(hg.FRAME, g.ref(code) + b"".join(hg.svarint(v) for v in
                                                          (line, line, 4, 28))
                         + g.ref(0) + g.ref(glob_) + g.ref(0) + g.ref(back))
            frames.append(back)
        return frames

    def traceback_of(self, g, frames, line=3):
        tb = 0
        for frame in reversed(frames):
            tb = g.add(hg.TRACEBACK, g.ref(frame) + b"".join(hg.svarint(v) for v in
                                                              (line, line, 4, 28)) + g.ref(tb))
        return tb

    def test_deep_stack_is_cut_in_the_middle(self):
        g = hg.Graph()
        cls = g.klass("RecursionError", "builtins",
                      flags=hg.CLASS_STDLIB | hg.CLASS_EXCEPTION)
        frames = self.frames_graph(g, 100000)
        exc = g.exception(cls, g.tuple([]), tb=self.traceback_of(g, frames))
        path = self.save("deep-stack.dump", g, {"exception": exc})
        out = self.opens(path, "where 1", "q")
        self.assertIn("note: a stack of 100000 frames; the 90000 between the outermost 1000 "
                      "and the innermost 9000 are left out", out)
        self.assertIn("raise ValueError('bad', n)", out)

    def test_many_tracebacks_are_bounded(self):
        g = hg.Graph()
        cls = g.klass("ValueError", "builtins", flags=hg.CLASS_STDLIB | hg.CLASS_EXCEPTION)
        args = g.tuple([])
        exc = 0
        for _ in range(3000):
            exc = g.exception(cls, args, context=exc,
                              tb=self.traceback_of(g, self.frames_graph(g, 1)))
        path = self.save("tracebacks.dump", g, {"exception": exc})
        out = self.opens(path, "q")
        self.assertIn("note: 2000 exceptions keep no traceback: pyhd-debug rebuilds at most "
                      "1000 tracebacks", out)
        self.assertIn("note: the exception chain holds 3000 exceptions; the 2000 oldest", out)

    # -- printing -------------------------------------------------------------------

    def test_shared_stand_ins_print_in_linear_time(self):
        # n = Node(n, n) thirty times: a billion paths, printed whole before
        # being cut, for each attribute.
        g = hg.Graph()
        node = g.klass("Node")
        a, b = g.str("a"), g.str("b")
        n = g.none()
        for _ in range(30):
            n = g.instance(node, g.dict([(a, n), (b, n)]))
        path = self.save("shared.dump", g, {"n": n})
        out = self.inspect(path, "n = r['roots']['n']\nprint('REPR', repr(n))\n"
                                 "print('LIST', repr([n, n]))")
        line = next(l for l in out.splitlines() if l.startswith("REPR "))
        self.assertTrue(line.startswith("REPR <rebuilt Node a=<rebuilt Node a=<rebuilt Node "),
                        line)
        # b is the same object as a, already shown in this line.
        self.assertTrue(line.endswith("... b=<rebuilt Node ...>>"), line[-200:])
        self.assertLess(len(line), 1000)

    def test_shared_objects_from_a_real_program(self):
        with open(os.path.join(self.dir, "nodes.py"), "w") as f:
            f.write("class Node:\n"
                    "    def __init__(self, a, b):\n"
                    "        self.a, self.b = a, b\n"
                    "n = None\n"
                    "for i in range(30):\n"
                    "    n = Node(n, n)\n"
                    "raise ValueError(len(vars(n)))\n")
        for old in glob.glob(os.path.join(self.dir, "pyhd-nodes-*.dump")):
            os.unlink(old)
        run([RUN, "nodes.py"], cwd=self.dir, timeout=120)
        path, = glob.glob(os.path.join(self.dir, "pyhd-nodes-*.dump"))
        out = self.opens(path, "p n", "p n.a.b", "q")
        self.assertIn("<rebuilt Node a=<rebuilt Node a=", out)
        self.assertIn("b=<rebuilt Node ...>>", out)

    # -- sizes --------------------------------------------------------------------------

    def test_zero_filled_buffer_opens(self):
        # bytes(300000) compresses about 1000:1: the fixed 64:1 bound refused it.
        with open(os.path.join(self.dir, "zeros.py"), "w") as f:
            f.write("def f():\n    buf = bytes(300000)\n    raise ValueError(len(buf))\nf()\n")
        for old in glob.glob(os.path.join(self.dir, "pyhd-zeros-*.dump")):
            os.unlink(old)
        run([RUN, "zeros.py"], cwd=self.dir, timeout=120)
        path, = glob.glob(os.path.join(self.dir, "pyhd-zeros-*.dump"))
        out = self.opens(path, "p len(buf), buf.count(0)", "q")
        self.assertIn("(300000, 300000)", out)

    def test_program_module_shadowing_the_printers_imports(self):
        # 3.14's traceback module imports dataclasses and inspect: a program's
        # own inspect.py that fails to import broke the dump's traceback.txt
        # ("no dump"); python itself falls back to its C printer, so does pyhd.
        with tempfile.TemporaryDirectory() as where:
            with open(os.path.join(where, "inspect.py"), "w") as f:
                f.write("raise ImportError('not the stdlib inspect')\n")
            with open(os.path.join(where, "shadow.py"), "w") as f:
                f.write("def f():\n    marker = 17\n    raise ValueError('shadowed')\nf()\n")
            proc = run([RUN, "shadow.py"], cwd=where, timeout=120)
            self.assertEqual(proc.returncode, 1, proc.stderr)
            self.assertIn("ValueError: shadowed", proc.stderr)
            self.assertIn("pyhd: dump written to", proc.stderr)
            path, = glob.glob(os.path.join(where, "pyhd-shadow-*.dump"))
            with tarfile.open(path) as tar:
                text = tar.extractfile("traceback.txt").read().decode()
            self.assertRegex(text, r'^Traceback \(most recent call last\):\n'
                                   r'  File ".*shadow\.py", line 4, in <module>\n')
            self.assertIn("line 3, in f\n", text)
            self.assertTrue(text.rstrip().endswith("ValueError: shadowed"), text)
            out = self.opens(path, "p marker", "q")
            self.assertIn("17", out)

    def test_graph_larger_than_declared_is_refused(self):
        g = hg.Graph()
        stream = g.stream({"x": g.bytes_(bytes(200000))})
        graph_z = __import__("zlib").compress(stream, 9)
        manifest = hg.manifest_with(self.manifest, Graph_Size=len(stream) - 1)
        path = os.path.join(self.dir, "lying-size.dump")
        with open(path, "wb") as f:
            f.write(hg.tar([("MANIFEST", manifest), ("traceback.txt", self.traceback_txt),
                            ("graph.z", graph_z)]))
        self.assertEqual(self.refused(path), "graph.z inflates past %d bytes (%d compressed): "
                         "refusing it" % (len(stream) - 1, len(graph_z)))
        manifest = hg.manifest_with(self.manifest, Graph_Size="12x")
        with open(path, "wb") as f:
            f.write(hg.tar([("MANIFEST", manifest), ("traceback.txt", self.traceback_txt),
                            ("graph.z", graph_z)]))
        self.assertEqual(self.refused(path), "bad MANIFEST: Graph-Size is not a byte count")

    def test_many_thread_stacks_are_bounded(self):
        # Each thread's stack is rebuilt by a thread of its own: 3,000 of them
        # for --threads took many seconds.
        g = hg.Graph()
        frames = self.frames_graph(g, 1)
        for i in range(3000):
            g.meta.append((hg.THREAD, hg.varint(i + 1) + b"\x00" + hg.text("T%d" % i)
                           + b"\x00" + g.ref(frames[0])))
        path = self.save("thread-stacks.dump", g, {})
        proc = run([DEBUG, "--threads", path])
        self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
        self.assertEqual(proc.stdout.count("Stack (most recent call last):"), 1000)
        self.assertEqual(proc.stdout.count("(stack not rebuilt: pyhd-debug rebuilds at most "
                                           "1000 threads' stacks)"), 2000)

    def test_builtin_functions_a_dump_names_stay_inert(self):
        # A builtin function is bound only to a rebuilt non-module self, through
        # the C method its builtin type defines: never a module's own function
        # (the dumped builtins module is this interpreter's), and names past the
        # cap of the table of names become FunctionStubs, not memory.
        g = hg.Graph()
        builtins_module, items = g.module("builtins"), g.list([g.int(1)])
        builtins_name = g.str("builtins")
        named = [g.builtin_function(g.str(n), builtins_name, builtins_module)
                 for n in ("__init__", "__setattr__", "exec", "a\x00b")]
        named.append(g.builtin_function(g.str("append"), 0, items))
        named.append(g.builtin_function(g.str("getpid"), g.int(1), 0))
        many = g.list([g.builtin_function(g.str("f%d" % i), builtins_name, 0)
                       for i in range(5000)])
        path = self.save("builtins.dump", g, {"named": g.list(named), "many": many}, version=2)
        out = self.inspect(path, (
            "import builtins\n"
            "named, many = r['roots']['named'], r['roots']['many']\n"
            "def call(f, *args):\n"
            "    try:\n"
            "        f(*args)\n"
            "    except TypeError as e:\n"
            "        return type(e).__name__\n"
            "    return 'ran'\n"
            "print('NAMED', [type(f).__name__ for f in named])\n"
            "print('CALLS', [call(f, 'x') for f in named[:3]], builtins.__name__)\n"
            "print('BOUND', list(named[4].__self__), call(named[4], 2), named[4].__self__)\n"
            "kinds = [type(f).__name__ for f in many]\n"
            "print('MANY', kinds[0], kinds[-1], len(set(kinds)))"))
        self.assertIn("NAMED ['builtin_function_or_method', 'builtin_function_or_method', "
                      "'builtin_function_or_method', 'FunctionStub', "
                      "'builtin_function_or_method', 'FunctionStub']", out)
        self.assertIn("CALLS ['DumpedCodeError', 'DumpedCodeError', 'DumpedCodeError'] builtins",
                      out)
        self.assertIn("BOUND [1] ran [1, 2]", out)
        self.assertIn("MANY builtin_function_or_method FunctionStub 2", out)

    def test_crafted_memory_files_and_elements_load(self):
        # REDUCED StringIO, BytesIO, XML element, Random and iterator records whose arguments no
        # program's could hold (wrong types, negative or huge positions, a
        # newline python refuses, an element among its own children) load:
        # each is a real one or a stand-in saying why, and nothing else fails.
        g = hg.Graph()
        none, true, false = g.none(), g.add(0x03), g.add(0x02)
        text, data, tag = g.str("abc"), g.bytes_(b"abc"), g.str("e")
        values = [
            g.reduced("_io", "StringIO", [text, none, g.int(1), false]),
            g.reduced("_io", "StringIO", [text, g.str("x"), g.int(0), false]),
            g.reduced("_io", "StringIO", [text, none, g.int(-5), false]),
            g.reduced("_io", "StringIO", [text, none, g.bigint(2 ** 80), false]),
            g.reduced("_io", "StringIO", [data, none, g.int(0), false]),
            g.reduced("_io", "StringIO", [text]),
            g.reduced("_io", "BytesIO", [data, g.int(2), false]),
            g.reduced("_io", "BytesIO", [data, g.int(-1), false]),
            g.reduced("_io", "BytesIO", [text, g.int(0), true]),
        ]
        # An element whose children list holds itself and a str; one whose
        # attrib is a list.
        children = g.list([])
        element = g.reduced("xml.etree.ElementTree", "Element",
                            [tag, g.dict([(g.str("k"), text)]), text, none, children])
        g.records[children - 1] = (hg.LIST, hg.varint(2) + hg.varint(2)
                                   + g.refs([element, text]))
        values.append(element)
        values.append(g.reduced("xml.etree.ElementTree", "Element",
                                [g.int(3), g.list([text]), g.int(4), none, g.list([])]))
        # A generator state of the wrong length, and one with a str for gauss_next.
        values.append(g.reduced("random", "Random", [g.tuple([g.int(1)] * 3), none]))
        values.append(g.reduced("random", "Random",
                                [g.tuple([g.int(5)] * 624 + [g.int(624)]), text]))
        # An iterator over a dict, and one at an index no list reaches.
        values.append(g.reduced("builtins", "list_iterator", [g.dict([]), g.int(0)]))
        values.append(g.reduced("builtins", "list_iterator",
                                [g.list([text]), g.bigint(2 ** 80)]))
        path = self.save("memfiles.dump", g, {"values": g.list(values)})
        out = self.inspect(path, (
            "import io, xml.etree.ElementTree as ET\n"
            "vals = r['roots']['values']\n"
            "import random\n"
            "real = (io.StringIO, io.BytesIO, ET.Element, random.Random, type(iter([])))\n"
            "print('REAL', [type(v) in real for v in vals])\n"
            "print('FIRST', vals[0].getvalue(), vals[0].tell(), vals[6].read())\n"
            "e = vals[9]\n"
            "print('ELEMENT', e.tag, e.attrib, len(e), [x.tag for x in e.iter()])\n"
            "print('ODD', vals[10].tag, vals[10].attrib, vals[10].text)\n"
            "print('ITER', list(vals[14]))"))
        self.assertIn("REAL [True, False, False, False, False, False, True, False, False, "
                      "True, True, False, False, False, True]", out)
        self.assertIn("ITER ['abc']", out)
        self.assertIn("FIRST abc 1 b'c'", out)
        self.assertIn("ELEMENT e {'k': 'abc'} 0 ['e']", out)
        self.assertIn("ODD 3 {} 4", out)

    def test_crafted_datetimes_load(self):
        # DATETIME records (format version 3) no program could write: fields
        # out of range for their class, a year past any C int, a tzinfo that is
        # no tzinfo or is the value itself, a class that is no datetime class.
        # Each is a real value or a stand-in saying why; nothing else fails.
        g = hg.Graph()
        utc = g.reduced("datetime", "timezone",
                        [g.reduced("datetime", "timedelta", [g.int(0), g.int(0), g.int(0)])])
        values = [
            g.datetime("datetime", "datetime", 2020, 1, 2, 3, 4, 5, 6, fold=1, tzinfo=utc),
            g.datetime("datetime", "date", 2021, 2, 29),
            g.datetime("datetime", "datetime", 0, 1, 1),
            g.datetime("datetime", "datetime", 2 ** 40, 1, 1),
            g.datetime("datetime", "time", hour=1, microsecond=10 ** 6),
            g.datetime("datetime", "time", hour=1, tzinfo=g.list([g.int(1)])),
            g.datetime("builtins", "dict", 2020, 1, 1),
            g.datetime("__main__", "Stamp", 2020, 1, 1),
            g.datetime("datetime", "date", 2024, 2, 29, hour=5),
        ]
        path = self.save("datetimes.dump", g, {"values": g.list(values)}, version=3)
        out = self.inspect(path, (
            "vals = r['roots']['values']\n"
            "print('TYPES', [type(v).__name__ for v in vals])\n"
            "print('FIRST', repr(vals[0]), vals[0].fold)\n"
            "print('LEAP', repr(vals[8]))\n"
            "import datetime\n"
            "real = (datetime.date, datetime.time, datetime.datetime)\n"
            "print('REAL', [type(v) in real for v in vals])\n"
            "for v in vals[1:8]: print('STANDIN', repr(v))"))
        self.assertIn("TYPES ['datetime', 'date', 'datetime', 'datetime', 'time', 'time', "
                      "'dict', 'Stamp', 'date']", out)
        self.assertIn("FIRST datetime.datetime(2020, 1, 2, 3, 4, 5, 6, fold=1, "
                      "tzinfo=datetime.timezone.utc) 1", out)
        # A date's time fields are not its own: the date is made of the rest.
        self.assertIn("LEAP datetime.date(2024, 2, 29)", out)
        self.assertIn("REAL [True, False, False, False, False, True, False, False, True]", out)
        # (The constructors' messages differ between Python versions.)
        for why in (r"datetime\.date \(cannot rebuild: day .*month.*\)",
                    r"datetime\.datetime \(cannot rebuild: year .*\)",
                    r"datetime\.datetime \(cannot rebuild: signed integer is greater .*\)",
                    r"datetime\.time \(cannot rebuild: microsecond must be in 0\.\.999999.*\)",
                    r"dict \(not a value pyhd rebuilds\)",
                    r"__main__\.Stamp \(not a value pyhd rebuilds\)"):
            self.assertRegex(out, r"STANDIN <opaque %s, 0 bytes>\n" % why)
        # A tzinfo that is no tzinfo is kept, wrapped, as for version 2's REDUCED records.
        self.assertIn("STANDIN datetime.time(1, 0, tzinfo=[1])", out)

    def test_crafted_datetime_subclasses_load(self):
        # SUBCLASS records with a DATETIME base (version 3): of a program's class
        # deriving from date, of a class deriving from nothing, of a program's
        # date subclass whose base record names datetime (not date), and
        # with a day past its month. Each is a value, a stand-in or the plain value.
        g = hg.Graph()
        date_cls = g.klass("date", "datetime", flags=hg.CLASS_STDLIB)
        mine = g.klass("MyDate", bases=[date_cls],
                       attrs=g.dict([(g.str("__module__"), g.str("__main__"))]))
        plain = g.klass("Plain")
        attrs = g.dict([(g.str("label"), g.str("x"))])
        values = [g.datetime_subclass(mine, "datetime", "date", 2020, 1, 2, attrs=attrs),
                  g.datetime_subclass(plain, "datetime", "date", 2020, 1, 2),
                  g.datetime_subclass(mine, "datetime", "datetime", 2020, 1, 2),
                  g.datetime_subclass(mine, "datetime", "date", 2021, 2, 30)]
        path = self.save("dtsub.dump", g, {"values": g.list(values)}, version=3)
        out = self.inspect(path, (
            "vals = r['roots']['values']\n"
            "print('TYPES', [type(v).__qualname__ for v in vals])\n"
            "print('REPRS', [repr(v) for v in vals[:3]])\n"
            "print('LABEL', vals[0].label)\n"
            "print('LAST', repr(vals[3]))"))
        self.assertIn("TYPES ['MyDate', 'date', 'datetime', 'date']", out)
        self.assertIn("REPRS ['MyDate(2020, 1, 2)', 'datetime.date(2020, 1, 2)', "
                      "'datetime.datetime(2020, 1, 2, 0, 0)']", out)
        self.assertIn("LABEL x", out)
        self.assertRegex(out, r"LAST <opaque datetime\.date \(cannot rebuild: day .*\), 0 bytes>")

    def test_datetime_subclass_of_another_layout_is_not_made(self):
        # A SUBCLASS record whose class derives from the value's C type through
        # another C type of its own layout (datetime.datetime, or a program's
        # subclass of it, over a date; the fuzzer's find): date's constructor
        # would fill a datetime's memory as a date's and leave its time zone
        # flag unset, which its repr then reads. The plain value is kept.
        g = hg.Graph()
        datetime_cls = g.klass("datetime", "datetime", flags=hg.CLASS_STDLIB)
        mine = g.klass("MyStamp", bases=[datetime_cls])
        values = [g.datetime_subclass(datetime_cls, "datetime", "date", 2020, 1, 2),
                  g.datetime_subclass(mine, "datetime", "date", 2020, 1, 2),
                  g.datetime_subclass(datetime_cls, "datetime", "time")]
        path = self.save("dtlayout.dump", g, {"values": g.list(values)}, version=3)
        out = self.inspect(path, (
            "vals = r['roots']['values']\n"
            "import gc; gc.collect()\n"
            "print('TYPES', [type(v).__qualname__ for v in vals])\n"
            "print('REPRS', [repr(v) for v in vals])"))
        self.assertIn("TYPES ['date', 'date', 'time']", out)
        self.assertIn("REPRS ['datetime.date(2020, 1, 2)', 'datetime.date(2020, 1, 2)', "
                      "'datetime.time(0, 0)']", out)

    def test_datetime_base_in_a_version_2_stream_is_refused(self):
        g = hg.Graph()
        value = g.datetime_subclass(g.klass("MyDate"), "datetime", "date", 2020, 1, 2)
        path = self.save("dtsub2.dump", g, {"value": value}, version=2)
        self.assertIn("base kind 0x27 (DATETIME) cannot be subclassed", self.refused(path))

    def test_datetime_that_is_its_own_tzinfo_is_refused(self):
        g = hg.Graph()
        value = g.datetime("datetime", "datetime", 2020, 1, 1)
        payload = g.records[value - 1][1]
        g.records[value - 1] = (hg.DATETIME, payload[:-1] + g.ref(value))
        path = self.save("selfish.dump", g, {"value": value}, version=3)
        self.assertIn("DATETIME: a cycle of immutable objects", self.refused(path))

    def test_datetime_fields_out_of_their_range_refuse_the_dump(self):
        # The u8 fields have their range in the format (month 12, second 59,
        # fold 1): a record past it is a damaged dump, refused with one line.
        g = hg.Graph()
        value = g.datetime("datetime", "date", 2020, 13, 1)
        path = self.save("month13.dump", g, {"value": value}, version=3)
        self.assertIn("month 13 unknown", self.refused(path))

    def test_crafted_lru_caches_load(self):
        # REDUCED lru_cache wrappers whose arguments no program's could hold (a
        # function that is no callable, a maxsize no C size holds, counts of the
        # wrong type, too few arguments, a __dict__ that is a list or has a key
        # that is no str) load: each is a real wrapper or a stand-in, and nothing
        # else fails.
        g = hg.Graph()
        none, false = g.none(), g.add(0x02)
        func = g.builtin_function(g.str("len"), g.str("builtins"), 0)
        attrs = g.dict([(g.str("__name__"), g.str("memo")), (g.int(5), g.str("odd"))])

        def lru(*args):
            return g.reduced("functools", "_lru_cache_wrapper", list(args))
        zero = g.int(0)
        values = [
            lru(func, g.int(8), false, g.int(2), g.int(3), g.int(1), attrs),
            lru(g.int(7), g.int(8), false, zero, zero, zero, none),
            lru(func, g.str("8"), false, zero, zero, zero, none),
            lru(func, g.bigint(2 ** 80), false, zero, zero, zero, none),
            lru(func, none, false, g.str("2"), zero, zero, none),
            lru(func, none, false),
            lru(func, none, false, zero, zero, zero, g.list([g.str("x")])),
        ]
        path = self.save("caches.dump", g, {"values": g.list(values)})
        out = self.inspect(path, (
            "import functools\n"
            "vals = r['roots']['values']\n"
            "print('REAL', [type(v) is functools._lru_cache_wrapper for v in vals])\n"
            "print('FIRST', vals[0].cache_info(), vals[0].__name__, vals[0]('abc'))\n"
            "print('PLAIN', vals[6].cache_info(), vals[6]('xy'))"))
        self.assertIn("REAL [True, False, False, False, False, False, True]", out)
        self.assertIn("FIRST CacheInfo(hits=2, misses=3, maxsize=8, currsize=1) memo 3", out)
        self.assertIn("PLAIN CacheInfo(hits=0, misses=0, maxsize=None, currsize=0) 2", out)

    def test_crafted_contexts_load(self):
        # REDUCED ContextVars and Contexts no program could hold (a name that is
        # no str, pairs that are no (ContextVar, value), a Context of a str) and a
        # THREAD whose context holds them load: real ones or stand-ins; entering
        # the thread's context sets only real variables.
        g = hg.Graph()
        name = g.str("rid")
        var = g.reduced("_contextvars", "ContextVar", [name, g.str("default")])
        bare = g.reduced("_contextvars", "ContextVar", [name])
        odd = g.reduced("_contextvars", "ContextVar", [g.int(3)])
        ctx = g.reduced("_contextvars", "Context", [g.tuple([
            g.tuple([var, g.str("v1")]), g.tuple([g.int(1), g.str("x")]), g.str("loose"),
            g.tuple([bare]), g.tuple([odd, g.str("y")])])])
        plain = g.reduced("_contextvars", "Context", [g.str("x")])
        g.meta.append((hg.THREAD, hg.varint(1) + b"\x00" + hg.text("MainThread")
                       + bytes([0x0C]) + g.ref(0) + g.ref(ctx)))
        path = self.save("contexts.dump", g,
                         {"values": g.list([var, bare, odd, ctx, plain])}, version=2)
        out = self.inspect(path, (
            "import contextvars\n"
            "from pyhd_debug.model import enter_dumped_context\n"
            "vals = r['roots']['values']\n"
            "real = (contextvars.ContextVar, contextvars.Context)\n"
            "print('REAL', [type(v) in real for v in vals])\n"
            "print('ITEMS', [(v.name, x) for v, x in vals[3].items()], len(vals[4]))\n"
            "print('BEFORE', vals[0].get(), vals[1].get('unset'))\n"
            "enter_dumped_context(r['threads'])\n"
            "print('AFTER', vals[0].get(), vals[1].get('unset'))"))
        self.assertIn("REAL [True, True, False, True, True]", out)
        self.assertIn("ITEMS [('rid', 'v1')] 0", out)
        self.assertIn("BEFORE default unset", out)
        self.assertIn("AFTER v1 unset", out)

    def test_crafted_symtable_entries_load(self):
        # Symtable entries (a by-name look-alike) whose members no python's could
        # hold (a name that is no str, children that are no list, too few) load
        # as stand-ins; a well-formed one, among its own children, loads.
        g = hg.Graph()

        def entry(name, children, *more):
            return g.reduced("builtins", "symtable entry",
                             [g.int(7), name, g.dict([(g.str("x"), g.int(2))]),
                              g.list([]), children, g.int(0), g.int(2), g.int(1), *more][:8])
        kids = g.list([])
        good = entry(g.str("top"), kids)
        g.records[kids - 1] = (hg.LIST, hg.varint(1) + hg.varint(1) + g.refs([good]))
        values = [good, entry(g.int(5), g.list([])), entry(g.str("f"), g.str("no list")),
                  g.reduced("builtins", "symtable entry", [g.int(1), g.str("f")])]
        path = self.save("symtables.dump", g, {"values": g.list(values)})
        out = self.inspect_values(
            path, "print('GOOD', repr(vals[0]), vals[0].children[0] is vals[0], vals[0].symbols)")
        self.assertIn("STUBS [False, True, True, True]", out)
        self.assertIn("GOOD <symtable entry top(7), line 1> True {'x': 2}", out)

    def test_crafted_range_iterators_load(self):
        # Range iterators over no range, or at an index past any range, load as a
        # stand-in or a real iterator clamped to its range.
        g = hg.Graph()
        rng = g.add(0x12, g.refs([g.int(0), g.int(5), g.int(1)]))
        values = [
            g.reduced("builtins", "range_iterator", [rng, g.int(2)]),
            g.reduced("builtins", "range_iterator", [g.list([g.int(1)]), g.int(0)]),
            g.reduced("builtins", "range_iterator", [rng, g.bigint(2 ** 80)]),
            g.reduced("builtins", "longrange_iterator", [rng, g.int(-3)]),
        ]
        path = self.save("ranges.dump", g, {"values": g.list(values)})
        out = self.inspect_values(
            path, "print('LEFT', list(vals[0]))")
        self.assertIn("STUBS [False, True, True, False]", out)
        self.assertIn("LEFT [2, 3, 4]", out)

    def test_crafted_sqlite_rows_load(self):
        # sqlite3.Row look-alikes whose values are no tuple or whose column names
        # are no str load as stand-ins; a row with no description has no keys.
        g = hg.Graph()
        none = g.none()
        values = [
            g.reduced("sqlite3", "Row", [g.tuple([g.int(1)]), g.tuple([g.str("A")])]),
            g.reduced("sqlite3", "Row", [g.tuple([g.int(1)]), none]),
            g.reduced("sqlite3", "Row", [g.list([g.int(1)]), none]),
            g.reduced("sqlite3", "Row", [g.tuple([]), g.tuple([g.int(3)])]),
        ]
        path = self.save("rows.dump", g, {"values": g.list(values)})
        out = self.inspect_values(
            path, "print('ROWS', vals[0]['a'], vals[1].keys(), list(vals[1]))")
        self.assertIn("STUBS [False, False, True, True]", out)
        self.assertIn("ROWS 1 [] [1]", out)

    def test_crafted_sockets_load(self):
        # socket.socket look-alikes: a well-formed one answers its getters; fields
        # of the wrong type or past a C int, or an address of no known shape, load
        # as stand-ins; nothing reaches a socket.
        g = hg.Graph()
        none, true, false = g.none(), g.add(0x03), g.add(0x02)
        f = g.add(hg.FLOAT, struct.pack("<d", 1.5))

        def sock(fd, closed=false, laddr=None, timeout=None):
            return g.reduced("socket", "socket", [
                fd, g.int(2), g.int(1), g.int(0), closed,
                laddr if laddr is not None else none, none,
                timeout if timeout is not None else none])
        values = [
            sock(g.int(7), laddr=g.tuple([g.str("10.0.0.1"), g.int(80)]), timeout=f),
            sock(g.str("7")),
            sock(g.int(2 ** 40)),
            sock(g.int(3), laddr=g.tuple([g.int(1), g.int(2)])),
            sock(g.int(-1), closed=true),
            sock(g.int(4), closed=g.int(1)),
        ]
        path = self.save("sockets.dump", g, {"values": g.list(values)})
        out = self.inspect_values(path, (
            "print('SOCK', repr(vals[0]), vals[0].getsockname(), vals[0].gettimeout(), "
            "repr(vals[4]))\n"
            "try:\n"
            "    vals[0].sendall(b'x')\n"
            "except Exception as exc:\n"
            "    print('SEND', type(exc).__name__)\n"))
        self.assertIn("STUBS [False, True, True, True, False, True]", out)
        # (Before 3.11, %s of an IntEnum is its name, as python 3.10 prints it too.)
        fields = ("family=2, type=1" if sys.version_info >= (3, 11) else
                  "family=AddressFamily.AF_INET, type=SocketKind.SOCK_STREAM")
        self.assertIn("SOCK <socket.socket fd=7, %s, proto=0, laddr=('10.0.0.1', 80)> "
                      "('10.0.0.1', 80) 1.5 <socket.socket [closed] fd=-1, %s, proto=0>"
                      % (fields, fields), out)
        self.assertIn("SEND DumpedCodeError", out)

    def test_very_long_names(self):
        # A name of two million characters compresses a thousand to one: the
        # fixed 64:1 inflate bound refused the dump.
        g = hg.Graph()
        cls = g.klass("N" * 2000000, module="M" * 1000)
        path = self.save("names.dump", g, {"x": g.instance(cls)})
        out = self.inspect(path, "print('NAME', len(type(r['roots']['x']).__name__))")
        self.assertIn("NAME 2000000", out)

    def test_file_name_no_system_can_open(self):
        # A frame's file name with a NUL made linecache's os.stat raise out of
        # the traceback printer: a Python traceback instead of the debugger.
        g = hg.Graph()
        cls = g.klass("ValueError", "builtins", flags=hg.CLASS_STDLIB | hg.CLASS_EXCEPTION)
        s = g.str
        code = g.add(hg.CODE, g.refs([s("/tmp/a\0b.py"), s("f"), s("f")])
                     + b"\x01\x00\x00\x00\x03" + g.refs([g.tuple([])] * 3))
        frame = g.add(hg.FRAME, g.ref(code) + b"".join(hg.svarint(v) for v in (1, 1, 0, 1))
                      + g.ref(0) + g.ref(g.dict([])) + g.ref(0) + g.ref(0))
        tb = self.traceback_of(g, [frame], line=1)
        path = self.save("nul-name.dump", g, {"exception": g.exception(cls, g.tuple([]),
                                                                         tb=tb)})
        out = self.opens(path, "where", "q")
        # (The NUL itself reaches the output raw or escaped, as the terminal policy says.)
        self.assertRegex(out, r'File "/tmp/a(\x00|\\x00|\\0|\^@)b\.py", line 1, in f')


if __name__ == "__main__":
    if not RUN or not DEBUG:
        sys.exit("PYHD_RUN and PYHD_DEBUG must name the executables")
    unittest.main()
