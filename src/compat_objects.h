/* compat_objects.h: object layouts the walker reads where CPython offers no public call, per version. */
#ifndef PYHD_COMPAT_OBJECTS_H
#define PYHD_COMPAT_OBJECTS_H

#include "compat.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Every struct here mirrors a private CPython struct, field for field, so the
 * walker can read an object without calling the C API that would change it
 * (materialize a dict) or run code (an OrderedDict lookup compares keys).
 * Each says which sources it was checked against; a new CPython version must
 * be checked here before it is supported.
 */

/* ---------------------------------------------------------------------------
 * Instance attributes without a dict (3.11+).
 *
 * A class-statement class's instances keep their attributes as "values": an
 * array of PyObject * indexed like the entries of the class's shared keys
 * (PyHeapTypeObject.ht_cached_keys, a split PyDictKeysObject), with a byte
 * array giving the order the attributes were set in. A real dict exists only
 * once something asks for one (__dict__, vars(), PyObject_GenericGetDict,
 * _PyObject_GetDictPtr); asking makes it and it stays: +64 bytes an instance
 * and slower attribute access afterwards. So the walker reads values in place.
 */
#if PY_VERSION_HEX >= 0x030B0000

/* struct _dictkeysobject, Include/internal/pycore_dict.h: 3.11.7, 3.12.1,
   3.13.0 and the 3.14 source (dk_mutex only in free-threaded builds, 3.13+). */
struct pyhd_dictkeys {
    Py_ssize_t dk_refcnt;
    uint8_t dk_log2_size;
    uint8_t dk_log2_index_bytes;
    uint8_t dk_kind;
#if PY_VERSION_HEX >= 0x030D0000 && defined(Py_GIL_DISABLED)
    PyMutex dk_mutex;
#endif
    uint32_t dk_version;
    Py_ssize_t dk_usable;
    Py_ssize_t dk_nentries;
    char dk_indices[];
};

/* PyDictUnicodeEntry: the entries of str-only and split keys (3.11 to 3.14). */
struct pyhd_dict_unicode_entry {
    PyObject *me_key;
    PyObject *me_value;
};

/* DICT_KEYS_SPLIT of enum dictkeys_kind (3.11 to 3.14). */
#define PYHD_DICT_KEYS_SPLIT 2
/* SHARED_KEYS_MAX_SIZE (30 in 3.11 to 3.14): no values array is longer. */
#define PYHD_SHARED_KEYS_MAX 30

/* Where an instance's attributes are: a dict, inline values, or neither. */
struct pyhd_managed_attrs {
    PyObject *dict;             /* borrowed: the instance's real dict, or NULL */
    PyObject *const *values;    /* the values array, or NULL */
    uint8_t order[PYHD_SHARED_KEYS_MAX]; /* indices into values, in insertion order */
    size_t count;               /* entries of order */
};

/*
 * Read the attribute storage of o, whose type has Py_TPFLAGS_MANAGED_DICT.
 * Pure C, changes nothing, runs nothing. Returns 0, or -1 when the layout is
 * not one this file knows (then nothing may be assumed about o).
 */
