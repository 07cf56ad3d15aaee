"""pyhd_stdlib_reprs: the reprs of standard-library classes written in Python
that pyhd-debug rebuilds as copies, written again over the dumped attributes.

A copy has no methods to call (a Logger's would write through its handlers, a
Popen's would signal its process), so where python's repr or str reads only
the object's own fields, ours reads the same fields from the dump: never a
function of the dump, never the program's code.
"""

import datetime

import pyhd_reprlib
import pyhd_surrogates as surrogates


_LEVEL_NAMES = {50: "CRITICAL", 40: "ERROR", 30: "WARNING", 20: "INFO", 10: "DEBUG",
                0: "NOTSET"}


def _dumped_attr(obj, name, default=None):
    """An attribute of a rebuilt object's own __dict__ (no lookup, no method)."""
    try:
        return object.__getattribute__(obj, "__dict__").get(name, default)
    except AttributeError:
        return default


def _level_name(level):
    """logging.getLevelName for the standard levels ("Level 5" for others,
    as for a level the program named: its names are not in the dump)."""
    if type(level) is int and level in _LEVEL_NAMES:
        return _LEVEL_NAMES[level]
    return "Level %s" % (level,)


def _effective_level(logger):
    """Logger.getEffectiveLevel over the dumped loggers: the level its parents give it."""
    level, seen = 0, set()
    while logger is not None and id(logger) not in seen:
        seen.add(id(logger))
        own = _dumped_attr(logger, "level", 0)
        if own:
            level = own
            break
        logger = _dumped_attr(logger, "parent")
    return level


def _logger_repr(self):
    """logging.Logger.__repr__: <Logger app.db (WARNING)>."""
    return "<%s %s (%s)>" % (type(self).__name__, _dumped_attr(self, "name"),
                             _level_name(_effective_level(self)))


def _logger_adapter_repr(self):
    """logging.LoggerAdapter.__repr__: <LoggerAdapter app.db (WARNING)>, its logger's."""
    logger = _dumped_attr(self, "logger")
    return "<%s %s (%s)>" % (type(self).__name__, _dumped_attr(logger, "name"),
                             _level_name(_effective_level(logger)))


def _handler_repr(self):
    """logging.Handler.__repr__: <Handler (NOTSET)>."""
    return "<%s (%s)>" % (type(self).__name__, _level_name(_dumped_attr(self, "level", 0)))


def _stream_handler_repr(self):
    """logging.StreamHandler.__repr__: <StreamHandler <stderr> (NOTSET)>."""
    name = ""
    stream = _dumped_attr(self, "stream")
    if stream is not None and not surrogates.is_surrogate(type(stream)):
        try:
            name = getattr(stream, "name", "")
        except Exception:
            name = ""
    name = name if isinstance(name, str) else repr(name)
    if name:
        name += " "
    return "<%s %s(%s)>" % (type(self).__name__, name,
                            _level_name(_dumped_attr(self, "level", 0)))


def _file_handler_repr(self):
    """logging.FileHandler.__repr__: <FileHandler /var/log/app.log (NOTSET)>."""
    return "<%s %s (%s)>" % (type(self).__name__, _dumped_attr(self, "baseFilename"),
                             _level_name(_dumped_attr(self, "level", 0)))


def _http_error_repr(self):
    """urllib.error.HTTPError.__repr__: <HTTPError 404: 'Not Found'>."""
    return "<HTTPError %s: %r>" % (_dumped_attr(self, "code"), _dumped_attr(self, "msg"))


def _http_error_str(self):
    """urllib.error.HTTPError.__str__: HTTP Error 404: Not Found."""
    return "HTTP Error %s: %s" % (_dumped_attr(self, "code"), _dumped_attr(self, "msg"))


def _url_error_str(self):
    """urllib.error.URLError.__str__: <urlopen error [Errno 111] Connection refused>."""
    return "<urlopen error %s>" % (_dumped_attr(self, "reason"),)


def _argument_error_str(self):
    """argparse.ArgumentError.__str__: argument --n: invalid int value: 'x'."""
    name = _dumped_attr(self, "argument_name")
    message = _dumped_attr(self, "message")
    if name is None:
        return "%s" % (message,)
    return "argument %s: %s" % (name, message)


def _incomplete_read_repr(self):
    """http.client.IncompleteRead.__repr__: IncompleteRead(5 bytes read, 3 more expected)."""
    partial, expected = _dumped_attr(self, "partial", b""), _dumped_attr(self, "expected")
    more = ", %i more expected" % expected if type(expected) is int else ""
    count = len(partial) if isinstance(partial, (bytes, bytearray)) else 0
    return "%s(%i bytes read%s)" % (type(self).__name__, count, more)


def _own_value(obj, name, default=None):
    """An attribute of a rebuilt object, from its __dict__ or a slot of its
    class: never a class attribute (an inert method or property)."""
    try:
        attrs = object.__getattribute__(obj, "__dict__")
    except AttributeError:
        attrs = {}
    if name in attrs:
        return attrs[name]
    if name in surrogates._slot_names(type(obj)):
        try:
            return object.__getattribute__(obj, name)
        except AttributeError:
            pass
    return default


# The names argparse's _get_kwargs lists, by the class that defines it: the
# union over Python versions (Action's 'deprecated' is 3.13's); a name the
# dumping Python did not have is not among the object's dumped attributes, and
# is left out. _AttributeHolder's lists the whole __dict__.
_ARGPARSE_KWARGS = {
    "Action": ("option_strings", "dest", "nargs", "const", "default", "type", "choices",
               "required", "help", "metavar", "deprecated"),
    "ArgumentParser": ("prog", "usage", "description", "formatter_class",
                       "conflict_handler", "add_help"),
    "_AttributeHolder": None,
}


def _attribute_holder_repr(self):
    """argparse._AttributeHolder.__repr__: ArgumentParser(prog='app', usage=None, ...),
    what _get_kwargs lists.

    A dump keeps only the printing attributes of argparse's own classes, so a
    _get_kwargs or _get_args among a class's attributes is a program's, which
    cannot run: its object shows the dumped attributes."""
    names = False
    for klass in type(self).__mro__:
        if "_get_kwargs" in klass.__dict__ or "_get_args" in klass.__dict__:
            break
        if klass.__module__ == "argparse" and klass.__qualname__ in _ARGPARSE_KWARGS:
            names = _ARGPARSE_KWARGS[klass.__qualname__]
            break
    if names is False:
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    try:
        attrs = object.__getattribute__(self, "__dict__")
    except AttributeError:
        attrs = {}
    if names is None:
        items = list(attrs.items())
    else:
        items = [(name, attrs[name]) for name in names if name in attrs]
    parts, star = [], {}
    for name, value in items:
        if isinstance(name, str) and name.isidentifier():
            parts.append("%s=%r" % (name, value))
        else:
            star[name] = value
    if star:
        parts.append("**%r" % (star,))
    return "%s(%s)" % (type(self).__name__, ", ".join(parts))


def _fs_decode(text):
    """bytes of os.environ's _data as its decodekey and decodevalue make them
    (the file system encoding); anything else (a redacted value) as it is."""
    import os
    if isinstance(text, bytes):
        try:
            return os.fsdecode(text)
        except UnicodeError:
            return text
    return text


def _environ_items(self):
    data = _own_value(self, "_data")
    if not isinstance(data, dict):
        return {}
    return {_fs_decode(k): _fs_decode(v) for k, v in data.items()}


def environ_repr(self):
    """os._Environ.__repr__: environ({'HOME': '/root', ...})."""
    if not isinstance(_own_value(self, "_data"), dict):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "environ({%s})" % ", ".join("%r: %r" % pair for pair in _environ_items(self).items())


# The reading methods of a copy of os._Environ (os.environ held by the
# program): it reads like the mapping the program saw; writing stays refused
# (the copy has no __setitem__).
ENVIRON_METHODS = {
    "__getitem__": lambda self, key: _environ_items(self)[key],
    "__iter__": lambda self: iter(list(_environ_items(self))),
    "__len__": lambda self: len(_environ_items(self)),
    "__contains__": lambda self, key: key in _environ_items(self),
    "get": lambda self, key, default=None: _environ_items(self).get(key, default),
    "keys": lambda self: _environ_items(self).keys(),
    "values": lambda self: _environ_items(self).values(),
    "items": lambda self: _environ_items(self).items(),
    "copy": lambda self: _environ_items(self),
}


def _event_loop_repr(self):
    """asyncio.BaseEventLoop.__repr__: <_UnixSelectorEventLoop running=False closed=True
    debug=False> (is_running() is whether it has a thread id)."""
    return "<%s running=%s closed=%s debug=%s>" % (
        type(self).__name__, _own_value(self, "_thread_id") is not None,
        _own_value(self, "_closed"), _own_value(self, "_debug"))


def _frame_summary_repr(self):
    """traceback.FrameSummary.__repr__: <FrameSummary file /app/x.py, line 76 in main>."""
    return "<FrameSummary file {filename}, line {lineno} in {name}>".format(
        filename=_own_value(self, "filename"), lineno=_own_value(self, "lineno"),
        name=_own_value(self, "name"))


def _file_type_repr(self):
    """argparse.FileType.__repr__: FileType('w', encoding='utf-8')."""
    args = [_own_value(self, "_mode"), _own_value(self, "_bufsize")]
    kwargs = [("encoding", _own_value(self, "_encoding")), ("errors", _own_value(self, "_errors"))]
    return "%s(%s)" % (type(self).__name__, ", ".join(
        [repr(arg) for arg in args if arg != -1] +
        ["%s=%r" % (kw, arg) for kw, arg in kwargs if arg is not None]))


