/* decode.c: inflate graph.z and validate and index every record of the graph stream. */
#define _POSIX_C_SOURCE 200809L  /* O_CLOEXEC */
#include "decode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* ------------------------------------------------------------------------ */
/* Inflating */

/* MemAvailable of /proc/meminfo in bytes, else the physical memory, else no bound.
   Asked at every load: read with one read(2) and scanned in place (stdio's
   buffering, fgets and sscanf per line cost more than the kernel's own text). */
static uint64_t memory_available(void)
{
    static const char key[] = "MemAvailable:";
    char text[4096];
    ssize_t n = -1;
    long pages, page;
    int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        do
            n = read(fd, text, sizeof text - 1);
        while (n < 0 && errno == EINTR);
        close(fd);
    }
    if (n > 0) {
        const char *p;
        text[n] = '\0';
        for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
            if (!strncmp(p, key, sizeof key - 1)) {
                uint64_t kib = 0;
                int digits = 0;
                for (p += sizeof key - 1; *p == ' '; p++)
                    ;
                for (; *p >= '0' && *p <= '9' && kib < UINT64_MAX / 1024 / 10; p++, digits++)
                    kib = kib * 10 + (uint64_t)(*p - '0');
                if (digits && !strncmp(p, " kB", 3))
                    return kib * 1024;
                break;
            }
        }
    }
    pages = sysconf(_SC_PHYS_PAGES);
    page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0)
        return (uint64_t)pages * (uint64_t)page;
    return UINT64_MAX;
}

/* Below this, a limit is not compared with the memory available: a machine that
   cannot spare it cannot run the debugger's Python either, and reading
   /proc/meminfo costs more than inflating a small dump (a tenth of a 10^4-object
   load's fixed cost). */
#define LIMIT_WITHOUT_MEMINFO ((uint64_t)64 << 20)

uint64_t pyhd__decode_limit(size_t zlen, uint64_t declared)
{
    uint64_t limit = declared ? declared : (uint64_t)zlen * PYHD_GRAPH_INFLATE_RATIO + 4096;
    uint64_t memory;
    if (limit > PYHD_GRAPH_MAX)
        limit = PYHD_GRAPH_MAX;  /* pyhd__decode_index() reads no larger graph */
    if (limit <= LIMIT_WITHOUT_MEMINFO)
        return limit;
    memory = memory_available();
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
    /* One checksum, not two: the END record's CRC-32 covers every inflated byte before
       it, and pyhd__decode_index() checks END itself field by field, so zlib's adler32
       of the same bytes would add no protection, only a second pass over them. zlib
       still reads its trailer, so a stream cut short is refused as before. */
    inflateValidate(&zs, 0);
    /* Start at four times the compressed size and double: most graphs compress 3-8x.
       A limit below the default ratio's is a size the MANIFEST declares (Graph-Size,
       pyhd__decode_limit()): start there, so that the buffer is not copied as it grows. */
    cap = zlen < limit / 4 ? zlen * 4 + 4096 : (size_t)limit;
    if (limit < (uint64_t)zlen * PYHD_GRAPH_INFLATE_RATIO + 4096 && limit > cap) {
        buf = malloc((size_t)limit);
        if (buf)
            cap = (size_t)limit;
    }
    if (cap > limit)
        cap = (size_t)limit;
    if (!buf)
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
/* The checksum */

/* zlib's crc32 of n bytes (it takes a uInt length: fed in pieces), after crc. */
static uint32_t crc32_zlib(uint32_t crc, const unsigned char *p, size_t n)
{
    while (n) {
        uInt piece = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = (uint32_t)crc32(crc, p, piece);
        p += piece;
        n -= piece;
    }
    return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PYHD_HAVE_CLMUL_CRC 1

/*
 * The CRC-32 register (not inverted) after the n bytes at p (n >= 64, a
 * multiple of 16), folded 64 bytes at a time with carry-less multiplies,
 * then reduced to 32 bits (Barrett), as in Intel's "Fast CRC Computation
 * for Generic Polynomials Using PCLMULQDQ" for the reflected polynomial
 * 0xEDB88320. The constants are x^k mod P(x) for the fold distances.
 */
__attribute__((target("pclmul,sse2"))) static uint32_t crc32_clmul(uint32_t crc,
                                                                    const unsigned char *p,
                                                                    size_t n)
{
    const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);  /* 4x128 - 32, +64 */
    const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);  /* 128 - 32, +64 */
    const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124);              /* 64 */
    const __m128i poly = _mm_set_epi64x(0x1f7011641, 0x1db710641);  /* mu, P(x) */
    const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
    __m128i x1 = _mm_loadu_si128((const __m128i *)p);
    __m128i x2 = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i x4 = _mm_loadu_si128((const __m128i *)(p + 48));
    __m128i t;

    x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
    p += 64;
    n -= 64;
