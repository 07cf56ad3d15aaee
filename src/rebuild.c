/* rebuild.c: a dump's records back into Python objects, and the builtin module _pyhd. */
#include "rebuild.h"
#include <structmember.h>
#if PY_VERSION_HEX < 0x030D0000
#include <frameobject.h>  /* PyFrame_LocalsToFast(), before 3.13's write-through f_locals */
#endif
#include "redact_py.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "decode.h"
#include "inert_builtin.h"
#include "instance_dict.h"
#include "interned.h"
#include "manifest.h"
#include "pyhd/format.h"
#include "rebuild_bounds.h"
#include "rebuild_code.h"
#include "rebuild_roots.h"
#include "rebuild_values.h"
#include "set_order.h"
#include "trust.h"

/*
 * The order of rebuilding. References may point forward and form cycles, so
 * objects are made in two steps:
 *
 *   make    every object, after the objects it cannot exist without (its
 *           "hard" dependencies: a tuple's items, an instance's class).
 *           Mutable objects (lists, dicts, sets, instances, records, stubs)
 *           have no hard dependency on their contents and are made empty,
 *           so a cycle always passes through one of them. The order is a
 *           depth-first walk with an explicit stack (graphs can be deep);
 *           a cycle of hard dependencies (a tuple holding itself) cannot
 *           come from Python and is reported as a damaged dump.
 *   fill    every mutable object gets its contents, in id order.
 *
 * Builtin values are made here in C; classes, standard-library values and
 * stubs by src/py/pyhd_surrogates.py (its functions are named below).
 *
 * CPython conventions throughout: functions return a new reference or NULL
 * (or 0 / -1) with an exception set.
 */

static PyObject *DumpError;  /* _pyhd.DumpError, made once by the module's init */

/* Large enough for every member of a dump this reader accepts. */
#define MAX_MEMBER ((size_t)1 << 32)

enum { UNSEEN = 0, EXPANDING = 1, MADE = 2 };

/* rb->phases: the fill phases of an id (fills_in()), and a DICT record filled when its
   instance was made (take_own_dict()). */
enum { FILL0 = 1, FILL1 = 2, PREFILLED = 4 };

/* More than the number of pyhd_surrogates functions rebuild.c calls. */
#define SUR_FNS_MAX 48

/* How INSTANCE records of one class are made. */
enum { INST_UNKNOWN = 0, INST_NEW_AND_DICT = 1, INST_ENUM = 2,
       INST_NEW_NAMED = 3 /* INST_NEW_AND_DICT, and its _name_ first: a program enum's member */ };

struct rb {
    const struct pyhd_decoded *g;
    PyObject **objs;           /* objs[id]: a new reference once state[id] is MADE (not
                                  set before: the array is not zeroed); objs[0] NULL */
    unsigned char *state;      /* per id: UNSEEN, EXPANDING, MADE */
    /* Per class, by its record's class_index (CLASS records and the TRUNCATED and
       REDACTED ones that may stand for a class; class_slot()): */
    PyObject **inst_cls;       /* the class its INSTANCEs are made with */
    unsigned char *inst_mode;  /* INST_* */
    uint64_t *stack;
    size_t nstack, capstack;
    PyObject *sur;             /* the pyhd_surrogates module (borrowed from sys.modules) */
    PyObject *surrogates;      /* pyhd_surrogates.SURROGATES: id -> weak reference
                                  of each class it made */
    PyObject *last_class;      /* is_surrogate_class()'s last question */
    int last_class_is_surrogate;
    PyObject *cob;             /* the pyhd_cobjects module, once cob_call needs it */
    PyObject *how;             /* pyhd_surrogates._how: real class -> how it is rebuilt */
    PyObject *enum_meta;       /* enum.EnumMeta */
    PyObject *enum_hash;       /* enum.Enum.__hash__: hash(self._name_) */
    PyObject *member_hash;     /* pyhd_surrogates._enum_member_hash, the same for a
                                  program's enum */
    PyObject *empty;           /* () */
    PyObject *builtins;        /* this interpreter's builtins module */
    PyObject *dict_name;       /* "__dict__" */
    PyObject *name_name;       /* "_name_" */
    uint32_t *depth;           /* per id: nesting depth (bound_nesting), set when made;
                                  depth[0] 0 */
    uint32_t *mro_len;         /* estimated MRO length (bound_class) */
    uint64_t class_work;       /* the estimated cost of every class made so far */
    int measuring;             /* push_dep only measures (bound_nesting) */
    uint32_t deps_depth;       /* what it measured: the deepest dependency */
    int trust;
    int seeded;                /* strs and bytes hash here as in the dumped program */
    size_t set_order_work;     /* what set_order.c may still spend (set_order.h) */
    int truncated;             /* some object was cut or left out */
    uint64_t current;          /* the id being made or filled, for messages */
    int making;                /* make() calls under way (make_one) */
    int taking;                /* take_own_dict() is making an instance's items */
    PyTypeObject *fill_type;   /* borrowed: the type fill_wanted was last asked for */
    int fill_wanted;           /* pyhd__values_fill_wanted() of an object of fill_type */
    uint64_t own_dict;         /* the INSTANCE make_one() just made takes this DICT
                                  record as its own __dict__ (take_own_dict()); or 0 */
    unsigned char *phases;     /* per id, while rebuild_all runs: the fill phases it
                                  takes part in, and PREFILLED */
    struct pyhd_values values; /* REDUCED values made in C (rebuild_values.h) */
    struct pyhd_functions fx;  /* FUNCTION records made in C (rebuild_code.h) */
    /* pyhd_surrogates' functions, looked up once per load by sur_call. */
    struct sur_fn { const char *name; PyObject *fn; } sur_fns[SUR_FNS_MAX];
    size_t nsur_fns;
};

static int dump_error(const struct pyhd_decoded *g, const struct pyhd_record *r,
                      const char *what)
{
    size_t recno, offset;
    pyhd__record_where(g, r, &recno, &offset);
    PyErr_Format(DumpError, "bad record %zu (byte %zu): %s: %s", recno, offset,
                 pyhd__kind_name(r->kind), what);
    return -1;
}

/* Whether id is a record that may stand for a class (it has a class_index). */
static inline int is_class_like(const struct pyhd_decoded *g, uint64_t id)
{
    const struct pyhd_record *r = pyhd__decode_obj(g, id);
    return r && (r->kind == PYHD_REC_CLASS || r->kind == PYHD_REC_TRUNCATED ||
                 r->kind == PYHD_REC_REDACTED);
}

/* The index in the per-class arrays of id, a record is_class_like(). */
static inline size_t class_slot(const struct rb *rb, uint64_t id)
{
    return rb->g->objects[id - 1].class_index;
}

/* The object of id (borrowed); None for 0. Only for ids already made. */
static PyObject *ref(struct rb *rb, uint64_t id)
{
    return id ? rb->objs[id] : Py_None;
}

/*
 * Fields are read through the slots pyhd__decode_open() recorded while it
 * validated each record against format.h's field table (decode.h): FLD is
 * the slot of field name of record r, of kind kind; SLOTS the slots of a
 * field that has several (a list, text, a SUBCLASS's base payload).
 */
#define FLD(r, kind, name) ((r)->f[PYHD_S_##kind##_##name])
#define SLOTS(r, kind, name) (&(r)->f[PYHD_S_##kind##_##name])

/* The elements of a list field (items, pairs, dimensions) are read in order, through a cursor. */
static inline uint64_t rd_id(struct pyhd_cursor *c)
{
    uint64_t id = 0, r;
    /* Validated by pyhd__decode_open(): the reference is there, and most take one byte
       (absent, fresh, or an id below 127) or two (an id below 16383). */
    if (*c->p < 0x80) {
        r = *c->p++;
    } else if (c->p[1] < 0x80) {
        r = (uint64_t)(c->p[0] & 0x7F) | (uint64_t)c->p[1] << 7;
        c->p += 2;
    } else {
        pyhd__cur_ref(c, &id);
        return id;
    }
    return r == 1 ? c->fresh_next++ : r == 0 ? 0 : r - 1;
}

static uint64_t rd_varint(struct pyhd_cursor *c)
{
    uint64_t v = 0;
    pyhd__cur_varint(c, &v);
    return v;
}

static int64_t rd_svarint(struct pyhd_cursor *c)
{
    int64_t v = 0;
    pyhd__cur_svarint(c, &v);
    return v;
}

/* A cursor on the elements of a list field whose slots are s (AT: PYHD_SEQ_AT or PYHD_LIST_AT). */
#define ELEMS(r, s, AT) pyhd__field_cursor((r), (s) + (AT))

/* An F64 slot (its IEEE 754 bits) as a double: where doubles are IEEE 754's
   binary64 (every platform CPython 3.11 and later builds on), the same bits;
   elsewhere through CPython's unpacker, from the 8 bytes one by one. */
static double slot_double(uint64_t bits)
{
#if FLT_RADIX == 2 && DBL_MANT_DIG == 53 && DBL_MAX_EXP == 1024 && DBL_MIN_EXP == -1021
    double x;
    _Static_assert(sizeof x == sizeof bits, "a binary64 double is 8 bytes");
    memcpy(&x, &bits, sizeof x);
    return x;
#else
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(bits >> (8 * i));
    return pyhd_float_unpack8(b);
#endif
}

/* A dumped position: -1 means unknown, which the records show as None. */
static PyObject *position(int64_t v)
{
    if (v < 0)
        Py_RETURN_NONE;
    return PyLong_FromLongLong(v);
}

/* pyhd_surrogates.NAME (borrowed), looked up at its first use in a load. */
static PyObject *sur_fn(struct rb *rb, const char *name)
{
    size_t i;
    /* Names are string literals: the same literal is usually the same pointer. */
    for (i = 0; i < rb->nsur_fns; i++)
        if (rb->sur_fns[i].name == name || !strcmp(rb->sur_fns[i].name, name))
            return rb->sur_fns[i].fn;
    if (i == SUR_FNS_MAX) {
        PyErr_Format(PyExc_SystemError, "rebuild.c calls more than %d pyhd_surrogates functions",
                     SUR_FNS_MAX);
        return NULL;
    }
    rb->sur_fns[i].fn = pyhd__getattr(rb->sur, name);
    if (!rb->sur_fns[i].fn)
        return NULL;
    rb->sur_fns[i].name = name;
    rb->nsur_fns++;
    return rb->sur_fns[i].fn;
}

static PyObject *sur_call(struct rb *rb, const char *name, PyObject *const *args, size_t n)
{
    PyObject *fn = sur_fn(rb, name);
    return fn ? PyObject_Vectorcall(fn, args, n, NULL) : NULL;
}

/* A pyhd_surrogates record (CodeRecord, FrameRecord, TracebackRecord) as its
   class's __init__ makes it with no arguments, every field of its _fields None
   until its fill sets them all (fill_code, fill_frame, fill_traceback), without
   a Python frame: object.__new__, then the fields in C. */
static PyObject *new_record(struct rb *rb, const char *name)
{
    PyObject *cls = sur_fn(rb, name), *fields, *obj;
    if (!cls)
        return NULL;
    if (!PyType_Check(cls) || ((PyTypeObject *)cls)->tp_new != PyBaseObject_Type.tp_new) {
        PyErr_Format(PyExc_TypeError, "pyhd_surrogates.%s is not a plain class", name);
        return NULL;
    }
    fields = pyhd__getattr(cls, "_fields");
    if (!fields)
        return NULL;
    obj = PyTuple_Check(fields) ? PyBaseObject_Type.tp_new((PyTypeObject *)cls, rb->empty, NULL)
                                : NULL;
    if (!obj && !PyErr_Occurred())
        PyErr_Format(PyExc_TypeError, "pyhd_surrogates.%s._fields is not a tuple", name);
    for (Py_ssize_t i = 0; obj && i < PyTuple_GET_SIZE(fields); i++) {
        if (PyObject_SetAttr(obj, PyTuple_GET_ITEM(fields, i), Py_None) < 0)
            Py_CLEAR(obj);
    }
    Py_DECREF(fields);
    return obj;
}

/* ------------------------------------------------------------------------ */
/* Builtin values */

static PyObject *make_truncated(struct rb *rb, const char *kind, PyObject *value, uint64_t more)
{
    PyObject *args[3] = {NULL, value ? value : Py_None, NULL};
    PyObject *result = NULL;
    rb->truncated = 1;
    args[0] = PyUnicode_FromString(kind);
    args[2] = PyLong_FromUnsignedLongLong(more);
    if (args[0] && args[2])
        result = sur_call(rb, "make_truncated", args, 3);
    Py_XDECREF(args[0]);
    Py_XDECREF(args[2]);
    return result;
}

/* Little-endian code units (STRDATA slots s) to a str; copies through an aligned buffer. */
static PyObject *decode_str(const struct pyhd_record *r, const uint64_t *f, uint64_t *more)
{
    unsigned width = (unsigned)f[PYHD_STR_WIDTH];
    size_t count = (size_t)f[PYHD_STR_COUNT];
    const unsigned char *p = r->payload + f[PYHD_STR_AT];
    PyObject *s;
    *more = f[PYHD_STR_LENGTH] - count;
    if (width == 1)
        return PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, p, (Py_ssize_t)count);
    if (width == 2) {
        Py_UCS2 *units = PyMem_Malloc(count ? count * 2 : 1);
        if (!units)
            return PyErr_NoMemory();
        for (size_t i = 0; i < count; i++)
            units[i] = (Py_UCS2)(p[2 * i] | p[2 * i + 1] << 8);
        s = PyUnicode_FromKindAndData(PyUnicode_2BYTE_KIND, units, (Py_ssize_t)count);
        PyMem_Free(units);
        return s;
    }
    {
        Py_UCS4 *units = PyMem_Malloc(count ? count * 4 : 1);
        if (!units)
            return PyErr_NoMemory();
        for (size_t i = 0; i < count; i++)
            units[i] = (Py_UCS4)p[4 * i] | (Py_UCS4)p[4 * i + 1] << 8 |
                       (Py_UCS4)p[4 * i + 2] << 16 | (Py_UCS4)p[4 * i + 3] << 24;
        s = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, units, (Py_ssize_t)count);
        PyMem_Free(units);
        return s;
    }
}

/* The fields of a BIGINT at f. */
static PyObject *decode_bigint(const struct pyhd_record *r, const uint64_t *f)
{
    const uint64_t *mag_at = f + PYHD_S_BIGINT_magnitude;
    PyObject *mag, *neg;
    mag = pyhd_long_from_bytes(r->payload + mag_at[PYHD_TEXT_AT], (size_t)mag_at[PYHD_TEXT_LEN],
                               0);
    if (!mag || !f[PYHD_S_BIGINT_sign])
        return mag;
    neg = PyNumber_Negative(mag);
    Py_DECREF(mag);
    return neg;
}

static PyObject *decode_float(const uint64_t *f)
{
    double x = slot_double(f[PYHD_S_FLOAT_value]);
    if (x == -1.0 && PyErr_Occurred())
        return NULL;
    return PyFloat_FromDouble(x);
}

static PyObject *decode_complex(const uint64_t *f)
{
    double re, im;
    re = slot_double(f[PYHD_S_COMPLEX_real]);
    if (re == -1.0 && PyErr_Occurred())
        return NULL;
    im = slot_double(f[PYHD_S_COMPLEX_imag]);
    if (im == -1.0 && PyErr_Occurred())
        return NULL;
    return PyComplex_FromDoubles(re, im);
}

static int dump_error_here(struct rb *rb, const char *what)
{
    return dump_error(rb->g, &rb->g->objects[rb->current - 1], what);
}

/*
 * The bounds on keys (rebuild_bounds.h): *key receives a new reference to
 * the object of id, or to a stand-in when it is nested too deep to hash
 * here. census counts the hashes of a large container's keys and refuses
 * a flood of equal ones (DumpError naming the record being made or filled).
 */
static int bound_key(struct rb *rb, uint64_t id, struct pyhd_hash_census *census,
                     PyObject **key)
{
    PyObject *obj = ref(rb, id);
    Py_hash_t hash;
    if (rb->depth[id] > PYHD_MAX_HASH_DEPTH) {
        *key = sur_call(rb, "UnhashableKey", &obj, 1);
        return *key ? 0 : -1;
    }
    *key = Py_NewRef(obj);
    if (!census || !pyhd__census_active(census))
        return 0;
    hash = PyObject_Hash(obj);
    if (hash == -1 && PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_TypeError)) {
            Py_CLEAR(*key);
            return -1;
        }
        PyErr_Clear();  /* unhashable here: the insertion wraps it */
        return 0;
    }
    pyhd__census_add(census, (int64_t)hash);
    if (census->highest > PYHD_MAX_COLLISIONS) {
        char what[120];
        snprintf(what, sizeof what, "more than %u keys with one hash value (a hash flood)",
                 PYHD_MAX_COLLISIONS);
        Py_CLEAR(*key);
        return dump_error_here(rb, what);
    }
    return 0;
}

/*
 * Whether item hashes here as it did in the program, so that a set of such
 * items can iterate in the dumped order (set_order.h): ints and floats; strs,
 * bytes and enum members (which hash by their names) when this interpreter has
 * the dump's hash seed (rb->seeded); tuples of those.
 */
static int hashes_as_dumped(struct rb *rb, PyObject *item, int depth)
{
    hashfunc h = Py_TYPE(item)->tp_hash;
    PyObject *found;
    int named;
    if (h == PyLong_Type.tp_hash || h == PyFloat_Type.tp_hash || item == Py_None)
        return 1;  /* ints, bools, floats and their subclasses (IntEnum, IntFlag) */
    if (h == PyUnicode_Type.tp_hash || h == PyBytes_Type.tp_hash)
        return rb->seeded;  /* strs, bytes and their subclasses (StrEnum) */
    if (rb->seeded && PyObject_TypeCheck(item, (PyTypeObject *)rb->enum_meta) == 0 &&
        PyObject_TypeCheck((PyObject *)Py_TYPE(item), (PyTypeObject *)rb->enum_meta)) {
        /* An enum member hashed by its name: Enum's own hash, or ours for a program's. */
        found = pyhd__getattr((PyObject *)Py_TYPE(item), "__hash__");
        named = found == rb->enum_hash || found == rb->member_hash;
        Py_XDECREF(found);
        PyErr_Clear();
        return named;
    }
    if (PyTuple_CheckExact(item) && depth < 2) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(item); i++)
            if (!hashes_as_dumped(rb, PyTuple_GET_ITEM(item, i), depth + 1))
                return 0;
        return 1;
    }
    return 0;
}

/* *set (a set, or a frozenset no one else holds yet, which may be replaced) made
   again in the dumped order where its items allow it (set_order.h). 0, or -1. */
static int set_in_dumped_order(struct rb *rb, PyObject **set, const struct pyhd_record *r,
                               const uint64_t *s)
{
    uint64_t n = s[PYHD_SEQ_N];
    struct pyhd_cursor c = ELEMS(r, s, PYHD_SEQ_AT);
    PyObject **order;
    int rc = 0;
    if (n < 2 || s[PYHD_SEQ_LENGTH] != n || PySet_GET_SIZE(*set) != (Py_ssize_t)n)
        return 0;  /* cut short, or items that went in wrapped (UnhashableKey) */
    for (uint64_t i = 0; i < n; i++)
        if (!hashes_as_dumped(rb, ref(rb, rd_id(&c)), 0))
            return 0;  /* most sets (of strs, without the dump's seed) stop at once */
    c = ELEMS(r, s, PYHD_SEQ_AT);
    order = PyMem_New(PyObject *, (size_t)n);
    if (!order) {
        PyErr_NoMemory();
        return -1;
    }
    for (uint64_t i = 0; i < n; i++)
        order[i] = ref(rb, rd_id(&c));  /* borrowed: rb->objs holds them */
    rc = pyhd__set_in_order(set, order, (Py_ssize_t)n, &rb->set_order_work);
    PyMem_Free(order);
    return rc < 0 ? -1 : 0;
}

