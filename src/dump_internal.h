/* dump_internal.h: the state of one dump, shared by the files that write its parts. */
#ifndef PYHD_DUMP_INTERNAL_H
#define PYHD_DUMP_INTERNAL_H

/* dump.h brings Python.h, which must come before any system header. */
#include "dump.h"

#include <time.h>

#include "buf.h"
#include "walk.h"

/* A source file larger than this is noted as unavailable rather than stored. */
#define PYHD_MAX_SOURCE ((size_t)64 << 20)
/* The named roots gathered below: argv, orig_argv, path, executable, version,
   version_info, modules, environ. */
#define PYHD_MAX_NAMED 10

/* One entry of the graph's filename list and what reading it gave. */
struct source {
    PyObject *filename;      /* borrowed from the graph's filename list */
    char *member;            /* "sources/..." (malloc'd), NULL when unavailable */
    unsigned char *data;     /* the file's bytes (malloc'd, or shared: see owner) */
    size_t len;
    int owner;               /* 0: data belongs to an earlier entry, same file */
};

struct dump {
    const struct pyhd_options *o;
    enum pyhd_trigger trigger;
    PyObject *exc;                    /* borrowed, or NULL */
    const char *reason;               /* the MANIFEST's Reason, or NULL */
    long pid;                         /* the process dumped (a --dump-fork child's parent) */
    int world_stopped;                /* the other threads are paused (src/world.c) */
    struct pyhd_dump_result *r;
    struct timespec created;          /* CLOCK_REALTIME at the start */
    char cwd[4096];                   /* "" when getcwd() failed */

    PyObject *keep;                   /* new reference: a list holding what the roots
                                         borrow (frames, names, dicts built here) */
    struct pyhd_thread_root *threads;
    size_t nthreads;
    struct pyhd_named_root named[PYHD_MAX_NAMED];
    size_t nnamed;

    struct pyhd_graph g;
    int have_graph;
    struct source *sources;
    size_t nsources;
    uint64_t sources_size;
    size_t sources_stored;
    struct pyhd_buf unavailable;      /* "PATH: reason\0" entries */
    struct pyhd_buf traceback;
    struct pyhd_buf manifest;
    PyObject *stacks;                 /* borrowed from keep: per thread, a list of
                                         (code, line) outermost first, or None */
    struct pyhd_buf asyncio;          /* asyncio.json's text (3.14+), or empty */
    long asyncio_tasks;               /* the tasks in it; -1: no asyncio.json */
};


/*
 * Helpers (src/dump_util.c), shared by dump.c and the stage files, which call
 * nothing in dump.c. The pyhd__dump_fail_* functions fill d->r->error with
 * one line naming what was being done, clear any Python exception and return -1.
 */
double pyhd__dump_elapsed_ms(const struct timespec *t0);
int pyhd__dump_fail_py(struct dump *d, const char *doing);
int pyhd__dump_fail_nomem(struct dump *d, const char *doing);
/* UTF-8 of a str, with lone surrogates (undecodable file names) as fallback. */
const char *pyhd__dump_utf8_or(PyObject *s, const char *fallback);
/* exc.__traceback__ when it is a traceback, else NULL. New reference. */
PyTracebackObject *pyhd__dump_exception_traceback(PyObject *exc);
/* Keep obj alive as long as the dump state: the roots only borrow. */
int pyhd__dump_keep(struct dump *d, PyObject *obj);

/*
 * The parts of a dump, in the order src/dump.c runs them. Each returns 0, or
 * -1 with d->r->error set and no Python exception pending.
 */
int pyhd__dump_gather_threads(struct dump *d);     /* dump_roots.c */
int pyhd__dump_gather_named(struct dump *d);       /* dump_roots.c */
int pyhd__dump_gather_sources(struct dump *d);     /* dump_sources.c */
/* The entry of d->sources for filename, or NULL. */
const struct source *pyhd__dump_find_source(const struct dump *d, PyObject *filename);
/* Every thread's frames and lines, read while the world is stopped: another
   thread's frame chain changes under a reader (free-threaded builds). */
int pyhd__dump_snapshot_stacks(struct dump *d);    /* dump_traceback.c */
int pyhd__dump_build_traceback(struct dump *d);    /* dump_traceback.c */
/* The asyncio call graph: Python code, so before the world stops. Never fails
   the dump: without one, asyncio_tasks stays -1. */
void pyhd__dump_gather_asyncio(struct dump *d);    /* dump_asyncio.c */
int pyhd__dump_build_manifest(struct dump *d, const struct timespec *t0); /* dump_manifest.c */

/*
 * Redaction of the text members (dump_redact.c), by d->o's privacy level.
 * pyhd__dump_redact_text appends text to out with its secrets replaced (all
 * of it under triage) and returns how many parts it replaced (0: nothing
 * appended; use the text as it is), or -1 out of memory.
 * pyhd__dump_redact_traceback rewrites d->traceback; 0, or -1 (d failed).
 * pyhd__dump_redaction_fields adds Privacy, Redacted-By-Rule and
 * Redact-Hash-Unavailable to the MANIFEST; 0, or -1 out of memory.
 */
int pyhd__dump_redact_text(struct dump *d, const char *text, size_t len, struct pyhd_buf *out);
int pyhd__dump_redact_traceback(struct dump *d);
int pyhd__dump_redaction_fields(struct dump *d);

#endif /* PYHD_DUMP_INTERNAL_H */
