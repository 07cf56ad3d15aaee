/* interned.c: the interned str of a string literal, made once per process.
 *
 * A load looks up about a hundred names (pyhd_surrogates' functions and state,
 * attributes it sets, the trust table's classes): each made once here, as
 * CPython's own _Py_ID strings are, instead of at every call.
 */
#include "interned.h"

#include <stdint.h>

#define NAMES_SIZE 512  /* a power of two, well above the names pyhd uses */

static struct { const char *name; PyObject *str; } names[NAMES_SIZE];

#ifdef Py_GIL_DISABLED
static PyMutex names_lock;
#define LOCK() PyMutex_Lock(&names_lock)
#define UNLOCK() PyMutex_Unlock(&names_lock)
#else
#define LOCK() ((void)0)  /* the GIL: one thread at a time here */
#define UNLOCK() ((void)0)
#endif

/* The slot of name, or of where it would go (an empty one), or -1 when the
   table is full. Under the lock. */
static long find_slot(const char *name)
{
    size_t i = ((uintptr_t)name >> 3) & (NAMES_SIZE - 1);
    for (size_t probes = 0; probes < NAMES_SIZE; probes++, i = (i + 1) & (NAMES_SIZE - 1))
        if (names[i].name == name || !names[i].name)
            return (long)i;
    return -1;
}

PyObject *pyhd__interned(const char *name)
{
    PyObject *str = NULL, *made;
    long i;
    LOCK();
    i = find_slot(name);
    if (i >= 0 && names[i].name == name)
        str = names[i].str;
    UNLOCK();
    if (str || i < 0)
        return str;
    /* Made without the lock held: interning allocates, which may collect
       garbage and run finalizers, which may look a name up here. */
    made = PyUnicode_InternFromString(name);
    if (!made)
        return NULL;
    LOCK();
    i = find_slot(name);
    if (i >= 0 && !names[i].name) {
        names[i].name = name;
        names[i].str = made;  /* kept for the process's life, as interned strs are */
        made = NULL;
    }
    str = i >= 0 ? names[i].str : NULL;
    UNLOCK();
    /* Another thread's came first, or the table filled meanwhile (then NULL,
       with no exception set, as for a full table). */
    Py_XDECREF(made);
    return str;
}

PyObject *pyhd__getattr(PyObject *obj, const char *name)
{
    PyObject *str = pyhd__interned(name);
    if (str)
        return PyObject_GetAttr(obj, str);
    return PyErr_Occurred() ? NULL : PyObject_GetAttrString(obj, name);
}

PyObject *pyhd_import(const char *name)
{
    PyObject *modules = PyImport_GetModuleDict(), *key, *mod = NULL;
    /* A str of its own: name may be a caller's buffer (trust.c), not a literal. */
    key = PyUnicode_FromString(name);
    if (!key)
        return NULL;
    if (PyDict_Check(modules))
        mod = PyDict_GetItemWithError(modules, key);  /* borrowed */
    Py_DECREF(key);
    if (mod && mod != Py_None)
        return Py_NewRef(mod);
    if (PyErr_Occurred())
        return NULL;
    /* Not imported yet, or None there (the import machinery says why not). */
    return PyImport_ImportModule(name);
}
