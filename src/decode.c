/* decode.c: inflate graph.z and validate and index every record of the graph stream. */
#include "decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "pyhd/format.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* What pyhd__kind_name() says of a kind it does not know: compared by address. */
static const char unknown_kind[] = "unknown";

const char *pyhd__kind_name(unsigned kind)
{
    static const char *const names[] = {
        [PYHD_REC_NONE] = "NONE", [PYHD_REC_FALSE] = "FALSE", [PYHD_REC_TRUE] = "TRUE",
        [PYHD_REC_ELLIPSIS] = "ELLIPSIS", [PYHD_REC_NOTIMPL] = "NOTIMPL",
        [PYHD_REC_INT] = "INT", [PYHD_REC_BIGINT] = "BIGINT", [PYHD_REC_FLOAT] = "FLOAT",
        [PYHD_REC_COMPLEX] = "COMPLEX", [PYHD_REC_STR] = "STR", [PYHD_REC_BYTES] = "BYTES",
        [PYHD_REC_BYTEARRAY] = "BYTEARRAY", [PYHD_REC_TUPLE] = "TUPLE",
        [PYHD_REC_LIST] = "LIST", [PYHD_REC_SET] = "SET", [PYHD_REC_FROZENSET] = "FROZENSET",
        [PYHD_REC_DICT] = "DICT", [PYHD_REC_RANGE] = "RANGE", [PYHD_REC_SLICE] = "SLICE",
        [PYHD_REC_CLASS] = "CLASS", [PYHD_REC_INSTANCE] = "INSTANCE",
        [PYHD_REC_SUBCLASS] = "SUBCLASS", [PYHD_REC_EXCEPTION] = "EXCEPTION",
        [PYHD_REC_FUNCTION] = "FUNCTION", [PYHD_REC_METHOD] = "METHOD",
        [PYHD_REC_CODE] = "CODE", [PYHD_REC_CELL] = "CELL", [PYHD_REC_MODULE] = "MODULE",
        [PYHD_REC_FRAME] = "FRAME", [PYHD_REC_TRACEBACK] = "TRACEBACK",
        [PYHD_REC_GENERATOR] = "GENERATOR", [PYHD_REC_WEAKREF] = "WEAKREF",
        [PYHD_REC_REDUCED] = "REDUCED", [PYHD_REC_BUFFER] = "BUFFER",
        [PYHD_REC_OPAQUE] = "OPAQUE", [PYHD_REC_TRUNCATED] = "TRUNCATED",
        [PYHD_REC_REDACTED] = "REDACTED", [PYHD_REC_DESCRIPTOR] = "DESCRIPTOR",
        [PYHD_REC_PARTIAL] = "PARTIAL",
        [PYHD_REC_MATCH] = "MATCH", [PYHD_REC_LOCK] = "LOCK", [PYHD_REC_FILE] = "FILE",
        [PYHD_REC_FUTURE] = "FUTURE", [PYHD_REC_NDARRAY] = "NDARRAY",
        [PYHD_REC_DTYPE] = "DTYPE",
    };
    switch (kind) {
    case PYHD_REC_ROOTS:
        return "ROOTS";
    case PYHD_REC_THREAD:
        return "THREAD";
    case PYHD_REC_END:
        return "END";
    default:
        break;
    }
    if (kind < sizeof names / sizeof names[0] && names[kind])
        return names[kind];
    return unknown_kind;
}

/* ------------------------------------------------------------------------ */
/* Inflating */

/* MemAvailable of /proc/meminfo in bytes, else the physical memory, else no bound. */
static uint64_t memory_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[128];
    unsigned long long kib;
    long pages, page;
    if (f) {
        while (fgets(line, sizeof line, f)) {
            if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1) {
                fclose(f);
                return (uint64_t)kib * 1024;
            }
        }
        fclose(f);
    }
    pages = sysconf(_SC_PHYS_PAGES);
    page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0)
        return (uint64_t)pages * (uint64_t)page;
    return UINT64_MAX;
}

uint64_t pyhd__decode_limit(size_t zlen, uint64_t declared)
{
    uint64_t limit = declared ? declared : (uint64_t)zlen * PYHD_GRAPH_INFLATE_RATIO + 4096;
    uint64_t memory = memory_available();
    return limit < memory ? limit : memory;
}

