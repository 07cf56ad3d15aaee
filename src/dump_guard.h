/* dump_guard.h: the one process-wide guard that every dump holds, and the triggers that came while it was held. */
#ifndef PYHD_DUMP_GUARD_H
#define PYHD_DUMP_GUARD_H

#include <stddef.h>

#include "dump.h"

/* What pyhd__guard_enter() found. */
enum pyhd_guard_state {
    PYHD_GUARD_TAKEN = 0,   /* the caller holds the guard now */
    PYHD_GUARD_NESTED = 1,  /* this thread holds it already (a trigger inside a dump,
                               such as the dump signal sent by an exception's __str__):
                               the trigger is recorded for the MANIFEST */
    PYHD_GUARD_BUSY = 2,    /* another thread holds it: wait, or give up */
};

/*
 * Take the guard for a dump caused by trigger (signum: the signal's number
 * for a signal trigger, else 0). One atomic compare-and-swap on the holder's
 * thread ident, so it is right without a GIL and async-signal-safe (the
 * fatal-signal handler takes it too). Free-threaded builds need nothing more.
 */
enum pyhd_guard_state pyhd__guard_enter(enum pyhd_trigger trigger, int signum);

/* Record a trigger that gets no dump of its own because of the one being
   written (async-signal-safe). Only while the guard is held. */
void pyhd__guard_note_missed(enum pyhd_trigger trigger, int signum);

/* Give the guard back; only its holder calls this. */
void pyhd__guard_leave(void);

/* The i-th trigger recorded during the current dump as text ("signal SIGUSR1",
   "thread-exception"), into out; 0, or -1 past the last. */
int pyhd__guard_missed(size_t i, char *out, size_t n);

#endif /* PYHD_DUMP_GUARD_H */
