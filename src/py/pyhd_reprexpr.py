"""pyhd_reprexpr: a program's __repr__ or __str__ shown as python showed it, without running it.

A class's own __repr__ is program code, which a dump never runs. Most of them
are one `return` of a format over the object's own attributes:

    return f"Account({self.owner!r}, balance={self.balance:.2f})"
    return "<Point %s,%s>" % (self.x, self.y)
    return "Node({})".format(", ".join(repr(c) for c in self.children))

Others choose between such returns with `if`/`elif`/`else`, or build the
text in a local first (`text += ...`). Here such a body is read from the dumped
source (ast.parse: nothing is compiled) and run by this module, which knows
`name = value`, `name += value`, `if`/`elif`/`else`, `for` over a builtin
container, `parts.append(value)` to a list the body made, and `return value`,
and evaluates a closed set of operations and nothing else:

- constants, the method's first parameter, names the body binds (read before
  they are bound, python raises and this module gives up) and comprehensions bind; the module's classes and builtin values
  (globals of the dumped frames of its module: an enum's members), and the
  builtin classes, whose own __repr__ and __str__ may be called on the object;
- f-strings, `%` and `str.format` on a str (its fields may read attributes and
  items, `{0.name}`, `{0[key]}`, as the expression would), `+` of strs and `*` of a str by a
  small int, tuple, list and dict displays, conditional expressions,
  comparisons and `and`/`or`/`not` of builtin values;
- reading an attribute: of a rebuilt program object from its own __dict__ or
  slots, or a plain class attribute; a property (or functools.cached_property)
  whose getter is itself such a body, evaluated the same way (never a method
  or other descriptor of the program, which are inert); `__class__`, `__dict__`
  (the dumped attributes, as vars() gives them), and a class's
  `__name__`, `__qualname__` and `__module__`; of a builtin or trust-table
  value (a datetime's .year) through its own C or standard-library getter;
- subscripts of builtin containers, iteration over builtin containers in
  comprehensions and `for` loops (MAX_ITERATIONS in all), `f(*pair)` of a
  builtin tuple or list; sorted, min and max of builtin values, or of tuples
  whose distinct str (or int) first items decide the order alone (a dict's
  sorted items);
- calls of a few pure builtins (repr, str, format, len, type, int, float,
  round, abs, sorted, min, max, sum, bool, hex, oct, bin, list, tuple; vars and
  getattr read as `__dict__` and `.name` do; map of one of these over a builtin
  container) and of
  a few methods of exact str, dict, list and tuple values (join, upper, items, ...).

repr(), str() and format() of a nested value use that value's class: python's
own for builtin and standard-library values, this module (or the dumped
attributes) for the program's. Anything outside that set, an error, or a
result past the size limits gives up: the caller shows the dumped attributes.
"""

import ast
import weakref
import builtins

# No result, repeat count, width or number of iterations beyond these.
MAX_TEXT = 100_000
MAX_ITERATIONS = 10_000
MAX_WIDTH = 1_000
MAX_SOURCE = 20_000
MAX_DEPTH = 24


class GiveUp(Exception):
    """The body is not one this module evaluates: show the dumped attributes."""


_PURE_FUNCTIONS = {
    name: getattr(builtins, name)
    for name in ("repr", "str", "format", "len", "type", "int", "float", "round", "abs",
                 "sorted", "min", "max", "sum", "bool", "hex", "oct", "bin", "list", "tuple",
                 "vars", "getattr", "map", "hasattr", "isinstance")
}

# Methods of exact builtin values that compute from the value and their arguments only.
_PURE_METHODS = {
    str: {"join", "format", "upper", "lower", "strip", "lstrip", "rstrip", "title",
          "capitalize", "replace", "ljust", "rjust", "center", "zfill", "startswith",
          "endswith", "split", "rsplit", "splitlines", "count", "find", "casefold",
          "removeprefix", "removesuffix", "partition", "rpartition", "isdigit", "isidentifier"},
    dict: {"items", "keys", "values", "get"},
    list: {"index", "count"},
    tuple: {"index", "count"},
}
_SCALARS = (int, float, complex, str, bytes, bool, type(None))

# The arithmetic a body may do (+ of str, list and tuple and % of str are apart).
_ARITHMETIC = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
               ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
               ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
               ast.Pow: lambda a, b: a ** b}


def _numbers():
    """The value classes whose arithmetic is the standard library's own, pure code:
    the builtin numbers, Decimal and Fraction, dates, times and their differences."""
    if not _NUMBERS:
        import datetime
        import decimal
        import fractions
        _NUMBERS.update(decimal=decimal.Decimal, fraction=fractions.Fraction, all=(
            int, float, complex, bool, decimal.Decimal, fractions.Fraction,
            datetime.date, datetime.datetime, datetime.timedelta))
    return _NUMBERS


_NUMBERS = {}
MAX_NUMBER = 2 ** 64  # an int operand's bound, and a Fraction's terms'


def _operand(value):
    """Whether value may be an operand of the body's arithmetic: a value of
    _numbers() (exactly), or an instance of a program's subclass of int or
    float or Decimal (class Percent(float)), whose operators are the builtin's
    or, where the program defined them, inert."""
    cls, numbers = type(value), _numbers()
    if cls in numbers["all"]:
        if cls is int:
            return abs(value) < MAX_NUMBER
        if cls is numbers["fraction"]:
            return abs(value.numerator) < MAX_NUMBER and value.denominator < MAX_NUMBER
        return True
    return isinstance(value, (int, float, numbers["decimal"])) and _is_program_object(value) \
        and abs(int.__index__(value) if isinstance(value, int) else 0) < MAX_NUMBER


# Builtin classes a body may name, for their own __repr__ or __str__ of the
# object (dict.__repr__(self) in a dict subclass), and in comparisons.
_TYPES = {name: getattr(builtins, name) for name in (
    "dict", "list", "tuple", "set", "frozenset", "str", "int", "float", "bool", "object")}
_CONTAINERS = (list, tuple, dict, set, frozenset, str, bytes, range,
               type({}.keys()), type({}.values()), type({}.items()))
_CLASS_NAMES = ("__name__", "__qualname__", "__module__")

# All the text one top-level repr may make, nested reprs included: a graph that
# shares objects (n = Node(n, n), 20 times) would make python's repr work for
# ever; here it gives up, and the caller's renderer, which shows a shared object
# once per line, takes over.
MAX_WORK = 1_000_000

_parsed = weakref.WeakKeyDictionary()   # function -> method_body()'s answer
_parsed_getters = weakref.WeakKeyDictionary()  # the same, of property getters
_active = []   # (id of object, id of body) being evaluated: a cycle gives up
_work = [0]    # characters made since the outermost evaluate() began, and
               # NODE_WORK for each node evaluated (properties reading properties
               # may compute much without making text)
NODE_WORK = 10
_limit = [MAX_WORK]  # what the outermost evaluation may spend
# What the evaluations of one debugger command may spend together: each repr
# may spend MAX_WORK, but not a list of thousands of them (new_command()).
COMMAND_WORK = 5_000_000
_command_left = [COMMAND_WORK]


def new_command():
    """A debugger command (or DAP request) begins: its reprs get a fresh budget."""
    _command_left[0] = COMMAND_WORK


