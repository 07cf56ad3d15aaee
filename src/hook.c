/* hook.c: the dumps taken inside python: uncaught and thread exceptions, on demand; their "pyhd:" lines. */
#include "dict_exact.h"
#include "hook.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dump.h"
#include "repl.h"

/*
 * CPython raises "sys.excepthook" from C for every uncaught exception that it
 * is about to print (PyErr_Print), whatever sys.excepthook is, after fetching
 * the exception: the program's state is intact and no exception is pending.
 * Audit hooks run with the GIL held, so these statics need no lock.
 */
static atomic_int dump_taken;   /* at most one uncaught-exception dump per process */
static char pending_line[4096 + 1024]; /* "pyhd: ..." waiting to be printed, or "" */
static int atexit_registered;
static const struct pyhd_options *active;  /* NULL until pyhd__hook_install() */

/* The rate limit of thread-failure and DumpHandler dumps: a window of 60 s
   opens with the first dump; at most PYHD_RATE_LIMIT_DUMPS are taken in it. */
static struct timespec window_start;
static pthread_mutex_t window_lock = PTHREAD_MUTEX_INITIALIZER;  /* free-threaded builds */
static int window_dumps;
static int window_refused;      /* the refusal was printed for this window */

/* _thread._ExceptHookArgs (new reference, kept for the life of the process),
   which thread_failed() stands in for; NULL until that is installed. */
static PyObject *original_hook_args;
/* _thread._excepthook, threading.excepthook's default (new reference, kept). */
static PyObject *default_thread_hook;
/* sys.stderr was None when the uncaught exception came: python printed
   nothing, so pending_line is not printed either. */
static int pending_silenced;

/*
 * Print line through sys.stderr so that it lands where the traceback went
 * (the program may have replaced sys.stderr). GIL held, no exception pending.
 * sys.stderr = None silences python's tracebacks, and so the line too.
 * Returns -1 with an exception set if sys.stderr is missing or failed.
 */
static int write_sys_stderr(const char *line)
{
    PyObject *stream = PySys_GetObject("stderr");  /* borrowed */
    PyObject *result = NULL;

    if (stream == Py_None)
        return 0;
    if (stream == NULL) {
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
            pyhd__write_fd2(pending_line);
        }
        PyErr_Restore(exc_type, exc_value, exc_tb);
    } else if (!pending_silenced) {
        pyhd__write_fd2(pending_line);
    }
    pending_line[0] = '\0';
}

void pyhd__hook_print_line(const char *line)
{
    PyObject *exc_type = NULL, *exc_value = NULL, *exc_tb = NULL;

    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    if (write_sys_stderr(line) < 0) {
        PyErr_Clear();
        pyhd__write_fd2(line);
    }
    PyErr_Restore(exc_type, exc_value, exc_tb);
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
    /* args is (hook, type, value, traceback). */
    if (PyTuple_Check(args) && PyTuple_GET_SIZE(args) >= 4)
        pyhd__hook_uncaught(o, PyTuple_GET_ITEM(args, 2));
}

void pyhd__hook_uncaught(const struct pyhd_options *o, PyObject *value)
{
    PyObject *exc_type = NULL, *exc_value = NULL, *exc_tb = NULL;
    struct pyhd_dump_request q;
    struct pyhd_dump_result r;
    enum pyhd_dump_outcome outcome;

    /* SystemExit is handled before this event; the check keeps that a promise. */
    if (PyExceptionInstance_Check(value) &&
        PyErr_GivenExceptionMatches(value, PyExc_SystemExit))
        return;
    if (!o->dump_on_interrupt && PyExceptionInstance_Check(value) &&
        PyErr_GivenExceptionMatches(value, PyExc_KeyboardInterrupt))
        return;
    if (atomic_exchange(&dump_taken, 1))
        return;

    /* sys.audit() may be called with an exception pending; keep it. */
    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    memset(&q, 0, sizeof q);
    q.trigger = PYHD_TRIGGER_UNCAUGHT;
    q.exc = value == Py_None ? NULL : value;
    outcome = pyhd__dump_take(o, &q, &r);
    if (outcome != PYHD_DUMP_NESTED && (outcome != PYHD_DUMP_WRITTEN || !o->quiet)) {
        pyhd__dump_format_line(&r, outcome == PYHD_DUMP_WRITTEN, pending_line,
                               sizeof(pending_line));
        pending_silenced = PySys_GetObject("stderr") == Py_None;
        register_flush();
    }
    PyErr_Restore(exc_type, exc_value, exc_tb);
}

