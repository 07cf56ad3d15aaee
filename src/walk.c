/* walk.c: the graph walker: Python state in, the graph.z member out. */
#include "walk.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <structmember.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "compat_objects.h"
#include "datetime_fields.h"
#include "decimal_text.h"
#include "dict_exact.h"
#include "encode.h"
#include "instance_dict.h"
#include "pyhd/format.h"
#include "record_write.h"
#include "redact.h"

/*
 * The walk is breadth-first and iterative. Every object gets an id when it is
 * first referenced; records are written in id order. So the array of objects
 * indexed by id is the queue, and the memo is an open-addressing table of ids
 * keyed by object address (the entry matches when objs[id] is the object),
 * about 16-24 bytes per object. Every memoized object is held by a strong
 * reference until the end: temporaries made during the walk (a frame's locals
 * dict) must stay alive, or a freed address could be reused by another object
 * and the memo would confuse the two.
 *
 * The attributes an instance keeps inline (3.11+) are written as a DICT
 * record with an id of its own, though no dict exists: objs[id] is then the
 * instance's address plus one (INLINE_DICT_TAG), an odd address no object
 * has, holding a reference to the instance. Making a dict for it would cost
 * a dict per instance; making it in the instance would change the program.
 */

/* zlib level: measured against level 6 in bench/README.md. */
#define WALK_DEFLATE_LEVEL 1
/* Reprs of opaque objects are cut to this many code points. */
#define WALK_REPR_MAX 200

/* The standard-library types written as REDUCED records (format.h's table). */
enum stdlib_type {
    STD_DATE, STD_TIME, STD_DATETIME, STD_TIMEDELTA, STD_TIMEZONE,
    STD_DECIMAL, STD_FRACTION, STD_UUID, STD_DEQUE, STD_PATTERN, STD_ARRAY,
    STD_ORDEREDDICT, STD_DEFAULTDICT, STD_MAPPINGPROXY, STD_ITEMGETTER, STD_ATTRGETTER,
    STD_ZONEINFO, STD_DICT_KEYS, STD_DICT_VALUES, STD_DICT_ITEMS, STD_COUNT, STD_REPEAT,
    STD_GENERIC_ALIAS, STD_UNION, STD_CONTEXT, STD_METHODCALLER, STD_TYPEVAR, STD_PARAMSPEC,
    STD_TYPEVARTUPLE, STD_PARAMSPEC_ARGS, STD_PARAMSPEC_KWARGS, STD_DIRENTRY, STD_SUPER,
    STD_STRUCT, STD_STRINGIO, STD_BYTESIO, STD_ELEMENT, STD_RANDOM, STD_LRU_CACHE, STD_PATH_FIRST,
    STD_NTYPES = STD_PATH_FIRST + 6
};

static const struct {
    const char *module;
    const char *name;
} stdlib_type_names[STD_NTYPES] = {
    [STD_DATE] = {"datetime", "date"},
    [STD_TIME] = {"datetime", "time"},
    [STD_DATETIME] = {"datetime", "datetime"},
    [STD_TIMEDELTA] = {"datetime", "timedelta"},
    [STD_TIMEZONE] = {"datetime", "timezone"},
    [STD_DECIMAL] = {"decimal", "Decimal"},
    [STD_FRACTION] = {"fractions", "Fraction"},
    [STD_UUID] = {"uuid", "UUID"},
    [STD_DEQUE] = {"collections", "deque"},
    [STD_PATTERN] = {"re", "Pattern"},
    [STD_ARRAY] = {"array", "array"},
    [STD_ORDEREDDICT] = {"collections", "OrderedDict"},
    [STD_DEFAULTDICT] = {"collections", "defaultdict"},
    [STD_MAPPINGPROXY] = {"types", "MappingProxyType"},
    [STD_ITEMGETTER] = {"operator", "itemgetter"},
    [STD_ATTRGETTER] = {"operator", "attrgetter"},
    [STD_ZONEINFO] = {"zoneinfo", "ZoneInfo"},
    /* The views of a dict (builtins, found by _collections_abc's names). */
    [STD_DICT_KEYS] = {"_collections_abc", "dict_keys"},
    [STD_DICT_VALUES] = {"_collections_abc", "dict_values"},
    [STD_DICT_ITEMS] = {"_collections_abc", "dict_items"},
    [STD_COUNT] = {"itertools", "count"},
    [STD_REPEAT] = {"itertools", "repeat"},
    /* list[int] and int | None (a C type of types until 3.14 made it typing.Union). */
    [STD_GENERIC_ALIAS] = {"types", "GenericAlias"},
    [STD_UNION] = {"types", "UnionType"},
    [STD_CONTEXT] = {"decimal", "Context"},
    [STD_METHODCALLER] = {"operator", "methodcaller"},
    /* A C type since 3.12 (before, a class written in Python, walked as such). */
    [STD_TYPEVAR] = {"typing", "TypeVar"},
    [STD_PARAMSPEC] = {"typing", "ParamSpec"},
    [STD_TYPEVARTUPLE] = {"typing", "TypeVarTuple"},
    [STD_PARAMSPEC_ARGS] = {"typing", "ParamSpecArgs"},
    [STD_PARAMSPEC_KWARGS] = {"typing", "ParamSpecKwargs"},
    /* C objects read through their members: os.scandir()'s entries, super(). */
    [STD_DIRENTRY] = {"posix", "DirEntry"},
    [STD_SUPER] = {"builtins", "super"},
    /* struct.Struct: its format (a C getter), all a Struct holds. */
    [STD_STRUCT] = {"_struct", "Struct"},
    /* In-memory files: what they hold, read from their fields (compat_objects.h). */
    [STD_STRINGIO] = {"_io", "StringIO"},
    [STD_BYTESIO] = {"_io", "BytesIO"},
    /* An XML element: _elementtree's C type, read from its fields. */
    [STD_ELEMENT] = {"xml.etree.ElementTree", "Element"},
    /* random.Random, a class written in Python on _random's C generator: its state. */
    [STD_RANDOM] = {"random", "Random"},
    /* functools.lru_cache's and cache's wrappers: the function, the cache's
       parameters and counts, read from their fields, and the wrapper's __dict__. */
    [STD_LRU_CACHE] = {"functools", "_lru_cache_wrapper"},
    [STD_PATH_FIRST] = {"pathlib", "PurePath"},
    [STD_PATH_FIRST + 1] = {"pathlib", "PurePosixPath"},
    [STD_PATH_FIRST + 2] = {"pathlib", "PureWindowsPath"},
    [STD_PATH_FIRST + 3] = {"pathlib", "Path"},
    [STD_PATH_FIRST + 4] = {"pathlib", "PosixPath"},
    [STD_PATH_FIRST + 5] = {"pathlib", "WindowsPath"},
};

/* The C types whose state is written as a readable C object (format.h, 0x30 up). */
enum c_object_type {
    COB_PARTIAL, COB_MATCH, COB_LOCK, COB_RLOCK, COB_FILEIO, COB_BUFFERED_READER,
    COB_BUFFERED_WRITER, COB_BUFFERED_RANDOM, COB_TEXTIO, COB_FUTURE, COB_TASK,
    COB_NDARRAY, COB_DTYPE, COB_NTYPES
};

static const struct {
    const char *module;
    const char *name;
} c_object_type_names[COB_NTYPES] = {
    [COB_PARTIAL] = {"functools", "partial"},
    [COB_MATCH] = {"re", "Match"},
    [COB_LOCK] = {"_thread", "LockType"},
    [COB_RLOCK] = {"_thread", "RLock"},
    [COB_FILEIO] = {"_io", "FileIO"},
    [COB_BUFFERED_READER] = {"_io", "BufferedReader"},
    [COB_BUFFERED_WRITER] = {"_io", "BufferedWriter"},
    [COB_BUFFERED_RANDOM] = {"_io", "BufferedRandom"},
    [COB_TEXTIO] = {"_io", "TextIOWrapper"},
    [COB_FUTURE] = {"_asyncio", "Future"},
    [COB_TASK] = {"_asyncio", "Task"},
    [COB_NDARRAY] = {"numpy", "ndarray"},
    [COB_DTYPE] = {"numpy", "dtype"},
};

struct walker {
    const struct pyhd_options *o;
    struct pyhd_graph *g;
    struct pyhd_enc enc;
    int enc_ready;
    int fatal;                    /* a whole-dump failure: an exception is set */
    int out_of_budget;            /* max_size spent: only TRUNCATED records follow, and
                                     the CLASS records they name */
    PyObject *modules_root;       /* borrowed: the "modules" root (module name -> file):
                                     its values are paths, redacted by no key's name */
    uint8_t *exempt;              /* bitmap by id: parts of a CLASS record written after
                                     the budget ran out (its names and bases) */
    size_t exempt_bytes;
    PyObject **objs;              /* objs[id] for id 1..count: strong references */
    uint32_t count;
    uint32_t objs_cap;
    uint32_t *memo;               /* ids; 0 = empty slot */
    size_t memo_mask;
    struct pyhd_buf p;            /* the payload of the record being built */
    uint32_t rec_first_fresh;     /* the first id handed out for the record being built */
    uint32_t fresh_used;          /* its fresh ids the payload has referenced as "1" */
    PyObject *filename_set;       /* co_filenames already in g->filenames */
    PyObject *repr_skipped;       /* files of a __repr__ or __str__ left out (too large) */
    unsigned repr_sources;        /* files noted for a library class's __repr__ or __str__ */
    uint64_t repr_sources_size;   /* and their bytes */
    PyObject **globals;           /* strong: every traceback/thread frame's globals */
    size_t nglobals, globals_cap;
    PyObject *builtins_module;    /* strong, or NULL */
    PyObject *stdlib_names;       /* strong: sys.stdlib_module_names, or NULL */
    PyObject *stdlib_types[STD_NTYPES]; /* strong, or NULL when not imported */
    PyObject *c_types[COB_NTYPES]; /* strong, or NULL when not imported */
    destructor python_class_dealloc; /* tp_dealloc of every class-statement class */
    PyObject *str_module;         /* strong: "__module__" */
    PyObject *str_dot;            /* strong: "." */
    struct pyhd_redact_rules rules; /* which names' values are redacted (o->redact) */
    uint8_t *marks;               /* by id: MARK_* bits (redaction), grown on demand */
    size_t marks_cap;
    uint32_t current;             /* the id whose record is being written (0: roots) */
    int triage;                   /* --privacy=triage: contents go, names stay */
    int naming;                   /* the record being written references names (triage) */
    int hashing;                  /* --redact-hash with its key loaded */
    unsigned char redact_key[PYHD_REDACT_KEY_LEN];
};

/* ---------------------------------------------------------------------------
 * The memo and the queue.
 */

#define INLINE_DICT_TAG ((uintptr_t)1)

/* Whether objs[id] stands for the inline attributes of an instance. */
static inline int is_inline_dict(const PyObject *entry)
{
    return ((uintptr_t)entry & INLINE_DICT_TAG) != 0;
}

/* The object an objs[] entry holds a reference to: the instance, for inline attributes. */
static inline PyObject *entry_owner(PyObject *entry)
{
    return (PyObject *)((uintptr_t)entry & ~INLINE_DICT_TAG);
}

static inline size_t memo_hash(const struct walker *w, const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 29) & w->memo_mask;
}

static int memo_grow(struct walker *w)
{
    size_t size = w->memo ? (w->memo_mask + 1) * 2 : 1024;
    uint32_t *tab = calloc(size, sizeof *tab);
    if (tab == NULL)
        return -1;
    free(w->memo);
    w->memo = tab;
    w->memo_mask = size - 1;
    for (uint32_t id = 1; id <= w->count; id++) {
        size_t i = memo_hash(w, w->objs[id]);
        while (tab[i])
            i = (i + 1) & w->memo_mask;
        tab[i] = id;
    }
    return 0;
}

/* The id of o, 0 when it has none yet. */
static uint32_t memo_find(const struct walker *w, PyObject *o)
{
    size_t i = memo_hash(w, o);
    uint32_t id;
    while ((id = w->memo[i]) != 0) {
        if (w->objs[id] == o)
            return id;
        i = (i + 1) & w->memo_mask;
    }
    return 0;
}

/*
 * The id of o, giving it the next id (and queueing it) when it is new.
 * Returns 0 for NULL, and 0 with w->fatal and an exception set when memory
 * for the queue runs out. o may be a tagged entry (INLINE_DICT_TAG).
 */
static uint32_t memo_id(struct walker *w, PyObject *o)
{
    if (o == NULL)
        return 0;
    size_t i = memo_hash(w, o);
    uint32_t id;
    while ((id = w->memo[i]) != 0) {
        if (w->objs[id] == o)
            return id;
        i = (i + 1) & w->memo_mask;
    }
    if (w->count + 1 >= w->objs_cap) {
        if (w->objs_cap >= UINT32_MAX / 2)
            goto nomem;
        uint32_t cap = w->objs_cap ? w->objs_cap * 2 : 1024;
        PyObject **objs = realloc(w->objs, (size_t)cap * sizeof *objs);
        if (objs == NULL)
            goto nomem;
        w->objs = objs;
        w->objs_cap = cap;
    }
    id = ++w->count;
    Py_INCREF(entry_owner(o));
    w->objs[id] = o;
    w->memo[i] = id;
    /* Keep the table at most half full so probes stay short. */
    if ((size_t)w->count * 2 > w->memo_mask + 1 && memo_grow(w) < 0)
        goto nomem;
    return id;
nomem:
    w->fatal = 1;
    PyErr_NoMemory();
    return 0;
}

/*
 * Past the budget, a class is still written in full so that TRUNCATED records
 * name their class; the objects its record refers to are marked here so that
 * they are written in full too. There are as many as there are classes.
 */
static int exempt_mark(struct walker *w, PyObject *o)
{
    uint32_t id = o ? memo_find(w, o) : 0;
    if (id == 0)
        return 0;
    if ((size_t)id / 8 >= w->exempt_bytes) {
        size_t n = ((size_t)id / 8 + 1) * 2;
        uint8_t *b = realloc(w->exempt, n);
        if (b == NULL) {
            w->fatal = 1;
            PyErr_NoMemory();
            return -1;
        }
        memset(b + w->exempt_bytes, 0, n - w->exempt_bytes);
        w->exempt = b;
        w->exempt_bytes = n;
    }
    w->exempt[id / 8] |= (uint8_t)(1u << (id % 8));
    return 0;
}

static int is_exempt(const struct walker *w, uint32_t id)
{
    return (size_t)id / 8 < w->exempt_bytes && (w->exempt[id / 8] >> (id % 8)) & 1;
}

/* ---------------------------------------------------------------------------
 * Redaction: a value bound to a sensitive name is written as REDACTED, and so
 * is every later reference to it (format.h, "Redaction"). Verdicts on names
 * are kept by the name's id: a dict key's object is memoized (held) anyway,
 * so each distinct key object runs the matcher once, however many dicts
 * share it (interned attribute and variable names are most of them).
 */

#define MARK_REDACTED 0x01        /* write this object as REDACTED */
#define MARK_NAME_CHECKED 0x02    /* a str or bytes key whose verdict is known */
#define MARK_NAME_SENSITIVE 0x04  /* ... and it names a secret */
#define MARK_STANDIN 0x08         /* a (type, length, str) tuple standing for an interned str */
#define MARK_KEEP_TEXT 0x10       /* triage: a name (a tuple: of names), written as itself */
#define MARK_ENTROPY 0x20         /* redacted by the high-entropy rule, not by its name */
#define MARK_NAME_KEYLIKE 0x40    /* a checked name that is key-like (redact.h), not kept */

static int marks_reserve(struct walker *w, uint32_t id)
{
    if (id < w->marks_cap)
        return 0;
    size_t cap = w->marks_cap ? w->marks_cap : 1024;
    while (cap <= id)
        cap *= 2;
    uint8_t *m = realloc(w->marks, cap);
    if (m == NULL) {
        w->fatal = 1;
        PyErr_NoMemory();
        return -1;
    }
    memset(m + w->marks_cap, 0, cap - w->marks_cap);
    w->marks = m;
    w->marks_cap = cap;
    return 0;
}

static inline int marked(const struct walker *w, uint32_t id, unsigned bit)
{
    return id < w->marks_cap && (w->marks[id] & bit);
}

/*
 * Whether o may be redacted: not an object the interpreter shares (marking
 * None or the int 1 would hide it everywhere; they hold no secret), nor code
 * or a namespace (a module "token", a class "Session" are not data).
 */
static int redactable(PyObject *o)
{
    if (o == Py_None || o == Py_True || o == Py_False || o == Py_Ellipsis
        || o == Py_NotImplemented || PyType_Check(o) || PyModule_Check(o)
        || PyFunction_Check(o) || PyCFunction_Check(o) || PyMethod_Check(o) || PyCode_Check(o)
        || PyFrame_Check(o) || PyTraceBack_Check(o) || PyGen_Check(o) || PyCoro_CheckExact(o)
        || PyAsyncGen_CheckExact(o) || PyCell_Check(o))
        return 0;
    if (PyLong_CheckExact(o)) {
        int overflow = 0;
        long v = PyLong_AsLongAndOverflow(o, &overflow);
        return overflow || v < -5 || v > 256;  /* CPython's cached small ints */
    }
    if (PyUnicode_CheckExact(o)) {
        /* "" and 1-character str are shared; a str that cannot be measured is redacted. */
        Py_ssize_t n = PyUnicode_GetLength(o);
        if (n < 0)
            PyErr_Clear();
        return n < 0 || n > 1;
    }
    if (PyBytes_CheckExact(o))
        return PyBytes_GET_SIZE(o) > 1;
    if (PyTuple_CheckExact(o))
        return PyTuple_GET_SIZE(o) > 0;
    return 1;
}

/* Whether the str or bytes name (memoized as name_id) is sensitive: 1, 0, or -1 (fatal). */
static int name_sensitive(struct walker *w, uint32_t name_id, PyObject *name)
{
    char buf[PYHD_REDACT_MAX_NAME];
    int verdict = 0, keylike = 0;
    if (marked(w, name_id, MARK_NAME_CHECKED))
        return marked(w, name_id, MARK_NAME_SENSITIVE);
    if (PyBytes_Check(name)) {
        const char *bytes = PyBytes_AS_STRING(name);
        size_t len = (size_t)PyBytes_GET_SIZE(name);
        verdict = pyhd__redact_name(&w->rules, bytes, len);
        keylike = !verdict && pyhd__redact_keylike_name(bytes, len)
                  && !pyhd__redact_kept(&w->rules, bytes, len);
    } else {
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(name) < 0) {
            PyErr_Clear();
            return 0;
        }
#endif
        Py_ssize_t len = PyUnicode_GET_LENGTH(name);
        if (len > 0 && len <= PYHD_REDACT_MAX_NAME) {
            int kind = PyUnicode_KIND(name);
            const void *data = PyUnicode_DATA(name);
            /* Non-ASCII characters become a byte that matches no letter: a break. */
            for (Py_ssize_t i = 0; i < len; i++) {
                Py_UCS4 c = PyUnicode_READ(kind, data, i);
                buf[i] = c < 0x80 ? (char)c : '\x80';
            }
            verdict = pyhd__redact_name(&w->rules, buf, (size_t)len);
            keylike = !verdict && pyhd__redact_keylike_name(buf, (size_t)len)
                      && !pyhd__redact_kept(&w->rules, buf, (size_t)len);
        }
    }
    if (marks_reserve(w, name_id) < 0)
        return -1;
    w->marks[name_id] |= MARK_NAME_CHECKED | (verdict ? MARK_NAME_SENSITIVE : 0)
                         | (keylike ? MARK_NAME_KEYLIKE : 0);
    return verdict;
}

/*
 * The text of a str or bytes as the pure-C matchers read it (redact.h): one
 * byte a code unit, ASCII as itself, anything else a byte >= 0x80. Points
 * into o's own data when it already is such bytes, else into buf (cap
 * bytes) or a malloc'd copy (*heap, freed by the caller). NULL: not text, or
 * no memory (no exception set: the matchers are skipped).
 */
static const unsigned char *text_units(PyObject *o, unsigned char *buf, size_t cap,
                                       unsigned char **heap, size_t *len)
{
    *heap = NULL;
    if (PyBytes_Check(o)) {
        *len = (size_t)PyBytes_GET_SIZE(o);
        return (const unsigned char *)PyBytes_AS_STRING(o);
    }
    if (PyByteArray_Check(o)) {
        *len = (size_t)PyByteArray_GET_SIZE(o);
        return (const unsigned char *)PyByteArray_AS_STRING(o);
    }
    if (!PyUnicode_Check(o))
        return NULL;
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(o) < 0) {
        PyErr_Clear();
        return NULL;
    }
#endif
    *len = (size_t)PyUnicode_GET_LENGTH(o);
    int kind = PyUnicode_KIND(o);
    const void *data = PyUnicode_DATA(o);
    if (kind == PyUnicode_1BYTE_KIND)
        return data;
    unsigned char *out = buf;
    if (*len > cap && (out = *heap = malloc(*len)) == NULL)
        return NULL;
    for (size_t i = 0; i < *len; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, (Py_ssize_t)i);
        out[i] = c < 0x80 ? (unsigned char)c : 0x80;
    }
    return out;
}

/* The high-entropy rule's value half: a random-looking str or bytes. */
static int looks_random(PyObject *value)
{
    unsigned char buf[512], *heap;
    size_t len;
    if (!(PyUnicode_CheckExact(value) || PyBytes_CheckExact(value)))
        return 0;
    const unsigned char *v = text_units(value, buf, sizeof buf, &heap, &len);
    int verdict = v != NULL && pyhd__redact_high_entropy(v, len);
    free(heap);
    return verdict;
}

/* Mark id a name that triage keeps (a tuple: of names). */
static int keep_text(struct walker *w, uint32_t id)
{
    if (marks_reserve(w, id) < 0)
        return -1;
    w->marks[id] |= MARK_KEEP_TEXT;
    return 0;
}

/* A dict key triage keeps: an ASCII (dotted) identifier of at most 64 characters. */
static int is_identifier(PyObject *key)
{
    if (!PyUnicode_CheckExact(key) || !PyUnicode_IS_ASCII(key))
        return 0;
    Py_ssize_t n = PyUnicode_GET_LENGTH(key);
    const unsigned char *s = PyUnicode_1BYTE_DATA(key);
    if (n == 0 || n > 64)
        return 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!alpha && !(i > 0 && ((c >= '0' && c <= '9') || (c == '.' && s[i - 1] != '.'))))
            return 0;
    }
    return 1;
}

/*
 * Triage writes no contents: str, bytes, numbers (bool aside: it is a shape),
 * buffers and the standard-library values made of them are written as
 * REDACTED (type and length) wherever they are not a name.
 */
static int triage_content(const struct walker *w, PyObject *o)
{
    if (PyUnicode_Check(o) || PyBytes_Check(o) || PyByteArray_Check(o) || PyFloat_Check(o)
        || PyComplex_Check(o) || (PyLong_Check(o) && !PyBool_Check(o)) || PyMemoryView_Check(o)
        || (w->c_types[COB_NDARRAY] != NULL
            && PyType_IsSubtype(Py_TYPE(o), (PyTypeObject *)w->c_types[COB_NDARRAY])))
        return 1;  /* an ndarray subclass's too (a masked array): its elements are contents */
    for (int i = 0; i < STD_NTYPES; i++) {
        if (i == STD_DEQUE || i == STD_ORDEREDDICT || i == STD_DEFAULTDICT
            || i == STD_MAPPINGPROXY || i == STD_ITEMGETTER || i == STD_ATTRGETTER
            || i == STD_DICT_KEYS || i == STD_DICT_VALUES || i == STD_DICT_ITEMS
            || i == STD_REPEAT || i == STD_GENERIC_ALIAS || i == STD_UNION
            || i == STD_METHODCALLER || i == STD_PARAMSPEC_ARGS || i == STD_PARAMSPEC_KWARGS
            || i == STD_SUPER || i == STD_ELEMENT || i == STD_LRU_CACHE)
            continue;  /* containers: their items decide */
        if (w->stdlib_types[i] != NULL && PyType_Check(w->stdlib_types[i])
            && PyObject_TypeCheck(o, (PyTypeObject *)w->stdlib_types[i]))
            return 1;
    }
    return 0;
}

/* "<redacted 12 chars>" or, hashing, "<redacted 12 chars #a1b2c3d4>". */
static void redaction_marker(const struct walker *w, char *out, size_t cap, size_t count,
                             const char *unit, const void *secret, size_t secret_len)
{
    if (w->hashing)
        snprintf(out, cap, "<redacted %zu %s #%08llx>", count, unit,
                 (unsigned long long)(pyhd__redact_hash(w->redact_key, secret, secret_len)
                                      >> 32));
    else
        snprintf(out, cap, "<redacted %zu %s>", count, unit);
}

/*
 * The value rules on a str: a new str with every secret-shaped part replaced
 * by its marker, or NULL when there is none (*failed set on an error, with an
 * exception set).
 */
