"""What is printed from a dump: escaped text, bounded reprs, the header,
locals, threads and the MANIFEST."""

import itertools
import re
import reprlib
import sys
import traceback

from .frames import RebuildError
from .model import thread_label

# Control characters (C0 but newline and tab, DEL, C1) and the lone
# surrogates that stand for bytes that were not UTF-8: a terminal acts on
# the first (an OSC 52 sequence writes the clipboard, CSI 2 J clears the
# screen), and the others cannot be written.
_UNSAFE = "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]"
_NAMED = {"\r": "\\r"}


def _unsafe():
    """_UNSAFE compiled, when first needed."""
    return re.compile(_UNSAFE)


def _escape_one(match):
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if code > 0xFF:
        return f"\\u{code:04x}"
    return _NAMED.get(char, f"\\x{code:02x}")


def escape(text):
    """text with its control characters escaped as repr writes them (\\x1b).

    Newlines and tabs stay: the reports are lines of text.
    """
    # Nearly all text is printable: it needs no substitution, and _UNSAFE
    # need not be compiled at start-up (a regular expression costs about
    # 0.5 M instructions to compile).
    if text.isprintable() or text.replace("\n", "").replace("\t", "").isprintable():
        return text
    return _unsafe().sub(_escape_one, text)


def clip_words(text, width):
    """text cut to width at a word boundary, ending in "..." when cut.

    Words end at spaces; a text without a space in reach is cut after a
    "-", "_", "." or "/" instead ("uncaught-..."), else where it must.
    """
    if len(text) <= width:
        return text
    if width <= 3:
        return text[:width]
    cut = text[:width - 3]
    space = cut.rfind(" ")
    if space >= width // 2:
        cut = cut[:space]
    else:
        mark = max(cut.rfind(c) for c in "-_./")
        if mark >= width // 2:
            cut = cut[:mark + 1]
    return cut.rstrip(" ,:;.") + "..."


class EscapingWriter:
    """A text stream that escapes what is written to it (see escape).

    Everything pyhd-debug prints from a dump goes through one, so that no
    dumped string can drive the terminal; writes go through at once, so
    the order with other writers of the same stream is kept.
    """

    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        return self.stream.write(escape(text))

    def flush(self):
        self.stream.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)


class _ProgramOrderRepr(reprlib.Repr):
    """reprlib, but dicts and sets in their own order (reprlib sorts them),
    and a container that is cut says how many items were left out:
    [1, 2, 3, 4, 5, 6, 7, 8, ..., 12 more]."""

    def __init__(self):
        super().__init__()
        self.maxlevel = 3
        self.maxtuple = self.maxlist = self.maxarray = self.maxdict = 8
        self.maxset = self.maxfrozenset = self.maxdeque = 8
        self.maxstring = 120
        self.maxother = 120

    def _repr_iterable(self, x, level, left, right, maxiter, trail=""):
        n = len(x)
        if level <= 0 and n:
            body = "..."
        else:
            pieces = [self.repr1(item, level - 1) for item in itertools.islice(x, maxiter)]
            if n > maxiter:
                pieces.append(f"..., {n - maxiter} more")
            body = ", ".join(pieces)
            if n == 1 and trail:
                right = trail + right
        return f"{left}{body}{right}"

    def repr_set(self, x, level):
        if not x:
            return "set()"
        return self._repr_iterable(x, level, "{", "}", self.maxset)

    def repr_frozenset(self, x, level):
        if not x:
            return "frozenset()"
        return self._repr_iterable(x, level, "frozenset({", "})", self.maxfrozenset)

    def repr_dict(self, x, level):
        n = len(x)
        if n == 0:
            return "{}"
        if level <= 0:
            return "{...}"
        pieces = [f"{self.repr1(key, level - 1)}: {self.repr1(value, level - 1)}"
                  for key, value in itertools.islice(x.items(), self.maxdict)]
        if n > self.maxdict:
            pieces.append(f"..., {n - self.maxdict} more")
        return "{" + ", ".join(pieces) + "}"


_repr = _ProgramOrderRepr()
_REPR_LIMIT = 240


def short_repr(value):
    """A bounded repr for locals listings; never raises."""
    try:
        text = _repr.repr(value)
    except Exception as error:
        text = f"<repr failed: {type(error).__name__}>"
    if len(text) > _REPR_LIMIT:
        text = text[:_REPR_LIMIT - 3] + "..."
    return text


