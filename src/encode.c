/* encode.c: the record writer of the graph stream: framing, CRC-32 and chunked deflate. */
#include "encode.h"

#include <stdio.h>
#include <stdlib.h>

#include "pyhd/format.h"

/*
 * Deflate bytes, already counted in the CRC, into e->out. flush is Z_NO_FLUSH
 * while records are coming and Z_FINISH for the last piece.
 */
static int enc_z(struct pyhd_enc *e, const unsigned char *p, size_t n, int flush)
{
    e->zs.next_in = (Bytef *)p;
    e->zs.avail_in = 0;
    for (;;) {
        /* zlib counts in uInt: feed huge payloads in slices. */
        if (e->zs.avail_in == 0 && n > 0) {
            uInt take = n > (size_t)1 << 30 ? (uInt)1 << 30 : (uInt)n;
            e->zs.avail_in = take;
            n -= take;
        }
        size_t room = deflateBound(&e->zs, e->zs.avail_in) + 64;
        if (room < 4096)
            room = 4096;
        if (pyhd__buf_grow(e->out, room) < 0) {
            snprintf(e->err, sizeof e->err,
                     "compressing the graph: out of memory at output byte %zu", e->out->len);
            return -1;
        }
        size_t avail = e->out->cap - e->out->len;
        if (avail > (size_t)1 << 30)
            avail = (size_t)1 << 30;
        e->zs.next_out = e->out->data + e->out->len;
        e->zs.avail_out = (uInt)avail;
        int zflush = n > 0 ? Z_NO_FLUSH : flush;
        int rc = deflate(&e->zs, zflush);
        e->out->len += avail - e->zs.avail_out;
        if (rc == Z_STREAM_END)
            return 0;
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            snprintf(e->err, sizeof e->err,
                     "compressing the graph: deflate error %d at inflated byte %llu", rc,
                     (unsigned long long)e->raw_bytes);
            return -1;
        }
        /* Done with this piece once the input is used up and zlib had output room left. */
        if (e->zs.avail_in == 0 && n == 0 && e->zs.avail_out > 0 && flush == Z_NO_FLUSH)
            return 0;
    }
}

/*
 * Start deflate at level, and hand it the bytes held back so far. A graph
 * that ends within PYHD_ENC_STORE_BELOW bytes starts at level 0 (stored).
 */
static int enc_start(struct pyhd_enc *e, int level)
{
    int rc = deflateInit(&e->zs, level);
    if (rc != Z_OK) {
        snprintf(e->err, sizeof e->err, "starting the graph stream: deflateInit error %d", rc);
        return -1;
    }
    e->zs_ready = 1;
    rc = enc_z(e, e->head.data, e->head.len, Z_NO_FLUSH);
    pyhd__buf_free(&e->head);
    return rc;
}

/*
 * Add bytes to the CRC and deflate them into e->out, or, while the graph is
 * still smaller than PYHD_ENC_STORE_BELOW, hold them back in e->head: a graph
 * that small is stored rather than compressed (see encode.h). flush is
 * Z_NO_FLUSH while records are coming and Z_FINISH for the last piece.
 */
static int enc_deflate(struct pyhd_enc *e, const unsigned char *p, size_t n, int flush)
{
    e->crc = (uint32_t)crc32_z(e->crc, p, n);
    e->raw_bytes += n;
    if (!e->zs_ready) {
        int small = e->raw_bytes <= PYHD_ENC_STORE_BELOW;
        if (small && flush == Z_NO_FLUSH) {
            if (pyhd__buf_append(&e->head, p, n) < 0) {
                snprintf(e->err, sizeof e->err,
                         "writing the graph: out of memory at inflated byte %llu",
                         (unsigned long long)e->raw_bytes);
                return -1;
            }
            return 0;
        }
        if (enc_start(e, small ? 0 : e->level) < 0)
            return -1;
    }
    return enc_z(e, p, n, flush);
}

