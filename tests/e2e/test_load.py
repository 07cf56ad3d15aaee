"""e2e: dumps written by pyhd-run come back through pyhd-debug's _pyhd.load() as they were.

Each test runs a program under pyhd-run, then runs pyhd-debug on the dump
with one pdb command that executes a checker script inside the debugger's
(isolated) interpreter. The checker loads the dump with _pyhd.load() and
prints what it found as JSON; the test asserts on that.
"""

import enum
import glob
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

from e2e_util import CrashTestCase, run_checker, write_program as write

RUN = os.environ.get("PYHD_RUN")
DEBUG = os.environ.get("PYHD_DEBUG")


class LoadTest(CrashTestCase):
    def check(self, dump, checker, trust=False, env=None):
        """Run checker (source text; it sets `facts`) inside pyhd-debug on dump."""
        facts, _ = run_checker(dump, checker, self.dir, trust, env=dict(os.environ, **(env or {})))
        return facts

    # ----------------------------------------------------------------------

    def test_builtin_values_equal_and_identical(self):
        dump = self.dump("""
            def f():
                values = [0, 1, -1, 2**62, -2**63, 2**64, -10**40, 1.5, -0.0, float('inf'),
                          1e-300, 2+3j, 'ascii', 'caf\\xe9', '\\u20ac uro', '\\U0001F600',
                          '', b'by\\x00tes', bytearray(b'ba'), (), (1, (2, 3)), [], {1, 2},
                          frozenset({'a'}), {'k': [1]}, None, True, False, ..., NotImplemented,
                          range(1, 10, 3), slice(1, None, 2)]
                shared = [1, 2]
                pair = (shared, shared)
                cyc = [0]
                cyc.append(cyc)
                d = {}
                d['self'] = d
                tup_cycle = ([],)
                tup_cycle[0].append(tup_cycle)
                1 / 0
            f()
        """)
        facts = self.check(dump, """
            r = _pyhd.load(DUMP)
            loc = innermost_locals(r)
            expected = [0, 1, -1, 2**62, -2**63, 2**64, -10**40, 1.5, -0.0, float('inf'),
                        1e-300, 2+3j, 'ascii', 'caf\\xe9', '\\u20ac uro', '\\U0001F600',
                        '', b'by\\x00tes', bytearray(b'ba'), (), (1, (2, 3)), [], {1, 2},
                        frozenset({'a'}), {'k': [1]}, None, True, False, ..., NotImplemented,
                        range(1, 10, 3), slice(1, None, 2)]
            values = loc['values']
            facts = {
                'equal': values == expected,
                'types': [type(a) is type(b) for a, b in zip(values, expected)],
                'neg_zero': str(values[8]),
                'singletons': [values[25] is None, values[26] is True, values[28] is ...,
                               values[29] is NotImplemented],
                'shared': loc['pair'][0] is loc['pair'][1] is loc['shared'],
                'list_cycle': loc['cyc'][1] is loc['cyc'],
                'dict_cycle': loc['d']['self'] is loc['d'],
                'tuple_cycle': loc['tup_cycle'][0][0] is loc['tup_cycle'],
                'exception': repr(r['roots']['exception']),
                'truncated': r['truncated'],
                'objects': r['objects'] > 30,
                'format_version': r['format_version'],
            }
        """)
        self.assertTrue(facts["equal"])
        self.assertTrue(all(facts["types"]), facts["types"])
        self.assertEqual(facts["neg_zero"], "-0.0")
        self.assertEqual(facts["singletons"], [True] * 4)
        for key in ("shared", "list_cycle", "dict_cycle", "tuple_cycle"):
            self.assertTrue(facts[key], key)
        self.assertEqual(facts["exception"], "ZeroDivisionError('division by zero')")
        self.assertFalse(facts["truncated"])
        self.assertTrue(facts["objects"])
        self.assertEqual(facts["format_version"], 4)

    def test_stdlib_values_are_real(self):
        dump = self.dump("""
            import array, collections, datetime, decimal, fractions, pathlib, re, uuid
            def f():
                tz = datetime.timezone(datetime.timedelta(hours=2), 'X')
                v = {
                    'date': datetime.date(2020, 2, 29),
                    'time': datetime.time(1, 2, 3, 4, tzinfo=datetime.timezone.utc),
                    'dt': datetime.datetime(2021, 3, 4, 5, 6, 7, 8, tzinfo=tz, fold=1),
                    'td': datetime.timedelta(days=-3, seconds=5, microseconds=7),
                    'dec': decimal.Decimal('-1.2500'),
                    'frac': fractions.Fraction(-7, 3),
                    'uuid': uuid.UUID('12345678-1234-5678-1234-567812345678'),
                    'path': pathlib.PurePosixPath('/a/b'),
                    'ppath': pathlib.Path('/tmp'),
                    'deque': collections.deque([1, [2]], maxlen=3),
                    'pattern': re.compile(b'x+', re.I),
                    'array': array.array('i', [1, -2, 3]),
                    'od': collections.OrderedDict([('b', 1), ('a', 2)]),
                    'dd': collections.defaultdict(list, {'k': [1]}),
                    'counter': collections.Counter('abracadabra'),
                    'flag': re.IGNORECASE | re.MULTILINE,
                }
                raise RuntimeError(v)
            f()
        """)
        facts = self.check(dump, """
            import array, collections, datetime, decimal, fractions, pathlib, re, uuid
            r = _pyhd.load(DUMP)
            v = r['roots']['exception'].args[0]
            tz = datetime.timezone(datetime.timedelta(hours=2), 'X')
            expected = {
                'date': datetime.date(2020, 2, 29),
                'time': datetime.time(1, 2, 3, 4, tzinfo=datetime.timezone.utc),
                'dt': datetime.datetime(2021, 3, 4, 5, 6, 7, 8, tzinfo=tz, fold=1),
                'td': datetime.timedelta(days=-3, seconds=5, microseconds=7),
                'dec': decimal.Decimal('-1.2500'),
                'frac': fractions.Fraction(-7, 3),
                'uuid': uuid.UUID('12345678-1234-5678-1234-567812345678'),
                'path': pathlib.PurePosixPath('/a/b'),
                'ppath': pathlib.Path('/tmp'),
                'deque': collections.deque([1, [2]], maxlen=3),
                'pattern': re.compile(b'x+', re.I),
                'array': array.array('i', [1, -2, 3]),
                'od': collections.OrderedDict([('b', 1), ('a', 2)]),
                'dd': collections.defaultdict(list, {'k': [1]}),
                'counter': collections.Counter('abracadabra'),
                'flag': re.IGNORECASE | re.MULTILINE,
            }
            facts = {k: [type(v.get(k)) is type(e), v.get(k) == e, repr(v.get(k))]
                     for k, e in expected.items()}
            facts['dd_factory'] = v['dd'].default_factory is list
            facts['od_order'] = list(v['od'])
            facts['dt_fold'] = v['dt'].fold
            facts['deque_maxlen'] = v['deque'].maxlen
        """)
        for key in ("date", "time", "dt", "td", "dec", "frac", "uuid", "path", "ppath", "deque",
                    "pattern", "array", "od", "dd", "counter", "flag"):
            same_type, equal, text = facts[key]
            self.assertTrue(same_type, "%s: %s" % (key, text))
            self.assertTrue(equal, "%s: %s" % (key, text))
        self.assertTrue(facts["dd_factory"])
        self.assertEqual(facts["od_order"], ["b", "a"])
        self.assertEqual(facts["dt_fold"], 1)
        self.assertEqual(facts["deque_maxlen"], 3)

    def test_surrogates_and_stubs(self):
        dump = self.dump("""
            import collections, enum, socket
            class Point:
                def __init__(self, x, y):
                    self.x, self.y = x, y
                def __repr__(self):
                    raise AssertionError('user code ran')
            class Slotted:
                __slots__ = ('a', 'b')
            class MyList(list):
                pass
            class MyDict(dict):
                pass
            class Bag(list):
                def __repr__(self):
                    raise AssertionError('user code ran')
            class MyBytes(bytearray):
                pass
            class MyStr(str):
                pass
            class Color(enum.Enum):
                RED = 1
            class Level(enum.IntEnum):
                HIGH = 3
            class AppError(KeyError):
                def __init__(self, msg, code):
                    super().__init__(msg)
                    self.code = code
            Pair = collections.namedtuple('Pair', 'left right')
            def divide(a, b):
                return a / b
            def main():
                p = Point(1, 2)
                s = Slotted(); s.a = 'A'; s.b = p
                ml = MyList([1, 2]); ml.tag = 't'
                md = MyDict(k=1)
                bag = Bag([1, (2,)])
                mb = MyBytes(b'raw')
                ms = MyStr('text')
                ms.note = 'n'
                color = Color.RED
                level = Level.HIGH
                colors = {Color.RED: 'red'}
                pair = Pair(3, 4)
                fn = divide
                meth = p.__init__
                sock = socket.socket()
                gen = (i for i in range(3))
                next(gen)
                try:
                    divide(1, 0)
                except ZeroDivisionError:
                    raise AppError('boom', 42)
            main()
        """)
        facts = self.check(dump, """
            r = _pyhd.load(DUMP)
            exc = r['roots']['exception']
            tb = r['exceptions'][0][1]
            while tb.next is not None and tb.frame.code.name != 'main':
                tb = tb.next
            loc = tb.frame.locals
            try:
                loc['fn'](1, 2)
                called = 'no error'
            except TypeError as e:
                called = str(e)
            P = type(loc['p'])
            facts = {
                'p': repr(loc['p']),
                'p_class': [P.__name__, P.__qualname__, P.__module__],
                'p_attrs': vars(loc['p']),
                'p_getattr': [loc['p'].x, loc['p'].y, loc['s'].a],
                's_attrs': [type(loc['s']).__slots__, hasattr(loc['s'], '__dict__')],
                's_b_is_p': loc['s'].b is loc['p'],
                'ml': [isinstance(loc['ml'], list), list(loc['ml']), loc['ml'].tag],
                'md': [isinstance(loc['md'], dict), dict(loc['md'])],
                'bag': repr(loc['bag']),
                'mb': [type(loc['mb']).__name__, isinstance(loc['mb'], bytearray),
                       bytes(loc['mb']).decode()],
                'ms': [type(loc['ms']).__name__, isinstance(loc['ms'], str), str(loc['ms']),
                       loc['ms'].note, repr(loc['ms'])],
                'color': repr(loc['color']),
                'color_enum': [isinstance(loc['color'], __import__('enum').Enum),
                               loc['color'].name, loc['color'].value,
                               loc['colors'].get(loc['color'])],
                'level': [repr(loc['level']), isinstance(loc['level'], int),
                          loc['level'] + 1, loc['level'].name],
                'pair': [isinstance(loc['pair'], tuple), tuple(loc['pair']),
                         loc['pair'].right, list(type(loc['pair'])._fields)],
                'fn': repr(loc['fn']),
                'fn_called': called,
                'fn_source': hasattr(loc['fn'], 'get_source'),
                'meth': repr(loc['meth']),
                'sock': repr(loc['sock']),
                'gen': repr(loc['gen']),
                'exc': [isinstance(exc, KeyError), type(exc).__name__, exc.args, exc.code,
                        type(exc.__context__).__name__, exc.__cause__ is None,
                        exc.__suppress_context__, exc.__traceback__ is None],
                'exceptions': [type(e).__name__ for e, tb in r['exceptions']],
                'main_module': tb.frame.globals['__name__'],
                'globals_builtins': tb.frame.globals['__builtins__'] is __import__('builtins'),
                'loader_spec': [tb.frame.globals['__loader__'], tb.frame.globals['__spec__']],
                'frame_builtins': tb.frame.builtins is __import__('builtins'),
                'code': [tb.frame.code.name, tb.frame.code.argcount,
                         list(tb.frame.code.varnames)[:2]],
            }
        """)
        self.assertEqual(facts["p"], "<rebuilt Point x=1 y=2>")
        self.assertEqual(facts["p_class"], ["Point", "Point", "__main__"])
        self.assertEqual(facts["p_attrs"], {"x": 1, "y": 2})
        self.assertEqual(facts["p_getattr"], [1, 2, "A"])
        self.assertEqual(facts["s_attrs"], [["a", "b"], False])
        self.assertTrue(facts["s_b_is_p"])
        self.assertEqual(facts["ml"], [True, [1, 2], "t"])
        self.assertEqual(facts["md"], [True, {"k": 1}])
        self.assertEqual(facts["bag"], "<rebuilt Bag [1, (2,)]>")
        self.assertEqual(facts["mb"], ["MyBytes", True, "raw"])
        self.assertEqual(facts["ms"], ["MyStr", True, "text", "n", "'text'"])
        self.assertEqual(facts["color"], "<Color.RED: 1>")
        self.assertEqual(facts["color_enum"], [True, "RED", 1, "red"])
        self.assertEqual(facts["level"], ["<Level.HIGH: 3>", True, 4, "HIGH"])
        self.assertEqual(facts["pair"], [True, [3, 4], 4, ["left", "right"]])
        self.assertRegex(facts["fn"], r"^<function divide at 0x[0-9a-f]+>$")
        self.assertRegex(facts["fn_called"], r"^divide is a function \(prog\.py:\d+\); "
                         "a dump does not run program code$")
        self.assertFalse(facts["fn_source"])
        self.assertEqual(facts["meth"], "<bound method Point.__init__ of <rebuilt Point x=1 y=2>>")
        # A socket is a look-alike printing as python's (it reaches no socket here).
        # (Before 3.11, %s of an IntEnum is its name, as python 3.10 prints it too.)
        self.assertRegex(facts["sock"], r"^<socket\.socket fd=\d+, "
                                        r"family=(2|AddressFamily\.AF_INET), "
                                        r"type=(1|SocketKind\.SOCK_STREAM), proto=0, "
                                        r"laddr=\('0\.0\.0\.0', 0\)>$")
        self.assertIn("generator", facts["gen"])
        self.assertEqual(facts["exc"], [True, "AppError", ["boom"], 42, "ZeroDivisionError",
                                        True, False, True])
        self.assertEqual(sorted(facts["exceptions"]), ["AppError", "ZeroDivisionError"])
        self.assertEqual(facts["main_module"], "__main__")
        self.assertTrue(facts["globals_builtins"])
        self.assertEqual(facts["loader_spec"], [None, None])
        self.assertTrue(facts["frame_builtins"])
        self.assertEqual(facts["code"], ["main", 0, ["p", "s"]])

    def test_exception_details(self):
        dump = self.dump("""
            import array, os, sys
            def f():
                errors = []
                try:
                    open('/nonexistent/x.txt')
                except OSError as e:
                    errors.append(e)
                try:
                    compile('x = (', 'bad.py', 'exec')
                except SyntaxError as e:
                    errors.append(e)
                try:
                    {}['k']
                except KeyError as e:
                    errors.append(e)
                if sys.version_info >= (3, 11):
                    errors.append(ExceptionGroup('several', [ValueError(1), TypeError(2)]))
                view = memoryview(array.array('d', [1.5, 2.5]))
                module = os
                try:
                    raise LookupError('hidden')
                except LookupError:
                    raise RuntimeError('shown') from None
            f()
        """)
        facts = self.check(dump, """
            r = _pyhd.load(DUMP)
            exc = r['roots']['exception']
            tb = r['exceptions'][-1][1] or r['exceptions'][0][1]
            frames = []
            for e, t in r['exceptions']:
                while t is not None:
                    frames.append(t.frame)
                    t = t.next
            loc = [f.locals for f in frames if f.code.name == 'f'][0]
            oserr, synerr, keyerr = loc['errors'][:3]
            facts = {
                'top': [type(exc).__name__, exc.args, exc.__suppress_context__,
                        type(exc.__context__).__name__, exc.__cause__],
                'oserror': [type(oserr).__name__, oserr.errno, oserr.strerror, oserr.filename],
                'syntax': [type(synerr).__name__, synerr.filename, synerr.lineno, synerr.msg],
                'keyerror': [type(keyerr).__name__, keyerr.args],
                'view': [type(loc['view']).__name__, loc['view'].tobytes() ==
                         __import__('array').array('d', [1.5, 2.5]).tobytes()],
                'module': repr(loc['module']),
            }
            if sys.version_info >= (3, 11) and len(loc['errors']) > 3:
                group = loc['errors'][3]
                facts['group'] = [type(group).__name__, group.message,
                                  [type(x).__name__ for x in group.exceptions]]
        """)
        self.assertEqual(facts["top"], ["RuntimeError", ["shown"], True, "LookupError", None])
        self.assertEqual(facts["oserror"], ["FileNotFoundError", 2, "No such file or directory",
                                            "/nonexistent/x.txt"])
        self.assertEqual(facts["syntax"][:3], ["SyntaxError", "bad.py", 1])
        self.assertEqual(facts["keyerror"], ["KeyError", ["k"]])
        self.assertEqual(facts["view"][1], True)
        # As the dumped python printed it: frozen from 3.11 on, a file before.
        python_says = subprocess.run(
            [os.environ.get("PYHD_PYTHON", sys.executable), "-c", "import os; print(repr(os))"],
            capture_output=True, text=True).stdout.strip()
        self.assertEqual(facts["module"], python_says)
        self.assertRegex(facts["module"], r"^<module 'os' (from '.*os\.py'|\(frozen\))>$")
        if sys.version_info >= (3, 11):
            self.assertEqual(facts["group"], ["ExceptionGroup", "several",
                                              ["ValueError", "TypeError"]])

    def test_program_classes_and_functions_are_real_and_inert(self):
        dump = self.dump("""
            import dataclasses, enum, os, sys
            class Sale:
                '''A sale.'''
                tax = 0.2
                backoff = [1, 2]
                class Line:
                    pass
                def __init__(self, region, amount):
                    self.region = region
                    self.amount_net = amount
                @property
                def amount(self):
                    return self.amount_net * (1 + self.tax)
                @classmethod
                def make(cls):
                    return cls('x', 1)
                @staticmethod
                def helper(a, b=2, *, key=None):
                    return a
                def summary(self, width: int = 10) -> str:
                    return 'summary'
                def __eq__(self, other):
                    raise AssertionError('program code ran')
                __hash__ = None
            class Color(enum.Flag):
                RED = 1
                GREEN = 2
                BLUE = 4
            @dataclasses.dataclass
            class Item:
                name: str
                qty: int = 0
            def outer(x, y=3, *rest, flag=True, **kw):
                '''Outer doc.'''
                return x
            def make_counter(start):
                count = [start]
                def bump(by=1):
                    count[0] += by
                    return count[0]
                return bump
            def main():
                counter = make_counter(5)
                printer, runner, measure = print, exec, len
                sale = Sale('north', 100)
                item = Item('bolt', 2)
                ns = {'__builtins__': __builtins__.__dict__ if hasattr(__builtins__, '__dict__')
                      else __builtins__}
                exec('def inner(): 1 / 0', ns)
                color = Color.RED
                mod = sys
                environ = os
                ns['inner']()
            main()
        """, env={"PYHD_TEST_VALUE": "visible"})
        facts = self.check(dump, """
            import dataclasses, enum, inspect, types
            from pyhd_debug.model import dumped_sourcelines
            r = _pyhd.load(DUMP)
            frames = []
            tb = r['exceptions'][0][1]
            while tb is not None:
                frames.append(tb.frame)
                tb = tb.next
            main = [f for f in frames if f.code.name == 'main'][0]
            inner = [f for f in frames if f.code.name == 'inner'][0]
            loc = main.locals
            sale, Sale = loc['sale'], type(loc['sale'])
            def error(fn):
                try:
                    fn()
                except TypeError as e:
                    return [type(e).__name__, str(e)]
                return 'no error'
            Color = type(loc['color'])
            class Real(enum.Flag):  # this Python's own way to print a combination
                RED = 1
                GREEN = 2
                BLUE = 4
            outer = main.globals['outer']
            facts = {
                'class': [type(Sale).__name__, repr(Sale), Sale.tax,
                          Sale.backoff, Sale.Line.__qualname__, isinstance(sale, Sale),
                          vars(sale)],
                'property': error(lambda: sale.amount),
                'method': error(lambda: sale.summary()),
                'classmethod': error(lambda: Sale.make()),
                'staticmethod': error(lambda: Sale.helper(1)),
                'init': error(lambda: Sale('a', 1)),
                'signature': str(inspect.signature(Sale.summary)),
                'static_sig': str(inspect.signature(Sale.helper)),
                'source': inspect.getsource(Sale.summary).splitlines()[0].strip(),
                'eq': sale == sale,
                'function': [type(outer).__name__, outer.__name__, outer.__qualname__,
                             outer.__module__, outer.__defaults__, outer.__kwdefaults__,
                             outer.__doc__, str(inspect.signature(outer)),
                             outer.__code__.co_filename.endswith('prog.py'),
                             inspect.getsource(outer).splitlines()[0]],
                'called': error(lambda: outer(1)),
                'enum': [repr(Color.RED | Color.BLUE) == repr(Real.RED | Real.BLUE).replace(
                             'Real', 'Color'), [m.name for m in Color],
                         repr(Color.GREEN), type(Color).__name__, Color.RED in Color],
                'dataclass': [repr(loc['item']),
                              [f.name for f in dataclasses.fields(loc['item'])],
                              dataclasses.is_dataclass(loc['item'])],
                'version_type': [type(loc['mod'].version_info).__module__,
                                 type(loc['mod'].version_info).__qualname__],
                'sys': [loc['mod'].argv, loc['mod'].platform, list(loc['mod'].version_info[:2])
                        == list(sys.version_info[:2]) or loc['mod'].version_info[0] == 3,
                        'os' in loc['mod'].modules, isinstance(loc['mod'].path, list),
                        repr(loc['mod']),
                        # sys.modules: the rebuilt sys itself, and for a module not
                        # rebuilt an empty module of its name and file (_pyhd.module_table).
                        # Modules the dump holds (a builtin function's __self__, such as
                        # _io of open) are rebuilt ones, whose spec gives their repr.
                        loc['mod'].modules['sys'] is loc['mod'],
                        (lambda empty: [
                            len(empty) > 5,
                            all(type(m) is type(sys) and m.__name__ == n and m.__spec__ is None
                                and m.__doc__ is None and m.__loader__ is None
                                for n, m in empty),
                            any(isinstance(vars(m).get('__file__'), str) for n, m in empty)])(
                            [(n, m) for n, m in loc['mod'].modules.items()
                             if set(vars(m)) <= {'__doc__', '__file__', '__loader__', '__name__',
                                                 '__package__', '__spec__'}
                             and repr(m) != "<module %r (built-in)>" % n])],
                'environ': [loc['environ'].environ['PYHD_TEST_VALUE'],
                            'environ({' in repr(loc['environ'].environ)],
                'exec_builtins': type(inner.globals['__builtins__']).__name__,
                'builtins': [repr(loc['printer']), repr(loc['runner']), loc['measure'] is len,
                             error(lambda: loc['runner']('1'))],
                'closure': [loc['counter'].__code__.co_freevars,
                            [c.cell_contents for c in loc['counter'].__closure__],
                            inspect.getclosurevars(loc['counter']).nonlocals],
                'sources': [dumped_sourcelines(x)[0][0].strip()
                            for x in (Sale, Sale.__dict__['amount'], Sale.Line, Sale.make)],
            }
            try:
                loc['environ'].environ['X'] = '1'
                facts['environ'].append('writable')
            except TypeError:
                facts['environ'].append('read-only')
        """)
        self.assertEqual(facts["class"], ["type", "<class '__main__.Sale'>", 0.2,
                                          [1, 2], "Sale.Line", True,
                                          {"region": "north", "amount_net": 100}])
        suffix = "; a dump does not run program code"
        self.assertEqual(facts["property"][0], "DumpedCodeError")
        self.assertRegex(facts["property"][1],
                         r"^amount is a property of Sale \(prog\.py:\d+\)" + suffix)
        self.assertRegex(facts["method"][1], r"^summary is a method of Sale \(prog\.py:\d+\)")
        self.assertRegex(facts["classmethod"][1], r"^make is a classmethod of Sale")
        self.assertRegex(facts["staticmethod"][1], r"^helper is a staticmethod of Sale")
        self.assertRegex(facts["init"][1], r"^__init__ is a method of Sale")
        # 3.14 evaluates annotations only when asked (PEP 649): the dump has none,
        # and pyhd-debug reads them from the def, never running it (names found
        # in the dumped globals or builtins are the objects, as python's).
        self.assertEqual(facts["signature"], "(self, width: int = 10) -> str")
        self.assertEqual(facts["static_sig"], "(a, b=2, *, key=None)")
        self.assertEqual(facts["source"], "def summary(self, width: int = 10) -> str:")
        self.assertTrue(facts["eq"])
        self.assertEqual(facts["function"][:7], [
            "function", "outer", "outer", "__main__", [3], {"flag": True}, None])
        self.assertEqual(facts["function"][7:], [
            "(x, y=3, *rest, flag=True, **kw)", True, "def outer(x, y=3, *rest, flag=True, **kw):"])
        self.assertRegex(facts["called"][1], r"^outer is a function \(prog\.py:\d+\)" + suffix)
        self.assertEqual(facts["enum"], [True, ["RED", "GREEN", "BLUE"],
                                         "<Color.GREEN: 2>", type(enum.Flag).__name__, True])
        self.assertEqual(facts["dataclass"], ["Item(name='bolt', qty=2)", ["name", "qty"], True])
        self.assertEqual(facts["sys"][:5], [["prog.py"], sys.platform, True, True, True])
        self.assertEqual(facts["version_type"], ["sys", "version_info"])
        self.assertEqual(facts["sys"][5], "<module 'sys' (built-in)>")
        self.assertEqual(facts["sys"][6:], [True, [True, True, True]])
        self.assertEqual(facts["environ"], ["visible", True, "read-only"])
        self.assertEqual(facts["exec_builtins"], "dict")
        # Only pure builtins are this interpreter's: a dumped callable never reaches exec.
        self.assertEqual(facts["builtins"][:3], ["<built-in function print>",
                                                 "<built-in function exec>", True])
        self.assertEqual(facts["builtins"][3][0], "DumpedCodeError")
        self.assertEqual(facts["closure"], [["count"], [[5]], {"count": [5]}])
        self.assertEqual(facts["sources"], ["class Sale:", "@property", "class Line:",
                                            "@classmethod"])

    def test_builtin_callables_are_real_and_inert(self):
        dump = self.dump("""
            import os
            class Settings(dict):
                pass
            def main():
                system, remove, printer = os.system, os.remove, print
                items = [3, 1]
                append, fromkeys = items.append, Settings.fromkeys
                settings = Settings(debug=True)
                lookup = settings.get
                upper, join, init = 'abc'.upper, str.join, object.__init__
                1 / 0
            main()
        """)
        target = os.path.join(self.dir, "reached")
        facts = self.check(dump, """
            import os
            tb = _pyhd.load(DUMP)['exceptions'][0][1]
            while tb.frame.code.name != 'main':
                tb = tb.next
            loc = tb.frame.locals
            def error(fn):
                try:
                    fn()
                except TypeError as e:
                    return [type(e).__name__, str(e)]
                return 'no error'
            system = loc['system']
            facts = {
                'types': sorted({type(loc[n]).__name__ for n in
                                 ('system', 'remove', 'printer', 'append', 'fromkeys',
                                  'lookup', 'upper')}),
                'names': [system.__name__, system.__qualname__, system.__module__,
                          repr(system), system.__self__.__name__],
                'calls': [error(lambda: system('touch ' + TARGET)),
                          error(lambda: loc['remove'](TARGET)),
                          error(lambda: loc['printer']('printed')),
                          error(lambda: type(system).__call__(system, 'touch ' + TARGET))],
                'reached': os.path.exists(TARGET),
                'bound': [loc['append'].__self__ is loc['items'],
                          loc['lookup'].__self__ is loc['settings'], loc['lookup']('debug'),
                          loc['upper'](), loc['fromkeys'].__self__ is type(loc['settings']),
                          repr(loc['join']), loc['init'] is object.__init__],
            }
            loc['append'](5)
            facts['bound'].append(loc['items'])
        """.replace("TARGET", repr(target)))
        self.assertEqual(facts["types"], ["builtin_function_or_method"])
        self.assertEqual(facts["names"], ["system", "system", "posix", "<built-in function system>",
                                          "posix"])
        suffix = " is a builtin function of the dumped program; a dump does not run it"
        self.assertEqual(facts["calls"], [
            ["DumpedCodeError", "system" + suffix], ["DumpedCodeError", "remove" + suffix],
            ["DumpedCodeError", "print" + suffix],
            ["DumpedCodeError", "a builtin function of the dumped program; a dump does not run it"]])
        self.assertFalse(facts["reached"])
        self.assertFalse(os.path.exists(target))
        self.assertEqual(facts["bound"], [True, True, True, "ABC", True,
                                          "<method 'join' of 'str' objects>", True, [3, 1, 5]])

    def test_code_objects_the_program_held_are_real_and_inert(self):
        dump = self.dump("""
            def helper(a, b=1, *rest, key, **more):
                pass
            def tidy():
                pass
            def main():
                code = helper.__code__
                plain = tidy.__code__
                again = helper.__code__
                1 / 0
            main()
        """)
        facts = self.check(dump, """
            import types
            tb = _pyhd.load(DUMP)['exceptions'][0][1]
            while tb.frame.code.name != 'main':
                tb = tb.next
            loc = tb.frame.locals
            code = loc['code']
            try:
                exec(loc['plain'], {})
                ran = 'no error'
            except Exception as e:
                ran = [type(e).__name__, str(e)]
            facts = {
                'type': type(code) is types.CodeType,
                'fields': [code.co_name, getattr(code, 'co_qualname', code.co_name),
                           code.co_firstlineno,
                           code.co_argcount, code.co_kwonlyargcount, list(code.co_varnames)],
                'file': code.co_filename.endswith('prog.py'),
                'shared': loc['again'] is code,
                'ran': ran,
                'frame_code': type(tb.frame.code).__name__,
            }
        """)
        self.assertTrue(facts["type"])
        self.assertEqual(facts["fields"], ["helper", "helper", 2, 2, 1,
                                           ["a", "b", "key", "rest", "more"]])
        self.assertTrue(facts["file"])
        self.assertTrue(facts["shared"])
        self.assertEqual(facts["ran"], ["DumpedCodeError", "tidy is a code object "
                                        "(prog.py:4); a dump does not run program code"])
        # The frame's own code stays the record that real frames are made from.
        self.assertEqual(facts["frame_code"], "CodeRecord")

    def test_stdlib_classes_of_the_table_are_real_instances(self):
        dump = self.dump("""
            import argparse, collections, configparser, ipaddress, queue, threading, types
            import subprocess, sys
            class Worker(threading.Thread):
                def run(self):
                    raise AssertionError('program code ran')
            def f():
                args = argparse.Namespace(verbose=True, n=3)
                layers = collections.ChainMap({'a': 1}, {'a': 2, 'b': 3})
                net = ipaddress.ip_network('10.0.0.0/30')
                addr = ipaddress.ip_address('10.0.0.1')
                jobs = queue.Queue()
                jobs.put('job')
                t = threading.Thread(target=print, args=('in thread',), name='fetcher')
                t.start()
                t.join()
                w = Worker(name='worker-2')
                cfg = configparser.ConfigParser()
                cfg.read_string('[db]\\nhost = localhost\\n')
                ns = types.SimpleNamespace(a=1)
                proc = subprocess.Popen([sys.executable, '-c', 'pass'])
                proc.wait()
                1 / 0
            f()
        """)
        facts = self.check(dump, """
            import argparse, collections, configparser, ipaddress, queue, threading, types
            import subprocess
            r = _pyhd.load(DUMP)
            loc = innermost_locals(r)
            def attempt(fn):
                try:
                    return fn()
                except Exception as e:
                    return type(e).__name__
            facts = {
                'args': [repr(loc['args']), type(loc['args']) is argparse.Namespace],
                'layers': [loc['layers']['a'], loc['layers']['b'], len(loc['layers']),
                           type(loc['layers']) is collections.ChainMap],
                'net': [str(loc['addr'] + 1), loc['addr'] in loc['net'],
                        [str(h) for h in loc['net'].hosts()]],
                'jobs': [isinstance(loc['jobs'], queue.Queue), list(loc['jobs'].queue)],
                'thread': [loc['t'].name, type(loc['t']) is threading.Thread,
                           attempt(loc['t'].start)],
                'worker': [loc['w'].name, isinstance(loc['w'], threading.Thread),
                           type(loc['w']).__qualname__, attempt(loc['w'].run)],
                'cfg': [loc['cfg']['db']['host'], loc['cfg'].sections()],
                'ns': [repr(loc['ns']), type(loc['ns']) is types.SimpleNamespace,
                       sorted(vars(loc['ns']))],
                'popen': [type(loc['proc']) is subprocess.Popen,
                          type(loc['proc']).__module__, type(loc['proc']).__qualname__,
                          attempt(lambda: loc['proc'].kill())],
            }
        """)
        self.assertEqual(facts["args"], ["Namespace(verbose=True, n=3)", True])
        self.assertEqual(facts["layers"], [1, 3, 2, True])
        self.assertEqual(facts["net"], ["10.0.0.2", True, ["10.0.0.1", "10.0.0.2"]])
        self.assertEqual(facts["jobs"], [True, ["job"]])
        # A dumped thread has started: start() refuses to start it again.
        self.assertEqual(facts["thread"], ["fetcher", True, "RuntimeError"])
        self.assertEqual(facts["worker"], ["worker-2", True, "Worker", "DumpedCodeError"])
        self.assertEqual(facts["cfg"], ["localhost", ["db"]])
        self.assertEqual(facts["ns"], ["namespace(a=1)", True, ["a"]])
        # Popen acts on the world: an inert copy with its names, whose kill() is no method.
        self.assertEqual(facts["popen"][:3], [False, "subprocess", "Popen"])
        self.assertEqual(facts["popen"][3], "AttributeError")

    def test_version_1_dumps_still_open(self):
        # tests/e2e/dumps/format-1.dump was written by pyhd 0.1 (format version 1)
        # from dumps/format-1.py: class attrs held plain data only, functions no defaults.
        dump = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dumps",
                            "format-1.dump")
        facts = self.check(dump, """
            r = _pyhd.load(DUMP)
            loc = innermost_locals(r)
            Sale = type(loc['sale'])
            try:
                loc['func']()
                called = 'no error'
            except TypeError as e:
                called = type(e).__name__
            facts = {
                'version': r['format_version'],
                'sale': [repr(loc['sale']), Sale.__qualname__, Sale.tax, vars(loc['sale'])],
                'color': [repr(loc['color']), loc['color'].name],
                'pair': [repr(loc['pair']), loc['pair'].left],
                'func': [loc['func'].__qualname__, called],
            }
        """)
        self.assertEqual(facts["version"], 1)
        self.assertEqual(facts["sale"], ["<rebuilt Sale region='north'>", "Sale", 0.2,
                                         {"region": "north"}])
        self.assertEqual(facts["color"], ["<Color.RED: 1>", "RED"])
        self.assertEqual(facts["pair"], ["Pair(left=1, right=2)", 1])
        self.assertEqual(facts["func"], ["crash", "DumpedCodeError"])

    def test_builtin_functions_of_older_dumps_still_open(self):
        # tests/e2e/dumps/builtins-v2.dump was written, from dumps/builtins-v2.py, by
        # pyhd-run before a builtin FUNCTION record kept its self: without it each
        # builtin function is inert, a C method too (it is not bound to anything).
        dump = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dumps",
                            "builtins-v2.dump")
        facts = self.check(dump, """
            r = _pyhd.load(DUMP)
            loc = innermost_locals(r)
            def error(fn):
                try:
                    fn()
                except TypeError as e:
                    return [type(e).__name__, str(e)]
                return 'no error'
            facts = {
                'version': r['format_version'],
                'reprs': [repr(loc[n]) for n in ('pid', 'printer', 'append')],
                'types': sorted({type(loc[n]).__name__ for n in ('pid', 'printer', 'append')}),
                'self': [loc['pid'].__self__, loc['append'].__self__, loc['pid'].__module__],
                'calls': [error(loc['pid']), error(lambda: loc['append'](1)), loc['items']],
            }
        """)
        self.assertEqual(facts["version"], 2)
        self.assertEqual(facts["reprs"], ["<built-in function getpid>", "<built-in function print>",
                                          "<built-in function append>"])
        self.assertEqual(facts["types"], ["builtin_function_or_method"])
        self.assertEqual(facts["self"], [None, None, "posix"])
        suffix = " is a builtin function of the dumped program; a dump does not run it"
        self.assertEqual(facts["calls"], [["DumpedCodeError", "getpid" + suffix],
                                          ["DumpedCodeError", "append" + suffix], [3, 1]])

    def test_datetimes_of_version_2_dumps_still_open(self):
        # tests/e2e/dumps/datetimes-v2.dump was written, from dumps/datetimes-v2.py, by
        # pyhd-run before DATETIME records (format version 3): its date, time and
        # datetimes are REDUCED records, rebuilt as the same real values.
        dump = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dumps",
                            "datetimes-v2.dump")
        facts = self.check(dump, """
            import datetime
            r = _pyhd.load(DUMP)
            loc = innermost_locals(r)
            facts = {
                'version': r['format_version'],
                'reprs': [repr(loc[n]) for n in ('day', 'alarm', 'stamps')],
                'real': [type(loc['day']) is datetime.date,
                         type(loc['alarm']) is datetime.time,
                         [type(s) is datetime.datetime for s in loc['stamps']]],
                'utc': loc['alarm'].tzinfo is datetime.timezone.utc,
            }
        """)
        self.assertEqual(facts["version"], 2)
        self.assertEqual(facts["reprs"], [
            "datetime.date(2026, 11, 30)",
            "datetime.time(7, 30, 0, 5, tzinfo=datetime.timezone.utc, fold=1)",
            "[datetime.datetime(2026, 11, 30, 9, 33, 27, 123456), "
            "datetime.datetime(1999, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc)]"])
        self.assertEqual(facts["real"], [True, True, [True, True]])
        self.assertTrue(facts["utc"])

    def test_arrays_of_version_3_dumps_still_open(self):
        # tests/e2e/dumps/arrays-v3.dump was written, from dumps/arrays-v3.py, by pyhd-run
        # before NDARRAY records held a dict id (format version 4): their elements are
        # read whole, and the subclasses' instances are of their classes again.
        python = os.environ["PYHD_PYTHON"]  # the python pyhd-debug embeds
        if subprocess.run([python, "-I", "-c", "import numpy"],
                          capture_output=True).returncode:
            print("\nnumpy is not installed for %s: version 3 arrays are not opened"
                  % python, file=sys.stderr)
            self.skipTest("numpy is not installed")
        dump = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dumps",
                            "arrays-v3.dump")
        facts = self.check(dump, """
            r = _pyhd.load(DUMP)
            loc = innermost_locals(r)
            grid, masked, tagged = loc['grid'], loc['masked'], loc['tagged']
            facts = {
                'version': r['format_version'],
                'grid': [repr(grid), grid.sum().item()],
                'classes': [type(a).__module__ + '.' + type(a).__qualname__
                            for a in (masked, tagged)],
                'data': [masked.data.tolist(), tagged.tolist()],
            }
        """)
        self.assertEqual(facts["version"], 3)
        self.assertEqual(facts["grid"], ["array([[0, 1, 2],\n       [3, 4, 5]], dtype=int16)", 15])
        self.assertEqual(facts["classes"], ["numpy.ma.core.MaskedArray", "__main__.Tagged"])
        self.assertEqual(facts["data"], [[1, 2, 3], [1.5, 2.5]])

    def test_buffers_of_other_classes_keep_their_class(self):
        # An mmap exports a buffer, as a memoryview does: its bytes come back in a
        # stand-in named as its class, not as a memoryview (0857ebb's).
        dump = self.dump("""
            import mmap
            def f():
                mapped = mmap.mmap(-1, 8)
                mapped.write(b"pyhd")
                view = memoryview(b"ab")
                raise ValueError(len(mapped))
            f()
        """)
        facts = self.check(dump, """
            r = _pyhd.load(DUMP)
            loc = innermost_locals(r)
            mapped, view = loc['mapped'], loc['view']
            facts = {
                'types': [type(x).__module__ + '.' + type(x).__qualname__ for x in (mapped, view)],
                'bytes': [bytes(mapped)[:4].decode(), len(mapped), mapped[0], view.tobytes().decode()],
                'repr': repr(mapped),
            }
        """)
        self.assertEqual(facts["types"], ["mmap.mmap", "builtins.memoryview"])
        self.assertEqual(facts["bytes"], ["pyhd", 8, ord("p"), "ab"])
        self.assertEqual(facts["repr"], "<rebuilt mmap.mmap: 8 bytes>")

    def test_truncated_values_say_so(self):
        dump = self.dump("""
            def f():
                text = 'x' * 5000
                items = list(range(5000))
                1 / 0
            f()
        """, env={"PYHD_MAX_STRING": "100", "PYHD_MAX_ITEMS": "10"})
        facts = self.check(dump, """
            r = _pyhd.load(DUMP)
            loc = innermost_locals(r)
            facts = {
                'truncated': r['truncated'],
                'text': [isinstance(loc['text'], str), len(loc['text']),
                         repr(loc['text'])[-40:]],
                'items': [isinstance(loc['items'], list), len(loc['items']),
                          repr(loc['items'])[-30:]],
            }
        """)
        self.assertTrue(facts["truncated"])
        self.assertEqual(facts["text"][:2], [True, 100])
        self.assertTrue(facts["text"][2].endswith("... <truncated: 4900 more>"), facts["text"])
        self.assertEqual(facts["items"][:2], [True, 10])
        self.assertTrue(facts["items"][2].endswith("... <truncated: 4990 more>"), facts["items"])

    def test_a_load_leaves_nothing_behind(self):
        # Once a load's graph is dropped, its classes, functions and their
        # bookkeeping (pyhd_surrogates' tables) go too: loading again and again
        # keeps the number of live objects level (it grew by about 50 a load).
        dump = self.dump("""
            import enum
            class Color(enum.Enum):
                RED = 1
            class Sale:
                def __init__(self, amount):
                    self.amount = amount
                def __repr__(self):
                    return f"Sale({self.amount!r})"
                @property
                def double(self):
                    return self.amount * 2
            class Oops(Exception):
                def __str__(self):
                    return "oops %s" % (self.args,)
            def main():
                sale, color = Sale(3), Color.RED
                raise Oops(sale)
            main()
        """)
        facts = self.check(dump, """
            import gc, pyhd_surrogates
            counts = []
            for _ in range(6):
                r = _pyhd.load(DUMP)
                loc = innermost_locals(r)
                text = repr(loc['sale'])
                del r, loc
                gc.collect()
                counts.append((len(gc.get_objects()), len(pyhd_surrogates.SURROGATES)))
            facts = {'counts': counts, 'text': text}
        """)
        self.assertEqual(facts["text"], "Sale(3)")
        counts = facts["counts"]
        # The first loads may fill caches of the debugger's own modules (the
        # mirrors of real classes, made once).
        self.assertEqual(counts[3:], [counts[2]] * 3, counts)

    def test_a_loaded_graph_is_old_to_the_collector(self):
        # The rebuilt objects live as long as the session: a load hands them to
        # the collector's oldest generation, so that its first young collection
        # does not walk them all (they were made with the collector paused,
        # and all counted as young). Objects the caller froze stay frozen.
        import sysconfig
        if sysconfig.get_config_var("Py_GIL_DISABLED"):
            self.skipTest("free-threaded build: its collector has no generations")
        dump = self.dump("""
            def main():
                rows = [[i] for i in range(50)]
                raise ValueError(len(rows))
            main()
        """)
        facts = self.check(dump, """
            import gc
            gc.collect()
            frozen_before = gc.get_freeze_count()
            r = _pyhd.load(DUMP)
            rows = innermost_locals(r)['rows']
            old = gc.get_objects(generation=2)
            facts = {
                'rows_old': any(o is rows for o in old),
                'row_old': any(o is rows[7] for o in old),
                'young': gc.get_count()[0],
                'frozen': gc.get_freeze_count(),
                'frozen_before': frozen_before,
            }
            del old, rows, r
            gc.collect()
            keep = [[] for _ in range(10)]
            gc.freeze()
            r = _pyhd.load(DUMP)
            facts['kept_frozen'] = gc.get_freeze_count() > 0 and not any(
                o is keep[3] for o in gc.get_objects())
            gc.unfreeze()
        """)
        self.assertTrue(facts["kept_frozen"], facts)
        if facts["frozen_before"]:
            # CPython 3.12 starts with objects of its own frozen: a load leaves
            # them so (and its objects young).
            self.assertEqual(facts["frozen"], facts["frozen_before"], facts)
            return
        self.assertTrue(facts["rows_old"], facts)
        self.assertTrue(facts["row_old"], facts)
        self.assertLess(facts["young"], 700, facts)
        self.assertEqual(facts["frozen"], 0)

    def test_a_small_dump_makes_no_class(self):
        # Every dump holds __main__'s loader (a SourceFileLoader, which the
        # rebuilt globals replace by None). Its classes are the trust table's:
        # a load makes no copy of them (four classes, a third of a small
        # dump's load), only the program's own classes.
        dump = self.dump("""
            class Sale:
                pass
            def main():
                sale = Sale()
                raise ValueError(sale)
            main()
        """)
        facts = self.check(dump, """
            import gc, pyhd_surrogates
            r = _pyhd.load(DUMP)
            del r
            gc.collect()
            before = set(pyhd_surrogates.SURROGATES)
            r = _pyhd.load(DUMP)
            made = [ref() for key, ref in pyhd_surrogates.SURROGATES.items()
                    if key not in before]
            facts = {'made': sorted('%s.%s' % (c.__module__, c.__qualname__)
                                    for c in made if c is not None)}
        """)
        self.assertEqual(facts["made"], ["__main__.Sale"])

    def test_instance_dicts_share_their_class_keys_as_in_the_program(self):
        # python keeps an instance's attributes in a dict that shares its class's
        # keys (PEP 412): a few slots per instance once the class has learnt
        # them. A rebuilt instance's __dict__ is made and filled the same way,
        # so it takes the memory the program's took, not a dict of its own.
        # The items that make it up are made with it, even those that need the
        # instance itself first (a bound method, a tuple holding it), and a
        # __dict__ that something else refers to stays that one dict.
        dump = self.dump("""
            import sys
            class Point:
                def __init__(self, i):
                    self.x, self.y, self.z, self.name = i, -i, i * 2, 'p%d' % i
                    self.tags, self.meta, self.w, self.v = ('a', i), {'i': i}, 0.5, [i]
                def norm(self):
                    return self.x
            class Node(Point):
                pass
            class Link:
                pass
            def main():
                points = [Point(i) for i in range(40)]
                sizes = [sys.getsizeof(vars(p)) for p in points]
                a, b = Node(100), Node(101)
                pair = (a, b)
                a.pair = pair
                b.method = b.norm
                b.own = vars(b)
                held = [vars(a)]
                chain = None
                for i in range(100000):
                    link = Link()
                    link.next = chain
                    chain = link
                raise ValueError(len(points))
            main()
        """)
        facts = self.check(dump, """
            import sys
            def chain_length(link):
                n = 0
                while link is not None:
                    n, link = n + 1, link.next
                return n
            r = _pyhd.load(DUMP)
            loc = innermost_locals(r)
            a, b = loc['a'], loc['b']
            facts = {
                'sizes': [sys.getsizeof(vars(p)) for p in loc['points']],
                'dumped': loc['sizes'],
                'values': [(p.x, p.y, p.name, p.tags) for p in loc['points'][:3]],
                'pair': a.pair is loc['pair'] and loc['pair'][0] is a,
                'method': b.method.__self__ is b,
                'own': b.own is vars(b) and b.__dict__['own'] is b.__dict__,
                'held': loc['held'][0] is vars(a) and vars(a)['pair'][1] is b,
                'version': list(sys.version_info[:2]),
                'chain': chain_length(loc['chain']),
            }
        """)
        if facts["version"] >= [3, 11]:
            self.assertEqual(facts["sizes"], facts["dumped"])
        # 3.10 keeps a dict split only when attributes are set one by one
        # (setattr, which a load never calls): its rebuilt dicts are dicts of
        # their own, as before.
        self.assertEqual(facts["values"], [[0, 0, "p0", ["a", 0]], [1, -1, "p1", ["a", 1]],
                                           [2, -2, "p2", ["a", 2]]])
        self.assertTrue(facts["pair"])
        self.assertTrue(facts["method"])
        self.assertTrue(facts["own"])
        self.assertTrue(facts["held"])
        # Each link's dict holds the next link: made one after the other, not
        # by a C recursion as deep as the chain is long.
        self.assertEqual(facts["chain"], 100000)

    def test_ctypes_structures_with_impossible_field_types_still_load(self):
        # A Structure's fields are read through a ctypes type laid out from its
        # _fields_, whose array types the dump names: a name counting more items
        # than any array holds leaves the copy without fields, and the load goes on.
        dump = self.dump("""
            import ctypes
            Pair = ctypes.c_int * 2
            Pair.__qualname__ = Pair.__name__ = "c_int_Array_4611686018427387904"
            Digits = ctypes.c_int * 1
            Digits.__qualname__ = Digits.__name__ = "c_int_Array_" + "9" * 5000
            class P(ctypes.Structure):
                _fields_ = [("x", ctypes.c_int), ("y", Pair)]
            class Q(ctypes.Structure):
                _fields_ = [("x", ctypes.c_int), ("y", Digits)]
            class Fine(ctypes.Structure):  # (ctypes.c_int * 2 is Pair: ctypes keeps it)
                _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_short * 2)]
            def main():
                p, q, fine = P(1, Pair(2, 3)), Q(4, Digits(5)), Fine(6, (ctypes.c_short * 2)(7, 8))
                raise ValueError(p)
            main()
        """)
        facts = self.check(dump, """
            loc = innermost_locals(_pyhd.load(DUMP))
            facts = {
                'types': [type(loc[n]).__qualname__ for n in ('p', 'q', 'fine')],
                'fields': [sorted(vars(loc[n])) for n in ('p', 'q')],
                'fine': [loc['fine'].x, list(loc['fine'].y)],
            }
        """)
        self.assertEqual(facts["types"], ["P", "Q", "Fine"])
        self.assertEqual(facts["fields"], [[], []])
        self.assertEqual(facts["fine"], [6, [7, 8]])

    def test_size_budget_leaves_objects_out(self):
        dump = self.dump("""
            def f():
                data = [{'k%d' % i: [i] * 5} for i in range(3000)]
                more = ['x%d' % i for i in range(3000)]
                1 / 0
            f()
        """, env={"PYHD_MAX_SIZE": "20000"})
        facts = self.check(dump, """
            r = _pyhd.load(DUMP)
            loc = innermost_locals(r)
            reprs = [repr(x) for x in loc['data'] + loc['more']]
            facts = {
                'truncated': r['truncated'],
                'left_out': sum(t.startswith('<truncated ') for t in reprs),
                'lengths': [len(loc['data']), len(loc['more'])],
                'exception': repr(r['roots']['exception']),
            }
        """)
        self.assertTrue(facts["truncated"])
        self.assertGreater(facts["left_out"], 0)
        self.assertEqual(facts["lengths"], [3000, 3000])
        self.assertEqual(facts["exception"], "ZeroDivisionError('division by zero')")

    def test_threads_and_roots(self):
        dump = self.dump("""
            import sys, threading
            started = threading.Event()
            stop = threading.Event()
            def worker():
                started.set()
                stop.wait(60)
            t = threading.Thread(target=worker, name='worker-1', daemon=True)
            t.start()
            started.wait()
            raise SystemError('main fails')
        """)
        facts = self.check(dump, """
            import sys
            r = _pyhd.load(DUMP)
            threads = {t['name']: t for t in r['threads']}
            w = threads.get('worker-1')
            f = w and w['frame']
            names = []
            while f is not None:
                names.append(f.code.name)
                f = f.back
            roots = r['roots']
            facts = {
                'names': sorted(threads),
                'worker_flags': w and w['flags'],
                'worker_stack': names,
                'main_flags': threads['MainThread']['flags'],
                'argv': roots['argv'],
                'version_info': list(roots['version_info'])[:2],
                'manifest_keys': [k for k, v in r['manifest']][:2],
                'sources': sorted(r['sources']),
                'source_is_bytes': all(isinstance(v, bytes) for v in r['sources'].values()),
                'traceback_txt': r['traceback_txt'].splitlines(),
                'path': r['path'] == DUMP,
            }
        """)
        self.assertEqual(facts["names"], ["MainThread", "worker-1"])
        self.assertEqual(facts["worker_flags"] & 1, 1)  # daemon
        self.assertEqual(facts["main_flags"] & 6, 6)    # failed, main
        self.assertIn("worker", facts["worker_stack"])
        self.assertEqual(facts["argv"], ["prog.py"])
        self.assertEqual(len(facts["version_info"]), 2)
        self.assertEqual(facts["manifest_keys"], ["Format-Version", "Pyhd-Version"])
        self.assertIn(os.path.join(os.path.realpath(self.dir), "prog.py"), facts["sources"])
        self.assertTrue(facts["source_is_bytes"])
        self.assertIn("SystemError: main fails", facts["traceback_txt"])
        self.assertTrue(facts["path"])

    def test_nothing_from_the_dump_is_imported(self):
        marker = os.path.join(self.dir, "MARKER")
        write(os.path.join(self.dir, "os_evil.py"), """
            open(%r, 'w').write('imported')
            INITS = []
            class Thing:
                def __init__(self):
                    INITS.append(self)
                    self.value = 7
                def double(self):
                    return self.value * 2
                @property
                def half(self):
                    return self.value / 2
            class Slotted:
                __slots__ = ('a',)
                def get(self):
                    return self.a
        """ % marker)
        dump = self.dump("""
            import os_evil
            thing = os_evil.Thing()
            slotted = os_evil.Slotted()
            slotted.a = 'A'
            raise ValueError(thing, slotted)
        """)
        os.remove(marker)
        checker = """
            r = _pyhd.load(DUMP, trust=TRUST)
            thing, slotted = r['roots']['exception'].args
            def run(fn):
                try:
                    return fn()
                except TypeError as e:
                    return type(e).__name__
            facts = {
                'methods': [run(thing.double), run(lambda: thing.half), run(slotted.get)],
                'inits': len(sys.modules['os_evil'].INITS) if 'os_evil' in sys.modules else None,
                'module': type(thing).__module__,
                'rebuilt': repr(thing),
                'value': thing.value,
                'imported': 'os_evil' in sys.modules,
                'isolated': sys.flags.isolated,
                'path_has_cwd': any(p in ('', '.', %r) for p in sys.path),
            }
        """
        checker = checker % os.path.realpath(self.dir)
        # The program's directory on PYTHONPATH and as cwd: without --trust, still no import.
        env = {"PYTHONPATH": self.dir}
        facts = self.check(dump, checker, env=env)
        self.assertEqual(facts["isolated"], 1)
        self.assertFalse(facts["path_has_cwd"])
        self.assertFalse(os.path.exists(marker))
        self.assertFalse(facts["imported"])
        self.assertEqual(facts["module"], "os_evil")
        self.assertEqual(facts["rebuilt"], "<rebuilt Thing value=7>")
        self.assertEqual(facts["value"], 7)
        self.assertEqual(facts["methods"], ["DumpedCodeError"] * 3)
        # With --trust the class is the program's own, imported from its module.
        facts = self.check(dump, checker, trust=True, env=env)
        self.assertEqual(facts["isolated"], 0)
        self.assertTrue(os.path.exists(marker))
        self.assertTrue(facts["imported"])
        self.assertEqual(facts["value"], 7)
        self.assertFalse(facts["rebuilt"].startswith("<rebuilt"))
        # The program's own methods and properties run; __init__ never did.
        self.assertEqual(facts["methods"], [14, 3.5, "A"])
        self.assertEqual(facts["inits"], 0)

    def test_date_subclasses_with_and_without_trust(self):
        # A program's date subclass (a SUBCLASS record with a DATETIME base) is a real
        # date of the rebuilt class; with --trust, of the program's own class,
        # made by date's constructor (its __new__, which counts, does not run).
        write(os.path.join(self.dir, "days.py"), """
            import datetime
            NEWS = []
            class Day(datetime.date):
                def __new__(cls, *args):
                    NEWS.append(args)
                    return super().__new__(cls, *args)
                def weekend(self):
                    return self.weekday() >= 5
        """)
        dump = self.dump("""
            import days
            day = days.Day(2026, 1, 3)
            day.note = 'launch'
            raise ValueError(day)
        """)
        checker = """
            r = _pyhd.load(DUMP, trust=TRUST)
            day = r['roots']['exception'].args[0]
            def run(fn):
                try:
                    return fn()
                except Exception as e:
                    return type(e).__name__
            facts = {
                'repr': repr(day), 'type': type(day).__module__ + '.' + type(day).__qualname__,
                'date': isinstance(day, __import__('datetime').date),
                'note': getattr(day, 'note', None),
                'weekend': run(day.weekend),
                'news': len(sys.modules['days'].NEWS) if 'days' in sys.modules else None,
            }
        """
        env = {"PYTHONPATH": self.dir}
        facts = self.check(dump, checker, env=env)
        self.assertEqual(facts, {"repr": "Day(2026, 1, 3)", "type": "days.Day", "date": True,
                                 "note": "launch", "weekend": "DumpedCodeError", "news": None})
        # With --trust, the program's own class, with its dumped attributes.
        facts = self.check(dump, checker, trust=True, env=env)
        self.assertEqual(facts, {"repr": "Day(2026, 1, 3)", "type": "days.Day", "date": True,
                                 "note": "launch", "weekend": True, "news": 0})

    # ----------------------------------------------------------------------
    # What a load keeps for the next (src/rebuild_roots.c, rebuild.c's caches)

    def test_every_load_rebuilds_sys_os_and_real_classes_alike(self):
        # The first load of a process makes the dumped sys's version_info class,
        # a built-in or frozen module's spec and a real class's instance class;
        # later loads take them from pyhd_surrogates' caches in C. Loads with and
        # without --trust in turn must each give what the program had.
        dump = self.dump("""
            import argparse, os, queue, sys
            def main():
                args = argparse.Namespace(verbose=True, n=3)
                jobs = queue.Queue()
                seen = {'sys': repr(sys), 'os': repr(os),
                        'sys_spec': [sys.__spec__.name, sys.__spec__.origin],
                        'version': list(sys.version_info), 'platform': sys.platform}
                raise ValueError(args)
            main()
        """, env={"GREETING": "hello"})
        facts = self.check(dump, """
            import pyhd_surrogates
            loads = []
            for trust in (False, True, False, True):
                r = _pyhd.load(DUMP, trust=trust)
                loc = innermost_locals(r)
                g = r['exceptions'][0][1].frame.globals
                dsys, dos, args, jobs = g['sys'], g['os'], loc['args'], loc['jobs']
                loads.append({
                    'sys': repr(dsys), 'os': repr(dos),
                    'sys_spec': [dsys.__spec__.name, dsys.__spec__.origin],
                    'version': [type(dsys.version_info).__name__,
                                type(dsys.version_info).__module__] + list(dsys.version_info),
                    'version_repr': repr(dsys.version_info).startswith('sys.version_info(major='),
                    'platform': dsys.platform, 'argv': dsys.argv,
                    'modules': [dsys.modules['sys'] is dsys, dsys.modules['os'] is dos,
                                repr(dsys.modules['argparse']).startswith("<module 'argparse'")],
                    'environ': dos.environ.get('GREETING'),
                    'args': [repr(args), type(args).__module__, type(args).__qualname__],
                    'jobs': [type(jobs).__module__, type(jobs).__qualname__, jobs.qsize()],
                })
                seen = loc['seen']
                del r, loc, g, dsys, dos, args, jobs
            for i in range(2 * pyhd_surrogates._MODULE_SPECS_MAX):
                pyhd_surrogates.module_spec('made_up_%d' % i, 'frozen')
            facts = {'loads': loads, 'seen': seen,
                     'specs': len(pyhd_surrogates._module_specs)}
        """)
        seen, loads = facts["seen"], facts["loads"]
        first = loads[0]
        self.assertEqual(first["sys"], seen["sys"])
        self.assertEqual(first["os"], seen["os"])
        self.assertEqual(first["sys_spec"], seen["sys_spec"])
        self.assertEqual(first["version"], ["version_info", "sys"] + seen["version"])
        self.assertTrue(first["version_repr"])
        self.assertEqual(first["platform"], seen["platform"])
        self.assertEqual(first["argv"], ["prog.py"])
        self.assertEqual(first["modules"], [True, True, True])
        self.assertEqual(first["environ"], "hello")
        self.assertEqual(first["args"], ["Namespace(verbose=True, n=3)", "argparse", "Namespace"])
        self.assertEqual(first["jobs"], ["queue", "Queue", 0])
        for later in loads[1:]:
            self.assertEqual(later, first)
        # Specs are kept for at most _MODULE_SPECS_MAX (name, origin) pairs: a
        # hostile dump may name any number of modules.
        self.assertLessEqual(facts["specs"], 256)

    # ----------------------------------------------------------------------
    # Rebuilt functions made in C (src/rebuild_code.c)

    def test_code_with_takes_only_what_fits(self):
        """_pyhd.code_with gives a rebuilt function's code the record's names, line
        and parameters; a field of the wrong type or range is the template's, and
        parameters that do not fit are all left out (as the Python it replaced)."""
        dump = self.dump("""
            def f(a, b=2, /, c=3, *rest, d=4, **options):
                raise ValueError(a)
            f(1)
        """)
        facts = self.check(dump, """
            import pyhd_surrogates as S
            facts = {}
            _pyhd.load(DUMP)
            template, marker = S._template(), S._UNFILLED
            def code(**fields):
                record = S.CodeRecord()
                for k, v in fields.items():
                    setattr(record, k, v)
                raiser = S._Inert()
                c = _pyhd.code_with(template, marker, raiser, record, ())
                return [c.co_filename, c.co_name, c.co_firstlineno, c.co_argcount,
                        c.co_posonlyargcount, c.co_kwonlyargcount, list(c.co_varnames),
                        c.co_flags & 12, raiser in c.co_consts, marker in c.co_consts,
                        c.co_code == template.co_code]
            good = dict(filename="/x/p.py", name="g", qualname="K.g", firstlineno=7,
                        argcount=2, posonlyargcount=1, kwonlyargcount=1, flags=12,
                        varnames=("a", "b", "k", "args", "kw", "local"))
            facts["good"] = code(**good)
            facts["bool_line"] = code(**dict(good, firstlineno=True))[2]
            facts["zero_line"] = code(**dict(good, firstlineno=0))[2]
            facts["huge_line"] = code(**dict(good, firstlineno=2 ** 40))[2]
            facts["bytes_name"] = code(**dict(good, filename=b"/x", name=b"g"))[:2]
            facts["posonly_past"] = code(**dict(good, posonlyargcount=3))[3:7]
            facts["few_names"] = code(**dict(good, varnames=("a", "b")))[3:7]
            facts["bad_name"] = code(**dict(good, varnames=("a", 1, "k", "args", "kw")))[3:7]
            facts["negative"] = code(**dict(good, kwonlyargcount=-1))[3:7]
            facts["over_255"] = code(**dict(good, argcount=300,
                                            varnames=tuple("v%d" % i for i in range(400))))[3]
            facts["none"] = _pyhd.code_with(template, marker, S._Inert(), None, ()).co_name
            try:
                _pyhd.code_with(template, marker)
            except TypeError as e:
                facts["nargs"] = "TypeError"
        """)
        self.assertEqual(facts["good"], ["/x/p.py", "g", 7, 2, 1, 1, ["a", "b", "k", "args", "kw"],
                                         12, True, False, True])
        template_line = facts["bool_line"]
        self.assertEqual(facts["zero_line"], template_line)
        self.assertEqual(facts["huge_line"], template_line)
        self.assertNotEqual(facts["bytes_name"][1], "g")
        self.assertNotEqual(facts["bytes_name"][0], "/x")
        for key in ("posonly_past", "few_names", "bad_name", "negative"):
            # The template's own parameters: (*args, **kwargs).
            self.assertEqual(facts[key], [0, 0, 0, ["args", "kwargs"]], key)
        self.assertEqual(facts["over_255"], 0)
        self.assertEqual(facts["none"], "_rebuilt")
        self.assertEqual(facts["nargs"], "TypeError")

    def test_rebuilt_functions_keep_what_the_dump_says(self):
        """Functions made and filled in C: names, defaults, keyword defaults,
        annotations, closures and the code's parameters; calling one raises."""
        dump = self.dump("""
            import functools
            def make(n=5):
                def add(x, *, scale: int = 2) -> int:
                    return (x + n) * scale
                return add
            def helper(a, b=2, /, c=3, *rest, d=4, **options):
                return a
            @functools.lru_cache(maxsize=None)
            def cached(key: str) -> int:
                return len(key)
            def noted(value):
                return value
            def typed(a: list[int], b: dict[str, 'Later'] | None = None,
                      c: type[int] = int, *,
                      d: noted(int) = 0) -> tuple[int, ...]:
                return a
            def f():
                add, h, c, t = make(), helper, cached, typed
                raise ValueError(1)
            f()
        """)
        facts = self.check(dump, """
            import inspect, pyhd_surrogates as S
            facts = {}
            loc = innermost_locals(_pyhd.load(DUMP))
            add, h, c = loc["add"], loc["h"], loc["c"]
            facts["add"] = [add.__qualname__, add.__module__, add.__kwdefaults__,
                            str(inspect.signature(add)), add.__code__.co_freevars,
                            [cell.cell_contents for cell in add.__closure__],
                            S._is_rebuilt_function(add), add.__code__.co_name]
            facts["helper"] = [h.__name__, h.__defaults__, str(inspect.signature(h)),
                               h.__code__.co_firstlineno]
            facts["cached"] = [c.__wrapped__.__qualname__, str(inspect.signature(c.__wrapped__))]
            facts["typed"] = str(inspect.signature(loc["t"]))
            try:
                add(1)
            except Exception as e:
                facts["call"] = [type(e).__name__, str(e)]
        """)
        # 3.14 keeps annotations unevaluated: the dump has none, and they are read
        # from the dumped source (pyhd_surrogates._function_source_annotate).
        self.assertEqual(facts["add"], ["make.<locals>.add", "__main__", {"scale": 2},
                                        "(x, *, scale: int = 2) -> int",
                                        ["n"], [5], True, "add"])
        self.assertEqual(facts["helper"], ["helper", [2, 3],
                                           "(a, b=2, /, c=3, *rest, d=4, **options)", 7])
        self.assertEqual(facts["cached"], ["cached", "(key: str) -> int"])
        # Generic aliases and unions of what the names find, as python prints them;
        # on 3.14 a call (the program's code) stays its text.
        # (Checked on 3.14, where the source is read; older versions dump the
        # evaluated annotations, and 3.13.0's GenericAlias and UnionType come back
        # opaque: a gap of the walker, named in the session-20 note.)
        called = "'noted(int)'" if sys.version_info >= (3, 14) else "int"
        if sys.version_info >= (3, 14) or sys.version_info < (3, 13):
            self.assertEqual(facts["typed"], "(a: list[int], b: dict[str, 'Later'] | None = None, "
                                             "c: type[int] = <class 'int'>, *, "
                                             "d: %s = 0) -> tuple[int, ...]" % called)
        self.assertEqual(facts["call"][0], "DumpedCodeError")
        self.assertIn("add is a function", facts["call"][1])


if __name__ == "__main__":
    if not RUN or not DEBUG:
        sys.exit("PYHD_RUN and PYHD_DEBUG must name the executables")
    unittest.main()
