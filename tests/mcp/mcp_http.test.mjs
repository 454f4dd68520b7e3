// AgentTheo's /mcp endpoint driven by the official MCP TypeScript SDK
// (`Client` over `StreamableHTTPClientTransport`), against the real
// binary, real headless Chromium and fixture pages on loopback.
import assert from 'node:assert/strict';
import {execFile, spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {createServer, request} from 'node:http';
import net from 'node:net';
import {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(root, 'clients', 'js', 'package.json'));
const {Client} = require('@modelcontextprotocol/sdk/client/index.js');
const {StreamableHTTPClientTransport} = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
const {StdioClientTransport} = require('@modelcontextprotocol/sdk/client/stdio.js');
const {CallToolResultSchema, CreateTaskResultSchema, ElicitRequestSchema,
  ResourceUpdatedNotificationSchema} = require('@modelcontextprotocol/sdk/types.js');
const binary = process.env.AGENTTHEO_BIN ?? path.join(root, 'build', 'agenttheo');

const TOKEN = 'mcp-test-token';
const FOREIGN = 'http://evil.localhost:9';

/** The real binary on a free loopback port; resolves to {port, stop}. */
async function startServer(args = [], env = {}) {
  const scratch = mkdtempSync(path.join(tmpdir(), 'agenttheo-mcp-'));
  const server = spawn(binary, ['serve', '--host', '127.0.0.1', '--port', '0',
    '--store', 'memory', '--planner-token-delay', '0', ...args],
  {stdio: ['ignore', 'ignore', 'pipe'], cwd: scratch, env: {...process.env, ...env}});
  const port = await new Promise((resolve, reject) => {
    let log = '';
    server.stderr.on('data', (chunk) => {
      log += chunk;
      const m = log.match(/listening on http:\/\/[^:]+:(\d+)/);
      if (m) resolve(Number(m[1]));
    });
    server.on('exit', (code) => reject(new Error(`agenttheo exited (${code}):\n${log}`)));
  });
  const stop = async () => {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.on('exit', resolve));
    rmSync(scratch, {recursive: true, force: true});
  };
  return {port, stop};
}

