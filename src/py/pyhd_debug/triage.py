"""Triage of many dumps: --list DIR [--group] [--json] reads each MANIFEST."""

import datetime
import json
import os
import stat
import sys

from .common import PROG

_MANIFEST_MAX = 1 << 20
_TAR_BLOCK = 512


class DamagedDump(Exception):
    """A file that --list cannot read as a dump; str is one line."""


def _unescape(value):
    r"""A MANIFEST value as src/manifest.h escapes it (\\, \n, \r, \xHH)."""
    out = bytearray()
    raw = value.encode("utf-8", "surrogateescape")
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5C and i + 1 < len(raw):
            nxt = chr(raw[i + 1])
            if nxt in "\\nr":
                out += {"\\": b"\\", "n": b"\n", "r": b"\r"}[nxt]
                i += 2
                continue
            if nxt == "x" and i + 4 <= len(raw):
                try:
                    out.append(int(raw[i + 2:i + 4].decode("ascii"), 16))
                    i += 4
                    continue
                except ValueError:
                    pass
        out.append(c)
        i += 1
    return out.decode("utf-8", "replace")


def _tar_number(field):
    text = field.split(b"\0", 1)[0].strip()
    if not text:
        return 0
    return int(text, 8)


def read_manifest(path):
    """The MANIFEST fields of the dump at path, [(key, value)]; raises DamagedDump."""
    try:
        with open(path, "rb") as f:
            while True:
                header = f.read(_TAR_BLOCK)
                if len(header) < _TAR_BLOCK:
                    raise DamagedDump("too short to be a dump")
                if header[257:262] != b"ustar":
                    raise DamagedDump("not a tar archive")
                size = _tar_number(header[124:136])
                kind = header[156:157]
                if kind not in (b"x", b"g"):
                    break
                # A pax extended header: its records describe the next member.
                f.seek((size + _TAR_BLOCK - 1) // _TAR_BLOCK * _TAR_BLOCK, os.SEEK_CUR)
            name = header[:100].split(b"\0", 1)[0]
            if name != b"MANIFEST":
                raise DamagedDump("the first member is not MANIFEST")
            if size > _MANIFEST_MAX:
                raise DamagedDump("MANIFEST too large")
            text = f.read(size)
    except ValueError:
        raise DamagedDump("bad tar header") from None
    except OSError as error:
        raise DamagedDump(error.strerror or str(error)) from None
    if len(text) < size:
        raise DamagedDump("MANIFEST cut short")
    fields = []
    for line in text.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(": ")
        if not sep:
            raise DamagedDump("MANIFEST line without 'Key: value'")
        fields.append((key, _unescape(value)))
    if not fields or fields[0][0] != "Format-Version":
        raise DamagedDump("MANIFEST does not start with Format-Version")
    return fields


def _program(argv_json):
    try:
        argv = json.loads(argv_json)
        first = argv[0] if argv else ""
    except (ValueError, IndexError, TypeError):
        return "?"
    if not isinstance(first, str) or not first:
        return "?"
    return os.path.basename(first)


def list_entry(directory, name):
    """One --list entry (a dict) for the file name in directory."""
    path = os.path.join(directory, name)
    entry = {"file": name, "size": 0}
    try:
        st = os.lstat(path)
        entry["size"] = st.st_size
        entry["mtime"] = st.st_mtime
        fields = dict(reversed(read_manifest(path)))
    except OSError as error:
        entry["damaged"] = error.strerror or str(error)
        return entry
    except DamagedDump as error:
        entry["damaged"] = str(error)
        return entry
    message = fields.get("Exception-Message")
    exc_type = fields.get("Exception-Type")
    entry.update({
        "time": fields.get("Created", ""),
        "program": _program(fields.get("Argv", "[]")),
        "pid": fields.get("Pid", ""),
        "trigger": fields.get("Trigger", ""),
        "exception": (f"{exc_type}: {message}" if message else exc_type) if exc_type else "",
        "fingerprint": fields.get("Fingerprint", ""),
        "redacted": fields.get("Redacted-Values", ""),
    })
    return entry


def list_entries(directory):
    """Every *.dump in directory, newest first (damaged files by their mtime)."""
    names = [n for n in os.listdir(directory)
             if n.endswith(".dump") and not n.startswith(".")
             and stat.S_ISREG(os.lstat(os.path.join(directory, n)).st_mode)]
    entries = [list_entry(directory, n) for n in names]

    def when(entry):
        if "time" in entry:
            return entry["time"]
        mtime = entry.get("mtime", 0.0)
        return datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ")
    for entry in entries:
        entry["sort"] = when(entry)
    entries.sort(key=lambda e: (e["sort"], e["file"]), reverse=True)
    for entry in entries:
        del entry["sort"]
        entry.pop("mtime", None)
    return entries


def group_entries(entries):
    """--group: one group per fingerprint (or per trigger without one), most recent first."""
    groups = {}
    for entry in entries:
        if "damaged" in entry:
            key = "damaged"
        else:
            key = entry["fingerprint"] or f"({entry['trigger'] or 'unknown'})"
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "fingerprint": key, "count": 0, "last": entry.get("time", ""),
                "first": entry.get("time", ""), "program": entry.get("program", ""),
                "exception": entry.get("exception", entry.get("damaged", "")),
                "newest": entry["file"], "size": 0,
            }
        group["count"] += 1
        group["size"] += entry["size"]
        if entry.get("time"):
            group["first"] = entry["time"]
    return list(groups.values())


def _short_time(iso):
    return iso[:19].replace("T", " ") if iso else "-"


def _clip(text, width):
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 3] + "..."


def format_list(entries):
    lines = [f"{'TIME (UTC)':19}  {'PROGRAM':16} {'PID':>7}  {'TRIGGER':18} "
             f"{'FINGERPRINT':16} {'SIZE':>9}  EXCEPTION / FILE\n"]
    for e in entries:
        if "damaged" in e:
            lines.append(f"{'-':19}  {'-':16} {'-':>7}  {'-':18} {'-':16} "
                         f"{e['size']:>9}  {e['file']}: damaged: {e['damaged']}\n")
            continue
        lines.append(f"{_short_time(e['time']):19}  {_clip(e['program'], 16):16} "
                     f"{e['pid']:>7}  {_clip(e['trigger'], 18):18} "
                     f"{e['fingerprint'] or '-':16} {e['size']:>9}  "
                     f"{_clip(e['exception'] or '-', 60)}  {e['file']}\n")
    return "".join(lines)


def format_groups(groups):
    lines = [f"{'COUNT':>5}  {'LAST (UTC)':19}  {'FIRST (UTC)':19}  {'FINGERPRINT':16} "
             f"{'PROGRAM':16} EXCEPTION\n"]
    for g in groups:
        lines.append(f"{g['count']:>5}  {_short_time(g['last']):19}  "
                     f"{_short_time(g['first']):19}  {_clip(g['fingerprint'], 16):16} "
                     f"{_clip(g['program'] or '-', 16):16} {_clip(g['exception'] or '-', 60)}\n")
    return "".join(lines)


def run_list(args, out):
    """--list DIR [--group] [--json]: returns the exit status."""
    try:
        entries = list_entries(args.list)
    except OSError as error:
        print(f"{PROG}: {args.list}: {error.strerror or error}", file=sys.stderr)
        return 2
    result = group_entries(entries) if args.group else entries
    if args.json:
        out.write(json.dumps(result, indent=1) + "\n")
    else:
        out.write(format_groups(result) if args.group else format_list(result))
    return 0