def method_body(function, getter=False):
    """(first parameter name, statements, class name, module name, names the
    statements bind) of function's dumped source when it is a body this module
    evaluates, else None. getter: function is a
    property's, so its source may start with `@property` (or
    `@functools.cached_property`). Parsed once per function, when first needed:
    the debugger puts the dumped sources in linecache after the load."""
    cache = _parsed_getters if getter else _parsed
    try:
        return cache[function]
    except (KeyError, TypeError):  # TypeError: not weakly referable (never cached)
        pass
    if not _dumped_source(function):
        return None  # not known yet, or not in the dump: asked again next time
    body = None
    try:
        body = _read_body(function, getter)
    except (GiveUp, SyntaxError, ValueError, TypeError, OSError, MemoryError, RecursionError):
        body = None
    try:
        cache[function] = body
    except TypeError:
        pass
    return body


def _getter_decorator(node):
    """Whether a decorator is `property`, `cached_property` or `functools.cached_property`."""
    if isinstance(node, ast.Name):
        return node.id in ("property", "cached_property")
    return isinstance(node, ast.Attribute) and node.attr == "cached_property" and \
        isinstance(node.value, ast.Name) and node.value.id == "functools"


def _recursive_repr_decorator(node):
    """Whether a decorator is `reprlib.recursive_repr(...)` or `recursive_repr(...)`:
    pyhd_surrogates found the function it wraps in the wrapper's closure, and
    stands in for the wrapper's guard against recursion."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id == "recursive_repr"
    return isinstance(func, ast.Attribute) and func.attr == "recursive_repr" and \
        isinstance(func.value, ast.Name) and func.value.id == "reprlib"


def _dumped_source(function):
    """Whether linecache holds the dump's own text of function's file. Only that
    is read: a file of this machine may be another version of it, or a device
    (/dev/zero) that a hostile dump names."""
    import linecache
    filename = getattr(getattr(function, "__code__", None), "co_filename", None)
    entry = linecache.cache.get(filename) if isinstance(filename, str) else None
    # pyhd_debug.frames.register_sources' entries: (size, None, lines, path).
    return isinstance(entry, tuple) and len(entry) == 4 and entry[1] is None and \
        bool(entry[2])


def _read_body(function, getter=False):
    import inspect, textwrap
    source = textwrap.dedent("".join(inspect.getsourcelines(function)[0]))
    if len(source) > MAX_SOURCE:
        raise GiveUp()
    tree = ast.parse(source)
    if len(tree.body) != 1:
        raise GiveUp()
    node = tree.body[0]
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
        node = node.value   # __repr__ = lambda self: ...
        params, statements = node.args, [ast.Return(node.body)]
    elif isinstance(node, ast.FunctionDef) and node.name == function.__name__ and \
            (not node.decorator_list or len(node.decorator_list) == 1 and
             (getter and _getter_decorator(node.decorator_list[0]) or
              not getter and _recursive_repr_decorator(node.decorator_list[0]))):
        params, statements = node.args, list(node.body)
    else:
        raise GiveUp()
    if params.posonlyargs + params.args == [] or params.vararg or params.kwarg:
        raise GiveUp()
    name = (params.posonlyargs + params.args)[0].arg
    if statements and isinstance(statements[0], ast.Expr) and \
            isinstance(statements[0].value, ast.Constant):
        statements = statements[1:]  # the docstring
    assigned = set()
    if not statements or not _check_block(statements, assigned):
        raise GiveUp()
    # self.__x in a class body means self._Class__x (name mangling).
    owner = function.__qualname__.rpartition(".")[0].rpartition(".")[2].lstrip("_")
    module = function.__module__ if isinstance(function.__module__, str) else None
    # Every positional parameter's name, when there are no others: a descriptor's
    # __get__(self, obj, objtype) is evaluated with all three bound.
    positional = () if params.kwonlyargs else \
        tuple(a.arg for a in params.posonlyargs + params.args)
    # The class it was written in, by qualified name, for super().
    defined_in = function.__qualname__.rpartition(".")[0]
    return name, statements, owner, module, frozenset(assigned), positional, defined_in


def _check_block(statements, assigned):
    """Whether statements are made only of what _execute() runs: `name = value`,
    `name += value`, `if`/`elif`/`else`, `for` (without `else`) over names,
    `name.append(value)` and `return value`. assigned gets the
    names they bind (locals of the method: read before they are bound, python
    raises UnboundLocalError, and so does not this module read a global)."""
    for statement in statements:
        if isinstance(statement, ast.Return):
            if statement.value is None:
                return False
        elif isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
                isinstance(statement.targets[0], ast.Name):
            assigned.add(statement.targets[0].id)
        elif isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name) \
                and isinstance(statement.op, ast.Add):
            assigned.add(statement.target.id)
        elif isinstance(statement, ast.If):
            if not _check_block(statement.body, assigned) or \
                    not _check_block(statement.orelse, assigned):
                return False
        elif isinstance(statement, ast.For) and not statement.orelse:
            if not _check_target(statement.target, assigned) or \
                    not _check_block(statement.body, assigned):
                return False
        elif isinstance(statement, ast.Expr):
            # name.append(value): a list the body made itself (checked when it runs).
            call = statement.value
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and
                    call.func.attr == "append" and isinstance(call.func.value, ast.Name) and
                    len(call.args) == 1 and not call.keywords and
                    not isinstance(call.args[0], ast.Starred)):
                return False
        else:
            return False
    return True


def _check_target(target, assigned):
    """Whether a for loop's target is a name or a tuple of names (bound in assigned)."""
    if isinstance(target, ast.Name):
        assigned.add(target.id)
        return True
    return isinstance(target, ast.Tuple) and \
        all(_check_target(t, assigned) for t in target.elts)


def evaluate(body, obj):
    """The str the body returns for obj; GiveUp when it cannot be known without
    running program code."""
    outermost = not _active
    if outermost:
        _limit[0] = min(MAX_WORK, _command_left[0])
    try:
        result = _run(body, obj)
    finally:
        if outermost:
            _command_left[0] -= _work[0]
    if type(result) is not str:
        raise GiveUp()
    return _check_text(result)


def _run(body, obj, more=None):
    """What the body returns for obj (its first parameter) and the values of
    more (its other parameters, by name), by this module's operations; GiveUp
    past the bounds or outside them."""
    key = (id(obj), id(body)) + tuple(map(id, more.values())) if more else (id(obj), id(body))
    if key in _active or len(_active) >= MAX_DEPTH:
        raise GiveUp()
    if not _active:
        _work[0] = 0
    if _work[0] > _limit[0]:
        raise GiveUp()
    _active.append(key)
    try:
        name, statements, owner, module, assigned = body[:5]
        scope = {name: obj}
        if more:
            scope.update(more)
        evaluator = _Evaluator(scope, owner, module, assigned)
        evaluator.self_name, evaluator.defined_in = name, body[6]
        result = _execute(evaluator, statements)
        if result is _FELL_THROUGH:
            raise GiveUp()  # python: the method returned None, and repr() raised
        return result
    except GiveUp:
        raise
    except (Exception, RecursionError) as error:  # the program's inert code said no
        raise GiveUp() from error
    finally:
        _active.pop()


_FELL_THROUGH = object()