def _popen_repr(self):
    """subprocess.Popen.__repr__: <Popen: returncode: 0 args: ['true']>."""
    text = "<%s: returncode: %s args: %r>" % (
        type(self).__name__, _own_value(self, "returncode"), _own_value(self, "args"))
    return text[:76] + "...>" if len(text) > 80 else text


def _temporary_directory_repr(self):
    """tempfile.TemporaryDirectory.__repr__: <TemporaryDirectory '/tmp/x'>."""
    return "<%s %r>" % (type(self).__name__, _own_value(self, "name"))


def _warning_message_str(self):
    """warnings.WarningMessage.__str__: {message : 'msg', category : 'UserWarning', ...}."""
    return "{message : %r, category : %r, filename : %r, lineno : %s, line : %r}" % tuple(
        _own_value(self, name) for name in ("message", "_category_name", "filename",
                                            "lineno", "line"))


def _warning_message_repr(self):
    """warnings.WarningMessage.__repr__ (3.14): <WarningMessage {message : 'msg', ...}>."""
    return "<%s %s>" % (type(self).__qualname__, _warning_message_str(self))


def global_enum_repr(self):
    """enum.global_enum_repr: calendar.MONDAY, the member as its module's global."""
    return "%s.%s" % (type(self).__module__.split(".")[-1], _own_value(self, "_name_"))


def _zip_file_repr(self):
    """zipfile.ZipFile.__repr__: <zipfile.ZipFile filename='a.zip' mode='r'>, or [closed]."""
    cls = type(self)
    text = "<%s.%s" % (cls.__module__, cls.__qualname__)
    if _own_value(self, "fp") is not None:
        if _own_value(self, "_filePassed"):
            text += " file=%r" % (_own_value(self, "fp"),)
        elif _own_value(self, "filename") is not None:
            text += " filename=%r" % (_own_value(self, "filename"),)
        text += " mode=%r" % (_own_value(self, "mode"),)
    else:
        text += " [closed]"
    return text + ">"


def _frame_traceback_repr(self):
    """inspect.Traceback.__repr__ (3.11): Traceback(filename='x.py', ..., positions=...)."""
    if len(self) != 5:
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return ("Traceback(filename=%r, lineno=%r, function=%r, code_context=%r, index=%r, "
            "positions=%r)" % (tuple(tuple.__iter__(self))[:5] + (_own_value(self, "positions"),)))


def _strclass(cls):
    """unittest.util.strclass: module.qualname."""
    return "%s.%s" % (cls.__module__, cls.__qualname__)


def _test_case_repr(self):
    """unittest.TestCase.__repr__: <tests.test_app.AppTest testMethod=test_login>."""
    return "<%s testMethod=%s>" % (_strclass(type(self)), _own_value(self, "_testMethodName"))


def _function_test_case_repr(self):
    """unittest.FunctionTestCase.__repr__: <unittest.case.FunctionTestCase tec=...>."""
    return "<%s tec=%s>" % (_strclass(type(self)), _own_value(self, "_testFunc"))


def _test_suite_repr(self):
    """unittest.TestSuite.__repr__: <unittest.suite.TestSuite tests=[...]>."""
    tests = _own_value(self, "_tests")
    return "<%s tests=%s>" % (_strclass(type(self)),
                              list(tests) if isinstance(tests, list) else tests)


def _test_result_repr(self):
    """unittest.TestResult.__repr__: <unittest.result.TestResult run=3 errors=0 failures=1>."""
    def count(name):
        value = _own_value(self, name)
        return len(value) if isinstance(value, list) else 0
    run = _own_value(self, "testsRun")
    return "<%s run=%i errors=%i failures=%i>" % (
        _strclass(type(self)), run if type(run) is int else 0, count("errors"),
        count("failures"))


def _typing_type_repr(obj):
    """typing._type_repr over rebuilt values: a class as module.qualname (builtins'
    bare), ... as "...", a function by its name, anything else by its repr."""
    import types
    if isinstance(obj, type):
        if obj.__module__ == "builtins":
            return obj.__qualname__
        return "%s.%s" % (obj.__module__, obj.__qualname__)
    if obj is ...:
        return "..."
    if isinstance(obj, types.FunctionType):
        return obj.__name__
    return repr(obj)


def _typing_args(self):
    args = _own_value(self, "__args__", ())
    return args if isinstance(args, tuple) else ()


def _generic_alias_repr(self):
    """typing._GenericAlias.__repr__: typing.List[int], typing.Literal['a', 'b']."""
    name = _own_value(self, "_name")
    head = "typing." + name if isinstance(name, str) and name else \
        _typing_type_repr(_own_value(self, "__origin__"))
    args = _typing_args(self)
    return "%s[%s]" % (head, ", ".join(_typing_type_repr(a) for a in args) if args else "()")


def _special_form_repr(self):
    """typing._SpecialForm.__repr__ and _SpecialGenericAlias's: typing.Union, typing.List."""
    return "typing.%s" % (_own_value(self, "_name"),)


def _union_repr(self):
    """typing._UnionGenericAlias.__repr__ (3.10 to 3.13): typing.Optional[str] for a
    union with None, else typing.Union[int, str]."""
    args = _typing_args(self)
    if len(args) == 2 and type(None) in args:
        return "typing.Optional[%s]" % _typing_type_repr(args[1] if args[0] is type(None)
                                                         else args[0])
    return _generic_alias_repr(self)


def _callable_repr(self):
    """typing._CallableGenericAlias.__repr__: typing.Callable[[int], str]."""
    args = _typing_args(self)
    first = args[0] if args else None
    if not args or (len(args) == 2 and (
            first is ... or isinstance(first, (tuple, list)) or
            type(first).__qualname__ in ("ParamSpec", "_ConcatenateGenericAlias"))):
        return _generic_alias_repr(self)
    return "typing.Callable[[%s], %s]" % (", ".join(_typing_type_repr(a) for a in args[:-1]),
                                         _typing_type_repr(args[-1]))


def _annotated_repr(self):
    """typing._AnnotatedAlias.__repr__: typing.Annotated[int, 'meta']."""
    metadata = _own_value(self, "__metadata__", ())
    return "typing.Annotated[%s, %s]" % (
        _typing_type_repr(_own_value(self, "__origin__")),
        ", ".join(repr(a) for a in (metadata if isinstance(metadata, tuple) else ())))


_ABSENT = object()


def _unpack_repr(self):
    """typing._UnpackGenericAlias.__repr__: *Ts on 3.11 (whose aliases keep
    _paramspec_tvars), typing.Unpack[Ts] since 3.12."""
    args = _typing_args(self)
    arg = args[0] if args else None
    if _own_value(self, "_paramspec_tvars", _ABSENT) is not _ABSENT:
        return "*" + repr(arg)
    return "typing.Unpack[%s]" % _typing_type_repr(arg)


def _type_var_repr(self):
    """typing.TypeVar.__repr__ (Python 3.10 and 3.11; a C type since 3.12): ~T, +T_co, -T_contra."""
    prefix = "+" if _own_value(self, "__covariant__") else \
        "-" if _own_value(self, "__contravariant__") else "~"
    return prefix + str(_own_value(self, "__name__"))


def _type_var_tuple_repr(self):
    """typing.TypeVarTuple.__repr__ (3.11; a C type since 3.12): Ts."""
    return str(_own_value(self, "__name__"))


def _param_spec_part_repr(suffix):
    """typing.ParamSpecArgs/ParamSpecKwargs.__repr__ (3.10, 3.11): P.args, P.kwargs."""
    def __repr__(self):
        return "%s.%s" % (_own_value(_own_value(self, "__origin__"), "__name__", "?"), suffix)
    return __repr__


def _new_type_repr(self):
    """typing.NewType.__repr__: app.UserId."""
    return "%s.%s" % (_own_value(self, "__module__"), _own_value(self, "__qualname__"))


def _partialmethod_repr(self):
    """functools.partialmethod.__repr__ (to 3.12): functools.partialmethod(<function f>,
    1, k=2), with ", " after the arguments even where there are no keywords; 3.13's,
    of the same name, is 3.14's _partial_repr."""
    version = surrogates.dumped_version()
    if version is not None and version >= (3, 13):
        return _partial_repr(self)
    args, keywords = _own_value(self, "args"), _own_value(self, "keywords")
    if not isinstance(args, tuple) or not isinstance(keywords, dict):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "{module}.{cls}({func}, {args}, {keywords})".format(
        module=type(self).__module__, cls=type(self).__qualname__,
        func=repr(_own_value(self, "func")), args=", ".join(map(repr, args)),
        keywords=", ".join("{}={!r}".format(k, v) for k, v in keywords.items()))


def _partial_repr(self):
    """functools._partial_repr (3.14's partialmethod.__repr__): functools.partialmethod(
    <function f>, 1, k=2)."""
    args, keywords = _own_value(self, "args"), _own_value(self, "keywords")
    if not isinstance(args, tuple) or not isinstance(keywords, dict):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    parts = [repr(_own_value(self, "func"))] + [repr(a) for a in args] + \
        ["%s=%r" % (k, v) for k, v in keywords.items()]
    return "%s.%s(%s)" % (type(self).__module__, type(self).__qualname__, ", ".join(parts))


# http.cookies.Morsel._reserved and _flags (3.14 adds "partitioned"): where
# the dumped class lacks them.
_MORSEL_RESERVED = {"expires": "expires", "path": "Path", "comment": "Comment",
                    "domain": "Domain", "max-age": "Max-Age", "secure": "Secure",
                    "httponly": "HttpOnly", "version": "Version", "samesite": "SameSite",
                    "partitioned": "Partitioned"}
_MORSEL_FLAGS = frozenset(("secure", "httponly", "partitioned"))


