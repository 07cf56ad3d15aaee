/* signals.h: the dump signal and the fatal signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT). */
#ifndef PYHD_SIGNALS_H
#define PYHD_SIGNALS_H

#include "options.h"

/*
 * Make o->dump_signal (if any) dump every thread: a Python-level handler,
 * installed through the _signal module as signal.signal() would, so the C
 * handler only sets python's flag and the dump is taken by the main thread
 * at its next safe point. A program's own signal.signal() replaces it, as
 * under python. GIL held, main thread. 0, or -1 with an exception set.
 */
int pyhd__signals_install_dump(const struct pyhd_options *o);

/*
 * On a fatal signal, doing only async-signal-safe work in the handler: put
 * back the previous handlers, write every thread's stack as text to
 * DIR/pyhd-PID-SIGNAME.txt, write the heap dump in a forked child under an
 * alarm if the crashing thread holds the GIL, then give the signal to the
 * handler that was there before (faulthandler's, or the default: the process
 * dies of it as under python). The handlers are removed at finalization
 * (an atexit function). o must outlive the interpreter. GIL held. 0, or -1
 * with an exception set.
 */
int pyhd__signals_install_fatal(const struct pyhd_options *o);

/*
 * For a --dump-fork writer whose alarm went off, in that writer and
 * async-signal-safely: DIR/pyhd-PARENT-dump-fork-timeout-WRITER.txt, whose
 * first lines, in the MANIFEST's form, say "Dump-Fork: timed out after
 * TIMEOUT s" and the program's pid, followed by every Python thread's stack
 * as the snapshot holds them (the dumping thread's shows where the dump
 * stopped), and its "pyhd: stacks written" line. Nothing without the fatal
 * handlers' stacks signal (pyhd__signals_install_fatal()).
 */
void pyhd__signals_write_fork_timeout(long parent, unsigned timeout);

#endif /* PYHD_SIGNALS_H */
