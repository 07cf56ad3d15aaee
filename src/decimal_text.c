/* decimal_text.c: a decimal.Decimal's exact value, read from its C struct.
 *
 * _decimal's object (Modules/_decimal/_decimal.c, the same from 3.3 to 3.14):
 *
 *     typedef struct {
 *         PyObject_HEAD
 *         Py_hash_t hash;
 *         mpd_t dec;
 *         mpd_uint_t data[_Py_DEC_MINALLOC];
 *     } PyDecObject;
 *
 * and libmpdec's number (mpdecimal.h, 64-bit configuration: limbs of base
 * 10**19, least significant first):
 *
 *     typedef struct mpd_t {
 *         uint8_t flags;          MPD_NEG 1, MPD_INF 2, MPD_NAN 4, MPD_SNAN 8, ...
 *         mpd_ssize_t exp;        int64_t
 *         mpd_ssize_t digits;     digits of the coefficient
 *         mpd_ssize_t len;        limbs in use
 *         mpd_ssize_t alloc;      limbs allocated
 *         mpd_uint_t *data;       uint64_t
 *     } mpd_t;
 *
 * Everything read is checked to hold together (the limbs below the radix,
 * the digit count that of the limbs) before it is trusted.
 */
#include "decimal_text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MPD_NEG 1
#define MPD_INF 2
#define MPD_NAN 4
#define MPD_SNAN 8
#define RADIX 10000000000000000000ULL  /* 10**19 */
#define RDIGITS 19
#define MAX_LIMBS ((int64_t)1 << 28)  /* far above any number a program holds */

struct mpd_mirror {
    uint8_t flags;
    int64_t exp;
    int64_t digits;
    int64_t len;
    int64_t alloc;
    uint64_t *data;
};

struct dec_mirror {
    PyObject_HEAD
    Py_hash_t hash;
    struct mpd_mirror dec;
};

static int digits_of(uint64_t limb)
{
    int n = 1;
    while (limb >= 10) {
        limb /= 10;
        n++;
    }
    return n;
}

PyObject *pyhd__decimal_text(PyObject *o)
{
    const struct mpd_mirror *m;
    char *text, *p;
    PyObject *result;
    int special;
    if (sizeof(void *) != 8 || Py_TYPE(o)->tp_basicsize < (Py_ssize_t)sizeof(struct dec_mirror))
        return NULL;
    m = &((const struct dec_mirror *)o)->dec;
    special = m->flags & (MPD_INF | MPD_NAN | MPD_SNAN);
    if (special & MPD_INF)
        return PyUnicode_FromString(m->flags & MPD_NEG ? "-Infinity" : "Infinity");
    /* A NaN's coefficient is its payload, which may be absent (len 0). */
    if (m->len < (special ? 0 : 1) || m->len > m->alloc || m->alloc > MAX_LIMBS ||
        (m->len > 0 && m->data == NULL) || (special && special != MPD_NAN && special != MPD_SNAN))
        return NULL;
    for (int64_t i = 0; i < m->len; i++)
        if (m->data[i] >= RADIX)
            return NULL;
    if (m->len > 0 && ((m->len > 1 && m->data[m->len - 1] == 0) ||
                       m->digits != digits_of(m->data[m->len - 1]) + RDIGITS * (m->len - 1)))
        return NULL;
    /* sign, "sNaN", the digits, "E", the exponent's sign and 19 digits, NUL */
    text = PyMem_Malloc((size_t)(m->len > 0 ? m->digits : 0) + 32);
    if (!text)
        return PyErr_NoMemory();
    p = text;
    if (m->flags & MPD_NEG)
        *p++ = '-';
    if (special) {
        p += sprintf(p, "%s", special == MPD_SNAN ? "sNaN" : "NaN");
        if (m->len == 0 || (m->len == 1 && m->data[0] == 0)) {  /* no payload */
            *p = '\0';
            goto done;
        }
    }
    p += sprintf(p, "%llu", (unsigned long long)m->data[m->len - 1]);
    for (int64_t i = m->len - 2; i >= 0; i--)
        p += sprintf(p, "%019llu", (unsigned long long)m->data[i]);
    if (!special)
        sprintf(p, "E%lld", (long long)m->exp);
done:
    result = PyUnicode_FromString(text);
    PyMem_Free(text);
    return result;
}
