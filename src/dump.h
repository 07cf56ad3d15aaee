/* dump.h: write one dump archive of the whole process now. */
#ifndef PYHD_DUMP_H
#define PYHD_DUMP_H

#include "compat.h"
#include "options.h"

enum pyhd_trigger {
    PYHD_TRIGGER_UNCAUGHT,   /* an exception escaped the main program */
    PYHD_TRIGGER_THREAD,     /* an exception escaped a thread */
    PYHD_TRIGGER_SIGNAL,     /* the dump signal */
    PYHD_TRIGGER_API,        /* pyhd.dump(), DumpHandler, pyhd.dump_logged_exceptions() */
    PYHD_TRIGGER_FATAL,      /* a fatal signal (written "signal" in the MANIFEST) */
};

struct pyhd_dump_result {
    char path[4096];      /* the dump's final path, on success */
    uint64_t size;        /* bytes of the archive */
    uint64_t objects;     /* object records in the graph */
    double ms;            /* wall time taken */
    char error[512];      /* one line, on failure */
};

/*
 * Write a dump of every thread, with exc (may be NULL) as the dump's
 * exception: the work itself, which triggers reach through pyhd__dump_take()
 * (or, after a fatal signal, with the guard taken by the handler). GIL held. Never leaves a Python exception set and never raises:
 * returns 0 with r->path set, or -1 with r->error set.
 */
int pyhd__dump_write(const struct pyhd_options *o, enum pyhd_trigger trigger,
                     PyObject *exc, struct pyhd_dump_result *r);

/*
 * pyhd__dump_write() with a reason (NULL: none), written as the MANIFEST's
 * Reason, and the pid of the process dumped (0: this one; a --dump-fork
 * child dumps its parent's heap, and names and labels the dump with its pid).
 */
int pyhd__dump_write_ex(const struct pyhd_options *o, enum pyhd_trigger trigger,
                        PyObject *exc, const char *reason, long pid,
                        struct pyhd_dump_result *r);

/* A trigger's request for a dump: see pyhd__dump_take(). */
struct pyhd_dump_request {
    enum pyhd_trigger trigger;
    PyObject *exc;           /* borrowed: the dump's exception, or NULL */
    const char *reason;      /* the MANIFEST's Reason, or NULL */
    const char *path;        /* write the dump here; NULL: as the options say */
    int signum;              /* the dump signal's number (a signal trigger), else 0 */
    int may_fork;            /* an on-demand dump: in a forked child with --dump-fork */
};

/* What pyhd__dump_take() did. */
enum pyhd_dump_outcome {
    PYHD_DUMP_FAILED = -1,   /* r->error says why */
    PYHD_DUMP_WRITTEN = 0,   /* r->path is the dump */
    PYHD_DUMP_FORKED = 1,    /* a forked child writes the dump and prints its line */
    PYHD_DUMP_NESTED = 2,    /* came during a dump of this thread: no dump of its own,
                                recorded in that dump's MANIFEST (Missed-Trigger) */
};

/*
 * The one entry point of every dump taken inside python (uncaught exception,
 * thread failure, dump signal, pyhd.dump(), logging; the fatal-signal handler
 * takes the same guard itself, src/signals.c). Holds the process-wide guard
 * (src/dump_guard.c) while the dump is written; a dump of another thread
 * being written is waited for, with the GIL released. GIL held. Never raises.
 */
enum pyhd_dump_outcome pyhd__dump_take(const struct pyhd_options *o,
                                       const struct pyhd_dump_request *q,
                                       struct pyhd_dump_result *r);

/* Note the calling thread as the main thread, for dumps of a program that
   never imported threading. GIL held. */
void pyhd__dump_note_main_thread(void);

/* Take the list of threads now, for the next dump to use (the parent's side
   of --dump-fork: the child then takes no lock of CPython's to list them);
   pyhd__dump_forget_threads() drops it unused. GIL held. 0, or -1 with an
   exception set. */
int pyhd__dump_prefetch_threads(void);
void pyhd__dump_forget_threads(void);

/* "pyhd: dump written to PATH (SIZE, N objects, T ms)" or "pyhd: no dump: REASON",
   with a trailing newline. */
void pyhd__dump_format_line(const struct pyhd_dump_result *r, int ok, char *line,
                            size_t n);

/*
 * Write the whole of s to fd (pyhd__write_fd2: to fd 2), retrying short
 * writes and EINTR; an error ends the write silently, as there is nowhere
 * left to report it. Async-signal-safe (src/dump_util.c); errno may change.
 */
void pyhd__write_fd(int fd, const char *s);
void pyhd__write_fd2(const char *s);

#endif /* PYHD_DUMP_H */
