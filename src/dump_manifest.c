/* dump_manifest.c: the MANIFEST of a dump: facts about the process, the crash and its fingerprint. */
#include "dict_exact.h"
#include "dump_internal.h"
#include "dump_guard.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "manifest.h"
#include "pyhd/format.h"
#include "redact.h"
#include "world.h"

/* The Gil key's values, for pyhd__world_gil_enabled() -1, 0 and 1. */
static const char *const gil_names[] = {"unknown", "off", "on"};

/* ------------------------------------------------------------------------ */
/* MANIFEST */

/* "module.qualname" of a type, read from the type's own fields. */
static void type_fullname(PyTypeObject *t, char *out, size_t n)
{
    if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        PyObject *mod = t->tp_dict ? pyhd__dict_get_cstr(t->tp_dict, "__module__") : NULL;
        if (mod == NULL)
            PyErr_Clear();  /* shown as "?" */
        PyObject *qual = ((PyHeapTypeObject *)t)->ht_qualname;
        snprintf(out, n, "%s.%s", mod && PyUnicode_Check(mod) ? pyhd__dump_utf8_or(mod, "?") : "?",
                 pyhd__dump_utf8_or(qual, t->tp_name));
        return;
    }
    if (strchr(t->tp_name, '.') != NULL)
        snprintf(out, n, "%s", t->tp_name);
    else
        snprintf(out, n, "builtins.%s", t->tp_name);
}

/* Values whose str() is computed by the interpreter alone (no __str__,
   __repr__ or __format__ of the program can run). */
static int plain_value(PyObject *v, int depth)
{
    if (v == NULL || v == Py_None || PyBool_Check(v) || PyUnicode_CheckExact(v)
        || PyLong_CheckExact(v) || PyFloat_CheckExact(v) || PyComplex_CheckExact(v))
        return 1;
    if (PyTuple_CheckExact(v) && depth < 4) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(v); i++) {
            if (!plain_value(PyTuple_GET_ITEM(v, i), depth + 1))
                return 0;
        }
        return 1;
    }
    return 0;
}

/* Whether everything the builtin __str__ of exc's type formats is plain: its
   args, or the C-level fields some types format instead or as well. */
static int str_inputs_plain(PyObject *exc)
{
#if PY_VERSION_HEX >= 0x030B0000
    /* An exception group's str is its message and how many it holds. */
    if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_BaseExceptionGroup))
        return plain_value(((PyBaseExceptionGroupObject *)exc)->msg, 0);
#endif
    PyObject *args = ((PyBaseExceptionObject *)exc)->args;  /* borrowed */
    if (args == NULL || !plain_value(args, 0))
        return 0;
    if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_OSError)) {
        PyOSErrorObject *e = (PyOSErrorObject *)exc;
        return plain_value(e->myerrno, 0) && plain_value(e->strerror, 0)
               && plain_value(e->filename, 0) && plain_value(e->filename2, 0);
    }
    if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_SyntaxError)) {
        PySyntaxErrorObject *e = (PySyntaxErrorObject *)exc;
        return plain_value(e->msg, 0) && plain_value(e->filename, 0)
               && plain_value(e->lineno, 0);
    }
    if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_ImportError))
        return plain_value(((PyImportErrorObject *)exc)->msg, 0);
    if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_UnicodeError)) {
        PyUnicodeErrorObject *e = (PyUnicodeErrorObject *)exc;
        return plain_value(e->encoding, 0) && plain_value(e->reason, 0)
               && (e->object == NULL || PyUnicode_CheckExact(e->object)
                   || PyBytes_CheckExact(e->object));
    }
    return 1;
}

/*
 * str(exc), computed only where no code of the program can run: the type
 * does not override __str__ of its nearest builtin base, and everything
 * that builtin __str__ formats is a plain value. Otherwise "<not computed>".
 * Returns a new bytes object (UTF-8) or NULL with an exception set.
 */
static PyObject *exception_message(PyObject *exc)  /* new reference */
{
    PyTypeObject *t = Py_TYPE(exc);
    PyTypeObject *base = t;
    PyObject *s = NULL, *out = NULL;

    while (base != NULL && (base->tp_flags & Py_TPFLAGS_HEAPTYPE))
        base = base->tp_base;
    if (base == NULL || t->tp_str != base->tp_str || !str_inputs_plain(exc))
        return PyBytes_FromString("<not computed>");
    s = PyObject_Str(exc);
    if (s == NULL) {
        /* e.g. an int too long to convert: a builtin refusing, not the program. */
        PyErr_Clear();
        return PyBytes_FromString("<not computed>");
    }
    out = PyUnicode_AsEncodedString(s, "utf-8", "backslashreplace");
    Py_DECREF(s);
    return out;
}

