/* rebuild.h: a dump's records back into Python objects, and the builtin module _pyhd. */
#ifndef PYHD_REBUILD_H
#define PYHD_REBUILD_H

#include "compat.h"

/*
 * The init function of the builtin module _pyhd: register it with
 * PyImport_AppendInittab("_pyhd", pyhd__init_module) before Py_Initialize.
 *
 * _pyhd.load(path, trust=False) -> dict reads a dump and rebuilds its
 * objects (see src/py/pyhd_surrogates.py and notes/D2.md for the keys);
 * _pyhd.DumpError is raised, with a one-line message naming no file, when
 * the dump is not one or is damaged. load() needs the module
 * pyhd_surrogates in sys.modules (pyhd__exec_embedded() puts it there).
 */
PyMODINIT_FUNC pyhd__init_module(void);

/*
 * Run embedded Python source (one of src/embedded.h's arrays) as module name
 * and put it in sys.modules. filename is what tracebacks show. CPython
 * convention: returns a new reference, or NULL with an exception set.
 */
PyObject *pyhd__exec_embedded(const char *name, const char *filename,
                              const unsigned char *source);

#endif /* PYHD_REBUILD_H */