/** Two fixture pages on loopback. */
function startPages() {
  const pages = {
    '/one.html': '<!doctype html><title>Page One</title><h1>First</h1>'
      + '<a href="/two.html">Go to two</a>',
    '/two.html': '<!doctype html><title>Page Two</title><h1>Second</h1>'
      + '<button onclick="document.title=\'Clicked\'">Press me</button>',
  };
  const server = createServer((req, res) => {
    // Through the egress proxy the target may be in absolute form.
    const body = pages[new URL(req.url, 'http://fixture').pathname];
    res.writeHead(body ? 200 : 404, {'Content-Type': 'text/html; charset=utf-8'});
    res.end(body ?? 'no such page');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let agenttheo;
let pages;
let pageBase;

before(async () => {
  agenttheo = await startServer(['--api-token', TOKEN]);
  pages = await startPages();
  pageBase = `http://127.0.0.1:${pages.address().port}`;
});

after(async () => {
  await agenttheo.stop();
  pages.close();
});

const mcpUrl = () => new URL(`http://127.0.0.1:${agenttheo.port}/mcp`);
const auth = {Authorization: `Bearer ${TOKEN}`};

async function connect(name = 'mcp-test', {url = mcpUrl(), capabilities = {}, sessionId}
  = {}) {
  const client = new Client({name, version: '1.0.0'}, {capabilities});
  const transport = new StreamableHTTPClientTransport(url,
    {requestInit: {headers: auth}, sessionId});
  await client.connect(transport);
  return {client, transport};
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check, what, ms = 15000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    if (await check()) return;
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function api(pathname, init = {}) {
  const res = await fetch(`http://127.0.0.1:${agenttheo.port}${pathname}`,
    {...init, headers: {...auth, ...(init.headers ?? {})}});
  const text = await res.text();
  return {status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null};
}

function text(result) {
  return result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}

test('initialize gives a session, and tools/list is the page tool table', async () => {
  const {client, transport} = await connect('lister');
  try {
    assert.match(transport.sessionId, /^mcp-[0-9a-f]+$/);
    assert.equal(client.getServerVersion().name, 'agenttheo');
    assert.equal(transport.protocolVersion, '2025-11-25');
    const {tools} = await client.listTools();
    const table = (await api('/api/tools')).body.tools
      .filter((t) => !['ask_user', 'request_takeover'].includes(t.name));
    assert.deepEqual(tools.map((t) => t.name), ['run_agent', 'list_sessions',
      'get_run_events', ...table.map((t) => `browser_${t.name}`)]);
    assert.deepEqual(tools[0].inputSchema.required, ['command']);
    for (const [i, tool] of tools.slice(3).entries()) {
      assert.deepEqual(tool.inputSchema, table[i].parameters, tool.name);
      assert.equal(tool.annotations.readOnlyHint, !table[i].changes_page, tool.name);
      assert.equal(tool.annotations.destructiveHint, table[i].changes_page, tool.name);
    }
    await client.ping();
    const listed = (await api('/api/sessions')).body.sessions;
    assert.ok(listed.some((s) => s.title === 'MCP: lister'), JSON.stringify(listed));
  } finally {
    await transport.terminateSession();
    await client.close();
  }
});

test('the browser tools drive the session page in real Chromium', async () => {
  const {client, transport} = await connect('driver');
  try {
    const opened = await client.callTool({name: 'browser_navigate_to',
      arguments: {url: `${pageBase}/one.html`}});
    assert.equal(opened.isError, false, text(opened));
    assert.match(text(opened), /Page One/);
    const snapshot = await client.callTool({name: 'browser_get_page_snapshot', arguments: {}});
    const link = text(snapshot).match(/link "Go to two" \[ref=(e\d+)\]/);
    assert.ok(link, text(snapshot));
    const clicked = await client.callTool({name: 'browser_click', arguments: {ref: link[1]}});
    assert.equal(clicked.isError, false, text(clicked));
    const title = await client.callTool({name: 'browser_get_title', arguments: {}});
    assert.equal(text(title), 'Page Two');
    const shot = await client.callTool({name: 'browser_take_screenshot', arguments: {}});
    const image = shot.content.find((c) => c.type === 'image');
    assert.equal(image.mimeType, 'image/jpeg');
    const jpeg = Buffer.from(image.data, 'base64');
    assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    assert.ok(jpeg.length > 1000, `${jpeg.length} bytes`);
    const failed = await client.callTool({name: 'browser_click', arguments: {target: 'Nothing here'}});
    assert.equal(failed.isError, true);
  } finally {
    await transport.terminateSession();
    await client.close();
  }
});

test('run_agent runs the agent with progress in order and the page in its result', async () => {
  const {client, transport} = await connect('runner');
  try {
    const progress = [];
    const result = await client.callTool({name: 'run_agent', arguments: {
      command: `go to ${pageBase}/one.html then click Go to two then read the title`}},
    undefined, {onprogress: (p) => progress.push(p)});
    assert.equal(result.isError, false, text(result));
    assert.match(text(result), /Page Two/);
    assert.ok(result.structuredContent.steps >= 3, JSON.stringify(result.structuredContent));
    assert.equal(result.structuredContent.result, text(result));
    const image = result.content.find((c) => c.type === 'image');
    assert.deepEqual([...Buffer.from(image.data, 'base64').subarray(0, 3)], [0xff, 0xd8, 0xff]);
    // Every step, in order: the model's words and tool call, the tool's end.
    assert.ok(progress.every((p, i) => i === 0 || p.progress > progress[i - 1].progress),
      JSON.stringify(progress.map((p) => p.progress)));
    const lines = progress.map((p) => p.message);
    const opened = lines.findIndex((l) => l.includes('→ navigate_to'));
    const navigated = lines.findIndex((l) => l.startsWith('✓ navigate_to'));
    const clicked = lines.findIndex((l) => l.startsWith('✓ click'));
    assert.ok(opened >= 0 && opened < navigated && navigated < clicked, lines.join('\n'));
    // The run is an ordinary run of the session: its events are kept.
    const listed = (await api('/api/sessions')).body.sessions.find((s) => s.title === 'MCP: runner');
    const session = (await api(`/api/sessions/${listed.id}`)).body;
    assert.equal(session.runs.length, 1);
    assert.equal(session.runs[0].outcome, 'complete');
    // Read back through MCP: the run's events, and the session listed.
    const messageId = result.structuredContent.summary.messageId;
    const events = await client.callTool({name: 'get_run_events', arguments: {messageId}});
    const types = events.structuredContent.events.map((e) => e.type);
    assert.equal(types[0], 'start');
    assert.equal(types.at(-1), 'complete');
    const later = await client.callTool({name: 'get_run_events',
      arguments: {messageId, after: events.structuredContent.events.at(-2).id}});
    assert.deepEqual(later.structuredContent.events.map((e) => e.type), ['complete']);
    const unknown = await client.callTool({name: 'get_run_events', arguments: {messageId: 'm-nope'}});
    assert.equal(unknown.isError, true);
    const sessions = await client.callTool({name: 'list_sessions', arguments: {}});
    assert.ok(sessions.structuredContent.sessions.some((s) => s.id === listed.id));
    // The same as resources: the run's log and the page as it is now.
    const {resources} = await client.listResources();
    const runUri = `agenttheo://runs/${messageId}`;
    const shotUri = `agenttheo://sessions/${listed.id}/screenshot`;
    assert.deepEqual(resources.map((r) => r.uri), [shotUri, runUri]);
    const log = await client.readResource({uri: runUri});
    assert.equal(log.contents[0].mimeType, 'application/json');
    assert.equal(JSON.parse(log.contents[0].text).events.at(-1).type, 'complete');
    const shot = await client.readResource({uri: shotUri});
    assert.equal(shot.contents[0].mimeType, 'image/jpeg');
    assert.deepEqual([...Buffer.from(shot.contents[0].blob, 'base64').subarray(0, 3)],
      [0xff, 0xd8, 0xff]);
    const {resourceTemplates} = await client.listResourceTemplates();
    assert.equal(resourceTemplates[0].uriTemplate, 'agenttheo://runs/{messageId}');
    for (const uri of ['agenttheo://runs/m-nope', 'agenttheo://sessions/s-other/screenshot',
      'https://example.invalid/']) {
      await assert.rejects(client.readResource({uri}), (err) => err.code === -32002, uri);
    }
    // The same browser afterwards: the page the run left.
    assert.equal(text(await client.callTool({name: 'browser_get_title', arguments: {}})), 'Page Two');
  } finally {
    await transport.terminateSession();
    await client.close();
  }
});

test('a run_agent that fails is an error result, and bad arguments a JSON-RPC error', async () => {
  const {client, transport} = await connect('failing');
  try {
    const failed = await client.callTool({name: 'run_agent', arguments: {
      command: `go to ${pageBase}/one.html then click Nothing like this`, max_steps: 2}});
    assert.equal(failed.isError, true);
    assert.ok(text(failed).length > 0);
    await assert.rejects(client.callTool({name: 'run_agent', arguments: {}}),
      (err) => err.code === -32602);
  } finally {
    await transport.terminateSession();
    await client.close();
  }
});

test('run_agent with output_schema answers in that shape', async () => {
  const {client, transport} = await connect('shaped');
  try {
    const schema = {type: 'object', properties: {title: {type: 'string'}}, required: ['title']};
    const shaped = await client.callTool({name: 'run_agent', arguments: {
      command: `go to ${pageBase}/one.html then read the title`, output_schema: schema}});
    assert.equal(shaped.isError, false, text(shaped));
    assert.deepEqual(shaped.structuredContent.output, {title: 'Page One'});
    for (const bad of ['{"type":"object"}', [1], {big: 'x'.repeat(17 * 1024)}]) {
      await assert.rejects(client.callTool({name: 'run_agent',
        arguments: {command: 'read the title', output_schema: bad}}),
      (err) => err.code === -32602, JSON.stringify(bad).slice(0, 40));
    }
  } finally {
    await transport.terminateSession();
    await client.close();
  }
});

test('cancelling a run_agent call stops its run', async () => {
  const {client, transport} = await connect('canceller');
  try {
    const controller = new AbortController();
    const seen = [];
    const call = client.callTool({name: 'run_agent', arguments: {
      command: `go to ${pageBase}/one.html then wait for Never shown then read the title`}},
    undefined, {signal: controller.signal, onprogress: (p) => {
      seen.push(p.message);
      if (p.message.startsWith('✓ navigate_to')) controller.abort('changed my mind');
    }});
    await assert.rejects(call);
    const listed = (await api('/api/sessions')).body.sessions.find((s) => s.title === 'MCP: canceller');
    let run;
    for (let i = 0; i < 100; i += 1) {
      const got = await api(`/api/sessions/${listed.id}`);
      assert.equal(got.status, 200, JSON.stringify(got.body));
      run = got.body.runs[0];
      if (run?.state === 'finished') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(run?.outcome, 'cancelled', `${JSON.stringify(run)} ${seen.join(' | ')}`);
  } finally {
    await transport.terminateSession();
    await client.close();
  }
});

test('agenttheo mcp speaks MCP over stdio to the same server', async () => {
  const transport = new StdioClientTransport({command: binary,
    args: ['mcp', '--server', `http://127.0.0.1:${agenttheo.port}`],
    env: {...process.env, AGENTTHEO_API_TOKEN: TOKEN}, stderr: 'pipe'});
  const client = new Client({name: 'over-stdio', version: '1.0.0'});
  await client.connect(transport);
  let sessionId;
  try {
    const {tools} = await client.listTools();
    assert.equal(tools[0].name, 'run_agent');
    await client.ping();
    // The bridge holds the session's GET stream: notifications reach stdout.
    await waitFor(async () => (await sessionOf('over-stdio'))?.subscribers === 1,
      'the bridge\'s GET stream');
    const shotUri = `agenttheo://sessions/${(await sessionOf('over-stdio')).id}/screenshot`;
    const updated = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema,
      (n) => { updated.push(n.params.uri); });
    await client.subscribeResource({uri: shotUri});
    const progress = [];
    const result = await client.callTool({name: 'run_agent', arguments: {
      command: `go to ${pageBase}/two.html then read the title`}},
    undefined, {onprogress: (p) => progress.push(p.progress)});
    assert.equal(result.isError, false, text(result));
    assert.match(text(result), /Page Two/);
    assert.ok(progress.length >= 3 && progress.every((p, i) => i === 0 || p > progress[i - 1]),
      String(progress));
    await waitFor(() => updated.includes(shotUri), 'a screenshot update over stdio');
    const listed = (await api('/api/sessions')).body.sessions;
    sessionId = listed.find((s) => s.title === 'MCP: over-stdio')?.id;
    assert.ok(sessionId, JSON.stringify(listed));
  } finally {
    await client.close();
  }
  // Closing stdin ends the bridge, and it ends the server's MCP session.
  let status;
  for (let i = 0; i < 50; i += 1) {
    status = (await api(`/api/sessions/${sessionId}`)).status;
    if (status === 404) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(status, 404);
});

/** A TCP proxy to AgentTheo whose open connections the test can cut. */
function startCutter(port) {
  const sockets = new Set();
  const requestLines = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    client.once('data', (chunk) => requestLines.push(chunk.toString().split('\r\n')[0]));
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: server.address().port,
    requestLines,
    cut: () => { for (const s of sockets) s.destroy(); },
    close: () => server.close(),
  })));
}

test('a run_agent stream broken mid-run resumes with Last-Event-ID and loses nothing', async () => {
  const cutter = await startCutter(agenttheo.port);
  const client = new Client({name: 'resumer', version: '1.0.0'});
  const transport = new StreamableHTTPClientTransport(
    new URL(`http://127.0.0.1:${cutter.port}/mcp`), {requestInit: {headers: auth},
      reconnectionOptions: {initialReconnectionDelay: 200, maxReconnectionDelay: 1000,
        reconnectionDelayGrowFactor: 1.5, maxRetries: 5}});
  await client.connect(transport);
  try {
    const progress = [];
    let cut = false;
    const result = await client.callTool({name: 'run_agent', arguments: {
      command: `go to ${pageBase}/one.html then click Go to two then click Press me `
        + 'then read the title'}},
    undefined, {timeout: 60000, onprogress: (p) => {
      progress.push(p);
      // The first tool's end: the run is under way, most of it to come.
      if (!cut && p.message.startsWith('✓ navigate_to')) {
        cut = true;
        cutter.cut();
      }
    }});
    assert.ok(cut);
    // The SDK came back for the rest with GET and Last-Event-ID.
    assert.ok(cutter.requestLines.includes('GET /mcp HTTP/1.1'), cutter.requestLines.join(' | '));
    assert.equal(result.isError, false, text(result));
    assert.match(text(result), /Clicked/);
    // Each step once, in order, across the break: as the run's own log has them.
    const ids = progress.map((p) => p.progress);
    assert.deepEqual(ids, [...new Set(ids)].sort((a, b) => a - b));
    const messageId = result.structuredContent.summary.messageId;
    const events = (await api(`/api/runs/${messageId}/events`)).body.events;
    const ends = events.filter((e) => e.type === 'tool_end').map((e) => e.id);
    for (const id of ends) assert.ok(ids.includes(id), `tool_end ${id} missing from ${ids}`);
    const lines = progress.map((p) => p.message);
    assert.ok(lines.some((l) => l.startsWith('✓ click')), lines.join('\n'));
  } finally {
    await transport.terminateSession();
    await client.close();
    cutter.close();
  }
});

test('two MCP sessions have their own pages', async () => {
  const a = await connect('a');
  const b = await connect('b');
  try {
    assert.notEqual(a.transport.sessionId, b.transport.sessionId);
    await a.client.callTool({name: 'browser_navigate_to', arguments: {url: `${pageBase}/one.html`}});
    await b.client.callTool({name: 'browser_navigate_to', arguments: {url: `${pageBase}/two.html`}});
    assert.equal(text(await a.client.callTool({name: 'browser_get_title', arguments: {}})), 'Page One');
    assert.equal(text(await b.client.callTool({name: 'browser_get_title', arguments: {}})), 'Page Two');
  } finally {
    for (const {client, transport} of [a, b]) {
      await transport.terminateSession();
      await client.close();
    }
  }
});

test('DELETE /mcp ends the MCP session and its AgentTheo session', async () => {
  const {client, transport} = await connect('ender');
  const before = (await api('/api/sessions')).body.sessions.filter((s) => s.title === 'MCP: ender');
  assert.equal(before.length, 1);
  const sessionId = transport.sessionId;
  await transport.terminateSession();
  await client.close();
  const after = (await api(`/api/sessions/${before[0].id}`));
  assert.equal(after.status, 404);
  const again = await api('/mcp', {method: 'POST', headers: {'Content-Type': 'application/json',
    'Mcp-Session-Id': sessionId}, body: JSON.stringify({jsonrpc: '2.0', id: 1, method: 'ping'})});
  assert.equal(again.status, 404);
});

test('errors: unknown method, bad or missing session, bad version, bad JSON', async () => {
  const {client, transport} = await connect('errors');
  try {
    await assert.rejects(client.request({method: 'no/such/method', params: {}},
      (await import(require.resolve('@modelcontextprotocol/sdk/types.js'))).EmptyResultSchema),
    (err) => err.code === -32601);
    const post = (headers, body) => api('/mcp', {method: 'POST',
      headers: {'Content-Type': 'application/json', ...headers}, body});
    const ping = JSON.stringify({jsonrpc: '2.0', id: 7, method: 'ping'});
    const missing = await post({}, ping);
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.code, -32600);
    assert.equal((await post({'Mcp-Session-Id': 'mcp-0000'}, ping)).status, 404);
    const badVersion = await post({'Mcp-Session-Id': transport.sessionId,
      'MCP-Protocol-Version': '1999-01-01'}, ping);
    assert.equal(badVersion.status, 400);
    const parse = await post({'Mcp-Session-Id': transport.sessionId}, '{not json');
    assert.equal(parse.status, 400);
    assert.equal(parse.body.error.code, -32700);
    const batch = await post({'Mcp-Session-Id': transport.sessionId}, `[${ping}]`);
    assert.equal(batch.body.error.code, -32600);
    const get = (headers) => api('/mcp', {method: 'GET',
      headers: {Accept: 'text/event-stream', 'Mcp-Session-Id': transport.sessionId, ...headers}});
    // The server's own stream needs a session too.
    assert.equal((await get({'Mcp-Session-Id': ''})).status, 400);
    assert.equal((await get({'Mcp-Session-Id': 'mcp-0000'})).status, 404);
    assert.equal((await get({'Last-Event-ID': 'x1'})).status, 400);
    // Nothing was run in this session: nothing to resume.
    assert.equal((await get({'Last-Event-ID': '3'})).status, 404);
    const ok = await post({'Mcp-Session-Id': transport.sessionId}, ping);
    assert.deepEqual(ok.body, {jsonrpc: '2.0', id: 7, result: {}});
    const note = await post({'Mcp-Session-Id': transport.sessionId},
      JSON.stringify({jsonrpc: '2.0', method: 'notifications/initialized'}));
    assert.equal(note.status, 202);
  } finally {
    await transport.terminateSession();
    await client.close();
  }
});

