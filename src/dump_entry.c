/* dump_entry.c: the one entry point of every dump taken inside python: the guard, the wait for another thread's dump, --dump-fork. */
#include "dump.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dump_guard.h"
#include "signals.h"

/* How often a trigger looks again at a guard that another thread holds. */
#define WAIT_STEP_NS 2000000L

/* The line a --dump-fork child prints when its alarm goes off; made before
   the alarm is set, as the handler may only write(). */
static char timeout_line[128];
/* What the alarm's handler writes its stacks file with. */
static long timeout_parent;
static unsigned timeout_seconds;

/* The dump did not finish: say so, and leave the stacks where the user
   finds the dumps, with where the dump stopped. */
static void on_child_alarm(int signum)
{
    pyhd__write_fd2(timeout_line);
    pyhd__signals_write_fork_timeout(timeout_parent, timeout_seconds);
    _exit(1);
}

/*
 * The child side of --dump-fork: fork again so that the program waits only
 * for a process that exits at once (no zombie is left for the program's own
 * wait() to find), then write the dump from this copy-on-write snapshot
 * under an alarm and _exit(), running nothing of python's or the program's
 * at exit. Only the forking thread exists here; the other threads' frames
 * are still in memory and the dump reads them as it reads any object.
 *
 * PyOS_AfterFork_Child() is not called: it runs the program's
 * os.register_at_fork() functions and threading's _after_fork(), and it
 * deletes the other threads' states, whose frames are what the dump is for.
 * What it would make safe again, a lock held at the fork by a thread that
 * is gone here, is avoided instead: the dump takes no lock of CPython's (the
 * GIL is this thread's; the parent listed the threads, under the runtime's
 * lock, before the fork), glibc's fork() leaves malloc usable, and the alarm
 * ends a child that hangs all the same (program code run by --repr-all, a C
 * library's lock), with a line. Never returns.
 */
static void dump_in_child(const struct pyhd_options *o, const struct pyhd_dump_request *q,
                          long parent)
{
    struct pyhd_dump_result r;
    char line[sizeof r.path + 1024];
    struct sigaction alarm_action;
    struct rlimit no_core = {0, 0};
    sigset_t alarm_set;
    pid_t grandchild = fork();
    int ok;

    if (grandchild != 0)
        _exit(grandchild < 0 ? 1 : 0);
    /* A crash of the copy must not leave a core the size of the program, nor
       run the program's or pyhd's handlers meant for the program. */
    setrlimit(RLIMIT_CORE, &no_core);
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    signal(SIGFPE, SIG_DFL);
    signal(SIGILL, SIG_DFL);
    signal(SIGABRT, SIG_DFL);
    snprintf(timeout_line, sizeof timeout_line,
             "pyhd: no dump: the forked dump took more than %u s (--dump-timeout)\n",
             o->dump_timeout);
    timeout_parent = parent;
    timeout_seconds = o->dump_timeout;
    memset(&alarm_action, 0, sizeof alarm_action);
    alarm_action.sa_handler = on_child_alarm;
    sigemptyset(&alarm_action.sa_mask);
    sigaction(SIGALRM, &alarm_action, NULL);
    sigemptyset(&alarm_set);
    sigaddset(&alarm_set, SIGALRM);
    sigprocmask(SIG_UNBLOCK, &alarm_set, NULL);
    alarm(o->dump_timeout);
    ok = pyhd__dump_write_ex(o, q->trigger, q->exc, q->reason, parent, &r) == 0;
    alarm(0);
    if (!ok || !o->quiet) {
        pyhd__dump_format_line(&r, ok, line, sizeof line);
        pyhd__write_fd2(line);
    }
    _exit(ok ? 0 : 1);
}

/* Split path into an absolute directory and a file name. Pure C; 0, or -1
   with err set. */
