/* signals.c: the dump signal (a dump at the next safe point) and fatal signals (stacks as text, a best-effort dump, then python's fate). */
/* Python.h before any system header: it selects the POSIX and GNU
   interfaces (sigaction, sigaltstack, O_CLOEXEC) used below. */
#include "dump.h"
#include "dump_guard.h"
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
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* The dump signal */

static const struct pyhd_options *dump_signal_options;

/* The Python-level handler: python calls it in the main thread, between two
   bytecodes, with (signum, frame). */
static PyObject *on_dump_signal(PyObject *unused, PyObject *args)
{
    const struct pyhd_options *o = dump_signal_options;
    struct pyhd_dump_request q;
    struct pyhd_dump_result r;
    char reason[32], line[sizeof r.path + 1024];
    enum pyhd_dump_outcome outcome;

    snprintf(reason, sizeof reason, "SIG%s", pyhd__signal_name(o->dump_signal));
    memset(&q, 0, sizeof q);
    q.trigger = PYHD_TRIGGER_SIGNAL;
    q.reason = reason;
    q.signum = o->dump_signal;
    q.may_fork = 1;
    outcome = pyhd__dump_take(o, &q, &r);
    /* A forked child prints its own line; a signal that came during a dump
       is in that dump's MANIFEST. */
    if (outcome == PYHD_DUMP_FAILED || (outcome == PYHD_DUMP_WRITTEN && !o->quiet)) {
        pyhd__dump_format_line(&r, outcome == PYHD_DUMP_WRITTEN, line, sizeof line);
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
 * Built the way faulthandler is: the handler does only async-signal-safe
 * work itself. It puts back the handlers that were there before, first, so
 * that a second fault (in another thread, or in what follows) goes to them as
 * without pyhd; writes the text of every thread's stack; then, if the
 * crashing thread holds the GIL, writes the heap dump in a forked child that
 * an alarm bounds (a crash inside malloc leaves a lock that the child may
 * hang on); and gives the signal to the previous handler, so the exit status
 * and any core dump are python's.
 *
 * The text of the stacks is faulthandler's, by its async-signal-safe
 * _Py_DumpTracebackThreads (not exported by every libpython pyhd supports):
 * pyhd registers a spare real-time signal with faulthandler.register(),
 * writing to fd 2. The handler opens the text file, points fd 2 at it for the
 * time of raising that signal (faulthandler's handler runs at once, in this
 * thread) and puts fd 2 back: no descriptor stays open for the program's
 * life. This is separate from faulthandler.enable(), which the program keeps.
 */
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
static const char *const fatal_names[] = {"SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT"};
#define NFATAL (sizeof fatal_signals / sizeof fatal_signals[0])

static const struct pyhd_options *fatal_options;
static struct sigaction previous[NFATAL];
static atomic_int installed;           /* from install to finalization */
static int stacks_signal;              /* 0: no text stacks */
static char stacks_dir[4096];          /* the dump directory */
static char stacks_prefix[4096 + 16];  /* "DIR/pyhd-" */
static atomic_flag fatal_entered = ATOMIC_FLAG_INIT;
/* The alternate stack: big enough for a stack overflow's handler, which
   forks the dump's child on it. */
#define ALT_STACK_SIZE ((size_t)4 << 20)
static void *alt_stack;

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

/* "pyhd: " PART1 NUMBER PART2 "\n" on fd 2, async-signal-safely. */
static void write_line_long(const char *part1, long number, const char *part2)
{
    char line[256];
    char *p = line, *end = line + sizeof line - 1;

    p = append_str(p, end, part1);
    p = append_long(p, end, number);
    p = append_str(p, end, part2);
    *p = '\0';
    pyhd__write_fd2(line);
}

/* mkdir -p, async-signal-safely (mkdir() is): the dump directory need not
   exist before the first dump, which would create it. */
static void make_dirs(const char *dir)
{
    char path[sizeof stacks_dir];
    size_t n = strlen(dir);

    if (n == 0 || n >= sizeof path)
        return;
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] == '/' || path[i] == '\0') {
            char c = path[i];
            path[i] = '\0';
            (void)mkdir(path, 0700);
            path[i] = c;
        }
    }
}

/* Whether signum still has a handler: faulthandler removes its own at
   finalization, after which raising it would kill the process. */
static int has_handler(int signum)
{
    struct sigaction current;
    return sigaction(signum, NULL, &current) == 0 && current.sa_handler != SIG_DFL
           && current.sa_handler != SIG_IGN;
}

/*
 * Async-signal-safe: DIR/pyhd-PID-NAME.txt holding header, then
 * faulthandler's stacks of every Python thread, then (with_c_stack, 3.14+)
 * this thread's C stack; its "pyhd: stacks written" line unless --quiet.
 */
