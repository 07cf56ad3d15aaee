"""Fidelity: contextvars. ContextVars come back with their names and
defaults, Contexts with their values, and the crashing thread's own context
is the session's: request_id.get() answers what it did in the program."""
import contextvars

request_id = contextvars.ContextVar("request_id", default=None)
user = contextvars.ContextVar("user")


def handle(path):
    request_id.set("req-42")
    user.set({"name": "ann", "roles": ["admin"]})
    snapshot = contextvars.copy_context()
    other = contextvars.Context()
    other.run(user.set, "bob")
    current = request_id
    unset = contextvars.ContextVar("unset")
    raise PermissionError("%s: denied for %s" % (path, user.get()["name"]))


handle("/admin")
