/* options.c: pyhd-run's own long options and PYHD_* variables, parsed without Python. */
/* strdup() and getcwd(NULL, 0) are POSIX.1-2008; realpath() is XSI. */
#define _XOPEN_SOURCE 700
#include "options.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Keep in step with man/pyhd-run.1; tests/e2e/test_docs.py checks that they agree. */
static const char usage_text[] =
    "usage: pyhd-run [pyhd options] [python options]\n"
    "                (script.py | -m module | -c command | -) [args...]\n"
    "\n"
    "Run a Python program exactly as python would. If an exception escapes it,\n"
    "write a dump of the whole process (open it with pyhd-debug) once python has\n"
    "printed the traceback.\n"
    "\n"
    "pyhd options come first; the first argument that is not one ends them:\n"
    "  --dump-dir=DIR    write the dump into DIR (default: the directory pyhd-run\n"
    "                    was started in; a relative DIR is relative to it too)\n"
    "  --dump-name=NAME  name the dump file NAME (default:\n"
    "                    pyhd-PROGRAM-PID-YYYYmmddTHHMMSSZ.dump); NAME has no \"/\"\n"
    "  --no-dump         write no dump: run exactly as python\n"
    "  --quiet           print no \"pyhd:\" line when a dump was written\n"
    "  --max-size=SIZE   record at most SIZE bytes of objects, 3G or less\n"
    "                    (default: 1G)\n"
    "  --max-string=N    keep at most N characters or bytes of each str, bytes\n"
    "                    or buffer (default: 1048576)\n"
    "  --max-items=N     keep at most N items of each container (default: 10000000)\n"
    "  --repr-all        record repr() of objects pyhd cannot read (this runs the\n"
    "                    program's own __repr__ methods)\n"
    "  --no-dump-on-interrupt  write no dump when KeyboardInterrupt escapes\n"
    "  --dump-signal=SIG on signal SIG (URG, USR1, USR2, HUP, QUIT, TERM or none),\n"
    "                    dump every thread and go on (default: URG, which\n"
    "                    python ignores)\n"
    "  --dump-fork       take the dumps of the dump signal and of pyhd.dump() in a\n"
    "                    forked child, so the program pauses only for the fork\n"
    "  --dump-timeout=N  give a dump written in a forked child (--dump-fork, and\n"
    "                    after a fatal signal) at most N seconds (default: 60)\n"
    "  --privacy=LEVEL   what the dump may hold: full (everything, for your own\n"
    "                    machine), default (values under sensitive names and\n"
    "                    secret-shaped values redacted) or triage (also no str,\n"
    "                    bytes or number contents, no environment, no sources)\n"
    "  --no-redact       as --privacy=full\n"
    "  --redact-hash     give each redacted value a keyed hash (#a1b2c3d4), the\n"
    "                    same for the same value in this dump directory\n"
    "  --redact=PATTERN  also redact names matching PATTERN (a glob: * and ?,\n"
    "                    case-insensitive, whole name; repeatable or comma-separated)\n"
    "  --keep=NAME       do not redact NAME (case-insensitive; repeatable)\n"
    "  --no-environ      leave the environment variables out of the dump\n"
    "  --no-sources      leave every source file out of the dump\n"
    "  --max-dumps=N     keep at most N pyhd dumps in the dump directory (default:\n"
    "                    100), deleting the oldest after writing one; 0: no limit\n"
    "  --max-use=SIZE    let them use at most SIZE bytes (default: 1G); 0: no limit\n"
    "  --keep-free=SIZE  write no dump when the dump directory's file system has\n"
    "                    less than SIZE free (default: 256M); 0: no floor\n"
    "  --help            print this help and exit\n"
    "  --version         print the versions of pyhd-run and Python and exit\n"
    "  --                end the pyhd options\n"
    "An option's value may also be the next argument: --dump-dir DIR.\n"
    "SIZE is a number of bytes with an optional suffix K, M or G (powers of 1024);\n"
    "N is a number. python's own options (-m, -c, -u, -X, -h, -V, ...) and its\n"
    "long options --check-hash-based-pycs, --help-env, --help-xoptions and\n"
    "--help-all end the pyhd options and go to python.\n"
    "\n"
    "Environment (read first; options override):\n"
    "  PYHD_DUMP_DIR=DIR     as --dump-dir\n"
    "  PYHD_DUMP_NAME=NAME   as --dump-name\n"
    "  PYHD_DISABLE=1        as --no-dump\n"
    "  PYHD_QUIET=1          as --quiet\n"
    "  PYHD_MAX_SIZE=SIZE    as --max-size\n"
    "  PYHD_MAX_STRING=N     as --max-string\n"
    "  PYHD_MAX_ITEMS=N      as --max-items\n"
    "  PYHD_REPR_ALL=1       as --repr-all\n"
    "  PYHD_NO_DUMP_ON_INTERRUPT=1  as --no-dump-on-interrupt\n"
    "  PYHD_DUMP_SIGNAL=SIG  as --dump-signal\n"
    "  PYHD_DUMP_FORK=1      as --dump-fork\n"
    "  PYHD_DUMP_TIMEOUT=N   as --dump-timeout\n"
    "  PYHD_PRIVACY=LEVEL    as --privacy\n"
    "  PYHD_NO_REDACT=1      as --no-redact\n"
    "  PYHD_REDACT_HASH=1    as --redact-hash\n"
    "  PYHD_REDACT=P1,P2     as --redact (comma-separated patterns)\n"
    "  PYHD_KEEP=N1,N2       as --keep (comma-separated names)\n"
    "  PYHD_NO_ENVIRON=1     as --no-environ\n"
    "  PYHD_NO_SOURCES=1     as --no-sources\n"
    "  PYHD_MAX_DUMPS=N      as --max-dumps\n"
    "  PYHD_MAX_USE=SIZE     as --max-use\n"
    "  PYHD_KEEP_FREE=SIZE   as --keep-free\n"
    "  An empty variable counts as unset; the flags take 1 (on) or 0 (off).\n"
    "  VIRTUAL_ENV=DIR       run as DIR/bin/python would (sys.prefix, sys.path,\n"
    "                        sys.executable) if DIR/pyvenv.cfg names the Python\n"
    "                        version pyhd-run embeds; otherwise warn and ignore it\n"
    "  PYTHON* variables work as with python.\n"
    "\n"
    "sys.executable is the python that pyhd-run's libpython belongs to (or the\n"
    "virtualenv's python), so subprocesses run plain python.\n"
    "\n"
    "Output: the program's output is unchanged. After python prints the traceback\n"
    "of an uncaught exception (KeyboardInterrupt included, SystemExit never),\n"
    "pyhd-run prints one line to standard error:\n"
    "  pyhd: dump written to PATH (SIZE, N objects, T ms)\n"
    "  pyhd: no dump: REASON\n"
    "At most one dump is written for an uncaught exception. The program goes on\n"
    "after the other dumps: of a thread's uncaught exception (at most 10 a\n"
    "minute, with pyhd.DumpHandler's), on the dump signal, by pyhd.dump(). On\n"
    "SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT every thread's stack is written\n"
    "to DIR/pyhd-PID-SIGNAME.txt, a dump is attempted, and the process dies of\n"
    "the signal as under python. The dump file has mode 0600.\n"
    "\n"
    "Exit status: python's own (0, the SystemExit code, 1 for an uncaught\n"
    "exception, death by SIGINT for KeyboardInterrupt, 120 if finalization\n"
    "fails); 2 for a bad pyhd option, value or variable.\n";