test('access: a foreign Origin is refused with 403, a missing token with 401', async () => {
  const init = JSON.stringify({jsonrpc: '2.0', id: 1, method: 'initialize',
    params: {protocolVersion: '2025-06-18', capabilities: {}, clientInfo: {name: 'x', version: '1'}}});
  const foreign = await api('/mcp', {method: 'POST',
    headers: {'Content-Type': 'application/json', Origin: FOREIGN}, body: init});
  assert.equal(foreign.status, 403);
  const res = await fetch(mcpUrl(), {method: 'POST',
    headers: {'Content-Type': 'application/json'}, body: init});
  assert.equal(res.status, 401);
  const client = new Client({name: 'anonymous', version: '1'});
  await assert.rejects(client.connect(new StreamableHTTPClientTransport(mcpUrl())));
});

test('one client cannot use another client\'s MCP session', async () => {
  // Without API_TOKEN a client is its address: 127.0.0.2 is another one.
  const open = await startServer(['--browser', 'none']);
  try {
    const url = new URL(`http://127.0.0.1:${open.port}/mcp`);
    const client = new Client({name: 'owner', version: '1'});
    const transport = new StreamableHTTPClientTransport(url);
    await client.connect(transport);
    const ping = (localAddress) => new Promise((resolve, reject) => {
      const req = request(url, {method: 'POST', localAddress, headers: {
        'Content-Type': 'application/json', 'Mcp-Session-Id': transport.sessionId}},
      (res) => { res.resume(); resolve(res.statusCode); });
      req.on('error', reject);
      req.end(JSON.stringify({jsonrpc: '2.0', id: 1, method: 'ping'}));
    });
    assert.equal(await ping('127.0.0.2'), 404);
    assert.equal(await ping('127.0.0.1'), 200);
    await transport.terminateSession();
    await client.close();
  } finally {
    await open.stop();
  }
});

