"""pyhd report: a dump as a crash report: JSON (pyhd-debug --json) or one HTML page (--html).

Both come from one model, built by report(dump): the header, the exceptions
(chain and groups) with their frames, every thread with its frames, each
frame's source context and locals (values bounded, parts listed to a fixed
depth, every cut marked), and the MANIFEST. Field by field the model is
described in pyhd-debug(1), CRASH REPORTS. The HTML page escapes every string
from the dump, carries its own style and its one small script under a
Content-Security-Policy that allows nothing else, and works with scripts off.
"""

import base64
import hashlib
import html
import json
import linecache
import os
import re
import sys
import traceback
import types

import pyhd_values
from pyhd_debug.common import PROG
from pyhd_debug.frames import RebuildError
from pyhd_debug.model import group_members, thread_flag_names
from pyhd_debug.output import EscapingWriter

# The version of the report's layout; bumped when a field changes meaning.
REPORT_VERSION = 1

# How much of each frame is shown: lines of source around the current one,
# levels of parts under a local, parts per level, locals per frame.
CONTEXT_LINES = 3
DEPTH = 2
CHILDREN = 50
LOCALS = 200
VALUE_LIMIT = 500


def _clean(text):
    """A string safe to put in JSON: lone surrogates replaced."""
    return str(text).encode("utf-8", "replace").decode("utf-8")


def describe(value, depth=DEPTH):
    """A value as the report shows it: type, bounded repr, parts to depth."""
    text = pyhd_values.value_text(value, VALUE_LIMIT)
    entry = {"type": _clean(pyhd_values.type_name(value)), "value": _clean(text)}
    missing = pyhd_values.missing_count(value)
    note = pyhd_values.truncation_note(value)
    if note:
        entry["dump_truncated"] = _clean(note)
    if missing:
        entry["missing_items"] = missing
    # A module's namespace is not part of the crash (and builtins' alone is
    # a hundred entries): modules are named, not listed.
    if pyhd_values.has_children(value) and not isinstance(value, types.ModuleType):
        parts = pyhd_values.children(value)
        entry["parts_count"] = len(parts)
        if depth > 0:
            entry["parts"] = [dict(name=_clean(label), **describe(item, depth - 1))
                              for label, item, _ in parts[:CHILDREN]]
    return entry


def _source_context(filename, line):
    lines = linecache.getlines(filename)
    if not lines or not 1 <= line <= len(lines):
        return []
    first = max(1, line - CONTEXT_LINES)
    last = min(len(lines), line + CONTEXT_LINES)
    return [{"line": n, "text": _clean(lines[n - 1].rstrip("\r\n")), "current": n == line}
            for n in range(first, last + 1)]


def _frame(tb):
    frame = tb.tb_frame
    code = frame.f_code
    line = tb.tb_lineno
    entry = {"file": _clean(code.co_filename),
             "function": _clean(getattr(code, "co_qualname", code.co_name)),
             "line": line, "source": _source_context(code.co_filename, line)}
    if frame.f_locals is frame.f_globals:
        entry["locals_are_globals"] = True
    names = list(frame.f_locals.items())
    entry["locals_count"] = len(names)
    entry["locals"] = [dict(name=_clean(name), **describe(value))
                       for name, value in names[:LOCALS]]
    return entry


def _frames(tb):
    """The frames of a traceback, outermost first (as python prints them)."""
    frames = []
    while tb is not None:
        frames.append(_frame(tb))
        tb = tb.tb_next
    return frames


