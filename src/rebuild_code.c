/*
 * rebuild_code.c: the code object of a rebuilt function (rebuild_code.h).
 *
 * A rebuilt function is a real function whose code is a template's (it calls
 * an _Inert that raises DumpedCodeError) with the dumped code's names, file,
 * first line and parameters, so that inspect, traceback and pdb read it as
 * the program's. pyhd_surrogates' finish() asks for one per function of a
 * load; made here, it is one code.replace() call with no Python frame
 * around it (see bench/README-load.md, nineteenth pass).
 */
#include "rebuild_code.h"

/* The co_flags bits a rebuilt function takes from the dump (inspect.CO_VARARGS,
   inspect.CO_VARKEYWORDS). */
#define CO_STAR_ARGS 0x04
#define CO_STAR_KWARGS 0x08

/* Interned once (pyhd__code_init): code.replace()'s keywords, CodeRecord's
   fields and the template's attributes read here. */
enum {
    N_REPLACE,
    N_CO_CONSTS, N_CO_FREEVARS, N_CO_FILENAME, N_CO_NAME, N_CO_FIRSTLINENO,
    N_CO_ARGCOUNT, N_CO_POSONLYARGCOUNT, N_CO_KWONLYARGCOUNT, N_CO_VARNAMES,
    N_CO_NLOCALS, N_CO_FLAGS, N_CO_QUALNAME,
    N_FILENAME, N_NAME, N_QUALNAME, N_FIRSTLINENO, N_ARGCOUNT, N_POSONLYARGCOUNT,
    N_KWONLYARGCOUNT, N_FLAGS, N_VARNAMES,
    N_COUNT
};
static const char *const name_text[N_COUNT] = {
    "replace",
    "co_consts", "co_freevars", "co_filename", "co_name", "co_firstlineno",
    "co_argcount", "co_posonlyargcount", "co_kwonlyargcount", "co_varnames",
    "co_nlocals", "co_flags", "co_qualname",
    "filename", "name", "qualname", "firstlineno", "argcount", "posonlyargcount",
    "kwonlyargcount", "flags", "varnames",
};
static PyObject *names[N_COUNT];

int pyhd__code_init(void)
{
    for (int i = 0; i < N_COUNT; i++) {
        if (names[i] == NULL && (names[i] = PyUnicode_InternFromString(name_text[i])) == NULL)
            return -1;
    }
    return 0;
}

/* The value of v if it is an int (not a bool) in [lo, 2**31), else -1. */
static long small_int(PyObject *v, long lo)
{
    long n;
    if (v == NULL || !PyLong_CheckExact(v))
        return -1;
    n = PyLong_AsLong(v);
    if (n == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return -1;
    }
    return n >= lo && n < 0x80000000L ? n : -1;
}

/* The template's co_consts with raiser wherever marker is: a new tuple. */
static PyObject *consts_with(PyObject *template, PyObject *marker, PyObject *raiser)
{
    PyObject *consts = PyObject_GetAttr(template, names[N_CO_CONSTS]), *out;
    Py_ssize_t n;
    if (consts == NULL)
        return NULL;
    if (!PyTuple_Check(consts)) {
        Py_DECREF(consts);
        PyErr_SetString(PyExc_TypeError, "code_with(): the template's co_consts is no tuple");
        return NULL;
    }
    n = PyTuple_GET_SIZE(consts);
    out = PyTuple_New(n);
    if (out != NULL) {
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *c = PyTuple_GET_ITEM(consts, i);
            c = c == marker ? raiser : c;
            Py_INCREF(c);
            PyTuple_SET_ITEM(out, i, c);
        }
    }
    Py_DECREF(consts);
    return out;
}

/* At most this many keywords to code.replace(). */
#define MAX_KW 12

struct call {
    PyObject *args[1 + MAX_KW];  /* the template, then each keyword's value (new refs) */
    PyObject *kwnames[MAX_KW];   /* borrowed: names[] */
    int n;
};

/* Add keyword kw = value (a new reference, or NULL: then nothing is added and
   -1 is returned only when an exception is set). */
static int add(struct call *c, int kw, PyObject *value)
{
    if (value == NULL)
        return PyErr_Occurred() ? -1 : 0;
    c->kwnames[c->n] = names[kw];
    c->args[1 + c->n++] = value;
    return 0;
}

static PyObject *call_replace(struct call *c, PyObject *template)
{
    PyObject *kwnames = PyTuple_New(c->n), *res;
    if (kwnames == NULL)
        return NULL;
    for (int i = 0; i < c->n; i++) {
        Py_INCREF(c->kwnames[i]);
        PyTuple_SET_ITEM(kwnames, i, c->kwnames[i]);
    }
    c->args[0] = template;
    res = PyObject_VectorcallMethod(names[N_REPLACE], c->args,
                                    1 | PY_VECTORCALL_ARGUMENTS_OFFSET, kwnames);
    Py_DECREF(kwnames);
    return res;
}

static void call_clear(struct call *c)
{
    for (int i = 0; i < c->n; i++)
        Py_DECREF(c->args[1 + i]);
    c->n = 0;
}

/* The str field name of record (a new reference), or NULL with no exception
   set when it is missing or no str. */
