"""graphread: a small, independent pure-Python reader of pyhd's graph stream, for tests.

It follows include/pyhd/format.h and shares no code with the C decoder, so a
test that reads a dump with it checks the writer against the format itself.

    g = graphread.read_archive("x.dump")      # or read_graph_z(bytes), parse(bytes)
    g.roots["exception"]                       # an id
    g.objects[id].kind_name, g.objects[id].f   # "EXCEPTION", {"cls": .., "args": ..}
    g.value(id)                                # plain data as Python values
"""

import struct
import tarfile
import zlib

MAGIC = b"PYHDGRPH"
VERSION = 4

KINDS = {
    0x01: "NONE", 0x02: "FALSE", 0x03: "TRUE", 0x04: "ELLIPSIS", 0x05: "NOTIMPL",
    0x06: "INT", 0x07: "BIGINT", 0x08: "FLOAT", 0x09: "COMPLEX", 0x0A: "STR",
    0x0B: "BYTES", 0x0C: "BYTEARRAY", 0x0D: "TUPLE", 0x0E: "LIST", 0x0F: "SET",
    0x10: "FROZENSET", 0x11: "DICT", 0x12: "RANGE", 0x13: "SLICE", 0x14: "CLASS",
    0x15: "INSTANCE", 0x16: "SUBCLASS", 0x17: "EXCEPTION", 0x18: "FUNCTION",
    0x19: "METHOD", 0x1A: "CODE", 0x1B: "CELL", 0x1C: "MODULE", 0x1D: "FRAME",
    0x1E: "TRACEBACK", 0x1F: "GENERATOR", 0x20: "WEAKREF", 0x21: "REDUCED",
    0x22: "BUFFER", 0x23: "OPAQUE", 0x24: "TRUNCATED", 0x25: "REDACTED", 0x26: "DESCRIPTOR",
    0x27: "DATETIME",
    0x30: "PARTIAL", 0x31: "MATCH", 0x32: "LOCK", 0x33: "FILE", 0x34: "FUTURE",
    0x35: "NDARRAY", 0x36: "DTYPE",
    0xC0: "ROOTS", 0xC1: "THREAD", 0xFF: "END",
}
KIND = {name: code for code, name in KINDS.items()}
DESCR_FLAVOURS = ("property", "classmethod", "staticmethod")
META_FIRST = 0xC0

CLASS_STDLIB, CLASS_EXCEPTION, CLASS_HEAPTYPE = 0x01, 0x02, 0x04
THREAD_DAEMON, THREAD_FAILED, THREAD_MAIN, THREAD_CURRENT = 0x01, 0x02, 0x04, 0x08
GEN_FLAVOURS = ("generator", "coroutine", "asyncgen")
GEN_STATES = ("created", "running", "suspended", "closed")
FILE_CLOSED, FILE_CLOSEFD = 0x01, 0x02
FUTURE_TASK = 0x01
FUTURE_STATES = ("pending", "cancelled", "finished")


class FormatError(ValueError):
    pass


class Reader:
    """Reads the encodings of format.h from one payload."""

    def __init__(self, data, where, first_fresh=0, nfresh=0):
        self.data = data
        self.pos = 0
        self.where = where
        self.fresh_next = first_fresh
        self.fresh_end = first_fresh + nfresh
        self.version = VERSION  # the stream's, set by the reader of the stream

    def fail(self, what):
        raise FormatError("%s: %s at payload byte %d" % (self.where, what, self.pos))

    def u8(self):
        if self.pos >= len(self.data):
            self.fail("payload ends inside a u8")
        self.pos += 1
        return self.data[self.pos - 1]

    def varint(self):
        value = shift = 0
        for _ in range(10):
            b = self.u8()
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                if value >= 1 << 64:
                    self.fail("varint beyond 64 bits")
                return value
            shift += 7
        self.fail("varint longer than 10 bytes")

    def svarint(self):
        v = self.varint()
        return (v >> 1) ^ -(v & 1)

    def take(self, n):
        if n > len(self.data) - self.pos:
            self.fail("payload ends inside a %d-byte field" % n)
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def f64(self):
        return struct.unpack("<d", self.take(8))[0]

    def text(self):
        return self.take(self.varint()).decode("utf-8")

    def rest(self):
        data = self.data[self.pos:]
        self.pos = len(self.data)
        return data

    def ref(self):
        """A reference: 0 absent, 1 the record's next fresh id, r >= 2 the id r - 1."""
        r = self.varint()
        if r != 1:
            return r - 1 if r else 0
        if self.fresh_next >= self.fresh_end:
            self.fail("a fresh reference beyond the record's fresh ids")
        self.fresh_next += 1
        return self.fresh_next - 1

    def ids(self):
        return [self.ref() for _ in range(self.varint())]

    def pairs(self):
        return [(self.ref(), self.ref()) for _ in range(self.varint())]