/** The AgentTheo session an MCP client drives, by its session title. */
async function sessionOf(title, base = '') {
  const res = await fetch(`${base || `http://127.0.0.1:${agenttheo.port}`}/api/sessions`,
    {headers: auth});
  return (await res.json()).sessions.find((s) => s.title === `MCP: ${title}`);
}

test('subscribed resources are told updated on the GET stream', async () => {
  const {client, transport} = await connect('watcher');
  try {
    const updated = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema,
      (n) => { updated.push(n.params.uri); });
    assert.equal(client.getServerCapabilities().resources.subscribe, true);
    // The client opened its GET stream: a watcher of its session.
    await waitFor(async () => (await sessionOf('watcher'))?.subscribers === 1, 'the GET stream');
    const session = await sessionOf('watcher');
    const shotUri = `agenttheo://sessions/${session.id}/screenshot`;
    await client.subscribeResource({uri: shotUri});
    for (const uri of ['agenttheo://runs/m-not-mine', 'agenttheo://sessions/s-other/screenshot']) {
      await assert.rejects(client.subscribeResource({uri}), (err) => err.code === -32002, uri);
    }
    const created = await client.request({method: 'tools/call', params: {name: 'run_agent',
      arguments: {command: `go to ${pageBase}/one.html then click Go to two then read the title`},
      task: {}}}, CreateTaskResultSchema);
    const runUri = `agenttheo://runs/${created.task.taskId}`;
    await client.subscribeResource({uri: runUri});
    const done = await client.experimental.tasks.getTaskResult(created.task.taskId,
      CallToolResultSchema);
    assert.match(text(done), /Page Two/);
    await waitFor(() => updated.includes(runUri) && updated.includes(shotUri),
      `updates of both (${updated.join(', ')})`);
    // Re-read on the notice: the log holds the run's end.
    const log = JSON.parse((await client.readResource({uri: runUri})).contents[0].text);
    assert.equal(log.events.at(-1).type, 'complete');
    await client.unsubscribeResource({uri: shotUri});
    await client.unsubscribeResource({uri: runUri});
    const before = updated.length;
    const again = await client.callTool({name: 'run_agent',
      arguments: {command: `go to ${pageBase}/one.html then read the title`}});
    assert.equal(again.isError, false, text(again));
    await sleep(400);
    assert.deepEqual(updated.slice(before), []);
  } finally {
    await transport.terminateSession();
    await client.close();
  }
});