_long_repr = reprlib.Repr()
_long_repr.maxstring = 1000
_long_repr.maxother = 1000


def line_repr(value, width):
    """A repr of at most width characters, cut at a word with "..." (not in
    the middle, as reprlib cuts); never raises."""
    try:
        text = _long_repr.repr(value)
    except Exception as error:
        text = f"<repr failed: {type(error).__name__}>"
    return clip_words(" ".join(text.split()), width)


def frame_locals(frame):
    """A frame's locals as (name, repr) pairs in the program's order: the
    frame's own (parameters first, as f_locals lists them); a module
    frame's without the module's dunders (__name__, __builtins__, ...)."""
    names = frame.f_locals
    module = frame.f_locals is frame.f_globals
    return [(str(name), short_repr(value)) for name, value in names.items()
            if not (module and isinstance(name, str) and name.startswith("__")
                    and name.endswith("__"))]


# Frames of a recursion that repeat more often than this are folded into one
# line, as traceback does (its _RECURSIVE_CUTOFF).
_RECURSIVE_CUTOFF = 3


class _LocalsStack(traceback.StackSummary):
    """A StackSummary that lists each frame's locals in the program's order
    (traceback sorts them by name)."""

    def _frame_text(self, summary, **kwargs):
        ordered, summary.locals = summary.locals, None
        try:
            if hasattr(traceback.StackSummary, "format_frame_summary"):
                text = super().format_frame_summary(summary, **kwargs)
            else:  # 3.10
                text = traceback.StackSummary.from_list([summary]).format()[0]
        finally:
            summary.locals = ordered
        if text is None:
            return None
        return text + "".join(f"    {name} = {value}\n" for name, value in ordered or ())

    def format(self, **kwargs):
        result = []
        last, count = None, 0
        for summary in self:
            key = (summary.filename, summary.lineno, summary.name)
            if key != last:
                if count > _RECURSIVE_CUTOFF:
                    count -= _RECURSIVE_CUTOFF
                    result.append(f"  [Previous line repeated {count} more "
                                  f"time{'s' if count > 1 else ''}]\n")
                last, count = key, 0
            count += 1
            if count > _RECURSIVE_CUTOFF:
                continue
            text = self._frame_text(summary, **kwargs)
            if text is not None:
                result.append(text)
        if count > _RECURSIVE_CUTOFF:
            count -= _RECURSIVE_CUTOFF
            result.append(f"  [Previous line repeated {count} more "
                          f"time{'s' if count > 1 else ''}]\n")
        return result


def _fill_locals(te, exc, seen):
    """Give each FrameSummary of te (and its chain) its frame's locals."""
    if te is None or id(te) in seen or exc is None:
        return
    seen.add(id(te))
    for summary, (frame, _) in zip(te.stack, traceback.walk_tb(exc.__traceback__)):
        summary.locals = frame_locals(frame)
    te.stack.__class__ = _LocalsStack
    _fill_locals(te.__cause__, exc.__cause__, seen)
    _fill_locals(te.__context__, exc.__context__, seen)
    for member_te, member in zip(getattr(te, "exceptions", None) or (),
                                 getattr(exc, "exceptions", None) or ()):
        _fill_locals(member_te, member, seen)


def format_with_locals(exc):
    """traceback.format_exception(exc) with each frame's locals listed."""
    te = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    _fill_locals(te, exc, set())
    return list(te.format())


def format_info(dump):
    """The MANIFEST as "Key: value" lines."""
    return "".join(f"{k}: {v}\n" for k, v in dump.manifest)


def format_threads(dump):
    """Every thread's label and stack; the failed thread's is its exception."""
    lines = []
    for i, thread in enumerate(dump.threads):
        if lines:
            lines.append("\n")
        lines.append(thread_label(i + 1, thread) + "\n")
        try:
            tb = dump.thread_traceback(i)
        except RebuildError as error:
            lines.append(f"  (stack not rebuilt: {error})\n")
            continue
        if tb is None:
            lines.append("  (no Python frames)\n")
        elif thread.get("frame") is None and dump.exception is not None:
            lines.extend(traceback.format_exception(dump.exception))
        else:
            lines.append("Stack (most recent call last):\n")
            lines.extend(traceback.format_tb(tb))
    return "".join(lines)