static void write_stacks_file(long pid, const char *name, const char *header, int with_c_stack)
{
    char path[sizeof stacks_prefix + 64];
    char *p = path, *end = path + sizeof path - 1;
    int fd, saved;

    if (stacks_signal == 0 || !has_handler(stacks_signal))
        return;
    p = append_str(p, end, stacks_prefix);
    p = append_long(p, end, pid);
    p = append_str(p, end, "-");
    p = append_str(p, end, name);
    p = append_str(p, end, ".txt");
    *p = '\0';
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == ENOENT) {
        make_dirs(stacks_dir);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
    if (fd < 0) {
        pyhd__write_fd2("pyhd: no stacks: cannot create ");
        pyhd__write_fd2(path);
        pyhd__write_fd2("\n");
        return;
    }
    pyhd__write_fd(fd, header);
    /* fd 2 may be closed: then saved is -1 and fd 2 is closed again after. */
    saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
    if (dup2(fd, 2) >= 0) {
        raise(stacks_signal);
        if (saved >= 0)
            dup2(saved, 2);
        else
            close(2);
    }
    if (saved >= 0)
        close(saved);
    /* 3.14+: the crashing thread's C stack too, as faulthandler adds it. */
    if (PYHD_HAVE_C_STACK && with_c_stack) {
        pyhd__write_fd(fd, "\n");
        pyhd_dump_c_stack(fd);
    }
    close(fd);
    /* --quiet: no line for what worked, as for the other dumps. */
    if (!fatal_options->quiet) {
        pyhd__write_fd2("pyhd: stacks written to ");
        pyhd__write_fd2(path);
        pyhd__write_fd2("\n");
    }
}

/* Async-signal-safe: the fatal signal's text file. */
static void write_stacks(const char *name)
{
    char header[128];
    char *p = header, *end = header + sizeof header - 1;

    p = append_str(p, end, "Fatal signal ");
    p = append_str(p, end, name);
    p = append_str(p, end, ": every Python thread's stack (most recent call first)\n\n");
    *p = '\0';
    write_stacks_file((long)getpid(), name, header, 1);
}

void pyhd__signals_write_fork_timeout(long parent, unsigned timeout)
{
    char header[256], name[64];
    char *p = header, *end = header + sizeof header - 1;
    char *n = name, *nend = name + sizeof name - 1;

    if (fatal_options == NULL)
        return;
    p = append_str(p, end, "Dump-Fork: timed out after ");
    p = append_long(p, end, (long)timeout);
    p = append_str(p, end, " s\nPid: ");
    p = append_long(p, end, parent);
    p = append_str(p, end, "\n\nEvery Python thread's stack (most recent call first), the "
                           "dumping thread's where the dump stopped:\n\n");
    *p = '\0';
    n = append_str(n, nend, "dump-fork-timeout-");
    n = append_long(n, nend, (long)getpid());
    *n = '\0';
    write_stacks_file(parent, name, header, 0);
}

/* fork() from a signal handler: glibc's fork() runs the atfork handlers and
   takes malloc's locks, which the crashing thread may hold; _Fork() (glibc
   2.34) does neither and is async-signal-safe. */
static pid_t fork_in_handler(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    return _Fork();
#else
    return fork();
#endif
}

/* The child of write_dump(): the heap dump, under an alarm. Never returns. */
static void dump_in_child(int signum, const char *name, long parent)
{
    struct pyhd_dump_result r;
    char line[sizeof r.path + 1024];
    struct rlimit no_core = {0, 0};
    sigset_t alarm_set;
    int ok;

    /* A crash of the copy dies at once and leaves no core of its own. */
    for (size_t i = 0; i < NFATAL; i++)
        signal(fatal_signals[i], SIG_DFL);
    setrlimit(RLIMIT_CORE, &no_core);
    signal(SIGALRM, SIG_DFL);
    sigemptyset(&alarm_set);
    sigaddset(&alarm_set, SIGALRM);
    sigprocmask(SIG_UNBLOCK, &alarm_set, NULL);
    alarm(fatal_options->dump_timeout);
    ok = pyhd__dump_write_ex(fatal_options, PYHD_TRIGGER_FATAL, NULL, name, parent, &r) == 0;
    if (!ok || !fatal_options->quiet) {
        pyhd__dump_format_line(&r, ok, line, sizeof line);
        pyhd__write_fd2(line);
    }
    _exit(ok ? 0 : 1);
}

/*
 * The heap dump, in a forked child: not async-signal-safe, so only when this
 * thread holds the GIL (the usual case for a crash in a C extension), and
 * in a copy of the process that an alarm ends if it hangs. The parent waits
 * for it (waitpid() is async-signal-safe) and then dies of the signal.
 */