static PyObject *scrub_str(struct walker *w, PyObject *o, int *failed)
{
    unsigned char buf[1024], *heap;
    struct pyhd_secret_span spans[PYHD_SECRET_MAX_SPANS];
    size_t len, n;
    PyObject *pieces = NULL, *result = NULL, *empty = NULL;
    *failed = 0;
    const unsigned char *t = text_units(o, buf, sizeof buf, &heap, &len);
    if (t == NULL || len < PYHD_SECRET_MIN_TEXT) {
        free(heap);
        return NULL;
    }
    n = pyhd__redact_scan(&w->rules, t, len, spans, PYHD_SECRET_MAX_SPANS);
    free(heap);
    if (n == 0)
        return NULL;
    if (n == PYHD_SECRET_MAX_SPANS)
        spans[n - 1].end = len;  /* too many to list: the rest goes */
    pieces = PyList_New(0);
    if (pieces == NULL)
        goto error;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        char marker[64];
        PyObject *before = PyUnicode_Substring(o, (Py_ssize_t)at, (Py_ssize_t)spans[i].start);
        PyObject *secret = PyUnicode_Substring(o, (Py_ssize_t)spans[i].start,
                                               (Py_ssize_t)spans[i].end);
        Py_ssize_t slen = 0;
        const char *sbytes = secret ? PyUnicode_AsUTF8AndSize(secret, &slen) : NULL;
        PyObject *mark = NULL;
        if (sbytes != NULL) {
            redaction_marker(w, marker, sizeof marker, spans[i].end - spans[i].start, "chars",
                             sbytes, (size_t)slen);
            mark = PyUnicode_FromString(marker);
        }
        int bad = before == NULL || mark == NULL || PyList_Append(pieces, before) < 0
                  || PyList_Append(pieces, mark) < 0;
        Py_XDECREF(before);
        Py_XDECREF(secret);
        Py_XDECREF(mark);
        if (bad)
            goto error;
        w->g->redacted_by_rule[spans[i].rule]++;
        at = spans[i].end;
    }
    PyObject *rest = PyUnicode_Substring(o, (Py_ssize_t)at, (Py_ssize_t)len);
    if (rest == NULL || PyList_Append(pieces, rest) < 0) {
        Py_XDECREF(rest);
        goto error;
    }
    Py_DECREF(rest);
    empty = PyUnicode_New(0, 0);
    if (empty == NULL)
        goto error;
    result = PyUnicode_Join(empty, pieces);
    if (result == NULL)
        goto error;
    w->g->redacted_parts++;
    Py_DECREF(empty);
    Py_DECREF(pieces);
    return result;
error:
    Py_XDECREF(empty);
    Py_XDECREF(pieces);
    *failed = 1;
    return NULL;
}

/*
 * The value rules on bytes: a malloc'd copy of data with every secret-shaped
 * part replaced by its marker (its length in *out_len), or NULL when there is
 * none or no memory for one (then the caller writes an empty value).
 */
static unsigned char *scrub_bytes(struct walker *w, const unsigned char *data, size_t len,
                                  size_t *out_len, int *nomem)
{
    struct pyhd_secret_span spans[PYHD_SECRET_MAX_SPANS];
    size_t n = pyhd__redact_scan(&w->rules, data, len, spans, PYHD_SECRET_MAX_SPANS);
    *nomem = 0;
    if (n == 0)
        return NULL;
    if (n == PYHD_SECRET_MAX_SPANS)
        spans[n - 1].end = len;
    /* Each marker is at most 64 bytes. */
    unsigned char *out = malloc(len + 64 * n);
    if (out == NULL) {
        *nomem = 1;
        return NULL;
    }
    size_t o = 0, at = 0;
    for (size_t i = 0; i < n; i++) {
        char marker[64];
        memcpy(out + o, data + at, spans[i].start - at);
        o += spans[i].start - at;
        redaction_marker(w, marker, sizeof marker, spans[i].end - spans[i].start, "bytes",
                         data + spans[i].start, spans[i].end - spans[i].start);
        size_t m = strlen(marker);
        memcpy(out + o, marker, m);
        o += m;
        w->g->redacted_by_rule[spans[i].rule]++;
        at = spans[i].end;
    }
    memcpy(out + o, data + at, len - at);
    *out_len = o + len - at;
    w->g->redacted_parts++;
    return out;
}

/* ---------------------------------------------------------------------------
 * Payload building. Each returns 0, or -1 with w->fatal and an exception set.
 */

static int payload_nomem(struct walker *w)
{
    w->fatal = 1;
    PyErr_NoMemory();
    return -1;
}

static inline int put_u8(struct walker *w, unsigned v)
{
    if (w->p.len == w->p.cap && pyhd__buf_grow(&w->p, 1) < 0)
        return payload_nomem(w);
    w->p.data[w->p.len++] = (unsigned char)v;
    return 0;
}

static inline int put_varint(struct walker *w, uint64_t v)
{
    if (pyhd__buf_varint(&w->p, v) < 0)
        return payload_nomem(w);
    return 0;
}

static inline int put_svarint(struct walker *w, int64_t v)
{
    return put_varint(w, pyhd__zigzag(v));
}

static inline int put_bytes(struct walker *w, const void *data, size_t n)
{
    if (pyhd__buf_append(&w->p, data, n) < 0)
        return payload_nomem(w);
    return 0;
}

/*
 * A reference (format.h): 1 when o is the record's next fresh id, which is
 * what nearly every reference of a breadth-first walk is, else id + 1.
 */
static inline int put_id(struct walker *w, uint32_t id)
{
    if (id == 0)
        return put_varint(w, 0);
    if (id == w->rec_first_fresh + w->fresh_used) {
        w->fresh_used++;
        return put_varint(w, 1);
    }
    return put_varint(w, (uint64_t)id + 1);
}

static int keep_text(struct walker *w, uint32_t id);

static inline int put_ref(struct walker *w, PyObject *o)
{
    uint32_t id = memo_id(w, o);
    if (id == 0 && o != NULL)
        return -1;
    if (w->naming && id > w->current && keep_text(w, id) < 0)
        return -1;
    return put_id(w, id);
}

/* Insert the varint n at offset at: for counts that are known only after their items. */
static int insert_varint(struct walker *w, size_t at, uint64_t n)
{
    unsigned char head[PYHD_VARINT_MAX];
    size_t hn = pyhd__varint_put(head, n);
    if (pyhd__buf_grow(&w->p, hn) < 0)
        return payload_nomem(w);
    memmove(w->p.data + at + hn, w->p.data + at, w->p.len - at);
    memcpy(w->p.data + at, head, hn);
    w->p.len += hn;
    return 0;
}

static int put_f64(struct walker *w, double d)
{
    unsigned char b[8];
    memcpy(b, &d, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    for (int i = 0; i < 4; i++) {
        unsigned char t = b[i];
        b[i] = b[7 - i];
        b[7 - i] = t;
    }
#endif
    return put_bytes(w, b, 8);
}

static int put_text(struct walker *w, const char *s, size_t n)
{
    if (put_varint(w, n) < 0)
        return -1;
    return put_bytes(w, s, n);
}

/* Reference an interned str made from a C string (slot and member names). */
static int put_name(struct walker *w, const char *s)
{
    PyObject *name = PyUnicode_InternFromString(s);
    uint32_t id = name ? memo_id(w, name) : 0;
    Py_XDECREF(name);  /* the memo holds it */
    if (id == 0)
        return -1;
    if (w->triage && id > w->current && keep_text(w, id) < 0)
        return -1;
    return put_id(w, id);
}

/*
 * Reference value, bound to name (memoized as name_id): a value under a
 * sensitive name is marked to be written as REDACTED, unless its record is
 * already written (it was reached first through a safe name).
 */
static int put_named_ref(struct walker *w, uint32_t name_id, PyObject *name, PyObject *value)
{
    if (value == NULL || !w->o->redact || !(PyUnicode_Check(name) || PyBytes_Check(name)))
        return put_ref(w, value);
    int sensitive = name_sensitive(w, name_id, name);
    if (sensitive < 0)
        return -1;
    unsigned mark = MARK_REDACTED;
    if (!sensitive && marked(w, name_id, MARK_NAME_KEYLIKE) && looks_random(value)) {
        sensitive = 1;
        mark |= MARK_ENTROPY;
    }
    if (!sensitive || !redactable(value))
        return put_ref(w, value);
    PyObject *standin = NULL;
    if (PyUnicode_CheckExact(value) && PyUnicode_CHECK_INTERNED(value)) {
        /*
         * An interned str (an identifier or a literal of the program's code)
         * is the very object of every equal name and dict key: marking it
         * would redact those keys too. A fresh (type, length) tuple is
         * redacted in its place, for this reference only.
         */
        standin = Py_BuildValue("(OnO)", (PyObject *)Py_TYPE(value), PyUnicode_GetLength(value),
                                value);
        if (standin == NULL)
            return -1;
        value = standin;
        mark |= MARK_STANDIN;
    }
    uint32_t id = memo_id(w, value);
    Py_XDECREF(standin);  /* the memo holds it */
    if (id == 0)
        return -1;
    if (id > w->current) {
        if (marks_reserve(w, id) < 0)
            return -1;
        w->marks[id] |= mark;
    }
    return put_id(w, id);
}

/* A dict entry: the key, then its value, redacted when by_name and the key is a
   sensitive name. */
static int put_pair_as(struct walker *w, PyObject *key, PyObject *value, int by_name)
{
    uint32_t key_id = memo_id(w, key);
    if (key_id == 0)
        return -1;
    if (w->triage && key_id > w->current && is_identifier(key) && keep_text(w, key_id) < 0)
        return -1;
    if (put_id(w, key_id) < 0)
        return -1;
    return by_name ? put_named_ref(w, key_id, key, value) : put_ref(w, value);
}

static int put_pair(struct walker *w, PyObject *key, PyObject *value)
{
    return put_pair_as(w, key, value, 1);
}

/* Start a record's payload afresh (also after a failed attempt was discarded). */
static void payload_reset(struct walker *w)
{
    w->p.len = 0;
    w->fresh_used = 0;
}

/*
 * Write the payload as a record of kind. Its fresh count is every id handed
 * out since the previous record, also ids that only a discarded payload
 * referenced: they still get records, and the reader's count must match.
 */
static int write_record(struct walker *w, unsigned kind)
{
    uint64_t fresh = (uint64_t)w->count + 1 - w->rec_first_fresh;
    w->rec_first_fresh = w->count + 1;
    w->fresh_used = 0;
    if (pyhd__enc_record(&w->enc, kind, fresh, w->p.data, w->p.len) < 0) {
        w->fatal = 1;
        PyErr_Format(PyExc_MemoryError, "pyhd: %s", w->enc.err);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Records are written through RECORD (record_write.h), which format.h's field
 * table makes: each record below sets every field of its kind by name, and
 * the table decides their order and encoding. These are its primitives, and
 * the makers of its field values.
 */

/* struct rec_ref's how. */
#define REF_NAME 0x01   /* a name: triage keeps its text (w->naming) */
#define REF_ATTRS 0x02  /* an instance's attributes: its __dict__ or its inline ones */

/* A reference to the object o (NULL: absent); NAME: to a name. */
#define REF(o) ((struct rec_ref){(PyObject *)(o), 0})
#define NAME(o) ((struct rec_ref){(PyObject *)(o), REF_NAME})
/* The attributes of the instance o: its __dict__, or its inline attributes (0: none). */
#define ATTRS(o) ((struct rec_ref){(PyObject *)(o), REF_ATTRS})
#define TEXT(s, n) ((struct rec_text){(s), (n)})
#define BLOB(data, n) ((struct rec_blob){(data), (n)})
/* A variable field of type (ITEMS, MAP, ...) put by put(w, arg). */
#define BODY(type, put, arg) ((struct rec_body_##type){(put), (void *)(arg)})

static int put_instance_dict(struct walker *w, PyObject *o);

static int rec_put_ref(struct walker *w, struct rec_ref v)
{
    if (v.how & REF_ATTRS)
        return put_instance_dict(w, v.obj);
    if (!(v.how & REF_NAME))
        return put_ref(w, v.obj);
    int naming = w->naming;
    w->naming = w->triage;  /* a name is not contents */
    int rc = put_ref(w, v.obj);
    w->naming = naming;
    return rc;
}

static int rec_put_u8(struct walker *w, unsigned v)
{
    return put_u8(w, v);
}

static int rec_put_varint(struct walker *w, uint64_t v)
{
    return put_varint(w, v);
}

static int rec_put_svarint(struct walker *w, int64_t v)
{
    return put_svarint(w, v);
}

static int rec_put_f64(struct walker *w, double v)
{
    return put_f64(w, v);
}

static int rec_put_text(struct walker *w, struct rec_text v)
{
    return put_text(w, v.s, v.n);
}

static int rec_put_blob(struct walker *w, struct rec_blob v)
{
    if (put_varint(w, v.n) < 0)
        return -1;
    return put_bytes(w, v.data, v.n);
}

/* ---------------------------------------------------------------------------
 * Classifying types without running any of their code.
 */

/* A class made by a class statement or type(): its layout is object's plus dict/slots. */
static inline int is_python_class(const struct walker *w, PyTypeObject *t)
{
    return t->tp_dealloc == w->python_class_dealloc;
}

/* The nearest base that is implemented in C: object for plain Python classes. */
static PyTypeObject *native_base(const struct walker *w, PyTypeObject *t)
{
    while (t->tp_base != NULL && is_python_class(w, t))
        t = t->tp_base;
    return t;
}

/* ast.AST, the C base of the ast node classes: its only field is the instance dict,
   which holds all of a node's state (its fields, positions). */
static int is_ast_base(const PyTypeObject *t)
{
    return t->tp_dictoffset == (Py_ssize_t)sizeof(PyObject)
           && t->tp_basicsize == (Py_ssize_t)(sizeof(PyObject) + sizeof(PyObject *))
           && t->tp_itemsize == 0 && strcmp(t->tp_name, "ast.AST") == 0;
}

/* A C type's name and module from its tp_name "module.Name" ("builtins" without a dot). */
static PyObject *type_name_parts(PyTypeObject *t, PyObject **module)  /* new refs */
{
    const char *dot = strrchr(t->tp_name, '.');
    if (dot == NULL) {
        *module = PyUnicode_InternFromString("builtins");
        return *module ? PyUnicode_InternFromString(t->tp_name) : NULL;
    }
    *module = PyUnicode_FromStringAndSize(t->tp_name, dot - t->tp_name);
    if (*module == NULL)
        return NULL;
    PyUnicode_InternInPlace(module);
    return PyUnicode_InternFromString(dot + 1);
}

/* The class's __module__ as its own dict holds it (no descriptors run): new reference. */
static PyObject *type_module(const struct walker *w, PyTypeObject *t)
{
    PyObject *module = NULL;
    if (t->tp_flags & Py_TPFLAGS_HEAPTYPE && t->tp_dict != NULL) {
        module = pyhd__dict_get_exact(t->tp_dict, w->str_module);
        if (module != NULL && PyUnicode_Check(module)) {
            /* A str subclass is copied: sets and dicts would hash it by its __hash__. */
            return PyUnicode_CheckExact(module)
                       ? Py_NewRef(module)
                       : PyUnicode_Substring(module, 0, PyUnicode_GetLength(module));
        }
        if (PyErr_Occurred())
            return NULL;
    }
    PyObject *name = type_name_parts(t, &module);
    Py_XDECREF(name);
    if (name == NULL) {
        Py_XDECREF(module);
        return NULL;
    }
    return module;
}

/* Whether module (a str) is builtins or a standard-library module (by its top package). */
static int is_stdlib_module(struct walker *w, PyObject *module)
{
    if (w->stdlib_names == NULL)
        return 0;
    Py_ssize_t n = PyUnicode_GET_LENGTH(module);
    Py_ssize_t dot = PyUnicode_FindChar(module, '.', 0, n, 1);
    if (dot == -2)
        return -1;
    PyObject *top = dot < 0 ? Py_NewRef(module) : PyUnicode_Substring(module, 0, dot);
    if (top == NULL)
        return -1;
    int r = PyUnicode_CompareWithASCIIString(top, "builtins") == 0
                ? 1 : PySet_Contains(w->stdlib_names, top);
    Py_DECREF(top);
    return r;
}

/*
 * Whether sys.modules[module] reaches t by the dotted qualname through plain
 * dict lookups: then t is "the class that module defines".
 */
static int module_defines(const struct walker *w, PyObject *module, PyObject *qualname,
                          PyTypeObject *t)
{
    PyObject *modules = PyImport_GetModuleDict();  /* borrowed */
    PyObject *obj = pyhd__dict_get_exact(modules, module);  /* borrowed */
    PyObject *parts = NULL;
    int r = 0;
    if (obj == NULL || !PyModule_Check(obj))
        return PyErr_Occurred() ? -1 : 0;
    parts = PyUnicode_Split(qualname, w->str_dot, -1);
    if (parts == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(parts); i++) {
        PyObject *d = PyModule_Check(obj) ? PyModule_GetDict(obj)
                      : PyType_Check(obj) ? ((PyTypeObject *)obj)->tp_dict : NULL;
        if (d == NULL || !PyDict_Check(d))
            goto done;
        obj = pyhd__dict_get_exact(d, PyList_GET_ITEM(parts, i));
        if (obj == NULL) {
            r = PyErr_Occurred() ? -1 : 0;
            goto done;
        }
    }
    r = obj == (PyObject *)t;
done:
    Py_DECREF(parts);
    return r;
}

/*
 * Whether a class's attribute name: value belongs in its CLASS record's
 * attrs. Everything does but the class's own machinery (its __dict__ and
 * __weakref__ getters, the member descriptors of its __slots__: a reader
 * makes those anew from __slots__) and its docstring.
 */
static int is_class_attr(PyObject *name, PyObject *value)
{
    /* An exact str only: a str subclass's __hash__ would run when attrs takes it. */
    if (!PyUnicode_CheckExact(name) || Py_IS_TYPE(value, &PyMemberDescr_Type)
        || Py_IS_TYPE(value, &PyGetSetDescr_Type))
        return 0;
    /* A docstring would double a library-heavy dump; the dumped source has it. */
    return PyUnicode_CompareWithASCIIString(name, "__dict__") != 0
           && PyUnicode_CompareWithASCIIString(name, "__weakref__") != 0
           && PyUnicode_CompareWithASCIIString(name, "__doc__") != 0;
}

/*
 * The attributes of a standard-library class that a reader needs to print
 * a copy of it as python does: its own __repr__ and __str__ (or their
 * absence: the inherited ones apply) and a namedtuple's _fields. name is an
 * exact str (is_class_attr).
 */
static int is_printing_attr(PyObject *name)
{
    return PyUnicode_CompareWithASCIIString(name, "__repr__") == 0
           || PyUnicode_CompareWithASCIIString(name, "__str__") == 0
           || PyUnicode_CompareWithASCIIString(name, "_fields") == 0;
}

/* ---------------------------------------------------------------------------
 * Atoms.
 */

/* An INT or BIGINT record of any int (subclasses included), read from its digits. */
static int w_int(struct walker *w, PyObject *o)
{
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (!overflow)
        return RECORD(w, INT, .value = v);
    /* Two's complement bytes, then the magnitude by negation: no Python arithmetic. */
    Py_ssize_t count = pyhd_long_byte_count(o);
    if (count < 0)
        return -1;
    size_t n = (size_t)count;
    unsigned char *b = PyMem_Malloc(n);
    if (b == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    int rc = -1;
    if (pyhd_long_as_bytes(o, b, count) < 0)
        goto done;
    int negative = (b[n - 1] & 0x80) != 0;
    if (negative) {
        unsigned carry = 1;
        for (size_t i = 0; i < n; i++) {
            unsigned x = (unsigned)(unsigned char)~b[i] + carry;
            b[i] = (unsigned char)x;
            carry = x >> 8;
        }
    }
    while (n > 1 && b[n - 1] == 0)
        n--;
    rc = RECORD(w, BIGINT, .sign = (unsigned)negative, .magnitude = BLOB(b, n));
done:
    PyMem_Free(b);
    return rc;
}

/* Store little-endian code units of width bytes each. */
static int put_units(struct walker *w, const void *data, size_t count, int width)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    if (pyhd__buf_grow(&w->p, count * (size_t)width) < 0)
        return payload_nomem(w);
    const unsigned char *s = data;
    unsigned char *d = w->p.data + w->p.len;
    for (size_t i = 0; i < count; i++)
        for (int k = 0; k < width; k++)
            d[i * width + k] = s[i * width + width - 1 - k];
    w->p.len += count * (size_t)width;
    return 0;
#else
    return put_bytes(w, data, count * (size_t)width);
#endif
}

static int put_str_as_is(struct walker *w, PyObject *o);

/* STRDATA of the str arg: its secret-shaped parts replaced (redact.h). */
static int put_str(struct walker *w, void *arg)
{
    PyObject *o = arg;
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(o) < 0)
        return -1;
#endif
    if (w->o->redact && PyUnicode_GET_LENGTH(o) >= PYHD_SECRET_MIN_TEXT) {
        int failed;
        PyObject *scrubbed = scrub_str(w, o, &failed);
        if (failed)
            return -1;
        if (scrubbed != NULL) {
            /* The scrubbed copy is written in the original's place; it has no secrets. */
            int rc = put_str_as_is(w, scrubbed);
            Py_DECREF(scrubbed);
            return rc;
        }
    }
    return put_str_as_is(w, o);
}

static int put_str_as_is(struct walker *w, PyObject *o)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(o);
    int width = PyUnicode_KIND(o);
    size_t stored = (size_t)len;
    if (stored > w->o->max_string) {
        stored = (size_t)w->o->max_string;
        w->g->truncated++;
    }
    if (put_u8(w, (unsigned)width) < 0 || put_varint(w, (uint64_t)len) < 0)
        return -1;
    return put_units(w, PyUnicode_DATA(o), stored, width);
}

static int put_blob_as_is(struct walker *w, const void *data, size_t len);

static int put_blob(struct walker *w, const void *data, size_t len)
{
    if (w->o->redact && len >= PYHD_SECRET_MIN_TEXT) {
        size_t scrubbed_len;
        int nomem;
        unsigned char *scrubbed = scrub_bytes(w, data, len, &scrubbed_len, &nomem);
        if (nomem)
            return payload_nomem(w);
        if (scrubbed != NULL) {
            int rc = put_blob_as_is(w, scrubbed, scrubbed_len);
            free(scrubbed);
            return rc;
        }
    }
    return put_blob_as_is(w, data, len);
}

static int put_blob_as_is(struct walker *w, const void *data, size_t len)
{
    size_t stored = len;
    if (stored > w->o->max_string) {
        stored = (size_t)w->o->max_string;
        w->g->truncated++;
    }
    if (put_varint(w, len) < 0)
        return -1;
    return put_bytes(w, data, stored);
}

/* BYTESDATA of the bytes or bytearray arg. */
static int put_bytes_data(struct walker *w, void *arg)
{
    PyObject *o = arg;
    if (PyBytes_Check(o))
        return put_blob(w, PyBytes_AS_STRING(o), (size_t)PyBytes_GET_SIZE(o));
    return put_blob(w, PyByteArray_AS_STRING(o), (size_t)PyByteArray_GET_SIZE(o));
}

/* The stored count of a container of len items, counting a cut. */
static size_t items_budget(struct walker *w, size_t len)
{
    if (len > w->o->max_items) {
        w->g->truncated++;
        return (size_t)w->o->max_items;
    }
    return len;
}

/* ITEMS of the tuple or list arg. */
static int put_seq(struct walker *w, void *arg)
{
    PyObject *o = arg;
    PyObject *const *items = PyTuple_Check(o) ? ((PyTupleObject *)o)->ob_item
                                              : ((PyListObject *)o)->ob_item;
    Py_ssize_t len = Py_SIZE(o);
    size_t n = items_budget(w, (size_t)len);
    if (put_varint(w, (uint64_t)len) < 0 || put_varint(w, n) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (put_ref(w, items[i]) < 0)
            return -1;
    return 0;
}

/* ITEMS of the set arg, through set's own C iterator (a subclass's __iter__ is not used). */
static int put_set(struct walker *w, void *arg)
{
    PyObject *o = arg;
    Py_ssize_t len = PySet_GET_SIZE(o);
    size_t n = items_budget(w, (size_t)len);
    PyObject *it = PySet_Type.tp_iter(o);
    PyObject *item = NULL;
    int rc = -1;
    if (it == NULL)
        return -1;
    if (put_varint(w, (uint64_t)len) < 0 || put_varint(w, n) < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        item = Py_TYPE(it)->tp_iternext(it);
        if (item == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_RuntimeError, "set changed size during the dump");
            goto done;
        }
        if (put_ref(w, item) < 0)
            goto done;
        Py_CLEAR(item);
    }
    rc = 0;
done:
    Py_XDECREF(item);
    Py_DECREF(it);
    return rc;
}

/* MAP of the dict arg. */
static int put_dict_pairs(struct walker *w, void *arg)
{
    PyObject *o = arg;
    Py_ssize_t len = PyDict_GET_SIZE(o);
    size_t n = items_budget(w, (size_t)len);
    Py_ssize_t pos = 0;
    PyObject *k, *v;  /* borrowed */
    if (put_varint(w, (uint64_t)len) < 0 || put_varint(w, n) < 0)
        return -1;
    /* A module named "secrets" or "token" is no secret, nor is its file. */
    for (size_t i = 0; i < n && PyDict_Next(o, &pos, &k, &v); i++)
        if (put_pair_as(w, k, v, o != w->modules_root) < 0)
            return -1;
    return 0;
}

/* A key's value, found by the key's address: an open-addressing table of dict entries. */
struct key_slot {
    PyObject *key;    /* borrowed */
    PyObject *value;  /* borrowed */
};

static size_t key_slot_index(const void *key, size_t mask)
{
    return (size_t)(((uint64_t)(uintptr_t)key * UINT64_C(0x9E3779B97F4A7C15)) >> 29) & mask;
}

/*
 * The nodes of an OrderedDict's list, checked against its dict: every node's
 * key one of the dict's key objects, as many nodes as entries. Fills order
 * (len entries). Returns 1 when they match, 0 when not, -1 out of memory.
 */
static int odict_order(PyObject *o, struct key_slot *order, Py_ssize_t len)
{
    size_t mask = 15;
    while (mask + 1 < (size_t)len * 2)
        mask = mask * 2 + 1;
    struct key_slot *tab = calloc(mask + 1, sizeof *tab);
    if (tab == NULL)
        return -1;
    Py_ssize_t pos = 0, n = 0;
    PyObject *k, *v;  /* borrowed */
    while (PyDict_Next(o, &pos, &k, &v)) {
        size_t i = key_slot_index(k, mask);
        while (tab[i].key != NULL)
            i = (i + 1) & mask;
        tab[i].key = k;
        tab[i].value = v;
    }
    const struct pyhd_odict_node *node = ((struct pyhd_odict *)o)->od_first;
    for (; node != NULL && n < len; node = node->next, n++) {
        size_t i = key_slot_index(node->key, mask);
        while (tab[i].key != NULL && tab[i].key != node->key)
            i = (i + 1) & mask;
        if (tab[i].key == NULL)
            break;
        order[n] = tab[i];
    }
    free(tab);
    return node == NULL && n == len;
}

/*
 * An OrderedDict in its own order (move_to_end changes it, not the dict's),
 * read from its list of keys (compat_objects.h). Its iterator and any lookup
 * would compare keys, and a key's __eq__ is the program's code. When the list
 * does not match the dict, the dict's own order is written.
 */
static int put_odict_pairs(struct walker *w, void *arg)
{
    PyObject *o = arg;
    Py_ssize_t len = PyDict_GET_SIZE(o);
    struct key_slot *order = malloc(((size_t)len + 1) * sizeof *order);
    int rc = -1;
    if (order == NULL)
        return payload_nomem(w);
    int match = odict_order(o, order, len);
    if (match < 0) {
        payload_nomem(w);
        goto done;
    }
    if (!match) {
        rc = put_dict_pairs(w, o);
        goto done;
    }
    size_t n = items_budget(w, (size_t)len);
    if (put_varint(w, (uint64_t)len) < 0 || put_varint(w, n) < 0)
        goto done;
    for (size_t i = 0; i < n; i++)
        if (put_pair(w, order[i].key, order[i].value) < 0)
            goto done;
    rc = 0;
done:
    free(order);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Instances: __dict__ and slot values, read without any attribute lookup.
 */

/*
 * The instance's attributes: its __dict__, or its inline attributes as a DICT
 * record of their own (the memo's tagged entry); never a dict made in it.
 */
static int put_instance_dict(struct walker *w, PyObject *o)
{
    struct pyhd_attrs a;
    if (pyhd__instance_attrs(o, &a) < 0)
        return -1;
    if (a.dict != NULL)
        return PyDict_Check(a.dict) && PyDict_GET_SIZE(a.dict) == 0 ? put_varint(w, 0)
                                                                    : put_ref(w, a.dict);
    if (a.count == 0)
        return put_varint(w, 0);
    PyObject *entry = (PyObject *)((uintptr_t)o | INLINE_DICT_TAG);
    uint32_t id = memo_id(w, entry);
    return id == 0 ? -1 : put_id(w, id);
}

/* MAP of the inline attributes of the instance arg, read again (nothing ran since). */
static int put_inline_pairs(struct walker *w, void *arg)
{
    struct pyhd_attrs a;
    if (pyhd__instance_attrs(arg, &a) < 0)
        return -1;
    size_t n = items_budget(w, a.count);
    if (put_varint(w, (uint64_t)a.count) < 0 || put_varint(w, n) < 0)
        return -1;
    for (size_t k = 0; k < n; k++)
        if (put_pair(w, a.keys[k], a.values[k]) < 0)
            return -1;
    return 0;
}

/* An empty MAP. */
static int put_no_pairs(struct walker *w, void *arg)
{
    if (put_varint(w, 0) < 0 || put_varint(w, 0) < 0)
        return -1;
    return 0;
}

/*
 * Slot values: every object member (T_OBJECT, T_OBJECT_EX) of every class in
 * the MRO, read by PyMember_GetOne; unset slots are skipped. For C classes
 * this includes members such as defaultdict's default_factory.
 */
static int put_slots(struct walker *w, void *arg)
{
    PyObject *o = arg;
    PyObject *mro = Py_TYPE(o)->tp_mro;  /* borrowed */
    size_t count_at = w->p.len;
    uint64_t n = 0;
    if (mro == NULL || !PyTuple_Check(mro))
        return put_varint(w, 0);
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(mro); i++) {
        PyTypeObject *t = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        if (t == &PyBaseObject_Type || t->tp_members == NULL)
            continue;
        for (PyMemberDef *m = t->tp_members; m->name != NULL; m++) {
            if (m->type != T_OBJECT_EX && m->type != T_OBJECT)
                continue;
            PyObject *v = PyMember_GetOne((const char *)o, m);
            if (v == NULL) {
                if (!PyErr_ExceptionMatches(PyExc_AttributeError))
                    return -1;
                PyErr_Clear();
                continue;
            }
            /* The memo holds the interned name once referenced. */
            PyObject *name = PyUnicode_InternFromString(m->name);
            uint32_t name_id = name != NULL ? memo_id(w, name) : 0;
            int rc = name_id != 0 ? put_id(w, name_id) : -1;
            if (rc == 0)
                rc = put_named_ref(w, name_id, name, v);
            Py_XDECREF(name);
            Py_DECREF(v);
            if (rc < 0)
                return -1;
            n++;
        }
    }
    return insert_varint(w, count_at, n);
}

/* The value of the slot called name, or NULL (no exception) when it is unset or absent. */
static PyObject *slot_value(PyObject *o, const char *name)  /* new reference */
{
    PyObject *mro = Py_TYPE(o)->tp_mro;
    for (Py_ssize_t i = 0; mro != NULL && i < PyTuple_GET_SIZE(mro); i++) {
        PyTypeObject *t = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        for (PyMemberDef *m = t->tp_members; m != NULL && m->name != NULL; m++) {
            if ((m->type == T_OBJECT_EX || m->type == T_OBJECT) && strcmp(m->name, name) == 0) {
                PyObject *v = PyMember_GetOne((const char *)o, m);
                if (v == NULL)
                    PyErr_Clear();
                return v;
            }
        }
    }
    return NULL;
}

/* The tuple (the slot first, the slot second), or NULL (an exception set only
   when the tuple could not be made) when either is unset or absent. */
static PyObject *slot_pair(PyObject *o, const char *first, const char *second)
{
    PyObject *a = slot_value(o, first), *b = a != NULL ? slot_value(o, second) : NULL;
    PyObject *r = b != NULL ? PyTuple_Pack(2, a, b) : NULL;
    Py_XDECREF(a);
    Py_XDECREF(b);
    return r;
}

/* ---------------------------------------------------------------------------
 * Record writers. Each builds w->p through RECORD and returns the kind, or
 * -1 with an exception set (w->fatal tells whether the whole dump must stop).
 */

static int note_filename(struct walker *w, PyObject *filename);

/*
 * The file of a class's own __repr__ or __str__ (name and value, an entry of
 * its dict), for the dump's sources/: a reader prints a copy of an instance as
 * python did by reading that source (pyhd_reprexpr), not by running it. A class
 * of the program is often in a file of its frames already; one of a library,
 * or of a program module no frame is in (a Django app's models.py), is not.
 * Bounded by PYHD_MAX_REPR_SOURCES files and PYHD_MAX_REPR_SOURCES_SIZE bytes
 * a dump. name is an exact str (is_class_attr): comparing it runs no code.
 */
static int note_printing_source(struct walker *w, PyObject *name, PyObject *value)
{
    if (!PyFunction_Check(value)
        || (PyUnicode_CompareWithASCIIString(name, "__repr__") != 0
            && PyUnicode_CompareWithASCIIString(name, "__str__") != 0))
        return 0;
    PyObject *file = ((PyCodeObject *)PyFunction_GET_CODE(value))->co_filename;  /* borrowed */
    PyObject *module = ((PyFunctionObject *)value)->func_module;  /* borrowed */
    if (!PyUnicode_CheckExact(file) || w->repr_sources >= PYHD_MAX_REPR_SOURCES)
        return 0;
    /* One the standard library wrote (a named tuple's): its readers know it. */
    int std = module != NULL && PyUnicode_CheckExact(module) ? is_stdlib_module(w, module) : 0;
    /* Looked at once: noted (then in filename_set) or left out (repr_skipped). */
    int known = std ? 0 : PySet_Contains(w->filename_set, file);
    if (known == 0 && !std)
        known = PySet_Contains(w->repr_skipped, file);
    if (std < 0 || known < 0)
        return -1;
    if (std || known)
        return 0;
    /* As dump_sources.c names it (a str's cached UTF-8 would be a change to it). */
    PyObject *fsname = PyUnicode_EncodeFSDefault(file);  /* new reference */
    struct stat st;
    if (fsname == NULL) {
        PyErr_Clear();
        return 0;
    }
    /* Only a regular file of at most PYHD_MAX_REPR_SOURCE bytes, and at most
       PYHD_MAX_REPR_SOURCES_SIZE of them in all: a dump stays about its size. */
    int fits = stat(PyBytes_AS_STRING(fsname), &st) == 0 && S_ISREG(st.st_mode)
               && (uint64_t)st.st_size <= PYHD_MAX_REPR_SOURCE
               && w->repr_sources_size + (uint64_t)st.st_size <= PYHD_MAX_REPR_SOURCES_SIZE;
    Py_DECREF(fsname);
    if (!fits)
        return PySet_Add(w->repr_skipped, file);
    w->repr_sources++;
    w->repr_sources_size += (uint64_t)st.st_size;
    return note_filename(w, file);
}

static int w_class(struct walker *w, PyTypeObject *t)
{
    PyObject *name = NULL, *qualname = NULL, *module = NULL, *attrs = NULL;
    int flags = 0, rc = -1;
    if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        PyHeapTypeObject *ht = (PyHeapTypeObject *)t;
        name = Py_NewRef(ht->ht_name);
        qualname = Py_NewRef(ht->ht_qualname);
        module = type_module(w, t);
        flags |= PYHD_CLASS_HEAPTYPE;
    } else {
        name = type_name_parts(t, &module);
        qualname = Py_XNewRef(name);
    }
    if (name == NULL || module == NULL)
        goto done;
    if (PyType_IsSubtype(t, (PyTypeObject *)PyExc_BaseException))
        flags |= PYHD_CLASS_EXCEPTION;
    int std = is_stdlib_module(w, module);
    if (std > 0 && PyUnicode_Check(qualname))
        std = module_defines(w, module, qualname, t);
    if (std < 0)
        goto done;
    if (std)
        flags |= PYHD_CLASS_STDLIB;
    /* Past the budget the attrs are left out; the class's identity is what counts.
       A class of the standard library is rebuilt by name, or as a copy of its
       name: of the attributes of one written in Python, only those that decide
       how a copy prints (always a dict, so that "none of them" is said too).
       A C type's own (immutable) is rebuilt by name or left opaque. */
    int printing_only = flags & PYHD_CLASS_STDLIB;
    if (t->tp_flags & Py_TPFLAGS_HEAPTYPE && t->tp_dict != NULL && !w->out_of_budget
        && !(printing_only && (t->tp_flags & Py_TPFLAGS_IMMUTABLETYPE))) {
        Py_ssize_t pos = 0;
        PyObject *k, *v;  /* borrowed */
        if (printing_only && (attrs = PyDict_New()) == NULL)
            goto done;
        while (PyDict_Next(t->tp_dict, &pos, &k, &v)) {
            if (!is_class_attr(k, v))
                continue;
            if (!std && note_printing_source(w, k, v) < 0)
                goto done;
            if (printing_only && !(is_printing_attr(k)
                                   && (PyFunction_Check(v) || PyTuple_CheckExact(v))))
                continue;
            if (attrs == NULL && (attrs = PyDict_New()) == NULL)
                goto done;
            if (PyDict_SetItem(attrs, k, v) < 0)
                goto done;
        }
    }
    /* A class's names are not contents. */
    PyObject *bases = t == &PyBaseObject_Type ? NULL : t->tp_bases;  /* borrowed */
    /* Its metaclass (ABCMeta, a program's, a library's such as Django's
       ModelBase) decides what type(cls) reads: a class, read as any other. */
    PyObject *meta = Py_IS_TYPE(t, &PyType_Type) ? NULL : (PyObject *)Py_TYPE(t);  /* borrowed */
    if (RECORD(w, CLASS, .name = NAME(name), .qualname = NAME(qualname), .module = NAME(module),
               .bases = REF(bases), .flags = (unsigned)flags, .attrs = REF(attrs), .v2 = 1,
               .metaclass = REF(meta)) < 0)
        goto done;
    if (w->out_of_budget
        && (exempt_mark(w, name) < 0 || exempt_mark(w, qualname) < 0
            || exempt_mark(w, module) < 0
            || exempt_mark(w, bases) < 0 || exempt_mark(w, meta) < 0))
        goto done;
    rc = PYHD_REC_CLASS;
done:
    Py_XDECREF(name);
    Py_XDECREF(qualname);
    Py_XDECREF(module);
    Py_XDECREF(attrs);
    return rc;
}

