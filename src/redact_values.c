/* redact_values.c: the value matcher behind redaction: secrets recognized by their shape. Pure C. */
#include "redact.h"

#include "buf.h"

#include <math.h>
#include <string.h>

/*
 * The scanner reads text as bytes: an ASCII character is itself, anything
 * else (a non-ASCII code point, a UTF-8 continuation byte) matches no rule
 * character, so offsets are code-unit offsets of the caller's text.
 *
 * It makes one pass over the text. Most characters are rejected by one table
 * lookup (interesting[]); a candidate character starts the rule that can
 * begin there, and a match moves the pass past what it redacted. Rules over
 * whole lines (.netrc, .pgpass) run afterwards, only when their keyword or
 * enough colons were seen. Spans are then sorted and merged.
 */

static const char *const rule_names[PYHD_SECRET_RULES] = {
    [PYHD_SECRET_NAME] = "name",
    [PYHD_SECRET_URL_PASSWORD] = "url-password",
    [PYHD_SECRET_PRIVATE_KEY] = "private-key",
    [PYHD_SECRET_JWT] = "jwt",
    [PYHD_SECRET_CLOUD_KEY] = "cloud-key",
    [PYHD_SECRET_SERVICE_TOKEN] = "service-token",
    [PYHD_SECRET_AUTH_HEADER] = "auth-header",
    [PYHD_SECRET_ASSIGNMENT] = "assignment",
    [PYHD_SECRET_NETRC] = "netrc",
    [PYHD_SECRET_PGPASS] = "pgpass",
    [PYHD_SECRET_HIGH_ENTROPY] = "high-entropy",
};

const char *pyhd__secret_rule_name(unsigned rule)
{
    return rule < PYHD_SECRET_RULES ? rule_names[rule] : "?";
}

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(unsigned char c)
{
    return is_alpha(c) || is_digit(c);
}

/* base64url, the alphabet of JWT segments and most API tokens. */
static int is_b64url(unsigned char c)
{
    return is_alnum(c) || c == '-' || c == '_';
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static int has_prefix(const unsigned char *t, size_t len, size_t at, const char *prefix)
{
    size_t n = strlen(prefix);
    return at + n <= len && memcmp(t + at, prefix, n) == 0;
}

static int has_prefix_nocase(const unsigned char *t, size_t len, size_t at, const char *prefix)
{
    size_t n = strlen(prefix);
    if (at + n > len)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(t[at + i]) != (unsigned char)prefix[i])
            return 0;
    return 1;
}

/* Whether a token may start at i: not in the middle of a word or token. */
static int token_start(const unsigned char *t, size_t i)
{
    return i == 0 || !(is_b64url(t[i - 1]) || t[i - 1] == '.');
}

static size_t run(const unsigned char *t, size_t len, size_t i, int (*ok)(unsigned char))
{
    size_t j = i;
    while (j < len && ok(t[j]))
        j++;
    return j;
}

struct scan {
    const unsigned char *text;
    struct pyhd_secret_span *spans;
    size_t n, max;
};

static void add(struct scan *s, size_t start, size_t end, unsigned rule)
{
    /* What pyhd-run already put in a secret's place is no secret: rescanning is a no-op. */
    if (end - start >= 9 && memcmp(s->text + start, "<redacted", 9) == 0)
        return;
    if (end > start && s->n < s->max) {
        s->spans[s->n].start = start;
        s->spans[s->n].end = end;
        s->spans[s->n].rule = rule;
        s->n++;
    }
}

/* scheme://user:PASSWORD@host: t[i] is the first character after "://". */
static size_t url_password(struct scan *s, const unsigned char *t, size_t len, size_t i)
{
    size_t colon = 0, j;
    for (j = i; j < len; j++) {
        unsigned char c = t[j];
        if (c == '@')
            break;
        if (c == '/' || c == '?' || c == '#' || is_space(c) || c == '"' || c == '\''
            || c == '<' || c == '>')
            return i;
        if (c == ':' && colon == 0)
            colon = j;
    }
    if (j == len || colon == 0 || colon + 1 == j)
        return i;
    add(s, colon + 1, j, PYHD_SECRET_URL_PASSWORD);
    return j;
}

