"""test_nomutate.py: a dump reads the program's objects without changing them or running their code."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graphread  # noqa: E402
from e2e_util import clean_env, dumps_in, member, run_pyhd, write_program  # noqa: E402

RUN = os.environ["PYHD_RUN"]
PYTHON = os.environ["PYHD_PYTHON"]
VERSION = tuple(int(x) for x in subprocess.run(
    [PYTHON, "-c", "import sys; print(*sys.version_info[:2])"],
    stdout=subprocess.PIPE, check=True).stdout.split())

# Every program below starts with this: mark(what) leaves a file MARKER-what
# beside the program, so a hook that ran during the dump is seen afterwards.
PRELUDE = """\
import os, sys
MARKERS = os.path.dirname(os.path.abspath(__file__))
def mark(what):
    open(os.path.join(MARKERS, 'MARKER-' + what), 'w').close()
def clear_marks():
    for name in os.listdir(MARKERS):
        if name.startswith('MARKER-'):
            os.remove(os.path.join(MARKERS, name))
"""


class NoMutateTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-nomutate-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def run_program(self, source, args=(), **env):
        script = write_program(os.path.join(self.dir, "prog.py"), PRELUDE + textwrap.dedent(source))
        proc, _ = run_pyhd([*args, script], self.dir, env=clean_env(**env), timeout=500)
        return proc

    def dumps(self):
        return dumps_in(self.dir)

    def markers(self):
        return sorted(n[len("MARKER-"):] for n in os.listdir(self.dir)
                      if n.startswith("MARKER-"))

    def crash(self, source, args=(), **env):
        """Run source (which raises); no marker may appear. Returns (graph, dump path)."""
        p = self.run_program(source, args, **env)
        self.assertNotEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        [path] = self.dumps()
        self.assertEqual(self.markers(), [], "program code ran during the dump")
        return graphread.read_archive(path), path

    def innermost_locals(self, g):
        return g.innermost_locals()


# Probes that tell, from inside the program, whether an instance got a real
# __dict__ without asking for one (asking is what makes it):
#  - a dict refers to the attribute value: 3.11+ keep the values inline in
#    the instance, and a dict made later owns them (3.11, 3.12) or shares
#    them (3.13+), so gc.get_referrers finds it;
#  - an instance that never had an attribute has no dict among its referents
#    (on 3.10 too, where every other instance has a real dict from the start).
PROBES = """\
import gc
class Point:
    def __init__(self, i):
        self.x = i
        self.y = [i]          # a container: the dict holding it is tracked by gc
class Empty:
    pass
points = [Point(i) for i in range(5000)]
empty = Empty()
class Slotted:
    __slots__ = ('s', '__dict__')
slotted = Slotted(); slotted.s = 1; slotted.d = 2
changed = Point(-1); del changed.x; changed.z = 3
import threading
me = threading.current_thread()    # its name is read for the dump's thread list
def probe():
    return {
        'dicts holding attributes': sum(1 for p in points[:200]
                                        for r in gc.get_referrers(p.y) if type(r) is dict),
        'dicts holding the thread': sum(1 for r in gc.get_referrers(me._started)
                                        if type(r) is dict),
        'dict of the empty instance': sum(1 for r in gc.get_referents(empty)
                                          if type(r) is dict),
    }
