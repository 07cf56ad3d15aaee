/* dump.c: write one dump archive of the whole process: gather roots, encode, publish. */
#include "dump.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "container.h"
#include "manifest.h"
#include "pyhd/format.h"
#include "redact.h"
#include "retention.h"
#include "walk.h"

extern char **environ;

/* A source file larger than this is noted as unavailable rather than stored. */
#define PYHD_MAX_SOURCE ((size_t)64 << 20)
/* The named roots gathered below: argv, orig_argv, path, executable, version,
   version_info, modules, environ. */
#define PYHD_MAX_NAMED 8

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
};

static double elapsed_ms(const struct timespec *t0)
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
static int fail_py(struct dump *d, const char *doing)
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

static int fail_nomem(struct dump *d, const char *doing)
{
    snprintf(d->r->error, sizeof d->r->error, "%s: out of memory", doing);
    return -1;
}

/* UTF-8 of a str, with lone surrogates (undecodable file names) as "?". */
static const char *utf8_or(PyObject *s, const char *fallback)
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
static PyTracebackObject *exception_traceback(PyObject *exc)  /* new reference */
{
    PyObject *tb = PyException_GetTraceback(exc);
    if (tb != NULL && !PyTraceBack_Check(tb))
        Py_CLEAR(tb);
    return (PyTracebackObject *)tb;
}

/* Keep obj alive as long as the dump state: the roots only borrow. */
static int keep(struct dump *d, PyObject *obj)
{
    return PyList_Append(d->keep, obj);
}

/* ------------------------------------------------------------------------ */
/* Threads */

/* The value of key in the instance __dict__ of obj, or NULL; never calls a
   property or a method. */
static PyObject *instance_attr(PyObject *obj, const char *key)  /* borrowed */
{
    PyObject **dictptr = _PyObject_GetDictPtr(obj);
    if (dictptr == NULL || *dictptr == NULL || !PyDict_CheckExact(*dictptr))
        return NULL;
    PyObject *v = PyDict_GetItemString(*dictptr, key);
    return v;
}

/* threading's module dict, if the program imported threading. */
static PyObject *threading_dict(void)  /* borrowed */
{
    PyObject *modules = PySys_GetObject("modules");
    if (modules == NULL || !PyDict_Check(modules))
        return NULL;
    PyObject *mod = PyDict_GetItemString(modules, "threading");
    return mod != NULL && PyModule_Check(mod) ? PyModule_GetDict(mod) : NULL;
}

/* Name, daemon flag and native id of a thread, from threading._active. */
static int thread_details(struct dump *d, PyObject *active, struct pyhd_thread_root *t)
{
    PyObject *key = NULL;
    PyObject *thread;  /* borrowed */
    PyObject *v;       /* borrowed */
    int rc = -1;

    key = PyLong_FromUnsignedLongLong(t->ident);
    if (key == NULL)
        goto done;
    thread = PyDict_GetItemWithError(active, key);
    if (thread == NULL) {
        rc = PyErr_Occurred() ? -1 : 0;
        goto done;
    }
    v = instance_attr(thread, "_name");
    if (v != NULL && PyUnicode_Check(v)) {
        if (keep(d, v) < 0)
            goto done;
        t->name = v;
    }
    v = instance_attr(thread, "_daemonic");
    if (v == Py_True)
        t->flags |= PYHD_THREAD_DAEMON;
    v = instance_attr(thread, "_native_id");
    if (v != NULL && PyLong_CheckExact(v)) {
        t->native_id = PyLong_AsUnsignedLong(v);
        if (PyErr_Occurred()) {
            PyErr_Clear();
            t->native_id = 0;
        }
    }
    rc = 0;
done:
    Py_XDECREF(key);
    return rc;
}

/* The main thread's ident: threading._main_thread's, else the oldest thread
   state's (thread states are prepended, so it is the last of the list). */
static unsigned long main_thread_ident(PyObject *tdict, PyThreadState *head)
{
    PyObject *main = tdict ? PyDict_GetItemString(tdict, "_main_thread") : NULL;
    PyObject *ident = main ? instance_attr(main, "_ident") : NULL;
    if (ident != NULL && PyLong_CheckExact(ident)) {
        unsigned long v = PyLong_AsUnsignedLong(ident);
        if (!PyErr_Occurred())
            return v;
        PyErr_Clear();
    }
    PyThreadState *last = head;
    for (PyThreadState *ts = head; ts != NULL; ts = PyThreadState_Next(ts))
        last = ts;
    return last ? last->thread_id : 0;
}

/*
 * Every thread of this interpreter that runs Python code, and the current
 * one. For an exception dump the current thread's stack is in the
 * exception's traceback, so its frame is left NULL.
 */