int pyhd__decode_inflate(const unsigned char *z, size_t zlen, uint64_t limit,
                        unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
    z_stream zs;
    unsigned char *buf = NULL;
    size_t cap, len = 0;
    int rc;

    /* The bound: a stream larger than limit is refused rather than inflated. */
    if (limit > SIZE_MAX)
        limit = SIZE_MAX;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK) {
        set_err(err, errlen, "cannot inflate graph.z: out of memory");
        return -1;
    }
    /* Start at four times the compressed size and double: most graphs compress 3-8x. */
    cap = zlen < limit / 4 ? zlen * 4 + 4096 : (size_t)limit;
    if (cap > limit)
        cap = (size_t)limit;
    buf = malloc(cap ? cap : 1);
    if (!buf) {
        set_err(err, errlen, "cannot inflate graph.z: out of memory (%zu bytes)", cap);
        goto error;
    }
    zs.next_in = (unsigned char *)z;
    for (;;) {
        if (len == cap) {
            size_t ncap;
            unsigned char *nbuf;
            if (cap >= limit) {
                set_err(err, errlen,
                        "graph.z inflates past %llu bytes (%zu compressed): refusing it",
                        (unsigned long long)limit, zlen);
                goto error;
            }
            ncap = cap > limit / 2 ? (size_t)limit : cap * 2;
            nbuf = realloc(buf, ncap);
            if (!nbuf) {
                set_err(err, errlen, "cannot inflate graph.z: out of memory (%zu bytes)",
                        ncap);
                goto error;
            }
            buf = nbuf;
            cap = ncap;
        }
        /* zlib counts in uInt: feed and take at most 1 GiB at a time. */
        {
            size_t in_left = zlen - (size_t)(zs.next_in - z);
            size_t out_left = cap - len;
            zs.avail_in = (uInt)(in_left > (1u << 30) ? (1u << 30) : in_left);
            zs.next_out = buf + len;
            zs.avail_out = (uInt)(out_left > (1u << 30) ? (1u << 30) : out_left);
            rc = inflate(&zs, Z_NO_FLUSH);
            len = (size_t)(zs.next_out - buf);
        }
        if (rc == Z_STREAM_END)
            break;
        if (rc == Z_BUF_ERROR && (size_t)(zs.next_in - z) == zlen && len < cap) {
            set_err(err, errlen, "truncated graph.z (the zlib stream ends early, after %zu "
                    "bytes inflated)", len);
            goto error;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            set_err(err, errlen, "corrupt graph.z (zlib: %s, after %zu bytes inflated)",
                    zs.msg ? zs.msg : "error", len);
            goto error;
        }
    }
    if ((size_t)(zs.next_in - z) != zlen) {
        set_err(err, errlen, "corrupt graph.z (%zu bytes after the end of the zlib stream)",
                zlen - (size_t)(zs.next_in - z));
        goto error;
    }
    inflateEnd(&zs);
    *out = buf;
    *outlen = len;
    return 0;

error:
    inflateEnd(&zs);
    free(buf);
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Validating */

struct vctx {
    const struct pyhd_decoded *g;
    const struct pyhd_record *r;
    struct pyhd_cursor c;
    char *err;
    size_t errlen;
};

#define K(kind) ((uint64_t)1 << (kind))
#define ANY_KIND (~(uint64_t)0)

static int bad(struct vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct vctx *v, const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    set_err(v->err, v->errlen, "bad record %zu (byte %zu): %s: %s", v->r->recno,
            v->r->offset, pyhd__kind_name(v->r->kind), what);
    return -1;
}

static int short_payload(struct vctx *v)
{
    return bad(v, "payload ends early (%zu bytes)", v->r->len);
}

static int get_varint(struct vctx *v, uint64_t *x)
{
    if (pyhd__cur_varint(&v->c, x) == 0)
        return 0;
    if (pyhd__cur_left(&v->c) >= PYHD_VARINT_MAX)
        return bad(v, "a varint of more than 64 bits at payload byte %zu",
                   (size_t)(v->c.p - v->r->payload));
    return short_payload(v);
}

static int get_u8(struct vctx *v, unsigned *x)
{
    return pyhd__cur_u8(&v->c, x) < 0 ? short_payload(v) : 0;
}

static int skip(struct vctx *v, uint64_t n)
{
    const unsigned char *p;
    return pyhd__cur_bytes(&v->c, n, &p) < 0 ? short_payload(v) : 0;
}

/* The names of the kinds in mask, for a message: "MODULE or DICT". */
static void mask_names(uint64_t mask, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (unsigned k = 0; k < 64 && used < outlen; k++) {
        if (mask & K(k))
            used += (size_t)snprintf(out + used, outlen - used, "%s%s", used ? " or " : "",
                                     pyhd__kind_name(k));
    }
}

/*
 * Read an id field: it must be 0 (when zero_ok) or name an object whose kind
 * is in mask, or a TRUNCATED one.
 */
static int get_id(struct vctx *v, const char *field, uint64_t mask, int zero_ok, uint64_t *out)
{
    uint64_t id;
    const struct pyhd_record *t;
    int rc = pyhd__cur_ref(&v->c, &id);
    if (rc == -2)
        return bad(v, "%s refers to a fresh id, but the record's %llu are used up", field,
                   (unsigned long long)v->r->nfresh);
    if (rc < 0) {
        if (pyhd__cur_left(&v->c) >= PYHD_VARINT_MAX)
            return bad(v, "a varint of more than 64 bits at payload byte %zu",
                       (size_t)(v->c.p - v->r->payload));
        return short_payload(v);
    }
    if (id == 0) {
        if (!zero_ok)
            return bad(v, "%s id is 0 (absent) where an object is required", field);
    } else if (id > v->g->nobjects) {
        return bad(v, "%s id %llu out of range (the graph has %zu objects)", field,
                   (unsigned long long)id, v->g->nobjects);
    } else if (mask != ANY_KIND) {
        /* TRUNCATED stands for any object the size budget left out, a name included;
           REDACTED for any object redaction left out. */
        t = &v->g->objects[id - 1];
        if (t->kind != PYHD_REC_TRUNCATED && t->kind != PYHD_REC_REDACTED
            && (t->kind >= 64 || !(mask & K(t->kind)))) {
            char want[160];
            mask_names(mask, want, sizeof want);
            return bad(v, "%s id %llu is a %s, not a %s", field, (unsigned long long)id,
                       pyhd__kind_name(t->kind), want);
        }
    }
    if (out)
        *out = id;
    return 0;
}

