/* embedded_import.h: make the modules of src/py importable from the binary itself. */
#ifndef PYHD_EMBEDDED_IMPORT_H
#define PYHD_EMBEDDED_IMPORT_H

#include "compat.h"

/*
 * The init function of the builtin module _pyhd_embedded (register it with
 * PyImport_AppendInittab before Py_Initialize). Its one function,
 * code(name) -> (filename, marshalled code, is_package) or None, reads the
 * table of src/embedded.h.
 */
PyMODINIT_FUNC pyhd__init_embedded_module(void);

/*
 * Put a finder at the front of sys.meta_path that imports the embedded
 * modules (and only those) from their compiled-in code, so that
 * `import pyhd_debugger` works with nothing installed but the executable.
 * Needs _pyhd_embedded registered. CPython convention: 0, or -1 with an
 * exception set.
 */
int pyhd__install_embedded_importer(void);

#endif /* PYHD_EMBEDDED_IMPORT_H */