/* A pyhd option: its name after "--", whether it takes a value, its variable. */
enum option_id {
    OPT_DUMP_DIR,
    OPT_DUMP_NAME,
    OPT_NO_DUMP,
    OPT_QUIET,
    OPT_MAX_SIZE,
    OPT_MAX_STRING,
    OPT_MAX_ITEMS,
    OPT_REPR_ALL,
    OPT_NO_DUMP_ON_INTERRUPT,
    OPT_DUMP_SIGNAL,
    OPT_DUMP_FORK,
    OPT_DUMP_TIMEOUT,
    OPT_PRIVACY,
    OPT_NO_REDACT,
    OPT_REDACT_HASH,
    OPT_REDACT,
    OPT_KEEP,
    OPT_NO_ENVIRON,
    OPT_NO_SOURCES,
    OPT_MAX_DUMPS,
    OPT_MAX_USE,
    OPT_KEEP_FREE,
    OPT_HELP,
    OPT_VERSION,
};

struct option_spec {
    const char *name;
    enum option_id id;
    int takes_value;
    const char *env; /* NULL: no variable */
};

static const struct option_spec option_specs[] = {
    {"dump-dir", OPT_DUMP_DIR, 1, "PYHD_DUMP_DIR"},
    {"dump-name", OPT_DUMP_NAME, 1, "PYHD_DUMP_NAME"},
    {"no-dump", OPT_NO_DUMP, 0, "PYHD_DISABLE"},
    {"quiet", OPT_QUIET, 0, "PYHD_QUIET"},
    {"max-size", OPT_MAX_SIZE, 1, "PYHD_MAX_SIZE"},
    {"max-string", OPT_MAX_STRING, 1, "PYHD_MAX_STRING"},
    {"max-items", OPT_MAX_ITEMS, 1, "PYHD_MAX_ITEMS"},
    {"repr-all", OPT_REPR_ALL, 0, "PYHD_REPR_ALL"},
    {"no-dump-on-interrupt", OPT_NO_DUMP_ON_INTERRUPT, 0, "PYHD_NO_DUMP_ON_INTERRUPT"},
    {"dump-signal", OPT_DUMP_SIGNAL, 1, "PYHD_DUMP_SIGNAL"},
    {"dump-fork", OPT_DUMP_FORK, 0, "PYHD_DUMP_FORK"},
    {"dump-timeout", OPT_DUMP_TIMEOUT, 1, "PYHD_DUMP_TIMEOUT"},
    {"privacy", OPT_PRIVACY, 1, "PYHD_PRIVACY"},
    {"no-redact", OPT_NO_REDACT, 0, "PYHD_NO_REDACT"},
    {"redact-hash", OPT_REDACT_HASH, 0, "PYHD_REDACT_HASH"},
    {"redact", OPT_REDACT, 1, "PYHD_REDACT"},
    {"keep", OPT_KEEP, 1, "PYHD_KEEP"},
    {"no-environ", OPT_NO_ENVIRON, 0, "PYHD_NO_ENVIRON"},
    {"no-sources", OPT_NO_SOURCES, 0, "PYHD_NO_SOURCES"},
    {"max-dumps", OPT_MAX_DUMPS, 1, "PYHD_MAX_DUMPS"},
    {"max-use", OPT_MAX_USE, 1, "PYHD_MAX_USE"},
    {"keep-free", OPT_KEEP_FREE, 1, "PYHD_KEEP_FREE"},
    {"help", OPT_HELP, 0, NULL},
    {"version", OPT_VERSION, 0, NULL},
};