/* Every audit event comes here: compare the name and return for all but one. */
static int audit_hook(const char *event, PyObject *args, void *user_data)
{
    if (strcmp(event, "sys.excepthook") == 0)
        on_excepthook(user_data, args);
    else if (strcmp(event, "cpython.run_stdin") == 0)
        pyhd__repl_install();
    /* Never -1: that would stop python from printing the traceback. */
    return 0;
}

int pyhd__hook_install(const struct pyhd_options *o)
{
    /* The hook only reads *o; the cast is for the void * of the C API. */
    if (PySys_AddAuditHook(audit_hook, (void *)o) < 0)
        return -1;
    active = o;
    pyhd__dump_note_main_thread();
    return 0;
}

const struct pyhd_options *pyhd__hook_options(void)
{
    return active;
}

int pyhd__hook_rate_allows(void)
{
    struct timespec now;
    char line[256];
    int allowed = 0, refuse_now = 0;
    long wait_s = 0;

    clock_gettime(CLOCK_MONOTONIC, &now);
    /* Threads of a free-threaded build come here at once. */
    pthread_mutex_lock(&window_lock);
    if (window_dumps == 0 || now.tv_sec - window_start.tv_sec >= 60) {
        window_start = now;
        window_dumps = 0;
        window_refused = 0;
    }
    if (window_dumps < PYHD_RATE_LIMIT_DUMPS) {
        window_dumps++;
        allowed = 1;
    } else if (!window_refused) {
        window_refused = 1;
        refuse_now = 1;
        wait_s = (long)(60 - (now.tv_sec - window_start.tv_sec));
    }
    pthread_mutex_unlock(&window_lock);
    /* Printed outside the lock: sys.stderr.write() may block or switch threads. */
    if (refuse_now) {
        snprintf(line, sizeof line,
                 "pyhd: no dump: rate limit of %d dumps a minute for thread failures and "
                 "log records reached; the next in %ld s\n",
                 PYHD_RATE_LIMIT_DUMPS, wait_s);
        pyhd__hook_print_line(line);
    }
    return allowed;
}

/*
 * Thread failures. threading's invoke_excepthook (one per Thread, made by
 * threading._make_invoke_excepthook) looks up the module globals `excepthook`
 * and `ExceptHookArgs` when a thread fails, then calls
 * excepthook(ExceptHookArgs([exc_type, exc_value, exc_tb, thread])).
 * Wrapping excepthook would be undone by any program that assigns
 * threading.excepthook, and would stand between the program and its hook.
 * ExceptHookArgs is never assigned by programs: threading binds it once,
 * from _thread._ExceptHookArgs, when it is imported. So pyhd replaces
 * _thread._ExceptHookArgs (and threading.ExceptHookArgs when threading is
 * already imported) with a C function that takes the dump and then builds the
 * real ExceptHookArgs for whatever hook the program has. It costs nothing
 * until a thread fails, calls no program code, and leaves the output to the
 * program's hook. It dumps only when called from invoke_excepthook itself,
 * so a program that builds an ExceptHookArgs of its own gets no dump.
 * The difference a program can see: threading.ExceptHookArgs is a function.
 */
static int called_from_threading(void)
{
    PyFrameObject *frame = PyEval_GetFrame();  /* borrowed */
    PyCodeObject *code = NULL;
    PyObject *globals = NULL, *name;  /* name: borrowed */
    int match = 0;

    if (frame == NULL)
        return 0;
    code = PyFrame_GetCode(frame);
    globals = pyhd_frame_globals(frame);
    if (globals == NULL) {
        PyErr_Clear();
        goto done;
    }
    name = pyhd__dict_get_cstr(globals, "__name__");
    PyErr_Clear();  /* unreadable: not threading's frame */
    match = PyUnicode_Check(code->co_name)
            && PyUnicode_CompareWithASCIIString(code->co_name, "invoke_excepthook") == 0
            && name != NULL && PyUnicode_Check(name)
            && PyUnicode_CompareWithASCIIString(name, "threading") == 0;
done:
    Py_XDECREF(globals);
    Py_XDECREF(code);
    return match;
}

/* Dump a failed thread and print the line. GIL held; never raises. */
static void dump_thread(PyObject *value)
{
    struct pyhd_dump_request q;
    struct pyhd_dump_result r;
    char line[sizeof r.path + 1024];
    enum pyhd_dump_outcome outcome;

    memset(&q, 0, sizeof q);
    q.trigger = PYHD_TRIGGER_THREAD;
    q.exc = value;
    outcome = pyhd__dump_take(active, &q, &r);
    if (outcome != PYHD_DUMP_NESTED && (outcome != PYHD_DUMP_WRITTEN || !active->quiet)) {
        pyhd__dump_format_line(&r, outcome == PYHD_DUMP_WRITTEN, line, sizeof line);
        pyhd__hook_print_line(line);
    }
}