/* Add item id to a set or frozenset; an item that cannot be hashed here gets wrapped. */
static int set_add(struct rb *rb, PyObject *set, uint64_t id, struct pyhd_hash_census *census)
{
    PyObject *item = NULL, *wrapped;
    int rc;
    if (bound_key(rb, id, census, &item) < 0)
        return -1;
    rc = PySet_Add(set, item);
    if (rc == 0 || !PyErr_ExceptionMatches(PyExc_TypeError)) {
        Py_DECREF(item);
        return rc;
    }
    PyErr_Clear();
    wrapped = sur_call(rb, "UnhashableKey", &item, 1);
    Py_DECREF(item);
    if (!wrapped)
        return -1;
    rc = PySet_Add(set, wrapped);
    Py_DECREF(wrapped);
    return rc;
}

/* d[key] = value; generic goes through the type (an OrderedDict keeps its order). */
static int dict_set(struct rb *rb, PyObject *d, uint64_t key_id, PyObject *value, int generic,
                    struct pyhd_hash_census *census)
{
    PyObject *key = NULL, *wrapped;
    int rc;
    if (!generic && !pyhd__census_active(census) && rb->depth[key_id] <= PYHD_MAX_HASH_DEPTH) {
        /* Most keys: within the bounds without counting (bound_key() would make a new
           reference to the key and return it), and hashable here. */
        rc = PyDict_SetItem(d, ref(rb, key_id), value);
        if (rc == 0 || !PyErr_ExceptionMatches(PyExc_TypeError))
            return rc;
        PyErr_Clear();
    }
    if (bound_key(rb, key_id, census, &key) < 0)
        return -1;
    rc = generic ? PyObject_SetItem(d, key, value) : PyDict_SetItem(d, key, value);
    if (rc == 0 || !PyErr_ExceptionMatches(PyExc_TypeError)) {
        Py_DECREF(key);
        return rc;
    }
    PyErr_Clear();
    wrapped = sur_call(rb, "UnhashableKey", &key, 1);
    Py_DECREF(key);
    if (!wrapped)
        return -1;
    rc = generic ? PyObject_SetItem(d, wrapped, value) : PyDict_SetItem(d, wrapped, value);
    Py_DECREF(wrapped);
    return rc;
}

/*
 * The items (ITEMS slots s, made already) of a TUPLE as a tuple; *depth
 * receives the deepest nesting depth of its items (bound_nesting()), read
 * in the same pass. A tuple of objects the collector does not track cannot
 * be part of a cycle: the collector's next pass would stop tracking it (as
 * it does every such tuple, _PyTuple_MaybeUntrack); untracked here, that
 * pass, which walks every object made, has fewer to walk.
 */
static PyObject *decode_items_tuple(struct rb *rb, const struct pyhd_record *r,
                                    const uint64_t *s, uint64_t *more, uint32_t *depth)
{
    uint64_t orig = s[PYHD_SEQ_LENGTH], n = s[PYHD_SEQ_N];
    struct pyhd_cursor c = ELEMS(r, s, PYHD_SEQ_AT);
    uint32_t deepest = 0;
    int untrack = 1;
    PyObject *t = PyTuple_New((Py_ssize_t)n);
    if (!t)
        return NULL;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t id = rd_id(&c);
        PyObject *item = ref(rb, id);
        if (rb->depth[id] > deepest)
            deepest = rb->depth[id];
        if (untrack && PyObject_IS_GC(item) &&
            (!PyTuple_CheckExact(item) || PyObject_GC_IsTracked(item)))
            untrack = 0;
        Py_INCREF(item);
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, item);
    }
    if (untrack)
        PyObject_GC_UnTrack(t);
    *more = orig - n;
    *depth = deepest;
    return t;
}

static PyObject *decode_frozenset(struct rb *rb, const struct pyhd_record *r,
                                  const uint64_t *s, uint64_t *more)
{
    uint64_t orig = s[PYHD_SEQ_LENGTH], n = s[PYHD_SEQ_N];
    struct pyhd_cursor c = ELEMS(r, s, PYHD_SEQ_AT);
    struct pyhd_hash_census census;
    /* A brand-new frozenset may be filled with PySet_Add before anyone sees it. */
    PyObject *fs = PyFrozenSet_New(NULL);
    if (!fs)
        return NULL;
    if (pyhd__census_init(&census, n) < 0) {
        Py_DECREF(fs);
        return PyErr_NoMemory();
    }
    for (uint64_t i = 0; i < n; i++) {
        if (set_add(rb, fs, rd_id(&c), &census) < 0) {
            Py_CLEAR(fs);
            break;
        }
    }
    pyhd__census_free(&census);
    if (fs && set_in_dumped_order(rb, &fs, r, s) < 0)
        Py_CLEAR(fs);
    *more = orig - n;
    return fs;
}

/*
 * The value of an immutable builtin payload of kind (STR .. FROZENSET, not
 * the mutable ones) in record r, whose fields' slots are f (r's own, or
 * those of a SUBCLASS's base), with *more the count cut from it.
 */
static PyObject *decode_value(struct rb *rb, const struct pyhd_record *r, unsigned kind,
                              const uint64_t *f, uint64_t *more)
{
    const uint64_t *d = f + PYHD_S_BYTES_data;  /* BYTEARRAY's is the same slot */
    uint32_t depth;
    *more = 0;
    switch (kind) {
    case PYHD_REC_INT:
        return PyLong_FromLongLong((int64_t)f[PYHD_S_INT_value]);
    case PYHD_REC_BIGINT:
        return decode_bigint(r, f);
    case PYHD_REC_FLOAT:
        return decode_float(f);
    case PYHD_REC_COMPLEX:
        return decode_complex(f);
    case PYHD_REC_STR:
        return decode_str(r, f + PYHD_S_STR_text, more);
    case PYHD_REC_BYTES:
    case PYHD_REC_BYTEARRAY: {
        const char *p = (const char *)r->payload + d[PYHD_DATA_AT];
        Py_ssize_t n = (Py_ssize_t)d[PYHD_DATA_STORED];
        *more = d[PYHD_DATA_LENGTH] - d[PYHD_DATA_STORED];
        return kind == PYHD_REC_BYTES ? PyBytes_FromStringAndSize(p, n)
                                      : PyByteArray_FromStringAndSize(p, n);
    }
    case PYHD_REC_TUPLE:
        return decode_items_tuple(rb, r, f + PYHD_S_TUPLE_items, more, &depth);
    case PYHD_REC_FROZENSET:
        return decode_frozenset(rb, r, f + PYHD_S_FROZENSET_items, more);
    default:
        PyErr_Format(PyExc_SystemError, "pyhd: decode_value of kind 0x%02x", kind);
        return NULL;
    }
}

static const char *truncated_kind_name(unsigned kind)
{
    switch (kind) {
    case PYHD_REC_STR: return "str";
    case PYHD_REC_BYTES: return "bytes";
    case PYHD_REC_BYTEARRAY: return "bytearray";
    case PYHD_REC_TUPLE: return "tuple";
    case PYHD_REC_LIST: return "list";
    case PYHD_REC_SET: return "set";
    case PYHD_REC_FROZENSET: return "frozenset";
    default: return "dict";
    }
}

/* ------------------------------------------------------------------------ */
/* Hard dependencies */

static inline int push(struct rb *rb, uint64_t id)
{
    if (rb->nstack == rb->capstack) {
        size_t ncap = rb->capstack ? rb->capstack * 2 : 256;
        uint64_t *n = PyMem_Realloc(rb->stack, ncap * sizeof *n);
        if (!n) {
            PyErr_NoMemory();
            return -1;
        }
        rb->stack = n;
        rb->capstack = ncap;
    }
    rb->stack[rb->nstack++] = id;
    return 0;
}

static int push_dep(struct rb *rb, const struct pyhd_record *r, uint64_t dep)
{
    if (rb->measuring) {
        if (dep && rb->depth[dep] > rb->deps_depth)
            rb->deps_depth = rb->depth[dep];
        return 0;
    }
    if (dep == 0 || rb->state[dep] == MADE)
        return 0;
    if (rb->state[dep] == EXPANDING)
        return dump_error(rb->g, r, "a cycle of immutable objects (no Python program makes one)");
    return push(rb, dep);
}

/* Push the items (ITEMS slots s) of a TUPLE or FROZENSET payload. */
static int push_items(struct rb *rb, const struct pyhd_record *r, const uint64_t *s)
{
    struct pyhd_cursor c = ELEMS(r, s, PYHD_SEQ_AT);
    for (uint64_t i = 0; i < s[PYHD_SEQ_N]; i++) {
        if (push_dep(rb, r, rd_id(&c)) < 0)
            return -1;
    }
    return 0;
}

/* Whether STR object id is the latin-1 text name. */
static int str_is(const struct pyhd_decoded *g, uint64_t id, const char *name)
{
    const struct pyhd_record *s = pyhd__decode_obj(g, id);
    size_t n = strlen(name);
    return s && s->kind == PYHD_REC_STR && s->len == n + 2 && s->payload[0] == 1 &&
           s->payload[1] == n && !memcmp(s->payload + 2, name, n);
}

/*
 * The value id of the pair whose name is the STR name in a PAIRS or MAP
 * field (its slots s; AT is where its elements start, n how many), or 0.
 */
static uint64_t pair_value(const struct pyhd_decoded *g, const struct pyhd_record *r,
                           const uint64_t *s, unsigned AT, uint64_t n, const char *name)
{
    struct pyhd_cursor c = ELEMS(r, s, AT);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t k = rd_id(&c), v = rd_id(&c);
        if (str_is(g, k, name))
            return v;
    }
    return 0;
}

/* The value id of the C-level field name of an EXCEPTION record, or 0. */
static uint64_t exception_field(const struct pyhd_decoded *g, const struct pyhd_record *r,
                                const char *name)
{
    const uint64_t *s = SLOTS(r, EXCEPTION, field);
    return pair_value(g, r, s, PYHD_LIST_AT, s[PYHD_LIST_N], name);
}

/*
 * Whether the locals or globals of some FRAME record hold a CODE record as a
 * value (a variable bound to a code object): only then does finish_roots
 * look through the frames' namespaces for one to make a real code object.
 * Each DICT is read once (seen: a bit per id), so the answer costs at most a
 * pass over the graph's namespaces. -1 with an exception set when out of memory.
 */
static int frames_hold_code(const struct rb *rb)
{
    const struct pyhd_decoded *g = rb->g;
    unsigned char *seen = NULL;
    int found = 0;
    for (size_t i = 0; i < g->nlater_ids && !found; i++) {
        const struct pyhd_record *r = &g->objects[g->later_ids[i] - 1];
        uint64_t ns[2];
        if (r->kind != PYHD_REC_FRAME || !r->f)
            continue;
        if (!seen && !(seen = PyMem_Calloc(g->nobjects / 8 + 1, 1))) {
            PyErr_NoMemory();
            return -1;
        }
        ns[0] = FLD(r, FRAME, locals);
        ns[1] = FLD(r, FRAME, globals);
        for (int k = 0; k < 2 && !found; k++) {
            const struct pyhd_record *d = pyhd__decode_obj(g, ns[k]);
            const uint64_t *sl;
            struct pyhd_cursor c;
            if (!d || d->kind != PYHD_REC_DICT || !d->f || (seen[ns[k] / 8] & (1u << ns[k] % 8)))
                continue;
            seen[ns[k] / 8] |= (unsigned char)(1u << ns[k] % 8);
            sl = SLOTS(d, DICT, items);
            c = ELEMS(d, sl, PYHD_SEQ_AT);
            for (uint64_t j = 0; j < sl[PYHD_SEQ_N]; j++) {
                const struct pyhd_record *v;
                (void)rd_id(&c);
                v = pyhd__decode_obj(g, rd_id(&c));
                if (v && v->kind == PYHD_REC_CODE) {
                    found = 1;
                    break;
                }
            }
        }
    }
    PyMem_Free(seen);
    return found;
}

/* The id of the value of key name in the DICT record dict_id, or 0. */
static uint64_t dict_value_id(const struct pyhd_decoded *g, uint64_t dict_id, const char *name)
{
    const struct pyhd_record *d = pyhd__decode_obj(g, dict_id);
    const uint64_t *s;
    if (!d || d->kind != PYHD_REC_DICT)
        return 0;
    s = SLOTS(d, DICT, items);
    return pair_value(g, d, s, PYHD_SEQ_AT, s[PYHD_SEQ_N], name);
}

/*
 * The id of a CLASS record's __slots__ attribute when it is a STR or a TUPLE
 * (of names, checked by pyhd_surrogates), else 0: a class needs its slots
 * when it is made, before its attributes are filled in.
 */
static uint64_t class_slots_id(const struct pyhd_decoded *g, const struct pyhd_record *r)
{
    uint64_t slots = dict_value_id(g, FLD(r, CLASS, attrs), "__slots__");
    const struct pyhd_record *v = pyhd__decode_obj(g, slots);
    return v && (v->kind == PYHD_REC_STR || v->kind == PYHD_REC_TUPLE) ? slots : 0;
}

/*
 * A FUNCTION record's closure (a TUPLE id, or 0) and its code's freevars (a
 * TUPLE id, or 0): a function gets its closure cells when it is made.
 */
static void function_closure(const struct pyhd_decoded *g, const struct pyhd_record *r,
                             uint64_t *closure, uint64_t *freevars)
{
    const struct pyhd_record *code = pyhd__decode_obj(g, FLD(r, FUNCTION, code)), *t;
    *closure = *freevars = 0;
    t = pyhd__decode_obj(g, FLD(r, FUNCTION, closure));  /* 0 when absent (version 1) */
    if (!t || t->kind != PYHD_REC_TUPLE || !code || code->kind != PYHD_REC_CODE)
        return;
    t = pyhd__decode_obj(g, FLD(code, CODE, freevars));
    if (!t || t->kind != PYHD_REC_TUPLE)
        return;
    *closure = FLD(r, FUNCTION, closure);
    *freevars = FLD(code, CODE, freevars);
}

static int push_c_object_deps(struct rb *rb, const struct pyhd_record *r);

/* Push the ids a, b, c (0: none) that r cannot exist without. */
static int push3(struct rb *rb, const struct pyhd_record *r, uint64_t a, uint64_t b, uint64_t c)
{
    return push_dep(rb, r, a) < 0 || push_dep(rb, r, b) < 0 || push_dep(rb, r, c) < 0 ? -1 : 0;
}

/* The kinds push_deps() pushes dependencies for: a kind added there is added here. */
static inline int kind_has_hard_deps(unsigned kind)
{
    switch (kind) {
    case PYHD_REC_TUPLE: case PYHD_REC_FROZENSET: case PYHD_REC_RANGE: case PYHD_REC_SLICE:
    case PYHD_REC_CLASS: case PYHD_REC_METHOD: case PYHD_REC_FUNCTION: case PYHD_REC_INSTANCE:
    case PYHD_REC_WEAKREF: case PYHD_REC_BUFFER: case PYHD_REC_SUBCLASS:
    case PYHD_REC_EXCEPTION: case PYHD_REC_REDUCED: case PYHD_REC_DATETIME:
    case PYHD_REC_OPAQUE: case PYHD_REC_PARTIAL: case PYHD_REC_MATCH: case PYHD_REC_LOCK: case PYHD_REC_FILE:
    case PYHD_REC_FUTURE: case PYHD_REC_NDARRAY: case PYHD_REC_DTYPE:
        return 1;
    default:
        return 0;
    }
}

/* Push the ids r cannot exist without (kind_has_hard_deps() lists the kinds that have
   some; a record of a kind without slots has none). */
static int push_deps(struct rb *rb, const struct pyhd_record *r)
{
    const uint64_t *base;
    switch (r->f ? r->kind : 0) {
    case PYHD_REC_TUPLE:
        return push_items(rb, r, SLOTS(r, TUPLE, items));
    case PYHD_REC_FROZENSET:
        return push_items(rb, r, SLOTS(r, FROZENSET, items));
    case PYHD_REC_RANGE:
        return push3(rb, r, FLD(r, RANGE, start), FLD(r, RANGE, stop), FLD(r, RANGE, step));
    case PYHD_REC_SLICE:
        return push3(rb, r, FLD(r, SLICE, start), FLD(r, SLICE, stop), FLD(r, SLICE, step));
    case PYHD_REC_CLASS:
        return push3(rb, r, FLD(r, CLASS, name), FLD(r, CLASS, qualname), FLD(r, CLASS, module))
                       < 0 ||
               push3(rb, r, FLD(r, CLASS, bases), class_slots_id(rb->g, r),
                     FLD(r, CLASS, metaclass)) < 0 ? -1 : 0;
    case PYHD_REC_METHOD:
        return push3(rb, r, FLD(r, METHOD, function), FLD(r, METHOD, self), 0);
    case PYHD_REC_FUNCTION: {
        uint64_t closure = 0, freevars = 0;
        if (push3(rb, r, FLD(r, FUNCTION, name), FLD(r, FUNCTION, qualname),
                  FLD(r, FUNCTION, module)) < 0)
            return -1;
        function_closure(rb->g, r, &closure, &freevars);
        /* A builtin function is bound to its self when it is made. */
        return push3(rb, r, closure, freevars, FLD(r, FUNCTION, self));
    }
    case PYHD_REC_INSTANCE:
        return push_dep(rb, r, FLD(r, INSTANCE, class));
    case PYHD_REC_WEAKREF:
        return push_dep(rb, r, FLD(r, WEAKREF, class));
    case PYHD_REC_BUFFER:
        return push_dep(rb, r, FLD(r, BUFFER, class));
    case PYHD_REC_SUBCLASS:
        if (push_dep(rb, r, FLD(r, SUBCLASS, class)) < 0)
            return -1;
        base = SLOTS(r, SUBCLASS, base);
        if (base[PYHD_BASE_KIND] == PYHD_REC_TUPLE || base[PYHD_BASE_KIND] == PYHD_REC_FROZENSET)
            return push_items(rb, r, base + PYHD_BASE_FIELDS + PYHD_S_TUPLE_items);
        if (base[PYHD_BASE_KIND] == PYHD_REC_DATETIME)
            return push3(rb, r, base[PYHD_BASE_FIELDS + PYHD_S_DATETIME_class],
                         base[PYHD_BASE_FIELDS + PYHD_S_DATETIME_tzinfo], 0);
        return 0;
    case PYHD_REC_EXCEPTION:
        /* An exception group cannot exist without its message and exceptions. */
        return push3(rb, r, FLD(r, EXCEPTION, class), exception_field(rb->g, r, "message"),
                     exception_field(rb->g, r, "exceptions"));
    case PYHD_REC_REDUCED:
        return push3(rb, r, FLD(r, REDUCED, class), FLD(r, REDUCED, args), 0);
    case PYHD_REC_DATETIME:
        return push3(rb, r, FLD(r, DATETIME, class), FLD(r, DATETIME, tzinfo), 0);
    case PYHD_REC_OPAQUE:
        return push3(rb, r, FLD(r, OPAQUE, class), FLD(r, OPAQUE, repr), FLD(r, OPAQUE, reason));
    case PYHD_REC_PARTIAL:
    case PYHD_REC_MATCH:
    case PYHD_REC_LOCK:
    case PYHD_REC_FILE:
    case PYHD_REC_FUTURE:
    case PYHD_REC_NDARRAY:
    case PYHD_REC_DTYPE:
        return push_c_object_deps(rb, r);
    default:
        return 0;
    }
}

static int ensure(struct rb *rb, uint64_t id);

/* ------------------------------------------------------------------------ */
/* Making each kind */

/* Whether a dumped str has no NUL (type() refuses one in a name). */
static int str_without_nul(PyObject *s)
{
    Py_ssize_t n;
    if (!PyUnicode_CheckExact(s))
        return 0;
    n = PyUnicode_GET_LENGTH(s);
    return PyUnicode_FindChar(s, 0, 0, n, 1) == -1;
}

static int is_surrogate_class(struct rb *rb, PyObject *cls);

