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

#include <stddef.h>

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
    N_WHERE, N_ROLE, N_DUNDER_NAME, N_DUNDER_QUALNAME, N_DUNDER_MODULE, N_DUNDER_DOC,
    N_DUNDER_DEFAULTS, N_DUNDER_KWDEFAULTS, N_DUNDER_ANNOTATIONS, N_DUNDER_CODE,
    N_COUNT
};
static const char *const name_text[N_COUNT] = {
    "replace",
    "co_consts", "co_freevars", "co_filename", "co_name", "co_firstlineno",
    "co_argcount", "co_posonlyargcount", "co_kwonlyargcount", "co_varnames",
    "co_nlocals", "co_flags", "co_qualname",
    "filename", "name", "qualname", "firstlineno", "argcount", "posonlyargcount",
    "kwonlyargcount", "flags", "varnames",
    "where", "role", "__name__", "__qualname__", "__module__", "__doc__",
    "__defaults__", "__kwdefaults__", "__annotations__", "__code__",
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

/* ------------------------------------------------------------------------ */
/* Rebuilt functions */

void pyhd__functions_end(struct pyhd_functions *fx)
{
    Py_CLEAR(fx->template);
    fx->ready = 0;
}

/* Look up, once per load, what the functions of pyhd_surrogates used. */
static int functions_ready(struct pyhd_functions *fx)
{
    static const struct { const char *name; size_t offset; } attrs[] = {
        {"_UNFILLED", offsetof(struct pyhd_functions, marker)},
        {"_Inert", offsetof(struct pyhd_functions, inert)},
        {"_INERT_GLOBALS", offsetof(struct pyhd_functions, globals)},
        {"_RAISERS", offsetof(struct pyhd_functions, raisers)},
        {"_forget_raiser", offsetof(struct pyhd_functions, forget)},
        {"_pending_functions", offsetof(struct pyhd_functions, pending)},
        {"FunctionStub", offsetof(struct pyhd_functions, stub)},
        {"CodeRecord", offsetof(struct pyhd_functions, code_record)},
    };
    PyObject *dict, *template;
    if (fx->ready)
        return 0;
    if (names[0] == NULL && pyhd__code_init() < 0)
        return -1;
    dict = PyModule_GetDict(fx->sur);  /* borrowed */
    if (!dict)
        return -1;
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
        PyObject *v = PyDict_GetItemString(dict, attrs[i].name);  /* borrowed */
        if (!v) {
            PyErr_Format(PyExc_SystemError, "pyhd_surrogates has no %s", attrs[i].name);
            return -1;
        }
        *(PyObject **)((char *)fx + attrs[i].offset) = v;
    }
    if (!PyType_Check(fx->inert) || !PyDict_Check(fx->raisers) || !PyList_Check(fx->pending) ||
        !PyDict_Check(fx->globals)) {
        PyErr_SetString(PyExc_SystemError, "pyhd_surrogates' function helpers are not as "
                                           "rebuild_code.c expects");
        return -1;
    }
    template = PyObject_CallMethod(fx->sur, "_template", NULL);
    if (!template)
        return -1;
    if (!PyCode_Check(template)) {
        Py_DECREF(template);
        PyErr_SetString(PyExc_SystemError, "pyhd_surrogates._template() gave no code object");
        return -1;
    }
    fx->template = template;
    fx->ready = 1;
    return 0;
}

/* An _Inert with every field None, as _Inert() makes it, without its __init__ frame. */
static PyObject *new_inert(struct pyhd_functions *fx)
{
    static const int fields[] = {N_NAME, N_QUALNAME, N_WHERE, N_ROLE};
    PyObject *empty = PyTuple_New(0), *raiser;
    raiser = empty ? PyBaseObject_Type.tp_new((PyTypeObject *)fx->inert, empty, NULL) : NULL;
    Py_XDECREF(empty);
    for (size_t i = 0; raiser && i < sizeof fields / sizeof fields[0]; i++) {
        if (PyObject_SetAttr(raiser, names[fields[i]], Py_None) < 0)
            Py_CLEAR(raiser);
    }
    return raiser;
}

/* Whether closure (a tuple of cells) and freevars (a tuple of identifiers) go
   together: the same non-zero length. */
static int closure_fits(PyObject *closure, PyObject *freevars)
{
    Py_ssize_t n;
    if (!PyTuple_Check(closure) || !PyTuple_Check(freevars))
        return 0;
    n = PyTuple_GET_SIZE(closure);
    if (n == 0 || n != PyTuple_GET_SIZE(freevars))
        return 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *name = PyTuple_GET_ITEM(freevars, i);
        if (!PyCell_Check(PyTuple_GET_ITEM(closure, i)) || !PyUnicode_CheckExact(name) ||
            !PyUnicode_IsIdentifier(name))
            return 0;
    }
    return 1;
}

