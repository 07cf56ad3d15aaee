/* test_decode.c: the graph decoder accepts valid streams and refuses every malformation clearly. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "buf.h"
#include "decode.h"
#include "pyhd/format.h"

/* ------------------------------------------------------------------------ */
/* Failure injection (test_decode.wrap): zlib's init and realloc can be made to fail. */

int __real_inflateInit_(z_streamp strm, const char *version, int stream_size);
int __wrap_inflateInit_(z_streamp strm, const char *version, int stream_size);
void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

static int fail_inflate_init;
static int realloc_countdown = -1;  /* fail the call that brings it to 0; -1: never */

int __wrap_inflateInit_(z_streamp strm, const char *version, int stream_size)
{
    if (fail_inflate_init)
        return Z_MEM_ERROR;
    return __real_inflateInit_(strm, version, stream_size);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (realloc_countdown > 0 && --realloc_countdown == 0)
        return NULL;
    return __real_realloc(p, n);
}

/* ------------------------------------------------------------------------ */
/* Building streams */

#define BYTES(...) ((const unsigned char[]){__VA_ARGS__}), sizeof((const unsigned char[]){__VA_ARGS__})

static void put(struct pyhd_buf *b, const void *p, size_t n)
{
    assert_int_equal(pyhd__buf_append(b, p, n), 0);
}

static void begin(struct pyhd_buf *b, uint64_t version)
{
    pyhd__buf_init(b);
    put(b, PYHD_GRAPH_MAGIC, PYHD_GRAPH_MAGIC_LEN);
    assert_int_equal(pyhd__buf_varint(b, version), 0);
}

/* A record that hands out fresh ids; the hand-made payloads below use absolute references. */
static void recf(struct pyhd_buf *b, unsigned kind, uint64_t fresh, const unsigned char *payload,
                 size_t len)
{
    unsigned char k = (unsigned char)kind;
    put(b, &k, 1);
    assert_int_equal(pyhd__buf_varint(b, fresh), 0);
    assert_int_equal(pyhd__buf_varint(b, len), 0);
    if (len)
        put(b, payload, len);
}

static void rec(struct pyhd_buf *b, unsigned kind, const unsigned char *payload, size_t len)
{
    recf(b, kind, 0, payload, len);
}

/* An empty ROOTS record: every stream starts with one. */
static void roots(struct pyhd_buf *b)
{
    rec(b, PYHD_REC_ROOTS, BYTES(0));
}

/* END with the object count and the CRC of everything before it. */
static void finish(struct pyhd_buf *b, uint64_t count)
{
    uint32_t crc = (uint32_t)crc32(0L, b->data, (uInt)b->len);
    unsigned char payload[PYHD_VARINT_MAX + 4];
    size_t n = pyhd__varint_put(payload, count);
    for (int i = 0; i < 4; i++)
        payload[n++] = (unsigned char)(crc >> (8 * i));
    rec(b, PYHD_REC_END, payload, n);
}

/* Index a copy of b (the decoder owns what it is given). */
static int index_copy(const unsigned char *data, size_t len, struct pyhd_decoded *g, char *err,
                      size_t errlen)
{
    unsigned char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, data, len);
    return pyhd__decode_index(g, copy, len, err, errlen);
}

static void expect_error(struct pyhd_buf *b, const char *message)
{
    struct pyhd_decoded g;
    char err[512] = "";
    assert_int_equal(index_copy(b->data, b->len, &g, err, sizeof err), -1);
    assert_string_equal(err, message);
    pyhd__buf_free(b);
}

/* ------------------------------------------------------------------------ */
/* Valid streams */

/*
 * The validator records every field in its slot (decode.h), and reads a
 * dump by the table of its version: a version 1 FUNCTION's bytes after its
 * code are not fields, and a kind that version 2 brought (PARTIAL) is one a
 * version 1 reader does not know.
 */
