"""A crash dumped by pyhd before DATETIME records (format version 2): its dates,
times and datetimes are REDUCED records with a tuple of their fields."""
import datetime


def crash():
    utc = datetime.timezone.utc
    day = datetime.date(2026, 11, 30)
    alarm = datetime.time(7, 30, 0, 5, tzinfo=utc, fold=1)
    stamps = [datetime.datetime(2026, 11, 30, 9, 33, 27, 123456),
              datetime.datetime(1999, 12, 31, 23, 59, 59, tzinfo=utc)]
    return 1 / 0


crash()
