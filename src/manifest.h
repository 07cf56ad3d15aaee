/* manifest.h: the MANIFEST member: RFC 822-style "Key: value" lines. */
#ifndef PYHD_MANIFEST_H
#define PYHD_MANIFEST_H

#include <stddef.h>
#include "buf.h"

/*
 * Pure C. A value is one line: backslash, newline, carriage return and other
 * control characters are written as \\, \n, \r and \xHH, so any string
 * (an exception message, an argv element) survives. Bytes that are not
 * well-formed UTF-8 are written as \xHH too, so the MANIFEST is UTF-8 text.
 * Keys may repeat.
 */
int pyhd__manifest_add(struct pyhd_buf *b, const char *key, const char *value);

struct pyhd_manifest_field {
    char *key;
    char *value;   /* unescaped */
};

struct pyhd_manifest {
    struct pyhd_manifest_field *fields;
    size_t nfields;
    char *store;   /* the keys' and values' text, one block (pyhd__manifest_free) */
};

/* Parse text; on error err names the line. Returns 0 or -1. */
int pyhd__manifest_parse(const char *text, size_t len, struct pyhd_manifest *m,
                         char *err, size_t errlen);
/* The first value of key, or NULL. */
const char *pyhd__manifest_get(const struct pyhd_manifest *m, const char *key);
void pyhd__manifest_free(struct pyhd_manifest *m);

#endif /* PYHD_MANIFEST_H */
