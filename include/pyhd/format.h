/* pyhd/format.h: the dump format, defined in one place (mirrored by man/pyhd-dump.5). */
#ifndef PYHD_FORMAT_H
#define PYHD_FORMAT_H

/*
 * A dump is a POSIX tar archive (pax format) with these members, in this order:
 *
 *   MANIFEST          RFC 822-style "Key: value" lines (see PYHD_MANIFEST_*).
 *   traceback.txt     The traceback as python's default hook prints it, then
 *                     every other thread's stack in the same style.
 *   graph.z           The object graph: one zlib (RFC 1950) stream (stored
 *                     blocks for a graph of at most 1 MiB: encode.h).
 *   sources/PATH      The bytes of every source file a dumped frame executes,
 *                     PATH being the absolute path without its leading "/".
 *
 * A reader looks members up by name and ignores members it does not know.
 *
 * ---------------------------------------------------------------------------
 * The graph stream, once inflated:
 *
 *   magic      8 bytes  "PYHDGRPH"
 *   version    varint   PYHD_FORMAT_VERSION
 *   records    ...      until and including one PYHD_REC_END
 *
 * A record is:   kind (1 byte) | fresh (varint) | payload length (varint) | payload
 *
 * The length makes every record skippable: a reader that meets a kind it does
 * not know skips the payload. Kinds below PYHD_KIND_META_FIRST define an
 * object, so an unknown one still takes the next id (the reader makes it an
 * opaque placeholder); kinds from PYHD_KIND_META_FIRST up define no object.
 *
 * Ids: object records are numbered 1, 2, 3, ... in the order they appear.
 * A reference may point forward (the writer walks breadth-first and numbers
 * an object when it first sees it, writes it when its turn comes); every id
 * referenced must be < the END record's object count + 1.
 *
 * Fresh ids: "fresh" in a record's framing says how many ids the writer
 * handed out while writing that record: they are the ids that follow those
 * of all earlier records' fresh counts (the first record's start at 1). The
 * sum of all fresh counts is at most the object count. The framing alone
 * thus tells a reader, for every record, where its fresh ids start, also
 * across records of kinds it does not know.
 *
 * A reference ("id" below) is a varint r:
 *   r = 0    absent (no object);
 *   r = 1    the record's next fresh id: the k-th r = 1 in a record names the
 *            k-th of its fresh ids (more r = 1 than fresh ids is an error);
 *   r >= 2   the object with id r - 1.
 * Most references in a breadth-first walk name an object seen for the first
 * time, so they are the single byte 1, which deflate compresses to almost
 * nothing; absolute ids do not compress.
 *
 * Encodings:
 *   varint   unsigned LEB128: 7 bits a byte, least significant group first,
 *            high bit set on every byte but the last; at most 10 bytes.
 *   svarint  a signed value zigzag-encoded ((n << 1) ^ (n >> 63)), then varint.
 *   id       a reference, as described above.
 *   text     varint byte length, then UTF-8 bytes (used only in meta records;
 *            names in object records are ids of STR objects, so each distinct
 *            interned name is written once).
 *   f64      8 bytes, IEEE 754 binary64, little-endian.
 *
 * Truncation: containers, str, bytes and buffers carry their original length
 * before the stored part. stored < original means the walker cut the object
 * (a budget ran out); the reader marks such objects as truncated.
 *
 * Integrity: the END record holds the object count and the CRC-32 (zlib's
 * crc32()) of every inflated byte before END's kind byte, magic included.
 *
 * Versioning rule: PYHD_FORMAT_VERSION is bumped when a change makes old
 * readers misread a dump (a payload layout changes, a kind is renumbered),
 * and when a kind is added (its line in PYHD_OBJECT_KINDS names the version:
 * a reader takes a record of a kind newer than the dump's version for an
 * unknown one). Appending fields at the end of a payload (readers ignore
 * trailing bytes of a payload) does not bump it. Readers refuse versions
 * greater than the one they know.
 *
 * When adding a kind: see "The field table" below.
 */

#define PYHD_GRAPH_MAGIC "PYHDGRPH"
#define PYHD_GRAPH_MAGIC_LEN 8
/*
 * Versions: 1, the first. 2: readable C objects (0x30 up) and GENERATOR's
 * await; CLASS attrs hold every attribute of the class (a version 1 reader
 * would take a namedtuple's field getters, now OPAQUE records, for plain class
 * attributes), FUNCTION records append their defaults, kwdefaults,
 * annotations, doc and closure, and DESCRIPTOR records (0x26) appear. Readers
 * of version 2 still read version 1. 3: DATETIME records (0x27) for the datetime
 * module's date, time and datetime, which version 2 wrote as REDUCED records
 * with a TUPLE of INTs (three records where one does, and the slowest values
 * to load). Readers of version 3 still read versions 1 and 2. 4: NDARRAY records
 * hold the __dict__ of an instance of a Python subclass of numpy.ndarray (a
 * dict id before the elements, which run to the end of the payload: no field
 * can be appended after them). Readers of version 4 still read versions 1 to 3.
 */
#define PYHD_FORMAT_VERSION 4

#define PYHD_MEMBER_MANIFEST "MANIFEST"
#define PYHD_MEMBER_TRACEBACK "traceback.txt"
#define PYHD_MEMBER_GRAPH "graph.z"
#define PYHD_MEMBER_ASYNCIO "asyncio.json"  /* 3.14+, with an event loop running in
                                               the dumping thread: its tasks */
#define PYHD_MEMBER_SOURCES_DIR "sources/"

/*
 * MANIFEST keys, in the order the writer emits them. Values are one line,
 * escaped as src/manifest.h says. A reader ignores keys it does not know;
 * adding a key does not bump PYHD_FORMAT_VERSION. The Exception-* keys and
 * Fingerprint appear only in a dump with an exception; Source-Unavailable
 * once per source file that could not be stored; Missed-Trigger once per
 * trigger that came during the dump.
 */
#define PYHD_MANIFEST_FORMAT_VERSION "Format-Version"   /* PYHD_FORMAT_VERSION */
#define PYHD_MANIFEST_PYHD_VERSION "Pyhd-Version"       /* pyhd's version */
#define PYHD_MANIFEST_CREATED "Created"              /* UTC, 2026-11-22T02:11:12.123456Z */
#define PYHD_MANIFEST_HOSTNAME "Hostname"
#define PYHD_MANIFEST_PID "Pid"
#define PYHD_MANIFEST_UID "Uid"
#define PYHD_MANIFEST_CWD "Cwd"                      /* relative source names are
                                                        relative to it */
#define PYHD_MANIFEST_ARGV "Argv"                    /* sys.argv as a JSON array */
#define PYHD_MANIFEST_EXECUTABLE "Executable"        /* sys.executable */
#define PYHD_MANIFEST_PYTHON_VERSION "Python-Version" /* sys.version's first line */
#define PYHD_MANIFEST_PYTHON_IMPLEMENTATION "Python-Implementation"  /* "CPython" */
#define PYHD_MANIFEST_PYTHON_ABI_FLAGS "Python-Abi-Flags"  /* sys.abiflags: "" or e.g.
                                                        "t" (free-threaded), "d" */
#define PYHD_MANIFEST_GIL "Gil"                      /* on, off (a free-threaded
                                                        build running without it)
                                                        or unknown */