static int w_code(struct walker *w, PyCodeObject *co)
{
#if PY_VERSION_HEX >= 0x030B0000
    PyObject *varnames = PyCode_GetVarnames(co);
    PyObject *cellvars = PyCode_GetCellvars(co);
    PyObject *freevars = PyCode_GetFreevars(co);
#else
    PyObject *varnames = Py_XNewRef(co->co_varnames);
    PyObject *cellvars = Py_XNewRef(co->co_cellvars);
    PyObject *freevars = Py_XNewRef(co->co_freevars);
#endif
    int rc = -1;
    if (varnames == NULL || cellvars == NULL || freevars == NULL)
        goto done;
    /* File and variable names are not contents. */
    rc = RECORD(w, CODE, .filename = NAME(co->co_filename), .name = NAME(co->co_name),
                .qualname = NAME(pyhd_code_qualname(co)),
                .firstlineno = (uint64_t)co->co_firstlineno,
                .argcount = (uint64_t)co->co_argcount,
                .posonlyargcount = (uint64_t)co->co_posonlyargcount,
                .kwonlyargcount = (uint64_t)co->co_kwonlyargcount,
                .flags = (uint64_t)(unsigned)co->co_flags, .varnames = NAME(varnames),
                .cellvars = NAME(cellvars), .freevars = NAME(freevars));
done:
    Py_XDECREF(varnames);
    Py_XDECREF(cellvars);
    Py_XDECREF(freevars);
    return rc;
}

/* Note a dumped frame's source file for the archive's sources/ members. */
static int note_filename(struct walker *w, PyObject *filename)
{
    /* A str subclass would hash by its own __hash__ in the set. */
    if (!PyUnicode_CheckExact(filename))
        return 0;
    int r = PySet_Contains(w->filename_set, filename);
    if (r != 0)
        return r < 0 ? -1 : 0;
    if (PySet_Add(w->filename_set, filename) < 0 || PyList_Append(w->g->filenames, filename) < 0)
        return -1;
    return 0;
}

/*
 * A frame's locals as a dict: 3.13 gives a proxy for optimized frames, copied
 * in C. Only str names are copied: a name the program added with another key
 * type (frame.f_locals[key] = ...) would be hashed by its own __hash__.
 */
static PyObject *frame_locals_dict(PyFrameObject *f)  /* new reference */
{
    PyObject *locals = pyhd_frame_locals(f);
    PyObject *keys = NULL, *d = NULL;
    if (locals == NULL || PyDict_Check(locals))
        return locals;
    keys = PyMapping_Keys(locals);  /* the proxy's own C keys() */
    d = keys != NULL && PyList_Check(keys) ? PyDict_New() : NULL;
    for (Py_ssize_t i = 0; d != NULL && i < PyList_GET_SIZE(keys); i++) {
        PyObject *key = PyList_GET_ITEM(keys, i);  /* borrowed */
        if (!PyUnicode_CheckExact(key))
            continue;
        PyObject *value = PyObject_GetItem(locals, key);
        if (value == NULL || PyDict_SetItem(d, key, value) < 0)
            Py_CLEAR(d);
        Py_XDECREF(value);
    }
    Py_XDECREF(keys);
    Py_DECREF(locals);
    return d;
}

static int w_frame(struct walker *w, PyFrameObject *f)
{
    PyCodeObject *co = PyFrame_GetCode(f);  /* new reference */
    PyObject *locals = NULL, *globals = NULL, *builtins = NULL, *back = NULL;
    int line, end_line, col, end_col, rc = -1;
    pyhd_code_position(co, pyhd_frame_lasti(f), &line, &end_line, &col, &end_col);
    line = PyFrame_GetLineNumber(f);
    if (note_filename(w, co->co_filename) < 0)
        goto done;
    locals = frame_locals_dict(f);
    if (locals == NULL && PyErr_Occurred())
        goto done;
    globals = pyhd_frame_globals(f);
    builtins = pyhd_frame_builtins(f);
    back = (PyObject *)PyFrame_GetBack(f);
    /* The builtins module's own dict is written as the module, not as 150 entries. */
    if (w->builtins_module != NULL && builtins == PyModule_GetDict(w->builtins_module))
        Py_SETREF(builtins, Py_NewRef(w->builtins_module));
    rc = RECORD(w, FRAME, .code = REF(co), .lineno = line, .end_lineno = end_line, .col = col,
                .end_col = end_col, .locals = REF(locals), .globals = REF(globals),
                .builtins = REF(builtins), .back = REF(back));
done:
    Py_DECREF(co);
    Py_XDECREF(locals);
    Py_XDECREF(globals);
    Py_XDECREF(builtins);
    Py_XDECREF(back);
    return rc;
}

static int w_traceback(struct walker *w, PyTracebackObject *tb)
{
    PyCodeObject *co = PyFrame_GetCode(tb->tb_frame);  /* new reference */
    int line, end_line, col, end_col;
    pyhd_code_position(co, tb->tb_lasti, &line, &end_line, &col, &end_col);
    Py_DECREF(co);
    /* 3.12+ may leave tb_lineno at -1 until Python code asks for it. */
    if (tb->tb_lineno >= 0)
        line = tb->tb_lineno;
    return RECORD(w, TRACEBACK, .frame = REF(tb->tb_frame), .lineno = line,
                  .end_lineno = end_line, .col = col, .end_col = end_col,
                  .next = REF(tb->tb_next));
}

static int put_field(struct walker *w, const char *name, PyObject *value, uint64_t *n)
{
    if (value == NULL)
        return 0;
    ++*n;
    if (put_name(w, name) < 0)
        return -1;
    return put_ref(w, value);
}

static int put_ssize_field(struct walker *w, const char *name, Py_ssize_t value, uint64_t *n)
{
    PyObject *v = PyLong_FromSsize_t(value);
    if (v == NULL)
        return -1;
    int rc = put_field(w, name, v, n);
    Py_DECREF(v);
    return rc;
}

/* PAIRS: the C-level fields format.h lists for the exception classes that keep them. */
static int put_exception_fields(struct walker *w, void *arg)
{
    PyObject *o = arg;
    uint64_t n = 0;
    size_t start = w->p.len;
    int rc = 0;
    if (PyObject_TypeCheck(o, (PyTypeObject *)PyExc_SyntaxError)) {
        PySyntaxErrorObject *e = (PySyntaxErrorObject *)o;
        rc = put_field(w, "msg", e->msg, &n) || put_field(w, "filename", e->filename, &n)
             || put_field(w, "lineno", e->lineno, &n) || put_field(w, "offset", e->offset, &n)
             || put_field(w, "text", e->text, &n)
             || put_field(w, "end_lineno", e->end_lineno, &n)
             || put_field(w, "end_offset", e->end_offset, &n)
             || put_field(w, "print_file_and_line", e->print_file_and_line, &n);
    } else if (PyObject_TypeCheck(o, (PyTypeObject *)PyExc_OSError)) {
        PyOSErrorObject *e = (PyOSErrorObject *)o;
        rc = put_field(w, "errno", e->myerrno, &n) || put_field(w, "strerror", e->strerror, &n)
             || put_field(w, "filename", e->filename, &n)
             || put_field(w, "filename2", e->filename2, &n);
    } else if (PyObject_TypeCheck(o, (PyTypeObject *)PyExc_ImportError)) {
        PyImportErrorObject *e = (PyImportErrorObject *)o;
        rc = put_field(w, "msg", e->msg, &n) || put_field(w, "name", e->name, &n)
             || put_field(w, "path", e->path, &n);
    } else if (PyObject_TypeCheck(o, (PyTypeObject *)PyExc_AttributeError)) {
        rc = put_field(w, "name", ((PyAttributeErrorObject *)o)->name, &n);
    } else if (PyObject_TypeCheck(o, (PyTypeObject *)PyExc_NameError)) {
        rc = put_field(w, "name", ((PyNameErrorObject *)o)->name, &n);
    } else if (PyObject_TypeCheck(o, (PyTypeObject *)PyExc_StopIteration)) {
        rc = put_field(w, "value", ((PyStopIterationObject *)o)->value, &n);
    } else if (PyObject_TypeCheck(o, (PyTypeObject *)PyExc_SystemExit)) {
        rc = put_field(w, "code", ((PySystemExitObject *)o)->code, &n);
    } else if (PyObject_TypeCheck(o, (PyTypeObject *)PyExc_UnicodeError)) {
        PyUnicodeErrorObject *e = (PyUnicodeErrorObject *)o;
        rc = put_field(w, "encoding", e->encoding, &n) || put_field(w, "object", e->object, &n)
             || put_ssize_field(w, "start", e->start, &n)
             || put_ssize_field(w, "end", e->end, &n) || put_field(w, "reason", e->reason, &n);
#if PY_VERSION_HEX >= 0x030B0000
    } else if (PyObject_TypeCheck(o, (PyTypeObject *)PyExc_BaseExceptionGroup)) {
        PyBaseExceptionGroupObject *e = (PyBaseExceptionGroupObject *)o;
        rc = put_field(w, "message", e->msg, &n) || put_field(w, "exceptions", e->excs, &n);
#endif
    }
    if (rc)
        return -1;
    return insert_varint(w, start, n);
}

static int w_exception(struct walker *w, PyObject *o)
{
    PyBaseExceptionObject *e = (PyBaseExceptionObject *)o;
    int with_dict = e->dict != NULL && PyDict_Check(e->dict) && PyDict_GET_SIZE(e->dict) > 0;
    return RECORD(w, EXCEPTION, .class = REF(Py_TYPE(o)), .args = REF(e->args),
                  .dict = REF(with_dict ? e->dict : NULL), .cause = REF(e->cause),
                  .context = REF(e->context), .suppress_context = e->suppress_context ? 1 : 0,
                  .traceback = REF(e->traceback),
                  .field = BODY(PAIRS, put_exception_fields, o));
}

/* A module's __name__ or __file__ as its dict holds it (a str), without a lookup that compares keys. */
static PyObject *module_str(PyObject *dict, const char *key)  /* new reference or NULL */
{
    PyObject *v = dict != NULL ? pyhd__dict_get_cstr(dict, key) : NULL;  /* borrowed */
    PyErr_Clear();
    return v != NULL && PyUnicode_Check(v) ? Py_NewRef(v) : NULL;
}

/*
 * Where a module came from when that is no file ("frozen", "built-in"), as
 * python's repr says it: its __spec__'s origin, read from the spec's own
 * attributes (no property runs) when the spec says it has no location.
 */
static PyObject *module_origin(PyObject *dict)  /* new reference or NULL, no exception */
{
    PyObject *spec = dict != NULL ? pyhd__dict_get_cstr(dict, "__spec__") : NULL;  /* borrowed */
    PyObject *attrs = spec != NULL && spec != Py_None ? pyhd__instance_dict(spec) : NULL;
    PyObject *origin = NULL;
    if (attrs != NULL && PyDict_Check(attrs)) {
        PyObject *located = pyhd__dict_get_cstr(attrs, "_set_fileattr");  /* borrowed */
        PyObject *v = pyhd__dict_get_cstr(attrs, "origin");  /* borrowed */
        if (located == Py_False && v != NULL && PyUnicode_CheckExact(v))
            origin = Py_NewRef(v);
    }
    Py_XDECREF(attrs);
    PyErr_Clear();
    return origin;
}

static int w_module(struct walker *w, PyObject *o)
{
    PyObject *dict = PyModule_GetDict(o);  /* borrowed */
    PyObject *name = module_str(dict, "__name__");
    PyObject *file = module_str(dict, "__file__");
    PyObject *origin = module_origin(dict);
    int with_dict = 0;
    for (size_t i = 0; i < w->nglobals && !with_dict; i++)
        with_dict = w->globals[i] == dict;
    if (!with_dict && dict != NULL)
        with_dict = memo_find(w, dict) != 0;
    int rc = RECORD(w, MODULE, .name = NAME(name), .file = NAME(file),
                    .dict = REF(with_dict ? dict : NULL), .v2 = 1, .origin = NAME(origin));
    Py_XDECREF(name);
    Py_XDECREF(file);
    Py_XDECREF(origin);
    return rc;
}

