/* encode.h: the record writer of the graph stream: framing, CRC-32 and chunked deflate. */
#ifndef PYHD_ENCODE_H
#define PYHD_ENCODE_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "buf.h"

/* Bytes of records gathered before they are handed to deflate in one go. */
#define PYHD_ENC_CHUNK ((size_t)64 * 1024)

/*
 * A graph of at most this many bytes is written in zlib's stored blocks, not
 * compressed: below it, inflating costs a reader more than reading the bytes
 * it saves (at 10^4 objects, a graph of about 120 KB, inflating was a tenth of
 * pyhd-debug's load; storing it costs about 100 KB of disk), and the writer
 * skips deflate. Until a graph passes the size, its bytes are held back in
 * memory; the stream is still a zlib stream, and readers need not know.
 */
#define PYHD_ENC_STORE_BELOW ((uint64_t)1 << 20)

/*
 * Pure C. Records are framed (kind, varint fresh, varint length, payload) into a small
 * chunk buffer; a full chunk is added to the running CRC-32 and deflated
 * into *out (or, while the graph is small, held back in head). Functions return 0, or -1 with
 * e->err naming what was being done (record number, byte offset).
 */
struct pyhd_enc {
    z_stream zs;
    int zs_ready;             /* deflateInit succeeded: deflateEnd is owed */
    int level;                /* the deflate level of a graph past PYHD_ENC_STORE_BELOW */
    struct pyhd_buf head;     /* the bytes held back before deflate starts */
    unsigned char *chunk;     /* PYHD_ENC_CHUNK bytes */
    size_t chunk_len;
    struct pyhd_buf *out;     /* borrowed: the compressed stream */
    uint32_t crc;             /* of every inflated byte so far */
    uint64_t raw_bytes;       /* inflated bytes so far */
    uint64_t records;         /* records written so far, meta records included */
    char err[256];
};

/* Start a stream at deflate level (0-9) (a graph past PYHD_ENC_STORE_BELOW bytes;
   a smaller one is stored); writes the magic and version. */
int pyhd__enc_init(struct pyhd_enc *e, struct pyhd_buf *out, int level);
/* Append one record; fresh is the number of ids handed out while writing it. */
int pyhd__enc_record(struct pyhd_enc *e, unsigned kind, uint64_t fresh, const void *payload,
                     size_t len);
/*
 * Append the END record (object count and CRC-32) and finish the zlib stream.
 * After this the encoder holds no zlib state; pyhd__enc_free still frees the chunk.
 */
int pyhd__enc_finish(struct pyhd_enc *e, uint64_t objects);
/* Release everything (safe after a failed init, and after finish). */
void pyhd__enc_free(struct pyhd_enc *e);

#endif /* PYHD_ENCODE_H */
