/* rebuild_code.h: the code objects of rebuilt functions, for pyhd_surrogates. */
#ifndef PYHD_REBUILD_CODE_H
#define PYHD_REBUILD_CODE_H

#include "compat.h"

/*
 * _pyhd.code_with(template, marker, raiser, record, freevars) -> code
 *
 * The code object of a rebuilt function: template (the code every rebuilt
 * function starts from, whose body calls the constant marker) with raiser in
 * marker's place among its constants, the free variables freevars (a tuple
 * of str) and, when record is a dumped CODE record (pyhd_surrogates'
 * CodeRecord; None for none), that record's file name, name, qualified name
 * (3.11 and later), first line and parameters. A field of the wrong type or
 * out of range is left as the template's; parameters that do not fit
 * (more names than the record lists, a count past 255) are all left out.
 * The bytecode is always the template's: one code.replace() call, made here
 * rather than by the Python code that finish() ran once per function.
 * Returns a new reference, or NULL with an exception set.
 */
PyObject *pyhd__code_with(PyObject *module, PyObject *const *args, Py_ssize_t nargs);

/* The interned names code_with() uses, made once by the module's init: 0, or
   -1 with an exception set. */
int pyhd__code_init(void);

#endif /* PYHD_REBUILD_CODE_H */
