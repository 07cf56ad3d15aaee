/* datetime_fields.c: the fields of a datetime.date, time or datetime, read from its C struct. */
#include "datetime_fields.h"

#include <string.h>

#include <datetime.h>

int pyhd__datetime_layout(PyTypeObject *layout, enum pyhd_datetime_which which)
{
    Py_ssize_t size = layout->tp_basicsize;
    (void)PyDateTimeAPI;  /* datetime.h's, unused: nothing here calls the API */
    switch (which) {
    case PYHD_DT_DATE:
        return size == (Py_ssize_t)sizeof(PyDateTime_Date);
    case PYHD_DT_TIME:
        return size == (Py_ssize_t)sizeof(PyDateTime_Time);
    case PYHD_DT_DATETIME:
        return size == (Py_ssize_t)sizeof(PyDateTime_DateTime);
    }
    return 0;
}

int pyhd__datetime_fields(PyObject *o, PyTypeObject *layout, enum pyhd_datetime_which which,
                          struct pyhd_datetime_fields *f)
{
    memset(f, 0, sizeof *f);
    if (!pyhd__datetime_layout(layout, which))
        return -1;
    switch (which) {
    case PYHD_DT_DATE:
        f->year = PyDateTime_GET_YEAR(o);
        f->month = PyDateTime_GET_MONTH(o);
        f->day = PyDateTime_GET_DAY(o);
        return 0;
    case PYHD_DT_DATETIME:
        f->year = PyDateTime_GET_YEAR(o);
        f->month = PyDateTime_GET_MONTH(o);
        f->day = PyDateTime_GET_DAY(o);
        f->hour = PyDateTime_DATE_GET_HOUR(o);
        f->minute = PyDateTime_DATE_GET_MINUTE(o);
        f->second = PyDateTime_DATE_GET_SECOND(o);
        f->microsecond = PyDateTime_DATE_GET_MICROSECOND(o);
        f->fold = PyDateTime_DATE_GET_FOLD(o);
        /* A naive datetime is allocated without the tzinfo member. */
        if (((_PyDateTime_BaseTZInfo *)o)->hastzinfo)
            f->tzinfo = ((PyDateTime_DateTime *)o)->tzinfo;
        return 0;
    case PYHD_DT_TIME:
        f->hour = PyDateTime_TIME_GET_HOUR(o);
        f->minute = PyDateTime_TIME_GET_MINUTE(o);
        f->second = PyDateTime_TIME_GET_SECOND(o);
        f->microsecond = PyDateTime_TIME_GET_MICROSECOND(o);
        f->fold = PyDateTime_TIME_GET_FOLD(o);
        if (((_PyDateTime_BaseTZInfo *)o)->hastzinfo)
            f->tzinfo = ((PyDateTime_Time *)o)->tzinfo;
        return 0;
    }
    return -1;
}