def _execute(evaluator, statements):
    """Run a block _check_block() accepted: the value of the `return` it reaches,
    or _FELL_THROUGH when it runs off its end. Its `for` loops share the
    evaluation's MAX_ITERATIONS with its comprehensions, and every expression the
    bound of work."""
    for statement in statements:
        if isinstance(statement, ast.Return):
            return evaluator.eval(statement.value)
        if isinstance(statement, ast.Assign):
            evaluator.scope[statement.targets[0].id] = evaluator.eval(statement.value)
        elif isinstance(statement, ast.AugAssign):
            # As `name = name + value`, with _BinOp's + (str, int, float, list, tuple).
            target = statement.target.id
            evaluator.scope[target] = evaluator.eval(ast.BinOp(
                left=ast.Name(id=target, ctx=ast.Load()), op=statement.op,
                right=statement.value))
        elif isinstance(statement, ast.If):
            test = evaluator.eval(statement.test)
            result = _execute(evaluator, statement.body if evaluator._truth(test)
                              else statement.orelse)
            if result is not _FELL_THROUGH:
                return result
        elif isinstance(statement, ast.For):
            for _ in evaluator._items(statement.iter, statement.target):
                result = _execute(evaluator, statement.body)
                if result is not _FELL_THROUGH:
                    return result
        else:  # ast.Expr: name.append(value)
            call = statement.value
            target = evaluator.scope.get(call.func.value.id)
            if type(target) is not list or id(target) not in evaluator.own_lists:
                raise GiveUp()  # a list of the dump, or not a list: never changed
            target.append(evaluator.eval(call.args[0]))
    return _FELL_THROUGH


def _check_text(value):
    if type(value) is str:
        _work[0] += len(value)
        if len(value) > MAX_TEXT or _work[0] > _limit[0]:
            raise GiveUp()
    return value


def _wrap(value):
    """A value for str.format or %: builtin scalars as they are, others formatted here."""
    return value if type(value) in _SCALARS else _Formatted(value)


def _check_spec(spec):
    """A format spec whose widths and precisions stay small."""
    digits = 0
    for ch in spec:
        digits = digits + 1 if ch.isdigit() else 0
        if digits > len(str(MAX_WIDTH)):
            raise GiveUp()
    return spec


def _check_percent(template):
    """A %-format string whose widths and precisions stay small."""
    import re
    for width, precision in re.findall(r"%[-#0 +]*(\d*)(?:\.(\d*))?", template):
        _check_spec(width + "." + precision)
    return template


def _format_template(template, args, kwargs):
    """template.format(*args, **kwargs) by this module: each field's value read as
    the expression `args[0].name[key]` would be ({0.name}, {self.x}, {0[key]}),
    converted (!r, !s) and formatted by _repr, _str and _format. Nested fields in a
    spec ({:{width}}) and !a give up."""
    import string, _string
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        raise GiveUp()
    out, auto, numbering = [], 0, None
    for literal, field, spec, conversion in fields:
        out.append(literal)
        if field is None:
            continue
        if spec and "{" in spec or conversion not in (None, "r", "s"):
            raise GiveUp()
        try:
            first, rest = _string.formatter_field_name_split(field)
            rest = list(rest)
        except ValueError:
            raise GiveUp()
        if first == "" or type(first) is int:
            # python refuses a template that numbers some fields and not others
            if numbering not in (None, first == ""):
                raise GiveUp()
            numbering = first == ""
            if first == "":
                first, auto = auto, auto + 1
        if type(first) is int:
            if not 0 <= first < len(args):
                raise GiveUp()
            value = args[first]
        elif first in kwargs:
            value = kwargs[first]
        else:
            raise GiveUp()
        for is_attribute, key in rest:
            if is_attribute:
                value = _attribute(value, key)
            elif type(value) is dict and type(key) in (int, str) and key in value:
                value = value[key]
            elif type(value) in (list, tuple) and type(key) is int and \
                    -len(value) <= key < len(value):
                value = value[key]
            else:
                raise GiveUp()
        if conversion == "r":
            value = _repr(value)
        elif conversion == "s":
            value = _str(value)
        out.append(_format(value, spec or ""))
        _check_text(out[-1])
    return "".join(out)


def _is_program_object(value):
    import pyhd_surrogates
    return pyhd_surrogates.is_surrogate(type(value))


