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

/*
 * Rebuilt functions made and filled in C (rebuild.c's FUNCTION records), as
 * pyhd_surrogates' make_function, fill_function and finish() did in Python:
 * a real function object whose code calls its own _Inert, registered in
 * pyhd_surrogates._RAISERS (a weak reference to the function -> its _Inert).
 * struct pyhd_functions holds what they use of pyhd_surrogates, looked up by
 * pyhd__functions_begin() once per load (borrowed: the module holds them).
 */
struct pyhd_functions {
    PyObject *sur;          /* the pyhd_surrogates module (borrowed) */
    int ready;              /* the fields below are looked up */
    PyObject *template;     /* _template(): the code every rebuilt function starts from */
    PyObject *marker;       /* _UNFILLED, the template's constant */
    PyObject *inert;        /* the _Inert class */
    PyObject *globals;      /* _INERT_GLOBALS */
    PyObject *raisers;      /* _RAISERS */
    PyObject *forget;       /* _forget_raiser: the weak references' callback */
    PyObject *pending;      /* _pending_functions: (function, CodeRecord, _Inert) */
    PyObject *stub;         /* FunctionStub */
    PyObject *code_record;  /* CodeRecord */
};

/* Release what pyhd__function_make looked up (the template is a new reference). */
void pyhd__functions_end(struct pyhd_functions *fx);

/* make_function(closure, freevars): a new reference, or NULL with an exception set. */
PyObject *pyhd__function_make(struct pyhd_functions *fx, PyObject *closure, PyObject *freevars);

/* fill_function(function, name, qualname, module, code, defaults, kwdefaults,
   annotations, doc), args those nine: 0, or -1 with an exception set. */
int pyhd__function_fill(struct pyhd_functions *fx, PyObject *const *args);

/* Give every function filled with a CodeRecord its code (finish()): 0 or -1. */
int pyhd__functions_finish(struct pyhd_functions *fx);