static void test_slots_and_versions(void **state)
{
    (void)state;
    for (uint64_t version = 1; version <= 2; version++) {
        struct pyhd_buf b;
        struct pyhd_decoded g;
        char err[256] = "";
        const struct pyhd_record *r;
        begin(&b, version);
        roots(&b);
        rec(&b, PYHD_REC_STR, BYTES(1, 1, 'f'));                        /* 1 */
        rec(&b, PYHD_REC_INT, BYTES(0x05));                             /* 2: -3 */
        rec(&b, PYHD_REC_TUPLE, BYTES(3, 2, 3, 0));                     /* 3: (-3, None), of 3 */
        /* 4: name 'f', qualname 'f', no module, no code; then defaults (the TUPLE), 0 x 4. */
        rec(&b, PYHD_REC_FUNCTION, BYTES(2, 2, 0, 0, 4, 0, 0, 0, 0));
        /* 5: a PARTIAL whose payload version 2 refuses (below) */
        if (version == 1)
            rec(&b, PYHD_REC_PARTIAL, BYTES(0xFF));
        finish(&b, version == 1 ? 5 : 4);
        assert_int_equal(index_copy(b.data, b.len, &g, err, sizeof err), 0);

        r = &g.objects[0];
        assert_int_equal(r->f[PYHD_S_STR_text + PYHD_STR_WIDTH], 1);
        assert_int_equal(r->f[PYHD_S_STR_text + PYHD_STR_LENGTH], 1);
        assert_int_equal(r->payload[r->f[PYHD_S_STR_text + PYHD_STR_AT]], 'f');
        assert_int_equal((int64_t)g.objects[1].f[PYHD_S_INT_value], -3);
        r = &g.objects[2];
        assert_int_equal(r->f[PYHD_S_TUPLE_items + PYHD_SEQ_LENGTH], 3);
        assert_int_equal(r->f[PYHD_S_TUPLE_items + PYHD_SEQ_N], 2);
        {
            struct pyhd_cursor c = pyhd__field_cursor(r, &r->f[PYHD_S_TUPLE_items + PYHD_SEQ_AT]);
            uint64_t id = 9;
            assert_int_equal(pyhd__cur_ref(&c, &id), 0);
            assert_int_equal(id, 2);
        }
        r = &g.objects[3];
        assert_int_equal(r->f[PYHD_S_FUNCTION_name], 1);
        assert_int_equal(r->f[PYHD_S_FUNCTION_code], 0);
        assert_int_equal(r->f[PYHD_S_FUNCTION_v2], version == 2);
        assert_int_equal(r->f[PYHD_S_FUNCTION_defaults], version == 2 ? 3 : 0);
        assert_int_equal(g.ntrailing, version == 1);  /* the FUNCTION's bytes */
        /* Version 1 does not know PARTIAL: a placeholder's record, without slots. */
        if (version == 1) {
            assert_int_equal(g.nunknown, 1);
            assert_null(g.objects[4].f);
        }
        pyhd__decode_free(&g);
        pyhd__buf_free(&b);
    }
    {
        struct pyhd_buf b;
        begin(&b, 2);
        roots(&b);
        rec(&b, PYHD_REC_PARTIAL, BYTES(0xFF));
        finish(&b, 1);
        expect_error(&b, "bad record 2 (byte 13): PARTIAL: payload ends early (1 bytes)");
    }
}

static void test_minimal_stream(void **state)
{
    struct pyhd_buf b;
    struct pyhd_decoded g;
    char err[256] = "";
    (void)state;
    begin(&b, PYHD_FORMAT_VERSION);
    roots(&b);
    rec(&b, PYHD_REC_NONE, NULL, 0);
    finish(&b, 1);
    assert_int_equal(index_copy(b.data, b.len, &g, err, sizeof err), 0);
    assert_int_equal(g.version, PYHD_FORMAT_VERSION);
    assert_int_equal(g.nobjects, 1);
    assert_int_equal(g.objects[0].kind, PYHD_REC_NONE);
    {
        size_t recno, offset;
        pyhd__record_where(&g, &g.objects[0], &recno, &offset);
        assert_int_equal(recno, 2);
        assert_int_equal(offset, (size_t)(g.objects[0].payload - g.data) - 3);
        pyhd__record_where(&g, &g.roots, &recno, &offset);
        assert_int_equal(recno, 1);
    }
    assert_int_equal(g.roots.kind, PYHD_REC_ROOTS);
    assert_int_equal(g.nthreads, 0);
    assert_ptr_equal(pyhd__decode_obj(&g, 1), &g.objects[0]);
    assert_null(pyhd__decode_obj(&g, 0));
    assert_null(pyhd__decode_obj(&g, 2));
    pyhd__decode_free(&g);
    pyhd__buf_free(&b);
}

/* A small graph with forward references, every id kind check satisfied. */
static void build_rich(struct pyhd_buf *b)
{
    begin(b, PYHD_FORMAT_VERSION);
    /* References are absolute (id + 1). ROOTS: "exception" -> 10, "argv" -> 3. */
    rec(b, PYHD_REC_ROOTS, BYTES(2, 9, 'e', 'x', 'c', 'e', 'p', 't', 'i', 'o', 'n', 11, 4,
                                 'a', 'r', 'g', 'v', 4));
    rec(b, PYHD_REC_STR, BYTES(1, 1, 'f'));                 /* 1 */
    rec(b, PYHD_REC_STR, BYTES(2, 2, 0x41, 0, 0x01, 0x01)); /* 2: UCS-2 "Aā" */
    rec(b, PYHD_REC_LIST, BYTES(3, 2, 2, 4));               /* 3: [1, itself], 1 cut */
    rec(b, PYHD_REC_TUPLE, BYTES(0, 0));                    /* 4: () */
    rec(b, PYHD_REC_CODE, BYTES(2, 2, 2, 3, 1, 0, 0, 0x43, 5, 5, 5)); /* 5 */
    rec(b, PYHD_REC_DICT, BYTES(1, 1, 2, 3));               /* 6: {"f": "Aā"} */
    rec(b, PYHD_REC_FRAME, BYTES(6, 8, 8, 2, 6, 7, 7, 0, 0)); /* 7 */
    rec(b, PYHD_REC_TRACEBACK, BYTES(8, 8, 8, 2, 6, 0));    /* 8 */
    rec(b, PYHD_REC_EXCEPTION, BYTES(11, 5, 0, 0, 0, 0, 9, 0)); /* 9 */
    rec(b, PYHD_REC_CLASS, BYTES(2, 2, 2, 0, 0x03, 0));     /* 10 */
    rec(b, PYHD_REC_INT, BYTES(0x83, 0x01));                /* 11: zigzag 131 = -66 */
    rec(b, 0xB0, BYTES(1, 2, 3));                           /* 12: unknown object kind */
    rec(b, 0xD0, BYTES(9, 9));                              /* unknown meta kind */
    rec(b, PYHD_REC_THREAD, BYTES(7, 0, 4, 'm', 'a', 'i', 'n', 0x0E, 8));
    finish(b, 12);
}