class _Evaluator:
    def __init__(self, scope, owner, module=None, assigned=frozenset()):
        self.scope = scope
        self.assigned = assigned  # the method's locals other than its parameter
        self.own_lists = {}       # id -> a list this evaluation made (_own)
        self.owner = owner    # the class the method was written in, for name mangling
        self.module = module  # the name of the module it was written in: its globals
        self.iterations = 0
        self.self_name = None   # the method's first parameter, and the qualified
        self.defined_in = None  # name of its class (_run): for super()

    def eval(self, node):
        method = _NODES.get(type(node).__name__)
        if method is None:
            raise GiveUp()
        _work[0] += NODE_WORK
        if _work[0] > _limit[0]:
            raise GiveUp()
        return method(self, node)

    # Leaves and displays.
    def _Constant(self, node):
        return node.value

    def _Name(self, node):
        if node.id in self.scope:
            return self.scope[node.id]
        if node.id in self.assigned:
            raise GiveUp()  # python: UnboundLocalError
        if node.id in _PURE_FUNCTIONS:
            return _PURE_FUNCTIONS[node.id]
        if node.id in _TYPES:
            return _TYPES[node.id]
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        return _global(self.module, node.id)

    def _Tuple(self, node):
        return tuple(self._elements(node.elts))

    def _List(self, node):
        return self._own(list(self._elements(node.elts)))

    def _own(self, made):
        """A list this evaluation made (a display, a comprehension): the body may
        append to it; never to a list of the dump."""
        self.own_lists[id(made)] = made  # held: its id is not reused while we run
        return made

    def _elements(self, nodes):
        if any(isinstance(n, ast.Starred) for n in nodes):
            raise GiveUp()
        return [self.eval(n) for n in nodes]

    def _Dict(self, node):
        if any(k is None for k in node.keys):
            raise GiveUp()
        keys = [self._hashable(self.eval(k)) for k in node.keys]
        return dict(zip(keys, (self.eval(v) for v in node.values)))

    def _hashable(self, value):
        if type(value) not in _SCALARS:  # hash and == of others may be program code
            raise GiveUp()
        return value

    # Formatting.
    def _JoinedStr(self, node):
        return _check_text("".join(self._part(v) for v in node.values))

    def _part(self, node):
        if isinstance(node, ast.Constant):
            return node.value
        if not isinstance(node, ast.FormattedValue):
            raise GiveUp()
        value = self.eval(node.value)
        if node.conversion == ord("r"):
            value = _repr(value)
        elif node.conversion == ord("s"):
            value = _str(value)
        elif node.conversion == ord("a"):
            value = _repr(value).encode("ascii", "backslashreplace").decode("ascii")
        spec = self._JoinedStr(node.format_spec) if node.format_spec is not None else ""
        return _format(value, spec)

    def _BinOp(self, node):
        left, right = self.eval(node.left), self.eval(node.right)
        if isinstance(node.op, ast.Mod) and type(left) is str:
            _check_percent(left)
            if type(right) is tuple:
                right = tuple(_wrap(v) for v in right)
            elif type(right) is dict:
                right = {k: _wrap(v) for k, v in right.items()}
            else:
                right = _wrap(right)
            return _check_text(left % right)
        if isinstance(node.op, ast.Add) and type(left) is type(right) and \
                type(left) in (str, int, float, list, tuple):
            if type(left) in (list, tuple) and len(left) + len(right) > MAX_ITERATIONS:
                raise GiveUp()
            return _check_text(left + right)
        if isinstance(node.op, ast.Mult) and type(left) in (str, list, tuple) and \
                type(right) is int and 0 <= right * max(len(left), 1) <= \
                (MAX_TEXT if type(left) is str else MAX_ITERATIONS):
            return left * right
        operation = _ARITHMETIC.get(type(node.op))
        if operation is not None and _operand(left) and _operand(right):
            if isinstance(node.op, ast.Pow) and \
                    (type(right) is not int or abs(right) > 64 or isinstance(left, str)):
                raise GiveUp()  # 10 ** 10 ** 9 would compute for ever
            # The builtin's or the standard library's own arithmetic (a program's
            # number class that defined the operator has an inert one: it raises,
            # and the evaluation gives up).
            return operation(left, right)
        raise GiveUp()

    def _UnaryOp(self, node):
        value = self.eval(node.operand)
        if isinstance(node.op, ast.Not):
            return not self._truth(value)
        if isinstance(node.op, (ast.USub, ast.UAdd)) and _operand(value):
            return -value if isinstance(node.op, ast.USub) else +value
        raise GiveUp()

    def _BoolOp(self, node):
        value = None
        for operand in node.values:
            value = self.eval(operand)
            truth = self._truth(value)
            if isinstance(node.op, ast.And) and not truth:
                return value
            if isinstance(node.op, ast.Or) and truth:
                return value
        return value

    def _IfExp(self, node):
        test = self._truth(self.eval(node.test))
        return self.eval(node.body if test else node.orelse)

    def _Compare(self, node):
        left = self.eval(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            right = self.eval(right_node)
            if isinstance(op, (ast.Is, ast.IsNot)):
                ok = (left is right) == isinstance(op, ast.Is)
            elif isinstance(op, (ast.In, ast.NotIn)):
                # Membership compares the items: builtin values only (a set's or
                # dict's keys are compared only on equal hashes; a program key's
                # __eq__ is inert and gives up).
                if type(left) not in _SCALARS or \
                        type(right) not in (str, list, tuple, dict, set, frozenset) or \
                        (type(right) in (list, tuple) and
                         any(type(i) not in _SCALARS for i in right)):
                    raise GiveUp()
                ok = (left in right) == isinstance(op, ast.In)
            elif type(left) in _SCALARS and type(right) in _SCALARS or \
                    _operand(left) and _operand(right):
                ok = _COMPARISONS[type(op)](left, right)
            else:
                raise GiveUp()
            if not ok:
                return False
            left = right
        return True

    # Attributes, subscripts, calls.
    def _Attribute(self, node):
        name = node.attr
        if name.startswith("__") and not name.endswith("__") and self.owner:
            name = "_%s%s" % (self.owner, name)
        return _attribute(self.eval(node.value), name)

    def _Subscript(self, node):
        value = self.eval(node.value)
        index = node.slice
        if isinstance(index, ast.Slice):
            key = slice(*(self.eval(p) if p is not None else None
                          for p in (index.lower, index.upper, index.step)))
            if any(type(p) not in (int, type(None)) for p in (key.start, key.stop, key.step)):
                raise GiveUp()
        else:
            if type(index).__name__ == "Index":  # 3.8's wrapper
                index = index.value
            key = self.eval(index)
        if type(key) in (int, slice) and (type(value) in (list, tuple, str, bytes) or (
                isinstance(value, (list, tuple)) and not _program_defined(value, _INDEX) and
                type(value).__getitem__ in (list.__getitem__, tuple.__getitem__))):
            return value[key]
        if type(value) is dict:
            return value[self._hashable(key)]
        raise GiveUp()

    def _Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id == "super" and \
                "super" not in self.scope and not node.args and not node.keywords:
            return self._super()
        function = self.eval(node.func)
        args = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                # f(*pair): the items of a builtin tuple or list, as python passes them.
                value = self.eval(a.value)
                if type(value) not in (tuple, list) or len(value) > MAX_ITERATIONS:
                    raise GiveUp()
                args.extend(value)
            else:
                args.append(self.eval(a))
        kwargs = {}
        for k in node.keywords:
            if k.arg is not None:
                kwargs[k.arg] = self.eval(k.value)
                continue
            # f(**mapping): a builtin dict's str keys, as python passes them.
            mapping = self.eval(k.value)
            if type(mapping) is not dict or any(type(key) is not str for key in mapping) \
                    or len(mapping) > MAX_ITERATIONS:
                raise GiveUp()
            kwargs.update(mapping)
        if isinstance(function, (_BoundPure, _TypeMethod, _BoundMethod, _SuperMethod,
                                 _LibraryFunction)):
            return function.call(args, kwargs)
        if function is list:
            return self._own(_call_pure(function, args, kwargs))  # a new list
        if any(function is f for f in _PURE_FUNCTIONS.values()):
            return _call_pure(function, args, kwargs)
        raise GiveUp()

    def _super(self):
        """super() in a method of a program class: the next class of the
        instance's MRO after the one the method was written in."""
        obj = self.scope.get(self.self_name)
        if self.defined_in is None or obj is None or not _is_program_object(obj):
            raise GiveUp()
        mro = type(obj).__mro__
        for i, klass in enumerate(mro):
            if klass.__qualname__ == self.defined_in and \
                    klass.__module__ == self.module:
                return _Super(obj, mro[i + 1:])
        raise GiveUp()

    def _Lambda(self, node):
        """A lambda of one positional parameter, evaluated here when called (a
        sort key): it sees the method's names as python's closure would."""
        params = node.args
        if params.posonlyargs or params.kwonlyargs or params.vararg or params.kwarg or \
                params.defaults or len(params.args) != 1:
            raise GiveUp()
        return _Lambda(self, params.args[0].arg, node.body)

    # Comprehensions: one or more `for` over builtin containers.
    def _GeneratorExp(self, node):
        return self._comprehension(node, lambda scope: [self.eval(node.elt)])

    def _ListComp(self, node):
        return self._own(self._comprehension(node, lambda scope: [self.eval(node.elt)]))

    def _comprehension(self, node, produce):
        results = []
        outer = self.scope
        self.scope = dict(outer)  # the loop's names stay inside it, as in python 3
        try:
            self._loop(node.generators, 0, produce, results)
        finally:
            self.scope = outer
        return results

    def _loop(self, generators, i, produce, results):
        if i == len(generators):
            results.extend(produce(self.scope))
            return
        generator = generators[i]
        if getattr(generator, "is_async", 0):
            raise GiveUp()
        for _ in self._items(generator.iter, generator.target):
            if all(self._truth(self.eval(c)) for c in generator.ifs):
                self._loop(generators, i + 1, produce, results)

    def _items(self, iter_node, target):
        """Bind target to each item of a builtin container in turn (a comprehension's
        for, or a for statement's): MAX_ITERATIONS in all of one evaluation."""
        iterable = self.eval(iter_node)
        if not _builtin_container(iterable, _ITEMS):
            raise GiveUp()
        for item in iterable:
            self.iterations += 1
            if self.iterations > MAX_ITERATIONS:
                raise GiveUp()
            self._bind(target, item)
            yield

    def _truth(self, value):
        if _plain_program_object(value):
            return True  # neither __bool__ nor __len__ anywhere in its classes
        if type(value) not in _SCALARS + (list, tuple, dict) and \
                type(value) not in _numbers()["all"] and \
                not (_is_program_object(value) and _builtin_container(value, _TRUTH)):
            raise GiveUp()
        return bool(value)

    def _bind(self, target, value):
        if isinstance(target, ast.Name):
            self.scope[target.id] = value
        elif isinstance(target, ast.Tuple) and type(value) is tuple and \
                len(target.elts) == len(value):
            for t, v in zip(target.elts, value):
                self._bind(t, v)
        else:
            raise GiveUp()


_COMPARISONS = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
                ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
                ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b}


