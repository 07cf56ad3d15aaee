/* test_dump_util.c: a dump's failure message is read from the pending exception without running program code. */
#define _POSIX_C_SOURCE 200809L
#include "dump_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* A program's exception class that counts the instances made of it. */
static const char *const noisy_source =
    "made = 0\n"
    "class Noisy(Exception):\n"
    "    def __init__(self, *args):\n"
    "        global made\n"
    "        made += 1\n"
    "        super().__init__(*args)\n";

static PyObject *main_dict;  /* borrowed */

static long made(void)
{
    PyObject *n = PyDict_GetItemString(main_dict, "made");  /* borrowed */
    assert_non_null(n);
    return PyLong_AsLong(n);
}

/* A program class left pending as a type and a value, as C code raises it
   (3.10, 3.11 keep it so; 3.12 makes the instance on the spot): the message
   is its str value, and no instance is made to read it. */
static void test_pending_program_exception_is_not_normalized(void **state)
{
    (void)state;
    struct pyhd_dump_result r;
    struct dump d;
    memset(&r, 0, sizeof r);
    memset(&d, 0, sizeof d);
    d.r = &r;
    PyObject *noisy = PyDict_GetItemString(main_dict, "Noisy");  /* borrowed */
    assert_non_null(noisy);
    PyErr_Restore(Py_NewRef(noisy), PyUnicode_FromString("boom"), NULL);
    long before = made();
    assert_int_equal(pyhd__dump_fail_py(&d, "gathering the roots"), -1);
    assert_int_equal(made(), before);
    assert_null(PyErr_Occurred());
    assert_string_equal(r.error, "gathering the roots: Noisy: boom");
}

/* A raised instance: its first argument, when a str, is the message. */
static void test_raised_instance_gives_its_message(void **state)
{
    (void)state;
    struct pyhd_dump_result r;
    struct dump d;
    memset(&r, 0, sizeof r);
    memset(&d, 0, sizeof d);
    d.r = &r;
    PyErr_SetString(PyExc_KeyError, "missing");
    assert_int_equal(pyhd__dump_fail_py(&d, "listing the threads"), -1);
    assert_null(PyErr_Occurred());
    assert_string_equal(r.error, "listing the threads: KeyError: missing");
    PyObject *three = PyLong_FromLong(3);
    assert_non_null(three);
    PyErr_SetObject(PyExc_ValueError, three);
    Py_DECREF(three);
    assert_int_equal(pyhd__dump_fail_py(&d, "writing"), -1);
    assert_string_equal(r.error, "writing: ValueError");
}

static int group_setup(void **state)
{
    (void)state;
    Py_Initialize();
    PyObject *main_module = PyImport_AddModule("__main__");  /* borrowed */
    if (main_module == NULL)
        return -1;
    main_dict = PyModule_GetDict(main_module);
    PyObject *result = PyRun_String(noisy_source, Py_file_input, main_dict, main_dict);
    if (result == NULL) {
        PyErr_Print();
        return -1;
    }
    Py_DECREF(result);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return Py_FinalizeEx() < 0 ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pending_program_exception_is_not_normalized),
        cmocka_unit_test(test_raised_instance_gives_its_message),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