def _json_strings(text):
    """json.loads(text) for a JSON list of strings, as Argv is.

    Importing json compiles five regular expressions (about 5 M
    instructions, 2% of start-up); a string without a backslash is its own
    text, and _json's scanner (an extension module to load) reads the others
    alike. Anything else goes to json.loads itself.
    """
    words, end = [], 1
    if text[:1] == "[":
        while True:
            while text[end:end + 1] in (" ", "\t", "\n", "\r") and end < len(text):
                end += 1
            if text[end:end + 1] == "]" and not words and text[end + 1:].strip(" \t\n\r") == "":
                return words
            if text[end:end + 1] != '"':
                break
            close = text.find('"', end + 1)
            word = text[end + 1:close]
            if close > 0 and "\\" not in word and \
                    all(c >= " " for c in word):
                end = close + 1
            else:
                import _json
                try:
                    word, end = _json.scanstring(text, end + 1, True)
                except (ValueError, SystemError):
                    # Before json.decoder is imported, 3.11's scanstring fails
                    # on an unterminated string without setting an exception.
                    break
            words.append(word)
            while text[end:end + 1] in (" ", "\t", "\n", "\r") and end < len(text):
                end += 1
            if text[end:end + 1] == "]" and text[end + 1:].strip(" \t\n\r") == "":
                return words
            if text[end:end + 1] != ",":
                break
            end += 1
    import json
    return json.loads(text)


# What shlex.quote leaves unquoted ([\w@%+=:,./-] in ASCII), without
# importing shlex and compiling its expression at every start.
_SHELL_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "_@%+=:,./-")


def _shell_quote(word):
    """word as shlex.quote writes it for a POSIX shell."""
    if not word:
        return "''"
    if all(c in _SHELL_SAFE for c in word):
        return word
    return "'" + word.replace("'", "'\"'\"'") + "'"


def format_header(dump):
    """The lines printed before the prompt: what crashed, where and when."""
    argv = dump.field("Argv")
    try:
        words = _json_strings(argv) if argv else []
        if not isinstance(words, list):
            raise ValueError("Argv is not a list")
        program = " ".join(_shell_quote(str(w)) for w in words)
    except ValueError:
        program = argv
    host = dump.field("Hostname", "?")
    pid, uid = dump.field("Pid"), dump.field("Uid")
    if pid:
        host += f", pid {pid}"
    if uid:
        host += f", uid {uid}"
    # Python-Version is sys.version: its first word is the version number.
    dumped = (dump.field("Python-Version").split() or [""])[0]
    python = " ".join(x for x in (dump.field("Python-Implementation"), dumped) if x)
    if dump.field("Platform"):
        python += f" on {dump.field('Platform')}"
    exc_line = dump.field("Exception-Type")
    if exc_line.startswith("builtins."):
        exc_line = exc_line[len("builtins."):]
    message = dump.field("Exception-Message")
    if message == "<not computed>" and getattr(dump, "exception", None) is not None:
        # pyhd-run left str() of this exception to the reader (it could run
        # program code there); the rebuilt exception's own line says it here.
        try:
            shown = traceback.format_exception_only(dump.exception)[0].split("\n")[0]
        except Exception:
            shown = ""
        if shown and not shown.endswith("<exception str() failed>"):
            exc_line, message = shown, ""
    if message:
        exc_line += ": " + message
    rows = [("Dump", dump.path), ("Program", program),
            ("Cwd", dump.field("Cwd")), ("Created", dump.field("Created")),
            ("Host", host), ("Python", python), ("Trigger", dump.field("Trigger")),
            ("Exception", exc_line), ("Threads", dump.field("Threads"))]
    if dump.field("Privacy") not in ("", "default"):
        rows.append(("Privacy", dump.field("Privacy")))
    if dump.data.get("truncated"):
        rows.append(("Truncated", "yes: some objects were cut to keep the dump small"))
    lines = [f"{key + ':':<11}{value}\n" for key, value in rows if value]
    here = ".".join(str(x) for x in sys.version_info[:3])
    if dumped and dumped != here:
        lines.append(f"note: dumped by Python {dumped}, debugging with {here}\n")
    lines += [note + "\n" for note in dump.notes]
    return "".join(lines)