def _global(module_name, name):
    """A global of the method's module, from the dump: a class (an enum's, for
    its members), or a builtin value; GiveUp for anything else (a function is
    program code) or when the module's globals were not dumped."""
    import pyhd_surrogates
    found = pyhd_surrogates.module_globals(module_name)
    if found is None or name not in found:
        raise GiveUp()
    value = found[name]
    if isinstance(value, type) or type(value) in _SCALARS:
        return value
    if type(value).__name__ == "module":
        module = _library_module(value.__name__)
        if module is not None:
            return _LibraryModule(module)  # pprint, of pprint.pformat(...)
    elif type(value).__name__ == "function":  # a rebuilt one: from reprlib import repr
        module = _library_module(value.__module__)
        if module is not None and value.__qualname__ in _LIBRARY_FUNCTIONS[module]:
            return _LibraryFunction(module, value.__qualname__)
    raise GiveUp()


# Builtin classes whose own __len__ a body may call on self (list.__len__(self)).
_SIZED_TYPES = (dict, list, tuple, set, frozenset, str)


class _TypeMethod:
    """A builtin class's own __repr__, __str__ or __len__ (dict.__repr__), for one
    instance of it."""

    def __init__(self, cls, name):
        self.cls, self.name = cls, name

    def call(self, args, kwargs):
        if kwargs or len(args) != 1 or not isinstance(args[0], self.cls):
            raise GiveUp()
        value = args[0]
        if self.name == "__len__":
            return self.cls.__len__(value)  # the C length of the builtin's own storage
        if self.cls in (dict, list, tuple, set, frozenset, str) and \
                self.cls.__len__(value) > MAX_ITERATIONS:
            raise GiveUp()
        # C code of the builtin class: the items' reprs are their classes' own
        # (this module's, for the program's objects).
        return _check_text(getattr(self.cls, self.name)(value))


class _BoundPure:
    """A method of _PURE_METHODS bound to an exact builtin value."""

    def __init__(self, value, name):
        self.value, self.name = value, name

    def call(self, args, kwargs):
        if self.name == "format":
            return _check_text(_format_template(self.value, args, kwargs))
        if self.name == "join":
            if len(args) != 1 or kwargs:
                raise GiveUp()
            items = args[0]
            if not isinstance(items, (list, tuple)) or _program_defined(items, _ITEMS) or \
                    any(type(i) is not str for i in items):
                raise GiveUp()
            # The same long str many times over is one object in the dump.
            if sum(map(len, items)) + len(self.value) * len(items) > MAX_TEXT:
                raise GiveUp()
            # Its items as a list: a program's subclass (checked above) passes
            # the str check below as the builtin it is made of.
            return _check_text(self.value.join(list(items)))
        elif self.name == "replace":
            if len(args) < 2 or type(args[0]) is not str or type(args[1]) is not str:
                raise GiveUp()
            times = self.value.count(args[0]) if args[0] else len(self.value) + 1
            if len(self.value) + times * len(args[1]) > MAX_TEXT:
                raise GiveUp()
        elif self.name in ("ljust", "rjust", "center", "zfill"):
            if not args or type(args[0]) is not int or args[0] > MAX_WIDTH:
                raise GiveUp()
        elif self.name == "strftime":
            if len(args) != 1 or kwargs or type(args[0]) is not str or len(args[0]) > MAX_WIDTH:
                raise GiveUp()
        for value in list(args) + list(kwargs.values()):
            if not isinstance(value, _Formatted) and type(value) not in _SCALARS + (list, tuple):
                raise GiveUp()
        result = getattr(self.value, self.name)(*args, **kwargs)
        return _check_text(result)


def _variadic(code):
    """Whether a rebuilt function's code takes more than positional parameters
    (keyword-only ones, *args, **kwargs): its body is not evaluated then."""
    import pyhd_surrogates
    return bool(code.co_kwonlyargcount or code.co_flags & (
        pyhd_surrogates._CO_VARARGS | pyhd_surrogates._CO_VARKEYWORDS))


class _BoundMethod:
    """A method of a rebuilt program class bound to its instance, as self.name
    reads it: called without arguments (self.get_username()), its dumped body is
    evaluated as a __repr__'s is, when it takes self alone. Anything else done
    with it (printed, compared, tested) gives up."""

    def __init__(self, value, function):
        self.value, self.function = value, function

    def call(self, args, kwargs):
        code = self.function.__code__
        if args or kwargs or code.co_argcount != 1 or _variadic(code):
            raise GiveUp()
        body = method_body(self.function)
        if body is None:
            raise GiveUp()
        return _run(body, self.value)

    def _give_up(self, *args):
        raise GiveUp()

    __repr__ = __str__ = __format__ = __bool__ = __eq__ = __hash__ = __iter__ = _give_up
    __lt__ = __le__ = __gt__ = __ge__ = __len__ = __contains__ = _give_up


class _Inert:
    """What the body holds but may only call: anything else done with it gives up."""

    def _give_up(self, *args):
        raise GiveUp()

    __repr__ = __str__ = __format__ = __bool__ = __eq__ = __hash__ = __iter__ = _give_up
    __lt__ = __le__ = __gt__ = __ge__ = __len__ = __contains__ = _give_up


# Functions of the standard library a body may call, by module: they format
# what they are given and touch nothing else. This interpreter's own (the names
# are this table's, never the dump's).
_LIBRARY_FUNCTIONS = {
    "pprint": ("pformat", "saferepr"),
    "reprlib": ("repr",),
    "textwrap": ("shorten", "fill", "wrap", "indent", "dedent"),
}


def _library_module(name):
    """The key of _LIBRARY_FUNCTIONS equal to name (a dumped module's name), or None:
    what is imported is always the table's own name."""
    return next((key for key in _LIBRARY_FUNCTIONS if key == name), None) \
        if type(name) is str else None


class _LibraryModule(_Inert):
    """A module of _LIBRARY_FUNCTIONS named in a body: only its functions are read."""

    def __init__(self, name):
        self.name = name


class _LibraryFunction(_Inert):
    """A function of _LIBRARY_FUNCTIONS, called by the body on values it bounds."""

    def __init__(self, module, name):
        self.module, self.name = module, name

    def call(self, args, kwargs):
        import importlib
        if any(type(v) not in (int, str, bool, type(None)) for v in kwargs.values()):
            raise GiveUp()
        if self.module == "textwrap":
            # Text in, text out: bounded by the text.
            if not args or any(type(a) not in (str, int) for a in args) or \
                    type(args[0]) is not str or len(args[0]) > MAX_TEXT:
                raise GiveUp()
        elif len(args) != 1 or not _small(args[0]):
            raise GiveUp()  # pprint writes the whole of what it is given
        function = getattr(importlib.import_module(self.module), self.name)
        result = function(*args, **kwargs)
        return _check_text(result) if type(result) is str else \
            [_check_text(line) for line in result]


