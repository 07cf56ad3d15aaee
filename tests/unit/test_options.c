/* test_options.c: pyhd-run's options, PYHD_* variables, sizes and the virtualenv choice. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "options.h"

/* A fake environment: NAME=VALUE strings, NULL-terminated. */
static const char *const *fake_env;

static const char *fake_getenv(const char *name)
{
    size_t n = strlen(name);

    for (const char *const *e = fake_env; e != NULL && *e != NULL; e++) {
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    }
    return NULL;
}

struct parsed {
    struct pyhd_options o;
    int result;
    int consumed;
    char err[256];
};

static int setup(void **state)
{
    struct parsed *p = calloc(1, sizeof(*p));

    if (p == NULL)
        return -1;
    pyhd__options_init(&p->o);
    fake_env = NULL;
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    struct parsed *p = *state;

    pyhd__options_free(&p->o);
    free(p);
    return 0;
}

/* Parse the NULL-terminated arguments after "pyhd-run" with env (may be NULL),
   starting from the defaults. */
static void parse(struct parsed *p, const char *const *env, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    const char *arg;

    argv[argc++] = "pyhd-run";
    va_start(ap, env);
    while ((arg = va_arg(ap, const char *)) != NULL)
        argv[argc++] = (char *)arg;
    va_end(ap);
    argv[argc] = NULL;
    pyhd__options_free(&p->o);
    fake_env = env;
    p->err[0] = 'x';
    p->result = pyhd__options_parse(&p->o, argc, argv, fake_getenv, &p->consumed, p->err,
                                    sizeof(p->err));
}

static void assert_error(struct parsed *p, const char *expected_part)
{
    assert_int_equal(p->result, PYHD_PARSE_ERROR);
    assert_non_null(strstr(p->err, expected_part));
    assert_null(strchr(p->err, '\n'));
}