PyObject *pyhd__function_make(struct pyhd_functions *fx, PyObject *closure, PyObject *freevars)
{
    PyObject *raiser = NULL, *code = NULL, *function = NULL, *ref = NULL;
    int cells;
    if (functions_ready(fx) < 0)
        return NULL;
    raiser = new_inert(fx);
    if (!raiser)
        return NULL;
    /* Its own code comes once, from fill or finish, which know the dumped code
       record: until then it shares the template's (which calls _UNFILLED), with
       the closure's free variables. */
    cells = closure_fits(closure, freevars);
    code = Py_NewRef(fx->template);
    if (cells) {
        PyObject *args[2] = {fx->template, freevars}, *kwnames = PyTuple_Pack(1, names[N_CO_FREEVARS]);
        PyObject *with = kwnames ? PyObject_VectorcallMethod(names[N_REPLACE], args,
                                                             1 | PY_VECTORCALL_ARGUMENTS_OFFSET,
                                                             kwnames)
                                 : NULL;
        Py_XDECREF(kwnames);
        if (with) {
            Py_SETREF(code, with);
        } else if (PyErr_ExceptionMatches(PyExc_TypeError) ||
                   PyErr_ExceptionMatches(PyExc_ValueError)) {
            PyErr_Clear();
            cells = 0;
        } else {
            goto error;
        }
    }
    function = PyFunction_New(code, fx->globals);
    if (!function || (cells && PyFunction_SetClosure(function, closure) < 0))
        goto error;
    /* _RAISERS: by a weak reference to the function, which a WeakKeyDictionary
       would make; its callback forgets the entry when the function dies. */
    ref = PyWeakref_NewRef(function, fx->forget);
    if (!ref || PyDict_SetItem(fx->raisers, ref, raiser) < 0)
        goto error;
    Py_DECREF(ref);
    Py_DECREF(code);
    Py_DECREF(raiser);
    return function;
error:
    Py_XDECREF(ref);
    Py_XDECREF(function);
    Py_XDECREF(code);
    Py_DECREF(raiser);
    return NULL;
}

/* The _Inert of function (borrowed), or NULL with no exception set when it is
   no rebuilt function. */
static PyObject *raiser_of(struct pyhd_functions *fx, PyObject *function)
{
    PyObject *ref, *raiser;
    if (!PyFunction_Check(function))
        return NULL;
    ref = PyWeakref_NewRef(function, NULL);
    if (!ref) {
        PyErr_Clear();
        return NULL;
    }
    raiser = PyDict_GetItemWithError(fx->raisers, ref);
    Py_DECREF(ref);
    if (!raiser)
        PyErr_Clear();
    return raiser;
}

/* Set obj.name = value; 0 or -1. */
static int set(PyObject *obj, int name, PyObject *value)
{
    return PyObject_SetAttr(obj, names[name], value);
}

/* (name, value, ...) as python keeps a function's annotations until they are
   first read: a dict. A new reference, NULL with an exception set, or NULL
   with none when annotations is no such tuple. */
static PyObject *annotations_dict(PyObject *annotations)
{
    PyObject *d;
    Py_ssize_t n;
    if (!PyTuple_Check(annotations) || PyTuple_GET_SIZE(annotations) % 2)
        return NULL;
    n = PyTuple_GET_SIZE(annotations);
    d = PyDict_New();
    for (Py_ssize_t i = 0; d && i < n; i += 2) {
        if (PyDict_SetItem(d, PyTuple_GET_ITEM(annotations, i),
                           PyTuple_GET_ITEM(annotations, i + 1)) < 0)
            Py_CLEAR(d);
    }
    return d;
}

/* function.__code__ = the template's code calling raiser, with function's free
   variables and record's names (a CodeRecord, or None): 0, or -1 with an
   exception set. */
static int give_code(struct pyhd_functions *fx, PyObject *function, PyObject *raiser,
                     PyObject *record)
{
    PyObject *fcode = PyFunction_GetCode(function);  /* borrowed */
    PyObject *freevars = PyObject_GetAttr(fcode, names[N_CO_FREEVARS]), *cargs[5], *code;
    int rc;
    if (!freevars)
        return -1;
    cargs[0] = fx->template;
    cargs[1] = fx->marker;
    cargs[2] = raiser;
    cargs[3] = record;
    cargs[4] = freevars;
    code = pyhd__code_with(NULL, cargs, 5);  /* (it refuses freevars that are no tuple) */
    Py_DECREF(freevars);
    rc = code ? PyObject_SetAttr(function, names[N_DUNDER_CODE], code) : -1;
    Py_XDECREF(code);
    return rc;
}

