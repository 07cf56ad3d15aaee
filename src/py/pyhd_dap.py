"""pyhd DAP: a Debug Adapter Protocol server over a dump's rebuilt frames (pyhd-debug --dap).

The adapter speaks DAP over standard input and output, or over one TCP
connection (--listen HOST:PORT). A "launch" or "attach" request names the
dump; the adapter loads it with _pyhd (the same loader and the same safety as
pdb: nothing from the dump is run, evaluated or imported) and rebuilds every
thread's stack as real frames with pyhd_debug's Dump. It then reports
the program stopped on the failed thread with reason "exception". The
client browses threads, frames, scopes and variables, evaluates expressions
in a frame (as pdb's "p" does), and reads the exception chain; requests that
would run the program (stepping, continuing, breakpoints) are answered with
a message that a dump cannot run.
"""

import contextlib
import io
import json
import os
import signal
import socket
import sys
import traceback

import pyhd_reprexpr
import pyhd_values
from pyhd_debug.common import PROG
from pyhd_debug.frames import RebuildError, _local_file_differs, _source_lines
from pyhd_debug.model import Dump, group_members
from pyhd_debug.output import format_header

# Children listed per variables request when the client asks for no page.
_PAGE = 1000

# The largest message read: requests are small; a bigger length is garbage.
_MESSAGE_LIMIT = 16 << 20
_HEADER_LIMIT = 1024

# Requests that would run the program: each is refused with this message.
_CANNOT_RUN = ("A dump cannot {what}: it is a snapshot of the program when the dump "
               "was written, and nothing of the program runs here")
_RUN_REQUESTS = {
    "continue": "continue", "next": "step", "stepIn": "step", "stepOut": "step",
    "stepBack": "step back", "reverseContinue": "run backwards", "goto": "jump",
    "restartFrame": "restart a frame", "pause": "pause (it is already stopped)",
    "restart": "restart", "setVariable": "change a variable",
    "setExpression": "change a variable",
}

_CAPABILITIES = {
    "supportsConfigurationDoneRequest": True,
    "supportsEvaluateForHovers": True,
    "supportsExceptionInfoRequest": True,
    "supportsTerminateRequest": True,
    "supportsDelayedStackTraceLoading": True,
    "supportsLoadedSourcesRequest": True,
    "supportTerminateDebuggee": False,
    "supportsStepBack": False,
    "supportsSetVariable": False,
    "supportsRestartRequest": False,
    "supportsExceptionOptions": False,
    "exceptionBreakpointFilters": [],
}


class RequestError(Exception):
    """A request that fails; str is the message of the error response."""


def printable(text):
    """text with control characters (but newline and tab) shown as escapes.

    A debug console renders ANSI sequences; text from the dump must not
    drive it.
    """
    out = []
    for ch in str(text):
        code = ord(ch)
        if ch in "\n\t" or (code >= 0x20 and not 0x7F <= code <= 0x9F):
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out)


# ---------------------------------------------------------------------------
# Transport: Content-Length framed JSON messages


class Channel:
    """Reads and writes DAP messages on binary streams."""

    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.seq = 0
        self.broken = False   # the input was not DAP: the exit status says so

    def read(self):
        """The next message (a dict), or None at the end of input.

        A message that is not JSON gives {"pyhd_bad": reason}, so the
        adapter can answer it and go on.
        """
        length = None
        while True:
            line = self.reader.readline(_HEADER_LIMIT)
            if not line:
                return None
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode("ascii", "replace").partition(":")
            if name.strip().lower() == "content-length":
                try:
                    length = int(value.strip())
                except ValueError:
                    length = None
        if length is None or not 0 <= length <= _MESSAGE_LIMIT:
            # The stream cannot be resynchronised without a valid length.
            print(f"{PROG}: DAP: a message without a valid "
                  "Content-Length; ending the session", file=sys.stderr)
            self.broken = True
            return None
        body = self.reader.read(length)
        if len(body) < length:
            return None
        try:
            message = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            return {"pyhd_bad": f"not a JSON message: {error}"}
        if not isinstance(message, dict):
            return {"pyhd_bad": "a message must be a JSON object"}
        return message

    def send(self, message):
        self.seq += 1
        message["seq"] = self.seq
        body = json.dumps(message, ensure_ascii=True).encode("ascii")
        self.writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.writer.flush()


# ---------------------------------------------------------------------------
# The session