#define PYHD_MANIFEST_HASH_SEED "Hash-Seed"          /* the str hash seed, when fixed
                                                        (PYTHONHASHSEED=N); absent when
                                                        random. pyhd-debug starts with it,
                                                        so sets of strs iterate as they did */
#define PYHD_MANIFEST_PLATFORM "Platform"            /* uname: sysname release machine */
#define PYHD_MANIFEST_TRIGGER "Trigger"              /* uncaught-exception,
                                                        thread-exception, signal, api */
#define PYHD_MANIFEST_REASON "Reason"                /* why, in words: pyhd.dump()'s reason,
                                                        the signal's name; only when given */
#define PYHD_MANIFEST_EXCEPTION_TYPE "Exception-Type" /* module.qualname */
#define PYHD_MANIFEST_EXCEPTION_MESSAGE "Exception-Message"  /* str(exception), or
                                                        "<not computed>" when that
                                                        would run program code */
#define PYHD_MANIFEST_FINGERPRINT "Fingerprint"      /* 16 hex digits: FNV-1a 64 over
                                                        the type's module.qualname, then
                                                        per traceback entry (outermost
                                                        first) NUL, basename of
                                                        co_filename, NUL, co_qualname
                                                        (co_name before 3.11) */
#define PYHD_MANIFEST_THREADS "Threads"              /* THREAD records */
#define PYHD_MANIFEST_ASYNCIO_TASKS "Asyncio-Tasks"  /* tasks in asyncio.json; only
                                                        with that member */
#define PYHD_MANIFEST_OBJECTS "Objects"              /* object records */
#define PYHD_MANIFEST_OPAQUE_OBJECTS "Opaque-Objects"
#define PYHD_MANIFEST_TRUNCATED_OBJECTS "Truncated-Objects"
#define PYHD_MANIFEST_TRUNCATED "Truncated"          /* yes or no */
#define PYHD_MANIFEST_REDACTED_VALUES "Redacted-Values"  /* REDACTED records (never
                                                        the values or their names) */
#define PYHD_MANIFEST_PRIVACY "Privacy"              /* full, default or triage
                                                        (pyhd-run --privacy) */
#define PYHD_MANIFEST_REDACTED_BY_RULE "Redacted-By-Rule"  /* "RULE=N RULE=N": values
                                                        and parts of text redacted, by the
                                                        rule that found them (name,
                                                        url-password, jwt, ...); only
                                                        when some were */
#define PYHD_MANIFEST_REDACT_HASH_UNAVAILABLE "Redact-Hash-Unavailable"  /* why
                                                        --redact-hash gave no hashes */
#define PYHD_MANIFEST_GRAPH_SIZE "Graph-Size"        /* inflated graph bytes */
#define PYHD_MANIFEST_GRAPH_COMPRESSED_SIZE "Graph-Compressed-Size"  /* graph.z bytes */
#define PYHD_MANIFEST_SOURCES "Sources"              /* sources/ members */
#define PYHD_MANIFEST_SOURCES_SIZE "Sources-Size"    /* their bytes */
#define PYHD_MANIFEST_SOURCE_UNAVAILABLE "Source-Unavailable"  /* "PATH: reason" */
#define PYHD_MANIFEST_MISSED_TRIGGER "Missed-Trigger"  /* a trigger that came while this
                                                        dump was written and got no dump
                                                        of its own: uncaught-exception,
                                                        thread-exception, api, "signal
                                                        SIGNAME", "fatal signal N";
                                                        once per trigger */
#define PYHD_MANIFEST_TRACEBACK_SIZE "Traceback-Size"  /* traceback.txt bytes */
#define PYHD_MANIFEST_DUMP_TIME_MS "Dump-Time-Ms"    /* ms spent before writing the file */

/* Object record kinds. Payload layouts follow each name; the field table
   below (PYHD_FIELDS_*) defines them for readers and writers. */
