/* compat.h: the differences between the CPython versions pyhd supports (3.10 to 3.14, 3.14t). */
#ifndef PYHD_COMPAT_H
#define PYHD_COMPAT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

#if PY_VERSION_HEX < 0x030A0000
#error "pyhd needs CPython 3.10 or later"
#endif

/* PyFrame_GetLasti(), PyFrame_GetLocals() and PyFrame_GetGlobals() are 3.11+. */
#if PY_VERSION_HEX < 0x030B0000
static inline int pyhd_frame_lasti(PyFrameObject *f) { return f->f_lasti * 2; }
static inline PyObject *pyhd_frame_locals(PyFrameObject *f)  /* new reference */
{
    if (PyFrame_FastToLocalsWithError(f) < 0)
        return NULL;
    Py_XINCREF(f->f_locals);
    return f->f_locals;
}
static inline PyObject *pyhd_frame_globals(PyFrameObject *f)  /* new reference */
{
    Py_INCREF(f->f_globals);
    return f->f_globals;
}
static inline PyObject *pyhd_frame_builtins(PyFrameObject *f)  /* new reference */
{
    Py_INCREF(f->f_builtins);
    return f->f_builtins;
}
#else
static inline int pyhd_frame_lasti(PyFrameObject *f) { return PyFrame_GetLasti(f); }
static inline PyObject *pyhd_frame_locals(PyFrameObject *f) { return PyFrame_GetLocals(f); }
static inline PyObject *pyhd_frame_globals(PyFrameObject *f) { return PyFrame_GetGlobals(f); }
static inline PyObject *pyhd_frame_builtins(PyFrameObject *f) { return PyFrame_GetBuiltins(f); }
#endif

/* co_qualname exists from 3.11; before, the name stands in for it. */
static inline PyObject *pyhd_code_qualname(PyCodeObject *co)  /* borrowed */
{
#if PY_VERSION_HEX >= 0x030B0000
    return co->co_qualname;
#else
    return co->co_name;
#endif
}

/*
 * Source position of the instruction at byte offset lasti: line, end line,
 * columns (0-based, UTF-8 bytes). -1 where unknown (columns before 3.11).
 */
static inline void pyhd_code_position(PyCodeObject *co, int lasti, int *line, int *end_line,
                                      int *col, int *end_col)
{
#if PY_VERSION_HEX >= 0x030B0000
    if (lasti < 0 || !PyCode_Addr2Location(co, lasti, line, col, end_line, end_col)) {
        *line = *end_line = *col = *end_col = -1;
    }
#else
    *line = lasti < 0 ? -1 : PyCode_Addr2Line(co, lasti);
    *end_line = *line;
    *col = *end_col = -1;
#endif
}

/* float <-> 8 bytes little-endian: public from 3.11. */
#if PY_VERSION_HEX < 0x030B0000
#define pyhd_float_pack8(x, p) _PyFloat_Pack8((x), (unsigned char *)(p), 1)
#define pyhd_float_unpack8(p) _PyFloat_Unpack8((const unsigned char *)(p), 1)
#else
#define pyhd_float_pack8(x, p) PyFloat_Pack8((x), (char *)(p), 1)
#define pyhd_float_unpack8(p) PyFloat_Unpack8((const char *)(p), 1)
#endif

/*
 * int <-> little-endian two's complement bytes. 3.13 made this public
 * (PyLong_AsNativeBytes, PyLong_FromNativeBytes); before, only the private
 * _PyLong_NumBits and _PyLong_AsByteArray/_PyLong_FromByteArray do it
 * (private uses: checked on 3.10.13, 3.11.2, 3.11.7 and 3.12.1).
 */
