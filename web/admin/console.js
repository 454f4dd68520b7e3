// The admin console: stats pushed by /api/admin/stream (read with fetch, so
// the admin token can go in a header), the actor tree from /api/admin/actors
// every second, updated in place, and the operator's actions.

import { confirming } from '/ui/confirming.js';

const TOKEN_KEY = 'agenttheo-admin-token';
const $ = (id) => document.getElementById(id);

/** What tests (and curious operators) can read: the last stats and counts. */
export const consoleState = window.adminConsole = {
  stats: null, statsUpdates: 0, actors: null, treeUpdates: 0, lastAction: null,
  nodes: null, nodeUpdates: 0,
};

function currentToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function headers(token = currentToken()) {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** A 401 to a request sent with `sentWith`: ask for the token, unless one
 *  was entered since (the login started every loop afresh; a request of
 *  the page's first, tokenless loops may still be answered after it). */
function refused(sentWith) {
  if (currentToken() === sentWith) needLogin();
}

function needLogin() {
  $('login').hidden = false;
  $('console').hidden = true;
  $('live').textContent = 'locked';
  $('live').classList.remove('live');
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value);
  $('login').hidden = true;
  $('console').hidden = false;
  start();
});

let bannerTimer = null;

/** A problem stays (in the warning colour) until the next message; news
 *  (`bad` false) is neutral and fades after a few seconds. */
function banner(text, bad = false) {
  const b = $('banner');
  clearTimeout(bannerTimer);
  b.textContent = text;
  b.classList.toggle('bad', bad);
  b.classList.toggle('news', !bad && !!text);
  b.hidden = !text;
  if (text && !bad)
    bannerTimer = setTimeout(() => { b.hidden = true; }, NEWS_MS);
}

const NEWS_MS = 4000;

// -- formatting ----------------------------------------------------------------

function human(n, unit = '') {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} G${unit}`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M${unit}`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k${unit}`;
  return `${Math.round(n)}${unit ? ' ' + unit : ''}`;
}

function ms(x) {
  return x < 1 ? `${(x * 1000).toFixed(0)} µs` : x < 1000 ? `${x.toFixed(1)} ms` : `${(x / 1000).toFixed(2)} s`;
}

function age(msAgo) {
  const s = Math.max(0, Math.round(msAgo / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}

function spark(svg, values) {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? 60 / (values.length - 1) : 60;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(20 - (v / max) * 19).toFixed(1)}`);
  let line = svg.querySelector('polyline');
  if (!line) {
    line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    svg.append(line);
  }
  line.setAttribute('points', points.join(' '));
}

// -- stats -----------------------------------------------------------------------

function renderStats(s) {
  consoleState.stats = s;
  consoleState.statsUpdates += 1;
  const live = s.live;
  $('n-sessions').textContent = live.sessions;
  const spare = live.browser_contexts_spare ? ` (+${live.browser_contexts_spare} ready)` : '';
  $('n-running').textContent = `${live.sessions_running} running · ${live.browser_contexts} browser contexts${spare}`;
  $('n-connections').textContent = live.connections.sse + live.connections.websocket;
  $('n-transports').textContent = `${live.connections.sse} SSE · ${live.connections.websocket} WebSocket`;
  if (!s.rates) return;
  $('r-events').textContent = human(s.rates.events_per_s);
  $('r-bytes').textContent = human(s.rates.bytes_per_s, 'B');
  $('r-tokens').textContent = human(s.rates.tokens_per_s);
  spark($('s-events'), s.history.map((h) => h.events_per_s));
  spark($('s-bytes'), s.history.map((h) => h.bytes_per_s));
  spark($('s-tokens'), s.history.map((h) => h.tokens_per_s));
  const d = s.latency.delivery, t = s.latency.first_token;
  $('l-delivery').textContent = d.count ? `${ms(d.p50_ms)} / ${ms(d.p99_ms)}` : '–';
  $('l-ttft').textContent = t.count ? `${ms(t.p50_ms)} / ${ms(t.p99_ms)}` : '–';
  const tot = s.totals;
  $('n-drops').textContent = `${tot.slow_consumer_drops} · ${tot.resumes} · ${tot.gaps}`;
  // Cost counts models with a price in LLM_PRICES; tokens count all.
  $('n-cost').textContent = `$${tot.llm_cost_usd.toFixed(tot.llm_cost_usd < 1 ? 4 : 2)}`;
  $('n-llm-tokens').textContent = `${human(tot.llm_prompt_tokens)} prompt · `
    + `${human(tot.llm_completion_tokens)} completion tokens`;
  const tc = tot.tool_calls;
  $('n-tools').textContent = `tools ${tc.ok} ok · ${tc.failed} failed · ${tc.timeout} timed out · ${tc.cancelled} cancelled`;
  renderSlowest(s.slowest_connections);
  renderErrors(s.recent_errors);
}

