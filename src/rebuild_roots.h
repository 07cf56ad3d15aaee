/* rebuild_roots.h: what a load does first and last to pyhd_surrogates' state. */
#ifndef PYHD_REBUILD_ROOTS_H
#define PYHD_REBUILD_ROOTS_H

#include "compat.h"

/*
 * Before a load: nothing is pending from an earlier one that failed. Empties
 * pyhd_surrogates' per-load lists (_pending_functions, _pending_annotations,
 * _pending_classes, _modules), _object_reprs and _real_codes.
 * sur is the pyhd_surrogates module. 0, or -1 with an exception set.
 */
int pyhd__surrogates_begin(PyObject *sur);

/*
 * After every record is made, filled and finished: the dumped sys module
 * (pyhd_surrogates._modules, the modules this load made) gets argv, path,
 * orig_argv, executable, version, version_info, platform and modules, os its
 * environ; what the dump's roots (a dict) and MANIFEST (manifest, a list of
 * (name, value) pairs) say, as the program saw them. Thread handles learn
 * from threads (the dump's live threads) whether they are done; frames'
 * module globals are found from threads' and exceptions' frames, at once
 * when code_values (a frame's namespace may hold a code record, which becomes
 * a real code object there), else when pyhd_surrogates.module_globals() is
 * first asked. Calls into pyhd_surrogates only for what a load has (thread
 * handles, ctypes structures, code values), and the first load's
 * version_info class. 0, or -1 with an exception set.
 */
int pyhd__finish_roots(PyObject *sur, PyObject *roots, PyObject *manifest,
                       PyObject *threads, PyObject *exceptions, int code_values);

#endif /* PYHD_REBUILD_ROOTS_H */