#if PY_VERSION_HEX >= 0x030D0000
/* The bytes that hold v as a signed number; -1 with an exception set. */
static inline Py_ssize_t pyhd_long_byte_count(PyObject *v)
{
    return PyLong_AsNativeBytes(v, NULL, 0, Py_ASNATIVEBYTES_LITTLE_ENDIAN);
}
/* v into p[0..n) (n from pyhd_long_byte_count); 0, or -1 with an exception set. */
static inline int pyhd_long_as_bytes(PyObject *v, unsigned char *p, Py_ssize_t n)
{
    Py_ssize_t need = PyLong_AsNativeBytes(v, p, n, Py_ASNATIVEBYTES_LITTLE_ENDIAN);
    if (need < 0)
        return -1;
    if (need > n) {
        PyErr_SetString(PyExc_OverflowError, "int changed size while being read");
        return -1;
    }
    return 0;
}
#define pyhd_long_from_bytes(p, n, is_signed)                                  \
    PyLong_FromNativeBytes((p), (n), Py_ASNATIVEBYTES_LITTLE_ENDIAN             \
                                         | ((is_signed) ? 0 : Py_ASNATIVEBYTES_UNSIGNED_BUFFER))
#else
static inline Py_ssize_t pyhd_long_byte_count(PyObject *v)
{
    size_t nbits = _PyLong_NumBits(v);
    if (nbits == (size_t)-1 && PyErr_Occurred())
        return -1;
    return (Py_ssize_t)(nbits / 8 + 1);
}
static inline int pyhd_long_as_bytes(PyObject *v, unsigned char *p, Py_ssize_t n)
{
    return _PyLong_AsByteArray((PyLongObject *)v, p, (size_t)n, 1, 1);
}
#define pyhd_long_from_bytes(p, n, is_signed) _PyLong_FromByteArray((p), (n), 1, (is_signed))
#endif

/* Take the pending exception (normalized; new reference) and clear it. 3.12 has one call. */
static inline PyObject *pyhd_err_take(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value && tb)
        PyException_SetTraceback(value, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value;
#endif
}

/* The exception being handled (sys.exception()), new reference, or NULL if
   none. 3.11 has one call. */