/* python's own long options (Modules/main.c, Python/initconfig.c): they end
   the pyhd options instead of being refused as unknown. */
static const char *const python_long_options[] = {
    "check-hash-based-pycs", "help-env", "help-xoptions", "help-all",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The signals --dump-signal accepts: those whose default action a program
   rarely relies on; never SIGINT (KeyboardInterrupt) nor a fatal signal.
   The default is SIGURG: python ignores it (its default action), so taking
   it changes nothing but the dump, where SIGUSR1's default action ends the
   program (faulthandler's tests unregister their SIGUSR1 handler and expect
   exactly that). Nothing sends SIGURG but a socket's out-of-band data to the
   process that asked for it with F_SETOWN, which Python programs do not:
   the Go runtime took SIGURG for its own preemption for the same reasons. */
static const struct {
    const char *name;
    int number;
} dump_signals[] = {
    {"URG", SIGURG}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"HUP", SIGHUP},
    {"QUIT", SIGQUIT}, {"TERM", SIGTERM},
};

static void set_error(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

const char *pyhd__privacy_name(int level)
{
    switch (level) {
    case PYHD_PRIVACY_FULL: return "full";
    case PYHD_PRIVACY_DEFAULT: return "default";
    case PYHD_PRIVACY_TRIAGE: return "triage";
    default: return "?";
    }
}

void pyhd__options_init(struct pyhd_options *o)
{
    o->dump_dir = NULL;
    o->dump_name = NULL;
    o->enabled = 1;
    o->quiet = 0;
    o->max_size = PYHD_DEFAULT_MAX_SIZE;
    o->max_string = PYHD_DEFAULT_MAX_STRING;
    o->max_items = PYHD_DEFAULT_MAX_ITEMS;
    o->repr_all = 0;
    o->dump_on_interrupt = 1;
    o->dump_signal = SIGURG;
    o->dump_fork = 0;
    o->dump_timeout = PYHD_DEFAULT_DUMP_TIMEOUT;
    o->privacy = PYHD_PRIVACY_DEFAULT;
    o->redact = 1;
    o->redact_hash = 0;
    o->redact_patterns = NULL;
    o->keep_names = NULL;
    o->keep_environ = 1;
    o->keep_sources = 1;
    o->max_dumps = PYHD_DEFAULT_MAX_DUMPS;
    o->max_use = PYHD_DEFAULT_MAX_USE;
    o->keep_free = PYHD_DEFAULT_KEEP_FREE;
}

void pyhd__options_free(struct pyhd_options *o)
{
    free(o->dump_dir);
    free(o->dump_name);
    free(o->redact_patterns);
    free(o->keep_names);
    pyhd__options_init(o);
}

const char *pyhd__options_usage(void)
{
    return usage_text;
}

int pyhd__parse_signal(const char *s, int *out)
{
    if (s == NULL)
        return -1;
    if (strcmp(s, "none") == 0) {
        *out = 0;
        return 0;
    }
    if (strncmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t i = 0; i < COUNT(dump_signals); i++) {
        if (strcmp(s, dump_signals[i].name) == 0) {
            *out = dump_signals[i].number;
            return 0;
        }
    }
    return -1;
}

const char *pyhd__signal_name(int signum)
{
    for (size_t i = 0; i < COUNT(dump_signals); i++) {
        if (dump_signals[i].number == signum)
            return dump_signals[i].name;
    }
    return signum == 0 ? "none" : "?";
}

/* Decimal digits only: no sign, no blanks, no base prefix (strtoull would
   accept " -1" and wrap it). 0 on success, -1 if s is not a number that fits. */
static int parse_count(const char *s, const char **end, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = s;

    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned digit = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return -1;
        v = v * 10 + digit;
    }
    *end = p;
    *out = v;
    return 0;
}