"""


class InstancesKeepTheirLayout(NoMutateTestCase):
    def check_probes(self, trigger, args=()):
        p = self.run_program(PROBES + "import json\nbefore = probe()\n"
                             + "gc.collect()\nblocks = sys.getallocatedblocks()\n"
                             + textwrap.dedent(trigger)
                             + "gc.collect()\nblocks = sys.getallocatedblocks() - blocks\n"
                             + "after = probe()\nprint(json.dumps([before, after, blocks]))\n",
                             args)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        self.assertEqual(len(self.dumps()), 1, p.stderr.decode(errors="replace"))
        before, after, blocks = json.loads(p.stdout.decode().splitlines()[-1])
        self.assertEqual(after, before)
        # 3.13+ share the inline values with a dict made later, so the probes
        # cannot see one: the heap can, a dict for each of the 5,000 points.
        print("blocks left allocated by the dump: %d" % blocks, file=sys.stderr)
        self.assertLess(blocks, 2500)
        return self.dumps()[0]

    def test_api_dump_leaves_instances_as_they_were(self):
        path = self.check_probes("import pyhd\npyhd.dump()\n")
        # The attributes are in the dump all the same, in the order they were set.
        g = graphread.read_archive(path)
        points = [r for r in g.by_kind("INSTANCE") if g.class_name(r.id) == "__main__.Point"
                  and "x" in g.attrs(r.id)]
        self.assertEqual(len(points), 5000)
        attrs = {g.value(g.attrs(r.id)["x"]): list(g.attrs(r.id)) for r in points}
        self.assertEqual(sorted(attrs), list(range(5000)))
        self.assertTrue(all(names == ["x", "y"] for names in attrs.values()))
        [slotted] = [r.id for r in g.by_kind("INSTANCE") if g.class_name(r.id) == "__main__.Slotted"]
        self.assertEqual(g.value(g.slots(slotted)["s"]), 1)
        self.assertEqual(g.value(g.attrs(slotted)["d"]), 2)
        [changed] = [r.id for r in g.by_kind("INSTANCE") if g.class_name(r.id) == "__main__.Point"
                     and g.value(g.attrs(r.id).get("y", 0)) == [-1]]
        self.assertEqual(list(g.attrs(changed)), ["y", "z"])

    def test_signal_dump_leaves_instances_as_they_were(self):
        self.check_probes("""\
            import signal, time
            os.kill(os.getpid(), signal.SIGURG)
            for _ in range(3000):         # the dump runs at the next safe point
                if any(n.endswith('.dump') for n in os.listdir(MARKERS)):
                    break
                time.sleep(0.01)
            """)

    def test_memory_after_dumping_300000_instances(self):
        """Dumping 300,000 instances leaves the heap as it was (no dict each)."""
        p = self.run_program("""\
            import gc, json, pyhd
            class Item:
                def __init__(self, i):
                    self.a = i
                    self.b = 'x'
            pyhd.dump()                    # a first dump: whatever pyhd caches
            items = [Item(i) for i in range(300000)]
            gc.collect()
            before = sys.getallocatedblocks()
            pyhd.dump()
            gc.collect()
            after = sys.getallocatedblocks()
            print(json.dumps({'blocks added': after - before}))
            """)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        added = json.loads(p.stdout.decode().splitlines()[-1])["blocks added"]
        print("blocks left allocated after dumping 300,000 instances: %d" % added,
              file=sys.stderr)
        # A dict made in each instance would be 300,000 blocks.
        self.assertLess(added, 3000)

    def test_c_objects_and_the_task_set_get_no_dict(self):
        """A partial's and a future's __dict__, and the attributes of asyncio's
        WeakSet of tasks (inline on 3.11+), are read where they are: asking
        for a __dict__ makes one that the program keeps."""
        p = self.run_program("""\
            import asyncio, functools, gc, json, pyhd
            import asyncio.tasks
            def dicts(o):
                return sum(1 for r in gc.get_referents(o) if type(r) is dict)
            part = functools.partial(print, 1)
            async def main():
                fut = asyncio.get_running_loop().create_future()
                tasks = getattr(asyncio.tasks, '_scheduled_tasks', None)
                if tasks is None:
                    tasks = asyncio.tasks._all_tasks
                before = [dicts(part), dicts(fut), dicts(tasks)]
                pyhd.dump()
                print(json.dumps([before, [dicts(part), dicts(fut), dicts(tasks)]]))
            asyncio.run(main())
            """)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        before, after = json.loads(p.stdout.decode().splitlines()[-1])
        self.assertEqual(after, before)
        [path] = self.dumps()
        g = graphread.read_archive(path)
        self.assertTrue(g.by_kind("PARTIAL"))
        # The task set was read all the same: the running task is in the dump.
        self.assertTrue(any(g.class_name(r.id) == "_asyncio.Task" for r in g.by_kind("FUTURE")))

    def test_xml_text_in_pieces_is_not_joined(self):
        """An element's text that the tree builder left in pieces is joined by
        its getter, which stores the result: a dump joins a copy. (The
        element's referents show which it holds.)"""
        p = self.run_program("""\
            import gc, json, pyhd
            import xml.etree.ElementTree as ET
            builder = ET.TreeBuilder()
            builder.start("a", {})
            builder.data("piece1")
            builder.data("piece2")
            builder.end("a")
            joined = builder.close()
            def held(e):
                return sorted(type(r).__name__ for r in gc.get_referents(e))
            before = held(joined)
            pyhd.dump()
            print(json.dumps([before, held(joined)]))
            """)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        before, after = json.loads(p.stdout.decode().splitlines()[-1])
        self.assertIn("list", before)
        self.assertEqual(after, before)
        [path] = self.dumps()
        g = graphread.read_archive(path)
        self.assertIn("piece1piece2", [g.value(r.id) for r in g.by_kind("STR")])


class NoProgramCodeRuns(NoMutateTestCase):
    def test_rebound_stdlib_class_is_not_trusted(self):
        """datetime.timezone rebound to another C type: its __getinitargs__ is not called."""
        g, _ = self.crash("""\
            import datetime, types
            datetime.timezone = types.SimpleNamespace
            def f():
                fake = types.SimpleNamespace(__getinitargs__=lambda: mark('getinitargs'))
                real = datetime.timedelta(hours=1)
                raise KeyError('x')
            f()
            """)
        loc = self.innermost_locals(g)
        self.assertEqual(g.kind(loc["fake"]), "INSTANCE")
        self.assertEqual(g.kind(loc["real"]), "REDUCED")

    def test_pathlib_text_without_fspath(self):
        g, path = self.crash("""\
            import pathlib
            class Segment(str):
                def __getitem__(self, i): mark('segment-getitem'); return str.__getitem__(self, i)
                def __str__(self): mark('segment-str'); return str.__str__(self)
            def f():
                paths = [pathlib.PurePosixPath('/a', 'b'), pathlib.PurePosixPath('a', '/b', 'c/'),
                         pathlib.PurePosixPath(), pathlib.Path('rel', 'x'),
                         pathlib.PurePosixPath(Segment('/s/t')),
                         pathlib.PureWindowsPath('c:/w', 'x')]
                clear_marks()
                pathlib.PurePath.__fspath__ = lambda self: mark('fspath') or '/'
                pathlib.PurePath.__str__ = lambda self: mark('str') or '/'
                raise KeyError('x')
            f()
            """)
        import pathlib
        loc = self.innermost_locals(g)
        got = []
        for item in g[loc["paths"]].f["items"]:
            self.assertEqual(g.kind(item), "REDUCED")
            got.append(g.value(g[item].f["args"]))
        # A POSIX path is one text; a Windows path may be its unjoined segments.
        self.assertTrue(all(len(args) == 1 for args in got[:5]), got)
        expect = ["/a/b", "/b/c", ".", "rel/x", "/s/t"]
        self.assertEqual([str(pathlib.PurePosixPath(*args)) for args in got[:5]], expect)
        self.assertEqual(str(pathlib.PureWindowsPath(*got[5])), "c:\\w\\x")
        # pyhd-debug rebuilds them, the Windows path from its segments too.
        shown = subprocess.run([os.environ["PYHD_DEBUG"], "--locals", path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env())
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn(b"PurePosixPath('/a/b'), PurePosixPath('/b/c')", shown.stdout)
        self.assertIn(b"PureWindowsPath('c:/w/x')", shown.stdout)

    def test_file_object_reprs_do_not_reach_program_objects(self):
        g, _ = self.crash("""\
            import io
            class Raw(io.RawIOBase):
                def readable(self): return True
                def readinto(self, b): return 0
                @property
                def name(self): mark('raw-name'); return 'raw'
            class Where:
                def __repr__(self): mark('name-repr'); return 'where'
            def f():
                over_raw = io.TextIOWrapper(io.BufferedReader(Raw()))
                # closefd=False: python's own unclosed-file warning at exit shows the repr.
                named_by_object = io.FileIO(os.open(__file__, os.O_RDONLY), closefd=False)
                named_by_object.name = Where()
                plain = open(__file__, encoding='utf-8')
                clear_marks()
                raise KeyError('x')
            f()
            """)
        loc = self.innermost_locals(g)
        # Files are FILE records, read through _io's C fields: over a Python raw
        # file nothing is read (its name is a property); a program's object as
        # a name is written as itself, never asked for its repr.
        for name in ("over_raw", "named_by_object", "plain"):
            self.assertEqual(g.kind(loc[name]), "FILE", name)
        self.assertEqual(g[loc["over_raw"]].f["name"], 0)
        self.assertEqual(g.kind(g[loc["named_by_object"]].f["name"]), "INSTANCE")
        # A file opened by name shows its name and mode.
        plain = g[loc["plain"]].f
        self.assertTrue(g.str(plain["name"]).endswith("prog.py"))
        self.assertEqual(g.str(plain["mode"]), "r")

    def test_c_reprs_that_show_program_objects(self):
        g, _ = self.crash("""\
            import itertools, re
            class Number:
                def __int__(self): return 1
                def __index__(self): return 1
                def __repr__(self): mark('count-repr'); return 'n'
            class Text(str):
                def __getitem__(self, i): mark('match-getitem'); return str.__getitem__(self, i)
                def __repr__(self): mark('match-repr'); return 't'
            def f():
                counter = itertools.count(Number())
                match = re.match('a', Text('abc'))
                plain_match = re.match('a', 'abc')
                clear_marks()
                raise KeyError('x')
            f()
            """)
        loc = self.innermost_locals(g)
        # A count is a REDUCED record of its state: the number is referenced, not shown.
        self.assertEqual(g.kind(loc["counter"]), "REDUCED")
        start, step = g[g[loc["counter"]].f["args"]].f["items"]
        self.assertEqual(g.kind(start), "INSTANCE")
        # Matches are MATCH records: the string is referenced, never sliced or shown.
        self.assertEqual(g.kind(loc["match"]), "MATCH")
        self.assertEqual(g.kind(g[loc["match"]].f["string"]), "SUBCLASS")
        plain = g[loc["plain_match"]].f
        self.assertEqual((g.str(plain["string"]), g.value(plain["regs"])), ("abc", ((0, 1),)))

    def test_ordered_dict_with_colliding_keys(self):
        """An int key with the hash of a key whose __eq__ is the program's."""
        g, _ = self.crash("""\
            import collections
            class Key:
                __hash__ = object.__hash__
                def __eq__(self, other):
                    mark('eq')
                    return NotImplemented
            def f():
                key = Key()
                od = collections.OrderedDict()
                od[key] = 'first'
                od[hash(key)] = 'second'
                od['z'] = 'third'
                od.move_to_end(key)
                clear_marks()
                raise KeyError('x')
            f()
            """)
        loc = self.innermost_locals(g)
        od = g[loc["od"]]
        self.assertEqual(g.class_name(od.id), "collections.OrderedDict")
        items = od.f["base"]["items"]
        self.assertEqual([g.value(v) for _, v in items], ["second", "third", "first"])
        self.assertEqual(items[2][0], loc["key"])

    def test_str_subclass_names_are_not_hashed(self):
        g, _ = self.crash("""\
            class Name(str):
                def __hash__(self): mark('hash'); return str.__hash__(self)
                def __eq__(self, other): mark('eq'); return str.__eq__(self, other)
            class Moved:
                pass
            Moved.__module__ = Name('elsewhere')
            Attrs = type('Attrs', (), {Name('limit'): 10})
            def f():
                things = [Moved(), Attrs]
                clear_marks()
                raise KeyError('x')
            f()
            """)
        loc = self.innermost_locals(g)
        moved, attrs = g[loc["things"]].f["items"]
        self.assertEqual(g.class_name(moved), "elsewhere.Moved")
        self.assertEqual(g.kind(attrs), "CLASS")

    def test_lookups_in_dicts_with_colliding_keys(self):
        """A class namespace and a module dict holding a key whose hash is a name pyhd looks up."""
        g, _ = self.crash("""\
            import collections
            class Collides:
                def __init__(self, name): self.h = hash(name)
                def __hash__(self): return self.h
                def __eq__(self, other): mark('eq'); return False
            Spaced = type('Spaced', (), {Collides('__module__'): 1})
            vars(collections)[Collides('OrderedDict')] = 2
            vars(collections)[Collides('__name__')] = 3
            def f():
                things = [Spaced(), collections.OrderedDict(a=1), collections]
                clear_marks()
                raise KeyError('x')
            f()
            """)
        spaced, od, module = g[self.innermost_locals(g)["things"]].f["items"]
        self.assertEqual(g.class_name(spaced), "__main__.Spaced")
        self.assertTrue(g[g[od].f["cls"]].f["flags"] & graphread.CLASS_STDLIB)
        self.assertEqual(g.value(g[module].f["name"]), "collections")

    def test_new_types_of_314(self):
        if VERSION < (3, 14):
            self.skipTest("t-strings, typing.Union as a C type and _ConstEvaluator are 3.14+")
        g, path = self.crash("""\
            import typing
            class Meta(type):
                def __repr__(cls): mark('meta-repr'); return 'M'
            class A(metaclass=Meta): pass
            class B(metaclass=Meta): pass
            class User:
                def __repr__(self): mark('user-repr'); return 'user'
            def f():
                password = 'hunter2-not-in-the-dump'
                login = eval('t"login {password}"')
                user = User()
                greeting = eval('t"hello {user}"')
                union = typing.Union[A, B]
                alias = typing.TypeAliasType('Alias', user)
                evaluator = alias.evaluate_value
                clear_marks()
                raise KeyError('x')
            f()
            """)
        raw = zlib.decompress(graphread.read_member(path, "graph.z"))
        self.assertNotIn(b"hunter2", raw)
        loc = self.innermost_locals(g)
        for name in ("login", "greeting", "evaluator"):
            self.assertEqual((g.kind(loc[name]), g[loc[name]].f["repr"]), ("OPAQUE", 0), name)
        # A union is its classes (read from its C members), never its repr.
        self.assertEqual(g.kind(loc["union"]), "REDUCED")
        self.assertEqual([g.kind(i) for i in g[g[loc["union"]].f["args"]].f["items"]],
                         ["CLASS", "CLASS"])


# A key whose hash is a name's: a dict lookup of that name compares it with
# the key, and comparing runs the key's __eq__ (it marks once ARMED is set).
COLLIDING_KEY = """\
ARMED = False
class Key:
    def __init__(self, name):
        self.name = name
    def __hash__(self):
        return hash(self.name)
    def __eq__(self, other):
        if ARMED:
            mark('eq-' + self.name)
        return False
def plant(d, *names):
    # The key goes where the name was, so that a lookup of the name meets it first.
    for name in names:
        had = name in d
        value = d.pop(name, None)
        d[Key(name)] = None
        if had:
            d[name] = value
"""


class LookupsCompareNoProgramKey(NoMutateTestCase):
    def test_dump_never_compares_a_colliding_key(self):
        """sys.modules and module dicts holding a key of the looked-up name's hash."""
        p = self.run_program(COLLIDING_KEY + textwrap.dedent("""\
            import asyncio, json, threading, pyhd
            plant(sys.modules, 'threading', 'asyncio.tasks', '_asyncio', 'builtins', 'sys')
            plant(threading.__dict__, '_active', '_main_thread')
            plant(asyncio.tasks.__dict__, '_scheduled_tasks', '_all_tasks', '_eager_tasks')
            plant(json.__dict__, '__file__', '__name__')
            ARMED = True
            pyhd.dump()
            ARMED = False
            """))
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        self.assertEqual(len(self.dumps()), 1, p.stderr.decode(errors="replace"))
        self.assertEqual(self.markers(), [], "a key's __eq__ ran during the dump")

    def test_thread_failure_compares_no_key_python_does_not(self):
        """A thread's failure: pyhd's reading of threading compares no more keys than python."""
        source = COLLIDING_KEY + textwrap.dedent("""\
            import threading
            plant(sys.modules, 'threading')
            plant(threading.__dict__, '__name__', 'excepthook', 'ExceptHookArgs')
            def fail():
                raise ValueError('in a thread')
            ARMED = True
            t = threading.Thread(target=fail)
            t.start()
            t.join()
            ARMED = False
            """)
        p = self.run_program(source)
        self.assertEqual(len(self.dumps()), 1, p.stderr.decode(errors="replace"))
        under_pyhd = self.markers()
        for name in under_pyhd:
            os.remove(os.path.join(self.dir, "MARKER-" + name))
        subprocess.run([PYTHON, os.path.join(self.dir, "prog.py")], cwd=self.dir,
                       env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=500)
        self.assertEqual(under_pyhd, self.markers(), "pyhd-run compared keys python does not")


class ImportsNothingTheProgramDidNot(NoMutateTestCase):
    def test_own_excepthook_sees_the_modules_python_would(self):
        """With the program's own sys.excepthook, python prints nothing through the
        traceback module; the dump (taken first) must not import it (3.13+ print in
        Python; 3.14's traceback imports inspect and dataclasses, which a program's
        own module of that name would replace)."""
        source = textwrap.dedent("""\
            import sys
            def hook(t, v, tb):
                print(sorted(m for m in ('traceback', 'inspect', 'dataclasses')
                             if m in sys.modules))
            sys.excepthook = hook
            raise ValueError('hooked')
            """)
        p = self.run_program(source)
        self.assertEqual(len(self.dumps()), 1, p.stderr.decode(errors="replace"))
        python = subprocess.run([PYTHON, os.path.join(self.dir, "prog.py")], cwd=self.dir,
                                env=clean_env(), stdout=subprocess.PIPE, timeout=500)
        self.assertEqual(p.stdout, python.stdout)
        text = member(self.dumps()[0], "traceback.txt")
        self.assertIn("ValueError: hooked", text)
        self.assertIn("in <module>\n    raise ValueError('hooked')\n", text)


class BudgetsHoldForEveryKind(NoMutateTestCase):
    def test_deque_and_array_are_cut_before_they_are_copied(self):
        p = self.run_program("""\
            import array, collections, json, tracemalloc, pyhd
            long_deque = collections.deque(range(2000000))
            long_array = array.array('d', range(2000000))
            tracemalloc.start()
            pyhd.dump()                   # what pyhd caches on a first dump
            current = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            pyhd.dump()
            print(json.dumps({'peak': tracemalloc.get_traced_memory()[1] - current}))
            """, args=["--max-items=100"])
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        peak = json.loads(p.stdout.decode().splitlines()[-1])["peak"]
        # A copy of either whole would be 16 MB.
        self.assertLess(peak, 4 << 20)
        path = self.dumps()[-1]
        g = graphread.read_archive(path)
        [dq] = [r for r in g.by_kind("REDUCED") if g.class_name(r.id) == "collections.deque"]
        items, maxlen = g.value(dq.f["args"])
        self.assertEqual((items, maxlen), (list(range(100)), None))
        [arr] = [r for r in g.by_kind("REDUCED") if g.class_name(r.id) == "array.array"]
        typecode, data, _ = g.value(arr.f["args"])
        self.assertEqual((typecode, len(data)), ("d", 800))
        self.assertGreaterEqual(int(graphread.read_manifest(path)["Truncated-Objects"]), 2)

    def test_array_is_cut_to_max_string(self):
        g, _ = self.crash("""\
            import array
            def f():
                long_array = array.array('i', range(1000))
                raise KeyError('x')
            f()
            """, args=["--max-string=102"])
        typecode, data, _ = g.value(g[self.innermost_locals(g)["long_array"]].f["args"])
        self.assertEqual((typecode, data), ("i", array_bytes("i", range(25))))


class ProcessStateStaysAsItWas(NoMutateTestCase):
    def test_decimals_are_read_without_a_decimal_context(self):
        # str() of a Decimal asks for the thread's decimal context, and sets a new
        # one in the thread's context variable where it had none: a dump reads
        # the number in place instead. The Decimals are made in another thread,
        # so the dumping thread never had a context; they come back exact.
        p = self.run_program("""\
            import contextvars, decimal, json, threading
            import pyhd
            values = []
            def make():
                values.extend([decimal.Decimal('-1.50'), decimal.Decimal('0E+5'),
                               decimal.Decimal('-NaN12'), decimal.Decimal('sNaN'),
                               decimal.Decimal('-Infinity'), decimal.Decimal(2) ** 100,
                               decimal.Decimal('123456789012345678901234567890.123456789')])
                class Money(decimal.Decimal):
                    def __str__(self):
                        mark('str')
                        return 'money'
                values.append(Money('7.25'))
            t = threading.Thread(target=make)
            t.start()
            t.join()
            def context_vars():
                return sorted(v.name for v in contextvars.copy_context())
            before = context_vars()
            pyhd.dump()
            print(json.dumps([before, context_vars()]))
            """)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        before, after = json.loads(p.stdout.decode().splitlines()[-1])
        self.assertNotIn("decimal_context", before)
        self.assertEqual(after, before)
        self.assertEqual(self.markers(), [])
        g = graphread.read_archive(self.dumps()[0])
        texts = [g.value(r.f["args"])[0] for r in g.by_kind("REDUCED")
                 if g.class_name(r.id) in ("decimal.Decimal", "__main__.make.<locals>.Money")]
        import decimal
        self.assertEqual([str(decimal.Decimal(t)) for t in texts],
                         ["-1.50", "0E+5", "-NaN12", "sNaN", "-Infinity",
                          "1.267650600228229401496703205E+30",
                          "123456789012345678901234567890.123456789", "7.25"])


def array_bytes(typecode, values):
    import array
    return array.array(typecode, values).tobytes()


if __name__ == "__main__":
    unittest.main()
