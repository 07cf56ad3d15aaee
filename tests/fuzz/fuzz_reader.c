/* fuzz_reader.c: libFuzzer target for the whole reader: decode, validate, rebuild, first screen. */
#define _GNU_SOURCE
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "embedded_import.h"
#include "rebuild.h"

/*
 * Each input is written to an in-memory file and opened as pyhd-debug opens
 * a dump, in an interpreter started once: _pyhd.load() without rebuilding
 * (what --print and --info do), then with it, then the debugger's first
 * screen (the header and the traceback, the frames rebuilt for pdb) and a
 * bounded repr of every root. A DumpError is the reader refusing the input,
 * which is fine; any other exception escaping is a bug (pyhd-debug would end
 * with a Python traceback instead of one line), and so are crashes, hangs
 * (-timeout) and unbounded memory (-rss_limit_mb). See README.md here.
 */

static const char screen_py[] =
    "import _pyhd, linecache, traceback\n"
    "import pyhd_debugger, pyhd_reprlib\n"
    "def screen(path):\n"
    "    try:\n"
    "        data = _pyhd.load(path, rebuild=False)\n"
    "    except _pyhd.DumpError:\n"
    "        return\n"
    "    pyhd_debugger.format_info(pyhd_debugger.Dump(data, frames=False))\n"
    "    try:\n"
    "        data = _pyhd.load(path)\n"
    "    except _pyhd.DumpError:\n"
    "        return\n"
    "    try:\n"
    "        dump = pyhd_debugger.Dump(data)\n"
    "        pyhd_debugger.format_header(dump)\n"
    "        if dump.exception is not None:\n"
    "            traceback.format_exception(dump.exception)\n"
    "        dump.start_traceback()\n"
    "        for value in dump.roots.values():\n"
    "            pyhd_reprlib.cut_repr(value, 2000)\n"
    "    finally:\n"
    "        linecache.clearcache()\n";

static PyObject *screen;  /* the function above: a new reference held for the run */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    PyPreConfig preconfig;
    PyConfig config;
    PyStatus status;
    PyObject *globals = NULL, *rc = NULL;

    (void)argc;
    (void)argv;
    if (PyImport_AppendInittab("_pyhd", pyhd__init_module) < 0 ||
        PyImport_AppendInittab("_pyhd_embedded", pyhd__init_embedded_module) < 0)
        abort();
    /* As pyhd-debug starts, isolated; the system allocator, so that ASan sees
       every object. */
    PyPreConfig_InitIsolatedConfig(&preconfig);
    preconfig.allocator = PYMEM_ALLOCATOR_MALLOC;
    preconfig.utf8_mode = 1;
    status = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(status))
        Py_ExitStatusException(status);
    PyConfig_InitIsolatedConfig(&config);
    /* libFuzzer's own handlers report crashes and timeouts. */
    config.install_signal_handlers = 0;
    status = PyConfig_SetBytesString(&config, &config.executable, PYHD_PYTHON_EXECUTABLE);
    if (!PyStatus_Exception(status))
        status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status))
        Py_ExitStatusException(status);
    if (pyhd__install_embedded_importer() < 0)
        goto error;
    globals = PyDict_New();
    if (!globals || PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()) < 0)
        goto error;
    rc = PyRun_String(screen_py, Py_file_input, globals, globals);
    if (!rc)
        goto error;
    screen = PyDict_GetItemString(globals, "screen");  /* borrowed */
    if (!screen)
        goto error;
    Py_INCREF(screen);
    Py_DECREF(rc);
    Py_DECREF(globals);
    return 0;
error:
    PyErr_Print();
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    char path[64];
    PyObject *rc;

    /* An in-memory file: the reader takes a path. */
    if (fd < 0 && (fd = memfd_create("pyhd-fuzz-reader", 0)) < 0)
        abort();
    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    rc = PyObject_CallFunction(screen, "s", path);
    if (!rc) {
        /* Anything but DumpError escaping: pyhd-debug would print a traceback. */
        PyErr_Print();
        abort();
    }
    Py_DECREF(rc);
    return 0;
}
