/* dump_util.c: the helpers every stage of a dump shares: errors, UTF-8, keeping roots alive, async-signal-safe writes. */
#include "dump_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double pyhd__dump_elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1000.0 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * Fill r->error with "DOING: TYPE" (and the message, when the exception's
 * first argument or its pending value is a plain str) for the pending Python
 * exception, and clear it. The exception is read as it is held, never
 * normalized: making the instance of a pending type (3.10, 3.11 keep type
 * and value apart until asked) would run a program class's __new__ and
 * __init__. Reads internals only, so no user code runs here.
 */
int pyhd__dump_fail_py(struct dump *d, const char *doing)
{
    PyObject *type = NULL, *value = NULL, *tb = NULL;
    PyObject *text = NULL;  /* borrowed from value */
    const char *msg = NULL;

    PyErr_Fetch(&type, &value, &tb);
    if (value != NULL && PyExceptionInstance_Check(value)) {
        PyObject *args = ((PyBaseExceptionObject *)value)->args;  /* borrowed */
        if (args != NULL && PyTuple_Check(args) && PyTuple_GET_SIZE(args) >= 1)
            text = PyTuple_GET_ITEM(args, 0);
    } else if (value != NULL) {
        text = value;  /* not yet made an instance: the argument it will get */
    }
    if (text != NULL && PyUnicode_CheckExact(text)) {
        msg = PyUnicode_AsUTF8(text);
        if (msg == NULL)
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

/* Async-signal-safe: write() and strlen() only, no lock, no allocation. The
   callers include fatal-signal handlers and a --dump-fork child's alarm. */
void pyhd__write_fd(int fd, const char *s)
{
    size_t left = strlen(s);

    while (left > 0) {
        ssize_t n = write(fd, s, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        s += n;
        left -= (size_t)n;
    }
}

void pyhd__write_fd2(const char *s)
{
    pyhd__write_fd(2, s);
}
