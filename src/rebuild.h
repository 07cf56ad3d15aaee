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
 * the dump is not one or is damaged. _pyhd.read_members(path, names) reads
 * only the named archive members (MANIFEST, traceback.txt) and
 * _pyhd.parse_manifest(bytes) parses a MANIFEST, so that pyhd-debug has one
 * tar reader and one MANIFEST parser, in C. load() needs the module
 * pyhd_surrogates to be importable (src/embedded_import.h).
 */
PyMODINIT_FUNC pyhd__init_module(void);

/*
 * Pause the cyclic garbage collector for pyhd-debug's start, after
 * Py_Initialize; the debugger's Python code resumes it with
 * _pyhd.resume_collector() before its session.
 */
void pyhd__pause_collector(void);

/*
 * Before Py_FinalizeEx: every object the session made is the collector's
 * permanent generation, which finalization's collections do not walk.
 */
void pyhd__freeze_for_exit(void);

#endif /* PYHD_REBUILD_H */
