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

/* One thread's stack, python-style, outermost call first. */
static int append_thread_stack(struct dump *d, const struct pyhd_thread_root *t)
{
    PyObject *frames = NULL;
    PyFrameObject *f = NULL;
    int rc = -1;

    /* A thread threading does not know (started with _thread) has no name. */
    if (pyhd__buf_printf(&d->traceback, "Thread 0x%016llx%s%s%s%s (most recent call last):\n",
                         t->ident, t->name ? " \"" : "", t->name ? pyhd__dump_utf8_or(t->name, "?") : "",
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
                                   pyhd__dump_utf8_or(co->co_filename, "???"), lineno,
                                   pyhd__dump_utf8_or(co->co_name, "???")) < 0;
        const struct source *src = bad ? NULL : pyhd__dump_find_source(d, co->co_filename);
        Py_DECREF(co);
        if (bad || (src != NULL && append_source_line(&d->traceback, src, lineno) < 0))
            goto nomem;
    }
    rc = 0;
    goto done;
nomem:
    pyhd__dump_fail_nomem(d, "writing traceback.txt");
    goto done;
error:
    pyhd__dump_fail_py(d, "writing traceback.txt");
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
                                    pyhd__dump_utf8_or(t->name, "?"));
        return pyhd__buf_printf(&d->traceback, "Exception in thread %llu:\n", t->ident);
    }
    return 0;
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
    if (sio == NULL || pyhd_display_exception(sio, d->exc) < 0)
        goto error;
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
        if (append_thread_stack(d, t) < 0)
            return -1;
        first = 0;
    }
    return 0;
}