test('run_agent as a task: polled, fetched again after a reconnect, cancelled', async () => {
  const {client, transport} = await connect('tasker');
  try {
    const runAgent = (await client.listTools()).tools[0];
    assert.deepEqual(runAgent.execution, {taskSupport: 'optional'});
    assert.ok(client.getServerCapabilities().tasks.requests.tools.call);
    const seen = [];
    for await (const message of client.experimental.tasks.callToolStream({name: 'run_agent',
      arguments: {command: `go to ${pageBase}/one.html then read the title`}},
    CallToolResultSchema, {task: {ttl: 60000}})) {
      seen.push(message);
    }
    assert.equal(seen[0].type, 'taskCreated', JSON.stringify(seen[0]));
    const taskId = seen[0].task.taskId;
    assert.match(taskId, /^mcp-run-/);
    assert.equal(seen[0].task.ttl, 60000);
    const statuses = seen.filter((m) => m.type === 'taskStatus').map((m) => m.task.status);
    assert.equal(statuses.at(-1), 'completed', statuses.join(' '));
    assert.ok(statuses.slice(0, -1).every((s) => s === 'working'), statuses.join(' '));
    const result = seen.at(-1);
    assert.equal(result.type, 'result', JSON.stringify(result));
    assert.match(text(result.result), /Page One/);
    assert.equal(result.result.structuredContent.outcome, 'success');
    assert.equal(result.result._meta['io.modelcontextprotocol/related-task'].taskId, taskId);

    // Another connection to the same MCP session (a client that restarted)
    // finds the task and its result.
    const back = await connect('tasker', {sessionId: transport.sessionId});
    try {
      const task = await back.client.experimental.tasks.getTask(taskId);
      assert.equal(task.status, 'completed');
      assert.ok(Date.parse(task.lastUpdatedAt) >= Date.parse(task.createdAt));
      const fetched = await back.client.experimental.tasks.getTaskResult(taskId,
        CallToolResultSchema);
      assert.equal(text(fetched), text(result.result));
      assert.ok(fetched.content.some((c) => c.type === 'image'));
      const {tasks} = await back.client.experimental.tasks.listTasks();
      assert.deepEqual(tasks.map((t) => t.taskId), [taskId]);
      await assert.rejects(back.client.experimental.tasks.cancelTask(taskId),
        (err) => err.code === -32602);
      await assert.rejects(back.client.experimental.tasks.getTask('mcp-run-nope'),
        (err) => err.code === -32602);
    } finally {
      await back.client.close();
    }

    // A running task, cancelled.
    const long = await client.request({method: 'tools/call', params: {name: 'run_agent',
      arguments: {command: `go to ${pageBase}/one.html then wait for Never shown then read the title`},
      task: {}}}, CreateTaskResultSchema);
    assert.equal(long.task.status, 'working');
    await waitFor(async () => (await client.experimental.tasks.getTask(long.task.taskId))
      .statusMessage !== 'step 0', 'the run to start');
    const cancelled = await client.experimental.tasks.cancelTask(long.task.taskId);
    assert.equal(cancelled.status, 'cancelled');
    await waitFor(async () => (await client.experimental.tasks.getTask(long.task.taskId))
      .status === 'cancelled', 'the run to end cancelled');
    const ended = await client.experimental.tasks.getTaskResult(long.task.taskId,
      CallToolResultSchema);
    assert.equal(ended.isError, true);
    assert.equal(ended.structuredContent.outcome, 'cancelled');
  } finally {
    await transport.terminateSession();
    await client.close();
  }
});

