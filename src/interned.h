/* interned.h: the interned str of a string literal, made once per process. */
#ifndef PYHD_INTERNED_H
#define PYHD_INTERNED_H

#include "compat.h"

/*
 * The interned str of name, a string literal (or any string that lives as
 * long as the process: a table's), made on its first use and kept for the
 * process's life: borrowed. An attribute looked up by it hits the type's
 * attribute cache and compares by pointer, where PyObject_GetAttrString()
 * makes, hashes and compares a new str at every call. NULL when the table
 * is full (with no exception set: callers then use the *String() call) or
 * with an exception set. Safe under free threading (a mutex there).
 */
PyObject *pyhd__interned(const char *name);

/* obj.name through pyhd__interned(name): a new reference, or NULL with an exception set. */
PyObject *pyhd__getattr(PyObject *obj, const char *name);

/*
 * The module name, as PyImport_ImportModule(name) gives it,
 * without the import machinery when sys.modules has it already: a dict
 * look-up. (builtins.__import__ goes through importlib's Python code, about
 * 37,000 instructions for a dotted name on 3.11; PyImport_GetModule() asks
 * the module's spec whether it is still being imported, an attribute that
 * built-in modules' specs lack, so an exception made and cleared each time.)
 * A load asks for the same few modules each time, all imported long before.
 * New reference, or NULL with an exception set.
 */
PyObject *pyhd_import(const char *name);

#endif /* PYHD_INTERNED_H */