static void test_defaults(void **state)
{
    struct parsed *p = *state;

    parse(p, NULL, "script.py", NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_int_equal(p->consumed, 1);
    assert_string_equal(p->err, "");
    assert_null(p->o.dump_dir);
    assert_null(p->o.dump_name);
    assert_int_equal(p->o.enabled, 1);
    assert_int_equal(p->o.quiet, 0);
    assert_int_equal(p->o.repr_all, 0);
    assert_true(p->o.max_size == PYHD_DEFAULT_MAX_SIZE);
    assert_true(p->o.max_string == PYHD_DEFAULT_MAX_STRING);
    assert_true(p->o.max_items == PYHD_DEFAULT_MAX_ITEMS);
}

/* Issue 6: redaction, what the dump leaves out, retention. */
static void test_privacy_options(void **state)
{
    struct parsed *p = *state;
    static const char *const env[] = {
        "PYHD_REDACT=ssn,card*", "PYHD_KEEP=session", "PYHD_MAX_DUMPS=7", NULL,
    };

    parse(p, NULL, "s.py", NULL);
    assert_int_equal(p->o.redact, 1);
    assert_null(p->o.redact_patterns);
    assert_null(p->o.keep_names);
    assert_int_equal(p->o.keep_environ, 1);
    assert_int_equal(p->o.keep_sources, 1);
    assert_true(p->o.max_dumps == PYHD_DEFAULT_MAX_DUMPS);
    assert_true(p->o.max_use == PYHD_DEFAULT_MAX_USE);
    assert_true(p->o.keep_free == PYHD_DEFAULT_KEEP_FREE);

    /* Repeated --redact and --keep accumulate after the variables' lists. */
    parse(p, env, "--no-redact", "--redact=zip", "--redact", "iban", "--keep=token",
          "--no-environ", "--no-sources", "--max-use=2G", "--keep-free=0", "s.py", NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_int_equal(p->consumed, 10);
    assert_int_equal(p->o.redact, 0);
    assert_string_equal(p->o.redact_patterns, "ssn,card*,zip,iban");
    assert_string_equal(p->o.keep_names, "session,token");
    assert_int_equal(p->o.keep_environ, 0);
    assert_int_equal(p->o.keep_sources, 0);
    assert_true(p->o.max_dumps == 7);
    assert_true(p->o.max_use == (uint64_t)2 << 30);
    assert_true(p->o.keep_free == 0);

    static const char *const flags[] = {
        "PYHD_NO_REDACT=1", "PYHD_NO_ENVIRON=1", "PYHD_NO_SOURCES=1", "PYHD_MAX_USE=5M",
        "PYHD_KEEP_FREE=1G", NULL,
    };
    parse(p, flags, "s.py", NULL);
    assert_int_equal(p->o.redact, 0);
    assert_int_equal(p->o.keep_environ, 0);
    assert_int_equal(p->o.keep_sources, 0);
    assert_true(p->o.max_use == (uint64_t)5 << 20);
    assert_true(p->o.keep_free == (uint64_t)1 << 30);

    parse(p, NULL, "--max-dumps=-1", "s.py", NULL);
    assert_error(p, "option --max-dumps: '-1' is not a number");
    parse(p, NULL, "--max-use=lots", "s.py", NULL);
    assert_error(p, "option --max-use: 'lots' is not a size");
    parse(p, NULL, "--redact=", "s.py", NULL);
    assert_error(p, "option --redact: empty value");
    parse(p, NULL, "--no-redact=1", "s.py", NULL);
    assert_error(p, "option --no-redact takes no value");
}

static void test_every_option_equals_form(void **state)
{
    struct parsed *p = *state;

    parse(p, NULL, "--dump-dir=/tmp/d", "--dump-name=x.dump", "--no-dump", "--quiet",
          "--max-size=2M", "--max-string=77", "--max-items=5", "--repr-all", "s.py", "a",
          NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_int_equal(p->consumed, 9);
    assert_string_equal(p->o.dump_dir, "/tmp/d");
    assert_string_equal(p->o.dump_name, "x.dump");
    assert_int_equal(p->o.enabled, 0);
    assert_int_equal(p->o.quiet, 1);
    assert_int_equal(p->o.repr_all, 1);
    assert_true(p->o.max_size == 2u << 20);
    assert_true(p->o.max_string == 77);
    assert_true(p->o.max_items == 5);
}

static void test_every_option_separate_form(void **state)
{
    struct parsed *p = *state;

    parse(p, NULL, "--dump-dir", "d", "--dump-name", "n", "--max-size", "3K",
          "--max-string", "9", "--max-items", "0", "-m", "mod", NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_int_equal(p->consumed, 11);
    assert_string_equal(p->o.dump_dir, "d");
    assert_string_equal(p->o.dump_name, "n");
    assert_true(p->o.max_size == 3072);
    assert_true(p->o.max_string == 9);
    assert_true(p->o.max_items == 0);
}

/* A --max-size above 3G counts as 3G: the graph must stay below the 4 GiB that
   pyhd-debug reads (decode.h); an error instead would stop the program from running. */
static void test_max_size_bound(void **state)
{
    struct parsed *p = *state;

    parse(p, NULL, "--max-size=8G", "x.py", NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_true(p->o.max_size == PYHD_MAX_MAX_SIZE);
    assert_true(p->o.max_size == (uint64_t)3 << 30);
}

static void test_separate_value_may_look_like_an_option(void **state)
{
    struct parsed *p = *state;

    /* The argument after an option that takes a value is its value, whatever it is. */
    parse(p, NULL, "--dump-dir", "--quiet", "x.py", NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_string_equal(p->o.dump_dir, "--quiet");
    assert_int_equal(p->o.quiet, 0);
    assert_int_equal(p->consumed, 3);
}

static void test_later_option_wins(void **state)
{
    struct parsed *p = *state;

    parse(p, NULL, "--dump-dir=a", "--dump-dir=b", "--max-items=1", "--max-items=2", "x.py",
          NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_string_equal(p->o.dump_dir, "b");
    assert_true(p->o.max_items == 2);
}

static void test_environment(void **state)
{
    struct parsed *p = *state;
    static const char *const env[] = {
        "PYHD_DUMP_DIR=/e", "PYHD_DUMP_NAME=e.dump", "PYHD_DISABLE=1", "PYHD_QUIET=1",
        "PYHD_MAX_SIZE=1G", "PYHD_MAX_STRING=10", "PYHD_MAX_ITEMS=20", "PYHD_REPR_ALL=1",
        NULL,
    };

    parse(p, env, "x.py", NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_int_equal(p->consumed, 1);
    assert_string_equal(p->o.dump_dir, "/e");
    assert_string_equal(p->o.dump_name, "e.dump");
    assert_int_equal(p->o.enabled, 0);
    assert_int_equal(p->o.quiet, 1);
    assert_int_equal(p->o.repr_all, 1);
    assert_true(p->o.max_size == (uint64_t)1 << 30);
    assert_true(p->o.max_string == 10);
    assert_true(p->o.max_items == 20);
}

static void test_options_override_environment(void **state)
{
    struct parsed *p = *state;
    static const char *const env[] = {
        "PYHD_DUMP_DIR=/e", "PYHD_MAX_SIZE=1G", "PYHD_QUIET=0", NULL,
    };

    parse(p, env, "--dump-dir=/o", "--max-size", "1", "--quiet", "x.py", NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_string_equal(p->o.dump_dir, "/o");
    assert_true(p->o.max_size == 1);
    assert_int_equal(p->o.quiet, 1);
}

static void test_environment_flags_zero_and_empty(void **state)
{
    struct parsed *p = *state;
    static const char *const env[] = {
        "PYHD_DISABLE=0", "PYHD_QUIET=", "PYHD_DUMP_DIR=", "PYHD_MAX_SIZE=", NULL,
    };

    parse(p, env, "x.py", NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_int_equal(p->o.enabled, 1);
    assert_int_equal(p->o.quiet, 0);
    assert_null(p->o.dump_dir);
    assert_true(p->o.max_size == PYHD_DEFAULT_MAX_SIZE);
}

static void test_environment_bad_values(void **state)
{
    struct parsed *p = *state;
    static const char *const bad_flag[] = {"PYHD_QUIET=yes", NULL};
    static const char *const bad_size[] = {"PYHD_MAX_SIZE=12Q", NULL};
    static const char *const bad_number[] = {"PYHD_MAX_ITEMS=-1", NULL};
    static const char *const bad_name[] = {"PYHD_DUMP_NAME=a/b", NULL};

    parse(p, bad_flag, "x.py", NULL);
    assert_error(p, "PYHD_QUIET: expected 1 or 0, not 'yes'");
    parse(p, bad_size, "x.py", NULL);
    assert_error(p, "PYHD_MAX_SIZE: '12Q' is not a size");
    parse(p, bad_number, "x.py", NULL);
    assert_error(p, "PYHD_MAX_ITEMS: '-1' is not a number");
    parse(p, bad_name, "x.py", NULL);
    assert_error(p, "PYHD_DUMP_NAME: 'a/b' is not a file name");
}

static void test_stops_at_first_non_option(void **state)
{
    struct parsed *p = *state;
    static const char *const python_starts[] = {
        "-u", "-m", "-c", "-", "-X", "-h", "-V", "script.py", "--check-hash-based-pycs",
        "--help-all", "--help-env", "--help-xoptions", "",
    };

    for (size_t i = 0; i < sizeof(python_starts) / sizeof(python_starts[0]); i++) {
        parse(p, NULL, "--quiet", python_starts[i], "--no-dump", NULL);
        assert_int_equal(p->result, PYHD_PARSE_RUN);
        assert_int_equal(p->consumed, 2);
        /* What follows belongs to python or the program. */
        assert_int_equal(p->o.enabled, 1);
    }
}

static void test_double_dash_ends_options(void **state)
{
    struct parsed *p = *state;

    parse(p, NULL, "--quiet", "--", "--no-dump", NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_int_equal(p->consumed, 3);
    assert_int_equal(p->o.enabled, 1);
    parse(p, NULL, "--", NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_int_equal(p->consumed, 2);
}

static void test_no_arguments(void **state)
{
    struct parsed *p = *state;

    /* Python's interactive prompt, as with a bare python. */
    parse(p, NULL, NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_int_equal(p->consumed, 1);
}

static void test_help_and_version(void **state)
{
    struct parsed *p = *state;

    parse(p, NULL, "--help", "--bogus", NULL);
    assert_int_equal(p->result, PYHD_PARSE_HELP);
    parse(p, NULL, "--quiet", "--version", "x.py", NULL);
    assert_int_equal(p->result, PYHD_PARSE_VERSION);
    /* After the program's name they are the program's. */
    parse(p, NULL, "x.py", "--help", NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_int_equal(p->consumed, 1);
    assert_non_null(strstr(pyhd__options_usage(), "--dump-dir=DIR"));
}

static void test_unknown_option(void **state)
{
    struct parsed *p = *state;

    parse(p, NULL, "--bogus", "x.py", NULL);
    assert_error(p, "unknown option --bogus");
    parse(p, NULL, "--bogus=3", "x.py", NULL);
    assert_error(p, "unknown option --bogus ");
    /* No abbreviations: they would break when an option is added. */
    parse(p, NULL, "--dump", "x.py", NULL);
    assert_error(p, "unknown option --dump ");
    parse(p, NULL, "--help-me", NULL);
    assert_error(p, "unknown option --help-me");
}

static void test_missing_and_empty_values(void **state)
{
    struct parsed *p = *state;
    static const char *const need_value[] = {
        "--dump-dir", "--dump-name", "--max-size", "--max-string", "--max-items",
    };
    char what[64];

    for (size_t i = 0; i < sizeof(need_value) / sizeof(need_value[0]); i++) {
        snprintf(what, sizeof(what), "option %s needs a value", need_value[i]);
        parse(p, NULL, need_value[i], NULL);
        assert_error(p, what);
        snprintf(what, sizeof(what), "%s=", need_value[i]);
        parse(p, NULL, what, "x.py", NULL);
        assert_error(p, "empty value");
    }
}

static void test_flags_take_no_value(void **state)
{
    struct parsed *p = *state;

    parse(p, NULL, "--quiet=1", "x.py", NULL);
    assert_error(p, "option --quiet takes no value");
    parse(p, NULL, "--no-dump=", "x.py", NULL);
    assert_error(p, "option --no-dump takes no value");
    parse(p, NULL, "--help=x", NULL);
    assert_error(p, "option --help takes no value");
}

static void test_bad_option_values(void **state)
{
    struct parsed *p = *state;

    parse(p, NULL, "--max-size=lots", "x.py", NULL);
    assert_error(p, "option --max-size: 'lots' is not a size");
    parse(p, NULL, "--max-string=1K", "x.py", NULL);
    assert_error(p, "option --max-string: '1K' is not a number");
    parse(p, NULL, "--max-items", "+4", "x.py", NULL);
    assert_error(p, "option --max-items: '+4' is not a number");
    parse(p, NULL, "--max-items=99999999999999999999", "x.py", NULL);
    assert_error(p, "is not a number");
    parse(p, NULL, "--dump-name=..", "x.py", NULL);
    assert_error(p, "option --dump-name: '..' is not a file name");
    parse(p, NULL, "--dump-name", "d/x.dump", "x.py", NULL);
    assert_error(p, "is not a file name");
}

static void test_parse_size(void **state)
{
    uint64_t v = 12345;

    (void)state;
    assert_int_equal(pyhd__parse_size("0", &v), 0);
    assert_true(v == 0);
    assert_int_equal(pyhd__parse_size("512", &v), 0);
    assert_true(v == 512);
    assert_int_equal(pyhd__parse_size("64K", &v), 0);
    assert_true(v == 64 * 1024);
    assert_int_equal(pyhd__parse_size("64k", &v), 0);
    assert_true(v == 64 * 1024);
    assert_int_equal(pyhd__parse_size("1M", &v), 0);
    assert_true(v == 1024 * 1024);
    assert_int_equal(pyhd__parse_size("2G", &v), 0);
    assert_true(v == (uint64_t)2 << 30);
    assert_int_equal(pyhd__parse_size("18446744073709551615", &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(pyhd__parse_size("17179869183G", &v), 0);
    assert_true(v == (uint64_t)17179869183 << 30);

    v = 7;
    assert_int_equal(pyhd__parse_size("", &v), -1);
    assert_int_equal(pyhd__parse_size(NULL, &v), -1);
    assert_int_equal(pyhd__parse_size("-1", &v), -1);
    assert_int_equal(pyhd__parse_size(" 1", &v), -1);
    assert_int_equal(pyhd__parse_size("1 ", &v), -1);
    assert_int_equal(pyhd__parse_size("+1", &v), -1);
    assert_int_equal(pyhd__parse_size("0x10", &v), -1);
    assert_int_equal(pyhd__parse_size("K", &v), -1);
    assert_int_equal(pyhd__parse_size("1KB", &v), -1);
    assert_int_equal(pyhd__parse_size("1T", &v), -1);
    assert_int_equal(pyhd__parse_size("1.5M", &v), -1);
    assert_int_equal(pyhd__parse_size("18446744073709551616", &v), -1);
    assert_int_equal(pyhd__parse_size("17179869184G", &v), -1);
    assert_int_equal(pyhd__parse_size("99999999999999999999999", &v), -1);
    /* A failed parse leaves the old value. */
    assert_true(v == 7);
}

static void test_free_resets(void **state)
{
    struct parsed *p = *state;

    parse(p, NULL, "--dump-dir=a", "--dump-name=b", "--quiet", "x", NULL);
    pyhd__options_free(&p->o);
    assert_null(p->o.dump_dir);
    assert_null(p->o.dump_name);
    assert_int_equal(p->o.quiet, 0);
}

static void test_resolve_dump_dir(void **state)
{
    struct parsed *p = *state;
    char cwd[4096], expected[8192], err[256];

    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(pyhd__options_resolve_dump_dir(&p->o, err, sizeof(err)), 0);
    assert_string_equal(p->o.dump_dir, cwd);

    parse(p, NULL, "--dump-dir=sub/dir", "x", NULL);
    assert_int_equal(pyhd__options_resolve_dump_dir(&p->o, err, sizeof(err)), 0);
    snprintf(expected, sizeof(expected), "%s/sub/dir", cwd);
    assert_string_equal(p->o.dump_dir, expected);

    parse(p, NULL, "--dump-dir=/abs", "x", NULL);
    assert_int_equal(pyhd__options_resolve_dump_dir(&p->o, err, sizeof(err)), 0);
    assert_string_equal(p->o.dump_dir, "/abs");
}

/* A scratch virtualenv-like directory: pyvenv.cfg with cfg_text (NULL: none),
   and an executable bin/python if with_python. */
static void make_venv(char *dir, const char *cfg_text, int with_python)
{
    char path[4200];
    FILE *f;

    strcpy(dir, "/tmp/pyhd-test-venv-XXXXXX");
    assert_non_null(mkdtemp(dir));
    if (cfg_text != NULL) {
        snprintf(path, sizeof(path), "%s/pyvenv.cfg", dir);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(cfg_text, f);
        fclose(f);
    }
    if (with_python) {
        snprintf(path, sizeof(path), "%s/bin", dir);
        assert_int_equal(mkdir(path, 0700), 0);
        snprintf(path, sizeof(path), "%s/bin/python", dir);
        f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
        assert_int_equal(chmod(path, 0700), 0);
    }
}

static void remove_venv(const char *dir)
{
    char path[4200];

    snprintf(path, sizeof(path), "%s/bin/python", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/bin", dir);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/pyvenv.cfg", dir);
    unlink(path);
    rmdir(dir);
}

/* pyhd__python_executable() with VIRTUAL_ENV=dir (NULL: unset) for Python 3.11. */
static int choose(const char *dir, char *out, size_t outlen, char *warn, size_t warnlen)
{
    static char var[4200];
    static const char *env[2];

    env[0] = NULL;
    if (dir != NULL) {
        snprintf(var, sizeof(var), "VIRTUAL_ENV=%s", dir);
        env[0] = var;
        env[1] = NULL;
    }
    fake_env = env;
    return pyhd__python_executable(fake_getenv, "/usr/bin/python3.11", 3, 11, out, outlen,
                                   warn, warnlen);
}

static void test_python_executable(void **state)
{
    char dir[64], out[4200], expected[4200], warn[512];
    static const char *const matching[] = {
        "home = /usr/bin\nversion = 3.11.7\n",
        "home = /usr/bin\nversion_info = 3.11.2.final.0\nversion = 3.10.1\n",
        "version=3.11\n",
        "  version_info =  3.11.0  \r\n",
    };

    (void)state;
    assert_int_equal(choose(NULL, out, sizeof(out), warn, sizeof(warn)), 0);
    assert_string_equal(out, "/usr/bin/python3.11");
    assert_string_equal(warn, "");

    for (size_t i = 0; i < sizeof(matching) / sizeof(matching[0]); i++) {
        make_venv(dir, matching[i], 1);
        assert_int_equal(choose(dir, out, sizeof(out), warn, sizeof(warn)), 0);
        snprintf(expected, sizeof(expected), "%s/bin/python", dir);
        assert_string_equal(out, expected);
        assert_string_equal(warn, "");
        remove_venv(dir);
    }
}

static void test_python_executable_unusable_venv(void **state)
{
    char dir[64], out[4200], warn[512];

    (void)state;
    /* No pyvenv.cfg: not a virtualenv, ignored without a word as python would. */
    make_venv(dir, NULL, 1);
    assert_int_equal(choose(dir, out, sizeof(out), warn, sizeof(warn)), 0);
    assert_string_equal(out, "/usr/bin/python3.11");
    assert_string_equal(warn, "");
    remove_venv(dir);

    make_venv(dir, "version = 3.1.4\n", 1);
    assert_int_equal(choose(dir, out, sizeof(out), warn, sizeof(warn)), 0);
    assert_string_equal(out, "/usr/bin/python3.11");
    assert_non_null(strstr(warn, "warning: ignoring virtualenv"));
    assert_non_null(strstr(warn, "it is for Python 3.1.4, pyhd-run runs Python 3.11"));
    remove_venv(dir);

    make_venv(dir, "version = 3.111.0\n", 1);
    assert_int_equal(choose(dir, out, sizeof(out), warn, sizeof(warn)), 0);
    assert_string_equal(out, "/usr/bin/python3.11");
    assert_non_null(strstr(warn, "it is for Python 3.111.0"));
    remove_venv(dir);

    make_venv(dir, "home = /usr/bin\n", 1);
    assert_int_equal(choose(dir, out, sizeof(out), warn, sizeof(warn)), 0);
    assert_string_equal(out, "/usr/bin/python3.11");
    assert_non_null(strstr(warn, "names no Python version"));
    remove_venv(dir);

    make_venv(dir, "version = 3.11.7\n", 0);
    assert_int_equal(choose(dir, out, sizeof(out), warn, sizeof(warn)), 0);
    assert_string_equal(out, "/usr/bin/python3.11");
    assert_non_null(strstr(warn, "bin/python: No such file or directory"));
    remove_venv(dir);

    /* Made by another build of the same version: its standard library does
       not fit the embedded libpython. */
    make_venv(dir, "home = /tmp\nversion = 3.11.2\n", 1);
    assert_int_equal(choose(dir, out, sizeof(out), warn, sizeof(warn)), 0);
    assert_string_equal(out, "/usr/bin/python3.11");
    assert_non_null(strstr(warn, "made by another build of Python 3.11.2"));
    remove_venv(dir);

    /* The chosen path must fit. */
    assert_int_equal(choose(NULL, out, 5, warn, sizeof(warn)), -1);
    assert_non_null(strstr(warn, "path too long"));
}

static void test_trigger_options(void **state)
{
    struct parsed *p = *state;
    static const char *const env[] = {"PYHD_DUMP_SIGNAL=SIGHUP", "PYHD_NO_DUMP_ON_INTERRUPT=1",
                                      "PYHD_DUMP_FORK=1", NULL};
    static const char *const bad[] = {"KILL", "SEGV", "INT", "SIGINT", "usr1", "urg", "10",
                                      "SIG"};
    int signum = -1;

    parse(p, NULL, "s.py", NULL);
    assert_int_equal(p->o.dump_on_interrupt, 1);
    assert_int_equal(p->o.dump_signal, SIGURG);
    assert_int_equal(p->o.dump_fork, 0);

    parse(p, NULL, "--no-dump-on-interrupt", "--dump-signal=USR2", "--dump-fork", "s.py", NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_int_equal(p->consumed, 4);
    assert_int_equal(p->o.dump_on_interrupt, 0);
    assert_int_equal(p->o.dump_signal, SIGUSR2);
    assert_int_equal(p->o.dump_fork, 1);

    parse(p, env, "s.py", NULL);
    assert_int_equal(p->o.dump_signal, SIGHUP);
    assert_int_equal(p->o.dump_on_interrupt, 0);
    assert_int_equal(p->o.dump_fork, 1);

    parse(p, env, "--dump-signal", "none", "s.py", NULL);
    assert_int_equal(p->result, PYHD_PARSE_RUN);
    assert_int_equal(p->o.dump_signal, 0);

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char arg[64];
        snprintf(arg, sizeof(arg), "--dump-signal=%s", bad[i]);
        parse(p, NULL, arg, "s.py", NULL);
        assert_error(p, "is not URG, USR1, USR2, HUP, QUIT, TERM or none");
        assert_int_equal(pyhd__parse_signal(bad[i], &signum), -1);
    }
    parse(p, (const char *const[]){"PYHD_NO_DUMP_ON_INTERRUPT=yes", NULL}, "s.py", NULL);
    assert_error(p, "PYHD_NO_DUMP_ON_INTERRUPT: expected 1 or 0");

    assert_int_equal(pyhd__parse_signal("SIGQUIT", &signum), 0);
    assert_int_equal(signum, SIGQUIT);
    assert_int_equal(pyhd__parse_signal("TERM", &signum), 0);
    assert_int_equal(signum, SIGTERM);
    assert_int_equal(pyhd__parse_signal("SIGURG", &signum), 0);
    assert_int_equal(signum, SIGURG);
    assert_int_equal(pyhd__parse_signal("USR1", &signum), 0);
    assert_int_equal(signum, SIGUSR1);
    assert_string_equal(pyhd__signal_name(SIGURG), "URG");
    assert_string_equal(pyhd__signal_name(SIGUSR1), "USR1");
    assert_string_equal(pyhd__signal_name(0), "none");
    assert_string_equal(pyhd__signal_name(SIGSEGV), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_option_equals_form, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_option_separate_form, setup, teardown),
        cmocka_unit_test_setup_teardown(test_separate_value_may_look_like_an_option, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_later_option_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options_override_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_environment_flags_zero_and_empty, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_environment_bad_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stops_at_first_non_option, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_dash_ends_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_and_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_option, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_and_empty_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flags_take_no_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_option_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trigger_options, setup, teardown),
        cmocka_unit_test(test_parse_size),
        cmocka_unit_test_setup_teardown(test_privacy_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_resets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_size_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_dump_dir, setup, teardown),
        cmocka_unit_test(test_python_executable),
        cmocka_unit_test(test_python_executable_unusable_venv),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