/* -----BEGIN ... PRIVATE KEY----- BODY -----END ...: the body goes. */
static size_t private_key(struct scan *s, const unsigned char *t, size_t len, size_t i)
{
    size_t j = i + 11, line_end, body, end;
    for (line_end = j; line_end < len && t[line_end] != '\n'; line_end++)
        ;
    /* The header closes with "-----" on its own line and names a private key. */
    for (body = j; body + 5 <= line_end; body++)
        if (memcmp(t + body, "-----", 5) == 0)
            break;
    if (body + 5 > line_end)
        return i;
    {
        int named = 0;
        for (size_t k = j; k + 11 <= body; k++)
            if (memcmp(t + k, "PRIVATE KEY", 11) == 0)
                named = 1;
        if (!named)
            return i;
    }
    body += 5;
    for (end = body; end + 8 <= len; end++)
        if (memcmp(t + end, "-----END", 8) == 0)
            break;
    if (end + 8 > len)
        end = len;
    add(s, body, end, PYHD_SECRET_PRIVATE_KEY);
    return end > i ? end - 1 : i;
}

/* header.payload.signature, both JSON parts base64url of "{\"": "eyJ". */
static size_t jwt(struct scan *s, const unsigned char *t, size_t len, size_t i)
{
    size_t a = run(t, len, i, is_b64url), b, c;
    if (a - i < 10 || a >= len || t[a] != '.' || !has_prefix(t, len, a + 1, "eyJ"))
        return i;
    b = run(t, len, a + 1, is_b64url);
    if (b - a - 1 < 10 || b >= len || t[b] != '.')
        return i;
    c = run(t, len, b + 1, is_b64url);
    if (c - b - 1 < 8)
        return i;
    add(s, i, c, PYHD_SECRET_JWT);
    return c - 1;
}

static int is_upper_or_digit(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || is_digit(c);
}

static int is_token_char(unsigned char c)
{
    return is_alnum(c) || c == '_';
}

static int is_slack_char(unsigned char c)
{
    return is_alnum(c) || c == '-';
}

/* Credentials that announce themselves by a fixed prefix. */
static const struct prefixed {
    const char *prefix;
    int (*charset)(unsigned char);
    size_t min, max;   /* length of the part after the prefix (max 0: any) */
    unsigned rule;
} prefixed[] = {
    /* AWS access key ids, by resource type. */
    {"AKIA", is_upper_or_digit, 16, 16, PYHD_SECRET_CLOUD_KEY},
    {"ASIA", is_upper_or_digit, 16, 16, PYHD_SECRET_CLOUD_KEY},
    {"AGPA", is_upper_or_digit, 16, 16, PYHD_SECRET_CLOUD_KEY},
    {"AIDA", is_upper_or_digit, 16, 16, PYHD_SECRET_CLOUD_KEY},
    {"AROA", is_upper_or_digit, 16, 16, PYHD_SECRET_CLOUD_KEY},
    {"AIPA", is_upper_or_digit, 16, 16, PYHD_SECRET_CLOUD_KEY},
    {"ANPA", is_upper_or_digit, 16, 16, PYHD_SECRET_CLOUD_KEY},
    {"ANVA", is_upper_or_digit, 16, 16, PYHD_SECRET_CLOUD_KEY},
    {"APKA", is_upper_or_digit, 16, 16, PYHD_SECRET_CLOUD_KEY},
    /* Google Cloud API keys. */
    {"AIza", is_b64url, 35, 35, PYHD_SECRET_CLOUD_KEY},
    /* GitHub, GitLab, Slack, Stripe. */
    {"ghp_", is_alnum, 36, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"gho_", is_alnum, 36, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"ghu_", is_alnum, 36, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"ghs_", is_alnum, 36, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"ghr_", is_alnum, 36, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"github_pat_", is_token_char, 22, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"glpat-", is_b64url, 20, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"xoxb-", is_slack_char, 10, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"xoxp-", is_slack_char, 10, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"xoxa-", is_slack_char, 10, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"xoxo-", is_slack_char, 10, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"xoxr-", is_slack_char, 10, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"xoxs-", is_slack_char, 10, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"sk_live_", is_alnum, 16, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"sk_test_", is_alnum, 16, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"rk_live_", is_alnum, 16, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"rk_test_", is_alnum, 16, 0, PYHD_SECRET_SERVICE_TOKEN},
    {"whsec_", is_alnum, 16, 0, PYHD_SECRET_SERVICE_TOKEN},
};