static void test_rich_stream(void **state)
{
    struct pyhd_buf b;
    struct pyhd_decoded g;
    struct pyhd_cursor c;
    int64_t v;
    char err[256] = "";
    (void)state;
    build_rich(&b);
    assert_int_equal(index_copy(b.data, b.len, &g, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_int_equal(g.nobjects, 12);
    assert_int_equal(g.nthreads, 1);
    assert_int_equal(g.nunknown, 2);
    assert_int_equal(g.objects[11].kind, 0xB0);
    assert_string_equal(pyhd__kind_name(g.objects[6].kind), "FRAME");
    assert_string_equal(pyhd__kind_name(0xB0), "unknown");
    c = pyhd__cursor(&g.objects[10]);
    assert_int_equal(pyhd__cur_svarint(&c, &v), 0);
    assert_int_equal(v, -66);
    assert_int_equal(pyhd__cur_left(&c), 0);
    pyhd__decode_free(&g);
    pyhd__buf_free(&b);
}

/* The whole route: deflate, inflate, index. */
static void test_open_compressed(void **state)
{
    struct pyhd_buf b;
    struct pyhd_decoded g;
    unsigned char z[1024];
    uLongf zlen = sizeof z;
    char err[256] = "";
    (void)state;
    build_rich(&b);
    assert_int_equal(compress2(z, &zlen, b.data, (uLong)b.len, 1), Z_OK);
    assert_int_equal(pyhd__decode_open(&g, z, zlen, pyhd__decode_limit(zlen, 0), err,
                                       sizeof err), 0);
    assert_int_equal(g.len, b.len);
    assert_memory_equal(g.data, b.data, b.len);
    pyhd__decode_free(&g);

    /* Truncated zlib streams: every cut is refused. */
    for (uLongf cut = 0; cut < zlen; cut++) {
        err[0] = '\0';
        assert_int_equal(pyhd__decode_open(&g, z, cut, pyhd__decode_limit(cut, 0), err,
                                           sizeof err), -1);
        assert_true(strstr(err, "graph.z") != NULL);
    }
    /* Garbage after the zlib stream. */
    {
        unsigned char more[1030];
        memcpy(more, z, zlen);
        memcpy(more + zlen, "junk", 4);
        assert_int_equal(pyhd__decode_open(&g, more, zlen + 4,
                                           pyhd__decode_limit(zlen + 4, 0), err, sizeof err),
                         -1);
        assert_string_equal(err, "corrupt graph.z (4 bytes after the end of the zlib stream)");
    }
    /* A damaged adler32 trailer over intact data: the graph's own CRC-32 vouches for
       every byte, so zlib's second checksum is not computed (decode.c) and the graph
       opens. */
    z[zlen - 2] ^= 0x55;
    assert_int_equal(pyhd__decode_open(&g, z, zlen, pyhd__decode_limit(zlen, 0), err,
                                       sizeof err), 0);
    assert_memory_equal(g.data, b.data, b.len);
    pyhd__decode_free(&g);
    z[zlen - 2] ^= 0x55;
    /* A corrupted byte anywhere in the deflated data is still refused: by inflate, the
       CRC-32 or the framing. */
    for (uLongf at = 2; at < zlen - 4; at++) {
        z[at] ^= 0x55;
        err[0] = '\0';
        assert_int_equal(pyhd__decode_open(&g, z, zlen, pyhd__decode_limit(zlen, 0), err,
                                           sizeof err), -1);
        assert_true(err[0] != '\0');
        z[at] ^= 0x55;
    }
    pyhd__buf_free(&b);
}

/* A stream that inflates past its limit (declared, else 64 times its size) is refused. */
static void test_inflate_bound(void **state)
{
    size_t n = 4 << 20;
    unsigned char *zeros = calloc(n, 1), *out = NULL;
    uLongf zlen = compressBound((uLong)n);
    unsigned char *z = malloc(zlen);
    size_t outlen = 0;
    char err[256] = "";
    char want[256];
    (void)state;
    assert_non_null(zeros);
    assert_non_null(z);
    assert_int_equal(compress2(z, &zlen, zeros, (uLong)n, 9), Z_OK);
    assert_true(zlen * PYHD_GRAPH_INFLATE_RATIO < n);
    assert_int_equal(pyhd__decode_inflate(z, zlen, pyhd__decode_limit(zlen, 0), &out, &outlen,
                                          err, sizeof err), -1);
    snprintf(want, sizeof want, "graph.z inflates past %llu bytes (%zu compressed): refusing it",
             (unsigned long long)zlen * PYHD_GRAPH_INFLATE_RATIO + 4096, (size_t)zlen);
    assert_string_equal(err, want);
    assert_null(out);
    /* A declared size lifts the ratio: exactly n bytes inflate, one byte less does not. */
    assert_int_equal(pyhd__decode_inflate(z, zlen, pyhd__decode_limit(zlen, n), &out, &outlen,
                                          err, sizeof err), 0);
    assert_int_equal(outlen, n);
    free(out);
    out = NULL;
    assert_int_equal(pyhd__decode_inflate(z, zlen, pyhd__decode_limit(zlen, n - 1), &out,
                                          &outlen, err, sizeof err), -1);
    snprintf(want, sizeof want, "graph.z inflates past %zu bytes (%zu compressed): refusing it",
             n - 1, (size_t)zlen);
    assert_string_equal(err, want);
    assert_null(out);
    free(zeros);
    free(z);
}

/* ------------------------------------------------------------------------ */
/* Malformations */

static void test_truncated_at_every_offset(void **state)
{
    struct pyhd_buf b;
    (void)state;
    build_rich(&b);
    for (size_t cut = 0; cut < b.len; cut++) {
        struct pyhd_decoded g;
        char err[512] = "";
        assert_int_equal(index_copy(b.data, cut, &g, err, sizeof err), -1);
        if (cut < PYHD_GRAPH_MAGIC_LEN)
            assert_string_equal(err, "not a pyhd graph (bad magic at the start of graph.z)");
        else if (cut == PYHD_GRAPH_MAGIC_LEN)
            assert_string_equal(err, "truncated graph at the format version (byte 8)");
        else
            assert_true(strncmp(err, "truncated graph at record ", 26) == 0);
    }
    /* A cut between records names the missing record and where it would start. */
    {
        struct pyhd_decoded g;
        char err[512] = "";
        assert_int_equal(index_copy(b.data, 9, &g, err, sizeof err), -1);
        assert_string_equal(err, "truncated graph at record 1 (byte 9)");
    }
    pyhd__buf_free(&b);
}

static void test_flipped_bytes(void **state)
{
    struct pyhd_buf b;
    (void)state;
    build_rich(&b);
    for (size_t i = 0; i < b.len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            struct pyhd_decoded g;
            char err[512] = "";
            b.data[i] ^= (unsigned char)(1 << bit);
            assert_int_equal(index_copy(b.data, b.len, &g, err, sizeof err), -1);
            assert_true(err[0] != '\0');
            b.data[i] ^= (unsigned char)(1 << bit);
        }
    }
    pyhd__buf_free(&b);
}

static void test_wrong_magic(void **state)
{
    struct pyhd_buf b;
    (void)state;
    begin(&b, 1);
    b.data[0] = 'X';
    roots(&b);
    finish(&b, 0);
    expect_error(&b, "not a pyhd graph (bad magic at the start of graph.z)");
}

static void test_versions(void **state)
{
    struct pyhd_buf b;
    (void)state;
    begin(&b, 7);
    roots(&b);
    finish(&b, 0);
    expect_error(&b, "unsupported format version 7 (this pyhd-debug reads 4)");
    begin(&b, 0);
    roots(&b);
    finish(&b, 0);
    expect_error(&b, "unsupported format version 0 (this pyhd-debug reads 4)");
}

static void test_bad_crc(void **state)
{
    struct pyhd_buf b;
    (void)state;
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_INT, BYTES(4));
    finish(&b, 1);
    b.data[16] ^= 1;  /* the INT's value: framing intact, content changed */
    expect_error(&b, "bad checksum in graph.z (CRC-32 c44bd74d, END says b34ce7db)");
}

