/* dump_traceback.c: traceback.txt: the exception as python prints it, then every other thread's stack. */
#include "dump_internal.h"

#include <stdio.h>
#include <string.h>

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

/*
 * What python's own printer writes when the traceback module fails to import
 * or to run: the C rendering of the stack, then the exception's line. 3.14's
 * traceback imports dataclasses and inspect, so a program's own inspect.py
 * beside it that fails to import breaks the Python printer; python then falls
 * back to C, and so does the dump, rather than write none.
 */
static int display_fallback(PyObject *file, PyObject *exc)
{
    PyObject *tb = PyException_GetTraceback(exc), *text = NULL, *line = NULL;
    int rc = -1;

    if (tb != NULL && PyTraceBack_Print(tb, file) < 0)
        goto done;
    text = PyObject_Str(exc);
    if (text == NULL) {
        PyErr_Clear();
        text = PyUnicode_FromString("<exception str() failed>");
        if (text == NULL)
            goto done;
    }
    line = PyUnicode_GET_LENGTH(text) > 0
               ? PyUnicode_FromFormat("%s: %U\n", Py_TYPE(exc)->tp_name, text)
               : PyUnicode_FromFormat("%s\n", Py_TYPE(exc)->tp_name);
    if (line == NULL || PyFile_WriteObject(line, file, Py_PRINT_RAW) < 0)
        goto done;
    rc = 0;
done:
    Py_XDECREF(tb);
    Py_XDECREF(text);
    Py_XDECREF(line);
    return rc;
}

/*
 * The exception exactly as python's default hook prints it, by the same
 * printer, into a StringIO: sys.stderr is left alone, so what other threads
 * print meanwhile goes where they meant it to. For an exception that escaped
 * a thread, after threading.excepthook's header line.
 */
static int append_exception(struct dump *d)
{
    PyObject *io = NULL, *sio = NULL, *text = NULL, *utf8 = NULL;
    int rc = -1;

    if (d->trigger == PYHD_TRIGGER_THREAD && append_thread_exception_header(d) < 0)
        return pyhd__dump_fail_nomem(d, "writing traceback.txt");
    io = PyImport_ImportModule("io");
    if (io == NULL)
        goto error;
    sio = PyObject_CallMethod(io, "StringIO", NULL);
    if (sio == NULL)
        goto error;
    if (pyhd_display_exception(sio, d->exc) < 0) {
        /* Start again: the Python printer may have written part of it. */
        PyErr_Clear();
        Py_SETREF(sio, PyObject_CallMethod(io, "StringIO", NULL));
        if (sio == NULL || display_fallback(sio, d->exc) < 0)
            goto error;
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
