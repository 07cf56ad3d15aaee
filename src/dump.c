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

double pyhd__dump_elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1000.0 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * Fill r->error with "DOING: TYPE" (and the message for a builtin exception
 * with a plain str argument) for the pending Python exception, and clear it.
 * Reads the exception's internals only, so no user code runs here.
 */
int pyhd__dump_fail_py(struct dump *d, const char *doing)
{
    PyObject *type = NULL, *value = NULL, *tb = NULL;
    const char *msg = NULL;

    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value != NULL && PyExceptionInstance_Check(value)) {
        PyObject *args = ((PyBaseExceptionObject *)value)->args;  /* borrowed */
        if (args != NULL && PyTuple_Check(args) && PyTuple_GET_SIZE(args) >= 1
            && PyUnicode_CheckExact(PyTuple_GET_ITEM(args, 0)))
            msg = PyUnicode_AsUTF8(PyTuple_GET_ITEM(args, 0));
        PyErr_Clear();
    }
    snprintf(d->r->error, sizeof d->r->error, "%s: %s%s%s", doing,
             type != NULL && PyType_Check(type) ? ((PyTypeObject *)type)->tp_name : "error",
             msg ? ": " : "", msg ? msg : "");
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return -1;
}

int pyhd__dump_fail_nomem(struct dump *d, const char *doing)
{
    snprintf(d->r->error, sizeof d->r->error, "%s: out of memory", doing);
    return -1;
}

/* UTF-8 of a str, with lone surrogates (undecodable file names) as "?". */
const char *pyhd__dump_utf8_or(PyObject *s, const char *fallback)
{
    const char *u = NULL;
    if (s != NULL && PyUnicode_Check(s)) {
        u = PyUnicode_AsUTF8(s);
        if (u == NULL)
            PyErr_Clear();
    }
    return u ? u : fallback;
}

/* exc.__traceback__ when it is a traceback, else NULL (it may be None, as
   for a SyntaxError raised by the compiler). */
PyTracebackObject *pyhd__dump_exception_traceback(PyObject *exc)  /* new reference */
{
    PyObject *tb = PyException_GetTraceback(exc);
    if (tb != NULL && !PyTraceBack_Check(tb))
        Py_CLEAR(tb);
    return (PyTracebackObject *)tb;
}

/* Keep obj alive as long as the dump state: the roots only borrow. */
int pyhd__dump_keep(struct dump *d, PyObject *obj)
{
    return PyList_Append(d->keep, obj);
}

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

/* The module name of "python -m NAME", from the interpreter's own options
   in sys.orig_argv (they end at the first argument without a dash). */
static const char *run_module_name(void)
{
    PyObject *orig = PySys_GetObject("orig_argv");  /* borrowed */
    Py_ssize_t n = orig != NULL && PyList_Check(orig) ? PyList_GET_SIZE(orig) : 0;
    for (Py_ssize_t i = 1; i < n; i++) {
        const char *a = pyhd__dump_utf8_or(PyList_GET_ITEM(orig, i), "");
        if (a[0] != '-' || strcmp(a, "--") == 0 || strcmp(a, "-") == 0)
            return NULL;
        if (strncmp(a, "-m", 2) == 0)
            return a[2] ? a + 2 : i + 1 < n ? pyhd__dump_utf8_or(PyList_GET_ITEM(orig, i + 1), NULL) : NULL;
        if (strncmp(a, "-c", 2) == 0)
            return NULL;
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
                        r->error, sizeof r->error) < 0)
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
    if (pyhd__dump_gather_threads(d) < 0 || pyhd__dump_gather_named(d) < 0)
        return -1;
    roots.exception = d->exc;
    roots.threads = d->threads;
    roots.nthreads = d->nthreads;
    roots.named = d->named;
    roots.nnamed = d->nnamed;
    if (pyhd__graph_write(&roots, d->o, &d->g) < 0)
        return pyhd__dump_fail_py(d, "encoding the object graph");
    d->have_graph = 1;
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