def _class_data(obj, name, kind, default):
    """A plain container of kind that obj's class (or a base) holds as data."""
    for klass in type(obj).__mro__:
        value = klass.__dict__.get(name, _MISSING)
        if value is not _MISSING:
            return value if isinstance(value, kind) else default
    return default


def _morsel_output(self):
    """http.cookies.Morsel.OutputString: key=value; Path=/; Secure (its set attributes)."""
    reserved = _class_data(self, "_reserved", dict, _MORSEL_RESERVED)
    flags = _class_data(self, "_flags", (set, frozenset), _MORSEL_FLAGS)
    result = ["%s=%s" % (_own_value(self, "_key"), _own_value(self, "_coded_value"))]
    items = dict.items(self) if isinstance(self, dict) else ()
    for key, value in sorted(items):
        if value == "" or key not in reserved:
            continue
        if key == "expires" and isinstance(value, int):
            # Relative to the time it is printed, as python's (_getdate).
            from http.cookies import _getdate
            result.append("%s=%s" % (reserved[key], _getdate(value)))
        elif key == "max-age" and isinstance(value, int):
            result.append("%s=%d" % (reserved[key], value))
        elif key == "comment" and isinstance(value, str):
            from http.cookies import _quote
            result.append("%s=%s" % (reserved[key], _quote(value)))
        elif key in flags:
            if value:
                result.append(str(reserved[key]))
        else:
            result.append("%s=%s" % (reserved[key], value))
    return "; ".join(result)


def _morsel_repr(self):
    """http.cookies.Morsel.__repr__: <Morsel: lang=en; Path=/>."""
    return "<%s: %s>" % (type(self).__name__, _morsel_output(self))


def _cookie_repr(self):
    """http.cookies.BaseCookie.__repr__: <SimpleCookie: lang='en' theme='dark'>."""
    items = sorted(dict.items(self)) if isinstance(self, dict) else []
    return "<%s: %s>" % (type(self).__name__, " ".join(
        "%s=%r" % (key, _own_value(value, "_value")) for key, value in items))


def _task_group_repr(self):
    """asyncio.TaskGroup.__repr__: <TaskGroup tasks=2 errors=1 cancelling>."""
    info = [""]
    tasks, errors = _own_value(self, "_tasks"), _own_value(self, "_errors")
    if tasks:
        info.append("tasks=%d" % len(tasks))
    if errors:
        info.append("errors=%d" % len(errors))
    if _own_value(self, "_aborting"):
        info.append("cancelling")
    elif _own_value(self, "_entered"):
        info.append("entered")
    return "<TaskGroup%s>" % " ".join(info)


def _character_data_repr(self):
    """xml.dom.minidom.CharacterData.__repr__: <DOM Text node "'Hello, wor'...">."""
    data = _own_value(self, "_data")
    if not isinstance(data, str):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return '<DOM %s node "%r%s">' % (type(self).__name__, data[0:10],
                                     "..." if len(data) > 10 else "")


def _catch_warnings_repr(self):
    """warnings.catch_warnings.__repr__: catch_warnings(record=True), and the module
    it patches when that is not warnings."""
    args = []
    if _own_value(self, "_record"):
        args.append("record=True")
    module = _own_value(self, "_module")
    if getattr(module, "__name__", "warnings") != "warnings":
        args.append("module=%r" % (module,))
    return "%s(%s)" % (type(self).__name__, ", ".join(args))


def _policy_repr(self):
    """email._policybase._PolicyBase.__repr__: EmailPolicy(utf8=True), its own attributes."""
    try:
        attrs = object.__getattribute__(self, "__dict__")
    except AttributeError:
        attrs = {}
    return "%s(%s)" % (type(self).__name__,
                       ", ".join("%s=%r" % (name, value) for name, value in attrs.items()))


def _charset_repr(self):
    """email.charset.Charset.__repr__: utf-8, its input charset."""
    name = _own_value(self, "input_charset")
    if not isinstance(name, str):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return name.lower()


def _forward_ref_repr(self):
    """typing.ForwardRef.__repr__ (3.10-3.13): ForwardRef('Node', module='app')."""
    module = _own_value(self, "__forward_module__")
    return "ForwardRef(%r%s)" % (_own_value(self, "__forward_arg__"),
                                 "" if module is None else ", module=%r" % (module,))


def _annotationlib_forward_ref_repr(self):
    """annotationlib.ForwardRef.__repr__ (3.14): ForwardRef('Node', is_class=True, owner=...)."""
    text = _own_value(self, "__resolved_str_cache__")
    if not isinstance(text, str):
        if _own_value(self, "__extra_names__"):
            # Rewritten with the names' values by annotationlib's code: not here.
            return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
        text = _own_value(self, "__arg__")
    extra = []
    if _own_value(self, "__forward_module__") is not None:
        extra.append(", module=%r" % (_own_value(self, "__forward_module__"),))
    if _own_value(self, "__forward_is_class__"):
        extra.append(", is_class=True")
    if _own_value(self, "__owner__") is not None:
        extra.append(", owner=%r" % (_own_value(self, "__owner__"),))
    return "ForwardRef(%r%s)" % (text, "".join(extra))


def _zip_path_repr(self):
    """zipfile.Path.__repr__: Path('app.zip', 'docs/'), its archive's file name."""
    root = _own_value(self, "root")
    return "%s(%r, %r)" % (type(self).__name__, _own_value(root, "filename"),
                           _own_value(self, "at"))


# ---------------------------------------------------------------------------
# Widely used libraries (Flask's werkzeug, Django, numpy): the same rule, their
# reprs written again over the dumped attributes. Nothing of theirs runs.

def _class_value(obj, name, default=None):
    """An attribute of a rebuilt object, or a plain value (int, str, None) its
    class holds: never a method, property or other descriptor."""
    value = _own_value(obj, name, _MISSING)
    if value is not _MISSING:
        return value
    for klass in type(obj).__mro__:
        value = klass.__dict__.get(name, _MISSING)
        if value is not _MISSING:
            return value if value is None or type(value) in _PLAIN_CLASS_VALUES else default
    return default


_MISSING = object()
_PLAIN_CLASS_VALUES = (int, str, bool, datetime.timedelta)


def _guarded(render):
    """render, printing "..." where an object's repr reaches itself again (a dump can
    make any structure cyclic): as reprlib.recursive_repr does."""
    def guarded(self):
        key = (id(self), "library")
        if key in surrogates._repr_active:
            return "..."
        surrogates._repr_active.add(key)
        try:
            return render(self)
        finally:
            surrogates._repr_active.discard(key)
    guarded.__doc__ = render.__doc__
    return guarded


def _or_generic(render):
    """render, or the generic repr of the dumped attributes where a dump holds what
    the library would not (a crafted or cut dump: a str where a list was)."""
    def checked(self):
        try:
            return render(self)
        except Exception:
            return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    checked.__doc__ = render.__doc__
    return checked


@_guarded
def _multi_dict_repr(self):
    """werkzeug's MultiDict.__repr__: MultiDict([('a', '1'), ('a', '2')]), each value
    of each key's list."""
    pairs = [(key, value) for key, values in dict.items(self)
             for value in (values if isinstance(values, list) else [values])]
    return "%s(%r)" % (type(self).__name__, pairs)


@_guarded
def _headers_repr(self):
    """werkzeug's Headers.__repr__: Headers([('Host', 'localhost')]), its _list."""
    pairs = _own_value(self, "_list")
    if not isinstance(pairs, list):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "%s(%r)" % (type(self).__name__, pairs)


def _multi_value_dict_repr(self):
    """django's MultiValueDict.__repr__: <QueryDict: {'a': ['1', '2']}>."""
    return "<%s: %s>" % (type(self).__name__, dict.__repr__(self))


@_guarded
def _case_insensitive_mapping_repr(self):
    """django's CaseInsensitiveMapping.__repr__: {'Content-Type': 'text/html'}."""
    store = _own_value(self, "_store")
    if not isinstance(store, dict):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return repr({pair[0]: pair[1] for pair in store.values()
                 if isinstance(pair, tuple) and len(pair) == 2})


def _django_options_repr(self):
    """django's Options.__repr__: <Options for Customer>."""
    return "<Options for %s>" % (_own_value(self, "object_name"),)


def _django_form_repr(self):
    """django's BaseForm.__repr__: <SignupForm bound=True, valid=False, fields=(name;age)>."""
    errors = _own_value(self, "_errors")
    bound = _own_value(self, "is_bound")
    valid = "Unknown" if errors is None else bound and not errors
    fields = _own_value(self, "fields", {})
    return "<%s bound=%s, valid=%s, fields=(%s)>" % (
        type(self).__name__, bound, valid,
        ";".join(str(name) for name in (fields if isinstance(fields, dict) else ())))


def _django_content_type(self):
    """HttpResponseBase._content_type_for_repr: ', "text/html"' from its headers."""
    headers = _own_value(self, "headers")
    store = _own_value(headers, "_store") if headers is not None else \
        _own_value(self, "_headers")  # Django before 3.2 kept a dict of pairs
    pair = store.get("content-type") if isinstance(store, dict) else None
    if isinstance(pair, tuple) and len(pair) == 2:
        return ', "%s"' % (pair[1],)
    return ""


def _django_response_repr(self):
    """django's HttpResponse.__repr__: <HttpResponse status_code=200, "text/html; charset=utf-8">."""
    code = _class_value(self, "status_code")
    if type(code) is not int:
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "<%s status_code=%d%s>" % (type(self).__name__, code, _django_content_type(self))