enum pyhd_kind {
    PYHD_REC_NONE = 0x01,        /* (empty) */
    PYHD_REC_FALSE = 0x02,       /* (empty) */
    PYHD_REC_TRUE = 0x03,        /* (empty) */
    PYHD_REC_ELLIPSIS = 0x04,    /* (empty) */
    PYHD_REC_NOTIMPL = 0x05,     /* (empty) NotImplemented */
    PYHD_REC_INT = 0x06,         /* svarint value (fits in int64) */
    PYHD_REC_BIGINT = 0x07,      /* u8 sign (0 = positive, 1 = negative), varint n,
                                    n bytes magnitude little-endian */
    PYHD_REC_FLOAT = 0x08,       /* f64 */
    PYHD_REC_COMPLEX = 0x09,     /* f64 real, f64 imag */
    PYHD_REC_STR = 0x0A,         /* u8 width (1, 2 or 4: latin-1, UCS-2, UCS-4 code
                                    units, as CPython stores them), varint original
                                    length in code points, then stored code units
                                    little-endian (stored count = rest / width) */
    PYHD_REC_BYTES = 0x0B,       /* varint original length, stored bytes (the rest) */
    PYHD_REC_BYTEARRAY = 0x0C,   /* as BYTES */
    PYHD_REC_TUPLE = 0x0D,       /* varint original length, varint n, n ids */
    PYHD_REC_LIST = 0x0E,        /* as TUPLE */
    PYHD_REC_SET = 0x0F,         /* as TUPLE */
    PYHD_REC_FROZENSET = 0x10,   /* as TUPLE */
    PYHD_REC_DICT = 0x11,        /* varint original length, varint n, n x (key id, value id) */
    PYHD_REC_RANGE = 0x12,       /* start id, stop id, step id (INT or BIGINT objects) */
    PYHD_REC_SLICE = 0x13,       /* start id, stop id, step id (any objects) */
    PYHD_REC_CLASS = 0x14,       /* name id, qualname id, module id (STR objects),
                                    bases id (TUPLE of CLASS ids; 0 for object),
                                    u8 flags (PYHD_CLASS_*),
                                    attrs id (DICT of the class's own attributes, or 0:
                                    every entry of its __dict__ but __dict__,
                                    __weakref__, __doc__ and the descriptors of its
                                    __slots__;
                                    functions, descriptors and nested classes
                                    included; of a STDLIB class written in
                                    Python only __repr__, __str__ (functions)
                                    and _fields, possibly none: an empty DICT;
                                    0 for a STDLIB C type). Version 1 kept only
                                    values of exact types None, bool, int, float,
                                    complex, str, bytes, and tuples of those),
                                    then (appended in version 2; absent from
                                    earlier version 2 dumps) metaclass id (the
                                    CLASS of type(cls), 0: type) */
    PYHD_REC_INSTANCE = 0x15,    /* class id, dict id (0: none), varint n,
                                    n x (slot name id, value id) */
    PYHD_REC_SUBCLASS = 0x16,    /* an instance of a subclass of a builtin type:
                                    class id, dict id (0: none), varint n,
                                    n x (slot name id, value id), u8 base kind,
                                    then the base kind's payload (STR, BYTES,
                                    BYTEARRAY, INT, BIGINT, FLOAT, COMPLEX, TUPLE,
                                    LIST, SET, FROZENSET or DICT). For
                                    collections.defaultdict the slot
                                    "default_factory" holds the factory. */
    PYHD_REC_EXCEPTION = 0x17,   /* class id, args id (TUPLE), dict id (0: none),
                                    cause id, context id, u8 suppress_context,
                                    traceback id (TRACEBACK or 0), varint n,
                                    n x (name id, value id): the C-level fields the
                                    exception type keeps outside its __dict__
                                    (SyntaxError: msg filename lineno offset text
                                    end_lineno end_offset print_file_and_line;
                                    OSError: errno strerror filename filename2;
                                    ImportError: msg name path; AttributeError and
                                    NameError: name; StopIteration: value;
                                    SystemExit: code; UnicodeError: encoding object
                                    start end reason; BaseExceptionGroup: message
                                    exceptions) */
    PYHD_REC_FUNCTION = 0x18,    /* name id, qualname id, module id, code id (0 for a
                                    builtin function), then (version 2; absent from
                                    earlier dumps, and 0 or absent for builtin
                                    functions):
                                    defaults id (TUPLE or 0), kwdefaults id (DICT or
                                    0), annotations id (0: none), doc id (0: none;
                                    pyhd-run writes 0: the dumped source has it),
                                    closure id (TUPLE of CELL, or 0), then (absent from
                                    dumps of earlier writers, and from functions
                                    with code) self id: a builtin function's
                                    __self__ (its module, or the object or class a C
                                    method is bound to; 0: none). A builtin function
                                    written with it has the fields before it as 0 */
    PYHD_REC_METHOD = 0x19,      /* function id, self id */
    PYHD_REC_CODE = 0x1A,        /* filename id, name id, qualname id (STR), varint
                                    firstlineno, varint argcount, varint
                                    posonlyargcount, varint kwonlyargcount, varint
                                    flags (co_flags), varnames id (TUPLE of STR:
                                    co_varnames), cellvars id, freevars id (TUPLE) */
    PYHD_REC_CELL = 0x1B,        /* contents id (0: empty cell) */
    PYHD_REC_MODULE = 0x1C,      /* name id, file id (0: none), dict id (0 unless the
                                    module dict is some dumped frame's globals), then
                                    (appended in version 2) origin id (STR: its spec's
                                    origin when that is no file, as "frozen"; 0: none) */
    PYHD_REC_FRAME = 0x1D,       /* code id, svarint lineno (-1: unknown), svarint
                                    end_lineno, svarint col, svarint end_col (the
                                    current instruction's position, -1 unknown; cols
                                    are 0-based UTF-8 byte offsets as in co_positions),
                                    locals id (DICT, 0: none), globals id (DICT),
                                    builtins id (MODULE or DICT), back id (FRAME or 0) */
    PYHD_REC_TRACEBACK = 0x1E,   /* frame id, svarint lineno (tb_lineno), svarint
                                    end_lineno, svarint col, svarint end_col (of the
                                    instruction at tb_lasti), next id (TRACEBACK or 0) */
    PYHD_REC_GENERATOR = 0x1F,   /* u8 flavour (PYHD_GEN_*), name id, qualname id,
                                    code id, u8 state (PYHD_GENSTATE_*), frame id (0:
                                    none), then (version 2) await id: what it is
                                    suspended in (gi_yieldfrom, cr_await, ag_await; 0:
                                    nothing) */
    PYHD_REC_WEAKREF = 0x20,     /* class id, referent id (0: dead) */
    PYHD_REC_REDUCED = 0x21,     /* a standard-library value: class id (a CLASS with
                                    PYHD_CLASS_STDLIB), args id (TUPLE); see
                                    "Reduced values" below */
    PYHD_REC_BUFFER = 0x22,      /* a buffer-protocol object: class id, text format
                                    (struct syntax), varint itemsize, varint ndim,
                                    ndim x varint shape, u8 readonly, varint original
                                    byte length, stored bytes (C-contiguous; the rest).
                                    A numpy datetime64/timedelta64 scalar: ndim 0 and
                                    its dtype's str ("<M8[m]") as format */
    PYHD_REC_OPAQUE = 0x23,      /* an object pyhd does not rebuild: class id, varint
                                    size in bytes, repr id (STR or 0), reason id (STR or
                                    0: why it is opaque, e.g. an error while walking) */
    PYHD_REC_TRUNCATED = 0x24,   /* an object left out because the size budget ran
                                    out: class id. It may stand wherever an id of a
                                    particular kind is required (a CLASS's name, a
                                    FRAME's code): readers accept it there */
    PYHD_REC_REDACTED = 0x25,    /* a value left out because it was bound to a
                                    sensitive name, or by the privacy level (see
                                    "Redaction" below): class id, u8 measure
                                    (PYHD_REDACTED_*), varint length (0 when the
                                    measure is NONE), then, only with --redact-hash,
                                    8 bytes: the value's keyed hash, little-endian.
                                    Like TRUNCATED it may stand wherever an id of a
                                    particular kind is required */
    PYHD_REC_DESCRIPTOR = 0x26,  /* a property, classmethod or staticmethod: u8 flavour
                                    (PYHD_DESCR_*), then 4 ids (0: absent): a property's
                                    fget, fset, fdel, doc; the function a classmethod
                                    or staticmethod wraps, then 0, 0, 0 */
    PYHD_REC_DATETIME = 0x27,    /* (version 3) a datetime.date, time or datetime of
                                    the C datetime module, exact type: class id (a
                                    CLASS with PYHD_CLASS_STDLIB), varint year, u8
                                    month, u8 day (0, 0, 0 for a time), u8 hour, u8
                                    minute, u8 second, varint microsecond (0 for a
                                    date), u8 fold, tzinfo id (0: None). Version 2
                                    wrote these as REDUCED records */

    /* Readable C objects (version 2): state read through C members and getters
       of the exact standard-library (or numpy) type; see "Readable C objects". */
    PYHD_REC_PARTIAL = 0x30,     /* functools.partial: class id, func id, args id
                                    (TUPLE), keywords id (DICT, 0: none), dict id
                                    (DICT of its attributes, 0: none) */
    PYHD_REC_MATCH = 0x31,       /* re.Match: class id, pattern id (the re.Pattern),
                                    string id (STR or BYTES), regs id (TUPLE of (start,
                                    end) TUPLEs, group 0 first), svarint pos, svarint
                                    endpos, svarint lastindex (-1: None) */
    PYHD_REC_LOCK = 0x32,        /* _thread.lock or _thread.RLock: class id, u8
                                    locked, varint owner (thread ident, 0: none or
                                    unknown), varint count (RLock recursion) */
    PYHD_REC_FILE = 0x33,        /* an _io file object (FileIO, BufferedReader,
                                    BufferedWriter, BufferedRandom, TextIOWrapper):
                                    class id, name id (STR, INT or BYTES; 0: none),
                                    mode id (STR, 0: none), encoding id (STR, 0: none),
                                    u8 flags (PYHD_FILE_*), svarint position (bytes
                                    from the start of the file; -1: unknown), inner id
                                    (the buffer of a TextIOWrapper, the raw file of a
                                    Buffered*: a FILE or any record; 0: none) */
    PYHD_REC_FUTURE = 0x34,      /* an asyncio Future or Task (_asyncio's C types and
                                    their subclasses): class id, dict id (0: none),
                                    u8 flags (PYHD_FUTURE_*), u8 state
                                    (PYHD_FUTURESTATE_*), result id, exception id,
                                    callbacks id (LIST of the callables its done
                                    callbacks call, 0: none), then for a task: name id,
                                    coro id (its coroutine), waiter id (the future it
                                    awaits, 0: none); 0 ids for a plain future */
    PYHD_REC_NDARRAY = 0x35,     /* a numpy.ndarray or an instance of a Python
                                    subclass of it (the class id says which): class
                                    id, dtype id (DTYPE), varint ndim, ndim x varint
                                    shape, ndim x svarint strides (bytes, as the array
                                    had them), base id (0: none), svarint offset (of
                                    its data from its base's data when the base is an
                                    ndarray, else 0), u8 flags (PYHD_NDARRAY_*), from
                                    version 4 a dict id (DICT: a subclass instance's
                                    __dict__; 0: none), then the
                                    elements in C order: for an object dtype varint
                                    original count, varint n, n ids (0: NULL); else
                                    varint original byte length, stored bytes (the
                                    rest) */
    PYHD_REC_DTYPE = 0x36,       /* a numpy.dtype: text typestr (dtype.str, such as
                                    "<f8", "<M8[s]", "|V16"), varint itemsize, u8 flags
                                    (PYHD_DTYPE_*), varint n fields, n x (name id (STR),
                                    dtype id (DTYPE), varint offset, title id (0:
                                    none)), subarray base id (DTYPE, 0: none), subarray
                                    shape id (TUPLE of INT, 0: none) */