test('approvals and questions are asked as elicitation requests', async () => {
  const gated = await startServer(['--api-token', TOKEN], {APPROVE: 'navigate', INTERRUPT_TIMEOUT: '20s'});
  const base = `http://127.0.0.1:${gated.port}`;
  const {client, transport} = await connect('asker',
    {url: new URL(`${base}/mcp`), capabilities: {elicitation: {form: {}}}});
  try {
    const asked = [];
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params);
      const props = req.params.requestedSchema.properties;
      if (props.approve) return {action: 'accept', content: {approve: true}};
      return {action: 'accept', content: {answer: 'Medium'}};
    });
    const opened = await client.callTool({name: 'run_agent',
      arguments: {command: `go to ${pageBase}/one.html then read the title`}});
    assert.equal(opened.isError, false, text(opened));
    assert.match(text(opened), /Page One/);
    assert.equal(asked.length, 1, JSON.stringify(asked));
    assert.match(asked[0].message, /one\.html/);
    assert.equal(asked[0].requestedSchema.properties.approve.type, 'boolean');

    const answered = await client.callTool({name: 'run_agent',
      arguments: {command: 'ask me Which size do you want?'}});
    assert.equal(asked.length, 2);
    assert.equal(asked[1].message, 'Which size do you want?');
    assert.match(text(answered), /Medium/);
    // Decided as the interrupts API decides: by mcp, in the run's events.
    const session = await sessionOf('asker', base);
    const runs = (await (await fetch(`${base}/api/sessions/${session.id}`,
      {headers: auth})).json()).runs;
    const events = (await (await fetch(`${base}/api/runs/${runs[1].messageId}/events`,
      {headers: auth})).json()).events;
    const resolved = events.find((e) => e.type === 'interrupt_resolved');
    assert.equal(resolved.data.by, 'mcp');
    assert.equal(resolved.data.answer, 'Medium');

    // A task that waits for a person is input_required; tasks/result
    // carries the question, and the answer finishes it.
    const streamed = [];
    for await (const message of client.experimental.tasks.callToolStream({name: 'run_agent',
      arguments: {command: 'ask me Which colour?'}}, CallToolResultSchema, {task: {}})) {
      streamed.push(message);
    }
    assert.equal(asked.length, 3);
    assert.equal(asked[2].message, 'Which colour?');
    assert.equal(asked[2]._meta['io.modelcontextprotocol/related-task'].taskId,
      streamed[0].task.taskId);
    assert.ok(streamed.some((m) => m.type === 'taskStatus' && m.task.status === 'input_required'),
      JSON.stringify(streamed.map((m) => m.task?.status ?? m.type)));
    assert.equal(streamed.at(-1).type, 'result', JSON.stringify(streamed.at(-1)));
    assert.match(text(streamed.at(-1).result), /Medium/);
    // Fetched again once decided: the answer, and no question asked twice.
    const again = await client.experimental.tasks.getTaskResult(streamed[0].task.taskId,
      CallToolResultSchema);
    assert.match(text(again), /Medium/);
    assert.equal(asked.length, 3);

    // Declined: the navigation is rejected, and the run says so.
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params);
      return {action: 'decline'};
    });
    const declined = await client.callTool({name: 'run_agent',
      arguments: {command: `go to ${pageBase}/two.html then read the title`}});
    assert.equal(asked.length, 4);
    assert.doesNotMatch(text(declined), /Page Two/);
  } finally {
    await transport.terminateSession();
    await client.close();
    await gated.stop();
  }
});