static inline PyObject *pyhd_err_handled(void)
{
#if PY_VERSION_HEX >= 0x030B0000
    PyObject *exc = PyErr_GetHandledException();
#else
    PyObject *type, *exc, *tb;
    PyErr_GetExcInfo(&type, &exc, &tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
#endif
    if (exc == Py_None)
        Py_CLEAR(exc);
    return exc;
}

/*
 * {thread ident: frame} for every thread running Python code, built under
 * the runtime's lock as sys._current_frames() builds it, so that no thread
 * state is freed while it is read. New reference. Private but exported
 * (PyAPI_FUNC in Include/cpython/pystate.h) in 3.10.13, 3.11.2 (Debian),
 * 3.11.7, 3.12.1 and 3.13.0.
 */
static inline PyObject *pyhd_current_frames(void)
{
    return _PyThread_CurrentFrames();
}

/*
 * Print exc, its chain and its traceback to file exactly as python's default
 * sys.excepthook prints them to sys.stderr, without touching sys.stderr.
 * 0, or -1 with an exception set.
 * 3.10 to 3.12: _PyErr_Display(), the function behind PyErr_Display() that
 * takes the file; exported (PyAPI_FUNC) in 3.10.13, 3.11.2 (Debian), 3.11.7
 * and 3.12.1 but declared in an internal header, hence the declaration here.
 * 3.13 made it internal and prints through traceback._print_exception_bltin(),
 * that is traceback.print_exception(exc, limit=BUILTIN_EXCEPTION_LIMIT,
 * file=sys.stderr, colorize=...): the same call with file given and no colour
 * (the text goes to a file, not a terminal).
 */
#if PY_VERSION_HEX < 0x030D0000
#define PYHD_PYTHON_PRINTER 0  /* _PyErr_Display() is C */
#define PYHD_PYTHON_PRINTER_FRAMES 0
PyAPI_FUNC(void) _PyErr_Display(PyObject *file, PyObject *exception, PyObject *value,
                                PyObject *tb);

static inline int pyhd_display_exception(PyObject *file, PyObject *exc)
{
    PyObject *tb = PyException_GetTraceback(exc);
    _PyErr_Display(file, (PyObject *)Py_TYPE(exc), exc, tb);
    Py_XDECREF(tb);
    /* It reports failures of its own on the file; one left set is not ours. */
    PyErr_Clear();
    return 0;
}
#else
/*
 * The printer is Python code here, at about 0.2 ms a frame: past this many
 * frames in the exception's chain the dump renders it in C instead
 * (dump_traceback.c), as 3.10 to 3.12 print it.
 */
#define PYHD_PYTHON_PRINTER 1
#define PYHD_PYTHON_PRINTER_FRAMES 1000
/* src/compat_runtime.c: _PyRuntime.signals.unhandled_keyboard_interrupt. */
int pyhd_unhandled_keyboard_interrupt(void);
void pyhd_set_unhandled_keyboard_interrupt(int value);

static inline int pyhd_display_exception(PyObject *file, PyObject *exc)
{
    /* The printer is Python code, whose imports clear the flag that makes
       python die of SIGINT after a KeyboardInterrupt: keep it, as
       _PyErr_Display() does. */
    int keyboard_interrupt = pyhd_unhandled_keyboard_interrupt();
    PyObject *traceback = PyImport_ImportModule("traceback");
    PyObject *print = NULL, *limit, *args = NULL, *kwargs = NULL, *result = NULL;  /* limit: borrowed */

    if (traceback == NULL)
        goto done;
    /* The module's dict: no module __getattr__ runs. */
    print = PyDict_GetItemString(PyModule_GetDict(traceback), "print_exception");
    limit = PyDict_GetItemString(PyModule_GetDict(traceback), "BUILTIN_EXCEPTION_LIMIT");
    if (print == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "traceback.print_exception is missing");
        goto done;
    }
    args = PyTuple_Pack(1, exc);
    kwargs = Py_BuildValue("{s:O, s:O, s:O}", "limit", limit != NULL ? limit : Py_None,
                           "file", file, "colorize", Py_False);
    if (args != NULL && kwargs != NULL)
        result = PyObject_Call(print, args, kwargs);
done:
    pyhd_set_unhandled_keyboard_interrupt(keyboard_interrupt);
    Py_XDECREF(result);
    Py_XDECREF(kwargs);
    Py_XDECREF(args);
    Py_XDECREF(traceback);
    return result != NULL ? 0 : -1;
}
#endif


/* ------------------------------------------------------------------------ */
/* The C stack in the fatal-signal stacks file (h11) */

/*
 * faulthandler's C stack (faulthandler.dump_c_stack(), 3.14+) as the
 * async-signal-safe C function it calls: _Py_DumpStack(fd), exported but
 * declared only in the internal headers (checked on 3.14.7). It writes
 * "Current thread's C stack trace (most recent call first):" and the frames.
 */
#if PY_VERSION_HEX >= 0x030E0000
#define PYHD_HAVE_C_STACK 1
PyAPI_FUNC(void) _Py_DumpStack(int fd);
#define pyhd_dump_c_stack(fd) _Py_DumpStack(fd)
#else
#define PYHD_HAVE_C_STACK 0
#define pyhd_dump_c_stack(fd) ((void)(fd))
#endif

/* ------------------------------------------------------------------------ */
/* Free-threaded builds (h11) */

/*
 * Stopping every other thread of the interpreter. No public API does it (none
 * in 3.13 or 3.14); the GC's own pause is exported from libpython 3.14 but
 * declared only in the internal headers (Include/internal/pycore_pystate.h),
 * so it is declared here. Checked on 3.14.7t. 3.13t does not export it: there
 * pyhd cannot stop the world and keeps the GIL (pyhd_module_gil_not_used).
 * Both calls are no-ops with a GIL.
 */
