/* dump.c: write one dump archive of the whole process: gather roots, encode, publish. */
#include "dump_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "container.h"

#include "pyhd/format.h"

#include "retention.h"
#include "world.h"

/* ------------------------------------------------------------------------ */
/* The archive */

/* Replace every character outside [A-Za-z0-9._-] with '_'. */
static void sanitize(char *s)
{
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
              || c == '.' || c == '_' || c == '-'))
            *s = '_';
    }
}

/*
 * The module name of "python -m NAME", from the interpreter's own options
 * in sys.orig_argv. They end at the first argument without a dash; as in
 * python's getopt, -c, -m, -W and -X take a value, attached ("-Xdev",
 * "-bmpkg") or in the next argument, and --check-hash-based-pycs takes the
 * next argument.
 */
static const char *run_module_name(void)
{
    PyObject *orig = PySys_GetObject("orig_argv");  /* borrowed */
    Py_ssize_t n = orig != NULL && PyList_Check(orig) ? PyList_GET_SIZE(orig) : 0;
    for (Py_ssize_t i = 1; i < n; i++) {
        const char *a = pyhd__dump_utf8_or(PyList_GET_ITEM(orig, i), "");
        if (a[0] != '-' || strcmp(a, "--") == 0 || strcmp(a, "-") == 0)
            return NULL;
        if (strcmp(a, "--check-hash-based-pycs") == 0) {
            i++;
            continue;
        }
        if (a[1] == '-')
            continue;
        for (const char *p = a + 1; *p; p++) {
            if (strchr("cmWX", *p) == NULL)
                continue;
            const char *value = p[1] ? p + 1
                                : i + 1 < n ? pyhd__dump_utf8_or(PyList_GET_ITEM(orig, ++i), NULL)
                                            : NULL;
            if (*p == 'm')
                return value;
            if (*p == 'c')
                return NULL;
            break;
        }
    }
    return NULL;
}