static int gather_threads(struct dump *d)
{
    PyThreadState *cur = PyThreadState_Get();
    PyThreadState *head = PyInterpreterState_ThreadHead(PyThreadState_GetInterpreter(cur));
    PyObject *tdict = threading_dict();  /* borrowed */
    PyObject *active = tdict ? PyDict_GetItemString(tdict, "_active") : NULL;
    unsigned long main_ident = main_thread_ident(tdict, head);
    int failed = d->exc != NULL
                 && (d->trigger == PYHD_TRIGGER_UNCAUGHT || d->trigger == PYHD_TRIGGER_THREAD);
    size_t n = 0;

    for (PyThreadState *ts = head; ts != NULL; ts = PyThreadState_Next(ts))
        n++;
    d->threads = calloc(n ? n : 1, sizeof *d->threads);
    if (d->threads == NULL)
        return fail_nomem(d, "listing the threads");
    for (PyThreadState *ts = head; ts != NULL && d->nthreads < n; ts = PyThreadState_Next(ts)) {
        struct pyhd_thread_root *t = &d->threads[d->nthreads];
        PyObject *frame = (PyObject *)PyThreadState_GetFrame(ts);  /* new reference */
        if (ts == cur) {
            t->flags |= PYHD_THREAD_CURRENT;
            if (failed) {
                t->flags |= PYHD_THREAD_FAILED;
                Py_CLEAR(frame);
            }
        } else if (frame == NULL) {
            /* A thread state without Python frames: not a thread a user sees. */
            continue;
        }
        if (frame != NULL) {
            int kept = keep(d, frame);
            Py_DECREF(frame);
            if (kept < 0)
                return fail_py(d, "listing the threads");
            t->frame = frame;
        }
        t->ident = ts->thread_id;
        if (t->ident == main_ident)
            t->flags |= PYHD_THREAD_MAIN;
        if (active != NULL && PyDict_Check(active) && thread_details(d, active, t) < 0)
            return fail_py(d, "reading threading._active");
        d->nthreads++;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Named roots */

static int add_named(struct dump *d, const char *key, PyObject *value)
{
    if (value == NULL || d->nnamed >= PYHD_MAX_NAMED)
        return 0;
    if (keep(d, value) < 0)
        return -1;
    d->named[d->nnamed].key = key;
    d->named[d->nnamed].value = value;
    d->nnamed++;
    return 0;
}

/* (major, minor, micro, releaselevel, serial) from sys.version_info's items. */
static PyObject *build_version_info(void)  /* new reference */
{
    PyObject *vi = PySys_GetObject("version_info");  /* borrowed */
    if (vi == NULL || !PyTuple_Check(vi) || PyTuple_GET_SIZE(vi) < 5)
        return NULL;
    return PyTuple_GetSlice(vi, 0, 5);
}

/* name -> __file__ (str) or None for every module in sys.modules, read from
   each module's dict so that no module __getattr__ runs. */
static PyObject *build_modules(void)  /* new reference */
{
    PyObject *modules = PySys_GetObject("modules");  /* borrowed */
    PyObject *out = PyDict_New();
    PyObject *key, *value;  /* borrowed */
    Py_ssize_t pos = 0;

    if (out == NULL || modules == NULL || !PyDict_Check(modules))
        return out;
    while (PyDict_Next(modules, &pos, &key, &value)) {
        PyObject *file = Py_None;  /* borrowed */
        /* Only exact str keys: hashing anything else could run its __hash__. */
        if (!PyUnicode_CheckExact(key))
            continue;
        if (PyModule_Check(value)) {
            PyObject *f = PyDict_GetItemString(PyModule_GetDict(value), "__file__");
            if (f != NULL && PyUnicode_CheckExact(f))
                file = f;
        }
        if (PyDict_SetItem(out, key, file) < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

/*
 * bytes name -> bytes value for every entry of the C environment. Every name
 * is kept; the walker writes the value of a sensitive name (a bytes key it
 * matches like any dict key) as REDACTED, and --no-environ leaves the whole
 * root out (gather_named).
 */
static PyObject *build_environ(void)  /* new reference */
{
    PyObject *out = PyDict_New();
    if (out == NULL)
        return NULL;
    for (char **e = environ; e != NULL && *e != NULL; e++) {
        const char *eq = strchr(*e, '=');
        if (eq == NULL)
            continue;
        size_t namelen = (size_t)(eq - *e);
        size_t valuelen = strlen(eq + 1);
        PyObject *k = PyBytes_FromStringAndSize(*e, (Py_ssize_t)namelen);
        PyObject *v = PyBytes_FromStringAndSize(eq + 1, (Py_ssize_t)valuelen);
        int rc = k && v ? PyDict_SetItem(out, k, v) : -1;
        Py_XDECREF(k);
        Py_XDECREF(v);
        if (rc < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

static int gather_named(struct dump *d)
{
    PyObject *built = NULL;
    static const char *const sys_roots[][2] = {
        {"argv", "argv"}, {"orig_argv", "orig_argv"}, {"path", "path"},
        {"executable", "executable"}, {"version", "version"},
    };

    for (size_t i = 0; i < sizeof sys_roots / sizeof sys_roots[0]; i++) {
        if (add_named(d, sys_roots[i][0], PySys_GetObject(sys_roots[i][1])) < 0)
            return fail_py(d, "gathering the roots");
    }
    built = build_version_info();
    if (built == NULL && PyErr_Occurred())
        return fail_py(d, "gathering the roots");
    if (add_named(d, "version_info", built) < 0)
        goto error;
    Py_CLEAR(built);
    built = build_modules();
    if (built == NULL || add_named(d, "modules", built) < 0)
        goto error;
    Py_CLEAR(built);
    if (!d->o->keep_environ)
        return 0;
    built = build_environ();
    if (built == NULL || add_named(d, "environ", built) < 0)
        goto error;
    Py_CLEAR(built);
    return 0;
error:
    Py_XDECREF(built);
    return fail_py(d, "gathering the roots");
}

/* ------------------------------------------------------------------------ */
/* Sources */

static int note_unavailable(struct dump *d, const char *path, const char *reason)
{
    if (pyhd__buf_printf(&d->unavailable, "%s: %s", path, reason) < 0
        || pyhd__buf_append(&d->unavailable, "", 1) < 0)
        return fail_nomem(d, "listing unavailable sources");
    return 0;
}

/* Read the regular file at path whole into *data; errno-style reason on failure. */
static const char *read_file(const char *path, unsigned char **data, size_t *len)
{
    struct stat st;
    struct pyhd_buf b;
    const char *why = NULL;
    /* O_NONBLOCK: opening a FIFO named like a source must not hang the dump. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    pyhd__buf_init(&b);
    if (fd < 0)
        return strerror(errno);
    if (fstat(fd, &st) < 0) {
        why = strerror(errno);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        why = "not a regular file";
        goto done;
    }
    if ((uint64_t)st.st_size > PYHD_MAX_SOURCE) {
        why = "larger than 64 MiB";
        goto done;
    }
    for (;;) {
        if (pyhd__buf_grow(&b, 65536) < 0) {
            why = strerror(ENOMEM);
            goto done;
        }
        ssize_t n = read(fd, b.data + b.len, b.cap - b.len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            why = strerror(errno);
            goto done;
        }
        if (n == 0)
            break;
        b.len += (size_t)n;
        /* The file grew after fstat(). */
        if (b.len > PYHD_MAX_SOURCE) {
            why = "larger than 64 MiB";
            goto done;
        }
    }
    *data = b.data;
    *len = b.len;
    b.data = NULL;
done:
    pyhd__buf_free(&b);
    close(fd);
    return why;
}

/* Append co_filename of frame's code to names unless it is there. */
static int add_frame_filename(PyObject *names, PyFrameObject *frame)
{
    PyCodeObject *co = PyFrame_GetCode(frame);  /* new reference */
    int rc = 0;
    if (PyUnicode_CheckExact(co->co_filename)) {
        /* Exact str against exact str: comparing runs no program code. */
        rc = PySequence_Contains(names, co->co_filename);
        if (rc == 0)
            rc = PyList_Append(names, co->co_filename);
    }
    Py_DECREF(co);
    return rc < 0 ? -1 : 0;
}

/*
 * The graph's filename list, plus the files of the frames traceback.txt
 * shows (the exception's traceback and its causes and contexts, every
 * thread's stack) and of a SyntaxError, so that those always have their
 * source even when the walker left a frame out.
 */
static PyObject *source_filenames(struct dump *d)  /* new reference */
{
    PyObject *names = d->g.filenames ? PyList_GetSlice(d->g.filenames, 0, PY_SSIZE_T_MAX)
                                     : PyList_New(0);
    if (names == NULL)
        return NULL;
    PyObject *exc = d->exc;  /* borrowed */
    /* The chain is bounded, as PyErr_Display bounds it, in case it loops. */
    for (int depth = 0; exc != NULL && PyExceptionInstance_Check(exc) && depth < 100; depth++) {
        PyTracebackObject *tb = exception_traceback(exc);  /* new reference */
        for (PyTracebackObject *e = tb; e != NULL; e = e->tb_next) {
            if (add_frame_filename(names, e->tb_frame) < 0) {
                Py_XDECREF(tb);
                goto error;
            }
        }
        Py_XDECREF(tb);
        /* A SyntaxError's file is the one the compiler could not read as Python. */
        if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_SyntaxError)) {
            PyObject *file = ((PySyntaxErrorObject *)exc)->filename;  /* borrowed */
            int has = file != NULL && PyUnicode_CheckExact(file)
                          ? PySequence_Contains(names, file) : 1;
            if (has < 0 || (has == 0 && PyList_Append(names, file) < 0))
                goto error;
        }
        PyObject *next = PyException_GetCause(exc);  /* new reference */
        if (next == NULL)
            next = PyException_GetContext(exc);
        /* The chain holds it alive: exc stays borrowed. */
        Py_XDECREF(next);
        exc = next;
    }
    for (size_t i = 0; i < d->nthreads; i++) {
        PyFrameObject *f = (PyFrameObject *)d->threads[i].frame;
        Py_XINCREF(f);
        while (f != NULL) {
            if (add_frame_filename(names, f) < 0) {
                Py_DECREF(f);
                goto error;
            }
            Py_SETREF(f, PyFrame_GetBack(f));
        }
    }
    return names;
error:
    Py_DECREF(names);
    return NULL;
}

/*
 * For every filename of a dumped frame, the file's bytes as they are now.
 * Relative names (modules imported through "" on sys.path, as with -c) are
 * resolved against the current directory at dump time, which is what the
 * interpreter would open them against too; the MANIFEST's Cwd says which
 * directory that was.
 */
static int gather_sources(struct dump *d)
{
    PyObject *names = source_filenames(d);  /* new reference */
    struct pyhd_buf path;
    int rc = -1;

    if (names == NULL || keep(d, names) < 0) {
        Py_XDECREF(names);
        return fail_py(d, "listing source files");
    }
    /* d->keep holds the list (and so every filename the sources borrow). */
    Py_DECREF(names);
    Py_ssize_t n = PyList_GET_SIZE(names);
    pyhd__buf_init(&path);
    d->sources = calloc(n ? (size_t)n : 1, sizeof *d->sources);
    if (d->sources == NULL)
        return fail_nomem(d, "reading sources");
    for (Py_ssize_t i = 0; i < n; i++) {
        struct source *s = &d->sources[d->nsources];
        PyObject *fsname = NULL;  /* new reference */
        s->filename = PyList_GET_ITEM(names, i);
        d->nsources++;
        if (!PyUnicode_Check(s->filename))
            continue;
        fsname = PyUnicode_EncodeFSDefault(s->filename);  /* new reference */
        if (fsname == NULL) {
            PyErr_Clear();
            if (note_unavailable(d, utf8_or(s->filename, "?"), "not encodable") < 0)
                goto done;
            continue;
        }
        const char *name = PyBytes_AS_STRING(fsname);
        path.len = 0;
        if (name[0] == '\0' || name[0] == '<' || strlen(name) != (size_t)PyBytes_GET_SIZE(fsname)) {
            int bad = note_unavailable(d, name, "not a file name");
            Py_DECREF(fsname);
            if (bad < 0)
                goto done;
            continue;
        }
        if (name[0] != '/' && d->cwd[0] == '\0') {
            int bad = note_unavailable(d, name, "relative, and the current directory is unknown");
            Py_DECREF(fsname);
            if (bad < 0)
                goto done;
            continue;
        }
        int full = name[0] == '/'
            ? pyhd__buf_printf(&path, "%s", name)
            : pyhd__buf_printf(&path, "%s/%s", d->cwd, name);
        Py_DECREF(fsname);
        if (full < 0) {
            fail_nomem(d, "reading sources");
            goto done;
        }
        const char *abs = (const char *)path.data;
        for (size_t j = 0; j + 1 < d->nsources; j++) {
            struct source *o = &d->sources[j];
            if (o->member != NULL && strcmp(o->member + strlen(PYHD_MEMBER_SOURCES_DIR),
                                            abs + 1) == 0) {
                s->data = o->data;
                s->len = o->len;
                break;
            }
        }
        if (s->data != NULL)
            continue;
        const char *why = read_file(abs, &s->data, &s->len);
        if (why != NULL) {
            if (note_unavailable(d, abs, why) < 0)
                goto done;
            continue;
        }
        s->owner = 1;
        s->member = malloc(strlen(PYHD_MEMBER_SOURCES_DIR) + strlen(abs));
        if (s->member == NULL) {
            fail_nomem(d, "reading sources");
            goto done;
        }
        /* "sources/" + the absolute path without its leading "/". */
        strcpy(s->member, PYHD_MEMBER_SOURCES_DIR);
        strcat(s->member, abs + 1);
        d->sources_stored++;
        d->sources_size += s->len;
    }
    rc = 0;
done:
    pyhd__buf_free(&path);
    return rc;
}

static const struct source *find_source(const struct dump *d, PyObject *filename)
{
    for (size_t i = 0; i < d->nsources; i++) {
        if (d->sources[i].filename == filename
            || (PyUnicode_Check(filename) && PyUnicode_Check(d->sources[i].filename)
                && PyUnicode_Compare(filename, d->sources[i].filename) == 0))
            return d->sources[i].data ? &d->sources[i] : NULL;
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* traceback.txt */

static int cookie_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || c == '-' || c == '_' || c == '.';
}

/*
 * Whether a source file declares latin-1 in a PEP 263 coding comment on one
 * of its first two lines. Other files are taken as UTF-8: transcoding here,
 * in C, avoids looking a codec up, which could run a search function the
 * program registered.
 */
static int source_is_latin1(const unsigned char *p, size_t len)
{
    static const char *const names[] = {"latin-1", "iso-8859-1", "iso-latin-1", "latin1",
                                        "iso8859-1", "l1", "cp819"};
    size_t start = 0;
    for (int line = 0; line < 2 && start < len; line++) {
        const unsigned char *eol = memchr(p + start, '\n', len - start);
        size_t end = eol ? (size_t)(eol - p) : len;
        size_t i = start;
        while (i < end && (p[i] == ' ' || p[i] == '\t' || p[i] == '\f'))
            i++;
        if (i < end && p[i] == '#') {
            for (; i + 7 < end; i++) {
                if (memcmp(p + i, "coding", 6) != 0 || (p[i + 6] != ':' && p[i + 6] != '='))
                    continue;
                size_t j = i + 7, k = 0;
                char enc[32];
                while (j < end && (p[j] == ' ' || p[j] == '\t'))
                    j++;
                for (; j < end && k + 1 < sizeof enc && cookie_char(p[j]); j++) {
                    char c = (char)p[j];
                    enc[k++] = c == '_' ? '-' : (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
                }
                enc[k] = '\0';
                for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
                    size_t nl = strlen(names[n]);
                    if (strncmp(enc, names[n], nl) == 0 && (enc[nl] == '\0' || enc[nl] == '-'))
                        return 1;
                }
                return 0;
            }
        }
        start = end + 1;
    }
    return 0;
}

/* Append line lineno (1-based) of src, stripped, as UTF-8; nothing if absent. */
static int append_source_line(struct pyhd_buf *out, const struct source *src, int lineno)
{
    const unsigned char *p = src->data;
    const unsigned char *end = src->data + src->len;
    if (lineno < 1)
        return 0;
    if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    for (int l = 1; l < lineno && p < end; l++) {
        const unsigned char *eol = memchr(p, '\n', (size_t)(end - p));
        p = eol ? eol + 1 : end;
    }
    if (p >= end)
        return 0;
    const unsigned char *eol = memchr(p, '\n', (size_t)(end - p));
    const unsigned char *e = eol ? eol : end;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\f' || *p == '\v'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\f'
                     || e[-1] == '\v'))
        e--;
    if (p == e)
        return 0;
    if (pyhd__buf_append(out, "    ", 4) < 0)
        return -1;
    if (source_is_latin1(src->data, src->len)) {
        for (; p < e; p++) {
            unsigned char u[2] = {(unsigned char)(0xC0 | (*p >> 6)),
                                  (unsigned char)(0x80 | (*p & 0x3F))};
            if (*p < 0x80 ? pyhd__buf_append(out, p, 1) : pyhd__buf_append(out, u, 2))
                return -1;
        }
    } else if (pyhd__buf_append(out, p, (size_t)(e - p)) < 0) {
        return -1;
    }
    return pyhd__buf_append(out, "\n", 1);
}

/* One thread's stack, python-style, outermost call first. */
static int append_thread_stack(struct dump *d, const struct pyhd_thread_root *t)
{
    PyObject *frames = NULL;
    PyFrameObject *f = NULL;
    int rc = -1;

    /* A thread threading does not know (started with _thread) has no name. */
    if (pyhd__buf_printf(&d->traceback, "Thread 0x%016llx%s%s%s%s (most recent call last):\n",
                         t->ident, t->name ? " \"" : "", t->name ? utf8_or(t->name, "?") : "",
                         t->name ? "\"" : "",
                         t->flags & PYHD_THREAD_CURRENT ? " (current thread)" : "") < 0)
        goto nomem;
    frames = PyList_New(0);
    if (frames == NULL)
        goto error;
    f = (PyFrameObject *)t->frame;
    Py_XINCREF(f);
    while (f != NULL) {
        if (PyList_Append(frames, (PyObject *)f) < 0)
            goto error;
        PyFrameObject *back = PyFrame_GetBack(f);  /* new reference */
        Py_SETREF(f, back);
    }
    for (Py_ssize_t i = PyList_GET_SIZE(frames) - 1; i >= 0; i--) {
        PyFrameObject *fr = (PyFrameObject *)PyList_GET_ITEM(frames, i);
        PyCodeObject *co = PyFrame_GetCode(fr);  /* new reference */
        int lineno = PyFrame_GetLineNumber(fr);
        int bad = pyhd__buf_printf(&d->traceback, "  File \"%s\", line %d, in %s\n",
                                   utf8_or(co->co_filename, "???"), lineno,
                                   utf8_or(co->co_name, "???")) < 0;
        const struct source *src = bad ? NULL : find_source(d, co->co_filename);
        Py_DECREF(co);
        if (bad || (src != NULL && append_source_line(&d->traceback, src, lineno) < 0))
            goto nomem;
    }
    rc = 0;
    goto done;
nomem:
    fail_nomem(d, "writing traceback.txt");
    goto done;
error:
    fail_py(d, "writing traceback.txt");
done:
    Py_XDECREF(f);
    Py_XDECREF(frames);
    return rc;
}

/* threading.excepthook's first line: "Exception in thread NAME:". */
static int append_thread_exception_header(struct dump *d)
{
    for (size_t i = 0; i < d->nthreads; i++) {
        const struct pyhd_thread_root *t = &d->threads[i];
        if (!(t->flags & PYHD_THREAD_CURRENT))
            continue;
        if (t->name != NULL)
            return pyhd__buf_printf(&d->traceback, "Exception in thread %s:\n",
                                    utf8_or(t->name, "?"));
        return pyhd__buf_printf(&d->traceback, "Exception in thread %llu:\n", t->ident);
    }
    return 0;
}

/*
 * The exception exactly as python's default hook prints it: the same
 * PyErr_Display() that sys.excepthook uses, with sys.stderr pointed at a
 * StringIO for the call; for an exception that escaped a thread, after
 * threading.excepthook's header line.
 */
static int append_exception(struct dump *d)
{
    PyObject *io = NULL, *sio = NULL, *old = NULL, *text = NULL, *utf8 = NULL;
    PyObject *tb = NULL;
    int rc = -1;

    if (d->trigger == PYHD_TRIGGER_THREAD && append_thread_exception_header(d) < 0)
        return fail_nomem(d, "writing traceback.txt");
    io = PyImport_ImportModule("io");
    if (io == NULL)
        goto error;
    sio = PyObject_CallMethod(io, "StringIO", NULL);
    if (sio == NULL)
        goto error;
    old = PySys_GetObject("stderr");  /* borrowed, made strong below */
    Py_XINCREF(old);
    if (PySys_SetObject("stderr", sio) < 0)
        goto error;
    tb = PyException_GetTraceback(d->exc);
    PyErr_Display((PyObject *)Py_TYPE(d->exc), d->exc, tb);
    /* PyErr_Display reports its own failures on stderr; one left set here
       is not ours to keep. */
    PyErr_Clear();
    if (PySys_SetObject("stderr", old) < 0)
        goto error;
    text = PyObject_CallMethod(sio, "getvalue", NULL);
    if (text == NULL || !PyUnicode_Check(text))
        goto error;
    utf8 = PyUnicode_AsEncodedString(text, "utf-8", "backslashreplace");
    if (utf8 == NULL)
        goto error;
    if (pyhd__buf_append(&d->traceback, PyBytes_AS_STRING(utf8),
                         (size_t)PyBytes_GET_SIZE(utf8)) < 0) {
        fail_nomem(d, "writing traceback.txt");
        goto done;
    }
    rc = 0;
    goto done;
error:
    if (old != NULL && PySys_GetObject("stderr") == sio) {
        PyObject *t = NULL, *v = NULL, *b = NULL;
        PyErr_Fetch(&t, &v, &b);
        PySys_SetObject("stderr", old);
        PyErr_Restore(t, v, b);
    }
    if (PyErr_Occurred())
        fail_py(d, "writing traceback.txt");
    else
        snprintf(d->r->error, sizeof d->r->error, "writing traceback.txt: StringIO failed");
done:
    Py_XDECREF(io);
    Py_XDECREF(sio);
    Py_XDECREF(old);
    Py_XDECREF(text);
    Py_XDECREF(utf8);
    Py_XDECREF(tb);
    return rc;
}

/* The exception, then the current thread's stack, then every other thread's. */
static int build_traceback(struct dump *d)
{
    int first = 1;
    if (d->exc != NULL && PyExceptionInstance_Check(d->exc)) {
        if (append_exception(d) < 0)
            return -1;
        first = 0;
    }
    for (size_t k = 0; k < 2 * d->nthreads; k++) {
        const struct pyhd_thread_root *t = &d->threads[k % d->nthreads];
        int current = (t->flags & PYHD_THREAD_CURRENT) != 0;
        if (t->frame == NULL || current != (k < d->nthreads))
            continue;
        if (!first && pyhd__buf_append(&d->traceback, "\n", 1) < 0)
            return fail_nomem(d, "writing traceback.txt");
        if (append_thread_stack(d, t) < 0)
            return -1;
        first = 0;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* MANIFEST */

/* "module.qualname" of a type, read from the type's own fields. */
static void type_fullname(PyTypeObject *t, char *out, size_t n)
{
    if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        PyObject *mod = t->tp_dict ? PyDict_GetItemString(t->tp_dict, "__module__") : NULL;
        PyObject *qual = ((PyHeapTypeObject *)t)->ht_qualname;
        snprintf(out, n, "%s.%s", mod && PyUnicode_Check(mod) ? utf8_or(mod, "?") : "?",
                 utf8_or(qual, t->tp_name));
        return;
    }
    if (strchr(t->tp_name, '.') != NULL)
        snprintf(out, n, "%s", t->tp_name);
    else
        snprintf(out, n, "builtins.%s", t->tp_name);
}

/* Values whose str() is computed by the interpreter alone (no __str__,
   __repr__ or __format__ of the program can run). */
static int plain_value(PyObject *v, int depth)
{
    if (v == NULL || v == Py_None || PyBool_Check(v) || PyUnicode_CheckExact(v)
        || PyLong_CheckExact(v) || PyFloat_CheckExact(v) || PyComplex_CheckExact(v))
        return 1;
    if (PyTuple_CheckExact(v) && depth < 4) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(v); i++) {
            if (!plain_value(PyTuple_GET_ITEM(v, i), depth + 1))
                return 0;
        }
        return 1;
    }
    return 0;
}

/* Whether everything the builtin __str__ of exc's type formats is plain: its
   args, or the C-level fields some types format instead or as well. */
static int str_inputs_plain(PyObject *exc)
{
#if PY_VERSION_HEX >= 0x030B0000
    /* An exception group's str is its message and how many it holds. */
    if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_BaseExceptionGroup))
        return plain_value(((PyBaseExceptionGroupObject *)exc)->msg, 0);
#endif
    PyObject *args = ((PyBaseExceptionObject *)exc)->args;  /* borrowed */
    if (args == NULL || !plain_value(args, 0))
        return 0;
    if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_OSError)) {
        PyOSErrorObject *e = (PyOSErrorObject *)exc;
        return plain_value(e->myerrno, 0) && plain_value(e->strerror, 0)
               && plain_value(e->filename, 0) && plain_value(e->filename2, 0);
    }
    if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_SyntaxError)) {
        PySyntaxErrorObject *e = (PySyntaxErrorObject *)exc;
        return plain_value(e->msg, 0) && plain_value(e->filename, 0)
               && plain_value(e->lineno, 0);
    }
    if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_ImportError))
        return plain_value(((PyImportErrorObject *)exc)->msg, 0);
    if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_UnicodeError)) {
        PyUnicodeErrorObject *e = (PyUnicodeErrorObject *)exc;
        return plain_value(e->encoding, 0) && plain_value(e->reason, 0)
               && (e->object == NULL || PyUnicode_CheckExact(e->object)
                   || PyBytes_CheckExact(e->object));
    }
    return 1;
}

