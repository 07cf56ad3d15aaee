/* debug_main.c: pyhd-debug: start an interpreter, load the embedded debugger, run it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "embedded_import.h"
#include "rebuild.h"

/* Exit statuses besides the debugger's own: an internal error (a Python
   exception escaping the debugger, or an interpreter that will not start),
   and an interrupt, as python reports one. */
#define EXIT_INTERNAL 1
#define EXIT_SIGINT 130

/*
 * Stage 1: --trust on the command line starts a normal interpreter;
 * otherwise it is isolated, so that no PYTHON* variable, user site or file in
 * the current directory can put code into the process that reads the dump.
 * The debugger parses the options properly (argparse, in pyhd_debugger.py);
 * this scan only decides how to start, and reads argv as that parser will:
 * options may follow the file, "--" ends them, and the word after an option
 * that takes a value is that value, not an option.
 */
static int wants_trust(int argc, char **argv)
{
    static const char *const with_value[] = {"-c", "--command", "--debugger", "--list",
                                              "--program", "--fingerprint", "--since",
                                              "--frame", "--thread", "--html", "--listen"};
    for (int i = 1; i < argc; i++) {
        int takes_value = 0;
        if (!strcmp(argv[i], "--"))
            return 0;
        if (!strcmp(argv[i], "--trust"))
            return 1;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
            takes_value |= !strcmp(argv[i], with_value[k]);
        if (takes_value)
            i++;
    }
    return 0;
}

/* Stage 2: the interpreter, with _pyhd built in. Returns 0 or -1 (message printed). */
static int init_python(int argc, char **argv, int trust)
{
    PyConfig config;
    PyStatus status;

    PyPreConfig preconfig;

    if (PyImport_AppendInittab("_pyhd", pyhd__init_module) < 0 ||
        PyImport_AppendInittab("_pyhd_embedded", pyhd__init_embedded_module) < 0) {
        fprintf(stderr, "pyhd-debug: cannot register the _pyhd modules\n");
        return -1;
    }
    /* As python does: under the C or POSIX locale, UTF-8 mode (dumps are UTF-8). */
    if (trust) {
        PyPreConfig_InitPythonConfig(&preconfig);
    } else {
        PyPreConfig_InitIsolatedConfig(&preconfig);
        preconfig.utf8_mode = -1;
        preconfig.coerce_c_locale = -1;
    }
    status = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(status))
        goto preinit_error;
    if (trust)
        PyConfig_InitPythonConfig(&config);
    else
        PyConfig_InitIsolatedConfig(&config);
    /* sys.argv is our argv as given: the debugger parses it, python must not. */
    config.parse_argv = 0;
    status = PyConfig_SetBytesArgv(&config, argc, argv);
    if (PyStatus_Exception(status))
        goto error;
    /* The python this libpython belongs to: its prefix finds the standard library. */
    status = PyConfig_SetBytesString(&config, &config.executable, PYHD_PYTHON_EXECUTABLE);
    if (PyStatus_Exception(status))
        goto error;
    status = Py_InitializeFromConfig(&config);
    if (PyStatus_Exception(status))
        goto error;
    PyConfig_Clear(&config);
    return 0;

error:
    PyConfig_Clear(&config);
preinit_error:
    if (PyStatus_IsExit(status))
        exit(status.exitcode);
    fprintf(stderr, "pyhd-debug: cannot start python: %s%s%s\n",
            status.func ? status.func : "", status.func ? ": " : "",
            status.err_msg ? status.err_msg : "unknown error");
    return -1;
}

/* Stage 3: load the embedded modules and return pyhd_debugger.main(sys.argv[1:]). */
static int run_debugger(void)
{
    PyObject *surrogates = NULL, *debugger = NULL, *argv = NULL, *args = NULL, *rc = NULL;
    int status = EXIT_INTERNAL;

    if (pyhd__install_embedded_importer() < 0)
        goto error;
    surrogates = PyImport_ImportModule("pyhd_surrogates");
    if (!surrogates)
        goto error;
    debugger = PyImport_ImportModule("pyhd_debugger");
    if (!debugger)
        goto error;
    argv = PySys_GetObject("argv");  /* borrowed */
    if (!argv || !PyList_Check(argv)) {
        PyErr_SetString(PyExc_RuntimeError, "sys.argv is not a list");
        goto error;
    }
    args = PyList_GetSlice(argv, 1, PyList_GET_SIZE(argv));
    if (!args)
        goto error;
    rc = PyObject_CallMethod(debugger, "main", "O", args);
    if (!rc)
        goto error;
    status = (int)PyLong_AsLong(rc);
    if (status == -1 && PyErr_Occurred())
        goto error;
    goto done;

error:
    if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
        PyErr_Clear();
        status = EXIT_SIGINT;
    } else {
        /* Prints the traceback; a SystemExit exits here with its own status. */
        PyErr_Print();
        status = EXIT_INTERNAL;
    }
done:
    Py_XDECREF(surrogates);
    Py_XDECREF(debugger);
    Py_XDECREF(args);
    Py_XDECREF(rc);
    return status;
}

int main(int argc, char **argv)
{
    int status;
    if (init_python(argc, argv, wants_trust(argc, argv)) < 0)
        return EXIT_INTERNAL;
    status = run_debugger();
    /* Output that cannot be flushed at exit is an error, as for python. */
    if (Py_FinalizeEx() < 0 && status == 0)
        status = 120;
    return status;
}
