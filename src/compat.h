/* compat.h: the differences between the CPython versions pyhd supports (3.10 to 3.13). */
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

#endif /* PYHD_COMPAT_H */