static inline int pyhd_managed_attrs(PyObject *o, struct pyhd_managed_attrs *a)
{
    PyTypeObject *t = Py_TYPE(o);
    const uint8_t *order = NULL;
    size_t count = 0, capacity = 0;
    a->dict = NULL;
    a->values = NULL;
    a->count = 0;
#if PY_VERSION_HEX < 0x030D0000
    PyObject **values = NULL;
#if PY_VERSION_HEX < 0x030C0000
    /* 3.11 (Include/internal/pycore_object.h, 3.11.7): before the GC header,
       the values pointer at word -4 and the dict pointer at word -3. */
    values = ((PyObject ***)o)[-4];
    a->dict = ((PyObject **)o)[-3];
#else
    /* 3.12 (PyDictOrValues, Include/internal/pycore_object.h, 3.12.1): one
       word at -3 holds the dict, or the values pointer minus one (an odd
       address). */
    uintptr_t word = ((uintptr_t *)o)[-3];
    if (word & 1)
        values = (PyObject **)(word + 1);
    else
        a->dict = (PyObject *)word;
#endif
    if (values != NULL) {
        /* 3.11 and 3.12: the order bytes precede the values: [-1] prefix
           size, [-2] count, [-3 - k] the k-th index. */
        const uint8_t *bytes = (const uint8_t *)values;
        if (bytes[-1] < 2 || bytes[-2] > bytes[-1] - 2)
            return -1;
        capacity = (size_t)bytes[-1] - 2;  /* at least the values' length */
        count = bytes[-2];
        for (size_t k = 0; k < count && k < PYHD_SHARED_KEYS_MAX; k++)
            a->order[k] = bytes[-3 - (ptrdiff_t)k];
        order = a->order;
        a->values = values;
    }
#else
    /* 3.13 and 3.14 (Include/internal/pycore_object.h and pycore_dict.h,
       3.13.0 and the 3.14 source): the dict pointer at word -3 (-1 without
       the GIL); with Py_TPFLAGS_INLINE_VALUES the values follow the object
       at tp_basicsize: {capacity, size, embedded, valid} bytes, the values,
       then the order bytes. A dict made from inline values shares them: the
       dict is then the one to read. */
    struct inline_values {
        uint8_t capacity;
        uint8_t size;
        uint8_t embedded;
        uint8_t valid;
        PyObject *values[1];
    };
#ifdef Py_GIL_DISABLED
    a->dict = ((PyObject **)o)[-1];
#else
    a->dict = ((PyObject **)o)[-3];
#endif
    if (a->dict == NULL && (t->tp_flags & Py_TPFLAGS_INLINE_VALUES)) {
        struct inline_values *v = (struct inline_values *)((char *)o + t->tp_basicsize);
        if (v->valid) {
            capacity = v->capacity;
            count = v->size;
            if (count > capacity)
                return -1;
            order = (const uint8_t *)&v->values[v->capacity];
            a->values = v->values;
        }
    }
#endif
    (void)t;
    if (a->values == NULL)
        return 0;
    if (count > PYHD_SHARED_KEYS_MAX)
        return -1;
    for (size_t k = 0; k < count; k++) {
        if (order[k] >= capacity)
            return -1;
        a->order[k] = order[k];
    }
    a->count = count;
    return 0;
}

/* The key of values index ix: the class's shared keys' entry, borrowed; NULL if none. */
static inline PyObject *pyhd_shared_key(PyTypeObject *t, size_t ix)
{
    const struct pyhd_dictkeys *keys;
    if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return NULL;
    keys = (const struct pyhd_dictkeys *)((PyHeapTypeObject *)t)->ht_cached_keys;
    if (keys == NULL || keys->dk_kind != PYHD_DICT_KEYS_SPLIT || keys->dk_nentries < 0
        || ix >= (size_t)keys->dk_nentries)
        return NULL;
    const struct pyhd_dict_unicode_entry *entries =
        (const struct pyhd_dict_unicode_entry *)(keys->dk_indices
                                                 + ((size_t)1 << keys->dk_log2_index_bytes));
    return entries[ix].me_key;
}

/* DICT_KEYS_GENERAL: keys of any type; the other kinds hold exact str only. */
#define PYHD_DICT_KEYS_GENERAL 0

/* Whether every key of the dict d is an exact str, from its keys' kind (3.11 to 3.14). */
static inline int pyhd_dict_has_str_keys_only(PyObject *d)
{
    const struct pyhd_dictkeys *keys = (const struct pyhd_dictkeys *)((PyDictObject *)d)->ma_keys;
    return keys != NULL && keys->dk_kind != PYHD_DICT_KEYS_GENERAL;
}

#else

/* 3.10 keeps no kind a reader may trust: the caller looks at each key. */
static inline int pyhd_dict_has_str_keys_only(PyObject *d)
{
    (void)d;
    return 0;
}

#endif /* 3.11+ */

