"""Crafted graph streams for the hostile-dump tests: a tiny writer of format.h's records.

Every record hands out no fresh ids, so references are absolute (id + 1).
Used by tests/e2e/test_hostile.py and by tests/fuzz/make_seeds.py.
"""

import io
import tarfile
import zlib

NONE, INT, BIGINT, FLOAT, STR, BYTES, TUPLE, LIST, SET, FROZENSET, DICT = (
    0x01, 0x06, 0x07, 0x08, 0x0A, 0x0B, 0x0D, 0x0E, 0x0F, 0x10, 0x11)
SLICE, CLASS, INSTANCE, EXCEPTION, FUNCTION, CODE, MODULE, FRAME, TRACEBACK = (
    0x13, 0x14, 0x15, 0x17, 0x18, 0x1A, 0x1C, 0x1D, 0x1E)
SUBCLASS = 0x16
REDUCED = 0x21
DATETIME = 0x27  # format version 3
ROOTS, THREAD, END = 0xC0, 0xC1, 0xFF
CLASS_STDLIB, CLASS_EXCEPTION, CLASS_HEAPTYPE = 0x01, 0x02, 0x04


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def svarint(n):
    return varint((n << 1) ^ (n >> 63) if n < 0 else n << 1)


def text(s):
    data = s.encode("utf-8")
    return varint(len(data)) + data


class Graph:
    """Records in id order; add() returns the new object's id."""

    def __init__(self):
        self.records = []     # (kind, payload)
        self.meta = []        # THREAD records
        self._strs = {}

    def add(self, kind, payload=b""):
        self.records.append((kind, bytes(payload)))
        return len(self.records)

    @staticmethod
    def ref(oid):
        return varint(oid + 1) if oid else b"\x00"

    def refs(self, ids):
        return b"".join(self.ref(i) for i in ids)

    # -- values ---------------------------------------------------------------

    def none(self):
        return self.add(NONE)

    def int(self, n):
        return self.add(INT, svarint(n))

    def bigint(self, n):
        mag = abs(n).to_bytes((abs(n).bit_length() + 7) // 8 or 1, "little")
        return self.add(BIGINT, bytes([n < 0]) + varint(len(mag)) + mag)

    def str(self, s):
        if s not in self._strs:
            data = s.encode("latin-1")
            self._strs[s] = self.add(STR, b"\x01" + varint(len(s)) + data)
        return self._strs[s]

    def bytes_(self, data):
        return self.add(BYTES, varint(len(data)) + data)

    def seq(self, kind, items):
        return self.add(kind, varint(len(items)) + varint(len(items)) + self.refs(items))

    def tuple(self, items):
        return self.seq(TUPLE, items)

    def list(self, items):
        return self.seq(LIST, items)

    def set(self, items):
        return self.seq(SET, items)

    def dict(self, pairs):
        body = b"".join(self.ref(k) + self.ref(v) for k, v in pairs)
        return self.add(DICT, varint(len(pairs)) + varint(len(pairs)) + body)

    def slice(self, start, stop, step):
        return self.add(SLICE, self.refs((start, stop, step)))

    def klass(self, name, module="__main__", bases=(), flags=CLASS_HEAPTYPE, attrs=0):
        name_id = self.str(name)
        bases_id = self.tuple(list(bases)) if bases else 0
        return self.add(CLASS, self.ref(name_id) + self.ref(name_id) + self.ref(self.str(module))
                        + self.ref(bases_id) + bytes([flags]) + self.ref(attrs))

    def reduced(self, module, qualname, args):
        """A REDUCED record of the standard-library class module.qualname."""
        cls = self.klass(qualname, module, flags=CLASS_STDLIB)
        return self.add(REDUCED, self.ref(cls) + self.ref(self.tuple(args)))

    def datetime(self, module, qualname, year=0, month=0, day=0, hour=0, minute=0, second=0,
                 microsecond=0, fold=0, tzinfo=0, cls=0):
        """A DATETIME record (format version 3) of module.qualname, or of class id cls."""
        cls = cls or self.klass(qualname, module, flags=CLASS_STDLIB)
        return self.add(DATETIME, self.ref(cls) + varint(year)
                        + bytes([month, day, hour, minute, second]) + varint(microsecond)
                        + bytes([fold]) + self.ref(tzinfo))

    def datetime_subclass(self, cls, base_module, base_qualname, year=0, month=0, day=0,
                          attrs=0):
        """A SUBCLASS record (version 3) of class id cls whose base is a DATETIME."""
        base = self.klass(base_qualname, base_module, flags=CLASS_STDLIB)
        payload = (self.ref(base) + varint(year) + bytes([month, day, 0, 0, 0]) + varint(0)
                   + bytes([0]) + self.ref(0))
        return self.add(SUBCLASS, self.ref(cls) + self.ref(attrs) + varint(0)
                        + bytes([DATETIME]) + payload)

    def instance(self, cls, attrs=0):
        return self.add(INSTANCE, self.ref(cls) + self.ref(attrs) + b"\x00")

    def exception(self, cls, args, cause=0, context=0, tb=0):
        return self.add(EXCEPTION, self.ref(cls) + self.ref(args) + b"\x00" + self.ref(cause)
                        + self.ref(context) + b"\x00" + self.ref(tb) + b"\x00")

    def module(self, name):
        return self.add(MODULE, self.ref(self.str(name)) + b"\x00\x00")

    def builtin_function(self, name, module, self_id):
        """A builtin function (no code) with its self: a version 2 stream's field."""
        return self.add(FUNCTION, self.refs((name, name, module, 0)) + b"\x00" * 5
                        + self.ref(self_id))

    # -- the stream -----------------------------------------------------------

    def stream(self, roots, version=1):
        """The inflated graph: ROOTS {key: id}, the records, THREADs, END."""
        out = bytearray(b"PYHDGRPH" + varint(version))
        body = varint(len(roots)) + b"".join(text(k) + self.ref(v) for k, v in roots.items())
        out += bytes([ROOTS]) + b"\x00" + varint(len(body)) + body
        for kind, payload in self.records + self.meta:
            out += bytes([kind]) + b"\x00" + varint(len(payload)) + payload
        end = varint(len(self.records))
        crc = zlib.crc32(out)
        payload = end + crc.to_bytes(4, "little")
        out += bytes([END]) + b"\x00" + varint(len(payload)) + payload
        return bytes(out)


def manifest_with(manifest, **fields):
    """A MANIFEST (bytes) with some keys' values replaced (Graph_Size -> Graph-Size)."""
    lines = []
    for line in manifest.decode("utf-8").splitlines():
        key = line.partition(": ")[0]
        py_key = key.replace("-", "_")
        if py_key in fields:
            line = "%s: %s" % (key, fields.pop(py_key))
        lines.append(line)
    for py_key, value in fields.items():
        lines.append("%s: %s" % (py_key.replace("_", "-"), value))
    return ("\n".join(lines) + "\n").encode("utf-8")


def tar(members):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def dump_bytes(stream, manifest, traceback_txt=b"", level=9):
    """A whole dump around an inflated graph; the MANIFEST's sizes are made to match."""
    graph_z = zlib.compress(stream, level)
    manifest = manifest_with(manifest, Graph_Size=len(stream),
                             Graph_Compressed_Size=len(graph_z))
    return tar([("MANIFEST", manifest), ("traceback.txt", traceback_txt),
                ("graph.z", graph_z)])
