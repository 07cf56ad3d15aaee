/* options.h: pyhd-run's own settings, from its long options and PYHD_* variables. */
#ifndef PYHD_OPTIONS_H
#define PYHD_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

/* Default budgets of the graph walker (see pyhd-run(1), "Budgets"). */
#define PYHD_DEFAULT_MAX_SIZE ((uint64_t)1 << 30)    /* uncompressed record bytes */
#define PYHD_MAX_MAX_SIZE ((uint64_t)3 << 30)        /* a larger --max-size counts as this:
                                                        the graph stays below the 4 GiB that
                                                        pyhd-debug reads (decode.h) */
#define PYHD_DEFAULT_MAX_STRING ((uint64_t)1 << 20)  /* code points / bytes per object */
#define PYHD_DEFAULT_MAX_ITEMS ((uint64_t)10000000)  /* items per container */
/* Default retention (see pyhd-run(1), "Retention"). */
#define PYHD_DEFAULT_MAX_DUMPS ((uint64_t)100)        /* pyhd dumps kept */
#define PYHD_DEFAULT_MAX_USE ((uint64_t)1 << 30)       /* bytes they may use */
#define PYHD_DEFAULT_KEEP_FREE ((uint64_t)256 << 20)   /* free bytes left on the disk */
/* Seconds a dump in a forked child may take (see pyhd-run(1), "Triggers"). */
#define PYHD_DEFAULT_DUMP_TIMEOUT 60

struct pyhd_options {
    char *dump_dir;       /* malloc'd; NULL: the current directory */
    char *dump_name;      /* malloc'd; NULL: pyhd-PROGRAM-PID-UTCTIME.dump */
    int enabled;          /* 0 with --no-dump or PYHD_DISABLE=1 */
    int quiet;            /* --quiet / PYHD_QUIET=1: no "pyhd:" line on success */
    uint64_t max_size;    /* --max-size / PYHD_MAX_SIZE */
    uint64_t max_string;  /* --max-string / PYHD_MAX_STRING */
    uint64_t max_items;   /* --max-items / PYHD_MAX_ITEMS */
    int repr_all;         /* --repr-all / PYHD_REPR_ALL=1: call repr() on opaque objects */
    int dump_on_interrupt; /* 0 with --no-dump-on-interrupt / PYHD_NO_DUMP_ON_INTERRUPT=1 */
    int dump_signal;      /* --dump-signal / PYHD_DUMP_SIGNAL: SIGURG by default, 0: none */
    int dump_fork;        /* --dump-fork / PYHD_DUMP_FORK=1: on-demand dumps in a child */
    unsigned dump_timeout; /* --dump-timeout / PYHD_DUMP_TIMEOUT: seconds a forked dump
                              may take */
    int privacy;          /* --privacy / PYHD_PRIVACY: PYHD_PRIVACY_* */
    int redact;           /* names and values are redacted: 0 with --privacy=full,
                             --no-redact, PYHD_NO_REDACT=1 */
    int redact_hash;      /* --redact-hash / PYHD_REDACT_HASH=1: redacted values carry a
                             keyed hash (the key per dump directory) */
    char *redact_patterns; /* malloc'd, comma-separated: --redact (repeatable) / PYHD_REDACT */
    char *keep_names;     /* malloc'd, comma-separated: --keep (repeatable) / PYHD_KEEP */
    int keep_environ;     /* 0 with --no-environ / PYHD_NO_ENVIRON=1 */
    int keep_sources;     /* 0 with --no-sources / PYHD_NO_SOURCES=1 */
    uint64_t max_dumps;   /* --max-dumps / PYHD_MAX_DUMPS: pyhd dumps kept in the dump
                             directory (0: no limit) */
    uint64_t max_use;     /* --max-use / PYHD_MAX_USE: bytes they may use (0: no limit) */
    uint64_t keep_free;   /* --keep-free / PYHD_KEEP_FREE: no dump below this free space */
};

/* --privacy levels (pyhd-run(1), "Privacy levels"). */
#define PYHD_PRIVACY_FULL 0      /* everything as it is: no redaction */
#define PYHD_PRIVACY_DEFAULT 1   /* values under sensitive names and secret-shaped values */
#define PYHD_PRIVACY_TRIAGE 2    /* ... and no str, bytes or number contents, no
                                    environment, no sources: shapes, types, lengths */

/* The level's name ("full", "default", "triage"). */
const char *pyhd__privacy_name(int level);

/* What pyhd__options_parse() asks the caller to do. */
enum pyhd_parse_result {
    PYHD_PARSE_RUN = 0,      /* run python with argv[*consumed..] */
    PYHD_PARSE_HELP = 1,     /* print pyhd__options_usage() to stdout, exit 0 */
    PYHD_PARSE_VERSION = 2,  /* print the version to stdout, exit 0 */
    PYHD_PARSE_ERROR = -1,   /* err holds one line; exit 2 */
};

/* Set every field to its default. */
void pyhd__options_init(struct pyhd_options *o);
/* Free what the options own; leaves o as after pyhd__options_init(). */
void pyhd__options_free(struct pyhd_options *o);

/*
 * Apply PYHD_* variables (read through getenv_fn, so tests can pass their own),
 * then the long options at the front of argv[1..]; stops at the first argument
 * that is not a pyhd option. *consumed receives the index of that argument.
 * Pure C; returns a pyhd_parse_result, filling err (one line) on error.
 */
int pyhd__options_parse(struct pyhd_options *o, int argc, char *const *argv,
                        const char *(*getenv_fn)(const char *), int *consumed,
                        char *err, size_t errlen);

/* The --help text (the same as man/pyhd-run.1 says). */
const char *pyhd__options_usage(void);

/* Parse a --dump-signal value: "URG" or "SIGURG" (also USR1, USR2, HUP,
   QUIT, TERM), or "none" (0). 0 on success, -1 if s names no such signal. */
int pyhd__parse_signal(const char *s, int *out);
/* The name --dump-signal gives signum ("USR1"), "none" for 0, "?" otherwise. */
const char *pyhd__signal_name(int signum);

/* Parse a size such as "512", "64K", "1M", "2G" (powers of 1024). 0 on success. */
int pyhd__parse_size(const char *s, uint64_t *out);

/* Make o->dump_dir absolute against the current directory (the current
   directory itself when it is NULL), so that a program's chdir() does not move
   its dump. Pure C; 0, or -1 with err set (one line). */
int pyhd__options_resolve_dump_dir(struct pyhd_options *o, char *err, size_t errlen);

/*
 * Choose the python that sys.executable names: VIRTUAL_ENV's bin/python when
 * VIRTUAL_ENV (read through getenv_fn) is a virtualenv (it has pyvenv.cfg) for
 * Python major.minor, otherwise default_python. out receives the path. A
 * virtualenv that cannot be used sets warn to one line; otherwise warn is "".
 * Pure C; 0, or -1 with warn set if the chosen path does not fit in out.
 */
int pyhd__python_executable(const char *(*getenv_fn)(const char *), const char *default_python,
                            int major, int minor, char *out, size_t outlen, char *warn,
                            size_t warnlen);

#endif /* PYHD_OPTIONS_H */