/*
 * The fingerprint: FNV-1a 64 over the exception type's "module.qualname",
 * then for each traceback entry, outermost first, a NUL, the basename of the
 * code's co_filename, a NUL and its co_qualname (co_name before 3.11), all
 * UTF-8. No line numbers and no directories, so the same bug found on
 * another run, in another checkout or on another host has the same
 * fingerprint.
 */
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= FNV_PRIME;
    }
    return h;
}

static uint64_t fingerprint(PyObject *exc, const char *type_name)
{
    uint64_t h = fnv1a(FNV_OFFSET, type_name, strlen(type_name));
    PyTracebackObject *tb = pyhd__dump_exception_traceback(exc);  /* new reference */
    for (PyTracebackObject *e = tb; e != NULL; e = e->tb_next) {
        PyCodeObject *co = PyFrame_GetCode(e->tb_frame);  /* new reference */
        const char *file = pyhd__dump_utf8_or(co->co_filename, "?");
        const char *base = strrchr(file, '/');
        const char *qual = pyhd__dump_utf8_or(pyhd_code_qualname(co), "?");
        base = base ? base + 1 : file;
        h = fnv1a(h, "", 1);
        h = fnv1a(h, base, strlen(base));
        h = fnv1a(h, "", 1);
        h = fnv1a(h, qual, strlen(qual));
        Py_DECREF(co);
    }
    Py_XDECREF(tb);
    return h;
}

/* A str as a JSON string; lone surrogates (undecodable bytes) as \uDCxx. */
static int json_string(struct pyhd_buf *b, PyObject *s)
{
    if (pyhd__buf_append(b, "\"", 1) < 0)
        return -1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        char u[8];
        size_t k = 0;
        int rc;
        if (c == '"' || c == '\\') {
            u[k++] = '\\';
            u[k++] = (char)c;
            rc = pyhd__buf_append(b, u, k);
        } else if (c < 0x20 || c == 0x7F || (c >= 0xD800 && c <= 0xDFFF)) {
            rc = pyhd__buf_printf(b, "\\u%04x", (unsigned)c);
        } else if (c < 0x80) {
            u[k++] = (char)c;
            rc = pyhd__buf_append(b, u, k);
        } else if (c < 0x800) {
            u[k++] = (char)(0xC0 | (c >> 6));
            u[k++] = (char)(0x80 | (c & 0x3F));
            rc = pyhd__buf_append(b, u, k);
        } else if (c < 0x10000) {
            u[k++] = (char)(0xE0 | (c >> 12));
            u[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
            u[k++] = (char)(0x80 | (c & 0x3F));
            rc = pyhd__buf_append(b, u, k);
        } else {
            u[k++] = (char)(0xF0 | (c >> 18));
            u[k++] = (char)(0x80 | ((c >> 12) & 0x3F));
            u[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
            u[k++] = (char)(0x80 | (c & 0x3F));
            rc = pyhd__buf_append(b, u, k);
        }
        if (rc < 0)
            return -1;
    }
    return pyhd__buf_append(b, "\"", 1);
}

/*
 * The argument a of sys.argv as the MANIFEST shows it: with redaction on, the
 * value of a sensitive option ("--password=xyz", or "xyz" after "--token")
 * becomes "<redacted>" (see pyhd__redact_argument). New reference.
 */
static PyObject *scrubbed_argument(struct dump *d, PyObject *shown);

static PyObject *manifest_argument(struct dump *d, PyObject *a, PyObject *prev)
{
    struct pyhd_redact_rules rules = {d->o->redact_patterns, d->o->keep_names};
    const char *arg = PyUnicode_AsUTF8(a);
    const char *before = prev != NULL && PyUnicode_Check(prev) ? PyUnicode_AsUTF8(prev) : NULL;
    if (arg == NULL || !d->o->redact) {
        PyErr_Clear();
        return Py_NewRef(a);
    }
    if (before == NULL)
        PyErr_Clear();
    long at = pyhd__redact_argument(&rules, arg, before);
    if (at < 0)
        return prev == NULL && d->o->privacy == PYHD_PRIVACY_TRIAGE ? Py_NewRef(a)
                                                                   : scrubbed_argument(d, a);
    PyObject *name = PyUnicode_FromStringAndSize(arg, (Py_ssize_t)at);
    PyObject *shown = name != NULL ? PyUnicode_FromFormat("%U<redacted>", name) : NULL;
    Py_XDECREF(name);
    return shown;
}

/*
 * An argument with its secret-shaped parts replaced (all of it under triage,
 * but for the program's name, argv[0]). New reference.
 */
static PyObject *scrubbed_argument(struct dump *d, PyObject *a)
{
    Py_ssize_t len;
    const char *text = PyUnicode_AsUTF8AndSize(a, &len);
    struct pyhd_buf out;
    if (text == NULL) {
        PyErr_Clear();  /* a lone surrogate: shown as it is, escaped by json_string */
        return Py_NewRef(a);
    }
    pyhd__buf_init(&out);
    int parts = pyhd__dump_redact_text(d, text, (size_t)len, &out);
    PyObject *shown = parts < 0 ? PyErr_NoMemory()
                      : parts == 0 ? Py_NewRef(a)
                      : PyUnicode_DecodeUTF8((const char *)out.data, (Py_ssize_t)out.len,
                                             "replace");
    pyhd__buf_free(&out);
    return shown;
}

/* sys.argv as a JSON array of strings (a non-str item is written as null). */
static int argv_json(struct dump *d, struct pyhd_buf *b)
{
    PyObject *argv = PySys_GetObject("argv");  /* borrowed */
    if (pyhd__buf_append(b, "[", 1) < 0)
        return -1;
    Py_ssize_t n = argv != NULL && PyList_Check(argv) ? PyList_GET_SIZE(argv) : 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *a = PyList_GET_ITEM(argv, i);
        if (i > 0 && pyhd__buf_append(b, ", ", 2) < 0)
            return -1;
        if (!PyUnicode_Check(a)) {
            if (pyhd__buf_append(b, "null", 4) < 0)
                return -1;
            continue;
        }
        PyObject *shown = manifest_argument(d, a, i > 0 ? PyList_GET_ITEM(argv, i - 1) : NULL);
        int rc = shown != NULL ? json_string(b, shown) : -1;
        Py_XDECREF(shown);
        if (rc < 0)
            return -1;
    }
    return pyhd__buf_append(b, "]\0", 2);
}

