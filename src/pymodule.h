/* pymodule.h: the pyhd module: built into pyhd-run, and built alone as an extension module. */
#ifndef PYHD_PYMODULE_H
#define PYHD_PYMODULE_H

#include "compat.h"
#include "options.h"

/* The module's init function: pyhd-run adds it to the inittab; the extension
   module exports it. */
PyMODINIT_FUNC PyInit_pyhd(void);

/* pyhd-run's options (o->enabled 0 with --no-dump): the module reports them,
   pyhd.dump() uses them and pyhd.install() does nothing. Call before
   Py_InitializeFromConfig(); o must outlive the interpreter. */
void pyhd__module_set_launcher(const struct pyhd_options *o);

#endif /* PYHD_PYMODULE_H */
