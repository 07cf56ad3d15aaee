"""pyhd-debug --audit: what a dump holds that may be sensitive, and whether it may leave.

It reads the loaded dump (what _pyhd.load rebuilt) without running anything
from it: containers are iterated as the builtin types they are, other objects
are entered through gc.get_referents (the C-level references, read without
calling a method), and text is matched by the same C rules pyhd-run redacts
with (_pyhd.scan_secrets). Values are never printed: a finding names where it
is, its rule and its length.

Exit status: 0 when nothing secret-shaped was kept, 1 when something was (so
that CI can refuse to upload such a dump), 2 when the dump cannot be read.
"""

import gc
import types

import _pyhd
import pyhd_surrogates

# At most this many objects are visited; a bigger dump says it was cut.
MAX_OBJECTS = 500000
# At most this many findings of each list are printed (all are counted).
MAX_SHOWN = 50


def _escape(text):
    """text for a terminal: control characters and non-ASCII shown as escapes."""
    return text.encode("ascii", "backslashreplace").decode("ascii").translate(
        {c: "\\x%02x" % c for c in list(range(32)) + [127]})


def _key_step(key):
    if isinstance(key, (str, bytes, int, float, bool, type(None))):
        return "[%s]" % _escape(repr(key)[:60])
    return "[%s]" % type(key).__name__


class Audit:
    """The findings: redacted values, partly redacted text, secrets kept."""

    def __init__(self):
        self.redacted = []      # (path, repr of the stand-in)
        self.partial = []       # (path, parts)
        self.kept = []          # (path, rule, length)
        self.visited = 0
        self.cut = False

    # -- the graph -------------------------------------------------------

    def scan_text(self, path, value):
        if isinstance(value, str) and "<redacted " in value:
            self.partial.append((path, value.count("<redacted ")))
        for rule, start, end in _pyhd.scan_secrets(value):
            self.kept.append((path, rule, end - start))

    def walk(self, roots):
        """Visit everything reachable from roots, a list of (path, object)."""
        seen = set()
        queue = list(roots)
        head = 0
        while head < len(queue):
            path, obj = queue[head]
            head += 1
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            self.visited += 1
            if self.visited > MAX_OBJECTS:
                self.cut = True
                return
            queue.extend(self._children(path, obj))

    def _children(self, path, obj):
        t = type(obj)
        if issubclass(t, pyhd_surrogates.RedactedStub):
            self.redacted.append((path, repr(obj)))
            return ()
        if isinstance(obj, (str, bytes)):
            self.scan_text(path, obj)
            if t in (str, bytes):
                return ()
        if t is bytearray:
            self.scan_text(path, bytes(obj))
            return ()
        if t is dict:
            return [(path + _key_step(k), v) for k, v in dict.items(obj)] + \
                   [(path + "{key}", k) for k in dict.keys(obj)]
        if t in (list, tuple):
            return [("%s[%d]" % (path, i), v) for i, v in enumerate(obj)]
        if t in (set, frozenset):
            return [(path + "{item}", v) for v in obj]
        if t is pyhd_surrogates.FrameRecord:
            code = obj.code
            name = getattr(code, "qualname", None) or getattr(code, "name", "?")
            where = "frame %s (%s:%s)" % (_escape(str(name)),
                                          _escape(str(getattr(code, "filename", "?"))),
                                          obj.lineno)
            out = []
            if isinstance(obj.locals, dict):
                out += [("%s local %s" % (where, _escape(repr(k)[:60])), v)
                        for k, v in obj.locals.items()]
            if isinstance(obj.globals, dict):
                out.append(("globals of %s" % _escape(str(getattr(code, "filename", "?"))),
                            obj.globals))
            out.append((path + ".back", obj.back))
            return out
        if isinstance(obj, (types.ModuleType, type, types.FunctionType, types.CodeType)):
            return ()
        # Anything else: its C-level references (an instance's __dict__, an
        # exception's args, a cell's contents), read without calling methods.
        return [(path + "." + type(r).__name__, r) for r in gc.get_referents(obj)
                if not isinstance(r, type)]

    # -- the text members -------------------------------------------------

    def scan_members(self, data):
        for key, value in data.get("manifest", []):
            if key in ("Exception-Message", "Argv", "Cwd", "Executable", "Reason"):
                self.scan_text("MANIFEST %s" % key, value)
        self.scan_text("traceback.txt", data.get("traceback_txt", "") or "")


def _roots(data):
    roots = [("roots[%r]" % k, v) for k, v in (data.get("roots") or {}).items()]
    for i, thread in enumerate(data.get("threads") or []):
        roots.append(("thread %d %s" % (i, _escape(str(thread.get("name", "")))),
                      thread.get("frame")))
    for i, exc in enumerate(data.get("exceptions") or []):
        roots.append(("exception %d" % i, exc))
    return roots


def _field(data, key, default=""):
    for k, v in data.get("manifest", []):
        if k == key:
            return v
    return default


def _show(out, title, items, fmt):
    out.write("%s: %d\n" % (title, len(items)))
    for item in items[:MAX_SHOWN]:
        out.write("  " + fmt(item) + "\n")
    if len(items) > MAX_SHOWN:
        out.write("  ... %d more\n" % (len(items) - MAX_SHOWN))


def run_audit(data, out):
    """Print the audit of a loaded dump; return the exit status (0 clean, 1 secrets kept)."""
    audit = Audit()
    audit.walk(_roots(data))
    audit.scan_members(data)
    out.write("Privacy: %s\n" % _escape(_field(data, "Privacy", "default (before --privacy)")))
    out.write("Redacted by pyhd-run: %s value(s); by rule: %s\n" % (
        _escape(_field(data, "Redacted-Values", "0")),
        _escape(_field(data, "Redacted-By-Rule", "none"))))
    _show(out, "Redacted values", audit.redacted, lambda f: "%s: %s" % f)
    _show(out, "Partly redacted text", audit.partial,
          lambda f: "%s: %d part(s)" % f)
    _show(out, "Secret-shaped values kept", audit.kept,
          lambda f: "%s: %s, %d chars" % f)
    if audit.cut:
        out.write("(cut: only the first %d objects were read)\n" % MAX_OBJECTS)
    if audit.kept:
        out.write("Verdict: %d secret-shaped value(s) kept: do not share this dump\n"
                  % len(audit.kept))
        return 1
    out.write("Verdict: no secret-shaped value kept\n")
    return 0
