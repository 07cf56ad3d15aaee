/* test_encode.c: the graph stream's record writer: varints, framing, CRC, chunked deflate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <zlib.h>

#include "encode.h"
#include "pyhd/format.h"

/* Failure injection (test_encode.wrap): deflate() fails once deflate_fail_after calls pass. */
static int deflate_fail_after = -1;
int __real_deflate(z_streamp strm, int flush);
int __wrap_deflate(z_streamp strm, int flush);
int __wrap_deflate(z_streamp strm, int flush)
{
    if (deflate_fail_after == 0)
        return Z_STREAM_ERROR;
    if (deflate_fail_after > 0)
        deflate_fail_after--;
    return __real_deflate(strm, flush);
}

/* Failure injection: realloc() (how the output buffer grows) fails while this is set. */
static int realloc_fails;
void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n)
{
    return realloc_fails ? NULL : __real_realloc(p, n);
}

/* Inflate a whole zlib stream into a malloc'd buffer. */
static unsigned char *inflate_all(const struct pyhd_buf *z, size_t *outlen)
{
    size_t cap = 1 << 16, len = 0;
    unsigned char *out = malloc(cap);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_non_null(out);
    assert_int_equal(inflateInit(&zs), Z_OK);
    zs.next_in = z->data;
    zs.avail_in = (uInt)z->len;
    for (;;) {
        if (len == cap) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
        zs.next_out = out + len;
        zs.avail_out = (uInt)(cap - len);
        int rc = inflate(&zs, Z_NO_FLUSH);
        len = cap - zs.avail_out;
        if (rc == Z_STREAM_END)
            break;
        assert_int_equal(rc, Z_OK);
    }
    /* Nothing may follow the zlib stream. */
    assert_int_equal(zs.avail_in, 0);
    inflateEnd(&zs);
    *outlen = len;
    return out;
}

static uint64_t get_varint(const unsigned char **p, const unsigned char *end)
{
    uint64_t v = 0;
    assert_int_equal(pyhd__varint_get(p, end, &v), 0);
    return v;
}

static void test_varint_edges(void **state)
{
    (void)state;
    static const struct {
        uint64_t v;
        size_t n;
        unsigned char bytes[10];
    } cases[] = {
        {0, 1, {0x00}},
        {127, 1, {0x7F}},
        {128, 2, {0x80, 0x01}},
        {300, 2, {0xAC, 0x02}},
        {(uint64_t)1 << 63, 10, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}},
        {UINT64_MAX, 10, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char b[PYHD_VARINT_MAX];
        size_t n = pyhd__varint_put(b, cases[i].v);
        assert_int_equal(n, cases[i].n);
        assert_memory_equal(b, cases[i].bytes, n);
        const unsigned char *p = b;
        assert_true(get_varint(&p, b + n) == cases[i].v);
        assert_ptr_equal(p, b + n);
        /* Every shorter prefix is an error, not a value. */
        for (size_t cut = 0; cut < n; cut++) {
            uint64_t v;
            p = b;
            assert_int_equal(pyhd__varint_get(&p, b + cut, &v), -1);
        }
    }
    /* An 11th byte, or a 10th byte above 1, is more than 64 bits. */
    unsigned char over[11];
    memset(over, 0xFF, sizeof over);
    over[10] = 0x01;
    const unsigned char *p = over;
    uint64_t v;
    assert_int_equal(pyhd__varint_get(&p, over + 11, &v), -1);
    over[9] = 0x02;
    p = over;
    assert_int_equal(pyhd__varint_get(&p, over + 10, &v), -1);
}