def _str_fields(r):
    width = r.u8()
    if width not in (1, 2, 4):
        r.fail("str width %d" % width)
    length = r.varint()
    raw = r.rest()
    if len(raw) % width:
        r.fail("str code units cut in the middle")
    fmt = {1: "B", 2: "H", 4: "I"}[width]
    units = struct.unpack("<%d%s" % (len(raw) // width, fmt), raw)
    return {"width": width, "length": length, "value": "".join(map(chr, units)),
            "stored": len(units)}


def _seq_fields(r):
    length = r.varint()
    items = r.ids()
    return {"length": length, "items": items}


def _dict_fields(r):
    length = r.varint()
    return {"length": length, "items": r.pairs()}


def _blob_fields(r):
    length = r.varint()
    data = r.rest()
    return {"length": length, "value": data, "stored": len(data)}


def _base_fields(kind, r):
    if kind == "INT":
        return {"value": r.svarint()}
    if kind == "BIGINT":
        sign = r.u8()
        mag = int.from_bytes(r.take(r.varint()), "little")
        return {"sign": sign, "value": -mag if sign else mag}
    if kind == "FLOAT":
        raw = r.take(8)
        return {"raw": raw, "value": struct.unpack("<d", raw)[0]}
    if kind == "COMPLEX":
        return {"value": complex(r.f64(), r.f64())}
    if kind == "STR":
        return _str_fields(r)
    if kind in ("BYTES", "BYTEARRAY"):
        return _blob_fields(r)
    if kind in ("TUPLE", "LIST", "SET", "FROZENSET"):
        return _seq_fields(r)
    if kind == "DICT":
        return _dict_fields(r)
    if kind == "DATETIME":  # version 3
        return _fields(kind, r)
    r.fail("kind %s cannot be a SUBCLASS base" % kind)


def _fields(kind, r):
    if kind in ("NONE", "FALSE", "TRUE", "ELLIPSIS", "NOTIMPL"):
        return {}
    if kind in ("INT", "BIGINT", "FLOAT", "COMPLEX", "STR", "BYTES", "BYTEARRAY", "TUPLE",
                "LIST", "SET", "FROZENSET", "DICT"):
        return _base_fields(kind, r)
    v, n = r.ref, r.varint
    if kind in ("RANGE", "SLICE"):
        return {"start": v(), "stop": v(), "step": v()}
    if kind == "CLASS":
        return {"name": v(), "qualname": v(), "module": v(), "bases": v(), "flags": r.u8(),
                "attrs": v()}
    if kind in ("INSTANCE", "SUBCLASS"):
        f = {"cls": v(), "dict": v(), "slots": r.pairs()}
        if kind == "SUBCLASS":
            code = r.u8()
            f["base_kind"] = KINDS.get(code, "0x%02x" % code)
            f["base"] = _base_fields(f["base_kind"], r)
        return f
    if kind == "EXCEPTION":
        return {"cls": v(), "args": v(), "dict": v(), "cause": v(), "context": v(),
                "suppress_context": r.u8(), "traceback": v(), "fields": r.pairs()}
    if kind == "FUNCTION":
        f = {"name": v(), "qualname": v(), "module": v(), "code": v()}
        if r.pos < len(r.data):  # format version 2 appends these
            f.update(defaults=v(), kwdefaults=v(), annotations=v(), doc=v(), closure=v())
        if r.pos < len(r.data):  # then a builtin function's self
            f["self"] = v()
        return f
    if kind == "DESCRIPTOR":
        return {"flavour": DESCR_FLAVOURS[r.u8()], "function": v(), "setter": v(),
                "deleter": v(), "doc": v()}
    if kind == "METHOD":
        return {"function": v(), "self": v()}
    if kind == "CODE":
        return {"filename": v(), "name": v(), "qualname": v(), "firstlineno": n(),
                "argcount": n(), "posonlyargcount": n(), "kwonlyargcount": n(),
                "flags": n(), "varnames": v(), "cellvars": v(), "freevars": v()}
    if kind == "CELL":
        return {"contents": v()}
    if kind == "MODULE":
        return {"name": v(), "file": v(), "dict": v()}
    if kind == "FRAME":
        return {"code": v(), "lineno": r.svarint(), "end_lineno": r.svarint(),
                "col": r.svarint(), "end_col": r.svarint(), "locals": v(), "globals": v(),
                "builtins": v(), "back": v()}
    if kind == "TRACEBACK":
        return {"frame": v(), "lineno": r.svarint(), "end_lineno": r.svarint(),
                "col": r.svarint(), "end_col": r.svarint(), "next": v()}
    if kind == "GENERATOR":
        f = {"flavour": GEN_FLAVOURS[r.u8()], "name": v(), "qualname": v(), "code": v(),
             "state": GEN_STATES[r.u8()], "frame": v()}
        f["await"] = v() if r.pos < len(r.data) else 0
        return f
    if kind == "PARTIAL":
        return {"cls": v(), "func": v(), "args": v(), "keywords": v(), "dict": v()}
    if kind == "MATCH":
        return {"cls": v(), "pattern": v(), "string": v(), "regs": v(), "pos": r.svarint(),
                "endpos": r.svarint(), "lastindex": r.svarint()}
    if kind == "LOCK":
        return {"cls": v(), "locked": r.u8(), "owner": n(), "count": n()}
    if kind == "FILE":
        return {"cls": v(), "name": v(), "mode": v(), "encoding": v(), "flags": r.u8(),
                "position": r.svarint(), "inner": v()}
    if kind == "FUTURE":
        f = {"cls": v(), "dict": v(), "flags": r.u8(), "state": FUTURE_STATES[r.u8()],
             "result": v(), "exception": v(), "callbacks": v()}
        f.update(name=v(), coro=v(), waiter=v())
        return f
    if kind == "NDARRAY":
        f = {"cls": v(), "dtype": v()}
        ndim = n()
        f["shape"] = [n() for _ in range(ndim)]
        f["strides"] = [r.svarint() for _ in range(ndim)]
        f.update(base=v(), offset=r.svarint(), flags=r.u8())
        if r.version >= 4:
            f["dict"] = v()  # a subclass instance's __dict__ (0: none)
        return f
    if kind == "DTYPE":
        f = {"typestr": r.text(), "itemsize": n(), "flags": r.u8()}
        f["fields"] = [(v(), v(), n(), v()) for _ in range(n())]
        f["sub_base"], f["sub_shape"] = v(), v()
        return f
    if kind == "WEAKREF":
        return {"cls": v(), "referent": v()}
    if kind == "REDUCED":
        return {"cls": v(), "args": v()}
    if kind == "DATETIME":
        return {"cls": v(), "year": n(), "month": r.u8(), "day": r.u8(), "hour": r.u8(),
                "minute": r.u8(), "second": r.u8(), "microsecond": n(), "fold": r.u8(),
                "tzinfo": v()}
    if kind == "BUFFER":
        f = {"cls": v(), "format": r.text(), "itemsize": n()}
        f["shape"] = [n() for _ in range(n())]
        f["readonly"] = r.u8()
        f["length"] = n()
        f["value"] = r.rest()
        f["stored"] = len(f["value"])
        return f
    if kind == "REDACTED":
        return {"cls": v(), "measure": r.u8(), "length": n()}
    if kind == "OPAQUE":
        return {"cls": v(), "size": n(), "repr": v(), "reason": v()}
    if kind == "TRUNCATED":
        return {"cls": v()}
    if kind == "ROOTS":
        return {"roots": [(r.text(), v()) for _ in range(n())]}
    if kind == "THREAD":
        return {"ident": n(), "native_id": n(), "name": r.text(), "flags": r.u8(),
                "frame": v()}
    if kind == "END":
        return {"count": n(), "crc": struct.unpack("<I", r.take(4))[0]}
    return {}


class Record:
    __slots__ = ("kind", "kind_name", "id", "payload", "f", "offset")

    def __repr__(self):
        return "<%s #%s %r>" % (self.kind_name, self.id, self.f)


class Graph:
    """A parsed graph stream: records in order, objects by id, roots, threads."""

    def __init__(self):
        self.version = None
        self.records = []
        self.objects = {}
        self.roots = {}
        self.threads = []
        self.count = None
        self.crc = None

    # -- navigation helpers --------------------------------------------------
    def __getitem__(self, oid):
        return self.objects[oid]

    def kind(self, oid):
        return self.objects[oid].kind_name if oid else None

    def by_kind(self, name):
        return [r for r in self.records if r.kind_name == name]

    def str(self, oid):
        """The text of a STR object (None for id 0)."""
        if not oid:
            return None
        rec = self.objects[oid]
        if rec.kind_name != "STR":
            raise FormatError("#%d is a %s, not a STR" % (oid, rec.kind_name))
        return rec.f["value"]

    def class_name(self, oid):
        """'module.qualname' of a CLASS object (or of the class of an object)."""
        rec = self.objects[oid]
        if rec.kind_name != "CLASS":
            rec = self.objects[rec.f["cls"]]
        return "%s.%s" % (self.str(rec.f["module"]), self.str(rec.f["qualname"]))

    def items(self, oid):
        """(key id, value id) pairs of a DICT (or a SUBCLASS of DICT)."""
        rec = self.objects[oid]
        f = rec.f["base"] if rec.kind_name == "SUBCLASS" else rec.f
        return f["items"]

    def attrs(self, oid):
        """{name: value id} of an object's __dict__ (INSTANCE, SUBCLASS, EXCEPTION)."""
        d = self.objects[oid].f.get("dict")
        return {self.str(k): v for k, v in self.items(d)} if d else {}

    def slots(self, oid):
        return {self.str(k): v for k, v in self.objects[oid].f["slots"]}

    def dict_get(self, oid, key):
        """The value id for a str key of a DICT, or None."""
        for k, v in self.items(oid):
            if self.kind(k) == "STR" and self.str(k) == key:
                return v
        return None

    def innermost_locals(self):
        """{name: value id} of the locals of the innermost frame of the exception's traceback."""
        tb = self[self.roots["exception"]].f["traceback"]
        while self[tb].f["next"]:
            tb = self[tb].f["next"]
        frame = self[self[tb].f["frame"]].f
        return {self.str(k): v for k, v in self.items(frame["locals"])}

    def value(self, oid, _memo=None):
        """Plain data as Python values; any other object as its Record."""
        if not oid:
            return None
        memo = {} if _memo is None else _memo
        if oid in memo:
            return memo[oid]
        rec = self.objects[oid]
        k, f = rec.kind_name, rec.f
        simple = {"NONE": None, "TRUE": True, "FALSE": False, "ELLIPSIS": Ellipsis,
                  "NOTIMPL": NotImplemented}
        if k in simple:
            return simple[k]
        if k in ("INT", "BIGINT", "FLOAT", "COMPLEX", "STR", "BYTES"):
            return f["value"]
        if k == "BYTEARRAY":
            return bytearray(f["value"])
        if k == "LIST":
            out = memo[oid] = []
            out.extend(self.value(i, memo) for i in f["items"])
            return out
        if k == "DICT":
            out = memo[oid] = {}
            for a, b in f["items"]:
                out[self.value(a, memo)] = self.value(b, memo)
            return out
        if k == "TUPLE":
            return tuple(self.value(i, memo) for i in f["items"])
        if k == "SET":
            return {self.value(i, memo) for i in f["items"]}
        if k == "FROZENSET":
            return frozenset(self.value(i, memo) for i in f["items"])
        return rec


def parse(data):
    """Parse an inflated graph stream (bytes). Checks framing, ids and the CRC."""
    if data[:8] != MAGIC:
        raise FormatError("graph stream: bad magic %r" % data[:8])
    g = Graph()
    head = Reader(data, "graph header")
    head.pos = 8
    g.version = head.varint()
    if g.version > VERSION:
        raise FormatError("graph stream: version %d is newer than %d" % (g.version, VERSION))
    pos = head.pos
    next_id = 1
    next_fresh = 1
    while True:
        if pos >= len(data):
            raise FormatError("graph stream ends without END at byte %d" % pos)
        start = pos
        kind = data[pos]
        lr = Reader(data, "record %d framing" % (len(g.records) + 1))
        lr.pos = pos + 1
        fresh = lr.varint()
        length = lr.varint()
        pos = lr.pos
        if pos + length > len(data):
            raise FormatError("record %d at byte %d overruns the stream" % (len(g.records) + 1,
                                                                          start))
        rec = Record()
        rec.kind = kind
        rec.kind_name = KINDS.get(kind, "UNKNOWN_0x%02x" % kind)
        rec.payload = data[pos:pos + length]
        rec.offset = start
        rec.id = None
        if kind < META_FIRST:
            rec.id = next_id
            g.objects[next_id] = rec
            next_id += 1
        where = "record %d (%s at byte %d)" % (len(g.records) + 1, rec.kind_name, start)
        reader = Reader(rec.payload, where, next_fresh, fresh)
        reader.version = g.version
        rec.f = _fields(rec.kind_name, reader)
        if rec.kind_name == "NDARRAY":
            # Its elements are read once its dtype is known (the dtype may come later).
            rec.f["_reader"] = reader
        next_fresh += fresh
        g.records.append(rec)
        pos += length
        if rec.kind_name == "ROOTS":
            g.roots = dict(rec.f["roots"])
        elif rec.kind_name == "THREAD":
            g.threads.append(rec.f)
        elif rec.kind_name == "END":
            g.count = rec.f["count"]
            g.crc = rec.f["crc"]
            crc = zlib.crc32(data[:start])
            if crc != g.crc:
                raise FormatError("graph stream: CRC %08x, END says %08x" % (crc, g.crc))
            if next_fresh - 1 > g.count:
                raise FormatError("graph stream: %d fresh ids, %d objects"
                                  % (next_fresh - 1, g.count))
            if g.count != next_id - 1:
                raise FormatError("graph stream: %d objects, END says %d"
                                  % (next_id - 1, g.count))
            break
    for rec in g.by_kind("NDARRAY"):
        r = rec.f.pop("_reader")
        dtype = g.objects.get(rec.f["dtype"])
        if dtype is not None and dtype.kind_name == "DTYPE" and dtype.f["typestr"] == "|O":
            rec.f["count"] = r.varint()
            rec.f["elements"] = [r.ref() for _ in range(r.varint())]
        else:
            rec.f["length"] = r.varint()
            rec.f["value"] = r.rest()
    return g


def read_graph_z(zdata):
    return parse(zlib.decompress(zdata))


def read_member(path, name):
    with tarfile.open(path) as tar:
        member = tar.extractfile(name)
        if member is None:
            raise FormatError("%s: no member %s" % (path, name))
        return member.read()


def read_archive(path):
    """The Graph of a dump archive's graph.z member."""
    return read_graph_z(read_member(path, "graph.z"))


def read_manifest(path):
    """The MANIFEST as a dict (the first value of each key)."""
    out = {}
    for line in read_member(path, "MANIFEST").decode("utf-8").splitlines():
        if ": " in line:
            k, v = line.split(": ", 1)
            out.setdefault(k, v)
    return out
