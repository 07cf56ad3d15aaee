// dap_client.test.js: pyhd-debug --dap driven by VS Code's DAP test client (DebugClient).
//
// Run by tests/e2e/test_dap.py with node --test; the dumps and paths arrive in
// the environment (see that file). Every check goes through the real protocol:
// the client spawns `pyhd-debug --dap` (or connects to --listen) and sends the
// requests VS Code sends.
'use strict';

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { test, beforeEach, afterEach } = require('node:test');
const { DebugClient } = require('@vscode/debugadapter-testsupport');

const env = process.env;
const DEBUG = env.PYHD_DEBUG;
let dc;

function client() {
  // DebugClient spawns RUNTIME with one argument: the adapter's option.
  const c = new DebugClient(DEBUG, '--dap', 'pyhd');
  c.defaultTimeout = 120000;
  return c;
}

beforeEach(async () => {
  dc = client();
  await dc.start();
});

afterEach(async () => {
  // A test that ended its session itself leaves no client.
  if (dc) await dc.stop();
});

function ended() {
  dc.stopAdapter();
  dc = null;
}

// initialize, launch and configurationDone; resolves with the stopped event.
async function open(dump, extra) {
  const stopped = dc.waitForEvent('stopped');
  await Promise.all([dc.configurationSequence(), dc.launch({ dump, ...(extra || {}) })]);
  return stopped;
}

async function frameNamed(threadId, name) {
  const trace = await dc.stackTraceRequest({ threadId });
  const frame = trace.body.stackFrames.find((f) => f.name === name);
  assert.ok(frame, `no frame ${name} in ${trace.body.stackFrames.map((f) => f.name)}`);
  return frame;
}

async function scope(frameId, name) {
  const scopes = (await dc.scopesRequest({ frameId })).body.scopes;
  const found = scopes.find((s) => s.name === name);
  assert.ok(found, `no scope ${name} in ${scopes.map((s) => s.name)}`);
  return found;
}

async function variables(ref, paging) {
  const args = { variablesReference: ref, ...(paging || {}) };
  return (await dc.variablesRequest(args)).body.variables;
}

function named(vars, name) {
  const found = vars.find((v) => v.name === name);
  assert.ok(found, `no variable ${name} in ${vars.map((v) => v.name)}`);
  return found;
}

test('stops on the failed thread with reason exception; every thread has its stack', async () => {
  const stopped = await open(env.DUMP_LOCALS);
  assert.equal(stopped.body.reason, 'exception');
  assert.match(stopped.body.text, /^ZeroDivisionError: float division by zero$/);
  const threads = (await dc.threadsRequest()).body.threads;
  assert.deepEqual(threads.map((t) => t.name).sort(), ['MainThread', 'worker']);
  const main = threads.find((t) => t.name === 'MainThread');
  const worker = threads.find((t) => t.name === 'worker');
  assert.equal(stopped.body.threadId, main.id);

  const mainStack = (await dc.stackTraceRequest({ threadId: main.id })).body;
  assert.deepEqual(mainStack.stackFrames.map((f) => f.name),
    ['average', 'process', 'main', '<module>']);
  assert.equal(mainStack.stackFrames[0].line, 29);
  assert.equal(mainStack.stackFrames[0].source.path, path.join(env.EXAMPLES, 'crash_locals.py'));
  const workerStack = (await dc.stackTraceRequest({ threadId: worker.id })).body;
  const names = workerStack.stackFrames.map((f) => f.name);
  assert.ok(names.includes('worker_loop'), names.join(','));
  assert.match(names[0], /wait$/);
  const loop = workerStack.stackFrames.find((f) => f.name === 'worker_loop');
  assert.equal(loop.line, 23);
});