def _small(value):
    """Whether value, walked through builtin containers, has at most
    MAX_ITERATIONS items (what pprint may write at once); the reprs of other
    objects are bounded by their renderer."""
    budget = MAX_ITERATIONS
    todo = [value]
    while todo:
        item = todo.pop()
        budget -= 1
        if budget < 0:
            return False
        if type(item) in (list, tuple, set, frozenset):
            todo.extend(item)
        elif type(item) is dict:
            todo.extend(item.keys())
            todo.extend(item.values())
        elif type(item) in (str, bytes) and len(item) > MAX_TEXT:
            return False
    return True


class _Super(_Inert):
    """super() in a program's method: obj, and the classes of its MRO after the
    method's own."""

    def __init__(self, obj, mro):
        self.obj, self.mro = obj, mro


class _SuperMethod(_Inert):
    """super().__repr__ or super().__str__: what the next class of the MRO that
    defines it returns, its body evaluated when the program wrote it."""

    def __init__(self, sup, name):
        self.sup, self.name = sup, name

    def call(self, args, kwargs):
        if args or kwargs:
            raise GiveUp()
        import pyhd_reprlib, pyhd_surrogates
        obj = self.sup.obj
        for klass in self.sup.mro:
            own = pyhd_surrogates.program_method(klass, self.name)
            if own is not None:
                body = method_body(own)
                if body is None or len(body[5]) != 1:
                    raise GiveUp()
                result = _run(body, obj)
                if type(result) is not str:
                    raise GiveUp()
                return result
            if klass is object:
                if self.name == "__str__":
                    return _repr(obj)  # object.__str__ is repr(self)
                raise GiveUp()  # object.__repr__: an address
            if pyhd_surrogates.is_mirror(klass):
                raise GiveUp()  # stands for a real class, whose code is not known here
            found = klass.__dict__.get(self.name)
            if found is None or found is pyhd_reprlib.render_repr:
                continue  # defined by none of the program's code: the next class's
            if not pyhd_surrogates.is_surrogate(klass):
                if klass in _TYPES.values():
                    return _TypeMethod(klass, self.name).call([obj], {})
                raise GiveUp()
            if pyhd_surrogates._is_rebuilt_function(found):
                raise GiveUp()  # the program's code
            if self.name == "__repr__":
                return _check_text(found(obj))  # ours: a generated repr's rendering
            raise GiveUp()
        raise GiveUp()


class _Lambda(_Inert):
    """A lambda of the body (a sort key): its expression evaluated for one
    argument, in the body's names."""

    def __init__(self, evaluator, param, body):
        self.evaluator, self.param, self.body = evaluator, param, body

    def call(self, args, kwargs):
        if len(args) != 1 or kwargs:
            raise GiveUp()
        evaluator = self.evaluator
        outer = evaluator.scope
        evaluator.scope = dict(outer)
        evaluator.scope[self.param] = args[0]
        try:
            return evaluator.eval(self.body)
        finally:
            evaluator.scope = outer


def _plain_program_object(value):
    """Whether value is an instance of a program's class whose truth is python's
    default, True: its classes are all the program's (rebuilt), and none defined
    __bool__ or __len__."""
    if not _is_program_object(value):
        return False
    import pyhd_surrogates
    cls = type(value)
    # A mirror stands for a real class whose own __len__ or __bool__ is not
    # recorded (class Rows(collections.UserList)): not known then.
    return all(pyhd_surrogates.is_surrogate(k) and not pyhd_surrogates.is_mirror(k)
               for k in cls.__mro__[:-1]) and \
        not pyhd_surrogates.own_container_protocol(cls, _TRUTH)


class _Formatted:
    """A value given to str.format or %: formatted by _format, _str and _repr."""

    def __init__(self, value):
        self.value = value

    def __format__(self, spec):
        return _format(self.value, _check_spec(spec))

    def __str__(self):
        return _str(self.value)

    def __repr__(self):
        return _repr(self.value)

    def __int__(self):
        if type(self.value) not in (int, float, bool):
            raise GiveUp()
        return int(self.value)

    def __float__(self):
        if type(self.value) not in (int, float, bool):
            raise GiveUp()
        return float(self.value)

    def __index__(self):
        if type(self.value) not in (int, bool):
            raise GiveUp()
        return self.value

    def __getitem__(self, key):  # "%(name)s" % mapping is handled by dict itself
        raise GiveUp()


def _attribute(value, name):
    if isinstance(value, _LibraryModule):
        if name in _LIBRARY_FUNCTIONS[value.name]:
            return _LibraryFunction(value.name, name)
        raise GiveUp()
    if isinstance(value, _Super):
        if name in ("__repr__", "__str__"):
            return _SuperMethod(value, name)
        raise GiveUp()
    if name == "__class__":
        return type(value)
    if isinstance(value, type):
        if name in _CLASS_NAMES:
            return type.__dict__[name].__get__(value)
        if value in _TYPES.values() and name in ("__repr__", "__str__") or \
                name == "__len__" and value in _SIZED_TYPES:
            return _TypeMethod(value, name)
        members = value.__dict__.get("_member_map_")
        if type(members) is dict and name in members:
            return members[name]  # an enum's member (Kind.DEBIT)
        raise GiveUp()
    if _is_program_object(value):
        if name == "__dict__":
            return _own_dict(value)
        return _program_attribute(value, name)
    methods = _PURE_METHODS.get(type(value))
    if methods is not None:
        if name in methods:
            return _BoundPure(value, name)
        raise GiveUp()
    if name.startswith("_") and name not in _CLASS_NAMES:
        raise GiveUp()
    # A builtin or standard-library value: its own getter (C or trust-table code).
    import pyhd_surrogates
    if not _trusted_value(value, pyhd_surrogates):
        raise GiveUp()
    if name in _VALUE_METHODS.get(type(value).__name__, ()) and \
            type(value).__module__ == "datetime":
        return _BoundPure(value, name)
    result = getattr(value, name)
    if callable(result):
        raise GiveUp()  # other methods may act on the world (a Path's unlink)
    return result


# Methods of datetime values that format or compute from the value alone.
_VALUE_METHODS = {
    "date": ("isoformat", "strftime"),
    "datetime": ("isoformat", "strftime", "date", "time", "timestamp"),
    "time": ("isoformat", "strftime"),
    "timedelta": ("total_seconds",),
}


def _trusted_value(value, pyhd_surrogates):
    """Whether value's class runs no code of the program: a builtin or standard-library class."""
    cls = type(value)
    module = getattr(cls, "__module__", None)
    if pyhd_surrogates.is_surrogate(cls) or not isinstance(module, str):
        return False
    import sys
    return module.partition(".")[0] in sys.stdlib_module_names or module == "builtins"


