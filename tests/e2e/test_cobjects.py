"""Readable C objects in pyhd-debug: partial, re.Match, locks, files, generators, asyncio, numpy.

Each crash program below runs twice: under python ($PYHD_PYTHON), where it
writes what python says of its innermost frame's locals (repr, type's
__module__ and __qualname__) just before it raises, and under pyhd-run. Then
pyhd-debug prints the same facts of the rebuilt locals, and they must agree:
every repr that holds no address is identical, and every type's module and
qualname are. Other tests drive pdb to check what the rebuilt objects do
(methods, real generator frames, the tasks and task N commands, numpy views).
"""

import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graphread  # noqa: E402
from e2e_util import clean_env, load_each, run_checker, run_pyhd  # noqa: E402

RUN = os.environ["PYHD_RUN"]
DEBUG = os.environ["PYHD_DEBUG"]
PYTHON = os.environ["PYHD_PYTHON"]
SOURCE_DIR = os.path.abspath(os.environ["PYHD_SOURCE_DIR"])
# pyhd-debug builds for other Pythons (scripts/test.sh sets it): they open the same dumps.
OTHERS = os.environ.get("PYHD_DEBUG_OTHERS", "").split()

DUMP_LINE = re.compile(r"pyhd: dump written to (/\S+\.dump) ")
ADDRESS = re.compile(r" at 0x[0-9a-f]+")

# Put before every program: report(locals()) writes python's view of them
# when PYHD_TEST_FACTS names a file (only in the plain python run).
REPORT = '''
def report(names):
    import json, os
    path = os.environ.get("PYHD_TEST_FACTS")
    if path:
        with open(path, "w") as out:
            json.dump({k: [repr(v), type(v).__module__, type(v).__qualname__]
                       for k, v in names.items()}, out)
'''

# The pdb command that prints the same facts in pyhd-debug, on one line.
FACTS_COMMAND = ("!print('@@' + __import__('json').dumps((lambda d: {k: [repr(v), "
                 "type(v).__module__, type(v).__qualname__] for k, v in d.items() "
                 "if not k.startswith('__pdb')})(locals())))")

C_OBJECTS = '''
import functools, io, re, sys, threading

def rows(n):
    for i in range(n):
        yield i * 2

async def agen(limit):
    yield limit

def main():
    pick = functools.partial(int, "101", base=2)
    pick.note = "kept"
    found = re.search(r"(?P<word>b+)(c)?", "abbbd")
    bytes_found = re.match(rb"(a)(b)?", b"ac", 0)
    lock = threading.Lock()
    held = threading.Lock()
    held.acquire()
    rlock = threading.RLock()
    rlock.acquire()
    rlock.acquire()
    text = open(__file__)
    text.readline()
    raw = open(__file__, "rb", buffering=0)
    raw.read(10)
    buffered = open(__file__, "rb")
    buffered.read(7)
    closed = open(__file__)
    closed.close()
    # A text file straight over a FileIO, as sys.stdout is under python -u.
    unbuffered = io.TextIOWrapper(open(__file__, "rb", buffering=0), encoding="utf-8")
    out = sys.stdout
    gen = rows(5)
    next(gen)
    next(gen)
    fresh = rows(2)
    ag = agen(3)
    report(locals())
    raise ValueError("boom")

main()
'''

ASYNC = '''
import asyncio

async def fetch(url, delay):
    page = "<html>" + url + "</html>"
    await asyncio.sleep(delay)
    return page

async def worker(urls):
    got = []
    for url in urls:
        got.append(await fetch(url, 10))
    return got

async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    done.set_result(42)
    failed = loop.create_future()
    failed.set_exception(KeyError("k"))
    pending = loop.create_future()
    workers = [asyncio.create_task(worker(["http://x/%d" % i]), name="worker-%d" % i)
               for i in range(2)]
    gathered = asyncio.gather(*workers)
    await asyncio.sleep(0)
    lock = asyncio.Lock()
    del loop
    report(locals())
    raise RuntimeError("crawler gave up")

# Not asyncio.run: it would cancel the workers before the exception escapes.
asyncio.new_event_loop().run_until_complete(main())
'''

