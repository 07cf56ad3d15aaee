/* inert_builtin.h: a dump's builtin functions as real builtin functions that refuse to run. */
#ifndef PYHD_INERT_BUILTIN_H
#define PYHD_INERT_BUILTIN_H

#include "compat.h"

/*
 * A new builtin_function_or_method named name (a str), bound to self (NULL:
 * none; a module for a module's function) with __module__ module (a str or
 * NULL), whose every call raises pyhd_surrogates.DumpedCodeError naming it.
 * New reference, or NULL with an exception (ValueError for a name no builtin
 * function has, or past the cap on distinct names).
 */
PyObject *pyhd__inert_builtin(PyObject *name, PyObject *self, PyObject *module);

/* Makes the table of names pyhd__inert_builtin uses: call it once, from the
   init of the module that exposes it. 0, or -1 with an exception. */
int pyhd__inert_builtin_init(void);

#endif /* PYHD_INERT_BUILTIN_H */