int pyhd__parse_size(const char *s, uint64_t *out)
{
    const char *end = NULL;
    uint64_t v = 0, unit = 1;

    if (s == NULL || parse_count(s, &end, &v) < 0)
        return -1;
    switch (*end) {
    case '\0': break;
    case 'K': case 'k': unit = (uint64_t)1 << 10; end++; break;
    case 'M': case 'm': unit = (uint64_t)1 << 20; end++; break;
    case 'G': case 'g': unit = (uint64_t)1 << 30; end++; break;
    default: return -1;
    }
    if (*end != '\0' || v > UINT64_MAX / unit)
        return -1;
    *out = v * unit;
    return 0;
}

static int parse_number(const char *s, uint64_t *out)
{
    const char *end = NULL;

    if (parse_count(s, &end, out) < 0 || *end != '\0')
        return -1;
    return 0;
}

/* Add value to a comma-separated list (repeated options accumulate). */
static int append_list(char **slot, const char *value)
{
    size_t old = *slot != NULL ? strlen(*slot) : 0;
    char *list = realloc(*slot, old + 1 + strlen(value) + 1);

    if (list == NULL)
        return -1;
    if (old > 0)
        list[old++] = ',';
    strcpy(list + old, value);
    *slot = list;
    return 0;
}

static int replace_string(char **slot, const char *value)
{
    char *copy = strdup(value);

    if (copy == NULL)
        return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

/*
 * Give option spec its value (NULL for a flag given as an option). what names
 * the source for error messages ("option --max-size", "PYHD_MAX_SIZE").
 */
static int apply(struct pyhd_options *o, const struct option_spec *spec, const char *value,
                 const char *what, char *err, size_t errlen)
{
    int flag = 1;

    if (!spec->takes_value && value != NULL) {
        /* Only variables give flags a value: 1 or 0. */
        if (strcmp(value, "1") != 0 && strcmp(value, "0") != 0) {
            set_error(err, errlen, "%s: expected 1 or 0, not '%s'", what, value);
            return -1;
        }
        flag = value[0] == '1';
    }
    if (spec->takes_value && value[0] == '\0') {
        set_error(err, errlen, "%s: empty value", what);
        return -1;
    }
    switch (spec->id) {
    case OPT_DUMP_DIR:
        if (replace_string(&o->dump_dir, value) < 0)
            goto nomem;
        return 0;
    case OPT_DUMP_NAME:
        if (strchr(value, '/') != NULL || strcmp(value, ".") == 0 ||
            strcmp(value, "..") == 0) {
            set_error(err, errlen, "%s: '%s' is not a file name (use --dump-dir for the "
                      "directory)", what, value);
            return -1;
        }
        if (replace_string(&o->dump_name, value) < 0)
            goto nomem;
        return 0;
    case OPT_NO_DUMP:
        o->enabled = !flag;
        return 0;
    case OPT_QUIET:
        o->quiet = flag;
        return 0;
    case OPT_REPR_ALL:
        o->repr_all = flag;
        return 0;
    case OPT_NO_DUMP_ON_INTERRUPT:
        o->dump_on_interrupt = !flag;
        return 0;
    case OPT_DUMP_FORK:
        o->dump_fork = flag;
        return 0;
    case OPT_DUMP_TIMEOUT: {
        uint64_t seconds;
        /* alarm() takes an unsigned int; 0 would mean no alarm at all. */
        if (parse_number(value, &seconds) < 0 || seconds == 0 || seconds > 86400) {
            set_error(err, errlen, "%s: '%s' is not a number of seconds from 1 to 86400",
                      what, value);
            return -1;
        }
        o->dump_timeout = (unsigned)seconds;
        return 0;
    }
    case OPT_NO_REDACT:
        o->privacy = flag ? PYHD_PRIVACY_FULL : PYHD_PRIVACY_DEFAULT;
        o->redact = !flag;
        return 0;
    case OPT_PRIVACY:
        for (int level = PYHD_PRIVACY_FULL; level <= PYHD_PRIVACY_TRIAGE; level++) {
            if (strcmp(value, pyhd__privacy_name(level)) == 0) {
                o->privacy = level;
                o->redact = level != PYHD_PRIVACY_FULL;
                if (level == PYHD_PRIVACY_TRIAGE) {
                    /* The environment and the sources are contents too. */
                    o->keep_environ = 0;
                    o->keep_sources = 0;
                }
                return 0;
            }
        }
        set_error(err, errlen, "%s: '%s' is not full, default or triage", what, value);
        return -1;
    case OPT_REDACT_HASH:
        o->redact_hash = flag;
        return 0;
    case OPT_REDACT:
    case OPT_KEEP:
        if (append_list(spec->id == OPT_REDACT ? &o->redact_patterns : &o->keep_names,
                        value) < 0)
            goto nomem;
        return 0;
    case OPT_NO_ENVIRON:
        o->keep_environ = !flag;
        return 0;
    case OPT_NO_SOURCES:
        o->keep_sources = !flag;
        return 0;
    case OPT_MAX_DUMPS:
        if (parse_number(value, &o->max_dumps) < 0) {
            set_error(err, errlen, "%s: '%s' is not a number", what, value);
            return -1;
        }
        return 0;
    case OPT_MAX_USE:
    case OPT_KEEP_FREE:
        if (pyhd__parse_size(value, spec->id == OPT_MAX_USE ? &o->max_use : &o->keep_free) < 0) {
            set_error(err, errlen, "%s: '%s' is not a size (bytes, optionally with K, M "
                      "or G)", what, value);
            return -1;
        }
        return 0;
    case OPT_DUMP_SIGNAL:
        if (pyhd__parse_signal(value, &o->dump_signal) < 0) {
            set_error(err, errlen, "%s: '%s' is not URG, USR1, USR2, HUP, QUIT, TERM or none",
                      what, value);
            return -1;
        }
        return 0;
    case OPT_MAX_SIZE:
        if (pyhd__parse_size(value, &o->max_size) < 0) {
            set_error(err, errlen, "%s: '%s' is not a size (bytes, optionally with K, M "
                      "or G)", what, value);
            return -1;
        }
        if (o->max_size > PYHD_MAX_MAX_SIZE)
            o->max_size = PYHD_MAX_MAX_SIZE;
        return 0;
    case OPT_MAX_STRING:
    case OPT_MAX_ITEMS:
        if (parse_number(value,
                         spec->id == OPT_MAX_STRING ? &o->max_string : &o->max_items) < 0) {
            set_error(err, errlen, "%s: '%s' is not a number", what, value);
            return -1;
        }
        return 0;
    case OPT_HELP:
    case OPT_VERSION:
        break;
    }
    return 0;
nomem:
    set_error(err, errlen, "%s: out of memory", what);
    return -1;
}

static int apply_environment(struct pyhd_options *o, const char *(*getenv_fn)(const char *),
                             char *err, size_t errlen)
{
    for (size_t i = 0; i < COUNT(option_specs); i++) {
        const struct option_spec *spec = &option_specs[i];
        const char *value;

        if (spec->env == NULL)
            continue;
        value = getenv_fn(spec->env);
        /* An empty variable is unset, as with python's PYTHON* variables. */
        if (value == NULL || value[0] == '\0')
            continue;
        if (apply(o, spec, value, spec->env, err, errlen) < 0)
            return -1;
    }
    return 0;
}

static const struct option_spec *find_option(const char *name, size_t len)
{
    for (size_t i = 0; i < COUNT(option_specs); i++) {
        if (strlen(option_specs[i].name) == len &&
            memcmp(option_specs[i].name, name, len) == 0)
            return &option_specs[i];
    }
    return NULL;
}

static int is_python_long_option(const char *name, size_t len)
{
    for (size_t i = 0; i < COUNT(python_long_options); i++) {
        if (strlen(python_long_options[i]) == len &&
            memcmp(python_long_options[i], name, len) == 0)
            return 1;
    }
    return 0;
}

int pyhd__options_parse(struct pyhd_options *o, int argc, char *const *argv,
                        const char *(*getenv_fn)(const char *), int *consumed,
                        char *err, size_t errlen)
{
    int i = 1;

    if (errlen > 0)
        err[0] = '\0';
    *consumed = argc < 1 ? argc : 1;
    if (apply_environment(o, getenv_fn, err, errlen) < 0)
        return PYHD_PARSE_ERROR;
    while (i < argc) {
        const char *arg = argv[i];
        const char *name, *eq, *value = NULL;
        const struct option_spec *spec;
        size_t len;
        char what[64];

        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        /* "-" (stdin), "-m", "-c", "-u", a script name: python's from here on. */
        if (strncmp(arg, "--", 2) != 0)
            break;
        name = arg + 2;
        eq = strchr(name, '=');
        len = eq != NULL ? (size_t)(eq - name) : strlen(name);
        if (is_python_long_option(name, len))
            break;
        spec = find_option(name, len);
        if (spec == NULL) {
            set_error(err, errlen, "unknown option --%.*s (see pyhd-run --help)",
                      (int)(len > 200 ? 200 : len), name);
            return PYHD_PARSE_ERROR;
        }
        snprintf(what, sizeof(what), "option --%s", spec->name);
        if (!spec->takes_value && eq != NULL) {
            set_error(err, errlen, "%s takes no value", what);
            return PYHD_PARSE_ERROR;
        }
        if (spec->takes_value) {
            if (eq != NULL) {
                value = eq + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                set_error(err, errlen, "%s needs a value", what);
                return PYHD_PARSE_ERROR;
            }
        }
        i++;
        if (spec->id == OPT_HELP) {
            *consumed = i;
            return PYHD_PARSE_HELP;
        }
        if (spec->id == OPT_VERSION) {
            *consumed = i;
            return PYHD_PARSE_VERSION;
        }
        if (apply(o, spec, value, what, err, errlen) < 0)
            return PYHD_PARSE_ERROR;
    }
    *consumed = i;
    return PYHD_PARSE_RUN;
}

int pyhd__options_resolve_dump_dir(struct pyhd_options *o, char *err, size_t errlen)
{
    char *cwd = NULL, *joined = NULL;
    size_t n;

    if (o->dump_dir != NULL && o->dump_dir[0] == '/')
        return 0;
    cwd = getcwd(NULL, 0);
    if (cwd == NULL) {
        set_error(err, errlen, "finding the current directory: %s", strerror(errno));
        return -1;
    }
    if (o->dump_dir == NULL) {
        o->dump_dir = cwd;
        return 0;
    }
    n = strlen(cwd) + 1 + strlen(o->dump_dir) + 1;
    joined = malloc(n);
    if (joined == NULL) {
        free(cwd);
        set_error(err, errlen, "resolving the dump directory: out of memory");
        return -1;
    }
    snprintf(joined, n, "%s%s%s", cwd, strcmp(cwd, "/") == 0 ? "" : "/", o->dump_dir);
    free(cwd);
    free(o->dump_dir);
    o->dump_dir = joined;
    return 0;
}

/* The Python version a pyvenv.cfg names ("version_info" from virtualenv,
   "version" from the venv module), copied into version; 0 if found. */
static int read_venv_version(FILE *f, char *version, size_t n)
{
    char line[1024];
    int found = 0;

    while (fgets(line, sizeof(line), f) != NULL) {
        char *key = line, *value, *eq = strchr(line, '=');
        size_t klen, vlen;

        if (eq == NULL)
            continue;
        value = eq + 1;
        while (*key == ' ' || *key == '\t')
            key++;
        klen = (size_t)(eq - key);
        while (klen > 0 && (key[klen - 1] == ' ' || key[klen - 1] == '\t'))
            klen--;
        while (*value == ' ' || *value == '\t')
            value++;
        vlen = strcspn(value, "\r\n");
        while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
            vlen--;
        /* version_info is the more precise; it wins whatever the order. */
        if ((klen == 12 && memcmp(key, "version_info", 12) == 0) ||
            (!found && klen == 7 && memcmp(key, "version", 7) == 0)) {
            snprintf(version, n, "%.*s", (int)vlen, value);
            found = 1;
            if (klen == 12)
                break;
        }
    }
    return found ? 0 : -1;
}

/* The value of key in the pyvenv.cfg at cfg, into out; 0 if found. */
static int read_venv_value(const char *cfg, const char *key, char *out, size_t n)
{
    char line[4096 + 64];
    size_t want = strlen(key);
    int found = 0;
    FILE *f = fopen(cfg, "r");

    if (f == NULL)
        return -1;
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        char *k = line, *value, *eq = strchr(line, '=');
        size_t klen, vlen;

        if (eq == NULL)
            continue;
        while (*k == ' ' || *k == '\t')
            k++;
        klen = (size_t)(eq - k);
        while (klen > 0 && (k[klen - 1] == ' ' || k[klen - 1] == '\t'))
            klen--;
        if (klen != want || memcmp(k, key, want) != 0)
            continue;
        value = eq + 1;
        while (*value == ' ' || *value == '\t')
            value++;
        vlen = strcspn(value, "\r\n");
        while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
            vlen--;
        snprintf(out, n, "%.*s", (int)vlen, value);
        found = 1;
    }
    fclose(f);
    return found ? 0 : -1;
}

