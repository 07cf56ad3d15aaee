/* dump.h: write one dump archive of the whole process now. */
#ifndef PYHD_DUMP_H
#define PYHD_DUMP_H

#include "compat.h"
#include "options.h"

enum pyhd_trigger {
    PYHD_TRIGGER_UNCAUGHT,   /* an exception escaped the main program */
    PYHD_TRIGGER_THREAD,     /* an exception escaped a thread */
    PYHD_TRIGGER_SIGNAL,     /* the dump signal */
    PYHD_TRIGGER_API,        /* pyhd.dump() */
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
 * exception. GIL held. Never leaves a Python exception set and never raises:
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

/* "pyhd: dump written to PATH (SIZE, N objects, T ms)" or "pyhd: no dump: REASON",
   with a trailing newline. */
void pyhd__dump_format_line(const struct pyhd_dump_result *r, int ok, char *line,
                            size_t n);

#endif /* PYHD_DUMP_H */