    PYHD_KIND_META_FIRST = 0xC0,

    /* Meta records: define no object. */
    PYHD_REC_ROOTS = 0xC0,       /* varint n, n x (text key, id). Keys: "exception",
                                    "argv", "path", "modules" (DICT name -> file or
                                    None), "environ" (DICT bytes -> bytes),
                                    "executable", "version" (STR sys.version),
                                    "version_info" (TUPLE of 5 ints), "orig_argv",
                                    "tasks" (LIST of the asyncio tasks the event
                                    loops know, version 2).
                                    Exactly one, the first record. */
    PYHD_REC_THREAD = 0xC1,      /* varint ident, varint native_id (0: unknown), text
                                    name, u8 flags (PYHD_THREAD_*), frame id (the
                                    innermost frame of its current stack; 0 when the
                                    stack is only in the exception's traceback),
                                    then (appended) the id of its current
                                    contextvars.Context (the dumping thread's only;
                                    0: none) */
    PYHD_REC_END = 0xFF,         /* varint object count, u32 little-endian CRC-32 */
};

/* PYHD_REC_CLASS flags. */
#define PYHD_CLASS_STDLIB 0x01   /* defined in builtins or a standard-library module:
                                    a reader may resolve it by module and qualname */
#define PYHD_CLASS_EXCEPTION 0x02 /* a subclass of BaseException */
#define PYHD_CLASS_HEAPTYPE 0x04  /* created by a class statement or type() */

/* PYHD_REC_DESCRIPTOR flavours. */
#define PYHD_DESCR_PROPERTY 0
#define PYHD_DESCR_CLASSMETHOD 1
#define PYHD_DESCR_STATICMETHOD 2

/* PYHD_REC_REDACTED measures: what the length of the value removed counts. */
#define PYHD_REDACTED_NONE 0      /* no length (an int, a float, an instance) */
#define PYHD_REDACTED_CHARS 1     /* code points of a str */
#define PYHD_REDACTED_BYTES 2     /* bytes of a bytes, bytearray or buffer */
#define PYHD_REDACTED_ITEMS 3     /* items of a container */

/*
 * Redaction: a writer never writes a value it reaches through a sensitive
 * name (a dict key of type str or bytes, a slot name) as itself: it writes a
 * REDACTED record in its place, and every later reference to the same object
 * gets that record too. A value reached earlier through a safe name has
 * already been written, and text copied elsewhere (an exception message, a
 * longer string) is not found by names. Which names are sensitive is the
 * writer's policy (pyhd-run(1)); the MANIFEST's Redacted-Values counts the
 * records. Objects shared by the interpreter (None, bools, small ints, empty
 * and one-character strings) and code-like objects (modules, classes,
 * functions, code, frames) are never redacted. An interned str (shared with
 * every equal name and key) gets a REDACTED record of its own for each such
 * reference, and is written as itself where it is a name or a key.
 */

/* PYHD_REC_FILE flags. */
#define PYHD_FILE_CLOSED 0x01
#define PYHD_FILE_CLOSEFD 0x02    /* a FileIO that closes its descriptor */

/* PYHD_REC_FUTURE flags and states. */
#define PYHD_FUTURE_TASK 0x01
#define PYHD_FUTURESTATE_PENDING 0
#define PYHD_FUTURESTATE_CANCELLED 1
#define PYHD_FUTURESTATE_FINISHED 2

/* PYHD_REC_NDARRAY and PYHD_REC_DTYPE flags. */
#define PYHD_NDARRAY_WRITEABLE 0x01
#define PYHD_DTYPE_ALIGNED 0x01   /* an aligned struct (dtype.isalignedstruct) */

/*
 * Readable C objects: a writer reads these through the C members and getters
 * of the exact type (or, for subclasses of asyncio's Future, of the C base
 * type's own descriptors), so no code of the program runs; it calls no
 * method that could act on the world (a file's position comes from lseek on
 * its descriptor or the buffer's own tell, never from TextIOWrapper.tell,
 * which flushes). Readers rebuild PARTIAL, LOCK, NDARRAY and DTYPE as real
 * objects when they can and everything else as inert look-alikes.
 */

/* PYHD_REC_THREAD flags. */
#define PYHD_THREAD_DAEMON 0x01
#define PYHD_THREAD_FAILED 0x02   /* the thread whose exception triggered the dump */
#define PYHD_THREAD_MAIN 0x04
#define PYHD_THREAD_CURRENT 0x08  /* the thread that wrote the dump */

/* PYHD_REC_GENERATOR flavours and states. */
#define PYHD_GEN_GENERATOR 0
#define PYHD_GEN_COROUTINE 1
#define PYHD_GEN_ASYNCGEN 2
#define PYHD_GENSTATE_CREATED 0
#define PYHD_GENSTATE_RUNNING 1
#define PYHD_GENSTATE_SUSPENDED 2
#define PYHD_GENSTATE_CLOSED 3

