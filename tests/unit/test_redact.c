/* test_redact.c: the redaction matcher: built-in names, separators and casing, --redact, --keep, argv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <stdio.h>

#include <cmocka.h>

#include "buf.h"
#include "redact.h"

static const struct pyhd_redact_rules defaults = {NULL, NULL};

static int sensitive(const struct pyhd_redact_rules *r, const char *name)
{
    return pyhd__redact_name(r, name, strlen(name));
}

static void test_builtin_names(void **state)
{
    static const char *const secret[] = {
        "password", "passwd", "secret", "api_key", "apikey", "auth", "authorization",
        "credentials", "private_key", "privatekey", "token", "access_token",
        "refresh_token", "session", "sessionid", "cookie", "set_cookie", "csrftoken",
        "csrf_token", "x_api_key", "mysql_pwd", "db_password", "AWS_SECRET_ACCESS_KEY",
        "GITHUB_TOKEN", "dbpassword", "client_secret", "Cookie", "PASSWORD",
    };
    (void)state;
    for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++) {
        if (!sensitive(&defaults, secret[i]))
            fail_msg("%s should be sensitive", secret[i]);
    }
}

static void test_separators_and_casing(void **state)
{
    (void)state;
    assert_true(sensitive(&defaults, "apiKey"));
    assert_true(sensitive(&defaults, "APIKey"));
    assert_true(sensitive(&defaults, "X-Api-Key"));
    assert_true(sensitive(&defaults, "x.api.key"));
    assert_true(sensitive(&defaults, "userPassword"));
    assert_true(sensitive(&defaults, "HTTP_AUTHORIZATION"));
    assert_true(sensitive(&defaults, "basic-auth"));
    assert_true(sensitive(&defaults, "Set-Cookie"));
    assert_true(sensitive(&defaults, "sessionId"));
}

static void test_safe_names(void **state)
{
    static const char *const safe[] = {
        "user", "name", "author", "authors", "path", "count", "tokenizer", "items",
        "HOME", "PATH", "LANG", "key", "value", "api", "data", "passenger",
    };
    (void)state;
    for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++) {
        if (sensitive(&defaults, safe[i]))
            fail_msg("%s should not be sensitive", safe[i]);
    }
    /* Empty names and text longer than any name are never matched. */
    assert_false(pyhd__redact_name(&defaults, "", 0));
    char long_name[PYHD_REDACT_MAX_NAME + 10];
    memset(long_name, 'a', sizeof long_name);
    memcpy(long_name, "password", 8);
    assert_false(pyhd__redact_name(&defaults, long_name, sizeof long_name));
    assert_true(pyhd__redact_name(&defaults, long_name, PYHD_REDACT_MAX_NAME));
}

static void test_extra_patterns(void **state)
{
    struct pyhd_redact_rules r = {"ssn,*card*,zip?", NULL};
    (void)state;
    assert_false(sensitive(&defaults, "ssn"));
    assert_true(sensitive(&r, "ssn"));
    assert_true(sensitive(&r, "SSN"));
    assert_false(sensitive(&r, "ssn_hash"));
    assert_true(sensitive(&r, "credit_card_number"));
    assert_true(sensitive(&r, "CARD"));
    assert_true(sensitive(&r, "zip5"));
    assert_false(sensitive(&r, "zip"));
    assert_false(sensitive(&r, "zip55"));
    /* The built-in list still applies. */
    assert_true(sensitive(&r, "password"));
}

static void test_keep(void **state)
{
    struct pyhd_redact_rules r = {"*card*", "session,Credit_Card"};
    (void)state;
    assert_false(sensitive(&r, "session"));
    assert_false(sensitive(&r, "SESSION"));
    assert_false(sensitive(&r, "credit_card"));
    assert_true(sensitive(&r, "session_id"));
    assert_true(sensitive(&r, "card"));
    assert_true(sensitive(&r, "token"));
}

