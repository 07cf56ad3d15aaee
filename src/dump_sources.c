/* dump_sources.c: the source files of a dump's frames, read as bytes exactly as on disk. */
#include "dump_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pyhd/format.h"

/* ------------------------------------------------------------------------ */
/* Sources */

static int note_unavailable(struct dump *d, const char *path, const char *reason)
{
    if (pyhd__buf_printf(&d->unavailable, "%s: %s", path, reason) < 0
        || pyhd__buf_append(&d->unavailable, "", 1) < 0)
        return pyhd__dump_fail_nomem(d, "listing unavailable sources");
    return 0;
}

/* Read the regular file at path whole into *data; errno-style reason on failure. */
static const char *read_file(const char *path, unsigned char **data, size_t *len)
{
    struct stat st;
    struct pyhd_buf b;
    const char *why = NULL;
    /* O_NONBLOCK: opening a FIFO named like a source must not hang the dump. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    pyhd__buf_init(&b);
    if (fd < 0)
        return strerror(errno);
    if (fstat(fd, &st) < 0) {
        why = strerror(errno);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        why = "not a regular file";
        goto done;
    }
    if ((uint64_t)st.st_size > PYHD_MAX_SOURCE) {
        why = "larger than 64 MiB";
        goto done;
    }
    for (;;) {
        if (pyhd__buf_grow(&b, 65536) < 0) {
            why = strerror(ENOMEM);
            goto done;
        }
        ssize_t n = read(fd, b.data + b.len, b.cap - b.len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            why = strerror(errno);
            goto done;
        }
        if (n == 0)
            break;
        b.len += (size_t)n;
        /* The file grew after fstat(). */
        if (b.len > PYHD_MAX_SOURCE) {
            why = "larger than 64 MiB";
            goto done;
        }
    }
    *data = b.data;
    *len = b.len;
    b.data = NULL;
done:
    pyhd__buf_free(&b);
    close(fd);
    return why;
}

/* Append co's co_filename to names unless it is there. */
static int add_code_filename(PyObject *names, PyCodeObject *co)
{
    int rc = 0;
    if (PyUnicode_CheckExact(co->co_filename)) {
        /* Exact str against exact str: comparing runs no program code. */
        rc = PySequence_Contains(names, co->co_filename);
        if (rc == 0)
            rc = PyList_Append(names, co->co_filename);
    }
    return rc < 0 ? -1 : 0;
}

/* Append co_filename of frame's code to names unless it is there. */
static int add_frame_filename(PyObject *names, PyFrameObject *frame)
{
    PyCodeObject *co = PyFrame_GetCode(frame);  /* new reference */
    int rc = add_code_filename(names, co);
    Py_DECREF(co);
    return rc;
}

/*
 * The graph's filename list, plus the files of the frames traceback.txt
 * shows (the exception's traceback and its causes and contexts, every
 * thread's stack) and of a SyntaxError, so that those always have their
 * source even when the walker left a frame out.
 */
static PyObject *source_filenames(struct dump *d)  /* new reference */
{
    PyObject *names = d->g.filenames ? PyList_GetSlice(d->g.filenames, 0, PY_SSIZE_T_MAX)
                                     : PyList_New(0);
    if (names == NULL)
        return NULL;
    PyObject *exc = d->exc;  /* borrowed */
    /* The chain is bounded, as PyErr_Display bounds it, in case it loops. */
    for (int depth = 0; exc != NULL && PyExceptionInstance_Check(exc) && depth < 100; depth++) {
        PyTracebackObject *tb = pyhd__dump_exception_traceback(exc);  /* new reference */
        for (PyTracebackObject *e = tb; e != NULL; e = e->tb_next) {
            if (add_frame_filename(names, e->tb_frame) < 0) {
                Py_XDECREF(tb);
                goto error;
            }
        }
        Py_XDECREF(tb);
        /* A SyntaxError's file is the one the compiler could not read as Python. */
        if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_SyntaxError)) {
            PyObject *file = ((PySyntaxErrorObject *)exc)->filename;  /* borrowed */
            int has = file != NULL && PyUnicode_CheckExact(file)
                          ? PySequence_Contains(names, file) : 1;
            if (has < 0 || (has == 0 && PyList_Append(names, file) < 0))
                goto error;
        }
        PyObject *next = PyException_GetCause(exc);  /* new reference */
        if (next == NULL)
            next = PyException_GetContext(exc);
        /* The chain holds it alive: exc stays borrowed. */
        Py_XDECREF(next);
        exc = next;
    }
    /* The threads' stacks as pyhd__dump_snapshot_stacks() read them while every
       other thread was paused: walking their frames again now would follow
       frames those threads have since left (a free-threaded build runs them
       again before this). */
    for (Py_ssize_t i = 0; d->stacks != NULL && i < PyList_GET_SIZE(d->stacks); i++) {
        PyObject *frames = PyList_GET_ITEM(d->stacks, i);  /* borrowed: (code, line)s */
        for (Py_ssize_t j = 0; PyList_Check(frames) && j < PyList_GET_SIZE(frames); j++) {
            PyObject *entry = PyList_GET_ITEM(frames, j);
            if (add_code_filename(names, (PyCodeObject *)PyTuple_GET_ITEM(entry, 0)) < 0)
                goto error;
        }
    }
    return names;
