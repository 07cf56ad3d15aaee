/* test_manifest.c: the MANIFEST's escaping survives any value; parse errors name the line. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest.h"

static void round_trip(const char *value)
{
    struct pyhd_buf b;
    struct pyhd_manifest m;
    char err[256] = "";

    pyhd__buf_init(&b);
    assert_int_equal(pyhd__manifest_add(&b, "Key", value), 0);
    /* Whatever the value, it takes exactly one line. */
    assert_non_null(memchr(b.data, '\n', b.len));
    assert_ptr_equal(memchr(b.data, '\n', b.len), b.data + b.len - 1);
    assert_int_equal(pyhd__manifest_parse((const char *)b.data, b.len, &m, err, sizeof err), 0);
    assert_int_equal(m.nfields, 1);
    assert_string_equal(m.fields[0].key, "Key");
    assert_string_equal(m.fields[0].value, value);
    pyhd__manifest_free(&m);
    pyhd__buf_free(&b);
}

static void test_round_trip_tricky_values(void **state)
{
    (void)state;
    round_trip("");
    round_trip("plain text");
    round_trip("line one\nline two\n");
    round_trip("carriage\rreturn\r\n");
    round_trip("back\\slash \\n not a newline \\\\ two");
    round_trip("\\");
    round_trip("tab\there, bell\a, escape\x1b, delete\x7f, 0x01\x01");
    round_trip("UTF-8: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x8d");
    round_trip("  leading and trailing spaces  ");
    round_trip(": a colon first, and Key: inside");
    round_trip("\\x41 is not an escape once written");
}

static void test_round_trip_long_value(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *v = malloc(n + 1);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = (char)(1 + i % 255);  /* every byte value but NUL */
    v[n] = '\0';
    round_trip(v);
    free(v);
}

static void test_escapes_are_written(void **state)
{
    struct pyhd_buf b;
    (void)state;
    pyhd__buf_init(&b);
    assert_int_equal(pyhd__manifest_add(&b, "Exception-Message", "a\\b\nc\rd\x01" "e"), 0);
    assert_int_equal(pyhd__buf_append(&b, "", 1), 0);
    assert_string_equal((const char *)b.data, "Exception-Message: a\\\\b\\nc\\rd\\x01e\n");
    pyhd__buf_free(&b);
}

/* The written line for value, without "K: " and the newline. */
static void assert_written(const char *value, const char *expect)
{
    struct pyhd_buf b;
    pyhd__buf_init(&b);
    assert_int_equal(pyhd__manifest_add(&b, "K", value), 0);
    assert_int_equal(pyhd__buf_append(&b, "", 1), 0);
    assert_int_equal(strncmp((const char *)b.data, "K: ", 3), 0);
    assert_int_equal(b.data[b.len - 2], '\n');
    b.data[b.len - 2] = '\0';
    assert_string_equal((const char *)b.data + 3, expect);
    pyhd__buf_free(&b);
    round_trip(value);
}