def _django_redirect_repr(self):
    """django's HttpResponseRedirectBase.__repr__: <... status_code=302, "...", url="/next">."""
    code = _class_value(self, "status_code")
    headers = _own_value(self, "headers")
    store = _own_value(headers, "_store") if headers is not None else _own_value(self, "_headers")
    pair = store.get("location") if isinstance(store, dict) else None
    if type(code) is not int or not (isinstance(pair, tuple) and len(pair) == 2):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return '<%s status_code=%d%s, url="%s">' % (type(self).__name__, code,
                                               _django_content_type(self), pair[1])


def _django_request_repr(self):
    """django's HttpRequest.__repr__: <HttpRequest: GET '/path?q=1'>, get_full_path
    from path and META's QUERY_STRING quoted as django's escape_uri_path and iri_to_uri do."""
    from urllib.parse import quote
    method, path = _own_value(self, "method"), _own_value(self, "path")
    meta = _own_value(self, "META")
    query = meta.get("QUERY_STRING", "") if isinstance(meta, dict) else ""
    if not isinstance(path, str) or not isinstance(query, str):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    full = quote(path, safe="/:@&+$,-_.!~*'()") + (
        "?" + quote(query, safe="/#%[]=:;$&()+,!?*@'~") if query else "")
    if method is None or not full:
        return "<%s>" % type(self).__name__
    return "<%s: %s %r>" % (type(self).__name__, method, full)


@_guarded
def _django_model_repr(self):
    """django's Model.__repr__: <Customer: str(customer)>."""
    return "<%s: %s>" % (type(self).__name__, self)


def _django_model_str(self):
    """django's Model.__str__: Customer object (3), its primary key's attribute."""
    meta = _class_value(self, "_meta")
    meta = type(self).__dict__.get("_meta") if meta is None else meta
    for klass in type(self).__mro__:
        if meta is not None:
            break
        meta = klass.__dict__.get("_meta")
    pk = _own_value(meta, "pk") if meta is not None else None
    attname = _own_value(pk, "attname") if pk is not None else None
    if not isinstance(attname, str):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "%s object (%s)" % (type(self).__name__, _own_value(self, attname))


def _numpy_finfo_repr(self):
    """numpy's finfo.__repr__: finfo(resolution=1e-06, min=-3.4e+38, max=3.4e+38, dtype=float32)."""
    return "%s(resolution=%s, min=-%s, max=%s, dtype=%s)" % (
        type(self).__name__, _own_value(self, "resolution"), _own_value(self, "_str_max"),
        _own_value(self, "_str_max"), _own_value(self, "dtype"))


def _numpy_iinfo_repr(self):
    """numpy's iinfo.__repr__: iinfo(min=-32768, max=32767, dtype=int16), from kind and bits."""
    kind, bits = _own_value(self, "kind"), _own_value(self, "bits")
    if kind not in ("i", "u") or type(bits) is not int or not 0 < bits <= 1024:
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    low, high = (0, (1 << bits) - 1) if kind == "u" else \
        (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    return "%s(min=%s, max=%s, dtype=%s)" % (type(self).__name__, low, high,
                                            _own_value(self, "dtype"))


def _pytz_fixed_offset_repr(self):
    """pytz's FixedOffset.__repr__: pytz.FixedOffset(120)."""
    minutes = _class_value(self, "_minutes")
    if type(minutes) is not int:
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "pytz.FixedOffset(%d)" % minutes


def _pytz_dst_repr(self):
    """pytz's DstTzInfo.__repr__: <DstTzInfo 'Europe/Berlin' CET+1:00:00 STD>."""
    offset = _class_value(self, "_utcoffset")
    if not isinstance(offset, datetime.timedelta):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "<DstTzInfo %r %s%s%s %s>" % (
        _class_value(self, "zone"), _class_value(self, "_tzname"),
        "+" if offset > datetime.timedelta(0) else "", offset,
        "DST" if _class_value(self, "_dst") else "STD")


class _Text:
    """A computed repr standing in a container, so the container's repr prints it."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def _approx_scalar_text(expected, rel, abs_):
    """pytest's ApproxScalar.__repr__ for expected, rel and abs: 1.25 ± 1.2e-06."""
    import decimal
    import math
    import numbers
    if not isinstance(expected, (numbers.Complex, decimal.Decimal)) or \
            math.isinf(abs(expected)):
        return str(expected)
    decimal_ = isinstance(expected, decimal.Decimal)
    default_abs = decimal.Decimal("1e-12") if decimal_ else 1e-12
    default_rel = decimal.Decimal("1e-6") if decimal_ else 1e-6
    try:
        absolute = abs_ if abs_ is not None else default_abs
        if absolute < 0 or math.isnan(absolute):
            raise ValueError(absolute)
        if rel is None and abs_ is not None:
            tolerance = absolute
        else:
            relative = (rel if rel is not None else default_rel) * abs(expected)
            if relative < 0 or math.isnan(relative):
                raise ValueError(relative)
            tolerance = max(relative, absolute)
        text = f"{tolerance:.1e}"
        if isinstance(expected, numbers.Complex) and expected.imag and \
                not math.isinf(tolerance):
            text += " ∠ ±180°"
    except (ValueError, TypeError, decimal.InvalidOperation):
        text = "???"
    return f"{expected} ± {text}"


def _approx_parts(self):
    return (_own_value(self, "expected"), _own_value(self, "rel"), _own_value(self, "abs"))


def _approx_scalar_repr(self):
    """pytest's ApproxScalar.__repr__: 1.25 ± 1.2e-06."""
    return _approx_scalar_text(*_approx_parts(self))


@_guarded
def _approx_mapping_repr(self):
    """pytest's ApproxMapping.__repr__: approx({'a': 1.25 ± 1.2e-06})."""
    expected, rel, abs_ = _approx_parts(self)
    if not isinstance(expected, dict):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "approx({!r})".format(
        {k: _Text(_approx_scalar_text(v, rel, abs_)) for k, v in expected.items()})


@_guarded
def _approx_sequence_repr(self):
    """pytest's ApproxSequenceLike.__repr__: approx([1.25 ± 1.2e-06, 0.8 ± 8.0e-07])."""
    expected, rel, abs_ = _approx_parts(self)
    if not isinstance(expected, (list, tuple)):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    kind = type(expected) if type(expected) in (tuple, list) else list
    return "approx({!r})".format(kind(_Text(_approx_scalar_text(x, rel, abs_))
                                      for x in expected))


@_guarded
def _approx_numpy_repr(self):
    """pytest's ApproxNumpy.__repr__: approx([[1.0 ± 1.0e-06, ...]]), over expected.tolist()."""
    expected, rel, abs_ = _approx_parts(self)
    tolist = getattr(expected, "tolist", None)
    if type(expected).__module__ != "numpy" or tolist is None:
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)

    def walk(x):
        if isinstance(x, (list, tuple)):
            return type(x)(walk(item) for item in x)
        return _Text(_approx_scalar_text(x, rel, abs_))
    return "approx({!r})".format(walk(tolist()))


def _traceback_length(tb):
    count, seen = 0, set()
    while tb is not None and id(tb) not in seen:
        seen.add(id(tb))
        count += 1
        tb = getattr(tb, "tb_next", None)
    return count


@_guarded
def _exception_info_repr(self):
    """pytest's ExceptionInfo.__repr__: <ExceptionInfo ValueError('x') tblen=1>, the
    exception's repr cut to 240 characters as saferepr cuts it."""
    info = _own_value(self, "_excinfo")
    if info is None:
        return "<ExceptionInfo for raises contextmanager>"
    entries = _own_value(self, "_traceback")
    if not (isinstance(info, tuple) and len(info) == 3 and isinstance(info[1], BaseException)):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    length = len(entries) if isinstance(entries, list) else _traceback_length(info[2])
    text = repr(info[1])
    if len(text) > 240:
        i = (240 - 3) // 2
        text = text[:i] + "..." + text[len(text) - (240 - 3 - i):]
    return "<%s %s tblen=%d>" % (type(self).__name__, text, length)


def attrs_repr(self):
    """The repr attrs generates: Mark(name='slow', args=(), kwargs={}), the fields of
    __attrs_attrs__ whose repr is True. A field with a repr function of its own
    (program code) or a value the dump lacks shows the dumped attributes."""
    key = (id(self), "attrs")
    if key in surrogates._repr_active:
        return "..."
    fields = type(self).__dict__.get("__attrs_attrs__")
    for klass in type(self).__mro__:
        if fields is not None:
            break
        fields = klass.__dict__.get("__attrs_attrs__")
    if not isinstance(fields, tuple):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    surrogates._repr_active.add(key)
    try:
        parts = []
        for field in tuple.__iter__(fields):
            show, name = _own_value(field, "repr", True), _own_value(field, "name")
            if show is False:
                continue
            value = _own_value(self, name, _MISSING) if isinstance(name, str) else _MISSING
            if show is not True or value is _MISSING:
                return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
            parts.append("%s=%r" % (name, value))
        return "%s(%s)" % (type(self).__qualname__.rsplit(">.", 1)[-1], ", ".join(parts))
    finally:
        surrogates._repr_active.discard(key)


def _flask_scaffold_repr(self):
    """Flask's Scaffold.__repr__ (an app, a blueprint): <Flask 'shop'>, its name: the
    dumped one, else the import name (an app run as __main__ is named after its file,
    which the dump does not say: its attributes show)."""
    name = _own_value(self, "name")
    if not isinstance(name, str):
        name = _own_value(self, "import_name")
        if not isinstance(name, str) or name == "__main__":
            return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "<%s %r>" % (type(self).__name__, name)


def _flask_config_repr(self):
    """Flask's Config.__repr__: <Config {'DEBUG': False, ...}>."""
    return "<%s %s>" % (type(self).__name__, dict.__repr__(self))


def _werkzeug_status_repr(self):
    """werkzeug's sansio Response.__repr__: <Response [200 OK]>."""
    return "<%s [%s]>" % (type(self).__name__, _own_value(self, "_status"))


