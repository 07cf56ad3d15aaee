"""What is read from a dump without rebuilding its graph: MANIFEST, traceback.txt.

Both come through the C reader of the builtin module _pyhd (the one that
load() uses), so there is one tar reader and one MANIFEST parser.
"""

MANIFEST = "MANIFEST"
TRACEBACK = "traceback.txt"


class DumpText:
    """A dump's MANIFEST fields and, when asked for, traceback.txt's bytes."""

    def __init__(self, path, fields, traceback):
        self.path = path
        self.manifest = fields
        self.traceback = traceback

    def field(self, key, default=""):
        """The first MANIFEST value of key."""
        for k, v in self.manifest:
            if k == key:
                return v
        return default

    def format_version(self):
        """The MANIFEST's Format-Version as an int, or None."""
        value = self.field("Format-Version")
        return int(value) if value.isdigit() else None


def read_text(path, traceback=False):
    """The DumpText of the dump at path; raises _pyhd.DumpError or OSError."""
    import _pyhd
    names = [MANIFEST, TRACEBACK] if traceback else [MANIFEST]
    members = _pyhd.read_members(path, names)
    if MANIFEST not in members:
        raise _pyhd.DumpError("not a pyhd dump (no MANIFEST member)")
    fields = _pyhd.parse_manifest(members[MANIFEST])
    if not fields or fields[0][0] != "Format-Version":
        raise _pyhd.DumpError("bad MANIFEST: it does not start with Format-Version")
    return DumpText(path, fields, members.get(TRACEBACK, b""))


def newer_format(text):
    """A one-line refusal when text's dump has a format this pyhd cannot
    rebuild, naming the pyhd version to install; else None."""
    import _pyhd
    version = text.format_version()
    if version is None or version <= _pyhd.FORMAT_VERSION:
        return None
    writer = text.field("Pyhd-Version") or "a newer version"
    return (f"format version {version} is newer than this pyhd-debug "
            f"({_pyhd.__version__}) reads (version {_pyhd.FORMAT_VERSION}); install pyhd "
            f"{writer} or later to debug it (--info, --print and --list still "
            "read it)")