static size_t prefixed_token(struct scan *s, const unsigned char *t, size_t len, size_t i)
{
    for (size_t k = 0; k < sizeof prefixed / sizeof prefixed[0]; k++) {
        const struct prefixed *p = &prefixed[k];
        size_t plen, end;
        if ((unsigned char)p->prefix[0] != t[i] || !has_prefix(t, len, i, p->prefix))
            continue;
        plen = strlen(p->prefix);
        end = run(t, len, i + plen, p->charset);
        if (end - i - plen < p->min || (p->max && end - i - plen != p->max))
            continue;
        if (end < len && is_b64url(t[end]))
            continue;  /* part of a longer word */
        add(s, i, end, p->rule);
        return end - 1;
    }
    return i;
}

static int is_auth_token_char(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '='
           || c == '-';
}

/* "Bearer TOKEN", "Basic BASE64" (an Authorization value seen without its header). */
static size_t auth_scheme(struct scan *s, const unsigned char *t, size_t len, size_t i)
{
    size_t j;
    if (has_prefix_nocase(t, len, i, "bearer"))
        j = i + 6;
    else if (has_prefix_nocase(t, len, i, "basic"))
        j = i + 5;
    else
        return i;
    if (j >= len || (t[j] != ' ' && t[j] != '\t'))
        return i;
    while (j < len && (t[j] == ' ' || t[j] == '\t'))
        j++;
    size_t end = run(t, len, j, is_auth_token_char);
    if (end - j < 8)
        return i;
    add(s, j, end, PYHD_SECRET_AUTH_HEADER);
    return end - 1;
}

static int is_name_char(unsigned char c)
{
    return is_alnum(c) || c == '_' || c == '-' || c == '.';
}

/* Whether name (n bytes) is one of the count lower-case names, in any case. */
static int one_of_nocase(const unsigned char *name, size_t n, const char *const *names,
                         size_t count)
{
    for (size_t k = 0; k < count; k++) {
        if (strlen(names[k]) == n && has_prefix_nocase(name, n, 0, names[k]))
            return 1;
    }
    return 0;
}

/* Names that mark a secret in text though they are too vague for variable names. */
static int value_only_name(const unsigned char *name, size_t n)
{
    static const char *const names[] = {"sig", "signature", "x-amz-signature",
                                        "x-amz-credential", "x-goog-signature"};
    return one_of_nocase(name, n, names, sizeof names / sizeof names[0]);
}

/* Header-like names whose value runs to the end of the line ("Bearer abc", "a=1; b=2"). */
static int line_valued(const unsigned char *name, size_t n)
{
    static const char *const names[] = {"authorization", "proxy-authorization", "cookie",
                                        "set-cookie"};
    return one_of_nocase(name, n, names, sizeof names / sizeof names[0]);
}

/*
 * NAME=VALUE, NAME: VALUE, "NAME": "VALUE", ?NAME=VALUE&, with a sensitive
 * NAME: t[i] is the "=" or ":". The value goes; the name stays.
 */