/*
 * str(exc), computed only where no code of the program can run: the type
 * does not override __str__ of its nearest builtin base, and everything
 * that builtin __str__ formats is a plain value. Otherwise "<not computed>".
 * Returns a new bytes object (UTF-8) or NULL with an exception set.
 */
static PyObject *exception_message(PyObject *exc)  /* new reference */
{
    PyTypeObject *t = Py_TYPE(exc);
    PyTypeObject *base = t;
    PyObject *s = NULL, *out = NULL;

    while (base != NULL && (base->tp_flags & Py_TPFLAGS_HEAPTYPE))
        base = base->tp_base;
    if (base == NULL || t->tp_str != base->tp_str || !str_inputs_plain(exc))
        return PyBytes_FromString("<not computed>");
    s = PyObject_Str(exc);
    if (s == NULL) {
        /* e.g. an int too long to convert: a builtin refusing, not the program. */
        PyErr_Clear();
        return PyBytes_FromString("<not computed>");
    }
    out = PyUnicode_AsEncodedString(s, "utf-8", "backslashreplace");
    Py_DECREF(s);
    return out;
}

/*
 * The fingerprint: FNV-1a 64 over the exception type's "module.qualname",
 * then for each traceback entry, outermost first, a NUL, the basename of the
 * code's co_filename, a NUL and its co_qualname (co_name before 3.11), all
 * UTF-8. No line numbers and no directories, so the same bug found on
 * another run, in another checkout or on another host has the same
 * fingerprint.
 */
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= FNV_PRIME;
    }
    return h;
}