int pyhd__function_fill(struct pyhd_functions *fx, PyObject *const *args)
{
    PyObject *function = args[0], *name = args[1], *qualname = args[2], *module = args[3];
    PyObject *code = args[4], *defaults = args[5], *kwdefaults = args[6];
    PyObject *annotations = args[7], *doc = args[8], *raiser, *d;
    if (functions_ready(fx) < 0)
        return -1;
    raiser = raiser_of(fx, function);
    if (!raiser) {
        if (PyObject_TypeCheck(function, (PyTypeObject *)fx->stub)) {
            /* A builtin function not found here. */
            if (set(function, N_NAME, name) < 0 || set(function, N_QUALNAME, qualname) < 0 ||
                PyObject_SetAttrString(function, "module", module) < 0)
                return -1;
        }
        return 0;
    }
    Py_INCREF(raiser);
    if (PyUnicode_Check(name) && (set(function, N_DUNDER_NAME, name) < 0 ||
                                  set(raiser, N_NAME, name) < 0))
        goto error;
    if (PyUnicode_Check(qualname) && (set(function, N_DUNDER_QUALNAME, qualname) < 0 ||
                                      set(raiser, N_QUALNAME, qualname) < 0))
        goto error;
    if (set(function, N_DUNDER_MODULE, PyUnicode_Check(module) ? module : Py_None) < 0 ||
        set(function, N_DUNDER_DOC, PyUnicode_Check(doc) ? doc : Py_None) < 0)
        goto error;
    if (PyTuple_Check(defaults) && set(function, N_DUNDER_DEFAULTS, defaults) < 0)
        goto error;
    if (PyDict_Check(kwdefaults) && set(function, N_DUNDER_KWDEFAULTS, kwdefaults) < 0)
        goto error;
    d = PyDict_Check(annotations) ? Py_NewRef(annotations) : annotations_dict(annotations);
    if (d) {
        int rc = set(function, N_DUNDER_ANNOTATIONS, d);
        Py_DECREF(d);
        if (rc < 0)
            goto error;
    } else if (PyErr_Occurred()) {
        goto error;
    }
#if PY_VERSION_HEX >= 0x030E0000
    else if (annotations == Py_None) {
        /* 3.14 keeps annotations unevaluated until asked: the dump may hold none
           although the def has some; they are read from the dumped source. */
        PyObject *annotate = PyObject_CallMethod(fx->sur, "_function_source_annotate", "O",
                                                 function);
        int rc = annotate ? PyObject_SetAttrString(function, "__annotate__", annotate) : -1;
        Py_XDECREF(annotate);
        if (rc < 0)
            goto error;
    }
#endif
    if (PyObject_TypeCheck(code, (PyTypeObject *)fx->code_record)) {
        /* finish gives it its code, once every code record is filled. */
        PyObject *entry = PyTuple_Pack(3, function, code, raiser);
        int rc = entry ? PyList_Append(fx->pending, entry) : -1;
        Py_XDECREF(entry);
        if (rc < 0)
            goto error;
    } else if (give_code(fx, function, raiser, Py_None) < 0) {
        goto error;
    }
    Py_DECREF(raiser);
    return 0;
error:
    Py_DECREF(raiser);
    return -1;
}

/* "file:line" of a CodeRecord, the file's base name only (as _short_where), or
   NULL with no exception set when it has no str file and int line. */
static PyObject *short_where(PyObject *record)
{
    PyObject *file = PyObject_GetAttr(record, names[N_FILENAME]), *line = NULL, *where = NULL;
    if (file && PyUnicode_CheckExact(file) &&
        (line = PyObject_GetAttr(record, names[N_FIRSTLINENO])) != NULL && PyLong_CheckExact(line)) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(file);
        Py_ssize_t slash = PyUnicode_FindChar(file, '/', 0, n, -1);
        PyObject *base = slash >= -1 ? PyUnicode_Substring(file, slash + 1, n) : NULL;
        where = base ? PyUnicode_FromFormat("%U:%S", base, line) : NULL;
        Py_XDECREF(base);
    }
    Py_XDECREF(file);
    Py_XDECREF(line);
    if (!where)
        PyErr_Clear();
    return where;
}

int pyhd__functions_finish(struct pyhd_functions *fx)
{
    Py_ssize_t n;
    if (!fx->ready)
        return 0;  /* no function was made */
    n = PyList_GET_SIZE(fx->pending);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *entry = PyList_GET_ITEM(fx->pending, i), *function, *record, *raiser;
        PyObject *where;
        int rc;
        if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 3)
            continue;
        function = PyTuple_GET_ITEM(entry, 0);
        record = PyTuple_GET_ITEM(entry, 1);
        raiser = PyTuple_GET_ITEM(entry, 2);
        if (!PyFunction_Check(function))
            continue;
        where = short_where(record);
        if (where) {
            rc = set(raiser, N_WHERE, where);
            Py_DECREF(where);
            if (rc < 0)
                return -1;
        }
        if (give_code(fx, function, raiser, record) < 0)
            return -1;
    }
    return PyList_SetSlice(fx->pending, 0, n, NULL);
}
