/* embedded_import.c: an import finder for the Python modules compiled into pyhd-debug. */
#include "embedded_import.h"

#include <string.h>

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
    return PyModule_Create(&embedded_module);
}

/*
 * The finder, as Python: a class with find_spec/create_module/exec_module
 * (importlib's protocol). It runs only code from the table above, compiled
 * at build time, never anything from a dump or from the file system.
 */
static const char finder_source[] =
    "import marshal, sys, _pyhd_embedded\n"
    "from importlib.machinery import ModuleSpec\n"
    "class EmbeddedImporter:\n"
    "    @staticmethod\n"
    "    def find_spec(name, path=None, target=None):\n"
    "        entry = _pyhd_embedded.code(name)\n"
    "        if entry is None:\n"
    "            return None\n"
    "        return ModuleSpec(name, EmbeddedImporter, origin=entry[0], is_package=entry[2])\n"
    "    @staticmethod\n"
    "    def create_module(spec):\n"
    "        return None\n"
    "    @staticmethod\n"
    "    def exec_module(module):\n"
    "        filename, code, _ = _pyhd_embedded.code(module.__spec__.name)\n"
    "        module.__file__ = filename\n"
    "        exec(marshal.loads(code), module.__dict__)\n"
    "sys.meta_path.insert(0, EmbeddedImporter)\n";

int pyhd__install_embedded_importer(void)
{
    PyObject *code = NULL, *globals = NULL, *name = NULL, *res = NULL;
    int status = -1;
    code = Py_CompileString(finder_source, "<pyhd>/embedded_import", Py_file_input);
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