def _werkzeug_response_repr(self):
    """werkzeug's Response.__repr__: <Response 12 bytes [200 OK]>, the body's length
    when it is a list or tuple of bytes or str (encoded as werkzeug encodes them)."""
    body = _own_value(self, "response")
    if isinstance(body, (list, tuple)):
        if not all(isinstance(item, (bytes, str)) for item in body):
            return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
        info = "%d bytes" % sum(len(item.encode() if isinstance(item, str) else item)
                                for item in body)
    else:
        info = "likely-streamed" if hasattr(type(body), "__len__") else "streamed"
    return "<%s %s [%s]>" % (type(self).__name__, info, _own_value(self, "_status"))


# What werkzeug's url quoting and uri_to_iri leave as they are: a request URL
# made of these prints as its parts joined (others show the attributes).
_URL_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                       "-._~/:@!$&'()*+,;=")


def _werkzeug_request_url(self):
    """werkzeug's Request.url (get_current_url over scheme, host, root_path, path and
    query string; host from the Host header or the server, its default port dropped),
    or None where quoting would change a part or trusted_hosts would check the host."""
    url = _own_value(self, "url")
    if isinstance(url, str):
        return url  # the cached_property was read by the program
    scheme, root, path = (_own_value(self, name) for name in ("scheme", "root_path", "path"))
    query, server = _own_value(self, "query_string"), _own_value(self, "server")
    headers = _own_value(self, "headers")
    environ = _own_value(headers, "environ") if headers is not None else None
    host = environ.get("HTTP_HOST") if isinstance(environ, dict) else None
    if host is None and isinstance(server, tuple) and len(server) == 2 and \
            isinstance(server[0], str):
        host = server[0] if server[1] is None else "%s:%s" % server
    if not (isinstance(scheme, str) and isinstance(host, str) and isinstance(root, str)
            and isinstance(path, str) and isinstance(query, bytes)) or \
            _class_value(self, "trusted_hosts", False) is not None:
        return None
    if scheme in ("http", "ws") and host.endswith(":80"):
        host = host[:-3]
    elif scheme in ("https", "wss") and host.endswith(":443"):
        host = host[:-4]
    try:
        query = query.decode("ascii")
    except UnicodeDecodeError:
        return None
    if not all(c in _URL_PLAIN for c in root + path + query.replace("?", "")):
        return None
    url = "%s://%s%s/%s" % (scheme, host, root.rstrip("/"), path.lstrip("/"))
    return url + "?" + query if query else url


def _werkzeug_request_repr(self):
    """werkzeug's Request.__repr__: <Request 'http://localhost/a?b=1' [POST]>."""
    url = _werkzeug_request_url(self)
    if url is None:
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "<%s %r [%s]>" % (type(self).__name__, url, _own_value(self, "method"))


@_guarded
def _werkzeug_rule_repr(self):
    """werkzeug's Rule.__repr__: <Rule '/items/<id>' (GET, HEAD) -> items>, its _trace
    joined, its methods (a set: in this process's order, as python's own differs by
    hash seed) and endpoint."""
    if _own_value(self, "map") is None:
        return "<%s (unbound)>" % type(self).__name__
    trace, methods = _own_value(self, "_trace"), _own_value(self, "methods")
    if not isinstance(trace, list) or not all(
            isinstance(step, tuple) and len(step) == 2 and isinstance(step[1], str)
            for step in trace) or not isinstance(methods, (set, frozenset, type(None))):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    parts = "".join("<%s>" % data if dynamic else data for dynamic, data in trace).lstrip("|")
    shown = " (%s)" % ", ".join(methods) if methods is not None else ""
    return "<%s %r%s -> %s>" % (type(self).__name__, parts, shown, _own_value(self, "endpoint"))


@_guarded
def _werkzeug_map_repr(self):
    """werkzeug's Map.__repr__: Map([<Rule ...>, ...]), its rules pretty-printed."""
    import pprint
    rules = _own_value(self, "_rules")  # a list before werkzeug 2.2
    by_endpoint = _own_value(self, "_rules_by_endpoint")  # 2.2 on: _rules is a property
    if not isinstance(rules, list) and isinstance(by_endpoint, dict) and \
            all(isinstance(group, list) for group in by_endpoint.values()):
        rules = [rule for group in by_endpoint.values() for rule in group]
    if not isinstance(rules, list):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "%s(%s)" % (type(self).__name__, pprint.pformat(list(rules)))


def _requests_repr(field):
    """requests' Request, PreparedRequest and Response reprs: <Response [404]>."""
    def render(self):
        return "<%s [%s]>" % (type(self).__name__, _own_value(self, field))
    return render


@_guarded
def _requests_case_insensitive_repr(self):
    """requests' CaseInsensitiveDict.__repr__: {'Content-Type': 'text/html'}, from _store."""
    store = _own_value(self, "_store")
    if not isinstance(store, dict):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return str({pair[0]: pair[1] for pair in store.values()
                if isinstance(pair, tuple) and len(pair) == 2})


def _name_repr(pattern, field):
    """A repr that is pattern % (class name, the object's own field)."""
    def render(self):
        return pattern % (type(self).__name__, _own_value(self, field))
    return render


def _jinja_template_repr(self):
    """jinja2's Template.__repr__: <Template 'page.html'> (memory:<id> for a nameless one,
    as python's, whose address differs anyway)."""
    name = _own_value(self, "name")
    return "<%s %s>" % (type(self).__name__,
                        "memory:%x" % id(self) if name is None else repr(name))


def _dateutil_tzoffset_repr(self):
    """dateutil's tzoffset.__repr__: tzoffset('CET', 3600)."""
    offset = _own_value(self, "_offset")
    if not isinstance(offset, datetime.timedelta):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "%s(%r, %s)" % (type(self).__name__, _own_value(self, "_name"),
                           int(offset.total_seconds()))


@_guarded
def _relativedelta_repr(self):
    """dateutil's relativedelta.__repr__: relativedelta(months=+1, day=31)."""
    parts = []
    for name in ("years", "months", "days", "leapdays", "hours", "minutes", "seconds",
                 "microseconds"):
        value = _own_value(self, name)
        if not isinstance(value, (int, float)):
            return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
        if value:
            parts.append("%s=%s" % (name, format(value, "+g")))
    for name in ("year", "month", "day", "weekday", "hour", "minute", "second", "microsecond"):
        value = _own_value(self, name)
        if value is not None:
            parts.append("%s=%r" % (name, value))
    return "%s(%s)" % (type(self).__name__, ", ".join(parts))


def _dateutil_weekday_repr(self):
    """dateutil's weekday.__repr__: MO, or FR(-1)."""
    day, n = _own_value(self, "weekday"), _own_value(self, "n")
    if type(day) is not int or not 0 <= day < 7:
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    name = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day]
    return "%s(%+d)" % (name, n) if n else name


def _packaging_version_str(self):
    """packaging's Version.__str__: 1.2.3rc1, from its _Version parts."""
    v = _own_value(self, "_version")
    if not isinstance(v, tuple) or len(v) != 6:
        return None
    epoch, release, dev, pre, post, local = tuple(tuple.__iter__(v))
    parts = ["%s!" % epoch] if epoch != 0 else []
    parts.append(".".join(str(x) for x in release))
    if pre is not None:
        parts.append("".join(str(x) for x in pre))
    if post:
        parts.append(".post%s" % (post[1],))
    if dev:
        parts.append(".dev%s" % (dev[1],))
    if local:
        parts.append("+" + ".".join(str(x) for x in local))
    return "".join(parts)


def _packaging_version_repr(self):
    """packaging's Version.__repr__: <Version('1.2.3rc1')>."""
    text = _packaging_version_str(self)
    if text is None:
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "<Version('%s')>" % text


def _urllib3_retry_repr(self):
    """urllib3's Retry.__repr__: Retry(total=3, connect=None, read=None, redirect=None, status=None)."""
    return "%s(total=%s, connect=%s, read=%s, redirect=%s, status=%s)" % (
        (type(self).__name__,) + tuple(_own_value(self, name) for name in
                                       ("total", "connect", "read", "redirect", "status")))


def _urllib3_timeout_repr(self):
    """urllib3's Timeout.__repr__: Timeout(connect=2.0, read=5.0, total=None)."""
    return "%s(connect=%r, read=%r, total=%r)" % (
        type(self).__name__, _own_value(self, "_connect"), _own_value(self, "_read"),
        _own_value(self, "total"))


# (module, qualname) of a standard-library method -> ours, over the dumped attributes.
# token.tok_name of each Python that dumps (the numbers moved in 3.12, 3.13 and
# 3.14): a TokenInfo prints its type's name as the dumping python named it.
_TOKEN_NAMES_HEAD = (
    "ENDMARKER NAME NUMBER STRING NEWLINE INDENT DEDENT LPAR RPAR LSQB RSQB COLON COMMA "
    "SEMI PLUS MINUS STAR SLASH VBAR AMPER LESS GREATER EQUAL DOT PERCENT LBRACE RBRACE "
    "EQEQUAL NOTEQUAL LESSEQUAL GREATEREQUAL TILDE CIRCUMFLEX LEFTSHIFT RIGHTSHIFT DOUBLESTAR "
    "PLUSEQUAL MINEQUAL STAREQUAL SLASHEQUAL PERCENTEQUAL AMPEREQUAL VBAREQUAL CIRCUMFLEXEQUAL "
    "LEFTSHIFTEQUAL RIGHTSHIFTEQUAL DOUBLESTAREQUAL DOUBLESLASH DOUBLESLASHEQUAL AT ATEQUAL "
    "RARROW ELLIPSIS COLONEQUAL ")
