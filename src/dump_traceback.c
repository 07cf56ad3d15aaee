/* dump_traceback.c: traceback.txt: the exception as python prints it, then every other thread's stack. */
#include "dump_internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "dict_exact.h"
#include "pyhd/format.h"

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

int pyhd__dump_snapshot_stacks(struct dump *d)
{
    PyObject *stacks = PyList_New((Py_ssize_t)d->nthreads);
    PyObject *frames = NULL, *entry = NULL;
    PyFrameObject *f = NULL;

    if (stacks == NULL || pyhd__dump_keep(d, stacks) < 0)
        goto error;
    Py_DECREF(stacks);  /* keep holds it */
    d->stacks = stacks;
    for (size_t i = 0; i < d->nthreads; i++) {
        if (d->threads[i].frame == NULL) {
            PyList_SET_ITEM(stacks, (Py_ssize_t)i, Py_NewRef(Py_None));
            continue;
        }
        frames = PyList_New(0);
        if (frames == NULL)
            goto error;
        f = (PyFrameObject *)Py_NewRef(d->threads[i].frame);
        while (f != NULL) {
            PyCodeObject *co = PyFrame_GetCode(f);  /* new reference */
            entry = Py_BuildValue("(Ni)", (PyObject *)co, PyFrame_GetLineNumber(f));
            if (entry == NULL || PyList_Insert(frames, 0, entry) < 0)
                goto error;
            Py_CLEAR(entry);
            PyFrameObject *back = PyFrame_GetBack(f);  /* new reference */
            Py_SETREF(f, back);
        }
        PyList_SET_ITEM(stacks, (Py_ssize_t)i, frames);  /* steals */
        frames = NULL;
    }
    return 0;
error:
    Py_XDECREF(entry);
    Py_XDECREF(f);
    Py_XDECREF(frames);
    if (stacks != NULL && d->stacks == NULL)
        Py_DECREF(stacks);
    return pyhd__dump_fail_py(d, "listing the threads' frames");
}

/* One thread's stack (number i of d->threads), python-style, outermost call
   first, from the snapshot. */
static int append_thread_stack(struct dump *d, size_t i)
{
    const struct pyhd_thread_root *t = &d->threads[i];
    PyObject *frames = d->stacks != NULL ? PyList_GET_ITEM(d->stacks, (Py_ssize_t)i) : NULL;

    /* A thread threading does not know (started with _thread) has no name. */
    if (pyhd__buf_printf(&d->traceback, "Thread 0x%016llx%s%s%s%s (most recent call last):\n",
                         t->ident, t->name ? " \"" : "", t->name ? pyhd__dump_utf8_or(t->name, "?") : "",
                         t->name ? "\"" : "",
                         t->flags & PYHD_THREAD_CURRENT ? " (current thread)" : "") < 0)
        return pyhd__dump_fail_nomem(d, "writing traceback.txt");
    for (Py_ssize_t k = 0; frames != NULL && PyList_Check(frames) && k < PyList_GET_SIZE(frames);
         k++) {
        PyObject *entry = PyList_GET_ITEM(frames, k);  /* (code, line) */
        PyCodeObject *co = (PyCodeObject *)PyTuple_GET_ITEM(entry, 0);
        int lineno = (int)PyLong_AsLong(PyTuple_GET_ITEM(entry, 1));
        if (pyhd__buf_printf(&d->traceback, "  File \"%s\", line %d, in %s\n",
                             pyhd__dump_utf8_or(co->co_filename, "???"), lineno,
                             pyhd__dump_utf8_or(co->co_name, "???")) < 0)
            return pyhd__dump_fail_nomem(d, "writing traceback.txt");
        const struct source *src = pyhd__dump_find_source(d, co->co_filename);
        if (src != NULL && append_source_line(&d->traceback, src, lineno) < 0)
            return pyhd__dump_fail_nomem(d, "writing traceback.txt");
    }
    return 0;
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
                                    pyhd__dump_utf8_or(t->name, "?"));
        return pyhd__buf_printf(&d->traceback, "Exception in thread %llu:\n", t->ident);
    }
    return 0;
}

/* The exception's type as python's printer names it: "module.QualName",
   without the module for builtins and __main__. New reference. */