static int get_ids(struct vctx *v, const char *field, uint64_t n, uint64_t mask)
{
    /* Every id takes at least one byte: a count past that is a lie, refused early. */
    if (n > pyhd__cur_left(&v->c))
        return bad(v, "%s count %llu exceeds the payload", field, (unsigned long long)n);
    for (uint64_t i = 0; i < n; i++) {
        if (get_id(v, field, mask, 1, NULL) < 0)
            return -1;
    }
    return 0;
}

/* varint original length, varint n, n ids (TUPLE, LIST, SET, FROZENSET). */
static int check_sequence(struct vctx *v)
{
    uint64_t orig = 0, n = 0;
    if (get_varint(v, &orig) < 0 || get_varint(v, &n) < 0)
        return -1;
    if (n > orig)
        return bad(v, "%llu items stored of %llu", (unsigned long long)n,
                   (unsigned long long)orig);
    return get_ids(v, "item", n, ANY_KIND);
}

static int check_dict(struct vctx *v)
{
    uint64_t orig = 0, n = 0;
    if (get_varint(v, &orig) < 0 || get_varint(v, &n) < 0)
        return -1;
    if (n > orig)
        return bad(v, "%llu items stored of %llu", (unsigned long long)n,
                   (unsigned long long)orig);
    if (n > pyhd__cur_left(&v->c) / 2)
        return bad(v, "item count %llu exceeds the payload", (unsigned long long)n);
    for (uint64_t i = 0; i < n; i++) {
        if (get_id(v, "key", ANY_KIND, 0, NULL) < 0 || get_id(v, "value", ANY_KIND, 1, NULL) < 0)
            return -1;
    }
    return 0;
}

static int check_str(struct vctx *v)
{
    unsigned width = 0;
    uint64_t orig;
    size_t left, count;
    if (get_u8(v, &width) < 0 || get_varint(v, &orig) < 0)
        return -1;
    if (width != 1 && width != 2 && width != 4)
        return bad(v, "code unit width %u (not 1, 2 or 4)", width);
    left = pyhd__cur_left(&v->c);
    if (left % width)
        return bad(v, "%zu bytes of text are not whole %u-byte code units", left, width);
    count = left / width;
    if (count > orig)
        return bad(v, "%zu code points stored of %llu", count, (unsigned long long)orig);
    if (width == 4) {
        for (size_t i = 0; i < count; i++) {
            const unsigned char *q = v->c.p + 4 * i;
            uint32_t cp = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
                          (uint32_t)q[3] << 24;
            if (cp > 0x10FFFF)
                return bad(v, "code point 0x%lx out of range at index %zu", (unsigned long)cp,
                           i);
        }
    }
    return 0;
}

static int check_bytes(struct vctx *v)
{
    uint64_t orig;
    if (get_varint(v, &orig) < 0)
        return -1;
    if (pyhd__cur_left(&v->c) > orig)
        return bad(v, "%zu bytes stored of %llu", pyhd__cur_left(&v->c),
                   (unsigned long long)orig);
    return 0;
}

static int check_bigint(struct vctx *v)
{
    unsigned sign = 0;
    uint64_t n;
    if (get_u8(v, &sign) < 0 || get_varint(v, &n) < 0)
        return -1;
    if (sign > 1)
        return bad(v, "sign byte %u (not 0 or 1)", sign);
    return skip(v, n);
}

/* The payload of one of the kinds a SUBCLASS may extend. */
static int check_base_payload(struct vctx *v, unsigned kind)
{
    uint64_t x;
    switch (kind) {
    case PYHD_REC_STR:
        return check_str(v);
    case PYHD_REC_BYTES:
    case PYHD_REC_BYTEARRAY:
        return check_bytes(v);
    case PYHD_REC_INT:
        return get_varint(v, &x);
    case PYHD_REC_BIGINT:
        return check_bigint(v);
    case PYHD_REC_FLOAT:
        return skip(v, 8);
    case PYHD_REC_COMPLEX:
        return skip(v, 16);
    case PYHD_REC_TUPLE:
    case PYHD_REC_LIST:
    case PYHD_REC_SET:
    case PYHD_REC_FROZENSET:
        return check_sequence(v);
    case PYHD_REC_DICT:
        return check_dict(v);
    default:
        return bad(v, "base kind 0x%02x (%s) cannot be subclassed", kind,
                   pyhd__kind_name(kind));
    }
}

