/* redact_py.h: the value matcher of redact.h for Python code (pyhd-debug --audit). */
#ifndef PYHD_REDACT_PY_H
#define PYHD_REDACT_PY_H

#include "compat.h"

/*
 * _pyhd.scan_secrets(text) -> [(rule, start, end), ...]: the secret-shaped
 * parts of a str (offsets in code points) or bytes (in bytes), as pyhd-run's
 * default rules find them. CPython convention: new reference, or NULL with an
 * exception set.
 */
PyObject *pyhd__py_scan_secrets(PyObject *module, PyObject *text);

#endif /* PYHD_REDACT_PY_H */
