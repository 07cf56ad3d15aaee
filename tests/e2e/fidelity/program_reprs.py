"""Fidelity: program classes whose own __repr__ and __str__ are one return of a format
over their attributes (pyhd_reprexpr evaluates them; no program code runs)."""
import collections, datetime, decimal, enum, functools, operator, pprint, reprlib, textwrap, time
class Account:
    def __init__(self, owner, balance):
        self.owner = owner; self._balance = balance
    def __repr__(self): return f"Account({self.owner!r}, balance={self._balance:.2f})"
    def __str__(self): return "acct of %s" % self.owner

class Point:
    __slots__ = ("x", "y")
    def __init__(self, x, y): self.x, self.y = x, y
    def __repr__(self):
        return "Point(%d, %d)" % (self.x, self.y)

class Node:
    def __init__(self, val, children=()):
        self.val = val; self.children = list(children)
    def __repr__(self):
        return "Node({}, [{}])".format(self.val, ", ".join(repr(c) for c in self.children))

class Order:
    kind = "order"
    def __init__(self, id, items, when):
        self.id = id; self.items = items; self.when = when
    def __repr__(self):
        """Debug form."""
        n = len(self.items)
        return f"<{type(self).__name__} #{self.id} {self.kind} n={n} {self.when:%Y-%m-%d} total={sum(self.items)}>"

class Gen:
    def __init__(self, d): self.d = d
    def __repr__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in sorted(self.d.items()))
        return self.__class__.__name__ + "(" + inner + ")"

class _Private:
    def __init__(self, secret_id):
        self.__id = secret_id
    def __repr__(self):
        return f"_Private(id={self.__id})"

class Cond:
    def __init__(self, v): self.v = v
    def __repr__(self): return "Cond(%s)" % ("big" if self.v > 10 else "small")

class Lexer:   # if/else statements, as pygments' lexers choose their repr
    def __init__(self, **options): self.options = options
    def __repr__(self):
        if self.options:
            return '<lexers.%s with %r>' % (self.__class__.__name__, self.options)
        else:
            return '<lexers.%s>' % self.__class__.__name__

class Span:   # an early return, then a text built with +=
    def __init__(self, start, end=None): self.start, self.end = start, end
    def __repr__(self):
        if self.end is None:
            return f"Span({self.start}, open)"
        text = f"Span({self.start}"
        if self.end - self.start > 1:
            text += f"..{self.end}"
        text += ")"
        return text

class Shape:   # subclasses inherit its __repr__, as python calls it for them
    def __init__(self, side): self.side = side
    def __repr__(self): return f"{type(self).__name__}(side={self.side})"

class Square(Shape):
    pass

class Cube(Square):
    def __init__(self, side, depth): super().__init__(side); self.depth = depth
    def __str__(self): return "cube"

class Money:
    def __init__(self, amt): self.amt = amt
    def __repr__(self): return f"Money({self.amt})"
    __str__ = lambda self: f"${self.amt:,.2f}"

class BadErr(Exception):
    def __init__(self, code): super().__init__(code); self.code = code
    def __str__(self): return f"error code {self.code}"

class User:
    def __init__(self, first, last, roles):
        self.first, self.last, self.roles = first, last, roles
    @property
    def full_name(self):
        return f"{self.first} {self.last}"
    @property
    def admin(self):
        """Whether the user may do anything."""
        return "admin" in self.roles
    def __repr__(self):
        return f"<User {self.full_name} admin={self.admin}>"

class Cart:
    def __init__(self, prices): self.prices = prices
    @functools.cached_property
    def total(self):
        return sum(self.prices)
    def _get_count(self):
        return len(self.prices)
    count = property(_get_count)
    def __repr__(self): return f"Cart(total={self.total}, count={self.count})"

class Kind(enum.Enum):
    DEBIT = "D"
    CREDIT = "C"

class Entry:   # a module global (an enum's member) and a date method in the repr
    def __init__(self, amount, kind, when):
        self.amount, self.kind, self.when = amount, kind, when
    def __repr__(self):
        sign = "-" if self.kind is Kind.DEBIT else "+"
        return "<Entry %s%s on %s>" % (sign, self.amount, self.when.isoformat())

