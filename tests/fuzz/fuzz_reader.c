/* fuzz_reader.c: libFuzzer target for the whole reader: decode, validate, rebuild, first screen. */
#define _GNU_SOURCE
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "embedded_import.h"
#include "rebuild.h"

/*
 * An input that starts with the graph magic ("PYHDGRPH") is an inflated graph
 * stream: its END record is made right (object count, CRC) and it is wrapped
 * in a dump, so that mutations reach the validator and the rebuilder instead
 * of failing zlib's and the END's checks. Any other input is a whole dump.
 *
 * Each dump is written to an in-memory file and opened as pyhd-debug opens
 * it, in an interpreter started once: the MANIFEST and traceback.txt read
 * without the graph (what --print and --info do), then _pyhd.load(), then
 * the debugger's first screen (the header and the traceback, the frames rebuilt for pdb) and a
 * bounded repr of every root. A DumpError is the reader refusing the input,
 * which is fine; any other exception escaping is a bug (pyhd-debug would end
 * with a Python traceback instead of one line), and so are crashes, hangs
 * (-timeout) and unbounded memory (-rss_limit_mb). See README.md here.
 */

static const char screen_py[] =
    "import _pyhd, linecache, traceback\n"
    "import pyhd_reprlib\n"
    "from pyhd_debug.model import Dump\n"
    "from pyhd_debug.output import format_header\n"
    "from pyhd_debug.reader import read_text\n"
    "def screen(path):\n"
    "    try:\n"
    "        read_text(path, traceback=True)\n"
    "    except _pyhd.DumpError:\n"
    "        pass\n"
    "    try:\n"
    "        data = _pyhd.load(path)\n"
    "    except _pyhd.DumpError:\n"
    "        return\n"
    "    try:\n"
    "        dump = Dump(data)\n"
    "        format_header(dump)\n"
    "        if dump.exception is not None:\n"
    "            traceback.format_exception(dump.exception)\n"
    "        dump.start('program')\n"
    "        for value in dump.roots.values():\n"
    "            pyhd_reprlib.cut_repr(value, 2000)\n"
    "    finally:\n"
    "        linecache.clearcache()\n"
    "import io, tarfile, zlib\n"
    "MANIFEST = b'Format-Version: 1\\nTrigger: api\\nThreads: 0\\n'\n"
    "def varint(data, i):\n"
    "    value = shift = 0\n"
    "    while i < len(data) and shift < 70:\n"
    "        value |= (data[i] & 0x7F) << shift\n"
    "        shift += 7\n"
    "        i += 1\n"
    "        if not data[i - 1] & 0x80:\n"
    "            return value, i\n"
    "    return None, len(data)\n"
    "def as_dump(graph, path):\n"
    "    # The records up to END (or the end); a right END: count and CRC.\n"
    "    i, count = 9, 0\n"
    "    while i < len(graph) and graph[i] != 0xFF:\n"
    "        kind = graph[i]\n"
    "        fresh, i = varint(graph, i + 1)\n"
    "        length, i = varint(graph, i)\n"
    "        if length is None or i + length > len(graph):\n"
    "            break\n"
    "        i += length\n"
    "        count += kind < 0xC0\n"
    "    body = graph[:min(i, len(graph))]\n"
    "    end = bytearray()\n"
    "    n = count\n"
    "    while True:\n"
    "        end.append((n & 0x7F) | (0x80 if n > 0x7F else 0))\n"
    "        n >>= 7\n"
    "        if not n:\n"
    "            break\n"
    "    end += zlib.crc32(body).to_bytes(4, 'little')\n"
    "    stream = body + bytes([0xFF, 0, len(end)]) + end\n"
    "    out = io.BytesIO()\n"
    "    with tarfile.open(fileobj=out, mode='w', format=tarfile.PAX_FORMAT) as tar:\n"
    "        for name, member in (('MANIFEST', MANIFEST), ('graph.z', zlib.compress(stream, 1))):\n"
    "            info = tarfile.TarInfo(name)\n"
    "            info.size = len(member)\n"
    "            tar.addfile(info, io.BytesIO(member))\n"
    "    with open(path, 'wb') as f:\n"
    "        f.write(out.getvalue())\n"
    "    screen(path)\n";

static PyObject *screen, *as_dump;  /* the functions above: new references held for the run */

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
    as_dump = PyDict_GetItemString(globals, "as_dump");  /* borrowed */
    if (!screen || !as_dump)
        goto error;
    Py_INCREF(screen);
    Py_INCREF(as_dump);
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
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (ftruncate(fd, 0) < 0)
        abort();
    if (size >= 8 && !memcmp(data, "PYHDGRPH", 8)) {
        rc = PyObject_CallFunction(as_dump, "y#s", (const char *)data, (Py_ssize_t)size, path);
    } else {
        if (pwrite(fd, data, size, 0) != (ssize_t)size)
            abort();
        rc = PyObject_CallFunction(screen, "s", path);
    }
    if (!rc) {
        /* Anything but DumpError escaping: pyhd-debug would print a traceback. */
        PyErr_Print();
        abort();
    }
    Py_DECREF(rc);
    return 0;
}