def _exceptions(dump):
    """Every exception: the chain (oldest first), then group members, with relations."""
    entries = []
    index = {id(e): i for i, e in enumerate(dump.exceptions)}
    for i, exc in enumerate(dump.exceptions):
        only = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        type_name = type(exc).__qualname__
        message = only[len(type_name) + 2:] if only.startswith(type_name + ":") else ""
        relations = []
        for j, other in enumerate(dump.exceptions):
            if other.__cause__ is exc:
                relations.append({"cause_of": j})
            elif other.__context__ is exc and not other.__suppress_context__:
                relations.append({"context_of": j})
            if any(m is exc for m in group_members(other)):
                relations.append({"member_of": j})
        entry = {"index": i, "type": _clean(pyhd_values.type_name(exc)),
                 "message": _clean(message), "trigger": exc is dump.exception,
                 "relations": relations,
                 "members": [index[id(m)] for m in group_members(exc)
                             if id(m) in index],
                 "frames": _frames(exc.__traceback__)}
        entries.append(entry)
    return entries


def _threads(dump):
    threads = []
    for i, thread in enumerate(dump.threads):
        entry = {"number": i + 1, "name": _clean(thread.get("name", "?")),
                 "ident": thread.get("ident"), "native_id": thread.get("native_id"),
                 "flags": thread_flag_names(thread.get("flags", 0))}
        try:
            entry["frames"] = _frames(dump.thread_traceback(i))
        except RebuildError as error:
            entry["frames"] = []
            entry["error"] = _clean(error)
        threads.append(entry)
    return threads


def _header(dump):
    argv = dump.field("Argv")
    try:
        argv_list = [str(w) for w in json.loads(argv)] if argv else []
    except (ValueError, TypeError):
        argv_list = [argv]
    exc_type = dump.field("Exception-Type")
    return {
        "dump": _clean(dump.path), "argv": [_clean(w) for w in argv_list],
        "cwd": _clean(dump.field("Cwd")), "created": _clean(dump.field("Created")),
        "host": _clean(dump.field("Hostname")), "pid": _clean(dump.field("Pid")),
        "python": _clean(dump.field("Python-Version")),
        "platform": _clean(dump.field("Platform")),
        "trigger": _clean(dump.field("Trigger")),
        "exception": _clean(exc_type[len("builtins."):] if exc_type.startswith("builtins.")
                            else exc_type),
        "exception_message": _clean(dump.field("Exception-Message")),
        "truncated": bool(dump.data.get("truncated")),
        "read_by_python": ".".join(str(x) for x in sys.version_info[:3]),
    }


def report(dump):
    """The report model of a loaded Dump (a dict of JSON types)."""
    text = dump.data.get("traceback_txt") or ""
    return {
        "pyhd_report": REPORT_VERSION,
        "header": _header(dump),
        "traceback_text": _clean(text),
        "exceptions": _exceptions(dump),
        "threads": _threads(dump),
        "manifest": [{"key": _clean(k), "value": _clean(v)} for k, v in dump.manifest],
        "notes": [_clean(n) for n in dump.notes],
    }


_C1 = re.compile("[\x7f-\x9f]")


