/* test_record_write.c: the writers of record_write.h, read back field by field by decode.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "decode.h"
#include "encode.h"
#include "record_write.h"

/*
 * record_write.h makes, from format.h's field table, a writer per kind
 * (rec_put_KIND) that the walker writes every record through; decode.c makes
 * its validator from the same table. Here every kind of the table is written
 * through its writer with a distinct value in every field, the stream is
 * decoded, and every field's slot (decode.h's PYHD_S_KIND_name) must hold the
 * value given to the field of that name: a writer that put a field anywhere
 * but where the table puts it, or in another encoding, fails here.
 *
 * The test's own walker builds a payload with format.h's encodings. Its
 * references are absolute ids, given in struct rec_ref's how (how is the
 * includer's to define); they name stand-in records (TRUNCATED, which may
 * stand for any kind a reference may name), a different one for each field.
 */
struct walker {
    struct pyhd_buf p;
};

static int rec_put_ref(struct walker *w, struct rec_ref v)
{
    return pyhd__buf_varint(&w->p, v.how ? (uint64_t)v.how + 1 : 0);
}

static int rec_put_u8(struct walker *w, unsigned v)
{
    unsigned char b = (unsigned char)v;
    return pyhd__buf_append(&w->p, &b, 1);
}

static int rec_put_varint(struct walker *w, uint64_t v)
{
    return pyhd__buf_varint(&w->p, v);
}

static int rec_put_svarint(struct walker *w, int64_t v)
{
    return pyhd__buf_varint(&w->p, pyhd__zigzag(v));
}

static int rec_put_f64(struct walker *w, double v)
{
    uint64_t bits;
    unsigned char le[8];
    memcpy(&bits, &v, 8);
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(bits >> (8 * i));
    return pyhd__buf_append(&w->p, le, 8);
}

static int rec_put_text(struct walker *w, struct rec_text v)
{
    return pyhd__buf_varint(&w->p, v.n) < 0 ? -1 : pyhd__buf_append(&w->p, v.s, v.n);
}

static int rec_put_blob(struct walker *w, struct rec_blob v)
{
    return pyhd__buf_varint(&w->p, v.n) < 0 ? -1 : pyhd__buf_append(&w->p, v.data, v.n);
}

/* Append the varints of a body, the first count of them. */
static int put_varints(struct walker *w, const uint64_t *v, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (pyhd__buf_varint(&w->p, v[i]) < 0)
            return -1;
    return 0;
}

/*
 * The bodies: each a small valid field of its type, with a count that the
 * check below finds in the field's slots (a body put anywhere but at its
 * field's place would be read as other fields).
 */
static int put_strdata(struct walker *w, void *arg)
{
    static const unsigned char body[] = {1, 5, 'x'};  /* width 1, length 5, 1 stored */
    return pyhd__buf_append(&w->p, body, sizeof body);
}

static int put_bytesdata(struct walker *w, void *arg)
{
    static const unsigned char body[] = {9, 'x'};  /* length 9, 1 stored */
    return pyhd__buf_append(&w->p, body, sizeof body);
}

static int put_items(struct walker *w, void *arg)
{
    static const uint64_t body[] = {7, 0};  /* length 7, none stored */
    return put_varints(w, body, 2);
}

static int put_pairs(struct walker *w, void *arg)
{
    static const uint64_t body[] = {0};
    return put_varints(w, body, 1);
}

static int put_dims(struct walker *w, void *arg)
{
    static const uint64_t body[] = {2, 3, 4};  /* 2 dimensions: 3, 4 */
    return put_varints(w, body, 3);
}

static int put_shape(struct walker *w, void *arg)
{
    /* 2 dimensions: 3, 4; strides 32, -8 */
    const uint64_t body[] = {2, 3, 4, pyhd__zigzag(32), pyhd__zigzag(-8)};
    return put_varints(w, body, 5);
}

static int put_elements(struct walker *w, void *arg)
{
    /* The dtype is a stand-in, not an object dtype: bytes, length 6, none stored. */
    static const uint64_t body[] = {6};
    return put_varints(w, body, 1);
}

static int put_base(struct walker *w, void *arg)
{
    const uint64_t value = pyhd__zigzag(-3);
    return rec_put_u8(w, PYHD_REC_INT) < 0 ? -1 : put_varints(w, &value, 1);
}