static size_t assignment(struct scan *s, const struct pyhd_redact_rules *r,
                         const unsigned char *t, size_t len, size_t i)
{
    size_t name_end = i, name_start, j;
    unsigned char quote = 0;
    if (t[i] == '=' && ((i + 1 < len && t[i + 1] == '=') || (i > 0 && t[i - 1] != 0 && strchr("=!<>", t[i - 1]))))
        return i;  /* a comparison */
    while (name_end > 0 && (t[name_end - 1] == ' ' || t[name_end - 1] == '\t'))
        name_end--;
    if (name_end > 0 && (t[name_end - 1] == '"' || t[name_end - 1] == '\''))
        name_end--;
    name_start = name_end;
    while (name_start > 0 && name_end - name_start < PYHD_REDACT_MAX_NAME
           && is_name_char(t[name_start - 1]))
        name_start--;
    if (name_start == name_end || (name_start > 0 && is_name_char(t[name_start - 1])))
        return i;
    if (!value_only_name(t + name_start, name_end - name_start)
        && !pyhd__redact_name(r, (const char *)t + name_start, name_end - name_start))
        return i;
    j = i + 1;
    while (j < len && (t[j] == ' ' || t[j] == '\t'))
        j++;
    if (j < len && (t[j] == '"' || t[j] == '\'')) {
        quote = t[j++];
    }
    size_t start = j;
    int whole_line = line_valued(t + name_start, name_end - name_start);
    while (j < len && t[j] != '\n' && t[j] != '\r') {
        unsigned char c = t[j];
        if (quote ? c == quote
                  : (!whole_line && (is_space(c) || c == '&' || c == ';' || c == ','
                                     || c == '"' || c == '\'' || c == '}' || c == ')'
                                     || c == ']' || c == '<' || c == '>')))
            break;
        j++;
    }
    if (j == start)
        return i;
    add(s, start, j, PYHD_SECRET_ASSIGNMENT);
    return j > i ? j - 1 : i;
}

/* .netrc: "machine HOST login USER password SECRET" (also "passwd", "account"). */
static void netrc(struct scan *s, const unsigned char *t, size_t len)
{
    size_t i = 0;
    int take_next = 0;
    while (i < len) {
        while (i < len && is_space(t[i]))
            i++;
        size_t start = i;
        while (i < len && !is_space(t[i]))
            i++;
        if (start == i)
            break;
        if (take_next) {
            add(s, start, i, PYHD_SECRET_NETRC);
            take_next = 0;
            continue;
        }
        size_t n = i - start;
        take_next = (n == 8 && memcmp(t + start, "password", 8) == 0)
                    || (n == 6 && memcmp(t + start, "passwd", 6) == 0)
                    || (n == 7 && memcmp(t + start, "account", 7) == 0);
    }
}

/* .pgpass: a line "host:port:database:user:password" (port digits or "*"). */
static void pgpass(struct scan *s, const unsigned char *t, size_t len)
{
    size_t line = 0;
    while (line < len) {
        size_t end = line, field = 0, starts[5] = {0};
        int ok = 1;
        starts[0] = line;
        while (end < len && t[end] != '\n') {
            if (t[end] == '\\' && end + 1 < len) {
                end += 2;
                continue;
            }
            if (t[end] == ':' && field < 4)
                starts[++field] = end + 1;
            else if (is_space(t[end]) && t[end] != '\r')
                ok = 0;
            end++;
        }
        if (ok && field == 4) {
            /* The port field: digits or "*", and every field before the password non-empty. */
            for (size_t k = starts[1]; k + 1 < starts[2]; k++)
                if (!is_digit(t[k]) && t[k] != '*')
                    ok = 0;
            for (size_t f = 1; f < 5; f++)
                if (starts[f] - 1 == starts[f - 1])
                    ok = 0;
            size_t stop = end > starts[4] && t[end - 1] == '\r' ? end - 1 : end;
            if (ok && stop > starts[4])
                add(s, starts[4], stop, PYHD_SECRET_PGPASS);
        }
        line = end + 1;
    }
}

/* Which characters can start a rule in the main pass. */
static const unsigned char interesting[256] = {
    [':'] = 1, ['='] = 1, ['-'] = 1, ['e'] = 1, ['A'] = 1, ['g'] = 1, ['x'] = 1,
    ['s'] = 1, ['r'] = 1, ['w'] = 1, ['B'] = 1, ['b'] = 1,
};

static int by_start(const struct pyhd_secret_span *a, const struct pyhd_secret_span *b)
{
    return a->start < b->start || (a->start == b->start && a->end > b->end);
}

