/* instance_dict.c: an instance's attributes, read without changing the instance. */
#include "instance_dict.h"

#include "compat_objects.h"

int pyhd__instance_attrs(PyObject *o, struct pyhd_attrs *a)
{
    a->dict = NULL;
    a->count = 0;
#if PY_VERSION_HEX >= 0x030B0000
    PyTypeObject *t = Py_TYPE(o);
    if (t->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
        struct pyhd_managed_attrs m;
        if (pyhd_managed_attrs(o, &m) < 0) {
            PyErr_SetString(PyExc_RuntimeError, "inline attributes of an unknown layout");
            return -1;
        }
        a->dict = m.dict;
        for (size_t k = 0; m.values != NULL && k < m.count; k++) {
            PyObject *value = m.values[m.order[k]];
            if (value == NULL)
                continue;
            PyObject *key = pyhd_shared_key(t, m.order[k]);
            /* Shared keys hold exact str only: hashing them runs no code. */
            if (key == NULL || !PyUnicode_CheckExact(key)) {
                PyErr_SetString(PyExc_RuntimeError, "inline attribute without a str name");
                return -1;
            }
            a->keys[a->count] = key;
            a->values[a->count++] = value;
        }
        return 0;
    }
#endif
    /* Not a managed dict: a pointer at tp_dictoffset, read as it is. */
    PyObject **p = pyhd_dict_ptr(o);
    a->dict = p != NULL ? *p : NULL;
    return 0;
}

PyObject *pyhd__instance_dict(PyObject *o)
{
    struct pyhd_attrs a;
    if (pyhd__instance_attrs(o, &a) < 0)
        return NULL;
    if (a.dict != NULL)
        return Py_NewRef(a.dict);
    if (a.count == 0)
        return NULL;
    PyObject *d = PyDict_New();
    for (size_t k = 0; d != NULL && k < a.count; k++)
        if (PyDict_SetItem(d, a.keys[k], a.values[k]) < 0)
            Py_CLEAR(d);
    return d;
}