test('an MCP session ends with its AgentTheo session', async () => {
  const idle = await startServer(['--api-token', TOKEN], {SESSION_IDLE_TIMEOUT: '1s'});
  const base = `http://127.0.0.1:${idle.port}`;
  const post = (session, body) => fetch(`${base}/mcp`, {method: 'POST', headers: {...auth,
    'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
    ...(session ? {'Mcp-Session-Id': session} : {})}, body: JSON.stringify(body)});
  const open = async (name) => {
    const res = await post(null, {jsonrpc: '2.0', id: 1, method: 'initialize', params: {
      protocolVersion: '2025-11-25', capabilities: {}, clientInfo: {name, version: '1'}}});
    assert.equal(res.status, 200);
    const id = res.headers.get('mcp-session-id');
    await post(id, {jsonrpc: '2.0', method: 'notifications/initialized'});
    return id;
  };
  const ping = async (id) => (await post(id, {jsonrpc: '2.0', id: 2, method: 'ping'})).status;
  try {
    // No GET stream and no run: the session idles out after 1 s, and the
    // MCP session with it.
    const idler = await open('idler');
    assert.equal(await ping(idler), 200);
    await waitFor(async () => await ping(idler) === 404, 'the idle end');
    // Deleted through the API: the same.
    const deleted = await open('deleted');
    const session = await sessionOf('deleted', base);
    const gone = await fetch(`${base}/api/sessions/${session.id}`,
      {method: 'DELETE', headers: auth});
    assert.equal(gone.status, 200);
    await waitFor(async () => await ping(deleted) === 404, 'the end after DELETE');
  } finally {
    await idle.stop();
  }
});

