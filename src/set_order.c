/* set_order.c: a rebuilt set made again so that it iterates in the dumped order. */
#include "set_order.h"

#include <string.h>

/* Moves of the item found in another's place, per way of filling, and the
   largest set they are spent on (each is one more set made). */
#define REPAIRS 6
#define MAX_REPAIRED 1000

/*
 * The table sizes of CPython 3.10 to 3.14 (Objects/setobject.c), as masks:
 * a set starts with 8 slots and, once 3/5 of them are filled, grows to the
 * power of two above 4 times its items (2 times past 50,000); made at once
 * from a dict of n keys, it takes the power of two above 2n first. Only the
 * guesses of which items jumped use them: every candidate is checked.
 */
static size_t grown_mask(Py_ssize_t n)
{
    size_t size = 8;
    for (size_t used = 1; used <= (size_t)n; used++) {
        if (used * 5 >= (size - 1) * 3) {
            size_t want = used > 50000 ? used * 2 : used * 4;
            for (size = 8; size <= want; size <<= 1)
                ;
        }
    }
    return size - 1;
}

static size_t presized_mask(Py_ssize_t n)
{
    size_t size = 8;
    if ((size_t)n * 5 >= (size - 1) * 3)
        while (size <= (size_t)n * 2)
            size <<= 1;
    return size - 1;
}

/* A dict of the n items of order as keys, in that order; NULL on an error. */
static PyObject *keys_of(PyObject *const *order, Py_ssize_t n)
{
    PyObject *keys = PyDict_New();
    for (Py_ssize_t i = 0; keys && i < n; i++)
        if (PyDict_SetItem(keys, order[i], Py_None) < 0)
            Py_CLEAR(keys);
    return keys;
}

/* A new set (frozen: frozenset) of the n items of order, added one by one, or at
   once (made from a dict of them, which sizes the table first); NULL on an error. */
static PyObject *made_from(PyObject *const *order, Py_ssize_t n, int at_once, int frozen)
{
    PyObject *set, *keys;
    if (at_once) {
        keys = keys_of(order, n);
        set = !keys ? NULL : frozen ? PyFrozenSet_New(keys) : PySet_New(keys);
        Py_XDECREF(keys);
        return set;
    }
    /* A new frozenset no one holds may be filled by PySet_Add. */
    set = frozen ? PyFrozenSet_New(NULL) : PySet_New(NULL);
    for (Py_ssize_t i = 0; set && i < n; i++)
        if (PySet_Add(set, order[i]) < 0)
            Py_CLEAR(set);
    return set;
}

/* The set, emptied, filled again as made_from() fills a new one. 0, or -1. */
static int refill(PyObject *set, PyObject *const *order, Py_ssize_t n, int at_once)
{
    PyObject *keys, *done;
    if (PySet_Clear(set) < 0)
        return -1;
    if (!at_once) {
        for (Py_ssize_t i = 0; i < n; i++)
            if (PySet_Add(set, order[i]) < 0)
                return -1;
        return 0;
    }
    keys = keys_of(order, n);
    done = keys ? PyObject_CallMethod(set, "update", "O", keys) : NULL;
    Py_XDECREF(keys);
    Py_XDECREF(done);
    return done ? 0 : -1;
}

/*
 * Where set first iterates otherwise than order: -1 when it does not, -2 on an
 * error, else the index; *intruder (borrowed: set holds it) is the item found
 * in that place.
 */
static Py_ssize_t misplaced(PyObject *set, PyObject *const *order, Py_ssize_t n,
                            PyObject **intruder)
{
    PyObject *it = PyObject_GetIter(set), *item;
    Py_ssize_t i = 0, at = -1;
    if (!it)
        return -2;
    while (at < 0 && (item = PyIter_Next(it)) != NULL) {
        if (i >= n || item != order[i]) {
            at = i;
            *intruder = item;
        }
        Py_DECREF(item);
        i++;
    }
    Py_DECREF(it);
    if (PyErr_Occurred())
        return -2;
    return at >= 0 ? at : i == n ? -1 : i;
}

/*
 * order with the items that must have jumped put last, in to (n items), for a
 * table of mask: the dump's order is the table's, so an item whose home slot
 * (hash & mask) lies after the home of an item that follows it sits before its
 * home: it found that slot taken and jumped, and comes after its taker.
 */