/*
 * Whether the CLASS record r (args: its name, qualname, module and bases,
 * rebuilt; not in the trust table) is a plain class of the program, which
 * pyhd_surrogates.make_class would make with one type() call of those bases:
 * no --trust, no __slots__ or metaclass, named by str without NUL, of a
 * module other than numpy (whose ndarray and scalars are real when numpy
 * imports), and its bases () or (object,) (PLAIN_OBJECT), or classes this
 * load made that type() made, none a metaclass (PLAIN_SUBCLASS), one of them
 * an exception if the class is one (make_class would add Exception).
 */
enum { NOT_PLAIN = 0, PLAIN_OBJECT = 1, PLAIN_SUBCLASS = 2 };

static int is_plain_class(struct rb *rb, const struct pyhd_record *r, PyObject *const *args)
{
    PyObject *bases = args[3];
    Py_ssize_t n;
    int exception = (FLD(r, CLASS, flags) & PYHD_CLASS_EXCEPTION) != 0, has_exception = 0;
    if (rb->trust || FLD(r, CLASS, metaclass) != 0 || class_slots_id(rb->g, r) != 0)
        return NOT_PLAIN;
    if (!str_without_nul(args[0]) || !str_without_nul(args[1]) || !PyUnicode_CheckExact(args[2]) ||
        PyUnicode_CompareWithASCIIString(args[2], "numpy") == 0 || !PyTuple_CheckExact(bases))
        return NOT_PLAIN;
    n = PyTuple_GET_SIZE(bases);
    if (n == 0 || (n == 1 && PyTuple_GET_ITEM(bases, 0) == (PyObject *)&PyBaseObject_Type))
        return exception ? NOT_PLAIN : PLAIN_OBJECT;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *b = PyTuple_GET_ITEM(bases, i);
        if (!PyType_Check(b) || Py_TYPE(b) != &PyType_Type ||
            PyType_IsSubtype((PyTypeObject *)b, &PyType_Type) || !is_surrogate_class(rb, b))
            return NOT_PLAIN;
        has_exception |= PyType_IsSubtype((PyTypeObject *)b,
                                          (PyTypeObject *)PyExc_BaseException);
    }
    return exception && !has_exception ? NOT_PLAIN : PLAIN_SUBCLASS;
}

/*
 * The trust table's class named module.qualname (pyhd__trust_resolve), noted
 * in _how with the table's word for how it is rebuilt; NULL with no exception
 * set when the table has no such class. The answers, none included, are kept
 * in pyhd_surrogates._trusted (a dict, (module, qualname) -> (class, word) or
 * None) for the next loads: the table is searched by name and its module
 * looked up each time otherwise. At most TRUSTED_MAX names are kept: a
 * program's own classes are answered none, and a hostile dump names any
 * number. New reference, or NULL.
 */
#define TRUSTED_MAX 4096

static PyObject *trusted_class(struct rb *rb, PyObject *module, PyObject *qualname)
{
    PyObject *cache = sur_fn(rb, "_trusted"), *key, *found, *cls = NULL, *how = NULL;
    enum pyhd_trust_how word;
    if (!cache)
        return NULL;
    if (!PyDict_Check(cache) || !PyUnicode_CheckExact(module) ||
        !PyUnicode_CheckExact(qualname)) {
        /* (Names of another type are none of the table's.) */
        cls = pyhd__trust_resolve(module, qualname, &word);
        how = cls ? Py_XNewRef(pyhd__interned(pyhd__trust_how_name(word))) : NULL;
        goto note;
    }
    key = PyTuple_Pack(2, module, qualname);
    found = key ? PyDict_GetItemWithError(cache, key) : NULL;  /* borrowed */
    if (found && PyTuple_CheckExact(found) && PyTuple_GET_SIZE(found) == 2) {
        cls = Py_NewRef(PyTuple_GET_ITEM(found, 0));
        how = Py_NewRef(PyTuple_GET_ITEM(found, 1));
    } else if (!found && key && !PyErr_Occurred()) {
        cls = pyhd__trust_resolve(module, qualname, &word);
        how = cls ? Py_XNewRef(pyhd__interned(pyhd__trust_how_name(word))) : NULL;
        if ((!cls || how) && !PyErr_Occurred() && PyDict_GET_SIZE(cache) < TRUSTED_MAX) {
            PyObject *value = cls ? PyTuple_Pack(2, cls, how) : Py_NewRef(Py_None);
            if (!value || PyDict_SetItem(cache, key, value) < 0)
                Py_CLEAR(cls);
            Py_XDECREF(value);
        }
    }
    Py_XDECREF(key);
note:
    if (cls && (!how || PyDict_SetItem(rb->how, cls, how) < 0))
        Py_CLEAR(cls);
    Py_XDECREF(how);
    return cls;
}

static PyObject *make_class(struct rb *rb, const struct pyhd_record *r)
{
    PyObject *args[8] = {NULL};
    PyObject *result;
    args[0] = ref(rb, FLD(r, CLASS, name));
    args[1] = ref(rb, FLD(r, CLASS, qualname));
    args[2] = ref(rb, FLD(r, CLASS, module));
    /* The trust table first, as pyhd_surrogates.make_class does, but without a call
       into Python: most classes a dump names are builtins or the standard library's. */
    {
        PyObject *cls = trusted_class(rb, args[2], args[1]);
        if (cls || PyErr_Occurred())
            return cls;
    }
    args[3] = ref(rb, FLD(r, CLASS, bases));
    switch (is_plain_class(rb, r, args)) {
    case PLAIN_OBJECT:
        /* Most classes of a program: pyhd_surrogates.plain_class, which is what
           make_class would come to, and its instances are made by object.__new__,
           which is what instance_class would say (instance_mode() asks no more). */
        result = sur_call(rb, "plain_class", args, 3);
        if (result && PyType_Check(result)) {
            rb->inst_cls[r->class_index] = Py_NewRef(result);
            rb->inst_mode[r->class_index] = INST_NEW_AND_DICT;
        }
        return result;
    case PLAIN_SUBCLASS:
        /* A subclass of the program's classes; bases type() refuses (their
           layouts or MROs conflict) are make_class's to settle. */
        result = sur_call(rb, "plain_class", args, 4);
        if (result || !PyErr_ExceptionMatches(PyExc_TypeError))
            return result;
        PyErr_Clear();
        break;
    default:
        break;
    }
    args[4] = PyLong_FromLong((long)FLD(r, CLASS, flags));
    args[5] = rb->trust ? Py_True : Py_False;
    args[6] = ref(rb, class_slots_id(rb->g, r));
    args[7] = ref(rb, FLD(r, CLASS, metaclass));
    if (!args[4])
        return NULL;
    result = sur_call(rb, "make_class", args, 8);
    Py_DECREF(args[4]);
    return result;
}

/*
 * pyhd_surrogates.instance_class(cls, trust) of a real class (the trust
 * table's, or one --trust imported): the class itself or its mirror_class(),
 * the same in every load while cls is rebuilt the same way (_how[cls]), so
 * kept in _instance_classes, keyed by (cls, trust, _how's word), for the
 * next loads. New reference, or NULL with an exception set.
 */
static PyObject *real_instance_class(struct rb *rb, PyObject *const *args)
{
    PyObject *cache = sur_fn(rb, "_instance_classes"), *mirrors = sur_fn(rb, "_mirrors");
    PyObject *how, *key = NULL, *cls = NULL;
    if (!cache || !mirrors)
        return NULL;
    if (!PyDict_Check(cache) || !PyDict_Check(mirrors)) {
        PyErr_SetString(PyExc_TypeError, "pyhd_surrogates._instance_classes or _mirrors "
                                         "is not a dict");
        return NULL;
    }
    how = PyDict_GetItemWithError(rb->how, args[0]);  /* borrowed */
    if (!how && PyErr_Occurred())
        return NULL;
    key = PyTuple_Pack(3, args[0], args[1], how ? how : Py_None);
    cls = key ? PyDict_GetItemWithError(cache, key) : NULL;
    if (cls || PyErr_Occurred()) {
        Py_XDECREF(key);
        return Py_XNewRef(cls);
    }
    cls = sur_call(rb, "instance_class", args, 2);
    /* Not a class made for this call (a plain stand-in): those are new each time. */
    if (cls && (cls == Py_None || cls == args[0] ||
                cls == PyDict_GetItemWithError(mirrors, args[0])) &&
        PyDict_SetItem(cache, key, cls) < 0)
        Py_CLEAR(cls);
    Py_DECREF(key);
    if (cls && PyErr_Occurred())
        Py_CLEAR(cls);
    return cls;
}

/* Decide, once per class, how its INSTANCE records are made. */
static int instance_mode(struct rb *rb, uint64_t class_id)
{
    size_t cls_slot = class_slot(rb, class_id);
    PyObject *args[2] = {rb->objs[class_id], rb->trust ? Py_True : Py_False};
    PyObject *cls;
    if (rb->inst_mode[cls_slot] != INST_UNKNOWN)
        return 0;
    cls = PyType_Check(args[0]) && !is_surrogate_class(rb, args[0])
          ? real_instance_class(rb, args)
          : sur_call(rb, "instance_class", args, 2);
    if (!cls)
        return -1;
    if (cls == Py_None) {
        Py_DECREF(cls);
        rb->inst_mode[cls_slot] = INST_ENUM;
    } else if (!PyType_Check(cls)) {
        Py_DECREF(cls);
        PyErr_SetString(PyExc_TypeError, "pyhd_surrogates.instance_class gave no class");
        return -1;
    } else {
        rb->inst_cls[cls_slot] = cls;
        /* A program enum's members hash by their name (_enum_member_hash): it is
           theirs from the start, before anything can hash them. */
        rb->inst_mode[cls_slot] = PyObject_TypeCheck(cls, (PyTypeObject *)rb->enum_meta)
                                  ? INST_NEW_NAMED : INST_NEW_AND_DICT;
    }
    return 0;
}

/* id when it is a STR record's, else 0. */
static uint64_t str_id(const struct pyhd_decoded *g, uint64_t id)
{
    const struct pyhd_record *s = pyhd__decode_obj(g, id);
    return s && s->kind == PYHD_REC_STR ? id : 0;
}

/* The id of the value of key "_name_" in the DICT record dict_id, or 0. */
static uint64_t enum_name_id(const struct pyhd_decoded *g, uint64_t dict_id)
{
    return str_id(g, dict_value_id(g, dict_id, "_name_"));
}

/*
 * Whether the INSTANCE being made takes DICT record dict_id, whole and made by
 * nothing yet, as its own __dict__: made by object.__new__ and then filled at
 * once (take_own_dict()), as python fills an instance's attributes right after
 * making it, so that the dict shares its class's keys (PEP 412) as the
 * program's did, at about half the memory of a dict of its own. Only for an
 * instance that make_one() makes at the top, with nothing else on the way
 * (being made, or waiting on the stack): the items it makes then cannot meet
 * an object half made. Not for an instance among those items: a chain of
 * instances would take as deep a C recursion as it is long.
 */
static int own_dict_wanted(struct rb *rb, uint64_t dict_id)
{
    const uint64_t *items;
    if (!rb->phases || rb->making != 1 || rb->nstack != 0 || rb->taking ||
        rb->state[dict_id] != UNSEEN)
        return 0;
    items = SLOTS(&rb->g->objects[dict_id - 1], DICT, items);
    /* A dict cut short is made as a stand-in (make()). */
    if (items[PYHD_SEQ_N] < items[PYHD_SEQ_LENGTH])
        return 0;
    rb->own_dict = dict_id;
    return 1;
}

static PyObject *make_instance(struct rb *rb, const struct pyhd_record *r)
{
    uint64_t class_id = FLD(r, INSTANCE, class), dict_id = FLD(r, INSTANCE, dict), name_id;
    size_t cls_slot = class_slot(rb, class_id);
    PyObject *args[2], *member, *cls;

    if (instance_mode(rb, class_id) < 0)
        return NULL;
    if (rb->inst_mode[cls_slot] == INST_NEW_NAMED) {
        PyObject *obj = PyBaseObject_Type.tp_new((PyTypeObject *)rb->inst_cls[cls_slot],
                                                 rb->empty, NULL);
        name_id = enum_name_id(rb->g, dict_id);
        if (obj && name_id && (ensure(rb, name_id) < 0 ||
                               PyObject_GenericSetAttr(obj, rb->name_name, rb->objs[name_id]) < 0))
            Py_CLEAR(obj);
        return obj;
    }
    if (rb->inst_mode[cls_slot] == INST_NEW_AND_DICT) {
        PyTypeObject *type = (PyTypeObject *)rb->inst_cls[cls_slot];
        /* A C type of the trust table (types.SimpleNamespace) refuses object.__new__:
           its own tp_new makes an empty one and runs no Python code. */
        if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE) && type->tp_new &&
            type->tp_new != PyBaseObject_Type.tp_new)
            return type->tp_new(type, rb->empty, NULL);
        /* The dumped __dict__ is about to become its own (fill_attrs()): object.__new__
           would first give it empty attribute storage (3.11 and 3.12 do for a class
           whose instances keep their attributes inline), which setting __dict__ then
           turns into a dict and throws away. Allocated as object.__new__ does, without
           that; an abstract class keeps object.__new__'s refusal. */
        if ((type->tp_flags & Py_TPFLAGS_HEAPTYPE) && type->tp_alloc == PyType_GenericAlloc &&
            type->tp_new == PyBaseObject_Type.tp_new && type->tp_dictoffset != 0 &&
            !(type->tp_flags & Py_TPFLAGS_IS_ABSTRACT) && dict_id &&
            rb->g->objects[dict_id - 1].kind == PYHD_REC_DICT)
            return own_dict_wanted(rb, dict_id) ? PyBaseObject_Type.tp_new(type, rb->empty, NULL)
                                                : type->tp_alloc(type, 0);
        /* object.__new__: no __init__, no code of the program's. */
        return PyBaseObject_Type.tp_new(type, rb->empty, NULL);
    }
    /* A member of a standard-library enum is that member, found by its name. */
    name_id = enum_name_id(rb->g, dict_id);
    if (name_id && ensure(rb, name_id) < 0)
        return NULL;
    args[0] = rb->objs[class_id];
    args[1] = ref(rb, name_id);
    member = sur_call(rb, "enum_member", args, 2);
    if (member != Py_None)
        return member;
    Py_DECREF(member);
    cls = sur_call(rb, "mirror_class", args, 1);
    if (!cls)
        return NULL;
    member = PyBaseObject_Type.tp_new((PyTypeObject *)cls, rb->empty, NULL);
    Py_DECREF(cls);
    return member;
}

static PyTypeObject *base_type(unsigned kind)
{
    switch (kind) {
    case PYHD_REC_STR: return &PyUnicode_Type;
    case PYHD_REC_BYTES: return &PyBytes_Type;
    case PYHD_REC_BYTEARRAY: return &PyByteArray_Type;
    case PYHD_REC_INT:
    case PYHD_REC_BIGINT: return &PyLong_Type;
    case PYHD_REC_FLOAT: return &PyFloat_Type;
    case PYHD_REC_COMPLEX: return &PyComplex_Type;
    case PYHD_REC_TUPLE: return &PyTuple_Type;
    case PYHD_REC_LIST: return &PyList_Type;
    case PYHD_REC_SET: return &PySet_Type;
    case PYHD_REC_FROZENSET: return &PyFrozenSet_Type;
    default: return &PyDict_Type;
    }
}

/* Whether cls is a class pyhd_surrogates made: SURROGATES maps their ids to weak
   references, whose callbacks remove them as the classes die. */
static int is_surrogate_class(struct rb *rb, PyObject *cls)
{
    PyObject *key;
    int rc;
    /* Instances of one class come together: the last answer is kept (a class
       does not become one of them, or stop being one, during a load). */
    if (cls == rb->last_class)
        return rb->last_class_is_surrogate;
    key = PyLong_FromVoidPtr(cls);
    if (!key) {
        PyErr_Clear();
        return 0;
    }
    rc = PyDict_Contains(rb->surrogates, key);
    Py_DECREF(key);
    if (rc < 0)
        PyErr_Clear();
    Py_XSETREF(rb->last_class, Py_NewRef(cls));  /* held: its address is not reused */
    rb->last_class_is_surrogate = rc > 0;
    return rc > 0;
}

/* The value of a DATETIME payload at f (a record's slots, or a SUBCLASS's base): made in
   C (rebuild_values.c), or by make_reduced from the REDUCED args version 2 wrote, which
   gives a stand-in naming what it refused. */
static PyObject *datetime_value(struct rb *rb, const uint64_t *f)
{
    const uint64_t *fields = f + PYHD_S_DATETIME_year;
    uint64_t tz_id = f[PYHD_S_DATETIME_tzinfo];
    PyObject *args[2], *result;
    args[0] = rb->objs[f[PYHD_S_DATETIME_class]];
    result = pyhd__values_make_datetime(&rb->values, args[0], fields,
                                        tz_id ? rb->objs[tz_id] : NULL);
    if (result)
        return result;
    args[1] = pyhd__values_datetime_args(args[0], fields, tz_id ? rb->objs[tz_id] : NULL);
    if (!args[1])
        return NULL;
    result = sur_call(rb, "make_reduced", args, 2);
    Py_DECREF(args[1]);
    return result;
}

static PyObject *make_subclass(struct rb *rb, const struct pyhd_record *r)
{
    PyObject *cls = rb->objs[FLD(r, SUBCLASS, class)];
    PyObject *value = NULL, *args = NULL, *obj = NULL;
    const uint64_t *b = SLOTS(r, SUBCLASS, base), *items = b + PYHD_BASE_FIELDS;
    PyTypeObject *base;
    unsigned kind = (unsigned)b[PYHD_BASE_KIND];
    uint64_t more = 0;

    if (kind == PYHD_REC_DATETIME) {
        /* A Python subclass of date, time or datetime: made by the C base's own
           constructor (never the class's __new__) with the value's fields. */
        value = datetime_value(rb, items);
        if (!value || !PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, Py_TYPE(value)))
            return value;
        if (PyObject_TypeCheck(cls, (PyTypeObject *)rb->enum_meta) &&
            !is_surrogate_class(rb, cls)) {
            /* A real enum's member (a standard-library enum, or --trust's): its own. */
            PyObject *pair[2] = {cls, value};
            obj = sur_call(rb, "real_subclass_value", pair, 2);
            Py_DECREF(value);
            return obj;
        }
        obj = pyhd__values_datetime_as(&rb->values, cls, value);
        if (obj) {
            Py_DECREF(value);
            return obj;
        }
        if (PyErr_Occurred())
            PyErr_Clear();
        return value;  /* not made as the subclass: keep the value */
    }

    base = base_type(kind);
    if (kind == PYHD_REC_LIST || kind == PYHD_REC_SET || kind == PYHD_REC_DICT) {
        if (PyType_Check(cls) && PyType_IsSubtype((PyTypeObject *)cls, base)) {
            /* The class's own tp_new (a surrogate inherits the builtin one), else the base's. */
            obj = ((PyTypeObject *)cls)->tp_new((PyTypeObject *)cls, rb->empty, NULL);
            if (!obj) {
                PyErr_Clear();
                obj = base->tp_new((PyTypeObject *)cls, rb->empty, NULL);
            }
        } else {
            obj = PyObject_CallNoArgs((PyObject *)base);
        }
        /* LIST, SET and DICT keep their ITEMS or MAP slots in the same place. */
        if (items[PYHD_S_LIST_items + PYHD_SEQ_N] < items[PYHD_S_LIST_items + PYHD_SEQ_LENGTH])
            rb->truncated = 1;
        return obj;
    }
    value = decode_value(rb, r, kind, items, &more);
    if (!value)
        return NULL;
    if (more)
        rb->truncated = 1;
    if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, base))
        return value;  /* the class could not be made a subclass: keep the value */
    if (!is_surrogate_class(rb, cls)) {
        /* An enum looks its members up by value, hashing it: not one nested too deep. */
        if (rb->depth[rb->current] > PYHD_MAX_HASH_DEPTH)
            return value;
        /* A real class (a stdlib enum's member, a namedtuple): pyhd_surrogates decides. */
        PyObject *pair[2] = {cls, value};
        obj = sur_call(rb, "real_subclass_value", pair, 2);
        Py_DECREF(value);
        return obj;
    }
    args = PyTuple_Pack(1, value);
    if (args)
        obj = base->tp_new((PyTypeObject *)cls, args, NULL);
    /* bytearray takes its contents in __init__ (the builtin one, called directly). */
    if (obj && base == &PyByteArray_Type && base->tp_init(obj, args, NULL) < 0)
        Py_CLEAR(obj);
    Py_DECREF(value);
    Py_XDECREF(args);
    return obj;
}

