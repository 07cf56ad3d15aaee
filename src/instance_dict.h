/* instance_dict.h: an instance's attributes as a dict, read without changing the instance. */
#ifndef PYHD_INSTANCE_DICT_H
#define PYHD_INSTANCE_DICT_H

#include "compat.h"

/*
 * The attributes o keeps outside slots, as a dict: a new reference to o's
 * own __dict__ when it has one; when o keeps them inline (3.11+: managed
 * dicts, inline values) a new dict holding the same keys and values in the
 * same order, which o never sees. NULL without an exception when o has no
 * attributes there. Never creates o's __dict__, never runs Python code.
 * CPython conventions: NULL with an exception set on failure.
 */
PyObject *pyhd__instance_dict(PyObject *o);

#endif /* PYHD_INSTANCE_DICT_H */
