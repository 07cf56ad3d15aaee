/* signals.c: the dump signal (a dump at the next safe point) and fatal signals (stacks as text, a best-effort dump, then python's fate). */
/* Python.h before any system header: it selects the POSIX and GNU
   interfaces (sigaction, sigaltstack, O_CLOEXEC) used below. */
#include "dump.h"
#include "hook.h"
#include "signals.h"
#include "world.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* The dump signal */

static const struct pyhd_options *dump_signal_options;

/* The Python-level handler: python calls it in the main thread, between two
   bytecodes, with (signum, frame). */
static PyObject *on_dump_signal(PyObject *unused, PyObject *args)
{
    const struct pyhd_options *o = dump_signal_options;
    struct pyhd_dump_result r;
    char reason[32], line[sizeof r.path + 1024];
    int ok;

    snprintf(reason, sizeof reason, "SIG%s", pyhd__signal_name(o->dump_signal));
    ok = pyhd__hook_dump(o, PYHD_TRIGGER_SIGNAL, NULL, reason, NULL, &r) == 0;
    /* A forked child prints its own line. */
    if ((!ok || !o->quiet) && (!ok || r.path[0] != '\0')) {
        pyhd__dump_format_line(&r, ok, line, sizeof line);
        pyhd__hook_print_line(line);
    }
    Py_RETURN_NONE;
}

static PyMethodDef on_dump_signal_def = {
    "pyhd_dump_signal_handler", on_dump_signal, METH_VARARGS,
    "pyhd's handler of the dump signal: write a dump of every thread and go on.",
};

int pyhd__signals_install_dump(const struct pyhd_options *o)
{
    PyObject *signal_module = NULL, *handler = NULL, *result = NULL;

    if (o->dump_signal == 0)
        return 0;
    dump_signal_options = o;
    /* _signal, not signal: the same handler table without importing enum. */
    signal_module = PyImport_ImportModule("_signal");
    if (signal_module == NULL)
        goto done;
    handler = PyCFunction_New(&on_dump_signal_def, NULL);
    if (handler == NULL)
        goto done;
    result = PyObject_CallMethod(signal_module, "signal", "iO", o->dump_signal, handler);
done:
    Py_XDECREF(result);
    Py_XDECREF(handler);
    Py_XDECREF(signal_module);
    return result != NULL ? 0 : -1;
}

/* ------------------------------------------------------------------------ */
/* Fatal signals */

/*
 * The text of the stacks: faulthandler writes it, with its async-signal-safe
 * _Py_DumpTracebackThreads (not exported by every libpython pyhd supports).
 * pyhd registers a spare real-time signal with faulthandler.register(), on
 * stacks_fd (/dev/null until a crash). The fatal handler points stacks_fd at
 * the text file with dup2() and raises that signal: faulthandler's handler
 * runs at once, in this thread, and writes every thread's stack there. This
 * is separate from faulthandler.enable(), which the program keeps for itself.
 */
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
static const char *const fatal_names[] = {"SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT"};
#define NFATAL (sizeof fatal_signals / sizeof fatal_signals[0])

static const struct pyhd_options *fatal_options;
static struct sigaction previous[NFATAL];
static int installed;
static int stacks_fd = -1;
static int stacks_signal;              /* 0: no text stacks */
static char stacks_prefix[4096];       /* "DIR/pyhd-" */
static atomic_flag fatal_entered = ATOMIC_FLAG_INIT;
/* The alternate stack: big enough for the best-effort dump, which runs on it
   when the main thread crashes (a stack overflow leaves no other). */
#define ALT_STACK_SIZE ((size_t)4 << 20)
static void *alt_stack;

/* write(2) all of s, async-signal-safely. */
static void write_all(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        s += n;
        len -= (size_t)n;
    }
}

static void write_str(int fd, const char *s)
{
    write_all(fd, s, strlen(s));
}

/* Append the decimal digits of v to p (async-signal-safe); returns the end. */
static char *append_long(char *p, char *end, long v)
{
    char digits[24];
    int n = 0;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0 && n < (int)sizeof digits);
    while (n > 0 && p < end)
        *p++ = digits[--n];
    return p;
}

static char *append_str(char *p, char *end, const char *s)
{
    while (*s && p < end)
        *p++ = *s++;
    return p;
}

/* Async-signal-safe: the text file, then faulthandler's stacks into it. */
static void write_stacks(const char *name)
{
    char path[sizeof stacks_prefix + 64];
    char *p = path, *end = path + sizeof path - 1;
    int fd;

    if (stacks_signal == 0)
        return;
    p = append_str(p, end, stacks_prefix);
    p = append_long(p, end, (long)getpid());
    p = append_str(p, end, "-");
    p = append_str(p, end, name);
    p = append_str(p, end, ".txt");
    *p = '\0';
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        write_str(2, "pyhd: no stacks: cannot create ");
        write_str(2, path);
        write_str(2, "\n");
        return;
    }
    write_str(fd, "Fatal signal ");
    write_str(fd, name);
    write_str(fd, ": every Python thread's stack (most recent call first)\n\n");
    if (dup2(fd, stacks_fd) >= 0)
        raise(stacks_signal);
    /* 3.14+: the crashing thread's C stack too, as faulthandler adds it. */
    if (PYHD_HAVE_C_STACK) {
        write_str(fd, "\n");
        pyhd_dump_c_stack(fd);
    }
    close(fd);
    write_str(2, "pyhd: stacks written to ");
    write_str(2, path);
    write_str(2, "\n");
}