/* Read a C getter of an exact stdlib type or of a generator: no Python code runs. */
static PyObject *c_attr(PyObject *o, const char *name)  /* new reference */
{
    return PyObject_GetAttrString(o, name);
}

static int w_generator(struct walker *w, PyObject *o)
{
    int flavour = PyCoro_CheckExact(o) ? PYHD_GEN_COROUTINE
                  : PyAsyncGen_CheckExact(o) ? PYHD_GEN_ASYNCGEN : PYHD_GEN_GENERATOR;
    static const char *const prefix[] = {"gi", "cr", "ag"};
    char attr[32];
    PyObject *name = NULL, *qualname = NULL, *code = NULL, *frame = NULL, *awaiting = NULL;
    int rc = -1, state;
    name = c_attr(o, "__name__");
    qualname = name ? c_attr(o, "__qualname__") : NULL;
    snprintf(attr, sizeof attr, "%s_code", prefix[flavour]);
    code = qualname ? c_attr(o, attr) : NULL;
    snprintf(attr, sizeof attr, "%s_frame", prefix[flavour]);
    frame = code ? c_attr(o, attr) : NULL;
    if (frame == NULL)
        goto done;
    if (frame == Py_None) {
        state = PYHD_GENSTATE_CLOSED;
        Py_CLEAR(frame);
    } else {
        snprintf(attr, sizeof attr, "%s_running", prefix[flavour]);
        PyObject *flag = c_attr(o, attr);
        if (flag == NULL)
            goto done;
        int running = PyObject_IsTrue(flag);
        Py_DECREF(flag);
        snprintf(attr, sizeof attr, "%s_suspended", prefix[flavour]);
        flag = c_attr(o, attr);
        int suspended;
        if (flag != NULL) {
            suspended = PyObject_IsTrue(flag);
            Py_DECREF(flag);
        } else {
            /* Before 3.11 (and ag_ before 3.12) there is no *_suspended: lasti tells. */
            PyErr_Clear();
            suspended = pyhd_frame_lasti((PyFrameObject *)frame) >= 0;
        }
        state = running ? PYHD_GENSTATE_RUNNING
                : suspended ? PYHD_GENSTATE_SUSPENDED : PYHD_GENSTATE_CREATED;
    }
    /* What a suspended generator waits in: the await chain of a coroutine. */
    snprintf(attr, sizeof attr, "%s", flavour == PYHD_GEN_COROUTINE ? "cr_await"
             : flavour == PYHD_GEN_ASYNCGEN ? "ag_await" : "gi_yieldfrom");
    awaiting = c_attr(o, attr);
    if (awaiting == NULL)
        PyErr_Clear();
    else if (awaiting == Py_None)
        Py_CLEAR(awaiting);
    rc = RECORD(w, GENERATOR, .flavour = (unsigned)flavour, .name = NAME(name),
                .qualname = NAME(qualname), .code = REF(code), .state = (unsigned)state,
                .frame = REF(frame), .v2 = 1, .await = REF(awaiting));
done:
    Py_XDECREF(name);
    Py_XDECREF(qualname);
    Py_XDECREF(code);
    Py_XDECREF(frame);
    Py_XDECREF(awaiting);
    return rc;
}

/*
 * A builtin function, or a C method bound to an object or class: its
 * qualname is "Type.name" then, as Python's own __qualname__ says.
 */
static int w_builtin_function(struct walker *w, PyCFunctionObject *f)
{
    PyObject *self = f->m_self;  /* borrowed: a module, an object or a class, or NULL */
    PyObject *qualname = NULL;
    if (self != NULL && !PyModule_Check(self)) {
        PyTypeObject *t = PyType_Check(self) ? (PyTypeObject *)self : Py_TYPE(self);
        const char *dot = strrchr(t->tp_name, '.');
        qualname = PyUnicode_FromFormat("%s.%s", dot ? dot + 1 : t->tp_name,
                                        f->m_ml->ml_name);
    } else {
        qualname = PyUnicode_InternFromString(f->m_ml->ml_name);
    }
    PyObject *name = PyUnicode_InternFromString(f->m_ml->ml_name);
    int rc = -1;
    /* A builtin function has no code, and none of the fields of a function that
       format version 2 added; its self (m_self, read directly) is what a reader
       binds the method to, or shows as __self__. */
    if (name != NULL && qualname != NULL)
        rc = RECORD(w, FUNCTION, .name = NAME(name), .qualname = NAME(qualname),
                    .module = NAME(f->m_module), .code = REF(NULL), .v2 = 1,
                    .defaults = REF(NULL), .kwdefaults = REF(NULL), .annotations = REF(NULL),
                    .doc = REF(NULL), .closure = REF(NULL), .bound = 1, .self = REF(self));
    Py_XDECREF(name);
    Py_XDECREF(qualname);
    return rc;
}

/* Whether a reader can find owner's own descriptors: a class of builtins, or a
   class statement's (its slots' members, its __dict__ and __weakref__ getters). */
static int descriptor_owner_is_named(struct walker *w, PyTypeObject *owner)
{
    PyObject *builtins = PyEval_GetBuiltins();  /* borrowed */
    PyObject *named = NULL;  /* borrowed */
    if (is_python_class(w, owner))
        return 1;
    if ((owner->tp_flags & Py_TPFLAGS_HEAPTYPE) || strchr(owner->tp_name, '.') || !builtins)
        return 0;
    /* The builtins dict's own lookup of an exact str: no program code runs. */
    named = pyhd__dict_get_cstr(builtins, owner->tp_name);
    PyErr_Clear();
    return named == (PyObject *)owner;
}

/*
 * A C method, slot wrapper, class method, getter or member of a builtin type
 * (list.append, object.__init__, dict.__dict__["fromkeys"]) or of a class
 * statement's class (a slot's member): REDUCED with its type and name
 * (PyDescr_TYPE, PyDescr_NAME: read, not looked up), which a reader finds again
 * in that type's own __dict__. Returns what RECORD does, or 0 (nothing written)
 * when a reader could not name the type: it is OPAQUE then.
 */
static int w_c_descriptor(struct walker *w, PyObject *o)
{
    PyTypeObject *owner = PyDescr_TYPE(o);
    PyObject *name = PyDescr_NAME(o);  /* borrowed */
    PyObject *args = NULL;
    int rc = 0;
    if (owner == NULL || name == NULL || !PyUnicode_CheckExact(name)
        || !descriptor_owner_is_named(w, owner))
        return 0;
    args = PyTuple_Pack(2, (PyObject *)owner, name);
    if (args == NULL)
        return -1;
    rc = RECORD(w, REDUCED, .class = REF(Py_TYPE(o)), .args = REF(args));
    Py_DECREF(args);
    return rc;
}

static int w_weakref(struct walker *w, PyObject *o)
{
    PyObject *referent = NULL;
#if PY_VERSION_HEX >= 0x030D0000
    if (PyWeakref_GetRef(o, &referent) < 0)
        return -1;
#else
    referent = PyWeakref_GET_OBJECT(o);
    referent = referent == Py_None ? NULL : Py_NewRef(referent);
#endif
    int rc = RECORD(w, WEAKREF, .class = REF(Py_TYPE(o)), .referent = REF(referent));
    Py_XDECREF(referent);
    return rc;
}

/*
 * A property, classmethod or staticmethod (exact types): the objects it
 * holds, read from its C members (fget, fset, fdel, __doc__; __func__), so
 * no descriptor or program code runs.
 */
static int w_descriptor(struct walker *w, PyObject *o)
{
    unsigned flavour = Py_IS_TYPE(o, &PyProperty_Type) ? PYHD_DESCR_PROPERTY
                       : Py_IS_TYPE(o, &PyClassMethod_Type) ? PYHD_DESCR_CLASSMETHOD
                       : PYHD_DESCR_STATICMETHOD;
    int property = flavour == PYHD_DESCR_PROPERTY;
    PyObject *function = slot_value(o, property ? "fget" : "__func__");
    PyObject *setter = property ? slot_value(o, "fset") : NULL;
    PyObject *deleter = property ? slot_value(o, "fdel") : NULL;
    PyObject *doc = property ? slot_value(o, "__doc__") : NULL;
    int rc = RECORD(w, DESCRIPTOR, .flavour = flavour, .function = REF(function),
                    .setter = REF(setter), .deleter = REF(deleter), .doc = REF(doc));
    Py_XDECREF(function);
    Py_XDECREF(setter);
    Py_XDECREF(deleter);
    Py_XDECREF(doc);
    return rc;
}

/* The args tuple of a REDUCED record, from C getters of the exact stdlib type. */
static PyObject *attrs_tuple(PyObject *o, const char *const *names, size_t n)  /* new ref */
{
    PyObject *t = PyTuple_New((Py_ssize_t)n);
    for (size_t i = 0; t != NULL && i < n; i++) {
        PyObject *v = c_attr(o, names[i]);
        if (v == NULL)
            Py_CLEAR(t);
        else
            PyTuple_SET_ITEM(t, (Py_ssize_t)i, v);
    }
    return t;
}

/*
 * Call the METH_NOARGS method name of o's exact C type from its method table:
 * no attribute lookup, so nothing an instance or a program could put in the
 * way runs. New reference; NULL with an exception when the type has none.
 */
static PyObject *c_method(PyObject *o, const char *name)
{
    for (PyMethodDef *m = Py_TYPE(o)->tp_methods; m != NULL && m->ml_name != NULL; m++)
        if (strcmp(m->ml_name, name) == 0 && m->ml_flags == METH_NOARGS)
            return m->ml_meth(o, NULL);
    return PyErr_Format(PyExc_TypeError, "%s has no C method %s", Py_TYPE(o)->tp_name, name);
}

/* The first items of a deque, as the budget allows, through its C iterator (exact type). */
static PyObject *deque_items(struct walker *w, PyObject *o)  /* new reference */
{
    Py_ssize_t len = PyObject_Size(o);
    if (len < 0)
        return NULL;
    size_t n = items_budget(w, (size_t)len);
    PyObject *list = PyList_New((Py_ssize_t)n);
    PyObject *it = list != NULL ? PyObject_GetIter(o) : NULL;
    if (it == NULL) {
        Py_XDECREF(list);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        PyObject *item = PyIter_Next(it);
        if (item == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_RuntimeError, "deque changed size during the dump");
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    Py_DECREF(it);
    return list;
}

/* An array's machine values, cut to --max-items items and --max-size bytes. */
static PyObject *array_bytes(struct walker *w, PyObject *o)  /* new reference */
{
    Py_buffer view;
    if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    size_t itemsize = view.itemsize > 0 ? (size_t)view.itemsize : 1;
    size_t stored = items_budget(w, (size_t)view.len / itemsize) * itemsize;
    if (stored > w->o->max_string) {
        stored = (size_t)w->o->max_string - (size_t)w->o->max_string % itemsize;
        w->g->truncated++;
    }
    PyObject *b = PyBytes_FromStringAndSize(view.buf, (Py_ssize_t)stored);
    PyBuffer_Release(&view);
    return b;
}

/* sep.join(parts[first:]) of a list of str (subclasses read as str), new reference. */
static PyObject *join_parts(PyObject *parts, Py_ssize_t first, const char *sep)
{
    PyObject *tail = PyList_GetSlice(parts, first, PyList_GET_SIZE(parts));
    PyObject *s = PyUnicode_FromString(sep);
    PyObject *r = NULL;
    if (tail != NULL && s != NULL)
        r = PyUnicode_Join(s, tail);
    Py_XDECREF(tail);
    Py_XDECREF(s);
    return r;
}

/* A str slot of a pathlib path as an exact str (a subclass's text copied), or NULL. */
static PyObject *path_str_slot(PyObject *o, const char *name)  /* new reference */
{
    PyObject *v = slot_value(o, name);
    if (v == NULL || !PyUnicode_Check(v)) {
        Py_XDECREF(v);
        return NULL;
    }
    Py_SETREF(v, PyUnicode_Substring(v, 0, PyUnicode_GetLength(v)));
    return v;
}

/* The segments of a Windows path as a tuple of exact str, for the reader to join. */
static PyObject *path_segments(PyObject *raw)  /* new reference */
{
    PyObject *t = PyTuple_New(PyList_GET_SIZE(raw));
    for (Py_ssize_t i = 0; t != NULL && i < PyList_GET_SIZE(raw); i++) {
        PyObject *seg = PyList_GET_ITEM(raw, i);  /* borrowed */
        PyObject *copy = PyUnicode_Check(seg)
                             ? PyUnicode_Substring(seg, 0, PyUnicode_GetLength(seg)) : NULL;
        if (copy == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "a path segment that is not a str");
            Py_CLEAR(t);
        } else {
            PyTuple_SET_ITEM(t, i, copy);
        }
    }
    return t;
}

/*
 * A pathlib path's text from its slots. Its __fspath__ and __str__ are Python
 * code (a program can replace them) and cache what they compute in the path,
 * so they are not called: the cached _str when set; else (3.12+) the unjoined
 * _raw_paths, joined here as posixpath.join joins them (a Windows path of
 * several segments is left to the reader to join: a tuple of them, as
 * ntpath's rules are not repeated here); else (3.10, 3.11) _drv + _root + the
 * _parts after the anchor, as _format_parsed_parts does. The reader's class
 * normalizes the text again.
 */
static PyObject *path_text(PyObject *o, int windows)  /* new reference */
{
    const char *sep = windows ? "\\" : "/";
    PyObject *text = path_str_slot(o, "_str");
    if (text != NULL)
        return text;
    PyObject *raw = slot_value(o, "_raw_paths");
    if (raw != NULL && PyList_Check(raw)) {
        Py_ssize_t n = PyList_GET_SIZE(raw);
        if (windows && n > 1) {
            text = path_segments(raw);
            Py_DECREF(raw);
            return text;
        }
        text = PyUnicode_FromString("");
        for (Py_ssize_t i = 0; text != NULL && i < n; i++) {
            PyObject *seg = PyList_GET_ITEM(raw, i);  /* borrowed */
            Py_ssize_t len = PyUnicode_Check(seg) ? PyUnicode_GetLength(seg) : -1;
            Py_ssize_t have = PyUnicode_GET_LENGTH(text);
            PyObject *copy = len >= 0 ? PyUnicode_Substring(seg, 0, len) : NULL;
            if (copy == NULL) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_TypeError, "a path segment that is not a str");
                Py_CLEAR(text);
            } else if (len > 0 && PyUnicode_READ_CHAR(copy, 0) == '/') {
                Py_SETREF(text, copy);
            } else if (have == 0 || PyUnicode_READ_CHAR(text, have - 1) == '/') {
                Py_SETREF(text, PyUnicode_Concat(text, copy));
                Py_DECREF(copy);
            } else {
                PyObject *joined = PyUnicode_FromFormat("%U/%U", text, copy);
                Py_SETREF(text, joined);
                Py_DECREF(copy);
            }
        }
        Py_DECREF(raw);
        return text;
    }
    Py_XDECREF(raw);
    PyObject *drv = path_str_slot(o, "_drv"), *root = path_str_slot(o, "_root");
    PyObject *parts = slot_value(o, "_parts");
    if (drv != NULL && root != NULL && parts != NULL && PyList_Check(parts)) {
        int anchored = PyUnicode_GET_LENGTH(drv) > 0 || PyUnicode_GET_LENGTH(root) > 0;
        PyObject *rest = join_parts(parts, anchored ? 1 : 0, sep);
        PyObject *anchor = rest != NULL ? PyUnicode_Concat(drv, root) : NULL;
        text = anchor != NULL ? PyUnicode_Concat(anchor, rest) : NULL;
        Py_XDECREF(rest);
        Py_XDECREF(anchor);
    } else {
        PyErr_SetString(PyExc_ValueError, "a path without the slots pyhd reads");
    }
    Py_XDECREF(drv);
    Py_XDECREF(root);
    Py_XDECREF(parts);
    return text;
}

/*
 * The mapping a mappingproxy shows. Its methods would call the mapping's
 * own (a program's Mapping), so the field is read where CPython keeps it:
 * mappingproxyobject of Objects/descrobject.c, the same on 3.10 to 3.14.
 */
struct pyhd_mappingproxy {
    PyObject_HEAD
    PyObject *mapping;
};

static PyObject *proxy_mapping(PyObject *o)  /* new reference */
{
    if (Py_TYPE(o)->tp_basicsize != (Py_ssize_t)sizeof(struct pyhd_mappingproxy)) {
        PyErr_SetString(PyExc_TypeError, "a mappingproxy of an unknown layout");
        return NULL;
    }
    return Py_BuildValue("(O)", ((struct pyhd_mappingproxy *)o)->mapping);
}

/*
 * itertools.count and itertools.repeat, read where CPython keeps their state
 * (countobject and repeatobject of Modules/itertoolsmodule.c, the same on
 * 3.10 to 3.14): their reprs would show a count's numbers through their
 * reprs, a program's number class's among them, and the pickling __reduce__
 * is gone in 3.14.
 */
struct pyhd_count {
    PyObject_HEAD
    Py_ssize_t cnt;          /* the count while it fits, when long_cnt is NULL (step 1) */
    PyObject *long_cnt;
    PyObject *long_step;
};

struct pyhd_repeat {
    PyObject_HEAD
    PyObject *element;
    Py_ssize_t cnt;          /* repeats left; -1: forever */
};

static PyObject *count_args(PyObject *o)  /* new reference: (start, step) */
{
    const struct pyhd_count *c = (const struct pyhd_count *)o;
    if (Py_TYPE(o)->tp_basicsize != (Py_ssize_t)sizeof *c) {
        PyErr_SetString(PyExc_TypeError, "an itertools.count of an unknown layout");
        return NULL;
    }
    if (c->long_cnt == NULL)
        return Py_BuildValue("(ni)", c->cnt, 1);
    return PyTuple_Pack(2, c->long_cnt, c->long_step);
}

static PyObject *repeat_args(PyObject *o)  /* new reference: (element,) or (element, times) */
{
    const struct pyhd_repeat *r = (const struct pyhd_repeat *)o;
    if (Py_TYPE(o)->tp_basicsize != (Py_ssize_t)sizeof *r) {
        PyErr_SetString(PyExc_TypeError, "an itertools.repeat of an unknown layout");
        return NULL;
    }
    return r->cnt < 0 ? PyTuple_Pack(1, r->element) : Py_BuildValue("(On)", r->element, r->cnt);
}

/*
 * The dict a dict view shows, read where CPython keeps it: _PyDictViewObject
 * of Objects/dictobject.c, the same on 3.10 to 3.14 (a public header's until
 * 3.12, an internal one's since), so no method of the view runs.
 */
struct pyhd_dictview {
    PyObject_HEAD
    PyObject *dict;
};

static PyObject *view_dict(PyObject *o)  /* new reference */
{
    if (Py_TYPE(o)->tp_basicsize != (Py_ssize_t)sizeof(struct pyhd_dictview)
        || ((struct pyhd_dictview *)o)->dict == NULL) {
        PyErr_SetString(PyExc_TypeError, "a dict view of an unknown layout");
        return NULL;
    }
    return Py_BuildValue("(O)", ((struct pyhd_dictview *)o)->dict);
}

/* An operator.itemgetter's or attrgetter's arguments, from its C __reduce__. */
static PyObject *getter_args(PyObject *o)  /* new reference */
{
    PyObject *r = c_method(o, "__reduce__"), *args = NULL;
    if (r != NULL && PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 2
        && PyTuple_CheckExact(PyTuple_GET_ITEM(r, 1)))
        args = Py_NewRef(PyTuple_GET_ITEM(r, 1));
    else if (r != NULL)
        PyErr_SetString(PyExc_TypeError, "a getter whose __reduce__ is not (type, args)");
    Py_XDECREF(r);
    return args;
}

/*
 * The args of a C type's own __reduce__ when it is (type, args tuple of n
 * items, or of any length when n is -1): a decimal.Context's (prec, rounding,
 * Emin, Emax, capitals, clamp, flags, traps) and an operator.methodcaller's
 * (name, *args). A methodcaller with keyword arguments reduces to a partial:
 * it stays opaque.
 */
static PyObject *own_reduce_args(PyObject *o, Py_ssize_t n)  /* new reference */
{
    PyObject *r = c_method(o, "__reduce__"), *args = NULL;
    if (r != NULL && PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 2
        && PyTuple_GET_ITEM(r, 0) == (PyObject *)Py_TYPE(o)
        && PyTuple_CheckExact(PyTuple_GET_ITEM(r, 1))
        && (n < 0 || PyTuple_GET_SIZE(PyTuple_GET_ITEM(r, 1)) == n))
        args = Py_NewRef(PyTuple_GET_ITEM(r, 1));
    else if (r != NULL)
        PyErr_Format(PyExc_TypeError, "a %s whose __reduce__ is not (type, args)",
                     Py_TYPE(o)->tp_name);
    Py_XDECREF(r);
    return args;
}

/*
 * A typing.TypeVar's or ParamSpec's (name, covariant, contravariant,
 * infer_variance, module) (n 5), a TypeVarTuple's (name, module) (n 2): C
 * members of final types (3.12+), and the __module__ their constructor put in
 * their dict. Not a bound, constraints or default: their getters evaluate a
 * lazily defined one (`class A[T: int]`), program code.
 */
static PyObject *typevar_args(PyObject *o, Py_ssize_t n)  /* new reference */
{
    static const char *const names[] = {"__name__", "__covariant__", "__contravariant__",
                                        "__infer_variance__", "__module__"};
    static const char *const tuple_names[] = {"__name__", "__module__"};
    PyObject *args = PyTuple_New(n);
    if (args == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = c_attr(o, n == 5 ? names[i] : tuple_names[i]);
        if (v == NULL) {
            Py_DECREF(args);
            return NULL;
        }
        PyTuple_SET_ITEM(args, i, v);
    }
    if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(args, 0))) {
        Py_DECREF(args);
        PyErr_SetString(PyExc_TypeError, "a TypeVar whose name is not a str");
        return NULL;
    }
    return args;
}

/*
 * An io.StringIO's (text, newline, position, closed): what its getvalue()
 * would give, its newline argument (None or a str), tell(), and whether it is
 * closed (its text then ""). Read from its fields, not through getvalue(),
 * which reworks the buffer of one being written (compat_objects.h).
 */
static PyObject *stringio_args(PyObject *o)  /* new reference */
{
    const struct pyhd_stringio *s = (const struct pyhd_stringio *)o;
    PyObject *text = NULL;
    if (Py_TYPE(o)->tp_basicsize != (Py_ssize_t)sizeof *s || s->ok <= 0
        || (s->readnl != NULL && !PyUnicode_CheckExact(s->readnl)) || s->pos < 0) {
        PyErr_SetString(PyExc_ValueError, "a StringIO of a layout pyhd does not know");
        return NULL;
    }
    if (s->closed) {
        text = PyUnicode_New(0, 0);
    } else if (s->state == PYHD_STRINGIO_REALIZED) {
        text = s->buf != NULL || s->string_size == 0
                   ? PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, s->buf, s->string_size)
                   : NULL;
    } else if (s->state == PYHD_STRINGIO_ACCUMULATING) {
#if PY_VERSION_HEX < 0x030C0000
        /* The large pieces, then the small ones not yet joined to them. */
        PyObject *parts[2] = {s->accu.large, s->accu.small};
        text = PyUnicode_New(0, 0);
        for (int k = 0; k < 2 && text != NULL; k++) {
            if (parts[k] == NULL)
                continue;
            for (Py_ssize_t i = 0; PyList_CheckExact(parts[k]) && i < PyList_GET_SIZE(parts[k]);
                 i++) {
                PyObject *piece = PyList_GET_ITEM(parts[k], i);
                if (!PyUnicode_CheckExact(piece)) {
                    Py_CLEAR(text);
                    break;
                }
                PyUnicode_Append(&text, piece);
                if (text == NULL)
                    break;
            }
        }
#else
# if PY_VERSION_HEX < 0x030E0000
        const _PyUnicodeWriter *wr = &s->writer;
# else
        const _PyUnicodeWriter *wr = s->writer;
# endif
        if (wr == NULL || wr->buffer == NULL)
            text = PyUnicode_New(0, 0);
        else if (PyUnicode_CheckExact(wr->buffer) && wr->pos >= 0
                 && wr->pos <= PyUnicode_GET_LENGTH(wr->buffer))
            text = PyUnicode_Substring(wr->buffer, 0, wr->pos);
#endif
    }
    if (text == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "a StringIO of a layout pyhd does not know");
        return NULL;
    }
    return Py_BuildValue("(NOnO)", text, s->readnl != NULL ? s->readnl : Py_None, s->pos,
                         s->closed ? Py_True : Py_False);
}

