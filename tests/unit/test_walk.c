/* test_walk.c: the graph walker on live objects, its output read back with graphread.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "decode.h"
#include "instance_dict.h"
#include "walk.h"
#include "pyhd/format.h"

/*
 * Each test builds objects with Python code, walks them as the root "obj"
 * (and, when the code sets exc, as the dump's exception), then runs Python
 * checks against the decoded graph: g (a graphread.Graph) and root (the id of
 * obj). The reader is tests/e2e/graphread.py, which shares no code with the
 * walker. A check that fails raises, and the test prints the traceback.
 */

static PyObject *graphread;  /* the graphread module */

/*
 * Failure injection (test_walk.wrap): while fail_dict_of is set, reading that
 * object's __dict__ fails with MemoryError, as an allocation in a C getter can.
 */
static PyObject *fail_dict_of;
static PyObject *fail_with_message_of;  /* as fail_dict_of, with a RuntimeError and a message */
int __real_pyhd__instance_attrs(PyObject *o, struct pyhd_attrs *a);
int __wrap_pyhd__instance_attrs(PyObject *o, struct pyhd_attrs *a);
int __wrap_pyhd__instance_attrs(PyObject *o, struct pyhd_attrs *a)
{
    if (o == fail_dict_of) {
        PyErr_NoMemory();
        return -1;
    }
    if (o == fail_with_message_of) {
        PyErr_SetString(PyExc_RuntimeError, "injected failure");
        return -1;
    }
    return __real_pyhd__instance_attrs(o, a);
}

static int group_setup(void **state)
{
    (void)state;
    Py_Initialize();
    char dir[4096];
    const char *file = __FILE__;
    const char *slash = strrchr(file, '/');
    /* __FILE__ is .../tests/unit/test_walk.c; graphread lives in .../tests/e2e. */
    snprintf(dir, sizeof dir, "%.*s/../e2e", (int)(slash - file), file);
    PyObject *path = PySys_GetObject("path");  /* borrowed */
    PyObject *d = PyUnicode_FromString(dir);
    if (path == NULL || d == NULL || PyList_Insert(path, 0, d) < 0)
        return -1;
    Py_DECREF(d);
    graphread = PyImport_ImportModule("graphread");
    if (graphread == NULL) {
        PyErr_Print();
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    Py_CLEAR(graphread);
    return Py_FinalizeEx() < 0 ? -1 : 0;
}

/* Run code in ns; fail the test (printing the Python traceback) when it raises. */
static void run(PyObject *ns, const char *code)
{
    PyObject *r = PyRun_String(code, Py_file_input, ns, ns);
    if (r == NULL) {
        PyErr_Print();
        fail_msg("Python code raised:\n%s", code);
    }
    Py_DECREF(r);
}

static PyObject *new_namespace(void)
{
    PyObject *ns = PyDict_New();
    assert_non_null(ns);
    assert_int_equal(PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()), 0);
    assert_int_equal(PyDict_SetItemString(ns, "graphread", graphread), 0);
    PyObject *name = PyUnicode_FromString("__main__");
    assert_int_equal(PyDict_SetItemString(ns, "__name__", name), 0);
    Py_DECREF(name);
    return ns;
}

/*
 * The writer's records against format.h's field table: the C reader
 * (decode.c) validates every record by walking its kind's fields, and finds
 * no kind it does not know and no record with bytes after its last field.
 * seen (when not NULL) gets a 1 for every kind written.
 */
static void validate(const struct pyhd_graph *g, unsigned char *seen)
{
    struct pyhd_decoded d;
    char err[512];
    if (pyhd__decode_open(&d, g->compressed.data, g->compressed.len,
                          pyhd__decode_limit(g->compressed.len, 0), err, sizeof err) < 0)
        fail_msg("the writer's graph does not validate against the field table: %s", err);
    assert_int_equal(d.nunknown, 0);
    if (d.ntrailing)
        fail_msg("%zu records have bytes after the fields the table gives them", d.ntrailing);
    for (size_t i = 0; seen && i < d.nobjects; i++)
        seen[d.objects[i].kind] = 1;
    pyhd__decode_free(&d);
}

/* Walk ns["obj"] (and ns["exc"] if set) with o, decode into ns["g"], ns["root"]. */
static void walk_into(PyObject *ns, const struct pyhd_options *o, struct pyhd_graph *g)
{
    struct pyhd_named_root named[1] = {{"obj", PyDict_GetItemString(ns, "obj")}};
    struct pyhd_roots roots = {PyDict_GetItemString(ns, "exc"), NULL, 0, named, 1};
    assert_non_null(named[0].value);
    if (pyhd__graph_write(&roots, o, g) < 0) {
        PyErr_Print();
        fail_msg("pyhd__graph_write failed");
    }
    assert_false(PyErr_Occurred());
    validate(g, NULL);
    PyObject *z = PyBytes_FromStringAndSize((const char *)g->compressed.data,
                                            (Py_ssize_t)g->compressed.len);
    PyObject *graph = PyObject_CallMethod(graphread, "read_graph_z", "O", z);
    if (graph == NULL) {
        PyErr_Print();
        fail_msg("graphread could not read the stream");
    }
    assert_int_equal(PyDict_SetItemString(ns, "g", graph), 0);
    Py_DECREF(graph);
    Py_DECREF(z);
    run(ns, "root = g.roots['obj']\n");
}