def _own_dict(value):
    """vars(value) and value.__dict__ of a rebuilt program object: its dumped
    attributes (the dict itself: nothing here changes it)."""
    if not _is_program_object(value):
        raise GiveUp()
    try:
        attrs = object.__getattribute__(value, "__dict__")
    except AttributeError:
        raise GiveUp()
    if type(attrs) is not dict:
        raise GiveUp()
    return attrs


def _program_attribute(value, name):
    """An attribute of a rebuilt program object: its own value, never a descriptor's."""
    try:
        attrs = object.__getattribute__(value, "__dict__")
    except AttributeError:
        attrs = {}
    if type(attrs) is dict and name in attrs:
        return attrs[name]
    if name in ("name", "value") and type(attrs) is dict and "_" + name + "_" in attrs:
        import enum
        if isinstance(value, enum.Enum) and _enum_property(type(value), name):
            return attrs["_" + name + "_"]  # a member's self.name: enum's own getter's
    for klass in type(value).__mro__:
        if name in klass.__dict__:
            found = klass.__dict__[name]
            kind = type(found).__name__
            if kind == "member_descriptor":   # a slot
                try:
                    return found.__get__(value, type(value))
                except AttributeError:
                    raise GiveUp()
            if type(found) in _SCALARS + (list, tuple, dict) or isinstance(found, type):
                return found
            import operator
            if type(found) is property and type(found.fget) is operator.itemgetter and \
                    isinstance(value, tuple):
                # A namedtuple's field (pyhd_surrogates gives a rebuilt one these).
                index = found.fget.__reduce__()[1]
                if len(index) == 1 and type(index[0]) is int:
                    return tuple.__getitem__(value, index[0])
                raise GiveUp()
            import pyhd_surrogates
            if type(found) is property and not pyhd_surrogates.is_surrogate(klass) and \
                    pyhd_surrogates._how.get(klass) in ("reduced", "instance"):
                # A property of a real trust-table base (Fraction's numerator): its
                # code is this machine's standard library's, reviewed to touch
                # only the object (src/trust.c); what it calls of the program's
                # class is inert and gives up.
                return found.__get__(value, type(value))
            if _pure_base_method(klass, name, pyhd_surrogates):
                # Inherited from the real builtin or datetime base (Stamp(datetime)'s
                # self.isoformat(), Registry(dict)'s self.items()): its C code.
                return _BoundPure(value, name)
            if pyhd_surrogates._is_rebuilt_function(found):
                return _BoundMethod(value, found)  # self.name(), evaluated when called
            if _is_program_object(found) and not _is_cached_property(type(found)):
                return _descriptor_value(found, value)
            return _getter_value(found, value)
    raise GiveUp()