/*
 * Whether the virtualenv's home (the directory of the python that made it)
 * holds the python pyhd-run embeds: a virtualenv made by another build of
 * the same version (Debian's 3.11.2 and pyenv's 3.11.7) would give python
 * that build's standard library, whose C modules do not fit this libpython
 * (`import subprocess` fails). A pyvenv.cfg without home is taken as it is.
 */
static int venv_home_matches(const char *cfg, const char *default_python)
{
    char home[4096], real_home[PATH_MAX], real_python[PATH_MAX], dir[4096];
    const char *slash = strrchr(default_python, '/');

    if (read_venv_value(cfg, "home", home, sizeof home) < 0)
        return 1;
    if (slash == NULL || realpath(home, real_home) == NULL)
        return 0;
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - default_python), default_python);
    if (realpath(dir, real_python) != NULL && strcmp(real_home, real_python) == 0)
        return 1;
    /* home may name another directory with the same python in it
       (/usr/local/bin holding a link to /usr/bin/python3.11). */
    if (snprintf(dir, sizeof dir, "%s%s", home, slash) >= (int)sizeof dir
        || realpath(dir, real_home) == NULL || realpath(default_python, real_python) == NULL)
        return 0;
    return strcmp(real_home, real_python) == 0;
}

/* Whether version ("3.11.7", "3.11.7.final.0", "3.11") is major.minor. */
static int version_matches(const char *version, int major, int minor)
{
    char want[32];
    size_t n;

    n = (size_t)snprintf(want, sizeof(want), "%d.%d", major, minor);
    return strncmp(version, want, n) == 0 && (version[n] == '\0' || version[n] == '.');
}