static int put_hash(struct walker *w, void *arg)
{
    static const unsigned char hash[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    return pyhd__buf_append(&w->p, hash, sizeof hash);
}

#define NSTANDINS 32u
#define FIRST_STANDIN 3u   /* ids 1 and 2: the STR and CLASS the stand-ins need */

/*
 * The value of field number k (its first slot, which is distinct for every
 * field of a kind) of a field type; arg is the field's table arg.
 */
static struct rec_ref value_REF(unsigned k, uint64_t arg)
{
    return (struct rec_ref){NULL, FIRST_STANDIN + k % NSTANDINS};
}
static unsigned value_U8(unsigned k, uint64_t arg)
{
    return (unsigned)(k % (arg + 1));
}
static uint64_t value_VARINT(unsigned k, uint64_t arg)
{
    return 1000 + k;
}
static int64_t value_SVARINT(unsigned k, uint64_t arg)
{
    return -(int64_t)(100 + k);
}
static double value_F64(unsigned k, uint64_t arg)
{
    return k + 0.25;
}
static struct rec_text value_TEXT(unsigned k, uint64_t arg)
{
    return (struct rec_text){"abcdefghijklmnopqrstuvwxyz", 1 + k % 26};
}
static struct rec_blob value_BLOB(unsigned k, uint64_t arg)
{
    return (struct rec_blob){"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1 + k % 26};
}
static unsigned value_SINCE(unsigned k, uint64_t arg)
{
    return 1;
}
#define VALUE_BODY(type, put) \
    static struct rec_body_##type value_##type(unsigned k, uint64_t arg) \
    { \
        return (struct rec_body_##type){put, NULL}; \
    }
VALUE_BODY(STRDATA, put_strdata)
VALUE_BODY(BYTESDATA, put_bytesdata)
VALUE_BODY(ITEMS, put_items)
VALUE_BODY(MAP, put_items)
VALUE_BODY(PAIRS, put_pairs)
VALUE_BODY(DIMS, put_dims)
VALUE_BODY(SHAPE, put_shape)
VALUE_BODY(ELEMENTS, put_elements)
VALUE_BODY(DTFIELDS, put_pairs)
VALUE_BODY(BASE, put_base)
VALUE_BODY(HASH, put_hash)
VALUE_BODY(ROOTLIST, put_pairs)
#undef VALUE_BODY

/* fill_KIND(r): every field of r its value. */
#define FILL_FIELD(kind, name, type, arg, flags) \
    r->name = value_##type(PYHD_S_##kind##_##name, (uint64_t)(arg));
#define FILL(kind, since) \
    static void fill_##kind(struct rec_##kind *r) \
    { \
        (void)r; \
        PYHD_FIELDS_##kind(FILL_FIELD) \
    }
PYHD_OBJECT_KINDS(FILL)
PYHD_META_KINDS(FILL)
#undef FILL
#undef FILL_FIELD

/* The checks: the slots s of field what hold the value v it was given. */
static void check_REF(const struct pyhd_record *r, const uint64_t *s, struct rec_ref v,
                      const char *what)
{
    if (s[0] != v.how)
        fail_msg("%s: id %llu, written %u", what, (unsigned long long)s[0], v.how);
}
static void check_U8(const struct pyhd_record *r, const uint64_t *s, unsigned v, const char *what)
{
    if (s[0] != v)
        fail_msg("%s: %llu, written %u", what, (unsigned long long)s[0], v);
}
static void check_VARINT(const struct pyhd_record *r, const uint64_t *s, uint64_t v,
                         const char *what)
{
    if (s[0] != v)
        fail_msg("%s: %llu, written %llu", what, (unsigned long long)s[0], (unsigned long long)v);
}
static void check_SVARINT(const struct pyhd_record *r, const uint64_t *s, int64_t v,
                          const char *what)
{
    if ((int64_t)s[0] != v)
        fail_msg("%s: %lld, written %lld", what, (long long)s[0], (long long)v);
}
static void check_F64(const struct pyhd_record *r, const uint64_t *s, double v, const char *what)
{
    double d;
    memcpy(&d, &s[0], 8);
    if (d != v)
        fail_msg("%s: %g, written %g", what, d, v);
}
static void check_TEXT(const struct pyhd_record *r, const uint64_t *s, struct rec_text v,
                       const char *what)
{
    if (s[PYHD_TEXT_LEN] != v.n || memcmp(r->payload + s[PYHD_TEXT_AT], v.s, v.n) != 0)
        fail_msg("%s: not the %zu bytes written", what, v.n);
}
static void check_BLOB(const struct pyhd_record *r, const uint64_t *s, struct rec_blob v,
                       const char *what)
{
    if (s[PYHD_TEXT_LEN] != v.n || memcmp(r->payload + s[PYHD_TEXT_AT], v.data, v.n) != 0)
        fail_msg("%s: not the %zu bytes written", what, v.n);
}
static void check_SINCE(const struct pyhd_record *r, const uint64_t *s, unsigned v,
                        const char *what)
{
    if (s[0] != v)
        fail_msg("%s: the fields after it read as %s", what, s[0] ? "present" : "absent");
}
/* A body's slot k holds expected (the counts put_strdata ... put_hash write). */
static void check_slot(const uint64_t *s, int k, uint64_t expected, const char *what)
{
    if (s[k] != expected)
        fail_msg("%s: slot %d is %llu, not %llu: the body is not at its field's place", what,
                 k, (unsigned long long)s[k], (unsigned long long)expected);
}
#define CHECK_BODY(type, k, expected) \
    static void check_##type(const struct pyhd_record *r, const uint64_t *s, \
                             struct rec_body_##type v, const char *what) \
    { \
        check_slot(s, k, expected, what); \
    }
CHECK_BODY(STRDATA, PYHD_STR_LENGTH, 5)
CHECK_BODY(BYTESDATA, PYHD_DATA_LENGTH, 9)
CHECK_BODY(ITEMS, PYHD_SEQ_LENGTH, 7)
CHECK_BODY(MAP, PYHD_SEQ_LENGTH, 7)
CHECK_BODY(PAIRS, PYHD_LIST_N, 0)
CHECK_BODY(DIMS, PYHD_DIMS_N, 2)
CHECK_BODY(SHAPE, PYHD_DIMS_N, 2)
CHECK_BODY(ELEMENTS, PYHD_ELEM_LENGTH, 6)
CHECK_BODY(DTFIELDS, PYHD_LIST_N, 0)
CHECK_BODY(BASE, PYHD_BASE_FIELDS + PYHD_S_INT_value, (uint64_t)(int64_t)-3)
CHECK_BODY(HASH, PYHD_HASH_VALUE, 0x0807060504030201u)
CHECK_BODY(ROOTLIST, PYHD_LIST_N, 0)
#undef CHECK_BODY

/* check_KIND(r): every field's slots of the decoded record r against its value. */
#define CHECK_FIELD(kind, name, type, arg, flags) \
    check_##type(r, r->f + PYHD_S_##kind##_##name, v.name, #kind "." #name);
#define CHECK(k, since) \
    static void check_##k(const struct pyhd_record *r) \
    { \
        struct rec_##k v; \
        memset(&v, 0, sizeof v); \
        fill_##k(&v); \
        assert_int_equal(r->kind, PYHD_REC_##k); \
        PYHD_FIELDS_##k(CHECK_FIELD) \
    }
PYHD_OBJECT_KINDS(CHECK)
PYHD_META_KINDS(CHECK)
#undef CHECK
#undef CHECK_FIELD

/* Append the payload built in w as a record of kind (no fresh ids: references are absolute). */
static void emit(struct pyhd_enc *e, struct walker *w, unsigned kind)
{
    if (pyhd__enc_record(e, kind, 0, w->p.data, w->p.len) < 0)
        fail_msg("%s", e->err);
    w->p.len = 0;
}

/* write_KIND(e, w): the record of KIND, every field its value, through rec_put_KIND. */
#define WRITE(kind, since) \
    static void write_##kind(struct pyhd_enc *e, struct walker *w) \
    { \
        struct rec_##kind r; \
        memset(&r, 0, sizeof r); \
        fill_##kind(&r); \
        assert_int_equal(rec_put_##kind(w, &r), PYHD_REC_##kind); \
        emit(e, w, PYHD_REC_##kind); \
    }
PYHD_OBJECT_KINDS(WRITE)
PYHD_META_KINDS(WRITE)
#undef WRITE

static void test_every_field_where_the_table_puts_it(void **state)
{
    (void)state;
    struct pyhd_buf z;
    struct pyhd_enc e;
    struct walker w;
    struct pyhd_decoded d;
    char err[512];
    uint64_t nobjects = 0;
    pyhd__buf_init(&z);
    pyhd__buf_init(&w.p);
    assert_int_equal(pyhd__enc_init(&e, &z, 1), 0);

    /* The meta kinds first (a stream opens with its ROOTS), then the objects: 1: STR
       "s"; 2: CLASS named by it; 3 ...: TRUNCATED stand-ins of that class. */
#define WRITE(kind, since) write_##kind(&e, &w);
    PYHD_META_KINDS(WRITE)
    static const unsigned char s[] = {1, 1, 's'};
    assert_int_equal(pyhd__buf_append(&w.p, s, sizeof s), 0);
    emit(&e, &w, PYHD_REC_STR);
    struct rec_CLASS cls = {.name = {NULL, 1}, .qualname = {NULL, 1}, .module = {NULL, 1}};
    assert_int_equal(rec_put_CLASS(&w, &cls), PYHD_REC_CLASS);
    emit(&e, &w, PYHD_REC_CLASS);
    struct rec_TRUNCATED standin = {.class = {NULL, 2}};
    for (unsigned i = 0; i < NSTANDINS; i++) {
        assert_int_equal(rec_put_TRUNCATED(&w, &standin), PYHD_REC_TRUNCATED);
        emit(&e, &w, PYHD_REC_TRUNCATED);
    }
    nobjects = FIRST_STANDIN - 1 + NSTANDINS;

    /* Every object kind of the table. */
    PYHD_OBJECT_KINDS(WRITE)
#undef WRITE
#define COUNT(kind, since) +1
    nobjects += 0 PYHD_OBJECT_KINDS(COUNT);
#undef COUNT
    assert_int_equal(pyhd__enc_finish(&e, nobjects), 0);

    if (pyhd__decode_open(&d, z.data, z.len, pyhd__decode_limit(z.len, 0), err, sizeof err) < 0)
        fail_msg("the records the writers made do not validate: %s", err);
    assert_int_equal(d.nobjects, nobjects);
    assert_int_equal(d.ntrailing, 0);
    const struct pyhd_record *r = &d.objects[FIRST_STANDIN - 1 + NSTANDINS];
#define CHECK(kind, since) check_##kind(r++);
    PYHD_OBJECT_KINDS(CHECK)
#undef CHECK
    check_ROOTS(&d.roots);
    assert_int_equal(d.nthreads, 1);
    check_THREAD(&d.threads[0]);
    pyhd__decode_free(&d);
    pyhd__enc_free(&e);
    pyhd__buf_free(&z);
    pyhd__buf_free(&w.p);
}

/*
 * A SINCE field of 0 leaves out every field after it (a builtin function's
 * record): the reader finds them absent, and no bytes after the last field
 * it read.
 */
static void test_since_leaves_out_what_follows(void **state)
{
    (void)state;
    struct pyhd_buf z;
    struct pyhd_enc e;
    struct walker w;
    struct pyhd_decoded d;
    char err[512];
    pyhd__buf_init(&z);
    pyhd__buf_init(&w.p);
    assert_int_equal(pyhd__enc_init(&e, &z, 1), 0);
    struct rec_ROOTS roots = {.root = {put_pairs, NULL}};
    assert_int_equal(rec_put_ROOTS(&w, &roots), PYHD_REC_ROOTS);
    emit(&e, &w, PYHD_REC_ROOTS);
    static const unsigned char s[] = {1, 1, 's'};
    assert_int_equal(pyhd__buf_append(&w.p, s, sizeof s), 0);
    emit(&e, &w, PYHD_REC_STR);
    struct rec_FUNCTION f = {.name = {NULL, 1}, .v2 = 0, .defaults = {NULL, 1}};
    assert_int_equal(rec_put_FUNCTION(&w, &f), PYHD_REC_FUNCTION);
    /* name, qualname, module and code: four references, nothing after them. */
    assert_int_equal(w.p.len, 4);
    emit(&e, &w, PYHD_REC_FUNCTION);
    assert_int_equal(pyhd__enc_finish(&e, 2), 0);
    if (pyhd__decode_open(&d, z.data, z.len, pyhd__decode_limit(z.len, 0), err, sizeof err) < 0)
        fail_msg("%s", err);
    const uint64_t *slots = d.objects[1].f;
    assert_int_equal(slots[PYHD_S_FUNCTION_name], 1);
    assert_int_equal(slots[PYHD_S_FUNCTION_v2], 0);
    assert_int_equal(slots[PYHD_S_FUNCTION_defaults], 0);
    assert_int_equal(d.ntrailing, 0);
    pyhd__decode_free(&d);
    pyhd__enc_free(&e);
    pyhd__buf_free(&z);
    pyhd__buf_free(&w.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_field_where_the_table_puts_it),
        cmocka_unit_test(test_since_leaves_out_what_follows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