static PyObject *record_str(PyObject *record, int name)
{
    PyObject *v = PyObject_GetAttr(record, names[name]);
    if (v == NULL) {
        PyErr_Clear();
        return NULL;
    }
    if (!PyUnicode_CheckExact(v)) {
        Py_DECREF(v);
        return NULL;
    }
    return v;
}

/* The keywords giving the template the record's parameters (as the Python
   _parameters() they replace): all or none. 0, or -1 with an exception set. */
static int add_parameters(struct call *c, PyObject *template, PyObject *record)
{
    PyObject *v[4] = {NULL, NULL, NULL, NULL}, *varnames = NULL, *tflags = NULL;
    static const int fields[4] = {N_ARGCOUNT, N_POSONLYARGCOUNT, N_KWONLYARGCOUNT, N_FLAGS};
    long n[4], total, tf;
    int rc = 0, ok = 1;
    for (int i = 0; i < 4; i++) {
        v[i] = PyObject_GetAttr(record, names[fields[i]]);
        if (v[i] == NULL)
            PyErr_Clear();
        n[i] = small_int(v[i], 0);
        ok = ok && n[i] >= 0;
    }
    varnames = PyObject_GetAttr(record, names[N_VARNAMES]);
    if (varnames == NULL)
        PyErr_Clear();
    ok = ok && varnames != NULL && PyTuple_CheckExact(varnames);
    if (!ok)
        goto done;
    /* argcount, posonly, kwonly, flags */
    total = n[0] + n[2] + ((n[3] & CO_STAR_ARGS) != 0) + ((n[3] & CO_STAR_KWARGS) != 0);
    if (n[1] > n[0] || total > PyTuple_GET_SIZE(varnames) || total > 255)
        goto done;
    for (long i = 0; i < total; i++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(varnames, i)))
            goto done;
    }
    tflags = PyObject_GetAttr(template, names[N_CO_FLAGS]);
    if (tflags == NULL || (tf = PyLong_AsLong(tflags)) == -1) {
        rc = -1;
        goto done;
    }
    tf = (tf & ~(long)(CO_STAR_ARGS | CO_STAR_KWARGS)) | (n[3] & (CO_STAR_ARGS | CO_STAR_KWARGS));
    if (add(c, N_CO_ARGCOUNT, PyLong_FromLong(n[0])) < 0 ||
        add(c, N_CO_POSONLYARGCOUNT, PyLong_FromLong(n[1])) < 0 ||
        add(c, N_CO_KWONLYARGCOUNT, PyLong_FromLong(n[2])) < 0 ||
        add(c, N_CO_VARNAMES, PyTuple_GetSlice(varnames, 0, total)) < 0 ||
        add(c, N_CO_NLOCALS, PyLong_FromLong(total)) < 0 ||
        add(c, N_CO_FLAGS, PyLong_FromLong(tf)) < 0)
        rc = -1;
done:
    for (int i = 0; i < 4; i++)
        Py_XDECREF(v[i]);
    Py_XDECREF(varnames);
    Py_XDECREF(tflags);
    return rc;
}

PyObject *pyhd__code_with(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *template, *record, *consts = NULL, *res = NULL, *s, *line;
    struct call c = {{NULL}, {NULL}, 0};
    long first;
    (void)module;
    if (nargs != 5 || !PyTuple_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "code_with(template, marker, raiser, record, freevars) takes 5 "
                        "arguments, freevars a tuple");
        return NULL;
    }
    if (names[0] == NULL && pyhd__code_init() < 0)
        return NULL;
    template = args[0];
    record = args[3];
    consts = consts_with(template, args[1], args[2]);
    if (consts == NULL)
        return NULL;
    if (record != Py_None) {
        Py_INCREF(consts);
        Py_INCREF(args[4]);
        if (add(&c, N_CO_CONSTS, consts) < 0 || add(&c, N_CO_FREEVARS, args[4]) < 0)
            goto error;
        if ((s = record_str(record, N_FILENAME)) != NULL && add(&c, N_CO_FILENAME, s) < 0)
            goto error;
        if ((s = record_str(record, N_NAME)) != NULL && add(&c, N_CO_NAME, s) < 0)
            goto error;
        line = PyObject_GetAttr(record, names[N_FIRSTLINENO]);
        if (line == NULL)
            PyErr_Clear();
        first = small_int(line, 1);
        Py_XDECREF(line);
        if (first > 0 && add(&c, N_CO_FIRSTLINENO, PyLong_FromLong(first)) < 0)
            goto error;
        if (add_parameters(&c, template, record) < 0)
            goto error;
#if PY_VERSION_HEX >= 0x030B0000
        if ((s = record_str(record, N_QUALNAME)) != NULL && add(&c, N_CO_QUALNAME, s) < 0)
            goto error;
#endif
        res = call_replace(&c, template);
        call_clear(&c);
        if (res != NULL || !(PyErr_ExceptionMatches(PyExc_TypeError) ||
                             PyErr_ExceptionMatches(PyExc_ValueError)))
            goto done;
        /* A record this python's code objects refuse: the template's names. */
        PyErr_Clear();
    }
    Py_INCREF(consts);
    Py_INCREF(args[4]);
    if (add(&c, N_CO_CONSTS, consts) < 0 || add(&c, N_CO_FREEVARS, args[4]) < 0)
        goto error;
    res = call_replace(&c, template);
error:
    call_clear(&c);
done:
    Py_DECREF(consts);
    return res;
}