static void test_end_count(void **state)
{
    struct pyhd_buf b;
    (void)state;
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_NONE, NULL, 0);
    finish(&b, 2);
    expect_error(&b, "bad END record: object count 2, but the graph has 1 objects");
}

/*
 * A record's class_index is 24 bits (decode.h's 32-byte record): a graph with
 * more classes than that is refused while it is framed, before any payload is
 * read (each class record here is the 3 bytes of an empty CLASS).
 */
static void test_class_count_bound(void **state)
{
    struct pyhd_buf b;
    (void)state;
    begin(&b, 1);
    roots(&b);
    for (size_t i = 0; i <= PYHD_CLASSES_MAX; i++)
        rec(&b, PYHD_REC_CLASS, NULL, 0);
    finish(&b, PYHD_CLASSES_MAX + 1);
    expect_error(&b, "bad record 16777218 (byte 50331661): more than 16777216 classes");
}

static void test_roots_rules(void **state)
{
    struct pyhd_buf b;
    (void)state;
    begin(&b, 1);
    rec(&b, PYHD_REC_NONE, NULL, 0);
    roots(&b);
    finish(&b, 1);
    expect_error(&b, "bad record 1 (byte 9): the first record is a NONE, not ROOTS");
    begin(&b, 1);
    roots(&b);
    roots(&b);
    finish(&b, 0);
    expect_error(&b, "bad record 2 (byte 13): a second ROOTS record");
    begin(&b, 1);
    rec(&b, PYHD_REC_ROOTS, BYTES(1, 1, 'x', 6));
    rec(&b, PYHD_REC_NONE, NULL, 0);
    finish(&b, 1);
    expect_error(&b, "bad record 1 (byte 9): ROOTS: root id 5 out of range (the graph has 1 "
                     "objects)");
}

