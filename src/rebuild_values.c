/* rebuild_values.c: standard-library values of REDUCED and DATETIME records made in C (the datetime types). */
#include "rebuild_values.h"

#include <limits.h>
#include <string.h>

#include <datetime.h>

/*
 * What each class's args are is format.h's "Reduced values" table; what is
 * accepted is what pyhd_surrogates.make_reduced accepts: exact ints (no bool,
 * no subclass), a tzinfo that is one or None (make_reduced wraps any other),
 * an exact timedelta and
 * str for a timezone. The constructors below are the ones the classes' own
 * __new__ ends in (the datetime C API hands out the same functions), so
 * their checks (ranges, fold) are the same too; where they refuse, the
 * error is dropped and make_reduced makes its stand-in with the message.
 */

/* The C int an exact int holds: 1, or 0 when it is no exact int or too large. */
static int exact_int(PyObject *o, int *out)
{
    long v;
    int overflow = 0;
    if (!PyLong_CheckExact(o))
        return 0;
    v = PyLong_AsLongAndOverflow(o, &overflow);
    if (overflow || v < INT_MIN || v > INT_MAX)
        return 0;
    *out = (int)v;
    return 1;
}

/* The first n items of args as C ints, all exact ints: 1, else 0. */
static int exact_ints(PyObject *args, Py_ssize_t first, Py_ssize_t n, int *out)
{
    for (Py_ssize_t i = 0; i < n; i++)
        if (!exact_int(PyTuple_GET_ITEM(args, first + i), &out[i]))
            return 0;
    return 1;
}

/* A time's or datetime's tzinfo (borrowed): None or a tzinfo; NULL for
   anything else (a stand-in of a program's tzinfo, a zone this machine does
   not have), which make_reduced wraps so that the value stays aware. */
static PyObject *tzinfo_or_none(PyObject *tz)
{
    int rc;
    if (tz == Py_None)
        return tz;
    rc = PyObject_IsInstance(tz, (PyObject *)PyDateTimeAPI->TZInfoType);
    if (rc < 0)
        PyErr_Clear();
    return rc > 0 ? tz : NULL;
}

/* A datetime.timezone from (offset,) or (offset, name): new reference or NULL. */
static PyObject *make_timezone(PyObject *args)
{
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    PyObject *offset = n >= 1 ? PyTuple_GET_ITEM(args, 0) : NULL;
    PyObject *name = n == 2 ? PyTuple_GET_ITEM(args, 1) : NULL;
    if (n < 1 || n > 2 || !PyDelta_CheckExact(offset) || (name && !PyUnicode_CheckExact(name)))
        return NULL;
    return PyDateTimeAPI->TimeZone_FromTimeZone(offset, name);
}

/* A timedelta from (days, seconds, microseconds) as the dumped object held them. */
static PyObject *make_timedelta(PyObject *args)
{
    int v[3];
    /* Normalized, as every timedelta is: normalizing other values could overflow an int. */
    if (PyTuple_GET_SIZE(args) != 3 || !exact_ints(args, 0, 3, v) || v[1] < 0 ||
        v[1] >= 24 * 3600 || v[2] < 0 || v[2] >= 1000000)
        return NULL;
    return PyDateTimeAPI->Delta_FromDelta(v[0], v[1], v[2], 1, PyDateTimeAPI->DeltaType);
}

static PyObject *make_datetime_value(PyObject *cls, PyObject *args)
{
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    PyObject *tz;
    int v[8];
    if (cls == (PyObject *)PyDateTimeAPI->DateType) {
        if (n != 3 || !exact_ints(args, 0, 3, v))
            return NULL;
        return PyDateTimeAPI->Date_FromDate(v[0], v[1], v[2], PyDateTimeAPI->DateType);
    }
    if (cls == (PyObject *)PyDateTimeAPI->DateTimeType) {
        /* (year, month, day, hour, minute, second, microsecond, tzinfo, fold) */
        if (n != 9 || !exact_ints(args, 0, 7, v) || !exact_int(PyTuple_GET_ITEM(args, 8), &v[7]))
            return NULL;
        tz = tzinfo_or_none(PyTuple_GET_ITEM(args, 7));
        if (!tz)
            return NULL;
        return PyDateTimeAPI->DateTime_FromDateAndTimeAndFold(
            v[0], v[1], v[2], v[3], v[4], v[5], v[6], tz, v[7], PyDateTimeAPI->DateTimeType);
    }
    if (cls == (PyObject *)PyDateTimeAPI->TimeType) {
        /* (hour, minute, second, microsecond, tzinfo, fold) */
        if (n != 6 || !exact_ints(args, 0, 4, v) || !exact_int(PyTuple_GET_ITEM(args, 5), &v[4]))
            return NULL;
        tz = tzinfo_or_none(PyTuple_GET_ITEM(args, 4));
        if (!tz)
            return NULL;
        return PyDateTimeAPI->Time_FromTimeAndFold(v[0], v[1], v[2], v[3], tz, v[4],
                                                   PyDateTimeAPI->TimeType);
    }
    if (cls == (PyObject *)PyDateTimeAPI->DeltaType)
        return make_timedelta(args);
    if (cls == (PyObject *)Py_TYPE(PyDateTimeAPI->TimeZone_UTC))
        return make_timezone(args);
    return NULL;
}

