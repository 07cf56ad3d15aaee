"""test_graph.py: the object graph a real pyhd-run crash writes, read back with graphread."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graphread  # noqa: E402
from e2e_util import clean_env, dumps_in, run_pyhd, write_program  # noqa: E402

PYTHON = os.environ["PYHD_PYTHON"]


class GraphTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-graph-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def crash(self, source, args=(), **env):
        """Run source under pyhd-run; it must fail and leave one dump. Returns (graph, path)."""
        script = write_program(os.path.join(self.dir, "prog.py"), source)
        p, _ = run_pyhd([script, *args], self.dir, env=clean_env(**env), timeout=500)
        self.assertNotEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        dumps = dumps_in(self.dir)
        self.assertEqual(len(dumps), 1, p.stderr.decode(errors="replace"))
        return graphread.read_archive(dumps[0]), dumps[0]

    def test_cycles_and_shared_references(self):
        g, _ = self.crash("""
            def f():
                selfish = [1]
                selfish.append(selfish)
                inner = []
                outer = (inner, 'x')
                inner.append(outer)
                shared = {'k': 1}
                pair = [shared, shared]
                raise RuntimeError('cycles')
            f()
            """)
        loc = g.innermost_locals()
        self.assertEqual(g[loc["selfish"]].f["items"][1], loc["selfish"])
        self.assertEqual(g[loc["inner"]].f["items"], [loc["outer"]])
        self.assertEqual(g[loc["outer"]].f["items"][0], loc["inner"])
        self.assertEqual(g[loc["pair"]].f["items"], [loc["shared"], loc["shared"]])

    def test_deep_linked_list(self):
        """A million nested nodes: pickle raises RecursionError, the walker does not."""
        g, _ = self.crash("""
            import pickle
            class Node:
                __slots__ = ('value', 'next')
            def build():
                head = None
                for i in range(1000000):
                    n = Node(); n.value = i; n.next = head; head = n
                nested = None
                for i in range(1000000):
                    nested = [i, nested]
                try:
                    pickle.dumps(nested)
                except RecursionError:
                    pickled = False
                raise ValueError('deep')
            build()
            """)
        loc = g.innermost_locals()
        self.assertEqual(g.value(loc["pickled"]), False)
        count, node, last = 0, loc["head"], None
        while g.kind(node) == "INSTANCE":
            slots = g.slots(node)
            last = g.value(slots["value"])
            count += 1
            node = slots["next"]
        self.assertEqual(count, 1000000)
        self.assertEqual(last, 0)
        count, node = 0, loc["nested"]
        while g.kind(node) == "LIST":
            count += 1
            node = g[node].f["items"][1]
        self.assertEqual(count, 1000000)

    def test_huge_string_cut_and_recorded(self):
        g, path = self.crash("""
            def f():
                huge = 'ab' * 600000
                blob = b'z' * 3000000
                raise MemoryError('big')
            f()
            """, PYHD_MAX_STRING="1024")
        loc = g.innermost_locals()
        s = g[loc["huge"]].f
        self.assertEqual((s["length"], s["stored"]), (1200000, 1024))
        self.assertEqual(s["value"], "ab" * 512)
        b = g[loc["blob"]].f
        self.assertEqual((b["length"], b["stored"]), (3000000, 1024))
        manifest = graphread.read_manifest(path)
        self.assertGreaterEqual(int(manifest["Truncated-Objects"]), 2)

    def test_total_budget(self):
        """Past --max-size every queued object is a TRUNCATED record; the exception survives."""
        g, path = self.crash("""
            def f():
                rows = [['row', i, float(i)] for i in range(50000)]
                raise IndexError('budget')
            f()
            """, PYHD_MAX_SIZE="65536")
        exc = g[g.roots["exception"]]
        self.assertEqual(exc.kind_name, "EXCEPTION")
        self.assertEqual(g.class_name(exc.id), "builtins.IndexError")
        truncated = g.by_kind("TRUNCATED")
        self.assertGreater(len(truncated), 1000)
        # Classes are still written in full, so each TRUNCATED record names its class.
        self.assertTrue(all(g.kind(r.f["cls"]) == "CLASS" for r in truncated))
        self.assertEqual({g.class_name(r.id) for r in truncated} & {"builtins.list"},
                         {"builtins.list"})
        # The budget is checked before each record: the last full one started within it.
        last_full = g.records[g.records.index(truncated[0]) - 1]
        self.assertLess(last_full.offset, 65536)
        self.assertGreaterEqual(truncated[0].offset, 65536)
        manifest = graphread.read_manifest(path)
        self.assertEqual(manifest["Truncated"], "yes")
        self.assertGreaterEqual(int(manifest["Truncated-Objects"]), len(truncated))

    def test_stdlib_values(self):
        g, _ = self.crash("""
            import array, collections, datetime, decimal, fractions, pathlib, re, uuid, enum
            class Color(enum.Enum):
                RED = 1
            def f():
                tz = datetime.timezone(datetime.timedelta(minutes=-90))
                values = {
                    'date': datetime.date(1999, 12, 31),
                    'time': datetime.time(23, 59, 58, 7, tz),
                    'datetime': datetime.datetime(2000, 1, 1, 0, 0, 1, 2, fold=1),
                    'timedelta': datetime.timedelta(-1, 5, 6),
                    'timezone': tz,
                    'decimal': decimal.Decimal('3.14159265358979323846264338327950288'),
                    'fraction': fractions.Fraction(22, 7),
                    'uuid': uuid.UUID('12345678-1234-5678-1234-567812345678'),
                    'path': pathlib.Path('/tmp/x y'),
                    'deque': collections.deque('ab', maxlen=3),
                    'pattern': re.compile(r'\\d+', re.I),
                    'array': array.array('d', [1.5, -2.0]),
                }
                others = {
                    'ordered': collections.OrderedDict([('z', 1), ('a', 2)]),
                    'default': collections.defaultdict(int, {'q': 1}),
                    'counter': collections.Counter('hello'),
                    'point': collections.namedtuple('Point', 'x y')(1, 2),
                    'enum': Color.RED,
                    'view': memoryview(bytearray(b'xyz')),
                }
                raise KeyError('stdlib')
            f()
            """)
        loc = g.innermost_locals()

        def plain(v):
            if isinstance(v, graphread.Record) and v.kind_name == "DATETIME":
                f, tz = v.f, v.f["tzinfo"]
                return ("DATETIME", g.class_name(v.id),
                        (f["year"], f["month"], f["day"], f["hour"], f["minute"], f["second"],
                         f["microsecond"], f["fold"], plain(g[tz]) if tz else None))
            if isinstance(v, graphread.Record):
                self.assertEqual(v.kind_name, "REDUCED")
                return (g.class_name(v.id), tuple(plain(x) for x in g.value(v.f["args"])))
            if isinstance(v, (list, tuple)):
                return type(v)(plain(x) for x in v)
            return v
        got = {g.str(k): plain(g[v]) for k, v in g.items(loc["values"])}
        import array as array_mod
        tz = ("datetime.timezone", (("datetime.timedelta", (-1, 81000, 0)),))
        path_cls = got["path"][0]
        self.assertTrue(path_cls.startswith("pathlib") and path_cls.endswith(".PosixPath"))
        self.assertEqual(got, {
            # One record each, its fields in the payload (format version 3).
            "date": ("DATETIME", "datetime.date", (1999, 12, 31, 0, 0, 0, 0, 0, None)),
            "time": ("DATETIME", "datetime.time", (0, 0, 0, 23, 59, 58, 7, 0, tz)),
            "datetime": ("DATETIME", "datetime.datetime", (2000, 1, 1, 0, 0, 1, 2, 1, None)),
            "timedelta": ("datetime.timedelta", (-1, 5, 6)),
            "timezone": tz,
            # Its exact coefficient and exponent, read in place (decimal_text.c).
            "decimal": ("decimal.Decimal", ("314159265358979323846264338327950288E-35",)),
            "fraction": ("fractions.Fraction", (22, 7)),
            "uuid": ("uuid.UUID", (0x12345678123456781234567812345678,)),
            "path": (path_cls, ("/tmp/x y",)),
            "deque": ("collections.deque", (["a", "b"], 3)),
            "pattern": ("re.Pattern", (r"\d+", 34)),
            "array": ("array.array", ("d", array_mod.array("d", [1.5, -2.0]).tobytes(),
                                      sys.byteorder)),
        })
        for k, v in g.items(loc["values"]):
            self.assertTrue(g[g[v].f["cls"]].f["flags"] & graphread.CLASS_STDLIB, g.str(k))
        others = {g.str(k): v for k, v in g.items(loc["others"])}
        od = g[others["ordered"]]
        self.assertEqual((od.kind_name, od.f["base_kind"]), ("SUBCLASS", "DICT"))
        self.assertEqual([g.value(k) for k, _ in od.f["base"]["items"]], ["z", "a"])
        dd = g[others["default"]]
        self.assertEqual(g.class_name(dd.id), "collections.defaultdict")
        self.assertEqual(g.class_name(g.slots(dd.id)["default_factory"]), "builtins.int")
        counter = g[others["counter"]]
        self.assertEqual((g.class_name(counter.id), counter.f["base_kind"]),
                         ("collections.Counter", "DICT"))
        self.assertEqual({g.value(k): g.value(v) for k, v in counter.f["base"]["items"]},
                         {"h": 1, "e": 1, "l": 2, "o": 1})
        point = g[others["point"]]
        self.assertEqual(point.f["base_kind"], "TUPLE")
        self.assertEqual(g.value(g[point.f["cls"]].f["attrs"])["_fields"], ("x", "y"))
        enum_member = g[others["enum"]]
        self.assertEqual(enum_member.kind_name, "INSTANCE")
        self.assertEqual(g.value(g.attrs(enum_member.id)["_value_"]), 1)
        view = g[others["view"]]
        self.assertEqual((view.kind_name, view.f["value"], view.f["readonly"]),
                         ("BUFFER", b"xyz", 0))

    def test_builtin_functions_keep_their_self(self):
        g, _ = self.crash("""
            import os
            def f():
                pid, printer = os.getpid, print
                items = []
                append, fromkeys = items.append, dict.fromkeys
                join, init = str.join, object.__init__
                raise KeyError('builtins')
            f()
            """)
        loc = g.innermost_locals()

        def function(name):
            r = g[loc[name]]
            self.assertEqual(r.kind_name, "FUNCTION")
            return g.str(r.f["name"]), g[r.f["self"]].kind_name, r.f["self"]
        self.assertEqual(function("pid")[:2], ("getpid", "MODULE"))
        self.assertEqual(g.str(g[function("pid")[2]].f["name"]), "posix")
        self.assertEqual(function("printer")[:2], ("print", "MODULE"))
        self.assertEqual(function("append"), ("append", "LIST", loc["items"]))
        self.assertEqual(function("fromkeys")[:2], ("fromkeys", "CLASS"))
        for name, cls, owner, attr in (("join", "method_descriptor", "str", "join"),
                                       ("init", "wrapper_descriptor", "object", "__init__")):
            r = g[loc[name]]
            self.assertEqual(r.kind_name, "REDUCED")
            self.assertEqual(g.class_name(r.id), "builtins." + cls)
            args = g.value(r.f["args"])
            self.assertEqual([g.class_name(args[0].id), args[1]], ["builtins." + owner, attr])

    def test_numpy_arrays_as_ndarray_records(self):
        try:
            import numpy
        except ImportError:
            self.skipTest("numpy is not installed for this python")
        g, _ = self.crash("""
            import numpy as np
            def f():
                grid = np.arange(12, dtype='<i4').reshape(3, 4)
                transposed = grid.T
                raise ValueError('arrays')
            f()
            """)
        loc = g.innermost_locals()
        grid = numpy.arange(12, dtype="<i4").reshape(3, 4)
        for name, expected in (("grid", grid), ("transposed", grid.T)):
            rec = g[loc[name]]
            self.assertEqual(rec.kind_name, "NDARRAY", name)
            self.assertEqual(g.class_name(rec.id), "numpy.ndarray")
            dtype = g[rec.f["dtype"]]
            self.assertEqual((dtype.kind_name, dtype.f["typestr"], dtype.f["itemsize"]),
                             ("DTYPE", "<i4", 4))
            self.assertEqual((rec.f["shape"], rec.f["strides"]),
                             (list(expected.shape), list(expected.strides)))
            self.assertEqual(rec.f["value"], expected.tobytes(order="C"))
        # Both are views of the arange array: its base and their offsets within it.
        self.assertEqual(g[loc["grid"]].f["base"], g[loc["transposed"]].f["base"])
        self.assertEqual(g[g[loc["grid"]].f["base"]].kind_name, "NDARRAY")

    def traceback_entries(self, g):
        out, tb = [], g[g.roots["exception"]].f["traceback"]
        while tb:
            t = g[tb].f
            code = g[g[t["frame"]].f["code"]].f
            out.append([g.str(code["name"]), t["lineno"]])
            tb = t["next"]
        return out

    def expected_entries(self, source):
        """The traceback entries python itself gives for the same program."""
        wrapper = textwrap.dedent(source) + textwrap.dedent("""
            """)
        script = os.path.join(self.dir, "expect.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write(wrapper)
        p = subprocess.run([PYTHON, "-c", textwrap.dedent("""
            import json, runpy, sys, traceback
            try:
                runpy.run_path(sys.argv[1], run_name='__main__')
            except BaseException as e:
                tb = e.__traceback__.tb_next.tb_next  # runpy's own two frames
                while tb.tb_frame.f_code.co_filename != sys.argv[1]:
                    tb = tb.tb_next
                print(json.dumps([[f.name, f.lineno] for f in traceback.extract_tb(tb)]))
            """), script], env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_generator_crash_keeps_every_entry(self):
        source = """
            def numbers():
                yield 1
                try:
                    yield 1 / 0
                except ZeroDivisionError:
                    raise
            def consume():
                total = 0
                for n in numbers():
                    total += n
                return total
            def main():
                return consume()
            main()
            """
        g, _ = self.crash(source)
        got = self.traceback_entries(g)
        self.assertEqual(got[1:], self.expected_entries(source)[1:])
        self.assertEqual([name for name, _ in got],
                         ["<module>", "main", "consume", "numbers"])
        self.assertEqual(got[-1][1], 5)

    def test_coroutine_crash_keeps_every_entry(self):
        source = """
            import asyncio
            async def leaf(x):
                await asyncio.sleep(0)
                return 10 // x
            async def middle():
                return await leaf(0)
            async def main():
                task = asyncio.ensure_future(middle())
                return await task
            asyncio.run(main())
            """
        g, _ = self.crash(source)
        got = self.traceback_entries(g)
        names = [name for name, _ in got]
        for name in ("main", "middle", "leaf"):
            self.assertIn(name, names)
        self.assertEqual(got[-1], ["leaf", 5])
        expected = self.expected_entries(source)
        self.assertEqual(got[-len(expected) + 1:], expected[1:])
        gens = [r for r in g.by_kind("GENERATOR") if r.f["flavour"] == "coroutine"]
        self.assertTrue(any(g.str(r.f["name"]) == "main" for r in gens))

    def test_no_code_of_the_program_runs(self):
        g, _ = self.crash("""
            import os, sys
            MARKERS = os.path.dirname(os.path.abspath(__file__))
            def mark(what):
                open(os.path.join(MARKERS, 'MARKER-' + what), 'w').close()
            class Meta(type):
                def __getattribute__(cls, name):
                    mark('meta-getattribute')
                    return type.__getattribute__(cls, name)
            class Evil(metaclass=Meta):
                __slots__ = ('slot', '__dict__', '__weakref__')
                def __getattr__(self, name): mark('getattr'); raise AttributeError(name)
                def __getattribute__(self, name):
                    mark('getattribute')
                    return object.__getattribute__(self, name)
                def __repr__(self): mark('repr'); return 'evil'
                def __str__(self): mark('str'); return 'evil'
                def __getstate__(self): mark('getstate'); return {}
                def __reduce__(self): mark('reduce'); return (Evil, ())
                def __reduce_ex__(self, proto): mark('reduce_ex'); return (Evil, ())
                def __sizeof__(self): mark('sizeof'); return 1
                def __eq__(self, other): mark('eq'); return False
                def __hash__(self): mark('hash'); return 1
                def __len__(self): mark('len'); return 0
                def __iter__(self): mark('iter'); return iter(())
                def __dir__(self): mark('dir'); return []
                def __del__(self):
                    if not sys.is_finalizing():
                        mark('del')
                @property
                def prop(self): mark('property'); return 1
            class EvilDict(dict):
                def __iter__(self): mark('dict-iter'); return iter(())
                def keys(self): mark('dict-keys'); return []
                def items(self): mark('dict-items'); return []
            class EvilBytes(bytes):
                def __buffer__(self, flags): mark('buffer'); return memoryview(b'')
            def f():
                evil = Evil()
                evil.slot = 'in slot'
                evil.__dict__['attr'] = 'in dict'
                table = EvilDict({evil: evil})
                raw = EvilBytes(b'raw')
                keep = [evil, Evil, table, raw]
                # Building these ran some hooks (hash, getattribute): only the dump's count.
                for name in os.listdir(MARKERS):
                    if name.startswith('MARKER-'):
                        os.remove(os.path.join(MARKERS, name))
                raise LookupError('evil')
            f()
            """)
        self.assertEqual(sorted(n for n in os.listdir(self.dir) if n.startswith("MARKER")), [])
        loc = g.innermost_locals()
        self.assertEqual(g.kind(loc["evil"]), "INSTANCE")
        self.assertEqual(g.value(g.slots(loc["evil"])["slot"]), "in slot")
        self.assertEqual(g.value(g.attrs(loc["evil"])["attr"]), "in dict")
        self.assertEqual(g[loc["table"]].f["base"]["items"], [(loc["evil"], loc["evil"])])
        self.assertEqual(g[loc["raw"]].f["base"]["value"], b"raw")

    def test_roots_and_filenames(self):
        g, path = self.crash("""
            import threading
            def f(): raise OSError(2, 'missing', 'a.txt')
            f()
            """, args=["one", "two"])
        self.assertEqual(g.value(g.roots["argv"])[1:], ["one", "two"])
        exc = g[g.roots["exception"]].f
        fields = {g.str(k): g.value(v) for k, v in exc["fields"]}
        self.assertEqual(fields, {"errno": 2, "strerror": "missing", "filename": "a.txt"})
        self.assertTrue(any(t["flags"] & graphread.THREAD_MAIN for t in g.threads))
        manifest = graphread.read_manifest(path)
        self.assertEqual(int(manifest["Format-Version"]), graphread.VERSION)


if __name__ == "__main__":
    unittest.main()