static void check(const char *build, const char *checks)
{
    struct pyhd_options o;
    struct pyhd_graph g;
    pyhd__options_init(&o);
    PyObject *ns = new_namespace();
    run(ns, build);
    walk_into(ns, &o, &g);
    PyObject *count = PyObject_GetAttrString(PyDict_GetItemString(ns, "g"), "count");
    assert_non_null(count);
    assert_int_equal(g.objects, PyLong_AsUnsignedLongLong(count));
    Py_DECREF(count);
    run(ns, checks);
    pyhd__graph_free(&g);
    Py_DECREF(ns);
    pyhd__options_free(&o);
}

static void test_atoms(void **state)
{
    (void)state;
    check("import struct\n"
          "big = 7 ** 20000\n"                       /* ~16900 digits: beyond str()'s limit */
          "obj = [None, True, False, ..., NotImplemented, 0, -1, 2**63 - 1, -2**63, 2**64,\n"
          "       -big, big, float('nan'), -0.0, float('inf'), 1.5, complex(-0.0, 2),\n"
          "       'abc', 'd\\xe9', 'x\\u20ac', '\\U0001f600', 'lone\\ud800', b'\\x00b',\n"
          "       bytearray(b'ba'), range(1, 10, 3), slice(None, 2, 'x')]\n",
          "import struct\n"
          "rec = g[root]\n"
          "assert rec.kind_name == 'LIST' and rec.f['length'] == len(obj), rec\n"
          "ids = rec.f['items']\n"
          "kinds = [g.kind(i) for i in ids]\n"
          "assert kinds == ['NONE', 'TRUE', 'FALSE', 'ELLIPSIS', 'NOTIMPL', 'INT', 'INT',\n"
          "   'INT', 'INT', 'BIGINT', 'BIGINT', 'BIGINT', 'FLOAT', 'FLOAT', 'FLOAT', 'FLOAT',\n"
          "   'COMPLEX', 'STR', 'STR', 'STR', 'STR', 'STR', 'BYTES', 'BYTEARRAY', 'RANGE',\n"
          "   'SLICE'], kinds\n"
          "vals = [g.value(i) for i in ids[5:12]]\n"
          "assert vals == obj[5:12], 'ints differ'\n"
          "assert g[ids[10]].f['sign'] == 1 and g[ids[11]].f['sign'] == 0\n"
          "assert g[ids[12]].f['raw'] == struct.pack('<d', obj[12])\n"
          "assert g[ids[13]].f['raw'] == b'\\x00' * 7 + b'\\x80'\n"
          "assert g.value(ids[14]) == float('inf') and g.value(ids[15]) == 1.5\n"
          "c = g.value(ids[16]); assert struct.pack('<dd', c.real, c.imag) == "
          "struct.pack('<dd', -0.0, 2.0)\n"
          "assert [g[i].f['width'] for i in ids[17:22]] == [1, 1, 2, 4, 2]\n"
          "assert [g.value(i) for i in ids[17:22]] == obj[17:22]\n"
          "assert g.value(ids[22]) == b'\\x00b' and g.value(ids[23]) == bytearray(b'ba')\n"
          "r = g[ids[24]].f; assert [g.value(r[k]) for k in ('start', 'stop', 'step')] == "
          "[1, 10, 3]\n"
          "s = g[ids[25]].f; assert [g.value(s[k]) for k in ('start', 'stop', 'step')] == "
          "[None, 2, 'x']\n");
}

static void test_identity_and_cycles(void **state)
{
    (void)state;
    check("shared = 'shared-' + str(12345)\n"
          "l = [1]; l.append(l)\n"
          "t_inner = []\n"
          "t = (t_inner, shared)\n"
          "t_inner.append(t)\n"
          "d = {}; d['self'] = d\n"
          "obj = [l, t, d, shared, shared, t]\n",
          "ids = g[root].f['items']\n"
          "l_id, t_id, d_id = ids[0], ids[1], ids[2]\n"
          "assert g[l_id].f['items'][1] == l_id, 'list not containing itself'\n"
          "inner = g[t_id].f['items'][0]\n"
          "assert g.kind(inner) == 'LIST' and g[inner].f['items'] == [t_id]\n"
          "assert ids[3] == ids[4] == g[t_id].f['items'][1], 'shared str written twice'\n"
          "assert ids[5] == t_id\n"
          "assert g.items(d_id)[0][1] == d_id\n"
          "strs = [r for r in g.by_kind('STR') if r.f['value'] == shared]\n"
          "assert len(strs) == 1, strs\n");
}

static void test_containers_and_budgets(void **state)
{
    (void)state;
    struct pyhd_options o;
    struct pyhd_graph g;
    pyhd__options_init(&o);
    o.max_items = 3;
    o.max_string = 4;
    PyObject *ns = new_namespace();
    run(ns, "obj = [list(range(10)), 'abcdefgh', b'123456', {i: i for i in range(5)},\n"
            "       frozenset({1}), {2, 3}]\n");
    walk_into(ns, &o, &g);
    run(ns, "ids = g[root].f['items']\n"
            "assert g[root].f['length'] == 6 and len(ids) == 3, g[root]\n"
            "l = g[ids[0]].f; assert l['length'] == 10 and [g.value(i) for i in l['items']] "
            "== [0, 1, 2]\n"
            "s = g[ids[1]].f; assert s['length'] == 8 and s['value'] == 'abcd'\n"
            "b = g[ids[2]].f; assert b['length'] == 6 and b['value'] == b'1234'\n");
    /* Cut objects: the outer list, the inner list, the str and the bytes. */
    assert_int_equal(g.truncated, 4);
    pyhd__graph_free(&g);
    pyhd__options_free(&o);

    /* A tiny total budget: the roots still come out, the rest as TRUNCATED. */
    pyhd__options_init(&o);
    o.max_size = 64;
    run(ns, "obj = [[i, str(i)] for i in range(50)]\n");
    walk_into(ns, &o, &g);
    run(ns, "tr = g.by_kind('TRUNCATED')\n"
            "assert g.kind(root) == 'LIST' and len(tr) == 50, len(tr)\n"
            "assert all(g.kind(r.f['cls']) == 'CLASS' for r in tr)\n"
            "names = {g.class_name(r.id) for r in tr}\n"
            "assert names == {'builtins.list'}, names\n"
            "assert g[g[tr[0].id].f['cls']].f['flags'] == graphread.CLASS_STDLIB\n");
    /* The 50 inner lists; their items are never discovered. */
    assert_int_equal(g.truncated, 50);
    pyhd__graph_free(&g);
    pyhd__options_free(&o);
    Py_DECREF(ns);
}

