"""A program's own __repr__ in pyhd-debug: evaluated by pyhd where it is a plain
format over the object's attributes, and never run.

The crash program's classes have __repr__ bodies that, run, would act on the
debugging machine (delete a file, run a command, import, open, allocate a
gigabyte, join one long str ten thousand times, compute 10**(10**9)) or read
program code (a method, a property that acts or reads itself, properties
reading properties 3**20 times). pyhd-debug must print
each as its dumped attributes and nothing may happen; the plain ones print as
python printed them (tests/e2e/fidelity/program_reprs.py checks many forms).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_util import clean_env, run_pyhd  # noqa: E402

DEBUG = os.environ["PYHD_DEBUG"]

PROGRAM = '''
import datetime, decimal, pathlib, pprint

class Unlinks:
    def __init__(self, path):
        self.path = path
    def __repr__(self):
        return f"Unlinks({self.path.unlink()})"

class Imports:
    def __repr__(self):
        return f"{__import__('os').system('touch pwned-import')}"

class Opens:
    def __repr__(self):
        return "%s" % open("pwned-open", "w")

class Execs:
    def __repr__(self):
        return str(exec("open('pwned-exec', 'w')"))

class Wide:
    def __repr__(self):
        return f"{1:999999999}"

class Big:
    def __repr__(self):
        return "x" * 10 ** 9

class Calls:
    def __init__(self):
        self.n = 1
    def total(self):
        open("pwned-method", "w")
        return 1
    def __repr__(self):
        return f"Calls({self.total()})"

class Reads:
    def __init__(self):
        self._n = 2
    @property
    def n(self):
        open("pwned-property", "w")
        return self._n
    def __repr__(self):
        return f"Reads({self.n})"

class Joins:
    def __init__(self):
        self.items = ["x" * 5000] * 2000   # one str in the dump, 10 MB joined
    def __repr__(self):
        return ", ".join(self.items).replace("x", "yy")

class Rounds:
    def __repr__(self):
        return str(round(10, -1000000000))

class Selfread:   # a property that reads itself
    @property
    def me(self):
        return self.me
    def __repr__(self):
        return f"Selfread({self.me})"

class Fan:   # each level reads the one below three times: 3**20 evaluations
    def __init__(self, below):
        self.below = below
    @property
    def weight(self):
        return 1 if self.below is None else self.below.weight + self.below.weight + self.below.weight
    def __repr__(self):
        return f"Fan({self.weight})"

class Opensprop:   # a property whose body acts: it is not evaluated
    @property
    def handle(self):
        return open("pwned-getter", "w")
    def __repr__(self):
        return f"Opensprop({self.handle})"

def helper():
    open("pwned-global", "w")
    return 1

class Globals:   # a module global that is a function: program code
    def __repr__(self):
        return f"Globals({helper()})"

class Biglist(list):   # the builtin class's repr of 100,000 items: past the bound
    def __repr__(self):
        return "Biglist(%s)" % list.__repr__(self)

class Measures(list):   # len(self) of a list whose own __len__ acts: not run
    def __len__(self):
        open("pwned-len", "w")
        return 99
    def __repr__(self):
        return "Measures(%d)" % len(self)

class Iterates(dict):   # sorted(self) of a dict whose own __iter__ acts: not run
    def __iter__(self):
        open("pwned-iter", "w")
        return iter(())
    def __repr__(self):
        return "Iterates(%s)" % ", ".join(sorted(self))

class Converts(float):   # float(self) of a number whose own __float__ acts: not run
    def __float__(self):
        open("pwned-float", "w")
        return 1.0
    def __repr__(self):
        return "Converts(%s)" % float(self)

class Indexes(tuple):   # self[0] of a tuple whose own __getitem__ acts: not run
    def __getitem__(self, i):
        open("pwned-getitem", "w")
        return 0
    def __repr__(self):
        return "Indexes(%r)" % (self[0],)

class Joins2(tuple):   # join of a tuple whose own __iter__ acts: not run
    def __iter__(self):
        open("pwned-join", "w")
        return iter(("x",))
    def __repr__(self):
        return "Joins2(" + ".".join(self) + ")"

class Truth(list):   # a list whose own __bool__ acts, tested: not run
    def __bool__(self):
        open("pwned-bool", "w")
        return False
    def __repr__(self):
        return "Truth(%s)" % ("full" if self else "empty")

class ActingZone(datetime.tzinfo):   # its utcoffset acts: isoformat() would call it
    def utcoffset(self, dt):
        open("pwned-zone", "w")
        return datetime.timedelta(0)

class Zoned(datetime.datetime):   # the base's isoformat() on self, with that zone
    def __repr__(self):
        return "Zoned(%s)" % self.isoformat()

class Multiplies(float):   # self * 100 of a number whose own __mul__ acts: not run
    def __mul__(self, other):
        open("pwned-mul", "w")
        return 1.0
    def __repr__(self):
        return "Multiplies(%s)" % (self * 100)

class Adds(decimal.Decimal):   # self + 1 of a Decimal whose own __add__ acts: not run
    def __add__(self, other):
        open("pwned-add", "w")
        return 1
    def __repr__(self):
        return "Adds(%s)" % (self + 1)

class Powers:   # 10 ** 10 ** 9 would compute for ever: past the bound
    def __init__(self):
        self.n = 10
    def __repr__(self):
        return "Powers(%s)" % (self.n ** 10 ** 9)

class Pformats:   # pprint of 100,000 items writes them all: past the bound
    def __init__(self):
        self.items = list(range(100000))
    def __repr__(self):
        return "Pformats(%s)" % pprint.pformat(self.items)

class Differs:   # the difference of datetimes asks their zones (which act) for offsets
    def __init__(self):
        self.a = datetime.datetime(2024, 1, 1, tzinfo=ActingZone())
        self.b = datetime.datetime(2024, 1, 2, tzinfo=ActingZone())
    def __repr__(self):
        return "Differs(%s)" % (self.b - self.a)

class Branches:   # a branch that acts: the if is evaluated, its call is not
    def __init__(self):
        self.flag = True
    def __repr__(self):
        if self.flag:
            return "%s" % open("pwned-branch", "w")
        return "Branches()"

class Doubles:   # += past the bound on text (2**41 characters)
    def __init__(self):
        self.steps = list(range(40))
    def __repr__(self):
        text = "xx"
        for step in self.steps:
            text += text
        return text

class Unbound:   # a local read before it is bound is no global: python raises
    def __init__(self):
        self.big = False
    def __repr__(self):
        if self.big:
            helper = "big"
        return "Unbound(%s)" % helper

class Loops:   # a loop whose body acts: the loop runs, the call does not
    def __init__(self):
        self.items = [1, 2]
    def __repr__(self):
        text = ""
        for item in self.items:
            text += str(open("pwned-loop", "w"))
        return text

class Appends:   # appending to a list of the dump would change it: never done
    def __init__(self):
        self.items = [1, 2]
    def __repr__(self):
        items = self.items
        items.append(3)
        return "Appends(%r)" % items

class Spins:   # a loop past the bound of iterations
    def __init__(self):
        self.items = list(range(100000))
    def __repr__(self):
        parts = []
        for a in self.items:
            for b in self.items:
                parts.append(a)
        return "Spins(%d)" % len(parts)

class Getattrs:   # getattr of a property whose getter acts
    @property
    def handle(self):
        return open("pwned-getattr", "w")
    def __repr__(self):
        return "Getattrs(%s)" % getattr(self, "handle")

class Formats:   # a format field that reads that property
    @property
    def handle(self):
        return open("pwned-format", "w")
    def __repr__(self):
        return "Formats({0.handle})".format(self)

class Generic:   # vars(self), as generic reprs read every attribute
    def __init__(self, x, y):
        self.x, self.y = x, y
    def __repr__(self):
        return f"{self.__class__.__name__}({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

class Listed:   # a for loop appending to a list the body made
    def __init__(self, items):
        self.items = items
    def __repr__(self):
        parts = []
        for key, value in self.items.items():
            parts.append("%s=%s" % (key, value))
        return "Listed(" + ", ".join(parts) + ")"

class Slotted:   # getattr over __slots__, map of a builtin
    __slots__ = ("a", "b")
    def __init__(self):
        self.a, self.b = 1, [2]
    def __repr__(self):
        return "Slotted(%s)" % ",".join(map(repr, (getattr(self, n) for n in self.__slots__)))

class Pairs:   # sorted items whose values are program objects; f(*pair)
    def __init__(self):
        self.b, self.a = Plain("p", [1]), [1]
    def __repr__(self):
        return "Pairs({})".format(", ".join("{}={!r}".format(*kv)
                                            for kv in sorted(vars(self).items())))

class Copied:   # list() of a dumped list is a new list: appending to it changes nothing
    def __init__(self):
        self.items = [1, 2]
    def __repr__(self):
        out = list(self.items)
        out.append(0)
        return "Copied(%r, %r)" % (out, self.items)

class Named:   # str.format fields that read attributes and __dict__
    def __init__(self, name):
        self.name = name
    def __repr__(self):
        return "<{0.__class__.__name__} {0.name!r} {1}>".format(self, sorted(self.__dict__))

class Node:
    def __init__(self, left, right):
        self.left, self.right = left, right
    def __repr__(self):
        return f"Node({self.left!r}, {self.right!r})"

class Plain:
    def __init__(self, name, sizes):
        self.name, self.sizes = name, sizes
    def __repr__(self):
        return "Plain(%s: %s)" % (self.name, ", ".join(str(s) for s in sorted(self.sizes)))
    def __str__(self):
        return f"plain {self.name}"

class Guarded:   # if/elif/else, a local bound on one path, +=: as python prints it
    def __init__(self, items, note=None):
        self.items, self.note = items, note
    def __repr__(self):
        name = type(self).__name__
        if not self.items:
            return "<%s empty>" % name
        elif len(self.items) > 3:
            text = "<%s %d items" % (name, len(self.items))
        else:
            text = "<%s %r" % (name, self.items)
        if self.note is not None:
            text += " note=" + repr(self.note)
        return text + ">"

class Account:   # Django's Model.__repr__: "%s" of self, whose __str__ calls a method
    kind = "user"
    def __init__(self, name):
        self.name = name
    def __repr__(self):
        return "<%s: %s>" % (self.__class__.__name__, self)
    def __str__(self):
        return self.label()
    def label(self):
        return getattr(self, "name") + "@" + self.kind

class Admin(Account):   # the method found through the class's bases, and overridden
    def label(self):
        return "admin " + self.name

class Stored:   # a descriptor of the program: __get__ reads the instance's own attribute
    def __set_name__(self, owner, name):
        self.name = "_" + name
    def __get__(self, obj, objtype=None):
        return getattr(obj, self.name)
    def __set__(self, obj, value):
        setattr(obj, self.name, value)

class Unit:
    def __init__(self, symbol):
        self.symbol = symbol
    def __repr__(self):
        return "Unit(%r)" % self.symbol

class Balance:   # the descriptor's value, and a program object kept on the class
    amount = Stored()
    unit = Unit("EUR")
    def __init__(self, amount):
        self.amount = amount
    def __repr__(self):
        return "Balance(%r, %r)" % (self.amount, self.unit)

class Fetching:   # a descriptor whose __get__ acts
    def __get__(self, obj, objtype=None):
        return open("pwned-descriptor", "w")

class Described:
    handle = Fetching()
    def __repr__(self):
        return "Described(%s)" % self.handle

class Delegates:   # a method called from __repr__ whose body acts
    def __repr__(self):
        return "Delegates(%s)" % self.act()
    def act(self):
        return open("pwned-method", "w")

class Recurses:   # a method that calls itself
    def __repr__(self):
        return self.again()
    def again(self):
        return self.again()

class Argued:   # a method called with an argument, or taking more than self
    def __repr__(self):
        return self.fmt(1) + self.two()
    def fmt(self, n):
        return str(n)
    def two(self, m=2):
        return str(m)

class Hasattrs:   # attribute lookups that the program's __getattr__ would answer
    def __getattr__(self, name):
        return open("pwned-getattr", "w")
    def __repr__(self):
        return "Hasattrs(%s, %s)" % (hasattr(self, "x"), getattr(self, "y", 0))

class Meta(type):
    def __instancecheck__(cls, obj):
        return open("pwned-instancecheck", "w")
    def __subclasscheck__(cls, sub):
        return open("pwned-subclasscheck", "w")

class Marker(metaclass=Meta):
    pass

class Checks:   # isinstance() against a class whose metaclass would act
    def __repr__(self):
        return "Checks(%s)" % isinstance(self, Marker)

class Weighed:
    def weight(self):
        return open("pwned-key", "w")

class Keyed:   # a sort key that calls a method whose body acts
    def __init__(self):
        self.items = [Weighed(), Weighed()]
    def __repr__(self):
        return "Keyed(%s)" % len(sorted(self.items, key=lambda i: i.weight()))

class Acting:
    def __repr__(self):
        return open("pwned-super", "w").name

class Supers(Acting):   # super().__repr__() whose body acts
    def __repr__(self):
        return "Supers<" + super().__repr__() + ">"

class Truthy:   # its truth is its own __bool__, which acts
    def __bool__(self):
        return bool(open("pwned-bool", "w"))
    def __repr__(self):
        return "Truthy(%s)" % ("yes" if self else "no")

def main():
    victim = pathlib.Path("victim.txt")
    victim.write_text("keep me")
    unlinks = Unlinks(victim.resolve())
    imports, opens, execs = Imports(), Opens(), Execs()
    wide, big, calls, reads = Wide(), Big(), Calls(), Reads()
    joins, rounds = Joins(), Rounds()
    shared = None
    for _ in range(40):
        shared = Node(shared, shared)
    plain = Plain("disk", [30, 10, 20])
    guarded = [Guarded([]), Guarded([1, 2, 3, 4]), Guarded([1], "n"), Guarded("ab")]
    branches, doubles, unbound, loops = Branches(), Doubles(), Unbound(), Loops()
    appends, spins, getattrs, formats = Appends(), Spins(), Getattrs(), Formats()
    generic = [Generic(1, "b"), Listed({"a": 1, "b": 2}), Slotted(), Named("nm"), Pairs(),
               Copied()]
    selfread, opensprop, fan = Selfread(), Opensprop(), None
    globals_, biglist = Globals(), Biglist(range(100000))
    measures, iterates = Measures([1]), Iterates(a=1)
    zoned = Zoned(2024, 1, 2, tzinfo=ActingZone())
    converts = Converts(2.5)
    indexes, joins2, truth = Indexes((1,)), Joins2(("a", "b")), Truth([1])
    accounts = [Account("ann"), Admin("bob")]
    delegates, recurses, argued = Delegates(), Recurses(), Argued()
    balance, described = Balance(10), Described()
    hasattrs, checks, keyed, supers, truthy = Hasattrs(), Checks(), Keyed(), Supers(), Truthy()
    multiplies, adds, powers, pformats = Multiplies(2.5), Adds("1.5"), Powers(), Pformats()
    differs = Differs()
    for _ in range(20):
        fan = Fan(fan)
    raise RuntimeError("crash")

main()
'''

HOSTILE = ["unlinks", "imports", "opens", "execs", "wide", "big", "calls", "reads", "joins",
           "rounds", "selfread", "fan", "opensprop", "globals_", "biglist", "branches",
           "doubles", "unbound", "loops", "appends", "spins", "getattrs", "formats",
           "delegates", "recurses", "argued", "described", "measures", "iterates", "zoned", "converts",
           "indexes", "joins2", "truth", "hasattrs", "checks", "keyed", "supers", "truthy",
           "multiplies", "adds", "powers", "pformats", "differs"]
# str() of these is not their __repr__: a datetime's own __str__, which asks the
# time zone for its offset (the program's code, not run: an error says so).
STR_OF_BASE = {"zoned"}
# str() of these is their builtin base's own __str__, of the value (Decimal's).
STR_OF_VALUE = {"adds": "1.5"}


class ReprExpr(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pyhd-test-reprexpr-")
        path = os.path.join(cls.dir, "prog.py")
        with open(path, "w") as f:
            f.write(textwrap.dedent(PROGRAM))
        proc, cls.dump = run_pyhd(["--dump-dir", cls.dir, path], cls.dir, text=True)
        if cls.dump is None:
            raise AssertionError("no dump:\n" + proc.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, True)

    def debug(self, commands, timeout=300):
        """What each pdb command printed, run in a fresh directory beside the victim."""
        proc = subprocess.run([DEBUG, self.dump], input="".join(c + "\n" for c in commands),
                              cwd=self.dir, env=clean_env(), capture_output=True, text=True,
                              timeout=timeout)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout.split("(Pdb) ")[1:-1]

    def test_reprs_that_would_act_run_nothing(self):
        replies = self.debug(["p %s" % name for name in HOSTILE] +
                             ["p str(%s)" % name for name in HOSTILE])
        for i, (name, reply) in enumerate(zip(HOSTILE * 2, replies)):
            with self.subTest(name=name):
                cls = name.rstrip("_").capitalize()
                if i >= len(HOSTILE) and name in STR_OF_BASE:
                    self.assertRegex(reply, "^\\*\\*\\* pyhd_surrogates.DumpedCodeError: .*"
                                            "a dump does not run program code")
                    continue
                if i >= len(HOSTILE) and name in STR_OF_VALUE:
                    self.assertEqual(reply.strip(), repr(STR_OF_VALUE[name]))
                    continue
                # p str(x) prints the str's repr: quoted.
                self.assertRegex(reply.lstrip("'\""), "^<rebuilt %s[ >]" % cls)
        with open(os.path.join(self.dir, "victim.txt")) as f:
            self.assertEqual(f.read(), "keep me")
        self.assertEqual(sorted(n for n in os.listdir(self.dir) if n.startswith("pwned")), [])

    def test_plain_reprs_and_strs_print_as_python_did(self):
        replies = self.debug(["p plain", "p str(plain)", "p [plain]"])
        self.assertEqual(replies, ["Plain(disk: 10, 20, 30)\n", "'plain disk'\n",
                                   "[Plain(disk: 10, 20, 30)]\n"])

    def test_branches_and_locals_print_as_python_did(self):
        # if/elif/else, a local bound in one branch, += on a local.
        reply, = self.debug(["p guarded"])
        self.assertEqual(reply, "[<Guarded empty>, <Guarded 4 items>, <Guarded [1] note='n'>, "
                                "<Guarded 'ab'>]\n")

    def test_methods_called_by_reprs_print_as_python_did(self):
        # self.label() from __str__, itself read by __repr__'s "%s" (Django's Model
        # and its User); the method found along the MRO.
        reply, = self.debug(["p accounts"])
        self.assertEqual(reply, "[<Account: ann@user>, <Admin: admin bob>]\n")

    def test_descriptors_read_by_reprs_print_as_python_did(self):
        # A descriptor's __get__ evaluated with self, obj and objtype bound; a program
        # object kept on the class is itself.
        reply, = self.debug(["p balance"])
        self.assertEqual(reply, "Balance(10, Unit('EUR'))\n")

    def test_generic_reprs_print_as_python_did(self):
        # vars(self), self.__dict__, getattr, map, a for loop, format fields.
        reply, = self.debug(["p generic"])
        self.assertEqual(reply, "[Generic(x=1, y='b'), Listed(a=1, b=2), Slotted(1,[2]), "
                                "<Named 'nm' ['name']>, Pairs(a=[1], b=Plain(p: 1)), "
                                "Copied([1, 2, 0], [1, 2])]\n")

    def test_the_dumped_source_is_evaluated_not_this_machines(self):
        # As on another machine: the program file changed (or is gone) after the dump.
        path = os.path.join(self.dir, "prog.py")
        with open(path) as f:
            original = f.read()
        try:
            with open(path, "w") as f:
                f.write(original.replace('return "Plain(%s: %s)"', 'return "Local(%s: %s)"'))
            replies = self.debug(["p plain"])
            os.remove(path)
            replies += self.debug(["p plain"])
        finally:
            with open(path, "w") as f:
                f.write(original)
        self.assertEqual(replies, ["Plain(disk: 10, 20, 30)\n"] * 2)

    def test_without_dumped_sources_the_attributes_show(self):
        # --no-sources: no text to evaluate (this machine's file is not read).
        path = os.path.join(self.dir, "prog.py")
        proc, dump = run_pyhd(["--dump-dir", self.dir, "--no-sources", path], self.dir,
                              text=True)
        self.assertIsNotNone(dump, proc.stderr)
        proc = subprocess.run([DEBUG, dump], input="p plain\n", cwd=self.dir,
                              env=clean_env(), capture_output=True, text=True, timeout=300)
        os.remove(dump)
        self.assertIn("<rebuilt Plain name='disk' sizes=[30, 10, 20]>", proc.stdout)

    def test_a_shared_graph_prints_in_bounded_work(self):
        # python's own repr of this graph would make 2^40 strings; pyhd gives up on
        # evaluating it and shows each node once per line (the timeout is a hang guard).
        reply, = self.debug(["p shared"])
        self.assertTrue(reply.startswith("<rebuilt Node left="), reply[:200])
        self.assertLess(len(reply), 100_000)

    def test_one_command_spends_a_bounded_budget(self):
        # Each Fan's repr may spend pyhd_reprexpr's bound for one repr (about 60 ms
        # here); a list of a thousand of them would spend a minute, and printed
        # whole (no list is cut by pdb's p) took that long. One command's reprs
        # share a budget; the next command has its own (the timeout is a hang guard).
        replies = self.debug(["p [fan] * 1000", "p plain"], timeout=60)
        self.assertTrue(replies[0].startswith("[<rebuilt Fan below="), replies[0][:200])
        self.assertEqual(replies[1].strip(), "Plain(disk: 10, 20, 30)")


# A library of the program (not the standard library) whose classes' reprs are
# its own code, in files no frame of the crash is in: their sources go into the
# dump (up to a bound), so that those reprs print as python printed them.
LIBRARY = {
    "shapes.py": """
