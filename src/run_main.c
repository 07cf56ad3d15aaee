/* run_main.c: pyhd-run, a drop-in for python that dumps the process when an exception escapes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "hook.h"
#include "options.h"
#include "pymodule.h"
#include "signals.h"

/* Exit status for a bad pyhd option, value or variable, as python uses for
   its own usage errors. */
#define EXIT_USAGE 2
/* pyhd-run could not prepare python's start (out of memory, a path too long):
   python's status for failures of its own start-up. */
#define EXIT_SETUP_FAILED 1

static const char *getenv_const(const char *name)
{
    return getenv(name);
}

/* Stage 1: pyhd's options. Returns -1 to go on and run python, else the exit status. */
static int parse_pyhd_options(struct pyhd_options *o, int argc, char **argv, int *consumed)
{
    char err[1024];

    switch (pyhd__options_parse(o, argc, argv, getenv_const, consumed, err, sizeof(err))) {
    case PYHD_PARSE_RUN:
        break;
    case PYHD_PARSE_HELP:
        fputs(pyhd__options_usage(), stdout);
        return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
    case PYHD_PARSE_VERSION: {
        /* The running libpython's version: "3.11.7 (main, ...)" up to the blank. */
        const char *version = Py_GetVersion();
        printf("pyhd-run %s (Python %.*s)\n", PYHD_VERSION, (int)strcspn(version, " "),
               version);
        return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
    }
    default:
        fprintf(stderr, "pyhd-run: %s\n", err);
        return EXIT_USAGE;
    }
    /* A relative dump directory means the one pyhd-run started in, whatever
       the program does with chdir(); if that cannot be found, the dump goes
       where the program is when it fails. */
    if (pyhd__options_resolve_dump_dir(o, err, sizeof(err)) < 0)
        fprintf(stderr, "pyhd-run: warning: %s\n", err);
    return -1;
}

/*
 * Stage 2: initialize python exactly as python itself would be with the same
 * arguments: CPython parses its own options and PYTHON* variables. argv[0] is
 * the python that sys.executable names, so sys.orig_argv looks as if that
 * python had been run, and getpath computes sys.prefix and sys.path from it
 * (a virtualenv included) as it does for python. Exits on failure, or when
 * python's options ask for it (-h, -V, a bad option: status 2).
 * The audit hook (NULL options: none) goes in after preinitialization, which
 * picks the memory allocators (-X dev, PYTHONMALLOC): the hook's entry must be
 * allocated by the allocator that frees it at finalization.
 */
static void init_python(int argc, char **argv, const char *executable,
                        const struct pyhd_options *hook_options)
{
    PyConfig config;
    PyStatus status;

    PyConfig_InitPythonConfig(&config);
    status = PyConfig_SetBytesArgv(&config, argc, argv);
    if (PyStatus_Exception(status))
        goto done;
    status = PyConfig_SetBytesString(&config, &config.executable, executable);
    if (PyStatus_Exception(status))
        goto done;
    if (hook_options != NULL && pyhd__hook_install(hook_options) < 0)
        fprintf(stderr, "pyhd-run: warning: cannot install the audit hook; no dump will "
                        "be written\n");
    status = Py_InitializeFromConfig(&config);
done:
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status))
        Py_ExitStatusException(status);
}

/* Print a failed set-up step and its exception as one warning line. */
static void warn_python_error(const char *what)
{
    PyObject *exc = pyhd_err_take();
    PyObject *text = exc != NULL ? PyObject_Str(exc) : NULL;
    const char *message = text != NULL ? PyUnicode_AsUTF8(text) : NULL;

    PyErr_Clear();
    fprintf(stderr, "pyhd-run: warning: %s: %s\n", what, message != NULL ? message : "?");
    Py_XDECREF(text);
    Py_XDECREF(exc);
}

/*
 * Stage 3, before the program's first line: the triggers that need a running
 * interpreter. Each one that cannot be set up is reported and left out; the
 * program runs all the same.
 */
static void install_triggers(const struct pyhd_options *o)
{
    if (pyhd__hook_install_threads() < 0)
        warn_python_error("no dumps of thread failures");
    if (pyhd__signals_install_dump(o) < 0)
        warn_python_error("no dump signal");
    if (pyhd__signals_install_fatal(o) < 0)
        warn_python_error("no dumps on fatal signals");
}

int main(int argc, char **argv)
{
    struct pyhd_options options; /* must outlive the interpreter: the hook reads it */
    char executable[4096], warning[8192];
    char **python_argv = NULL;
    int consumed = 0, status, python_argc;

    pyhd__options_init(&options);
    status = parse_pyhd_options(&options, argc, argv, &consumed);
    if (status >= 0)
        goto done;

    if (pyhd__python_executable(getenv_const, PYHD_PYTHON_EXECUTABLE, PY_MAJOR_VERSION,
                                PY_MINOR_VERSION, executable, sizeof(executable), warning,
                                sizeof(warning)) < 0) {
        fprintf(stderr, "pyhd-run: %s\n", warning);
        status = EXIT_SETUP_FAILED;
        goto done;
    }
    if (warning[0] != '\0')
        fprintf(stderr, "pyhd-run: %s\n", warning);

    python_argc = argc - consumed + 1;
    python_argv = calloc((size_t)python_argc + 1, sizeof(*python_argv));
    if (python_argv == NULL) {
        fprintf(stderr, "pyhd-run: out of memory\n");
        status = EXIT_SETUP_FAILED;
        goto done;
    }
    python_argv[0] = executable;
    memcpy(python_argv + 1, argv + consumed, (size_t)(argc - consumed) * sizeof(*argv));

    /* The pyhd module is there even with --no-dump, so that a program that
       imports it runs; pyhd.enabled() tells it whether dumps are written. */
    pyhd__module_set_launcher(&options);
    if (PyImport_AppendInittab("pyhd", PyInit_pyhd) < 0) {
        fprintf(stderr, "pyhd-run: out of memory\n");
        status = EXIT_SETUP_FAILED;
        goto done;
    }
    /* With --no-dump there is no hook at all: python runs untouched. */
    init_python(python_argc, python_argv, executable, options.enabled ? &options : NULL);
    if (options.enabled)
        install_triggers(&options);
    /* Python's own exit status: 0, SystemExit's code, 1 for an uncaught
       exception, 120 if finalization fails; on KeyboardInterrupt it kills
       this process with SIGINT itself and does not return. */
    status = Py_RunMain();
    /* If the atexit handler could not print the "pyhd:" line, do it now. */
    pyhd__hook_flush_message();
done:
    free(python_argv);
    pyhd__options_free(&options);
    return status;
}
