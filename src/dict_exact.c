/* dict_exact.c: a dict's entry by an exact str or int key, found without running any key's __eq__. */
#include "dict_exact.h"

#include "compat_objects.h"

/* Whether k, of key's exact type, equals key: str and int compare in C. */
static int same_key(PyObject *k, PyObject *key)
{
    if (k == key)
        return 1;
    if (Py_TYPE(k) != Py_TYPE(key))
        return 0;
    if (PyUnicode_CheckExact(key))
        return PyUnicode_Compare(k, key) == 0;
    return PyObject_RichCompareBool(k, key, Py_EQ) > 0;  /* two exact ints */
}

PyObject *pyhd__dict_get_exact(PyObject *d, PyObject *key)  /* borrowed */
{
    Py_ssize_t pos = 0;
    PyObject *k, *v;  /* borrowed */
    if (d == NULL || !PyDict_Check(d))
        return NULL;
    if (!PyUnicode_CheckExact(key) && !PyLong_CheckExact(key)) {
        PyErr_SetString(PyExc_TypeError, "pyhd: a dict key to look up must be an exact str or int");
        return NULL;
    }
    if (PyUnicode_CheckExact(key) && pyhd_dict_has_str_keys_only(d))
        return PyDict_GetItemWithError(d, key);
    while (PyDict_Next(d, &pos, &k, &v))
        if (same_key(k, key))
            return v;
    return NULL;
}

PyObject *pyhd__dict_get_cstr(PyObject *d, const char *key)  /* borrowed */
{
    PyObject *k = PyUnicode_FromString(key);
    PyObject *v = k != NULL ? pyhd__dict_get_exact(d, k) : NULL;
    Py_XDECREF(k);
    return v;
}