class Shape:
    def __init__(self, side):
        self.side = side
    def __repr__(self):
        if self.side > 10:
            return "<%s big>" % type(self).__name__
        return "<%s side=%d>" % (type(self).__name__, self.side)

class Square(Shape):
    pass
""",
    # Past the bound on one file's size: its class prints its attributes.
    "huge.py": "class Huge:\n    def __init__(self):\n        self.n = 1\n"
               "    def __repr__(self):\n        return 'Huge(%d)' % self.n\n" +
               "#" * (140 << 10) + "\n",
}

LIBRARY_PROGRAM = """
import sys
sys.path.insert(0, "lib")
import huge, shapes

def main():
    square, small, huge_one = shapes.Square(12), shapes.Shape(3), huge.Huge()
    raise KeyError("crash")

main()
"""


class LibrarySources(unittest.TestCase):
    def test_library_reprs_print_as_python_did(self):
        with tempfile.TemporaryDirectory(prefix="pyhd-test-reprlib-") as tmp:
            os.mkdir(os.path.join(tmp, "lib"))
            for name, text in LIBRARY.items():
                with open(os.path.join(tmp, "lib", name), "w") as f:
                    f.write(textwrap.dedent(text))
            with open(os.path.join(tmp, "prog.py"), "w") as f:
                f.write(LIBRARY_PROGRAM)
            proc, dump = run_pyhd(["prog.py"], tmp, text=True)
            self.assertIsNotNone(dump, proc.stderr)
            members = subprocess.run(["tar", "tf", dump], capture_output=True, text=True,
                                     check=True).stdout.split()
            proc = subprocess.run([DEBUG, "-c", "p square", "-c", "p small", "-c",
                                   "p huge_one", "-c", "q", dump], cwd=tmp, env=clean_env(),
                                  capture_output=True, text=True, timeout=300)
        self.assertIn("sources" + os.path.realpath(tmp) + "/lib/shapes.py", members)
        self.assertFalse([m for m in members if m.endswith("/huge.py")], members)
        lines = proc.stdout.splitlines()
        self.assertEqual(lines[-3:], ["<Square big>", "<Shape side=3>", "<rebuilt Huge n=1>"],
                         proc.stdout[-2000:])


if __name__ == "__main__":
    unittest.main()