test('locals, globals and the exception of the failing frame; a program object', async () => {
  const stopped = await open(env.DUMP_LOCALS);
  const top = await frameNamed(stopped.body.threadId, 'average');
  const locals = await variables((await scope(top.id, 'Locals')).variablesReference);
  assert.equal(named(locals, 'count').value, '0');
  assert.equal(named(locals, 'label').value, "'selected'");
  assert.equal(named(locals, 'options').value, "{'verbose': True}");
  const exc = await variables((await scope(top.id, 'Exception')).variablesReference);
  assert.match(named(exc, 'exception').value, /ZeroDivisionError/);

  const main = await frameNamed(stopped.body.threadId, 'main');
  const mainLocals = await variables((await scope(main.id, 'Locals')).variablesReference);
  const orders = named(mainLocals, 'orders');
  assert.equal(orders.indexedVariables, 2);
  const items = await variables(orders.variablesReference);
  assert.match(items[0].value, /^<rebuilt Order number=1 items=/);
  assert.equal(items[0].type, '__main__.Order');
  const fields = await variables(items[0].variablesReference);
  assert.equal(named(fields, 'number').value, '1');
  assert.equal(named(fields, 'number').evaluateName, 'orders[0].number');
  const pairs = await variables(named(fields, 'items').variablesReference);
  assert.deepEqual(pairs.map((v) => v.value), ["('pen', 2)", "('ink', 5)"]);
  // The pages VS Code asks for: indexed items by range, none of them named.
  const second = await variables(orders.variablesReference,
    { filter: 'indexed', start: 1, count: 1 });
  assert.deepEqual(second.map((v) => v.name), ['[1]']);
  assert.deepEqual(await variables(orders.variablesReference, { filter: 'named' }), []);
  assert.deepEqual((await variables(items[0].variablesReference, { filter: 'named' }))
    .map((v) => v.name), ['number', 'items']);

  const globals = await variables((await scope(main.id, 'Globals')).variablesReference);
  assert.match(named(globals, 'Order').value, /Order/);
  const page = await variables((await scope(main.id, 'Globals')).variablesReference,
    { start: 1, count: 2 });
  assert.deepEqual(page.map((v) => v.name), globals.slice(1, 3).map((v) => v.name));
});

test('a nested dict, expanded level by level; a deep stack in pages', async () => {
  const stopped = await open(env.DUMP_RECURSION);
  assert.match(stopped.body.text, /^RecursionError/);
  const first = (await dc.stackTraceRequest({ threadId: stopped.body.threadId, startFrame: 0,
    levels: 20 })).body;
  assert.equal(first.stackFrames.length, 20);
  assert.ok(first.totalFrames > 900, `${first.totalFrames} frames`);
  const next = (await dc.stackTraceRequest({ threadId: stopped.body.threadId, startFrame: 20,
    levels: 20 })).body;
  assert.notEqual(next.stackFrames[0].id, first.stackFrames[19].id);
  const frame = first.stackFrames.find((f) => f.name === 'descend');
  const locals = await variables((await scope(frame.id, 'Locals')).variablesReference);
  const depth = Number(named(locals, 'depth').value);
  const child = named(locals, 'child');
  assert.equal(child.namedVariables, 2);
  const level1 = await variables(child.variablesReference);
  assert.equal(named(level1, "'depth'").value, String(depth));
  const parent = named(level1, "'parent'");
  assert.equal(parent.evaluateName, "child['parent']");
  const level2 = await variables(parent.variablesReference);
  assert.equal(named(level2, "'depth'").value, String(depth - 1));
  const value = await dc.evaluateRequest({ expression: "child['parent']['depth'] + 1",
    frameId: frame.id, context: 'watch' });
  assert.equal(value.body.result, String(depth));
});

test('evaluate in the selected frame, as pdb would; nothing of the program runs', async () => {
  const stopped = await open(env.DUMP_LOCALS);
  const proc = await frameNamed(stopped.body.threadId, 'process');
  const watch = await dc.evaluateRequest({ expression: 'len(orders) + count', frameId: proc.id,
    context: 'watch' });
  assert.equal(watch.body.result, '12');
  const repl = await dc.evaluateRequest({ expression: 'sorted(totals)', frameId: proc.id,
    context: 'repl' });
  assert.equal(repl.body.result, '[1, 2]');
  assert.ok(repl.body.variablesReference > 0);
  const printed = await dc.evaluateRequest({ expression: 'for n in names: print(n)',
    frameId: proc.id, context: 'repl' });
  assert.equal(printed.body.result, 'order-1\norder-2');
  await assert.rejects(dc.evaluateRequest({ expression: 'no_such_name', frameId: proc.id,
    context: 'hover' }), /NameError: name 'no_such_name' is not defined/);
  // The program's methods are rebuilt but inert: calling one runs no program code.
  await assert.rejects(dc.evaluateRequest({ expression: 'orders[0].total()', frameId: proc.id,
    context: 'repl' }), /DumpedCodeError: total is a method of Order .*a dump does not run program code/);
});

