/* redact.h: which names hold secrets (pure C), for the walker, the environment and argv. */
#ifndef PYHD_REDACT_H
#define PYHD_REDACT_H

#include <stddef.h>

/*
 * The rules: the built-in denylist (see redact.c and pyhd-run(1),
 * "Redaction"), plus extra patterns, minus kept names. extra and keep are
 * comma-separated lists (NULL: none), as --redact/PYHD_REDACT and
 * --keep/PYHD_KEEP give them. An extra pattern is an fnmatch-style glob
 * ("*" any run, "?" one character) matched against the whole name, ignoring
 * ASCII case; a kept name is compared whole, ignoring ASCII case, and wins
 * over both lists.
 */
struct pyhd_redact_rules {
    const char *extra;
    const char *keep;
};

/* Names longer than this are not checked: they are text, not names. */
#define PYHD_REDACT_MAX_NAME 128

/*
 * Whether name (len bytes, ASCII or Latin-1; other bytes never match a
 * letter) is sensitive: 1 or 0. Pure C, no allocation.
 */
int pyhd__redact_name(const struct pyhd_redact_rules *r, const char *name, size_t len);

/*
 * Where the secret in a command-line argument starts: for "--password=xyz"
 * (an option whose name is sensitive, given "=VALUE") the offset of the
 * value; for an argument that follows a sensitive option without "=" and
 * does not start with "-" ("--token xyz": prev is "--token"), 0. Returns -1
 * when arg holds no secret. prev may be NULL.
 */
long pyhd__redact_argument(const struct pyhd_redact_rules *r, const char *arg,
                           const char *prev);

#endif /* PYHD_REDACT_H */
