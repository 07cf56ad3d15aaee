/* redact_py.c: _pyhd.scan_secrets, the value matcher of redact.h for pyhd-debug --audit. */
#include "redact_py.h"

#include <stdlib.h>

#include "redact.h"

PyObject *pyhd__py_scan_secrets(PyObject *module, PyObject *text)
{
    static const struct pyhd_redact_rules defaults = {NULL, NULL};
    struct pyhd_secret_span spans[PYHD_SECRET_MAX_SPANS];
    unsigned char *units = NULL;
    const unsigned char *t;
    size_t len, n;
    PyObject *result = NULL;

    if (PyBytes_Check(text)) {
        t = (const unsigned char *)PyBytes_AS_STRING(text);
        len = (size_t)PyBytes_GET_SIZE(text);
    } else if (PyUnicode_Check(text)) {
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(text) < 0)
            return NULL;
#endif
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        len = (size_t)PyUnicode_GET_LENGTH(text);
        /* One byte a code point: ASCII as itself, the rest as 0x80 (redact.h). */
        units = malloc(len ? len : 1);
        if (units == NULL)
            return PyErr_NoMemory();
        for (size_t i = 0; i < len; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, (Py_ssize_t)i);
            units[i] = c < 0x80 ? (unsigned char)c : 0x80;
        }
        t = units;
    } else {
        PyErr_SetString(PyExc_TypeError, "scan_secrets() takes a str or bytes");
        return NULL;
    }
    n = pyhd__redact_scan(&defaults, t, len, spans, PYHD_SECRET_MAX_SPANS);
    result = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; result != NULL && i < n; i++) {
        PyObject *item = Py_BuildValue("(snn)", pyhd__secret_rule_name(spans[i].rule),
                                       (Py_ssize_t)spans[i].start, (Py_ssize_t)spans[i].end);
        if (item == NULL)
            Py_CLEAR(result);
        else
            PyList_SET_ITEM(result, (Py_ssize_t)i, item);
    }
    free(units);
    return result;
}
