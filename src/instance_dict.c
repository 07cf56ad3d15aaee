/* instance_dict.c: an instance's attributes as a dict, read without changing the instance. */
#include "instance_dict.h"

#include "compat_objects.h"

#if PY_VERSION_HEX >= 0x030B0000
/* A fresh dict of the inline values a, in the order they were set. */
static PyObject *dict_from_values(PyObject *o, const struct pyhd_managed_attrs *a)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    for (size_t k = 0; k < a->count; k++) {
        PyObject *value = a->values[a->order[k]];  /* borrowed */
        if (value == NULL)
            continue;
        PyObject *key = pyhd_shared_key(Py_TYPE(o), a->order[k]);  /* borrowed */
        /* Shared keys hold exact str only: hashing and inserting run no code. */
        if (key == NULL || !PyUnicode_CheckExact(key)) {
            PyErr_SetString(PyExc_RuntimeError, "inline attribute without a str name");
            Py_DECREF(d);
            return NULL;
        }
        if (PyDict_SetItem(d, key, value) < 0) {
            Py_DECREF(d);
            return NULL;
        }
    }
    return d;
}
#endif

PyObject *pyhd__instance_dict(PyObject *o)
{
    PyTypeObject *t = Py_TYPE(o);
#if PY_VERSION_HEX >= 0x030B0000
    if (t->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
        struct pyhd_managed_attrs a;
        if (pyhd_managed_attrs(o, &a) < 0) {
            PyErr_SetString(PyExc_RuntimeError, "inline attributes of an unknown layout");
            return NULL;
        }
        if (a.dict != NULL)
            return Py_NewRef(a.dict);
        return a.values != NULL ? dict_from_values(o, &a) : NULL;
    }
#endif
    if (t->tp_dictoffset == 0)
        return NULL;
    /*
     * Not a managed dict: the dict pointer is at tp_dictoffset, negative ones
     * counted from the end of a variable-size object. CPython computes that
     * in _PyObject_GetDictPtr, which for these types only reads (it makes a
     * dict for managed ones, which never get here); PyObject_GenericGetDict,
     * the public call, would store a new empty dict in the instance.
     */
    PyObject **p = _PyObject_GetDictPtr(o);
    return p != NULL && *p != NULL ? Py_NewRef(*p) : NULL;
}