def write_json(dump, out):
    """The report as JSON; no control character of the dump reaches a terminal raw.

    json escapes C0 controls itself; DEL and the C1 controls (one of them is
    a CSI on some terminals) are escaped here, which is valid JSON as they
    can only occur inside strings.
    """
    text = json.dumps(report(dump), indent=1, ensure_ascii=False)
    out.write(_C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


# ---------------------------------------------------------------------------
# HTML

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#111;background:#fff;max-width:80em}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.6em}
table.header td,table.manifest td{padding:1px 8px 1px 0;vertical-align:top}
td.key{font-weight:bold;white-space:nowrap}
code,pre,.value,.src{font-family:ui-monospace,monospace;font-size:13px}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:.5em;
border:1px solid #ddd}
.frame{border:1px solid #ccc;margin:.4em 0;padding:.2em .5em}
.frame>summary{cursor:pointer}.where{color:#555}
.src{margin:.3em 0;border-collapse:collapse}.src td{padding:0 .5em;white-space:pre}
.src tr.current{background:#ffe9a8;font-weight:bold}.src td.n{color:#777;text-align:right}
ul.locals,ul.parts{list-style:none;padding-left:1.2em;margin:.2em 0}
.name{font-weight:bold}.type{color:#666}.cut{color:#a00;font-style:italic}
.exc{border-left:4px solid #c33;padding-left:.6em;margin:1em 0}
.trigger{border-left-color:#900}.rel{color:#555}
.flags{color:#555}.tools{display:none}html[data-js=on] .tools{display:block}
@media print{.tools{display:none!important}.frame{break-inside:avoid}
pre,.src tr.current{background:none}body{margin:0;max-width:none}}
"""

_SCRIPT = """document.documentElement.setAttribute("data-js","on");
function pyhdAll(open){for(const d of document.querySelectorAll("details"))d.open=open;}
document.getElementById("expand").addEventListener("click",()=>pyhdAll(true));
document.getElementById("collapse").addEventListener("click",()=>pyhdAll(false));
window.addEventListener("beforeprint",()=>pyhdAll(true));
"""


def _hash(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _e(text):
    return html.escape(str(text), quote=True)


def _value_html(name, entry, out):
    parts = entry.get("parts")
    label = (f'<span class="name">{_e(name)}</span> <span class="type">({_e(entry["type"])})'
             f'</span> = <span class="value">{_e(entry["value"])}</span>')
    notes = []
    if entry.get("dump_truncated"):
        notes.append(f'<span class="cut">[{_e(entry["dump_truncated"])}]</span>')
    count = entry.get("parts_count", 0)
    if parts is None and count:
        notes.append(f'<span class="cut">[{count} parts not shown: deeper than the '
                     f'report goes]</span>')
    elif parts is not None and count > len(parts):
        notes.append(f'<span class="cut">[{count - len(parts)} more parts not shown]</span>')
    label += (" " + " ".join(notes)) if notes else ""
    if not parts:
        out.append(f"<li>{label}</li>")
        return
    out.append(f"<li><details><summary>{label}</summary><ul class=\"parts\">")
    for part in parts:
        _value_html(part["name"], part, out)
    out.append("</ul></details></li>")


def _frame_html(frame, open_, out):
    out.append(f'<details class="frame"{" open" if open_ else ""}><summary>'
               f'<code>{_e(frame["function"])}</code> <span class="where">'
               f'{_e(frame["file"])}:{frame["line"]}</span></summary>')
    if frame["source"]:
        out.append('<table class="src">')
        for row in frame["source"]:
            cls = ' class="current"' if row["current"] else ""
            out.append(f'<tr{cls}><td class="n">{row["line"]}</td><td>{_e(row["text"])}</td></tr>')
        out.append("</table>")
    else:
        out.append('<p class="cut">no source in the dump</p>')
    if frame.get("locals_are_globals"):
        out.append('<p class="where">module level: its locals are its globals</p>')
    out.append('<ul class="locals">')
    for local in frame["locals"]:
        _value_html(local["name"], local, out)
    if frame["locals_count"] > len(frame["locals"]):
        out.append(f'<li class="cut">[{frame["locals_count"] - len(frame["locals"])} more '
                   'locals not shown]</li>')
    out.append("</ul></details>")


def write_html(dump, out):
    model = report(dump)
    head = model["header"]
    csp = (f"default-src 'none'; style-src {_hash(_STYLE)}; script-src {_hash(_SCRIPT)}; "
           "img-src 'none'; base-uri 'none'; form-action 'none'")
    title = head["exception"] or head["trigger"] or "dump"
    body = []
    body.append(f"<h1>pyhd crash report: {_e(title)}</h1>")
    body.append('<div class="tools"><button id="expand" type="button">expand all</button> '
                '<button id="collapse" type="button">collapse all</button></div>')
    rows = [("Dump", head["dump"]), ("Program", " ".join(head["argv"])), ("Cwd", head["cwd"]),
            ("Created", head["created"]), ("Host", head["host"]), ("Pid", head["pid"]),
            ("Python", head["python"]), ("Platform", head["platform"]),
            ("Trigger", head["trigger"]),
            ("Exception", ": ".join(x for x in (head["exception"], head["exception_message"])
                                    if x)),
            ("Truncated", "yes: some objects were cut to keep the dump small"
             if head["truncated"] else "")]
    body.append('<table class="header" id="header">')
    for key, value in rows:
        if value:
            body.append(f'<tr><td class="key">{_e(key)}</td><td>{_e(value)}</td></tr>')
    body.append("</table>")
    for note in model["notes"]:
        body.append(f'<p class="cut">{_e(note)}</p>')
    if model["traceback_text"]:
        body.append('<h2>Traceback</h2><pre id="traceback">'
                    f'{_e(model["traceback_text"])}</pre>')
    body.append('<h2>Exceptions</h2><div id="exceptions">')
    if not model["exceptions"]:
        body.append("<p>The dump has no exception.</p>")
    for exc in model["exceptions"]:
        cls = "exc trigger" if exc["trigger"] else "exc"
        body.append(f'<div class="{cls}" id="exception-{exc["index"]}">'
                    f'<h3>#{exc["index"]} <code>{_e(exc["type"])}</code>'
                    f'{": " + _e(exc["message"]) if exc["message"] else ""}</h3>')
        words = []
        if exc["trigger"]:
            words.append("caused the dump")
        for rel in exc["relations"]:
            for key, target in rel.items():
                link = f'<a href="#exception-{target}">#{target}</a>'
                words.append({"cause_of": f"the direct cause of {link}",
                              "context_of": f"while handling it, {link} was raised",
                              "member_of": f"a member of the group {link}"}[key])
        if exc["members"]:
            words.append("group of " + ", ".join(f'<a href="#exception-{m}">#{m}</a>'
                                                 for m in exc["members"]))
        if words:
            body.append(f'<p class="rel">{"; ".join(words)}</p>')
        if not exc["frames"]:
            body.append('<p class="where">no traceback</p>')
        for n, frame in enumerate(exc["frames"]):
            _frame_html(frame, exc["trigger"] and n == len(exc["frames"]) - 1, body)
        body.append("</div>")
    body.append('</div><h2>Threads</h2><ul id="threads">')
    for thread in model["threads"]:
        flags = f' <span class="flags">({_e(", ".join(thread["flags"]))})</span>' \
            if thread["flags"] else ""
        body.append(f'<li class="thread"><details><summary>Thread {thread["number"]}: '
                    f'<span class="thread-name">{_e(thread["name"])}</span>{flags} '
                    f'<span class="where">ident {_e(thread["ident"])}, native id '
                    f'{_e(thread["native_id"])}, {len(thread["frames"])} frames</span>'
                    "</summary>")
        if thread.get("error"):
            body.append(f'<p class="cut">stack not rebuilt: {_e(thread["error"])}</p>')
        for frame in thread["frames"]:
            _frame_html(frame, False, body)
        body.append("</details></li>")
    body.append('</ul><h2>MANIFEST</h2><table class="manifest" id="manifest">')
    for field in model["manifest"]:
        body.append(f'<tr><td class="key">{_e(field["key"])}</td>'
                    f'<td><code>{_e(field["value"])}</code></td></tr>')
    body.append("</table>")
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">'
            '<meta name="viewport" content="width=device-width">'
            f"<title>pyhd: {_e(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + f"\n<script>{_SCRIPT}</script>\n</body></html>\n")
    out.write(page)


def run(args, dump):
    """pyhd-debug --html OUT and/or --json: write the reports; returns the exit status."""
    if args.html is not None:
        try:
            if args.html == "-":
                # To a terminal, the dump's control characters are escaped as
                # everywhere else; into a file or pipe the page is as written.
                write_html(dump, EscapingWriter(sys.stdout) if sys.stdout.isatty()
                           else sys.stdout)
            else:
                # As private as the dump it shows: mode 0600 when created.
                fd = os.open(args.html, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with open(fd, "w", encoding="utf-8") as out:
                    write_html(dump, out)
        except OSError as error:
            print(f"{PROG}: {args.html}: {error.strerror or error}",
                  file=sys.stderr)
            return 2
    if args.json:
        write_json(dump, sys.stdout)
    sys.stdout.flush()
    return 0