function renderSlowest(conns) {
  const rows = conns.map((c) => {
    const tr = document.createElement('tr');
    for (const v of [c.actor, c.kind, human(c.queued_bytes, 'B'), human(c.bytes_sent, 'B'), c.drops]) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.append(td);
    }
    return tr;
  });
  $('slow-rows').replaceChildren(...rows);
}

/** The web UI's replay of run `messageId` (replay.js), in a new tab. */
function replayUrl(messageId) {
  return `/?replay=${encodeURIComponent(messageId)}`;
}

function replayLink(messageId) {
  const link = document.createElement('a');
  link.href = replayUrl(messageId);
  link.target = '_blank';
  link.rel = 'noopener';
  link.className = 'replay-link';
  link.textContent = 'replay';
  return link;
}

$('replay-form').addEventListener('submit', (event) => {
  event.preventDefault();
  window.open(replayUrl($('replay-id').value.trim()), '_blank', 'noopener');
});

function renderErrors(errors) {
  $('no-errors').hidden = errors.length > 0;
  $('errors').replaceChildren(...errors.map((e) => {
    const li = document.createElement('li');
    const code = document.createElement('span');
    code.className = 'code';
    code.textContent = e.code;
    li.append(new Date(e.at).toLocaleTimeString(), ' ', code, ' ', e.message,
      e.session ? ` (${e.session}${e.messageId ? ' / ' + e.messageId : ''})` : '');
    if (e.messageId)
      li.append(' ', replayLink(e.messageId));
    return li;
  }));
}

/** Reads /api/admin/stream, an SSE response, frame by frame. */
async function followStats() {
  for (;;) {
    try {
      const token = currentToken();
      const res = await fetch('/api/admin/stream', { headers: headers(token) });
      if (res.status === 401) return refused(token);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      $('live').textContent = 'live';
      $('live').classList.add('live');
      banner('');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6)).join('\n');
          if (frame.includes('event: stats') && data) renderStats(JSON.parse(data));
        }
      }
    } catch (err) {
      banner(`Stats stream lost (${err.message}); reconnecting…`, true);
    }
    $('live').textContent = 'reconnecting';
    $('live').classList.remove('live');
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// -- the actor tree ------------------------------------------------------------------

const rows = new Map(); // actor id -> <tr>, reused across updates

function detail(a) {
  if (a.kind.endsWith('connection') || a.kind === 'ws_subscription' || a.kind === 'admin_stream')
    return `${human(a.events_sent)} events · ${human(a.bytes_sent, 'B')} · queued ${human(a.queued_bytes, 'B')}`
      + (a.drops ? ` · ${a.drops} dropped` : '');
  if (a.kind === 'llm_call')
    return `${a.tokens} tokens` + (a.first_token_ms !== undefined ? ` · first after ${ms(a.first_token_ms)}` : '');
  if (a.kind === 'tool_call' && a.duration_ms !== undefined) return `${a.duration_ms} ms`;
  if (a.kind === 'session') return a.title ?? '';
  return '';
}

// An action on a session only means something while it runs; ending one
// is asked twice (confirming).
function actionAllowed(a) {
  return a.kind !== 'session' || a.state === 'running' || a.state === 'stopping';
}

function actionsFor(a) {
  if (a.kind === 'session')
    return [['cancel', 'Cancel', `/api/admin/sessions/${a.name}/cancel`],
            ['end', 'End', `/api/admin/sessions/${a.name}/end`]];
  if (a.kind === 'sse_connection' || a.kind === 'ws_connection')
    return [['disconnect', 'Disconnect', `/api/admin/connections/${a.actor}/disconnect`]];
  return [];
}

function row(a, cls) {
  let tr = rows.get(a.actor);
  if (!tr) {
    tr = document.createElement('tr');
    tr.dataset.actor = a.actor;
    for (const name of ['actor', 'kind', 'name', 'state', 'age', 'messages', 'detail', 'actions']) {
      const td = document.createElement('td');
      td.className = `col-${name}`;
      tr.append(td);
    }
    for (const [action, label, url] of actionsFor(a)) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.action = action;
      b.textContent = label;
      if (action === 'end')
        confirming(b, () => 'Confirm end', () => act(action, url, a));
      else
        b.addEventListener('click', () => act(action, url, a));
      tr.lastChild.append(b);
    }
    rows.set(a.actor, tr);
  }
  tr.className = cls;
  const cells = tr.children;
  cells[0].textContent = a.actor;
  cells[1].textContent = a.kind;
  cells[2].textContent = a.name;
  cells[2].title = a.name;
  cells[3].innerHTML = '';
  const state = document.createElement('span');
  state.className = `state ${a.state}`;
  state.textContent = a.state;
  cells[3].append(state);
  cells[4].textContent = age(a.age_ms);
  cells[5].textContent = a.messages;
  cells[6].textContent = detail(a);
  cells[6].title = detail(a);
  for (const b of cells[7].querySelectorAll('button')) {
    b.disabled = !actionAllowed(a);
    if (b.disabled)
      b.title = 'The session is idle: nothing to stop';
    else if (!b.classList.contains('confirm'))
      b.title = '';
  }
  return tr;
}