static uint64_t fingerprint(PyObject *exc, const char *type_name)
{
    uint64_t h = fnv1a(FNV_OFFSET, type_name, strlen(type_name));
    PyTracebackObject *tb = exception_traceback(exc);  /* new reference */
    for (PyTracebackObject *e = tb; e != NULL; e = e->tb_next) {
        PyCodeObject *co = PyFrame_GetCode(e->tb_frame);  /* new reference */
        const char *file = utf8_or(co->co_filename, "?");
        const char *base = strrchr(file, '/');
        const char *qual = utf8_or(pyhd_code_qualname(co), "?");
        base = base ? base + 1 : file;
        h = fnv1a(h, "", 1);
        h = fnv1a(h, base, strlen(base));
        h = fnv1a(h, "", 1);
        h = fnv1a(h, qual, strlen(qual));
        Py_DECREF(co);
    }
    Py_XDECREF(tb);
    return h;
}

/* A str as a JSON string; lone surrogates (undecodable bytes) as \uDCxx. */
static int json_string(struct pyhd_buf *b, PyObject *s)
{
    if (pyhd__buf_append(b, "\"", 1) < 0)
        return -1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        char u[8];
        size_t k = 0;
        int rc;
        if (c == '"' || c == '\\') {
            u[k++] = '\\';
            u[k++] = (char)c;
            rc = pyhd__buf_append(b, u, k);
        } else if (c < 0x20 || c == 0x7F || (c >= 0xD800 && c <= 0xDFFF)) {
            rc = pyhd__buf_printf(b, "\\u%04x", (unsigned)c);
        } else if (c < 0x80) {
            u[k++] = (char)c;
            rc = pyhd__buf_append(b, u, k);
        } else if (c < 0x800) {
            u[k++] = (char)(0xC0 | (c >> 6));
            u[k++] = (char)(0x80 | (c & 0x3F));
            rc = pyhd__buf_append(b, u, k);
        } else if (c < 0x10000) {
            u[k++] = (char)(0xE0 | (c >> 12));
            u[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
            u[k++] = (char)(0x80 | (c & 0x3F));
            rc = pyhd__buf_append(b, u, k);
        } else {
            u[k++] = (char)(0xF0 | (c >> 18));
            u[k++] = (char)(0x80 | ((c >> 12) & 0x3F));
            u[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
            u[k++] = (char)(0x80 | (c & 0x3F));
            rc = pyhd__buf_append(b, u, k);
        }
        if (rc < 0)
            return -1;
    }
    return pyhd__buf_append(b, "\"", 1);
}

/*
 * The argument a of sys.argv as the MANIFEST shows it: with redaction on, the
 * value of a sensitive option ("--password=xyz", or "xyz" after "--token")
 * becomes "<redacted>" (see pyhd__redact_argument). New reference.
 */
static PyObject *manifest_argument(const struct dump *d, PyObject *a, PyObject *prev)
{
    struct pyhd_redact_rules rules = {d->o->redact_patterns, d->o->keep_names};
    const char *arg = PyUnicode_AsUTF8(a);
    const char *before = prev != NULL && PyUnicode_Check(prev) ? PyUnicode_AsUTF8(prev) : NULL;
    if (arg == NULL || !d->o->redact) {
        PyErr_Clear();
        return Py_NewRef(a);
    }
    if (before == NULL)
        PyErr_Clear();
    long at = pyhd__redact_argument(&rules, arg, before);
    if (at < 0)
        return Py_NewRef(a);
    PyObject *name = PyUnicode_FromStringAndSize(arg, (Py_ssize_t)at);
    PyObject *shown = name != NULL ? PyUnicode_FromFormat("%U<redacted>", name) : NULL;
    Py_XDECREF(name);
    return shown;
}

/* sys.argv as a JSON array of strings (a non-str item is written as null). */
static int argv_json(const struct dump *d, struct pyhd_buf *b)
{
    PyObject *argv = PySys_GetObject("argv");  /* borrowed */
    if (pyhd__buf_append(b, "[", 1) < 0)
        return -1;
    Py_ssize_t n = argv != NULL && PyList_Check(argv) ? PyList_GET_SIZE(argv) : 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *a = PyList_GET_ITEM(argv, i);
        if (i > 0 && pyhd__buf_append(b, ", ", 2) < 0)
            return -1;
        if (!PyUnicode_Check(a)) {
            if (pyhd__buf_append(b, "null", 4) < 0)
                return -1;
            continue;
        }
        PyObject *shown = manifest_argument(d, a, i > 0 ? PyList_GET_ITEM(argv, i - 1) : NULL);
        int rc = shown != NULL ? json_string(b, shown) : -1;
        Py_XDECREF(shown);
        if (rc < 0)
            return -1;
    }
    return pyhd__buf_append(b, "]\0", 2);
}

