/* buf.c: a growable byte buffer. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void pyhd__buf_init(struct pyhd_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void pyhd__buf_free(struct pyhd_buf *b)
{
    free(b->data);
    pyhd__buf_init(b);
}

int pyhd__buf_grow(struct pyhd_buf *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len)
        return -1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra)
        cap *= 2;
    unsigned char *p = realloc(b->data, cap);
    if (p == NULL)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int pyhd__buf_append(struct pyhd_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return 0;
    if (pyhd__buf_grow(b, n) < 0)
        return -1;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int pyhd__buf_printf(struct pyhd_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || pyhd__buf_grow(b, (size_t)n + 1) < 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}