function renderTree(tree) {
  consoleState.actors = tree;
  consoleState.treeUpdates += 1;
  const ordered = [];
  // Running sessions first, then the rest, each oldest first.
  const running = (s) => (s.state === 'running' ? 0 : 1);
  const sessions = [...tree.sessions].sort((x, y) => running(x) - running(y));
  for (const s of sessions) {
    ordered.push(row(s, 'session-row'));
    for (const c of s.children) ordered.push(row(c, 'child-row'));
  }
  for (const c of tree.connections) ordered.push(row(c, 'connection-row'));
  for (const r of tree.runtime) ordered.push(row(r, 'runtime-row'));
  const live = new Set(ordered);
  for (const [id, tr] of rows) if (!live.has(tr)) rows.delete(id);
  // Moving existing rows keeps them (and their buttons) in place.
  $('actor-rows').replaceChildren(...ordered);
  $('n-actors').textContent = `${tree.count} live`;
}

/** Reads `url` every second and renders what it answers. */
async function poll(url, render) {
  for (;;) {
    try {
      const token = currentToken();
      const res = await fetch(url, { headers: headers(token) });
      if (res.status === 401) return refused(token);
      if (res.ok) render(await res.json());
    } catch { /* the stats stream reports the outage */ }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// -- worker nodes (a gateway's) ---------------------------------------------------------

function lostDetail(n) {
  if (!n.lost_reason) return n.last_error;
  return n.last_error && n.last_error !== n.lost_reason
    ? `${n.lost_reason} · retrying: ${n.last_error}` : n.lost_reason;
}

function nodeRow(n) {
  const tr = document.createElement('tr');
  tr.dataset.node = n.name;
  const state = document.createElement('span');
  state.className = `state ${n.state}`;
  state.textContent = n.state;
  const sessions = n.sessions.map((s) => `${s.id} ${s.state}${s.messageId ? ' ' + s.messageId : ''}`);
  const cells = [n.name, state, `${n.live_sessions} / ${n.max_sessions || '?'}`,
    n.last_seen ? `${age(Date.now() - n.last_seen)} ago` : 'never', n.times_lost,
    n.state === 'up' ? sessions.join(' · ') : lostDetail(n)];
  for (const v of cells) {
    const td = document.createElement('td');
    td.append(v);
    tr.append(td);
  }
  return tr;
}

function renderNodes(doc) {
  consoleState.nodes = doc;
  consoleState.nodeUpdates += 1;
  $('nodes-panel').hidden = doc.role !== 'gateway';
  $('node-rows').replaceChildren(...doc.nodes.map(nodeRow));
  const up = doc.nodes.filter((n) => n.state === 'up').length;
  $('n-nodes').textContent = `${up} of ${doc.nodes.length} up`;
}

// -- the store (durable sessions) ---------------------------------------------------------

/** `/health`'s store: ok, lagging (new runs refused) or failing (writes
 *  retried), with what it wrote and what waits for the disk. */
function renderStore(health) {
  const s = health.store || { kind: 'memory' };
  consoleState.store = s;
  const trouble = s.failing ? 'failing' : s.lagging ? 'lagging' : null;
  $('store-card').classList.toggle('bad', trouble !== null);
  if (s.kind !== 'sqlite') {
    $('n-store').textContent = 'memory';
    $('store-sub').textContent = 'nothing outlives a restart';
    return;
  }
  $('n-store').textContent = trouble || 'ok';
  $('store-sub').textContent = `${human(s.events_written)} events written · `
    + `${human(s.pending_bytes, 'B')} waiting`
    + (s.lagging ? ' · new runs refused' : '');
}

// -- clients against their limits ---------------------------------------------------------

/** `used / limit`, or just `used` where there is no limit (0). */
function ofLimit(used, limit) {
  return limit ? `${used} / ${limit}` : `${used}`;
}

function renderClients(doc) {
  consoleState.clients = doc;
  const lim = doc.limits || {};
  $('no-clients').hidden = doc.clients.length > 0;
  $('n-clients').textContent = doc.note
    || `${doc.count} known · limits per client: ${lim.max_sessions || 'no'} sessions, `
       + `${lim.runs_per_minute || 'any'} runs a minute, ${lim.max_streams || 'any'} streams`;
  $('client-rows').replaceChildren(...doc.clients.map((c) => {
    const tr = document.createElement('tr');
    if (c.refused > 0) tr.className = 'refused';
    for (const v of [c.client, ofLimit(c.sessions, lim.max_sessions),
      ofLimit(c.recent_runs, lim.runs_per_minute), ofLimit(c.streams, lim.max_streams),
      c.refused]) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.append(td);
    }
    return tr;
  }));
}

// -- interrupts waiting for a person, across sessions ---------------------------------------

/** Decides an interrupt as the operator (`by: operator` in its event). */
async function decide(session, interrupt, body) {
  const res = await fetch(
    `/api/admin/sessions/${encodeURIComponent(session)}/interrupts/${encodeURIComponent(interrupt)}`,
    { method: 'POST', headers: { ...headers(), 'Content-Type': 'application/json' },
      body: JSON.stringify(body) });
  const answer = await res.json().catch(() => ({}));
  consoleState.lastAction = { action: body.decision, status: res.status, body: answer };
  if (!res.ok)
    banner(`${body.decision} failed: ${answer.error ? answer.error.message : res.status}`, true);
  else
    banner(`Decided ${body.decision} on ${interrupt} (session ${session})`);
}

function decisionButton(label, session, it, body) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.className = `decide-${body.decision}`;
  b.addEventListener('click', () => {
    const extra = typeof body.extra === 'function' ? body.extra() : {};
    decide(session.id, it.interrupt_id, { decision: body.decision, ...extra });
  });
  return b;
}