static const char *trigger_name(enum pyhd_trigger t)
{
    switch (t) {
    case PYHD_TRIGGER_UNCAUGHT:
        return "uncaught-exception";
    case PYHD_TRIGGER_THREAD:
        return "thread-exception";
    case PYHD_TRIGGER_SIGNAL:
        return "signal";
    case PYHD_TRIGGER_API:
        return "api";
    case PYHD_TRIGGER_FATAL:
        /* Readers of the first format know the fatal dumps as "signal". */
        return "signal";
    }
    return "unknown";
}

/* Add "key: printf(...)" to the MANIFEST. */
static int field(struct dump *d, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int field(struct dump *d, const char *key, const char *fmt, ...)
{
    char value[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    return pyhd__manifest_add(&d->manifest, key, value);
}

int pyhd__dump_build_manifest(struct dump *d, const struct timespec *t0)
{
    char created[64], host[256], type_name[512], missed[64];
    struct tm tm;
    struct utsname u;
    struct pyhd_buf argv;
    PyObject *msg = NULL;
    const char *version = Py_GetVersion();
    unsigned long seed = 0;
    int rc = -1;

    pyhd__buf_init(&argv);
    gmtime_r(&d->created.tv_sec, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%S", &tm);
    if (gethostname(host, sizeof host) < 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    if (uname(&u) < 0)
        memset(&u, 0, sizeof u);
    if (argv_json(d, &argv) < 0)
        goto nomem;
    if (field(d, PYHD_MANIFEST_FORMAT_VERSION, "%d", PYHD_FORMAT_VERSION) < 0
        || field(d, PYHD_MANIFEST_PYHD_VERSION, "%s", PYHD_VERSION) < 0
        || field(d, PYHD_MANIFEST_CREATED, "%s.%06ldZ", created,
                 (long)(d->created.tv_nsec / 1000)) < 0
        || field(d, PYHD_MANIFEST_HOSTNAME, "%s", host) < 0
        || field(d, PYHD_MANIFEST_PID, "%ld", d->pid) < 0
        || field(d, PYHD_MANIFEST_UID, "%ld", (long)getuid()) < 0
        || field(d, PYHD_MANIFEST_CWD, "%s", d->cwd) < 0
        || pyhd__manifest_add(&d->manifest, PYHD_MANIFEST_ARGV, (const char *)argv.data) < 0
        || field(d, PYHD_MANIFEST_EXECUTABLE, "%s",
                 pyhd__dump_utf8_or(PySys_GetObject("executable"), "")) < 0
        || field(d, PYHD_MANIFEST_PYTHON_VERSION, "%.*s", (int)strcspn(version, "\n"),
                 version) < 0
        || field(d, PYHD_MANIFEST_PYTHON_IMPLEMENTATION, "CPython") < 0
        || field(d, PYHD_MANIFEST_PYTHON_ABI_FLAGS, "%s",
                 pyhd__dump_utf8_or(PySys_GetObject("abiflags"), "")) < 0
        || field(d, PYHD_MANIFEST_GIL, "%s", gil_names[pyhd__world_gil_enabled() + 1]) < 0
        || field(d, PYHD_MANIFEST_PLATFORM, "%s %s %s", u.sysname, u.release, u.machine) < 0
        || (pyhd_hash_seed(&seed) && field(d, PYHD_MANIFEST_HASH_SEED, "%lu", seed) < 0)
        || field(d, PYHD_MANIFEST_TRIGGER, "%s", trigger_name(d->trigger)) < 0
        || (d->reason != NULL && field(d, PYHD_MANIFEST_REASON, "%s", d->reason) < 0))
        goto nomem;
    if (d->exc != NULL && PyExceptionInstance_Check(d->exc)) {
        type_fullname(Py_TYPE(d->exc), type_name, sizeof type_name);
        msg = exception_message(d->exc);
        if (msg == NULL) {
            pyhd__dump_fail_py(d, "writing the MANIFEST");
            goto done;
        }
        struct pyhd_buf shown;
        pyhd__buf_init(&shown);
        int parts = pyhd__dump_redact_text(d, PyBytes_AS_STRING(msg),
                                           (size_t)PyBytes_GET_SIZE(msg), &shown);
        int bad = parts < 0 || (parts > 0 && pyhd__buf_append(&shown, "", 1) < 0)
                  || field(d, PYHD_MANIFEST_EXCEPTION_TYPE, "%s", type_name) < 0
                  || pyhd__manifest_add(&d->manifest, PYHD_MANIFEST_EXCEPTION_MESSAGE,
                                        parts > 0 ? (const char *)shown.data
                                                  : PyBytes_AS_STRING(msg)) < 0;
        pyhd__buf_free(&shown);
        if (bad
            || field(d, PYHD_MANIFEST_FINGERPRINT, "%016llx",
                     (unsigned long long)fingerprint(d->exc, type_name)) < 0)
            goto nomem;
    }
    if (field(d, PYHD_MANIFEST_THREADS, "%zu", d->nthreads) < 0
        || (d->asyncio_tasks >= 0
            && field(d, PYHD_MANIFEST_ASYNCIO_TASKS, "%ld", d->asyncio_tasks) < 0)
        || field(d, PYHD_MANIFEST_OBJECTS, "%llu", (unsigned long long)d->g.objects) < 0
        || field(d, PYHD_MANIFEST_OPAQUE_OBJECTS, "%llu", (unsigned long long)d->g.opaque) < 0
        || field(d, PYHD_MANIFEST_TRUNCATED_OBJECTS, "%llu",
                 (unsigned long long)d->g.truncated) < 0
        || field(d, PYHD_MANIFEST_TRUNCATED, "%s", d->g.truncated ? "yes" : "no") < 0
        || field(d, PYHD_MANIFEST_REDACTED_VALUES, "%llu",
                 (unsigned long long)d->g.redacted) < 0
        || pyhd__dump_redaction_fields(d) < 0
        || field(d, PYHD_MANIFEST_GRAPH_SIZE, "%llu", (unsigned long long)d->g.raw_bytes) < 0
        || field(d, PYHD_MANIFEST_GRAPH_COMPRESSED_SIZE, "%zu", d->g.compressed.len) < 0
        || field(d, PYHD_MANIFEST_SOURCES, "%zu",
                 d->o->keep_sources ? d->sources_stored : 0) < 0
        || field(d, PYHD_MANIFEST_SOURCES_SIZE, "%llu",
                 (unsigned long long)(d->o->keep_sources ? d->sources_size : 0)) < 0)
        goto nomem;
    /* Triggers that came while this dump was written (this dump's own
       exception's __str__ sending the dump signal, say): none is lost silently. */
    for (size_t i = 0; pyhd__guard_missed(i, missed, sizeof missed) == 0; i++) {
        if (pyhd__manifest_add(&d->manifest, PYHD_MANIFEST_MISSED_TRIGGER, missed) < 0)
            goto nomem;
    }
    for (size_t off = 0; off < d->unavailable.len;) {
        const char *entry = (const char *)d->unavailable.data + off;
        if (pyhd__manifest_add(&d->manifest, PYHD_MANIFEST_SOURCE_UNAVAILABLE, entry) < 0)
            goto nomem;
        off += strlen(entry) + 1;
    }
    if (field(d, PYHD_MANIFEST_TRACEBACK_SIZE, "%zu", d->traceback.len) < 0
        || field(d, PYHD_MANIFEST_DUMP_TIME_MS, "%.3f", pyhd__dump_elapsed_ms(t0)) < 0)
        goto nomem;
    rc = 0;
    goto done;
nomem:
    pyhd__dump_fail_nomem(d, "writing the MANIFEST");
done:
    Py_XDECREF(msg);
    pyhd__buf_free(&argv);
    return rc;
}