static void test_instances_and_classes(void **state)
{
    (void)state;
    check("import collections\n"
          "class Base:\n"
          "    __slots__ = ('a', 'unset')\n"
          "class Thing(Base):\n"
          "    kind = 'thing'\n"
          "    limits = (1, 2.5, None)\n"
          "    def method(self): pass\n"
          "    def __init__(self): self.a = 1; self.x = 'ex'\n"
          "class MyInt(int): pass\n"
          "class MyList(list):\n"
          "    __slots__ = ('tag',)\n"
          "Point = collections.namedtuple('Point', 'x y')\n"
          "mi = MyInt(5); mi.note = 'n'\n"
          "ml = MyList([1, 2]); ml.tag = 't'\n"
          "od = collections.OrderedDict(a=1, b=2); od.move_to_end('a')\n"
          "dd = collections.defaultdict(list); dd['k'].append(1)\n"
          "obj = [Thing(), mi, ml, Point(3, 4), od, dd, collections.Counter('aab'), Thing]\n",
          "ids = g[root].f['items']\n"
          "t = g[ids[0]]\n"
          "assert t.kind_name == 'INSTANCE'\n"
          "assert g.class_name(ids[0]) == '__main__.Thing'\n"
          "assert {k: g.value(v) for k, v in g.attrs(ids[0]).items()} == {'x': 'ex'}\n"
          "assert {k: g.value(v) for k, v in g.slots(ids[0]).items()} == {'a': 1}\n"
          "cls = g[t.f['cls']].f\n"
          "assert cls['flags'] == graphread.CLASS_HEAPTYPE, cls\n"
          "ca = g.value(cls['attrs'])\n"
          "assert ca['kind'] == 'thing' and ca['limits'] == (1, 2.5, None), ca\n"
          "assert ca['__module__'] == '__main__' and '__doc__' not in ca, ca\n"
          "assert ca['method'].kind_name == ca['__init__'].kind_name == 'FUNCTION'\n"
          "assert '__dict__' not in ca and '__weakref__' not in ca, sorted(ca)\n"
          "base_attrs = g.value(g[g[cls['bases']].f['items'][0]].f['attrs'])\n"
          "assert base_attrs['__slots__'] == ('a', 'unset') and 'a' not in base_attrs, base_attrs\n"
          "bases = g.value(cls['bases'])\n"
          "assert len(bases) == 1 and g.class_name(g[cls['bases']].f['items'][0]) == "
          "'__main__.Base'\n"
          "base_cls = g[g[cls['bases']].f['items'][0]].f\n"
          "obj_cls = g[base_cls['bases']].f['items'][0]\n"
          "assert g.class_name(obj_cls) == 'builtins.object' and g[obj_cls].f['bases'] == 0\n"
          "assert g[obj_cls].f['flags'] == graphread.CLASS_STDLIB\n"
          "mi = g[ids[1]].f; assert mi['base_kind'] == 'INT' and mi['base']['value'] == 5\n"
          "assert g.attrs(ids[1]) and g.value(g.attrs(ids[1])['note']) == 'n'\n"
          "ml = g[ids[2]].f; assert ml['base_kind'] == 'LIST' and g.value(g.slots(ids[2])['tag']) "
          "== 't'\n"
          "pt = g[ids[3]].f; assert pt['base_kind'] == 'TUPLE'\n"
          "assert [g.value(i) for i in pt['base']['items']] == [3, 4]\n"
          "assert g.value(g[pt['cls']].f['attrs'])['_fields'] == ('x', 'y')\n"
          "od = g[ids[4]].f; assert od['base_kind'] == 'DICT'\n"
          "assert [g.value(k) for k, v in od['base']['items']] == ['b', 'a'], 'odict order'\n"
          "assert g.class_name(ids[4]) == 'collections.OrderedDict'\n"
          "assert g[od['cls']].f['flags'] & graphread.CLASS_STDLIB\n"
          "dd = g[ids[5]]; assert g.class_name(ids[5]) == 'collections.defaultdict'\n"
          "assert g.kind(g.slots(ids[5])['default_factory']) == 'CLASS'\n"
          "assert g.class_name(g.slots(ids[5])['default_factory']) == 'builtins.list'\n"
          "c = g[ids[6]].f; assert g.class_name(ids[6]) == 'collections.Counter'\n"
          "assert g[c['cls']].f['flags'] == graphread.CLASS_STDLIB | graphread.CLASS_HEAPTYPE\n"
          "assert ids[7] == t.f['cls']\n");
}