/* class id, dict id, varint n, n x (slot name id, value id): INSTANCE and SUBCLASS. */
static int check_instance_head(struct vctx *v)
{
    uint64_t n;
    if (get_id(v, "class", K(PYHD_REC_CLASS), 0, NULL) < 0 ||
        get_id(v, "dict", K(PYHD_REC_DICT), 1, NULL) < 0 || get_varint(v, &n) < 0)
        return -1;
    if (n > pyhd__cur_left(&v->c) / 2)
        return bad(v, "slot count %llu exceeds the payload", (unsigned long long)n);
    for (uint64_t i = 0; i < n; i++) {
        if (get_id(v, "slot name", K(PYHD_REC_STR), 0, NULL) < 0 ||
            get_id(v, "slot value", ANY_KIND, 1, NULL) < 0)
            return -1;
    }
    return 0;
}

static int check_positions(struct vctx *v, int count)
{
    for (int i = 0; i < count; i++) {
        int64_t x;
        if (pyhd__cur_svarint(&v->c, &x) < 0)
            return short_payload(v);
    }
    return 0;
}

/* The readable C objects of format version 2 (PARTIAL to DTYPE). */
static int check_c_object(struct vctx *v)
{
    const uint64_t str = K(PYHD_REC_STR), cls = K(PYHD_REC_CLASS), tup = K(PYHD_REC_TUPLE);
    const uint64_t dict = K(PYHD_REC_DICT), dtype = K(PYHD_REC_DTYPE);
    uint64_t n = 0, x = 0;
    int64_t sx = 0;
    unsigned u = 0;

    switch (v->r->kind) {
    case PYHD_REC_PARTIAL:
        return get_id(v, "class", cls, 0, NULL) < 0 || get_id(v, "func", ANY_KIND, 0, NULL) < 0 ||
               get_id(v, "args", tup, 0, NULL) < 0 || get_id(v, "keywords", dict, 1, NULL) < 0 ||
               get_id(v, "dict", dict, 1, NULL) < 0 ? -1 : 0;
    case PYHD_REC_MATCH:
        if (get_id(v, "class", cls, 0, NULL) < 0 || get_id(v, "pattern", ANY_KIND, 0, NULL) < 0 ||
            get_id(v, "string", str | K(PYHD_REC_BYTES), 0, NULL) < 0 ||
            get_id(v, "regs", tup, 0, NULL) < 0)
            return -1;
        for (int i = 0; i < 3; i++)
            if (pyhd__cur_svarint(&v->c, &sx) < 0)
                return short_payload(v);
        return 0;
    case PYHD_REC_LOCK:
        return get_id(v, "class", cls, 0, NULL) < 0 || get_u8(v, &u) < 0 ||
               get_varint(v, &x) < 0 || get_varint(v, &x) < 0 ? -1 : 0;
    case PYHD_REC_FILE:
        if (get_id(v, "class", cls, 0, NULL) < 0 ||
            get_id(v, "name", str | K(PYHD_REC_INT) | K(PYHD_REC_BIGINT) | K(PYHD_REC_BYTES), 1,
                   NULL) < 0 ||
            get_id(v, "mode", str, 1, NULL) < 0 || get_id(v, "encoding", str, 1, NULL) < 0 ||
            get_u8(v, &u) < 0)
            return -1;
        if (pyhd__cur_svarint(&v->c, &sx) < 0)
            return short_payload(v);
        return get_id(v, "inner", ANY_KIND, 1, NULL);
    case PYHD_REC_FUTURE:
        if (get_id(v, "class", cls, 0, NULL) < 0 || get_id(v, "dict", dict, 1, NULL) < 0 ||
            get_u8(v, &u) < 0 || get_u8(v, &u) < 0)
            return -1;
        if (u > PYHD_FUTURESTATE_FINISHED)
            return bad(v, "future state %u unknown", u);
        return get_id(v, "result", ANY_KIND, 1, NULL) < 0 ||
               get_id(v, "exception", ANY_KIND, 1, NULL) < 0 ||
               get_id(v, "callbacks", K(PYHD_REC_LIST), 1, NULL) < 0 ||
               get_id(v, "name", ANY_KIND, 1, NULL) < 0 || get_id(v, "coro", ANY_KIND, 1, NULL) < 0 ||
               get_id(v, "waiter", ANY_KIND, 1, NULL) < 0 ? -1 : 0;
    case PYHD_REC_NDARRAY: {
        uint64_t ndim, dtype_id;
        if (get_id(v, "class", cls, 0, NULL) < 0 || get_id(v, "dtype", dtype, 0, &dtype_id) < 0 ||
            get_varint(v, &ndim) < 0)
            return -1;
        if (ndim > 64)
            return bad(v, "%llu dimensions (at most 64)", (unsigned long long)ndim);
        for (uint64_t i = 0; i < ndim; i++)
            if (get_varint(v, &x) < 0)
                return -1;
        for (uint64_t i = 0; i < ndim; i++)
            if (pyhd__cur_svarint(&v->c, &sx) < 0)
                return short_payload(v);
        if (get_id(v, "base", ANY_KIND, 1, NULL) < 0)
            return -1;
        if (pyhd__cur_svarint(&v->c, &sx) < 0)
            return short_payload(v);
        if (get_u8(v, &u) < 0)
            return -1;
        if (pyhd__dtype_is_object(v->g, dtype_id)) {
            if (get_varint(v, &x) < 0 || get_varint(v, &n) < 0)
                return -1;
            if (n > x)
                return bad(v, "%llu elements stored of %llu", (unsigned long long)n,
                           (unsigned long long)x);
            return get_ids(v, "element", n, ANY_KIND);
        }
        return check_bytes(v);
    }
    case PYHD_REC_DTYPE: {
        const unsigned char *text;
        size_t textlen;
        if (pyhd__cur_text(&v->c, &text, &textlen) < 0)
            return short_payload(v);
        if (get_varint(v, &x) < 0 || get_u8(v, &u) < 0 || get_varint(v, &n) < 0)
            return -1;
        if (n > pyhd__cur_left(&v->c) / 4)
            return bad(v, "field count %llu exceeds the payload", (unsigned long long)n);
        for (uint64_t i = 0; i < n; i++)
            if (get_id(v, "field name", str, 0, NULL) < 0 ||
                get_id(v, "field dtype", dtype, 0, NULL) < 0 || get_varint(v, &x) < 0 ||
                get_id(v, "field title", ANY_KIND, 1, NULL) < 0)
                return -1;
        return get_id(v, "subarray base", dtype, 1, NULL) < 0 ||
               get_id(v, "subarray shape", tup, 1, NULL) < 0 ? -1 : 0;
    }
    default:
        return 0;
    }
}

