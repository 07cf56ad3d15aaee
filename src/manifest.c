/* manifest.c: the MANIFEST member: writing and parsing escaped "Key: value" lines. */
#define _POSIX_C_SOURCE 200809L
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A key is printable ASCII without spaces or colons, as in RFC 822 field names. */
static int key_valid(const char *key)
{
    if (*key == '\0')
        return 0;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        if (*p <= ' ' || *p >= 0x7F || *p == ':')
            return 0;
    }
    return 1;
}

/*
 * The length of the well-formed UTF-8 sequence at p (at most n bytes), or 0
 * when the bytes there are not one (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF).
 */
static size_t utf8_sequence(const unsigned char *p, size_t n)
{
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  /* bounds of the second byte */
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        len = 2;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        len = 3;
        if (p[0] == 0xE0)
            lo = 0xA0;
        else if (p[0] == 0xED)
            hi = 0x9F;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        len = 4;
        if (p[0] == 0xF0)
            lo = 0x90;
        else if (p[0] == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    }
    return len;
}

int pyhd__manifest_add(struct pyhd_buf *b, const char *key, const char *value)
{
    static const char hex[] = "0123456789abcdef";

    if (!key_valid(key))
        return -1;
    if (pyhd__buf_append(b, key, strlen(key)) < 0 || pyhd__buf_append(b, ": ", 2) < 0)
        return -1;
    /* Well-formed UTF-8 passes through, so text stays readable; any other
       byte from 0x80 up (a file name in another encoding) is escaped, so the
       MANIFEST is always UTF-8 and still gives back the exact bytes. */
    size_t left = strlen(value);
    for (const unsigned char *p = (const unsigned char *)value; *p; p++, left--) {
        char esc[4];
        size_t n = 0;
        if (*p >= 0x80) {
            size_t len = utf8_sequence(p, left);
            if (len > 0) {
                if (pyhd__buf_append(b, p, len) < 0)
                    return -1;
                p += len - 1;
                left -= len - 1;
                continue;
            }
        }
        if (*p == '\\') {
            esc[n++] = '\\';
            esc[n++] = '\\';
        } else if (*p == '\n') {
            esc[n++] = '\\';
            esc[n++] = 'n';
        } else if (*p == '\r') {
            esc[n++] = '\\';
            esc[n++] = 'r';
        } else if (*p < 0x20 || *p >= 0x7F) {
            esc[n++] = '\\';
            esc[n++] = 'x';
            esc[n++] = hex[*p >> 4];
            esc[n++] = hex[*p & 0xF];
        } else {
            esc[n++] = (char)*p;
        }
        if (pyhd__buf_append(b, esc, n) < 0)
            return -1;
    }
    return pyhd__buf_append(b, "\n", 1);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Unescape [p, end) into out, NUL-terminated (it has room: an escape is
 * longer than its byte). Returns the bytes written before the NUL, or -1
 * with *why set to a static description.
 */
static ptrdiff_t unescape(const char *p, const char *end, char *out, const char **why)
{
    size_t n = 0;

    while (p < end) {
        const char *backslash = memchr(p, '\\', (size_t)(end - p));
        size_t plain = backslash ? (size_t)(backslash - p) : (size_t)(end - p);
        memcpy(out + n, p, plain);
        n += plain;
        p += plain;
        if (p == end)
            break;
        if (end - p < 2) {
            *why = "a backslash ends the value";
            return -1;
        }
        switch (p[1]) {
        case '\\':
            out[n++] = '\\';
            p += 2;
            break;
        case 'n':
            out[n++] = '\n';
            p += 2;
            break;
        case 'r':
            out[n++] = '\r';
            p += 2;
            break;
        case 'x': {
            int hi = end - p >= 4 ? hex_digit(p[2]) : -1;
            int lo = end - p >= 4 ? hex_digit(p[3]) : -1;
            if (hi < 0 || lo < 0) {
                *why = "\\x is not followed by two hex digits";
                return -1;
            }
            if (hi == 0 && lo == 0) {
                /* Values are C strings: a NUL would cut the value short unseen. */
                *why = "\\x00 (NUL) in a value";
                return -1;
            }
            out[n++] = (char)(hi << 4 | lo);
            p += 4;
            break;
        }
        default:
            *why = "unknown escape after a backslash";
            return -1;
        }
    }
    out[n] = '\0';
    return (ptrdiff_t)n;
}

int pyhd__manifest_parse(const char *text, size_t len, struct pyhd_manifest *m,
                         char *err, size_t errlen)
{
    const char *p = text;
    const char *end = text + len;
    size_t lines = 0, line = 0;
    char *out;

    m->fields = NULL;
    m->nfields = 0;
    /* Two allocations, whatever the fields: their array, one per line, and
       their text, keys and unescaped values each ended by a NUL where the
       line had its colon and newline (an unescaped value is never longer). */
    for (const char *q = p; q < end && (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
        lines++;
    m->store = malloc(len + 1);
    m->fields = malloc((lines ? lines : 1) * sizeof *m->fields);
    if (m->store == NULL || m->fields == NULL)
        goto nomem;
    out = m->store;
    while (p < end) {
        line++;
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL) {
            snprintf(err, errlen, "MANIFEST line %zu: no newline at the end", line);
            goto error;
        }
        if (memchr(p, '\0', (size_t)(eol - p)) != NULL) {
            snprintf(err, errlen, "MANIFEST line %zu: a NUL byte", line);
            goto error;
        }
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon == NULL) {
            snprintf(err, errlen, "MANIFEST line %zu: no ':' after the key", line);
            goto error;
        }
        char *key = out;
        memcpy(key, p, (size_t)(colon - p));
        key[colon - p] = '\0';
        out += colon - p + 1;
        if (!key_valid(key)) {
            snprintf(err, errlen, "MANIFEST line %zu: the key is empty or has a space or "
                     "a control character", line);
            goto error;
        }
        /* The writer puts exactly one space after the colon; any more belong to the
           value. */
        const char *v = colon + 1;
        if (v < eol && *v == ' ')
            v++;
        const char *why;
        ptrdiff_t n = unescape(v, eol, out, &why);
        if (n < 0) {
            snprintf(err, errlen, "MANIFEST line %zu (%s): %s", line, key, why);
            goto error;
        }
        m->fields[m->nfields].key = key;
        m->fields[m->nfields].value = out;
        m->nfields++;
        out += n + 1;
        p = eol + 1;
    }
    return 0;

nomem:
    snprintf(err, errlen, "MANIFEST line %zu: out of memory", line);
error:
    pyhd__manifest_free(m);
    return -1;
}

const char *pyhd__manifest_get(const struct pyhd_manifest *m, const char *key)
{
    for (size_t i = 0; i < m->nfields; i++) {
        if (strcmp(m->fields[i].key, key) == 0)
            return m->fields[i].value;
    }
    return NULL;
}

void pyhd__manifest_free(struct pyhd_manifest *m)
{
    free(m->fields);
    free(m->store);
    m->fields = NULL;
    m->store = NULL;
    m->nfields = 0;
}