static void test_stdlib_values(void **state)
{
    (void)state;
    check("import datetime, decimal, fractions, uuid, pathlib, collections, re, array, sys\n"
          "tz = datetime.timezone(datetime.timedelta(hours=2), 'X')\n"
          "obj = [datetime.date(2020, 1, 2), datetime.time(1, 2, 3, 4, tz, fold=1),\n"
          "       datetime.datetime(2021, 3, 4, 5, 6, 7, 8), datetime.timedelta(1, 2, 3), tz,\n"
          "       decimal.Decimal('-1.50'), fractions.Fraction(-2, 6), uuid.UUID(int=7),\n"
          "       pathlib.PurePosixPath('/a/b'), collections.deque([1, 2], 4),\n"
          "       re.compile(b'x+', re.M), array.array('h', [1, -2]), memoryview(b'ab')[::1]]\n",
          "ids = g[root].f['items']\n"
          "def fields(r):\n"
          "    f = r.f\n"
          "    return ('DATETIME', f['year'], f['month'], f['day'], f['hour'], f['minute'],\n"
          "            f['second'], f['microsecond'], f['fold'], f['tzinfo'])\n"
          "dts = [fields(g[i]) for i in ids[:3]]\n"
          "assert dts == [('DATETIME', 2020, 1, 2, 0, 0, 0, 0, 0, 0),\n"
          "               ('DATETIME', 0, 0, 0, 1, 2, 3, 4, 1, ids[4]),\n"
          "               ('DATETIME', 2021, 3, 4, 5, 6, 7, 8, 0, 0)], dts\n"
          "assert [g.class_name(i) for i in ids[:3]] == \\\n"
          "    ['datetime.date', 'datetime.time', 'datetime.datetime']\n"
          "got = [(g.class_name(i), g.value(g[i].f['args'])) for i in ids[3:12]]\n"
          "def plain(v):\n"
          "    return plain_rec(v) if isinstance(v, graphread.Record) else v\n"
          "def plain_rec(r):\n"
          "    return (g.class_name(r.id), tuple(plain(x) for x in g.value(r.f['args'])))\n"
          "got = [(n, tuple(plain(x) for x in a)) for n, a in got]\n"
          "tz = ('datetime.timezone', (('datetime.timedelta', (0, 7200, 0)), 'X'))\n"
          "exp = [('datetime.timedelta', (1, 2, 3)), tz,\n"
          "       ('decimal.Decimal', ('-150E-2',)), ('fractions.Fraction', (-1, 3)),\n"
          "       ('uuid.UUID', (7,)), (g.class_name(ids[8]), ('/a/b',)),\n"
          "       ('collections.deque', ([1, 2], 4)), ('re.Pattern', (b'x+', re.M)),\n"
          "       ('array.array', ('h', array.array('h', [1, -2]).tobytes(), sys.byteorder))]\n"
          "assert got == exp, got\n"
          "assert g.class_name(ids[8]).endswith('.PurePosixPath')\n"
          "assert all(g[g[i].f['cls']].f['flags'] & graphread.CLASS_STDLIB for i in ids[:12])\n"
          "b = g[ids[12]].f\n"
          "assert g.kind(ids[12]) == 'BUFFER' and b['value'] == b'ab' and b['shape'] == [2]\n"
          "assert b['format'] == 'B' and b['itemsize'] == 1 and b['readonly'] == 1\n");
}

static void test_exceptions_frames_code(void **state)
{
    (void)state;
    check("import sys\n"
          "def outer(a, /, b, *args, c, **kw):\n"
          "    cellvar = [a]\n"
          "    def inner():\n"
          "        return cellvar\n"
          "    try:\n"
          "        {}['missing']\n"
          "    except KeyError as e:\n"
          "        raise ValueError('top') from e\n"
          "try:\n"
          "    outer(1, 2, c=3)\n"
          "except ValueError as e:\n"
          "    e.add_note('a note') if hasattr(e, 'add_note') else None\n"
          "    exc = e\n"
          "obj = [exc, OSError(2, 'nope', 'f.txt'), SystemExit(3), StopIteration(9)]\n",
          "e = g[g.roots['exception']].f\n"
          "assert g.roots['exception'] == g[root].f['items'][0]\n"
          "assert g.class_name(e['cls']) == 'builtins.ValueError'\n"
          "assert g[e['cls']].f['flags'] & graphread.CLASS_EXCEPTION\n"
          "assert g.value(e['args']) == ('top',)\n"
          "assert e['suppress_context'] == 1\n"
          "cause = g[e['cause']].f; assert e['cause'] == e['context']\n"
          "assert g.class_name(cause['cls']) == 'builtins.KeyError'\n"
          "if sys.version_info >= (3, 11):\n"
          "    assert g.value(g.attrs(g.roots['exception'])['__notes__']) == ['a note']\n"
          "tb = g[e['traceback']].f\n"
          "tb2 = g[tb['next']].f\n"
          "assert tb2['next'] == 0 and tb2['lineno'] == 9, tb2\n"
          "fr = g[tb2['frame']].f\n"
          "co = g[fr['code']].f\n"
          "assert g.str(co['name']) == 'outer' and co['firstlineno'] == 2\n"
          "assert (co['argcount'], co['posonlyargcount'], co['kwonlyargcount']) == (2, 1, 1)\n"
          "assert g.value(co['varnames'])[:5] == ('a', 'b', 'c', 'args', 'kw')\n"
          "assert g.value(co['cellvars']) == ('cellvar',)\n"
          "assert co['flags'] & 0x04 and co['flags'] & 0x08\n"
          "loc = {g.str(k): v for k, v in g.items(fr['locals'])}\n"
          "assert g.value(loc['a']) == 1 and g.value(loc['args']) == () and "
          "g.value(loc['cellvar']) == [1]\n"
          "assert g.kind(loc['inner']) == 'FUNCTION'\n"
          "inner = g[loc['inner']].f; assert g.str(inner['qualname']) == 'outer.<locals>.inner'\n"
          "assert fr['globals'] == g[tb['frame']].f['globals'], 'module globals not shared'\n"
          "assert g.kind(fr['builtins']) == 'MODULE'\n"
          "if sys.version_info >= (3, 11):\n"
          "    assert tb2['col'] >= 0 and tb2['end_col'] > tb2['col']\n"
          "ids = g[root].f['items']\n"
          "os_f = {g.str(k): g.value(v) for k, v in g[ids[1]].f['fields']}\n"
          "assert os_f == {'errno': 2, 'strerror': 'nope', 'filename': 'f.txt'}, os_f\n"
          "assert {g.str(k): g.value(v) for k, v in g[ids[2]].f['fields']} == {'code': 3}\n"
          "assert {g.str(k): g.value(v) for k, v in g[ids[3]].f['fields']} == {'value': 9}\n");
}

