/* test_redact.c: the redaction matcher: built-in names, separators and casing, --redact, --keep, argv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_names),
        cmocka_unit_test(test_separators_and_casing),
        cmocka_unit_test(test_safe_names),
        cmocka_unit_test(test_extra_patterns),
        cmocka_unit_test(test_keep),
        cmocka_unit_test(test_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
