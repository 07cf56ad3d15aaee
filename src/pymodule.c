/* pymodule.c: the pyhd module: dump(), enabled(), settings(), install(), DumpError and DumpHandler. */
#include "pymodule.h"

#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "embedded.h"
#include "hook.h"
#include "signals.h"

/*
 * Whose options the module uses: pyhd-run's (launcher), or, in the extension
 * module, its own, read from the PYHD_* variables by pyhd.dump() or
 * pyhd.install(). The module state is static: there is one pyhd per process,
 * as there is one set of signal handlers.
 */
static const struct pyhd_options *launcher;
static struct pyhd_options own;
static int own_loaded;
static int installed;          /* pyhd.install() succeeded */
static PyObject *dump_error;   /* pyhd.DumpError; a reference kept for good */

void pyhd__module_set_launcher(const struct pyhd_options *o)
{
    launcher = o;
}

static const char *getenv_const(const char *name)
{
    return getenv(name);
}

/* Read the PYHD_* variables into own, once. -1 with ValueError if one is bad. */
static int load_own(void)
{
    char *argv[] = {"python", NULL};
    char err[1024];
    int consumed;

    if (own_loaded)
        return 0;
    pyhd__options_init(&own);
    if (pyhd__options_parse(&own, 1, argv, getenv_const, &consumed, err, sizeof err)
        != PYHD_PARSE_RUN) {
        pyhd__options_free(&own);
        PyErr_Format(PyExc_ValueError, "pyhd: %s", err);
        return -1;
    }
    /* As pyhd-run: a relative directory is the one the program started in;
       if that cannot be found, the dump goes where the program is. */
    if (pyhd__options_resolve_dump_dir(&own, err, sizeof err) < 0)
        PySys_WriteStderr("pyhd: warning: %s\n", err);
    own_loaded = 1;
    return 0;
}

/* The options in force (borrowed), or NULL with an exception set. */
static const struct pyhd_options *options(void)
{
    if (launcher != NULL)
        return launcher;
    if (load_own() < 0)
        return NULL;
    return &own;
}

/* dump() and _dump_limited(): the dump and its path, None if dumps are off
   (or limited is set and the rate limit refuses), DumpError if it failed. */
static PyObject *dump_now(PyObject *path_obj, PyObject *exc, PyObject *reason_obj,
                          int limited)
{
    const struct pyhd_options *o = options();
    PyObject *path_bytes = NULL, *handled = NULL, *result = NULL;
    const char *reason = NULL, *path = NULL;
    struct pyhd_dump_request q;
    struct pyhd_dump_result r;
    char line[sizeof r.path + 1024];
    enum pyhd_dump_outcome outcome;

    if (o == NULL)
        return NULL;
    if (exc != Py_None && !PyExceptionInstance_Check(exc)) {
        PyErr_Format(PyExc_TypeError, "exc must be an exception or None, not %.200s",
                     Py_TYPE(exc)->tp_name);
        return NULL;
    }
    if (reason_obj != Py_None) {
        if (!PyUnicode_Check(reason_obj)) {
            PyErr_Format(PyExc_TypeError, "reason must be a str or None, not %.200s",
                         Py_TYPE(reason_obj)->tp_name);
            return NULL;
        }
        reason = PyUnicode_AsUTF8(reason_obj);
        if (reason == NULL)
            return NULL;
    }
    if (path_obj != Py_None) {
        if (!PyUnicode_FSConverter(path_obj, &path_bytes))
            return NULL;
        path = PyBytes_AS_STRING(path_bytes);
    }
    if (!o->enabled || (limited && !pyhd__hook_rate_allows())) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    /* By default, the exception being handled: `except: pyhd.dump()`. */
    if (exc == Py_None)
        exc = handled = pyhd_err_handled();
    memset(&q, 0, sizeof q);
    q.trigger = PYHD_TRIGGER_API;
    q.exc = exc;
    q.reason = reason;
    q.path = path;
    q.may_fork = 1;
    outcome = pyhd__dump_take(o, &q, &r);
    if (outcome == PYHD_DUMP_FAILED || outcome == PYHD_DUMP_NESTED) {
        PyErr_SetString(dump_error, r.error);
        goto done;
    }
    /* The line every dump prints, so that a DumpHandler's dumps are seen;
       with --dump-fork the child names the dump and prints its line. */
    if (outcome == PYHD_DUMP_WRITTEN && !o->quiet) {
        pyhd__dump_format_line(&r, 1, line, sizeof line);
        pyhd__hook_print_line(line);
    }
    result = outcome == PYHD_DUMP_WRITTEN ? PyUnicode_DecodeFSDefault(r.path)
                                          : Py_NewRef(Py_None);
done:
    Py_XDECREF(handled);
    Py_XDECREF(path_bytes);
    return result;
}

static PyObject *pyhd_dump(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"path", "exc", "reason", NULL};
    PyObject *path = Py_None, *exc = Py_None, *reason = Py_None;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOO:dump", keywords, &path, &exc,
                                     &reason))
        return NULL;
    return dump_now(path, exc, reason, 0);
}

static PyObject *pyhd_dump_limited(PyObject *module, PyObject *args)
{
    PyObject *exc, *reason;

    if (!PyArg_ParseTuple(args, "OO:_dump_limited", &exc, &reason))
        return NULL;
    return dump_now(Py_None, exc, reason, 1);
}

