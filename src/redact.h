/* redact.h: which names and values hold secrets (pure C), for the walker, the environment and argv. */
#ifndef PYHD_REDACT_H
#define PYHD_REDACT_H

#include <stddef.h>
#include <stdint.h>

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

/* Whether name is one the user kept (--keep): no rule redacts what it names. */
int pyhd__redact_kept(const struct pyhd_redact_rules *r, const char *name, size_t len);

/*
 * Where the secret in a command-line argument starts: for "--password=xyz"
 * (an option whose name is sensitive, given "=VALUE") the offset of the
 * value; for an argument that follows a sensitive option without "=" and
 * does not start with "-" ("--token xyz": prev is "--token"), 0. Returns -1
 * when arg holds no secret. prev may be NULL.
 */
long pyhd__redact_argument(const struct pyhd_redact_rules *r, const char *arg,
                           const char *prev);

/*
 * Values: secrets recognized by their shape (redact_values.c), in text of
 * any name. Each rule has a name that the MANIFEST's Redacted-By-Rule and
 * pyhd-debug --audit show; PYHD_SECRET_NAME counts values redacted by their
 * name (the rules above), PYHD_SECRET_HIGH_ENTROPY random-looking values
 * under a key-like name the name rules missed (the walker applies it).
 */
enum pyhd_secret_rule {
    PYHD_SECRET_NAME,           /* bound to a sensitive name */
    PYHD_SECRET_URL_PASSWORD,   /* scheme://user:PASSWORD@host */
    PYHD_SECRET_PRIVATE_KEY,    /* the body of a PEM "-----BEGIN ... PRIVATE KEY-----" */
    PYHD_SECRET_JWT,            /* header.payload.signature, both parts "eyJ..." */
    PYHD_SECRET_CLOUD_KEY,      /* AWS access key ids (AKIA...), Google API keys (AIza...) */
    PYHD_SECRET_SERVICE_TOKEN,  /* GitHub ghp_/github_pat_, GitLab glpat-, Slack xox?-,
                                   Stripe sk_live_/rk_live_/whsec_ */
    PYHD_SECRET_AUTH_HEADER,    /* "Bearer TOKEN", "Basic BASE64" */
    PYHD_SECRET_ASSIGNMENT,     /* NAME=VALUE, NAME: VALUE, "NAME": "VALUE" with a
                                   sensitive NAME (password=, Authorization:, AccountKey=,
                                   ?token=, sig=): the value */
    PYHD_SECRET_NETRC,          /* .netrc text: the word after password, passwd, account */
    PYHD_SECRET_PGPASS,         /* .pgpass lines host:port:db:user:PASSWORD */
    PYHD_SECRET_HIGH_ENTROPY,
    PYHD_SECRET_RULES
};

/* One secret found in a text: [start, end) in code units, and the rule that found it. */
struct pyhd_secret_span {
    size_t start, end;
    unsigned rule;
};

/* Texts shorter than this are not scanned: no rule matches so little. */
#define PYHD_SECRET_MIN_TEXT 8
/* At most this many spans a text; a text with more is redacted from the last one on. */
#define PYHD_SECRET_MAX_SPANS 32

/*
 * Find the secrets in text (len code units, each given as one byte: ASCII as
 * itself, anything else as a byte >= 0x80). Fills spans (sorted, merged, at
 * most max) and returns their count. Name-based parts (NAME=VALUE) use r.
 * Pure C, no allocation, linear in len.
 */
size_t pyhd__redact_scan(const struct pyhd_redact_rules *r, const unsigned char *text,
                         size_t len, struct pyhd_secret_span *spans, size_t max);

/* A rule's name ("url-password", ...), for the MANIFEST and --audit. */
const char *pyhd__secret_rule_name(unsigned rule);

/*
 * The high-entropy rule: whether name is key-like (contains key, secret,
 * token, pass, auth, sig, salt, ... in any casing), and whether a value
 * looks random (16 to 512 ASCII characters without spaces: hex of 32 or more
 * at 3 bits a character, or letters and digits at 3.5 bits).
 */
int pyhd__redact_keylike_name(const char *name, size_t len);
int pyhd__redact_high_entropy(const unsigned char *text, size_t len);

struct pyhd_buf;

/*
 * Append text (UTF-8, len bytes) to out with every secret-shaped part
 * replaced by "<redacted N chars>" (with " #HASH" when key is given), and
 * count the parts by rule into counts (may be NULL). Returns the number of
 * parts (0: nothing appended, the text is clean), or -1 out of memory.
 */
int pyhd__redact_text(const struct pyhd_redact_rules *r, const unsigned char *text, size_t len,
                      const unsigned char *key, struct pyhd_buf *out,
                      uint64_t counts[PYHD_SECRET_RULES]);

/*
 * traceback.txt for --privacy=triage: the structure of python's traceback
 * text (its headers, its "File ..., line N, in NAME" lines, exception types,
 * the drawing of exception groups) without source lines or messages; each
 * message becomes "<redacted N chars>". Appends to out; 0, or -1 out of memory.
 */
int pyhd__redact_traceback_triage(const unsigned char *text, size_t len, struct pyhd_buf *out);

/*
 * Keyed hashes (--redact-hash, redact_key.c): SipHash-2-4 of a redacted
 * value's bytes under a key of PYHD_REDACT_KEY_LEN random bytes that each
 * dump directory keeps in PYHD_REDACT_KEY_FILE (mode 0600, made on first use).
 * pyhd__redact_key_load() reads or creates it: 0, or -1 with err (one line).
 */
#define PYHD_REDACT_KEY_LEN 16
#define PYHD_REDACT_KEY_FILE ".pyhd-redact-key"
uint64_t pyhd__redact_hash(const unsigned char key[PYHD_REDACT_KEY_LEN], const void *data,
                           size_t len);
int pyhd__redact_key_load(const char *dir, unsigned char key[PYHD_REDACT_KEY_LEN], char *err,
                          size_t errlen);

#endif /* PYHD_REDACT_H */