#define FOLD(x, k, next) \
    (t = _mm_clmulepi64_si128((x), (k), 0x11), \
     _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128((x), (k), 0x00), t), (next)))
    for (; n >= 64; p += 64, n -= 64) {
        x1 = FOLD(x1, k1k2, _mm_loadu_si128((const __m128i *)p));
        x2 = FOLD(x2, k1k2, _mm_loadu_si128((const __m128i *)(p + 16)));
        x3 = FOLD(x3, k1k2, _mm_loadu_si128((const __m128i *)(p + 32)));
        x4 = FOLD(x4, k1k2, _mm_loadu_si128((const __m128i *)(p + 48)));
    }
    x1 = FOLD(x1, k3k4, x2);
    x1 = FOLD(x1, k3k4, x3);
    x1 = FOLD(x1, k3k4, x4);
    for (; n >= 16; p += 16, n -= 16)
        x1 = FOLD(x1, k3k4, _mm_loadu_si128((const __m128i *)p));
#undef FOLD
    /* 128 bits to 64 (with 32 zero bits appended), to 32 + 64, then Barrett. */
    x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), _mm_clmulepi64_si128(k3k4, x1, 0x01));
    x2 = _mm_srli_si128(x1, 4);
    x1 = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, mask32), k5, 0x00), x2);
    x2 = x1;
    x1 = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), poly, 0x10);
    x1 = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), poly, 0x00);
    x1 = _mm_xor_si128(x1, x2);
    return (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(x1, 4));
}
#endif

uint32_t pyhd__crc32(const unsigned char *p, size_t n)
{
#ifdef PYHD_HAVE_CLMUL_CRC
    /* About 4 instructions a byte for zlib's tables, a third of one this way: the
       checksum is read over every byte of the graph at every load. */
    if (n >= 64 && __builtin_cpu_supports("pclmul")) {
        size_t head = n & ~(size_t)15;
        uint32_t crc = ~crc32_clmul(0xFFFFFFFFu, p, head);
        return crc32_zlib(crc, p + head, n - head);
    }
#endif
    return crc32_zlib(0, p, n);
}

/* ------------------------------------------------------------------------ */
/* Validating */

struct vctx {
    const struct pyhd_decoded *g;
    const struct pyhd_record *r;
    struct pyhd_cursor c;
    char *err;
    size_t errlen;
    size_t ntrailing;
};

#define K(kind) ((uint64_t)1 << (kind))
#define ANY_KIND (~(uint64_t)0)

static int bad(struct vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct vctx *v, const char *fmt, ...)
{
    char what[200];
    size_t recno, offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    pyhd__record_where(v->g, v->r, &recno, &offset);
    set_err(v->err, v->errlen, "bad record %zu (byte %zu): %s: %s", recno, offset,
            pyhd__kind_name(v->r->kind), what);
    return -1;
}

static int short_payload(struct vctx *v)
{
    return bad(v, "payload ends early (%zu bytes)", (size_t)v->r->len);
}

static int bad_varint(struct vctx *v)
{
    if (pyhd__cur_left(&v->c) >= PYHD_VARINT_MAX)
        return bad(v, "a varint of more than 64 bits at payload byte %zu",
                   (size_t)(v->c.p - v->r->payload));
    return short_payload(v);
}

