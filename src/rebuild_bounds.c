/* rebuild_bounds.c: the limits that keep rebuilding a hostile dump bounded in time and stack. */
#include "rebuild_bounds.h"

#include <stdlib.h>
#include <string.h>

int pyhd__census_init(struct pyhd_hash_census *c, uint64_t n)
{
    size_t cap = 16;
    memset(c, 0, sizeof *c);
    if (n <= PYHD_MAX_COLLISIONS)
        return 0;
    /* At most half full. n is bounded by the graph's size, itself in memory. */
    while (cap < 2 * n)
        cap *= 2;
    c->hashes = malloc(cap * sizeof *c->hashes);
    c->counts = calloc(cap, sizeof *c->counts);
    if (!c->hashes || !c->counts) {
        pyhd__census_free(c);
        return -1;
    }
    c->mask = cap - 1;
    return 0;
}

void pyhd__census_add(struct pyhd_hash_census *c, int64_t hash)
{
    /* Equal hashes are what is counted, so the slot is found from a mix of
       the hash's bits (CPython's own hashes of small ints are the ints). */
    uint64_t h = (uint64_t)hash * 0x9E3779B97F4A7C15u;
    size_t i = (size_t)(h >> 32) & c->mask;
    if (!pyhd__census_active(c))
        return;
    while (c->counts[i] && c->hashes[i] != hash)
        i = (i + 1) & c->mask;
    c->hashes[i] = hash;
    if (++c->counts[i] > c->highest)
        c->highest = c->counts[i];
}

void pyhd__census_free(struct pyhd_hash_census *c)
{
    free(c->hashes);
    free(c->counts);
    memset(c, 0, sizeof *c);
}

uint64_t pyhd__class_work(uint64_t bases_mro_len, uint64_t k, uint64_t *mro_len)
{
    uint64_t len = bases_mro_len + 1;
    if (len > PYHD_MRO_SATURATED)
        len = PYHD_MRO_SATURATED;
    if (k > PYHD_MRO_SATURATED)
        k = PYHD_MRO_SATURATED;
    *mro_len = len;
    /* Measured on CPython 3.11: a step (about 30 ns in pyhd-debug) of the
       checks over the MRO; the merge of k bases takes about 1/32 of one. */
    return PYHD_CLASS_COST + len * len + len * (k * k / 32);
}