static void test_arguments(void **state)
{
    (void)state;
    assert_int_equal(pyhd__redact_argument(&defaults, "--password=xyz", NULL), 11);
    assert_int_equal(pyhd__redact_argument(&defaults, "-api-key=xyz", "prog"), 9);
    assert_int_equal(pyhd__redact_argument(&defaults, "xyz", "--token"), 0);
    assert_int_equal(pyhd__redact_argument(&defaults, "xyz", "-password"), 0);
    assert_int_equal(pyhd__redact_argument(&defaults, "--verbose", "--token"), -1);
    assert_int_equal(pyhd__redact_argument(&defaults, "xyz", "--token=abc"), -1);
    assert_int_equal(pyhd__redact_argument(&defaults, "--name=xyz", NULL), -1);
    assert_int_equal(pyhd__redact_argument(&defaults, "xyz", "--name"), -1);
    assert_int_equal(pyhd__redact_argument(&defaults, "xyz", NULL), -1);
    assert_int_equal(pyhd__redact_argument(&defaults, "--password", NULL), -1);
}

/* Sentry's default denylist, every entry, in the spellings programs use. */
static void test_sentry_denylist(void **state)
{
    static const char *const sentry[] = {
        "password", "passwd", "secret", "api_key", "apikey", "auth", "credentials",
        "mysql_pwd", "privatekey", "private_key", "token", "session", "csrftoken",
        "sessionid", "x_csrftoken", "x_forwarded_for", "set_cookie", "cookie",
        "authorization", "proxy-authorization", "x_api_key",
        "X-Forwarded-For", "Proxy-Authorization", "X-CSRFToken", "MYSQL_PWD",
    };
    (void)state;
    for (size_t i = 0; i < sizeof sentry / sizeof sentry[0]; i++)
        if (!sensitive(&defaults, sentry[i]))
            fail_msg("%s (Sentry's denylist) should be sensitive", sentry[i]);
}

/* Short words match whole: these contain one inside a longer word. */
static void test_whole_words(void **state)
{
    static const char *const safe[] = {
        "_cv_tokens", "tokenizer", "tokens", "secretary", "passenger", "author",
        "spinner", "sessions_total", "cookbook", "tokenize_text", "PWD", "OLDPWD",
    };
    static const char *const secret[] = {
        "token", "GITHUB_TOKEN", "accessToken", "refreshtoken", "user_pass", "db-secret",
        "SECRET_KEY", "jwt", "sessionToken",
    };
    (void)state;
    for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++)
        if (sensitive(&defaults, safe[i]))
            fail_msg("%s should not be sensitive", safe[i]);
    for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++)
        if (!sensitive(&defaults, secret[i]))
            fail_msg("%s should be sensitive", secret[i]);
}

/* text with every span found replaced by "#": what a reader of the dump would see. */
static const char *scrub(const char *text)
{
    static char out[4096];
    struct pyhd_secret_span spans[PYHD_SECRET_MAX_SPANS];
    size_t len = strlen(text), n, o = 0, at = 0;
    n = pyhd__redact_scan(&defaults, (const unsigned char *)text, len, spans,
                          PYHD_SECRET_MAX_SPANS);
    for (size_t i = 0; i < n; i++) {
        assert_true(spans[i].start >= at && spans[i].end > spans[i].start);
        assert_true(spans[i].end <= len);
        memcpy(out + o, text + at, spans[i].start - at);
        o += spans[i].start - at;
        out[o++] = '#';
        at = spans[i].end;
    }
    memcpy(out + o, text + at, len - at);
    out[o + len - at] = '\0';
    return out;
}

static void expect(const char *text, const char *scrubbed)
{
    const char *got = scrub(text);
    if (strcmp(got, scrubbed) != 0)
        fail_msg("scrub(\"%s\")\n  got      \"%s\"\n  expected \"%s\"", text, got, scrubbed);
}

