/* hook.c: dump on the "sys.excepthook" audit event; print the "pyhd:" line after the traceback. */
#include "hook.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "dump.h"

/*
 * CPython raises "sys.excepthook" from C for every uncaught exception that it
 * is about to print (PyErr_Print), whatever sys.excepthook is, after fetching
 * the exception: the program's state is intact and no exception is pending.
 * Audit hooks run with the GIL held, so these statics need no lock.
 */
static int dump_taken;          /* at most one uncaught-exception dump per process */
static char pending_line[4096 + 1024]; /* "pyhd: ..." waiting to be printed, or "" */
static int atexit_registered;

/* Write the whole of s to fd 2, retrying short writes and EINTR. */
static void write_fd2(const char *s)
{
    size_t left = strlen(s);

    while (left > 0) {
        ssize_t n = write(2, s, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        s += n;
        left -= (size_t)n;
    }
}

/*
 * Print line through sys.stderr so that it lands where the traceback went
 * (the program may have replaced sys.stderr). GIL held, no exception pending.
 * Returns -1 with an exception set if sys.stderr is missing or failed.
 */
static int write_sys_stderr(const char *line)
{
    PyObject *stream = PySys_GetObject("stderr");  /* borrowed */
    PyObject *result = NULL;

    if (stream == NULL || stream == Py_None) {
        PyErr_SetString(PyExc_RuntimeError, "sys.stderr is not set");
        return -1;
    }
    Py_INCREF(stream);
    result = PyObject_CallMethod(stream, "write", "s", line);
    if (result == NULL)
        goto error;
    Py_DECREF(result);
    result = PyObject_CallMethod(stream, "flush", NULL);
    if (result == NULL)
        goto error;
    Py_DECREF(result);
    Py_DECREF(stream);
    return 0;
error:
    Py_DECREF(stream);
    return -1;
}

void pyhd__hook_flush_message(void)
{
    if (pending_line[0] == '\0')
        return;
    /* Once the interpreter is finalized (after Py_RunMain(), in Py_AtExit
       functions) only the file descriptor is left. */
    if (Py_IsInitialized()) {
        PyObject *exc_type = NULL, *exc_value = NULL, *exc_tb = NULL;

        PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
        if (write_sys_stderr(pending_line) < 0) {
            PyErr_Clear();
            write_fd2(pending_line);
        }
        PyErr_Restore(exc_type, exc_value, exc_tb);
    } else {
        write_fd2(pending_line);
    }
    pending_line[0] = '\0';
}

/* The atexit handler: runs right after python has printed the traceback,
   before the program's own atexit handlers (atexit runs them last in, first out). */
static PyObject *flush_at_exit(PyObject *module, PyObject *unused)
{
    pyhd__hook_flush_message();
    Py_RETURN_NONE;
}

static PyMethodDef flush_at_exit_def = {
    "pyhd_flush_message", flush_at_exit, METH_NOARGS,
    "Print pyhd-run's pending \"pyhd:\" line.",
};

/* Register flush_at_exit with the atexit module, once. GIL held; never leaves
   an exception set: if this fails, main() prints the line after Py_RunMain(). */
static void register_flush(void)
{
    PyObject *atexit_module = NULL, *func = NULL, *result = NULL;

    if (atexit_registered)
        return;
    atexit_module = PyImport_ImportModule("atexit");
    if (atexit_module == NULL)
        goto done;
    func = PyCFunction_New(&flush_at_exit_def, NULL);
    if (func == NULL)
        goto done;
    result = PyObject_CallMethod(atexit_module, "register", "O", func);
    if (result != NULL)
        atexit_registered = 1;
done:
    PyErr_Clear();
    Py_XDECREF(result);
    Py_XDECREF(func);
    Py_XDECREF(atexit_module);
}

/* An uncaught exception: take the dump now, print its line later. */
static void on_excepthook(const struct pyhd_options *o, PyObject *args)
{
    PyObject *exc_type = NULL, *exc_value = NULL, *exc_tb = NULL;
    PyObject *value;  /* borrowed */
    struct pyhd_dump_result r;
    int ok;

    /* args is (hook, type, value, traceback). */
    if (!PyTuple_Check(args) || PyTuple_GET_SIZE(args) < 4)
        return;
    value = PyTuple_GET_ITEM(args, 2);
    /* SystemExit is handled before this event; the check keeps that a promise. */
    if (PyExceptionInstance_Check(value) &&
        PyErr_GivenExceptionMatches(value, PyExc_SystemExit))
        return;
    if (dump_taken)
        return;
    dump_taken = 1;

    /* sys.audit() may be called with an exception pending; keep it. */
    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    memset(&r, 0, sizeof(r));
    ok = pyhd__dump_write(o, PYHD_TRIGGER_UNCAUGHT, value == Py_None ? NULL : value, &r) == 0;
    if (!ok || !o->quiet) {
        pyhd__dump_format_line(&r, ok, pending_line, sizeof(pending_line));
        register_flush();
    }
    PyErr_Restore(exc_type, exc_value, exc_tb);
}

/* Every audit event comes here: compare the name and return for all but one. */
static int audit_hook(const char *event, PyObject *args, void *user_data)
{
    if (strcmp(event, "sys.excepthook") == 0)
        on_excepthook(user_data, args);
    /* Never -1: that would stop python from printing the traceback. */
    return 0;
}

int pyhd__hook_install(const struct pyhd_options *o)
{
    /* The hook only reads *o; the cast is for the void * of the C API. */
    return PySys_AddAuditHook(audit_hook, (void *)o) == 0 ? 0 : -1;
}
