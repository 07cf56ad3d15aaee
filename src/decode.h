/* decode.h: the graph stream of a dump: inflating graph.z, validating and indexing records. */
#ifndef PYHD_DECODE_H
#define PYHD_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "buf.h"
#include "pyhd/format.h"

/*
 * Pure C. Functions return 0 or -1; on -1 err receives one line saying what
 * was wrong and where ("truncated graph at record 1234 (byte 56789)"), with
 * no file name: the caller adds that.
 *
 * pyhd__decode_open() checks everything a rebuilder relies on, so that the
 * rebuilder can read payloads without re-checking them: the framing of every
 * record, the END record's count and CRC, and for every record of a known
 * kind that its payload holds all its fields, that every id is in range and
 * that ids which must name a particular kind (a FRAME's code) do. It does so
 * with a check per kind made from format.h's field table, and records what
 * it read: every record gets slots (struct pyhd_record's f), one or more a
 * field, that hold the field's decoded value (an id, a number) or, for the
 * variable parts (lists, text, bytes), where they start. A rebuilder reads
 * fields through the slots and never parses a payload again.
 */

/*
 * The slots of each field type, and what each holds. Offsets are from the
 * start of the payload; a list's "fresh" is the id its first reference "1"
 * names (see pyhd__field_cursor()).
 */
enum {
    PYHD_NSLOTS_REF = 1,       /* the id (0: absent) */
    PYHD_NSLOTS_U8 = 1,
    PYHD_NSLOTS_VARINT = 1,
    PYHD_NSLOTS_SVARINT = 1,   /* the int64_t value, as uint64_t */
    PYHD_NSLOTS_F64 = 1,       /* the IEEE 754 bits */
    PYHD_NSLOTS_TEXT = 2,      /* PYHD_TEXT_* */
    PYHD_NSLOTS_BLOB = 2,      /* PYHD_TEXT_* */
    PYHD_NSLOTS_STRDATA = 4,   /* PYHD_STR_* */
    PYHD_NSLOTS_BYTESDATA = 3, /* PYHD_DATA_* */
    PYHD_NSLOTS_ITEMS = 4,     /* PYHD_SEQ_* */
    PYHD_NSLOTS_MAP = 4,       /* PYHD_SEQ_* */
    PYHD_NSLOTS_PAIRS = 3,     /* PYHD_LIST_* */
    PYHD_NSLOTS_DIMS = 2,      /* PYHD_DIMS_* */
    PYHD_NSLOTS_SHAPE = 2,     /* PYHD_DIMS_*: the shape, then the strides */
    PYHD_NSLOTS_ELEMENTS = 5,  /* PYHD_ELEM_* */
    PYHD_NSLOTS_DTFIELDS = 3,  /* PYHD_LIST_* */
    PYHD_NSLOTS_BASE = 11,     /* the base kind, then the slots of its fields (at most
                                  DATETIME's 10: check_base() asserts it) */
    PYHD_NSLOTS_HASH = 2,      /* PYHD_HASH_* */
    PYHD_NSLOTS_ROOTLIST = 3,  /* PYHD_LIST_* */
    PYHD_NSLOTS_SINCE = 1,     /* 1 when the fields after it are present, else 0 */
};
enum { PYHD_TEXT_AT = 0, PYHD_TEXT_LEN = 1 };
enum { PYHD_STR_WIDTH = 0, PYHD_STR_LENGTH = 1, PYHD_STR_AT = 2, PYHD_STR_COUNT = 3 };
enum { PYHD_DATA_LENGTH = 0, PYHD_DATA_AT = 1, PYHD_DATA_STORED = 2 };
enum { PYHD_SEQ_LENGTH = 0, PYHD_SEQ_N = 1, PYHD_SEQ_AT = 2 };   /* AT: offset, fresh */
enum { PYHD_LIST_N = 0, PYHD_LIST_AT = 1 };                       /* AT: offset, fresh */
enum { PYHD_DIMS_N = 0, PYHD_DIMS_AT = 1 };
enum { PYHD_ELEM_OBJECT = 0, PYHD_ELEM_LENGTH = 1, PYHD_ELEM_N = 2, PYHD_ELEM_AT = 3 };
enum { PYHD_BASE_KIND = 0, PYHD_BASE_FIELDS = 1 };
enum { PYHD_HASH_PRESENT = 0, PYHD_HASH_VALUE = 1 };

/* Per kind, the slot of each field: PYHD_S_FRAME_code, ...; PYHD_NS_FRAME slots in all. */
#define PYHD__SLOT(kind, name, type, arg, flags) \
    PYHD_S_##kind##_##name, \
    PYHD_S_##kind##_##name##_last_ = PYHD_S_##kind##_##name + PYHD_NSLOTS_##type - 1,