/*
 * Reduced values (PYHD_REC_REDUCED): the class's module.qualname and the args
 * a reader passes to rebuild it. Only these are defined; a reader rebuilds
 * nothing else from a REDUCED record.
 *
 *   datetime.date       (year, month, day)
 *   datetime.time       (hour, minute, second, microsecond, tzinfo, fold)
 *   datetime.datetime   (year, month, day, hour, minute, second, microsecond, tzinfo, fold)
 *     (these three are DATETIME records from version 3; a reader falls back on
 *     these args for a DATETIME it cannot make)
 *   datetime.timedelta  (days, seconds, microseconds)
 *   datetime.timezone   (offset timedelta,) or (offset, name)
 *   decimal.Decimal     (str,)           any text Decimal() reads back exactly: the
 *                       writer gives the coefficient and exponent ("-150E-2"),
 *                       "Infinity", "NaN12", "-sNaN"; older writers str()
 *   fractions.Fraction  (numerator, denominator)
 *   uuid.UUID           (int,)
 *   pathlib.*Path       (str,)           PurePosixPath, PosixPath, PureWindowsPath, ...
 *                       or (str, str, ...): a Windows path's segments, to be joined
 *                       by the class as its constructor joins them
 *   collections.deque   (list, maxlen or None)   the list cut to --max-items
 *   re.Pattern          (pattern str or bytes, flags int)
 *   array.array         (typecode str, bytes machine values, native byte order of
 *                        the dumping machine given as "little" or "big"); the bytes
 *                        cut to --max-items items and --max-string bytes
 *   builtins.mappingproxy (mapping,)     the mapping the view shows (a DICT for a
 *                        reader to rebuild it: any other mapping's methods are a
 *                        program's)
 *   builtins.dict_keys, dict_values, dict_items (dict,)   the dict the view shows
 *   builtins.method_descriptor, wrapper_descriptor, classmethod_descriptor,
 *   getset_descriptor, member_descriptor (class, name)   an attribute of a
 *                        builtin type (one that builtins names) or of a class
 *                        statement's class (a slot's member, its __dict__ getter)
 *                        as that class's own __dict__ holds it; a reader gives the
 *                        one of the same type found there
 *   operator.itemgetter (item, ...)      as its __reduce__ gives them
 *   operator.attrgetter (name str, ...)  dotted names as given
 *   operator.methodcaller (name str, arg, ...)   as its __reduce__ gives them (one
 *                        with keyword arguments is OPAQUE)
 *   decimal.Context     (prec, rounding str, Emin, Emax, capitals, clamp, flags list,
 *                        traps list)   as its __reduce__ gives them; the lists hold
 *                        decimal's signal classes (InvalidOperation, Inexact, ...)
 *   itertools.count     (start, step)    the next number and the step (int, float,
 *                        complex, Decimal or Fraction; others a reader leaves opaque)
 *   itertools.repeat    (element,) or (element, times left)
 *   types.GenericAlias  (origin class, args tuple)   list[int], dict[str, list[int]]
 *   types.UnionType     (class, class, ...)   int | None, as its __args__ (3.14 names
 *                        the class typing.Union)
 *   zoneinfo.ZoneInfo   (key str,)       the zone's key in the tz database; a zone
 *                        made from a file has none and is OPAQUE
 *   typing.TypeVar      (name str, covariant bool, contravariant bool,
 *                        infer_variance bool, module)   a C type's (3.12+); not its
 *                        bound, constraints or default (a lazily defined one's
 *                        getter runs program code). Before 3.12 a TypeVar is an
 *                        INSTANCE of a class written in Python; so that those stay
 *                        copies, a reader knows this one by its class's names
 *                        (the trust table does not list it), as the next three
 *   typing.ParamSpec    as typing.TypeVar (3.12+)
 *   typing.TypeVarTuple (name str, module)   (3.12+)
 *   typing.ParamSpecArgs, typing.ParamSpecKwargs (ParamSpec,)   P.args, P.kwargs
 *                        (3.12+)
 *   posix.DirEntry      (name, path)     os.scandir()'s entry: its C members, both
 *                        str or both bytes; not its cached type or stat. The type
 *                        cannot be made: a reader knows it by its class's names
 *                        and makes a look-alike
 *   builtins.super      (thisclass, self)   its C members; self None when unbound
 *   _struct.Struct      (format str,)    struct.Struct's format, by its C getter
 *   _io.StringIO        (text str, newline str or None, position int, closed bool)
 *                        what its getvalue() would give, read from its buffer (which
 *                        getvalue() may rework); its text "" once closed
 *   _io.BytesIO         (bytes, position int, closed bool)   read as a StringIO's
 *   xml.etree.ElementTree.Element (tag, attrib DICT or None, text, tail, children
 *                        LIST)   its C fields; text and tail joined when the tree
 *                        builder left them in pieces. A reader makes it from its tag,
 *                        text and tail and gives it its attributes and children once
 *                        they are filled
 *   builtins.list_iterator, list_reverseiterator, tuple_iterator, str_iterator,
 *   str_ascii_iterator, bytes_iterator (sequence or None, index)   the sequence it
 *                        walks (None once exhausted) and its index, read from its
 *                        fields; a reader sets the index once the sequence is filled
 *   builtins.range_iterator, longrange_iterator (range, index)   as its C __reduce__
 *                        gives them (since 3.12: the range left, and 0)
 *   builtins.enumerate, zip, map, filter   the args their C __reduce__ gives:
 *                        (iterator, count), (iterator, ...), (function, iterator, ...),
 *                        (function or None, iterator)
 *   random.Random       (state tuple, gauss_next float or None)   the generator's state
 *                        as _random.Random's C getstate() gives it (625 ints)
 *   builtins.symtable entry (id, name, symbols DICT, varnames LIST, children LIST,
 *                        nested, type, lineno)   the C object behind a
 *                        symtable.SymbolTable: its members (type and the symbols'
 *                        flags numbered as the dumping python numbers them). The type
 *                        cannot be made: a reader knows it by its names and makes a
 *                        look-alike
 *   sqlite3.Row         (values tuple, column names tuple of str or None)   its
 *                        fields (the names are its cursor description's first items).
 *                        The type cannot be made without a cursor: a reader knows it
 *                        by its names and makes a look-alike
 *   socket.socket       (fd, family, type, proto ints, closed bool, local address,
 *                        peer address, timeout float or None)   the fields of its C
 *                        base _socket.socket, its _closed slot, and what
 *                        getsockname() and getpeername() report for the
 *                        descriptor (a (host, port[, flowinfo, scope_id]) tuple, a
 *                        str or bytes path, or None). A reader makes a look-alike
 *                        that reaches no socket of its machine
 *   _contextvars.ContextVar (name str,) or (name str, default)   read from its fields
 *   _contextvars.Context ((ContextVar, value), ...)   its items, read through its C
 *                        mapping; a reader sets them in an empty context once filled
 *   functools._lru_cache_wrapper (function, maxsize int or None, typed bool, hits,
 *                        misses, currsize, __dict__ DICT or None)   lru_cache's and
 *                        cache's wrapper: its C fields (currsize, its cache's size)
 *                        and its __dict__ (__wrapped__, __name__, ...). A reader wraps
 *                        the rebuilt function again, with an empty cache, and gives
 *                        it the __dict__ once filled
 *   enum members are INSTANCEs of their class, whose bases lead to enum.Enum.
 *   collections.OrderedDict, defaultdict, Counter are SUBCLASS records of DICT.
 *   namedtuple instances are SUBCLASS records of TUPLE; the class attrs hold _fields.
 *   struct sequences (os.stat_result, time.struct_time) are SUBCLASS records of
 *   TUPLE (the visible fields) whose slots hold every named field.
 */