static void test_functions_generators_misc(void **state)
{
    (void)state;
    check("import weakref, types, sys, threading\n"
          "class K:\n"
          "    def m(self): pass\n"
          "k = K()\n"
          "def gen():\n"
          "    yield 1\n"
          "    yield 2\n"
          "running = gen(); next(running)\n"
          "fresh = gen()\n"
          "done = gen(); list(done)\n"
          "async def co(): pass\n"
          "c = co()\n"
          "def make():\n"
          "    x = 5\n"
          "    return lambda: x\n"
          "lam = make()\n"
          "obj = [k.m, len, running, fresh, done, c, weakref.ref(K), lam.__closure__[0],\n"
          "       sys, threading.Lock(), [].append, dict.fromkeys]\n"
          "c.close()\n",
          "ids = g[root].f['items']\n"
          "m = g[ids[0]].f; assert g.kind(ids[0]) == 'METHOD'\n"
          "assert g.str(g[m['function']].f['qualname']) == 'K.m' and g.kind(m['self']) == "
          "'INSTANCE'\n"
          "b = g[ids[1]].f; assert g.str(b['name']) == 'len' and b['code'] == 0\n"
          "states = [g[i].f['state'] for i in ids[2:6]]\n"
          "assert states == ['suspended', 'created', 'closed', 'closed'], states\n"
          "assert g[ids[5]].f['flavour'] == 'coroutine'\n"
          "assert g.kind(g[ids[2]].f['frame']) == 'FRAME' and g[ids[4]].f['frame'] == 0\n"
          "assert g[g[ids[2]].f['frame']].f['lineno'] == 6\n"
          "w = g[ids[6]].f; assert g.kind(ids[6]) == 'WEAKREF' and g.class_name(w['referent']) "
          "== '__main__.K'\n"
          "assert g.kind(ids[7]) == 'CELL' and g.value(g[ids[7]].f['contents']) == 5\n"
          "mod = g[ids[8]].f; assert g.str(mod['name']) == 'sys' and mod['dict'] == 0\n"
          "lock = g[ids[9]].f; assert g.kind(ids[9]) == 'LOCK' and lock['locked'] == 0\n"
          "assert g.class_name(lock['cls']) == '_thread.lock'\n"
          "assert g.str(b['qualname']) == 'len' and g.str(b['module']) == 'builtins'\n"
          "assert [g.str(g[i].f['qualname']) for i in ids[10:]] == ['list.append', "
          "'dict.fromkeys']\n");
}

/* None of the program's code may run: every hook below records that it ran. */
static void test_runs_no_code(void **state)
{
    (void)state;
    check("ran = []\n"
          "class Meta(type):\n"
          "    def __getattribute__(cls, n): ran.append('meta'); return type.__getattribute__("
          "cls, n)\n"
          "class Evil(metaclass=Meta):\n"
          "    __slots__ = ('s', '__dict__')\n"
          "    def __getattr__(self, n): ran.append('getattr'); return 1\n"
          "    def __getattribute__(self, n): ran.append('getattribute'); "
          "return object.__getattribute__(self, n)\n"
          "    def __repr__(self): ran.append('repr'); return 'x'\n"
          "    def __getstate__(self): ran.append('getstate'); return {}\n"
          "    def __reduce__(self): ran.append('reduce'); return (Evil, ())\n"
          "    def __reduce_ex__(self, p): ran.append('reduce_ex'); return (Evil, ())\n"
          "    def __eq__(self, o): ran.append('eq'); return False\n"
          "    def __hash__(self): ran.append('hash'); return 1\n"
          "    def __len__(self): ran.append('len'); return 0\n"
          "    def __iter__(self): ran.append('iter'); return iter(())\n"
          "    def __sizeof__(self): ran.append('sizeof'); return 0\n"
          "    @property\n"
          "    def prop(self): ran.append('property'); return 1\n"
          "class EvilList(list):\n"
          "    def __iter__(self): ran.append('list-iter'); return iter(())\n"
          "    def __len__(self): ran.append('list-len'); return 0\n"
          "class EvilSet(set):\n"
          "    def __iter__(self): ran.append('set-iter'); return iter(())\n"
          "import collections\n"
          "class EvilOD(collections.OrderedDict):\n"
          "    def __iter__(self): ran.append('od-iter'); return iter(())\n"
          "e = Evil(); e.s = 1; e.__dict__['d'] = 2\n"
          "od = EvilOD(); od[Evil()] = 1\n"
          "obj = [e, EvilList([1]), EvilSet({2}), od, {e: e}, Evil]\n"
          "ran.clear()\n",
          "assert ran == [], ran\n"
          "ids = g[root].f['items']\n"
          "assert g.kind(ids[0]) == 'INSTANCE' and g.value(g.slots(ids[0])['s']) == 1\n"
          "assert g.value(g.attrs(ids[0])['d']) == 2\n"
          "assert [g.value(i) for i in g[ids[1]].f['base']['items']] == [1]\n"
          "assert [g.value(i) for i in g[ids[2]].f['base']['items']] == [2]\n"
          "assert len(g[ids[3]].f['base']['items']) == 1\n");
}