static PyObject *make_exception(struct rb *rb, const struct pyhd_record *r)
{
    PyObject *cls = rb->objs[FLD(r, EXCEPTION, class)], *obj = NULL;
    PyTypeObject *type;

    if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls,
                                                (PyTypeObject *)PyExc_BaseException))
        cls = PyExc_Exception;
    type = (PyTypeObject *)cls;
#if PY_VERSION_HEX >= 0x030B0000
    if (PyType_IsSubtype(type, (PyTypeObject *)PyExc_BaseExceptionGroup)) {
        uint64_t msg = exception_field(rb->g, r, "message");
        uint64_t excs = exception_field(rb->g, r, "exceptions");
        PyObject *args = PyTuple_Pack(2, ref(rb, msg), ref(rb, excs));
        if (!args)
            return NULL;
        obj = type->tp_new(type, args, NULL);
        Py_DECREF(args);
        if (obj)
            return obj;
        /* A group cut by the walker may have lost its members: a plain exception will do. */
        PyErr_Clear();
        type = (PyTypeObject *)PyExc_Exception;
    }
#endif
    /* Empty args: OSError(2, ...) would pick a subclass; the dumped args come at fill. */
    obj = type->tp_new(type, rb->empty, NULL);
    if (!obj) {
        PyErr_Clear();
        type = (PyTypeObject *)PyExc_Exception;
        obj = type->tp_new(type, rb->empty, NULL);
    }
    return obj;
}

/*
 * The spec of a module built in or frozen (origin "built-in", "frozen", or
 * another str the dump gave), as ModuleSpec(name, loader, origin=origin):
 * pyhd_surrogates.module_spec() makes it, and keeps it in _module_specs for
 * the next loads (a new spec is Python code each time). Borrowed from the
 * cache, or a new reference in *owned; NULL with an exception set.
 */
static PyObject *module_spec(struct rb *rb, PyObject *name, PyObject *origin, PyObject **owned)
{
    PyObject *specs = sur_fn(rb, "_module_specs"), *key, *spec, *args[2] = {name, origin};
    *owned = NULL;
    if (!specs)
        return NULL;
    key = PyDict_Check(specs) ? PyTuple_Pack(2, name, origin) : NULL;
    spec = key ? PyDict_GetItemWithError(specs, key) : NULL;
    Py_XDECREF(key);
    if (spec || PyErr_Occurred())
        return spec;
    return *owned = sur_call(rb, "module_spec", args, 2);
}

/*
 * A real module object named as the dump says; its repr is the program's:
 * a module from a file gets the file at fill (__file__), one built in or
 * frozen (its origin, or no file and a name this python has built in) a
 * spec saying so. Noted in pyhd_surrogates._modules for finish_roots.
 */
static PyObject *make_module(struct rb *rb, const struct pyhd_record *r)
{
    uint64_t name_id = FLD(r, MODULE, name), file_id = 0, origin_id = 0;
    PyObject *name, *origin = NULL, *modules, *mod, *pair;
    if (ensure(rb, name_id) < 0)
        return NULL;
    name = rb->objs[name_id];
    if (!PyUnicode_Check(name)) {
        /* A TRUNCATED name: the module still gets one. */
        name = pyhd__interned("<truncated>");
        if (!name)
            return PyErr_Occurred() ? NULL : PyErr_NoMemory();
    } else if (PyUnicode_CompareWithASCIIString(name, "builtins") == 0) {
        return Py_NewRef(rb->builtins);
    } else {
        /* Only STR records: they depend on nothing, so no cycle can lead back here. */
        file_id = str_id(rb->g, FLD(r, MODULE, file));
        origin_id = str_id(rb->g, FLD(r, MODULE, origin));
        if (ensure(rb, file_id) < 0 || ensure(rb, origin_id) < 0)
            return NULL;
        origin = origin_id ? rb->objs[origin_id] : NULL;
    }
    if (!origin && !file_id) {
        /* A dump from before the origin field: a name this python has built in
           was built in there too. */
        PyObject *builtin_names = PySys_GetObject("builtin_module_names");  /* borrowed */
        int builtin = builtin_names && PyTuple_Check(builtin_names)
                      ? PySequence_Contains(builtin_names, name) : 0;
        if (builtin < 0)
            return NULL;
        if (builtin)
            origin = pyhd__interned("built-in");
    }
    modules = sur_fn(rb, "_modules");
    if (!modules)
        return NULL;
    if (!PyList_Check(modules)) {
        PyErr_SetString(PyExc_TypeError, "pyhd_surrogates._modules is not a list");
        return NULL;
    }
    mod = PyModule_NewObject(name);
    pair = mod ? PyTuple_Pack(2, name, mod) : NULL;
    if (!pair || PyList_Append(modules, pair) < 0)
        Py_CLEAR(mod);
    Py_XDECREF(pair);
    if (mod && origin) {
        PyObject *owned, *spec = module_spec(rb, name, origin, &owned);
        if (!spec || PyObject_SetAttrString(mod, "__spec__", spec) < 0)
            Py_CLEAR(mod);
        Py_XDECREF(owned);
    }
    return mod;
}

_Static_assert(PYHD_S_DATETIME_fold - PYHD_S_DATETIME_year == PYHD_DTF_FOLD &&
                   PYHD_S_DATETIME_microsecond - PYHD_S_DATETIME_year == PYHD_DTF_MICROSECOND,
               "rebuild_values.h's PYHD_DTF_* follow PYHD_FIELDS_DATETIME");

static PyObject *make_buffer(struct rb *rb, const struct pyhd_record *r)
{
    const uint64_t *fmt = SLOTS(r, BUFFER, format), *dims = SLOTS(r, BUFFER, shape);
    const uint64_t *data = SLOTS(r, BUFFER, data);
    struct pyhd_cursor c = {r->payload + dims[PYHD_DIMS_AT], r->payload + r->len, 0, 0};
    PyObject *args[7] = {NULL};
    PyObject *result = NULL;

    args[0] = rb->objs[FLD(r, BUFFER, class)];
    args[1] = PyUnicode_DecodeUTF8((const char *)r->payload + fmt[PYHD_TEXT_AT],
                                   (Py_ssize_t)fmt[PYHD_TEXT_LEN], "replace");
    args[2] = PyLong_FromUnsignedLongLong(FLD(r, BUFFER, itemsize));
    args[3] = PyTuple_New((Py_ssize_t)dims[PYHD_DIMS_N]);
    if (!args[1] || !args[2] || !args[3])
        goto done;
    for (uint64_t i = 0; i < dims[PYHD_DIMS_N]; i++) {
        PyObject *n = PyLong_FromUnsignedLongLong(rd_varint(&c));
        if (!n)
            goto done;
        PyTuple_SET_ITEM(args[3], (Py_ssize_t)i, n);
    }
    args[4] = PyBool_FromLong((long)FLD(r, BUFFER, readonly));
    args[5] = PyBytes_FromStringAndSize((const char *)r->payload + data[PYHD_DATA_AT],
                                        (Py_ssize_t)data[PYHD_DATA_STORED]);
    args[6] = PyLong_FromUnsignedLongLong(data[PYHD_DATA_LENGTH] - data[PYHD_DATA_STORED]);
    if (!args[5] || !args[6])
        goto done;
    if (data[PYHD_DATA_LENGTH] > data[PYHD_DATA_STORED])
        rb->truncated = 1;
    result = sur_call(rb, "make_buffer", args, 7);
done:
    for (int i = 1; i < 7; i++)
        Py_XDECREF(args[i]);
    return result;
}

static PyObject *make_opaque(struct rb *rb, const struct pyhd_record *r)
{
    PyObject *args[4];
    PyObject *result;
    args[0] = rb->objs[FLD(r, OPAQUE, class)];
    args[1] = PyLong_FromUnsignedLongLong(FLD(r, OPAQUE, size));
    if (!args[1])
        return NULL;
    args[2] = ref(rb, FLD(r, OPAQUE, repr));
    args[3] = ref(rb, FLD(r, OPAQUE, reason));
    result = sur_call(rb, "OpaqueStub", args, 4);
    Py_DECREF(args[1]);
    return result;
}

static PyObject *make_range(struct rb *rb, const struct pyhd_record *r)
{
    PyObject *start = ref(rb, FLD(r, RANGE, start)), *stop = ref(rb, FLD(r, RANGE, stop));
    PyObject *step = ref(rb, FLD(r, RANGE, step));
    PyObject *obj = PyObject_CallFunctionObjArgs((PyObject *)&PyRange_Type, start, stop, step,
                                                 NULL);
    PyObject *args[4];
    if (obj || !(PyErr_ExceptionMatches(PyExc_ValueError) ||
                 PyErr_ExceptionMatches(PyExc_TypeError)))
        return obj;
    /* range(0, 1, 0), or a bound the walker left out: an opaque stand-in. */
    PyErr_Clear();
    args[0] = (PyObject *)&PyRange_Type;
    args[1] = PyLong_FromLong(0);
    args[2] = Py_None;
    args[3] = PyUnicode_FromString("cannot rebuild this range");
    obj = args[1] && args[3] ? sur_call(rb, "OpaqueStub", args, 4) : NULL;
    Py_XDECREF(args[1]);
    Py_XDECREF(args[3]);
    return obj;
}

/* A program's function (an inert real function, with its closure) or a builtin one. */
static PyObject *make_function(struct rb *rb, const struct pyhd_record *r)
{
    PyObject *args[5];
    uint64_t closure, freevars;
    args[0] = ref(rb, FLD(r, FUNCTION, name));
    args[1] = ref(rb, FLD(r, FUNCTION, qualname));
    args[2] = ref(rb, FLD(r, FUNCTION, module));
    if (FLD(r, FUNCTION, code)) {
        function_closure(rb->g, r, &closure, &freevars);
        rb->fx.sur = rb->sur;
        return pyhd__function_make(&rb->fx, ref(rb, closure), ref(rb, freevars));
    }
    /* Its self, and whether the dump has the field (older dumps do not). */
    args[3] = ref(rb, FLD(r, FUNCTION, self));
    args[4] = FLD(r, FUNCTION, bound) ? Py_True : Py_False;
    return sur_call(rb, "builtin_function", args, 5);
}

/* ------------------------------------------------------------------------ */
/* Readable C objects (format.h, 0x30 up): made by src/py/pyhd_cobjects.py */

static PyObject *cob_call(struct rb *rb, const char *name, PyObject *const *args, size_t n)
{
    PyObject *fn, *result;
    /* Imported by the first record that needs it: most dumps hold none, and
       every start of pyhd-debug would pay for the import. */
    if (!rb->cob && !(rb->cob = pyhd_import("pyhd_cobjects")))
        return NULL;
    fn = pyhd__getattr(rb->cob, name);
    if (!fn)
        return NULL;
    result = PyObject_Vectorcall(fn, args, n, NULL);
    Py_DECREF(fn);
    return result;
}

/* cob_call with new references in args, which it releases; NULL args mean failure. */
static PyObject *cob_call_steal(struct rb *rb, const char *name, PyObject **args, size_t n)
{
    PyObject *result = NULL;
    size_t i;
    for (i = 0; i < n && args[i]; i++)
        ;
    if (i == n)
        result = cob_call(rb, name, args, n);
    for (i = 0; i < n; i++)
        Py_XDECREF(args[i]);
    return result;
}

/* Hard dependencies: what a real object (partial, dtype, a view's base) is made from. */
static int push_c_object_deps(struct rb *rb, const struct pyhd_record *r)
{
    const uint64_t *fields;
    struct pyhd_cursor c;
    switch (r->kind) {
    case PYHD_REC_PARTIAL:
        /* Whether its function is callable decides between a partial and a look-alike. */
        return push3(rb, r, FLD(r, PARTIAL, class), FLD(r, PARTIAL, func), 0);
    case PYHD_REC_NDARRAY:
        return push3(rb, r, FLD(r, NDARRAY, class), FLD(r, NDARRAY, dtype), FLD(r, NDARRAY, base));
    case PYHD_REC_DTYPE:
        fields = SLOTS(r, DTYPE, field);
        c = ELEMS(r, fields, PYHD_LIST_AT);
        for (uint64_t i = 0; i < fields[PYHD_LIST_N]; i++) {
            uint64_t name = rd_id(&c), dtype = rd_id(&c), title;
            rd_varint(&c);
            title = rd_id(&c);
            if (push3(rb, r, name, dtype, title) < 0)
                return -1;
        }
        return push3(rb, r, FLD(r, DTYPE, subarray_base), FLD(r, DTYPE, subarray_shape), 0);
    default:
        /* The look-alikes need their class only (the first field of each); their fields come
           at fill. */
        return push_dep(rb, r, r->f[0]);
    }
}

static PyObject *make_dtype(struct rb *rb, const struct pyhd_record *r)
{
    const uint64_t *text = SLOTS(r, DTYPE, typestr), *fields = SLOTS(r, DTYPE, field);
    struct pyhd_cursor c = ELEMS(r, fields, PYHD_LIST_AT);
    PyObject *args[6] = {NULL};
    args[0] = PyUnicode_DecodeUTF8((const char *)r->payload + text[PYHD_TEXT_AT],
                                   (Py_ssize_t)text[PYHD_TEXT_LEN], "replace");
    args[1] = PyLong_FromUnsignedLongLong(FLD(r, DTYPE, itemsize));
    args[2] = PyBool_FromLong(FLD(r, DTYPE, flags) & PYHD_DTYPE_ALIGNED);
    args[3] = PyList_New(0);
    for (uint64_t i = 0; args[3] && i < fields[PYHD_LIST_N]; i++) {
        uint64_t name = rd_id(&c), dtype = rd_id(&c), offset = rd_varint(&c), title = rd_id(&c);
        PyObject *field = Py_BuildValue("(OOKO)", ref(rb, name), ref(rb, dtype),
                                        (unsigned long long)offset, ref(rb, title));
        if (!field || PyList_Append(args[3], field) < 0)
            Py_CLEAR(args[3]);
        Py_XDECREF(field);
    }
    args[4] = Py_NewRef(ref(rb, FLD(r, DTYPE, subarray_base)));
    args[5] = Py_NewRef(ref(rb, FLD(r, DTYPE, subarray_shape)));
    return cob_call_steal(rb, "make_dtype", args, 6);
}

static PyObject *make_ndarray(struct rb *rb, const struct pyhd_record *r)
{
    const uint64_t *shape = SLOTS(r, NDARRAY, shape), *elems = SLOTS(r, NDARRAY, elements);
    struct pyhd_cursor c = {r->payload + shape[PYHD_DIMS_AT], r->payload + r->len, 0, 0};
    uint64_t ndim = shape[PYHD_DIMS_N], count = elems[PYHD_ELEM_LENGTH];
    uint64_t stored = elems[PYHD_ELEM_N];
    PyObject *args[9] = {NULL};
    args[0] = Py_NewRef(rb->objs[FLD(r, NDARRAY, class)]);
    args[1] = Py_NewRef(rb->objs[FLD(r, NDARRAY, dtype)]);
    args[2] = PyTuple_New((Py_ssize_t)ndim);
    args[3] = PyTuple_New((Py_ssize_t)ndim);
    if (!args[2] || !args[3])
        goto done;
    for (uint64_t i = 0; i < ndim; i++) {
        PyObject *v = PyLong_FromUnsignedLongLong(rd_varint(&c));
        if (!v)
            goto done;
        PyTuple_SET_ITEM(args[2], (Py_ssize_t)i, v);
    }
    for (uint64_t i = 0; i < ndim; i++) {
        PyObject *v = PyLong_FromLongLong(rd_svarint(&c));
        if (!v)
            goto done;
        PyTuple_SET_ITEM(args[3], (Py_ssize_t)i, v);
    }
    args[4] = Py_NewRef(ref(rb, FLD(r, NDARRAY, base)));
    args[5] = PyLong_FromLongLong((int64_t)FLD(r, NDARRAY, offset));
    args[6] = PyBool_FromLong(FLD(r, NDARRAY, flags) & PYHD_NDARRAY_WRITEABLE);
    if (elems[PYHD_ELEM_OBJECT])
        /* The elements are references: the array is made empty and filled later. */
        args[7] = PyLong_FromUnsignedLongLong(count);
    else
        args[7] = PyBytes_FromStringAndSize((const char *)r->payload + elems[PYHD_ELEM_AT],
                                            (Py_ssize_t)stored);
    if (stored < count)
        rb->truncated = 1;
    args[8] = PyLong_FromUnsignedLongLong(count - stored);
    return cob_call_steal(rb, "make_ndarray", args, 9);
done:
    for (int i = 0; i < 9; i++)
        Py_XDECREF(args[i]);
    return NULL;
}

/* Make a readable C object: real objects whole, look-alikes empty (filled later). */
static PyObject *make_c_object(struct rb *rb, const struct pyhd_record *r)
{
    PyObject *args[5] = {NULL};
    switch (r->kind) {
    case PYHD_REC_PARTIAL:
        args[0] = Py_NewRef(rb->objs[FLD(r, PARTIAL, class)]);
        args[1] = Py_NewRef(ref(rb, FLD(r, PARTIAL, func)));
        return cob_call_steal(rb, "make_partial", args, 2);
    case PYHD_REC_LOCK:
        args[0] = Py_NewRef(rb->objs[FLD(r, LOCK, class)]);
        args[1] = PyBool_FromLong((long)FLD(r, LOCK, locked));
        args[2] = PyLong_FromUnsignedLongLong(FLD(r, LOCK, owner));
        args[3] = PyLong_FromUnsignedLongLong(FLD(r, LOCK, count));
        return cob_call_steal(rb, "make_lock", args, 4);
    case PYHD_REC_DTYPE:
        return make_dtype(rb, r);
    case PYHD_REC_NDARRAY:
        return make_ndarray(rb, r);
    case PYHD_REC_FUTURE:
        args[0] = Py_NewRef(rb->objs[FLD(r, FUTURE, class)]);
        args[1] = PyLong_FromLong((long)FLD(r, FUTURE, flags));
        return cob_call_steal(rb, "make_future", args, 2);
    case PYHD_REC_MATCH:
        args[0] = Py_NewRef(rb->objs[FLD(r, MATCH, class)]);
        return cob_call_steal(rb, "make_match", args, 1);
    default:  /* FILE */
        args[0] = Py_NewRef(rb->objs[FLD(r, FILE, class)]);
        return cob_call_steal(rb, "make_file", args, 1);
    }
}

static PyObject *new_ref_id(struct rb *rb, uint64_t id)
{
    return Py_NewRef(ref(rb, id));
}

