/* rebuild_roots.c: what a load does first and last to pyhd_surrogates' state, in C.
 *
 * Each load ran these as Python functions (begin() and finish_roots()): once
 * per load, but cold after rebuilding thousands of objects, they were a tenth
 * of a small dump's load. What they read and write is pyhd_surrogates' (the
 * lists and dicts named below, checked for their type), and what the dump
 * holds; no code of the program runs, as in the Python.
 */
#include "rebuild_roots.h"

#include "interned.h"

#include <string.h>

/* pyhd_surrogates.name, checked to be of type: a new reference, or NULL with
   an exception set. */
static PyObject *state_of(PyObject *sur, const char *name, PyTypeObject *type)
{
    PyObject *value = pyhd__getattr(sur, name);
    if (value && !PyObject_TypeCheck(value, type)) {
        PyErr_Format(PyExc_TypeError, "pyhd_surrogates.%s is not a %s", name, type->tp_name);
        Py_CLEAR(value);
    }
    return value;
}

/* del list[:] */
static int clear_list(PyObject *list)
{
    return PyList_SetSlice(list, 0, PyList_GET_SIZE(list), NULL);
}

/* pyhd_surrogates.name(arg), its result dropped: 0 or -1. */
static int call_one(PyObject *sur, const char *name, PyObject *arg)
{
    PyObject *fn = pyhd__getattr(sur, name), *res;
    if (!fn)
        return -1;
    res = arg ? PyObject_CallOneArg(fn, arg) : PyObject_CallNoArgs(fn);
    Py_DECREF(fn);
    Py_XDECREF(res);
    return res ? 0 : -1;
}

int pyhd__surrogates_begin(PyObject *sur)
{
    static const char *const lists[] = {"_pending_functions", "_pending_annotations",
                                        "_pending_classes", "_modules"};
    PyObject *obj;
    int rc;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        obj = state_of(sur, lists[i], &PyList_Type);
        rc = obj ? clear_list(obj) : -1;
        Py_XDECREF(obj);
        if (rc < 0)
            return -1;
    }
    obj = state_of(sur, "_object_reprs", &PySet_Type);
    rc = obj ? PySet_Clear(obj) : -1;
    Py_XDECREF(obj);
    if (rc < 0)
        return -1;
    obj = state_of(sur, "_real_codes", &PyDict_Type);
    if (!obj)
        return -1;
    PyDict_Clear(obj);
    Py_DECREF(obj);
    return 0;
}

/*
 * The dumped sys.modules: for each str name of modules (name -> file or None),
 * the module of that name this load made (rebuilt), else a new empty module
 * of that name, as types.ModuleType(name), with __file__ when the file is a
 * str. A dump holds the names of every module the program had (hundreds).
 */
static PyObject *module_table(PyObject *modules, PyObject *rebuilt)
{
    PyObject *table, *file_name, *name, *file;  /* name, file: borrowed */
    Py_ssize_t pos = 0;
    /* Sized once for every name, not grown as they come. */
    table = _PyDict_NewPresized(PyDict_GET_SIZE(modules));
    /* "__file__" interned once, not by PyObject_SetAttrString for every module. */
    file_name = PyUnicode_InternFromString("__file__");
    if (!table || !file_name)
        goto error;
    while (PyDict_Next(modules, &pos, &name, &file)) {
        PyObject *mod;
        int rc;
        if (!PyUnicode_Check(name))
            continue;
        mod = PyDict_GetItemWithError(rebuilt, name);  /* borrowed */
        if (mod) {
            Py_INCREF(mod);
        } else if (PyErr_Occurred()) {
            goto error;
        } else {
            /* __name__, and None for __doc__, __package__, __loader__ and __spec__. */
            mod = PyModule_NewObject(name);
            if (!mod)
                goto error;
            /* Into its dict: what setting the attribute does, without the look-up
               of "__file__" along the module type's MRO. */
            if (PyUnicode_Check(file) &&
                PyDict_SetItem(PyModule_GetDict(mod), file_name, file) < 0) {
                Py_DECREF(mod);
                goto error;
            }
        }
        rc = PyDict_SetItem(table, name, mod);
        Py_DECREF(mod);
        if (rc < 0)
            goto error;
    }
    Py_DECREF(file_name);
    return table;
error:
    Py_XDECREF(table);
    Py_XDECREF(file_name);
    return NULL;
}

