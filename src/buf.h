/* buf.h: a growable byte buffer and the varint encodings of the dump format. */
#ifndef PYHD_BUF_H
#define PYHD_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Pure C. Functions return 0 on success and -1 when memory runs out. */
struct pyhd_buf {
    unsigned char *data;
    size_t len;
    size_t cap;
};

void pyhd__buf_init(struct pyhd_buf *b);
void pyhd__buf_free(struct pyhd_buf *b);
int pyhd__buf_grow(struct pyhd_buf *b, size_t extra);  /* ensure cap >= len + extra */
int pyhd__buf_append(struct pyhd_buf *b, const void *p, size_t n);
int pyhd__buf_printf(struct pyhd_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The LEB128 varint of the format: at most PYHD_VARINT_MAX bytes. */
#define PYHD_VARINT_MAX 10

static inline size_t pyhd__varint_put(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

static inline uint64_t pyhd__zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t pyhd__unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static inline int pyhd__buf_varint(struct pyhd_buf *b, uint64_t v)
{
    if (b->cap - b->len < PYHD_VARINT_MAX && pyhd__buf_grow(b, PYHD_VARINT_MAX) < 0)
        return -1;
    b->len += pyhd__varint_put(b->data + b->len, v);
    return 0;
}

/*
 * Read a varint from [*p, end). Returns 0 and advances *p, or -1 when the
 * bytes run out or the value has more than 64 bits.
 */
static inline int pyhd__varint_get(const unsigned char **p, const unsigned char *end,
                                   uint64_t *out)
{
    const unsigned char *q = *p;
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (q >= end)
            return -1;
        unsigned char c = *q++;
        if (shift == 63 && c > 1)
            return -1;
        v |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80)) {
            *p = q;
            *out = v;
            return 0;
        }
    }
    return -1;
}

#endif /* PYHD_BUF_H */
