/* embedded_import.c: an import finder for the Python modules compiled into pyhd-debug. */
#include "embedded_import.h"

#include <string.h>

#include <marshal.h>

#include "embedded.h"

static const struct pyhd_embedded_module *find_module(const char *name)
{
    for (const struct pyhd_embedded_module *m = pyhd__embedded_modules; m->name; m++)
        if (strcmp(m->name, name) == 0)
            return m;
    return NULL;
}

/* _pyhd_embedded.code(name): (filename, marshalled code, is_package), or None. */
static PyObject *embedded_code(PyObject *module, PyObject *arg)
{
    const struct pyhd_embedded_module *m;
    const char *name;
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "code() takes a module name");
        return NULL;
    }
    name = PyUnicode_AsUTF8(arg);
    if (!name)
        return NULL;
    m = find_module(name);
    if (!m)
        Py_RETURN_NONE;
    return Py_BuildValue("(sy#O)", m->filename, (const char *)m->code,
                         (Py_ssize_t)*m->code_len, m->is_package ? Py_True : Py_False);
}

static PyMethodDef embedded_methods[] = {
    {"code", embedded_code, METH_O, "code(name) -> (filename, marshalled code, is_package) or None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef embedded_module = {
    PyModuleDef_HEAD_INIT, "_pyhd_embedded",
    "The Python modules compiled into pyhd-debug.", -1, embedded_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC pyhd__init_embedded_module(void)
{
    PyObject *m = PyModule_Create(&embedded_module);
    /* code() only reads a constant table. */
    if (m != NULL && pyhd_module_gil_not_used(m) < 0)
        Py_CLEAR(m);
    return m;
}

/*
 * The finder is src/py/pyhd_embedded_import.py, compiled at build time like
 * the modules it finds: its code runs once, here, in a namespace of its own
 * (compiling it at every start cost about 1 M instructions).
 */
int pyhd__install_embedded_importer(void)
{
    const struct pyhd_embedded_module *m = find_module("pyhd_embedded_import");
    PyObject *code = NULL, *globals = NULL, *name = NULL, *res = NULL;
    int status = -1;
    if (!m) {
        PyErr_SetString(PyExc_SystemError, "pyhd_embedded_import is not compiled in");
        return -1;
    }
    code = PyMarshal_ReadObjectFromString((const char *)m->code, (Py_ssize_t)*m->code_len);
    if (code && !PyCode_Check(code)) {
        PyErr_SetString(PyExc_SystemError, "pyhd_embedded_import is not a code object");
        goto done;
    }
    globals = PyDict_New();
    name = PyUnicode_FromString("pyhd_embedded_import");
    if (!code || !globals || !name)
        goto done;
    if (PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()) < 0 ||
        PyDict_SetItemString(globals, "__name__", name) < 0)
        goto done;
    res = PyEval_EvalCode(code, globals, globals);
    if (res)
        status = 0;
done:
    Py_XDECREF(code);
    Py_XDECREF(globals);
    Py_XDECREF(name);
    Py_XDECREF(res);
    return status;
}