/* Whether cls may be one of the datetime module's C types (their names say so). */
static int names_datetime(PyObject *cls)
{
    const PyTypeObject *t = (const PyTypeObject *)cls;
    return PyType_Check(cls) && !(t->tp_flags & Py_TPFLAGS_HEAPTYPE) &&
           !strncmp(t->tp_name, "datetime.", 9);
}

/* Whether the datetime C API is there: 1, else 0 (make_reduced does the work). */
static int have_datetime_api(struct pyhd_values *v)
{
    if (!v->datetime_api) {
        /* Once per load (a cheap look-up: the trust table imported datetime
           to resolve cls). Without its C part, make_reduced does the work. */
        PyDateTime_IMPORT;
        v->datetime_api = PyDateTimeAPI ? 1 : -1;
        if (!PyDateTimeAPI)
            PyErr_Clear();
    }
    return v->datetime_api > 0;
}

PyObject *pyhd__values_make_datetime(struct pyhd_values *v, PyObject *cls, const uint64_t *fields,
                                     PyObject *tzinfo)
{
    PyObject *value = NULL, *tz;
    int f[PYHD_DTF_COUNT];
    if (!names_datetime(cls) || !have_datetime_api(v))
        return NULL;
    /* Past an int, no constructor takes them: make_reduced says which was out of range. */
    for (int i = 0; i < PYHD_DTF_COUNT; i++) {
        if (fields[i] > INT_MAX)
            return NULL;
        f[i] = (int)fields[i];
    }
    tz = tzinfo_or_none(tzinfo ? tzinfo : Py_None);
    if (cls == (PyObject *)PyDateTimeAPI->DateTimeType && tz)
        value = PyDateTimeAPI->DateTime_FromDateAndTimeAndFold(
            f[PYHD_DTF_YEAR], f[PYHD_DTF_MONTH], f[PYHD_DTF_DAY], f[PYHD_DTF_HOUR],
            f[PYHD_DTF_MINUTE], f[PYHD_DTF_SECOND], f[PYHD_DTF_MICROSECOND], tz, f[PYHD_DTF_FOLD],
            PyDateTimeAPI->DateTimeType);
    else if (cls == (PyObject *)PyDateTimeAPI->DateType)
        value = PyDateTimeAPI->Date_FromDate(f[PYHD_DTF_YEAR], f[PYHD_DTF_MONTH],
                                             f[PYHD_DTF_DAY], PyDateTimeAPI->DateType);
    else if (cls == (PyObject *)PyDateTimeAPI->TimeType && tz)
        value = PyDateTimeAPI->Time_FromTimeAndFold(f[PYHD_DTF_HOUR], f[PYHD_DTF_MINUTE],
                                                    f[PYHD_DTF_SECOND], f[PYHD_DTF_MICROSECOND],
                                                    tz, f[PYHD_DTF_FOLD], PyDateTimeAPI->TimeType);
    if (!value)
        PyErr_Clear();
    return value;
}

PyObject *pyhd__values_datetime_args(PyObject *cls, const uint64_t *fields, PyObject *tzinfo)
{
    const char *name = PyType_Check(cls) ? ((PyTypeObject *)cls)->tp_name : "";
    const char *dot = strrchr(name, '.');
    PyObject *tz = tzinfo ? tzinfo : Py_None;
    name = dot ? dot + 1 : name;
    if (!strcmp(name, "date"))
        return Py_BuildValue("(KKK)", (unsigned long long)fields[PYHD_DTF_YEAR],
                             (unsigned long long)fields[PYHD_DTF_MONTH],
                             (unsigned long long)fields[PYHD_DTF_DAY]);
    if (!strcmp(name, "time"))
        return Py_BuildValue("(KKKKOK)", (unsigned long long)fields[PYHD_DTF_HOUR],
                             (unsigned long long)fields[PYHD_DTF_MINUTE],
                             (unsigned long long)fields[PYHD_DTF_SECOND],
                             (unsigned long long)fields[PYHD_DTF_MICROSECOND], tz,
                             (unsigned long long)fields[PYHD_DTF_FOLD]);
    return Py_BuildValue("(KKKKKKKOK)", (unsigned long long)fields[PYHD_DTF_YEAR],
                         (unsigned long long)fields[PYHD_DTF_MONTH],
                         (unsigned long long)fields[PYHD_DTF_DAY],
                         (unsigned long long)fields[PYHD_DTF_HOUR],
                         (unsigned long long)fields[PYHD_DTF_MINUTE],
                         (unsigned long long)fields[PYHD_DTF_SECOND],
                         (unsigned long long)fields[PYHD_DTF_MICROSECOND], tz,
                         (unsigned long long)fields[PYHD_DTF_FOLD]);
}