class Couple(tuple):   # its items read by index
    def __repr__(self):
        return "Couple(%r, %r)" % (self[0], self[1])

class Settings(dict):   # the builtin class's own repr of the object
    def __repr__(self):
        return "Settings(%s)" % dict.__repr__(self)

class Matrix(list):   # len() and sorted() of the object itself: the builtin's own
    def __repr__(self):
        return "Matrix(%d rows)" % len(self)

class Registry(dict):
    def __repr__(self):
        return "Registry(%s)" % ", ".join(sorted(self))

class Bag(list):   # a comprehension over the object
    def __repr__(self):
        return "Bag<%s>" % "|".join([str(x) for x in self])

class Stack(list):   # the builtin base's own length, called on self
    def __repr__(self):
        return "Stack(%d)" % list.__len__(self)

class Table(dict):
    def __repr__(self):
        return "<Table of %s rows>" % dict.__len__(self)

class Tally:   # a method summing Decimals, an enum's value, arithmetic and comparisons
    def __init__(self, amounts):
        self.amounts = [decimal.Decimal(a) for a in amounts]
        self.kind = Kind.DEBIT
    def total(self):
        return sum(a for a in self.amounts)
    def __repr__(self):
        state = "overdrawn" if self.total() < 0 else "ok"
        return "Tally(%s, %s, %s, avg=%.2f)" % (self.total(), state, self.kind.value,
                                               float(self.total() / len(self.amounts)))

class Percent(float):   # arithmetic on self: float's own
    def __repr__(self):
        return f"{self * 100:.1f}%"

class Geometry:   # int and float mixed, powers, remainders, negation
    def __init__(self, side, turns):
        self.side, self.turns = side, turns
    def __repr__(self):
        return "Geometry(area=%s, half=%s, mod=%s, neg=%s)" % (
            self.side ** 2, self.side + 0.5, self.turns % 360, -self.turns)

class Period:   # dates and their difference
    def __init__(self, start, end):
        self.start, self.end = start, end
    def __repr__(self):
        return f"Period({self.start:%d.%m} +{(self.end - self.start).days}d, {-(self.end - self.start)})"

class Pretty:   # pprint, reprlib and textwrap of the standard library
    def __init__(self, d, text):
        self.d, self.text = d, text
    def __repr__(self):
        return "Pretty(%s | %s | %s)" % (pprint.pformat(self.d, width=20), reprlib.repr(self.text),
                                          textwrap.shorten(self.text, 12))

class Stamp(datetime.datetime):   # a method of the real base class on self
    def __repr__(self):
        return "Stamp(%s)" % self.isoformat()

class Ledger(dict):   # the builtin base's items() on self
    def __repr__(self):
        return "Ledger(%s)" % ", ".join("%s=%s" % kv for kv in sorted(self.items()))

class Dotted(tuple):   # pygments' token type: truth and join of the object itself,
    def __contains__(self, other):   # and an own __contains__, which neither calls
        return other in tuple(self)
    def __repr__(self):
        return 'Token' + (self and '.' or '') + '.'.join(self)

class Moment:   # the items of a real struct sequence (time.struct_time), indexed
    def __init__(self, when): self.when = when
    def __repr__(self):
        return "Moment(%d)" % self.when[0]

class Celsius(float):   # float(self): the builtin's conversion of the number
    def __repr__(self):
        return f"{float(self):.1f}°C"

class Pair(tuple):   # a property whose getter is a C callable, not a function
    first = property(operator.itemgetter(0))


class Tree:
    """Its own __repr__ under reprlib's guard: python prints [...] where it recurses."""
    def __init__(self, name):
        self.name = name
        self.kids = []

    @reprlib.recursive_repr()
    def __repr__(self):
        return "Tree(%s, %r)" % (self.name, self.kids)


