/* world.h: stop every other Python thread while a dump reads the process (free-threaded builds). */
#ifndef PYHD_WORLD_H
#define PYHD_WORLD_H

#include "compat.h"

/*
 * With a GIL, holding it is enough: no other thread runs Python code while the
 * dump reads. A free-threaded python runs them all at once, so the dump pauses
 * them as the GC does: pyhd__world_stop() returns once every other thread of
 * the interpreter is parked, pyhd__world_start() lets them go. While stopped,
 * the caller must not import, run the program's code or wait for anything
 * another thread holds (a lock, the import lock): those never come back.
 * pyhd__world_stop returns 1 if it stopped the world (pass that to start),
 * 0 if there is nothing to stop (a build with a GIL, or 3.13t). Attached
 * thread state.
 */
int pyhd__world_stop(void);
void pyhd__world_start(int stopped);

/* From now on pyhd__world_stop() stops nothing: for the best-effort dump of a
   fatal signal, which must not hang waiting for a thread that will never
   pause (one stuck in C, or crashed too). Async-signal-safe. */
void pyhd__world_never_stop(void);

/* Whether the GIL is on now: 1, 0, or -1 if that cannot be read without
   running the program's code. A build with a GIL says 1. Never leaves an
   exception set. */
int pyhd__world_gil_enabled(void);

#endif /* PYHD_WORLD_H */
