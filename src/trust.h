/* trust.h: the reviewed table of classes a dump may name and get as real classes. */
#ifndef PYHD_TRUST_H
#define PYHD_TRUST_H

#include "compat.h"

/*
 * How _pyhd.load may rebuild a class that a dump names by (module, qualname).
 * Anything not in the table (src/trust.c) is never imported: it becomes an
 * inert copy made by src/py/pyhd_surrogates.py.
 */
enum pyhd_trust_how {
    PYHD_TRUST_NONE = 0,      /* not in the table */
    PYHD_TRUST_CLASS,         /* the real class, for isinstance, bases and SUBCLASS
                                 records; its INSTANCE records stay inert copies */
    PYHD_TRUST_REDUCED,       /* a REDUCED value (format.h's table) */
    PYHD_TRUST_INSTANCE,      /* real instances: a bare new object (object.__new__, or
                                 the C type's own tp_new without arguments) plus the
                                 dumped __dict__ and slots; never __init__ */
    PYHD_TRUST_ENUM,          /* an enum whose members are looked up by name */
};

/* The how of (module, qualname), both UTF-8; PYHD_TRUST_NONE when not listed. */
enum pyhd_trust_how pyhd__trust_lookup(const char *module, const char *qualname);

/*
 * The real class for (module, qualname) (str objects from a dump), imported
 * by the names the table holds, never by the names given: a new reference
 * and *how set, or NULL with *how = PYHD_TRUST_NONE and no exception when the
 * pair is not in the table or cannot be found on this Python. NULL with an
 * exception only for a failure such as running out of memory.
 */
PyObject *pyhd__trust_resolve(PyObject *module, PyObject *qualname, enum pyhd_trust_how *how);

/* "class", "reduced", "instance", "enum" or "none": how pyhd_surrogates names them. */
const char *pyhd__trust_how_name(enum pyhd_trust_how how);

/* The table as a tuple of (module, qualname, import module, how name): new reference. */
PyObject *pyhd__trust_table(void);

#endif /* PYHD_TRUST_H */
