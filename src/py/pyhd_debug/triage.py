"""Triage of many dumps, as coredumpctl does: --list DIR, --group, --json, DIR [N].

Each dump contributes its MANIFEST and traceback.txt, the archive's first
two members, read through the C reader without its graph. Rows run oldest
first, so the newest is last; number 1 is the newest, and "pyhd-debug DIR
N" opens the dump numbered N (1 when N is left out), with the same filters
as the listing.
"""

import datetime
import json
import os
import re
import shutil
import stat

from .output import clip_words, escape
from .reader import read_text

# "  File "x.py", line 3, in f": a frame line of traceback.txt.
_FRAME_LINE = re.compile(r'^\s+File "(.*)", line (\d+), in (.*)$')
# A relative --since: a number and a unit.
_RELATIVE = re.compile(r"^(\d+)\s*([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class TriageError(Exception):
    """A bad directory or filter; str is the one-line message."""


def human_size(size):
    """A size as coredumpctl shows one: 812B, 72.5K, 1.2M."""
    value = float(size)
    for unit in ("B", "K", "M", "G"):
        if value < 1024 or unit == "G":
            return f"{size}B" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    return f"{size}B"


def crash_location(traceback_txt):
    """(file, line, function) where the dump's exception was raised, from
    traceback.txt's first block, or None.

    A traceback runs most recent call last, so its last frame line is the
    innermost; a thread stack ("most recent call first") its first.
    """
    text = traceback_txt.decode("utf-8", "replace")
    frames = []
    newest_first = False
    for line in text.splitlines():
        if not line.strip() and frames:
            break
        if "most recent call first" in line:
            newest_first = True
        match = _FRAME_LINE.match(line)
        if match:
            frames.append((match.group(1), int(match.group(2)), match.group(3)))
    if not frames:
        return None
    return frames[0] if newest_first else frames[-1]


def _parse_time(iso):
    """A MANIFEST Created value as an aware datetime, or None."""
    try:
        return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return None


def parse_since(value, now=None):
    """--since: an aware datetime from "2026-11-30", "2026-11-30T06:00" (UTC)
    or a relative "30m", "2h", "3d", "1w"; raises TriageError."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    match = _RELATIVE.match(value.strip())
    if match:
        return now - datetime.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
    try:
        when = datetime.datetime.fromisoformat(value.strip().replace(" ", "T"))
    except ValueError:
        raise TriageError(f"--since {value!r}: give a UTC date and time such as "
                          "2026-11-30T06:00, or an age such as 30m, 2h, 3d") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when


def _int_or_none(text):
    return int(text) if text.isdigit() else None


def _program(argv_json):
    try:
        argv = json.loads(argv_json)
        first = argv[0] if argv else ""
    except (ValueError, IndexError, TypeError):
        return None
    if not isinstance(first, str) or not first:
        return None
    return os.path.basename(first)


def read_entry(directory, name):
    """One dump's entry: a dict of the fields --json documents."""
    path = os.path.join(directory, name)
    entry = {"number": None, "file": name, "path": os.path.abspath(path), "size": 0}
    try:
        info = os.lstat(path)
        entry["size"] = info.st_size
        entry["_when"] = datetime.datetime.fromtimestamp(info.st_mtime, datetime.timezone.utc)
        text = read_text(path, traceback=True)
    except OSError as error:
        entry["damaged"] = error.strerror or str(error)
    except Exception as error:  # _pyhd.DumpError: the file is not a dump
        entry["damaged"] = str(error)
    if "damaged" in entry:
        entry["time"] = entry["_when"].strftime("%Y-%m-%dT%H:%M:%S.%fZ") if "_when" in entry else None
        return entry
    created = text.field("Created")
    when = _parse_time(created)
    if when is not None:
        entry["_when"] = when
    exc_type = text.field("Exception-Type") or None
    if exc_type and exc_type.startswith("builtins."):
        exc_type = exc_type[len("builtins."):]
    location = crash_location(text.traceback)
    entry.update({
        "time": created or None,
        "program": _program(text.field("Argv", "[]")),
        "pid": _int_or_none(text.field("Pid")),
        "trigger": text.field("Trigger") or None,
        "exception_type": exc_type,
        "exception_message": text.field("Exception-Message") if exc_type else None,
        "crash_file": location[0] if location else None,
        "crash_line": location[1] if location else None,
        "crash_function": location[2] if location else None,
        "fingerprint": text.field("Fingerprint") or None,
        "format_version": text.format_version(),
        "pyhd_version": text.field("Pyhd-Version") or None,
        "redacted": _int_or_none(text.field("Redacted-Values")),
    })
    return entry


def select_entries(directory, program=None, fingerprint=None, since=None):
    """The *.dump files of directory that pass the filters, oldest first,
    numbered from the newest (1); raises TriageError or OSError."""
    names = []
    for name in os.listdir(directory):
        if not name.endswith(".dump") or name.startswith("."):
            continue
        try:
            if stat.S_ISREG(os.lstat(os.path.join(directory, name)).st_mode):
                names.append(name)
        except OSError:
            continue
    entries = [read_entry(directory, name) for name in names]
    if program is not None:
        entries = [e for e in entries if e.get("program") == program]
    if fingerprint is not None:
        entries = [e for e in entries if (e.get("fingerprint") or "").startswith(fingerprint)]
    if since is not None:
        entries = [e for e in entries if "_when" in e and e["_when"] >= since]
    epoch = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
    entries.sort(key=lambda e: (e.get("_when", epoch), e["file"]))
    for i, entry in enumerate(entries):
        entry["number"] = len(entries) - i
    return entries


def group_entries(entries):
    """--group: one group per fingerprint (per trigger without one), the
    most recently seen last."""
    groups = {}
    for entry in entries:
        if "damaged" in entry:
            key = "damaged"
        else:
            key = entry["fingerprint"] or f"({entry['trigger'] or 'unknown'})"
        group = groups.get(key)
        if group is None:
            group = groups[key] = {"fingerprint": key, "count": 0, "first": entry["time"],
                                   "size": 0}
        # entries run oldest first: each later one is the newest so far.
        group["count"] += 1
        group["size"] += entry["size"]
        group["last"] = entry["time"]
        for field in ("program", "exception_type", "exception_message", "crash_file",
                      "crash_line", "crash_function", "damaged"):
            if field in entry:
                group[field] = entry[field]
        group["newest"] = entry["file"]
        group["newest_number"] = entry["number"]
    return sorted(groups.values(), key=lambda g: g["last"] or "")


def _exception_text(entry):
    if "damaged" in entry:
        return f"damaged: {entry['damaged']}"
    exc = entry.get("exception_type")
    if not exc:
        return "-"
    return f"{exc}: {entry['exception_message']}" if entry.get("exception_message") else exc


def _where_text(entry):
    if not entry.get("crash_file"):
        return "-"
    return (f"{os.path.basename(entry['crash_file'])}:{entry['crash_line']} "
            f"in {entry['crash_function']}")


def _short_time(iso):
    return iso[:19].replace("T", " ") if iso else "-"


def _cell(text):
    """One line of text, escaped, for a column."""
    return escape(" ".join(str(text).split())) or "-"


def format_table(headers, rows, floors, width, optional=()):
    """Columns aligned to width.

    floors lists (column, narrowest width) of the columns that may give
    way, in the order they do: each is cut down, its text at a word with
    "...", until the line fits or it is at its floor. When all are and the
    line is still too long, the optional columns are left out, in their
    order, until it fits (else it runs on). A width of None cuts nothing.
    The last column, the file name, is never cut.
    """
    rows = [[_cell(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    shown = list(range(len(headers)))
    if width is not None:
        def excess_at(columns, floored):
            total = sum(min(widths[i], floored.get(i, widths[i])) for i in columns)
            return total + 2 * (len(columns) - 1) - width
        # First what must go for the rest to fit at their floors, then the
        # room left goes to the columns that give way.
        for index in optional:
            if excess_at(shown, dict(floors)) <= 0:
                break
            shown.remove(index)
        excess = excess_at(shown, {})
        for index, floor in floors:
            cut = min(max(excess, 0), max(0, widths[index] - floor))
            widths[index] -= cut
            excess -= cut
        # A cut at a word may leave a column wider than any of its texts.
        for index, _ in floors:
            for row in rows:
                row[index] = clip_words(row[index], widths[index])
            widths[index] = max([len(headers[index])] + [len(r[index]) for r in rows])
    numeric = {i for i, h in enumerate(headers) if h in ("#", "PID", "SIZE", "COUNT")}
    last = len(headers) - 1
    lines = []
    for row in [list(headers)] + rows:
        cells = []
        for i in shown:
            if i == last:
                cells.append(row[i])
            elif i in numeric:
                cells.append(row[i].rjust(widths[i]))
            else:
                cells.append(row[i].ljust(widths[i]))
        lines.append("  ".join(cells).rstrip() + "\n")
    return "".join(lines)


# How the columns show a trigger (--json keeps the MANIFEST's word).
_TRIGGER_SHORT = {"uncaught-exception": "uncaught", "thread-exception": "thread"}


def format_list(entries, width):
    headers = ("#", "TIME (UTC)", "PROGRAM", "PID", "TRIGGER", "EXCEPTION", "WHERE",
               "SIZE", "FILE")
    rows = [(e["number"], _short_time(e.get("time")), e.get("program") or "-",
             e.get("pid") if e.get("pid") is not None else "-",
             _TRIGGER_SHORT.get(e.get("trigger"), e.get("trigger") or "-"),
             _exception_text(e), _where_text(e), human_size(e["size"]), e["file"])
            for e in entries]
    return format_table(headers, rows, [(6, 16), (2, 10), (5, 20)], width, (3, 7, 4))


def format_groups(groups, width):
    headers = ("COUNT", "FIRST (UTC)", "LAST (UTC)", "PROGRAM", "EXCEPTION", "WHERE",
               "FINGERPRINT", "NEWEST")
    rows = [(g["count"], _short_time(g["first"]), _short_time(g["last"]),
             g.get("program") or "-", _exception_text(g), _where_text(g), g["fingerprint"],
             g["newest"]) for g in groups]
    return format_table(headers, rows, [(5, 16), (3, 10), (4, 20)], width, (1, 6))


def _public(entry):
    return {k: v for k, v in entry.items() if not k.startswith("_")}


def terminal_width(out):
    """The width to fit: the terminal's, or $COLUMNS; None into a pipe."""
    isatty = getattr(out, "isatty", lambda: False)
    if not isatty() and not os.environ.get("COLUMNS"):
        return None
    return shutil.get_terminal_size().columns


def run_list(args, out):
    """--list DIR [--group] [--json] [filters]; returns the exit status.

    Raises TriageError or OSError for a bad directory or filter.
    """
    entries = select_entries(args.list, args.program, args.fingerprint, args.since)
    if args.json:
        result = group_entries(entries) if args.group else entries
        out.write(json.dumps([_public(e) for e in result], indent=1) + "\n")
        return 0
    if not entries:
        out.write(f"No dumps in {args.list}{' match' if args.filtered else ''}.\n")
        return 0
    width = terminal_width(out)
    if args.group:
        out.write(format_groups(group_entries(entries), width))
    else:
        out.write(format_list(entries, width))
    return 0


def choose(directory, number, program=None, fingerprint=None, since=None):
    """The path of dump number N (1: the newest) of directory, filtered as
    --list is; raises TriageError."""
    entries = select_entries(directory, program, fingerprint, since)
    if not entries:
        raise TriageError(f"{directory}: no dumps here"
                          + (" match the filters" if program or fingerprint or since else ""))
    for entry in entries:
        if entry["number"] == number:
            return entry["path"]
    raise TriageError(f"{directory}: no dump number {number} "
                      f"(--list {directory} numbers 1 to {len(entries)}, 1 the newest)")