/* Not async-signal-safe, so a best effort: only when this thread holds the
   GIL (the usual case for a crash in a C extension), as python does in a
   Python-level handler. */
static void write_dump(const char *name)
{
    struct pyhd_dump_result r;
    char line[sizeof r.path + 1024];
    int ok;

    if (fatal_options == NULL || !Py_IsInitialized() || !PyGILState_Check()) {
        write_str(2, "pyhd: no dump: the crashing thread does not hold the GIL\n");
        return;
    }
    ok = pyhd__dump_write_ex(fatal_options, PYHD_TRIGGER_SIGNAL, NULL, name, 0, &r) == 0;
    pyhd__dump_format_line(&r, ok, line, sizeof line);
    write_str(2, line);
}

static void restore(int signum)
{
    for (size_t i = 0; i < NFATAL; i++) {
        if (fatal_signals[i] == signum)
            sigaction(signum, &previous[i], NULL);
    }
}

static void on_fatal_signal(int signum)
{
    int saved_errno = errno;
    const char *name = "signal";

    for (size_t i = 0; i < NFATAL; i++) {
        if (fatal_signals[i] == signum)
            name = fatal_names[i];
    }
    /* A second fault (in another thread, or in the dump itself) goes
       straight to the previous handler. */
    if (!atomic_flag_test_and_set(&fatal_entered)) {
        write_stacks(name);
        /* A crashing process must not wait for the other threads to pause. */
        pyhd__world_never_stop();
        write_dump(name);
    }
    restore(signum);
    errno = saved_errno;
    /* With SA_NODEFER the previous handler runs now; the default one kills
       the process with this signal, so the exit status and a core dump are
       as without pyhd. */
    raise(signum);
}

/* Register a spare real-time signal with faulthandler, writing to stacks_fd. */
static int register_stacks_signal(void)
{
    PyObject *faulthandler = NULL, *result = NULL;
    struct sigaction current;
    int signum;

    stacks_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (stacks_fd < 0) {
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, "/dev/null");
        return -1;
    }
    /* The highest real-time signal nobody handles: programs that use them
       count up from SIGRTMIN. */
    for (signum = SIGRTMAX; signum > SIGRTMIN; signum--) {
        if (sigaction(signum, NULL, &current) == 0 && current.sa_handler == SIG_DFL
            && !(current.sa_flags & SA_SIGINFO))
            break;
    }
    if (signum == SIGRTMIN)
        return 0;
    faulthandler = PyImport_ImportModule("faulthandler");
    if (faulthandler == NULL)
        return -1;
    result = PyObject_CallMethod(faulthandler, "register", "iiii", signum, stacks_fd, 1, 0);
    Py_DECREF(faulthandler);
    if (result == NULL)
        return -1;
    Py_DECREF(result);
    stacks_signal = signum;
    return 0;
}

int pyhd__signals_install_fatal(const struct pyhd_options *o)
{
    struct sigaction action;
    stack_t current, ours;
    const char *dir = o->dump_dir != NULL ? o->dump_dir : ".";

    if (installed)
        return 0;
    fatal_options = o;
    if ((size_t)snprintf(stacks_prefix, sizeof stacks_prefix, "%s/pyhd-", dir)
        >= sizeof stacks_prefix) {
        PyErr_SetString(PyExc_ValueError, "the dump directory's path is too long");
        return -1;
    }
    if (register_stacks_signal() < 0)
        return -1;
    /* Keep a bigger alternate stack that is there already (faulthandler's
       is smaller than the dump needs). */
    if (sigaltstack(NULL, &current) == 0
        && ((current.ss_flags & SS_DISABLE) || current.ss_size < ALT_STACK_SIZE)) {
        alt_stack = malloc(ALT_STACK_SIZE);
        if (alt_stack != NULL) {
            ours.ss_sp = alt_stack;
            ours.ss_size = ALT_STACK_SIZE;
            ours.ss_flags = 0;
            if (sigaltstack(&ours, NULL) < 0) {
                free(alt_stack);
                alt_stack = NULL;
            }
        }
    }
    memset(&action, 0, sizeof action);
    action.sa_handler = on_fatal_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_NODEFER | SA_ONSTACK;
    for (size_t i = 0; i < NFATAL; i++) {
        if (sigaction(fatal_signals[i], &action, &previous[i]) < 0) {
            PyErr_SetFromErrno(PyExc_OSError);
            return -1;
        }
    }
    installed = 1;
    return 0;
}