/* pyhd-PROGRAM-PID-UTCTIME.dump, PROGRAM from sys.argv[0]. */
static void default_name(const struct dump *d, char *out, size_t n)
{
    PyObject *argv = PySys_GetObject("argv");  /* borrowed */
    const char *arg0 = argv != NULL && PyList_Check(argv) && PyList_GET_SIZE(argv) > 0
                           ? pyhd__dump_utf8_or(PyList_GET_ITEM(argv, 0), "python")
                           : "";
    const char *module = run_module_name();
    char program[128], stamp[32];
    struct tm tm;

    if (strcmp(arg0, "-c") == 0) {
        snprintf(program, sizeof program, "c");
    } else if (arg0[0] == '\0' || strcmp(arg0, "-") == 0) {
        snprintf(program, sizeof program, "stdin");
    } else if (module != NULL) {
        snprintf(program, sizeof program, "%s", module);
    } else {
        const char *base = strrchr(arg0, '/');
        base = base ? base + 1 : arg0;
        size_t len = strlen(base);
        if (len > 3 && strcmp(base + len - 3, ".py") == 0)
            len -= 3;
        snprintf(program, sizeof program, "%.*s", (int)len, base);
    }
    if (program[0] == '\0')
        snprintf(program, sizeof program, "python");
    sanitize(program);
    gmtime_r(&d->created.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(out, n, "pyhd-%s-%ld-%s.dump", program, d->pid, stamp);
}

static int write_archive(struct dump *d)
{
    struct pyhd_dump_result *r = d->r;
    char name[4096];  /* longer than any file name: the OS, not a cut, refuses one too long */
    const char *dir = d->o->dump_dir ? d->o->dump_dir : d->cwd;

    if (dir[0] == '\0') {
        snprintf(r->error, sizeof r->error, "finding the current directory: %s",
                 strerror(errno));
        return -1;
    }
    if (d->o->dump_name != NULL)
        snprintf(name, sizeof name, "%s", d->o->dump_name);
    else
        default_name(d, name, sizeof name);
    /* The archive's size, near enough for the free-space floor: members and headers. */
    uint64_t need = d->manifest.len + d->traceback.len + d->g.compressed.len + 64 * 1024;
    if (d->o->keep_sources)
        need += d->sources_size + 1024 * d->nsources;
    need += d->asyncio.len;
    if (pyhd__dump_dir_prepare(dir, need, d->o->keep_free, r->error, sizeof r->error) < 0)
        return -1;
    struct pyhd_archive_writer *w = pyhd__aw_create(dir, name, r->error, sizeof r->error);
    if (w == NULL)
        return -1;
    if (pyhd__aw_add(w, PYHD_MEMBER_MANIFEST, d->manifest.data, d->manifest.len, r->error,
                     sizeof r->error) < 0
        || pyhd__aw_add(w, PYHD_MEMBER_TRACEBACK, d->traceback.data, d->traceback.len,
                        r->error, sizeof r->error) < 0
        || pyhd__aw_add(w, PYHD_MEMBER_GRAPH, d->g.compressed.data, d->g.compressed.len,
                        r->error, sizeof r->error) < 0
        || (d->asyncio_tasks >= 0
            && pyhd__aw_add(w, PYHD_MEMBER_ASYNCIO, d->asyncio.data, d->asyncio.len,
                            r->error, sizeof r->error) < 0))
        goto error;
    for (size_t i = 0; d->o->keep_sources && i < d->nsources; i++) {
        const struct source *s = &d->sources[i];
        if (s->owner && pyhd__aw_add(w, s->member, s->data, s->len, r->error,
                                     sizeof r->error) < 0)
            goto error;
    }
    if (pyhd__aw_commit(w, r->path, sizeof r->path, &r->size, r->error, sizeof r->error) < 0)
        return -1;
    /* Retention runs once the new dump is safe on disk, and never deletes it. A
       failure to delete old dumps does not undo the dump just written. */
    const char *base = strrchr(r->path, '/');
    char ignored[256];
    pyhd__retention_apply(dir, base != NULL ? base + 1 : r->path, d->o->max_dumps,
                          d->o->max_use, ignored, sizeof ignored);
    return 0;
error:
    pyhd__aw_abort(w);
    return -1;
}

/* ------------------------------------------------------------------------ */

static int dump(struct dump *d, const struct timespec *t0)
{
    struct pyhd_roots roots;

    if (getcwd(d->cwd, sizeof d->cwd) == NULL)
        d->cwd[0] = '\0';
    d->keep = PyList_New(0);
    if (d->keep == NULL)
        return pyhd__dump_fail_py(d, "starting the dump");
    pyhd__dump_gather_asyncio(d);
    /* The thread list first: on a free-threaded build it pauses every
       thread itself (sys._current_frames()), and a pause cannot nest. */
    if (pyhd__dump_gather_threads(d) < 0)
        return -1;
    /* Free-threaded builds: the other threads are paused while their stacks
       and the graph are read (src/world.c), but not in a --dump-fork child,
       where they do not exist, nor with --repr-all, whose reprs may wait for
       them. */
    int stopped = d->pid == (long)getpid() && !d->o->repr_all ? pyhd__world_stop() : 0;
    d->world_stopped = stopped;
    int gathered = pyhd__dump_gather_named(d) == 0 && pyhd__dump_snapshot_stacks(d) == 0;
    if (gathered) {
        roots.exception = d->exc;
        roots.threads = d->threads;
        roots.nthreads = d->nthreads;
        roots.named = d->named;
        roots.nnamed = d->nnamed;
        d->have_graph = pyhd__graph_write(&roots, d->o, &d->g) == 0;
    }
    pyhd__world_start(stopped);
    d->world_stopped = 0;
    if (!gathered)
        return -1;
    if (!d->have_graph)
        return pyhd__dump_fail_py(d, "encoding the object graph");
    if (pyhd__dump_gather_sources(d) < 0 || pyhd__dump_build_traceback(d) < 0
        || pyhd__dump_redact_traceback(d) < 0 || pyhd__dump_build_manifest(d, t0) < 0)
        return -1;
    if (write_archive(d) < 0)
        return -1;
    d->r->objects = d->g.objects;
    return 0;
}

int pyhd__dump_write(const struct pyhd_options *o, enum pyhd_trigger trigger,
                     PyObject *exc, struct pyhd_dump_result *r)
{
    return pyhd__dump_write_ex(o, trigger, exc, NULL, 0, r);
}

int pyhd__dump_write_ex(const struct pyhd_options *o, enum pyhd_trigger trigger,
                        PyObject *exc, const char *reason, long pid,
                        struct pyhd_dump_result *r)
{
    struct timespec t0;
    struct dump d;
    PyObject *et = NULL, *ev = NULL, *etb = NULL;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(r, 0, sizeof *r);
    memset(&d, 0, sizeof d);
    d.o = o;
    d.trigger = trigger;
    d.exc = exc;
    d.reason = reason;
    d.pid = pid != 0 ? pid : (long)getpid();
    d.r = r;
    clock_gettime(CLOCK_REALTIME, &d.created);
    pyhd__buf_init(&d.unavailable);
    pyhd__buf_init(&d.traceback);
    pyhd__buf_init(&d.manifest);
    pyhd__buf_init(&d.asyncio);
    d.asyncio_tasks = -1;

    /* An exception may be pending (the hook runs inside error handling): keep
       it aside so the C API calls below start clean, and give it back. */
    PyErr_Fetch(&et, &ev, &etb);
    /* A collection could run finalizers (__del__, weakref callbacks): program
       code, in the middle of the dump. */
    int gc_was_enabled = PyGC_Disable();

    int rc = dump(&d, &t0);
    if (rc < 0 && r->error[0] == '\0')
        snprintf(r->error, sizeof r->error, "writing the dump failed");
    /* The error is printed as one line; a path may hold a newline. */
    for (char *c = r->error; *c; c++) {
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    }
    /* A failure path above may leave an exception set; it is reported in
       r->error, never raised. */
    PyErr_Clear();

    for (size_t i = 0; i < d.nsources; i++) {
        free(d.sources[i].member);
        if (d.sources[i].owner)
            free(d.sources[i].data);
    }
    free(d.sources);
    free(d.threads);
    if (d.have_graph)
        pyhd__graph_free(&d.g);
    Py_XDECREF(d.keep);
    pyhd__buf_free(&d.unavailable);
    pyhd__buf_free(&d.traceback);
    pyhd__buf_free(&d.manifest);
    pyhd__buf_free(&d.asyncio);

    if (gc_was_enabled)
        PyGC_Enable();
    PyErr_Restore(et, ev, etb);
    r->ms = pyhd__dump_elapsed_ms(&t0);
    return rc;
}

/* "532 B", "14.0 KiB", "1.2 MiB", "3.4 GiB". */
static void human_size(uint64_t size, char *out, size_t n)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (size < 1024) {
        snprintf(out, n, "%llu B", (unsigned long long)size);
        return;
    }
    double v = (double)size / 1024.0;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    snprintf(out, n, "%.1f %s", v, units[u]);
}

void pyhd__dump_format_line(const struct pyhd_dump_result *r, int ok, char *line, size_t n)
{
    char size[32];
    if (!ok) {
        snprintf(line, n, "pyhd: no dump: %s\n", r->error);
        return;
    }
    human_size(r->size, size, sizeof size);
    snprintf(line, n, "pyhd: dump written to %s (%s, %llu objects, %.1f ms)\n", r->path, size,
             (unsigned long long)r->objects, r->ms);
}
