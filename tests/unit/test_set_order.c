/* test_set_order.c: sets made again so that they iterate in a given (dumped) order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "set_order.h"

/*
 * Each case makes a set in Python as a program would (its iteration order is
 * the "dumped" order), makes a set of the same items one by one in that order,
 * as the rebuilder first does, and asks pyhd__set_in_order() for the order.
 * Ints hash to themselves, so the cases are the same in every process.
 */

/* The value of Python expression text, evaluated in a fresh namespace. */
static PyObject *eval(const char *text)
{
    PyObject *globals = PyDict_New(), *value;
    assert_non_null(globals);
    value = PyRun_String(text, Py_eval_input, globals, globals);
    if (value == NULL)
        PyErr_Print();
    assert_non_null(value);
    Py_DECREF(globals);
    return value;
}

/* 1 when set iterates as the list order does. */
static int iterates_as(PyObject *set, PyObject *order)
{
    PyObject *listed = PySequence_List(set);
    int same;
    assert_non_null(listed);
    same = PyObject_RichCompareBool(listed, order, Py_EQ);
    Py_DECREF(listed);
    return same == 1;
}

/* The program's set (made by the expression program), rebuilt one by one from its
   order (frozen: a frozenset), then given to pyhd__set_in_order(); returns its result
   and checks the set's items are still all there. */
static int given_back(const char *program, int frozen, int *was_in_order)
{
    size_t work = 1000000;
    PyObject *original = eval(program), *order = PySequence_List(original);
    PyObject *set = frozen ? PyFrozenSet_New(NULL) : PySet_New(NULL), *before;
    PyObject **items;
    Py_ssize_t n;
    int rc;

    assert_non_null(order);
    assert_non_null(set);
    n = PyList_GET_SIZE(order);
    items = malloc((size_t)n * sizeof *items);
    assert_non_null(items);
    for (Py_ssize_t i = 0; i < n; i++) {
        items[i] = PyList_GET_ITEM(order, i);
        assert_int_equal(PySet_Add(set, items[i]), 0);
    }
    *was_in_order = iterates_as(set, order);
    before = set;
    Py_INCREF(before);
    rc = pyhd__set_in_order(&set, items, n, &work);
    assert_int_not_equal(rc, -1);
    assert_int_equal(rc, iterates_as(set, order));
    /* A set is filled again in place (others may hold it); a frozenset may be new. */
    if (!frozen)
        assert_ptr_equal(set, before);
    assert_int_equal(PyObject_RichCompareBool(set, original, Py_EQ), 1);
    free(items);
    Py_DECREF(before);
    Py_DECREF(set);
    Py_DECREF(order);
    Py_DECREF(original);
    return rc;
}

static void test_already_in_order(void **state)
{
    int was;
    (void)state;
    assert_int_equal(given_back("{3, 1, 2}", 0, &was), 1);
    assert_true(was);
}

static void test_made_at_full_size(void **state)
{
    int was;
    (void)state;
    /* A literal of constants is made from a frozenset at its full size: 16 slots
       for 6 items, where one by one they grow to 32. */
    assert_int_equal(given_back("{1000003, 7, 2 ** 40 + 5, 64, 31, -9}", 0, &was), 1);
    assert_false(was);
}

static void test_an_item_that_jumped(void **state)
{
    int was;
    (void)state;
    /* 15 first, at its home slot 7 of 8; 7 then finds slot 7 taken at the end of
       the table and jumps to slot 4: the dumped order is 3, 7, 15, and added in
       that order 7 would take slot 7 and 15 would jump instead. */
    assert_int_equal(given_back("(lambda s: (s.add(15), s.add(7), s.add(3), s)[-1])(set())",
                                0, &was), 1);
    assert_false(was);
    assert_int_equal(given_back("frozenset((lambda s: (s.add(15), s.add(7), s.add(3), s)[-1])"
                                "(set()))", 1, &was), 1);
}

static void test_many_collisions(void **state)
{
    int was;
    (void)state;
    /* Items of one home slot added in an order the dump does not keep. */
    assert_int_equal(given_back("(lambda s: ([s.add(i * 64 + 5) for i in (9, 2, 7, 1, 4)], s)[-1])"
                                "(set())", 0, &was), 1);
}

static void test_the_work_is_bounded(void **state)
{
    PyObject *original = eval("{1000003, 7, 2 ** 40 + 5, 64, 31, -9}");
    PyObject *order = PySequence_List(original), *set = PySet_New(NULL);
    PyObject *items[6];
    size_t work = 5;  /* less than one candidate of 6 items */
    (void)state;
    assert_non_null(order);
    for (Py_ssize_t i = 0; i < 6; i++) {
        items[i] = PyList_GET_ITEM(order, i);
        assert_int_equal(PySet_Add(set, items[i]), 0);
    }
    assert_false(iterates_as(set, order));
    assert_int_equal(pyhd__set_in_order(&set, items, 6, &work), 0);
    assert_int_equal(work, 5);
    assert_false(iterates_as(set, order));
    work = 1000;
    assert_int_equal(pyhd__set_in_order(&set, items, 6, &work), 1);
    assert_true(iterates_as(set, order));
    /* Six items per candidate set, and the plain two ways did not do. */
    assert_int_equal((1000 - work) % 6, 0);
    assert_true(1000 - work >= 18);
    Py_DECREF(set);
    Py_DECREF(order);
    Py_DECREF(original);
}

static void test_a_set_that_shrank_keeps_its_items(void **state)
{
    int was;
    (void)state;
    /* 200 items, then 195 removed: the table keeps its size, which no way of
       making 5 items gives, so the order may not come back; given_back() checks
       that the set keeps its items and stays the same object either way. */
    given_back("(lambda s: ([s.discard(i * 37) for i in range(5, 200)], s)[-1])"
               "(set(range(0, 200 * 37, 37)))", 0, &was);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_already_in_order),
        cmocka_unit_test(test_made_at_full_size),
        cmocka_unit_test(test_an_item_that_jumped),
        cmocka_unit_test(test_many_collisions),
        cmocka_unit_test(test_the_work_is_bounded),
        cmocka_unit_test(test_a_set_that_shrank_keeps_its_items),
    };
    int failed;
    Py_Initialize();
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    Py_Finalize();
    return failed;
}