size_t pyhd__redact_scan(const struct pyhd_redact_rules *r, const unsigned char *t, size_t len,
                         struct pyhd_secret_span *spans, size_t max)
{
    struct scan s = {t, spans, 0, max};
    size_t colons = 0;
    int netrc_words = 0;
    if (len < PYHD_SECRET_MIN_TEXT || max == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = t[i];
        if (!interesting[c])
            continue;
        switch (c) {
        case ':':
            colons++;
            if (i > 0 && is_alnum(t[i - 1]) && has_prefix(t, len, i, "://")) {
                i = url_password(&s, t, len, i + 3);
                break;
            }
            i = assignment(&s, r, t, len, i);
            break;
        case '=':
            i = assignment(&s, r, t, len, i);
            break;
        case '-':
            if (has_prefix(t, len, i, "-----BEGIN "))
                i = private_key(&s, t, len, i);
            break;
        case 'e':
            if (token_start(t, i) && has_prefix(t, len, i, "eyJ"))
                i = jwt(&s, t, len, i);
            break;
        case 'B':
        case 'b':
            if (token_start(t, i))
                i = auth_scheme(&s, t, len, i);
            break;
        default:
            if (token_start(t, i))
                i = prefixed_token(&s, t, len, i);
            break;
        }
    }
    /* Line rules, only for text that looks like such a file. */
    for (size_t i = 0; i + 7 <= len && !netrc_words; i++)
        if (t[i] == 'm' && memcmp(t + i, "machine", 7) == 0 && token_start(t, i))
            netrc_words = 1;
    if (netrc_words)
        netrc(&s, t, len);
    if (colons >= 4)
        pgpass(&s, t, len);
    /* Sort by start (insertion sort: a handful of spans), then merge overlaps. */
    for (size_t i = 1; i < s.n; i++) {
        struct pyhd_secret_span key = spans[i];
        size_t j = i;
        while (j > 0 && by_start(&key, &spans[j - 1])) {
            spans[j] = spans[j - 1];
            j--;
        }
        spans[j] = key;
    }
    size_t out = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (out > 0 && spans[i].start <= spans[out - 1].end) {
            if (spans[i].end > spans[out - 1].end)
                spans[out - 1].end = spans[i].end;
            continue;
        }
        spans[out++] = spans[i];
    }
    return out;
}

int pyhd__redact_keylike_name(const char *name, size_t len)
{
    /* Inside a name without breaks ("mytoken", "SIGNINGSECRET"), but "key" only at a
       word's end ("apikey", "signingKey", "key_id"), not in "keyword" or "keyboard". */
    static const char *const parts[] = {"secret", "token", "pass", "pwd", "auth", "sig",
                                        "salt", "hmac", "cred", "private", "cookie",
                                        "session", "key"};
    if (len == 0 || len > PYHD_REDACT_MAX_NAME)
        return 0;
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        size_t m = strlen(parts[k]);
        for (size_t i = 0; i + m <= len; i++) {
            size_t j = 0;
            while (j < m && lower((unsigned char)name[i + j]) == (unsigned char)parts[k][j])
                j++;
            if (j < m)
                continue;
            if (strcmp(parts[k], "key") != 0)
                return 1;
            unsigned char next = i + m < len ? (unsigned char)name[i + m] : 0;
            if (!(next >= 'a' && next <= 'z') || (next == 's' && i + m + 1 == len))
                return 1;
        }
    }
    return 0;
}