class Session:
    """One client's view of one dump."""

    def __init__(self, channel, default_dump=None, trust=False):
        self.channel = channel
        self.default_dump = default_dump
        self.trust = trust
        self.dump = None
        self.lines_at_1 = True
        self.columns_at_1 = True
        self.launched = False
        self.configured = False
        self.stopped_sent = False
        self.done = False
        self.path_mappings = []
        self._frames = []           # frame id - 1 -> (thread index, frame, line, positions)
        self._thread_frames = {}    # thread index -> [frame ids], innermost first
        self._refs = []             # variables reference - 1 -> (kind, value, expression)
        self._ref_ids = {}
        self._sources = []          # source reference - 1 -> path
        self._source_ids = {}

    # -- plumbing ----------------------------------------------------------

    def event(self, name, body=None):
        message = {"type": "event", "event": name}
        if body is not None:
            message["body"] = body
        self.channel.send(message)

    def respond(self, request, body=None, error=None):
        message = {"type": "response", "request_seq": request.get("seq", 0),
                   "command": str(request.get("command", "")),
                   "success": error is None}
        if error is not None:
            message["message"] = error
            message["body"] = {"error": {"id": 1, "format": error, "showUser": True}}
        elif body is not None:
            message["body"] = body
        self.channel.send(message)

    def serve(self):
        """Answer requests until disconnect or the end of input."""
        while not self.done:
            message = self.channel.read()
            if message is None:
                return
            if "pyhd_bad" in message:
                self.respond({}, error=message["pyhd_bad"])
                continue
            if message.get("type") != "request":
                continue
            self.handle(message)

    def handle(self, request):
        pyhd_reprexpr.new_command()  # the reprs of one request share a budget
        command = request.get("command")
        args = request.get("arguments")
        if not isinstance(args, dict):
            args = {}
        handler = getattr(self, f"on_{command}", None) if isinstance(command, str) else None
        try:
            if command in _RUN_REQUESTS:
                raise RequestError(_CANNOT_RUN.format(what=_RUN_REQUESTS[command]))
            if handler is None:
                raise RequestError(f"unsupported request {command!r}")
            body = handler(args)
        except RequestError as error:
            self.respond(request, error=str(error))
            return
        except Exception as error:
            # An adapter bug or an odd object must not end the session.
            self.respond(request, error=printable(f"internal error in {command}: "
                                                  f"{type(error).__name__}: {error}"))
            return
        self.respond(request, body)
        after = getattr(self, f"after_{command}", None)
        if after is not None:
            after(args)

    def _need_dump(self):
        if self.dump is None:
            raise RequestError("no dump is loaded: send launch or attach with \"dump\"")
        return self.dump

    # -- life cycle --------------------------------------------------------

    def on_initialize(self, args):
        self.lines_at_1 = args.get("linesStartAt1", True) is not False
        self.columns_at_1 = args.get("columnsStartAt1", True) is not False
        return dict(_CAPABILITIES)

    def after_initialize(self, args):
        self.event("initialized")

    def on_launch(self, args):
        path = args.get("dump", args.get("program", self.default_dump))
        if not isinstance(path, str) or not path:
            raise RequestError("launch needs \"dump\": the path of a pyhd dump")
        mappings = args.get("pathMappings", [])
        if isinstance(mappings, list):
            self.path_mappings = [
                (m["remoteRoot"], m["localRoot"]) for m in mappings
                if isinstance(m, dict) and isinstance(m.get("remoteRoot"), str)
                and isinstance(m.get("localRoot"), str)]
        import _pyhd
        try:
            data = _pyhd.load(path, trust=self.trust)
        except _pyhd.DumpError as error:
            raise RequestError(printable(f"{path}: {error}")) from None
        except OSError as error:
            raise RequestError(printable(f"{path}: {error.strerror or error}")) from None
        # A second launch replaces the dump: nothing of the first one stays.
        self._frames, self._thread_frames = [], {}
        self._refs, self._ref_ids = [], {}
        self._sources, self._source_ids = [], {}
        self.stopped_sent = False
        self.dump = Dump(data)
        self.launched = True
        return None

    def _exception_thread(self):
        """The index of the thread that shows the dump's exception, or None.

        It is the failed thread; a dump written through pyhd.dump(exc=...)
        (a logged error, a failed test) has none, and its exception's
        traceback is shown as one more thread after the dumped ones.
        """
        dump = self.dump
        failed = dump.failed_thread()
        if failed is not None:
            return failed
        if dump.exception is not None and dump.exception.__traceback__ is not None:
            return len(dump.threads)
        return None

    def _thread_count(self):
        extra = self._exception_thread() == len(self.dump.threads)
        return len(self.dump.threads) + extra

    on_attach = on_launch

    def after_launch(self, args):
        self.event("output", {"category": "console",
                              "output": printable(format_header(self.dump))})
        self.event("process", {"name": printable(_program_name(self.dump)),
                               "isLocalProcess": False, "startMethod": "attach"})
        self._maybe_stop()

    after_attach = after_launch

    def on_configurationDone(self, args):
        self.configured = True
        return None

    def after_configurationDone(self, args):
        self._maybe_stop()

    def _maybe_stop(self):
        if not (self.launched and self.configured) or self.stopped_sent:
            return
        self.stopped_sent = True
        dump = self.dump
        failed = self._exception_thread()
        body = {"allThreadsStopped": True}
        if dump.exception is not None:
            body["reason"] = "exception"
            body["description"] = "Stopped on the exception that caused the dump"
            body["text"] = printable(_exception_line(dump.exception))
        else:
            body["reason"] = "pause"
            body["description"] = "Stopped where the dump was written"
        if failed is None and dump.threads:
            failed = 0
        if failed is not None:
            body["threadId"] = failed + 1
        self.event("stopped", body)

    def on_disconnect(self, args):
        return None

    def after_disconnect(self, args):
        self.done = True

    def on_terminate(self, args):
        return None

    def after_terminate(self, args):
        # The client answers "terminated" with disconnect, which ends the session.
        self.event("terminated")

    def on_setBreakpoints(self, args):
        points = args.get("breakpoints") or []
        return {"breakpoints": [
            {"verified": False, "message": "A dump cannot stop at breakpoints"}
            for _ in points if isinstance(points, list)]}

    def on_setFunctionBreakpoints(self, args):
        return self.on_setBreakpoints(args)

    def on_setExceptionBreakpoints(self, args):
        return {"breakpoints": []}

    # -- threads and frames -----------------------------------------------

    def on_threads(self, args):
        dump = self._need_dump()
        threads = [{"id": i + 1, "name": printable(t.get("name") or f"thread {i + 1}")}
                   for i, t in enumerate(dump.threads)]
        if self._thread_count() > len(threads):
            first = _exception_line(dump.exception).splitlines()[0][:200]
            threads.append({"id": len(threads) + 1,
                            "name": printable(f"(exception) {first}")})
        return {"threads": threads}

    def _thread_index(self, args):
        self._need_dump()
        thread_id = args.get("threadId")
        if type(thread_id) is not int or not 1 <= thread_id <= self._thread_count():
            raise RequestError(f"no thread {thread_id!r}")
        return thread_id - 1

    def _frames_of(self, index):
        if index not in self._thread_frames:
            try:
                if index == len(self.dump.threads):
                    tb = self.dump.exception.__traceback__
                else:
                    tb = self.dump.thread_traceback(index)
            except RebuildError as error:
                raise RequestError(f"thread {index + 1}: {error}") from None
            ids = []
            while tb is not None:
                self._frames.append((index, tb.tb_frame, tb.tb_lineno, _positions(tb)))
                ids.append(len(self._frames))
                tb = tb.tb_next
            ids.reverse()
            self._thread_frames[index] = ids
        return self._thread_frames[index]

    def _frame(self, frame_id):
        if type(frame_id) is not int or not 1 <= frame_id <= len(self._frames):
            raise RequestError(f"no frame {frame_id!r}")
        return self._frames[frame_id - 1]

    def on_stackTrace(self, args):
        index = self._thread_index(args)
        ids = self._frames_of(index)
        start = args.get("startFrame") or 0
        levels = args.get("levels") or 0
        if type(start) is not int or start < 0:
            start = 0
        chosen = ids[start:start + levels] if type(levels) is int and levels > 0 else ids[start:]
        frames = []
        for frame_id in chosen:
            _, frame, line, pos = self._frame(frame_id)
            code = frame.f_code
            entry = {"id": frame_id,
                     "name": printable(getattr(code, "co_qualname", code.co_name)),
                     "line": self._line(line), "column": self._column(pos[2] if pos else None)}
            if pos and pos[1] is not None and pos[3] is not None:
                entry["endLine"] = self._line(pos[1])
                entry["endColumn"] = self._column(pos[3])
            source = self._source(code.co_filename)
            if source is not None:
                entry["source"] = source
            frames.append(entry)
        return {"stackFrames": frames, "totalFrames": len(ids)}

    def _line(self, line):
        line = line if type(line) is int and line > 0 else 1
        return line if self.lines_at_1 else line - 1

    def _column(self, col):
        col = col if type(col) is int and col >= 0 else 0
        return col + 1 if self.columns_at_1 else col

    # -- sources -----------------------------------------------------------

    def _local_path(self, path):
        for remote, local in self.path_mappings:
            if path == remote or path.startswith(remote.rstrip("/") + "/"):
                return local.rstrip("/") + path[len(remote.rstrip("/")):]
        return path

    def _source(self, path):
        """A DAP Source for a dumped file name: a path if this disk has that
        file as dumped, else a reference served from the dump."""
        sources = self.dump.data.get("sources") or {}
        data = sources.get(path)
        local = self._local_path(path)
        name = printable(os.path.basename(path) or path)
        if data is None:
            if path.startswith("<") or not os.path.isfile(local):
                return {"name": name, "presentationHint": "deemphasize",
                        "origin": "not in the dump"}
            return {"name": name, "path": local}
        if not _local_file_differs(local, data) and os.path.isfile(local):
            return {"name": name, "path": local}
        ref = self._source_ids.get(path)
        if ref is None:
            self._sources.append(path)
            ref = self._source_ids[path] = len(self._sources)
        return {"name": name, "path": printable(path), "sourceReference": ref,
                "origin": "from the dump"}

    def on_source(self, args):
        self._need_dump()
        ref = args.get("sourceReference")
        if not ref:
            source = args.get("source") or {}
            ref = source.get("sourceReference") if isinstance(source, dict) else None
            path = source.get("path") if isinstance(source, dict) else None
            if not ref and isinstance(path, str):
                ref = self._source(path).get("sourceReference")
        if type(ref) is not int or not 1 <= ref <= len(self._sources):
            raise RequestError("the dump holds no such source")
        path = self._sources[ref - 1]
        data = bytes((self.dump.data.get("sources") or {})[path])
        lines = _source_lines(data)
        if lines is None:
            raise RequestError(f"{path}: the dumped source does not decode")
        return {"content": "".join(lines), "mimeType": "text/x-python"}

    def on_loadedSources(self, args):
        dump = self._need_dump()
        return {"sources": [self._source(path) for path in sorted(
            p for p in (dump.data.get("sources") or {}) if isinstance(p, str))]}

    # -- scopes and variables ---------------------------------------------

    def _ref(self, kind, value, expression=None):
        key = (kind, id(value))
        ref = self._ref_ids.get(key)
        if ref is None:
            self._refs.append((kind, value, expression))
            ref = self._ref_ids[key] = len(self._refs)
        return ref

    def on_scopes(self, args):
        self._need_dump()
        index, frame, _, _ = self._frame(args.get("frameId"))
        scopes = []
        frame_locals = frame.f_locals
        if frame_locals is not frame.f_globals:
            names = dict(frame_locals)
            scopes.append({"name": "Locals", "presentationHint": "locals",
                           "variablesReference": self._ref("names", names),
                           "namedVariables": len(names), "expensive": False})
        scopes.append({"name": "Globals", "variablesReference":
                       self._ref("names", frame.f_globals),
                       "namedVariables": len(frame.f_globals), "expensive": False})
        exc = self._exception_at(index, frame)
        if exc is not None:
            scopes.insert(0, {"name": "Exception", "variablesReference":
                              self._ref("names", {"exception": exc}),
                              "namedVariables": 1, "expensive": False})
        return {"scopes": scopes}

    def _exception_at(self, index, frame):
        """The exception raised in frame when it is its traceback's innermost one."""
        for exc in self.dump.exceptions:
            tb = exc.__traceback__
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            if tb is not None and tb.tb_frame is frame:
                return exc
        return None

    def on_variables(self, args):
        self._need_dump()
        ref = args.get("variablesReference")
        if type(ref) is not int or not 1 <= ref <= len(self._refs):
            raise RequestError(f"no variables reference {ref!r}")
        kind, value, expression = self._refs[ref - 1]
        if kind == "names":
            parts = [(str(k), v, ("name", k)) for k, v in value.items()]
            parent = None
        else:
            parts = pyhd_values.children(value)
            parent = expression
        # VS Code asks for the indexed items of a long list in pages and for
        # its named ones apart: items by index are "indexed", the rest "named".
        wanted = args.get("filter")
        if wanted in ("indexed", "named"):
            parts = [p for p in parts
                     if (p[2][0] in ("index", "member")) == (wanted == "indexed")]
        start = args.get("start")
        count = args.get("count")
        start = start if type(start) is int and start >= 0 else 0
        count = count if type(count) is int and count > 0 else _PAGE
        page = parts[start:start + count]
        variables = [self._variable(label, item, _child_expression(parent, how))
                     for label, item, how in page]
        note = pyhd_values.truncation_note(value)
        if note and start + count >= len(parts):
            variables.append({"name": "...", "value": note, "variablesReference": 0,
                              "presentationHint": {"kind": "virtual",
                                                   "attributes": ["readOnly"]}})
        elif len(parts) > start + count and not args.get("count"):
            variables.append({"name": "...", "variablesReference": 0,
                              "value": f"{len(parts) - start - count} more (ask with "
                                       "start and count)",
                              "presentationHint": {"kind": "virtual"}})
        return {"variables": variables}

    def _variable(self, name, value, expression=None):
        var = {"name": printable(name), "value": printable(pyhd_values.value_text(value)),
               "type": printable(pyhd_values.type_name(value)), "variablesReference": 0}
        if expression is not None:
            var["evaluateName"] = expression
        if pyhd_values.has_children(value):
            var["variablesReference"] = self._ref("value", value, expression)
            if isinstance(value, (list, tuple, set, frozenset)):
                var["indexedVariables"] = len(value)
            elif isinstance(value, dict):
                var["namedVariables"] = len(value)
        return var

    # -- evaluate -----------------------------------------------------------

    def on_evaluate(self, args):
        dump = self._need_dump()
        expression = args.get("expression")
        if not isinstance(expression, str):
            raise RequestError("evaluate needs an expression")
        context = args.get("context", "repl")
        frame_id = args.get("frameId")
        if frame_id is None:
            failed = self._exception_thread()
            if failed is None:
                failed = 0 if dump.threads else None
            ids = self._frames_of(failed) if failed is not None else []
            frame_id = ids[0] if ids else None
        if frame_id is None:
            frame_globals, frame_locals = {"__builtins__": __builtins__}, {}
        else:
            _, frame, _, _ = self._frame(frame_id)
            frame_globals = frame.f_globals
            frame_locals = frame.f_locals
        # As pdb's "p" and "!": the user's expression runs against the rebuilt
        # objects, which carry no code of the program.
        try:
            code = compile(expression, "<evaluate>", "eval")
        except SyntaxError:
            if context != "repl":
                raise RequestError("not an expression") from None
            return self._execute(expression, frame_globals, frame_locals)
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                value = eval(code, frame_globals, frame_locals)
        except (Exception, SystemExit) as error:
            raise RequestError(printable(_exception_line(error))) from None
        var = self._variable("", value, expression)
        printed = printable(out.getvalue().rstrip("\n"))
        if printed and value is None:
            return {"result": printed, "variablesReference": 0}
        body = {"result": "\n".join(x for x in (printed, var["value"]) if x),
                "type": var["type"], "variablesReference": var["variablesReference"]}
        for key in ("indexedVariables", "namedVariables"):
            if key in var:
                body[key] = var[key]
        return body

    def _execute(self, source, frame_globals, frame_locals):
        try:
            code = compile(source, "<evaluate>", "single")
        except SyntaxError:
            # Several statements: run them as a block (no value is echoed).
            try:
                code = compile(source, "<evaluate>", "exec")
            except SyntaxError as error:
                raise RequestError(printable(_exception_line(error))) from None
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(code, frame_globals, frame_locals)
        except (Exception, SystemExit) as error:
            raise RequestError(printable(_exception_line(error))) from None
        return {"result": printable(out.getvalue().rstrip("\n")), "variablesReference": 0}

    # -- exceptions ---------------------------------------------------------

    def on_exceptionInfo(self, args):
        dump = self._need_dump()
        index = self._thread_index(args)
        if index != self._exception_thread() or dump.exception is None:
            raise RequestError(f"thread {index + 1} did not raise the dump's exception")
        exc = dump.exception
        details = _exception_details(exc, set(), full=True)
        return {"exceptionId": details["fullTypeName"],
                "description": details["message"],
                "breakMode": "unhandled", "details": details}