/*
 * sys.platform of the python that dumped, from the MANIFEST's Platform
 * ("Linux 6.1.0 x86_64"): the system's name in lower case, "win32" for
 * Windows; "" when the MANIFEST says none. A new reference, or NULL.
 */
static PyObject *dumped_platform(PyObject *manifest)
{
    for (Py_ssize_t i = 0; PyList_Check(manifest) && i < PyList_GET_SIZE(manifest); i++) {
        PyObject *pair = PyList_GET_ITEM(manifest, i), *system, *lower;
        Py_ssize_t space;
        if (!PyTuple_CheckExact(pair) || PyTuple_GET_SIZE(pair) != 2 ||
            !PyUnicode_Check(PyTuple_GET_ITEM(pair, 0)) ||
            !PyUnicode_Check(PyTuple_GET_ITEM(pair, 1)) ||
            PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(pair, 0), "Platform") != 0)
            continue;
        system = PyTuple_GET_ITEM(pair, 1);
        space = PyUnicode_FindChar(system, ' ', 0, PyUnicode_GET_LENGTH(system), 1);
        if (space == -2)
            return NULL;
        system = PyUnicode_Substring(system, 0, space < 0 ? PyUnicode_GET_LENGTH(system) : space);
        lower = system ? PyObject_CallMethod(system, "lower", NULL) : NULL;
        Py_XDECREF(system);
        if (!lower)
            return NULL;
        if (PyUnicode_CompareWithASCIIString(lower, "windows") == 0)
            Py_SETREF(lower, PyUnicode_FromString("win32"));
        return lower;
    }
    return PyUnicode_FromString("");
}

/* The dumped sys.version_info: an instance of pyhd_surrogates' named tuple
   class (made by the first load that needs one, in Python), with info's five
   items. A new reference, or NULL. */
static PyObject *version_info(PyObject *sur, PyObject *info)
{
    PyObject *classes = state_of(sur, "_version_info_class", &PyList_Type), *cls, *args, *vi;
    if (!classes)
        return NULL;
    cls = PyList_GET_SIZE(classes) ? PyList_GET_ITEM(classes, 0) : NULL;
    if (!cls || !PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, &PyTuple_Type)) {
        Py_DECREF(classes);
        args = pyhd__getattr(sur, "_version_info");
        vi = args ? PyObject_CallOneArg(args, info) : NULL;
        Py_XDECREF(args);
        return vi;
    }
    /* What its __new__ does (tuple.__new__(cls, the five)), without a Python frame. */
    args = PyTuple_Pack(1, info);
    vi = args ? PyTuple_Type.tp_new((PyTypeObject *)cls, args, NULL) : NULL;
    Py_XDECREF(args);
    Py_DECREF(classes);
    return vi;
}

/* A weak reference to start, if it is a FrameRecord or TracebackRecord
   (kinds), appended to roots: 0 or -1. */
static int add_globals_root(PyObject *roots, PyObject *start, PyObject *const *kinds)
{
    PyObject *ref;
    int rc;
    if (!start || (!PyObject_TypeCheck(start, (PyTypeObject *)kinds[0]) &&
                   !PyObject_TypeCheck(start, (PyTypeObject *)kinds[1])))
        return 0;
    ref = PyWeakref_NewRef(start, NULL);
    rc = ref ? PyList_Append(roots, ref) : -1;
    Py_XDECREF(ref);
    return rc;
}

/*
 * Where pyhd_surrogates.module_globals() will look for frames when first
 * asked (weak references in _globals_roots), from every thread's frame and
 * each exception's traceback (_note_globals' starts); what an earlier load
 * noted forgotten.
 */