static int fill_c_object(struct rb *rb, PyObject *obj, const struct pyhd_record *r)
{
    PyObject *args[11] = {NULL}, *res = NULL;
    size_t n = 0;
    const char *fn;
    args[n++] = Py_NewRef(obj);
    switch (r->kind) {
    case PYHD_REC_PARTIAL:
        fn = "fill_partial";
        args[n++] = new_ref_id(rb, FLD(r, PARTIAL, func));
        args[n++] = new_ref_id(rb, FLD(r, PARTIAL, args));
        args[n++] = new_ref_id(rb, FLD(r, PARTIAL, keywords));
        args[n++] = new_ref_id(rb, FLD(r, PARTIAL, dict));
        break;
    case PYHD_REC_MATCH:
        fn = "fill_match";
        args[n++] = new_ref_id(rb, FLD(r, MATCH, pattern));
        args[n++] = new_ref_id(rb, FLD(r, MATCH, string));
        args[n++] = new_ref_id(rb, FLD(r, MATCH, regs));
        args[n++] = PyLong_FromLongLong((int64_t)FLD(r, MATCH, pos));
        args[n++] = PyLong_FromLongLong((int64_t)FLD(r, MATCH, endpos));
        args[n++] = PyLong_FromLongLong((int64_t)FLD(r, MATCH, lastindex));
        break;
    case PYHD_REC_FILE:
        fn = "fill_file";
        args[n++] = new_ref_id(rb, FLD(r, FILE, name));
        args[n++] = new_ref_id(rb, FLD(r, FILE, mode));
        args[n++] = new_ref_id(rb, FLD(r, FILE, encoding));
        args[n++] = PyLong_FromLong((long)FLD(r, FILE, flags));
        args[n++] = PyLong_FromLongLong((int64_t)FLD(r, FILE, position));
        args[n++] = new_ref_id(rb, FLD(r, FILE, inner));
        break;
    case PYHD_REC_FUTURE: {
        static const int ids[] = {PYHD_S_FUTURE_result, PYHD_S_FUTURE_exception,
                                  PYHD_S_FUTURE_callbacks, PYHD_S_FUTURE_name,
                                  PYHD_S_FUTURE_coro, PYHD_S_FUTURE_waiter};
        fn = "fill_future";
        args[n++] = new_ref_id(rb, FLD(r, FUTURE, dict));
        args[n++] = PyLong_FromLong((long)FLD(r, FUTURE, state));
        for (int i = 0; i < 6; i++) {
            uint64_t id = r->f[ids[i]];
            /* 0 is "absent" here, not None: a result of None is a real None. */
            args[n++] = id ? Py_NewRef(rb->objs[id]) : PyTuple_New(0);
        }
        break;
    }
    case PYHD_REC_NDARRAY: {
        const uint64_t *elems = SLOTS(r, NDARRAY, elements);
        struct pyhd_cursor c = ELEMS(r, elems, PYHD_ELEM_AT);
        /* The elements of an object array, and a subclass instance's attributes. */
        if (!elems[PYHD_ELEM_OBJECT] && !FLD(r, NDARRAY, dict)) {
            Py_DECREF(args[0]);
            return 0;
        }
        fn = "fill_ndarray";
        args[n] = elems[PYHD_ELEM_OBJECT] ? PyList_New(0) : Py_NewRef(Py_None);
        for (uint64_t i = 0; elems[PYHD_ELEM_OBJECT] && args[n] && i < elems[PYHD_ELEM_N]; i++)
            if (PyList_Append(args[n], ref(rb, rd_id(&c))) < 0)
                Py_CLEAR(args[n]);
        n++;
        args[n++] = new_ref_id(rb, FLD(r, NDARRAY, dict));
        break;
    }
    default:  /* LOCK, DTYPE: whole when made */
        Py_DECREF(args[0]);
        return 0;
    }
    res = cob_call_steal(rb, fn, args, n);
    Py_XDECREF(res);
    return res ? 0 : -1;
}

/* Make object id, whose hard dependencies are made. */
static PyObject *make(struct rb *rb, uint64_t id)
{
    const struct pyhd_record *r = &rb->g->objects[id - 1];
    PyObject *value, *result;
    uint64_t more = 0;

    /* A kind this reader does not know, or one newer than the dump's version, has no
       slots: a placeholder. */
    switch (r->f ? r->kind : 0) {
    case PYHD_REC_NONE:
        return Py_NewRef(Py_None);
    case PYHD_REC_FALSE:
        return Py_NewRef(Py_False);
    case PYHD_REC_TRUE:
        return Py_NewRef(Py_True);
    case PYHD_REC_ELLIPSIS:
        return Py_NewRef(Py_Ellipsis);
    case PYHD_REC_NOTIMPL:
        return Py_NewRef(Py_NotImplemented);
    case PYHD_REC_INT:
    case PYHD_REC_BIGINT:
    case PYHD_REC_FLOAT:
    case PYHD_REC_COMPLEX:
    case PYHD_REC_STR:
    case PYHD_REC_BYTES:
    case PYHD_REC_BYTEARRAY:
    case PYHD_REC_FROZENSET:
        value = decode_value(rb, r, r->kind, r->f, &more);
        if (!value || !more)
            return value;
        result = make_truncated(rb, truncated_kind_name(r->kind), value, more);
        Py_DECREF(value);
        return result;
    case PYHD_REC_TUPLE: {
        /* Its nesting depth is read with its items (bound_nesting() leaves it here). */
        uint32_t depth = 0;
        value = decode_items_tuple(rb, r, SLOTS(r, TUPLE, items), &more, &depth);
        rb->depth[id] = depth < UINT32_MAX - 1 ? depth + 1 : UINT32_MAX - 1;
        if (!value || !more)
            return value;
        result = make_truncated(rb, "tuple", value, more);
        Py_DECREF(value);
        return result;
    }
    case PYHD_REC_LIST:
    case PYHD_REC_SET:
    case PYHD_REC_DICT: {
        /* LIST, SET and DICT keep their ITEMS or MAP slots in the same place. */
        const uint64_t *items = SLOTS(r, LIST, items);
        uint64_t orig = items[PYHD_SEQ_LENGTH], n = items[PYHD_SEQ_N];
        if (n < orig)
            return make_truncated(rb, truncated_kind_name(r->kind), NULL, orig - n);
        /* A dict of more than five items sized once for all of them (n is bounded
           by the record's bytes), not grown as they are added. */
        return r->kind == PYHD_REC_LIST ? PyList_New(0)
               : r->kind == PYHD_REC_SET ? PySet_New(NULL)
                                         : _PyDict_NewPresized((Py_ssize_t)n);
    }
    case PYHD_REC_RANGE:
        return make_range(rb, r);
    case PYHD_REC_SLICE:
        return PySlice_New(ref(rb, FLD(r, SLICE, start)), ref(rb, FLD(r, SLICE, stop)),
                           ref(rb, FLD(r, SLICE, step)));
    case PYHD_REC_CLASS:
        return make_class(rb, r);
    case PYHD_REC_INSTANCE:
        return make_instance(rb, r);
    case PYHD_REC_SUBCLASS:
        return make_subclass(rb, r);
    case PYHD_REC_EXCEPTION:
        return make_exception(rb, r);
    case PYHD_REC_FUNCTION:
        return make_function(rb, r);
    case PYHD_REC_METHOD: {
        PyObject *args[2];
        args[0] = ref(rb, FLD(r, METHOD, function));
        args[1] = ref(rb, FLD(r, METHOD, self));
        return sur_call(rb, "make_method", args, 2);
    }
    case PYHD_REC_DESCRIPTOR:
        value = PyLong_FromLong((long)FLD(r, DESCRIPTOR, flavour));
        if (!value)
            return NULL;
        result = sur_call(rb, "make_descriptor", &value, 1);
        Py_DECREF(value);
        return result;
    case PYHD_REC_CODE:
        return new_record(rb, "CodeRecord");
    case PYHD_REC_CELL:
        return PyCell_New(NULL);
    case PYHD_REC_MODULE:
        return make_module(rb, r);
    case PYHD_REC_FRAME:
        return new_record(rb, "FrameRecord");
    case PYHD_REC_TRACEBACK:
        return new_record(rb, "TracebackRecord");
    case PYHD_REC_GENERATOR:
        return sur_call(rb, "GeneratorStub", NULL, 0);
    case PYHD_REC_WEAKREF:
        return sur_call(rb, "WeakrefStub", &rb->objs[FLD(r, WEAKREF, class)], 1);
    case PYHD_REC_REDUCED: {
        PyObject *args[2];
        args[0] = rb->objs[FLD(r, REDUCED, class)];
        args[1] = rb->objs[FLD(r, REDUCED, args)];
        result = pyhd__values_make(&rb->values, args[0], args[1]);
        return result ? result : sur_call(rb, "make_reduced", args, 2);
    }
    case PYHD_REC_DATETIME:
        return datetime_value(rb, r->f);
    case PYHD_REC_BUFFER:
        return make_buffer(rb, r);
    case PYHD_REC_OPAQUE:
        return make_opaque(rb, r);
    case PYHD_REC_TRUNCATED:
        /* Its class comes at fill: the class's own name may be this very stand-in. */
        rb->truncated = 1;
        value = Py_None;
        return sur_call(rb, "TruncatedStub", &value, 1);
    case PYHD_REC_PARTIAL:
    case PYHD_REC_MATCH:
    case PYHD_REC_LOCK:
    case PYHD_REC_FILE:
    case PYHD_REC_FUTURE:
    case PYHD_REC_NDARRAY:
    case PYHD_REC_DTYPE:
        return make_c_object(rb, r);
    case PYHD_REC_REDACTED: {
        /* Its class comes at fill, as for TRUNCATED. */
        const uint64_t *hash = SLOTS(r, REDACTED, hash);
        PyObject *args[4] = {NULL};
        args[0] = Py_None;
        args[1] = PyLong_FromLong((long)FLD(r, REDACTED, measure));
        args[2] = args[1] ? PyLong_FromUnsignedLongLong(FLD(r, REDACTED, length)) : NULL;
        /* --redact-hash: the keyed hash. */
        if (args[2] && hash[PYHD_HASH_PRESENT]) {
            args[3] = PyLong_FromUnsignedLongLong(hash[PYHD_HASH_VALUE]);
        } else if (args[2]) {
            args[3] = Py_NewRef(Py_None);
        }
        result = args[3] ? sur_call(rb, "RedactedStub", args, 4) : NULL;
        Py_XDECREF(args[1]);
        Py_XDECREF(args[2]);
        Py_XDECREF(args[3]);
        return result;
    }
    default:
        value = PyLong_FromLong((long)r->kind);
        if (!value)
            return NULL;
        result = sur_call(rb, "UnknownStub", &value, 1);
        Py_DECREF(value);
        return result;
    }
}

/*
 * The nesting depth of id, whose dependencies are made (rebuild_bounds.h):
 * tuples and slices (and subclasses of tuple) hash by recursing through
 * their items, so they carry their items' depth; every other object counts 1.
 * A TUPLE's is set by make(), which reads its items anyway.
 */
static int bound_nesting(struct rb *rb, uint64_t id)
{
    const struct pyhd_record *r = &rb->g->objects[id - 1];
    uint32_t depth = 1;
    if (r->kind == PYHD_REC_SLICE || r->kind == PYHD_REC_SUBCLASS) {
        rb->measuring = 1;
        rb->deps_depth = 0;
        push_deps(rb, r);  /* only measures: cannot fail */
        rb->measuring = 0;
        depth = rb->deps_depth < UINT32_MAX - 1 ? rb->deps_depth + 1 : UINT32_MAX - 1;
    }
    rb->depth[id] = depth;
    if (r->kind == PYHD_REC_SLICE && depth > PYHD_MAX_SLICE_DEPTH) {
        char what[80];
        snprintf(what, sizeof what, "slices nested more than %u deep", PYHD_MAX_SLICE_DEPTH);
        return dump_error(rb->g, r, what);
    }
    return 0;
}

/* The estimated cost of making class id, whose bases are made (rebuild_bounds.h). */
static int bound_class(struct rb *rb, uint64_t id)
{
    const struct pyhd_record *r = &rb->g->objects[id - 1], *t;
    uint64_t sum = 0, k = 0, len = 0;
    t = pyhd__decode_obj(rb->g, FLD(r, CLASS, bases));
    if (t && t->kind == PYHD_REC_TUPLE) {
        struct pyhd_cursor b = ELEMS(t, SLOTS(t, TUPLE, items), PYHD_SEQ_AT);
        k = SLOTS(t, TUPLE, items)[PYHD_SEQ_N];
        for (uint64_t i = 0; i < k && sum < PYHD_MRO_SATURATED; i++) {
            uint64_t base = rd_id(&b);
            uint32_t known = is_class_like(rb->g, base) ? rb->mro_len[class_slot(rb, base)] : 0;
            sum += known ? known : 1;
        }
    }
    rb->class_work += pyhd__class_work(sum, k, &len);
    rb->mro_len[class_slot(rb, id)] = (uint32_t)len;
    if (rb->class_work > PYHD_MAX_CLASS_WORK) {
        char what[200];
        snprintf(what, sizeof what, "the classes are too many, deep or wide to rebuild "
                 "(this one has %llu bases and about %llu classes in its MRO)",
                 (unsigned long long)k, (unsigned long long)len);
        return dump_error(rb->g, r, what);
    }
    return 0;
}

static int fill_container(struct rb *rb, unsigned kind, PyObject *obj,
                          const struct pyhd_record *r, const uint64_t *s, int generic);
static int make_one(struct rb *rb, uint64_t id);

/*
 * obj, an INSTANCE just made (own_dict_wanted()), and MADE: its own empty
 * __dict__ becomes DICT record dict_id's object, and is filled now, its keys and
 * values made first. Without such a dict to give (a type that makes none), the
 * record is made and filled later as any dict, and fill_attrs() sets it.
 */
static int take_own_dict(struct rb *rb, PyObject *obj, uint64_t dict_id)
{
    const struct pyhd_record *dr = &rb->g->objects[dict_id - 1];
    const uint64_t *items = SLOTS(dr, DICT, items);
    struct pyhd_cursor c = ELEMS(dr, items, PYHD_SEQ_AT);
    PyObject *d = PyObject_GenericGetDict(obj, NULL);
    if (!d) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return -1;
        PyErr_Clear();
        return 0;
    }
    if (!PyDict_CheckExact(d) || PyDict_GET_SIZE(d) != 0) {
        Py_DECREF(d);
        return 0;
    }
    rb->objs[dict_id] = d;
    rb->depth[dict_id] = 1;
    rb->state[dict_id] = MADE;
    rb->taking = 1;
    for (uint64_t i = 0; i < 2 * items[PYHD_SEQ_N]; i++) {
        uint64_t id = rd_id(&c);
        const struct pyhd_record *r;
        if (id == 0 || rb->state[id] == MADE)
            continue;
        r = &rb->g->objects[id - 1];
        /* As rebuild_all(): most need nothing else made first. */
        if (rb->state[id] == UNSEEN && !(r->f && kind_has_hard_deps(r->kind)) ? make_one(rb, id) < 0
                                                                             : ensure(rb, id) < 0) {
            rb->taking = 0;
            return -1;
        }
    }
    rb->taking = 0;
    rb->current = dict_id;
    if (fill_container(rb, PYHD_REC_DICT, d, dr, items, 0) < 0)
        return -1;
    rb->phases[dict_id] = PREFILLED;
    return 0;
}

/* Make id, whose dependencies are made. */
static int make_one(struct rb *rb, uint64_t id)
{
    PyObject *obj;
    rb->current = id;
    if (bound_nesting(rb, id) < 0 ||
        (rb->g->objects[id - 1].kind == PYHD_REC_CLASS && bound_class(rb, id) < 0))
        return -1;
    rb->making++;
    obj = make(rb, id);
    rb->making--;
    if (!obj) {
        rb->own_dict = 0;
        return -1;
    }
    rb->objs[id] = obj;
    rb->state[id] = MADE;
    if (rb->own_dict) {
        uint64_t dict_id = rb->own_dict;
        rb->own_dict = 0;
        return take_own_dict(rb, obj, dict_id);
    }
    return 0;
}

/* Make id and, first, everything it cannot exist without. Reentrant. */
static int ensure(struct rb *rb, uint64_t root)
{
    size_t base = rb->nstack;
    if (root == 0 || rb->state[root] == MADE)
        return 0;
    if (push(rb, root) < 0)
        return -1;
    if (rb->state[root] == UNSEEN) {
        /* Most objects need nothing that is not made already (a str, a dict, an
           instance of a class made before it): made at once, without the walk. */
        rb->state[root] = EXPANDING;
        if (push_deps(rb, &rb->g->objects[root - 1]) < 0)
            goto error;
        if (rb->nstack == base + 1) {
            rb->nstack = base;
            return make_one(rb, root);
        }
    }
    while (rb->nstack > base) {
        uint64_t id = rb->stack[rb->nstack - 1];
        if (rb->state[id] == MADE) {
            rb->nstack--;
            continue;
        }
        if (rb->state[id] == UNSEEN) {
            size_t before = rb->nstack;
            rb->state[id] = EXPANDING;
            if (push_deps(rb, &rb->g->objects[id - 1]) < 0)
                goto error;
            if (rb->nstack > before)
                continue;
        }
        /* Every dependency pushed above id has been made: make id. */
        rb->nstack--;
        if (make_one(rb, id) < 0)
            goto error;
    }
    return 0;
error:
    rb->nstack = base;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Filling */

/* obj.name = value, name a string literal (pyhd__interned()). */
static int set_attr(struct rb *rb, PyObject *obj, const char *name, PyObject *value)
{
    PyObject *str = pyhd__interned(name);
    if (str)
        return PyObject_SetAttr(obj, str, value);
    if (PyErr_Occurred())
        return -1;
    return PyObject_SetAttrString(obj, name, value);  /* a full table: not cached */
}

static int set_attr_id(struct rb *rb, PyObject *obj, const char *name, uint64_t id)
{
    return set_attr(rb, obj, name, ref(rb, id));
}

static int set_attr_position(struct rb *rb, PyObject *obj, const char *name, int64_t v)
{
    PyObject *p = position(v);
    int rc;
    if (!p)
        return -1;
    rc = set_attr(rb, obj, name, p);
    Py_DECREF(p);
    return rc;
}

static int set_attr_varint(struct rb *rb, PyObject *obj, const char *name, uint64_t v)
{
    PyObject *p = PyLong_FromUnsignedLongLong(v);
    int rc;
    if (!p)
        return -1;
    rc = set_attr(rb, obj, name, p);
    Py_DECREF(p);
    return rc;
}

/* Fill the items of a list, set or dict (ITEMS or MAP slots s of record r) into obj. */
static int fill_container(struct rb *rb, unsigned kind, PyObject *obj,
                          const struct pyhd_record *r, const uint64_t *s, int generic)
{
    uint64_t n = s[PYHD_SEQ_N];
    struct pyhd_cursor cur = ELEMS(r, s, PYHD_SEQ_AT), *c = &cur;
    struct pyhd_hash_census census = {NULL, NULL, 0, 0};
    int rc = 0;
    /* Most containers are too small to need a census (pyhd__census_init() makes no
       table for them): no call at all then. */
    if (kind != PYHD_REC_LIST && n > PYHD_MAX_COLLISIONS &&
        pyhd__census_init(&census, n) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    for (uint64_t i = 0; i < n && rc == 0; i++) {
        uint64_t a = rd_id(c);
        if (kind == PYHD_REC_LIST)
            rc = PyList_Append(obj, ref(rb, a));
        else if (kind == PYHD_REC_SET)
            rc = set_add(rb, obj, a, &census);
        else
            rc = dict_set(rb, obj, a, ref(rb, rd_id(c)), generic, &census);
    }
    if (pyhd__census_active(&census))
        pyhd__census_free(&census);
    if (rc == 0 && kind == PYHD_REC_SET && PySet_CheckExact(obj))
        rc = set_in_dumped_order(rb, &obj, r, s);
    return rc;
}

static int is_surrogate(struct rb *rb, PyObject *obj)
{
    return is_surrogate_class(rb, (PyObject *)Py_TYPE(obj));
}

/*
 * obj.__dict__ = d, through the type's __dict__ descriptor, not
 * PyObject_GenericSetDict(): on 3.13 that misses objects whose attributes
 * live inline. A type whose __dict__ cannot be assigned (types.SimpleNamespace)
 * gets d's items in its own dict.
 */
static int set_instance_dict(struct rb *rb, PyObject *obj, PyObject *d)
{
    PyObject *own;
    int rc;
    if (PyObject_SetAttr(obj, rb->dict_name, d) == 0)
        return 0;
    if (!PyErr_ExceptionMatches(PyExc_AttributeError) &&
        !PyErr_ExceptionMatches(PyExc_TypeError))
        return -1;
    PyErr_Clear();
    own = PyObject_GenericGetDict(obj, NULL);
    if (!own)
        return -1;
    rc = PyDict_Update(own, d);
    Py_DECREF(own);
    return rc;
}

/*
 * Set slot name of obj to value through the member descriptor that a class
 * of its MRO defines for it (a real class's __slots__); no other descriptor
 * is called. A name no class has a slot for goes into obj's __dict__, as a
 * stand-in class made without slots needs. "__dict__" and "__weakref__" are
 * the instance's own machinery, not data: they are skipped.
 */
static int set_slot(PyObject *obj, PyObject *name, PyObject *value)
{
    PyObject *mro = Py_TYPE(obj)->tp_mro, *d;  /* borrowed */
    int rc;
    if (!PyUnicode_Check(name) || !PyUnicode_CompareWithASCIIString(name, "__dict__") ||
        !PyUnicode_CompareWithASCIIString(name, "__weakref__"))
        return 0;
    for (Py_ssize_t i = 0; mro && PyTuple_Check(mro) && i < PyTuple_GET_SIZE(mro); i++) {
        PyTypeObject *t = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        PyObject *descr;
        if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE) || !t->tp_dict)
            continue;
        descr = PyDict_GetItemWithError(t->tp_dict, name);  /* borrowed */
        if (!descr && PyErr_Occurred())
            return -1;
        if (descr && Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
            /* A slot this class cannot take (read-only, or of another type): left unset. */
            if (Py_TYPE(descr)->tp_descr_set(descr, obj, value) == 0)
                return 0;
            if (!PyErr_ExceptionMatches(PyExc_AttributeError) &&
                !PyErr_ExceptionMatches(PyExc_TypeError))
                return -1;
            PyErr_Clear();
            return 0;
        }
    }
    d = PyObject_GenericGetDict(obj, NULL);
    if (!d) {
        /* A slotted class without a dict and without this slot here: leave it out. */
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return -1;
        PyErr_Clear();
        return 0;
    }
    rc = PyDict_SetItem(d, name, value);
    Py_DECREF(d);
    return rc;
}

