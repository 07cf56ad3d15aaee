"""Fidelity: dates, times and datetimes of every kind a program keeps, and its own
subclasses of them (DATETIME records, format version 3)."""
import dataclasses
import datetime as dt


class Zone(dt.tzinfo):
    def utcoffset(self, when):
        return dt.timedelta(hours=3)

    def dst(self, when):
        return dt.timedelta(0)

    def tzname(self, when):
        return "Z3"


class Day(dt.date):
    """A program's date: python's repr names the subclass."""


class Stamp(dt.datetime):
    def __new__(cls, *args, **kwargs):
        return super().__new__(cls, *args, **kwargs)

    def label(self):
        return "stamp " + self.isoformat()


class Alarm(dt.time):
    pass


@dataclasses.dataclass
class Event:
    when: dt.datetime
    day: dt.date
    at: dt.time


def zone(name):
    try:
        import zoneinfo
        return zoneinfo.ZoneInfo(name)
    except Exception:  # no tz database on this machine
        return dt.timezone(dt.timedelta(hours=-8), name)


def crash(count):
    pacific = zone("America/Los_Angeles")
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
    events = [Event(dt.datetime(2026, 3, 8, 1, 59, tzinfo=pacific) + dt.timedelta(minutes=i),
                    dt.date(2026, 3, 8 + i % 3), dt.time(i % 24, 30)) for i in range(count)]
    by_day = {}
    for event in events:
        by_day.setdefault(event.day, []).append(event.at)
    first, last = min(e.when for e in events), max(e.when for e in events)
    folded = dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=pacific)
    india = dt.datetime(2026, 1, 1, 9, 15, tzinfo=ist)
    utc_noon = dt.time(12, 0, tzinfo=dt.timezone.utc)
    naive_now = dt.datetime(2026, 12, 1, 18, 21, 10, 123456)
    extremes = (dt.date.min, dt.date.max, dt.datetime.min, dt.datetime.max, dt.time.max)
    day = Day(2026, 1, 2)
    later = day + dt.timedelta(days=30)
    stamp = Stamp(2026, 5, 5, 12, 0, tzinfo=ist)
    stamp.source = "import"
    alarm = Alarm(7, 30, fold=1)
    own_zone = dt.datetime(2026, 5, 5, 12, tzinfo=Zone())
    one_day = frozenset([dt.date(2026, 1, 1)])
    span = last - first
    raise ValueError("%d events" % len(events))


crash(6)