_TOKEN_NAMES_TAIL = {
    (3, 10): "OP AWAIT ASYNC TYPE_IGNORE TYPE_COMMENT SOFT_KEYWORD ERRORTOKEN COMMENT NL "
             "ENCODING N_TOKENS",
    (3, 12): "EXCLAMATION OP AWAIT ASYNC TYPE_IGNORE TYPE_COMMENT SOFT_KEYWORD FSTRING_START "
             "FSTRING_MIDDLE FSTRING_END COMMENT NL ERRORTOKEN ENCODING N_TOKENS",
    (3, 13): "EXCLAMATION OP TYPE_IGNORE TYPE_COMMENT SOFT_KEYWORD FSTRING_START FSTRING_MIDDLE "
             "FSTRING_END COMMENT NL ERRORTOKEN ENCODING N_TOKENS",
    (3, 14): "EXCLAMATION OP TYPE_IGNORE TYPE_COMMENT SOFT_KEYWORD FSTRING_START FSTRING_MIDDLE "
             "FSTRING_END TSTRING_START TSTRING_MIDDLE TSTRING_END COMMENT NL ERRORTOKEN "
             "ENCODING N_TOKENS",
}


_token_names = {}  # version key -> list of names, made once


def _token_name(number):
    """token.tok_name[number] of the python that dumped (this one's when the dump
    does not say which it was)."""
    version = surrogates.dumped_version()
    tails = [key for key in sorted(_TOKEN_NAMES_TAIL) if version is not None and key <= version]
    if not tails:
        import token
        return token.tok_name.get(number, "?") if type(number) is int else "?"
    names = _token_names.get(tails[-1])
    if names is None:
        names = (_TOKEN_NAMES_HEAD + _TOKEN_NAMES_TAIL[tails[-1]]).split()
        _token_names[tails[-1]] = names
    if number == 256:
        return "NT_OFFSET"
    return names[number] if type(number) is int and 0 <= number < len(names) else "?"


@_or_generic
def _token_info_repr(self):
    """tokenize.TokenInfo.__repr__: TokenInfo(type=1 (NAME), string='x', start=(1, 0), ...)."""
    if not isinstance(self, tuple) or len(self) != 5:
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    kind, string, start, end, line = tuple.__getitem__(self, slice(None))
    return "TokenInfo(type=%s, string=%r, start=%r, end=%r, line=%r)" % (
        "%d (%s)" % (kind, _token_name(kind)) if type(kind) is int else repr(kind),
        string, start, end, line)


@_or_generic
def _module_spec_repr(self):
    """importlib's ModuleSpec.__repr__: ModuleSpec(name='math', loader=..., origin='built-in')."""
    args = ["name=%r" % (_own_value(self, "name"),), "loader=%r" % (_own_value(self, "loader"),)]
    origin = _own_value(self, "origin")
    if origin is not None:
        args.append("origin=%r" % (origin,))
    locations = _own_value(self, "submodule_search_locations")
    if locations is not None:
        args.append("submodule_search_locations=%s" % (locations,))
    return "%s(%s)" % (type(self).__name__, ", ".join(args))


# symtable's _flags (3.13, 3.14) and scope names, for Symbol.__repr__ since 3.13.
_SYMBOL_FLAGS_313 = (("USE", 16), ("DEF_GLOBAL", 1), ("DEF_NONLOCAL", 8), ("DEF_LOCAL", 2),
                     ("DEF_PARAM", 4))
_SYMBOL_FLAGS = {
    (3, 13): _SYMBOL_FLAGS_313 + (("DEF_IMPORT", 128), ("DEF_BOUND", 134), ("DEF_ANNOT", 256)),
    (3, 14): _SYMBOL_FLAGS_313 + (("DEF_TYPE_PARAM", 1024), ("DEF_FREE_CLASS", 64),
                                  ("DEF_IMPORT", 128), ("DEF_BOUND", 134), ("DEF_ANNOT", 256),
                                  ("DEF_COMP_ITER", 512), ("DEF_COMP_CELL", 2048)),
}
_SYMBOL_SCOPES = {1: "LOCAL", 2: "GLOBAL_EXPLICIT", 3: "GLOBAL_IMPLICIT", 4: "FREE", 5: "CELL"}


@_or_generic
def _symbol_repr(self):
    """symtable.Symbol.__repr__: <symbol 'LIMIT'> up to 3.12; since 3.13 with its
    scope and flags, named as the dumping python's symtable names them."""
    version = surrogates.dumped_version()
    name = _own_value(self, "_Symbol__name", _MISSING)
    flags, scope = _own_value(self, "_Symbol__flags"), _own_value(self, "_Symbol__scope")
    if name is _MISSING or version is None or version > (3, 14):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    if version < (3, 13):
        return "<symbol %r>" % (name,)
    if type(flags) is not int:
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    names = "|".join(flag for flag, value in _SYMBOL_FLAGS[version] if flags & value == value)
    return "<symbol %r: %s, %s>" % (name, _SYMBOL_SCOPES.get(scope) or str(scope), names)


def _mock_name(self):
    """unittest.mock's NonCallableMock._extract_mock_name over the dumped parents."""
    names = [_own_value(self, "_mock_new_name")]
    parent = _own_value(self, "_mock_new_parent")
    last, seen = self, {id(self)}
    dot = "" if names == ["()"] else "."
    while parent is not None and id(parent) not in seen:
        seen.add(id(parent))
        last = parent
        new_name = _own_value(parent, "_mock_new_name")
        names.append("%s%s" % (new_name, dot))
        dot = "" if new_name == "()" else "."
        parent = _own_value(parent, "_mock_new_parent")
    names.reverse()
    first = _own_value(last, "_mock_name") or "mock"
    if len(names) > 1 and names[1] not in ("()", "()."):
        first += "."
    names[0] = first
    return "".join(str(n) for n in names)


@_or_generic
def _mock_repr(self):
    """unittest.mock's NonCallableMock.__repr__: <Mock name='gateway' spec='Gateway'
    id='...'> (the id is the rebuilt mock's, as python's is its own)."""
    name = _mock_name(self)
    name_string = "" if name in ("mock", "mock.") else " name=%r" % (name,)
    spec_string = ""
    spec_class = _own_value(self, "_spec_class")
    if spec_class is not None:
        spec_string = (" spec_set=%r" if _own_value(self, "_spec_set") else " spec=%r") % (
            getattr(spec_class, "__name__", "?"),)
    return "<%s%s%s id='%s'>" % (type(self).__name__, name_string, spec_string, id(self))


@_or_generic
def _mock_call_repr(self):
    """unittest.mock's _Call.__repr__: call('acct', 250), call.post('/x', json=...)."""
    if not isinstance(self, tuple):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    if not _own_value(self, "_mock_from_kall"):
        name = _own_value(self, "_mock_name") or "call"
        return "call%s" % name if isinstance(name, str) and name.startswith("()") else str(name)
    items = tuple.__getitem__(self, slice(None))
    if len(items) == 2:
        name, (args, kwargs) = "call", items
    elif len(items) == 3:
        name, args, kwargs = items
        name = "call" if not name else "call%s" % name if name.startswith("()") \
            else "call.%s" % name
    else:
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    formatted = ", ".join([repr(arg) for arg in args] +
                          ["%s=%r" % pair for pair in dict(kwargs).items()])
    return "%s(%s)" % (name, formatted)


@_or_generic
def _mock_call_list_repr(self):
    """unittest.mock's _CallList.__repr__: pprint.pformat of its calls."""
    import pprint
    return pprint.pformat(list(self))


@_or_generic
def _click_range_repr(self):
    """click's _NumberRangeBase.__repr__: <IntRange 0<=x<=10>, <FloatRange x<1.5 clamped>."""
    low, high = _own_value(self, "min"), _own_value(self, "max")
    low_open, high_open = _own_value(self, "min_open"), _own_value(self, "max_open")
    if low is None:
        text = "x%s%s" % ("<" if high_open else "<=", high)
    elif high is None:
        text = "x%s%s" % (">" if low_open else ">=", low)
    else:
        text = "%s%sx%s%s" % (low, "<" if low_open else "<=", "<" if high_open else "<=", high)
    return "<%s %s%s>" % (type(self).__name__, text,
                          " clamped" if _own_value(self, "clamp") else "")


@_or_generic
def _flask_request_context_repr(self):
    """Flask's RequestContext.__repr__: <RequestContext 'http://localhost/a' [POST] of app>."""
    request, app = _own_value(self, "request"), _own_value(self, "app")
    url = _werkzeug_request_url(request) if request is not None else None
    if url is None or app is None:
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "<%s %r [%s] of %s>" % (type(self).__name__, url, _own_value(request, "method"),
                                   _own_value(app, "name"))


@_or_generic
def _werkzeug_client_repr(self):
    """werkzeug's test Client.__repr__ (Flask's FlaskClient): <FlaskClient <Flask 'app'>>."""
    return "<%s %r>" % (type(self).__name__, _own_value(self, "application"))


@_or_generic
def _click_choice_repr(self):
    """click's Choice.__repr__: Choice(['txt', 'html'])."""
    choices = _own_value(self, "choices")
    if not isinstance(choices, (list, tuple)):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    return "Choice(%r)" % (list(choices),)


@_or_generic
def _django_field_repr(self):
    """django's Field.__repr__: <django.db.models.fields.CharField: status>."""
    path = "%s.%s" % (type(self).__module__, type(self).__qualname__)
    name = _own_value(self, "name")
    return "<%s>" % path if name is None else "<%s: %s>" % (path, name)


