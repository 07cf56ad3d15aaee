/* dump_roots.c: the roots of a dump: every thread's stack, and argv, path, modules, environ. */
#include "dict_exact.h"
#include "dump_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "instance_dict.h"
#include "pyhd/format.h"
#include "world.h"

extern char **environ;

/* ------------------------------------------------------------------------ */
/* Threads */

/* The value of key in the instance __dict__ of obj, or NULL; never calls a
   property or a method, and never makes obj a __dict__ (instance_dict.h). */
static PyObject *instance_attr(PyObject *obj, const char *key)  /* borrowed */
{
    PyObject *dict = pyhd__instance_dict(obj);  /* new reference: obj's own, or a copy */
    PyObject *v = NULL;
    if (dict == NULL)
        PyErr_Clear();
    else if (PyDict_CheckExact(dict))
        v = pyhd__dict_get_cstr(dict, key);  /* borrowed: obj holds it as well */
    /* Absent and unreadable (no memory for the key) both mean "not known". */
    if (v == NULL)
        PyErr_Clear();
    Py_XDECREF(dict);
    return v;
}

/* threading's module dict, if the program imported threading. */
static PyObject *threading_dict(void)  /* borrowed */
{
    PyObject *modules = PySys_GetObject("modules");
    if (modules == NULL || !PyDict_Check(modules))
        return NULL;
    PyObject *mod = pyhd__dict_get_cstr(modules, "threading");
    if (mod == NULL)
        PyErr_Clear();
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
    thread = pyhd__dict_get_exact(active, key);
    if (thread == NULL) {
        rc = PyErr_Occurred() ? -1 : 0;
        goto done;
    }
    v = instance_attr(thread, "_name");
    if (v != NULL && PyUnicode_Check(v)) {
        if (pyhd__dump_keep(d, v) < 0)
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

/* The thread pyhd__dump_note_main_thread() ran in, 0: not known. */
static unsigned long noted_main_ident;

void pyhd__dump_note_main_thread(void)
{
    noted_main_ident = PyThread_get_thread_ident();
}

/* The main thread's ident: threading._main_thread's, else the thread that
   installed pyhd (pyhd-run's main thread). */
static unsigned long main_thread_ident(PyObject *tdict)
{
    PyObject *main = tdict ? pyhd__dict_get_cstr(tdict, "_main_thread") : NULL;
    PyObject *ident = main ? instance_attr(main, "_ident") : NULL;
    PyErr_Clear();  /* an unreadable _main_thread is one not known */
    if (ident != NULL && PyLong_CheckExact(ident)) {
        unsigned long v = PyLong_AsUnsignedLong(ident);
        if (!PyErr_Occurred())
            return v;
        PyErr_Clear();
    }
    return noted_main_ident;
}

/* The list of pyhd__dump_prefetch_threads(), for the next dump; NULL: none. */
static PyObject *prefetched;

int pyhd__dump_prefetch_threads(void)
{
    Py_XSETREF(prefetched, pyhd_current_frames());
    return prefetched != NULL ? 0 : -1;
}

void pyhd__dump_forget_threads(void)
{
    Py_CLEAR(prefetched);
}

/* Fill t for the thread ident, whose innermost frame is frame (borrowed, kept
   alive by d->keep; NULL: none). */
static int add_thread(struct dump *d, unsigned long ident, PyObject *frame, int current,
                      int failed, unsigned long main_ident, PyObject *active)
{
    struct pyhd_thread_root *t = &d->threads[d->nthreads];

    if (current) {
        t->flags |= PYHD_THREAD_CURRENT;
        /* For an exception dump the current thread's stack is in the
           exception's traceback. */
        if (failed) {
            t->flags |= PYHD_THREAD_FAILED;
            frame = NULL;
        }
    }
    t->frame = frame;
    /* The dumping thread's contextvars.Context, read from its state (asking for
       it through the C API would make one for a thread that has none). Only
       its own: another thread's state may be freed while it is read. */
    if (current) {
        PyThreadState *ts = PyThreadState_Get();
        if (ts->context != NULL && PyContext_CheckExact(ts->context)) {
            if (pyhd__dump_keep(d, ts->context) < 0)
                return pyhd__dump_fail_py(d, "reading the thread's context");
            t->context = ts->context;
        }
    }
    t->ident = ident;
    if (ident == main_ident)
        t->flags |= PYHD_THREAD_MAIN;
    if (active != NULL && PyDict_Check(active) && thread_details(d, active, t) < 0)
        return pyhd__dump_fail_py(d, "reading threading._active");
    d->nthreads++;
    return 0;
}

/*
 * Every thread that runs Python code, and the current one. The list is taken
 * as sys._current_frames() takes it, under the runtime's lock
 * (pyhd_current_frames()): a thread that ends meanwhile cannot free its state
 * under the walk. Frames are kept in dict order (the runtime's, newest thread
 * first); the current thread is added last if it has no Python frame.
 */
int pyhd__dump_gather_threads(struct dump *d)
{
    unsigned long current = PyThread_get_thread_ident();
    PyObject *frames = NULL;
    PyObject *tdict = threading_dict();  /* borrowed */
    PyObject *active = tdict ? pyhd__dict_get_cstr(tdict, "_active") : NULL;
    PyObject *key, *frame;  /* borrowed */
    unsigned long main_ident = main_thread_ident(tdict);
    int failed = d->exc != NULL
                 && (d->trigger == PYHD_TRIGGER_UNCAUGHT || d->trigger == PYHD_TRIGGER_THREAD);
    int seen_current = 0;
    Py_ssize_t pos = 0;

    if (active == NULL && PyErr_Occurred())
        return pyhd__dump_fail_py(d, "reading threading._active");
    /* A --dump-fork child has the list its parent took before the fork: a
       thread that held the runtime's lock at the fork is gone and would
       hold it for ever here. */
    frames = prefetched != NULL ? prefetched : pyhd_current_frames();
    prefetched = NULL;
    if (frames == NULL || !PyDict_Check(frames) || pyhd__dump_keep(d, frames) < 0) {
        if (frames != NULL && !PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "the current frames are not a dict");
        Py_XDECREF(frames);
        return pyhd__dump_fail_py(d, "listing the threads");
    }
    /* d->keep holds it from here. */
    Py_DECREF(frames);
    d->threads = calloc((size_t)PyDict_GET_SIZE(frames) + 1, sizeof *d->threads);
    if (d->threads == NULL)
        return pyhd__dump_fail_nomem(d, "listing the threads");
    while (PyDict_Next(frames, &pos, &key, &frame)) {
        unsigned long ident = PyLong_AsUnsignedLong(key);
        if (ident == (unsigned long)-1 && PyErr_Occurred())
            return pyhd__dump_fail_py(d, "listing the threads");
        if (!PyFrame_Check(frame))
            continue;
        seen_current |= ident == current;
        if (add_thread(d, ident, frame, ident == current, failed, main_ident, active) < 0)
            return -1;
    }
    if (!seen_current && add_thread(d, current, NULL, 1, failed, main_ident, active) < 0)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Named roots */

static int add_named(struct dump *d, const char *key, PyObject *value)
{
    if (value == NULL || d->nnamed >= PYHD_MAX_NAMED)
        return 0;
    if (pyhd__dump_keep(d, value) < 0)
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
            PyObject *f = pyhd__dict_get_cstr(PyModule_GetDict(value), "__file__");
            if (f == NULL && PyErr_Occurred()) {
                Py_DECREF(out);
                return NULL;
            }
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

/* Add the items of an exact set to out, each weak reference as its live referent. */
static int add_set_items(PyObject *out, PyObject *set, int weak)
{
    PyObject *it = PySet_Type.tp_iter(set), *item;
    int rc = 0;
    if (it == NULL)
        return -1;
    while (rc == 0 && (item = Py_TYPE(it)->tp_iternext(it)) != NULL) {
        PyObject *o = NULL;
        if (!weak)
            o = Py_NewRef(item);
        else if (PyWeakref_CheckRef(item)) {
#if PY_VERSION_HEX >= 0x030D0000
            if (PyWeakref_GetRef(item, &o) < 0)
                rc = -1;
#else
            o = PyWeakref_GET_OBJECT(item);
            o = o == Py_None ? NULL : Py_NewRef(o);
#endif
        }
        if (o != NULL && PyList_Append(out, o) < 0)
            rc = -1;
        Py_XDECREF(o);
        Py_DECREF(item);
    }
    Py_DECREF(it);
    return rc < 0 || PyErr_Occurred() ? -1 : 0;
}

/*
 * The asyncio tasks its loops know: asyncio.tasks._scheduled_tasks
 * (_all_tasks before 3.12; a WeakSet, read through its "data" set of weak
 * references, so no WeakSet code runs), from 3.12 _eager_tasks (a set), and
 * from 3.14 the pending C tasks, which are in neither (src/compat_tasks.c).
 * NULL without an exception when there are none; with one if a lookup failed.
 */
static PyObject *build_tasks(const struct dump *d)  /* new reference */
{
    PyObject *modules = PySys_GetObject("modules");  /* borrowed */
    PyObject *mod = modules && PyDict_Check(modules)
                        ? pyhd__dict_get_cstr(modules, "asyncio.tasks") : NULL;
    PyObject *md = mod != NULL && PyModule_Check(mod) ? PyModule_GetDict(mod) : NULL;  /* borrowed */
    PyObject *scheduled = NULL, *eager = NULL;  /* borrowed */
    PyObject *out = NULL;
    int alone, stopped, rc;

    if (PyErr_Occurred())
        return NULL;  /* the lookup failed */
    if (md != NULL) {
        scheduled = pyhd__dict_get_cstr(md, "_scheduled_tasks");  /* 3.12 up */
        if (scheduled == NULL)
            scheduled = pyhd__dict_get_cstr(md, "_all_tasks");  /* 3.10, 3.11 */
        eager = pyhd__dict_get_cstr(md, "_eager_tasks");
        if (PyErr_Occurred())
            return NULL;
    }
    out = PyList_New(0);
    if (out == NULL)
        return NULL;
    if (scheduled != NULL) {
        /* The WeakSet's attributes read in place: asking for its __dict__
           would give it one (3.11+ keep them inline) for the program's life. */
        PyObject *sd = pyhd__instance_dict(scheduled);
        PyObject *data = sd && PyDict_Check(sd) ? pyhd__dict_get_cstr(sd, "data") : NULL;
        rc = data != NULL && PyAnySet_CheckExact(data) ? add_set_items(out, data, 1) : 0;
        Py_XDECREF(sd);
        PyErr_Clear();
        if (rc < 0)
            goto error;
    }
    if (eager != NULL && PyAnySet_CheckExact(eager) && add_set_items(out, eager, 0) < 0)
        goto error;
    /* Other threads change their own lists with no lock, so a free-threaded
       build reads them paused, as all_tasks does: they are unless --repr-all
       left them running. A --dump-fork child has no other threads. */
    alone = d->pid != (long)getpid();
    stopped = !d->world_stopped && !alone ? pyhd__world_stop() : 0;
    rc = pyhd_asyncio_pending_tasks(out, alone);
    pyhd__world_start(stopped);
    if (rc < 0)
        goto error;
    if (PyList_GET_SIZE(out) == 0)
        Py_CLEAR(out);
    return out;
error:
    Py_DECREF(out);
    return NULL;
}

int pyhd__dump_gather_named(struct dump *d)
{
    PyObject *built = NULL;
    static const char *const sys_roots[][2] = {
        {"argv", "argv"}, {"orig_argv", "orig_argv"}, {"path", "path"},
        {"executable", "executable"}, {"version", "version"},
    };

    for (size_t i = 0; i < sizeof sys_roots / sizeof sys_roots[0]; i++) {
        if (add_named(d, sys_roots[i][0], PySys_GetObject(sys_roots[i][1])) < 0)
            return pyhd__dump_fail_py(d, "gathering the roots");
    }
    built = build_version_info();
    if (built == NULL && PyErr_Occurred())
        return pyhd__dump_fail_py(d, "gathering the roots");
    if (add_named(d, "version_info", built) < 0)
        goto error;
    Py_CLEAR(built);
    built = build_modules();
    if (built == NULL || add_named(d, "modules", built) < 0)
        goto error;
    Py_CLEAR(built);
    /* The tasks are a convenience: a failure to list them leaves them out. */
    built = build_tasks(d);
    if (built == NULL)
        PyErr_Clear();
    if (add_named(d, "tasks", built) < 0)
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
    return pyhd__dump_fail_py(d, "gathering the roots");
}