int pyhd__dtype_is_object(const struct pyhd_decoded *g, uint64_t dtype_id)
{
    const struct pyhd_record *d = pyhd__decode_obj(g, dtype_id);
    return d != NULL && d->kind == PYHD_REC_DTYPE && d->len >= 3 && d->payload[0] == 2
           && d->payload[2] == 'O';
}

static int check_object(struct vctx *v)
{
    const uint64_t str = K(PYHD_REC_STR), cls = K(PYHD_REC_CLASS), tup = K(PYHD_REC_TUPLE);
    const uint64_t dict = K(PYHD_REC_DICT), ints = K(PYHD_REC_INT) | K(PYHD_REC_BIGINT);
    uint64_t n = 0, x = 0;
    unsigned u = 0;

    switch (v->r->kind) {
    case PYHD_REC_NONE:
    case PYHD_REC_FALSE:
    case PYHD_REC_TRUE:
    case PYHD_REC_ELLIPSIS:
    case PYHD_REC_NOTIMPL:
        return 0;
    case PYHD_REC_INT:
    case PYHD_REC_BIGINT:
    case PYHD_REC_FLOAT:
    case PYHD_REC_COMPLEX:
    case PYHD_REC_STR:
    case PYHD_REC_BYTES:
    case PYHD_REC_BYTEARRAY:
    case PYHD_REC_TUPLE:
    case PYHD_REC_LIST:
    case PYHD_REC_SET:
    case PYHD_REC_FROZENSET:
    case PYHD_REC_DICT:
        return check_base_payload(v, v->r->kind);
    case PYHD_REC_RANGE:
        return get_id(v, "start", ints, 0, NULL) < 0 || get_id(v, "stop", ints, 0, NULL) < 0 ||
               get_id(v, "step", ints, 0, NULL) < 0 ? -1 : 0;
    case PYHD_REC_SLICE:
        return get_ids(v, "slice field", 3, ANY_KIND);
    case PYHD_REC_CLASS:
        return get_id(v, "name", str, 0, NULL) < 0 || get_id(v, "qualname", str, 0, NULL) < 0 ||
               get_id(v, "module", str, 0, NULL) < 0 || get_id(v, "bases", tup, 1, NULL) < 0 ||
               get_u8(v, &u) < 0 || get_id(v, "attrs", dict, 1, NULL) < 0 ? -1 : 0;
    case PYHD_REC_INSTANCE:
        return check_instance_head(v);
    case PYHD_REC_SUBCLASS:
        if (check_instance_head(v) < 0 || get_u8(v, &u) < 0)
            return -1;
        return check_base_payload(v, u);
    case PYHD_REC_EXCEPTION:
        if (get_id(v, "class", cls, 0, NULL) < 0 || get_id(v, "args", tup, 0, NULL) < 0 ||
            get_id(v, "dict", dict, 1, NULL) < 0 || get_id(v, "cause", ANY_KIND, 1, NULL) < 0 ||
            get_id(v, "context", ANY_KIND, 1, NULL) < 0 || get_u8(v, &u) < 0 ||
            get_id(v, "traceback", K(PYHD_REC_TRACEBACK), 1, NULL) < 0 || get_varint(v, &n) < 0)
            return -1;
        if (n > pyhd__cur_left(&v->c) / 2)
            return bad(v, "field count %llu exceeds the payload", (unsigned long long)n);
        for (uint64_t i = 0; i < n; i++) {
            if (get_id(v, "field name", str, 0, NULL) < 0 ||
                get_id(v, "field value", ANY_KIND, 1, NULL) < 0)
                return -1;
        }
        return 0;
    case PYHD_REC_FUNCTION:
        if (get_id(v, "name", str, 1, NULL) < 0 || get_id(v, "qualname", str, 1, NULL) < 0 ||
            get_id(v, "module", ANY_KIND, 1, NULL) < 0 ||
            get_id(v, "code", K(PYHD_REC_CODE), 1, NULL) < 0)
            return -1;
        /* Fields appended in format version 2: all five or none. */
        if (pyhd__cur_left(&v->c) == 0)
            return 0;
        return get_id(v, "defaults", tup, 1, NULL) < 0 ||
               get_id(v, "kwdefaults", dict, 1, NULL) < 0 ||
               get_id(v, "annotations", ANY_KIND, 1, NULL) < 0 ||
               get_id(v, "doc", ANY_KIND, 1, NULL) < 0 ||
               get_id(v, "closure", tup, 1, NULL) < 0 ? -1 : 0;
    case PYHD_REC_METHOD:
        return get_ids(v, "method field", 2, ANY_KIND);
    case PYHD_REC_CODE:
        if (get_id(v, "filename", str, 0, NULL) < 0 || get_id(v, "name", str, 0, NULL) < 0 ||
            get_id(v, "qualname", str, 0, NULL) < 0)
            return -1;
        for (int i = 0; i < 5; i++) {
            if (get_varint(v, &x) < 0)
                return -1;
        }
        return get_id(v, "varnames", tup, 0, NULL) < 0 || get_id(v, "cellvars", tup, 0, NULL) < 0 ||
               get_id(v, "freevars", tup, 0, NULL) < 0 ? -1 : 0;
    case PYHD_REC_CELL:
        return get_id(v, "contents", ANY_KIND, 1, NULL);
    case PYHD_REC_MODULE:
        return get_id(v, "name", str, 0, NULL) < 0 || get_id(v, "file", ANY_KIND, 1, NULL) < 0 ||
               get_id(v, "dict", dict, 1, NULL) < 0 ? -1 : 0;
    case PYHD_REC_FRAME:
        return get_id(v, "code", K(PYHD_REC_CODE), 0, NULL) < 0 || check_positions(v, 4) < 0 ||
               get_id(v, "locals", dict, 1, NULL) < 0 || get_id(v, "globals", dict, 1, NULL) < 0 ||
               get_id(v, "builtins", K(PYHD_REC_MODULE) | dict, 1, NULL) < 0 ||
               get_id(v, "back", K(PYHD_REC_FRAME), 1, NULL) < 0 ? -1 : 0;
    case PYHD_REC_TRACEBACK:
        return get_id(v, "frame", K(PYHD_REC_FRAME), 0, NULL) < 0 || check_positions(v, 4) < 0 ||
               get_id(v, "next", K(PYHD_REC_TRACEBACK), 1, NULL) < 0 ? -1 : 0;
    case PYHD_REC_GENERATOR:
        if (get_u8(v, &u) < 0 || get_id(v, "name", str, 1, NULL) < 0 ||
            get_id(v, "qualname", str, 1, NULL) < 0 ||
            get_id(v, "code", K(PYHD_REC_CODE), 1, NULL) < 0 || get_u8(v, &u) < 0)
            return -1;
        if (get_id(v, "frame", K(PYHD_REC_FRAME), 1, NULL) < 0)
            return -1;
        /* Version 2 appends what it awaits. */
        return pyhd__cur_left(&v->c) ? get_id(v, "await", ANY_KIND, 1, NULL) : 0;
    case PYHD_REC_WEAKREF:
        return get_id(v, "class", cls, 0, NULL) < 0 ||
               get_id(v, "referent", ANY_KIND, 1, NULL) < 0 ? -1 : 0;
    case PYHD_REC_REDUCED:
        return get_id(v, "class", cls, 0, NULL) < 0 || get_id(v, "args", tup, 0, NULL) < 0 ? -1 : 0;
    case PYHD_REC_BUFFER: {
        const unsigned char *fmt;
        size_t fmtlen;
        uint64_t ndim;
        if (get_id(v, "class", cls, 0, NULL) < 0)
            return -1;
        if (pyhd__cur_text(&v->c, &fmt, &fmtlen) < 0)
            return short_payload(v);
        if (get_varint(v, &x) < 0 || get_varint(v, &ndim) < 0)
            return -1;
        if (ndim > 64)
            return bad(v, "%llu dimensions (at most 64)", (unsigned long long)ndim);
        for (uint64_t i = 0; i < ndim; i++) {
            if (get_varint(v, &x) < 0)
                return -1;
        }
        if (get_u8(v, &u) < 0)
            return -1;
        return check_bytes(v);
    }
    case PYHD_REC_OPAQUE:
        return get_id(v, "class", cls, 0, NULL) < 0 || get_varint(v, &x) < 0 ||
               get_id(v, "repr", str, 1, NULL) < 0 || get_id(v, "reason", str, 1, NULL) < 0 ? -1 : 0;
    case PYHD_REC_TRUNCATED:
        return get_id(v, "class", cls, 0, NULL);
    case PYHD_REC_REDACTED:
        if (get_id(v, "class", cls, 0, NULL) < 0 || get_u8(v, &u) < 0 || get_varint(v, &x) < 0)
            return -1;
        if (u > PYHD_REDACTED_ITEMS)
            return bad(v, "redacted measure %u unknown", u);
        return 0;
    case PYHD_REC_DESCRIPTOR:
        if (get_u8(v, &u) < 0)
            return -1;
        if (u > PYHD_DESCR_STATICMETHOD)
            return bad(v, "descriptor flavour %u unknown", u);
        return get_id(v, "function", ANY_KIND, 1, NULL) < 0 ||
               get_id(v, "setter", ANY_KIND, 1, NULL) < 0 ||
               get_id(v, "deleter", ANY_KIND, 1, NULL) < 0 ||
               get_id(v, "doc", ANY_KIND, 1, NULL) < 0 ? -1 : 0;
    case PYHD_REC_PARTIAL:
    case PYHD_REC_MATCH:
    case PYHD_REC_LOCK:
    case PYHD_REC_FILE:
    case PYHD_REC_FUTURE:
    case PYHD_REC_NDARRAY:
    case PYHD_REC_DTYPE:
        return check_c_object(v);
    default:
        return 0;  /* an object kind this reader does not know: rebuilt as a placeholder */
    }
}