int pyhd__redact_high_entropy(const unsigned char *t, size_t len)
{
    unsigned counts[256] = {0};
    int letters = 0, digits = 0, hex = 1;
    size_t separators = 0;
    double bits = 0.0;
    size_t slashes = 0;
    if (len < 16 || len > 512 || t[0] == '/' || t[0] == '.' || t[0] == '~')
        return 0;  /* a path, not a key */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = t[i];
        if (is_space(c) || c >= 0x80 || (c == '/' && ++slashes > 2))
            return 0;
        counts[c]++;
        separators += c == '-' || c == '_' || c == '.';
        letters += is_alpha(c);
        digits += is_digit(c);
        if (!is_digit(c) && !((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            hex = 0;
    }
    /* Words joined by separators ("tok-Visible-0102") are names, not keys: a random
       base64url string has one separator in 32 characters. */
    if (separators * 10 > len)
        return 0;
    for (int c = 0; c < 256; c++)
        if (counts[c]) {
            double p = (double)counts[c] / (double)len;
            bits -= p * log2(p);
        }
    /* Random hex carries at most 4 bits a character, base64 6: words and sentences less. */
    if (hex && len >= 32)
        return bits >= 3.0;
    return letters > 0 && digits > 0 && bits >= 3.5;
}

/* Code points of UTF-8 bytes: every byte that is not a continuation byte. */
static size_t utf8_chars(const unsigned char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (s[i] & 0xC0) != 0x80;
    return c;
}

int pyhd__redact_text(const struct pyhd_redact_rules *r, const unsigned char *text, size_t len,
                      const unsigned char *key, struct pyhd_buf *out,
                      uint64_t counts[PYHD_SECRET_RULES])
{
    struct pyhd_secret_span spans[PYHD_SECRET_MAX_SPANS];
    size_t n = pyhd__redact_scan(r, text, len, spans, PYHD_SECRET_MAX_SPANS), at = 0;
    if (n == 0)
        return 0;
    if (n == PYHD_SECRET_MAX_SPANS)
        spans[n - 1].end = len;
    for (size_t i = 0; i < n; i++) {
        /* A span never splits a character: its ends are ASCII or the text's end. */
        size_t count = utf8_chars(text + spans[i].start, spans[i].end - spans[i].start);
        if (pyhd__buf_append(out, text + at, spans[i].start - at) < 0)
            return -1;
        if ((key != NULL
                 ? pyhd__buf_printf(out, "<redacted %zu chars #%08llx>", count,
                                    (unsigned long long)(pyhd__redact_hash(
                                        key, text + spans[i].start,
                                        spans[i].end - spans[i].start) >> 32))
                 : pyhd__buf_printf(out, "<redacted %zu chars>", count)) < 0)
            return -1;
        if (counts != NULL)
            counts[spans[i].rule]++;
        at = spans[i].end;
    }
    if (pyhd__buf_append(out, text + at, len - at) < 0)
        return -1;
    return (int)n;
}

/* A line of a traceback that triage keeps as it is: structure, not contents. */
static int structural_line(const unsigned char *s, size_t n)
{
    static const char *const kept[] = {
        "Traceback (most recent call last):",
        "During handling of the above exception, another exception occurred:",
        "The above exception was the direct cause of the following exception:",
        "Exception Group Traceback (most recent call last):",
    };
    if (n >= 6 && memcmp(s, "File \"", 6) == 0)
        return 1;
    for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++)
        if (n == strlen(kept[k]) && memcmp(s, kept[k], n) == 0)
            return 1;
    return 0;
}

int pyhd__redact_traceback_triage(const unsigned char *text, size_t len, struct pyhd_buf *out)
{
    size_t line = 0;
    while (line < len) {
        size_t end = line;
        while (end < len && text[end] != '\n')
            end++;
        /* Exception groups draw boxes: "  | ", "  +-+---- 1 ----": keep the drawing. */
        size_t body = line;
        while (body < end && (text[body] == ' ' || text[body] == '|' || text[body] == '+'
                              || text[body] == '-'))
            body++;
        const unsigned char *s = text + body;
        size_t n = end - body;
        int keep_whole = n == 0 || structural_line(s, n)
                         || (n >= 6 && memcmp(s, "Thread", 6) == 0);
        if (keep_whole) {
            if (pyhd__buf_append(out, text + line, end - line) < 0)
                return -1;
        } else if (n > 0 && (is_alpha(s[0]) || s[0] == '_')) {
            /* "module.Type: message": the type stays, the message goes. */
            size_t t = 0;
            while (t < n && (is_alnum(s[t]) || s[t] == '_' || s[t] == '.'))
                t++;
            if (t < n && s[t] != ':') {
                line = end + 1;
                continue;  /* a line of a message, not a type */
            }
            size_t msg = t + 1 < n && s[t + 1] == ' ' ? t + 2 : t + 1;
            if (pyhd__buf_append(out, text + line, body - line + t) < 0
                || (t < n && pyhd__buf_printf(out, ": <redacted %zu chars>",
                                              utf8_chars(s + msg, n - msg)) < 0))
                return -1;
        } else {
            line = end + 1;
            continue;  /* source lines, carets, message continuations */
        }
        if (end < len && pyhd__buf_append(out, "\n", 1) < 0)
            return -1;
        line = end + 1;
    }
    return 0;
}