/*
 * Inline attributes (3.11+) are read where they live: after the walk no dict
 * refers to them (a dict made in the instance would own or share them), and
 * an instance that never had an attribute still has no dict (3.10 too).
 */
static void test_instances_keep_their_layout(void **state)
{
    (void)state;
    check("import gc\n"
          "class P:\n"
          "    def __init__(self, i): self.a = i; self.b = [i]\n"
          "class E: pass\n"
          "ps = [P(i) for i in range(20)]\n"
          "gone = P(-1); del gone.a; gone.c = 'c'\n"
          "e = E()\n"
          "def probe():\n"
          "    return (sum(1 for p in ps + [gone] for r in gc.get_referrers(p.b)\n"
          "                if type(r) is dict),\n"
          "            sum(1 for r in gc.get_referents(e) if type(r) is dict))\n"
          "before = probe()\n"
          "obj = [ps, gone, e]\n",
          "assert probe() == before, (probe(), before)\n"
          "ids = g[root].f['items']\n"
          "got = [{k: g.value(v) for k, v in g.attrs(i).items()} for i in g[ids[0]].f['items']]\n"
          "assert got == [{'a': i, 'b': [i]} for i in range(20)], got\n"
          "assert list(g.attrs(ids[1])) == ['b', 'c'], g.attrs(ids[1])\n"
          "assert g[ids[2]].f['dict'] == 0\n");
}

/* Lookups, reprs and reducers that would reach the program's code. */
static void test_no_code_behind_c_types(void **state)
{
    (void)state;
    check("import collections, io, itertools, pathlib\n"
          "ran = []\n"
          "class K:\n"
          "    __hash__ = object.__hash__\n"
          "    def __eq__(self, o): ran.append('eq'); return NotImplemented\n"
          "class Raw(io.RawIOBase):\n"
          "    def readable(self): return True\n"
          "    def readinto(self, b): return 0\n"
          "    @property\n"
          "    def name(self): ran.append('name'); return 'raw'\n"
          "class N:\n"
          "    def __index__(self): return 1\n"
          "    def __repr__(self): ran.append('repr'); return 'n'\n"
          "k = K()\n"
          "od = collections.OrderedDict([(k, 1), (hash(k), 2)])\n"
          "od.move_to_end(k)\n"
          "path = pathlib.PurePosixPath('/x', 'y')\n"
          "obj = [od, io.TextIOWrapper(io.BufferedReader(Raw())), itertools.count(N()), path]\n"
          "fspath = pathlib.PurePath.__fspath__\n"
          "pathlib.PurePath.__fspath__ = lambda self: ran.append('fspath') or '/'\n"
          "ran.clear()\n",
          "pathlib.PurePath.__fspath__ = fspath\n"
          "assert ran == [], ran\n"
          "ids = g[root].f['items']\n"
          "assert [g.value(v) for k, v in g[ids[0]].f['base']['items']] == [2, 1]\n"
          "assert g.kind(ids[1]) == 'FILE' and g[ids[1]].f['name'] == 0\n"
          "assert g[ids[1]].f['position'] == -1\n"
          "assert g.kind(ids[2]) == 'REDUCED', g.kind(ids[2])\n"
          "start, step = g[g[ids[2]].f['args']].f['items']\n"
          "assert g.kind(start) == 'INSTANCE' and g.value(step) == 1\n"
          "assert g.value(g[ids[3]].f['args']) == ('/x/y',)\n"
          "try:\n"
          "    object.__getattribute__(path, '_str')\n"
          "except AttributeError:\n"
          "    pass\n"
          "else:\n"
          "    raise AssertionError('the walk cached the path text in the path')\n");
}

/* deque and array keep --max-items and --max-string like every container. */
static void test_deque_and_array_budgets(void **state)
{
    (void)state;
    struct pyhd_options o;
    struct pyhd_graph g;
    pyhd__options_init(&o);
    o.max_items = 3;
    o.max_string = 11;  /* "collections", the longest name written, is not cut */
    PyObject *ns = new_namespace();
    run(ns, "import array, collections\n"
            "obj = [collections.deque(range(10), 20), array.array('h', range(4)),\n"
            "       array.array('i', range(10))]\n");
    walk_into(ns, &o, &g);
    run(ns, "import array\n"
            "ids = g[root].f['items']\n"
            "assert g.value(g[ids[0]].f['args']) == ([0, 1, 2], 20)\n"
            "assert g.value(g[ids[1]].f['args'])[1] == array.array('h', range(3)).tobytes()\n"
            "assert g.value(g[ids[2]].f['args'])[1] == array.array('i', range(2)).tobytes()\n");
    /* The outer list is within budget: the deque, both arrays (the second twice). */
    assert_int_equal(g.truncated, 4);
    pyhd__graph_free(&g);
    pyhd__options_free(&o);
    Py_DECREF(ns);
}