/* An io.BytesIO's (bytes, position, closed), read from its fields as stringio_args. */
static PyObject *bytesio_args(PyObject *o)  /* new reference */
{
    const struct pyhd_bytesio *b = (const struct pyhd_bytesio *)o;
    PyObject *data;
    if (Py_TYPE(o)->tp_basicsize != (Py_ssize_t)sizeof *b || b->pos < 0
        || (b->buf != NULL && (!PyBytes_CheckExact(b->buf) || b->string_size < 0
                               || b->string_size > PyBytes_GET_SIZE(b->buf)))) {
        PyErr_SetString(PyExc_ValueError, "a BytesIO of a layout pyhd does not know");
        return NULL;
    }
    data = b->buf != NULL ? PyBytes_FromStringAndSize(PyBytes_AS_STRING(b->buf), b->string_size)
                          : PyBytes_FromStringAndSize(NULL, 0);
    if (data == NULL)
        return NULL;
    return Py_BuildValue("(NnO)", data, b->pos, b->buf == NULL ? Py_True : Py_False);
}

/* An element's text or tail: the object, or the list the tree builder left to be
   joined (the tagged pointer's low bit), joined here, not in place. */
static PyObject *element_text(PyObject *p)  /* new reference */
{
    PyObject *o = PYHD_JOIN_OBJ(p), *empty, *r;
    if (o == NULL)
        return Py_NewRef(Py_None);
    if (!PYHD_JOIN_GET(p) || !PyList_CheckExact(o))
        return Py_NewRef(o);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(o); i++)
        if (!PyUnicode_CheckExact(PyList_GET_ITEM(o, i))) {
            PyErr_SetString(PyExc_ValueError, "an element's text of pieces not str");
            return NULL;
        }
    empty = PyUnicode_New(0, 0);
    r = empty != NULL ? PyUnicode_Join(empty, o) : NULL;
    Py_XDECREF(empty);
    return r;
}

/*
 * An xml.etree.ElementTree.Element's (tag, attrib, text, tail, children): its
 * C fields (compat_objects.h); attrib None when it has none yet, children a
 * new list of its children.
 */
static PyObject *element_args(PyObject *o)  /* new reference */
{
    const struct pyhd_element *e = (const struct pyhd_element *)o;
    const struct pyhd_element_extra *x = e->extra;
    PyObject *text, *tail, *children;
    if (Py_TYPE(o)->tp_basicsize != (Py_ssize_t)sizeof *e || e->tag == NULL
        || (x != NULL && (x->length < 0 || (x->length > 0 && x->children == NULL)
                          || (x->attrib != NULL && !PyDict_Check(x->attrib))))) {
        PyErr_SetString(PyExc_ValueError, "an Element of a layout pyhd does not know");
        return NULL;
    }
    children = PyList_New(x != NULL ? x->length : 0);
    if (children == NULL)
        return NULL;
    for (Py_ssize_t i = 0; x != NULL && i < x->length; i++)
        PyList_SET_ITEM(children, i, Py_NewRef(x->children[i]));
    text = element_text(e->text);
    tail = text != NULL ? element_text(e->tail) : NULL;
    if (tail == NULL) {
        Py_XDECREF(text);
        Py_DECREF(children);
        return NULL;
    }
    return Py_BuildValue("(ONNNN)", e->tag,
                         Py_NewRef(x != NULL && x->attrib != NULL ? x->attrib : Py_None),
                         text, tail, children);
}

/*
 * A functools.lru_cache wrapper's (function, maxsize, typed, hits, misses,
 * currsize, __dict__), read from its fields (compat_objects.h): cache_info()
 * would build its answer by calling functools._CacheInfo, Python code. maxsize
 * is None for an unbounded cache (the C field's -1); __dict__ (None when it
 * has none) holds what functools.update_wrapper copied: __wrapped__, __name__,
 * __qualname__, __doc__, and cache_parameters.
 */
static PyObject *lru_cache_args(PyObject *o)  /* new reference */
{
    const struct pyhd_lru_cache *c = (const struct pyhd_lru_cache *)o;
    PyObject *maxsize;
    if (Py_TYPE(o)->tp_basicsize != (Py_ssize_t)sizeof *c || c->func == NULL
        || c->cache == NULL || !PyDict_CheckExact(c->cache) || c->hits < 0 || c->misses < 0
        || c->maxsize < -1 || (c->dict != NULL && !PyDict_CheckExact(c->dict))) {
        PyErr_SetString(PyExc_ValueError, "an lru_cache wrapper of a layout pyhd does not know");
        return NULL;
    }
    maxsize = c->maxsize == -1 ? Py_NewRef(Py_None) : PyLong_FromSsize_t(c->maxsize);
    if (maxsize == NULL)
        return NULL;
    return Py_BuildValue("(ONOnnnO)", c->func, maxsize, c->typed ? Py_True : Py_False,
                         c->hits, c->misses, PyDict_GET_SIZE(c->cache),
                         c->dict != NULL ? c->dict : Py_None);
}

/*
 * A random.Random's (state, gauss_next): its generator's state as the C
 * getstate() of _random.Random gives it (it only reads), called as that type
 * defines it (not through the class, whose getstate is Python), and the
 * gauss_next attribute it keeps in its own attributes (None or a float).
 */
static PyObject *random_args(PyObject *o)  /* new reference */
{
    PyTypeObject *base = Py_TYPE(o)->tp_base;
    PyObject *state = NULL, *gauss = Py_None;
    struct pyhd_attrs a;
    if (base == NULL || strcmp(base->tp_name, "_random.Random") != 0) {
        PyErr_SetString(PyExc_ValueError, "a Random without _random's generator");
        return NULL;
    }
    for (PyMethodDef *m = base->tp_methods; m != NULL && m->ml_name != NULL; m++)
        if (strcmp(m->ml_name, "getstate") == 0 && m->ml_flags == METH_NOARGS) {
            state = m->ml_meth(o, NULL);
            break;
        }
    if (state == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "_random.Random has no C getstate");
        return NULL;
    }
    if (pyhd__instance_attrs(o, &a) < 0) {
        Py_DECREF(state);
        return NULL;
    }
    if (a.dict != NULL) {
        PyObject *g = pyhd__dict_get_cstr(a.dict, "gauss_next");  /* borrowed */
        if (g == NULL && PyErr_Occurred()) {
            Py_DECREF(state);
            return NULL;
        }
        gauss = g != NULL ? g : Py_None;
    } else {
        for (size_t k = 0; k < a.count; k++)
            if (PyUnicode_CompareWithASCIIString(a.keys[k], "gauss_next") == 0)
                gauss = a.values[k];
    }
    if (gauss != Py_None && !PyFloat_CheckExact(gauss))
        gauss = Py_None;
    return Py_BuildValue("(NO)", state, gauss);
}

static PyObject *reduce_args(struct walker *w, PyObject *o, int which)  /* new reference */
{
    static const char *const date[] = {"year", "month", "day"};
    static const char *const time[] = {"hour", "minute", "second", "microsecond", "tzinfo",
                                       "fold"};
    static const char *const datetime[] = {"year", "month", "day", "hour", "minute",
                                           "second", "microsecond", "tzinfo", "fold"};
    static const char *const timedelta[] = {"days", "seconds", "microseconds"};
    static const char *const pattern[] = {"pattern", "flags"};
    PyObject *a = NULL, *b = NULL, *r = NULL;
    switch (which) {
    case STD_DATE:
        return attrs_tuple(o, date, 3);
    case STD_TIME:
        return attrs_tuple(o, time, 6);
    case STD_DATETIME:
        return attrs_tuple(o, datetime, 9);
    case STD_TIMEDELTA:
        return attrs_tuple(o, timedelta, 3);
    case STD_PATTERN:
        return attrs_tuple(o, pattern, 2);
    case STD_TIMEZONE:
        return c_method(o, "__getinitargs__");
    case STD_MAPPINGPROXY:
        return proxy_mapping(o);
    case STD_DICT_KEYS:
    case STD_DICT_VALUES:
    case STD_DICT_ITEMS:
        return view_dict(o);
    case STD_GENERIC_ALIAS:
        /* Its C members (GenericAlias's getattr forwards other names to the origin). */
        a = c_attr(o, "__origin__");
        b = a != NULL ? c_attr(o, "__args__") : NULL;
        if (b != NULL)
            r = PyTuple_Pack(2, a, b);
        Py_XDECREF(a);
        Py_XDECREF(b);
        return r;
    case STD_UNION:
        return c_attr(o, "__args__");
    case STD_COUNT:
        return count_args(o);
    case STD_REPEAT:
        return repeat_args(o);
    case STD_ITEMGETTER:
    case STD_ATTRGETTER:
        return getter_args(o);
    case STD_CONTEXT:
        return own_reduce_args(o, 8);
    case STD_METHODCALLER:
        return own_reduce_args(o, -1);
    case STD_TYPEVAR:
    case STD_PARAMSPEC:
        return typevar_args(o, 5);
    case STD_TYPEVARTUPLE:
        return typevar_args(o, 2);
    case STD_PARAMSPEC_ARGS:
    case STD_PARAMSPEC_KWARGS:
        /* P.args, P.kwargs: the ParamSpec, a C member. */
        a = c_attr(o, "__origin__");
        return a ? Py_BuildValue("(N)", a) : NULL;
    case STD_DIRENTRY:
        /* Its name and path, C members (str, or bytes when scandir was given bytes);
           not its cached d_type and stat, which is_dir() and stat() may fill in. */
        r = slot_pair(o, "name", "path");
        if (r != NULL && (Py_TYPE(PyTuple_GET_ITEM(r, 0)) != Py_TYPE(PyTuple_GET_ITEM(r, 1))
                          || !(PyUnicode_CheckExact(PyTuple_GET_ITEM(r, 0))
                               || PyBytes_CheckExact(PyTuple_GET_ITEM(r, 0)))))
            Py_CLEAR(r);
        if (r == NULL && !PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "a DirEntry without a name and path");
        return r;
    case STD_SUPER:
        /* (__thisclass__, __self__): C members, read without super's getattr (which
           looks names up along the MRO, program classes included); __self__ is None
           for an unbound super. */
        r = slot_pair(o, "__thisclass__", "__self__");
        if (r != NULL && !PyType_Check(PyTuple_GET_ITEM(r, 0)))
            Py_CLEAR(r);
        if (r == NULL && !PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "a super without __thisclass__");
        return r;
    case STD_STRUCT:
        /* Its format, read by its C getter (a str since 3.7). */
        a = c_attr(o, "format");
        if (a != NULL && !PyUnicode_CheckExact(a)) {
            Py_CLEAR(a);
            PyErr_SetString(PyExc_ValueError, "a Struct without a str format");
        }
        return a ? Py_BuildValue("(N)", a) : NULL;
    case STD_ELEMENT:
        return element_args(o);
    case STD_RANDOM:
        return random_args(o);
    case STD_LRU_CACHE:
        return lru_cache_args(o);
    case STD_STRINGIO:
        return stringio_args(o);
    case STD_BYTESIO:
        return bytesio_args(o);
    case STD_ZONEINFO:
        /* Its key, a C member; a zone made from a file (ZoneInfo.from_file)
           has none and stays opaque. */
        a = c_attr(o, "key");
        if (a != NULL && !PyUnicode_CheckExact(a)) {
            Py_CLEAR(a);
            PyErr_SetString(PyExc_ValueError, "a ZoneInfo without a key");
        }
        return a ? Py_BuildValue("(N)", a) : NULL;
    case STD_DECIMAL:
        /* Its exact value read in place (str() would make the thread a decimal
           context); a layout this does not read (_pydecimal's) gives its str. */
        a = pyhd__decimal_text(o);
        if (!a && !PyErr_Occurred())
            a = Py_TYPE(o)->tp_str(o);
        return a ? Py_BuildValue("(N)", a) : NULL;
    case STD_FRACTION:
        r = slot_pair(o, "_numerator", "_denominator");
        if (r == NULL && !PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "Fraction without _numerator/_denominator");
        return r;
    case STD_UUID:
        a = slot_value(o, "int");
        if (a == NULL) {
            PyErr_SetString(PyExc_ValueError, "UUID without its int slot");
            return NULL;
        }
        return Py_BuildValue("(N)", a);
    case STD_DEQUE:
        a = deque_items(w, o);
        b = a ? c_attr(o, "maxlen") : NULL;
        if (b != NULL)
            r = PyTuple_Pack(2, a, b);
        Py_XDECREF(a);
        Py_XDECREF(b);
        return r;
    case STD_ARRAY: {
        a = c_attr(o, "typecode");
        b = a != NULL ? array_bytes(w, o) : NULL;
        if (b != NULL)
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            r = Py_BuildValue("(OOs)", a, b, "big");
#else
            r = Py_BuildValue("(OOs)", a, b, "little");
#endif
        Py_XDECREF(a);
        Py_XDECREF(b);
        return r;
    }
    default:
        a = path_text(o, which == STD_PATH_FIRST + 2 || which == STD_PATH_FIRST + 5);
        return a == NULL || PyTuple_Check(a) ? a : Py_BuildValue("(N)", a);
    }
}

/* Which stdlib type o's exact type is, or -1. */
static int stdlib_kind(const struct walker *w, PyTypeObject *t)
{
    for (int i = 0; i < STD_NTYPES; i++)
        if (w->stdlib_types[i] == (PyObject *)t)
            return i;
    return -1;
}

/* Whether t is one of the sequence iterators of struct pyhd_seqiter. */
static int is_seq_iterator(PyTypeObject *t)
{
    return (t == &PyListIter_Type || t == &PyListRevIter_Type || t == &PyTupleIter_Type
            || t == &PyUnicodeIter_Type || t == &PyBytesIter_Type
            || (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE) && strcmp(t->tp_name, "str_ascii_iterator") == 0))
           && t->tp_basicsize == (Py_ssize_t)sizeof(struct pyhd_seqiter);
}

/* A REDUCED record of class t with args (a new reference it consumes; NULL: -1,
   the exception set). */
static int reduced_record(struct walker *w, PyTypeObject *t, PyObject *args)
{
    int rc;
    if (args == NULL)
        return -1;
    rc = RECORD(w, REDUCED, .class = REF(t), .args = REF(args));
    Py_DECREF(args);
    return rc;
}

/*
 * A range iterator's (range, index): its C __reduce__ gives (iter, (range,),
 * index), made of its fields (a range object is made, nothing else runs);
 * since 3.12 the range starts where the iterator is and the index is None: 0.
 */
static PyObject *range_iterator_args(PyObject *o)  /* new reference */
{
    PyObject *r = c_method(o, "__reduce__"), *index = NULL, *args;
    if (r != NULL && PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 3)
        index = PyTuple_GET_ITEM(r, 2) == Py_None ? PyLong_FromLong(0)
                                                  : Py_NewRef(PyTuple_GET_ITEM(r, 2));
    args = index != NULL && PyLong_CheckExact(index) && PyTuple_Check(PyTuple_GET_ITEM(r, 1))
                   && PyTuple_GET_SIZE(PyTuple_GET_ITEM(r, 1)) == 1
                   && PyRange_Check(PyTuple_GET_ITEM(PyTuple_GET_ITEM(r, 1), 0))
               ? PyTuple_Pack(2, PyTuple_GET_ITEM(PyTuple_GET_ITEM(r, 1), 0), index)
               : NULL;
    Py_XDECREF(index);
    if (r != NULL && args == NULL && !PyErr_Occurred())
        PyErr_SetString(PyExc_TypeError, "a range iterator whose __reduce__ is not "
                                         "(iter, (range,), index)");
    Py_XDECREF(r);
    return args;
}

/*
 * A builtin iterator as a REDUCED record (format.h): a sequence iterator's
 * (sequence or None once exhausted, index), read from its fields; an
 * enumerate's, zip's, map's or filter's arguments as their own C __reduce__
 * gives them (it only packs their fields); a range iterator's (range, index).
 * 0 when o is none of these.
 */
static int w_iterator(struct walker *w, PyObject *o)
{
    PyTypeObject *t = Py_TYPE(o);
    PyObject *args;
    if (is_seq_iterator(t)) {
        const struct pyhd_seqiter *it = (const struct pyhd_seqiter *)o;
        args = Py_BuildValue("(On)", it->it_seq != NULL ? it->it_seq : Py_None, it->it_index);
    } else if (t == &PyEnum_Type || t == &PyZip_Type || t == &PyMap_Type || t == &PyFilter_Type) {
        args = own_reduce_args(o, -1);
    } else if (t == &PyRangeIter_Type || t == &PyLongRangeIter_Type) {
        args = range_iterator_args(o);
    } else {
        return 0;
    }
    return reduced_record(w, t, args);
}

/* A contextvars.ContextVar's (name,) or (name, default), read from its fields. */
static PyObject *contextvar_args(PyObject *o)  /* new reference */
{
    const struct pyhd_contextvar *v = (const struct pyhd_contextvar *)o;
    if (Py_TYPE(o)->tp_basicsize != (Py_ssize_t)sizeof *v || v->name == NULL
        || !PyUnicode_Check(v->name)) {
        PyErr_SetString(PyExc_ValueError, "a ContextVar of a layout pyhd does not know");
        return NULL;
    }
    return v->deflt != NULL ? PyTuple_Pack(2, v->name, v->deflt) : PyTuple_Pack(1, v->name);
}

/* A contextvars.Context's (((var, value), ...),), read by its C mapping (a lookup
   compares ContextVars, which have no comparison of their own: no code runs). */
static PyObject *context_args(PyObject *o)  /* new reference */
{
    PyObject *pairs = PyList_New(0), *it, *var, *args = NULL;
    it = pairs != NULL ? PyObject_GetIter(o) : NULL;
    while (it != NULL && (var = PyIter_Next(it)) != NULL) {
        PyObject *value = PyObject_GetItem(o, var);
        PyObject *pair = value != NULL ? PyTuple_Pack(2, var, value) : NULL;
        int rc = pair != NULL ? PyList_Append(pairs, pair) : -1;
        Py_XDECREF(pair);
        Py_XDECREF(value);
        Py_DECREF(var);
        if (rc < 0)
            break;
    }
    if (it != NULL && !PyErr_Occurred())
        args = Py_BuildValue("(N)", PyList_AsTuple(pairs));
    Py_XDECREF(it);
    Py_XDECREF(pairs);
    return args;
}

/*
 * A symtable entry's (the C object behind symtable.SymbolTable) members (id,
 * name, symbols, varnames, children, nested, type, lineno), read by their
 * PyMemberDefs; type and the symbols' flags are numbered as the dumping python
 * numbers them.
 */
static PyObject *symtable_entry_args(PyObject *o)  /* new reference */
{
    static const char *const names[] = {"id", "name", "symbols", "varnames", "children",
                                        "nested", "type", "lineno"};
    PyTypeObject *t = Py_TYPE(o);
    PyObject *args = PyTuple_New(8);
    for (Py_ssize_t i = 0; args != NULL && i < 8; i++) {
        PyObject *v = NULL;
        for (PyMemberDef *m = t->tp_members; m != NULL && m->name != NULL && v == NULL; m++)
            if (strcmp(m->name, names[i]) == 0)
                v = PyMember_GetOne((const char *)o, m);
        if (v == NULL) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_ValueError, "a symtable entry without %s", names[i]);
            Py_CLEAR(args);
            break;
        }
        PyTuple_SET_ITEM(args, i, v);
    }
    return args;
}

/* The column names of a sqlite3.Row's description: a tuple of str, or None. */
static PyObject *row_columns(PyObject *description)  /* new reference */
{
    PyObject *names;
    if (description == Py_None)
        return Py_NewRef(Py_None);
    if (!PyTuple_Check(description))
        return NULL;
    names = PyTuple_New(PyTuple_GET_SIZE(description));
    for (Py_ssize_t i = 0; names != NULL && i < PyTuple_GET_SIZE(description); i++) {
        PyObject *d = PyTuple_GET_ITEM(description, i);
        if (!PyTuple_Check(d) || PyTuple_GET_SIZE(d) < 1 || !PyUnicode_Check(PyTuple_GET_ITEM(d, 0))) {
            Py_CLEAR(names);
            break;
        }
        PyTuple_SET_ITEM(names, i, Py_NewRef(PyTuple_GET_ITEM(d, 0)));
    }
    return names;
}

/* A sqlite3.Row's (values tuple, column names tuple or None), read from its fields. */
static PyObject *sqlite_row_args(PyObject *o)  /* new reference */
{
    const struct pyhd_sqlite_row *row = (const struct pyhd_sqlite_row *)o;
    PyObject *names = Py_TYPE(o)->tp_basicsize == (Py_ssize_t)sizeof *row && row->data != NULL
                              && PyTuple_Check(row->data) && row->description != NULL
                          ? row_columns(row->description) : NULL;
    PyObject *args = names != NULL ? PyTuple_Pack(2, row->data, names) : NULL;
    if (names == NULL && !PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, "a sqlite3.Row of a layout pyhd does not know");
    Py_XDECREF(names);
    return args;
}

/*
 * A socket address of getsockname() or getpeername() (len bytes of ss, which
 * was zeroed first) as socket's makesockaddr() makes it, for the families
 * whose repr python shows: (host, port) for AF_INET, (host, port, flowinfo,
 * scope_id) for AF_INET6, the path (str; bytes in Linux's abstract namespace)
 * for AF_UNIX; None for any other.
 */
static PyObject *sockaddr_value(const struct sockaddr_storage *ss, socklen_t len)
{
    char host[INET6_ADDRSTRLEN];
    if (len == 0)
        Py_RETURN_NONE;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        if (inet_ntop(AF_INET, &a->sin_addr, host, sizeof host) != NULL)
            return Py_BuildValue("(si)", host, (int)ntohs(a->sin_port));
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        if (inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host) != NULL)
            return Py_BuildValue("(siII)", host, (int)ntohs(a->sin6_port),
                                 (unsigned)ntohl(a->sin6_flowinfo), (unsigned)a->sin6_scope_id);
    } else if (ss->ss_family == AF_UNIX) {
        const struct sockaddr_un *a = (const struct sockaddr_un *)ss;
        size_t at = offsetof(struct sockaddr_un, sun_path);
        size_t n = len > at ? (size_t)len - at : 0;
        if (n > sizeof a->sun_path)
            n = sizeof a->sun_path;
        if (n > 0 && a->sun_path[0] == '\0')
            return PyBytes_FromStringAndSize(a->sun_path, (Py_ssize_t)n);
        return PyUnicode_DecodeFSDefaultAndSize(a->sun_path, (Py_ssize_t)strnlen(a->sun_path, n));
    }
    Py_RETURN_NONE;
}

/* The local (peer 0) or peer (peer 1) address of descriptor fd, or None. */
static PyObject *socket_address(int fd, int peer)  /* new reference */
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int rc;
    memset(&ss, 0, sizeof ss);
    rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
              : getsockname(fd, (struct sockaddr *)&ss, &len);
    if (rc < 0)
        Py_RETURN_NONE;  /* not bound, not connected, not a socket any more */
    return sockaddr_value(&ss, len > sizeof ss ? (socklen_t)sizeof ss : len);
}

/*
 * A socket.socket's (fd, family, type, proto, closed, local address, peer
 * address, timeout), read from its C base's fields, its _closed slot and the
 * descriptor's getsockname() and getpeername(): what its repr and getters
 * show. Those two calls only read the kernel's state of the descriptor.
 */
static PyObject *socket_args(PyObject *o, PyTypeObject *base)  /* new reference */
{
    const struct pyhd_socket *s = (const struct pyhd_socket *)o;
    PyObject *descr = pyhd__dict_get_cstr(Py_TYPE(o)->tp_dict, "_closed");  /* borrowed */
    PyObject *laddr, *raddr, *timeout;
    int closed = 0;
    if (base->tp_basicsize != (Py_ssize_t)sizeof *s) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "a socket of a layout pyhd does not know");
        return NULL;
    }
    /* socket.socket's __slots__ member _closed, read at its offset: True once closed. */
    if (descr != NULL && Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
        const PyMemberDef *m = ((PyMemberDescrObject *)descr)->d_member;
        if (m->type == T_OBJECT_EX && m->offset > 0
            && m->offset <= Py_TYPE(o)->tp_basicsize - (Py_ssize_t)sizeof(PyObject *))
            closed = *(PyObject **)((char *)o + m->offset) == Py_True;
    }
    laddr = !closed && s->sock_fd >= 0 ? socket_address(s->sock_fd, 0) : Py_NewRef(Py_None);
    raddr = !closed && s->sock_fd >= 0 ? socket_address(s->sock_fd, 1) : Py_NewRef(Py_None);
    timeout = s->sock_timeout < 0 ? Py_NewRef(Py_None)
                                  : PyFloat_FromDouble((double)s->sock_timeout / 1e9);
    if (laddr == NULL || raddr == NULL || timeout == NULL) {
        Py_XDECREF(laddr);
        Py_XDECREF(raddr);
        Py_XDECREF(timeout);
        return NULL;
    }
    return Py_BuildValue("(iiiiONNN)", s->sock_fd, s->sock_family, s->sock_type, s->sock_proto,
                         closed ? Py_True : Py_False, laddr, raddr, timeout);
}

/* Whether t is the standard library's socket.socket (Lib/socket.py's class over
   _socket.socket), with base its C base. */
static int is_stdlib_socket(const struct walker *w, PyTypeObject *t, PyTypeObject **base)
{
    PyObject *module;
    if (!is_python_class(w, t) || strcmp(t->tp_name, "socket") != 0)
        return 0;
    *base = native_base(w, t);
    if (*base != t->tp_base || strcmp((*base)->tp_name, "_socket.socket") != 0)
        return 0;
    module = pyhd__dict_get_cstr(t->tp_dict, "__module__");  /* borrowed */
    return module != NULL && PyUnicode_Check(module)
           && PyUnicode_CompareWithASCIIString(module, "socket") == 0;
}