static void test_value_shapes(void **state)
{
    (void)state;
    expect("postgresql://dbuser:s3cr3t-pw@db.example.com:5432/app",
           "postgresql://dbuser:#@db.example.com:5432/app");
    expect("see https://alice:hunter22@example.org/x and go",
           "see https://alice:#@example.org/x and go");
    expect("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7Y\nabcdef==\n"
           "-----END RSA PRIVATE KEY-----\n",
           "-----BEGIN RSA PRIVATE KEY-----#-----END RSA PRIVATE KEY-----\n");
    expect("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA",
           "-----BEGIN OPENSSH PRIVATE KEY-----#");
    expect("t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
           "t=#");
    expect("key AKIAIOSFODNN7EXAMPLE here", "key # here");
    expect("AIzaSyA-1234567890abcdefghijklmnopqrstu", "#");
    expect("token ghp_abcdefghijklmnopqrstuvwxyz0123456789 x", "token # x");
    expect("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "#");
    expect("glpat-abcdefghij0123456789", "#");
    expect("xoxb-123456789012-abcdefghijkl", "#");
    expect("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "#");
    expect("Authorization: Bearer abc.def.ghi-123456", "Authorization: #");
    expect("headers={'Authorization': 'Basic dXNlcjpwYXNzd29yZA=='}",
           "headers={'Authorization': '#'}");
    expect("call with bearer 0123456789abcdef now", "call with bearer # now");
    expect("password=hunter2&user=bob", "password=#&user=bob");
    expect("{\"password\": \"hunter2\", \"user\": \"bob\"}", "{\"password\": \"#\", \"user\": \"bob\"}");
    expect("https://host/cb?code=1&access_token=abcdef123&x=1",
           "https://host/cb?code=1&access_token=#&x=1");
    expect("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=YWJjZGVmZ2hpams=;EndpointSuffix=x",
           "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=#;EndpointSuffix=x");
    expect("https://acct.blob.core.windows.net/c?sv=2020&sig=abcDEF123%2B&se=1",
           "https://acct.blob.core.windows.net/c?sv=2020&sig=#&se=1");
    expect("machine api.example.com\n  login bob\n  password s3cret!\n",
           "machine api.example.com\n  login bob\n  password #\n");
    expect("db.example.com:5432:app:bob:pg-pass-1\n*:*:*:alice:other\n",
           "db.example.com:5432:app:bob:#\n*:*:*:alice:#\n");
}

static void test_values_left_alone(void **state)
{
    static const char *const clean[] = {
        "https://example.com/path?q=1&page=2",
        "if a == b and c != d: pass",
        "user:alice group:staff",
        "The quick brown fox jumps over the lazy dog",
        "ratio = a / b",
        "ftp://example.org/pub/file.txt",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "eyJhbGciOiJIUzI1NiJ9 alone",
        "AKIA too short",
        "10:20:30:40",
        "passenger=3 tokenizer=bpe",
    };
    (void)state;
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++)
        expect(clean[i], clean[i]);
    /* Short texts are not scanned at all. */
    struct pyhd_secret_span spans[4];
    assert_int_equal(pyhd__redact_scan(&defaults, (const unsigned char *)"pw=x", 4, spans, 4), 0);
}

static void test_high_entropy(void **state)
{
    (void)state;
    assert_true(pyhd__redact_keylike_name("mytoken", 7));
    assert_true(pyhd__redact_keylike_name("SigningKey", 10));
    assert_false(pyhd__redact_keylike_name("username", 8));
    assert_false(pyhd__redact_keylike_name("keyword", 7));
    assert_false(pyhd__redact_high_entropy((const unsigned char *)"tok-Visible-0102", 16));
    assert_true(pyhd__redact_keylike_name("api_keys", 8));
    assert_false(pyhd__redact_high_entropy((const unsigned char *)"/usr/lib/python3.11/keyword.py", 30));
    /* Text pyhd-run already redacted matches nothing again. */
    expect("password=<redacted 7 chars>&x=1", "password=<redacted 7 chars>&x=1");
    expect("machine h login u password <redacted 3 chars>", "machine h login u password <redacted 3 chars>");
    assert_true(pyhd__redact_high_entropy((const unsigned char *)"a8f5f167f44f4964e6c998dee827110c", 32));
    assert_true(pyhd__redact_high_entropy((const unsigned char *)"Zx9Qp2Lm7Vb4Nc8Kd1Rf", 20));
    assert_false(pyhd__redact_high_entropy((const unsigned char *)"hello world, friend", 19));
    assert_false(pyhd__redact_high_entropy((const unsigned char *)"aaaaaaaaaaaaaaaaaaaa1", 21));
    assert_false(pyhd__redact_high_entropy((const unsigned char *)"short1", 6));
    assert_string_equal(pyhd__secret_rule_name(PYHD_SECRET_URL_PASSWORD), "url-password");
}

static void test_redact_text(void **state)
{
    struct pyhd_buf out;
    uint64_t counts[PYHD_SECRET_RULES] = {0};
    static const char text[] = "conn postgresql://u:pw-\xc3\xa9t\xc3\xa9@h/db; ok";
    (void)state;
    pyhd__buf_init(&out);
    assert_int_equal(pyhd__redact_text(&defaults, (const unsigned char *)text, strlen(text), NULL,
                                       &out, counts), 1);
    assert_true(pyhd__buf_append(&out, "", 1) == 0);
    /* The part counts characters, not bytes: "pw-été" is 6. */
    assert_string_equal((const char *)out.data, "conn postgresql://u:<redacted 6 chars>@h/db; ok");
    assert_int_equal(counts[PYHD_SECRET_URL_PASSWORD], 1);
    pyhd__buf_free(&out);
    /* Clean text: nothing appended. */
    pyhd__buf_init(&out);
    assert_int_equal(pyhd__redact_text(&defaults, (const unsigned char *)"just some words", 15,
                                       NULL, &out, NULL), 0);
    assert_int_equal(out.len, 0);
    /* With a key, a hash that depends on the key and the secret only. */
    unsigned char key[PYHD_REDACT_KEY_LEN] = {1, 2, 3};
    assert_true(pyhd__redact_text(&defaults, (const unsigned char *)"password=abc", 12, key,
                                  &out, NULL) == 1);
    assert_true(pyhd__buf_append(&out, "", 1) == 0);
    char expected[64];
    snprintf(expected, sizeof expected, "password=<redacted 3 chars #%08llx>",
             (unsigned long long)(pyhd__redact_hash(key, "abc", 3) >> 32));
    assert_string_equal((const char *)out.data, expected);
    pyhd__buf_free(&out);
    assert_true(pyhd__redact_hash(key, "abc", 3) != pyhd__redact_hash(key, "abd", 3));
    key[0] = 9;
    assert_true(pyhd__redact_hash(key, "abc", 3) != 0);
}

static void test_traceback_triage(void **state)
{
    static const char tb[] =
        "Traceback (most recent call last):\n"
        "  File \"/srv/app.py\", line 12, in handler\n"
        "    check(user, \"alice@example.com\")\n"
        "    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "KeyError: 'alice@example.com'\n"
        "\n"
        "During handling of the above exception, another exception occurred:\n"
        "\n"
        "Traceback (most recent call last):\n"
        "  File \"/srv/app.py\", line 14, in handler\n"
        "    raise app.LoginError(f\"no user {user}\")\n"
        "app.LoginError: no user alice@example.com\n"
        "second line of the message\n";
    static const char expected[] =
        "Traceback (most recent call last):\n"
        "  File \"/srv/app.py\", line 12, in handler\n"
        "KeyError: <redacted 19 chars>\n"
        "\n"
        "During handling of the above exception, another exception occurred:\n"
        "\n"
        "Traceback (most recent call last):\n"
        "  File \"/srv/app.py\", line 14, in handler\n"
        "app.LoginError: <redacted 25 chars>\n";
    struct pyhd_buf out;
    (void)state;
    pyhd__buf_init(&out);
    assert_int_equal(pyhd__redact_traceback_triage((const unsigned char *)tb, strlen(tb), &out), 0);
    assert_true(pyhd__buf_append(&out, "", 1) == 0);
    assert_string_equal((const char *)out.data, expected);
    pyhd__buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_names),
        cmocka_unit_test(test_separators_and_casing),
        cmocka_unit_test(test_safe_names),
        cmocka_unit_test(test_extra_patterns),
        cmocka_unit_test(test_keep),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_sentry_denylist),
        cmocka_unit_test(test_whole_words),
        cmocka_unit_test(test_value_shapes),
        cmocka_unit_test(test_values_left_alone),
        cmocka_unit_test(test_high_entropy),
        cmocka_unit_test(test_redact_text),
        cmocka_unit_test(test_traceback_triage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
