/* dict_exact.h: a dict's entry by an exact str or int key, found without running any key's __eq__. */
#ifndef PYHD_DICT_EXACT_H
#define PYHD_DICT_EXACT_H

#include "compat.h"

/*
 * d[key] for key an exact str or an exact int: borrowed, or NULL (with an
 * exception only on failure). A dict lookup compares key with every entry of
 * the same hash, and comparing runs a non-str key's __eq__: a class
 * namespace, a module's dict, sys.modules or threading._active can hold a
 * program's key whose hash equals the name's. Such dicts are searched
 * here in C, entry by entry, comparing only entries of key's exact type; a
 * dict whose keys are all exact str (3.11+ tell) is looked up as usual.
 * d that is no dict gives NULL.
 */
PyObject *pyhd__dict_get_exact(PyObject *d, PyObject *key);

/* pyhd__dict_get_exact with a C string key (UTF-8). */
PyObject *pyhd__dict_get_cstr(PyObject *d, const char *key);

#endif /* PYHD_DICT_EXACT_H */