static int check_roots(struct vctx *v)
{
    uint64_t n;
    if (get_varint(v, &n) < 0)
        return -1;
    if (n > pyhd__cur_left(&v->c) / 2)
        return bad(v, "root count %llu exceeds the payload", (unsigned long long)n);
    for (uint64_t i = 0; i < n; i++) {
        const unsigned char *key;
        size_t keylen;
        if (pyhd__cur_text(&v->c, &key, &keylen) < 0)
            return short_payload(v);
        if (get_id(v, "root", ANY_KIND, 1, NULL) < 0)
            return -1;
    }
    return 0;
}

static int check_thread(struct vctx *v)
{
    uint64_t x;
    unsigned flags = 0;
    const unsigned char *name;
    size_t namelen;
    if (get_varint(v, &x) < 0 || get_varint(v, &x) < 0)
        return -1;
    if (pyhd__cur_text(&v->c, &name, &namelen) < 0)
        return short_payload(v);
    if (get_u8(v, &flags) < 0)
        return -1;
    return get_id(v, "frame", K(PYHD_REC_FRAME), 1, NULL);
}

/* ------------------------------------------------------------------------ */
/* Indexing */

static int grow(void **arr, size_t *cap, size_t need, size_t size)
{
    size_t ncap;
    void *n;
    if (need <= *cap)
        return 0;
    ncap = *cap ? *cap * 2 : 1024;
    while (ncap < need)
        ncap *= 2;
    n = realloc(*arr, ncap * size);
    if (!n)
        return -1;
    *arr = n;
    *cap = ncap;
    return 0;
}