static int note_globals_roots(PyObject *sur, PyObject *threads, PyObject *exceptions)
{
    PyObject *by_name = state_of(sur, "_globals_by_name", &PyDict_Type);
    PyObject *roots = state_of(sur, "_globals_roots", &PyList_Type);
    PyObject *kinds[2] = {state_of(sur, "FrameRecord", &PyType_Type),
                          state_of(sur, "TracebackRecord", &PyType_Type)};
    int rc = -1;
    if (!by_name || !roots || !kinds[0] || !kinds[1] || clear_list(roots) < 0)
        goto done;
    PyDict_Clear(by_name);
    for (Py_ssize_t i = 0; PyList_Check(threads) && i < PyList_GET_SIZE(threads); i++) {
        PyObject *thread = PyList_GET_ITEM(threads, i);
        if (PyDict_Check(thread) &&
            add_globals_root(roots, PyDict_GetItemString(thread, "frame"), kinds) < 0)
            goto done;
    }
    for (Py_ssize_t i = 0; PyList_Check(exceptions) && i < PyList_GET_SIZE(exceptions); i++) {
        PyObject *pair = PyList_GET_ITEM(exceptions, i);
        if (PyTuple_Check(pair) && PyTuple_GET_SIZE(pair) == 2 &&
            add_globals_root(roots, PyTuple_GET_ITEM(pair, 1), kinds) < 0)
            goto done;
    }
    rc = 0;
done:
    Py_XDECREF(by_name);
    Py_XDECREF(roots);
    Py_XDECREF(kinds[0]);
    Py_XDECREF(kinds[1]);
    return rc;
}

/* Whether pyhd_surrogates.name (a list) holds anything: 1, 0, or -1. */
static int list_has_items(PyObject *sur, const char *name)
{
    PyObject *list = state_of(sur, name, &PyList_Type);
    int rc = list ? PyList_GET_SIZE(list) > 0 : -1;
    Py_XDECREF(list);
    return rc;
}

/* The dumped sys module (mod) gets what the roots say; rebuilt is every module
   this load made (name -> module) for its sys.modules. 0 or -1. */
