/* trust.c: the reviewed table of classes a dump may name and get as real classes. */
#include "trust.h"
#include "interned.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * The trust boundary of pyhd-debug. A CLASS record names a class by
 * (module, qualname); only a pair listed here is looked up, and then by the
 * names in this table (the dump's text is only ever compared with it), so a
 * dump cannot make the reader import or run anything else. A class named by
 * a dump but absent here becomes an inert copy with the same names.
 *
 * Review rule for PYHD_TRUST_INSTANCE: the class is written in Python (or is
 * a C type whose tp_new makes an empty object without arguments), keeps its
 * state in its __dict__ or slots, and its methods act only on the object
 * itself: nothing that writes, signals, connects, spawns or opens. Their
 * instances are made bare and given the dumped attributes; no __init__,
 * __new__ of the class or __setstate__ runs. The modules named in
 * import_module must import without side effects (tests/e2e/test_trust.py
 * imports each in a fresh `python -I` and checks for output, files and
 * threads).
 *
 * When adding an entry: add it below, say why it is safe if it is not
 * obvious, and run tests/e2e/test_trust.py.
 */
struct trusted {
    const char *module;         /* as a dump names it (the class's __module__) */
    const char *qualname;       /* as a dump names it */
    const char *import_module;   /* where this Python has it, "module" or "module:name"
                                    when its name there is not qualname; NULL: module */
    enum pyhd_trust_how how;
};

#define REDUCED PYHD_TRUST_REDUCED
#define CLASS PYHD_TRUST_CLASS
#define INSTANCE PYHD_TRUST_INSTANCE
#define ENUM PYHD_TRUST_ENUM

static const struct trusted table[] = {
    /* Values rebuilt from REDUCED records (format.h, "Reduced values"). */
    {"datetime", "date", NULL, REDUCED},
    {"datetime", "time", NULL, REDUCED},
    {"datetime", "datetime", NULL, REDUCED},
    {"datetime", "timedelta", NULL, REDUCED},
    {"datetime", "timezone", NULL, REDUCED},
    {"datetime", "tzinfo", NULL, CLASS},
    {"decimal", "Decimal", NULL, REDUCED},
    {"fractions", "Fraction", NULL, REDUCED},
    {"uuid", "UUID", NULL, REDUCED},
    {"collections", "deque", NULL, REDUCED},
    {"re", "Pattern", NULL, REDUCED},
    /* A struct.Struct made again from its format string (parsed by struct, no code). */
    {"_struct", "Struct", NULL, REDUCED},
    /* In-memory files made again from their text or bytes and position. */
    {"_io", "StringIO", NULL, REDUCED},
    {"_io", "BytesIO", NULL, REDUCED},
    /* An XML element made again from its tag, attributes, text and children. */
    {"xml.etree.ElementTree", "Element", NULL, REDUCED},
    /* A generator made again in the dumped state: it draws what the program would
       have drawn next (random.Random(0), then setstate()). */
    {"random", "Random", NULL, REDUCED},
    /* functools.lru_cache's wrapper, made again around the rebuilt function (inert
       unless --trust): calling it misses its empty cache and calls that function. */
    {"functools", "_lru_cache_wrapper", NULL, REDUCED},
    /* A context variable of the dumped name and default, and a context holding
       the dumped values of such variables (contextvars' C types, no code). */
    {"_contextvars", "ContextVar", NULL, REDUCED},
    {"_contextvars", "Context", NULL, REDUCED},
    {"array", "array", NULL, REDUCED},
    /* A zone of this machine's tz database, by its key (checked by ZoneInfo:
       a relative path without ".."); importing zoneinfo reads no file. */
    {"zoneinfo", "ZoneInfo", NULL, REDUCED},
    /* A read-only view of the rebuilt mapping; getters of items or attribute names. */
    {"builtins", "mappingproxy", "types:MappingProxyType", REDUCED},
    {"builtins", "dict_keys", "_collections_abc:dict_keys", REDUCED},
    {"builtins", "dict_values", "_collections_abc:dict_values", REDUCED},
    {"builtins", "dict_items", "_collections_abc:dict_items", REDUCED},
    /* super(C, obj), made again from its class and object (super's own checks,
       type-based; the rebuilt object's class has no __getattribute__ or __class__). */
    {"builtins", "super", NULL, REDUCED},
    /* The types of the singletons (typing.Optional[str] holds NoneType). */
    {"builtins", "NoneType", "types:NoneType", CLASS},
    {"builtins", "NotImplementedType", "types:NotImplementedType", CLASS},
    {"builtins", "ellipsis", "types:EllipsisType", CLASS},
    /* A builtin type's C method, slot wrapper, class method, getter or member:
       the one its own __dict__ holds (the type is a builtins name). */
    {"builtins", "method_descriptor", "types:MethodDescriptorType", REDUCED},
    {"builtins", "wrapper_descriptor", "types:WrapperDescriptorType", REDUCED},
    {"builtins", "classmethod_descriptor", "types:ClassMethodDescriptorType", REDUCED},
    {"builtins", "getset_descriptor", "types:GetSetDescriptorType", REDUCED},
    {"builtins", "member_descriptor", "types:MemberDescriptorType", REDUCED},
    /* A decimal context from its __reduce__'s args (numbers, a rounding name,
       lists of the signal classes below); the signals are decimal's exception
       classes (C types with no Python methods). */
    {"decimal", "Context", NULL, REDUCED},
    {"decimal", "Clamped", NULL, CLASS},
    {"decimal", "DecimalException", NULL, CLASS},
    {"decimal", "DivisionByZero", NULL, CLASS},
    {"decimal", "FloatOperation", NULL, CLASS},
    {"decimal", "Inexact", NULL, CLASS},
    {"decimal", "InvalidOperation", NULL, CLASS},
    {"decimal", "Overflow", NULL, CLASS},
    {"decimal", "Rounded", NULL, CLASS},
    {"decimal", "Subnormal", NULL, CLASS},
    {"decimal", "Underflow", NULL, CLASS},
    /* Calls the method of that name on what it is given, as the user typing
       obj.name(*args) would: on a rebuilt object, an inert method. */
    {"operator", "methodcaller", NULL, REDUCED},
    {"operator", "itemgetter", NULL, REDUCED},
    {"operator", "attrgetter", NULL, REDUCED},
    {"itertools", "count", NULL, REDUCED},
    {"itertools", "repeat", NULL, REDUCED},
    {"types", "GenericAlias", NULL, REDUCED},
    {"types", "UnionType", NULL, REDUCED},
    {"typing", "Union", NULL, REDUCED},  /* 3.14's name of types.UnionType */
    /* pathlib moved its classes to pathlib._local in 3.13. */
    {"pathlib", "PurePath", NULL, REDUCED},
    {"pathlib", "PurePosixPath", NULL, REDUCED},
    {"pathlib", "PureWindowsPath", NULL, REDUCED},
    {"pathlib", "Path", NULL, REDUCED},
    {"pathlib", "PosixPath", NULL, REDUCED},
    {"pathlib", "WindowsPath", NULL, REDUCED},
    {"pathlib._local", "PurePath", "pathlib", REDUCED},
    {"pathlib._local", "PurePosixPath", "pathlib", REDUCED},
    {"pathlib._local", "PureWindowsPath", "pathlib", REDUCED},
    {"pathlib._local", "Path", "pathlib", REDUCED},
    {"pathlib._local", "PosixPath", "pathlib", REDUCED},
    {"pathlib._local", "WindowsPath", "pathlib", REDUCED},

    /* Dict and tuple flavours: SUBCLASS records, filled through the builtin base. */
    {"collections", "OrderedDict", NULL, CLASS},
    {"collections", "defaultdict", NULL, CLASS},
    {"collections", "Counter", NULL, CLASS},

    /* Pure-data classes written in Python: real instances. */
    {"argparse", "Namespace", NULL, INSTANCE},
    {"collections", "ChainMap", NULL, INSTANCE},
    {"collections", "UserDict", NULL, INSTANCE},
    {"collections", "UserList", NULL, INSTANCE},
    {"collections", "UserString", NULL, INSTANCE},
    {"types", "SimpleNamespace", NULL, INSTANCE},  /* a C type; its tp_new takes no args */
    {"ipaddress", "IPv4Address", NULL, INSTANCE},
    {"ipaddress", "IPv6Address", NULL, INSTANCE},
    {"ipaddress", "IPv4Network", NULL, INSTANCE},
    {"ipaddress", "IPv6Network", NULL, INSTANCE},
    {"ipaddress", "IPv4Interface", NULL, INSTANCE},
    {"ipaddress", "IPv6Interface", NULL, INSTANCE},
    {"configparser", "RawConfigParser", NULL, INSTANCE},  /* read()/write() take files */
    {"configparser", "ConfigParser", NULL, INSTANCE},     /* the user names */
    {"configparser", "SectionProxy", NULL, INSTANCE},
    {"configparser", "ConverterMapping", NULL, INSTANCE},
    {"configparser", "Interpolation", NULL, INSTANCE},
    {"configparser", "BasicInterpolation", NULL, INSTANCE},
    {"configparser", "ExtendedInterpolation", NULL, INSTANCE},
    /* Threads and queues: their methods touch the object and its locks only. A
       dumped thread has started, so start() refuses to start it again. */
    {"queue", "Queue", NULL, INSTANCE},
    {"queue", "LifoQueue", NULL, INSTANCE},
    {"queue", "PriorityQueue", NULL, INSTANCE},
    {"threading", "Thread", NULL, INSTANCE},
    {"threading", "Timer", NULL, INSTANCE},
    {"threading", "Event", NULL, INSTANCE},
    {"threading", "Condition", NULL, INSTANCE},
    {"threading", "Semaphore", NULL, INSTANCE},
    {"threading", "BoundedSemaphore", NULL, INSTANCE},
    {"threading", "Barrier", NULL, INSTANCE},
    {"string", "Template", NULL, INSTANCE},
    /* A symbol table over its dumped entries (a look-alike of the C entry):
       lookup(), get_children() and the rest read the entries only. */
    {"symtable", "SymbolTable", NULL, INSTANCE},
    {"symtable", "Function", NULL, INSTANCE},
    {"symtable", "Class", NULL, INSTANCE},
    {"symtable", "Symbol", NULL, INSTANCE},
    {"logging", "LogRecord", NULL, INSTANCE},
    {"dataclasses", "Field", NULL, INSTANCE},
    {"dataclasses", "_DataclassParams", NULL, INSTANCE},
    {"dataclasses", "InitVar", NULL, INSTANCE},
    /* Call signatures: their methods format, compare and bind arguments, and
       read only the signature's own parameters. */
    {"inspect", "Signature", NULL, INSTANCE},
    {"inspect", "Parameter", NULL, INSTANCE},
    {"inspect", "BoundArguments", NULL, INSTANCE},
    /* A finished process's record (check_returncode() raises from its own
       fields); Popen, which signals and waits, stays a copy. */
    {"subprocess", "CompletedProcess", NULL, INSTANCE},
    {"statistics", "NormalDist", NULL, INSTANCE},  /* arithmetic on mu and sigma */
    /* An archive member's header fields (from_file() stats a path the user
       names; nothing writes). */
    {"zipfile", "ZipInfo", NULL, INSTANCE},
    {"wsgiref.headers", "Headers", NULL, INSTANCE},  /* a list of (name, value) pairs */
    {"email.headerregistry", "Address", NULL, INSTANCE},
    {"email.headerregistry", "Group", NULL, INSTANCE},
    /* Text tools: their methods compute from the object's own fields and return
       new values (ratio(), wrap(), format()). difflib's Differ and HtmlDiff are
       not here: they call their charjunk, a function, which a dump keeps inert. */
    {"difflib", "SequenceMatcher", NULL, INSTANCE},
    {"textwrap", "TextWrapper", NULL, INSTANCE},
    {"string", "Formatter", NULL, INSTANCE},
    /* encode() builds text from its own options; decode() calls its scanner, a C
       object a dump keeps opaque, and fails there. */
    {"json.decoder", "JSONDecoder", NULL, INSTANCE},
    {"json.encoder", "JSONEncoder", NULL, INSTANCE},
    /* feed() parses into the parser's own fields and calls its handle_* methods
       (a program's subclass's are inert). */
    {"html.parser", "HTMLParser", NULL, INSTANCE},
    /* A message catalog already read: lookups in its own dict (and its fallback). */
    {"gettext", "NullTranslations", NULL, INSTANCE},
    {"gettext", "GNUTranslations", NULL, INSTANCE},
    {"optparse", "Values", NULL, INSTANCE},  /* parsed options, as attributes */

    /* Bases of program classes. */
    {"abc", "ABC", NULL, CLASS},
    {"abc", "ABCMeta", NULL, CLASS},
    {"typing", "Generic", NULL, CLASS},
    /* Its metaclass and __init_subclass__ check and mark the new class only. */
    {"typing", "Protocol", NULL, CLASS},
    {"typing", "Any", NULL, CLASS},  /* a class since 3.11 (its metaclass prints it) */
    {"enum", "Enum", NULL, CLASS},
    {"enum", "IntEnum", NULL, CLASS},
    {"enum", "Flag", NULL, CLASS},
    {"enum", "IntFlag", NULL, CLASS},
    {"enum", "StrEnum", NULL, CLASS},
    {"enum", "ReprEnum", NULL, CLASS},
    {"enum", "EnumMeta", NULL, CLASS},
    {"enum", "EnumType", NULL, CLASS},
    /* inspect's sentinels, compared by identity (Parameter.empty). */
    {"inspect", "_empty", NULL, CLASS},
    {"inspect", "_void", NULL, CLASS},

    /* Standard-library enums: members come back by name or value. */
    {"inspect", "_ParameterKind", NULL, ENUM},
    {"calendar", "Day", NULL, ENUM},    /* 3.12 */
    {"calendar", "Month", NULL, ENUM},  /* 3.12 */
    {"enum", "FlagBoundary", NULL, ENUM},
    {"http", "HTTPStatus", NULL, ENUM},
    {"http", "HTTPMethod", NULL, ENUM},
    {"re", "RegexFlag", NULL, ENUM},
    {"signal", "Signals", NULL, ENUM},
    {"signal", "Handlers", NULL, ENUM},
    {"signal", "Sigmasks", NULL, ENUM},
    {"socket", "AddressFamily", NULL, ENUM},
    {"socket", "SocketKind", NULL, ENUM},
    {"uuid", "SafeUUID", NULL, ENUM},

    /* Struct sequences: C types built from their fields' values (tuple items,
       then the hidden fields set by index), no code of theirs runs. */
    {"os", "stat_result", NULL, CLASS},
    {"os", "statvfs_result", NULL, CLASS},
    {"os", "terminal_size", NULL, CLASS},
    {"os", "times_result", NULL, CLASS},
    {"os", "uname_result", NULL, CLASS},
    /* os.times() and os.uname() give posix's names. */
    {"posix", "times_result", "os", CLASS},
    {"posix", "uname_result", "os", CLASS},
    {"time", "struct_time", NULL, CLASS},
    {"pwd", "struct_passwd", NULL, CLASS},
    {"grp", "struct_group", NULL, CLASS},
    {"resource", "struct_rusage", NULL, CLASS},

    /* The import system's loaders: every program's __main__.__loader__ is a
       SourceFileLoader. The real classes, for names, isinstance and bases; their
       instances stay inert copies (the methods read files and run modules),
       mirrors made once per process rather than copies of the dumped classes
       made again at each load. */
    {"_frozen_importlib_external", "_LoaderBasics", NULL, CLASS},
    {"_frozen_importlib_external", "SourceLoader", NULL, CLASS},
    {"_frozen_importlib_external", "FileLoader", NULL, CLASS},
    {"_frozen_importlib_external", "SourceFileLoader", NULL, CLASS},
    {"_frozen_importlib_external", "SourcelessFileLoader", NULL, CLASS},
    {"_frozen_importlib_external", "ExtensionFileLoader", NULL, CLASS},
    {"_frozen_importlib", "BuiltinImporter", NULL, CLASS},
    {"_frozen_importlib", "FrozenImporter", NULL, CLASS},

    /* Standard-library exceptions whose __str__ reads only their own fields. */
    {"json.decoder", "JSONDecodeError", "json", CLASS},
    {"subprocess", "SubprocessError", NULL, CLASS},
    {"subprocess", "CalledProcessError", NULL, CLASS},
    {"subprocess", "TimeoutExpired", NULL, CLASS},
    {"argparse", "ArgumentError", NULL, CLASS},
    {"argparse", "ArgumentTypeError", NULL, CLASS},
    {"queue", "Empty", NULL, CLASS},
    {"queue", "Full", NULL, CLASS},
    {"configparser", "Error", NULL, CLASS},
    {"configparser", "NoSectionError", NULL, CLASS},
    {"configparser", "NoOptionError", NULL, CLASS},
    {"configparser", "DuplicateSectionError", NULL, CLASS},
    {"configparser", "DuplicateOptionError", NULL, CLASS},
    {"configparser", "InterpolationError", NULL, CLASS},
    {"configparser", "MissingSectionHeaderError", NULL, CLASS},
    {"configparser", "ParsingError", NULL, CLASS},
    {"decimal", "DecimalException", NULL, CLASS},
    {"decimal", "InvalidOperation", NULL, CLASS},
    {"decimal", "DivisionByZero", NULL, CLASS},
    {"ipaddress", "AddressValueError", NULL, CLASS},
    {"ipaddress", "NetmaskValueError", NULL, CLASS},
    {"threading", "BrokenBarrierError", NULL, CLASS},
    {"struct", "error", NULL, CLASS},
    {"binascii", "Error", NULL, CLASS},
    {"zlib", "error", NULL, CLASS},
    {"_csv", "Error", "csv", CLASS},
    {"csv", "Error", NULL, CLASS},
    {"re", "error", NULL, CLASS},
    {"re", "PatternError", NULL, CLASS},
    /* ast's node classes (of 3.10 to 3.14; a name this Python lacks is not found).
       ast.AST is a C type whose tp_new makes an empty node and whose only field is
       the instance dict, which holds the node's fields and positions; a node's
       methods (__reduce__, __replace__, the repr) read only the node. Importing
       ast imports _ast and a few pure modules. */
    {"ast", "AST", NULL, INSTANCE},
    {"ast", "Add", NULL, INSTANCE},
    {"ast", "And", NULL, INSTANCE},
    {"ast", "AnnAssign", NULL, INSTANCE},
    {"ast", "Assert", NULL, INSTANCE},
    {"ast", "Assign", NULL, INSTANCE},
    {"ast", "AsyncFor", NULL, INSTANCE},
    {"ast", "AsyncFunctionDef", NULL, INSTANCE},
    {"ast", "AsyncWith", NULL, INSTANCE},
    {"ast", "Attribute", NULL, INSTANCE},
    {"ast", "AugAssign", NULL, INSTANCE},
    {"ast", "Await", NULL, INSTANCE},
    {"ast", "BinOp", NULL, INSTANCE},
    {"ast", "BitAnd", NULL, INSTANCE},
    {"ast", "BitOr", NULL, INSTANCE},
    {"ast", "BitXor", NULL, INSTANCE},
    {"ast", "BoolOp", NULL, INSTANCE},
    {"ast", "Break", NULL, INSTANCE},
    {"ast", "Call", NULL, INSTANCE},
    {"ast", "ClassDef", NULL, INSTANCE},
    {"ast", "Compare", NULL, INSTANCE},
    {"ast", "Constant", NULL, INSTANCE},
    {"ast", "Continue", NULL, INSTANCE},
    {"ast", "Del", NULL, INSTANCE},
    {"ast", "Delete", NULL, INSTANCE},
    {"ast", "Dict", NULL, INSTANCE},
    {"ast", "DictComp", NULL, INSTANCE},
    {"ast", "Div", NULL, INSTANCE},
    {"ast", "Eq", NULL, INSTANCE},
    {"ast", "ExceptHandler", NULL, INSTANCE},
    {"ast", "Expr", NULL, INSTANCE},
    {"ast", "Expression", NULL, INSTANCE},
    {"ast", "FloorDiv", NULL, INSTANCE},
    {"ast", "For", NULL, INSTANCE},
    {"ast", "FormattedValue", NULL, INSTANCE},
    {"ast", "FunctionDef", NULL, INSTANCE},
    {"ast", "FunctionType", NULL, INSTANCE},
    {"ast", "GeneratorExp", NULL, INSTANCE},
    {"ast", "Global", NULL, INSTANCE},
    {"ast", "Gt", NULL, INSTANCE},
    {"ast", "GtE", NULL, INSTANCE},
    {"ast", "If", NULL, INSTANCE},
    {"ast", "IfExp", NULL, INSTANCE},
    {"ast", "Import", NULL, INSTANCE},
    {"ast", "ImportFrom", NULL, INSTANCE},
    {"ast", "In", NULL, INSTANCE},
    {"ast", "Interactive", NULL, INSTANCE},
    {"ast", "Interpolation", NULL, INSTANCE},
    {"ast", "Invert", NULL, INSTANCE},
    {"ast", "Is", NULL, INSTANCE},
    {"ast", "IsNot", NULL, INSTANCE},
    {"ast", "JoinedStr", NULL, INSTANCE},
    {"ast", "LShift", NULL, INSTANCE},
    {"ast", "Lambda", NULL, INSTANCE},
    {"ast", "List", NULL, INSTANCE},
    {"ast", "ListComp", NULL, INSTANCE},
    {"ast", "Load", NULL, INSTANCE},
    {"ast", "Lt", NULL, INSTANCE},
    {"ast", "LtE", NULL, INSTANCE},
    {"ast", "MatMult", NULL, INSTANCE},
    {"ast", "Match", NULL, INSTANCE},
    {"ast", "MatchAs", NULL, INSTANCE},
    {"ast", "MatchClass", NULL, INSTANCE},
    {"ast", "MatchMapping", NULL, INSTANCE},
    {"ast", "MatchOr", NULL, INSTANCE},
    {"ast", "MatchSequence", NULL, INSTANCE},
    {"ast", "MatchSingleton", NULL, INSTANCE},
    {"ast", "MatchStar", NULL, INSTANCE},
    {"ast", "MatchValue", NULL, INSTANCE},
    {"ast", "Mod", NULL, INSTANCE},
    {"ast", "Module", NULL, INSTANCE},
    {"ast", "Mult", NULL, INSTANCE},
    {"ast", "Name", NULL, INSTANCE},
    {"ast", "NamedExpr", NULL, INSTANCE},
    {"ast", "Nonlocal", NULL, INSTANCE},
    {"ast", "Not", NULL, INSTANCE},
    {"ast", "NotEq", NULL, INSTANCE},
    {"ast", "NotIn", NULL, INSTANCE},
    {"ast", "Or", NULL, INSTANCE},
    {"ast", "ParamSpec", NULL, INSTANCE},
    {"ast", "Pass", NULL, INSTANCE},
    {"ast", "Pow", NULL, INSTANCE},
    {"ast", "RShift", NULL, INSTANCE},
    {"ast", "Raise", NULL, INSTANCE},
    {"ast", "Return", NULL, INSTANCE},
    {"ast", "Set", NULL, INSTANCE},
    {"ast", "SetComp", NULL, INSTANCE},
    {"ast", "Slice", NULL, INSTANCE},
    {"ast", "Starred", NULL, INSTANCE},
    {"ast", "Store", NULL, INSTANCE},
    {"ast", "Sub", NULL, INSTANCE},
    {"ast", "Subscript", NULL, INSTANCE},
    {"ast", "TemplateStr", NULL, INSTANCE},
    {"ast", "Try", NULL, INSTANCE},
    {"ast", "TryStar", NULL, INSTANCE},
    {"ast", "Tuple", NULL, INSTANCE},
    {"ast", "TypeAlias", NULL, INSTANCE},
    {"ast", "TypeIgnore", NULL, INSTANCE},
    {"ast", "TypeVar", NULL, INSTANCE},
    {"ast", "TypeVarTuple", NULL, INSTANCE},
    {"ast", "UAdd", NULL, INSTANCE},
    {"ast", "USub", NULL, INSTANCE},
    {"ast", "UnaryOp", NULL, INSTANCE},
    {"ast", "While", NULL, INSTANCE},
    {"ast", "With", NULL, INSTANCE},
    {"ast", "Yield", NULL, INSTANCE},
    {"ast", "YieldFrom", NULL, INSTANCE},
    {"ast", "alias", NULL, INSTANCE},
    {"ast", "arg", NULL, INSTANCE},
    {"ast", "arguments", NULL, INSTANCE},
    {"ast", "boolop", NULL, INSTANCE},
    {"ast", "cmpop", NULL, INSTANCE},
    {"ast", "comprehension", NULL, INSTANCE},
    {"ast", "excepthandler", NULL, INSTANCE},
    {"ast", "expr", NULL, INSTANCE},
    {"ast", "expr_context", NULL, INSTANCE},
    {"ast", "keyword", NULL, INSTANCE},
    {"ast", "match_case", NULL, INSTANCE},
    {"ast", "mod", NULL, INSTANCE},
    {"ast", "operator", NULL, INSTANCE},
    {"ast", "pattern", NULL, INSTANCE},
    {"ast", "stmt", NULL, INSTANCE},
    {"ast", "type_ignore", NULL, INSTANCE},
    {"ast", "type_param", NULL, INSTANCE},
    {"ast", "unaryop", NULL, INSTANCE},
    {"ast", "withitem", NULL, INSTANCE},
    /* ctypes' number and character types (not its pointers: c_char_p, c_wchar_p,
       c_void_p and py_object hold an address of the dumped process). A dumped
       value is a BUFFER record of its bytes; pyhd_surrogates.make_buffer makes it
       again with from_buffer_copy, which copies bytes and runs no code. Importing
       ctypes loads _ctypes and libffi: no output, files or threads. */
    {"ctypes", "c_bool", NULL, CLASS},
    {"ctypes", "c_byte", NULL, CLASS},
    {"ctypes", "c_char", NULL, CLASS},
    {"ctypes", "c_double", NULL, CLASS},
    {"ctypes", "c_float", NULL, CLASS},
    {"ctypes", "c_int", NULL, CLASS},
    {"ctypes", "c_long", NULL, CLASS},
    {"ctypes", "c_longdouble", NULL, CLASS},
    {"ctypes", "c_longlong", NULL, CLASS},
    {"ctypes", "c_short", NULL, CLASS},
    {"ctypes", "c_ubyte", NULL, CLASS},
    {"ctypes", "c_uint", NULL, CLASS},
    {"ctypes", "c_ulong", NULL, CLASS},
    {"ctypes", "c_ulonglong", NULL, CLASS},
    {"ctypes", "c_ushort", NULL, CLASS},
    {"ctypes", "c_wchar", NULL, CLASS},
};

#undef REDUCED
#undef CLASS
#undef INSTANCE
#undef ENUM

static const size_t table_len = sizeof table / sizeof table[0];

/* The table's entries by (module, qualname), sorted once: a load asks for every
   CLASS record of the dump (a Django app has hundreds), and most are not here. */
static const struct trusted *by_name[sizeof table / sizeof table[0]];
static pthread_once_t by_name_once = PTHREAD_ONCE_INIT;

static int compare_names(const char *module, const char *qualname, const struct trusted *t)
{
    int c = strcmp(module, t->module);
    return c ? c : strcmp(qualname, t->qualname);
}

static int compare_entries(const void *a, const void *b)
{
    const struct trusted *x = *(const struct trusted *const *)a;
    return compare_names(x->module, x->qualname, *(const struct trusted *const *)b);
}

static void sort_by_name(void)
{
    for (size_t i = 0; i < table_len; i++)
        by_name[i] = &table[i];
    qsort(by_name, table_len, sizeof by_name[0], compare_entries);
}

static const struct trusted *find(const char *module, const char *qualname)
{
    size_t lo = 0, hi = table_len;
    pthread_once(&by_name_once, sort_by_name);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare_names(module, qualname, by_name[mid]);
        if (!c)
            return by_name[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

enum pyhd_trust_how pyhd__trust_lookup(const char *module, const char *qualname)
{
    /* The table first: it also holds builtins types that are no name of
       builtins (mappingproxy, the dict views). */
    const struct trusted *t = find(module, qualname);
    if (t)
        return t->how;
    /* Every builtin class is safe to name; object's instances are real objects. */
    if (!strcmp(module, "builtins") && !strchr(qualname, '.'))
        return !strcmp(qualname, "object") ? PYHD_TRUST_INSTANCE : PYHD_TRUST_CLASS;
    return PYHD_TRUST_NONE;
}

/* builtins.NAME when it is a class: new reference, or NULL (no exception) when not. */
static PyObject *builtin_class(PyObject *name)
{
    PyObject *builtins = PyEval_GetBuiltins();  /* borrowed */
    PyObject *obj = builtins ? PyDict_GetItemWithError(builtins, name) : NULL;
    if (!obj || !PyType_Check(obj))
        return NULL;
    return Py_NewRef(obj);
}

/* The module to import for entry t (into module) and the class's name there. */
static const char *import_names(const struct trusted *t, char *module, size_t n)
{
    const char *where = t->import_module ? t->import_module : t->module;
    const char *colon = strchr(where, ':');
    snprintf(module, n, "%.*s", colon ? (int)(colon - where) : (int)strlen(where), where);
    return colon ? colon + 1 : t->qualname;
}

/* The class the entry names, imported by the table's own names: new reference or NULL. */
static PyObject *entry_class(const struct trusted *t)
{
    char module[64];
    const char *name = import_names(t, module, sizeof module);
    PyObject *mod = pyhd_import(module), *obj;
    if (!mod)
        return NULL;
    obj = pyhd__getattr(mod, name);  /* name: the table's, which lives as long */
    Py_DECREF(mod);
    if (obj && !PyType_Check(obj))
        Py_CLEAR(obj);
    return obj;
}

PyObject *pyhd__trust_resolve(PyObject *module, PyObject *qualname, enum pyhd_trust_how *how)
{
    const char *m, *q;
    const struct trusted *t;
    PyObject *cls;
    *how = PYHD_TRUST_NONE;
    if (!PyUnicode_Check(module) || !PyUnicode_Check(qualname))
        return NULL;
    m = PyUnicode_AsUTF8(module);
    q = m ? PyUnicode_AsUTF8(qualname) : NULL;
    if (!q) {
        /* Lone surrogates cannot be UTF-8, nor any name of the table. */
        PyErr_Clear();
        return NULL;
    }
    t = find(m, q);
    if (!t && !strcmp(m, "builtins")) {
        cls = builtin_class(qualname);
        if (cls)
            *how = pyhd__trust_lookup(m, q);
        return cls;
    }
    if (!t)
        return NULL;
    cls = entry_class(t);
    if (!cls) {
        /* A name this Python lacks (StrEnum before 3.11): an inert copy will do. */
        if (PyErr_ExceptionMatches(PyExc_MemoryError))
            return NULL;
        PyErr_Clear();
        return NULL;
    }
    *how = t->how;
    return cls;
}

const char *pyhd__trust_how_name(enum pyhd_trust_how how)
{
    switch (how) {
    case PYHD_TRUST_CLASS: return "class";
    case PYHD_TRUST_REDUCED: return "reduced";
    case PYHD_TRUST_INSTANCE: return "instance";
    case PYHD_TRUST_ENUM: return "enum";
    default: return "none";
    }
}

PyObject *pyhd__trust_table(void)
{
    PyObject *result = PyTuple_New((Py_ssize_t)table_len);
    for (size_t i = 0; result && i < table_len; i++) {
        const struct trusted *t = &table[i];
        char module[64];
        import_names(t, module, sizeof module);
        PyObject *row = Py_BuildValue("(ssss)", t->module, t->qualname, module,
                                      pyhd__trust_how_name(t->how));
        if (!row) {
            Py_CLEAR(result);
            break;
        }
        PyTuple_SET_ITEM(result, (Py_ssize_t)i, row);
    }
    return result;
}