/* Inline: every record has some; what is wrong is said out of line. */
static inline int get_varint(struct vctx *v, uint64_t *x)
{
    return pyhd__cur_varint(&v->c, x) == 0 ? 0 : bad_varint(v);
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

/*
 * get_id() for one REF field, inlined into each check_KIND with the field's
 * mask a constant: a one- or two-byte reference that passes get_id()'s checks
 * is taken here (most do: an instance's class and dict, a REDUCED's class and
 * args); any other is read again by get_id(), which says what is wrong with it.
 */
static inline __attribute__((always_inline)) int get_ref(struct vctx *v, const char *field,
                                                         uint64_t mask, int zero_ok,
                                                         uint64_t *out)
{
    const unsigned char *q = v->c.p;
    uint64_t r, id;
    if (q < v->c.end && *q < 0x80) {
        r = *q++;
    } else if (v->c.end - q >= 2 && q[1] < 0x80) {
        r = (uint64_t)(q[0] & 0x7F) | (uint64_t)q[1] << 7;
        q += 2;
    } else {
        return get_id(v, field, mask, zero_ok, out);
    }
    if (r == 1) {
        if (v->c.fresh_next >= v->c.fresh_end)
            return get_id(v, field, mask, zero_ok, out);
        id = v->c.fresh_next;
    } else if (r == 0) {
        if (!zero_ok)
            return get_id(v, field, mask, zero_ok, out);
        id = 0;
    } else {
        id = r - 1;
    }
    if (id > v->g->nobjects)
        return get_id(v, field, mask, zero_ok, out);
    if (id && mask != ANY_KIND) {
        unsigned kind = v->g->objects[id - 1].kind;
        if (kind != PYHD_REC_TRUNCATED && kind != PYHD_REC_REDACTED &&
            (kind >= 64 || !(mask & K(kind))))
            return get_id(v, field, mask, zero_ok, out);
    }
    if (r == 1)
        v->c.fresh_next++;
    v->c.p = q;
    *out = id;
    return 0;
}

/*
 * nrefs references of any kind at v->c, the even ones (a key) not absent when
 * keys is set: the checks of get_id() for ANY_KIND. The hot loop of the
 * validator (the items of every tuple, list, set and dict), so the checks are
 * made here, one- and two-byte references read inline; a reference that fails
 * one is read again by get_id(), which says what is wrong with it.
 */
static int get_any_ids(struct vctx *v, uint64_t nrefs, int keys)
{
    const unsigned char *p = v->c.p, *end = v->c.end;
    uint64_t fresh = v->c.fresh_next, fresh_end = v->c.fresh_end, nobjects = v->g->nobjects;
    for (uint64_t i = 0; i < nrefs; i++) {
        const unsigned char *q = p;
        uint64_t r;
        if (q < end && *q < 0x80) {
            r = *q++;
        } else if (end - q >= 2 && q[1] < 0x80) {
            /* An id below 16384: the other common case. */
            r = (uint64_t)(q[0] & 0x7F) | (uint64_t)q[1] << 7;
            q += 2;
        } else if (pyhd__varint_get(&q, end, &r) < 0) {
            goto slow;
        }
        if (r == 1) {
            if (fresh >= fresh_end)
                goto slow;
            fresh++;
        } else if (r == 0 ? keys && !(i & 1) : r - 1 > nobjects) {
            goto slow;
        }
        p = q;
        continue;
    slow:
        /* get_id() reads the same reference again and says what is wrong with it. */
        v->c.p = p;
        v->c.fresh_next = fresh;
        if (get_id(v, !keys ? "item" : i & 1 ? "value" : "key", ANY_KIND, !keys || (i & 1),
                   NULL) == 0)
            return bad(v, "reference %llu read in two ways", (unsigned long long)i);
        return -1;
    }
    v->c.p = p;
    v->c.fresh_next = fresh;
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

/* A field of format.h's table: one per field of every kind (fd_KIND_name below). */
struct field {
    const char *name;
    const char *part[2];  /* the names of a list element's parts, for messages */
    unsigned type;        /* PYHD_FT_* */
    unsigned flags;       /* PYHD_FF_* */
    uint64_t arg;
};

/* DTFIELDS elements name a dtype, PAIRS elements a value. */
#define FIELD(kind, name, type, arg, flags) \
    static const struct field fd_##kind##_##name = { \
        #name, \
        {#name " name", PYHD_FT_##type == PYHD_FT_DTFIELDS ? #name " dtype" : #name " value"}, \
        PYHD_FT_##type, flags, (uint64_t)(arg)};
#define FIELDS(kind, since) PYHD_FIELDS_##kind(FIELD)
PYHD_OBJECT_KINDS(FIELDS)
PYHD_META_KINDS(FIELDS)
#undef FIELDS
#undef FIELD

/* check_KIND(v, f): validate a record of KIND at v->c, its fields into its slots f. */
#define CHECK(kind, since) static int check_##kind(struct vctx *v, uint64_t *f);
PYHD_OBJECT_KINDS(CHECK)
PYHD_META_KINDS(CHECK)
#undef CHECK

/* The kinds this reader knows: their names, the version that brought each, their checks. */
struct kind {
    const char *name;
    unsigned since;
    int (*check)(struct vctx *v, uint64_t *f);
    unsigned nslots;
};

#define KIND(kind, since) [PYHD_REC_##kind] = {#kind, since, check_##kind, PYHD_NS_##kind},
static const struct kind kinds[256] = {PYHD_OBJECT_KINDS(KIND) PYHD_META_KINDS(KIND)};
#undef KIND

const char *pyhd__kind_name(unsigned kind)
{
    if (kind == PYHD_REC_END)
        return "END";
    return kind < 256 && kinds[kind].name ? kinds[kind].name : "unknown";
}

/* Inline: the indexer asks for every record. */
static inline int known(unsigned kind, uint64_t version)
{
    return kind < 256 && kinds[kind].name && kinds[kind].since <= version;
}

int pyhd__kind_known(unsigned kind, uint64_t version)
{
    return known(kind, version);
}

/*
 * Per kind, for a dump of one version: the slots a record of it has, or -1
 * for a kind this reader does not know. Made once per graph: the indexer
 * asks for every record, twice.
 */
static void kind_slots_table(uint64_t version, int16_t table[256])
{
    for (unsigned kind = 0; kind < 256; kind++)
        table[kind] = known(kind, version) ? (int16_t)kinds[kind].nslots : -1;
}

static size_t payload_at(const struct vctx *v)
{
    return (size_t)(v->c.p - v->r->payload);
}

/* STRDATA: u8 width, varint original length, code units to the end. */
static int check_str(struct vctx *v, uint64_t *s)
{
    unsigned width = 0;
    uint64_t orig = 0;
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
    s[PYHD_STR_WIDTH] = width;
    s[PYHD_STR_LENGTH] = orig;
    s[PYHD_STR_AT] = payload_at(v);
    s[PYHD_STR_COUNT] = count;
    v->c.p = v->c.end;
    return 0;
}

/* BYTESDATA: varint original length, stored bytes to the end. */
static int check_bytes(struct vctx *v, uint64_t *s)
{
    uint64_t orig = 0;
    if (get_varint(v, &orig) < 0)
        return -1;
    if (pyhd__cur_left(&v->c) > orig)
        return bad(v, "%zu bytes stored of %llu", pyhd__cur_left(&v->c),
                   (unsigned long long)orig);
    s[PYHD_DATA_LENGTH] = orig;
    s[PYHD_DATA_AT] = payload_at(v);
    s[PYHD_DATA_STORED] = pyhd__cur_left(&v->c);
    v->c.p = v->c.end;
    return 0;
}

/*
 * ITEMS and MAP: varint original length, varint n, n ids or n (key, value)
 * pairs. Inlined into the check of each kind that has one (pairs then a
 * constant): the items of tuples, lists, sets and dicts are most of a graph.
 */
static inline __attribute__((always_inline)) int check_seq(struct vctx *v, int pairs,
                                                           uint64_t *s)
{
    uint64_t orig = 0, n = 0;
    if (get_varint(v, &orig) < 0 || get_varint(v, &n) < 0)
        return -1;
    if (n > orig)
        return bad(v, "%llu items stored of %llu", (unsigned long long)n,
                   (unsigned long long)orig);
    s[PYHD_SEQ_LENGTH] = orig;
    s[PYHD_SEQ_N] = n;
    s[PYHD_SEQ_AT] = payload_at(v);
    s[PYHD_SEQ_AT + 1] = v->c.fresh_next;
    /* Every id takes at least one byte: a count past that is a lie, refused early. */
    if (n > pyhd__cur_left(&v->c) / (pairs ? 2 : 1))
        return bad(v, "item count %llu exceeds the payload", (unsigned long long)n);
    return get_any_ids(v, pairs ? 2 * n : n, pairs);
}

/*
 * PAIRS, DTFIELDS and ROOTLIST: varint n, then n elements of at least
 * minsize bytes each.
 */
static int check_list(struct vctx *v, const struct field *fd, uint64_t *s)
{
    uint64_t n = 0, x = 0;
    unsigned minsize = fd->type == PYHD_FT_DTFIELDS ? 4 : 2;
    if (get_varint(v, &n) < 0)
        return -1;
    if (n > pyhd__cur_left(&v->c) / minsize)
        return bad(v, "%s count %llu exceeds the payload", fd->name, (unsigned long long)n);
    s[PYHD_LIST_N] = n;
    s[PYHD_LIST_AT] = payload_at(v);
    s[PYHD_LIST_AT + 1] = v->c.fresh_next;
    for (uint64_t i = 0; i < n; i++) {
        if (fd->type == PYHD_FT_ROOTLIST) {
            const unsigned char *key;
            size_t keylen;
            if (pyhd__cur_text(&v->c, &key, &keylen) < 0)
                return short_payload(v);
            if (get_id(v, fd->name, ANY_KIND, 1, NULL) < 0)
                return -1;
        } else if (fd->type == PYHD_FT_PAIRS) {
            if (get_id(v, fd->part[0], K(PYHD_REC_STR), 0, NULL) < 0 ||
                get_id(v, fd->part[1], ANY_KIND, 1, NULL) < 0)
                return -1;
        } else if (get_id(v, fd->part[0], K(PYHD_REC_STR), 0, NULL) < 0 ||
                   get_id(v, fd->part[1], K(PYHD_REC_DTYPE), 0, NULL) < 0 ||
                   get_varint(v, &x) < 0 ||
                   get_id(v, "field title", ANY_KIND, 1, NULL) < 0) {
            return -1;
        }
    }
    return 0;
}

/* DIMS and SHAPE: varint ndim (at most 64), ndim varints, and for SHAPE ndim svarints. */
static int check_dims(struct vctx *v, int strides, uint64_t *s)
{
    uint64_t ndim = 0, x = 0;
    int64_t sx;
    if (get_varint(v, &ndim) < 0)
        return -1;
    if (ndim > 64)
        return bad(v, "%llu dimensions (at most 64)", (unsigned long long)ndim);
    s[PYHD_DIMS_N] = ndim;
    s[PYHD_DIMS_AT] = payload_at(v);
    for (uint64_t i = 0; i < ndim; i++) {
        if (get_varint(v, &x) < 0)
            return -1;
    }
    for (uint64_t i = 0; strides && i < ndim; i++) {
        if (pyhd__cur_svarint(&v->c, &sx) < 0)
            return short_payload(v);
    }
    return 0;
}

/* ELEMENTS: ids for an object dtype, else bytes. f holds the record's slots so far. */
static int check_elements(struct vctx *v, const struct field *fd, const uint64_t *f, uint64_t *s)
{
    uint64_t orig = 0, n = 0;
    if (!pyhd__dtype_is_object(v->g, f[fd->arg])) {
        uint64_t data[PYHD_NSLOTS_BYTESDATA] = {0};
        if (check_bytes(v, data) < 0)
            return -1;
        s[PYHD_ELEM_OBJECT] = 0;
        s[PYHD_ELEM_LENGTH] = data[PYHD_DATA_LENGTH];
        s[PYHD_ELEM_N] = data[PYHD_DATA_STORED];
        s[PYHD_ELEM_AT] = data[PYHD_DATA_AT];
        return 0;
    }
    if (get_varint(v, &orig) < 0 || get_varint(v, &n) < 0)
        return -1;
    if (n > orig)
        return bad(v, "%llu elements stored of %llu", (unsigned long long)n,
                   (unsigned long long)orig);
    s[PYHD_ELEM_OBJECT] = 1;
    s[PYHD_ELEM_LENGTH] = orig;
    s[PYHD_ELEM_N] = n;
    s[PYHD_ELEM_AT] = payload_at(v);
    s[PYHD_ELEM_AT + 1] = v->c.fresh_next;
    return get_ids(v, "element", n, ANY_KIND);
}

/* BASE: u8 base kind, then that kind's payload. */
static int check_base(struct vctx *v, uint64_t *s)
{
    unsigned kind = 0;
    if (get_u8(v, &kind) < 0)
        return -1;
    _Static_assert(PYHD_NS_STR <= PYHD_NSLOTS_BASE - 1 && PYHD_NS_BYTES <= PYHD_NSLOTS_BASE - 1 &&
                       PYHD_NS_TUPLE <= PYHD_NSLOTS_BASE - 1 &&
                       PYHD_NS_DICT <= PYHD_NSLOTS_BASE - 1 &&
                       PYHD_NS_DATETIME <= PYHD_NSLOTS_BASE - 1,
                   "a BASE holds the slots of any kind it may be");
    switch (kind) {
    case PYHD_REC_DATETIME:
        /* (version 3) A Python subclass of datetime's date, time or datetime. */
        if (v->g->version < 3)
            break;
        /* fall through */
    case PYHD_REC_STR: case PYHD_REC_BYTES: case PYHD_REC_BYTEARRAY: case PYHD_REC_INT:
    case PYHD_REC_BIGINT: case PYHD_REC_FLOAT: case PYHD_REC_COMPLEX: case PYHD_REC_TUPLE:
    case PYHD_REC_LIST: case PYHD_REC_SET: case PYHD_REC_FROZENSET: case PYHD_REC_DICT:
        s[PYHD_BASE_KIND] = kind;
        return kinds[kind].check(v, s + PYHD_BASE_FIELDS);
    default:
        break;
    }
    return bad(v, "base kind 0x%02x (%s) cannot be subclassed", kind, pyhd__kind_name(kind));
}

/*
 * One field of type fd->type into its slots s; f holds the record's slots.
 * Returns 0, -1 on an error, 1 at a SINCE after which the record's fields
 * are absent. Inlined into each check_KIND with fd a constant, it becomes
 * that field's own code.
 */
static inline __attribute__((always_inline)) int check_field(struct vctx *v,
                                                             const struct field *fd,
                                                             const uint64_t *f, uint64_t *s)
{
    const unsigned char *p = NULL;
    size_t n = 0;
    uint64_t x = 0;
    unsigned u = 0;

    /* A field a newer version put in the middle: 0 (its slots are zeroed) before. */
    if ((fd->flags >> 8) > v->g->version)
        return 0;
    switch (fd->type) {
    case PYHD_FT_REF:
        return get_ref(v, fd->name, fd->arg, !(fd->flags & PYHD_FF_REQUIRED), s);
    case PYHD_FT_U8:
        if (get_u8(v, &u) < 0)
            return -1;
        if (u > fd->arg)
            return bad(v, "%s %u unknown", fd->name, u);
        s[0] = u;
        return 0;
    case PYHD_FT_VARINT:
        return get_varint(v, s);
    case PYHD_FT_SVARINT:
        if (get_varint(v, &x) < 0)
            return -1;
        s[0] = (uint64_t)pyhd__unzigzag(x);
        return 0;
    case PYHD_FT_F64:
        if (pyhd__cur_bytes(&v->c, 8, &p) < 0)
            return short_payload(v);
        x = 0;
        for (int i = 7; i >= 0; i--)
            x = x << 8 | p[i];
        s[0] = x;
        return 0;
    case PYHD_FT_TEXT:
        if (pyhd__cur_text(&v->c, &p, &n) < 0)
            return short_payload(v);
        s[PYHD_TEXT_AT] = (uint64_t)(p - v->r->payload);
        s[PYHD_TEXT_LEN] = n;
        return 0;
    case PYHD_FT_BLOB:
        if (get_varint(v, &x) < 0 || skip(v, x) < 0)
            return -1;
        s[PYHD_TEXT_AT] = payload_at(v) - x;
        s[PYHD_TEXT_LEN] = x;
        return 0;
    case PYHD_FT_STRDATA:
        return check_str(v, s);
    case PYHD_FT_BYTESDATA:
        return check_bytes(v, s);
    case PYHD_FT_ITEMS:
    case PYHD_FT_MAP:
        return check_seq(v, fd->type == PYHD_FT_MAP, s);
    case PYHD_FT_PAIRS:
    case PYHD_FT_DTFIELDS:
    case PYHD_FT_ROOTLIST:
        return check_list(v, fd, s);
    case PYHD_FT_DIMS:
    case PYHD_FT_SHAPE:
        return check_dims(v, fd->type == PYHD_FT_SHAPE, s);
    case PYHD_FT_ELEMENTS:
        return check_elements(v, fd, f, s);
    case PYHD_FT_BASE:
        return check_base(v, s);
    case PYHD_FT_SINCE:
        /* The fields after it are absent from older dumps, or all left out. */
        if (v->g->version < fd->arg || pyhd__cur_left(&v->c) == 0)
            return 1;
        s[0] = 1;
        return 0;
    case PYHD_FT_HASH:
        /* --redact-hash: 8 more bytes, the keyed hash. */
        s[PYHD_HASH_PRESENT] = pyhd__cur_left(&v->c) >= 8;
        if (s[PYHD_HASH_PRESENT]) {
            pyhd__cur_bytes(&v->c, 8, &p);
            x = 0;
            for (int i = 7; i >= 0; i--)
                x = x << 8 | p[i];
            s[PYHD_HASH_VALUE] = x;
        }
        return 0;
    default:
        return bad(v, "field %s of unknown type %u", fd->name, fd->type);
    }
}

/*
 * check_KIND for every kind, made from format.h's table: each field in turn
 * into its slot (decode.h's PYHD_S_KIND_name). Fields after a SINCE that
 * stops stay 0: the slots are zeroed here first (a few stores of a size
 * known here, where zeroing the whole block would write every byte again). Bytes after the last field are
 * ignored (format.h: readers ignore trailing bytes of a payload).
 */
#define CHECK_FIELD(kind, name, type, arg, flags) \
    rc = check_field(v, &fd_##kind##_##name, f, f + PYHD_S_##kind##_##name); \
    if (rc) \
        return rc < 0 ? -1 : 0;
#define CHECK(kind, since) \
    static int check_##kind(struct vctx *v, uint64_t *f) \
    { \
        int rc = 0; \
        (void)v; \
        memset(f, 0, PYHD_NS_##kind * sizeof *f); \
        PYHD_FIELDS_##kind(CHECK_FIELD) \
        return rc; \
    }
PYHD_OBJECT_KINDS(CHECK)
PYHD_META_KINDS(CHECK)
#undef CHECK
#undef CHECK_FIELD

int pyhd__dtype_is_object(const struct pyhd_decoded *g, uint64_t dtype_id)
{
    const struct pyhd_record *d = pyhd__decode_obj(g, dtype_id);
    return d != NULL && d->kind == PYHD_REC_DTYPE && d->len >= 3 && d->payload[0] == 2
           && d->payload[2] == 'O';
}

/* Validate record v->r of a kind this reader knows, filling its slots. */
static int check_record(struct vctx *v)
{
    v->c = pyhd__cursor(v->r);
    if (!v->r->f)
        return 0;  /* an object kind this reader does not know: rebuilt as a placeholder */
    if (kinds[v->r->kind].check(v, (uint64_t *)v->r->f) < 0)
        return -1;
    if (pyhd__cur_left(&v->c))
        v->ntrailing++;
    return 0;
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
    free(g->slots);
    free(g->later_ids);
    memset(g, 0, sizeof *g);
}

void pyhd__record_where(const struct pyhd_decoded *g, const struct pyhd_record *r,
                        size_t *recno, size_t *offset)
{
    const unsigned char *p = g->data + g->first_record, *end = g->data + g->len;
    size_t n = 0;
    *recno = 0;
    *offset = 0;
    /* Pass 1 framed every record up to r: the varints are there and in bounds. */
    while (p < end) {
        const unsigned char *start = p;
        uint64_t nfresh, plen;
        p++;
        if (pyhd__varint_next(&p, end, &nfresh) < 0 || pyhd__varint_next(&p, end, &plen) < 0 ||
            plen > (uint64_t)(end - p))
            return;
        n++;
        if (p == r->payload) {
            *recno = n;
            *offset = (size_t)(start - g->data);
            return;
        }
        p += plen;
    }
}

/* What the indexer notes of a record besides its framing, by kind. */
enum { ROLE_CLASS = 1, ROLE_LATER = 2 };
static const unsigned char kind_role[256] = {
    [PYHD_REC_CLASS] = ROLE_CLASS, [PYHD_REC_TRUNCATED] = ROLE_CLASS,
    [PYHD_REC_REDACTED] = ROLE_CLASS,  /* may stand for a class: a class_index */
    [PYHD_REC_MODULE] = ROLE_LATER, [PYHD_REC_FRAME] = ROLE_LATER,
    [PYHD_REC_EXCEPTION] = ROLE_LATER,  /* listed in later_ids */
};

int pyhd__decode_index(struct pyhd_decoded *g, unsigned char *data, size_t len, char *err,
                      size_t errlen)
{
    const unsigned char *p, *end = data + len;
    size_t objcap = 0, thrcap = 0, latercap = 0, recno = 0;
    int have_roots = 0, have_end = 0;
    uint64_t end_count = 0;
    uint64_t next_fresh = 1;  /* the id the next record's fresh ids start at */
    size_t nslots = 0;        /* the slots of every record */
    uint32_t end_crc = 0;
    size_t end_offset = 0;
    int16_t slots_of[256];    /* kind_slots_table() */

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

    if ((uint64_t)len > PYHD_GRAPH_MAX) {
        set_err(err, errlen, "a graph of %zu bytes: this reader reads graphs of at most "
                "%llu bytes", len, (unsigned long long)PYHD_GRAPH_MAX);
        goto error;
    }
    kind_slots_table(g->version, slots_of);
    g->first_record = (size_t)(p - data);

    /* Records are 8 to 16 bytes in most graphs: room for one per 8 bytes from the
       start, so that the array (48 bytes a record) is seldom copied as it grows; the
       pages never written cost nothing. Without that much memory, it grows as it goes. */
    if (len / 8 < SIZE_MAX / sizeof *g->objects) {
        g->objects = malloc((len / 8 + 1) * sizeof *g->objects);
        objcap = g->objects ? len / 8 + 1 : 0;
    }

    /* Pass 1: the framing of every record, up to and including END. Each is framed in
       the object table's next entry (most records are objects: no copy then). */
    while (!have_end) {
        struct pyhd_record *r;
        uint64_t plen, nfresh;
        size_t offset;
        if (grow((void **)&g->objects, &objcap, g->nobjects + 1, sizeof *g->objects) < 0)
            goto nomem;
        r = &g->objects[g->nobjects];
        offset = (size_t)(p - data);
        ++recno;
        if (p >= end) {
            set_err(err, errlen, "truncated graph at record %zu (byte %zu)", recno, offset);
            goto error;
        }
        r->kind = *p++;
        if (pyhd__varint_next(&p, end, &nfresh) < 0
            || pyhd__varint_next(&p, end, &plen) < 0) {
            if (end - p >= PYHD_VARINT_MAX)
                set_err(err, errlen, "bad record %zu (byte %zu): a framing varint "
                        "of more than 64 bits", recno, offset);
            else
                set_err(err, errlen, "truncated graph at record %zu (byte %zu)", recno,
                        offset);
            goto error;
        }
        if (plen > (uint64_t)(end - p)) {
            set_err(err, errlen, "truncated graph at record %zu (byte %zu): %s payload of %llu "
                    "bytes, %zu left", recno, offset, pyhd__kind_name(r->kind),
                    (unsigned long long)plen, (size_t)(end - p));
            goto error;
        }
        r->payload = p;
        r->len = (uint32_t)plen;  /* at most len, below PYHD_GRAPH_MAX */
        p += plen;
        /* Each fresh id gets a record of at least 3 bytes: more is a lie. */
        if (nfresh > (uint64_t)(end - data)) {
            set_err(err, errlen, "bad record %zu (byte %zu): %llu fresh ids in a graph of %zu "
                    "bytes", recno, offset, (unsigned long long)nfresh, len);
            goto error;
        }
        r->nfresh = (uint32_t)nfresh;
        /* Below len + 1 (END checks it), so 32 bits while len is. */
        r->first_fresh = next_fresh > UINT32_MAX ? UINT32_MAX : (uint32_t)next_fresh;
        next_fresh += nfresh;
        r->f = NULL;
        if (slots_of[r->kind] > 0)
            nslots += (size_t)slots_of[r->kind];
        if (recno == 1 && r->kind != PYHD_REC_ROOTS) {
            set_err(err, errlen, "bad record 1 (byte %zu): the first record is a %s, not ROOTS",
                    offset, pyhd__kind_name(r->kind));
            goto error;
        }
        r->class_index = 0;
        if (kind_role[r->kind] == ROLE_CLASS) {
            if (g->nclasses == PYHD_CLASSES_MAX) {
                set_err(err, errlen, "bad record %zu (byte %zu): more than %zu classes",
                        recno, offset, PYHD_CLASSES_MAX);
                goto error;
            }
            r->class_index = (unsigned)g->nclasses++ & 0xFFFFFFu;
        }
        if (r->kind < PYHD_KIND_META_FIRST) {
            g->nobjects++;
            if (kind_role[r->kind] == ROLE_LATER) {
                if (grow((void **)&g->later_ids, &latercap, g->nlater_ids + 1,
                         sizeof *g->later_ids) < 0)
                    goto nomem;
                g->later_ids[g->nlater_ids++] = g->nobjects;
            }
            if (slots_of[r->kind] < 0)
                g->nunknown++;  /* rebuilt as a placeholder that still takes its id */
        } else if (r->kind == PYHD_REC_ROOTS) {
            if (have_roots) {
                set_err(err, errlen, "bad record %zu (byte %zu): a second ROOTS record",
                        recno, offset);
                goto error;
            }
            have_roots = 1;
            g->roots = *r;
        } else if (r->kind == PYHD_REC_THREAD) {
            if (grow((void **)&g->threads, &thrcap, g->nthreads + 1, sizeof *r) < 0)
                goto nomem;
            g->threads[g->nthreads++] = *r;
        } else if (r->kind == PYHD_REC_END) {
            struct pyhd_cursor c = pyhd__cursor(r);
            const unsigned char *q;
            if (pyhd__cur_varint(&c, &end_count) < 0 || pyhd__cur_bytes(&c, 4, &q) < 0) {
                set_err(err, errlen, "bad record %zu (byte %zu): END: payload ends early "
                        "(%zu bytes)", recno, offset, (size_t)r->len);
                goto error;
            }
            if (r->nfresh != 0) {
                set_err(err, errlen, "bad record %zu (byte %zu): END hands out %llu fresh ids",
                        recno, offset, (unsigned long long)r->nfresh);
                goto error;
            }
            end_crc = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
                      (uint32_t)q[3] << 24;
            end_offset = offset;
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
        uint32_t crc = pyhd__crc32(data, end_offset);
        if (crc != end_crc) {
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

    /* Pass 2: the payloads, now that every id's kind is known, each record's fields into
       its slots (all records' in one block, counted in pass 1), in the order of pass 1. */
    /* Each record's check zeroes its slots first. */
    g->slots = malloc((nslots ? nslots : 1) * sizeof *g->slots);
    if (!g->slots)
        goto nomem;
    {
        struct vctx v = {g, NULL, {NULL, NULL, 0, 0}, err, errlen, 0};
        uint64_t *next = g->slots;
        for (size_t i = 0; i < g->nobjects + 1 + g->nthreads; i++) {
            struct pyhd_record *r = i < g->nobjects ? &g->objects[i]
                                    : i == g->nobjects ? &g->roots
                                                       : &g->threads[i - g->nobjects - 1];
            /* Every kind this reader knows gets slots (none, for NONE): NULL marks the rest. */
            r->f = slots_of[r->kind] >= 0 ? next : NULL;
            if (slots_of[r->kind] > 0)
                next += slots_of[r->kind];
            v.r = r;
            if (check_record(&v) < 0)
                goto error;
        }
        g->ntrailing = v.ntrailing;
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