class Described:
    """A base __repr__ over vars(self), and a subclass that calls super()'s."""
    def __init__(self, **fields):
        self.__dict__.update(fields)
    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Wrapped(Described):
    def __repr__(self):
        return "Wrapped<" + super().__repr__() + ">"


class Probe:
    """getattr() with a default, hasattr(), isinstance() and str.format(**vars(self))."""
    def __init__(self, value):
        self.value = value
    def __repr__(self):
        kind = "number" if isinstance(self.value, (int, float)) else "other"
        return "Probe({value}, {0}, {1}, {2})".format(
            kind, getattr(self, "unit", "none"), hasattr(self, "value"), **vars(self))


class Link:
    """The truth of a program object (a plain one is true) in a conditional."""
    def __init__(self, value, nxt=None):
        self.value, self.nxt = value, nxt
    def __repr__(self):
        return f"{self.value} -> {self.nxt!r}" if self.nxt else f"{self.value}"


class Ranked:
    """sorted() with a lambda key."""
    def __init__(self, scores):
        self.scores = scores
    def __repr__(self):
        best = sorted(self.scores, key=lambda name: -self.scores[name])
        return "Ranked(%s)" % ", ".join(best)


class Coord(collections.namedtuple("Coord", "lat lon")):
    """A namedtuple subclass whose own __repr__ reads its fields."""
    __slots__ = ()
    def __repr__(self):
        return f"Coord<{self.lat}|{self.lon}>"

def main():
    a = Account("ann", 10)
    p = Point(1, 2)
    tree = Node(1, [Node(2), Node(3, [Node(4)])])
    o = Order(7, [1, 2, 3], datetime.date(2024, 1, 2))
    g = Gen({"b": 2, "a": [1]})
    c = Cond(50)
    lexer, lexer_opts = Lexer(), Lexer(stripnl=False)
    spans = [Span(1), Span(1, 2), Span(1, 5)]
    shapes = [Shape(1), Square(2), Cube(3, 4)]
    cube_text = str(shapes[2])
    priv = _Private(9)
    m = Money(decimal.Decimal("1234.5"))
    m2 = Money(1234.5)
    s = str(a)
    pts = [Point(i, -i) for i in range(3)]
    err = BadErr(5)
    err_text = str(err)
    m_text = str(m)
    user = User("Ada", "Lovelace", {"admin", "dev"})
    cart_seen = Cart([1.5, 2.25])
    print(cart_seen)  # computes and caches total
    cart = Cart([3, 4])
    pair = Pair((1, 2))
    debit = Entry(decimal.Decimal("45.50"), Kind.DEBIT, datetime.date(2024, 4, 30))
    credit = Entry(3, Kind.CREDIT, datetime.date(2024, 5, 1))
    couple = Couple(("a", Account("bo", 2)))
    settings = Settings(debug=True, owner=Account("cy", 1))
    first = pair.first
    matrix = Matrix([[1, 2], [3, 4]])
    registry = Registry(b=1, a=2)
    bag = Bag([3, 1])
    stamp = Stamp(2024, 1, 2, 3, 4)
    temp = Celsius(21.456)
    moment = Moment(time.gmtime(0))
    tokens = [Dotted(), Dotted(("Name", "Class"))]
    ledger = Ledger(rent=2, food=1)
    tree = Tree("root")
    tree.kids.append(tree)
    tree.kids.append(Tree("leaf"))
    wrapped = Wrapped(z=2, name="w")
    described = Described(a=1)
    probes = [Probe(2.5), Probe("x")]
    chain = Link(1, Link(2, Link(3)))
    ranked = Ranked({"ann": 3, "bob": 9, "cy": 5})
    coord = Coord(52.5, 13.4)
    stack = Stack([1, 2, 3])
    tally = Tally(["10.50", "-20.25", "3"])
    pct = Percent(0.256)
    geometry = Geometry(3, 725)
    period = Period(datetime.date(2024, 2, 27), datetime.date(2024, 3, 2))
    pretty = Pretty({"alpha": [1, 2, 3], "beta": {"g": 1}}, "lorem ipsum dolor sit amet" * 3)
    table = Table(a=1)
    raise ValueError(a)
main()
