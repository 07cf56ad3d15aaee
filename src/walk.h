/* walk.h: the graph walker: Python state in, the graph.z member out. */
#ifndef PYHD_WALK_H
#define PYHD_WALK_H

/* Files a dump stores for classes' own __repr__ and __str__ beyond its frames'
   files (the walker's note_printing_source()): how many, each file's size and
   their size in all. */
#define PYHD_MAX_REPR_SOURCES 64
#define PYHD_MAX_REPR_SOURCE ((uint64_t)64 << 10)
#define PYHD_MAX_REPR_SOURCES_SIZE ((uint64_t)512 << 10)

#include "compat.h"
#include "buf.h"
#include "options.h"
#include "redact.h"

/* One thread's stack, as the dump's roots name it. */
struct pyhd_thread_root {
    unsigned long long ident;   /* threading.get_ident() */
    unsigned long native_id;    /* 0: unknown */
    PyObject *name;             /* borrowed str, or NULL */
    int flags;                  /* PYHD_THREAD_* */
    PyObject *frame;            /* borrowed innermost frame, or NULL */
    PyObject *context;          /* borrowed current contextvars.Context, or NULL */
};

/* A named root object: ("argv", sys.argv), ("path", sys.path), ... */
struct pyhd_named_root {
    const char *key;
    PyObject *value;            /* borrowed */
};

struct pyhd_roots {
    PyObject *exception;                /* borrowed, or NULL */
    const struct pyhd_thread_root *threads;
    size_t nthreads;
    const struct pyhd_named_root *named;
    size_t nnamed;
};

struct pyhd_graph {
    struct pyhd_buf compressed;  /* the graph.z member (zlib stream) */
    uint64_t objects;            /* object records written */
    uint64_t raw_bytes;          /* size of the inflated stream */
    uint64_t truncated;          /* objects cut short or left out by a budget */
    uint64_t opaque;             /* objects written as OPAQUE */
    uint64_t redacted;           /* objects written as REDACTED */
    uint64_t redacted_parts;     /* str and bytes with secret-shaped parts replaced */
    uint64_t redacted_by_rule[PYHD_SECRET_RULES]; /* values and parts, by rule (triage's
                                    contents are in redacted only) */
    char *redact_key_error;      /* malloc'd: why --redact-hash found no key, or NULL */
    PyObject *filenames;         /* new reference: list of str, every dumped frame's
                                    co_filename, each once, in the order first seen */
};

/*
 * Walk everything reachable from roots, breadth-first, and encode it as the
 * graph stream of include/pyhd/format.h. Runs none of the program's code.
 * Python C API conventions: GIL held; returns 0, or -1 with an exception set
 * when the dump as a whole cannot be made (memory for the output, zlib).
 * A failure on one object makes it an OPAQUE record and the walk goes on.
 * On success the caller owns g (pyhd__graph_free).
 */
int pyhd__graph_write(const struct pyhd_roots *roots, const struct pyhd_options *o,
                      struct pyhd_graph *g);
void pyhd__graph_free(struct pyhd_graph *g);

#endif /* PYHD_WALK_H */