error:
    Py_DECREF(names);
    return NULL;
}

/*
 * For every filename of a dumped frame, the file's bytes as they are now.
 * Relative names (modules imported through "" on sys.path, as with -c) are
 * resolved against the current directory at dump time, which is what the
 * interpreter would open them against too; the MANIFEST's Cwd says which
 * directory that was.
 */
int pyhd__dump_gather_sources(struct dump *d)
{
    PyObject *names = source_filenames(d);  /* new reference */
    struct pyhd_buf path;
    int rc = -1;

    if (names == NULL || pyhd__dump_keep(d, names) < 0) {
        Py_XDECREF(names);
        return pyhd__dump_fail_py(d, "listing source files");
    }
    /* d->keep holds the list (and so every filename the sources borrow). */
    Py_DECREF(names);
    Py_ssize_t n = PyList_GET_SIZE(names);
    pyhd__buf_init(&path);
    d->sources = calloc(n ? (size_t)n : 1, sizeof *d->sources);
    if (d->sources == NULL)
        return pyhd__dump_fail_nomem(d, "reading sources");
    for (Py_ssize_t i = 0; i < n; i++) {
        struct source *s = &d->sources[d->nsources];
        PyObject *fsname = NULL;  /* new reference */
        s->filename = PyList_GET_ITEM(names, i);
        d->nsources++;
        if (!PyUnicode_Check(s->filename))
            continue;
        fsname = PyUnicode_EncodeFSDefault(s->filename);  /* new reference */
        if (fsname == NULL) {
            PyErr_Clear();
            if (note_unavailable(d, pyhd__dump_utf8_or(s->filename, "?"), "not encodable") < 0)
                goto done;
            continue;
        }
        const char *name = PyBytes_AS_STRING(fsname);
        path.len = 0;
        if (name[0] == '\0' || name[0] == '<' || strlen(name) != (size_t)PyBytes_GET_SIZE(fsname)) {
            int bad = note_unavailable(d, name, "not a file name");
            Py_DECREF(fsname);
            if (bad < 0)
                goto done;
            continue;
        }
        if (name[0] != '/' && d->cwd[0] == '\0') {
            int bad = note_unavailable(d, name, "relative, and the current directory is unknown");
            Py_DECREF(fsname);
            if (bad < 0)
                goto done;
            continue;
        }
        int full = name[0] == '/'
            ? pyhd__buf_printf(&path, "%s", name)
            : pyhd__buf_printf(&path, "%s/%s", d->cwd, name);
        Py_DECREF(fsname);
        if (full < 0) {
            pyhd__dump_fail_nomem(d, "reading sources");
            goto done;
        }
        const char *abs = (const char *)path.data;
        for (size_t j = 0; j + 1 < d->nsources; j++) {
            struct source *o = &d->sources[j];
            if (o->member != NULL && strcmp(o->member + strlen(PYHD_MEMBER_SOURCES_DIR),
                                            abs + 1) == 0) {
                s->data = o->data;
                s->len = o->len;
                break;
            }
        }
        if (s->data != NULL)
            continue;
        const char *why = read_file(abs, &s->data, &s->len);
        if (why != NULL) {
            if (note_unavailable(d, abs, why) < 0)
                goto done;
            continue;
        }
        s->owner = 1;
        s->member = malloc(strlen(PYHD_MEMBER_SOURCES_DIR) + strlen(abs));
        if (s->member == NULL) {
            pyhd__dump_fail_nomem(d, "reading sources");
            goto done;
        }
        /* "sources/" + the absolute path without its leading "/". */
        strcpy(s->member, PYHD_MEMBER_SOURCES_DIR);
        strcat(s->member, abs + 1);
        d->sources_stored++;
        d->sources_size += s->len;
    }
    rc = 0;
done:
    pyhd__buf_free(&path);
    return rc;
}

const struct source *pyhd__dump_find_source(const struct dump *d, PyObject *filename)
{
    for (size_t i = 0; i < d->nsources; i++) {
        if (d->sources[i].filename == filename
            || (PyUnicode_Check(filename) && PyUnicode_Check(d->sources[i].filename)
                && PyUnicode_Compare(filename, d->sources[i].filename) == 0))
            return d->sources[i].data ? &d->sources[i] : NULL;
    }
    return NULL;
}