def _positions(tb):
    """(line, end line, col, end col) of a traceback entry, None where unknown."""
    if sys.version_info < (3, 11):
        return (tb.tb_lineno, None, None, None)
    try:
        positions = list(tb.tb_frame.f_code.co_positions())
        return positions[tb.tb_lasti // 2]
    except (IndexError, ValueError):
        return (tb.tb_lineno, None, None, None)


def _child_expression(parent, how):
    """An expression for a child, when it has a simple one."""
    kind, key = how
    if kind == "name":
        return key if isinstance(key, str) and key.isidentifier() else None
    if parent is None:
        return None
    if kind == "attr" and isinstance(key, str) and key.isidentifier():
        return f"{parent}.{key}"
    if kind == "index":
        return f"{parent}[{key}]"
    if kind == "key" and type(key) in (str, int, bool, float, bytes) or key is None:
        return f"{parent}[{key!r}]"
    return None


def _program_name(dump):
    """The file name of the dumped program's sys.argv[0], or "?"."""
    try:
        argv = json.loads(dump.field("Argv", "[]"))
        first = argv[0] if isinstance(argv, list) and argv else ""
    except ValueError:
        first = ""
    return os.path.basename(first) if isinstance(first, str) and first else "?"


def _exception_line(exc):
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def _exception_details(exc, seen, full=False):
    """DAP ExceptionDetails of exc: its chain and group members as inner exceptions."""
    seen.add(id(exc))
    text = _exception_line(exc)
    type_name = type(exc).__qualname__
    full_name = pyhd_values.type_name(exc)
    message = text[len(type_name) + 2:] if text.startswith(type_name + ":") else (
        text.partition(": ")[2] if ": " in text else "")
    stack = traceback.format_exception(type(exc), exc, exc.__traceback__, chain=full)
    details = {"message": printable(message), "typeName": printable(type_name),
               "fullTypeName": printable(full_name),
               "stackTrace": printable("".join(stack))}
    inner = []
    linked = exc.__cause__ if exc.__cause__ is not None else (
        None if exc.__suppress_context__ else exc.__context__)
    for other in [linked] + group_members(exc):
        if isinstance(other, BaseException) and id(other) not in seen:
            inner.append(_exception_details(other, seen))
    if inner:
        details["innerException"] = inner
    return details


# ---------------------------------------------------------------------------
# Entry points


def _parse_address(text):
    """(host, port) of HOST:PORT or PORT; the host defaults to loopback."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", text
    host = host.strip("[]") or "127.0.0.1"
    try:
        number = int(port)
    except ValueError:
        raise ValueError(f"--listen {text}: the port must be a number") from None
    if not 0 <= number <= 65535:
        raise ValueError(f"--listen {text}: the port must be 0 to 65535")
    return host, number


def run(args):
    """pyhd-debug --dap [--listen HOST:PORT] [FILE]: returns the exit status."""
    prog = PROG
    # A client that goes away is a BrokenPipeError here, not a silent death.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    # Nothing but protocol messages may reach the client's stream: stray
    # prints go to standard error.
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        if args.listen is None:
            channel = Channel(sys.stdin.buffer, real_stdout.buffer)
            try:
                Session(channel, args.file, args.trust).serve()
            except BrokenPipeError:
                # The client went away; nothing is left to answer.
                pass
            return 2 if channel.broken else 0
        try:
            host, port = _parse_address(args.listen)
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            server = socket.socket(family, socket.SOCK_STREAM)
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind((host, port))
            server.listen(1)
        except (ValueError, OSError) as error:
            print(f"{prog}: {getattr(error, 'strerror', None) or error}", file=sys.stderr)
            return 2
        bound = server.getsockname()
        print(f"{prog}: DAP server listening on {bound[0]}:{bound[1]}", file=sys.stderr,
              flush=True)
        with server:
            connection, _ = server.accept()
        with connection:
            stream = connection.makefile("rwb")
            channel = Channel(stream, stream)
            try:
                Session(channel, args.file, args.trust).serve()
            except (BrokenPipeError, ConnectionResetError):
                pass
        return 2 if channel.broken else 0
    finally:
        sys.stdout = real_stdout