/* Whether d is obj's __dict__ already (take_own_dict()): read, not made. */
static int has_own_dict(PyObject *obj, PyObject *d)
{
    struct pyhd_attrs a;
    if (pyhd__instance_attrs(obj, &a) < 0) {
        PyErr_Clear();
        return 0;
    }
    return a.dict == d;
}

/*
 * Give obj (made with object.__new__ or a builtin tp_new) its dumped
 * __dict__ (the dumped dict itself, so identity holds) and slot values.
 */
static int fill_attrs(struct rb *rb, PyObject *obj, const struct pyhd_record *r)
{
    /* INSTANCE and SUBCLASS: the same fields in the same slots. */
    uint64_t dict_id = FLD(r, INSTANCE, dict);
    const uint64_t *slots = SLOTS(r, INSTANCE, slot);
    struct pyhd_cursor c = ELEMS(r, slots, PYHD_LIST_AT);
    if (dict_id && PyDict_Check(rb->objs[dict_id]) && !has_own_dict(obj, rb->objs[dict_id]) &&
        set_instance_dict(rb, obj, rb->objs[dict_id]) < 0)
        return -1;
    for (uint64_t i = 0; i < slots[PYHD_LIST_N]; i++) {
        PyObject *k = ref(rb, rd_id(&c)), *v = ref(rb, rd_id(&c));
        if (set_slot(obj, k, v) < 0)
            return -1;
    }
    return 0;
}

static int fill_instance(struct rb *rb, PyObject *obj, const struct pyhd_record *r)
{
    const uint64_t *slots = SLOTS(r, INSTANCE, slot);
    struct pyhd_cursor c = ELEMS(r, slots, PYHD_LIST_AT);
    PyObject *args[3] = {NULL}, *res;
    int rc = -1;

    if (rb->inst_mode[class_slot(rb, FLD(r, INSTANCE, class))] == INST_NEW_AND_DICT)
        return fill_attrs(rb, obj, r);
    args[0] = obj;
    args[1] = ref(rb, FLD(r, INSTANCE, dict));
    args[2] = PyDict_New();
    if (!args[2])
        return -1;
    for (uint64_t i = 0; i < slots[PYHD_LIST_N]; i++) {
        PyObject *k = ref(rb, rd_id(&c)), *v = ref(rb, rd_id(&c));
        if (PyDict_SetItem(args[2], k, v) < 0)
            goto done;
    }
    res = sur_call(rb, "fill_instance", args, 3);
    if (!res)
        goto done;
    Py_DECREF(res);
    rc = 0;
done:
    Py_DECREF(args[2]);
    return rc;
}

static int fill_subclass_items(struct rb *rb, PyObject *obj, const struct pyhd_record *r)
{
    const uint64_t *base = SLOTS(r, SUBCLASS, base);
    unsigned kind = (unsigned)base[PYHD_BASE_KIND];

    /* LIST, SET and DICT keep their ITEMS or MAP slots in the same place. */
    if ((kind == PYHD_REC_LIST && PyList_Check(obj)) ||
        (kind == PYHD_REC_SET && PyAnySet_Check(obj)) ||
        (kind == PYHD_REC_DICT && PyDict_Check(obj)))
        return fill_container(rb, kind, obj, r, base + PYHD_BASE_FIELDS + PYHD_S_LIST_items, 1);
    return 0;
}

/*
 * A struct sequence (os.stat_result, time.struct_time) made from its visible
 * fields has None in its hidden ones (st_mtime_ns, tm_zone): set the one
 * called name, by the index its member descriptor gives, as
 * PyStructSequence_SetItem fills a new one. Anything else is left alone.
 */
static int set_hidden_field(PyObject *obj, PyObject *name, PyObject *value)
{
    PyTypeObject *t = Py_TYPE(obj);
    if (t->tp_base != &PyTuple_Type || t->tp_members == NULL || !PyUnicode_Check(name)
        || !PyObject_HasAttrString((PyObject *)t, "n_sequence_fields"))
        return 0;
    for (PyMemberDef *m = t->tp_members; m->name != NULL; m++) {
        if (PyUnicode_CompareWithASCIIString(name, m->name) != 0)
            continue;
        Py_ssize_t index = (m->offset - (Py_ssize_t)offsetof(PyTupleObject, ob_item))
                           / (Py_ssize_t)sizeof(PyObject *);
        /* Only a hidden field, never a visible (hashed, compared) one. */
        if (index < Py_SIZE(obj) || m->type != T_OBJECT)
            return 0;
        Py_XDECREF(PyStructSequence_GetItem(obj, index));
        PyStructSequence_SetItem(obj, index, Py_NewRef(value));
        return 0;
    }
    return 0;
}

static int fill_subclass(struct rb *rb, PyObject *obj, const struct pyhd_record *r)
{
    const uint64_t *slots = SLOTS(r, SUBCLASS, slot);
    struct pyhd_cursor c = ELEMS(r, slots, PYHD_LIST_AT);

    if (is_surrogate(rb, obj))
        return fill_attrs(rb, obj, r);
    /* --trust's own class of the program (a str or date subclass of its own): its
       dumped attributes, as an instance of it gets them (the user trusts its code). */
    if (rb->trust) {
        PyObject *how = PyDict_GetItemWithError(rb->how, (PyObject *)Py_TYPE(obj));  /* borrowed */
        if (how == NULL && PyErr_Occurred())
            return -1;
        if (how != NULL && PyUnicode_Check(how) && PyUnicode_CompareWithASCIIString(how, "trusted") == 0)
            return fill_attrs(rb, obj, r);
    }
    /* A real class (OrderedDict, defaultdict, Counter, a struct sequence): only its
       known slots. */
    for (uint64_t i = 0; i < slots[PYHD_LIST_N]; i++) {
        uint64_t k = rd_id(&c), v = rd_id(&c);
        if (str_is(rb->g, k, "default_factory") && set_attr_id(rb, obj, "default_factory", v) < 0)
            PyErr_Clear();  /* a factory that is a stub cannot be one: leave None */
        else if (set_hidden_field(obj, ref(rb, k), ref(rb, v)) < 0)
            return -1;
    }
    return 0;
}

static int fill_exception(struct rb *rb, PyObject *obj, const struct pyhd_record *r)
{
    const uint64_t *fields = SLOTS(r, EXCEPTION, field);
    struct pyhd_cursor c = ELEMS(r, fields, PYHD_LIST_AT);
    uint64_t n = fields[PYHD_LIST_N], dict_id = FLD(r, EXCEPTION, dict);
    uint64_t cause = FLD(r, EXCEPTION, cause), context = FLD(r, EXCEPTION, context);
    uint64_t suppress = FLD(r, EXCEPTION, suppress_context);
    PyObject *args = rb->objs[FLD(r, EXCEPTION, args)];

    if (!PyExceptionInstance_Check(obj))
        return 0;
    if (PyTuple_Check(args))
        if (set_attr(rb, obj, "args", args) < 0)
            return -1;
    if (dict_id && PyDict_Check(rb->objs[dict_id]) &&
        PyObject_SetAttr(obj, rb->dict_name, rb->objs[dict_id]) < 0)
        return -1;
    /* PyException_SetCause and SetContext steal a reference. */
    if (cause && PyExceptionInstance_Check(rb->objs[cause]))
        PyException_SetCause(obj, Py_NewRef(rb->objs[cause]));
    if (context && PyExceptionInstance_Check(rb->objs[context]))
        PyException_SetContext(obj, Py_NewRef(rb->objs[context]));
    if (set_attr(rb, obj, "__suppress_context__", suppress ? Py_True : Py_False) < 0)
        return -1;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t k = rd_id(&c), v = rd_id(&c);
        if (str_is(rb->g, k, "message") || str_is(rb->g, k, "exceptions"))
            continue;  /* given to the group's constructor */
        /* A field this Python's type does not have or types differently stays unset. */
        if (PyObject_SetAttr(obj, rb->objs[k], ref(rb, v)) < 0)
            PyErr_Clear();
    }
    return 0;
}

static int fill_code(struct rb *rb, PyObject *obj, const struct pyhd_record *r)
{
    return set_attr_id(rb, obj, "filename", FLD(r, CODE, filename)) < 0 ||
           set_attr_id(rb, obj, "name", FLD(r, CODE, name)) < 0 ||
           set_attr_id(rb, obj, "qualname", FLD(r, CODE, qualname)) < 0 ||
           set_attr_varint(rb, obj, "firstlineno", FLD(r, CODE, firstlineno)) < 0 ||
           set_attr_varint(rb, obj, "argcount", FLD(r, CODE, argcount)) < 0 ||
           set_attr_varint(rb, obj, "posonlyargcount", FLD(r, CODE, posonlyargcount)) < 0 ||
           set_attr_varint(rb, obj, "kwonlyargcount", FLD(r, CODE, kwonlyargcount)) < 0 ||
           set_attr_varint(rb, obj, "flags", FLD(r, CODE, flags)) < 0 ||
           set_attr_id(rb, obj, "varnames", FLD(r, CODE, varnames)) < 0 ||
           set_attr_id(rb, obj, "cellvars", FLD(r, CODE, cellvars)) < 0 ||
           set_attr_id(rb, obj, "freevars", FLD(r, CODE, freevars)) < 0 ? -1 : 0;
}

/* The four SVARINT positions whose slots start at s (FRAME and TRACEBACK). */
static int fill_positions(struct rb *rb, PyObject *obj, const uint64_t *s)
{
    static const char *const names[] = {"lineno", "end_lineno", "col", "end_col"};
    for (int i = 0; i < 4; i++) {
        if (set_attr_position(rb, obj, names[i], (int64_t)s[i]) < 0)
            return -1;
    }
    return 0;
}

static int fill_frame(struct rb *rb, PyObject *obj, const struct pyhd_record *r)
{
    /* The dumped builtins: this interpreter's stand in for them. */
    return set_attr_id(rb, obj, "code", FLD(r, FRAME, code)) < 0 ||
           fill_positions(rb, obj, SLOTS(r, FRAME, lineno)) < 0 ||
           set_attr_id(rb, obj, "locals", FLD(r, FRAME, locals)) < 0 ||
           set_attr_id(rb, obj, "globals", FLD(r, FRAME, globals)) < 0 ||
           set_attr(rb, obj, "builtins", rb->builtins) < 0 ||
           set_attr_id(rb, obj, "back", FLD(r, FRAME, back)) < 0 ? -1 : 0;
}

static int fill_traceback(struct rb *rb, PyObject *obj, const struct pyhd_record *r)
{
    return set_attr_id(rb, obj, "frame", FLD(r, TRACEBACK, frame)) < 0 ||
           fill_positions(rb, obj, SLOTS(r, TRACEBACK, lineno)) < 0 ||
           set_attr_id(rb, obj, "next", FLD(r, TRACEBACK, next)) < 0 ? -1 : 0;
}

static int fill_generator(struct rb *rb, PyObject *obj, const struct pyhd_record *r)
{
    if (set_attr_varint(rb, obj, "flavour", FLD(r, GENERATOR, flavour)) < 0 ||
        set_attr_id(rb, obj, "name", FLD(r, GENERATOR, name)) < 0 ||
        set_attr_id(rb, obj, "qualname", FLD(r, GENERATOR, qualname)) < 0 ||
        set_attr_id(rb, obj, "code", FLD(r, GENERATOR, code)) < 0 ||
        set_attr_varint(rb, obj, "state", FLD(r, GENERATOR, state)) < 0 ||
        set_attr_id(rb, obj, "frame", FLD(r, GENERATOR, frame)) < 0)
        return -1;
    /* Version 2: what it awaits. */
    return FLD(r, GENERATOR, v2) ? set_attr_id(rb, obj, "awaiting", FLD(r, GENERATOR, await))
                                 : 0;
}

/*
 * Fill object id. Containers come first (phase 0), so that what is filled
 * later from their contents (a deque from its list, a class's attributes
 * from their dict) sees them whole.
 */
/*
 * Whether fill_one() may have work for a record of kind in phase: most
 * records (values, and containers after phase 0) have none, and are passed
 * over without a call.
 */
static inline int fills_in(unsigned kind, int phase)
{
    switch (kind) {
    case PYHD_REC_LIST:
    case PYHD_REC_SET:
    case PYHD_REC_DICT:
        return phase == 0;
    case PYHD_REC_SUBCLASS:
        return 1;
    case PYHD_REC_NONE: case PYHD_REC_FALSE: case PYHD_REC_TRUE: case PYHD_REC_ELLIPSIS:
    case PYHD_REC_NOTIMPL: case PYHD_REC_INT: case PYHD_REC_BIGINT: case PYHD_REC_FLOAT:
    case PYHD_REC_COMPLEX: case PYHD_REC_STR: case PYHD_REC_BYTES: case PYHD_REC_BYTEARRAY:
    case PYHD_REC_TUPLE: case PYHD_REC_FROZENSET: case PYHD_REC_RANGE: case PYHD_REC_SLICE:
        return 0;
    default:
        return phase == 1;
    }
}

/* type.__setattr__(cls, name, value) for each item of the dict attrs whose name
   is a str not in the set skipped, in the dict's order: 0 or -1. */
static int class_setattrs(PyObject *cls, PyObject *attrs, PyObject *skipped)
{
    PyObject *name, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(attrs, &pos, &name, &value)) {
        int skip;
        if (!PyUnicode_Check(name))
            continue;
        skip = PySet_Contains(skipped, name);
        if (skip < 0)
            return -1;
        /* Held across the call: setting an attribute may change the dict. */
        Py_INCREF(name);
        Py_INCREF(value);
        skip = skip ? 0 : PyType_Type.tp_setattro(cls, name, value);
        Py_DECREF(name);
        Py_DECREF(value);
        if (skip < 0)
            return -1;
    }
    return 0;
}

/*
 * A surrogate class made by type() of (object,) whose dumped attributes
 * (attrs) name nothing pyhd_surrogates.class_attrs and _finish_class decide
 * anything about (its repr and str, dataclass fields, container protocol,
 * 3.14 annotations): most classes of a program. What those two would do,
 * without a Python frame: the attributes set (class_setattrs, skipping
 * _SKIPPED_ATTRS), and the class noted in _object_reprs (it prints as
 * object's repr does, render_repr deciding). 1 if done, 0 if the class is
 * not one of those, -1 with an exception set.
 */
static int plain_class_attrs(struct rb *rb, PyObject *cls, PyObject *attrs)
{
    static const char *const decided[] = {
        "__repr__", "__str__", "__dataclass_fields__", "__annotate_func__",
        "__annotations_cache__", "__len__", "__bool__", "__iter__", "__getitem__",
        "__contains__", "__getattr__", "__getattribute__"};
    PyObject *bases = ((PyTypeObject *)cls)->tp_bases, *skipped, *reprs;
    if (Py_TYPE(cls) != &PyType_Type || !bases || !PyTuple_Check(bases) ||
        PyTuple_GET_SIZE(bases) != 1 ||
        PyTuple_GET_ITEM(bases, 0) != (PyObject *)&PyBaseObject_Type || !PyDict_CheckExact(attrs))
        return 0;
    for (size_t i = 0; i < sizeof decided / sizeof decided[0]; i++) {
        PyObject *name = pyhd__interned(decided[i]);
        int has = name ? PyDict_Contains(attrs, name) : -1;
        if (has != 0)
            return has < 0 ? -1 : 0;
    }
    skipped = sur_fn(rb, "_SKIPPED_ATTRS");
    reprs = sur_fn(rb, "_object_reprs");
    if (!skipped || !reprs)
        return -1;
    if (!PyAnySet_Check(skipped) || !PySet_Check(reprs)) {
        PyErr_SetString(PyExc_TypeError, "pyhd_surrogates._SKIPPED_ATTRS or _object_reprs "
                                         "is not a set");
        return -1;
    }
    return class_setattrs(cls, attrs, skipped) < 0 || PySet_Add(reprs, cls) < 0 ? -1 : 1;
}

static int fill_one(struct rb *rb, uint64_t id, int phase)
{
    const struct pyhd_record *r = &rb->g->objects[id - 1];
    PyObject *obj = rb->objs[id], *res, *args[2];
    unsigned kind = r->f ? r->kind : 0;  /* 0: a kind without slots, a placeholder */
    uint64_t a;
    int rc;

    if (phase == 0) {
        /* LIST, SET and DICT keep their ITEMS or MAP slots in the same place. */
        if (kind == PYHD_REC_LIST || kind == PYHD_REC_SET || kind == PYHD_REC_DICT)
            return fill_container(rb, kind, obj, r, SLOTS(r, LIST, items), 0);
        if (kind == PYHD_REC_SUBCLASS)
            return fill_subclass_items(rb, obj, r);
        return 0;
    }
    switch (kind) {
    case PYHD_REC_CLASS:
        a = FLD(r, CLASS, attrs);
        /* class_attrs gives only the classes pyhd_surrogates made their attributes:
           the real ones (the trust table's) are left as they are, without a call. */
        if (!a || !PyType_Check(obj) || !is_surrogate_class(rb, obj))
            return 0;
        rc = plain_class_attrs(rb, obj, rb->objs[a]);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
        args[0] = obj;
        args[1] = rb->objs[a];
        res = sur_call(rb, "class_attrs", args, 2);
        Py_XDECREF(res);
        return res ? 0 : -1;
    case PYHD_REC_INSTANCE:
        return fill_instance(rb, obj, r);
    case PYHD_REC_SUBCLASS:
        return fill_subclass(rb, obj, r);
    case PYHD_REC_EXCEPTION:
        return fill_exception(rb, obj, r);
    case PYHD_REC_FUNCTION: {
        /* Its 4 names, then 4 of its fields of format version 2 (None when absent; the
           closure was given when it was made). */
        PyObject *fargs[9] = {obj,
                              ref(rb, FLD(r, FUNCTION, name)),
                              ref(rb, FLD(r, FUNCTION, qualname)),
                              ref(rb, FLD(r, FUNCTION, module)),
                              ref(rb, FLD(r, FUNCTION, code)),
                              ref(rb, FLD(r, FUNCTION, defaults)),
                              ref(rb, FLD(r, FUNCTION, kwdefaults)),
                              ref(rb, FLD(r, FUNCTION, annotations)),
                              ref(rb, FLD(r, FUNCTION, doc))};
        rb->fx.sur = rb->sur;
        return pyhd__function_fill(&rb->fx, fargs);
    }
    case PYHD_REC_DESCRIPTOR: {
        PyObject *dargs[5] = {obj, ref(rb, FLD(r, DESCRIPTOR, function)),
                              ref(rb, FLD(r, DESCRIPTOR, setter)),
                              ref(rb, FLD(r, DESCRIPTOR, deleter)),
                              ref(rb, FLD(r, DESCRIPTOR, doc))};
        res = sur_call(rb, "fill_descriptor", dargs, 5);
        Py_XDECREF(res);
        return res ? 0 : -1;
    }
    case PYHD_REC_CODE:
        return fill_code(rb, obj, r);
    case PYHD_REC_CELL:
        a = FLD(r, CELL, contents);
        return a ? PyCell_Set(obj, rb->objs[a]) : 0;
    case PYHD_REC_MODULE:
        if (obj == rb->builtins)
            return 0;
        a = FLD(r, MODULE, file);
        return a ? set_attr_id(rb, obj, "__file__", a) : 0;
    case PYHD_REC_FRAME:
        return fill_frame(rb, obj, r);
    case PYHD_REC_TRACEBACK:
        return fill_traceback(rb, obj, r);
    case PYHD_REC_GENERATOR:
        return fill_generator(rb, obj, r);
    case PYHD_REC_WEAKREF:
        return set_attr_id(rb, obj, "referent", FLD(r, WEAKREF, referent));
    case PYHD_REC_TRUNCATED:
        return set_attr_id(rb, obj, "cls", FLD(r, TRUNCATED, class));
    case PYHD_REC_REDACTED:
        return set_attr_id(rb, obj, "cls", FLD(r, REDACTED, class));
    case PYHD_REC_PARTIAL:
    case PYHD_REC_MATCH:
    case PYHD_REC_LOCK:
    case PYHD_REC_FILE:
    case PYHD_REC_FUTURE:
    case PYHD_REC_NDARRAY:
    case PYHD_REC_DTYPE:
        return fill_c_object(rb, obj, r);
    case PYHD_REC_REDUCED:
        /* Asked once per run of records of one type (the datetimes of a list). */
        if (Py_TYPE(obj) != rb->fill_type) {
            rb->fill_type = Py_TYPE(obj);
            rb->fill_wanted = pyhd__values_fill_wanted(obj);
        }
        if (!rb->fill_wanted)
            return 0;
        args[0] = obj;
        args[1] = rb->objs[FLD(r, REDUCED, args)];
        res = sur_call(rb, "fill_reduced", args, 2);
        Py_XDECREF(res);
        return res ? 0 : -1;
    default:
        return 0;
    }
}