test('the MCP Inspector CLI lists the tools and calls one through agenttheo mcp', async () => {
  const inspector = path.join(root, 'clients', 'js', 'node_modules', '.bin', 'mcp-inspector');
  const inspect = (...args) => new Promise((resolve, reject) => {
    execFile(inspector, ['--cli', '-e', `AGENTTHEO_API_TOKEN=${TOKEN}`, ...args, '--',
      binary, 'mcp', '--server', `http://127.0.0.1:${agenttheo.port}`],
    {timeout: 60000}, (err, stdout, stderr) => (err ? reject(new Error(`${err}\n${stderr}`))
      : resolve(JSON.parse(stdout))));
  });
  const {tools} = await inspect('--method', 'tools/list');
  const ours = (await api('/api/tools')).body.tools
    .filter((t) => !['ask_user', 'request_takeover'].includes(t.name));
  assert.deepEqual(tools.map((t) => t.name), ['run_agent', 'list_sessions', 'get_run_events',
    ...ours.map((t) => `browser_${t.name}`)]);
  // --tool-arg takes every word after it: the others come after it.
  const opened = await inspect('--tool-arg', `url=${pageBase}/two.html`,
    '--method', 'tools/call', '--tool-name', 'browser_navigate_to');
  assert.equal(opened.isError, false, JSON.stringify(opened));
  assert.match(opened.content[0].text, /Page Two/);
});