PyObject *pyhd__values_datetime_as(struct pyhd_values *v, PyObject *cls, PyObject *value)
{
    PyTypeObject *type = Py_TYPE(value), *layout;
    PyObject *args = NULL, *kwargs = NULL, *obj = NULL;
    if (!have_datetime_api(v) || !PyType_Check(cls) ||
        !PyType_IsSubtype((PyTypeObject *)cls, type)) {
        PyErr_SetString(PyExc_TypeError, "not a subclass of the value's type");
        return NULL;
    }
    /* cls's instances must have the memory of the value's own type, or type's
       constructor would fill another's (date's, a datetime's: datetime derives
       from date, with a time and a time zone flag date never sets). As Python's
       date.__new__(datetime) refuses: every class from cls down to type is a
       Python class (of the program, rebuilt or --trust's), none a C type or
       another of the datetime module's. */
    for (layout = (PyTypeObject *)cls; layout && layout != type; layout = layout->tp_base) {
        if (!(layout->tp_flags & Py_TPFLAGS_HEAPTYPE) || layout == PyDateTimeAPI->DateType ||
            layout == PyDateTimeAPI->DateTimeType || layout == PyDateTimeAPI->TimeType)
            break;
    }
    if (layout != type) {
        PyErr_SetString(PyExc_TypeError, "a subclass of another C type than the value's");
        return NULL;
    }
    if (type == PyDateTimeAPI->DateType) {
        args = Py_BuildValue("(iii)", PyDateTime_GET_YEAR(value), PyDateTime_GET_MONTH(value),
                             PyDateTime_GET_DAY(value));
    } else if (type == PyDateTimeAPI->DateTimeType) {
        args = Py_BuildValue(
            "(iiiiiiiO)", PyDateTime_GET_YEAR(value), PyDateTime_GET_MONTH(value),
            PyDateTime_GET_DAY(value), PyDateTime_DATE_GET_HOUR(value),
            PyDateTime_DATE_GET_MINUTE(value), PyDateTime_DATE_GET_SECOND(value),
            PyDateTime_DATE_GET_MICROSECOND(value), PyDateTime_DATE_GET_TZINFO(value));
        kwargs = Py_BuildValue("{si}", "fold", PyDateTime_DATE_GET_FOLD(value));
    } else if (type == PyDateTimeAPI->TimeType) {
        args = Py_BuildValue("(iiiiO)", PyDateTime_TIME_GET_HOUR(value),
                             PyDateTime_TIME_GET_MINUTE(value), PyDateTime_TIME_GET_SECOND(value),
                             PyDateTime_TIME_GET_MICROSECOND(value),
                             PyDateTime_TIME_GET_TZINFO(value));
        kwargs = Py_BuildValue("{si}", "fold", PyDateTime_TIME_GET_FOLD(value));
    } else {
        PyErr_SetString(PyExc_TypeError, "not a date, time or datetime");
        return NULL;
    }
    if (args && (kwargs || type == PyDateTimeAPI->DateType))
        obj = type->tp_new((PyTypeObject *)cls, args, kwargs);
    Py_XDECREF(args);
    Py_XDECREF(kwargs);
    return obj;
}

PyObject *pyhd__values_make(struct pyhd_values *v, PyObject *cls, PyObject *args)
{
    PyObject *value;
    if (!PyTuple_CheckExact(args) || !names_datetime(cls) || !have_datetime_api(v))
        return NULL;
    value = make_datetime_value(cls, args);
    if (!value)
        PyErr_Clear();
    return value;
}

int pyhd__values_fill_wanted(PyObject *obj)
{
    /* collections.deque's name (a static type before 3.13, a heap type
       since), decimal.Context's (its flags and traps come in lists filled
       after it), an XML element's (its attributes and children) and the
       sequence iterators'; fill_reduced checks that it is the class itself. */
    static const char *const names[] = {
        "collections.deque", "decimal.Context", "xml.etree.ElementTree.Element",
        /* An lru_cache wrapper's __dict__ (__wrapped__, __name__, ...). */
        "functools._lru_cache_wrapper",
        /* A context's variables and values. */
        "_contextvars.Context",
        /* Sequence iterators: their index, set once the sequence is filled. */
        "list_iterator", "list_reverseiterator", "tuple_iterator", "str_iterator",
        "str_ascii_iterator", "bytes_iterator",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(Py_TYPE(obj)->tp_name, names[i]))
            return 1;
    return 0;
}