/* In a dict that serves as module globals: this interpreter's builtins, no loader or spec. */
static int patch_globals(struct rb *rb, PyObject *d)
{
    static const char *const none_keys[] = {"__loader__", "__spec__"};
    if (!d || !PyDict_Check(d))
        return 0;
    for (int i = 0; i < 2; i++) {
        PyObject *key = PyUnicode_FromString(none_keys[i]);
        int rc;
        if (!key)
            return -1;
        rc = PyDict_Contains(d, key);
        if (rc > 0)
            rc = PyDict_SetItem(d, key, Py_None);
        Py_DECREF(key);
        if (rc < 0)
            return -1;
    }
    /* A dict stays a dict (an exec() namespace may hold builtins' dict). */
    {
        PyObject *dumped = PyDict_GetItemString(d, "__builtins__");  /* borrowed */
        if (dumped && PyDict_SetItemString(d, "__builtins__",
                                           PyDict_Check(dumped) ? PyModule_GetDict(rb->builtins)
                                                                : rb->builtins) < 0)
            return -1;
    }
    return 0;
}

/*
 * Before anything else: a module whose dict was dumped owns that dict, so
 * the DICT record becomes the module's own __dict__ (frames that use it as
 * globals and the module then share it, as they did).
 */
static int make_modules(struct rb *rb)
{
    for (size_t i = 0; i < rb->g->nlater_ids; i++) {
        uint64_t id = rb->g->later_ids[i];
        const struct pyhd_record *r = &rb->g->objects[id - 1];
        uint64_t dict_id;
        PyObject *mod;
        if (r->kind != PYHD_REC_MODULE || rb->state[id] == MADE)
            continue;
        if (ensure(rb, id) < 0)
            return -1;
        mod = rb->objs[id];
        dict_id = FLD(r, MODULE, dict);
        if (!dict_id || mod == rb->builtins || rb->state[dict_id] != UNSEEN ||
            !PyModule_Check(mod))
            continue;
        rb->objs[dict_id] = Py_NewRef(PyModule_GetDict(mod));
        rb->depth[dict_id] = 1;
        rb->state[dict_id] = MADE;
    }
    return 0;
}

static int rebuild_all(struct rb *rb)
{
    const struct pyhd_decoded *g = rb->g;
    /* Per id, the fill phases it takes part in (bit 0, bit 1), noted while the make
       loop has its record at hand: the fill loops then scan these bytes, not every
       64-byte record twice (at 10^4 objects and more the record table is out of the
       cache by then, and those two scans were a third of the load's cache misses). */
    unsigned char *phases = PyMem_Calloc(g->nobjects + 1, 1);
    /* Per kind, what the loops below ask of every record (fills_in(),
       kind_has_hard_deps()): one load per record, not a switch per question. */
    enum { HARD_DEPS = 8 };
    unsigned char kind_flags[256];
    int rc = -1;
    if (!phases) {
        PyErr_NoMemory();
        return -1;
    }
    rb->phases = phases;
    for (unsigned k = 0; k < 256; k++)
        kind_flags[k] = (unsigned char)(fills_in(k, 0) * FILL0 | fills_in(k, 1) * FILL1 |
                                        kind_has_hard_deps(k) * HARD_DEPS);
    /* What an earlier load left half done (it failed) is forgotten. */
    if (pyhd__surrogates_begin(rb->sur) < 0 || make_modules(rb) < 0)
        goto done;
    for (uint64_t id = 1; id <= g->nobjects; id++) {
        const struct pyhd_record *r = &g->objects[id - 1];
        /* A kind without slots (unknown here) depends on nothing. */
        unsigned flags = kind_flags[r->kind & 0xFF] & (r->f ? 0xFF : FILL0 | FILL1);
        /* A DICT filled with its instance (take_own_dict()) is filled in no phase. */
        if (!(phases[id] & PREFILLED))
            phases[id] = (unsigned char)(flags & (FILL0 | FILL1));
        if (rb->state[id] == MADE)
            continue;
        /* Most records (values, containers made empty) depend on nothing: made here. */
        if (rb->state[id] == UNSEEN && !(flags & HARD_DEPS)) {
            if (make_one(rb, id) < 0)
                goto done;
        } else if (ensure(rb, id) < 0) {
            goto done;
        }
    }
    for (int phase = 0; phase < 2; phase++) {
        for (uint64_t id = 1; id <= g->nobjects; id++) {
            if (!(phases[id] >> phase & 1))
                continue;
            rb->current = id;
            if (fill_one(rb, id, phase) < 0)
                goto done;
        }
    }
    rc = 0;
done:
    rb->phases = NULL;
    PyMem_Free(phases);
    return rc;
}

/* After every record is made and filled: functions' code, modules' and frames' globals. */
static int finish_all(struct rb *rb)
{
    const struct pyhd_decoded *g = rb->g;
    PyObject *res, *pending[2];
    /* Functions get their code objects once every code record is filled. */
    rb->current = 0;
    if (pyhd__functions_finish(&rb->fx) < 0)
        return -1;
    /* finish() has work only when a class is not plain (plain_class_attrs) or a
       3.14 dump's class annotations are read in an older python. */
    pending[0] = sur_fn(rb, "_pending_classes");
    pending[1] = pending[0] ? sur_fn(rb, "_pending_annotations") : NULL;
    if (!pending[1])
        return -1;
    if (!PyList_Check(pending[0]) || !PyList_Check(pending[1]) ||
        PyList_GET_SIZE(pending[0]) > 0 || PyList_GET_SIZE(pending[1]) > 0) {
        res = sur_call(rb, "finish", NULL, 0);
        if (!res)
            return -1;
        Py_DECREF(res);
    }
    for (size_t i = 0; i < g->nlater_ids; i++) {
        uint64_t id = g->later_ids[i];
        const struct pyhd_record *r = &g->objects[id - 1];
        if (r->kind == PYHD_REC_MODULE && rb->objs[id] != rb->builtins) {
            if (patch_globals(rb, ref(rb, FLD(r, MODULE, dict))) < 0)
                return -1;
        } else if (r->kind == PYHD_REC_FRAME) {
            if (patch_globals(rb, ref(rb, FLD(r, FRAME, globals))) < 0)
                return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The result of load() */

/* Object id if it is of kind (borrowed), else None: a TRUNCATED stand-in is no record. */
static PyObject *record_or_none(struct rb *rb, uint64_t id, unsigned kind)
{
    const struct pyhd_record *r = pyhd__decode_obj(rb->g, id);
    return r && r->kind == kind ? rb->objs[id] : Py_None;
}

static PyObject *text_obj(const unsigned char *p, size_t n)
{
    return PyUnicode_DecodeUTF8((const char *)p, (Py_ssize_t)n, "replace");
}

static PyObject *roots_dict(struct rb *rb)
{
    const struct pyhd_record *r = &rb->g->roots;
    const uint64_t *roots = SLOTS(r, ROOTS, root);
    struct pyhd_cursor c = ELEMS(r, roots, PYHD_LIST_AT);
    uint64_t n = roots[PYHD_LIST_N];
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    for (uint64_t i = 0; i < n; i++) {
        const unsigned char *key = NULL;
        size_t keylen = 0;
        PyObject *k;
        int rc;
        pyhd__cur_text(&c, &key, &keylen);
        k = text_obj(key, keylen);
        if (!k) {
            Py_DECREF(d);
            return NULL;
        }
        rc = PyDict_SetItem(d, k, ref(rb, rd_id(&c)));
        Py_DECREF(k);
        if (rc < 0) {
            Py_DECREF(d);
            return NULL;
        }
    }
    return d;
}

static PyObject *threads_list(struct rb *rb)
{
    PyObject *list = PyList_New(0);
    if (!list)
        return NULL;
    for (size_t i = 0; i < rb->g->nthreads; i++) {
        const struct pyhd_record *r = &rb->g->threads[i];
        const uint64_t *name = SLOTS(r, THREAD, name);
        PyObject *t, *nameobj;
        int rc;
        nameobj = text_obj(r->payload + name[PYHD_TEXT_AT], (size_t)name[PYHD_TEXT_LEN]);
        if (!nameobj)
            goto error;
        t = Py_BuildValue("{s:K,s:K,s:N,s:I,s:O,s:O}", "ident",
                          (unsigned long long)FLD(r, THREAD, ident), "native_id",
                          (unsigned long long)FLD(r, THREAD, native_id), "name", nameobj,
                          "flags", (unsigned)FLD(r, THREAD, flags), "frame",
                          record_or_none(rb, FLD(r, THREAD, frame), PYHD_REC_FRAME),
                          "context",
                          record_or_none(rb, FLD(r, THREAD, context), PYHD_REC_REDUCED));
        if (!t)
            goto error;
        rc = PyList_Append(list, t);
        Py_DECREF(t);
        if (rc < 0)
            goto error;
    }
    return list;
error:
    Py_DECREF(list);
    return NULL;
}

static PyObject *exceptions_list(struct rb *rb)
{
    PyObject *list = PyList_New(0);
    if (!list)
        return NULL;
    for (size_t i = 0; i < rb->g->nlater_ids; i++) {
        uint64_t id = rb->g->later_ids[i];
        const struct pyhd_record *r = &rb->g->objects[id - 1];
        PyObject *pair;
        int rc;
        if (r->kind != PYHD_REC_EXCEPTION)
            continue;
        pair = PyTuple_Pack(2, rb->objs[id],
                            record_or_none(rb, FLD(r, EXCEPTION, traceback), PYHD_REC_TRACEBACK));
        if (!pair)
            goto error;
        rc = PyList_Append(list, pair);
        Py_DECREF(pair);
        if (rc < 0)
            goto error;
    }
    return list;
error:
    Py_DECREF(list);
    return NULL;
}

static PyObject *manifest_list(const struct pyhd_manifest *m)
{
    PyObject *list = PyList_New((Py_ssize_t)m->nfields);
    if (!list)
        return NULL;
    for (size_t i = 0; i < m->nfields; i++) {
        const char *key = m->fields[i].key, *value = m->fields[i].value;
        size_t klen = strlen(key), vlen = strlen(value);
        PyObject *k = PyUnicode_DecodeUTF8(key, (Py_ssize_t)klen, NULL), *v, *pair = NULL;
        v = k ? PyUnicode_DecodeUTF8(value, (Py_ssize_t)vlen, NULL) : NULL;
        if (!v) {
            /* A key or value that is not UTF-8: decode it leniently instead. */
            PyErr_Clear();
            Py_XDECREF(k);
            k = text_obj((const unsigned char *)key, klen);
            v = k ? text_obj((const unsigned char *)value, vlen) : NULL;
        }
        if (k && v)
            pair = PyTuple_Pack(2, k, v);
        Py_XDECREF(k);
        Py_XDECREF(v);
        if (!pair) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, pair);
    }
    return list;
}

static PyObject *sources_dict(const struct pyhd_dump_file *f)
{
    size_t plen = strlen(PYHD_MEMBER_SOURCES_DIR);
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    for (size_t i = 0; i < f->nmembers; i++) {
        const struct pyhd_archive_member *m = &f->members[i];
        PyObject *k, *v;
        int rc;
        if (strncmp(m->name, PYHD_MEMBER_SOURCES_DIR, plen) || !m->name[plen])
            continue;
        /* The member is "sources" and the absolute path, in the bytes of the
           file system's encoding (as co_filename was encoded): from its "/". */
        k = PyUnicode_DecodeFSDefault(m->name + plen - 1);
        v = PyBytes_FromStringAndSize((const char *)m->data, (Py_ssize_t)m->len);
        rc = k && v ? PyDict_SetItem(d, k, v) : -1;
        Py_XDECREF(k);
        Py_XDECREF(v);
        if (rc < 0) {
            Py_DECREF(d);
            return NULL;
        }
    }
    return d;
}

/*
 * An unexpected error while rebuilding (a value this Python refuses, such as
 * a class name with a NUL in it) means a damaged dump: report it as
 * DumpError naming the record. Running out of memory or an interrupt stays
 * what it is.
 */
static void blame_record(struct rb *rb)
{
    PyObject *exc, *text = NULL;
    const struct pyhd_record *r = pyhd__decode_obj(rb->g, rb->current);
    size_t recno, offset;
    if (!r || PyErr_ExceptionMatches(DumpError) || PyErr_ExceptionMatches(PyExc_MemoryError) ||
        PyErr_ExceptionMatches(PyExc_KeyboardInterrupt))
        return;
    exc = pyhd_err_take();
    if (exc)
        text = PyObject_Str(exc);
    if (!text) {
        PyErr_Clear();
        text = PyUnicode_FromString("?");
    }
    pyhd__record_where(rb->g, r, &recno, &offset);
    if (text)
        PyErr_Format(DumpError, "bad record %zu (byte %zu): %s: cannot rebuild it: %s: %S",
                     recno, offset, pyhd__kind_name(r->kind),
                     exc ? Py_TYPE(exc)->tp_name : "error", text);
    Py_XDECREF(text);
    Py_XDECREF(exc);
}

/* The objects made by a load live as long as the session: let the collector take
   them as old ones. Made while it was paused, every one still counts in the
   youngest generation, whose first collection after the pause walks them all
   (0.15 ms at 10^4 objects, 2 ms at 10^5). gc.freeze() + gc.unfreeze() move
   every tracked object to the oldest generation and clear the young count,
   without walking any: two list splices. Not where the collector is not
   generational (free-threaded builds: freeze walks the whole heap there), nor
   where something else froze objects (unfreeze would release them). */
static int settle_new_objects(void)
{
#ifdef Py_GIL_DISABLED
    return 0;
#else
    PyObject *gc = pyhd_import("gc"), *res = NULL;
    long frozen = -1;
    if (!gc)
        return -1;
    res = PyObject_CallMethod(gc, "get_freeze_count", NULL);
    if (res) {
        frozen = PyLong_AsLong(res);
        Py_CLEAR(res);
    }
    if (frozen == 0) {
        res = PyObject_CallMethod(gc, "freeze", NULL);
        Py_XSETREF(res, res ? PyObject_CallMethod(gc, "unfreeze", NULL) : NULL);
    }
    Py_DECREF(gc);
    if (frozen < 0 || (frozen == 0 && !res))
        return -1;
    Py_XDECREF(res);
    return 0;
#endif
}

/* Rebuild every object of g and build load()'s dict around them. */
static PyObject *rebuild(const struct pyhd_decoded *g, int trust, int seeded, PyObject *result)
{
    struct rb rb;
    PyObject *roots = NULL, *threads = NULL, *excs = NULL, *ret = NULL;
    size_t n = g->nobjects + 1, nclass = g->nclasses ? g->nclasses : 1;
    int gc_was_enabled, rc;

    memset(&rb, 0, sizeof rb);
    rb.g = g;
    rb.trust = trust;
    rb.seeded = seeded;
    /* Sets made again to iterate in the dumped order: at most 16 items added per
       object of the dump, over the load (a program's sets cost far less). */
    rb.set_order_work = 16 * (size_t)g->nobjects + 100000;
    /* objs and depth are written as each object is made, and read only once it is
       (state says so): not zeroed first, which would write them all once more. */
    rb.objs = PyMem_Malloc(n * sizeof *rb.objs);
    rb.state = PyMem_Calloc(n, 1);
    rb.inst_cls = PyMem_Calloc(nclass, sizeof *rb.inst_cls);
    rb.inst_mode = PyMem_Calloc(nclass, 1);
    rb.depth = PyMem_Malloc(n * sizeof *rb.depth);
    rb.mro_len = PyMem_Calloc(nclass, sizeof *rb.mro_len);
    if (!rb.objs || !rb.state || !rb.inst_cls || !rb.inst_mode || !rb.depth || !rb.mro_len) {
        PyErr_NoMemory();
        goto done;
    }
    rb.objs[0] = NULL;
    rb.depth[0] = 0;
    rb.sur = pyhd_import("pyhd_surrogates");
    if (!rb.sur)
        goto done;
    rb.surrogates = pyhd__getattr(rb.sur, "SURROGATES");
    rb.how = rb.surrogates ? pyhd__getattr(rb.sur, "_how") : NULL;
    if (!rb.how || !PyDict_Check(rb.how)) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "pyhd_surrogates._how is not a dict");
        goto done;
    }
    {
        PyObject *enum_module = pyhd_import("enum"), *enum_class = NULL;
        rb.enum_meta = enum_module ? pyhd__getattr(enum_module, "EnumMeta") : NULL;
        enum_class = rb.enum_meta ? pyhd__getattr(enum_module, "Enum") : NULL;
        rb.enum_hash = enum_class ? pyhd__getattr(enum_class, "__hash__") : NULL;
        rb.member_hash = rb.enum_hash ? pyhd__getattr(rb.sur, "_enum_member_hash")
                                      : NULL;
        Py_XDECREF(enum_module);
        Py_XDECREF(enum_class);
        if (!rb.member_hash || !PyType_Check(rb.enum_meta))
            goto done;
    }
    rb.empty = PyTuple_New(0);
    rb.builtins = pyhd_import("builtins");
    rb.dict_name = Py_XNewRef(pyhd__interned("__dict__"));
    rb.name_name = Py_XNewRef(pyhd__interned("_name_"));
    if (!rb.surrogates || !PyDict_Check(rb.surrogates) || !rb.empty || !rb.builtins ||
        !rb.dict_name || !rb.name_name) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "pyhd_surrogates.SURROGATES is not a dict");
        goto done;
    }
    /* Rebuilding makes no garbage, only many objects: the collector would
       walk them again and again for nothing. */
    gc_was_enabled = PyGC_Disable();
    rc = rebuild_all(&rb);
    if (rc == 0)
        rc = finish_all(&rb);
    if (rc < 0) {
        if (gc_was_enabled)
            PyGC_Enable();
        blame_record(&rb);
        goto done;
    }
    rc = gc_was_enabled ? settle_new_objects() : 0;
    if (gc_was_enabled)
        PyGC_Enable();
    if (rc < 0)
        goto done;
    roots = roots_dict(&rb);
    threads = threads_list(&rb);
    excs = exceptions_list(&rb);
    if (!roots || !threads || !excs)
        goto done;
    {
        /* The dumped sys and os modules get what the roots and MANIFEST say,
           threads' handles whether their thread was alive. */
        PyObject *manifest = PyDict_GetItemString(result, "manifest");
        int code_values = frames_hold_code(&rb);
        if (code_values < 0 ||
            pyhd__finish_roots(rb.sur, roots, manifest ? manifest : Py_None, threads, excs,
                               code_values) < 0)
            goto done;
    }
    if (PyDict_SetItemString(result, "roots", roots) < 0 ||
        PyDict_SetItemString(result, "threads", threads) < 0 ||
        PyDict_SetItemString(result, "exceptions", excs) < 0 ||
        PyDict_SetItemString(result, "truncated", rb.truncated ? Py_True : Py_False) < 0)
        goto done;
    ret = Py_NewRef(result);