static void test_trailing_data(void **state)
{
    struct pyhd_buf b;
    (void)state;
    begin(&b, 1);
    roots(&b);
    finish(&b, 0);
    put(&b, "xy", 2);
    expect_error(&b, "2 bytes of trailing data after the END record (byte 21)");
}

static void test_id_out_of_range(void **state)
{
    struct pyhd_buf b;
    (void)state;
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_NONE, NULL, 0);
    rec(&b, PYHD_REC_TUPLE, BYTES(2, 2, 2, 10));
    finish(&b, 2);
    expect_error(&b, "bad record 3 (byte 16): TUPLE: item id 9 out of range (the graph has 2 "
                     "objects)");
}

static void test_wrong_kind(void **state)
{
    struct pyhd_buf b;
    (void)state;
    /* A FRAME whose code id is a STR. */
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_STR, BYTES(1, 1, 'f'));
    rec(&b, PYHD_REC_FRAME, BYTES(2, 0, 0, 1, 1, 0, 0, 0, 0));
    finish(&b, 2);
    expect_error(&b, "bad record 3 (byte 19): FRAME: code id 1 is a STR, not a CODE");
    /* A FRAME whose builtins are neither a module nor a dict. */
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_STR, BYTES(1, 1, 'f'));
    rec(&b, PYHD_REC_TUPLE, BYTES(0, 0));
    rec(&b, PYHD_REC_CODE, BYTES(2, 2, 2, 1, 0, 0, 0, 0, 3, 3, 3));
    rec(&b, PYHD_REC_FRAME, BYTES(4, 0, 0, 1, 1, 0, 0, 2, 0));
    finish(&b, 4);
    expect_error(&b, "bad record 5 (byte 38): FRAME: builtins id 1 is a STR, not a DICT or "
                     "MODULE");
    /* A required id that is absent. */
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_TRACEBACK, BYTES(0, 0, 0, 1, 1, 0));
    finish(&b, 1);
    expect_error(&b, "bad record 2 (byte 13): TRACEBACK: frame id is 0 (absent) where an "
                     "object is required");
}

/*
 * REF fields (an instance's class, a frame's code, ...) are read inline when
 * their reference is one or two bytes and passes every check, and by get_id()
 * otherwise: each refusal keeps its message, in both encodings.
 */
static void test_ref_fields(void **state)
{
    struct pyhd_buf b;
    (void)state;
    /* Out of range, in one byte and in two (0xC9 0x01: 201, id 200). */
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_TRACEBACK, BYTES(10, 0, 0, 1, 1, 0));
    finish(&b, 1);
    expect_error(&b, "bad record 2 (byte 13): TRACEBACK: frame id 9 out of range (the graph has "
                     "1 objects)");
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_TRACEBACK, BYTES(0xC9, 0x01, 0, 0, 1, 1, 0));
    finish(&b, 1);
    expect_error(&b, "bad record 2 (byte 13): TRACEBACK: frame id 200 out of range (the graph "
                     "has 1 objects)");
    /* Of a kind the field does not take, in two bytes (0x82 0x00: 2, id 1 written long). */
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_STR, BYTES(1, 1, 'f'));
    rec(&b, PYHD_REC_FRAME, BYTES(0x82, 0x00, 0, 0, 1, 1, 0, 0, 0, 0));
    finish(&b, 2);
    expect_error(&b, "bad record 3 (byte 19): FRAME: code id 1 is a STR, not a CODE");
    /* Absent where required, in two bytes (0x80 0x00). */
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_TRACEBACK, BYTES(0x80, 0x00, 0, 0, 1, 1, 0));
    finish(&b, 1);
    expect_error(&b, "bad record 2 (byte 13): TRACEBACK: frame id is 0 (absent) where an "
                     "object is required");
    /* A fresh id the record does not hand out. */
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_TRACEBACK, BYTES(1, 0, 0, 1, 1, 0));
    finish(&b, 1);
    expect_error(&b, "bad record 2 (byte 13): TRACEBACK: frame refers to a fresh id, but the "
                     "record's 0 are used up");
    /* A three-byte reference (0x82 0x80 0x00: 2, id 1 written longer), of the wrong kind. */
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_STR, BYTES(1, 1, 'f'));
    rec(&b, PYHD_REC_FRAME, BYTES(0x82, 0x80, 0x00, 0, 0, 1, 1, 0, 0, 0, 0));
    finish(&b, 2);
    expect_error(&b, "bad record 3 (byte 19): FRAME: code id 1 is a STR, not a CODE");
}