/* threading.excepthook, read from threading's dict (borrowed), or NULL. */
static PyObject *threading_excepthook(void)
{
    PyObject *threading = pyhd__dict_get_cstr(PyImport_GetModuleDict(), "threading");
    PyObject *hook = threading != NULL && PyModule_Check(threading)
                         ? pyhd__dict_get_cstr(PyModule_GetDict(threading), "excepthook") : NULL;
    PyErr_Clear();  /* unreadable: not known */
    return hook;
}

/*
 * The stand-in for _thread._ExceptHookArgs(args); args is
 * [exc_type, exc_value, exc_tb, thread]. invoke_excepthook calls the hook
 * with what this returns, right after. With threading's own hook in place
 * (nearly always), the traceback is printed here, by that same hook, so that
 * the dump and its line come after it as after an uncaught exception; the
 * hook then gets the arguments of a SystemExit, which it ignores in silence.
 * A program's own hook is left to print last: pyhd cannot know when it is done.
 */
static PyObject *thread_failed(PyObject *unused, PyObject *args)
{
    PyObject *hook_args = NULL, *silent = NULL, *printed = NULL;
    PyObject *value;  /* borrowed */

    hook_args = PyObject_CallOneArg(original_hook_args, args);
    if (hook_args == NULL || active == NULL || !active->enabled || !PyList_CheckExact(args)
        || PyList_GET_SIZE(args) != 4 || !called_from_threading())
        return hook_args;
    value = PyList_GET_ITEM(args, 1);
    /* SystemExit ends a thread silently: threading prints nothing for it. */
    if (!PyExceptionInstance_Check(value)
        || PyErr_GivenExceptionMatches(value, PyExc_SystemExit)
        || !pyhd__hook_rate_allows())
        return hook_args;
    if (default_thread_hook != NULL && threading_excepthook() == default_thread_hook) {
        printed = PyObject_CallOneArg(default_thread_hook, hook_args);
        /* The hook failed: threading reports that as it would have. */
        if (printed == NULL)
            goto error;
        Py_DECREF(printed);
        silent = Py_BuildValue("[OOOO]", PyExc_SystemExit, Py_None, Py_None,
                               PyList_GET_ITEM(args, 3));
        if (silent == NULL)
            goto error;
        Py_SETREF(hook_args, PyObject_CallOneArg(original_hook_args, silent));
        Py_DECREF(silent);
        if (hook_args == NULL)
            return NULL;
    }
    dump_thread(value);
    return hook_args;
error:
    Py_DECREF(hook_args);
    return NULL;
}

static PyMethodDef thread_failed_def = {
    "ExceptHookArgs", thread_failed, METH_O,
    "threading.ExceptHookArgs under pyhd: dump the failed thread, then build the "
    "arguments of threading.excepthook.",
};

int pyhd__hook_install_threads(void)
{
    PyObject *thread_module = NULL, *func = NULL, *module_name = NULL;
    PyObject *threading, *bound;  /* borrowed */
    int rc = -1;

    thread_module = PyImport_ImportModule("_thread");
    if (thread_module == NULL)
        goto done;
    if (original_hook_args == NULL) {
        original_hook_args = PyObject_GetAttrString(thread_module, "_ExceptHookArgs");
        if (original_hook_args == NULL)
            goto done;
    }
    if (default_thread_hook == NULL) {
        default_thread_hook = PyObject_GetAttrString(thread_module, "_excepthook");
        if (default_thread_hook == NULL)
            goto done;
    }
    /* Named for the module it stands in, as the type it replaces is
       (threading.__all__ is checked against the names whose __module__ is
       threading's or _thread's). */
    module_name = PyUnicode_FromString("_thread");
    if (module_name == NULL)
        goto done;
    func = PyCFunction_NewEx(&thread_failed_def, NULL, module_name);
    if (func == NULL || PyObject_SetAttrString(thread_module, "_ExceptHookArgs", func) < 0)
        goto done;
    /* Read threading's dict directly: no module __getattr__ can run. */
    threading = pyhd__dict_get_cstr(PyImport_GetModuleDict(), "threading");
    if (threading == NULL && PyErr_Occurred())
        goto done;
    if (threading != NULL && PyModule_Check(threading)) {
        bound = pyhd__dict_get_cstr(PyModule_GetDict(threading), "ExceptHookArgs");
        if (bound == NULL && PyErr_Occurred())
            goto done;
        if (bound == original_hook_args
            && PyDict_SetItemString(PyModule_GetDict(threading), "ExceptHookArgs", func) < 0)
            goto done;
    }
    rc = 0;
done:
    Py_XDECREF(func);
    Py_XDECREF(module_name);
    Py_XDECREF(thread_module);
    return rc;
}