# Tasks in other threads: one whose loop still runs, one left pending by a
# thread that ended (3.14 keeps them in per-thread and interpreter lists).
THREAD_TASKS = '''
import asyncio, threading

async def idle(gate):
    await gate.wait()

async def serve(ready):
    # Kept: a task nothing holds may be collected (asyncio's documentation).
    served = asyncio.create_task(idle(asyncio.Event()), name="served")
    await asyncio.sleep(0)
    ready.set()
    await asyncio.sleep(3600)

def run_loop(ready):
    asyncio.new_event_loop().run_until_complete(serve(ready))

def leave_pending(kept):
    loop = asyncio.new_event_loop()
    kept.append(loop.create_task(idle(asyncio.Event()), name="orphan"))
    loop.run_until_complete(asyncio.sleep(0))

def main():
    ready = threading.Event()
    threading.Thread(target=run_loop, args=(ready,), daemon=True).start()
    ready.wait()
    kept = []
    ended = threading.Thread(target=leave_pending, args=(kept,))
    ended.start()
    ended.join()
    report({})
    raise RuntimeError("the tasks are elsewhere")

main()
'''

NUMPY = '''
import numpy as np

class Tagged(np.ndarray):   # a program's subclass: its attributes ride on the array
    def __new__(cls, data, unit):
        obj = np.asarray(data).view(cls)
        obj.unit = unit
        return obj
    def __array_finalize__(self, obj):
        self.unit = getattr(obj, "unit", None)

def main():
    grid = np.arange(12, dtype=np.int32).reshape(3, 4)
    view = grid[:, 1::2]
    transposed = grid.T
    records = np.zeros(3, dtype=[("x", "<f8"), ("name", "U5"), ("pt", "<i2", (2,))])
    records[1] = (1.5, "ab", (3, 4))
    days = np.array(["2024-01-02", "2025-03-04"], dtype="datetime64[D]")
    stamps = np.array([1, 2], dtype="datetime64[ms]")
    shared = {"k": 1}
    objects = np.array([shared, "two", None, 3], dtype=object)
    big_endian = np.array([1, 2], dtype=">i4")
    frozen = np.arange(3.0)
    frozen.flags.writeable = False
    empty = np.zeros((0, 3))
    scalar_array = np.array(7.5)
    # numpy's scalars: float64 and complex128 extend float and complex, the
    # others are buffers of no dimension.
    total = grid.sum() * 0.5
    count = np.int64(7)
    flag = grid[0, 0] == 0
    small = np.float32(1.5)
    twin = np.complex128(1 + 2j)
    # complex64's buffer format is PEP 3118's "Zf", which numpy.dtype() does not read.
    pair = np.complex64(1 + 2j)
    wide_pair = np.clongdouble(3 - 1j)
    word = np.str_("w")
    # datetime64 and timedelta64 scalars: their unit is in their dtype, not their buffer.
    day = np.datetime64("2024-03-01T12:00")
    gap = np.timedelta64(3, "h")
    view_of_bytes = memoryview(b"abcdef")
    # Subclasses: numpy's masked array (its mask is in its __dict__), a program's.
    masked = np.ma.masked_array([1, 2, 3], mask=[0, 1, 0])
    lengths = Tagged([1.5, 2.5], "cm")
    report(locals())
    raise ValueError("bad data")

main()
'''


