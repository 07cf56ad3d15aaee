/* rebuild_values.h: standard-library values of REDUCED records made in C (the datetime types). */
#ifndef PYHD_REBUILD_VALUES_H
#define PYHD_REBUILD_VALUES_H

#include "compat.h"

/*
 * The rebuilder (src/rebuild.c) makes most REDUCED records' values by calling
 * pyhd_surrogates.make_reduced. The datetime types, the most common of them
 * in real heaps, are made here through the datetime C API instead: the same
 * constructors with the same checks, without a Python call per value.
 *
 * Only a record whose class is the very class this Python's datetime C API
 * names (the trust table resolved it: src/trust.c) and whose args are exactly
 * what pyhd_surrogates.make_reduced accepts is made here; anything else, or
 * any value the constructor refuses, is left to make_reduced, so that the
 * result (a value or a stand-in naming the error) is the same either way.
 *
 * CPython conventions. One struct per load, zeroed before the first call.
 */
struct pyhd_values {
    int datetime_api;  /* 0: not imported yet; 1: imported; -1: this Python has none */
};

/*
 * The value of a REDUCED record of class cls with args (both borrowed): a new
 * reference, or NULL with no exception set when make_reduced is to make it.
 * Nothing fails here: a constructor's error is cleared, and make_reduced,
 * called next, meets it again and says what it was.
 */
PyObject *pyhd__values_make(struct pyhd_values *v, PyObject *cls, PyObject *args);

/*
 * Whether a REDUCED record's object needs its second step
 * (pyhd_surrogates.fill_reduced), which fills a deque and nothing else.
 */
int pyhd__values_fill_wanted(PyObject *obj);

#endif /* PYHD_REBUILD_VALUES_H */