done:
    Py_XDECREF(roots);
    Py_XDECREF(threads);
    Py_XDECREF(excs);
    if (rb.objs && rb.state) {
        for (size_t i = 1; i < n; i++) {
            if (rb.state[i] == MADE)
                Py_DECREF(rb.objs[i]);
        }
    }
    if (rb.inst_cls) {
        for (size_t i = 0; i < nclass; i++)
            Py_XDECREF(rb.inst_cls[i]);
    }
    PyMem_Free(rb.objs);
    PyMem_Free(rb.state);
    PyMem_Free(rb.inst_cls);
    PyMem_Free(rb.inst_mode);
    PyMem_Free(rb.depth);
    PyMem_Free(rb.mro_len);
    PyMem_Free(rb.stack);
    for (size_t i = 0; i < rb.nsur_fns; i++)
        Py_DECREF(rb.sur_fns[i].fn);
    pyhd__functions_end(&rb.fx);
    Py_XDECREF(rb.sur);
    Py_XDECREF(rb.surrogates);
    Py_XDECREF(rb.cob);
    Py_XDECREF(rb.how);
    Py_XDECREF(rb.last_class);
    Py_XDECREF(rb.empty);
    Py_XDECREF(rb.builtins);
    Py_XDECREF(rb.dict_name);
    Py_XDECREF(rb.name_name);
    Py_XDECREF(rb.enum_meta);
    Py_XDECREF(rb.enum_hash);
    Py_XDECREF(rb.member_hash);
    return ret;
}

/* ------------------------------------------------------------------------ */
/* The module */

/* The archive reader names the file first ("PATH: ..."): DumpError's text does not. */
static const char *without_path(const char *err, const char *path)
{
    size_t n = strlen(path);
    if (!strncmp(err, path, n) && err[n] == ':' && err[n + 1] == ' ')
        return err + n + 2;
    return err;
}

/*
 * Raise DumpError with prefix and msg. msg may hold bytes of the dump (a
 * member's name, a MANIFEST key) that are not UTF-8: they are shown as \xNN,
 * so that the refusal stays a DumpError.
 */
static void set_dump_error(const char *prefix, const char *msg)
{
    size_t np = strlen(prefix), nm = strlen(msg);
    char *text = malloc(np + nm + 1);
    PyObject *s;
    if (text == NULL) {
        PyErr_NoMemory();
        return;
    }
    memcpy(text, prefix, np);
    memcpy(text + np, msg, nm + 1);
    s = PyUnicode_DecodeUTF8(text, (Py_ssize_t)(np + nm), "backslashreplace");
    free(text);
    if (s != NULL) {
        PyErr_SetObject(DumpError, s);
        Py_DECREF(s);
    }
}

static int set_item_steal(PyObject *d, const char *key, PyObject *value)
{
    int rc;
    if (!value)
        return -1;
    rc = PyDict_SetItemString(d, key, value);
    Py_DECREF(value);
    return rc;
}

PyDoc_STRVAR(load_doc,
"load(path, trust=False) -> dict\n\n"
"Read the pyhd dump at path and rebuild its objects. Nothing from the dump is\n"
"executed and, unless trust is true, no module outside the standard library is\n"
"imported. Raises DumpError (a one-line message) when the file is not a dump or\n"
"is damaged.");

/*
 * The Graph-Size the MANIFEST declares (0: none), which bounds inflating
 * graph.z (pyhd__decode_limit()). Returns -1 with DumpError set for a value
 * that is not a number.
 */
static int declared_graph_size(const struct pyhd_manifest *manifest, uint64_t *size)
{
    const char *text = pyhd__manifest_get(manifest, PYHD_MANIFEST_GRAPH_SIZE);
    uint64_t n = 0;
    *size = 0;
    if (!text)
        return 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9' || n > (UINT64_MAX - 9) / 10) {
            PyErr_SetString(DumpError, "bad MANIFEST: Graph-Size is not a byte count");
            return -1;
        }
        n = n * 10 + (uint64_t)(*p - '0');
    }
    if (!*text) {
        PyErr_SetString(DumpError, "bad MANIFEST: Graph-Size is empty");
        return -1;
    }
    *size = n;
    return 0;
}

/* Whether this interpreter hashes strs with the seed the dumped program had
   (the MANIFEST's Hash-Seed, which pyhd-debug starts with). */
static int same_hash_seed(const struct pyhd_manifest *manifest)
{
    const char *value = pyhd__manifest_get(manifest, PYHD_MANIFEST_HASH_SEED);
    unsigned long ours;
    char text[32];
    if (value == NULL || !pyhd_hash_seed(&ours))
        return 0;
    snprintf(text, sizeof text, "%lu", ours);
    return !strcmp(text, value);
}

static PyObject *pyhd_load(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"path", "trust", NULL};
    PyObject *path_bytes = NULL, *path_str = NULL, *result = NULL, *ret = NULL;
    struct pyhd_dump_file file = {0};
    struct pyhd_decoded graph;
    struct pyhd_manifest manifest = {NULL, 0, NULL};
    const struct pyhd_archive_member *m, *graph_member;
    char err[512];
    int trust = 0, rc, have_graph = 0;
    uint64_t declared = 0, limit;
    const char *path;

    memset(&graph, 0, sizeof graph);
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|p:load", kwlist, PyUnicode_FSConverter,
                                     &path_bytes, &trust))
        return NULL;
    path = PyBytes_AS_STRING(path_bytes);
    err[0] = '\0';
    Py_BEGIN_ALLOW_THREADS
    rc = pyhd__ar_load(path, MAX_MEMBER, &file, err, sizeof err);
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        set_dump_error("", without_path(err, path));
        goto done;
    }
    graph_member = pyhd__ar_find(&file, PYHD_MEMBER_GRAPH);
    if (!graph_member) {
        PyErr_SetString(DumpError, "not a pyhd dump (no " PYHD_MEMBER_GRAPH " member)");
        goto done;
    }
    m = pyhd__ar_find(&file, PYHD_MEMBER_MANIFEST);
    if (!m) {
        PyErr_SetString(DumpError, "not a pyhd dump (no " PYHD_MEMBER_MANIFEST " member)");
        goto done;
    }
    if (pyhd__manifest_parse((const char *)m->data, m->len, &manifest, err, sizeof err) < 0) {
        set_dump_error("bad MANIFEST: ", err);
        goto done;
    }
    if (declared_graph_size(&manifest, &declared) < 0)
        goto done;
    limit = pyhd__decode_limit(graph_member->len, declared);
    Py_BEGIN_ALLOW_THREADS
    rc = pyhd__decode_open(&graph, graph_member->data, graph_member->len, limit, err,
                           sizeof err);
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        set_dump_error("", err);
        goto done;
    }
    have_graph = 1;
    result = PyDict_New();
    if (!result)
        goto done;
    path_str = PyUnicode_DecodeFSDefault(path);
    m = pyhd__ar_find(&file, PYHD_MEMBER_TRACEBACK);
    if (set_item_steal(result, "path", path_str) < 0 ||
        set_item_steal(result, "format_version",
                       PyLong_FromUnsignedLongLong(graph.version)) < 0 ||
        set_item_steal(result, "objects", PyLong_FromSize_t(graph.nobjects)) < 0 ||
        set_item_steal(result, "manifest", manifest_list(&manifest)) < 0 ||
        set_item_steal(result, "traceback_txt",
                       m ? text_obj(m->data, m->len) : PyUnicode_FromString("")) < 0 ||
        set_item_steal(result, "sources", sources_dict(&file)) < 0)
        goto done;
    /* asyncio.json (3.14+ dumps with a running event loop), as text; None without. */
    m = pyhd__ar_find(&file, PYHD_MEMBER_ASYNCIO);
    if (set_item_steal(result, "asyncio_json", m ? text_obj(m->data, m->len) : Py_NewRef(Py_None)) < 0)
        goto done;
    ret = rebuild(&graph, trust, same_hash_seed(&manifest), result);
done:
    Py_XDECREF(result);
    Py_XDECREF(path_bytes);
    if (have_graph)
        pyhd__decode_free(&graph);
    pyhd__manifest_free(&manifest);
    pyhd__ar_free(&file);
    return ret;
}

PyDoc_STRVAR(class_setattrs_doc,
"class_setattrs(cls, attrs, skipped)\n\n"
"type.__setattr__(cls, name, value) for every item of the dict attrs whose\n"
"name is a str not in the set skipped, in the dict's order: the loop of\n"
"pyhd_surrogates.class_attrs, without a Python frame per attribute.");

static PyObject *pyhd_class_setattrs(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 3 || !PyType_Check(args[0]) || !PyDict_Check(args[1]) ||
        !PyAnySet_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "class_setattrs(cls, attrs, skipped) takes a class, "
                                         "a dict and a set");
        return NULL;
    }
    if (class_setattrs(args[0], args[1], args[2]) < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(set_frame_local_doc,
"set_frame_local(frame, name, value)\n\n"
"Bind name to value among a frame's locals, its fast locals included, as\n"
"`frame.f_locals[name] = value` does from 3.13 on. pyhd-debug gives its own\n"
"rebuilt frames, once built, the frames and tracebacks a local held.");

static PyObject *pyhd_set_frame_local(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *locals;
    int rc;
    (void)module;
    if (nargs != 3 || !PyFrame_Check(args[0]) || !PyUnicode_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "set_frame_local(frame, name, value) takes a frame "
                                         "and a str");
        return NULL;
    }
    /* From 3.13 f_locals is a write-through proxy of the fast locals (PEP 667);
       before, a snapshot, copied back below. */
    locals = PyObject_GetAttrString(args[0], "f_locals");
    if (!locals)
        return NULL;
    rc = PyObject_SetItem(locals, args[1], args[2]);
    Py_DECREF(locals);
    if (rc < 0)
        return NULL;
#if PY_VERSION_HEX < 0x030D0000
    PyFrame_LocalsToFast((PyFrameObject *)args[0], 0);
    if (PyErr_Occurred())
        return NULL;
#endif
    Py_RETURN_NONE;
}

PyDoc_STRVAR(trusted_class_doc,
"trusted_class(module, qualname) -> (class, how) or None\n\n"
"The real class a dump may name as module.qualname, from pyhd's reviewed table\n"
"(src/trust.c), and how its objects are rebuilt: 'class', 'reduced', 'instance'\n"
"or 'enum'. None when the pair is not in the table: nothing is imported then.");

static PyObject *pyhd_trusted_class(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    enum pyhd_trust_how how;
    PyObject *cls;
    (void)module;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "trusted_class() takes module and qualname");
        return NULL;
    }
    cls = pyhd__trust_resolve(args[0], args[1], &how);
    if (!cls) {
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_NONE;
    }
    return Py_BuildValue("(Ns)", cls, pyhd__trust_how_name(how));
}

PyDoc_STRVAR(inert_builtin_doc,
"inert_builtin(name, self, module) -> builtin_function_or_method\n\n"
"A builtin function named name, bound to self (None: none) with __module__\n"
"module (None: none), that raises DumpedCodeError when called (inert_builtin.h).");

static PyObject *pyhd_inert_builtin(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "inert_builtin() takes name, self and module");
        return NULL;
    }
    return pyhd__inert_builtin(args[0], args[1] == Py_None ? NULL : args[1],
                               args[2] == Py_None ? NULL : args[2]);
}

PyDoc_STRVAR(read_members_doc,
"read_members(path, names) -> dict\n\n"
"The members of the dump archive at path whose names are in names, as\n"
"{name: bytes}, without decoding the graph: a member the archive lacks is\n"
"absent. Reading stops once each has been read. Raises DumpError (a one-line\n"
"message) when the file is not a tar archive or is damaged.");

static PyObject *pyhd_read_members(PyObject *module, PyObject *args)
{
    PyObject *path_bytes = NULL, *names = NULL, *seq = NULL, *result = NULL, *ret = NULL;
    struct pyhd_dump_file file = {0};
    const char **wanted = NULL;
    Py_ssize_t n;
    char err[512];
    int rc;

    if (!PyArg_ParseTuple(args, "O&O:read_members", PyUnicode_FSConverter, &path_bytes,
                          &names))
        return NULL;
    seq = PySequence_Fast(names, "read_members() takes a sequence of member names");
    if (!seq)
        goto done;
    n = PySequence_Fast_GET_SIZE(seq);
    wanted = PyMem_Calloc((size_t)n + 1, sizeof *wanted);
    if (!wanted) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        /* Borrowed from seq, which outlives the read. */
        wanted[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(seq, i));
        if (!wanted[i])
            goto done;
    }
    err[0] = '\0';
    Py_BEGIN_ALLOW_THREADS
    rc = pyhd__ar_load_some(PyBytes_AS_STRING(path_bytes), MAX_MEMBER, wanted, (size_t)n,
                            &file, err, sizeof err);
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        set_dump_error("", without_path(err, PyBytes_AS_STRING(path_bytes)));
        goto done;
    }
    result = PyDict_New();
    if (!result)
        goto done;
    for (size_t i = 0; i < file.nmembers; i++) {
        PyObject *data = PyBytes_FromStringAndSize((const char *)file.members[i].data,
                                                   (Py_ssize_t)file.members[i].len);
        if (!data || PyDict_SetItemString(result, file.members[i].name, data) < 0) {
            Py_XDECREF(data);
            goto done;
        }
        Py_DECREF(data);
    }
    ret = Py_NewRef(result);
done:
    Py_XDECREF(result);
    Py_XDECREF(seq);
    Py_XDECREF(path_bytes);
    PyMem_Free(wanted);
    pyhd__ar_free(&file);
    return ret;
}

PyDoc_STRVAR(parse_manifest_doc,
"parse_manifest(data) -> [(key, value)]\n\n"
"The fields of a MANIFEST member's bytes, values unescaped, in order (keys may\n"
"repeat). Raises DumpError when a line is not \"Key: value\".");

static PyObject *pyhd_parse_manifest(PyObject *module, PyObject *arg)
{
    struct pyhd_manifest manifest = {NULL, 0, NULL};
    PyObject *ret;
    char err[512];
    char *data;
    Py_ssize_t len;

    if (PyBytes_AsStringAndSize(arg, &data, &len) < 0)
        return NULL;
    if (pyhd__manifest_parse(data, (size_t)len, &manifest, err, sizeof err) < 0) {
        set_dump_error("bad MANIFEST: ", err);
        return NULL;
    }
    ret = manifest_list(&manifest);
    pyhd__manifest_free(&manifest);
    return ret;
}

/* Set by pyhd__pause_collector(): the start of pyhd-debug runs without the
   collector, until resume_collector(). */
static int collector_paused;

void pyhd__pause_collector(void)
{
    collector_paused = PyGC_Disable();
}

/* Finalization runs three full collections, each walking every object of the
   session (the debugger's modules, the rebuilt graph: 16 M of the 144 M
   instructions of starting and quitting on a small dump) to find garbage that
   the process's exit frees anyway. Frozen, they are left alone; atexit
   functions, the flushing of files and the clearing of modules still run. */
void pyhd__freeze_for_exit(void)
{
#ifndef Py_GIL_DISABLED
    PyObject *gc = pyhd_import("gc");
    PyObject *res = gc ? PyObject_CallMethod(gc, "freeze", NULL) : NULL;
    Py_XDECREF(res);
    Py_XDECREF(gc);
    PyErr_Clear();  /* an optimization only: finalization works without it */
#endif
}

PyDoc_STRVAR(resume_collector_doc,
"resume_collector()\n\n"
"Resume the cyclic garbage collector that pyhd-debug paused for its start\n"
"(importing its modules and loading the dump make objects that live as long as\n"
"the session, and little garbage): the objects made since go to its oldest\n"
"generation without being walked, then it runs again. Called before the\n"
"session starts; does nothing when it was not paused, or a second time.");

static PyObject *pyhd_resume_collector(PyObject *module, PyObject *unused)
{
    int rc;
    (void)module;
    (void)unused;
    if (!collector_paused)
        Py_RETURN_NONE;
    collector_paused = 0;
    rc = settle_new_objects();
    PyGC_Enable();
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef pyhd_methods[] = {
    {"resume_collector", pyhd_resume_collector, METH_NOARGS, resume_collector_doc},
    {"load", (PyCFunction)(void (*)(void))pyhd_load, METH_VARARGS | METH_KEYWORDS, load_doc},
    {"trusted_class", (PyCFunction)(void (*)(void))pyhd_trusted_class, METH_FASTCALL,
     trusted_class_doc},
    {"inert_builtin", (PyCFunction)(void (*)(void))pyhd_inert_builtin, METH_FASTCALL,
     inert_builtin_doc},
    {"read_members", pyhd_read_members, METH_VARARGS, read_members_doc},
    {"class_setattrs", (PyCFunction)(void (*)(void))pyhd_class_setattrs, METH_FASTCALL,
     class_setattrs_doc},
    {"code_with", (PyCFunction)(void (*)(void))pyhd__code_with, METH_FASTCALL,
     "code_with(template, marker, raiser, record, freevars) -> code: a rebuilt\n"
     "function's code (src/rebuild_code.h)"},
    {"set_frame_local", (PyCFunction)(void (*)(void))pyhd_set_frame_local, METH_FASTCALL,
     set_frame_local_doc},
    {"parse_manifest", pyhd_parse_manifest, METH_O, parse_manifest_doc},
    {"scan_secrets", pyhd__py_scan_secrets, METH_O,
     "scan_secrets(text) -> [(rule, start, end)]: secret-shaped parts (redact.h)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef pyhd_module = {
    PyModuleDef_HEAD_INIT,
    "_pyhd",
    "pyhd-debug's reader: load() rebuilds a dump's objects.",
    -1,
    pyhd_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC pyhd__init_module(void)
{
    PyObject *m = PyModule_Create(&pyhd_module), *table = NULL;
    if (!m)
        return NULL;
    /* load() keeps its state in its own call: threads may call it at once. */
    if (pyhd_module_gil_not_used(m) < 0)
        goto error;
    if (pyhd__inert_builtin_init() < 0 || pyhd__code_init() < 0)
        goto error;
    if (!DumpError) {
        DumpError = PyErr_NewExceptionWithDoc(
            "_pyhd.DumpError", "The file is not a pyhd dump, or is damaged.", NULL, NULL);
        if (!DumpError)
            goto error;
    }
    if (PyModule_AddObjectRef(m, "DumpError", DumpError) < 0 ||
        PyModule_AddStringConstant(m, "__version__", PYHD_VERSION) < 0 ||
        PyModule_AddIntConstant(m, "FORMAT_VERSION", PYHD_FORMAT_VERSION) < 0)
        goto error;
    table = pyhd__trust_table();
    if (!table || PyModule_AddObjectRef(m, "TRUSTED", table) < 0)
        goto error;
    Py_DECREF(table);
    return m;
error:
    Py_XDECREF(table);
    Py_DECREF(m);
    return NULL;
}
