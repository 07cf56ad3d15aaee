/* instance_dict.h: an instance's attributes, read without changing the instance. */
#ifndef PYHD_INSTANCE_DICT_H
#define PYHD_INSTANCE_DICT_H

#include "compat.h"

/* No instance keeps more inline attributes (SHARED_KEYS_MAX_SIZE, 3.11 to 3.14). */
#define PYHD_INLINE_ATTRS_MAX 30

/*
 * Where an instance's attributes are: its own __dict__, or (3.11+: managed
 * dicts, inline values) kept inline, without a dict, read here in the order
 * they were set; or neither.
 */
struct pyhd_attrs {
    PyObject *dict;                            /* borrowed: o's __dict__, or NULL */
    size_t count;                              /* inline attributes */
    PyObject *keys[PYHD_INLINE_ATTRS_MAX];     /* borrowed exact str */
    PyObject *values[PYHD_INLINE_ATTRS_MAX];   /* borrowed */
};

/*
 * Read where o keeps its attributes into a. Never creates o's __dict__, never
 * runs Python code, changes nothing. CPython conventions: 0, or -1 with an
 * exception set when o's layout is not one compat_objects.h knows.
 */
int pyhd__instance_attrs(PyObject *o, struct pyhd_attrs *a);

/*
 * The same as a dict: a new reference to o's own __dict__, or to a new dict
 * of its inline attributes, which o never sees; NULL without an exception
 * when o has none. NULL with an exception on failure.
 */
PyObject *pyhd__instance_dict(PyObject *o);

#endif /* PYHD_INSTANCE_DICT_H */