static void test_filenames(void **state)
{
    (void)state;
    struct pyhd_options o;
    struct pyhd_graph g;
    pyhd__options_init(&o);
    PyObject *ns = new_namespace();
    run(ns, "src = 'def f():\\n    raise KeyError(1)\\n'\n"
            "exec(compile(src, '/nowhere/a.py', 'exec'))\n"
            "try:\n"
            "    f()\n"
            "except KeyError as e:\n"
            "    exc = e\n"
            "obj = None\n");
    walk_into(ns, &o, &g);
    assert_non_null(g.filenames);
    assert_true(PyList_Check(g.filenames));
    /* The test's own <string> frame, then the compiled function's file. */
    PyObject *files = PyUnicode_Join(PyUnicode_FromString("|"), g.filenames);
    assert_non_null(files);
    assert_string_equal(PyUnicode_AsUTF8(files), "<string>|/nowhere/a.py");
    Py_DECREF(files);
    assert_true(g.raw_bytes > 0);
    assert_int_equal(g.opaque, 0);
    pyhd__graph_free(&g);
    assert_null(g.filenames);
    pyhd__options_free(&o);
    Py_DECREF(ns);
}

/* A failure on one object makes it OPAQUE with the reason; the rest of the walk goes on. */
static void test_failure_becomes_opaque(void **state)
{
    (void)state;
    struct pyhd_options o;
    struct pyhd_graph g;
    pyhd__options_init(&o);
    PyObject *ns = new_namespace();
    run(ns, "class A: pass\n"
            "bad = A(); bad.x = 1\n"
            "good = A(); good.y = 2\n"
            "worse = A(); worse.z = 3\n"
            "obj = [bad, good, worse]\n");
    fail_dict_of = PyDict_GetItemString(ns, "bad");
    fail_with_message_of = PyDict_GetItemString(ns, "worse");
    walk_into(ns, &o, &g);
    fail_dict_of = fail_with_message_of = NULL;
    assert_int_equal(g.opaque, 2);
    run(ns, "bad, good, worse = g[root].f['items']\n"
            "assert g.str(g[worse].f['reason']) == "
            "'RuntimeError while walking a A object: injected failure'\n"
            "r = g[bad].f\n"
            "assert g.kind(bad) == 'OPAQUE' and g.class_name(bad) == '__main__.A', g[bad]\n"
            "assert g.str(r['reason']).startswith('MemoryError while walking a A object'), "
            "g.str(r['reason'])\n"
            "assert r['repr'] == 0 and r['size'] > 0\n"
            "assert g.value(g.attrs(good)['y']) == 2\n");
    pyhd__graph_free(&g);
    pyhd__options_free(&o);
    Py_DECREF(ns);
}

/* repr() of opaque objects: only C types of the standard library, unless repr_all. */
static void test_opaque_repr(void **state)
{
    (void)state;
    struct pyhd_options o;
    struct pyhd_graph g;
    pyhd__options_init(&o);
    PyObject *ns = new_namespace();
    run(ns, "import threading, contextvars\n"
            "ran = []\n"
            "class Local(threading.local):\n"
            "    def __repr__(self): ran.append('repr'); return 'custom ' + 'x' * 500\n"
            "class Item:\n"
            "    def __repr__(self): ran.append('item'); return 'item'\n"
            "import types, datetime\n"
            "class MyDate(datetime.date): pass\n"
            "obj = [Local(), contextvars.ContextVar('v', default=Item()).set(1), threading.Lock(),\n"
            "       types.SimpleNamespace(a=1), MyDate(2020, 1, 1)]\n");
    walk_into(ns, &o, &g);
    run(ns, "loc, rep, lock, ns_, mine = g[root].f['items']\n"
            "assert g.kind(ns_) == 'INSTANCE' and g.value(g.attrs(ns_)['a']) == 1\n"
            "assert g.class_name(ns_) == 'types.SimpleNamespace'\n"
            "assert g.kind(mine) == 'SUBCLASS' and g[mine].f['base_kind'] == 'DATETIME'\n"
            "b = g[mine].f['base']\n"
            "assert (b['year'], b['month'], b['day'], b['tzinfo']) == (2020, 1, 1, 0), b\n"
            "assert g.class_name(mine).endswith('MyDate')\n"
            "assert g.class_name(b['cls']) == 'datetime.date'\n"
            "assert [g.kind(i) for i in (loc, rep, lock)] == ['OPAQUE', 'OPAQUE', 'LOCK']\n"
            "assert g[loc].f['repr'] == 0 and g[rep].f['repr'] == 0\n"
            "assert g[lock].f['locked'] == 0\n"
            "assert ran == [], ran\n");
    pyhd__graph_free(&g);
    o.repr_all = 1;
    walk_into(ns, &o, &g);
    run(ns, "loc = g[root].f['items'][0]\n"
            "assert g.str(g[loc].f['repr']) == ('custom ' + 'x' * 500)[:200]\n"
            "assert 'repr' in ran\n");
    pyhd__graph_free(&g);
    pyhd__options_free(&o);
    Py_DECREF(ns);
}

/*
 * Every object kind of format.h's table, as the writer writes it, validates
 * against the table (validate()): a writer that adds, drops or reorders a
 * field of any kind fails here.
 */