static int copy_path(const char *path, char *out, size_t outlen, char *warn, size_t warnlen)
{
    if (strlen(path) >= outlen) {
        set_error(warn, warnlen, "path too long: %s", path);
        return -1;
    }
    memcpy(out, path, strlen(path) + 1);
    return 0;
}

int pyhd__python_executable(const char *(*getenv_fn)(const char *), const char *default_python,
                            int major, int minor, char *out, size_t outlen, char *warn,
                            size_t warnlen)
{
    const char *venv = getenv_fn("VIRTUAL_ENV");
    char cfg[4096], python[4096], version[256];
    FILE *f;
    int found;

    if (warnlen > 0)
        warn[0] = '\0';
    if (venv == NULL || venv[0] == '\0')
        return copy_path(default_python, out, outlen, warn, warnlen);
    if ((size_t)snprintf(cfg, sizeof(cfg), "%s/pyvenv.cfg", venv) >= sizeof(cfg) ||
        (size_t)snprintf(python, sizeof(python), "%s/bin/python", venv) >= sizeof(python)) {
        set_error(warn, warnlen, "warning: ignoring VIRTUAL_ENV: path too long");
        return copy_path(default_python, out, outlen, warn, 0);
    }
    /* Not a virtualenv: python would not care about VIRTUAL_ENV either. */
    f = fopen(cfg, "r");
    if (f == NULL)
        return copy_path(default_python, out, outlen, warn, warnlen);
    found = read_venv_version(f, version, sizeof(version)) == 0;
    fclose(f);
    if (!found) {
        set_error(warn, warnlen, "warning: ignoring virtualenv %s: %s names no Python "
                  "version", venv, cfg);
    } else if (!version_matches(version, major, minor)) {
        set_error(warn, warnlen, "warning: ignoring virtualenv %s: it is for Python %s, "
                  "pyhd-run runs Python %d.%d", venv, version, major, minor);
    } else if (access(python, X_OK) != 0) {
        set_error(warn, warnlen, "warning: ignoring virtualenv %s: %s: %s", venv, python,
                  strerror(errno));
    } else if (!venv_home_matches(cfg, default_python)) {
        set_error(warn, warnlen, "warning: ignoring virtualenv %s: it was made by another "
                  "build of Python %s (its pyvenv.cfg's home is not the directory of %s, "
                  "whose libpython pyhd-run embeds)", venv, version, default_python);
    } else {
        return copy_path(python, out, outlen, warn, warnlen);
    }
    return copy_path(default_python, out, outlen, warn, 0);
}