/*
 * The REDUCED args of the C objects read through their fields or members
 * (format.h): ContextVar, Context, a symtable entry, sqlite3.Row, socket.socket.
 * NULL with *mine 0 when o is none of them; with *mine 1, NULL is an error.
 */
static PyObject *member_reduced_args(struct walker *w, PyObject *o, int *mine)
{
    PyTypeObject *t = Py_TYPE(o), *base;
    *mine = 1;
    if (t == &PyContextVar_Type)
        return contextvar_args(o);
    if (t == &PyContext_Type)
        return context_args(o);
    if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE) && strcmp(t->tp_name, "symtable entry") == 0)
        return symtable_entry_args(o);
    if ((t->tp_flags & Py_TPFLAGS_HEAPTYPE) && !is_python_class(w, t)
        && strcmp(t->tp_name, "sqlite3.Row") == 0)
        return sqlite_row_args(o);
    if (is_stdlib_socket(w, t, &base)) {
        PyObject *args = socket_args(o, base);
        if (args == NULL && PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_MemoryError)) {
            PyErr_Clear();
            *mine = 0;  /* walked as before: opaque, its C base not read */
        }
        return args;
    }
    *mine = 0;
    return NULL;
}

static enum pyhd_datetime_which datetime_which(int which)
{
    return which == STD_DATE ? PYHD_DT_DATE : which == STD_TIME ? PYHD_DT_TIME : PYHD_DT_DATETIME;
}

/*
 * A date, time or datetime of the C datetime module (exact, or the C base of a
 * Python subclass: class is that base then) as a DATETIME record: 0 when its
 * layout is not the one this build knows (then a REDUCED record, as before).
 */
static int w_datetime(struct walker *w, PyObject *o, int which, PyTypeObject *class)
{
    struct pyhd_datetime_fields f;
    if (pyhd__datetime_fields(o, class, datetime_which(which), &f) < 0)
        return 0;
    return RECORD(w, DATETIME, .class = REF(class), .year = (uint64_t)f.year,
                  .month = (unsigned)f.month, .day = (unsigned)f.day, .hour = (unsigned)f.hour,
                  .minute = (unsigned)f.minute, .second = (unsigned)f.second,
                  .microsecond = (uint64_t)f.microsecond, .fold = (unsigned)f.fold,
                  .tzinfo = REF(f.tzinfo));
}

/*
 * For a Python subclass of the datetime C module's date, time or datetime whose
 * layout this build knows (a SUBCLASS record with a DATETIME base): STD_DATE,
 * STD_TIME or STD_DATETIME; else -1.
 */
static int datetime_subclass(const struct walker *w, PyTypeObject *t)
{
    static const int which[] = {STD_DATE, STD_TIME, STD_DATETIME};
    PyTypeObject *base;
    if (!is_python_class(w, t))
        return -1;
    base = native_base(w, t);
    for (size_t i = 0; i < sizeof which / sizeof which[0]; i++)
        if (w->stdlib_types[which[i]] == (PyObject *)base && !is_python_class(w, base))
            return pyhd__datetime_layout(base, datetime_which(which[i])) ? which[i] : -1;
    return -1;
}

static int w_reduced(struct walker *w, PyObject *o, int which)
{
    if (which == STD_DATE || which == STD_TIME || which == STD_DATETIME) {
        int rc = w_datetime(w, o, which, Py_TYPE(o));
        if (rc != 0)
            return rc;
    }
    return reduced_record(w, Py_TYPE(o), reduce_args(w, o, which));
}

/*
 * The record of a builtin value (exact, or the base of a subclass): its
 * kind, or -1; 0 when o is of none of these types.
 */
static int w_base_value(struct walker *w, PyObject *o)
{
    if (PyLong_Check(o))
        return w_int(w, o);
    if (PyFloat_Check(o))
        return RECORD(w, FLOAT, .value = PyFloat_AS_DOUBLE(o));
    if (PyUnicode_Check(o))
        return RECORD(w, STR, .text = BODY(STRDATA, put_str, o));
    if (PyTuple_Check(o))
        return RECORD(w, TUPLE, .items = BODY(ITEMS, put_seq, o));
    if (PyList_Check(o))
        return RECORD(w, LIST, .items = BODY(ITEMS, put_seq, o));
    if (PyDict_Check(o))
        return RECORD(w, DICT,
                      .items = PyODict_Check(o) ? BODY(MAP, put_odict_pairs, o)
                                                : BODY(MAP, put_dict_pairs, o));
    if (PyBytes_Check(o))
        return RECORD(w, BYTES, .data = BODY(BYTESDATA, put_bytes_data, o));
    if (PyByteArray_Check(o))
        return RECORD(w, BYTEARRAY, .data = BODY(BYTESDATA, put_bytes_data, o));
    if (PyFrozenSet_Check(o))
        return RECORD(w, FROZENSET, .items = BODY(ITEMS, put_set, o));
    if (PySet_Check(o))
        return RECORD(w, SET, .items = BODY(ITEMS, put_set, o));
    if (PyComplex_Check(o)) {
        Py_complex c = ((PyComplexObject *)o)->cval;
        return RECORD(w, COMPLEX, .real = c.real, .imag = c.imag);
    }
    int which = datetime_subclass(w, Py_TYPE(o));
    if (which >= 0)
        return w_datetime(w, o, which, native_base(w, Py_TYPE(o)));
    return 0;
}

static int is_builtin_value_type(PyObject *o)
{
    return PyLong_Check(o) || PyFloat_Check(o) || PyUnicode_Check(o) || PyTuple_Check(o)
           || PyList_Check(o) || PyDict_Check(o) || PyBytes_Check(o) || PyByteArray_Check(o)
           || PyAnySet_Check(o) || PyComplex_Check(o);
}

/* BASE: the kind of the builtin value of the subclass instance arg, then its payload. */
static int put_base(struct walker *w, void *arg)
{
    size_t kind_at = w->p.len;
    if (put_u8(w, 0) < 0)
        return -1;
    int kind = w_base_value(w, arg);
    if (kind < 0)
        return -1;
    w->p.data[kind_at] = (unsigned char)kind;
    return 0;
}

static int w_subclass(struct walker *w, PyObject *o)
{
    return RECORD(w, SUBCLASS, .class = REF(Py_TYPE(o)), .dict = ATTRS(o),
                  .slot = BODY(PAIRS, put_slots, o), .base = BODY(BASE, put_base, o));
}

static int w_instance(struct walker *w, PyObject *o)
{
    return RECORD(w, INSTANCE, .class = REF(Py_TYPE(o)), .dict = ATTRS(o),
                  .slot = BODY(PAIRS, put_slots, o));
}

/* A buffer exported by C code (a Python-level __buffer__ would run the program's code). */
static int has_c_buffer(const struct walker *w, PyTypeObject *t)
{
    if (t->tp_as_buffer == NULL || t->tp_as_buffer->bf_getbuffer == NULL)
        return 0;
    PyTypeObject *base = native_base(w, t);
    return base->tp_as_buffer != NULL
           && base->tp_as_buffer->bf_getbuffer == t->tp_as_buffer->bf_getbuffer;
}

/* DIMS of the Py_buffer arg: its shape (a flat buffer's: its length in items). */
static int put_buffer_shape(struct walker *w, void *arg)
{
    const Py_buffer *view = arg;
    if (put_varint(w, (uint64_t)view->ndim) < 0)
        return -1;
    for (int i = 0; i < view->ndim; i++) {
        uint64_t dim = view->shape ? (uint64_t)view->shape[i]
                                   : (uint64_t)(view->itemsize ? view->len / view->itemsize : 0);
        if (put_varint(w, dim) < 0)
            return -1;
    }
    return 0;
}

/* BYTESDATA of the bytes arg (a struct rec_blob) as they are, cut to --max-string. */
static int put_buffer_data(struct walker *w, void *arg)
{
    const struct rec_blob *data = arg;
    return put_blob_as_is(w, data->data, data->n);
}

/*
 * numpy's datetime64 and timedelta64 scalars export their value as 8 bytes
 * ("B", shape (8,)): the unit is not in the buffer. Their dtype's str (such
 * as "<M8[m]") is, read by numpy's C getters as w_dtype reads it. Only the
 * exact static types: a program's subclass could define dtype in Python.
 */
static PyObject *numpy_time_typestr(PyObject *o)
{
    PyTypeObject *t = Py_TYPE(o);
    if ((t->tp_flags & Py_TPFLAGS_HEAPTYPE) != 0
        || (strcmp(t->tp_name, "numpy.datetime64") != 0
            && strcmp(t->tp_name, "numpy.timedelta64") != 0))
        return NULL;
    PyObject *dtype = PyObject_GetAttrString(o, "dtype");
    PyObject *typestr = dtype != NULL ? PyObject_GetAttrString(dtype, "str") : NULL;
    Py_XDECREF(dtype);
    if (typestr == NULL || !PyUnicode_Check(typestr))
        Py_CLEAR(typestr);
    PyErr_Clear();
    return typestr;
}

