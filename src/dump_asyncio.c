/* dump_asyncio.c: the asyncio call graph of the dumping thread's event loop (3.14+), as asyncio.json. */
#include "dict_exact.h"
#include "dump_internal.h"

#include <string.h>

void pyhd__dump_gather_asyncio(struct dump *d)
{
#if PY_VERSION_HEX >= 0x030E0000
    PyObject *modules = PyImport_GetModuleDict();  /* borrowed */
    PyObject *native;  /* borrowed */
    PyObject *pyhd = NULL, *graph = NULL;
    const char *text;
    Py_ssize_t len;

    /* Only a program that uses asyncio has a graph; pyhd imports nothing for one
       that does not. The pyhd module holds the Python that reads it
       (src/py/pyhd_module.py): built in under pyhd-run, already imported
       otherwise. Both are found by exact key (an import would compare the
       name with the program's keys in sys.modules). */
    native = pyhd__dict_get_cstr(modules, "_asyncio");
    if (native == NULL || !PyModule_Check(native)) {
        PyErr_Clear();  /* unreadable: no graph */
        return;
    }
    pyhd = Py_XNewRef(pyhd__dict_get_cstr(modules, "pyhd"));
    if (pyhd == NULL && !PyErr_Occurred())
        pyhd = PyImport_ImportModule("pyhd");
    if (pyhd == NULL)
        goto done;
    graph = PyObject_CallMethod(pyhd, "_asyncio_call_graph", "OO", native,
                                (PyObject *)&PyCoro_Type);
    if (graph == NULL || !PyTuple_Check(graph) || PyTuple_GET_SIZE(graph) != 2
        || !PyLong_Check(PyTuple_GET_ITEM(graph, 0))
        || !PyUnicode_Check(PyTuple_GET_ITEM(graph, 1)))
        goto done;
    text = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(graph, 1), &len);
    if (text == NULL || pyhd__buf_append(&d->asyncio, text, (size_t)len) < 0)
        goto done;
    d->asyncio_tasks = PyLong_AsLong(PyTuple_GET_ITEM(graph, 0));
done:
    /* The graph is an extra: a failure (or a None: no loop running here)
       leaves it out and the dump goes on. */
    if (d->asyncio_tasks < 0)
        d->asyncio.len = 0;
    PyErr_Clear();
    Py_XDECREF(graph);
    Py_XDECREF(pyhd);
#else
    (void)d;
#endif
}