def python_has_numpy():
    return subprocess.run([PYTHON, "-c", "import numpy"], env=clean_env(),
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


class Program:
    """A crash program: python's facts of its locals, and its dump."""

    def __init__(self, directory, name, source, options=()):
        self.path = os.path.join(directory, name + ".py")
        with open(self.path, "w") as f:
            f.write(REPORT + textwrap.dedent(source))
        facts = os.path.join(directory, name + ".json")
        env = dict(clean_env(), PYHD_TEST_FACTS=facts)
        subprocess.run([PYTHON, self.path], cwd=directory, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=300)
        with open(facts) as f:
            self.python = json.load(f)
        proc, self.dump = run_pyhd(["--dump-dir", directory, *options, self.path], directory,
                                   text=True)
        if self.dump is None:
            raise AssertionError(f"{name}: no dump written:\n{proc.stderr}")

    def line(self, text):
        """The number of the program's line holding text."""
        with open(self.path) as f:
            return next(n for n, line in enumerate(f, 1) if text in line)

    def replies(self, commands, program=DEBUG):
        """What each pdb command printed, in order."""
        proc = subprocess.run([program, self.dump], input="".join(c + "\n" for c in commands),
                              env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=300)
        if proc.returncode != 0 or proc.stderr:
            raise AssertionError(f"pyhd-debug failed ({proc.returncode}):\n{proc.stderr}")
        parts = proc.stdout.split("(Pdb) ")
        if len(parts) != len(commands) + 2:
            raise AssertionError(f"unexpected session:\n{proc.stdout}")
        return parts[1:-1]

    def rebuilt(self, program=DEBUG):
        reply, = self.replies([FACTS_COMMAND], program)
        return json.loads(reply.partition("@@")[2])


def setUpModule():
    global WORKDIR
    WORKDIR = tempfile.mkdtemp(prefix="pyhd-test-cobjects-")
    if not python_has_numpy():
        print(f"\nnumpy is not installed for {PYTHON}: the numpy tests are skipped",
              file=sys.stderr)


def tearDownModule():
    shutil.rmtree(WORKDIR, True)


class Fidelity:
    """Every local prints as python printed it (unless its repr holds an address)."""

    maxDiff = None
    program = None

    def test_reprs_and_types_match_python(self):
        self.compare(DEBUG)

    def test_other_pythons_print_the_same(self):
        if not OTHERS:
            print("\nPYHD_DEBUG_OTHERS is not set: not opening dumps with other "
                  "pyhd-debug builds", file=sys.stderr)
            self.skipTest("PYHD_DEBUG_OTHERS is not set")
        for program in OTHERS:
            with self.subTest(program=program):
                self.compare(program)

    def compare(self, program):
        python, rebuilt = self.program.python, self.program.rebuilt(program)
        self.assertEqual(sorted(rebuilt), sorted(python))
        same_repr = same_type = comparable = stand_ins = 0
        numpy_missing = self.numpy_missing(program)
        for name, (text, module, qualname) in sorted(python.items()):
            with self.subTest(local=name):
                if numpy_missing and module == "numpy":
                    stand_ins += 1  # test_without_numpy_arrays_are_stand_ins checks them
                    continue
                self.assertEqual(rebuilt[name][1:], [module, qualname], rebuilt[name][0])
                same_type += 1
                if ADDRESS.search(text):
                    continue
                comparable += 1
                self.assertEqual(rebuilt[name][0], text)
                same_repr += 1
        print(f"\n{type(self).__name__} in {program}: {same_repr}/{comparable} reprs "
              f"identical, {same_type}/{len(python) - stand_ins} types"
              + (f" ({stand_ins} numpy stand-ins)" if stand_ins else ""), file=sys.stderr)

    def numpy_missing(self, program):
        """Whether numpy cannot be imported in pyhd-debug program (then arrays are stand-ins)."""
        reply, = self.program.replies(["p __import__('importlib.util').util.find_spec('numpy') "
                                       "is None"], program)
        return reply == "True\n"


class CObjects(Fidelity, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.program = Program(WORKDIR, "cobjects", C_OBJECTS)

    def test_partial_match_and_locks_work(self):
        replies = self.program.replies([
            "p pick.func, pick.args, pick.keywords, pick.note, pick()",
            "p found.group(0, 'word', 2), found.span('word'), found.groups('-')",
            "p found.lastindex, found.lastgroup, found.string, found.re.pattern",
            "p bytes_found.groups(), bytes_found[1]",
            "p lock.locked(), held.locked(), rlock._is_owned()",
            "p held.acquire(blocking=False), lock.acquire(blocking=False)",
        ])
        self.assertEqual(replies[0], "(<class 'int'>, ('101',), {'base': 2}, 'kept', 5)\n")
        self.assertEqual(replies[1:], [
            "(('bbb', 'bbb', None), (1, 4), ('bbb', '-'))\n",
            "(1, 'word', 'abbbd', '(?P<word>b+)(c)?')\n",
            "((b'a', None), b'a')\n",
            "(False, True, True)\n",
            "(False, True)\n"])

    def test_files_say_what_they_were_and_stay_closed(self):
        size = os.path.getsize(self.program.path)
        # The program's path, not __file__: 3.14 takes __file__ out of __main__
        # before sys.excepthook runs (pythonrun.c prints the error after "done:"),
        # so a 3.14 dump of an escaped exception has no __main__.__file__.
        replies = self.program.replies([
            f"p raw.tell(), raw.closed, raw.mode, raw.name == {self.program.path!r}",
            "p buffered.tell(), buffered.raw.closed, buffered.readable(), buffered.writable()",
            "p text.buffer.tell() == text.tell(), text.encoding, closed.closed",
            "p text.read()",
            "p isinstance(text, __import__('io').TextIOBase)",
        ])
        self.assertEqual(replies[0], "(10, False, 'rb', True)\n")
        self.assertEqual(replies[1], "(7, False, True, False)\n")
        self.assertEqual(replies[2], "(True, 'UTF-8', True)\n")
        self.assertIn("a file of the dump is not open here", replies[3])
        self.assertEqual(replies[4], "True\n")
        self.assertGreater(size, 0)

    def test_suspended_generator_frames_are_real(self):
        replies = self.program.replies([
            "p type(gen.gi_frame).__name__, gen.gi_frame.f_lineno, gen.gi_frame.f_locals",
            "p gen.gi_suspended, gen.gi_running, gen.__qualname__, fresh.gi_suspended",
            "p __import__('inspect').getgeneratorstate(gen)",
            "p ag.ag_frame.f_code.co_name, type(ag).__qualname__",
            "source fresh", "enter gen", "p i, n", "where",
        ])
        line = self.program.line("yield i * 2")
        self.assertEqual(replies[0], f"('frame', {line}, {{'n': 5, 'i': 1}})\n")
        self.assertEqual(replies[1], "(True, False, 'rows', False)\n")
        self.assertEqual(replies[2], "'GEN_SUSPENDED'\n")
        self.assertEqual(replies[3], "('agen', 'async_generator')\n")
        self.assertIn("def rows(n):\n", replies[4])
        self.assertIn("yield i * 2\n", replies[4])
        self.assertEqual(replies[5], f"> {self.program.path}({line})rows()\n-> yield i * 2\n")
        self.assertEqual(replies[6], "(1, 5)\n")
        self.assertTrue(replies[7].startswith(f"> {self.program.path}({line})rows()"), replies[7])


class Asyncio(Fidelity, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.program = Program(WORKDIR, "crawler", ASYNC)

    def test_futures_and_tasks_hold_their_state(self):
        replies = self.program.replies([
            "p done.result(), done.done(), pending.done(), failed.exception()",
            "p [w.get_name() for w in workers], workers[0].done(), gathered._children == workers",
            "p workers[0].get_coro().cr_await.cr_await.cr_frame.f_locals['delay']",
            "p [f.f_code.co_name for f in workers[1].get_stack()]",
            "p lock._locked, lock._waiters",
        ])
        self.assertEqual(replies, [
            "(42, True, False, KeyError('k'))\n",
            "(['worker-0', 'worker-1'], False, True)\n",
            "10\n",
            "['worker', 'fetch', 'sleep']\n",
            "(False, None)\n"])

    def test_tasks_lists_await_chains_and_task_enters_one(self):
        path = self.program.path
        base = os.path.basename(path)
        in_worker = self.program.line("got.append(await fetch")
        in_fetch = self.program.line("await asyncio.sleep(delay)")
        tasks, = self.program.replies(["tasks"])
        number = re.search(r"^ *(\d+) 'worker-1' pending$", tasks, re.M).group(1)
        replies = self.program.replies(["tasks", f"task {number}", "where", "up", "p url, page",
                                        "up", "p got, urls"])
        self.assertIn("'Task-1' finished", tasks)
        for name in ("worker-0", "worker-1"):
            self.assertRegex(tasks, rf"'{name}' pending\n      worker {base}:{in_worker}\n"
                                    rf"      fetch {base}:{in_fetch}\n      sleep \S+:\d+\n")
        self.assertTrue(replies[1].startswith("> "), replies[1])
        frames = re.findall(r"^[> ] (\S+)\((\d+)\)(\S+)\(\)$", replies[2], re.M)
        self.assertEqual([(f[0], f[1], f[2]) for f in frames[:2]],
                         [(path, str(in_worker), "worker"), (path, str(in_fetch), "fetch")])
        self.assertEqual(frames[2][2], "sleep")
        self.assertEqual(replies[4], "('http://x/1', '<html>http://x/1</html>')\n")
        self.assertEqual(replies[6], "([], ['http://x/1'])\n")


class AsyncioThreads(unittest.TestCase):
    def test_tasks_of_other_threads_and_of_ended_threads_are_listed(self):
        # --repr-all leaves the other threads running while the dump reads
        # (a free-threaded build then pauses them for their task lists alone);
        # with --dump-fork, pyhd.dump() (instead of the exception) reads them
        # in a child where no other thread exists.
        in_child = THREAD_TASKS.replace('    raise RuntimeError("the tasks are elsewhere")\n',
                                        "    import pyhd\n    pyhd.dump()\n")
        for options, source in (((), THREAD_TASKS), (("--repr-all",), THREAD_TASKS),
                                (("--dump-fork",), in_child)):
            with self.subTest(options=options):
                program = Program(WORKDIR, "elsewhere", source, options)
                if source is in_child:
                    info = subprocess.run([DEBUG, "--info", program.dump], env=clean_env(),
                                          stdout=subprocess.PIPE, text=True, timeout=300).stdout
                    self.assertIn("Trigger: api\n", info)
                base = os.path.basename(program.path)
                in_idle = program.line("await gate.wait()")
                in_serve = program.line("await asyncio.sleep(3600)")
                tasks, = program.replies(["tasks"])
                for name in ("served", "orphan"):
                    self.assertRegex(tasks, rf"'{name}' pending\n      idle {base}:{in_idle}\n"
                                            rf"      \S*wait \S+:\d+\n")
                self.assertRegex(tasks, rf"'Task-\d+' pending\n      serve {base}:{in_serve}\n")
                self.assertEqual(len(re.findall(r"^ +\d+ '", tasks, re.M)), 3, tasks)


THREADS = """
import threading

def main():
    stop = threading.Event()
    done = threading.Thread(target=len, args=((),), name="done-1")
    done.start()
    done.join()
    # Often gets the ident (pthread_t) that done had: the native id tells them apart.
    live = threading.Thread(target=stop.wait, name="live-1", daemon=True)
    live.start()
    fresh = threading.Thread(target=print, name="fresh-1")
    states = [(t.name, t.is_alive(), repr(t).split(", ")[1].split()[0])
              for t in (done, live, fresh)]
    handle = hasattr(done, "_handle") or hasattr(done, "_os_thread_handle")  # 3.13+
    report(locals())
    raise RuntimeError(states)

main()
"""


class Threads(unittest.TestCase):
    """Threads say whether they had started and ended, as python's do (on 3.13+ that
    is their C handle's is_done(), which the dump does not read)."""

    @classmethod
    def setUpClass(cls):
        cls.program = Program(WORKDIR, "threads", THREADS)

    def test_threads_know_whether_they_ran_and_ended(self):
        states = self.program.python["states"][0]
        self.assertEqual(states, "[('done-1', False, 'stopped'), ('live-1', True, 'started'), "
                                 "('fresh-1', False, 'initial)>')]")
        replies = self.program.replies([
            "p [(t.name, t.is_alive(), repr(t).split(', ')[1].split()[0]) "
            "for t in (done, live, fresh)]",
            "p done.join(), live.join(0.01), live.is_alive()",
        ])
        self.assertEqual(replies, [states + "\n", "(None, None, True)\n"])

    def test_joining_a_live_thread_says_why_it_cannot(self):
        if self.program.python["handle"][0] != "True":
            self.skipTest("before 3.13 join() waits on the thread's lock as python's does")
        reply, = self.program.replies(["live.join()"])
        self.assertRegex(reply, r"^\*\*\* pyhd_surrogates\.DumpedCodeError: thread \d+ was "
                                r"running in the dumped program; a dump cannot wait for it\n$")


class OlderDumps(unittest.TestCase):
    def test_format_version_1_dumps_still_open(self):
        seeds = os.path.join(SOURCE_DIR, "tests", "fuzz", "seeds")
        dumps = []
        # crafted-*.dump are hostile by design (tests/fuzz/make_seeds.py): refused or frameless.
        for name in sorted(f for f in os.listdir(seeds)
                           if f.endswith(".dump") and not f.startswith("crafted-")):
            path = os.path.join(seeds, name)
            info = subprocess.run([DEBUG, "--info", path], env=clean_env(),
                                  stdout=subprocess.PIPE, text=True, timeout=300).stdout
            if "Format-Version: 1\n" in info:
                dumps.append(name)
        self.assertTrue(dumps, "the fuzz seeds hold no format version 1 dump")
        for name in dumps:
            path = os.path.join(seeds, name)
            with self.subTest(dump=name):
                proc = subprocess.run([DEBUG, path], input="where\n", env=clean_env(),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, timeout=300)
                self.assertEqual((proc.returncode, proc.stderr), (0, ""))
                self.assertIn("(Pdb) ", proc.stdout)


def with_graph(dump, graph, path):
    """A copy of dump at path whose graph.z member holds graph (an inflated stream)."""
    with tarfile.open(dump) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as out:
        for member, data in members:
            if member.name == "graph.z":
                data = zlib.compress(graph)
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return path


class DamagedRecords(unittest.TestCase):
    """Bytes changed inside the readable C object records: each load returns or is refused."""

    KINDS = ("PARTIAL", "MATCH", "LOCK", "FILE", "FUTURE", "NDARRAY", "DTYPE", "GENERATOR")

    def test_damaged_records_load_or_refuse(self):
        sources = [Program(WORKDIR, "damaged_c", C_OBJECTS), Program(WORKDIR, "damaged_a", ASYNC)]
        if python_has_numpy():
            sources.append(Program(WORKDIR, "damaged_n", NUMPY))
        rng = random.Random(20261130)
        paths = []
        for source in sources:
            with tarfile.open(source.dump) as tar:
                raw = zlib.decompress(tar.extractfile("graph.z").read())
            g = graphread.parse(raw)
            spans = []
            for rec in g.records:
                if rec.kind_name in self.KINDS and rec.payload:
                    at = raw.index(rec.payload, rec.offset)
                    spans.append((at, at + len(rec.payload)))
            self.assertTrue(spans)
            end = g.records[-1].offset
            for i in range(60):
                body = bytearray(raw[:end])
                for _ in range(rng.randint(1, 3)):
                    lo, hi = rng.choice(spans)
                    body[rng.randrange(lo, hi)] = rng.randrange(256)
                graph = bytes(body) + raw[end:-4] + zlib.crc32(body).to_bytes(4, "little")
                paths.append(with_graph(source.dump, graph, os.path.join(
                    WORKDIR, "mut-%s-%02d.dump" % (os.path.basename(source.path), i))))
        outcome, proc = run_checker(sources[0].dump, load_each(paths), WORKDIR,
                                    env=clean_env(), timeout=600)
        self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
        self.assertEqual(outcome["other"], [])
        self.assertEqual(outcome["ok"] + outcome["refused"], len(paths))
        self.assertGreater(outcome["refused"], 0)
        self.assertGreater(outcome["ok"], 0)
        print("\n%d damaged dumps: %d loaded, %d refused" % (len(paths), outcome["ok"],
              outcome["refused"]), file=sys.stderr)


@unittest.skipUnless(python_has_numpy(), "numpy is not installed for this python")
class Numpy(Fidelity, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.program = Program(WORKDIR, "arrays", NUMPY)

    def test_arrays_are_real_numpy_arrays(self):
        replies = self.program.replies([
            "p view.base is grid.base, transposed.base is grid.base, view.strides",
            "p transposed.flags.f_contiguous, frozen.flags.writeable, grid.flags.writeable",
            "p records['pt'][1].tolist(), records.dtype.names, records.itemsize",
            "p days.dtype, stamps.dtype.str, big_endian.dtype.str, big_endian.sum()",
            "p objects[0] is shared, objects[2] is None",
            "p type(view_of_bytes).__name__, view_of_bytes.tobytes()",
            "p grid.sum(), (grid @ grid.T).trace()",
        ])
        self.assertEqual(replies, [
            "(True, True, (16, 8))\n",
            "(True, False, True)\n",
            "([3, 4], ('x', 'name', 'pt'), 32)\n",
            "(dtype('<M8[D]'), '<M8[ms]', '>i4', 3)\n",
            "(True, True)\n",
            "('memoryview', b'abcdef')\n",
            "(66, 506)\n"])

    def test_subclass_instances_keep_their_class_and_attributes(self):
        # A masked array is numpy's own again, its mask the dumped one; a program's
        # subclass is its rebuilt copy, whose __array_finalize__ (inert) is not called.
        replies = self.program.replies([
            "p type(masked).__module__, masked.mask.tolist(), masked.sum(), masked.filled(0)",
            "p type(lengths).__qualname__, lengths.unit, lengths * 2, isinstance(lengths, type(grid))",
        ])
        self.assertEqual(replies, [
            "('numpy.ma.core', [False, True, False], 4, array([1, 0, 3]))\n",
            "('Tagged', 'cm', Tagged([3., 5.]), True)\n"])

    def test_triage_keeps_no_array_contents(self):
        program = Program(WORKDIR, "arrays_triage", NUMPY, ["--privacy=triage"])
        g = graphread.read_archive(program.dump)
        self.assertEqual(g.by_kind("NDARRAY"), [])
        redacted = [g.class_name(r.id) for r in g.by_kind("REDACTED")]
        self.assertIn("numpy.ndarray", redacted)

    def test_without_numpy_arrays_are_stand_ins(self):
        builds = [p for p in OTHERS if self.numpy_missing(p)]
        if not builds:
            print("\nno pyhd-debug build without numpy in PYHD_DEBUG_OTHERS: stand-ins "
                  "not checked", file=sys.stderr)
            self.skipTest("no pyhd-debug build without numpy")
        for program in builds:
            with self.subTest(program=program):
                self.assertEqual(self.program.replies([
                    "p grid", "p days.dtype.str, days.shape", "p records.dtype.names",
                    "p type(view_of_bytes).__name__"], program), [
                    "<numpy array: dtype '<i4', shape (3, 4) (numpy is not importable here)>\n",
                    "('<M8[D]', (2,))\n", "('x', 'name', 'pt')\n", "'memoryview'\n"])


if __name__ == "__main__":
    unittest.main()