void pyhd__decode_free(struct pyhd_decoded *g)
{
    free(g->data);
    free(g->objects);
    free(g->threads);
    memset(g, 0, sizeof *g);
}

int pyhd__decode_index(struct pyhd_decoded *g, unsigned char *data, size_t len, char *err,
                      size_t errlen)
{
    const unsigned char *p, *end = data + len;
    size_t objcap = 0, thrcap = 0, recno = 0;
    int have_roots = 0, have_end = 0;
    uint64_t end_count = 0;
    uint64_t next_fresh = 1;  /* the id the next record's fresh ids start at */
    uint32_t end_crc = 0;
    size_t end_offset = 0;

    memset(g, 0, sizeof *g);
    g->data = data;
    g->len = len;
    if (len < PYHD_GRAPH_MAGIC_LEN || memcmp(data, PYHD_GRAPH_MAGIC, PYHD_GRAPH_MAGIC_LEN)) {
        set_err(err, errlen, "not a pyhd graph (bad magic at the start of graph.z)");
        goto error;
    }
    p = data + PYHD_GRAPH_MAGIC_LEN;
    if (pyhd__varint_get(&p, end, &g->version) < 0) {
        set_err(err, errlen, "truncated graph at the format version (byte %d)",
                PYHD_GRAPH_MAGIC_LEN);
        goto error;
    }
    if (g->version > PYHD_FORMAT_VERSION || g->version == 0) {
        set_err(err, errlen, "unsupported format version %llu (this pyhd-debug reads %d)",
                (unsigned long long)g->version, PYHD_FORMAT_VERSION);
        goto error;
    }

    /* Pass 1: the framing of every record, up to and including END. */
    while (!have_end) {
        struct pyhd_record r;
        uint64_t plen;
        r.offset = (size_t)(p - data);
        r.recno = ++recno;
        if (p >= end) {
            set_err(err, errlen, "truncated graph at record %zu (byte %zu)", r.recno, r.offset);
            goto error;
        }
        r.kind = *p++;
        if (pyhd__varint_get(&p, end, &r.nfresh) < 0
            || pyhd__varint_get(&p, end, &plen) < 0) {
            if (end - p >= PYHD_VARINT_MAX)
                set_err(err, errlen, "bad record %zu (byte %zu): a framing varint "
                        "of more than 64 bits", r.recno, r.offset);
            else
                set_err(err, errlen, "truncated graph at record %zu (byte %zu)", r.recno,
                        r.offset);
            goto error;
        }
        if (plen > (uint64_t)(end - p)) {
            set_err(err, errlen, "truncated graph at record %zu (byte %zu): %s payload of %llu "
                    "bytes, %zu left", r.recno, r.offset, pyhd__kind_name(r.kind),
                    (unsigned long long)plen, (size_t)(end - p));
            goto error;
        }
        r.payload = p;
        r.len = (size_t)plen;
        p += plen;
        /* Each fresh id gets a record of at least 3 bytes: more is a lie. */
        if (r.nfresh > (uint64_t)(end - data)) {
            set_err(err, errlen, "bad record %zu (byte %zu): %llu fresh ids in a graph of %zu "
                    "bytes", r.recno, r.offset, (unsigned long long)r.nfresh, len);
            goto error;
        }
        r.first_fresh = next_fresh;
        next_fresh += r.nfresh;
        if (r.recno == 1 && r.kind != PYHD_REC_ROOTS) {
            set_err(err, errlen, "bad record 1 (byte %zu): the first record is a %s, not ROOTS",
                    r.offset, pyhd__kind_name(r.kind));
            goto error;
        }
        if (r.kind < PYHD_KIND_META_FIRST) {
            if (grow((void **)&g->objects, &objcap, g->nobjects + 1, sizeof r) < 0)
                goto nomem;
            g->objects[g->nobjects++] = r;
            if (pyhd__kind_name(r.kind) == unknown_kind)
                g->nunknown++;  /* rebuilt as a placeholder that still takes its id */
        } else if (r.kind == PYHD_REC_ROOTS) {
            if (have_roots) {
                set_err(err, errlen, "bad record %zu (byte %zu): a second ROOTS record",
                        r.recno, r.offset);
                goto error;
            }
            have_roots = 1;
            g->roots = r;
        } else if (r.kind == PYHD_REC_THREAD) {
            if (grow((void **)&g->threads, &thrcap, g->nthreads + 1, sizeof r) < 0)
                goto nomem;
            g->threads[g->nthreads++] = r;
        } else if (r.kind == PYHD_REC_END) {
            struct pyhd_cursor c = pyhd__cursor(&r);
            const unsigned char *q;
            if (pyhd__cur_varint(&c, &end_count) < 0 || pyhd__cur_bytes(&c, 4, &q) < 0) {
                set_err(err, errlen, "bad record %zu (byte %zu): END: payload ends early "
                        "(%zu bytes)", r.recno, r.offset, r.len);
                goto error;
            }
            if (r.nfresh != 0) {
                set_err(err, errlen, "bad record %zu (byte %zu): END hands out %llu fresh ids",
                        r.recno, r.offset, (unsigned long long)r.nfresh);
                goto error;
            }
            end_crc = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
                      (uint32_t)q[3] << 24;
            end_offset = r.offset;
            have_end = 1;
        } else {
            g->nunknown++;
        }
    }
    if (p != end) {
        set_err(err, errlen, "%zu bytes of trailing data after the END record (byte %zu)",
                (size_t)(end - p), (size_t)(p - data));
        goto error;
    }
    {
        /* zlib's crc32 takes a uInt length: feed it in pieces. */
        uLong crc = crc32(0L, Z_NULL, 0);
        size_t done = 0;
        while (done < end_offset) {
            size_t n = end_offset - done > (1u << 30) ? (1u << 30) : end_offset - done;
            crc = crc32(crc, data + done, (uInt)n);
            done += n;
        }
        if ((uint32_t)crc != end_crc) {
            set_err(err, errlen, "bad checksum in graph.z (CRC-32 %08lx, END says %08lx)",
                    (unsigned long)(uint32_t)crc, (unsigned long)end_crc);
            goto error;
        }
    }
    if (end_count != g->nobjects) {
        set_err(err, errlen, "bad END record: object count %llu, but the graph has %zu objects",
                (unsigned long long)end_count, g->nobjects);
        goto error;
    }
    if (!have_roots) {
        set_err(err, errlen, "no ROOTS record in the graph");
        goto error;
    }
    if (next_fresh - 1 > g->nobjects) {
        set_err(err, errlen, "bad graph: its records hand out %llu fresh ids, but it has %zu "
                "objects", (unsigned long long)(next_fresh - 1), g->nobjects);
        goto error;
    }

    /* Pass 2: the payloads, now that every id's kind is known. */
    {
        struct vctx v = {g, NULL, {NULL, NULL, 0, 0}, err, errlen};
        for (size_t i = 0; i < g->nobjects; i++) {
            v.r = &g->objects[i];
            v.c = pyhd__cursor(v.r);
            if (check_object(&v) < 0)
                goto error;
        }
        v.r = &g->roots;
        v.c = pyhd__cursor(v.r);
        if (check_roots(&v) < 0)
            goto error;
        for (size_t i = 0; i < g->nthreads; i++) {
            v.r = &g->threads[i];
            v.c = pyhd__cursor(v.r);
            if (check_thread(&v) < 0)
                goto error;
        }
    }
    return 0;

nomem:
    set_err(err, errlen, "out of memory indexing the graph (%zu records)", recno);
error:
    pyhd__decode_free(g);
    return -1;
}

int pyhd__decode_open(struct pyhd_decoded *g, const unsigned char *z, size_t zlen,
                     uint64_t limit, char *err, size_t errlen)
{
    unsigned char *data = NULL;
    size_t len = 0;
    memset(g, 0, sizeof *g);
    if (pyhd__decode_inflate(z, zlen, limit, &data, &len, err, errlen) < 0)
        return -1;
    return pyhd__decode_index(g, data, len, err, errlen);
}
