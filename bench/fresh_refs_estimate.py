"""fresh_refs_estimate.py: how small graph.z would be if ids used a "fresh reference" code.

Usage: python bench/fresh_refs_estimate.py DUMP

An estimate for a possible format version 2, not part of pyhd. In version 1
every reference is an absolute id. Because the walker numbers objects as it
first meets them, the first reference to each id comes in increasing id
order, so a reader can know the id of a first reference without being told.
This script re-encodes the references of the container and instance records
(most of the references in a typical heap) as 0 (none), 1 (the next new id)
or id + 1 (an id seen before), keeps every other payload as it is, and
compresses both streams the same way. See bench/README.md.
"""
import os
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "e2e"))
import graphread  # noqa: E402

# Id fields of the records this script keeps as they are, in payload order.
ID_FIELDS = ("cls", "name", "qualname", "module", "bases", "attrs", "dict", "args", "cause",
             "context", "traceback", "function", "self", "code", "filename", "varnames",
             "cellvars", "freevars", "contents", "file", "locals", "globals", "builtins",
             "back", "frame", "next", "referent", "repr", "reason", "start", "stop", "step")


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


class FreshRefs:
    def __init__(self):
        self.seen = 0  # the highest id referenced so far

    def ref(self, oid):
        if oid == 0:
            return b"\x00"
        if oid == self.seen + 1:
            self.seen = oid
            return b"\x01"
        if oid > self.seen:
            raise SystemExit("id %d first referenced out of order" % oid)
        return varint(oid + 1)

    def note(self, oid):
        self.seen = max(self.seen, oid)


def reencode(g):
    fr = FreshRefs()
    out = bytearray()
    for r in g.records:
        k, f = r.kind_name, r.f
        if k in ("LIST", "TUPLE", "SET", "FROZENSET"):
            p = varint(f["length"]) + varint(len(f["items"]))
            p += b"".join(fr.ref(i) for i in f["items"])
        elif k == "DICT":
            p = varint(f["length"]) + varint(len(f["items"]))
            p += b"".join(fr.ref(a) + fr.ref(b) for a, b in f["items"])
        elif k == "INSTANCE":
            p = fr.ref(f["cls"]) + fr.ref(f["dict"]) + varint(len(f["slots"]))
            p += b"".join(fr.ref(a) + fr.ref(b) for a, b in f["slots"])
        else:
            for key, v in f.items():
                if key in ID_FIELDS and isinstance(v, int):
                    fr.note(v)
                elif key in ("slots", "fields", "roots"):
                    for _, b in v:
                        fr.note(b)
                elif key == "base" and "items" in v:
                    for item in v["items"]:
                        for b in (item if isinstance(item, tuple) else (item,)):
                            fr.note(b)
            p = r.payload
        out += bytes([r.kind]) + varint(len(p)) + p
    return bytes(out)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.splitlines()[2])
    raw = zlib.decompress(graphread.read_member(sys.argv[1], "graph.z"))
    new = reencode(graphread.parse(raw))
    print("%-22s %12s %12s %12s" % ("encoding", "inflated", "zlib 1", "zlib 6"))
    for name, data in (("v1 absolute ids", raw), ("fresh references", new)):
        print("%-22s %12d %12d %12d" % (name, len(data), len(zlib.compress(data, 1)),
                                        len(zlib.compress(data, 6))))


if __name__ == "__main__":
    main()