@_or_generic
def _django_node_str(self):
    """django's tree.Node.__str__: (OR: ('status', 'new'), ('n__gt', F(id)))."""
    children = _own_value(self, "children")
    template = "(NOT (%s: %s))" if _own_value(self, "negated") else "(%s: %s)"
    return template % (_own_value(self, "connector"),
                       ", ".join(str(c) for c in (children if isinstance(children, list) else ())))


@_or_generic
def _django_func_repr(self):
    """django's Func.__repr__ (an Aggregate's adds distinct and filter): Count(F(id)),
    Sum(F(total), filter=(AND: ('paid', True)))."""
    sources = _own_value(self, "source_expressions")
    extra = _own_value(self, "extra")
    joiner = _class_value(self, "arg_joiner", ", ")
    if not isinstance(sources, list) or not isinstance(extra, dict) or \
            not isinstance(joiner, str):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    extra = dict(extra)
    if any(k.__name__ == "Aggregate" and k.__module__ == "django.db.models.aggregates"
           for k in type(self).__mro__):
        for name in ("distinct", "filter"):
            if _own_value(self, name):
                extra[name] = _own_value(self, name)
    args = joiner.join(str(arg) for arg in sources)
    if extra:
        return "%s(%s, %s)" % (type(self).__name__, args, ", ".join(
            str(key) + "=" + str(value) for key, value in sorted(extra.items())))
    return "%s(%s)" % (type(self).__name__, args)


def _django_messages(errors):
    """The messages of django ValidationErrors (each one's error_list, params applied)."""
    messages = []
    for error in errors if isinstance(errors, list) else ():
        inner = _own_value(error, "error_list")
        for sub in inner if isinstance(inner, list) else [error]:
            message, params = _own_value(sub, "message"), _own_value(sub, "params")
            if params:
                values = params.values() if isinstance(params, dict) else params
                if not isinstance(message, str) or not isinstance(params, (dict, tuple)) or \
                        not all(type(v) in (str, int, float, bool) for v in values):
                    raise TypeError("a message with params of the program's")
                message = message % params
            messages.append(str(message))
    return messages


@_or_generic
def _django_validation_error_str(self):
    """django's ValidationError.__str__: {'field': ['message']} or ['message']."""
    error_dict = _own_value(self, "error_dict", _MISSING)
    if isinstance(error_dict, dict):
        return repr({field: _django_messages(errors) for field, errors in error_dict.items()})
    return repr(_django_messages(_own_value(self, "error_list")))


@_or_generic
def _django_lazy_settings_repr(self):
    """django's LazySettings.__repr__: <LazySettings "mysite.settings">, or "None" for
    settings.configure()'s holder; [Unevaluated] before the settings were read."""
    wrapped = _own_value(self, "_wrapped")
    if type(wrapped).__name__ not in ("Settings", "UserSettingsHolder"):
        return "<LazySettings [Unevaluated]>"
    return '<LazySettings "%s">' % (_class_value(wrapped, "SETTINGS_MODULE"),)


def _django_query_is_empty(query):
    """django's Query.is_empty: its where clause holds a NothingNode (QuerySet.none())."""
    where = _own_value(query, "where")
    children = _own_value(where, "children") if where is not None else None
    return isinstance(children, list) and any(
        type(c).__name__ == "NothingNode" and type(c).__module__ == "django.db.models.sql.where"
        for c in children)


@_or_generic
@_guarded
def _django_queryset_repr(self):
    """django's QuerySet.__repr__ of an evaluated QuerySet, from its result cache, or
    of QuerySet.none() (python's evaluates any other: a dump runs no query)."""
    cache = _own_value(self, "_result_cache")
    if cache is None and _django_query_is_empty(_own_value(self, "_query")):
        cache = []
    if not isinstance(cache, list):
        return pyhd_reprlib.render_repr_with(self, surrogates._surrogate_render)
    data = cache[:21]
    if len(data) > 20:
        data[-1] = "...(remaining elements truncated)..."
    return "<%s %r>" % (type(self).__name__, data)


@_or_generic
def _mock_sentinel_repr(self):
    """unittest.mock's _SentinelObject.__repr__: sentinel.token."""
    name = _own_value(self, "name")
    if type(name) is not str:
        raise TypeError("not a sentinel's name")
    return "sentinel.%s" % name


