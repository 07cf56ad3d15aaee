/* debug_main.c: pyhd-debug: start an interpreter, load the embedded debugger, run it. */
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "container.h"
#include "embedded_import.h"
#include "manifest.h"
#include "pyhd/format.h"
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
 * The dump's MANIFEST may name the str hash seed to start with. The debugger
 * parses the options properly (pyhd_debug/cli.py); these scans only decide how
 * to start, and read argv as that parser will: options may follow the file,
 * "--" ends them, and the word after an option that takes a value is that
 * value, not an option.
 */

/* Options that take a value, as the next word or attached (--list=DIR, -cq). */
static const char *const with_value[] = {"-c", "--command", "--debugger", "--list", "--attach",
                                         "--program", "--fingerprint", "--since", "--frame",
                                         "--thread", "--html", "--listen"};

static int takes_value(const char *arg)
{
    for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
        if (!strcmp(arg, with_value[k]))
            return 1;
    return 0;
}

static int wants_trust(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            return 0;
        if (!strcmp(argv[i], "--trust"))
            return 1;
        if (takes_value(argv[i]))
            i++;
    }
    return 0;
}

/* The dump operand, the first word that is no option or option value; NULL: none. */
static const char *dump_operand(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            return i + 1 < argc && strcmp(argv[i + 1], "-") ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "-"))
            return NULL;  /* standard input: not read before the debugger reads it */
        if (argv[i][0] != '-')
            return argv[i];
        if (takes_value(argv[i]))
            i++;
    }
    return NULL;
}

/*
 * The str hash seed the dumped program ran with (its MANIFEST's Hash-Seed,
 * written when PYTHONHASHSEED fixed it): 1 and *seed, or 0 (a random secret,
 * an older dump, no dump operand, a file that is no dump). The seed decides the
 * order in which a set of strs iterates, so the rebuilt sets show the program's
 * order when the debugger hashes as the program did. Only the MANIFEST is read.
 */
static int dump_hash_seed(const char *path, unsigned long *seed)
{
    static const char *const wanted[] = {PYHD_MEMBER_MANIFEST};
    struct pyhd_dump_file file = {0};
    struct pyhd_manifest manifest = {NULL, 0, NULL};
    const struct pyhd_archive_member *m;
    const char *value;
    char err[256], *end;
    int found = 0;

    if (path == NULL ||
        pyhd__ar_load_some(path, (size_t)1 << 20, wanted, 1, &file, err, sizeof err) < 0)
        return 0;
    m = pyhd__ar_find(&file, PYHD_MEMBER_MANIFEST);
    if (m != NULL &&
        pyhd__manifest_parse((const char *)m->data, m->len, &manifest, err, sizeof err) == 0) {
        value = pyhd__manifest_get(&manifest, PYHD_MANIFEST_HASH_SEED);
        /* PYTHONHASHSEED's range: decimal digits, at most 4294967295. */
        if (value != NULL && value[0] >= '0' && value[0] <= '9' && strlen(value) <= 10) {
            unsigned long long n = strtoull(value, &end, 10);
            if (*end == '\0' && n <= 4294967295ULL) {
                *seed = (unsigned long)n;
                found = 1;
            }
        }
        pyhd__manifest_free(&manifest);
    }
    pyhd__ar_free(&file);
    return found;
}

/* Stage 2: the interpreter, with _pyhd built in, hashing strs with seed when
   has_seed. Returns 0 or -1 (message printed). */
static int init_python(int argc, char **argv, int trust, int has_seed, unsigned long seed)
{
    PyConfig config;
    PyStatus status;

    PyPreConfig preconfig;

    if (PyImport_AppendInittab("_pyhd", pyhd__init_module) < 0 ||
        PyImport_AppendInittab("_pyhd_embedded", pyhd__init_embedded_module) < 0) {
        fprintf(stderr, "pyhd-debug: cannot register the _pyhd modules\n");
        return -1;
    }
    /* As python -I does: LC_CTYPE from the environment (readline reads what the
       user types in it: under the "C" locale it mangles every non-ASCII
       character), and under the C or POSIX locale, UTF-8 mode (dumps are UTF-8). */
    if (trust) {
        PyPreConfig_InitPythonConfig(&preconfig);
    } else {
        PyPreConfig_InitIsolatedConfig(&preconfig);
        preconfig.configure_locale = 1;
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
    if (has_seed) {
        config.use_hash_seed = 1;
        config.hash_seed = seed;
    }
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

    /* The start (our modules, the dump's objects) makes long-lived objects and
       little garbage: the collector would walk them again and again for
       nothing. pyhd_debug.cli resumes it before the session. */
    pyhd__pause_collector();
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

/*
 * Keep the memory a load frees for the next one. A load allocates its
 * temporaries (the archive's members, the inflated graph, the record and slot
 * tables: about 1.5 MB at 10^4 objects) and frees them; glibc then trims its
 * heap, or unmaps a table it mmapped, and the next load (the debug adapter, a
 * report, --list, a test) faults every page in again: at 10^4 objects about 190
 * page faults a load, 3 ms in a virtual machine, three times the load itself.
 * Up to 32 MiB stay in the heap instead (a 10^6-object load's tables are mmapped
 * and returned as before). pyhd-run does not do this: it runs the program with
 * python's memory behaviour.
 */
static void keep_freed_memory(void)
{
#if defined(M_TRIM_THRESHOLD) && defined(M_MMAP_THRESHOLD)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
#endif
}

int main(int argc, char **argv)
{
    unsigned long seed = 0;
    int status, has_seed;
    keep_freed_memory();
    has_seed = dump_hash_seed(dump_operand(argc, argv), &seed);
    if (init_python(argc, argv, wants_trust(argc, argv), has_seed, seed) < 0)
        return EXIT_INTERNAL;
    status = run_debugger();
    pyhd__freeze_for_exit();
    /* Output that cannot be flushed at exit is an error, as for python. */
    if (Py_FinalizeEx() < 0 && status == 0)
        status = 120;
    return status;
}
