/* redact.c: the name matcher behind redaction: which names hold secrets. Pure C. */
#include "redact.h"

#include <string.h>

/*
 * A name is first normalized: ASCII letters lowercased, a word break put
 * where camelCase or an acronym ends ("apiKey", "APIKey" -> "api_key"), and
 * every other character ("-", ".", " ", ...) made a word break, so that
 * "X-Api-Key", "x.api.key" and "xApiKey" all read "x_api_key". Then:
 *
 *  - compact_secrets: the name with its breaks removed contains one of these
 *    ("db_password", "AWS_SECRET_ACCESS_KEY", "dbpassword", "x_api_key"):
 *    long words, or compounds, that mean a secret wherever they appear;
 *  - word_secrets: one of its words is one of these, whole: short words that
 *    would match too much inside longer ones ("auth" is in "author", "token"
 *    in "tokenizer" and in Flask's "_cv_tokens", "secret" in "secretary").
 *
 * Together they cover Sentry's default denylist (password, passwd, secret,
 * api_key, apikey, auth, credentials, mysql_pwd, privatekey, private_key,
 * token, session, csrftoken, sessionid, x_csrftoken, x_forwarded_for,
 * set_cookie, cookie, authorization, proxy-authorization, x_api_key).
 */
static const char *const compact_secrets[] = {
    "password", "passwd", "passphrase", "passcode", "credential", "authorization",
    "privatekey", "apikey", "accesskey", "secretkey", "accountkey", "sharedaccesskey",
    "clientsecret", "sessionid", "csrftoken", "xsrftoken", "mysqlpwd", "setcookie",
    "xforwardedfor", "accesstoken", "refreshtoken", "authtoken", "apitoken", "idtoken",
    "bearertoken", "sessiontoken", "secrettoken",
};

static const char *const word_secrets[] = {
    "secret", "secrets", "token", "auth", "pwd", "pass", "session", "sid", "jwt",
    "bearer", "otp", "pin", "dsn", "cookie", "cookies", "csrf", "xsrf",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_lower_or_digit(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static unsigned char lower(unsigned char c)
{
    return is_upper(c) ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Normalize name into out (words separated by single '_'); returns its length. */
static size_t normalize(const char *name, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        unsigned char prev = i > 0 ? (unsigned char)name[i - 1] : 0;
        unsigned char next = i + 1 < len ? (unsigned char)name[i + 1] : 0;
        if (is_upper(c)) {
            /* "apiKey": lower then upper; "APIKey": the K before "ey". */
            if (is_lower_or_digit(prev) || (is_upper(prev) && next >= 'a' && next <= 'z'))
                if (n > 0 && out[n - 1] != '_')
                    out[n++] = '_';
            out[n++] = (char)lower(c);
        } else if (is_lower_or_digit(c)) {
            out[n++] = (char)c;
        } else if (n > 0 && out[n - 1] != '_') {
            out[n++] = '_';
        }
    }
    if (n > 0 && out[n - 1] == '_')
        n--;
    return n;
}

static int word_in(const char *word, size_t len, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (list[i][0] == word[0] && strlen(list[i]) == len && memcmp(list[i], word, len) == 0)
            return 1;
    return 0;
}

static int contains(const char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    if (m > n)
        return 0;
    for (size_t i = 0; i + m <= n; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0)
            return 1;
    return 0;
}

static int builtin_match(const char *name, size_t len)
{
    /* The shell's current and previous directory, not a password. */
    if ((len == 3 && memcmp(name, "PWD", 3) == 0) || (len == 6 && memcmp(name, "OLDPWD", 6) == 0))
        return 0;
    char norm[2 * PYHD_REDACT_MAX_NAME], compact[2 * PYHD_REDACT_MAX_NAME];
    size_t n = normalize(name, len, norm), c = 0;

    for (size_t start = 0; start < n;) {
        size_t end = start;
        while (end < n && norm[end] != '_')
            end++;
        if (end > start && word_in(norm + start, end - start, word_secrets, COUNT(word_secrets)))
            return 1;
        memcpy(compact + c, norm + start, end - start);
        c += end - start;
        start = end + 1;
    }
    for (size_t i = 0; i < COUNT(compact_secrets); i++)
        if (contains(compact, c, compact_secrets[i]))
            return 1;
    return 0;
}

/* fnmatch-style glob, "*" and "?", ignoring ASCII case; iterative with one backtrack point. */
static int glob_match(const char *pat, size_t plen, const char *s, size_t slen)
{
    size_t p = 0, i = 0, star_p = (size_t)-1, star_i = 0;
    while (i < slen) {
        if (p < plen && pat[p] == '*') {
            star_p = p++;
            star_i = i;
        } else if (p < plen && (pat[p] == '?'
                                || lower((unsigned char)pat[p]) == lower((unsigned char)s[i]))) {
            p++;
            i++;
        } else if (star_p != (size_t)-1) {
            p = star_p + 1;
            i = ++star_i;
        } else {
            return 0;
        }
    }
    while (p < plen && pat[p] == '*')
        p++;
    return p == plen;
}

static int equal_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* Whether an item of the comma-separated list matches name (glob or whole name). */
static int list_match(const char *list, const char *name, size_t len, int glob)
{
    while (list != NULL && *list != '\0') {
        size_t n = strcspn(list, ",");
        if (n > 0 && (glob ? glob_match(list, n, name, len) : equal_nocase(list, n, name, len)))
            return 1;
        list += n;
        if (*list == ',')
            list++;
    }
    return 0;
}

int pyhd__redact_kept(const struct pyhd_redact_rules *r, const char *name, size_t len)
{
    return len > 0 && len <= PYHD_REDACT_MAX_NAME && list_match(r->keep, name, len, 0);
}

int pyhd__redact_name(const struct pyhd_redact_rules *r, const char *name, size_t len)
{
    if (len == 0 || len > PYHD_REDACT_MAX_NAME)
        return 0;
    if (list_match(r->keep, name, len, 0))
        return 0;
    return builtin_match(name, len) || list_match(r->extra, name, len, 1);
}

/* The option name of an argument: after its dashes, up to "=" (or the end). */
static int option_name(const char *arg, const char **name, size_t *len)
{
    if (arg == NULL || arg[0] != '-')
        return 0;
    while (*arg == '-')
        arg++;
    *name = arg;
    *len = strcspn(arg, "=");
    return *len > 0;
}

long pyhd__redact_argument(const struct pyhd_redact_rules *r, const char *arg,
                           const char *prev)
{
    const char *name;
    size_t len;

    if (option_name(arg, &name, &len)) {
        if (name[len] == '=' && pyhd__redact_name(r, name, len))
            return (long)(name + len + 1 - arg);
        return -1;
    }
    if (option_name(prev, &name, &len) && name[len] == '\0' && pyhd__redact_name(r, name, len))
        return 0;
    return -1;
}