/*
 * The address of the __dict__ pointer of o, whose type has a tp_dictoffset
 * and no managed dict; NULL when it has none. A positive offset is from the
 * start of the object (the documented meaning of tp_dictoffset); a negative
 * one counts from the end of a variable-size object, whose size each version
 * computes its own way (3.12 ints keep no ob_size), so CPython's own
 * _PyObject_GetDictPtr computes it: checked in 3.10.13, 3.11.7, 3.12.1,
 * 3.13.0 and the 3.14 source, it only reads for such types (it makes a dict
 * only for managed ones). PyObject_GenericGetDict, the public call, would
 * store a new empty dict in an instance that has none.
 */
static inline PyObject **pyhd_dict_ptr(PyObject *o)
{
    Py_ssize_t offset = Py_TYPE(o)->tp_dictoffset;
    if (offset > 0)
        return (PyObject **)((char *)o + offset);
    return offset < 0 ? _PyObject_GetDictPtr(o) : NULL;
}

/* ---------------------------------------------------------------------------
 * OrderedDict's own order: a doubly linked list of nodes after the dict
 * (struct _odictobject and struct _odictnode, Objects/odictobject.c: the
 * same in 3.10.13, 3.11.7, 3.12.1, 3.13.0 and the 3.14 source). Walking the
 * list needs no lookup; its iterator looks each key up, which compares keys
 * and so can run a key's __eq__.
 */
struct pyhd_odict_node {
    PyObject *key;
    Py_hash_t hash;
    struct pyhd_odict_node *next;
    struct pyhd_odict_node *prev;
};

struct pyhd_odict {
    PyDictObject od_dict;
    struct pyhd_odict_node *od_first;
    struct pyhd_odict_node *od_last;
};


/* ---------------------------------------------------------------------------
 * In-memory files: _io.StringIO and _io.BytesIO (Modules/_io/stringio.c and
 * bytesio.c). Their getvalue() may rework their buffers, and a walk changes
 * nothing: what they hold is read from these fields. A StringIO keeps its
 * text in a UCS4 buffer ("realized") or, while it is written at its end
 * ("accumulating"), in lists of str (_PyAccu, 3.10 and 3.11), in an embedded
 * _PyUnicodeWriter (3.12, 3.13) or in one it points to (3.14). Read only when
 * the type's size is this struct's: another layout is left opaque.
 */
#define PYHD_STRINGIO_REALIZED 1
#define PYHD_STRINGIO_ACCUMULATING 2

struct pyhd_stringio {
    PyObject_HEAD
    Py_UCS4 *buf;
    Py_ssize_t pos;
    Py_ssize_t string_size;
    size_t buf_size;
    int state;
#if PY_VERSION_HEX < 0x030C0000
    struct { PyObject *large, *small; } accu;  /* lists of str, or NULL */
#elif PY_VERSION_HEX < 0x030E0000
    _PyUnicodeWriter writer;
#else
    _PyUnicodeWriter *writer;
#endif
    char ok;
    char closed;
    char readuniversal;
    char readtranslate;
    PyObject *decoder;
    PyObject *readnl;
    PyObject *writenl;
    PyObject *dict;
    PyObject *weakreflist;
#if PY_VERSION_HEX >= 0x030C0000
    void *module_state;
#endif
};

struct pyhd_bytesio {
    PyObject_HEAD
    PyObject *buf;              /* bytes; NULL once closed */
    Py_ssize_t pos;
    Py_ssize_t string_size;
    PyObject *dict;
    PyObject *weakreflist;
    Py_ssize_t exports;
#if PY_VERSION_HEX >= 0x030E0000 && defined(Py_GIL_DISABLED)
    int buf_shared;
#endif
};

/* ---------------------------------------------------------------------------
 * xml.etree.ElementTree.Element, _elementtree's C type (ElementObject and
 * ElementObjectExtra, Modules/_elementtree.c: the same in 3.10 to 3.14). Its
 * text and tail are tagged pointers: with the low bit set, a list the tree
 * builder left to be joined, which the getters join and store. Read here
 * without joining in place; only when the type's size is this struct's.
 */