/*
 * ---------------------------------------------------------------------------
 * The field table: every record kind's payload, field by field, in payload
 * order. It is the one definition of the layouts the comments above
 * describe: the writer's records are made from it (src/record_write.h: per
 * kind a struct of its fields and the code that puts them in this order, in
 * these encodings; src/walk.c sets each field of a record by name, and a
 * record that does not set every field of its kind exactly once does not
 * compile), the reader's validator (src/decode.c) is made from it, one check
 * per kind, and the rebuilder (src/rebuild.c) reads the fields that check
 * recorded.
 *
 * PYHD_FIELDS_<KIND>(F) calls F(KIND, name, type, arg, flags) once per field;
 * PYHD_OBJECT_KINDS(K) and PYHD_META_KINDS(K) call K(KIND, since) once per
 * kind, since being the format version that introduced it (a reader of an
 * older dump treats a newer kind as one it does not know).
 *
 * Field types (PYHD_FT_*), with their arg:
 *   REF      an id (see "Ids"); arg: the kinds it may name (PYHD_KM_*; a
 *            TRUNCATED or REDACTED record may stand for any of them); flags
 *            PYHD_FF_REQUIRED: 0 (absent) is refused. Any field's flags may
 *            hold PYHD_FF_SINCE(v): it is absent from dumps older than v.
 *   U8       one byte; arg: its largest valid value.
 *   VARINT, SVARINT, F64, TEXT (see "Encodings").
 *   BLOB     varint n, n bytes (a BIGINT's magnitude).
 *   STRDATA  u8 width (1, 2 or 4: latin-1, UCS-2, UCS-4 code units, as CPython
 *            stores them), varint original length in code points, then the
 *            stored code units, little-endian, to the end of the payload.
 *   BYTESDATA  varint original length, then the stored bytes (the rest).
 *   ITEMS    varint original length, varint n, n ids ("item"; 0 allowed).
 *   MAP      varint original length, varint n, n x (key id, value id).
 *   PAIRS    varint n, n x (name id (STR), value id).
 *   DIMS     varint ndim (at most 64), ndim x varint.
 *   SHAPE    varint ndim (at most 64), ndim x varint shape, ndim x svarint
 *            strides.
 *   ELEMENTS an NDARRAY's elements, in C order; arg: the slot of its dtype:
 *            for an object dtype ("|O") varint original count, varint n, n
 *            ids (0: NULL); else BYTESDATA.
 *   DTFIELDS varint n, n x (name id (STR), dtype id (DTYPE), varint offset,
 *            title id (0: none)).
 *   BASE     u8 base kind (STR, BYTES, BYTEARRAY, INT, BIGINT, FLOAT, COMPLEX,
 *            TUPLE, LIST, SET, FROZENSET or DICT; version 3: DATETIME, whose
 *            class names the datetime module's class the subclass derives
 *            from), then that kind's payload.
 *   HASH     nothing, or 8 bytes little-endian (REDACTED with --redact-hash).
 *   ROOTLIST varint n, n x (text key, id).
 *   SINCE    no bytes: the fields after it came with format version arg and
 *            are absent from older dumps; a newer writer may leave them out
 *            too (a builtin function), all of them or none.
 *
 * Adding a kind: its number in enum pyhd_kind, its PYHD_FIELDS_<KIND>, a
 * line in PYHD_OBJECT_KINDS (which bumps PYHD_FORMAT_VERSION when old
 * readers would misread it), man/pyhd-dump.5, its RECORD in src/walk.c and
 * how src/rebuild.c makes it. Adding a field to a kind: src/walk.c does not
 * compile until each of the kind's RECORDs sets it.
 */

/* The kinds a REF may name. */
#define PYHD_KM(kind) ((uint64_t)1 << PYHD_REC_##kind)
#define PYHD_KM_ANY (~(uint64_t)0)
#define PYHD_KM_INTS (PYHD_KM(INT) | PYHD_KM(BIGINT))

#define PYHD_FF_REQUIRED 0x01
/* A field in the middle of a payload that came with format version v: absent
   (read as 0) from dumps of older versions. Fields at the end come after a
   SINCE instead. */
#define PYHD_FF_SINCE(v) ((unsigned)(v) << 8)

#define PYHD_FIELDS_NONE(F)
#define PYHD_FIELDS_FALSE(F)
#define PYHD_FIELDS_TRUE(F)
#define PYHD_FIELDS_ELLIPSIS(F)
#define PYHD_FIELDS_NOTIMPL(F)
#define PYHD_FIELDS_INT(F) F(INT, value, SVARINT, 0, 0)
#define PYHD_FIELDS_BIGINT(F) \
    F(BIGINT, sign, U8, 1, 0)  /* 0 positive, 1 negative */ \
    F(BIGINT, magnitude, BLOB, 0, 0)  /* little-endian */
#define PYHD_FIELDS_FLOAT(F) F(FLOAT, value, F64, 0, 0)
#define PYHD_FIELDS_COMPLEX(F) F(COMPLEX, real, F64, 0, 0) F(COMPLEX, imag, F64, 0, 0)
#define PYHD_FIELDS_STR(F) F(STR, text, STRDATA, 0, 0)
#define PYHD_FIELDS_BYTES(F) F(BYTES, data, BYTESDATA, 0, 0)
#define PYHD_FIELDS_BYTEARRAY(F) F(BYTEARRAY, data, BYTESDATA, 0, 0)
#define PYHD_FIELDS_TUPLE(F) F(TUPLE, items, ITEMS, 0, 0)
#define PYHD_FIELDS_LIST(F) F(LIST, items, ITEMS, 0, 0)
#define PYHD_FIELDS_SET(F) F(SET, items, ITEMS, 0, 0)
#define PYHD_FIELDS_FROZENSET(F) F(FROZENSET, items, ITEMS, 0, 0)
#define PYHD_FIELDS_DICT(F) F(DICT, items, MAP, 0, 0)
#define PYHD_FIELDS_RANGE(F) \
    F(RANGE, start, REF, PYHD_KM_INTS, PYHD_FF_REQUIRED) \
    F(RANGE, stop, REF, PYHD_KM_INTS, PYHD_FF_REQUIRED) \
    F(RANGE, step, REF, PYHD_KM_INTS, PYHD_FF_REQUIRED)
#define PYHD_FIELDS_SLICE(F) \
    F(SLICE, start, REF, PYHD_KM_ANY, 0) \
    F(SLICE, stop, REF, PYHD_KM_ANY, 0) \
    F(SLICE, step, REF, PYHD_KM_ANY, 0)
#define PYHD_FIELDS_CLASS(F) \
    F(CLASS, name, REF, PYHD_KM(STR), PYHD_FF_REQUIRED) \
    F(CLASS, qualname, REF, PYHD_KM(STR), PYHD_FF_REQUIRED) \
    F(CLASS, module, REF, PYHD_KM(STR), PYHD_FF_REQUIRED) \
    F(CLASS, bases, REF, PYHD_KM(TUPLE), 0)  /* of CLASS ids; 0 for object */ \
    F(CLASS, flags, U8, 255, 0)  /* PYHD_CLASS_* */ \
    F(CLASS, attrs, REF, PYHD_KM(DICT), 0) \
    F(CLASS, v2, SINCE, 2, 0)  /* appended: absent from earlier version 2 dumps */ \
    F(CLASS, metaclass, REF, PYHD_KM(CLASS), 0)  /* type(cls); 0: type */