static PyObject *pyhd_enabled(PyObject *module, PyObject *unused)
{
    if (launcher != NULL)
        return PyBool_FromLong(launcher->enabled);
    return PyBool_FromLong(installed && own.enabled);
}

static PyObject *pyhd_settings(PyObject *module, PyObject *unused)
{
    const struct pyhd_options *o = options();
    char signal_name[32];

    if (o == NULL)
        return NULL;
    snprintf(signal_name, sizeof signal_name, "SIG%s", pyhd__signal_name(o->dump_signal));
    return Py_BuildValue(
        "{s:s, s:O, s:z, s:z, s:O, s:K, s:K, s:K, s:O, s:O, s:z, s:O, s:i}",
        "launcher", launcher != NULL ? "pyhd-run" : "extension",
        "installed", launcher != NULL || installed ? Py_True : Py_False,
        "dump_dir", o->dump_dir, "dump_name", o->dump_name,
        "quiet", o->quiet ? Py_True : Py_False,
        "max_size", (unsigned long long)o->max_size,
        "max_string", (unsigned long long)o->max_string,
        "max_items", (unsigned long long)o->max_items,
        "repr_all", o->repr_all ? Py_True : Py_False,
        "dump_on_interrupt", o->dump_on_interrupt ? Py_True : Py_False,
        "dump_signal", o->dump_signal != 0 ? signal_name : NULL,
        "dump_fork", o->dump_fork ? Py_True : Py_False,
        "rate_limit_per_minute", PYHD_RATE_LIMIT_DUMPS);
}

/*
 * What pyhd-run sets up, for a program started by another launcher: dumps on
 * uncaught exceptions (the audit hook), on thread failures, on the dump
 * signal and on fatal signals. The dump signal is set first, as it is the
 * step that can be refused (signal.signal() works only in the main thread);
 * the audit hook, which cannot be removed, goes last.
 */
static PyObject *pyhd_install(PyObject *module, PyObject *unused)
{
    if (launcher != NULL || installed)
        Py_RETURN_NONE;
    if (load_own() < 0)
        return NULL;
    if (!own.enabled)
        Py_RETURN_NONE;
    if (pyhd__signals_install_dump(&own) < 0 || pyhd__signals_install_fatal(&own) < 0
        || pyhd__hook_install_threads() < 0)
        return NULL;
    if (pyhd__hook_install(&own) < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_RuntimeError, "pyhd: cannot add the audit hook");
        return NULL;
    }
    installed = 1;
    Py_RETURN_NONE;
}

static PyMethodDef pyhd_methods[] = {
    {"dump", (PyCFunction)(void (*)(void))pyhd_dump, METH_VARARGS | METH_KEYWORDS,
     "dump(path=None, exc=None, reason=None) -> str\n\n"
     "Write a dump of every thread now and return its path. exc is the dump's\n"
     "exception (default: the one being handled, if any); reason is recorded in\n"
     "the MANIFEST. Returns None when dumps are off, and under --dump-fork (the\n"
     "child prints the path). Raises pyhd.DumpError if the dump cannot be written."},
    {"_dump_limited", pyhd_dump_limited, METH_VARARGS,
     "_dump_limited(exc, reason): dump() under the rate limit (for DumpHandler)."},
    {"enabled", pyhd_enabled, METH_NOARGS,
     "enabled() -> bool: whether pyhd writes dumps in this process."},
    {"settings", pyhd_settings, METH_NOARGS,
     "settings() -> dict: the settings dumps are written with."},
    {"install", pyhd_install, METH_NOARGS,
     "install(): dump on uncaught exceptions, thread failures, the dump signal and\n"
     "fatal signals, with the settings of the PYHD_* variables, as pyhd-run does.\n"
     "Call it from the main thread. Does nothing under pyhd-run."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef pyhd_module = {
    PyModuleDef_HEAD_INIT, "pyhd",
    "pyhd: heap dumps of this process (see pyhd-run(1)).", -1, pyhd_methods,
    NULL, NULL, NULL, NULL,
};

/* Run src/py/pyhd_module.py in the module's namespace. */
static int run_python_part(PyObject *module)
{
    PyObject *dict = PyModule_GetDict(module);  /* borrowed */
    PyObject *code = NULL, *result = NULL;

    if (PyDict_SetItemString(dict, "__builtins__", PyEval_GetBuiltins()) < 0)
        return -1;
    code = Py_CompileString((const char *)pyhd__module_py, "<pyhd_module.py>",
                            Py_file_input);
    if (code == NULL)
        return -1;
    result = PyEval_EvalCode(code, dict, dict);
    Py_DECREF(code);
    if (result == NULL)
        return -1;
    Py_DECREF(result);
    return 0;
}

PyMODINIT_FUNC PyInit_pyhd(void)
{
    PyObject *module = PyModule_Create(&pyhd_module);

    if (module == NULL)
        return NULL;
    if (dump_error == NULL) {
        dump_error = PyErr_NewExceptionWithDoc(
            "pyhd.DumpError", "A dump could not be written; the message says why.",
            PyExc_RuntimeError, NULL);
        if (dump_error == NULL)
            goto error;
    }
    if (PyModule_AddObjectRef(module, "DumpError", dump_error) < 0
        || run_python_part(module) < 0)
        goto error;
    return module;
error:
    Py_DECREF(module);
    return NULL;
}