static void test_payload_past_end(void **state)
{
    struct pyhd_buf b;
    (void)state;
    begin(&b, 1);
    roots(&b);
    put(&b, BYTES(PYHD_REC_BYTES, 0, 100, 5, 'a'));
    expect_error(&b, "truncated graph at record 2 (byte 13): BYTES payload of 100 bytes, 2 left");
}

static void test_short_payloads(void **state)
{
    struct pyhd_buf b;
    (void)state;
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_FLOAT, BYTES(1, 2, 3));
    finish(&b, 1);
    expect_error(&b, "bad record 2 (byte 13): FLOAT: payload ends early (3 bytes)");
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_LIST, BYTES(200, 1, 150));
    finish(&b, 1);
    expect_error(&b, "bad record 2 (byte 13): LIST: payload ends early (3 bytes)");
    /* A count larger than the payload could hold is refused before any loop. */
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_LIST, BYTES(0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F));
    finish(&b, 1);
    expect_error(&b, "bad record 2 (byte 13): LIST: item count 4294967295 exceeds the payload");
}

static void test_huge_varints(void **state)
{
    struct pyhd_buf b;
    (void)state;
    /* A payload length of more than 64 bits. */
    begin(&b, 1);
    roots(&b);
    put(&b, BYTES(PYHD_REC_NONE, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                  0x01));
    expect_error(&b, "bad record 2 (byte 13): a framing varint of more than 64 bits");
    /* A fresh count of more than 64 bits. */
    begin(&b, 1);
    roots(&b);
    put(&b, BYTES(PYHD_REC_NONE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
                  0));
    expect_error(&b, "bad record 2 (byte 13): a framing varint of more than 64 bits");
    /* An INT whose varint runs past 64 bits. */
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_INT, BYTES(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F));
    finish(&b, 1);
    expect_error(&b, "bad record 2 (byte 13): INT: a varint of more than 64 bits at payload byte 0");
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_TUPLE, BYTES(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,
                                  0, 0));
    finish(&b, 1);
    expect_error(&b, "bad record 2 (byte 13): TUPLE: a varint of more than 64 bits at payload "
                     "byte 0");
    /* The largest varint there is still reads. */
    {
        const unsigned char max[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
        const unsigned char *p = max;
        uint64_t v = 0;
        assert_int_equal(pyhd__varint_get(&p, max + sizeof max, &v), 0);
        assert_true(v == UINT64_MAX);
    }
}

static void test_str_checks(void **state)
{
    struct pyhd_buf b;
    (void)state;
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_STR, BYTES(3, 1, 'a', 'b', 'c'));
    finish(&b, 1);
    expect_error(&b, "bad record 2 (byte 13): STR: code unit width 3 (not 1, 2 or 4)");
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_STR, BYTES(4, 1, 0, 0, 0x11, 0));
    finish(&b, 1);
    expect_error(&b, "bad record 2 (byte 13): STR: code point 0x110000 out of range at index 0");
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_STR, BYTES(2, 1, 'a'));
    finish(&b, 1);
    expect_error(&b, "bad record 2 (byte 13): STR: 1 bytes of text are not whole 2-byte code "
                     "units");
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_STR, BYTES(1, 1, 'a', 'b'));
    finish(&b, 1);
    expect_error(&b, "bad record 2 (byte 13): STR: 2 code points stored of 1");
}