test('exceptionInfo: the whole chain and group, and the traceback text', async () => {
  const stopped = await open(env.DUMP_CHAIN);
  const info = (await dc.exceptionInfoRequest({ threadId: stopped.body.threadId })).body;
  assert.equal(info.exceptionId, 'KeyError');
  assert.equal(info.description, "'two'");
  assert.equal(info.breakMode, 'unhandled');
  assert.match(info.details.stackTrace,
    /The above exception was the direct cause of the following exception:/);
  assert.match(info.details.stackTrace, /KeyError: 'two'\n$/);
  const cause = info.details.innerException[0];
  assert.equal(cause.typeName, 'ValueError');
  assert.match(cause.message, /invalid literal for int\(\)/);
  const context = cause.innerException[0];
  assert.equal(context.typeName, 'KeyError');
  if (env.HAS_GROUPS === '1') {
    const group = context.innerException[0];
    assert.equal(group.typeName, 'ExceptionGroup');
    assert.deepEqual(group.innerException.map((e) => e.message),
      ['negative: -1', 'negative: -2']);
  }
});

test('sources: from the dump when not on this disk, or through pathMappings', async () => {
  const stopped = await open(env.DUMP_MOVED);
  const trace = await dc.stackTraceRequest({ threadId: stopped.body.threadId });
  const top = trace.body.stackFrames[0];
  assert.ok(top.source.sourceReference > 0, JSON.stringify(top.source));
  const served = await dc.sourceRequest({ sourceReference: top.source.sourceReference,
    source: top.source });
  assert.equal(served.body.content,
    fs.readFileSync(path.join(env.EXAMPLES, 'crash_locals.py'), 'utf8'));
  await dc.disconnectRequest({});
  dc.stopAdapter();

  dc = client();
  await dc.start();
  const again = await open(env.DUMP_MOVED, { pathMappings: [
    { remoteRoot: env.MOVED_ROOT, localRoot: env.EXAMPLES }] });
  const remapped = await dc.stackTraceRequest({ threadId: again.body.threadId });
  const mapped = remapped.body.stackFrames[0];
  assert.equal(mapped.source.path, path.join(env.EXAMPLES, 'crash_locals.py'));
  assert.equal(mapped.source.sourceReference, undefined);
});

test('a dump cannot step, continue or stop at breakpoints', async () => {
  const stopped = await open(env.DUMP_LOCALS);
  const threadId = stopped.body.threadId;
  await assert.rejects(dc.nextRequest({ threadId }), /A dump cannot step/);
  await assert.rejects(dc.continueRequest({ threadId }), /A dump cannot continue/);
  const bp = await dc.setBreakpointsRequest({ source: { path: 'x.py' },
    breakpoints: [{ line: 3 }] });
  assert.equal(bp.body.breakpoints[0].verified, false);
  // The session goes on.
  assert.equal((await dc.threadsRequest()).body.threads.length, 2);
});

test('a malformed dump gives an error response, and the adapter lives on', async () => {
  await dc.initializeRequest();
  await assert.rejects(dc.launchRequest({ dump: env.BAD_DUMP }), /not a tar|damaged|dump/i);
  await assert.rejects(dc.threadsRequest(), /no dump is loaded/);
  await assert.rejects(dc.launchRequest({}), /launch needs "dump"/);
  const stopped = dc.waitForEvent('stopped');
  await dc.launchRequest({ dump: env.DUMP_LOCALS });
  await dc.configurationDoneRequest();
  assert.equal((await stopped).body.reason, 'exception');
});

test('terminate, then disconnect, ends the session', async () => {
  await open(env.DUMP_LOCALS);
  const terminated = dc.waitForEvent('terminated');
  await dc.terminateRequest({});
  await terminated;
  const exited = new Promise((resolve) => dc._adapterProcess.on('exit', resolve));
  await dc.disconnectRequest({});
  assert.equal(await exited, 0);
  ended();
});

test('--listen: the same adapter over TCP on loopback', async () => {
  await dc.stop();
  const server = spawn(DEBUG, ['--dap', '--listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise((resolve, reject) => {
    let text = '';
    server.stderr.on('data', (data) => {
      text += data;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    server.on('exit', (code) => reject(new Error(`adapter exited ${code}: ${text}`)));
  });
  dc = client();
  await dc.start(port);
  const stopped = dc.waitForEvent('stopped');
  await dc.initializeRequest();
  await dc.launchRequest({ dump: env.DUMP_LOCALS });
  await dc.configurationDoneRequest();
  assert.equal((await stopped).body.reason, 'exception');
  assert.equal((await dc.threadsRequest()).body.threads.length, 2);
  const exited = new Promise((resolve) => server.on('exit', resolve));
  await dc.disconnectRequest({});
  assert.equal(await exited, 0);
  ended();
});