static void test_only_utf8_is_written_raw(void **state)
{
    (void)state;
    assert_written("caf\xc3\xa9 \xf0\x9f\x90\x8d", "caf\xc3\xa9 \xf0\x9f\x90\x8d");
    /* A latin-1 file name: the byte is escaped, the value comes back exact. */
    assert_written("/tmp/lat\xe9/x.py", "/tmp/lat\\xe9/x.py");
    assert_written("\xc0\xaf", "\\xc0\\xaf");                  /* overlong '/' */
    assert_written("\xed\xa0\x80", "\\xed\\xa0\\x80");       /* a surrogate */
    assert_written("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
    assert_written("end \xe2\x82", "end \\xe2\\x82");           /* cut short */
    assert_written("\xe2\x82\xac\xff", "\xe2\x82\xac\\xff");
}

static void test_repeated_keys_in_order(void **state)
{
    struct pyhd_buf b;
    struct pyhd_manifest m;
    char err[256];
    (void)state;
    pyhd__buf_init(&b);
    assert_int_equal(pyhd__manifest_add(&b, "Format-Version", "1"), 0);
    assert_int_equal(pyhd__manifest_add(&b, "Source-Unavailable", "<string>: not a file name"), 0);
    assert_int_equal(pyhd__manifest_add(&b, "Source-Unavailable", "/gone.py: No such file"), 0);
    assert_int_equal(pyhd__manifest_parse((const char *)b.data, b.len, &m, err, sizeof err), 0);
    assert_int_equal(m.nfields, 3);
    assert_string_equal(m.fields[1].key, "Source-Unavailable");
    assert_string_equal(m.fields[1].value, "<string>: not a file name");
    assert_string_equal(m.fields[2].key, "Source-Unavailable");
    assert_string_equal(m.fields[2].value, "/gone.py: No such file");
    /* get() gives the first of repeated keys, NULL for a missing one. */
    assert_string_equal(pyhd__manifest_get(&m, "Source-Unavailable"), "<string>: not a file name");
    assert_string_equal(pyhd__manifest_get(&m, "Format-Version"), "1");
    assert_null(pyhd__manifest_get(&m, "Missing"));
    pyhd__manifest_free(&m);
    pyhd__buf_free(&b);
}

static void test_bad_keys_refused(void **state)
{
    struct pyhd_buf b;
    (void)state;
    pyhd__buf_init(&b);
    assert_int_equal(pyhd__manifest_add(&b, "", "v"), -1);
    assert_int_equal(pyhd__manifest_add(&b, "Two words", "v"), -1);
    assert_int_equal(pyhd__manifest_add(&b, "Colon:", "v"), -1);
    assert_int_equal(pyhd__manifest_add(&b, "New\nline", "v"), -1);
    assert_int_equal(b.len, 0);
    pyhd__buf_free(&b);
}

/* Parsing text must fail with an error naming the given line and saying why. */
static void parse_fails(const char *text, const char *expect_line, const char *expect_why)
{
    struct pyhd_manifest m;
    char err[256] = "";
    assert_int_equal(pyhd__manifest_parse(text, strlen(text), &m, err, sizeof err), -1);
    assert_non_null(strstr(err, expect_line));
    assert_non_null(strstr(err, expect_why));
    assert_int_equal(m.nfields, 0);
    assert_null(m.fields);
}

static void test_parse_errors_name_the_line(void **state)
{
    (void)state;
    parse_fails("A: 1\nB: 2\nno colon here\n", "line 3", "no ':'");
    parse_fails("A: 1\n: empty key\n", "line 2", "key");
    parse_fails("A: 1\nTwo words: x\n", "line 2", "key");
    parse_fails("A: 1\nB: bad \\q escape\n", "line 2", "unknown escape");
    parse_fails("A: ends in \\\n", "line 1", "backslash ends");
    parse_fails("A: 1\nB: \\x4\n", "line 2", "two hex digits");
    parse_fails("A: 1\nB: \\xzz\n", "line 2", "two hex digits");
    parse_fails("A: \\x00\n", "line 1", "NUL");
    parse_fails("A: 1\nB: no newline", "line 2", "no newline");
    const char with_nul[] = "A: 1\nB: x\0y\n";
    struct pyhd_manifest m;
    char err[256] = "";
    assert_int_equal(pyhd__manifest_parse(with_nul, sizeof with_nul - 1, &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "line 2"));
}

static void test_parse_accepts_empty_and_colon_only(void **state)
{
    struct pyhd_manifest m;
    char err[256];
    (void)state;
    assert_int_equal(pyhd__manifest_parse("", 0, &m, err, sizeof err), 0);
    assert_int_equal(m.nfields, 0);
    pyhd__manifest_free(&m);
    /* "Key:" without the space is an empty value; a second space is kept. */
    const char *text = "A:\nB:  two\nC: \\x4a\\x4A\n";
    assert_int_equal(pyhd__manifest_parse(text, strlen(text), &m, err, sizeof err), 0);
    assert_int_equal(m.nfields, 3);
    assert_string_equal(m.fields[0].value, "");
    assert_string_equal(m.fields[1].value, " two");
    assert_string_equal(m.fields[2].value, "JJ");
    pyhd__manifest_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_tricky_values),
        cmocka_unit_test(test_round_trip_long_value),
        cmocka_unit_test(test_escapes_are_written),
        cmocka_unit_test(test_only_utf8_is_written_raw),
        cmocka_unit_test(test_repeated_keys_in_order),
        cmocka_unit_test(test_bad_keys_refused),
        cmocka_unit_test(test_parse_errors_name_the_line),
        cmocka_unit_test(test_parse_accepts_empty_and_colon_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