#define PYHD__SLOTS(kind, since) enum { PYHD_FIELDS_##kind(PYHD__SLOT) PYHD_NS_##kind };
PYHD_OBJECT_KINDS(PYHD__SLOTS)
PYHD_META_KINDS(PYHD__SLOTS)
#undef PYHD__SLOTS
#undef PYHD__SLOT

/* Without a declared size (a MANIFEST without Graph-Size), graph.z inflates to at
   most this many times its size. */
#define PYHD_GRAPH_INFLATE_RATIO 64

/* 32 bytes: the rebuilder reads one per object, and at 10^4 objects and more the
   table is out of the cache by then (at 48 bytes a record, a 10^4 load took 4% longer
   than at 32, and 13% longer at 96). Lengths and ids are 32 bits: a graph is at most
   PYHD_GRAPH_MAX bytes, and every record takes at least 3. Where a record is (its
   position and byte offset), which only messages need, is found again by
   pyhd__record_where(). */
struct pyhd_record {
    const unsigned char *payload;
    const uint64_t *f;      /* the slots of its fields (above); NULL for an unknown kind */
    uint32_t len;           /* payload length */
    uint32_t first_fresh;   /* the first of the ids handed out with this record */
    uint32_t nfresh;        /* how many (format.h, "Fresh ids") */
    unsigned kind : 8;
    unsigned class_index : 24;  /* of a CLASS, TRUNCATED or REDACTED record (those that
                                   may stand for a class): 0, 1, 2, ... in id order; else 0 */
};

/* The largest graph (inflated graph.z) this reader indexes, and the most classes in it. */
#define PYHD_GRAPH_MAX ((uint64_t)UINT32_MAX)
#define PYHD_CLASSES_MAX ((size_t)1 << 24)

struct pyhd_decoded {
    unsigned char *data;           /* the inflated stream (owned) */
    size_t len;
    uint64_t version;
    struct pyhd_record *objects;   /* objects[id - 1] for ids 1..nobjects */
    size_t nobjects;
    struct pyhd_record roots;      /* the ROOTS record */
    struct pyhd_record *threads;   /* the THREAD records, in stream order */
    size_t nthreads;
    size_t nunknown;               /* records of kinds this reader does not know */
    uint64_t *slots;               /* every record's slots (struct pyhd_record's f) */
    size_t ntrailing;              /* records of known kinds with bytes after their last
                                      field (a newer writer's appended fields) */
    size_t nclasses;               /* records with a class_index */
    uint64_t *later_ids;           /* the ids of the MODULE, FRAME and EXCEPTION records,
                                      in order: a rebuilder visits them again */
    size_t nlater_ids;
    size_t first_record;           /* the byte offset of the first record (ROOTS) */
};

/*
 * The most a graph.z of zlen bytes may inflate to: declared, the size its
 * MANIFEST gives (Graph-Size; 0 when it gives none, then
 * PYHD_GRAPH_INFLATE_RATIO times zlen), and, past 64 MiB, never more than the
 * memory available on this machine. A dump compresses as well as its data does (a
 * bytes(300000) makes a graph of a few hundred deflated bytes), so no fixed
 * ratio fits; the declared size is checked against what inflates.
 */
uint64_t pyhd__decode_limit(size_t zlen, uint64_t declared);

/* Inflate a zlib stream into a new malloc'd buffer of at most limit bytes. */
int pyhd__decode_inflate(const unsigned char *z, size_t zlen, uint64_t limit,
                        unsigned char **out, size_t *outlen, char *err, size_t errlen);

/* Validate and index an inflated stream. g takes ownership of data in every case. */
int pyhd__decode_index(struct pyhd_decoded *g, unsigned char *data, size_t len, char *err,
                      size_t errlen);

/*
 * Where r (a record of g, pyhd__decode_index() succeeded or is in its second
 * pass) is: its 1-based position among all records and the byte offset of its
 * kind byte in the inflated stream, for messages. Scans the framing again.
 */
void pyhd__record_where(const struct pyhd_decoded *g, const struct pyhd_record *r,
                        size_t *recno, size_t *offset);

/* pyhd__decode_inflate() then pyhd__decode_index(). */
int pyhd__decode_open(struct pyhd_decoded *g, const unsigned char *z, size_t zlen,
                     uint64_t limit, char *err, size_t errlen);

void pyhd__decode_free(struct pyhd_decoded *g);