static int w_buffer(struct walker *w, PyObject *o)
{
    Py_buffer view;
    unsigned char *copy = NULL;
    int rc = -1;
    if (PyObject_GetBuffer(o, &view, PyBUF_FULL_RO) < 0)
        return -1;
    const char *format = view.format ? view.format : "B";
    /* A numpy time scalar: a 0-d buffer of its dtype (readers make it with numpy.dtype). */
    PyObject *typestr = numpy_time_typestr(o);
    const char *text = typestr != NULL ? PyUnicode_AsUTF8(typestr) : NULL;
    Py_buffer scalar = view;
    if (text != NULL && view.len == 8) {
        format = text;
        scalar.ndim = 0;
        scalar.itemsize = 8;
    }
    PyErr_Clear();
    struct rec_blob data = {view.buf, (size_t)view.len};
    if (!PyBuffer_IsContiguous(&view, 'C')) {
        copy = PyMem_Malloc(data.n ? data.n : 1);
        if (copy == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        if (PyBuffer_ToContiguous(copy, &view, view.len, 'C') < 0)
            goto done;
        data.data = copy;
    }
    rc = RECORD(w, BUFFER, .class = REF(Py_TYPE(o)), .format = TEXT(format, strlen(format)),
                .itemsize = (uint64_t)scalar.itemsize,
                .shape = BODY(DIMS, put_buffer_shape, &scalar),
                .readonly = view.readonly ? 1 : 0, .data = BODY(BYTESDATA, put_buffer_data, &data));
done:
    Py_XDECREF(typestr);
    PyMem_Free(copy);
    PyBuffer_Release(&view);
    return rc;
}

/* Whether v's repr is C code that reads only v: None, exact str, bytes, int. */
static int repr_is_plain(PyObject *v)
{
    return v == Py_None || PyUnicode_CheckExact(v) || PyBytes_CheckExact(v)
           || PyLong_CheckExact(v);
}

/*
 * Whether the instance dict of an io object is safe for its repr's lookup of
 * name: only exact str keys (a lookup compares keys) and, under name, a
 * plain value or nothing.
 */
static int io_dict_is_plain(PyObject *o, const char *name)
{
    PyObject *d = pyhd__instance_dict(o);  /* new reference */
    Py_ssize_t pos = 0;
    PyObject *k, *v;  /* borrowed */
    int ok = 1;
    if (d == NULL) {
        ok = !PyErr_Occurred();
        PyErr_Clear();
        return ok;
    }
    while (ok && PyDict_Next(d, &pos, &k, &v))
        ok = PyUnicode_CheckExact(k)
             && (PyUnicode_CompareWithASCIIString(k, name) != 0 || repr_is_plain(v));
    Py_DECREF(d);
    return ok;
}

/* The objects a file object's repr reads, down to the FileIO, are all C and plain. */
static int io_repr_is_safe(PyObject *o)
{
    const char *name = Py_TYPE(o)->tp_name;
    PyObject *inner = NULL;
    int ok = 0;
    if (strcmp(name, "_io.FileIO") == 0)
        return io_dict_is_plain(o, "name");
    if (strcmp(name, "_io.BufferedReader") == 0 || strcmp(name, "_io.BufferedWriter") == 0
        || strcmp(name, "_io.BufferedRandom") == 0) {
        /* name is a getter that asks the raw stream. */
        inner = slot_value(o, "raw");
        ok = inner != NULL && io_repr_is_safe(inner)
             && strcmp(Py_TYPE(inner)->tp_name, "_io.FileIO") == 0;
    } else if (strcmp(name, "_io.TextIOWrapper") == 0) {
        /* name asks the buffer; mode is in the instance dict; encoding a str. */
        PyObject *encoding = slot_value(o, "encoding");
        inner = slot_value(o, "buffer");
        ok = inner != NULL && strncmp(Py_TYPE(inner)->tp_name, "_io.Buffered", 12) == 0
             && io_repr_is_safe(inner) && io_dict_is_plain(o, "mode")
             && (encoding == NULL || repr_is_plain(encoding));
        Py_XDECREF(encoding);
    }
    Py_XDECREF(inner);
    return ok;
}

/*
 * Whether repr(o) runs only C code that reads o's own state and plain values
 * (an allow-list: most C reprs of the standard library show other objects'
 * reprs, or getters that reach objects of the program: a TextIOWrapper's
 * name comes from its raw stream, itertools.count shows its count, 3.14's
 * Template and Interpolation show their values).
 */
static int repr_is_safe(PyObject *o)
{
    static const char *const own_state[] = {
        "_thread.lock", "_thread.RLock", "getset_descriptor", "member_descriptor",
        "method_descriptor", "wrapper_descriptor", "classmethod_descriptor",
        "method-wrapper",
    };
    PyTypeObject *t = Py_TYPE(o);
    /* object.__repr__ shows the type's module and name and the address. */
    if (t->tp_repr == PyBaseObject_Type.tp_repr)
        return 1;
    for (size_t i = 0; i < sizeof own_state / sizeof own_state[0]; i++)
        if (strcmp(t->tp_name, own_state[i]) == 0)
            return 1;
    if (strcmp(t->tp_name, "re.Match") == 0) {
        /* The match is a slice of the string: C only for an exact str or bytes. */
        PyObject *string = slot_value(o, "string");
        int ok = string == NULL || repr_is_plain(string);
        Py_XDECREF(string);
        return ok;
    }
    return strncmp(t->tp_name, "_io.", 4) == 0 && io_repr_is_safe(o);
}

/* repr() for an OPAQUE record, guarded and cut; NULL (no exception) when not taken. */
static PyObject *opaque_repr(struct walker *w, PyObject *o)  /* new reference */
{
    PyTypeObject *t = Py_TYPE(o);
    if (!w->o->repr_all) {
        if (is_python_class(w, t) || !repr_is_safe(o))
            return NULL;
        PyObject *module = type_module(w, t);
        int std = module ? is_stdlib_module(w, module) : -1;
        Py_XDECREF(module);
        if (std <= 0) {
            PyErr_Clear();
            return NULL;
        }
    }
    PyObject *r = PyObject_Repr(o);
    if (r == NULL || !PyUnicode_Check(r)) {
        PyErr_Clear();
        Py_XDECREF(r);
        return NULL;
    }
    if (PyUnicode_GET_LENGTH(r) > WALK_REPR_MAX) {
        Py_SETREF(r, PyUnicode_Substring(r, 0, WALK_REPR_MAX));
        if (r == NULL)
            PyErr_Clear();
    }
    return r;
}

static uint64_t object_size(PyObject *o)
{
    PyTypeObject *t = Py_TYPE(o);
    uint64_t size = (uint64_t)t->tp_basicsize;
    if (t->tp_itemsize)
        size += (uint64_t)(Py_SIZE(o) < 0 ? -Py_SIZE(o) : Py_SIZE(o)) * (uint64_t)t->tp_itemsize;
    return size;
}

/* OPAQUE: with reason (a new reference or NULL) when the walk failed on o. */
static int w_opaque(struct walker *w, PyObject *o, PyObject *reason)
{
    PyObject *repr = opaque_repr(w, o);
    int rc = -1;
    w->g->opaque++;
    rc = RECORD(w, OPAQUE, .class = REF(Py_TYPE(o)), .size = object_size(o), .repr = REF(repr),
                .reason = REF(reason));
    Py_XDECREF(repr);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Readable C objects (format.h, 0x30 up): partial, re.Match, locks, files,
 * asyncio futures and tasks, numpy arrays and dtypes. Their state is read
 * through the C members, getters and methods of the C type itself, looked up
 * in that type's own dict, so a subclass cannot put its code in the way.
 */

/* Which readable C type t is (exactly, or a subclass of asyncio's Future), or -1. */
static int c_object_kind(const struct walker *w, PyTypeObject *t)
{
    if (is_python_class(w, t)) {
        /* A class statement's subclass: asyncio's futures and numpy's arrays are read
           through their C base (an array's state is all in its C fields). */
        PyObject *base = (PyObject *)native_base(w, t);
        return base == NULL ? -1
               : base == w->c_types[COB_TASK] ? COB_TASK
               : base == w->c_types[COB_FUTURE] ? COB_FUTURE
               : base == w->c_types[COB_NDARRAY] ? COB_NDARRAY : -1;
    }
    for (int i = 0; i < COB_NTYPES; i++)
        if (w->c_types[i] == (PyObject *)t)
            return i == COB_DTYPE ? -1 : i;
    /* dtypes are instances of per-kind C subclasses of numpy.dtype (numpy 1.20 up). */
    if (w->c_types[COB_DTYPE] != NULL
        && PyType_IsSubtype(t, (PyTypeObject *)w->c_types[COB_DTYPE]))
        return COB_DTYPE;
    return -1;
}

/*
 * The attribute name of o as the C type base defines it: a member or getter
 * read through its descriptor, or a method called with no arguments.
 * NULL with an exception when base has no such C attribute.
 */
static PyObject *c_type_attr(PyObject *o, PyObject *base, const char *name, int call)
{
    PyObject *d = ((PyTypeObject *)base)->tp_dict;
    PyObject *descr = d != NULL ? pyhd__dict_get_cstr(d, name) : NULL;  /* borrowed */
    if (descr == NULL) {
        PyErr_Clear();
        PyErr_Format(PyExc_AttributeError, "%s has no C attribute %s",
                     ((PyTypeObject *)base)->tp_name, name);
        return NULL;
    }
    PyTypeObject *dt = Py_TYPE(descr);
    if (call) {
        if (dt != &PyMethodDescr_Type) {
            PyErr_Format(PyExc_TypeError, "%s is not a C method", name);
            return NULL;
        }
        return PyObject_CallOneArg(descr, o);
    }
    if (dt != &PyGetSetDescr_Type && dt != &PyMemberDescr_Type) {
        PyErr_Format(PyExc_TypeError, "%s is not a C member or getter", name);
        return NULL;
    }
    return dt->tp_descr_get(descr, o, (PyObject *)Py_TYPE(o));
}

/* A value of o's __dict__ by key, read without attribute lookup and without
   making the __dict__ o may not have yet (new reference or NULL). */
static PyObject *instance_dict_item(PyObject *o, const char *key)
{
    PyObject *d = pyhd__instance_dict(o);
    if (d == NULL) {
        PyErr_Clear();
        return NULL;
    }
    /* pyhd__dict_get_cstr: a program's key object in the dict is never compared by its __eq__. */
    PyObject *v = pyhd__dict_get_cstr(d, key);
    if (v == NULL)
        PyErr_Clear();
    Py_XINCREF(v);
    Py_DECREF(d);
    return v;
}

/* o's __dict__ when it has entries (new reference), else NULL; never an
   exception. PyObject_GenericGetDict would make one where o has none yet
   (a partial's, a future's): the program would keep it. */
static PyObject *nonempty_dict(PyObject *o)
{
    PyObject *d = pyhd__instance_dict(o);
    if (d == NULL)
        PyErr_Clear();
    else if (!PyDict_Check(d) || PyDict_GET_SIZE(d) == 0)
        Py_CLEAR(d);
    return d;
}

static int w_partial(struct walker *w, PyObject *o)
{
    PyObject *base = w->c_types[COB_PARTIAL];
    PyObject *func = c_type_attr(o, base, "func", 0);
    PyObject *args = func ? c_type_attr(o, base, "args", 0) : NULL;
    PyObject *keywords = args ? c_type_attr(o, base, "keywords", 0) : NULL;
    PyObject *dict = NULL;
    int rc = -1;
    if (keywords == NULL)
        goto done;
    if (PyDict_Check(keywords) && PyDict_GET_SIZE(keywords) == 0)
        Py_CLEAR(keywords);
    dict = nonempty_dict(o);
    rc = RECORD(w, PARTIAL, .class = REF(Py_TYPE(o)), .func = REF(func), .args = REF(args),
                .keywords = REF(keywords), .dict = REF(dict));
done:
    Py_XDECREF(func);
    Py_XDECREF(args);
    Py_XDECREF(keywords);
    Py_XDECREF(dict);
    return rc;
}

/* An int getter's value as int64 (-1 for None). */
static int c_ssize_attr(PyObject *o, PyObject *base, const char *name, int64_t *out)
{
    PyObject *v = c_type_attr(o, base, name, 0);
    if (v == NULL)
        return -1;
    *out = v == Py_None ? -1 : (int64_t)PyLong_AsSsize_t(v);
    Py_DECREF(v);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

static int w_match(struct walker *w, PyObject *o)
{
    PyObject *base = w->c_types[COB_MATCH];
    PyObject *pattern = c_type_attr(o, base, "re", 0);
    PyObject *string = pattern ? c_type_attr(o, base, "string", 0) : NULL;
    PyObject *regs = string ? c_type_attr(o, base, "regs", 0) : NULL;
    int64_t pos, endpos, lastindex;
    int rc = -1;
    if (regs == NULL || c_ssize_attr(o, base, "pos", &pos) < 0
        || c_ssize_attr(o, base, "endpos", &endpos) < 0
        || c_ssize_attr(o, base, "lastindex", &lastindex) < 0)
        goto done;
    rc = RECORD(w, MATCH, .class = REF(Py_TYPE(o)), .pattern = REF(pattern),
                .string = REF(string), .regs = REF(regs), .pos = pos, .endpos = endpos,
                .lastindex = lastindex);
done:
    Py_XDECREF(pattern);
    Py_XDECREF(string);
    Py_XDECREF(regs);
    return rc;
}

/*
 * A lock's state: locked() of _thread.lock; an RLock's owner and count from
 * its C repr (the only place its C type shows them for any thread).
 */
static int w_lock(struct walker *w, PyObject *o, int rlock)
{
    unsigned long owner = 0, count = 0;
    int locked = 0;
    if (rlock) {
        PyObject *r = Py_TYPE(o)->tp_repr(o);
        const char *text = r != NULL ? PyUnicode_AsUTF8(r) : NULL;
        if (text == NULL) {
            Py_XDECREF(r);
            return -1;
        }
        const char *at = strstr(text, "owner=");
        if (at != NULL && sscanf(at, "owner=%lu count=%lu", &owner, &count) != 2)
            owner = count = 0;
        locked = strncmp(text, "<locked", 7) == 0;
        Py_DECREF(r);
    } else {
        PyObject *v = c_type_attr(o, w->c_types[COB_LOCK], "locked", 1);
        if (v == NULL)
            return -1;
        locked = v == Py_True;
        Py_DECREF(v);
    }
    return RECORD(w, LOCK, .class = REF(Py_TYPE(o)), .locked = (unsigned)locked, .owner = owner,
                  .count = count);
}

/* A FileIO's name, mode, flags and position: lseek, which moves nothing, for the position. */
static int fileio_state(struct walker *w, PyObject *raw, PyObject **name, PyObject **mode,
                        unsigned *flags, int64_t *position)
{
    PyObject *base = w->c_types[COB_FILEIO];
    PyObject *closed = c_type_attr(raw, base, "closed", 0);
    PyObject *closefd = closed ? c_type_attr(raw, base, "closefd", 0) : NULL;
    int rc = -1;
    if (closefd == NULL)
        goto done;
    *name = instance_dict_item(raw, "name");
    *mode = c_type_attr(raw, base, "mode", 0);
    if (*mode == NULL)
        PyErr_Clear();
    *flags = (closed == Py_True ? PYHD_FILE_CLOSED : 0) | (closefd == Py_True ? PYHD_FILE_CLOSEFD : 0);
    *position = -1;
    if (closed != Py_True) {
        PyObject *fd = c_type_attr(raw, base, "fileno", 1);
        int n = fd != NULL ? PyLong_AsLong(fd) : -1;
        Py_XDECREF(fd);
        PyErr_Clear();
        off_t at = n >= 0 ? lseek(n, 0, SEEK_CUR) : -1;
        *position = at >= 0 ? (int64_t)at : -1;
    }
    rc = 0;
done:
    Py_XDECREF(closed);
    Py_XDECREF(closefd);
    return rc;
}

/*
 * A file object of _io. A buffered file's position is its own tell(), which
 * asks the raw file (lseek) and subtracts what is buffered: it neither
 * flushes nor reads. A text file's is its buffer's: TextIOWrapper.tell()
 * would flush, and its cookie needs the decoder.
 */
static int w_file(struct walker *w, PyObject *o, int which)
{
    PyObject *name = NULL, *mode = NULL, *encoding = NULL, *inner = NULL, *raw = NULL;
    unsigned flags = 0;
    int64_t position = -1;
    int rc = -1;
    PyObject *base = w->c_types[which];
    if (which == COB_FILEIO) {
        if (fileio_state(w, o, &name, &mode, &flags, &position) < 0)
            goto done;
    } else {
        inner = c_type_attr(o, base, which == COB_TEXTIO ? "buffer" : "raw", 0);
        if (inner == NULL)
            goto done;
        raw = Py_NewRef(inner);
        if (which == COB_TEXTIO) {
            encoding = c_type_attr(o, base, "encoding", 0);
            if (encoding == NULL)
                goto done;
            mode = instance_dict_item(o, "mode");
            int buffered = -1;
            for (int i = COB_BUFFERED_READER; i <= COB_BUFFERED_RANDOM; i++)
                if ((PyObject *)Py_TYPE(inner) == w->c_types[i])
                    buffered = i;
            /* Unbuffered (python -u, PYTHONUNBUFFERED): the text file's
               buffer is the FileIO itself. */
            if ((PyObject *)Py_TYPE(inner) != w->c_types[COB_FILEIO])
                Py_CLEAR(raw);
            if (buffered >= 0)
                raw = c_type_attr(inner, w->c_types[buffered], "raw", 0);
            PyErr_Clear();
        }
        if (raw != NULL && (PyObject *)Py_TYPE(raw) == w->c_types[COB_FILEIO]) {
            PyObject *raw_mode = NULL;
            int64_t raw_position;
            if (fileio_state(w, raw, &name, &raw_mode, &flags, &raw_position) < 0)
                goto done;
            /* A buffered file's mode is its raw file's; a text file's is its own. */
            if (which == COB_TEXTIO)
                Py_XDECREF(raw_mode);
            else
                mode = raw_mode;
            flags &= PYHD_FILE_CLOSED;
            PyObject *buffer = which == COB_TEXTIO ? inner : o;  /* borrowed */
            PyObject *buffer_type = (PyObject *)Py_TYPE(buffer);
            if (!(flags & PYHD_FILE_CLOSED)
                && (buffer_type == w->c_types[COB_BUFFERED_READER]
                    || buffer_type == w->c_types[COB_BUFFERED_WRITER]
                    || buffer_type == w->c_types[COB_BUFFERED_RANDOM])) {
                PyObject *at = c_type_attr(buffer, buffer_type, "tell", 1);
                position = at != NULL ? (int64_t)PyLong_AsLongLong(at) : -1;
                Py_XDECREF(at);
                if (position < 0) {
                    PyErr_Clear();
                    position = -1;
                }
            }
        }
    }
    if (w->triage)
        position = -1;  /* a number of the program's: triage keeps none */
    rc = RECORD(w, FILE, .class = REF(Py_TYPE(o)), .name = REF(name), .mode = REF(mode),
                .encoding = REF(encoding), .flags = flags, .position = position,
                .inner = REF(inner));
done:
    Py_XDECREF(name);
    Py_XDECREF(mode);
    Py_XDECREF(encoding);
    Py_XDECREF(inner);
    Py_XDECREF(raw);
    return rc;
}

/* The callables of a future's done callbacks, as a new list (NULL: none). */
static PyObject *future_callbacks(PyObject *o, PyObject *base)  /* new reference */
{
    PyObject *entries = c_type_attr(o, base, "_callbacks", 0), *out = NULL;
    if (entries == NULL || !PyList_Check(entries)) {
        PyErr_Clear();
        Py_XDECREF(entries);
        return NULL;
    }
    out = PyList_New(0);
    for (Py_ssize_t i = 0; out != NULL && i < PyList_GET_SIZE(entries); i++) {
        PyObject *e = PyList_GET_ITEM(entries, i);  /* borrowed: (callback, context) */
        PyObject *cb = PyTuple_Check(e) && PyTuple_GET_SIZE(e) > 0 ? PyTuple_GET_ITEM(e, 0) : e;
        if (PyList_Append(out, cb) < 0)
            Py_CLEAR(out);
    }
    Py_DECREF(entries);
    return out;
}

/*
 * An asyncio Future or Task through _asyncio's own getters. get_name() of
 * 3.12 and later turns a lazy "Task-N" counter into its str once: the name
 * is the one python shows anyway.
 */
static int w_future(struct walker *w, PyObject *o, int task)
{
    PyObject *fbase = w->c_types[COB_FUTURE], *tbase = w->c_types[COB_TASK];
    PyObject *state = NULL, *result = NULL, *exception = NULL, *callbacks = NULL;
    PyObject *name = NULL, *coro = NULL, *waiter = NULL, *dict = NULL;
    unsigned st = PYHD_FUTURESTATE_PENDING;
    int rc = -1;
    state = c_type_attr(o, fbase, "_state", 0);
    result = state ? c_type_attr(o, fbase, "_result", 0) : NULL;
    exception = result ? c_type_attr(o, fbase, "_exception", 0) : NULL;
    if (exception == NULL)
        goto done;
    if (PyUnicode_Check(state)) {
        if (PyUnicode_CompareWithASCIIString(state, "CANCELLED") == 0)
            st = PYHD_FUTURESTATE_CANCELLED;
        else if (PyUnicode_CompareWithASCIIString(state, "FINISHED") == 0)
            st = PYHD_FUTURESTATE_FINISHED;
    }
    callbacks = future_callbacks(o, fbase);
    if (task) {
        name = c_type_attr(o, tbase, "get_name", 1);
        coro = name ? c_type_attr(o, tbase, "_coro", 0) : NULL;
        waiter = coro ? c_type_attr(o, tbase, "_fut_waiter", 0) : NULL;
        if (waiter == NULL)
            goto done;
    }
    dict = nonempty_dict(o);
    rc = RECORD(w, FUTURE, .class = REF(Py_TYPE(o)), .dict = REF(dict),
                .flags = task ? PYHD_FUTURE_TASK : 0, .state = st,
                .result = REF(result == Py_None ? NULL : result),
                .exception = REF(exception == Py_None ? NULL : exception),
                .callbacks = REF(callbacks), .name = REF(name), .coro = REF(coro),
                .waiter = REF(waiter == Py_None ? NULL : waiter));
done:
    Py_XDECREF(dict);
    Py_XDECREF(state);
    Py_XDECREF(result);
    Py_XDECREF(exception);
    Py_XDECREF(callbacks);
    Py_XDECREF(name);
    Py_XDECREF(coro);
    Py_XDECREF(waiter);
    return rc;
}

/*
 * numpy's PyArrayObject_fields: the leading fields of every ndarray, the same
 * from numpy 1.7 to 2.x (numpy's ABI keeps them; its headers are not needed).
 */
struct np_array_head {
    PyObject_HEAD
    char *data;
    int nd;
    Py_ssize_t *dimensions;
    Py_ssize_t *strides;
    PyObject *base;
    PyObject *descr;
    int flags;
};
#define NP_ARRAY_WRITEABLE 0x0400

/* An int getter of a numpy object (itemsize, hasobject...), as a Py_ssize_t; -1 on error. */
static Py_ssize_t c_int_getter(PyObject *o, const char *name)
{
    PyObject *v = PyObject_GetAttrString(o, name);
    Py_ssize_t n = v != NULL ? PyLong_AsSsize_t(v) : -1;
    Py_XDECREF(v);
    return n;
}

/* A dtype's names (a tuple or None) and fields (a mapping of them). */
struct dtype_fields {
    PyObject *names;
    PyObject *fields;
};

/* DTFIELDS of the struct dtype_fields arg: name, dtype, offset, title of each field. */
static int put_dtype_fields(struct walker *w, void *arg)
{
    const struct dtype_fields *d = arg;
    Py_ssize_t n = PyTuple_Check(d->names) ? PyTuple_GET_SIZE(d->names) : 0;
    if (put_varint(w, (uint64_t)n) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *name = PyTuple_GET_ITEM(d->names, i);  /* borrowed */
        PyObject *field = PyObject_GetItem(d->fields, name);  /* a mappingproxy of a dict */
        if (field == NULL)
            return -1;
        int ok = PyTuple_Check(field) && PyTuple_GET_SIZE(field) >= 2;
        Py_ssize_t offset = ok ? PyLong_AsSsize_t(PyTuple_GET_ITEM(field, 1)) : -1;
        if (!ok || offset < 0) {
            Py_DECREF(field);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "a dtype field without an offset");
            return -1;
        }
        int r = put_ref(w, name) < 0 || put_ref(w, PyTuple_GET_ITEM(field, 0)) < 0
                || put_varint(w, (uint64_t)offset) < 0
                || put_ref(w, PyTuple_GET_SIZE(field) > 2 ? PyTuple_GET_ITEM(field, 2) : NULL) < 0;
        Py_DECREF(field);
        if (r)
            return -1;
    }
    return 0;
}

/*
 * A dtype from its C getters (str, itemsize, names, fields, subdtype,
 * isalignedstruct). dtype.descr is not used: it calls numpy's Python code.
 * numpy's dtype classes are C types, so their getters run no Python code.
 */
static int w_dtype(struct walker *w, PyObject *o)
{
    PyObject *typestr = NULL, *names = NULL, *fields = NULL, *sub = NULL, *aligned = NULL;
    int rc = -1;
    Py_ssize_t itemsize = c_int_getter(o, "itemsize");
    const char *text;
    Py_ssize_t textlen;
    if (itemsize < 0 || (typestr = PyObject_GetAttrString(o, "str")) == NULL
        || (names = PyObject_GetAttrString(o, "names")) == NULL
        || (fields = PyObject_GetAttrString(o, "fields")) == NULL
        || (sub = PyObject_GetAttrString(o, "subdtype")) == NULL
        || (aligned = PyObject_GetAttrString(o, "isalignedstruct")) == NULL)
        goto done;
    if ((text = PyUnicode_AsUTF8AndSize(typestr, &textlen)) == NULL)
        goto done;
    struct dtype_fields dfields = {names, fields};
    int subarray = PyTuple_Check(sub) && PyTuple_GET_SIZE(sub) == 2;
    rc = RECORD(w, DTYPE, .typestr = TEXT(text, (size_t)textlen), .itemsize = (uint64_t)itemsize,
                .flags = aligned == Py_True ? PYHD_DTYPE_ALIGNED : 0,
                .field = BODY(DTFIELDS, put_dtype_fields, &dfields),
                .subarray_base = REF(subarray ? PyTuple_GET_ITEM(sub, 0) : NULL),
                .subarray_shape = REF(subarray ? PyTuple_GET_ITEM(sub, 1) : NULL));
done:
    Py_XDECREF(typestr);
    Py_XDECREF(names);
    Py_XDECREF(fields);
    Py_XDECREF(sub);
    Py_XDECREF(aligned);
    return rc;
}

/* Visit every element of an nd array in C order: its address, n at most. */
static int ndarray_elements(struct walker *w, const struct np_array_head *a, size_t count,
                            size_t itemsize, int objects)
{
    Py_ssize_t index[64] = {0};
    for (size_t k = 0; k < count; k++) {
        const char *p = a->data;
        for (int d = 0; d < a->nd; d++)
            p += index[d] * a->strides[d];
        if (objects) {
            PyObject *item;
            memcpy(&item, p, sizeof item);
            if (put_ref(w, item) < 0)
                return -1;
        } else if (put_bytes(w, p, itemsize) < 0) {
            return -1;
        }
        for (int d = a->nd - 1; d >= 0; d--) {
            if (++index[d] < a->dimensions[d])
                break;
            index[d] = 0;
        }
    }
    return 0;
}

/* SHAPE of the array arg (a struct np_array_head): its dimensions, then its strides. */
static int put_ndarray_shape(struct walker *w, void *arg)
{
    const struct np_array_head *a = arg;
    if (put_varint(w, (uint64_t)a->nd) < 0)
        return -1;
    for (int d = 0; d < a->nd; d++)
        if (put_varint(w, (uint64_t)a->dimensions[d]) < 0)
            return -1;
    for (int d = 0; d < a->nd; d++)
        if (put_svarint(w, (int64_t)a->strides[d]) < 0)
            return -1;
    return 0;
}

/* An array's elements: count of them, of itemsize bytes each, or objects. */
struct ndarray_elements {
    const struct np_array_head *a;
    size_t count;
    size_t itemsize;
    int objects;
};

/* ELEMENTS of the struct ndarray_elements arg, cut to --max-items or --max-string. */
static int put_ndarray_elements(struct walker *w, void *arg)
{
    const struct ndarray_elements *e = arg;
    if (e->objects) {
        size_t n = items_budget(w, e->count);
        if (put_varint(w, e->count) < 0 || put_varint(w, n) < 0)
            return -1;
        return ndarray_elements(w, e->a, n, 0, 1);
    }
    size_t len = e->count * e->itemsize;
    size_t n = e->itemsize && len > w->o->max_string ? (size_t)w->o->max_string / e->itemsize
                                                     : e->count;
    if (n < e->count)
        w->g->truncated++;
    if (put_varint(w, len) < 0)
        return -1;
    return ndarray_elements(w, e->a, n, e->itemsize, 0);
}

static int w_ndarray(struct walker *w, PyObject *o)
{
    const struct np_array_head *a = (const struct np_array_head *)o;
    PyObject *dtype = a->descr;  /* borrowed */
    if (a->nd < 0 || a->nd > 64 || dtype == NULL) {
        PyErr_SetString(PyExc_ValueError, "an ndarray of more than 64 dimensions");
        return -1;
    }
    Py_ssize_t itemsize = c_int_getter(dtype, "itemsize");
    Py_ssize_t hasobject = itemsize >= 0 ? c_int_getter(dtype, "hasobject") : -1;
    PyObject *kind = hasobject >= 0 ? PyObject_GetAttrString(dtype, "kind") : NULL;
    if (kind == NULL)
        return -1;
    int objects = PyUnicode_Check(kind) && PyUnicode_CompareWithASCIIString(kind, "O") == 0;
    Py_DECREF(kind);
    if (hasobject && !objects) {
        PyErr_SetString(PyExc_ValueError, "a structured dtype holding objects is not read");
        return -1;
    }
    size_t count = 1;
    for (int d = 0; d < a->nd; d++)
        count *= (size_t)a->dimensions[d];
    int64_t offset = 0;
    PyObject *base = a->base;  /* borrowed */
    if (base != NULL && (PyObject *)Py_TYPE(base) == w->c_types[COB_NDARRAY])
        offset = (int64_t)(a->data - ((const struct np_array_head *)base)->data);
    struct ndarray_elements elements = {a, count, (size_t)itemsize, objects};
    /* A class statement's subclass (np.ma's masked array, a program's array with
       units): its instance's attributes, as an instance's (numpy's own arrays
       have no __dict__). */
    int subclass = is_python_class(w, Py_TYPE(o));
    return RECORD(w, NDARRAY, .class = REF(Py_TYPE(o)), .dtype = REF(dtype),
                  .shape = BODY(SHAPE, put_ndarray_shape, a), .base = REF(base),
                  .offset = offset,
                  .flags = a->flags & NP_ARRAY_WRITEABLE ? PYHD_NDARRAY_WRITEABLE : 0,
                  .dict = subclass ? ATTRS(o) : REF(NULL),
                  .elements = BODY(ELEMENTS, put_ndarray_elements, &elements));
}

static int w_c_object(struct walker *w, PyObject *o, int which)
{
    switch (which) {
    case COB_PARTIAL:
        return w_partial(w, o);
    case COB_MATCH:
        return w_match(w, o);
    case COB_LOCK:
    case COB_RLOCK:
        return w_lock(w, o, which == COB_RLOCK);
    case COB_FUTURE:
    case COB_TASK:
        return w_future(w, o, which == COB_TASK);
    case COB_NDARRAY:
        return w_ndarray(w, o);
    case COB_DTYPE:
        return w_dtype(w, o);
    default:
        return w_file(w, o, which);
    }
}

/* Build the payload of o's record: returns its kind, or -1 with an exception set. */
static int w_object(struct walker *w, PyObject *o)
{
    PyTypeObject *t = Py_TYPE(o);
    /* Exact builtin types first: they are most of any heap. */
    if (t == &PyUnicode_Type)
        return RECORD(w, STR, .text = BODY(STRDATA, put_str, o));
    if (t == &PyLong_Type)
        return w_int(w, o);
    if (t == &PyDict_Type)
        return RECORD(w, DICT, .items = BODY(MAP, put_dict_pairs, o));
    if (t == &PyList_Type)
        return RECORD(w, LIST, .items = BODY(ITEMS, put_seq, o));
    if (t == &PyTuple_Type)
        return RECORD(w, TUPLE, .items = BODY(ITEMS, put_seq, o));
    if (t == &PyFloat_Type)
        return RECORD(w, FLOAT, .value = PyFloat_AS_DOUBLE(o));
    if (o == Py_None)
        return EMPTY_RECORD(NONE);
    if (o == Py_True)
        return EMPTY_RECORD(TRUE);
    if (o == Py_False)
        return EMPTY_RECORD(FALSE);
    if (o == Py_Ellipsis)
        return EMPTY_RECORD(ELLIPSIS);
    if (o == Py_NotImplemented)
        return EMPTY_RECORD(NOTIMPL);
    if (t == &PyBytes_Type || t == &PyByteArray_Type || t == &PySet_Type
        || t == &PyFrozenSet_Type || t == &PyComplex_Type)
        return w_base_value(w, o);
    if (t == &PyRange_Type) {
        PyObject *start = c_attr(o, "start"), *stop = NULL, *step = NULL;
        int rc = -1;
        if (start && (stop = c_attr(o, "stop")) && (step = c_attr(o, "step")))
            rc = RECORD(w, RANGE, .start = REF(start), .stop = REF(stop), .step = REF(step));
        Py_XDECREF(start);
        Py_XDECREF(stop);
        Py_XDECREF(step);
        return rc;
    }
    if (t == &PySlice_Type) {
        PySliceObject *s = (PySliceObject *)o;
        return RECORD(w, SLICE, .start = REF(s->start), .stop = REF(s->stop),
                      .step = REF(s->step));
    }
    if (PyType_Check(o))
        return w_class(w, (PyTypeObject *)o);
    if (t == &PyFrame_Type)
        return w_frame(w, (PyFrameObject *)o);
    if (t == &PyTraceBack_Type)
        return w_traceback(w, (PyTracebackObject *)o);
    if (t == &PyCode_Type)
        return w_code(w, (PyCodeObject *)o);
    if (t == &PyFunction_Type) {
        PyFunctionObject *f = (PyFunctionObject *)o;
        /* The struct's fields, not the getters: __annotations__ would compute them.
           Docstrings are left out (the doc field is 0): they are most of the text of
           a library's classes, and the dumped sources hold them. */
        return RECORD(w, FUNCTION, .name = NAME(f->func_name), .qualname = NAME(f->func_qualname),
                      .module = NAME(f->func_module), .code = REF(f->func_code), .v2 = 1,
                      .defaults = REF(f->func_defaults), .kwdefaults = REF(f->func_kwdefaults),
                      .annotations = REF(f->func_annotations), .doc = REF(NULL),
                      .closure = REF(f->func_closure), .bound = 0, .self = REF(NULL));
    }
    if (PyCFunction_Check(o))
        return w_builtin_function(w, (PyCFunctionObject *)o);
    if (t == &PyMethod_Type) {
        return RECORD(w, METHOD, .function = REF(PyMethod_GET_FUNCTION(o)),
                      .self = REF(PyMethod_GET_SELF(o)));
    }
    if (t == &PyCell_Type)
        return RECORD(w, CELL, .contents = REF(PyCell_GET(o)));
    if (t == &PyProperty_Type || t == &PyClassMethod_Type || t == &PyStaticMethod_Type)
        return w_descriptor(w, o);
    if (t == &PyMethodDescr_Type || t == &PyWrapperDescr_Type || t == &PyClassMethodDescr_Type
        || t == &PyGetSetDescr_Type || t == &PyMemberDescr_Type) {
        int rc = w_c_descriptor(w, o);
        if (rc != 0)
            return rc;
    }
    if (PyModule_Check(o))
        return w_module(w, o);
    if (PyGen_CheckExact(o) || PyCoro_CheckExact(o) || PyAsyncGen_CheckExact(o))
        return w_generator(w, o);
    int cob = c_object_kind(w, t);
    if (cob >= 0)
        return w_c_object(w, o, cob);
    if (PyWeakref_Check(o))
        return w_weakref(w, o);
    if (PyExceptionInstance_Check(o))
        return w_exception(w, o);
    int mine;
    PyObject *member_args = member_reduced_args(w, o, &mine);
    if (mine)
        return reduced_record(w, t, member_args);
    int iterator = w_iterator(w, o);
    if (iterator != 0)
        return iterator;
    int std = stdlib_kind(w, t);
    /* C-implemented stdlib types only: a pure-Python fallback module is walked as such. */
    if (std >= 0 && std != STD_ORDEREDDICT && std != STD_DEFAULTDICT
        && (std == STD_FRACTION || std == STD_UUID || std == STD_RANDOM
            || std >= STD_PATH_FIRST || !is_python_class(w, t)))
        return w_reduced(w, o, std);
    if (is_builtin_value_type(o) || datetime_subclass(w, t) >= 0)
        return w_subclass(w, o);
    PyTypeObject *base = native_base(w, t);
    /* A SimpleNamespace keeps all its state in its __dict__, like a Python instance;
       so does an instance of a C base with no fields of its own (typing.Generic
       since 3.12). */
    if (base == &PyBaseObject_Type || strcmp(base->tp_name, "types.SimpleNamespace") == 0
        || (base->tp_basicsize == (Py_ssize_t)sizeof(PyObject) && base->tp_itemsize == 0)
        || is_ast_base(base))
        return w_instance(w, o);
    if (has_c_buffer(w, t))
        return w_buffer(w, o);
    if (base != t && (PyObject *)base == w->stdlib_types[STD_DECIMAL] && base->tp_str != NULL) {
        /* A program's subclass of the C decimal.Decimal (class Money(Decimal)): a
           REDUCED record of its class with the value read in place (not the
           class's __str__, which may be the program's; else the base's own C str).
           Its __dict__, rarely used, is not kept. */
        PyObject *text = pyhd__decimal_text(o);
        if (!text && !PyErr_Occurred())
            text = base->tp_str(o);
        if (text != NULL && !PyUnicode_CheckExact(text))
            Py_CLEAR(text);
        if (text != NULL)
            return reduced_record(w, t, Py_BuildValue("(N)", text));
        PyErr_Clear();
    }
    if (base != t) {
        /* Say why a Python class's instance is opaque: its C base is not read. */
        PyObject *reason = PyUnicode_FromFormat("state of the C base class %s is not read",
                                                base->tp_name);
        if (reason == NULL)
            return -1;
        int rc = w_opaque(w, o, reason);
        Py_DECREF(reason);
        return rc;
    }
    return w_opaque(w, o, NULL);
}

/* Why o could not be walked, from the pending exception (which is cleared). */
static PyObject *failure_reason(PyObject *o)  /* new reference or NULL */
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    const char *what = type && PyType_Check(type) ? ((PyTypeObject *)type)->tp_name : "error";
    /*
     * The message is read without str(): the value itself when it is a str
     * (an unnormalized error), or an exception's first argument when that is
     * a str. Anything else is left out.
     */
    PyObject *message = value != NULL && PyUnicode_CheckExact(value) ? value : NULL;
    if (value != NULL && PyExceptionInstance_Check(value)) {
        PyObject *args = ((PyBaseExceptionObject *)value)->args;
        if (args != NULL && PyTuple_Check(args) && PyTuple_GET_SIZE(args) > 0
            && PyUnicode_CheckExact(PyTuple_GET_ITEM(args, 0)))
            message = PyTuple_GET_ITEM(args, 0);
    }
    PyObject *reason = message != NULL
        ? PyUnicode_FromFormat("%s while walking a %s object: %U", what, Py_TYPE(o)->tp_name,
                               message)
        : PyUnicode_FromFormat("%s while walking a %s object", what, Py_TYPE(o)->tp_name);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    if (reason == NULL)
        PyErr_Clear();
    return reason;
}

/*
 * The keyed hash of a redacted value (--redact-hash), appended to its REDACTED
 * record: of a str's UTF-8, of bytes, of an int's decimal digits; other
 * values get none (a reader sees no trailing bytes).
 */
static int put_value_hash(struct walker *w, void *arg)
{
    PyObject *value = arg;
    if (!w->hashing)
        return 0;
    PyObject *digits = NULL;
    const char *data = NULL;
    Py_ssize_t len = 0;
    if (PyUnicode_Check(value)) {
        data = PyUnicode_AsUTF8AndSize(value, &len);
    } else if (PyBytes_Check(value)) {
        data = PyBytes_AS_STRING(value);
        len = PyBytes_GET_SIZE(value);
    } else if (PyByteArray_Check(value)) {
        data = PyByteArray_AS_STRING(value);
        len = PyByteArray_GET_SIZE(value);
    } else if (PyLong_CheckExact(value)) {
        /* An exact int's digits come from long_to_decimal_string: no program code. */
        digits = PyObject_Str(value);
        data = digits ? PyUnicode_AsUTF8AndSize(digits, &len) : NULL;
    } else {
        return 0;
    }
    if (data == NULL) {
        /* A lone surrogate has no UTF-8: the value goes without a hash. */
        PyErr_Clear();
        Py_XDECREF(digits);
        return 0;
    }
    uint64_t h = pyhd__redact_hash(w->redact_key, data, (size_t)len);
    Py_XDECREF(digits);
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(h >> (8 * i));
    return put_bytes(w, le, 8);
}

/* REDACTED: the class and the length of what is left out, read without running code. */
static int write_redacted(struct walker *w, PyObject *o, int standin, unsigned rule)
{
    unsigned measure = PYHD_REDACTED_NONE;
    Py_ssize_t len = 0;
    PyObject *cls = (PyObject *)Py_TYPE(o);  /* borrowed */
    PyObject *value = o;                      /* borrowed: what the keyed hash covers */
    if (standin) {
        /* The (type, length, str) tuple put_named_ref made for an interned str. */
        cls = PyTuple_GET_ITEM(o, 0);
        measure = PYHD_REDACTED_CHARS;
        len = PyLong_AsSsize_t(PyTuple_GET_ITEM(o, 1));
        value = PyTuple_GET_ITEM(o, 2);
    } else if (PyUnicode_Check(o)) {
        measure = PYHD_REDACTED_CHARS;
        len = PyUnicode_GetLength(o);
    } else if (PyBytes_Check(o)) {
        measure = PYHD_REDACTED_BYTES;
        len = PyBytes_GET_SIZE(o);
    } else if (PyByteArray_Check(o)) {
        measure = PYHD_REDACTED_BYTES;
        len = PyByteArray_GET_SIZE(o);
    } else if (PyTuple_Check(o) || PyList_Check(o)) {
        measure = PYHD_REDACTED_ITEMS;
        len = Py_SIZE(o);
    } else if (PyDict_Check(o)) {
        measure = PYHD_REDACTED_ITEMS;
        len = PyDict_GET_SIZE(o);
    } else if (PyAnySet_Check(o)) {
        measure = PYHD_REDACTED_ITEMS;
        len = PySet_GET_SIZE(o);
    }
    if (len < 0) {
        /* A 3.10 str that cannot be made ready: its shape is unknown, not its secret. */
        PyErr_Clear();
        measure = PYHD_REDACTED_NONE;
        len = 0;
    }
    w->g->redacted++;
    if (rule < PYHD_SECRET_RULES)
        w->g->redacted_by_rule[rule]++;
    if (RECORD(w, REDACTED, .class = REF(cls), .measure = measure, .length = (uint64_t)len,
               .hash = BODY(HASH, put_value_hash, value)) < 0)
        return -1;
    return write_record(w, PYHD_REC_REDACTED);
}

/*
 * Write the DICT record of an instance's inline attributes (or TRUNCATED past
 * the budget). The instance's layout was read when its record was written;
 * should it fail now, the dict is written empty. 0, or -1 to stop the dump.
 */
static int write_inline_dict(struct walker *w, PyObject *owner)
{
    int kind;
    if (!w->out_of_budget && w->enc.raw_bytes + w->enc.chunk_len >= w->o->max_size)
        w->out_of_budget = 1;
    if (w->out_of_budget) {
        w->g->truncated++;
        if (RECORD(w, TRUNCATED, .class = REF(&PyDict_Type)) < 0)
            return -1;
        return write_record(w, PYHD_REC_TRUNCATED);
    }
    kind = RECORD(w, DICT, .items = BODY(MAP, put_inline_pairs, owner));
    if (kind < 0) {
        if (w->fatal)
            return -1;
        PyErr_Clear();
        payload_reset(w);
        kind = RECORD(w, DICT, .items = BODY(MAP, put_no_pairs, NULL));
        if (kind < 0)
            return -1;
    }
    return write_record(w, (unsigned)kind);
}

/* Write the record of objs[id]. Returns 0, or -1 when the whole dump must stop. */
static int write_object(struct walker *w, uint32_t id)
{
    PyObject *o = w->objs[id];
    int kind;
    payload_reset(w);
    w->current = id;
    if (is_inline_dict(o)) {
        w->naming = 0;
        return write_inline_dict(w, entry_owner(o));
    }
    w->naming = w->triage && marked(w, id, MARK_KEEP_TEXT) && PyTuple_CheckExact(o);
    if (marked(w, id, MARK_REDACTED))
        return write_redacted(w, o, marked(w, id, MARK_STANDIN),
                              marked(w, id, MARK_ENTROPY) ? PYHD_SECRET_HIGH_ENTROPY
                                                          : PYHD_SECRET_NAME);
    if (w->triage && !marked(w, id, MARK_KEEP_TEXT) && triage_content(w, o))
        return write_redacted(w, o, 0, PYHD_SECRET_RULES);
    if (!w->out_of_budget && w->enc.raw_bytes + w->enc.chunk_len >= w->o->max_size)
        w->out_of_budget = 1;
    if (w->out_of_budget && !PyType_Check(o) && !is_exempt(w, id)) {
        w->g->truncated++;
        if (RECORD(w, TRUNCATED, .class = REF(Py_TYPE(o))) < 0)
            return -1;
        return write_record(w, PYHD_REC_TRUNCATED);
    }
    kind = w_object(w, o);
    if (kind < 0) {
        if (w->fatal)
            return -1;
        PyObject *reason = failure_reason(o);
        payload_reset(w);
        kind = w_opaque(w, o, reason);
        Py_XDECREF(reason);
        if (kind < 0)
            return -1;
    }
    return write_record(w, (unsigned)kind);
}

/* ---------------------------------------------------------------------------
 * Setup: globals of the dumped frames, stdlib types, roots.
 */

/*
 * Triage: a dumped frame's file and function names are names wherever they
 * are first met (the "modules" root holds the same file name str): mark them
 * before anything is written.
 */
static int keep_frame_names(struct walker *w, PyFrameObject *f)
{
    PyCodeObject *co = PyFrame_GetCode(f);
    PyObject *names[3] = {co->co_filename, co->co_name, pyhd_code_qualname(co)};
    int rc = 0;
    for (int i = 0; i < 3 && rc == 0; i++) {
        uint32_t id = names[i] != NULL ? memo_id(w, names[i]) : 0;
        rc = names[i] == NULL ? 0 : id == 0 ? -1 : keep_text(w, id);
    }
    Py_DECREF(co);
    return rc;
}

static int add_globals(struct walker *w, PyFrameObject *f)
{
    if (w->triage && keep_frame_names(w, f) < 0)
        return -1;
    PyObject *globals = pyhd_frame_globals(f);
    for (size_t i = 0; i < w->nglobals; i++) {
        if (w->globals[i] == globals) {
            Py_DECREF(globals);
            return 0;
        }
    }
    if (w->nglobals == w->globals_cap) {
        size_t cap = w->globals_cap ? w->globals_cap * 2 : 16;
        PyObject **g = realloc(w->globals, cap * sizeof *g);
        if (g == NULL) {
            Py_DECREF(globals);
            PyErr_NoMemory();
            return -1;
        }
        w->globals = g;
        w->globals_cap = cap;
    }
    w->globals[w->nglobals++] = globals;
    return 0;
}

/*
 * The globals of f and of every frame it was called from. seen holds the
 * frames already visited (as ints of their addresses): the frames of a
 * traceback are each other's callers, so the walk stops at the first one seen
 * and the whole exception chain costs time linear in the number of frames.
 */
static int add_stack_globals(struct walker *w, PyFrameObject *f, PyObject *seen)
{
    Py_XINCREF(f);
    while (f != NULL) {
        PyObject *key = PyLong_FromVoidPtr(f);
        int r = key != NULL ? PySet_Contains(seen, key) : -1;
        if (r == 0)
            r = PySet_Add(seen, key);
        Py_XDECREF(key);
        if (r != 0 || add_globals(w, f) < 0) {
            Py_DECREF(f);
            return r > 0 ? 0 : -1;
        }
        Py_SETREF(f, PyFrame_GetBack(f));
    }
    return 0;
}

/*
 * Every frame the exception chain and the thread stacks show: their globals
 * are the module dicts a MODULE record carries. The chain is walked with an
 * explicit list (cause, context and group members), each exception once.
 */
static int collect_globals(struct walker *w, const struct pyhd_roots *roots)
{
    PyObject *todo = PyList_New(0), *seen = PySet_New(NULL), *frames = PySet_New(NULL);
    int rc = -1;
    if (todo == NULL || seen == NULL || frames == NULL)
        goto done;
    if (roots->exception != NULL && PyList_Append(todo, roots->exception) < 0)
        goto done;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(todo); i++) {
        PyObject *e = PyList_GET_ITEM(todo, i);  /* borrowed */
        if (!PyExceptionInstance_Check(e))
            continue;
        PyObject *key = PyLong_FromVoidPtr(e);
        int r = key ? PySet_Contains(seen, key) : -1;
        if (r == 0 && PySet_Add(seen, key) < 0)
            r = -1;
        Py_XDECREF(key);
        if (r < 0)
            goto done;
        if (r > 0)
            continue;
        PyBaseExceptionObject *be = (PyBaseExceptionObject *)e;
        for (PyObject *tb = be->traceback; tb != NULL && PyTraceBack_Check(tb);
             tb = (PyObject *)((PyTracebackObject *)tb)->tb_next)
            if (add_stack_globals(w, ((PyTracebackObject *)tb)->tb_frame, frames) < 0)
                goto done;
        if ((be->cause && PyList_Append(todo, be->cause) < 0)
            || (be->context && PyList_Append(todo, be->context) < 0))
            goto done;
#if PY_VERSION_HEX >= 0x030B0000
        if (PyObject_TypeCheck(e, (PyTypeObject *)PyExc_BaseExceptionGroup)) {
            PyObject *excs = ((PyBaseExceptionGroupObject *)e)->excs;
            for (Py_ssize_t k = 0; excs && PyTuple_Check(excs) && k < PyTuple_GET_SIZE(excs); k++)
                if (PyList_Append(todo, PyTuple_GET_ITEM(excs, k)) < 0)
                    goto done;
        }
#endif
    }
    for (size_t i = 0; i < roots->nthreads; i++)
        if (roots->threads[i].frame != NULL
            && add_stack_globals(w, (PyFrameObject *)roots->threads[i].frame, frames) < 0)
            goto done;
    rc = 0;
done:
    Py_XDECREF(todo);
    Py_XDECREF(seen);
    Py_XDECREF(frames);
    return rc;
}

