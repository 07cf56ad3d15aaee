/* test_rebuild_bounds.c: the census of equal hashes and the estimate of class-making work. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rebuild_bounds.h"

/* Small containers cannot pass the bound: no table, nothing counted. */
static void test_small_containers_need_no_census(void **state)
{
    struct pyhd_hash_census c;
    (void)state;
    assert_int_equal(pyhd__census_init(&c, PYHD_MAX_COLLISIONS), 0);
    assert_false(pyhd__census_active(&c));
    pyhd__census_add(&c, 7);
    assert_int_equal(c.highest, 0);
    pyhd__census_free(&c);
}

/* Distinct hashes, even ones that agree in their low bits, each count once. */
static void test_distinct_hashes(void **state)
{
    struct pyhd_hash_census c;
    (void)state;
    assert_int_equal(pyhd__census_init(&c, 10000), 0);
    assert_true(pyhd__census_active(&c));
    for (int64_t i = 0; i < 10000; i++)
        pyhd__census_add(&c, i << 40);
    assert_int_equal(c.highest, 1);
    pyhd__census_free(&c);
}

/* Equal hashes are counted together, whatever else is in the table. */
static void test_equal_hashes(void **state)
{
    struct pyhd_hash_census c;
    (void)state;
    assert_int_equal(pyhd__census_init(&c, 1000), 0);
    for (int64_t i = 0; i < 1000; i++)
        pyhd__census_add(&c, i % 3 == 0 ? -2 : i);
    assert_int_equal(c.highest, 334);
    pyhd__census_free(&c);
}

/* A chain of classes costs about depth cubed over three, a wide class L*k*k/32. */
static void test_class_work(void **state)
{
    uint64_t len = 0, total = 0, mro = 1;
    (void)state;
    assert_int_equal(pyhd__class_work(0, 0, &len), PYHD_CLASS_COST + 1);
    assert_int_equal(len, 1);
    for (int i = 0; i < 2000 && total <= PYHD_MAX_CLASS_WORK; i++) {
        total += pyhd__class_work(mro, 1, &len);
        mro = len;
    }
    /* The bound stops such a chain between 300 and 500 classes deep. */
    assert_true(total > PYHD_MAX_CLASS_WORK);
    assert_in_range(mro, 300, 500);
    assert_true(pyhd__class_work(3000, 3000, &len) > PYHD_MAX_CLASS_WORK);
    assert_int_equal(len, 3001);
    /* Estimates saturate instead of overflowing. */
    assert_true(pyhd__class_work(UINT64_MAX / 2, UINT64_MAX / 2, &len) > PYHD_MAX_CLASS_WORK);
    assert_int_equal(len, PYHD_MRO_SATURATED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_containers_need_no_census),
        cmocka_unit_test(test_distinct_hashes),
        cmocka_unit_test(test_equal_hashes),
        cmocka_unit_test(test_class_work),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