struct pyhd_element_extra {
    PyObject *attrib;           /* a dict, or NULL: none yet */
    Py_ssize_t length;
    Py_ssize_t allocated;
    PyObject **children;
};

struct pyhd_element {
    PyObject_HEAD
    PyObject *tag;
    PyObject *text;             /* tagged */
    PyObject *tail;             /* tagged */
    struct pyhd_element_extra *extra;
    PyObject *weakreflist;
};

#define PYHD_JOIN_GET(p) ((uintptr_t)(p) & 1)
#define PYHD_JOIN_OBJ(p) ((PyObject *)((uintptr_t)(p) & ~(uintptr_t)1))

/* ---------------------------------------------------------------------------
 * The iterators of list, reversed list, tuple, str and bytes: an index and
 * the sequence (NULL once exhausted), the same two fields in 3.10 to 3.14
 * (listiterobject, listreviterobject, tupleiterobject, unicodeiterobject,
 * striterobject). Read only when the type's size is this struct's.
 */
struct pyhd_seqiter {
    PyObject_HEAD
    Py_ssize_t it_index;
    PyObject *it_seq;
};

/* ---------------------------------------------------------------------------
 * functools.lru_cache's wrapper (lru_cache_object and lru_list_elem,
 * Modules/_functoolsmodule.c): the same fields in 3.10 to 3.14. maxsize is -1
 * for an unbounded cache. Read only when the type's size is this struct's.
 */
struct pyhd_lru_list_elem {
    PyObject_HEAD
    void *prev, *next;
    Py_hash_t hash;
    PyObject *key, *result;
};

struct pyhd_lru_cache {
    struct pyhd_lru_list_elem root;
    void *wrapper;
    int typed;
    PyObject *cache;            /* a dict: its size is cache_info()'s currsize */
    Py_ssize_t hits;
    PyObject *func;
    Py_ssize_t maxsize;
    Py_ssize_t misses;
    PyObject *kwd_mark;
    PyTypeObject *lru_list_elem_type;
    PyObject *cache_info_type;
    PyObject *dict;
    PyObject *weakreflist;
};

/* ---------------------------------------------------------------------------
 * contextvars.ContextVar (struct _pycontextvarobject, Include/internal/
 * pycore_context.h): its name (a member) and default (none) are the first two
 * fields in 3.10 to 3.14; the cache after them is not in free-threaded builds.
 * Read only when the type's size is this struct's.
 */
struct pyhd_contextvar {
    PyObject_HEAD
    PyObject *name;
    PyObject *deflt;            /* NULL: none */
#ifndef Py_GIL_DISABLED
    PyObject *cached;
    uint64_t cached_tsid;
    uint64_t cached_tsver;
#endif
    Py_hash_t hash;
};

/* ---------------------------------------------------------------------------
 * sqlite3.Row (pysqlite_Row, Modules/_sqlite/row.h: the same in 3.10 to 3.14):
 * the row's values and its cursor's description (None, or a tuple of 7-tuples
 * whose first items are the column names). Read only when the type's size is
 * this struct's.
 */
struct pyhd_sqlite_row {
    PyObject_HEAD
    PyObject *data;
    PyObject *description;
};

/* ---------------------------------------------------------------------------
 * _socket.socket (PySocketSockObject, Modules/socketmodule.h, on POSIX): the
 * descriptor, family, type and protocol, then a function pointer and the
 * timeout in nanoseconds (-1: none); 3.12 appends the module's state. Read only
 * when the type's size is this struct's (Windows adds a field; SOCKET_T is an
 * int on POSIX). Checked with ctypes: 3.10 to 3.14, 3.14t.
 */
struct pyhd_socket {
    PyObject_HEAD
    int sock_fd;
    int sock_family;
    int sock_type;
    int sock_proto;
    PyObject *(*errorhandler)(void);
    int64_t sock_timeout;
#if PY_VERSION_HEX >= 0x030C0000
    void *state;
#endif
};

#endif /* PYHD_COMPAT_OBJECTS_H */