static const char *trigger_name(enum pyhd_trigger t)
{
    switch (t) {
    case PYHD_TRIGGER_UNCAUGHT:
        return "uncaught-exception";
    case PYHD_TRIGGER_THREAD:
        return "thread-exception";
    case PYHD_TRIGGER_SIGNAL:
        return "signal";
    case PYHD_TRIGGER_API:
        return "api";
    }
    return "unknown";
}

/* Add "key: printf(...)" to the MANIFEST. */
static int field(struct dump *d, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int field(struct dump *d, const char *key, const char *fmt, ...)
{
    char value[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    return pyhd__manifest_add(&d->manifest, key, value);
}

static int build_manifest(struct dump *d, const struct timespec *t0)
{
    char created[64], host[256], type_name[512];
    struct tm tm;
    struct utsname u;
    struct pyhd_buf argv;
    PyObject *msg = NULL;
    const char *version = Py_GetVersion();
    int rc = -1;

    pyhd__buf_init(&argv);
    gmtime_r(&d->created.tv_sec, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%S", &tm);
    if (gethostname(host, sizeof host) < 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    if (uname(&u) < 0)
        memset(&u, 0, sizeof u);
    if (argv_json(d, &argv) < 0)
        goto nomem;
    if (field(d, PYHD_MANIFEST_FORMAT_VERSION, "%d", PYHD_FORMAT_VERSION) < 0
        || field(d, PYHD_MANIFEST_PYHD_VERSION, "%s", PYHD_VERSION) < 0
        || field(d, PYHD_MANIFEST_CREATED, "%s.%06ldZ", created,
                 (long)(d->created.tv_nsec / 1000)) < 0
        || field(d, PYHD_MANIFEST_HOSTNAME, "%s", host) < 0
        || field(d, PYHD_MANIFEST_PID, "%ld", d->pid) < 0
        || field(d, PYHD_MANIFEST_UID, "%ld", (long)getuid()) < 0
        || field(d, PYHD_MANIFEST_CWD, "%s", d->cwd) < 0
        || pyhd__manifest_add(&d->manifest, PYHD_MANIFEST_ARGV, (const char *)argv.data) < 0
        || field(d, PYHD_MANIFEST_EXECUTABLE, "%s",
                 utf8_or(PySys_GetObject("executable"), "")) < 0
        || field(d, PYHD_MANIFEST_PYTHON_VERSION, "%.*s", (int)strcspn(version, "\n"),
                 version) < 0
        || field(d, PYHD_MANIFEST_PYTHON_IMPLEMENTATION, "CPython") < 0
        || field(d, PYHD_MANIFEST_PLATFORM, "%s %s %s", u.sysname, u.release, u.machine) < 0
        || field(d, PYHD_MANIFEST_TRIGGER, "%s", trigger_name(d->trigger)) < 0
        || (d->reason != NULL && field(d, PYHD_MANIFEST_REASON, "%s", d->reason) < 0))
        goto nomem;
    if (d->exc != NULL && PyExceptionInstance_Check(d->exc)) {
        type_fullname(Py_TYPE(d->exc), type_name, sizeof type_name);
        msg = exception_message(d->exc);
        if (msg == NULL) {
            fail_py(d, "writing the MANIFEST");
            goto done;
        }
        if (field(d, PYHD_MANIFEST_EXCEPTION_TYPE, "%s", type_name) < 0
            || pyhd__manifest_add(&d->manifest, PYHD_MANIFEST_EXCEPTION_MESSAGE,
                                  PyBytes_AS_STRING(msg)) < 0
            || field(d, PYHD_MANIFEST_FINGERPRINT, "%016llx",
                     (unsigned long long)fingerprint(d->exc, type_name)) < 0)
            goto nomem;
    }
    if (field(d, PYHD_MANIFEST_THREADS, "%zu", d->nthreads) < 0
        || field(d, PYHD_MANIFEST_OBJECTS, "%llu", (unsigned long long)d->g.objects) < 0
        || field(d, PYHD_MANIFEST_OPAQUE_OBJECTS, "%llu", (unsigned long long)d->g.opaque) < 0
        || field(d, PYHD_MANIFEST_TRUNCATED_OBJECTS, "%llu",
                 (unsigned long long)d->g.truncated) < 0
        || field(d, PYHD_MANIFEST_TRUNCATED, "%s", d->g.truncated ? "yes" : "no") < 0
        || field(d, PYHD_MANIFEST_REDACTED_VALUES, "%llu",
                 (unsigned long long)d->g.redacted) < 0
        || field(d, PYHD_MANIFEST_GRAPH_SIZE, "%llu", (unsigned long long)d->g.raw_bytes) < 0
        || field(d, PYHD_MANIFEST_GRAPH_COMPRESSED_SIZE, "%zu", d->g.compressed.len) < 0
        || field(d, PYHD_MANIFEST_SOURCES, "%zu",
                 d->o->keep_sources ? d->sources_stored : 0) < 0
        || field(d, PYHD_MANIFEST_SOURCES_SIZE, "%llu",
                 (unsigned long long)(d->o->keep_sources ? d->sources_size : 0)) < 0)
        goto nomem;
    for (size_t off = 0; off < d->unavailable.len;) {
        const char *entry = (const char *)d->unavailable.data + off;
        if (pyhd__manifest_add(&d->manifest, PYHD_MANIFEST_SOURCE_UNAVAILABLE, entry) < 0)
            goto nomem;
        off += strlen(entry) + 1;
    }
    if (field(d, PYHD_MANIFEST_TRACEBACK_SIZE, "%zu", d->traceback.len) < 0
        || field(d, PYHD_MANIFEST_DUMP_TIME_MS, "%.3f", elapsed_ms(t0)) < 0)
        goto nomem;
    rc = 0;
    goto done;
nomem:
    fail_nomem(d, "writing the MANIFEST");
done:
    Py_XDECREF(msg);
    pyhd__buf_free(&argv);
    return rc;
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
        const char *a = utf8_or(PyList_GET_ITEM(orig, i), "");
        if (a[0] != '-' || strcmp(a, "--") == 0 || strcmp(a, "-") == 0)
            return NULL;
        if (strncmp(a, "-m", 2) == 0)
            return a[2] ? a + 2 : i + 1 < n ? utf8_or(PyList_GET_ITEM(orig, i + 1), NULL) : NULL;
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
                           ? utf8_or(PyList_GET_ITEM(argv, 0), "python")
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
        return fail_py(d, "starting the dump");
    if (gather_threads(d) < 0 || gather_named(d) < 0)
        return -1;
    roots.exception = d->exc;
    roots.threads = d->threads;
    roots.nthreads = d->nthreads;
    roots.named = d->named;
    roots.nnamed = d->nnamed;
    if (pyhd__graph_write(&roots, d->o, &d->g) < 0)
        return fail_py(d, "encoding the object graph");
    d->have_graph = 1;
    if (gather_sources(d) < 0 || build_traceback(d) < 0 || build_manifest(d, t0) < 0)
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
    r->ms = elapsed_ms(&t0);
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