#if defined(Py_GIL_DISABLED) && PY_VERSION_HEX >= 0x030E0000
#define PYHD_CAN_STOP_THE_WORLD 1
PyAPI_FUNC(void) _PyEval_StopTheWorld(PyInterpreterState *interp);
PyAPI_FUNC(void) _PyEval_StartTheWorld(PyInterpreterState *interp);
#define pyhd_stop_the_world(interp) _PyEval_StopTheWorld(interp)
#define pyhd_start_the_world(interp) _PyEval_StartTheWorld(interp)
#else
#define PYHD_CAN_STOP_THE_WORLD 0
#define pyhd_stop_the_world(interp) ((void)(interp))
#define pyhd_start_the_world(interp) ((void)(interp))
#endif

/* Tell a free-threaded python that module m is safe without the GIL (else
   importing it turns the GIL back on, with a RuntimeWarning). Single-phase
   modules say it with PyUnstable_Module_SetGIL (3.13+). 0, or -1 with an
   exception set. */
static inline int pyhd_module_gil_not_used(PyObject *m)
{
#if defined(Py_GIL_DISABLED) && PYHD_CAN_STOP_THE_WORLD
    return PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
#else
    (void)m;
    return 0;
#endif
}

/* ------------------------------------------------------------------------ */
/* asyncio's tasks (3.14) */

/* The pending asyncio tasks of every thread and of the interpreter, which
   3.14 keeps in C lists of its own (src/compat_tasks.c): appended to list,
   read in C without running any code; alone: no other thread exists (a
   forked child). 0, or -1 with an exception set. Before 3.14 the tasks are
   in asyncio.tasks' sets, and this appends nothing. */
#if PY_VERSION_HEX >= 0x030E0000
int pyhd_asyncio_pending_tasks(PyObject *list, int alone);
#else
static inline int pyhd_asyncio_pending_tasks(PyObject *list, int alone)
{
    (void)list;
    (void)alone;
    return 0;
}
#endif

/* ------------------------------------------------------------------------ */
/* Locks */

/* A lock for state that Python code may run under (so it must let go of the
   GIL or detach while it waits): PyMutex from 3.13; before, the GIL is the
   only lock and these do nothing. A static pyhd_mutex starts unlocked. */
#if PY_VERSION_HEX >= 0x030D0000
typedef PyMutex pyhd_mutex;
#define pyhd_mutex_lock(m) PyMutex_Lock(m)
#define pyhd_mutex_unlock(m) PyMutex_Unlock(m)
#else
typedef struct { int unused; } pyhd_mutex;
#define pyhd_mutex_lock(m) ((void)(m))
#define pyhd_mutex_unlock(m) ((void)(m))
#endif

/* ------------------------------------------------------------------------ */
/* The str hash seed */

/*
 * 1 and *seed when the interpreter hashes str and bytes with a fixed seed
 * (PYTHONHASHSEED=N, 0 included), 0 when its secret is random (the default).
 * The seed decides the order in which a set of strs iterates, so a dump
 * names it and pyhd-debug starts with it. 3.14 says it through PyConfig_Get();
 * before, the running config is _Py_GetConfig(), exported by libpython 3.10
 * to 3.14 and declared in the internal headers from 3.13.
 */
#if PY_VERSION_HEX >= 0x030E0000
static inline int pyhd_hash_seed(unsigned long *seed)
{
    PyObject *use = PyConfig_Get("use_hash_seed"), *value = NULL;
    int fixed = use != NULL && PyObject_IsTrue(use) == 1;
    if (fixed) {
        value = PyConfig_Get("hash_seed");
        *seed = value != NULL ? PyLong_AsUnsignedLong(value) : (unsigned long)-1;
        fixed = value != NULL && !(*seed == (unsigned long)-1 && PyErr_Occurred());
    }
    Py_XDECREF(use);
    Py_XDECREF(value);
    PyErr_Clear();
    return fixed;
}
#else
PyAPI_FUNC(const PyConfig *) _Py_GetConfig(void);
static inline int pyhd_hash_seed(unsigned long *seed)
{
    const PyConfig *config = _Py_GetConfig();
    if (config == NULL || !config->use_hash_seed)
        return 0;
    *seed = config->hash_seed;
    return 1;
}
#endif

#endif /* PYHD_COMPAT_H */