static void test_zigzag(void **state)
{
    (void)state;
    static const struct {
        int64_t s;
        uint64_t u;
    } cases[] = {
        {0, 0}, {-1, 1}, {1, 2}, {-2, 3}, {63, 126}, {-64, 127},
        {INT64_MAX, UINT64_MAX - 1}, {INT64_MIN, UINT64_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_true(pyhd__zigzag(cases[i].s) == cases[i].u);
        assert_true(pyhd__unzigzag(cases[i].u) == cases[i].s);
    }
}

/* Write one record of every kind with a distinct payload; read the framing back. */
static void test_record_framing_and_crc(void **state)
{
    (void)state;
    static const unsigned kinds[] = {
        PYHD_REC_ROOTS, PYHD_REC_THREAD, PYHD_REC_NONE, PYHD_REC_FALSE, PYHD_REC_TRUE,
        PYHD_REC_ELLIPSIS, PYHD_REC_NOTIMPL, PYHD_REC_INT, PYHD_REC_BIGINT, PYHD_REC_FLOAT,
        PYHD_REC_COMPLEX, PYHD_REC_STR, PYHD_REC_BYTES, PYHD_REC_BYTEARRAY, PYHD_REC_TUPLE,
        PYHD_REC_LIST, PYHD_REC_SET, PYHD_REC_FROZENSET, PYHD_REC_DICT, PYHD_REC_RANGE,
        PYHD_REC_SLICE, PYHD_REC_CLASS, PYHD_REC_INSTANCE, PYHD_REC_SUBCLASS,
        PYHD_REC_EXCEPTION, PYHD_REC_FUNCTION, PYHD_REC_METHOD, PYHD_REC_CODE, PYHD_REC_CELL,
        PYHD_REC_MODULE, PYHD_REC_FRAME, PYHD_REC_TRACEBACK, PYHD_REC_GENERATOR,
        PYHD_REC_WEAKREF, PYHD_REC_REDUCED, PYHD_REC_BUFFER, PYHD_REC_OPAQUE,
        PYHD_REC_TRUNCATED,
    };
    const size_t nkinds = sizeof kinds / sizeof kinds[0];
    struct pyhd_buf out;
    struct pyhd_enc e;
    unsigned char payload[300];
    pyhd__buf_init(&out);
    assert_int_equal(pyhd__enc_init(&e, &out, 1), 0);
    for (size_t i = 0; i < nkinds; i++) {
        /* Lengths 0..~260 so some lengths need a 2-byte varint. */
        size_t len = i * 7;
        for (size_t k = 0; k < len; k++)
            payload[k] = (unsigned char)(kinds[i] + k);
        assert_int_equal(pyhd__enc_record(&e, kinds[i], i * 37, payload, len), 0);
    }
    assert_int_equal(pyhd__enc_record(&e, 0x100, 0, payload, 0), -1);
    assert_non_null(strstr(e.err, "kind 256"));
    assert_int_equal(pyhd__enc_finish(&e, 36), 0);
    size_t raw_expected = e.raw_bytes;
    pyhd__enc_free(&e);

    size_t len;
    unsigned char *raw = inflate_all(&out, &len);
    const unsigned char *p = raw, *end = raw + len;
    assert_int_equal(len, raw_expected);
    assert_memory_equal(p, PYHD_GRAPH_MAGIC, PYHD_GRAPH_MAGIC_LEN);
    p += PYHD_GRAPH_MAGIC_LEN;
    assert_int_equal(get_varint(&p, end), PYHD_FORMAT_VERSION);
    for (size_t i = 0; i < nkinds; i++) {
        assert_int_equal(*p++, kinds[i]);
        assert_int_equal(get_varint(&p, end), i * 37);  /* fresh, some 2-byte varints */
        uint64_t n = get_varint(&p, end);
        assert_int_equal(n, i * 7);
        for (size_t k = 0; k < n; k++)
            assert_int_equal(p[k], (unsigned char)(kinds[i] + k));
        p += n;
    }
    size_t before_end = (size_t)(p - raw);
    assert_int_equal(*p++, PYHD_REC_END);
    assert_int_equal(get_varint(&p, end), 0);  /* END hands out no ids */
    uint64_t n = get_varint(&p, end);
    const unsigned char *payload_start = p;
    assert_int_equal(get_varint(&p, end), 36);
    assert_int_equal(n, (size_t)(p - payload_start) + 4);
    uint32_t crc = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16
                   | (uint32_t)p[3] << 24;
    assert_int_equal(crc, (uint32_t)crc32(0, raw, (uInt)before_end));
    assert_ptr_equal(p + 4, end);
    free(raw);
    pyhd__buf_free(&out);
}

/* Many small records and single payloads larger than a chunk survive the round trip. */
static void test_chunked_round_trip(void **state)
{
    (void)state;
    const size_t big = 3 * PYHD_ENC_CHUNK + 17;
    unsigned char *blob = malloc(big);
    struct pyhd_buf out;
    struct pyhd_enc e;
    assert_non_null(blob);
    uint32_t x = 12345;
    for (size_t i = 0; i < big; i++) {
        x = x * 1103515245u + 12345u;
        blob[i] = (unsigned char)(x >> 16);
    }
    pyhd__buf_init(&out);
    assert_int_equal(pyhd__enc_init(&e, &out, 1), 0);
    /* Past PYHD_ENC_STORE_BELOW, so that the graph is compressed. */
    const int small = 400000;
    for (int i = 0; i < small; i++) {
        unsigned char b[PYHD_VARINT_MAX];
        size_t n = pyhd__varint_put(b, (uint64_t)i * 977);
        assert_int_equal(pyhd__enc_record(&e, PYHD_REC_INT, 0, b, n), 0);
        if (i == small / 2)
            assert_int_equal(pyhd__enc_record(&e, PYHD_REC_BYTES, 0, blob, big), 0);
    }
    assert_int_equal(pyhd__enc_finish(&e, (uint64_t)small + 1), 0);
    /* Compressed output only: the random blob cannot shrink, the ints do. */
    assert_true(out.len < e.raw_bytes);
    pyhd__enc_free(&e);

    size_t len;
    unsigned char *raw = inflate_all(&out, &len);
    const unsigned char *p = raw + PYHD_GRAPH_MAGIC_LEN, *end = raw + len;
    assert_int_equal(get_varint(&p, end), PYHD_FORMAT_VERSION);
    for (int i = 0; i < small; i++) {
        assert_int_equal(*p++, PYHD_REC_INT);
        assert_int_equal(get_varint(&p, end), 0);
        unsigned char b[PYHD_VARINT_MAX];
        assert_int_equal(get_varint(&p, end), pyhd__varint_put(b, (uint64_t)i * 977));
        assert_int_equal(get_varint(&p, end), (uint64_t)i * 977);
        if (i == small / 2) {
            assert_int_equal(*p++, PYHD_REC_BYTES);
            assert_int_equal(get_varint(&p, end), 0);
            assert_int_equal(get_varint(&p, end), big);
            assert_memory_equal(p, blob, big);
            p += big;
        }
    }
    assert_int_equal(*p, PYHD_REC_END);
    free(raw);
    free(blob);
    pyhd__buf_free(&out);
}

/* A deflate failure is reported with where it happened, and nothing leaks. */
static void test_deflate_failure(void **state)
{
    (void)state;
    struct pyhd_buf out;
    struct pyhd_enc e;
    unsigned char payload[1024];
    memset(payload, 'x', sizeof payload);
    pyhd__buf_init(&out);
    assert_int_equal(pyhd__enc_init(&e, &out, 1), 0);
    deflate_fail_after = 0;
    int rc = 0;
    /* Records are buffered: the failure shows when a chunk is handed to deflate,
       once the graph is past PYHD_ENC_STORE_BELOW (before, nothing is deflated). */
    for (int i = 0; i < 2 * (int)(PYHD_ENC_STORE_BELOW / sizeof payload) && rc == 0; i++)
        rc = pyhd__enc_record(&e, PYHD_REC_BYTES, 0, payload, sizeof payload);
    deflate_fail_after = -1;
    assert_int_equal(rc, -1);
    assert_non_null(strstr(e.err, "deflate error"));
    assert_non_null(strstr(e.err, "inflated byte"));
    pyhd__enc_free(&e);
    pyhd__buf_free(&out);

    /* And at finish. */
    pyhd__buf_init(&out);
    assert_int_equal(pyhd__enc_init(&e, &out, 1), 0);
    assert_int_equal(pyhd__enc_record(&e, PYHD_REC_NONE, 0, NULL, 0), 0);
    deflate_fail_after = 0;
    assert_int_equal(pyhd__enc_finish(&e, 1), -1);
    deflate_fail_after = -1;
    assert_non_null(strstr(e.err, "deflate error"));
    pyhd__enc_free(&e);
    pyhd__buf_free(&out);
}

/* When the compressed output, or the bytes held back before it, cannot grow, the
   error says so and where. */
static void test_output_out_of_memory(void **state)
{
    (void)state;
    struct pyhd_buf out;
    struct pyhd_enc e;
    /* The second graph is past PYHD_ENC_STORE_BELOW (deflate started, its output
       grown for it) before the record that cannot be written. */
    const size_t sizes[2] = {2 * PYHD_ENC_CHUNK, 4 * PYHD_ENC_STORE_BELOW};
    const char *const wants[2] = {"writing the graph: out of memory at inflated byte",
                                  "compressing the graph: out of memory at output byte"};
    for (int i = 0; i < 2; i++) {
        unsigned char *payload = calloc(1, sizes[i]);
        assert_non_null(payload);
        pyhd__buf_init(&out);
        assert_int_equal(pyhd__enc_init(&e, &out, 1), 0);
        if (i == 1)
            assert_int_equal(pyhd__enc_record(&e, PYHD_REC_BYTES, 0, payload,
                                              PYHD_ENC_STORE_BELOW + 1), 0);
        realloc_fails = 1;
        int rc = pyhd__enc_record(&e, PYHD_REC_BYTES, 0, payload, sizes[i]);
        realloc_fails = 0;
        assert_int_equal(rc, -1);
        assert_non_null(strstr(e.err, wants[i]));
        pyhd__enc_free(&e);
        pyhd__buf_free(&out);
        free(payload);
    }
}

/* The first deflate block's type (RFC 1951: BTYPE, bits 1-2 of its first byte,
   after zlib's two-byte header): 0 stored, 1 fixed, 2 dynamic Huffman codes. */
static unsigned first_block_type(const struct pyhd_buf *z)
{
    assert_true(z->len > 3);
    return (z->data[2] >> 1) & 3;
}

/* A graph of at most PYHD_ENC_STORE_BELOW bytes is stored, whatever the level; a
   larger one is compressed at the level asked for. Both inflate to what was written. */
static void test_small_graph_stored(void **state)
{
    (void)state;
    const uint64_t counts[2] = {PYHD_ENC_STORE_BELOW / 64, 2 * PYHD_ENC_STORE_BELOW / 8};
    unsigned char payload[6] = "abcabc";
    for (int t = 0; t < 2; t++) {
        struct pyhd_buf out;
        struct pyhd_enc e;
        size_t len;
        pyhd__buf_init(&out);
        assert_int_equal(pyhd__enc_init(&e, &out, 6), 0);
        for (uint64_t i = 0; i < counts[t]; i++)
            assert_int_equal(pyhd__enc_record(&e, PYHD_REC_STR, 0, payload, sizeof payload), 0);
        assert_int_equal(pyhd__enc_finish(&e, counts[t]), 0);
        if (t == 0) {
            assert_true(e.raw_bytes <= PYHD_ENC_STORE_BELOW);
            assert_int_equal(first_block_type(&out), 0);
            assert_true(out.len > e.raw_bytes);
        } else {
            assert_true(e.raw_bytes > PYHD_ENC_STORE_BELOW);
            assert_int_not_equal(first_block_type(&out), 0);
            assert_true(out.len < e.raw_bytes / 10);
        }
        unsigned char *raw = inflate_all(&out, &len);
        assert_int_equal(len, e.raw_bytes);
        assert_memory_equal(raw, PYHD_GRAPH_MAGIC, PYHD_GRAPH_MAGIC_LEN);
        /* magic, version, then records of 3 + 6 bytes each, then END. */
        assert_int_equal(raw[PYHD_GRAPH_MAGIC_LEN + 1 + 9 * counts[t]], PYHD_REC_END);
        free(raw);
        pyhd__enc_free(&e);
        pyhd__buf_free(&out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varint_edges),
        cmocka_unit_test(test_zigzag),
        cmocka_unit_test(test_record_framing_and_crc),
        cmocka_unit_test(test_chunked_round_trip),
        cmocka_unit_test(test_deflate_failure),
        cmocka_unit_test(test_output_out_of_memory),
        cmocka_unit_test(test_small_graph_stored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