static int finish_sys(PyObject *sur, PyObject *mod, PyObject *roots, PyObject *platform,
                      PyObject *rebuilt)
{
    static const char *const lists[] = {"argv", "path", "orig_argv"};
    static const char *const strs[] = {"executable", "version"};
    PyObject *info = PyDict_GetItemString(roots, "version_info");  /* borrowed */
    PyObject *modules = PyDict_GetItemString(roots, "modules");
    PyObject *value;
    int rc;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        value = PyDict_GetItemString(roots, lists[i]);
        if (value && PyList_Check(value) && PyObject_SetAttrString(mod, lists[i], value) < 0)
            return -1;
    }
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        value = PyDict_GetItemString(roots, strs[i]);
        if (value && PyUnicode_Check(value) && PyObject_SetAttrString(mod, strs[i], value) < 0)
            return -1;
    }
    if (info && PyTuple_Check(info) && PyTuple_GET_SIZE(info) == 5) {
        value = version_info(sur, info);
        rc = value ? PyObject_SetAttrString(mod, "version_info", value) : -1;
        Py_XDECREF(value);
        if (rc < 0)
            return -1;
    }
    if (PyUnicode_GET_LENGTH(platform) > 0 &&
        PyObject_SetAttrString(mod, "platform", platform) < 0)
        return -1;
    if (modules && PyDict_Check(modules)) {
        value = module_table(modules, rebuilt);
        rc = value ? PyObject_SetAttrString(mod, "modules", value) : -1;
        Py_XDECREF(value);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* _dumped_version[:] = [info[:2]] when the dumped version_info is five items,
   the first two ints. 0 or -1. */
static int note_dumped_version(PyObject *sur, PyObject *info)
{
    PyObject *noted, *pair, *list;
    int rc;
    if (!info || !PyTuple_Check(info) || PyTuple_GET_SIZE(info) != 5 ||
        !PyLong_CheckExact(PyTuple_GET_ITEM(info, 0)) ||
        !PyLong_CheckExact(PyTuple_GET_ITEM(info, 1)))
        return 0;
    noted = state_of(sur, "_dumped_version", &PyList_Type);
    pair = PyTuple_GetSlice(info, 0, 2);
    list = pair ? PyList_New(1) : NULL;
    if (list)
        PyList_SET_ITEM(list, 0, Py_NewRef(pair));
    rc = noted && list ? PyList_SetSlice(noted, 0, PyList_GET_SIZE(noted), list) : -1;
    Py_XDECREF(noted);
    Py_XDECREF(pair);
    Py_XDECREF(list);
    return rc;
}

int pyhd__finish_roots(PyObject *sur, PyObject *roots, PyObject *manifest,
                       PyObject *threads, PyObject *exceptions, int code_values)
{
    PyObject *made = NULL, *rebuilt = NULL, *platform = NULL, *env;
    int rc = -1, has;
    if (!PyDict_Check(roots)) {
        PyErr_SetString(PyExc_TypeError, "finish_roots: the roots are not a dict");
        return -1;
    }
    /* Thread handles (3.13 and later) and ctypes structures only when the load made some. */
    has = list_has_items(sur, "_thread_handles");
    if (has < 0 || (has && call_one(sur, "_bind_thread_handles", threads) < 0))
        return -1;
    if (code_values) {
        PyObject *fn = pyhd__getattr(sur, "_note_globals"), *res;
        res = fn ? PyObject_CallFunctionObjArgs(fn, threads, exceptions, NULL) : NULL;
        Py_XDECREF(fn);
        if (!res)
            return -1;
        Py_DECREF(res);
    } else if (note_globals_roots(sur, threads, exceptions) < 0) {
        return -1;
    }
    has = list_has_items(sur, "_ctypes_records");
    if (has < 0 || (has && call_one(sur, "finish_ctypes_records", NULL) < 0))
        return -1;
    if (note_dumped_version(sur, PyDict_GetItemString(roots, "version_info")) < 0)
        return -1;
    made = state_of(sur, "_modules", &PyList_Type);
    platform = made ? dumped_platform(manifest) : NULL;
    rebuilt = platform ? PyDict_New() : NULL;
    if (!rebuilt)
        goto done;
    /* Every module of this load by name (the last of a name wins), for sys.modules. */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(made); i++) {
        PyObject *pair = PyList_GET_ITEM(made, i);
        if (PyTuple_Check(pair) && PyTuple_GET_SIZE(pair) == 2 &&
            PyDict_SetItem(rebuilt, PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1)) < 0)
            goto done;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(made); i++) {
        PyObject *pair = PyList_GET_ITEM(made, i), *name, *mod;
        int failed = 0;
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 ||
            !PyUnicode_Check(PyTuple_GET_ITEM(pair, 0)))
            continue;
        name = PyTuple_GET_ITEM(pair, 0);
        mod = PyTuple_GET_ITEM(pair, 1);
        Py_INCREF(pair);  /* held: setting an attribute may change the list */
        if (PyUnicode_CompareWithASCIIString(name, "sys") == 0) {
            failed = finish_sys(sur, mod, roots, platform, rebuilt) < 0;
        } else if (PyUnicode_CompareWithASCIIString(name, "os") == 0 &&
                   (env = PyDict_GetItemString(roots, "environ")) && PyDict_Check(env)) {
            /* A read-only mapping of the dumped environment (pyhd_surrogates._Environ). */
            PyObject *cls = pyhd__getattr(sur, "_Environ");
            PyObject *value = cls ? PyObject_CallOneArg(cls, env) : NULL;
            failed = !value || PyObject_SetAttrString(mod, "environ", value) < 0;
            Py_XDECREF(cls);
            Py_XDECREF(value);
        }
        Py_DECREF(pair);
        if (failed)
            goto done;
    }
    rc = clear_list(made);
done:
    Py_XDECREF(made);
    Py_XDECREF(rebuilt);
    Py_XDECREF(platform);
    return rc;
}
