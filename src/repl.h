/* repl.h: errors typed at the interactive prompt of Python 3.13+ (the new REPL) dump as at the basic one. */
#ifndef PYHD_REPL_H
#define PYHD_REPL_H

#include "compat.h"

/*
 * The basic REPL prints an error through PyErr_Print(), which raises the
 * "sys.excepthook" audit event that the hook dumps on. The new REPL of 3.13+
 * (_pyrepl) prints errors itself, through code.InteractiveInterpreter's
 * _showtraceback(), and raises no event. Called on "cpython.run_stdin" (a
 * REPL is about to start), this puts a stand-in for that method in place:
 * it dumps as the basic REPL would, then calls the original. Before 3.13, or
 * once done, it does nothing. GIL held; never leaves an exception set.
 */
void pyhd__repl_install(void);

#endif /* PYHD_REPL_H */