/* TRUNCATED may stand wherever a particular kind is required: the budget ran out there. */
/* References "1" name each record's fresh ids in turn (format.h, "Fresh ids"). */
static void test_fresh_references(void **state)
{
    struct pyhd_buf b;
    struct pyhd_decoded g;
    struct pyhd_cursor c;
    uint64_t id;
    char err[256] = "";
    (void)state;
    begin(&b, 1);
    recf(&b, PYHD_REC_ROOTS, 1, BYTES(1, 1, 'x', 1));      /* hands out 1: x -> 1 */
    recf(&b, PYHD_REC_LIST, 3, BYTES(4, 4, 1, 1, 2, 1));   /* hands out 2, 3, 4: [2, 3, 1, 4] */
    rec(&b, PYHD_REC_NONE, NULL, 0);                       /* 2 */
    recf(&b, 0xB0, 1, BYTES(1));                           /* 3: unknown kind, hands out 5 */
    recf(&b, PYHD_REC_TUPLE, 0, BYTES(1, 1, 6));           /* 4: (5,) by absolute id */
    rec(&b, PYHD_REC_NONE, NULL, 0);                       /* 5 */
    finish(&b, 5);
    assert_int_equal(index_copy(b.data, b.len, &g, err, sizeof err), 0);
    assert_int_equal(g.roots.first_fresh, 1);
    assert_int_equal(g.objects[0].first_fresh, 2);
    assert_int_equal(g.objects[0].nfresh, 3);
    assert_int_equal(g.objects[2].first_fresh, 5);
    c = pyhd__cursor(&g.objects[0]);
    uint64_t orig, n, want[] = {2, 3, 1, 4};
    assert_int_equal(pyhd__cur_varint(&c, &orig), 0);
    assert_int_equal(pyhd__cur_varint(&c, &n), 0);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(pyhd__cur_ref(&c, &id), 0);
        assert_int_equal(id, want[i]);
    }
    assert_int_equal(pyhd__cur_ref(&c, &id), -1);  /* the payload is used up */
    pyhd__decode_free(&g);
    pyhd__buf_free(&b);

    /* More "1" references than the record hands out. */
    begin(&b, 1);
    recf(&b, PYHD_REC_ROOTS, 1, BYTES(2, 1, 'x', 1, 1, 'y', 1));
    rec(&b, PYHD_REC_NONE, NULL, 0);
    rec(&b, PYHD_REC_NONE, NULL, 0);
    finish(&b, 2);
    expect_error(&b, "bad record 1 (byte 9): ROOTS: root refers to a fresh id, but the record's "
                     "1 are used up");
    /* More fresh ids than objects. */
    begin(&b, 1);
    recf(&b, PYHD_REC_ROOTS, 3, BYTES(0));
    rec(&b, PYHD_REC_NONE, NULL, 0);
    finish(&b, 1);
    expect_error(&b, "bad graph: its records hand out 3 fresh ids, but it has 1 objects");
    /* END hands out none (its framing is outside the CRC). */
    begin(&b, 1);
    roots(&b);
    finish(&b, 0);
    b.data[b.len - 7] = 1;
    expect_error(&b, "bad record 2 (byte 13): END hands out 1 fresh ids");
}

static void test_truncated_stands_for_any_kind(void **state)
{
    struct pyhd_buf b;
    struct pyhd_decoded g;
    char err[256] = "";
    (void)state;
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_TRUNCATED, BYTES(3));                /* 1: its class is 2 */
    rec(&b, PYHD_REC_CLASS, BYTES(2, 2, 2, 0, 0x01, 0));  /* 2: named by 1 */
    rec(&b, PYHD_REC_FRAME, BYTES(2, 0, 0, 1, 1, 0, 2, 0, 2)); /* 3: code, globals, back */
    finish(&b, 3);
    assert_int_equal(index_copy(b.data, b.len, &g, err, sizeof err), 0);
    assert_int_equal(g.nobjects, 3);
    pyhd__decode_free(&g);
    pyhd__buf_free(&b);
}

/*
 * A field put in the middle of a payload by a newer version (PYHD_FF_SINCE):
 * version 4 NDARRAY records hold a dict id before their elements, version 3
 * ones do not, and both read their elements whole.
 */
