/* dump_guard.c: the one process-wide guard that every dump holds, and the triggers that came while it was held. */
#include "dump_guard.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "options.h"

/* The thread holding the guard (pthread_self() as an integer), 0 when free.
   pthread_self() is async-signal-safe and, unlike a thread state, exists in
   threads that never ran Python. */
static atomic_uintptr_t holder;

/* The triggers that came during the current dump: kept as two integers each,
   so that a signal handler can add one. */
#define MAX_MISSED 16
static atomic_int nmissed;
static atomic_int missed_trigger[MAX_MISSED];
static atomic_int missed_signum[MAX_MISSED];

static uintptr_t self(void)
{
    /* pthread_t is an integer or a pointer on every platform pyhd builds on. */
    return (uintptr_t)pthread_self();
}

enum pyhd_guard_state pyhd__guard_enter(enum pyhd_trigger trigger, int signum)
{
    uintptr_t expected = 0;

    if (atomic_compare_exchange_strong(&holder, &expected, self())) {
        atomic_store(&nmissed, 0);
        return PYHD_GUARD_TAKEN;
    }
    if (expected != self())
        return PYHD_GUARD_BUSY;
    pyhd__guard_note_missed(trigger, signum);
    return PYHD_GUARD_NESTED;
}

void pyhd__guard_note_missed(enum pyhd_trigger trigger, int signum)
{
    int i = atomic_fetch_add(&nmissed, 1);

    if (i < MAX_MISSED) {
        atomic_store(&missed_trigger[i], (int)trigger);
        atomic_store(&missed_signum[i], signum);
    }
}

void pyhd__guard_leave(void)
{
    atomic_store(&holder, 0);
}

int pyhd__guard_missed(size_t i, char *out, size_t n)
{
    int count = atomic_load(&nmissed);

    if (i >= (size_t)(count < MAX_MISSED ? count : MAX_MISSED))
        return -1;
    switch ((enum pyhd_trigger)atomic_load(&missed_trigger[i])) {
    case PYHD_TRIGGER_UNCAUGHT:
        snprintf(out, n, "uncaught-exception");
        break;
    case PYHD_TRIGGER_THREAD:
        snprintf(out, n, "thread-exception");
        break;
    case PYHD_TRIGGER_SIGNAL:
        snprintf(out, n, "signal SIG%s", pyhd__signal_name(atomic_load(&missed_signum[i])));
        break;
    case PYHD_TRIGGER_API:
        snprintf(out, n, "api");
        break;
    case PYHD_TRIGGER_FATAL:
        snprintf(out, n, "fatal signal %d", atomic_load(&missed_signum[i]));
        break;
    }
    return 0;
}
