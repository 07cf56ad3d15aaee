/* rebuild_values.h: standard-library values of REDUCED and DATETIME records made in C (the datetime types). */
#ifndef PYHD_REBUILD_VALUES_H
#define PYHD_REBUILD_VALUES_H

#include <stdint.h>

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

/* The fields of a DATETIME record, in the order of its slots after the class. */
enum {
    PYHD_DTF_YEAR, PYHD_DTF_MONTH, PYHD_DTF_DAY, PYHD_DTF_HOUR, PYHD_DTF_MINUTE,
    PYHD_DTF_SECOND, PYHD_DTF_MICROSECOND, PYHD_DTF_FOLD, PYHD_DTF_COUNT
};

/*
 * The value of a REDUCED record of class cls with args (both borrowed): a new
 * reference, or NULL with no exception set when make_reduced is to make it.
 * Nothing fails here: a constructor's error is cleared, and make_reduced,
 * called next, meets it again and says what it was.
 */
PyObject *pyhd__values_make(struct pyhd_values *v, PyObject *cls, PyObject *args);

/*
 * The value of a DATETIME record (format.h) of class cls (borrowed), from its
 * fields: year, month, day, hour, minute, second, microsecond, fold, then
 * tzinfo (borrowed; NULL: None). A new reference, or NULL with no exception
 * set when make_reduced is to make it, from the args
 * pyhd__values_datetime_args() gives: cls is not this Python's own date,
 * time or datetime, the tzinfo is no tzinfo (a program's, a stand-in), or the
 * constructor refuses a field.
 */
PyObject *pyhd__values_make_datetime(struct pyhd_values *v, PyObject *cls, const uint64_t *fields,
                                     PyObject *tzinfo);

/*
 * The REDUCED args of a DATETIME record of class cls (format.h's "Reduced
 * values" table: (year, month, day), (hour, ..., tzinfo, fold) or all nine),
 * chosen by cls's name ("date", "time", anything else: "datetime"): a new
 * reference, NULL with an exception set on failure. tzinfo as above.
 */
PyObject *pyhd__values_datetime_args(PyObject *cls, const uint64_t *fields, PyObject *tzinfo);

/*
 * value (an exact date, time or datetime) as an instance of cls, a subclass
 * of its type: made by its type's own constructor (tp_new with value's fields;
 * never cls's __new__, which is the program's), so no code of the dump runs.
 * A new reference, or NULL with an exception set (a tzinfo the constructor
 * refuses, memory).
 */
PyObject *pyhd__values_datetime_as(struct pyhd_values *v, PyObject *cls, PyObject *value);

/*
 * Whether a REDUCED record's object needs its second step
 * (pyhd_surrogates.fill_reduced), which fills a deque and nothing else.
 */
int pyhd__values_fill_wanted(PyObject *obj);

#endif /* PYHD_REBUILD_VALUES_H */