static int split_path(const char *path, char *dir, size_t dirlen, char *name, size_t namelen,
                      char *err, size_t errlen)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    char cwd[4096];
    int n;

    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        snprintf(err, errlen, "%s: not a file name", path);
        return -1;
    }
    if ((size_t)snprintf(name, namelen, "%s", base) >= namelen) {
        snprintf(err, errlen, "%s: name too long", path);
        return -1;
    }
    if (slash == path) {
        n = snprintf(dir, dirlen, "/");
    } else if (slash != NULL && path[0] == '/') {
        n = snprintf(dir, dirlen, "%.*s", (int)(slash - path), path);
    } else {
        if (getcwd(cwd, sizeof cwd) == NULL) {
            snprintf(err, errlen, "finding the current directory: %s", strerror(errno));
            return -1;
        }
        if (slash == NULL)
            n = snprintf(dir, dirlen, "%s", cwd);
        else
            n = snprintf(dir, dirlen, "%s/%.*s", cwd, (int)(slash - path), path);
    }
    if (n < 0 || (size_t)n >= dirlen) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    return 0;
}

/*
 * Take the guard, waiting (GIL released) while another thread's dump is
 * written: thread failures that come together each get their dump, one
 * after the other. A dump that takes longer than the timeout (its program
 * code, under --repr-all or in an exception's __str__, may wait for this
 * very thread) is given up on.
 */
static enum pyhd_guard_state take_guard(const struct pyhd_options *o,
                                        const struct pyhd_dump_request *q)
{
    struct timespec step = {0, WAIT_STEP_NS};
    long waited_ns = 0;
    enum pyhd_guard_state state;

    while ((state = pyhd__guard_enter(q->trigger, q->signum)) == PYHD_GUARD_BUSY
           && waited_ns / 1000000000L < (long)o->dump_timeout) {
        Py_BEGIN_ALLOW_THREADS
        nanosleep(&step, NULL);
        Py_END_ALLOW_THREADS
        waited_ns += WAIT_STEP_NS;
    }
    return state;
}

enum pyhd_dump_outcome pyhd__dump_take(const struct pyhd_options *o,
                                       const struct pyhd_dump_request *q,
                                       struct pyhd_dump_result *r)
{
    struct pyhd_options at_path;
    char dir[4096], name[1024];
    enum pyhd_dump_outcome outcome;
    long parent;
    pid_t child;
    int status;

    memset(r, 0, sizeof *r);
    if (q->path != NULL) {
        if (split_path(q->path, dir, sizeof dir, name, sizeof name, r->error,
                       sizeof r->error) < 0)
            return PYHD_DUMP_FAILED;
        /* A shallow copy: the dump only reads the options. */
        at_path = *o;
        at_path.dump_dir = dir;
        at_path.dump_name = name;
        o = &at_path;
    }
    switch (take_guard(o, q)) {
    case PYHD_GUARD_TAKEN:
        break;
    case PYHD_GUARD_NESTED:
        snprintf(r->error, sizeof r->error, "came while this thread was writing a dump "
                                            "(recorded in its MANIFEST)");
        return PYHD_DUMP_NESTED;
    case PYHD_GUARD_BUSY:
        snprintf(r->error, sizeof r->error, "another thread's dump took more than %u s",
                 o->dump_timeout);
        return PYHD_DUMP_FAILED;
    }
    if (!q->may_fork || !o->dump_fork) {
        outcome = pyhd__dump_write_ex(o, q->trigger, q->exc, q->reason, 0, r) == 0
                      ? PYHD_DUMP_WRITTEN : PYHD_DUMP_FAILED;
        pyhd__guard_leave();
        return outcome;
    }

    /* A raw fork(), not os.fork(): the program's os.register_at_fork()
       functions must not run, and the child keeps every thread's state.
       The threads are listed here, before it, under the runtime's lock. */
    if (pyhd__dump_prefetch_threads() < 0) {
        PyErr_Clear();
        pyhd__guard_leave();
        snprintf(r->error, sizeof r->error, "listing the threads before the fork failed");
        return PYHD_DUMP_FAILED;
    }
    parent = (long)getpid();
    child = fork();
    if (child == 0)
        dump_in_child(o, q, parent);
    pyhd__dump_forget_threads();
    pyhd__guard_leave();
    if (child < 0) {
        snprintf(r->error, sizeof r->error, "forking the dump's process: %s",
                 strerror(errno));
        return PYHD_DUMP_FAILED;
    }
    /* The child exits as soon as it has forked the writer. */
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    return PYHD_DUMP_FORKED;
}