static PyObject *exception_type_name(PyObject *exc)
{
    PyTypeObject *t = Py_TYPE(exc);
    PyObject *module, *qualname;  /* borrowed */

    if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return PyUnicode_FromString(t->tp_name);  /* "ValueError", "_socket.gaierror" */
    qualname = ((PyHeapTypeObject *)t)->ht_qualname;
    /* The class's own dict, by exact key: no descriptor, no key's __eq__. */
    module = t->tp_dict != NULL ? pyhd__dict_get_cstr(t->tp_dict, "__module__") : NULL;
    if (module == NULL && PyErr_Occurred())
        return NULL;
    if (qualname == NULL || !PyUnicode_Check(qualname))
        return PyUnicode_FromString(t->tp_name);
    if (module != NULL && PyUnicode_Check(module)
        && (PyUnicode_CompareWithASCIIString(module, "__main__") == 0
            || PyUnicode_CompareWithASCIIString(module, "builtins") == 0))
        return Py_NewRef(qualname);
    if (module == NULL || !PyUnicode_Check(module))
        return PyUnicode_FromFormat("<unknown>.%U", qualname);
    return PyUnicode_FromFormat("%U.%U", module, qualname);
}

/* Append the UTF-8 of a str (lone surrogates backslash-escaped, as the
   Python printer's text is encoded below). */
static int append_text(struct dump *d, PyObject *text)
{
    PyObject *utf8 = PyUnicode_AsEncodedString(text, "utf-8", "backslashreplace");
    int rc;
    if (utf8 == NULL)
        return -1;
    rc = pyhd__buf_append(&d->traceback, PyBytes_AS_STRING(utf8), (size_t)PyBytes_GET_SIZE(utf8));
    Py_DECREF(utf8);
    if (rc < 0)
        PyErr_NoMemory();
    return rc;
}

