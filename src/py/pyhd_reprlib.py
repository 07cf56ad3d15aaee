"""pyhd reprlib: reprs of rebuilt objects, cut while they are built, each stand-in shown once per line.

A stand-in's repr shows the reprs of its attributes, each cut to a few
hundred characters. Building each attribute's repr whole before cutting it
costs as much as the whole object graph below it, again for every path that
reaches a shared object: `n = Node(n, n)` twenty times is a million nodes
deep in reprs. Here a repr is written into a Renderer with a budget of
characters that stops the walk as soon as the budget is spent, and a
stand-in met a second time in the same line is shown as `<rebuilt Node ...>`,
as a cycle is. So printing costs time in proportion to what it prints.

A stand-in class takes part by defining `__pyhd_render__(self, renderer)`,
which writes its repr with renderer.write(), renderer.value() and
renderer.render(), and `__repr__ = render_repr`. Builtin containers are
written here, as python writes them; any other object by its own repr.
"""

# threading.local is _thread._local; importing threading for it costs start-up.
import _thread

# An attribute's repr in a stand-in's repr is cut to this many characters.
VALUE_LIMIT = 300
# Containers nested deeper than this inside one repr are written as "...".
MAX_DEPTH = 100

_local = _thread._local()


class _Cut(Exception):
    """The renderer's budget is spent: the repr ends here."""


Cut = _Cut  # for renderers of other modules (pyhd_reprexpr)


def _render_hook(obj):
    """The __pyhd_render__ of obj's class when its __repr__ is render_repr, else None.

    Looked up in the classes' own dicts, so no code of the dump runs; a class
    with a repr of its own (a dataclass's, a namedtuple's) keeps it.
    """
    hook = None
    for klass in type(obj).__mro__:
        namespace = klass.__dict__
        if hook is None:
            hook = namespace.get("__pyhd_render__")
        if "__repr__" in namespace:
            return hook if namespace["__repr__"] is render_repr else None
    return None


class Renderer:
    """Collects one repr: write() raises _Cut once the budget of characters is spent.

    Renderers of one line (a value inside a stand-in, a stand-in's repr
    called by a builtin container's repr) share the set of stand-ins shown.
    """

    def __init__(self, budget, parent=None):
        self.parts = []
        self.left = budget
        self.active = parent.active if parent else set()   # ids being written: cycles
        self.shown = parent.shown if parent else set()     # ids written in this line
        self.depth = parent.depth if parent else 0

    def text(self):
        return "".join(self.parts)

    def write(self, text):
        if len(text) > self.left:
            self.parts.append(text[:self.left])
            self.left = 0
            raise _Cut()
        self.parts.append(text)
        self.left -= len(text)

    def enter(self, obj):
        """Mark a stand-in as being written; False when it was written in this line already."""
        key = id(obj)
        if key in self.active or key in self.shown:
            return False
        self.active.add(key)
        self.shown.add(key)
        return True

    def leave(self, obj):
        self.active.discard(id(obj))

    def value(self, obj, limit=VALUE_LIMIT):
        """Write obj's repr cut to limit characters, the last three of them "..."."""
        sub = Renderer(min(limit + 1, self.left + 1), self)
        try:
            sub.render(obj)
        except _Cut:
            pass
        text = sub.text()
        if len(text) > limit:
            text = text[:limit - 3] + "..."
        self.write(text)

    def render(self, obj):
        """Write obj's repr (as far as the budget goes)."""
        if self.depth >= MAX_DEPTH:
            self.write("...")
            return
        self.depth += 1
        try:
            self._render(obj)
        finally:
            self.depth -= 1

    def _render(self, obj):
        hook = _render_hook(obj)
        kind = type(obj)
        if hook is not None:
            hook(obj, self)
        elif kind is str or kind is bytes:
            # repr of the part that can show: a long string is not copied whole.
            self.write(repr(obj if len(obj) <= self.left else obj[:self.left]))
        elif kind is list or kind is tuple or kind is set or kind is frozenset or kind is dict:
            self.items(obj, kind)
        else:
            self.write(_plain_repr(obj, self))

    def items(self, obj, kind):
        """Write a list, tuple, set, frozenset or dict (or a subclass's items) as python does."""
        if not obj:
            self.write({list: "[]", tuple: "()", set: "set()", frozenset: "frozenset()",
                        dict: "{}"}[kind])
            return
        if id(obj) in self.active:
            self.write({list: "[...]", dict: "{...}"}.get(kind, "(...)"))
            return
        opening, closing = {list: ("[", "]"), tuple: ("(", ")"), set: ("{", "}"),
                            frozenset: ("frozenset({", "})"), dict: ("{", "}")}[kind]
        self.active.add(id(obj))
        try:
            self.write(opening)
            if kind is dict:
                for i, (key, value) in enumerate(dict.items(obj)):
                    if i:
                        self.write(", ")
                    self.render(key)
                    self.write(": ")
                    self.render(value)
            else:
                for i, item in enumerate(kind.__iter__(obj)):
                    if i:
                        self.write(", ")
                    self.render(item)
                if kind is tuple and len(obj) == 1:
                    self.write(",")
            self.write(closing)
        finally:
            self.active.discard(id(obj))


def _plain_repr(obj, renderer):
    """repr(obj); a stand-in's repr called from inside it continues this line."""
    previous = getattr(_local, "current", None)
    _local.current = renderer
    try:
        return repr(obj)
    finally:
        _local.current = previous


def render_repr(obj):
    """__repr__ for stand-ins: the whole repr, or what is left of the line it is part of."""
    parent = getattr(_local, "current", None)
    renderer = Renderer(parent.left if parent else float("inf"), parent)
    try:
        renderer.render(obj)
    except _Cut:
        pass
    return renderer.text()


def render_repr_with(obj, hook):
    """render_repr written by hook(obj, renderer), whatever obj's class's __repr__ is."""
    parent = getattr(_local, "current", None)
    renderer = Renderer(parent.left if parent else float("inf"), parent)
    try:
        hook(obj, renderer)
    except _Cut:
        pass
    return renderer.text()


def cut_repr(obj, limit=VALUE_LIMIT):
    """repr(obj) cut to limit characters (ending in "...") while it is built; never raises."""
    renderer = Renderer(limit + 1, getattr(_local, "current", None))
    try:
        renderer.render(obj)
    except _Cut:
        pass
    except Exception as error:
        return "<repr failed: %s>" % type(error).__name__
    text = renderer.text()
    return text if len(text) <= limit else text[:limit - 3] + "..."
