"""Fidelity: rows of sqlite3's Row factory come back with their values and
column names (by index, slice or name, in any case, as python's), and an
empty weakref.WeakSet prints as python's."""
import sqlite3
import weakref


def crash():
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    db.execute("create table users (id integer, Name text, email text)")
    db.executemany("insert into users values (?, ?, ?)",
                   [(1, "ann", None), (2, "bob", "bob@example.org")])
    rows = db.execute("select id, Name, email from users order by id").fetchall()
    row = rows[0]
    columns = row.keys()
    as_tuple = tuple(row)
    watchers = weakref.WeakSet()
    db.close()
    raise LookupError("user %s has no email" % row["name"])


crash()