const interruptRows = new Map(); // interrupt_id → its row, kept while pending

function interruptRow(session, it) {
  let tr = interruptRows.get(it.interrupt_id);
  if (tr) {
    tr.querySelector('.expires').textContent = age(Math.max(0, it.expires_at - Date.now()));
    return tr;
  }
  tr = document.createElement('tr');
  tr.dataset.interruptId = it.interrupt_id;
  const what = it.kind === 'question' ? it.question
    : `${it.reason}${it.tool_name ? ` · ${it.tool_name} ${JSON.stringify(it.tool_input)}` : ''}`;
  const actions = document.createElement('td');
  if (it.kind === 'question') {
    const box = document.createElement('input');
    box.placeholder = 'answer';
    box.setAttribute('aria-label', `Answer to ${it.question}`);
    actions.append(box, decisionButton('Answer', session, it,
      { decision: 'answer', extra: () => ({ answer: box.value.trim() }) }));
  } else if (it.kind === 'approval') {
    actions.append(decisionButton('Approve', session, it, { decision: 'approve' }));
  }
  actions.append(decisionButton('Reject', session, it,
    { decision: 'reject', extra: () => ({ message: 'rejected by an operator' }) }));
  const expires = document.createElement('td');
  expires.className = 'expires';
  expires.textContent = age(Math.max(0, it.expires_at - Date.now()));
  for (const v of [session.title || session.id, it.kind, what]) {
    const td = document.createElement('td');
    td.textContent = v;
    tr.append(td);
  }
  tr.append(expires, actions);
  interruptRows.set(it.interrupt_id, tr);
  return tr;
}

function renderInterrupts(doc) {
  const pending = doc.sessions.flatMap((s) => (s.pending_interrupts || []).map((it) => [s, it]));
  consoleState.interrupts = pending.map(([s, it]) => ({ session: s.id, ...it }));
  const live = pending.map(([s, it]) => interruptRow(s, it));
  for (const [id, tr] of interruptRows) if (!live.includes(tr)) interruptRows.delete(id);
  $('interrupt-rows').replaceChildren(...live);
  $('no-interrupts').hidden = live.length > 0;
  $('n-interrupts').textContent = live.length ? `${live.length} pending` : '';
}

async function act(action, url, a) {
  const res = await fetch(url, { method: 'POST', headers: headers() });
  const body = await res.json().catch(() => ({}));
  consoleState.lastAction = { action, status: res.status, body };
  const what = a.kind === 'session' ? `session ${a.title || a.name}` : `${a.kind} ${a.actor}`;
  if (!res.ok)
    banner(`${action} failed: ${body.error ? body.error.message : res.status}`, true);
  else if (action === 'cancel' && body.cancelled === null)
    banner(`Nothing to cancel: ${what} was not running anything`);
  else
    banner({ cancel: 'Cancelled the run of', end: 'Ended', disconnect: 'Disconnected' }[action]
           + ` ${what}`);
}

function start() {
  followStats();
  poll('/api/admin/actors', renderTree);
  poll('/api/admin/nodes', renderNodes);
  poll('/api/admin/clients', renderClients);
  poll('/health', renderStore);
  poll('/api/sessions', renderInterrupts);
}

start();
