/* rebuild_bounds.h: the limits that keep rebuilding a hostile dump bounded in time and stack. */
#ifndef PYHD_REBUILD_BOUNDS_H
#define PYHD_REBUILD_BOUNDS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Pure C: functions return 0, or -1 when memory runs out; the rebuilder
 * (src/rebuild.c) turns a limit that is passed into a one-line DumpError.
 *
 * What each bound is for (man/pyhd-debug.1, "Limits", says it to users):
 *
 *   PYHD_MAX_HASH_DEPTH   Hashing a tuple (or, from 3.12, a slice) recurses
 *                         in C through its items without a recursion check,
 *                         so a dict key or set item nested deeper would
 *                         overflow the C stack. Such a key is kept, unhashed,
 *                         in a stand-in (pyhd_surrogates.UnhashableKey).
 *   PYHD_MAX_SLICE_DEPTH  A slice is freed by recursion without CPython's
 *                         "trashcan": slices nested deeper are refused.
 *   PYHD_MAX_COLLISIONS   Keys whose hashes are equal are compared with
 *                         each other on every insertion: a container
 *                         holding more keys of one hash is quadratic, and
 *                         refused. (str and bytes hashes are salted per
 *                         process, so only crafted numbers and tuples get
 *                         there; no program has more than a handful.)
 *   PYHD_MAX_CLASS_WORK   CPython spends about L*L steps on a class whose
 *                         MRO holds L classes, and L*k*k on merging k bases:
 *                         a chain of 2,000 classes takes minutes. Making any
 *                         class costs about PYHD_CLASS_COST steps. The sum
 *                         over all classes is bounded (about a second here):
 *                         some 30,000 shallow classes, or a chain of 450.
 */
#define PYHD_MAX_HASH_DEPTH 1000u
#define PYHD_MAX_SLICE_DEPTH 1000u
#define PYHD_MAX_COLLISIONS 100u
#define PYHD_MAX_CLASS_WORK ((uint64_t)1 << 25)
#define PYHD_CLASS_COST 1024u

/* The estimated MRO length saturates here, so sums and squares cannot overflow. */
#define PYHD_MRO_SATURATED ((uint64_t)1 << 20)

/* How many of a container's keys share one hash value. */
struct pyhd_hash_census {
    int64_t *hashes;
    uint32_t *counts;
    size_t mask;       /* capacity - 1 (a power of two); 0 when no table is needed */
    uint32_t highest;  /* the largest count so far */
};

/*
 * A census for a container of n keys. Containers of at most
 * PYHD_MAX_COLLISIONS keys cannot pass the bound and get no table.
 */
int pyhd__census_init(struct pyhd_hash_census *c, uint64_t n);

/* Count one key's hash; c->highest then says how many keys share the most common one. */
void pyhd__census_add(struct pyhd_hash_census *c, int64_t hash);

void pyhd__census_free(struct pyhd_hash_census *c);

static inline int pyhd__census_active(const struct pyhd_hash_census *c)
{
    return c->mask != 0;
}

/*
 * The cost of making one class, in the units of PYHD_MAX_CLASS_WORK, and
 * its estimated MRO length (*mro_len), from the sum of the estimated MRO
 * lengths of its k bases (an upper bound: bases that share ancestors count
 * them twice). The caller saturates the sum at PYHD_MRO_SATURATED.
 */
uint64_t pyhd__class_work(uint64_t bases_mro_len, uint64_t k, uint64_t *mro_len);

#endif /* PYHD_REBUILD_BOUNDS_H */