/* Look up already imported modules only: the walk imports nothing. */
static PyObject *imported_attr(const char *module, const char *name)  /* new ref or NULL */
{
    PyObject *modules = PyImport_GetModuleDict();  /* borrowed */
    PyObject *m = pyhd__dict_get_cstr(modules, module);  /* borrowed */
    PyObject *v = m != NULL && PyModule_Check(m) ? pyhd__dict_get_cstr(PyModule_GetDict(m), name)
                                                 : NULL;  /* borrowed */
    PyErr_Clear();
    return v != NULL && PyType_Check(v) ? Py_NewRef(v) : NULL;
}

/*
 * A frozenset of the exact str items of the set s (sys.stdlib_module_names,
 * which a program can replace): membership tests then compare str with str
 * only. Read through set's own C iterator. NULL, without an exception, when
 * s is not a set.
 */
static PyObject *str_set_copy(PyObject *s)  /* new reference */
{
    PyObject *items = PyList_New(0), *it = NULL, *item = NULL, *r = NULL;
    if (!PyAnySet_Check(s) || items == NULL)
        goto done;
    it = PySet_Type.tp_iter(s);
    while (it != NULL && (item = Py_TYPE(it)->tp_iternext(it)) != NULL) {
        if (PyUnicode_CheckExact(item) && PyList_Append(items, item) < 0)
            goto done;
        Py_CLEAR(item);
    }
    if (it != NULL && !PyErr_Occurred())
        r = PyFrozenSet_New(items);
done:
    Py_XDECREF(item);
    Py_XDECREF(it);
    Py_XDECREF(items);
    return r;
}

/*
 * Whether t, found under the name of stdlib_type_names[i], is that class: a
 * program can rebind a module attribute (datetime.timezone = X), and the
 * reducers read the real classes' C getters and slots only. A C type is told
 * by its tp_name; the Python ones (fractions, uuid, pathlib) must be classes
 * of a class statement with that qualname, defined in that module (or a
 * submodule: pathlib._local on 3.13).
 */
static int stdlib_type_is_real(const struct walker *w, int i, PyTypeObject *t)
{
    const char *module = stdlib_type_names[i].module, *name = stdlib_type_names[i].name;
    size_t mlen = strlen(module);
    if (i == STD_FRACTION || i == STD_UUID || i == STD_RANDOM || i >= STD_PATH_FIRST) {
        if (!is_python_class(w, t))
            return 0;
        PyHeapTypeObject *ht = (PyHeapTypeObject *)t;
        PyObject *mod = t->tp_dict != NULL ? pyhd__dict_get_exact(t->tp_dict, w->str_module)
                                           : NULL;  /* borrowed */
        const char *m = mod != NULL && PyUnicode_CheckExact(mod) ? PyUnicode_AsUTF8(mod) : NULL;
        const char *q = PyUnicode_CheckExact(ht->ht_qualname)
                            ? PyUnicode_AsUTF8(ht->ht_qualname) : NULL;
        PyErr_Clear();
        return m != NULL && q != NULL && strcmp(q, name) == 0 && strncmp(m, module, mlen) == 0
               && (m[mlen] == '\0' || m[mlen] == '.');
    }
    /* Their tp_names have no module. */
    if (i == STD_MAPPINGPROXY)
        return t == &PyDictProxy_Type;
    if (i == STD_DICT_KEYS)
        return t == &PyDictKeys_Type;
    if (i == STD_DICT_VALUES)
        return t == &PyDictValues_Type;
    if (i == STD_DICT_ITEMS)
        return t == &PyDictItems_Type;
    if (i == STD_SUPER)
        return t == &PySuper_Type;
    if (i == STD_UNION)  /* 3.14 named it typing.Union */
        return !is_python_class(w, t) && (strcmp(t->tp_name, "types.UnionType") == 0
                                          || strcmp(t->tp_name, "typing.Union") == 0);
    return !is_python_class(w, t) && strncmp(t->tp_name, module, mlen) == 0
           && t->tp_name[mlen] == '.' && strcmp(t->tp_name + mlen + 1, name) == 0;
}

/* The tp_dealloc that type() gives every class it makes, from a throwaway class. */
static destructor python_class_dealloc(void)
{
    static destructor cached;
    if (cached == NULL) {
        PyObject *cls = PyObject_CallFunction((PyObject *)&PyType_Type, "s(){}", "pyhd_probe");
        if (cls == NULL) {
            PyErr_Clear();
            return NULL;
        }
        cached = ((PyTypeObject *)cls)->tp_dealloc;
        Py_DECREF(cls);
    }
    return cached;
}

/* The UTF-8 of a str list item, or NULL (no exception) when it has none. */
static const char *argument_text(PyObject *list, Py_ssize_t i)
{
    PyObject *a = i >= 0 && i < PyList_GET_SIZE(list) ? PyList_GET_ITEM(list, i) : NULL;
    const char *s = a != NULL && PyUnicode_Check(a) ? PyUnicode_AsUTF8(a) : NULL;
    if (s == NULL)
        PyErr_Clear();
    return s;
}

/*
 * The arguments of sys.argv and sys.orig_argv that hold a secret
 * ("--password=xyz", or "xyz" after "--token") are marked REDACTED before
 * anything is written: a str is redacted whole, option name and all.
 */
static int redact_argv(struct walker *w, const struct pyhd_roots *roots)
{
    for (size_t r = 0; w->o->redact && r < roots->nnamed; r++) {
        PyObject *list = roots->named[r].value;  /* borrowed */
        if ((strcmp(roots->named[r].key, "argv") != 0
             && strcmp(roots->named[r].key, "orig_argv") != 0)
            || list == NULL || !PyList_Check(list))
            continue;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
            const char *arg = argument_text(list, i);
            PyObject *item = PyList_GET_ITEM(list, i);  /* borrowed */
            if (arg == NULL || !redactable(item)
                || pyhd__redact_argument(&w->rules, arg, argument_text(list, i - 1)) < 0)
                continue;
            uint32_t id = memo_id(w, item);
            if (id == 0 || marks_reserve(w, id) < 0)
                return -1;
            w->marks[id] |= MARK_REDACTED;
        }
    }
    return 0;
}

/* Mark o, when it is a dict, to be written as REDACTED. */
static int mark_redacted_dict(struct walker *w, PyObject *o)
{
    if (o == NULL || !PyDict_Check(o))
        return 0;
    uint32_t id = memo_id(w, o);
    if (id == 0 || marks_reserve(w, id) < 0)
        return -1;
    w->marks[id] |= MARK_REDACTED;
    return 0;
}

/*
 * --no-environ (and --privacy=triage) leave the environment out: not only the
 * "environ" root but the program's own copy of it, posix.environ, which
 * os.environ and os.environb keep as their _data, is written as a REDACTED
 * dict wherever the program reaches it (env = os.environ in a frame). Found
 * through module dicts and instance attributes, so no code runs.
 */
static int redact_environ(struct walker *w)
{
    if (w->o->keep_environ)
        return 0;
    PyObject *modules = PyImport_GetModuleDict();
    static const char *const names[][2] = {
        {"posix", "environ"}, {"nt", "environ"}, {"os", "environ"}, {"os", "environb"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        PyObject *mod = pyhd__dict_get_cstr(modules, names[i][0]);  /* borrowed */
        PyObject *dict = mod != NULL && PyModule_Check(mod) ? PyModule_GetDict(mod) : NULL;
        PyObject *v = dict != NULL ? pyhd__dict_get_cstr(dict, names[i][1]) : NULL;
        PyErr_Clear();
        if (v == NULL)
            continue;
        if (PyDict_Check(v)) {
            if (mark_redacted_dict(w, v) < 0)
                return -1;
            continue;
        }
        PyObject *attrs = pyhd__instance_dict(v);  /* an _Environ: its _data */
        PyObject *data = attrs != NULL ? pyhd__dict_get_cstr(attrs, "_data") : NULL;
        PyErr_Clear();
        int rc = mark_redacted_dict(w, data);
        Py_XDECREF(attrs);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int setup(struct walker *w, const struct pyhd_roots *roots)
{
    w->rules.extra = w->o->redact_patterns;
    w->rules.keep = w->o->keep_names;
    for (size_t i = 0; i < roots->nnamed; i++)
        if (strcmp(roots->named[i].key, "modules") == 0)
            w->modules_root = roots->named[i].value;
    w->triage = w->o->privacy == PYHD_PRIVACY_TRIAGE;
    if (w->o->redact && w->o->redact_hash) {
        char err[256];
        /* Without its key a dump is still written, its redacted values without hashes. */
        w->hashing = pyhd__redact_key_load(w->o->dump_dir, w->redact_key, err, sizeof err) == 0;
        w->g->redact_key_error = w->hashing ? NULL : strdup(err);
    }
    w->python_class_dealloc = python_class_dealloc();
    if (w->python_class_dealloc == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "pyhd: cannot tell Python classes apart");
        return -1;
    }
    w->str_module = PyUnicode_InternFromString("__module__");
    if (w->str_module == NULL)
        return -1;
    PyObject *modules = PyImport_GetModuleDict();
    w->builtins_module = Py_XNewRef(pyhd__dict_get_cstr(modules, "builtins"));
    PyObject *sys = pyhd__dict_get_cstr(modules, "sys");  /* borrowed */
    if (sys != NULL && PyModule_Check(sys))
        w->stdlib_names = Py_XNewRef(pyhd__dict_get_cstr(PyModule_GetDict(sys),
                                                   "stdlib_module_names"));
    if (PyErr_Occurred())
        return -1;
    if (w->stdlib_names != NULL)
        Py_SETREF(w->stdlib_names, str_set_copy(w->stdlib_names));
    if (PyErr_Occurred())
        return -1;
    for (int i = 0; i < STD_NTYPES; i++) {
        w->stdlib_types[i] = imported_attr(stdlib_type_names[i].module,
                                           stdlib_type_names[i].name);
        if (w->stdlib_types[i] != NULL
            && !stdlib_type_is_real(w, i, (PyTypeObject *)w->stdlib_types[i]))
            Py_CLEAR(w->stdlib_types[i]);
    }
    for (int i = 0; i < COB_NTYPES; i++)
        w->c_types[i] = imported_attr(c_object_type_names[i].module,
                                      c_object_type_names[i].name);
    w->str_dot = PyUnicode_InternFromString(".");
    w->filename_set = PySet_New(NULL);
    w->repr_skipped = PySet_New(NULL);
    w->g->filenames = PyList_New(0);
    if (w->str_module == NULL || w->str_dot == NULL || w->filename_set == NULL
        || w->repr_skipped == NULL || w->g->filenames == NULL)
        return -1;
    if (memo_grow(w) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    if (collect_globals(w, roots) < 0 || redact_argv(w, roots) < 0 || redact_environ(w) < 0)
        return -1;
    if (pyhd__enc_init(&w->enc, &w->g->compressed, WALK_DEFLATE_LEVEL) < 0) {
        PyErr_Format(PyExc_MemoryError, "pyhd: %s", w->enc.err);
        return -1;
    }
    w->enc_ready = 1;
    return 0;
}

/* ROOTLIST of the struct pyhd_roots arg: the exception, then the named roots. */
static int put_roots(struct walker *w, void *arg)
{
    const struct pyhd_roots *roots = arg;
    uint64_t n = roots->exception != NULL;
    for (size_t i = 0; i < roots->nnamed; i++)
        n += roots->named[i].value != NULL;
    if (put_varint(w, n) < 0)
        return -1;
    if (roots->exception != NULL
        && (put_text(w, "exception", 9) < 0 || put_ref(w, roots->exception) < 0))
        return -1;
    for (size_t i = 0; i < roots->nnamed; i++) {
        const struct pyhd_named_root *r = &roots->named[i];
        if (r->value != NULL
            && (put_text(w, r->key, strlen(r->key)) < 0 || put_ref(w, r->value) < 0))
            return -1;
    }
    return 0;
}

static int write_roots(struct walker *w, const struct pyhd_roots *roots)
{
    payload_reset(w);
    if (RECORD(w, ROOTS, .root = BODY(ROOTLIST, put_roots, roots)) < 0
        || write_record(w, PYHD_REC_ROOTS) < 0)
        return -1;
    for (size_t i = 0; i < roots->nthreads; i++) {
        const struct pyhd_thread_root *t = &roots->threads[i];
        const char *name = "";
        Py_ssize_t len = 0;
        if (t->name != NULL && PyUnicode_Check(t->name)) {
            name = PyUnicode_AsUTF8AndSize(t->name, &len);
            if (name == NULL) {
                /* A name with lone surrogates has no UTF-8 form: write it empty. */
                PyErr_Clear();
                name = "";
                len = 0;
            }
        }
        payload_reset(w);
        if (RECORD(w, THREAD, .ident = t->ident, .native_id = t->native_id,
                   .name = TEXT(name, (size_t)len), .flags = (unsigned)t->flags & 0xFF,
                   .frame = REF(t->frame), .v2 = 1, .context = REF(t->context)) < 0
            || write_record(w, PYHD_REC_THREAD) < 0)
            return -1;
    }
    return 0;
}

static void walker_free(struct walker *w)
{
    for (uint32_t id = 1; id <= w->count; id++)
        Py_DECREF(entry_owner(w->objs[id]));
    free(w->objs);
    free(w->memo);
    free(w->exempt);
    free(w->marks);
    pyhd__buf_free(&w->p);
    for (size_t i = 0; i < w->nglobals; i++)
        Py_DECREF(w->globals[i]);
    free(w->globals);
    Py_XDECREF(w->filename_set);
    Py_XDECREF(w->repr_skipped);
    Py_XDECREF(w->str_module);
    Py_XDECREF(w->str_dot);
    Py_XDECREF(w->builtins_module);
    Py_XDECREF(w->stdlib_names);
    for (int i = 0; i < STD_NTYPES; i++)
        Py_XDECREF(w->stdlib_types[i]);
    for (int i = 0; i < COB_NTYPES; i++)
        Py_XDECREF(w->c_types[i]);
    if (w->enc_ready)
        pyhd__enc_free(&w->enc);
}

int pyhd__graph_write(const struct pyhd_roots *roots, const struct pyhd_options *o,
                      struct pyhd_graph *g)
{
    struct walker w;
    int rc = -1;
    memset(&w, 0, sizeof w);
    memset(g, 0, sizeof *g);
    pyhd__buf_init(&g->compressed);
    pyhd__buf_init(&w.p);
    w.o = o;
    w.g = g;
    w.rec_first_fresh = 1;
    if (setup(&w, roots) < 0 || write_roots(&w, roots) < 0)
        goto done;
    for (uint32_t id = 1; id <= w.count; id++)
        if (write_object(&w, id) < 0)
            goto done;
    if (pyhd__enc_finish(&w.enc, w.count) < 0) {
        PyErr_Format(PyExc_MemoryError, "pyhd: %s", w.enc.err);
        goto done;
    }
    g->objects = w.count;
    g->raw_bytes = w.enc.raw_bytes;
    rc = 0;
done:
    walker_free(&w);
    if (rc < 0)
        pyhd__graph_free(g);
    return rc;
}

void pyhd__graph_free(struct pyhd_graph *g)
{
    pyhd__buf_free(&g->compressed);
    free(g->redact_key_error);
    g->redact_key_error = NULL;
    Py_CLEAR(g->filenames);
}