static int append_cstr(struct dump *d, const char *s)
{
    if (pyhd__buf_append(&d->traceback, s, strlen(s)) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* What python's printer writes for a run of one line past its first three. */
#define RECURSIVE_CUTOFF 3

static int append_repeated(struct dump *d, long count)
{
    if (count <= RECURSIVE_CUTOFF)
        return 0;
    count -= RECURSIVE_CUTOFF;
    if (pyhd__buf_printf(&d->traceback, "  [Previous line repeated %ld more time%s]\n", count,
                         count > 1 ? "s" : "") < 0) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/*
 * A traceback as python's printer writes it, every entry (no limit but
 * sys.tracebacklimit's, which python's printer also takes: then the last
 * ones), a run of one line shown three times and counted after that, each
 * line's source from the dump's sources. Linear in the entries.
 */
static int append_traceback(struct dump *d, PyTracebackObject *tb)
{
    PyObject *limit_obj = PySys_GetObject("tracebacklimit");  /* borrowed */
    PyObject *last_file = NULL, *last_name = NULL;  /* borrowed */
    int last_line = -1;
    long count = 0;
    size_t depth = 0, skip = 0;

    for (PyTracebackObject *e = tb; e != NULL; e = e->tb_next)
        depth++;
    if (limit_obj != NULL && PyLong_Check(limit_obj)) {
        long limit = PyLong_AsLong(limit_obj);
        if (limit == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            limit = LONG_MAX;
        }
        if (limit <= 0)
            return 0;
        if ((size_t)limit < depth)
            skip = depth - (size_t)limit;
    }
    if (append_cstr(d, "Traceback (most recent call last):\n") < 0)
        return -1;
    for (PyTracebackObject *e = tb; e != NULL; e = e->tb_next) {
        if (skip > 0) {
            skip--;
            continue;
        }
        PyCodeObject *co = PyFrame_GetCode(e->tb_frame);  /* new reference */
        int lineno = PyCode_Addr2Line(co, e->tb_lasti);
        PyObject *file = co->co_filename, *name = co->co_name;  /* borrowed: co keeps them */
        int same = last_file != NULL && lineno == last_line
                   && PyUnicode_Compare(file, last_file) == 0
                   && PyUnicode_Compare(name, last_name) == 0;
        Py_DECREF(co);  /* the frame keeps its code, and so file and name */
        if (!same) {
            if (append_repeated(d, count) < 0)
                return -1;
            last_file = file;
            last_name = name;
            last_line = lineno;
            count = 0;
        }
        if (++count > RECURSIVE_CUTOFF)
            continue;
        if (append_cstr(d, "  File \"") < 0 || append_text(d, file) < 0)
            return -1;
        if (pyhd__buf_printf(&d->traceback, "\", line %d, in ", lineno) < 0) {
            PyErr_NoMemory();
            return -1;
        }
        if (append_text(d, name) < 0 || append_cstr(d, "\n") < 0)
            return -1;
        const struct source *src = pyhd__dump_find_source(d, file);
        if (src != NULL && append_source_line(&d->traceback, src, lineno) < 0) {
            PyErr_NoMemory();
            return -1;
        }
    }
    return append_repeated(d, count);
}

/* One exception of a chain, as python prints it: its traceback, its
   "Type: message" line and its notes. */
static int display_one(struct dump *d, PyObject *exc)
{
    PyTracebackObject *tb = pyhd__dump_exception_traceback(exc);  /* new reference */
    PyObject *name = NULL, *text = NULL;
    PyObject *dict, *notes;  /* borrowed */
    int rc = -1;

    if (tb != NULL && append_traceback(d, tb) < 0)
        goto done;
    name = exception_type_name(exc);
    if (name == NULL || append_text(d, name) < 0)
        goto done;
    /* python's printer calls str() on the exception as well. */
    text = PyObject_Str(exc);
    if (text == NULL) {
        PyErr_Clear();
        text = PyUnicode_FromString("<exception str() failed>");
        if (text == NULL)
            goto done;
    }
    if (PyUnicode_GET_LENGTH(text) > 0 && (append_cstr(d, ": ") < 0 || append_text(d, text) < 0))
        goto done;
    if (append_cstr(d, "\n") < 0)
        goto done;
    /* __notes__ when the instance's own dict holds a list: each str note on its lines. */
    dict = ((PyBaseExceptionObject *)exc)->dict;
    notes = dict != NULL ? pyhd__dict_get_cstr(dict, "__notes__") : NULL;
    if (notes == NULL && PyErr_Occurred())
        goto done;
    for (Py_ssize_t i = 0; notes != NULL && PyList_CheckExact(notes) && i < PyList_GET_SIZE(notes);
         i++) {
        PyObject *note = PyList_GET_ITEM(notes, i);  /* borrowed */
        if (PyUnicode_CheckExact(note) && (append_text(d, note) < 0 || append_cstr(d, "\n") < 0))
            goto done;
    }
    rc = 0;
done:
    Py_XDECREF(tb);
    Py_XDECREF(name);
    Py_XDECREF(text);
    return rc;
}

/* As PyErr_Display bounds a chain, in case it loops. */
#define CHAIN_MAX 100

/*
 * exc and its chain (__cause__, or __context__ unless suppressed), oldest
 * first, with python's lines between them, rendered here in C into
 * traceback.txt as python's printer lays it out, but without the caret
 * lines and the exception groups' boxes of 3.11+. Time linear in the
 * frames: a repeated line is counted, not rendered. CPython conventions.
 */
static int display_in_c(struct dump *d, PyObject *exc)
{
    PyObject *chain[CHAIN_MAX];  /* borrowed: each holds the next alive */
    int by_cause[CHAIN_MAX];     /* chain[i] is chain[i - 1]'s cause, else its context */
    int n = 0;

    for (PyObject *e = exc; e != NULL && PyExceptionInstance_Check(e) && n < CHAIN_MAX;) {
        PyBaseExceptionObject *b = (PyBaseExceptionObject *)e;
        int seen = 0;
        for (int i = 0; i < n && !seen; i++)
            seen = chain[i] == e;
        if (seen)
            break;
        chain[n++] = e;
        if (n == CHAIN_MAX)
            break;
        if (b->cause != NULL && b->cause != Py_None) {
            by_cause[n] = 1;
            e = b->cause;
        } else if (!b->suppress_context && b->context != NULL && b->context != Py_None) {
            by_cause[n] = 0;
            e = b->context;
        } else {
            e = NULL;
        }
    }
    for (int i = n - 1; i >= 0; i--) {
        if (display_one(d, chain[i]) < 0)
            return -1;
        if (i > 0
            && append_cstr(d, by_cause[i] ? "\nThe above exception was the direct cause of the "
                                            "following exception:\n\n"
                                          : "\nDuring handling of the above exception, another "
                                            "exception occurred:\n\n") < 0)
            return -1;
    }
    return 0;
}

/* The traceback entries of exc's chain, counted up to limit (then limit + 1). */
static size_t chain_frames(PyObject *exc, size_t limit)
{
    size_t count = 0;
    for (int depth = 0; exc != NULL && PyExceptionInstance_Check(exc) && depth < CHAIN_MAX;
         depth++) {
        PyBaseExceptionObject *b = (PyBaseExceptionObject *)exc;
        PyObject *tb = b->traceback;  /* borrowed */
        for (; tb != NULL && PyTraceBack_Check(tb); tb = (PyObject *)((PyTracebackObject *)tb)->tb_next)
            if (++count > limit)
                return count;
        exc = b->cause != NULL && b->cause != Py_None ? b->cause
              : !b->suppress_context ? b->context : NULL;
        if (exc == Py_None)
            exc = NULL;
    }
    return count;
}

/*
 * The exception exactly as python's default hook prints it, by the same
 * printer, into a StringIO: sys.stderr is left alone, so what other threads
 * print meanwhile goes where they meant it to. For an exception that escaped
 * a thread, after threading.excepthook's header line. A deep one on 3.13+,
 * or when the Python printer fails (as python's own then does), is rendered
 * in C (display_in_c()).
 */
/* sys.modules[name] (borrowed) or NULL, found comparing no program's key. */
static PyObject *imported(const char *name)
{
    PyObject *modules = PySys_GetObject("modules");  /* borrowed */
    PyObject *m = modules != NULL ? pyhd__dict_get_cstr(modules, name) : NULL;
    if (m == NULL)
        PyErr_Clear();
    return m != NULL && PyModule_Check(m) ? m : NULL;
}

/*
 * Whether the 3.13+ Python printer may be used for traceback.txt. It imports
 * the traceback module (3.14's imports inspect and dataclasses as well), and
 * a dump imports no module the program would not: a program's own module of
 * such a name would run. So: when traceback is imported already, or python
 * is about to print this error with its default hook (sys.excepthook, or
 * threading's for a thread), which imports it anyway. A program's own hook,
 * or a dump by signal or API, gets the C rendering.
 */
static int python_printer_allowed(const struct dump *d)
{
    PyObject *threading, *hook, *dflt;
    if (imported("traceback") != NULL)
        return 1;
    if (d->trigger == PYHD_TRIGGER_UNCAUGHT) {
        hook = PySys_GetObject("excepthook");  /* borrowed */
        return hook != NULL && hook == PySys_GetObject("__excepthook__");
    }
    if (d->trigger == PYHD_TRIGGER_THREAD && (threading = imported("threading")) != NULL) {
        hook = pyhd__dict_get_cstr(PyModule_GetDict(threading), "excepthook");
        dflt = hook != NULL ? pyhd__dict_get_cstr(PyModule_GetDict(threading), "__excepthook__")
                            : NULL;
        if (dflt == NULL)
            PyErr_Clear();
        return dflt != NULL && hook == dflt;
    }
    return 0;
}

static int append_exception(struct dump *d)
{
    PyObject *io = NULL, *sio = NULL, *text = NULL, *utf8 = NULL;
    size_t start;
    int rc = -1;

    if (d->trigger == PYHD_TRIGGER_THREAD && append_thread_exception_header(d) < 0)
        return pyhd__dump_fail_nomem(d, "writing traceback.txt");
    start = d->traceback.len;
    if (PYHD_PYTHON_PRINTER
        && (!python_printer_allowed(d)
            || chain_frames(d->exc, PYHD_PYTHON_PRINTER_FRAMES) > PYHD_PYTHON_PRINTER_FRAMES)) {
        /* 3.13+ print in Python, at about 0.2 ms a frame (a 200,000-deep
           recursion: 34 s); the dump must not take as long again, nor
           import what the program did not. */
        rc = display_in_c(d, d->exc);
        goto in_c;
    }
    io = PyImport_ImportModule("io");
    if (io == NULL)
        goto error;
    sio = PyObject_CallMethod(io, "StringIO", NULL);
    if (sio == NULL)
        goto error;
    if (pyhd_display_exception(sio, d->exc) < 0) {
        /* The Python printer may have written part of it: render it all here. */
        PyErr_Clear();
        rc = display_in_c(d, d->exc);
        goto in_c;
    }
    text = PyObject_CallMethod(sio, "getvalue", NULL);
    if (text == NULL || !PyUnicode_Check(text))
        goto error;
    utf8 = PyUnicode_AsEncodedString(text, "utf-8", "backslashreplace");
    if (utf8 == NULL)
        goto error;
    if (pyhd__buf_append(&d->traceback, PyBytes_AS_STRING(utf8),
                         (size_t)PyBytes_GET_SIZE(utf8)) < 0) {
        pyhd__dump_fail_nomem(d, "writing traceback.txt");
        goto done;
    }
    rc = 0;
    goto done;
in_c:
    if (rc == 0)
        goto done;
    d->traceback.len = start;
error:
    if (PyErr_Occurred())
        pyhd__dump_fail_py(d, "writing traceback.txt");
    else
        snprintf(d->r->error, sizeof d->r->error, "writing traceback.txt: StringIO failed");
done:
    Py_XDECREF(io);
    Py_XDECREF(sio);
    Py_XDECREF(text);
    Py_XDECREF(utf8);
    return rc;
}

/* The exception, then the current thread's stack, then every other thread's. */
int pyhd__dump_build_traceback(struct dump *d)
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
            return pyhd__dump_fail_nomem(d, "writing traceback.txt");
        if (append_thread_stack(d, k % d->nthreads) < 0)
            return -1;
        first = 0;
    }
    return 0;
}