static int jumped_last(PyObject *const *order, PyObject **to, Py_ssize_t n, size_t mask)
{
    size_t *home = PyMem_New(size_t, (size_t)n), later = SIZE_MAX;
    Py_ssize_t stay = 0, moved = 0;
    if (!home) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_hash_t h = PyObject_Hash(order[i]);
        if (h == -1 && PyErr_Occurred()) {
            PyMem_Free(home);
            return -1;
        }
        home[i] = (size_t)h & mask;
    }
    /* Those that stay keep their order, and so do those moved after them. */
    for (Py_ssize_t i = n - 1; i >= 0; i--) {
        size_t h = home[i];
        home[i] = h > later;  /* now: whether it jumped */
        if (h < later)
            later = h;
        moved += (Py_ssize_t)home[i];
    }
    for (Py_ssize_t i = 0, j = n - moved; i < n; i++) {
        if (home[i])
            to[j++] = order[i];
        else
            to[stay++] = order[i];
    }
    PyMem_Free(home);
    return 0;
}

/* Move the item at from in o to index to, shifting those between. */
static void move_to(PyObject **o, Py_ssize_t from, Py_ssize_t to)
{
    PyObject *y = o[from];
    if (from < to)
        memmove(&o[from], &o[from + 1], (size_t)(to - from) * sizeof *o);
    else
        memmove(&o[to + 1], &o[to], (size_t)(from - to) * sizeof *o);
    o[to] = y;
}

static Py_ssize_t index_of(PyObject *const *o, Py_ssize_t n, PyObject *item)
{
    for (Py_ssize_t k = 0; k < n; k++)
        if (o[k] == item)
            return k;
    return -1;
}

/*
 * y was found where x belongs: change the order o (n items) of the next try.
 * MOVE_LAST: y came too early and took the place first: it goes last.
 * MOVE_BY_X: if y came before x, it took x's place first: it goes right after
 * x; if after, x had taken y's home and y jumped into x's place: it goes right
 * before x. Returns 0, or -1 when the items are not in o.
 */
enum repair { MOVE_LAST, MOVE_BY_X };

static int repair(PyObject **o, Py_ssize_t n, PyObject *x, PyObject *y, enum repair how)
{
    Py_ssize_t yi = index_of(o, n, y), xi = index_of(o, n, x);
    if (yi < 0 || xi < 0)
        return -1;
    /* To x's index: from before x, x shifts down one and y lands right after it;
       from after x, y lands there and x right after it. */
    move_to(o, yi, how == MOVE_LAST ? n - 1 : xi);
    return 0;
}

int pyhd__set_in_order(PyObject **set, PyObject *const *order, Py_ssize_t n, size_t *work)
{
    int frozen = PyFrozenSet_CheckExact(*set), found = 0, at_once = 0;
    PyObject **o, *made = NULL, *intruder = NULL;
    Py_ssize_t at = misplaced(*set, order, n, &intruder);

    if (at == -2)
        return -1;
    if (at == -1)
        return 1;
    o = PyMem_New(PyObject *, (size_t)n);
    if (!o) {
        PyErr_NoMemory();
        return -1;
    }
    /* The dumped order, filled each way; then, with the items that must have
       jumped last, each repair in turn, a few times, each way. */
    for (int plan = 0; plan < 3 && !found; plan++) {
        for (at_once = 0; at_once < 2 && !found; at_once++) {
            if (plan == 0)
                memcpy(o, order, (size_t)n * sizeof *o);
            else if (jumped_last(order, o, n, at_once ? presized_mask(n) : grown_mask(n)) < 0)
                goto error;
            for (int attempt = 0; attempt <= (plan ? REPAIRS : 0) && !found; attempt++) {
                if (attempt > 0 && (n > MAX_REPAIRED ||
                                    repair(o, n, order[at], intruder,
                                           plan == 1 ? MOVE_LAST : MOVE_BY_X) < 0))
                    break;
                if (*work < (size_t)n)
                    goto out;  /* the load's budget is spent: the set stays as it is */
                *work -= (size_t)n;
                Py_CLEAR(made);
                made = made_from(o, n, at_once, frozen);
                at = made ? misplaced(made, order, n, &intruder) : -2;
                if (at == -2)
                    goto error;
                found = at == -1;
            }
        }
    }
out:
    if (found && frozen) {
        Py_SETREF(*set, made);
        made = NULL;
    } else if (found) {
        /* Others may hold this set already: emptied, it is filled again the same way. */
        if (refill(*set, o, n, at_once - 1) < 0)
            goto error;
        found = misplaced(*set, order, n, &intruder) == -1;
    }
    Py_XDECREF(made);
    PyMem_Free(o);
    return found;
error:
    Py_XDECREF(made);
    PyMem_Free(o);
    return -1;
}