#define PYHD_FIELDS_INSTANCE(F) \
    F(INSTANCE, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(INSTANCE, dict, REF, PYHD_KM(DICT), 0) \
    F(INSTANCE, slot, PAIRS, 0, 0)  /* slot name, value */
#define PYHD_FIELDS_SUBCLASS(F) \
    F(SUBCLASS, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(SUBCLASS, dict, REF, PYHD_KM(DICT), 0) \
    F(SUBCLASS, slot, PAIRS, 0, 0) \
    F(SUBCLASS, base, BASE, 0, 0)
#define PYHD_FIELDS_EXCEPTION(F) \
    F(EXCEPTION, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(EXCEPTION, args, REF, PYHD_KM(TUPLE), PYHD_FF_REQUIRED) \
    F(EXCEPTION, dict, REF, PYHD_KM(DICT), 0) \
    F(EXCEPTION, cause, REF, PYHD_KM_ANY, 0) \
    F(EXCEPTION, context, REF, PYHD_KM_ANY, 0) \
    F(EXCEPTION, suppress_context, U8, 255, 0) \
    F(EXCEPTION, traceback, REF, PYHD_KM(TRACEBACK), 0) \
    F(EXCEPTION, field, PAIRS, 0, 0)  /* C-level fields: name, value */
#define PYHD_FIELDS_FUNCTION(F) \
    F(FUNCTION, name, REF, PYHD_KM(STR), 0) \
    F(FUNCTION, qualname, REF, PYHD_KM(STR), 0) \
    F(FUNCTION, module, REF, PYHD_KM_ANY, 0) \
    F(FUNCTION, code, REF, PYHD_KM(CODE), 0)  /* 0 for a builtin function */ \
    F(FUNCTION, v2, SINCE, 2, 0) \
    F(FUNCTION, defaults, REF, PYHD_KM(TUPLE), 0) \
    F(FUNCTION, kwdefaults, REF, PYHD_KM(DICT), 0) \
    F(FUNCTION, annotations, REF, PYHD_KM_ANY, 0) \
    F(FUNCTION, doc, REF, PYHD_KM_ANY, 0) \
    F(FUNCTION, closure, REF, PYHD_KM(TUPLE), 0)  /* of CELL */ \
    F(FUNCTION, bound, SINCE, 2, 0)  /* builtin functions only */ \
    F(FUNCTION, self, REF, PYHD_KM_ANY, 0)
#define PYHD_FIELDS_METHOD(F) \
    F(METHOD, function, REF, PYHD_KM_ANY, 0) \
    F(METHOD, self, REF, PYHD_KM_ANY, 0)
#define PYHD_FIELDS_CODE(F) \
    F(CODE, filename, REF, PYHD_KM(STR), PYHD_FF_REQUIRED) \
    F(CODE, name, REF, PYHD_KM(STR), PYHD_FF_REQUIRED) \
    F(CODE, qualname, REF, PYHD_KM(STR), PYHD_FF_REQUIRED) \
    F(CODE, firstlineno, VARINT, 0, 0) \
    F(CODE, argcount, VARINT, 0, 0) \
    F(CODE, posonlyargcount, VARINT, 0, 0) \
    F(CODE, kwonlyargcount, VARINT, 0, 0) \
    F(CODE, flags, VARINT, 0, 0)  /* co_flags */ \
    F(CODE, varnames, REF, PYHD_KM(TUPLE), PYHD_FF_REQUIRED) \
    F(CODE, cellvars, REF, PYHD_KM(TUPLE), PYHD_FF_REQUIRED) \
    F(CODE, freevars, REF, PYHD_KM(TUPLE), PYHD_FF_REQUIRED)
#define PYHD_FIELDS_CELL(F) F(CELL, contents, REF, PYHD_KM_ANY, 0)
#define PYHD_FIELDS_MODULE(F) \
    F(MODULE, name, REF, PYHD_KM(STR), PYHD_FF_REQUIRED) \
    F(MODULE, file, REF, PYHD_KM_ANY, 0) \
    F(MODULE, dict, REF, PYHD_KM(DICT), 0) \
    F(MODULE, v2, SINCE, 2, 0)  /* appended: absent from earlier version 2 dumps */ \
    F(MODULE, origin, REF, PYHD_KM(STR), 0)  /* "frozen", "built-in": its spec's
                                                 origin when that is no file */
#define PYHD_FIELDS_FRAME(F) \
    F(FRAME, code, REF, PYHD_KM(CODE), PYHD_FF_REQUIRED) \
    F(FRAME, lineno, SVARINT, 0, 0) \
    F(FRAME, end_lineno, SVARINT, 0, 0) \
    F(FRAME, col, SVARINT, 0, 0) \
    F(FRAME, end_col, SVARINT, 0, 0) \
    F(FRAME, locals, REF, PYHD_KM(DICT), 0) \
    F(FRAME, globals, REF, PYHD_KM(DICT), 0) \
    F(FRAME, builtins, REF, PYHD_KM(MODULE) | PYHD_KM(DICT), 0) \
    F(FRAME, back, REF, PYHD_KM(FRAME), 0)
#define PYHD_FIELDS_TRACEBACK(F) \
    F(TRACEBACK, frame, REF, PYHD_KM(FRAME), PYHD_FF_REQUIRED) \
    F(TRACEBACK, lineno, SVARINT, 0, 0) \
    F(TRACEBACK, end_lineno, SVARINT, 0, 0) \
    F(TRACEBACK, col, SVARINT, 0, 0) \
    F(TRACEBACK, end_col, SVARINT, 0, 0) \
    F(TRACEBACK, next, REF, PYHD_KM(TRACEBACK), 0)
#define PYHD_FIELDS_GENERATOR(F) \
    F(GENERATOR, flavour, U8, 255, 0)  /* PYHD_GEN_* */ \
    F(GENERATOR, name, REF, PYHD_KM(STR), 0) \
    F(GENERATOR, qualname, REF, PYHD_KM(STR), 0) \
    F(GENERATOR, code, REF, PYHD_KM(CODE), 0) \
    F(GENERATOR, state, U8, 255, 0)  /* PYHD_GENSTATE_* */ \
    F(GENERATOR, frame, REF, PYHD_KM(FRAME), 0) \
    F(GENERATOR, v2, SINCE, 2, 0) \
    F(GENERATOR, await, REF, PYHD_KM_ANY, 0)
#define PYHD_FIELDS_WEAKREF(F) \
    F(WEAKREF, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(WEAKREF, referent, REF, PYHD_KM_ANY, 0)
#define PYHD_FIELDS_REDUCED(F) \
    F(REDUCED, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(REDUCED, args, REF, PYHD_KM(TUPLE), PYHD_FF_REQUIRED)
#define PYHD_FIELDS_DATETIME(F) \
    F(DATETIME, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(DATETIME, year, VARINT, 0, 0) \
    F(DATETIME, month, U8, 12, 0) \
    F(DATETIME, day, U8, 31, 0) \
    F(DATETIME, hour, U8, 23, 0) \
    F(DATETIME, minute, U8, 59, 0) \
    F(DATETIME, second, U8, 59, 0) \
    F(DATETIME, microsecond, VARINT, 0, 0) \
    F(DATETIME, fold, U8, 1, 0) \
    F(DATETIME, tzinfo, REF, PYHD_KM_ANY, 0)
#define PYHD_FIELDS_BUFFER(F) \
    F(BUFFER, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(BUFFER, format, TEXT, 0, 0) \
    F(BUFFER, itemsize, VARINT, 0, 0) \
    F(BUFFER, shape, DIMS, 0, 0) \
    F(BUFFER, readonly, U8, 255, 0) \
    F(BUFFER, data, BYTESDATA, 0, 0)
#define PYHD_FIELDS_OPAQUE(F) \
    F(OPAQUE, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(OPAQUE, size, VARINT, 0, 0) \
    F(OPAQUE, repr, REF, PYHD_KM(STR), 0) \
    F(OPAQUE, reason, REF, PYHD_KM(STR), 0)
#define PYHD_FIELDS_TRUNCATED(F) F(TRUNCATED, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED)
#define PYHD_FIELDS_REDACTED(F) \
    F(REDACTED, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(REDACTED, measure, U8, PYHD_REDACTED_ITEMS, 0) \
    F(REDACTED, length, VARINT, 0, 0) \
    F(REDACTED, hash, HASH, 0, 0)
#define PYHD_FIELDS_DESCRIPTOR(F) \
    F(DESCRIPTOR, flavour, U8, PYHD_DESCR_STATICMETHOD, 0) \
    F(DESCRIPTOR, function, REF, PYHD_KM_ANY, 0)  /* fget, or what it wraps */ \
    F(DESCRIPTOR, setter, REF, PYHD_KM_ANY, 0) \
    F(DESCRIPTOR, deleter, REF, PYHD_KM_ANY, 0) \
    F(DESCRIPTOR, doc, REF, PYHD_KM_ANY, 0)
#define PYHD_FIELDS_PARTIAL(F) \
    F(PARTIAL, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(PARTIAL, func, REF, PYHD_KM_ANY, PYHD_FF_REQUIRED) \
    F(PARTIAL, args, REF, PYHD_KM(TUPLE), PYHD_FF_REQUIRED) \
    F(PARTIAL, keywords, REF, PYHD_KM(DICT), 0) \
    F(PARTIAL, dict, REF, PYHD_KM(DICT), 0)
#define PYHD_FIELDS_MATCH(F) \
    F(MATCH, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(MATCH, pattern, REF, PYHD_KM_ANY, PYHD_FF_REQUIRED) \
    F(MATCH, string, REF, PYHD_KM(STR) | PYHD_KM(BYTES), PYHD_FF_REQUIRED) \
    F(MATCH, regs, REF, PYHD_KM(TUPLE), PYHD_FF_REQUIRED) \
    F(MATCH, pos, SVARINT, 0, 0) \
    F(MATCH, endpos, SVARINT, 0, 0) \
    F(MATCH, lastindex, SVARINT, 0, 0)
#define PYHD_FIELDS_LOCK(F) \
    F(LOCK, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(LOCK, locked, U8, 255, 0) \
    F(LOCK, owner, VARINT, 0, 0) \
    F(LOCK, count, VARINT, 0, 0)
#define PYHD_FIELDS_FILE(F) \
    F(FILE, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(FILE, name, REF, PYHD_KM(STR) | PYHD_KM_INTS | PYHD_KM(BYTES), 0) \
    F(FILE, mode, REF, PYHD_KM(STR), 0) \
    F(FILE, encoding, REF, PYHD_KM(STR), 0) \
    F(FILE, flags, U8, 255, 0) \
    F(FILE, position, SVARINT, 0, 0) \
    F(FILE, inner, REF, PYHD_KM_ANY, 0)
#define PYHD_FIELDS_FUTURE(F) \
    F(FUTURE, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(FUTURE, dict, REF, PYHD_KM(DICT), 0) \
    F(FUTURE, flags, U8, 255, 0) \
    F(FUTURE, state, U8, PYHD_FUTURESTATE_FINISHED, 0) \
    F(FUTURE, result, REF, PYHD_KM_ANY, 0) \
    F(FUTURE, exception, REF, PYHD_KM_ANY, 0) \
    F(FUTURE, callbacks, REF, PYHD_KM(LIST), 0) \
    F(FUTURE, name, REF, PYHD_KM_ANY, 0) \
    F(FUTURE, coro, REF, PYHD_KM_ANY, 0) \
    F(FUTURE, waiter, REF, PYHD_KM_ANY, 0)
#define PYHD_FIELDS_NDARRAY(F) \
    F(NDARRAY, class, REF, PYHD_KM(CLASS), PYHD_FF_REQUIRED) \
    F(NDARRAY, dtype, REF, PYHD_KM(DTYPE), PYHD_FF_REQUIRED) \
    F(NDARRAY, shape, SHAPE, 0, 0) \
    F(NDARRAY, base, REF, PYHD_KM_ANY, 0) \
    F(NDARRAY, offset, SVARINT, 0, 0) \
    F(NDARRAY, flags, U8, 255, 0) \
    F(NDARRAY, dict, REF, PYHD_KM(DICT), PYHD_FF_SINCE(4)) \
    F(NDARRAY, elements, ELEMENTS, PYHD_S_NDARRAY_dtype, 0)
#define PYHD_FIELDS_DTYPE(F) \
    F(DTYPE, typestr, TEXT, 0, 0) \
    F(DTYPE, itemsize, VARINT, 0, 0) \
    F(DTYPE, flags, U8, 255, 0) \
    F(DTYPE, field, DTFIELDS, 0, 0) \
    F(DTYPE, subarray_base, REF, PYHD_KM(DTYPE), 0) \
    F(DTYPE, subarray_shape, REF, PYHD_KM(TUPLE), 0)
#define PYHD_FIELDS_ROOTS(F) F(ROOTS, root, ROOTLIST, 0, 0)
#define PYHD_FIELDS_THREAD(F) \
    F(THREAD, ident, VARINT, 0, 0) \
    F(THREAD, native_id, VARINT, 0, 0) \
    F(THREAD, name, TEXT, 0, 0) \
    F(THREAD, flags, U8, 255, 0) \
    F(THREAD, frame, REF, PYHD_KM(FRAME), 0) \
    F(THREAD, v2, SINCE, 2, 0)  /* appended: absent from earlier version 2 dumps */ \
    F(THREAD, context, REF, PYHD_KM(REDUCED), 0)  /* its contextvars.Context */

#define PYHD_OBJECT_KINDS(K) \
    K(NONE, 1) K(FALSE, 1) K(TRUE, 1) K(ELLIPSIS, 1) K(NOTIMPL, 1) K(INT, 1) K(BIGINT, 1) \
    K(FLOAT, 1) K(COMPLEX, 1) K(STR, 1) K(BYTES, 1) K(BYTEARRAY, 1) K(TUPLE, 1) K(LIST, 1) \
    K(SET, 1) K(FROZENSET, 1) K(DICT, 1) K(RANGE, 1) K(SLICE, 1) K(CLASS, 1) K(INSTANCE, 1) \
    K(SUBCLASS, 1) K(EXCEPTION, 1) K(FUNCTION, 1) K(METHOD, 1) K(CODE, 1) K(CELL, 1) \
    K(MODULE, 1) K(FRAME, 1) K(TRACEBACK, 1) K(GENERATOR, 1) K(WEAKREF, 1) K(REDUCED, 1) \
    K(BUFFER, 1) K(OPAQUE, 1) K(TRUNCATED, 1) K(REDACTED, 1) K(DESCRIPTOR, 2) \
    K(PARTIAL, 2) K(MATCH, 2) K(LOCK, 2) K(FILE, 2) K(FUTURE, 2) K(NDARRAY, 2) K(DTYPE, 2) \
    K(DATETIME, 3)
#define PYHD_META_KINDS(K) K(ROOTS, 1) K(THREAD, 1)

/* The field types of the field table above. */
enum pyhd_field_type {
    PYHD_FT_REF,
    PYHD_FT_U8,
    PYHD_FT_VARINT,
    PYHD_FT_SVARINT,
    PYHD_FT_F64,
    PYHD_FT_TEXT,
    PYHD_FT_BLOB,
    PYHD_FT_STRDATA,
    PYHD_FT_BYTESDATA,
    PYHD_FT_ITEMS,
    PYHD_FT_MAP,
    PYHD_FT_PAIRS,
    PYHD_FT_DIMS,
    PYHD_FT_SHAPE,
    PYHD_FT_ELEMENTS,
    PYHD_FT_DTFIELDS,
    PYHD_FT_BASE,
    PYHD_FT_HASH,
    PYHD_FT_ROOTLIST,
    PYHD_FT_SINCE,
};

#endif /* PYHD_FORMAT_H */