def _enum_property(cls, name):
    """Whether name ("name" or "value") of a member of the enum cls resolves to the
    enum module's own property, which returns the member's _name_ or _value_."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__module__ == "enum" and \
                type(klass.__dict__[name]).__name__ in ("property", "DynamicClassAttribute")
    return False


def _pure_base_method(klass, name, pyhd_surrogates):
    """Whether name, found in klass's own dict, is a method of _PURE_METHODS or
    _VALUE_METHODS of the real builtin or datetime class klass."""
    if pyhd_surrogates.is_surrogate(klass):
        return False
    if name in _PURE_METHODS.get(klass, ()):
        return True
    return klass.__module__ == "datetime" and name in _VALUE_METHODS.get(klass.__name__, ())


def _is_cached_property(kind):
    """Whether kind is functools.cached_property, or its inert copy (a dump of a
    Python whose functools differs), by its names."""
    return type.__dict__["__module__"].__get__(kind) == "functools" and \
        type.__dict__["__qualname__"].__get__(kind) == "cached_property"


def _descriptor_value(found, obj):
    """A class attribute of obj's class that is an instance of a program class:
    itself, when its class has no __get__ (a default kept on the class); what
    its __get__(self, obj, objtype) returns, when that is a body this module
    evaluates (a descriptor such as `return getattr(obj, self.name)`); else GiveUp."""
    import pyhd_surrogates
    getter = None
    for klass in type(found).__mro__:
        if "__get__" in klass.__dict__:
            getter = klass.__dict__["__get__"]
            break
    else:
        return found
    if not pyhd_surrogates._is_rebuilt_function(getter):
        raise GiveUp()
    code = getter.__code__
    if code.co_argcount not in (2, 3) or _variadic(code):
        raise GiveUp()
    body = method_body(getter)
    if body is None or len(body[5]) != code.co_argcount:
        raise GiveUp()
    more = {body[5][1]: obj}
    if len(body[5]) == 3:
        more[body[5][2]] = type(obj)
    return _run(body, found, more)


def _getter_value(descriptor, obj):
    """A property's (or functools.cached_property's) value for obj, when its getter
    is a body this module evaluates; GiveUp for any other descriptor or method:
    program code."""
    import pyhd_surrogates
    kind = type(descriptor)
    if kind is property:
        getter = descriptor.fget
    elif _is_cached_property(kind):
        # The real class, or its inert copy (a dump of a Python whose functools
        # differs): its func, read from its own dict either way.
        try:
            attrs = object.__getattribute__(descriptor, "__dict__")
        except AttributeError:
            raise GiveUp()
        getter = attrs.get("func") if type(attrs) is dict else None
    else:
        raise GiveUp()
    if not pyhd_surrogates._is_rebuilt_function(getter):
        raise GiveUp()
    body = method_body(getter, getter=True)
    if body is None:
        raise GiveUp()
    return _run(body, obj)
    raise GiveUp()


def _plain(value, depth=0):
    """Whether comparing or adding value runs only builtin code: a scalar, or a
    tuple or list of them (the items of a dict's items(), say)."""
    if type(value) in _SCALARS or type(value) in _numbers()["all"]:
        return True
    return type(value) in (tuple, list) and depth < 3 and \
        all(_plain(item, depth + 1) for item in value)


def _keyed(items):
    """Whether items are tuples whose first elements are distinct strs (or ints):
    sorting them compares those alone (a dict's items(), sorted), never what
    follows, which may be any object."""
    firsts = []
    for item in items:
        if type(item) is not tuple or not item:
            return False
        firsts.append(item[0])
    kinds = set(map(type, firsts))
    return len(kinds) <= 1 and kinds <= {str, int} and len(set(firsts)) == len(firsts)


# What each use of a container calls of its class.
_LENGTH = ("__len__",)
_TRUTH = ("__bool__", "__len__")
_ITEMS = ("__iter__",)
_INDEX = ("__getitem__",)


def _program_defined(value, uses):
    """Whether value's class is the program's and defined one of uses (its own
    code, not run): rebuilt classes keep their builtin base's in its place."""
    import pyhd_surrogates
    cls = type(value)
    return pyhd_surrogates.is_surrogate(cls) and pyhd_surrogates.own_container_protocol(cls, uses)


def _builtin_container(value, uses=_LENGTH + _TRUTH + _ITEMS + _INDEX):
    """Whether value is a builtin container, or a program's subclass of one
    (class Matrix(list)) that leaves what uses calls (its length, truth, items
    or index) to the builtin: then len(self) and sorted(self) in its __repr__
    run only the builtin's code."""
    if not isinstance(value, _CONTAINERS):
        return False
    return type(value).__module__ == "builtins" or (
        _is_program_object(value) and not _program_defined(value, uses))


def _call_pure(function, args, kwargs):
    if function in (sorted, min, max) and "key" in kwargs:
        return _keyed_call(function, args, kwargs)
    if function in (sorted, min, max, sum, list, tuple, len):
        if len(args) != 1 or \
                not _builtin_container(args[0], _LENGTH if function is len else _ITEMS) or \
                set(kwargs) - ({"reverse"} if function is sorted else set()):
            raise GiveUp()
        if function in (sorted, min, max, sum) and not all(map(_plain, args[0])) and \
                not (function is not sum and _keyed(args[0])):
            raise GiveUp()  # their order and sums are the items' own code
        return function(*args, **kwargs)
    if kwargs:
        raise GiveUp()
    if function is vars and len(args) == 1:
        return _own_dict(args[0])
    if function is getattr and len(args) == 2 and type(args[1]) is str:
        return _attribute(args[0], args[1])  # as obj.name
    if function in (getattr, hasattr) and len(args) == (3 if function is getattr else 2) \
            and type(args[1]) is str:
        present = _has_attribute(args[0], args[1])
        if present:
            value = _attribute(args[0], args[1])  # gives up where python would compute
            return value if function is getattr else True
        return args[2] if function is getattr else False
    if function is isinstance and len(args) == 2:
        classes = args[1] if type(args[1]) is tuple else (args[1],)
        if not all(isinstance(c, type) and type(c) is type for c in classes):
            raise GiveUp()  # a metaclass's __instancecheck__ may be program code
        return issubclass(type(args[0]), classes)
    if function is map and len(args) == 2 and _builtin_container(args[1], _ITEMS):
        # A list, not an iterator: what join, list, tuple and sorted take from it.
        mapped = args[0]
        if len(args[1]) > MAX_ITERATIONS:
            raise GiveUp()
        if isinstance(mapped, (_BoundPure, _TypeMethod)):
            return [mapped.call([item], {}) for item in args[1]]
        if any(mapped is f for f in _PURE_FUNCTIONS.values()) and mapped is not map:
            return [_call_pure(mapped, [item], {}) for item in args[1]]
        raise GiveUp()
    if function is repr and len(args) == 1:
        return _repr(args[0])
    if function is str and len(args) == 1:
        return _str(args[0])
    if function is format and len(args) in (1, 2):
        return _format(args[0], _check_spec(args[1]) if len(args) > 1 else "")
    if function is type and len(args) == 1:
        return type(args[0])
    if function in (int, float, round, abs, bool, hex, oct, bin) and \
            all(type(a) in (int, float, bool) or _number_of_program(a, function) or
                function is not bool and type(a) in _numbers()["all"] and _operand(a)
                for a in args):
        if function is round and len(args) == 2 and abs(args[1]) > MAX_WIDTH:
            raise GiveUp()  # round(n, -10**9) would compute 10**(10**9)
        return function(*args)
    raise GiveUp()


def _keyed_call(function, args, kwargs):
    """sorted, min or max of a builtin container with key= (a lambda of the
    body, or a pure function): the keys must be plain values, compared by their
    builtin code; ties keep the items' order, as python's sort does."""
    key = kwargs["key"]
    if len(args) != 1 or not _builtin_container(args[0], _ITEMS) or \
            set(kwargs) - ({"key", "reverse"} if function is sorted else {"key"}) or \
            len(args[0]) > MAX_ITERATIONS:
        raise GiveUp()
    items = list(args[0])
    if isinstance(key, _Lambda):
        keys = [key.call([item], {}) for item in items]
    elif isinstance(key, (_BoundPure, _TypeMethod)):
        keys = [key.call([item], {}) for item in items]
    elif any(key is f for f in _PURE_FUNCTIONS.values()) and key is not map:
        keys = [_call_pure(key, [item], {}) for item in items]
    else:
        raise GiveUp()
    if not all(map(_plain, keys)):
        raise GiveUp()
    if not items and function is not sorted:
        raise GiveUp()  # python: ValueError
    if function is sorted:
        order = sorted(range(len(items)), key=keys.__getitem__,
                       reverse=bool(kwargs.get("reverse", False)))
        return [items[i] for i in order]
    return items[function(range(len(items)), key=keys.__getitem__)]


def _has_attribute(value, name):
    """Whether value has the attribute name, as hasattr() would say, known
    without running code: True, False; GiveUp when only code could tell (a
    program's __getattr__, a value of another class)."""
    if type(value) in _SCALARS or type(value) in _CONTAINERS:
        return hasattr(value, name)  # the builtin's own C attributes
    if not _is_program_object(value):
        raise GiveUp()
    try:
        attrs = object.__getattribute__(value, "__dict__")
    except AttributeError:
        attrs = {}
    if type(attrs) is dict and name in attrs:
        return True
    import pyhd_surrogates
    if pyhd_surrogates.own_container_protocol(type(value), ("__getattr__",
                                                            "__getattribute__")):
        raise GiveUp()  # the program's code would decide
    for klass in type(value).__mro__[:-1]:
        if "__getattr__" in klass.__dict__ or "__getattribute__" in klass.__dict__ or \
                pyhd_surrogates.is_mirror(klass):
            raise GiveUp()  # another class's code would decide
    for klass in type(value).__mro__:
        if name in klass.__dict__:
            found = klass.__dict__[name]
            if type(found).__name__ == "member_descriptor":  # a slot: set or not
                try:
                    found.__get__(value, type(value))
                except AttributeError:
                    return False
            return True
    return False


def _number_of_program(value, function):
    """Whether value is an instance of a program's subclass of int or float
    (float(self) in class Celsius(float)'s __repr__), which function reads as
    the builtin would: through the number methods of its class, the builtin's
    unless the program defined them (then they are inert and raise, and the
    evaluation gives up). Not bool(): a rebuilt class keeps the builtin's
    __bool__ whatever the program's was."""
    return function is not bool and isinstance(value, (int, float)) and \
        _is_program_object(value)


def _repr(value):
    """repr(value) whole, as python writes it: a renderer of its own, so that an
    object shown twice is written twice (the caller's line shows it once)."""
    import pyhd_reprlib
    renderer = pyhd_reprlib.Renderer(MAX_TEXT + 1)
    try:
        renderer.render(value)
    except pyhd_reprlib.Cut:
        raise GiveUp()
    return _check_text(renderer.text())


def _str(value):
    if type(value) is str:
        return value
    if _is_program_object(value):
        # The class's own __str__ is ours (this module's) or the program's inert one.
        text = str(value)
    elif type(value) in _SCALARS or isinstance(value, _CONTAINERS):
        return _repr(value) if type(value) not in _SCALARS else str(value)
    else:
        text = str(value)
    return _check_text(text)


def _format(value, spec):
    if spec == "":
        return _str(value)
    _check_spec(spec)
    if type(value) in _SCALARS:
        return format(value, spec)
    import pyhd_surrogates
    if not _is_program_object(value) and _trusted_value(value, pyhd_surrogates):
        return _check_text(format(value, spec))
    raise GiveUp()


# The syntax this module evaluates: ast node class name -> its method. Nothing else.
_NODES = {name: getattr(_Evaluator, "_" + name) for name in (
    "Constant", "Name", "Tuple", "List", "Dict", "JoinedStr", "BinOp", "UnaryOp", "BoolOp",
    "IfExp", "Compare", "Attribute", "Subscript", "Call", "GeneratorExp", "ListComp",
    "Lambda")}