STDLIB_REPRS = {
    ("tokenize", "TokenInfo.__repr__"): _token_info_repr,
    ("importlib._bootstrap", "ModuleSpec.__repr__"): _module_spec_repr,
    ("_frozen_importlib", "ModuleSpec.__repr__"): _module_spec_repr,
    ("importlib._bootstrap_external", "FileFinder.__repr__"): _name_repr("%s(%r)", "path"),
    ("_frozen_importlib_external", "FileFinder.__repr__"): _name_repr("%s(%r)", "path"),
    ("symtable", "Symbol.__repr__"): _symbol_repr,
    # repr(self.data): the set of weak references, as the dump holds it.
    ("_weakrefset", "WeakSet.__repr__"): _or_generic(lambda self: repr(_own_value(self, "data"))),
    ("unittest.mock", "NonCallableMock.__repr__"): _mock_repr,
    ("unittest.mock", "_Call.__repr__"): _mock_call_repr,
    ("unittest.mock", "_CallList.__repr__"): _mock_call_list_repr,
    ("unittest.mock", "_ANY.__repr__"): lambda self: "<ANY>",
    ("unittest.mock", "_SentinelObject.__repr__"): _mock_sentinel_repr,
    ("werkzeug.test", "Client.__repr__"): _werkzeug_client_repr,
    ("click.types", "Choice.__repr__"): _click_choice_repr,
    ("click.types", "_NumberRangeBase.__repr__"): _click_range_repr,
    ("click.types", "UnprocessedParamType.__repr__"): lambda self: "UNPROCESSED",
    ("click.types", "StringParamType.__repr__"): lambda self: "STRING",
    ("click.types", "DateTime.__repr__"): lambda self: "DateTime",
    ("click.types", "IntParamType.__repr__"): lambda self: "INT",
    ("click.types", "FloatParamType.__repr__"): lambda self: "FLOAT",
    ("click.types", "BoolParamType.__repr__"): lambda self: "BOOL",
    ("click.types", "UUIDParameterType.__repr__"): lambda self: "UUID",
    ("flask.ctx", "RequestContext.__repr__"): _flask_request_context_repr,
    ("django.db.models.fields", "Field.__repr__"): _django_field_repr,
    ("django.utils.tree", "Node.__str__"): _django_node_str,
    ("django.utils.tree", "Node.__repr__"): lambda self: "<%s: %s>" % (type(self).__name__, self),
    ("django.db.models.expressions", "F.__repr__"): _name_repr("%s(%s)", "name"),
    ("django.conf", "LazySettings.__repr__"): _django_lazy_settings_repr,
    ("django.db.models.expressions", "Value.__repr__"): lambda self: "%s(%s)" % (
        type(self).__name__, _own_value(self, "value")),
    ("django.db.models.expressions", "CombinedExpression.__repr__"):
        lambda self: "<%s: %s>" % (type(self).__name__, self),
    ("django.db.models.expressions", "CombinedExpression.__str__"): lambda self: "%s %s %s" % (
        _own_value(self, "lhs"), _own_value(self, "connector"), _own_value(self, "rhs")),
    ("django.db.models.expressions", "Func.__repr__"): _django_func_repr,
    ("django.db.models.expressions", "OrderBy.__repr__"): lambda self: "%s(%s, descending=%s)" % (
        type(self).__name__, _own_value(self, "expression"), _own_value(self, "descending")),
    ("django.core.exceptions", "ValidationError.__str__"): _django_validation_error_str,
    ("django.core.exceptions", "ValidationError.__repr__"):
        lambda self: "ValidationError(%s)" % (_django_validation_error_str(self),),
    ("django.db.models.query", "QuerySet.__repr__"): _django_queryset_repr,
    ("typing", "_TypeVarLike.__repr__"): _type_var_repr,
    ("typing", "_BoundVarianceMixin.__repr__"): _type_var_repr,
    ("typing", "NewType.__repr__"): _new_type_repr,
    ("typing", "TypeVarTuple.__repr__"): _type_var_tuple_repr,
    ("typing", "ParamSpecArgs.__repr__"): _param_spec_part_repr("args"),
    ("typing", "ParamSpecKwargs.__repr__"): _param_spec_part_repr("kwargs"),
    ("typing", "_GenericAlias.__repr__"): _generic_alias_repr,
    ("typing", "_SpecialGenericAlias.__repr__"): _special_form_repr,
    ("typing", "_SpecialForm.__repr__"): _special_form_repr,
    ("typing", "_UnionGenericAlias.__repr__"): _union_repr,
    ("typing", "_CallableGenericAlias.__repr__"): _callable_repr,
    ("typing", "_AnnotatedAlias.__repr__"): _annotated_repr,
    ("typing", "_UnpackGenericAlias.__repr__"): _unpack_repr,
    ("unittest.case", "TestCase.__repr__"): _test_case_repr,
    ("unittest.case", "FunctionTestCase.__repr__"): _function_test_case_repr,
    ("unittest.suite", "BaseTestSuite.__repr__"): _test_suite_repr,
    ("unittest.result", "TestResult.__repr__"): _test_result_repr,
    ("zipfile", "ZipFile.__repr__"): _zip_file_repr,
    ("inspect", "Traceback.__repr__"): _frame_traceback_repr,
    ("warnings", "WarningMessage.__str__"): _warning_message_str,
    ("warnings", "WarningMessage.__repr__"): _warning_message_repr,
    ("_py_warnings", "WarningMessage.__str__"): _warning_message_str,
    ("_py_warnings", "WarningMessage.__repr__"): _warning_message_repr,
    ("enum", "global_enum_repr"): global_enum_repr,
    ("argparse", "_AttributeHolder.__repr__"): _attribute_holder_repr,
    ("os", "_Environ.__repr__"): environ_repr,
    ("asyncio.base_events", "BaseEventLoop.__repr__"): _event_loop_repr,
    ("traceback", "FrameSummary.__repr__"): _frame_summary_repr,
    ("logging", "Logger.__repr__"): _logger_repr,
    ("logging", "LoggerAdapter.__repr__"): _logger_adapter_repr,
    ("logging", "Handler.__repr__"): _handler_repr,
    ("argparse", "FileType.__repr__"): _file_type_repr,
    ("subprocess", "Popen.__repr__"): _popen_repr,
    ("tempfile", "TemporaryDirectory.__repr__"): _temporary_directory_repr,
    ("logging", "StreamHandler.__repr__"): _stream_handler_repr,
    ("logging", "FileHandler.__repr__"): _file_handler_repr,
    ("urllib.error", "HTTPError.__repr__"): _http_error_repr,
    ("urllib.error", "HTTPError.__str__"): _http_error_str,
    ("urllib.error", "URLError.__str__"): _url_error_str,
    ("argparse", "ArgumentError.__str__"): _argument_error_str,
    ("http.client", "IncompleteRead.__repr__"): _incomplete_read_repr,
    ("functools", "partialmethod.__repr__"): _partialmethod_repr,
    ("functools", "_partial_repr"): _partial_repr,
    ("warnings", "catch_warnings.__repr__"): _catch_warnings_repr,
    ("_py_warnings", "catch_warnings.__repr__"): _catch_warnings_repr,
    ("email._policybase", "_PolicyBase.__repr__"): _policy_repr,
    ("email.charset", "Charset.__repr__"): _charset_repr,
    ("importlib.metadata", "EntryPoint.__repr__"): lambda self: \
        "EntryPoint(name=%r, value=%r, group=%r)" % tuple(
            _own_value(self, name) for name in ("name", "value", "group")),
    ("typing", "ForwardRef.__repr__"): _forward_ref_repr,
    ("annotationlib", "ForwardRef.__repr__"): _annotationlib_forward_ref_repr,
    ("collections.abc", "MappingView.__repr__"): lambda self: "%s(%r)" % (
        type(self).__name__, _own_value(self, "_mapping")),
    ("xmlrpc.client", "Fault.__repr__"): lambda self: "<%s %s: %r>" % (
        type(self).__name__, _own_value(self, "faultCode"), _own_value(self, "faultString")),
    ("xmlrpc.client", "ProtocolError.__repr__"): lambda self: "<%s for %s: %s %s>" % (
        type(self).__name__, _own_value(self, "url"), _own_value(self, "errcode"),
        _own_value(self, "errmsg")),
    ("zipfile", "Path.__repr__"): _zip_path_repr,
    ("zipfile._path", "Path.__repr__"): _zip_path_repr,
    ("http.cookies", "Morsel.__repr__"): _morsel_repr,
    # Their __str__ is output(), with its default header.
    ("http.cookies", "Morsel.output"): lambda self: "Set-Cookie: " + _morsel_output(self),
    ("http.cookies", "BaseCookie.output"): lambda self: "\r\n".join(
        "Set-Cookie: " + _morsel_output(value)
        for _, value in sorted(dict.items(self) if isinstance(self, dict) else ())),
    ("http.cookies", "BaseCookie.__repr__"): _cookie_repr,
    ("asyncio.taskgroups", "TaskGroup.__repr__"): _task_group_repr,
    ("xml.etree.ElementTree", "QName.__repr__"): _name_repr("<%s %r>", "text"),
    ("xml.dom.minidom", "CharacterData.__repr__"): _character_data_repr,
    # Not the standard library's: the libraries crashing programs use most.
    ("werkzeug.datastructures", "MultiDict.__repr__"): _multi_dict_repr,
    ("werkzeug.datastructures.structures", "MultiDict.__repr__"): _multi_dict_repr,
    ("werkzeug.datastructures", "Headers.__repr__"): _headers_repr,
    ("werkzeug.datastructures.headers", "Headers.__repr__"): _headers_repr,
    ("yaml.nodes", "Node.__repr__"): lambda self: "%s(tag=%r, value=%r)" % (
        type(self).__name__, _own_value(self, "tag"), _own_value(self, "value")),
    ("markupsafe", "Markup.__repr__"):
        lambda self: "%s(%s)" % (type(self).__name__, str.__repr__(self)),
    ("click.core", "BaseCommand.__repr__"): _name_repr("<%s %s>", "name"),
    ("click.core", "Command.__repr__"): _name_repr("<%s %s>", "name"),
    ("click.core", "Parameter.__repr__"): _name_repr("<%s %s>", "name"),
    ("jinja2.environment", "Template.__repr__"): _jinja_template_repr,
    ("dateutil.tz.tz", "tzutc.__repr__"): lambda self: "%s()" % type(self).__name__,
    ("dateutil.tz.tz", "tzlocal.__repr__"): lambda self: "%s()" % type(self).__name__,
    ("dateutil.tz.tz", "tzoffset.__repr__"): _dateutil_tzoffset_repr,
    ("dateutil.tz.tz", "tzfile.__repr__"): _name_repr("%s(%r)", "_filename"),
    ("dateutil.tz.tz", "tzstr.__repr__"): _name_repr("%s(%r)", "_s"),
    ("dateutil.relativedelta", "relativedelta.__repr__"): _relativedelta_repr,
    ("dateutil._common", "weekday.__repr__"): _dateutil_weekday_repr,
    ("packaging.version", "Version.__repr__"): _packaging_version_repr,
    ("urllib3.util.retry", "Retry.__repr__"): _urllib3_retry_repr,
    ("urllib3.util.timeout", "Timeout.__repr__"): _urllib3_timeout_repr,
    ("requests.models", "Request.__repr__"): _requests_repr("method"),
    ("requests.models", "PreparedRequest.__repr__"): _requests_repr("method"),
    ("requests.models", "Response.__repr__"): _requests_repr("status_code"),
    ("requests.structures", "CaseInsensitiveDict.__repr__"): _requests_case_insensitive_repr,
    ("requests.structures", "LookupDict.__repr__"):
        lambda self: "<lookup '%s'>" % (_own_value(self, "name"),),
    ("werkzeug.sansio.request", "Request.__repr__"): _werkzeug_request_repr,
    ("werkzeug.routing.rules", "Rule.__repr__"): _werkzeug_rule_repr,
    ("werkzeug.routing", "Rule.__repr__"): _werkzeug_rule_repr,
    ("werkzeug.routing.map", "Map.__repr__"): _werkzeug_map_repr,
    ("werkzeug.routing", "Map.__repr__"): _werkzeug_map_repr,
    ("werkzeug.sansio.response", "Response.__repr__"): _werkzeug_status_repr,
    ("werkzeug.wrappers.response", "Response.__repr__"): _werkzeug_response_repr,
    ("flask.scaffold", "Scaffold.__repr__"): _flask_scaffold_repr,
    ("flask.sansio.scaffold", "Scaffold.__repr__"): _flask_scaffold_repr,
    ("flask.config", "Config.__repr__"): _flask_config_repr,
    ("django.utils.datastructures", "MultiValueDict.__repr__"): _multi_value_dict_repr,
    ("django.utils.datastructures", "CaseInsensitiveMapping.__repr__"):
        _case_insensitive_mapping_repr,
    ("django.db.models.options", "Options.__repr__"): _django_options_repr,
    ("django.forms.forms", "BaseForm.__repr__"): _django_form_repr,
    ("django.http.response", "HttpResponse.__repr__"): _django_response_repr,
    ("django.http.response", "HttpResponseRedirectBase.__repr__"): _django_redirect_repr,
    ("django.http.request", "HttpRequest.__repr__"): _django_request_repr,
    ("django.db.models.base", "Model.__repr__"): _django_model_repr,
    ("django.db.models.base", "Model.__str__"): _django_model_str,
    ("_pytest.python_api", "ApproxScalar.__repr__"): _approx_scalar_repr,
    ("_pytest.python_api", "ApproxMapping.__repr__"): _approx_mapping_repr,
    ("_pytest.python_api", "ApproxSequenceLike.__repr__"): _approx_sequence_repr,
    ("_pytest.python_api", "ApproxSequencelike.__repr__"): _approx_sequence_repr,
    ("_pytest.python_api", "ApproxNumpy.__repr__"): _approx_numpy_repr,
    ("_pytest._code.code", "ExceptionInfo.__repr__"): _exception_info_repr,
    ("pytz", "UTC.__repr__"): lambda self: "<UTC>",
    ("pytz", "UTC.__str__"): lambda self: "UTC",
    ("pytz", "_FixedOffset.__repr__"): _pytz_fixed_offset_repr,
    ("pytz.tzinfo", "StaticTzInfo.__repr__"):
        lambda self: "<StaticTzInfo %r>" % (_class_value(self, "zone"),),
    ("pytz.tzinfo", "DstTzInfo.__repr__"): _pytz_dst_repr,
    ("numpy.core.getlimits", "finfo.__repr__"): _numpy_finfo_repr,
    ("numpy.core.getlimits", "iinfo.__repr__"): _numpy_iinfo_repr,
    ("numpy._core.getlimits", "finfo.__repr__"): _numpy_finfo_repr,
    ("numpy._core.getlimits", "iinfo.__repr__"): _numpy_iinfo_repr,
}


def repr_of(function):
    """Ours for a rebuilt standard-library __repr__ or __str__ STDLIB_REPRS
    knows, else None."""
    module = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", None)
    if not surrogates._is_rebuilt_function(function) or not isinstance(module, str) \
            or not isinstance(qualname, str):
        return None
    return STDLIB_REPRS.get((module, qualname))