static void test_field_since_version(void **state)
{
    (void)state;
    for (uint64_t version = 3; version <= 4; version++) {
        struct pyhd_buf b;
        struct pyhd_decoded g;
        char err[256] = "";
        unsigned char array[] = {3, 4, 1, 2, 16, 0, 0, 0, 5, 16,
                                 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
        size_t skip = version == 4 ? 0 : 1;  /* version 3: no dict id (the 5) */
        begin(&b, version);
        roots(&b);
        rec(&b, PYHD_REC_TRUNCATED, BYTES(3));                        /* 1 */
        rec(&b, PYHD_REC_CLASS, BYTES(2, 2, 2, 0, 0, 0));             /* 2 */
        rec(&b, PYHD_REC_DTYPE, BYTES(3, '<', 'f', '8', 8, 0, 0, 0, 0)); /* 3 */
        rec(&b, PYHD_REC_DICT, BYTES(0, 0));                          /* 4 */
        if (skip)
            memmove(array + 8, array + 9, sizeof array - 9);
        rec(&b, PYHD_REC_NDARRAY, array, sizeof array - skip);        /* 5 */
        finish(&b, 5);
        assert_int_equal(index_copy(b.data, b.len, &g, err, sizeof err), 0);
        const uint64_t *f = g.objects[4].f;
        assert_int_equal(f[PYHD_S_NDARRAY_dict], version == 4 ? 4 : 0);
        assert_int_equal(f[PYHD_S_NDARRAY_elements + PYHD_ELEM_LENGTH], 16);
        assert_int_equal(f[PYHD_S_NDARRAY_elements + PYHD_ELEM_N], 16);
        assert_int_equal(g.ntrailing, 0);
        pyhd__decode_free(&g);
        pyhd__buf_free(&b);
    }
}

static void test_subclass_base_kind(void **state)
{
    struct pyhd_buf b;
    (void)state;
    begin(&b, 1);
    roots(&b);
    rec(&b, PYHD_REC_STR, BYTES(1, 1, 'C'));
    rec(&b, PYHD_REC_CLASS, BYTES(2, 2, 2, 0, 0, 0));
    rec(&b, PYHD_REC_SUBCLASS, BYTES(3, 0, 0, PYHD_REC_CODE));
    finish(&b, 3);
    expect_error(&b, "bad record 4 (byte 28): SUBCLASS: base kind 0x1a (CODE) cannot be "
                     "subclassed");
}

static void test_out_of_memory(void **state)
{
    struct pyhd_buf b;
    struct pyhd_decoded g;
    unsigned char z[1024];
    uLongf zlen = sizeof z;
    char err[256] = "";
    (void)state;
    build_rich(&b);
    assert_int_equal(compress2(z, &zlen, b.data, (uLong)b.len, 1), Z_OK);

    fail_inflate_init = 1;
    assert_int_equal(pyhd__decode_open(&g, z, zlen, pyhd__decode_limit(zlen, 0), err,
                                       sizeof err), -1);
    fail_inflate_init = 0;
    assert_string_equal(err, "cannot inflate graph.z: out of memory");

    /* The first realloc indexing records fails (which table that is depends on the
       compiler: the object table is first sized from the stream's length, an allocation
       it may make a malloc). */
    realloc_countdown = 1;
    assert_int_equal(index_copy(b.data, b.len, &g, err, sizeof err), -1);
    realloc_countdown = -1;
    assert_true(strncmp(err, "out of memory indexing the graph (", 34) == 0);

    /* Growing the inflate buffer fails: a big stream that compresses well. */
    {
        size_t n = 1 << 20;
        unsigned char *big = calloc(n, 1), *out = NULL;
        uLongf blen = compressBound((uLong)n);
        unsigned char *bz = malloc(blen);
        size_t outlen = 0;
        assert_non_null(big);
        assert_non_null(bz);
        memset(big, 'a', n / 2);
        assert_int_equal(compress2(bz, &blen, big, (uLong)n, 1), Z_OK);
        realloc_countdown = 1;
        assert_int_equal(pyhd__decode_inflate(bz, blen, pyhd__decode_limit(blen, 0), &out, &outlen,
                                          err, sizeof err), -1);
        realloc_countdown = -1;
        assert_true(strncmp(err, "cannot inflate graph.z: out of memory (", 39) == 0);
        free(big);
        free(bz);
    }
    pyhd__buf_free(&b);
}

/* pyhd__crc32 (carry-less multiply where the CPU has it) is zlib's crc32, at every
   length and alignment around its 64- and 16-byte steps, and on a large buffer. */
static void test_crc32(void **state)
{
    size_t big = 3 << 20;
    unsigned char *buf = malloc(big + 64);
    uint32_t x = 2463534242u;
    (void)state;
    assert_non_null(buf);
    for (size_t i = 0; i < big + 64; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (unsigned char)x;
    }
    for (size_t offset = 0; offset < 17; offset++) {
        for (size_t n = 0; n < 400; n++)
            assert_int_equal(pyhd__crc32(buf + offset, n),
                             (uint32_t)crc32(0L, buf + offset, (uInt)n));
    }
    assert_int_equal(pyhd__crc32(buf + 3, big), (uint32_t)crc32(0L, buf + 3, (uInt)big));
    /* Zeros and ones: a fold that drops a carry shows here first. */
    memset(buf, 0, 4096);
    assert_int_equal(pyhd__crc32(buf, 4096), (uint32_t)crc32(0L, buf, 4096));
    memset(buf, 0xFF, 4096);
    assert_int_equal(pyhd__crc32(buf, 4096), (uint32_t)crc32(0L, buf, 4096));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_stream),
        cmocka_unit_test(test_slots_and_versions),
        cmocka_unit_test(test_rich_stream),
        cmocka_unit_test(test_open_compressed),
        cmocka_unit_test(test_inflate_bound),
        cmocka_unit_test(test_truncated_at_every_offset),
        cmocka_unit_test(test_flipped_bytes),
        cmocka_unit_test(test_wrong_magic),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_field_since_version),
        cmocka_unit_test(test_bad_crc),
        cmocka_unit_test(test_end_count),
        cmocka_unit_test(test_class_count_bound),
        cmocka_unit_test(test_roots_rules),
        cmocka_unit_test(test_trailing_data),
        cmocka_unit_test(test_id_out_of_range),
        cmocka_unit_test(test_wrong_kind),
        cmocka_unit_test(test_ref_fields),
        cmocka_unit_test(test_payload_past_end),
        cmocka_unit_test(test_short_payloads),
        cmocka_unit_test(test_huge_varints),
        cmocka_unit_test(test_str_checks),
        cmocka_unit_test(test_fresh_references),
        cmocka_unit_test(test_truncated_stands_for_any_kind),
        cmocka_unit_test(test_subclass_base_kind),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_crc32),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