/* The record of object id (1..nobjects), or NULL for 0 and ids out of range. */
static inline const struct pyhd_record *pyhd__decode_obj(const struct pyhd_decoded *g, uint64_t id)
{
    return id >= 1 && id <= g->nobjects ? &g->objects[id - 1] : NULL;
}

/* The name of a record kind ("TUPLE"), or "unknown" for kinds this reader does not know. */
const char *pyhd__kind_name(unsigned kind);

/* Whether this reader knows kind in a dump of the given format version. */
int pyhd__kind_known(unsigned kind, uint64_t version);

/*
 * A read position inside a payload. The readers return 0, or -1 when the
 * payload ends first (which pyhd__decode_open() has ruled out for the fields
 * of every known kind).
 */
struct pyhd_cursor {
    const unsigned char *p;
    const unsigned char *end;
    uint64_t fresh_next;   /* the id the next reference "1" names */
    uint64_t fresh_end;    /* one past the record's last fresh id */
};

static inline struct pyhd_cursor pyhd__cursor(const struct pyhd_record *r)
{
    struct pyhd_cursor c = {r->payload, r->payload + r->len, r->first_fresh,
                            (uint64_t)r->first_fresh + r->nfresh};
    return c;
}

/* Most varints of a graph are one byte: read here, the rest by pyhd__varint_get(). */
static inline int pyhd__varint_next(const unsigned char **p, const unsigned char *end,
                                    uint64_t *v)
{
    if (*p < end && **p < 0x80) {
        *v = *(*p)++;
        return 0;
    }
    return pyhd__varint_get(p, end, v);
}

static inline int pyhd__cur_varint(struct pyhd_cursor *c, uint64_t *v)
{
    return pyhd__varint_next(&c->p, c->end, v);
}

static inline int pyhd__cur_svarint(struct pyhd_cursor *c, int64_t *v)
{
    uint64_t u;
    if (pyhd__varint_next(&c->p, c->end, &u) < 0)
        return -1;
    *v = pyhd__unzigzag(u);
    return 0;
}

/*
 * A reference (format.h): *id receives 0 (absent) or an id. Returns 0, -1 when
 * the payload ends first, -2 when the record has no fresh id left for a "1".
 * References must be read in payload order: each "1" takes the next fresh id.
 */
static inline int pyhd__cur_ref(struct pyhd_cursor *c, uint64_t *id)
{
    uint64_t r;
    if (pyhd__varint_next(&c->p, c->end, &r) < 0)
        return -1;
    if (r == 1) {
        if (c->fresh_next >= c->fresh_end)
            return -2;
        *id = c->fresh_next++;
    } else {
        *id = r == 0 ? 0 : r - 1;
    }
    return 0;
}

static inline int pyhd__cur_u8(struct pyhd_cursor *c, unsigned *v)
{
    if (c->p >= c->end)
        return -1;
    *v = *c->p++;
    return 0;
}

/* n raw bytes: *p points at them. */
static inline int pyhd__cur_bytes(struct pyhd_cursor *c, uint64_t n, const unsigned char **p)
{
    if ((uint64_t)(c->end - c->p) < n)
        return -1;
    *p = c->p;
    c->p += n;
    return 0;
}

/* A text field: varint length, then the bytes. */
static inline int pyhd__cur_text(struct pyhd_cursor *c, const unsigned char **p, size_t *n)
{
    uint64_t len;
    if (pyhd__cur_varint(c, &len) < 0 || pyhd__cur_bytes(c, len, p) < 0)
        return -1;
    *n = (size_t)len;
    return 0;
}

static inline size_t pyhd__cur_left(const struct pyhd_cursor *c)
{
    return (size_t)(c->end - c->p);
}

/*
 * A cursor on the list field whose PYHD_SEQ_AT or PYHD_LIST_AT slot is at,
 * positioned on its first element: references read through it name the
 * right fresh ids.
 */
static inline struct pyhd_cursor pyhd__field_cursor(const struct pyhd_record *r,
                                                    const uint64_t *at)
{
    struct pyhd_cursor c = {r->payload + at[0], r->payload + r->len, at[1],
                            (uint64_t)r->first_fresh + r->nfresh};
    return c;
}

/* The CRC-32 of n bytes, as zlib's crc32() computes it (with the CPU's carry-less
   multiply where it has one). */
uint32_t pyhd__crc32(const unsigned char *p, size_t n);

/* Whether DTYPE record dtype_id is an object dtype ("|O"): an NDARRAY of it holds ids. */
int pyhd__dtype_is_object(const struct pyhd_decoded *g, uint64_t dtype_id);

#endif /* PYHD_DECODE_H */
