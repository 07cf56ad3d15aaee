/* inert_builtin.c: a dump's builtin functions as real builtin functions that refuse to run. */
#include "inert_builtin.h"

#include <string.h>

/*
 * A builtin function of the dumped program (os.getpid, print, a C method
 * bound to an object this reader could not give the real method) becomes a
 * builtin_function_or_method of its own: type, __name__, __qualname__,
 * __module__, __self__ and repr read as the program's did, and every call
 * raises pyhd_surrogates.DumpedCodeError, so a dumped callable (a thread's
 * target, a callback) never reaches os.system or print with dumped arguments.
 *
 * The PyMethodDef a builtin function points to must outlive it, and
 * CPython's builtin functions keep nothing but their self and module, which
 * are the program's here. So there is one PyMethodDef per distinct name, kept
 * for the life of the process in a table capped at INERT_NAMES_MAX names
 * (real programs name a few hundred): loading a dump again reuses them, and a
 * hostile dump naming more gets a one-line error (the caller's FunctionStub).
 */
#define INERT_NAMES_MAX 4096
#define INERT_NAME_MAX 256   /* bytes of UTF-8; CPython's longest builtin names are ~40 */

struct inert_def {
    PyMethodDef def;
    char name[];
};

static PyObject *inert_defs;  /* dict: name -> capsule of a struct inert_def; kept for good */

#define INERT_CAPSULE "pyhd.inert_def"

/* The error a call raises: pyhd_surrogates.DumpedCodeError with message. */
static void raise_inert(PyObject *qualname)
{
    PyObject *surrogates = PyImport_ImportModule("pyhd_surrogates");
    PyObject *error = surrogates ? PyObject_GetAttrString(surrogates, "DumpedCodeError") : NULL;
    Py_XDECREF(surrogates);
    if (!error) {
        PyErr_Clear();
        error = Py_NewRef(PyExc_TypeError);
    }
    if (qualname)
        PyErr_Format(error, "%U is a builtin function of the dumped program; a dump does not "
                     "run it", qualname);
    else
        PyErr_SetString(error, "a builtin function of the dumped program; a dump does not run it");
    Py_DECREF(error);
}

/*
 * Every call through vectorcall (calls from Python code, PyObject_Call and
 * PyObject_Vectorcall) lands here, with the function: its __qualname__ names it.
 */
static PyObject *inert_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
                                  PyObject *kwnames)
{
    (void)args;
    (void)nargsf;
    (void)kwnames;
    PyObject *qualname = PyObject_GetAttrString(callable, "__qualname__");
    if (!qualname || !PyUnicode_Check(qualname)) {
        PyErr_Clear();
        Py_CLEAR(qualname);
    }
    raise_inert(qualname);
    Py_XDECREF(qualname);
    return NULL;
}

/*
 * The C function of every PyMethodDef: reached only through the type's own
 * tp_call (type(f).__call__(f)), which gives it the self and not the function,
 * so its message cannot name it. METH_VARARGS keeps the specializing
 * interpreter of 3.11 up from calling it in place of the vectorcall.
 */
static PyObject *inert_call(PyObject *self, PyObject *args, PyObject *kwargs)
{
    (void)self;
    (void)args;
    (void)kwargs;
    raise_inert(NULL);
    return NULL;
}

static void inert_def_free(PyObject *capsule)
{
    PyMem_Free(PyCapsule_GetPointer(capsule, INERT_CAPSULE));
}

/* The table's PyMethodDef named name, made on first use (borrowed; NULL with an exception). */
static PyMethodDef *inert_def(PyObject *name)
{
    Py_ssize_t len;
    const char *utf8 = PyUnicode_AsUTF8AndSize(name, &len);
    PyObject *capsule = NULL, *found;  /* found: borrowed */
    struct inert_def *d;
    if (!utf8)
        return NULL;
    if (len == 0 || len > INERT_NAME_MAX || strlen(utf8) != (size_t)len) {
        PyErr_SetString(PyExc_ValueError, "not a name of a builtin function");
        return NULL;
    }
    found = PyDict_GetItemWithError(inert_defs, name);
    if (!found) {
        if (PyErr_Occurred())
            return NULL;
        if (PyDict_GET_SIZE(inert_defs) >= INERT_NAMES_MAX) {
            PyErr_SetString(PyExc_ValueError, "too many names of builtin functions");
            return NULL;
        }
        d = PyMem_Malloc(sizeof *d + (size_t)len + 1);
        if (!d)
            return (PyMethodDef *)PyErr_NoMemory();
        memcpy(d->name, utf8, (size_t)len + 1);
        d->def = (PyMethodDef){d->name, (PyCFunction)(void (*)(void))inert_call,
                               METH_VARARGS | METH_KEYWORDS, NULL};
        capsule = PyCapsule_New(d, INERT_CAPSULE, inert_def_free);
        if (!capsule) {
            PyMem_Free(d);
            return NULL;
        }
        /* Another thread may have added the name meanwhile: the first one stays. */
        found = PyDict_SetDefault(inert_defs, name, capsule);
        Py_DECREF(capsule);  /* the table's reference keeps it when it was added */
        if (!found)
            return NULL;
    }
    return &((struct inert_def *)PyCapsule_GetPointer(found, INERT_CAPSULE))->def;
}

int pyhd__inert_builtin_init(void)
{
    /* Made once, before any thread can call pyhd__inert_builtin (free-threaded
       builds run _pyhd without the GIL); entries are never removed, so the
       borrowed references the table gives stay valid. */
    if (!inert_defs && !(inert_defs = PyDict_New()))
        return -1;
    return 0;
}

PyObject *pyhd__inert_builtin(PyObject *name, PyObject *self, PyObject *module)
{
    PyMethodDef *def;
    PyObject *f;
    if (!PyUnicode_Check(name) || (module != NULL && !PyUnicode_Check(module))) {
        PyErr_SetString(PyExc_TypeError, "inert_builtin() takes a str name and module");
        return NULL;
    }
    if (!(def = inert_def(name)))
        return NULL;
    f = PyCFunction_NewEx(def, self, module);
    /* A METH_VARARGS function has no vectorcall of its own (tp_call serves it):
       give it one that knows the function, hence its name. */
    if (f)
        ((PyCFunctionObject *)f)->vectorcall = inert_vectorcall;
    return f;
}
