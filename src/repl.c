/* repl.c: errors typed at the interactive prompt of Python 3.13+ (the new REPL) dump as at the basic one. */
#include "repl.h"

#include "hook.h"

#if PY_VERSION_HEX >= 0x030D0000

/* code.InteractiveInterpreter._showtraceback as the stdlib defines it (a
   reference kept for the life of the process), once the stand-in is in place. */
static PyObject *original_showtraceback;

/* The stand-in: (self, typ, value, tb, source), as _showtraceback is called
   by showtraceback() and showsyntaxerror() in Lib/code.py (3.13, 3.14). */
static PyObject *showtraceback(PyObject *unused, PyObject *const *args, Py_ssize_t nargs)
{
    const struct pyhd_options *o = pyhd__hook_options();
    PyObject *result = NULL;

    /* The original shows the error and cuts the REPL's own frame from its
       traceback (value.with_traceback(tb)): the dump, taken after, has the
       traceback python showed, and its line comes after it. */
    result = PyObject_Vectorcall(original_showtraceback, args, (size_t)nargs, NULL);
    if (o != NULL && o->enabled && nargs >= 3)
        pyhd__hook_uncaught(o, args[2]);
    pyhd__hook_flush_message();
    return result;
}

static PyMethodDef showtraceback_def = {
    "_showtraceback", (PyCFunction)(void (*)(void))showtraceback, METH_FASTCALL,
    "code.InteractiveInterpreter._showtraceback under pyhd: dump the error typed at the "
    "prompt, as the basic REPL does, then show it.",
};

void pyhd__repl_install(void)
{
    PyObject *exc_type = NULL, *exc_value = NULL, *exc_tb = NULL;
    PyObject *code = NULL, *cls = NULL, *func = NULL, *method = NULL;
    PyObject *found;  /* borrowed */

    if (original_showtraceback != NULL)
        return;
    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    code = PyImport_ImportModule("code");
    if (code == NULL)
        goto done;
    /* The stdlib's class, read from the module dict: no module __getattr__. */
    cls = PyDict_GetItemString(PyModule_GetDict(code), "InteractiveInterpreter");
    if (cls == NULL || !PyType_Check(cls))
        goto done;
    Py_INCREF(cls);
    found = PyDict_GetItemString(((PyTypeObject *)cls)->tp_dict, "_showtraceback");
    if (found == NULL || !PyFunction_Check(found))
        goto done;
    func = PyCFunction_New(&showtraceback_def, NULL);
    /* An instancemethod binds self as a Python function does. */
    method = func != NULL ? PyInstanceMethod_New(func) : NULL;
    if (method == NULL)
        goto done;
    original_showtraceback = Py_NewRef(found);
    if (PyObject_SetAttrString(cls, "_showtraceback", method) < 0)
        Py_CLEAR(original_showtraceback);
done:
    /* A REPL without the stand-in still works; only its errors go undumped. */
    PyErr_Clear();
    Py_XDECREF(method);
    Py_XDECREF(func);
    Py_XDECREF(cls);
    Py_XDECREF(code);
    PyErr_Restore(exc_type, exc_value, exc_tb);
}

#else

/* The basic REPL is the only one: the audit hook sees its errors. */
void pyhd__repl_install(void)
{
}

#endif