static void write_dump(int signum, const char *name)
{
    pid_t child;
    int status;

    if (fatal_options == NULL || !Py_IsInitialized() || !PyGILState_Check()) {
        pyhd__write_fd2("pyhd: no dump: the crashing thread does not hold the GIL\n");
        return;
    }
    switch (pyhd__guard_enter(PYHD_TRIGGER_FATAL, signum)) {
    case PYHD_GUARD_TAKEN:
        break;
    case PYHD_GUARD_NESTED:
        pyhd__write_fd2("pyhd: no dump: the crash came while this thread was writing a dump\n");
        return;
    case PYHD_GUARD_BUSY:
        pyhd__guard_note_missed(PYHD_TRIGGER_FATAL, signum);
        pyhd__write_fd2("pyhd: no dump: another thread was writing a dump\n");
        return;
    }
    child = fork_in_handler();
    if (child == 0)
        dump_in_child(signum, name, (long)getppid());
    if (child < 0) {
        pyhd__write_fd2("pyhd: no dump: cannot fork the dump's process\n");
    } else {
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
            ;
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
            write_line_long("pyhd: no dump: it took more than ", (long)fatal_options->dump_timeout,
                            " s (--dump-timeout)\n");
        else if (WIFSIGNALED(status))
            write_line_long("pyhd: no dump: the dump's process died of signal ",
                            (long)WTERMSIG(status), "\n");
    }
    pyhd__guard_leave();
}

static void on_fatal_signal(int signum);

/* Put back every handler that was there before pyhd's, where pyhd's is
   still the one installed (async-signal-safe). */
static void restore_all(void)
{
    struct sigaction current;

    for (size_t i = 0; i < NFATAL; i++) {
        if (sigaction(fatal_signals[i], NULL, &current) == 0
            && current.sa_handler == on_fatal_signal)
            sigaction(fatal_signals[i], &previous[i], NULL);
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
    restore_all();
    /* Once python is finalizing, or for a second fault, only python's fate. */
    if (atomic_load(&installed) && !atomic_flag_test_and_set(&fatal_entered)) {
        write_stacks(name);
        /* A crashing process must not wait for the other threads to pause. */
        pyhd__world_never_stop();
        write_dump(signum, name);
    }
    errno = saved_errno;
    /* With SA_NODEFER the previous handler runs now; the default one kills
       the process with this signal, so the exit status and a core dump are
       as without pyhd. A handler that returns lets the fault happen again,
       and the previous handler has it. */
    raise(signum);
}

/* Register a spare real-time signal with faulthandler, writing to fd 2. */
static int register_stacks_signal(void)
{
    PyObject *faulthandler = NULL, *result = NULL;
    struct sigaction current;
    int signum;

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
    result = PyObject_CallMethod(faulthandler, "register", "iiii", signum, 2, 1, 0);
    Py_DECREF(faulthandler);
    if (result == NULL)
        return -1;
    Py_DECREF(result);
    stacks_signal = signum;
    return 0;
}

/* At finalization, as faulthandler does: a crash after python has finished
   (in a library's exit handler) dies as under python. */
static PyObject *uninstall_at_exit(PyObject *module, PyObject *unused)
{
    atomic_store(&installed, 0);
    restore_all();
    Py_RETURN_NONE;
}

static PyMethodDef uninstall_at_exit_def = {
    "pyhd_uninstall_fatal_handlers", uninstall_at_exit, METH_NOARGS,
    "Put back the fatal-signal handlers that were there before pyhd's.",
};

/* Register uninstall_at_exit with atexit, which runs it after the program's
   own functions (last in, first out), before python finalizes its modules. */
static int register_uninstall(void)
{
    PyObject *atexit_module = NULL, *func = NULL, *result = NULL;

    atexit_module = PyImport_ImportModule("atexit");
    if (atexit_module == NULL)
        goto done;
    func = PyCFunction_New(&uninstall_at_exit_def, NULL);
    if (func == NULL)
        goto done;
    result = PyObject_CallMethod(atexit_module, "register", "O", func);
done:
    Py_XDECREF(func);
    Py_XDECREF(atexit_module);
    if (result == NULL)
        return -1;
    Py_DECREF(result);
    return 0;
}

int pyhd__signals_install_fatal(const struct pyhd_options *o)
{
    struct sigaction action;
    stack_t current, ours;
    const char *dir = o->dump_dir != NULL ? o->dump_dir : ".";

    if (atomic_load(&installed))
        return 0;
    fatal_options = o;
    if ((size_t)snprintf(stacks_dir, sizeof stacks_dir, "%s", dir) >= sizeof stacks_dir) {
        PyErr_SetString(PyExc_ValueError, "the dump directory's path is too long");
        return -1;
    }
    snprintf(stacks_prefix, sizeof stacks_prefix, "%s/pyhd-", stacks_dir);
    if (register_stacks_signal() < 0 || register_uninstall() < 0)
        return -1;
    /* Keep a bigger alternate stack that is there already (faulthandler's
       is smaller than the dump's child needs). */
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
    atomic_store(&installed, 1);
    return 0;
}