static void test_every_kind_matches_the_table(void **state)
{
    (void)state;
    static const struct {
        unsigned kind;
        const char *name;
    } all[] = {
#define KIND(kind, since) {PYHD_REC_##kind, #kind},
        PYHD_OBJECT_KINDS(KIND)
#undef KIND
    };
    unsigned char seen[256] = {0};
    struct pyhd_options o;
    struct pyhd_graph g;
    PyObject *ns = new_namespace();
    char missing[1024] = "";

    run(ns, "import array, asyncio, collections, datetime, functools, io, re, sys, threading\n"
            "import weakref, json\n"
            "class Point:\n"
            "    size = property(lambda self: 1)\n"
            "    @classmethod\n"
            "    def make(cls): return cls()\n"
            "    def move(self): pass\n"
            "class Name(str): pass\n"
            "def outer():\n"
            "    x = 1\n"
            "    def inner(a, b=2, *, c=3): return x\n"
            "    return inner\n"
            "def gen():\n"
            "    yield 1\n"
            "g1 = gen(); next(g1)\n"
            "p = Point()\n"
            "try:\n"
            "    def fail(): raise KeyError('k')\n"
            "    fail()\n"
            "except KeyError as e:\n"
            "    err = e\n"
            "loop = asyncio.new_event_loop()\n"
            "fut = loop.create_future()\n"
            "f = open(sys.executable, 'rb')\n"
            "obj = [None, False, True, ..., NotImplemented, 1, 2 ** 100, 1.5, 2j, 's', b'b',\n"
            "       bytearray(b'a'), (1,), [2], {3}, frozenset({4}), {'k': 5}, range(3),\n"
            "       slice(1, 2), Point, p, Name('n'), err, outer(), p.move, Point.make,\n"
            "       json, g1, weakref.ref(Point), datetime.date(2020, 1, 2),\n"
            "       memoryview(b'xyz'), iter([]), {'password': 'hunter2'},\n"
            "       Point.__dict__['size'], Point.__dict__['make'],\n"
            "       functools.partial(print, 1), re.match('a', 'a'), threading.Lock(), f,\n"
            "       fut, sys._getframe()]\n"
            "try:\n"
            "    import numpy\n"
            "    obj.append(numpy.arange(3))\n"
            "except ImportError:\n"
            "    numpy = None\n");
    pyhd__options_init(&o);
    walk_into(ns, &o, &g);
    validate(&g, seen);
    pyhd__graph_free(&g);
    pyhd__options_free(&o);

    /* TRUNCATED: what a tiny size budget leaves out. */
    pyhd__options_init(&o);
    o.max_size = 64;
    run(ns, "obj = [[i] for i in range(20)]\n");
    walk_into(ns, &o, &g);
    validate(&g, seen);
    pyhd__graph_free(&g);
    pyhd__options_free(&o);
    run(ns, "f.close(); loop.close()\n");

    /* numpy is optional where the unit tests run: say so rather than pass quietly. */
    int no_numpy = PyDict_GetItemString(ns, "numpy") == Py_None;
    if (no_numpy)
        print_message("numpy is not importable: NDARRAY and DTYPE not checked\n");
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (no_numpy && (all[i].kind == PYHD_REC_NDARRAY || all[i].kind == PYHD_REC_DTYPE))
            continue;
        if (!seen[all[i].kind])
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s",
                     all[i].name);
    }
    if (missing[0])
        fail_msg("kinds the test did not make the writer write:%s", missing);
    Py_DECREF(ns);
}

/* After pyhd__graph_free the walker holds no reference to anything it walked. */
static void test_releases_everything(void **state)
{
    (void)state;
    struct pyhd_options o;
    struct pyhd_graph g;
    pyhd__options_init(&o);
    PyObject *ns = new_namespace();
    run(ns, "import weakref, gc\n"
            "class A: pass\n"
            "class B:\n"
            "    __slots__ = ('v', '__weakref__')\n"
            "a = A(); a.self = a; a.items = [A(), {1: A()}]\n"
            "b = B(); b.v = a\n"
            "refs = [weakref.ref(x) for x in (a, b, a.items[0], a.items[1][1], A, B)]\n"
            "def gen():\n"
            "    yield a\n"
            "it = gen(); next(it)\n"
            "refs.append(weakref.ref(it))\n"
            "obj = [b, it]\n");
    walk_into(ns, &o, &g);
    pyhd__graph_free(&g);
    run(ns, "del a, b, obj, it, A, B\n"
            "g = None\n"
            "gc.collect()\n"
            "alive = [r for r in refs if r() is not None]\n"
            "assert alive == [], alive\n");
    pyhd__options_free(&o);
    Py_DECREF(ns);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_atoms),
        cmocka_unit_test(test_identity_and_cycles),
        cmocka_unit_test(test_containers_and_budgets),
        cmocka_unit_test(test_instances_and_classes),
        cmocka_unit_test(test_stdlib_values),
        cmocka_unit_test(test_exceptions_frames_code),
        cmocka_unit_test(test_functions_generators_misc),
        cmocka_unit_test(test_runs_no_code),
        cmocka_unit_test(test_instances_keep_their_layout),
        cmocka_unit_test(test_no_code_behind_c_types),
        cmocka_unit_test(test_deque_and_array_budgets),
        cmocka_unit_test(test_filenames),
        cmocka_unit_test(test_failure_becomes_opaque),
        cmocka_unit_test(test_opaque_repr),
        cmocka_unit_test(test_releases_everything),
        cmocka_unit_test(test_every_kind_matches_the_table),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