static int enc_flush_chunk(struct pyhd_enc *e)
{
    if (e->chunk_len == 0)
        return 0;
    size_t n = e->chunk_len;
    e->chunk_len = 0;
    return enc_deflate(e, e->chunk, n, Z_NO_FLUSH);
}

/* Copy bytes into the chunk, deflating whenever it fills; large blocks go straight through. */
static int enc_put(struct pyhd_enc *e, const void *p, size_t n)
{
    /* An empty payload may come as NULL, which memcpy must not see. */
    if (n == 0)
        return 0;
    if (n >= PYHD_ENC_CHUNK) {
        if (enc_flush_chunk(e) < 0)
            return -1;
        return enc_deflate(e, p, n, Z_NO_FLUSH);
    }
    if (PYHD_ENC_CHUNK - e->chunk_len < n && enc_flush_chunk(e) < 0)
        return -1;
    memcpy(e->chunk + e->chunk_len, p, n);
    e->chunk_len += n;
    return 0;
}

int pyhd__enc_init(struct pyhd_enc *e, struct pyhd_buf *out, int level)
{
    memset(e, 0, sizeof *e);
    e->out = out;
    e->crc = (uint32_t)crc32_z(0, Z_NULL, 0);
    e->chunk = malloc(PYHD_ENC_CHUNK);
    if (e->chunk == NULL) {
        snprintf(e->err, sizeof e->err, "starting the graph stream: out of memory");
        return -1;
    }
    e->level = level;
    pyhd__buf_init(&e->head);
    unsigned char head[PYHD_GRAPH_MAGIC_LEN + PYHD_VARINT_MAX];
    memcpy(head, PYHD_GRAPH_MAGIC, PYHD_GRAPH_MAGIC_LEN);
    size_t n = PYHD_GRAPH_MAGIC_LEN + pyhd__varint_put(head + PYHD_GRAPH_MAGIC_LEN,
                                                       PYHD_FORMAT_VERSION);
    return enc_put(e, head, n);
}

int pyhd__enc_record(struct pyhd_enc *e, unsigned kind, uint64_t fresh, const void *payload,
                     size_t len)
{
    unsigned char head[1 + 2 * PYHD_VARINT_MAX];
    if (kind > 0xFF) {
        snprintf(e->err, sizeof e->err, "writing record %llu: kind %u out of range",
                 (unsigned long long)e->records + 1, kind);
        return -1;
    }
    head[0] = (unsigned char)kind;
    size_t n = 1 + pyhd__varint_put(head + 1, fresh);
    n += pyhd__varint_put(head + n, len);
    if (enc_put(e, head, n) < 0 || enc_put(e, payload, len) < 0)
        return -1;
    e->records++;
    return 0;
}

int pyhd__enc_finish(struct pyhd_enc *e, uint64_t objects)
{
    unsigned char rec[3 + 2 * PYHD_VARINT_MAX + 4];
    unsigned char payload[PYHD_VARINT_MAX + 4];
    size_t plen = pyhd__varint_put(payload, objects);
    rec[0] = PYHD_REC_END;
    rec[1] = 0;  /* fresh: END hands out no ids */
    size_t n = 2 + pyhd__varint_put(rec + 2, plen + 4);
    memcpy(rec + n, payload, plen);
    n += plen;
    /* The CRC covers every byte before END's kind byte: bring it up to date first. */
    if (enc_flush_chunk(e) < 0)
        return -1;
    uint32_t crc = e->crc;
    rec[n++] = (unsigned char)crc;
    rec[n++] = (unsigned char)(crc >> 8);
    rec[n++] = (unsigned char)(crc >> 16);
    rec[n++] = (unsigned char)(crc >> 24);
    e->records++;
    if (enc_deflate(e, rec, n, Z_FINISH) < 0)
        return -1;
    deflateEnd(&e->zs);
    e->zs_ready = 0;
    return 0;
}

void pyhd__enc_free(struct pyhd_enc *e)
{
    if (e->zs_ready)
        deflateEnd(&e->zs);
    e->zs_ready = 0;
    pyhd__buf_free(&e->head);
    free(e->chunk);
    e->chunk = NULL;
}
