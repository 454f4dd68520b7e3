// AgentTheo's event stream for any page: WebSocket when it works, else
// EventSource (SSE), with resume, parse and dispatch. The web UI uses it; so
// can your own pages:
//
//   import { EventStream } from '/agenttheo-stream.js';
//   const stream = new EventStream('/stream?command=read%20the%20page', {
//     onEvent: (type, data, id) => { if (type === 'token') out.append(data.token); },
//     onState: (state, detail) => banner.hidden = state !== 'reconnecting',
//   });
//   stream.transport;   // 'websocket' or 'sse'
//   // ... stream.close() to stop early.
//
// The URL is the SSE one (`/stream?...` or `/api/sessions/{id}/stream`); on
// WebSocket the same request becomes a `run` or `subscribe` message on `/ws`.
// What it adds to a bare EventSource or WebSocket:
// - Resume. A dropped connection is reopened with the last event id, after
//   a short backoff, so the server replays exactly what was missed.
// - No duplicates. An event whose id is not above the last one dispatched is
//   dropped (and counted in `stats.duplicates`).
// - An end. The stream closes itself on its last event (`complete`, a final
//   `error`, or `status: closed` for a session stream) instead of
//   reconnecting forever.
// - Reasons. A refused request ends in state `failed` with the server's
//   JSON error (SSE: read by one plain GET, since EventSource hides it), or
//   `done` when there is nothing left to send (204).
// - Fallback. If a WebSocket cannot be opened at all (no WebSocket, a proxy
//   that refuses the upgrade), the stream uses SSE and says so.
// - Images. On WebSocket, screenshots arrive as binary messages: the
//   `screenshot` event's data has a `blob` instead of a base64 `image`. With
//   `frames: true` the page's live screencast comes to `onFrame(header, blob)`.

/**
 * The payloads of the events (the `data` an `onEvent` handler gets).
 * @typedef {{session: string, messageId: string, command: string, stream_mode:
 * string, llm: {provider: string, model: string}}} StartData
 * @typedef {{state:
 * 'queued'|'running'|'retrying'|'waiting'|'cancelled'|'closed', message:
 * string, messageId?: string}} StatusData
 * @typedef {{step: number, total: number, message: string}} ProgressData
 * @typedef {{token: string, metadata: {count: number}}} TokenData
 * @typedef {{role: string, content: string, step: number,
 *            tool_calls?: {id: string, name: string, arguments: string}[]}}
 * MessageData
 * @typedef {{tool_name: string, tool_input: object, call_id: string}}
 * ToolStartData
 * @typedef {{tool_name: string, call_id: string, output: string, ok: boolean,
 *            duration_ms: number}} ToolEndData
 * @typedef {{mime: string, url: string, image?: string, blob?: Blob}}
 * ScreenshotData
 * @typedef {{result: string, steps: number, duration_ms: number, cancelled:
 * boolean, stop_reason: 'complete'|'max_steps'|'cancelled', outcome:
 * 'success'|'failed'|'max_steps'|'cancelled', usage: {prompt_tokens: number,
 * completion_tokens: number, total_tokens: number}, summary: object,
 * output?: any, code?: string}} CompleteData
 * @typedef {{code: string, message: string, messageId?: string, final?:
 * boolean}} ErrorData
 * @typedef {{from: number, to: number, lost: number, message: string}} GapData
 * @typedef {{interrupt_id: string, kind: 'approval'|'question'|'takeover',
 *            messageId: string, step: number, tool_name?: string,
 *            tool_input?: object, rule?: string, reason: string,
 *            question?: string, choices?: string[], options: string[],
 *            expires_at: number}} InterruptData
 * @typedef {{interrupt_id: string, kind: string, messageId: string,
 *            decision: string, by: 'api'|'ws'|'timeout'|'operator'|'cancel',
 *            message?: string, answer?: string, input?: object}}
 * InterruptResolvedData
 * @typedef {{holder: 'agent'|'user', by: string, messageId?: string}}
 * ControlData
 */

/** Every event type the server sends. */
export const EVENT_TYPES = Object.freeze([
  'start', 'status', 'progress', 'token', 'message', 'tool_start', 'tool_end',
  'update', 'custom', 'screenshot', 'complete', 'error', 'gap',
  'interrupt', 'interrupt_resolved', 'control', 'artifact',
]);

/** The last event of a run's stream (`/stream`). */
export function runEnded(type, data) {
  return type === 'complete' || (type === 'error' && data.final !== false);
}

/** The last event of a session's stream (`/api/sessions/{id}/stream`). */
export function sessionEnded(type, data) {
  return (type === 'status' && data.state === 'closed')
    || (type === 'error' && data.code === 'session_lost');
}

/** The page's own address, or the server's when there is no page. */
function defaultBase() {
  return typeof location === 'undefined' ? 'http://localhost:8000/' : location.href;
}

/** `url` with `name=value` set in its query (absolute if `url` was). */
export function withParam(url, name, value) {
  const absolute = /^[a-z]+:\/\//i.test(url);
  const u = new URL(url, defaultBase());
  u.searchParams.set(name, String(value));
  return absolute ? u.href : u.pathname + u.search;
}

function randomId() {
  return `js-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

/** What the SSE `url` asks for, as the WebSocket's first message. */
function websocketRequest(url) {
  const u = new URL(url);
  const q = u.searchParams;
  const msg = {};
  const session = u.pathname.match(/^\/api\/sessions\/([^/]+)\/stream$/);
  if (session) {
    msg.type = 'subscribe';
    msg.session = decodeURIComponent(session[1]);
  } else if (q.get('command')) {
    msg.type = 'run';
    msg.command = q.get('command');
    for (const name of ['messageId', 'session', 'multitask', 'approve',
                        'interrupt_timeout', 'output_schema'])
      if (q.get(name)) msg[name] = q.get(name);
    if (q.get('max_steps')) msg.max_steps = Number(q.get('max_steps'));
  } else {
    msg.type = 'subscribe';
    msg.messageId = q.get('messageId');
  }
  if (q.get('stream_mode')) msg.stream_mode = q.get('stream_mode');
  if (q.get('batch_ms')) msg.batch_ms = Number(q.get('batch_ms'));
  return msg;
}

/** The server's events over SSE. */
class SseTransport {
  name = 'sse';

  constructor(url, sink) {
    this.url = url;
    this.sink = sink;
    this.source = null;
  }

  /** The stream's URL, resuming after `lastEventId` (null: from the start). */
  urlAfter(lastEventId) {
    return lastEventId === null ? this.url : withParam(this.url, 'lastEventId', lastEventId);
  }

  open(lastEventId) {
    const url = this.urlAfter(lastEventId);
    const source = new EventSource(url);
    this.source = source;
    source.onopen = () => this.sink.opened();
    for (const type of EVENT_TYPES)
      source.addEventListener(type, (e) => {
        if (source !== this.source)
          return; // a late event from a connection already given up
        // `error` is also EventSource's name for a failed connection: that
        // one carries no data.
        if (type === 'error' && e.data === undefined)
          return this.lost(source, lastEventId);
        let data;
        try {
          data = JSON.parse(e.data);
        } catch {
          data = { raw: e.data };
        }
        this.sink.event(type, data, e.lastEventId ? Number(e.lastEventId) : 0);
      });
  }

  lost(source, lastEventId) {
    const refused = source.readyState === EventSource.CLOSED;
    this.close();
    if (refused)
      this.askWhy(lastEventId);
    else
      this.sink.lost();
  }

  // The server answered something other than a stream. Ask once more with
  // a plain request to read what it was.
  async askWhy(lastEventId) {
    const url = this.urlAfter(lastEventId);
    const abort = new AbortController();
    let status = 0;
    let body = null;
    try {
      const res = await fetch(url, { signal: abort.signal, cache: 'no-store',
                                     headers: { Accept: 'text/event-stream' } });
      status = res.status;
      if (status >= 400)
        body = await res.json().catch(() => null);
    } catch {
      status = 0; // no answer at all: the server is away
    } finally {
      abort.abort();
    }
    this.sink.refused(status, body?.error?.code ?? `http_${status}`,
                      body?.error?.message ?? `the server answered ${status}`);
  }

  close() {
    if (this.source) {
      this.source.close();
      this.source = null;
    }
  }
}

/** The server's events over one WebSocket on `/ws`. */
class WebSocketTransport {
  name = 'websocket';

  constructor(url, sink, frames) {
    this.url = url;
    this.request = websocketRequest(url);
    this.sink = sink;
    this.frames = frames;
    this.socket = null;
    this.everOpened = false;
    this.started = false; // a `run` is sent once; reconnects subscribe
  }

  open(lastEventId) {
    let socket;
    try {
      const u = new URL(this.url);
      const ws = new URL(`${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}/ws`);
      const token = u.searchParams.get('access_token');
      if (token)
        ws.searchParams.set('access_token', token);
      socket = new WebSocket(ws.href);
    } catch {
      return this.sink.unavailable();
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.everOpened = true;
      socket.send(JSON.stringify(this.firstMessage(lastEventId)));
      this.sink.opened();
    };
    socket.onmessage = (m) => {
      if (socket === this.socket)
        this.receive(m.data);
    };
    socket.onclose = () => {
      if (socket !== this.socket)
        return;
      this.socket = null;
      if (!opened && !this.everOpened)
        return this.sink.unavailable();
      this.sink.lost();
    };
  }

  firstMessage(lastEventId) {
    const msg = { ...this.request, ref: 'open' };
    if (this.frames)
      msg.frames = true;
    if (msg.type === 'run' && this.started) {
      // The run exists: follow it, do not start it again.
      msg.type = 'subscribe';
      delete msg.command;
      delete msg.session;
      delete msg.multitask;
      delete msg.max_steps;
      delete msg.approve;
      delete msg.interrupt_timeout;
      delete msg.output_schema;
    }
    if (msg.type === 'run')
      this.started = true;
    else if (lastEventId !== null)
      msg.lastEventId = lastEventId;
    return msg;
  }

  receive(payload) {
    if (payload instanceof ArrayBuffer)
      return this.receiveBinary(payload);
    let msg;
    try {
      msg = JSON.parse(payload);
    } catch {
      return;
    }
    for (const one of Array.isArray(msg) ? msg : [msg]) {
      if (one.type === 'error' && one.ref === 'open')
        return this.sink.refused(one.data.status, one.data.code, one.data.message);
      if (EVENT_TYPES.includes(one.type) && one.data !== undefined)
        this.sink.event(one.type, one.data, one.id ?? 0);
      // subscribed, pong and the like need nothing here.
    }
  }

  // A 4-byte big-endian header length, the JSON header, the image.
  receiveBinary(buffer) {
    const size = new DataView(buffer).getUint32(0);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, size)));
    const blob = new Blob([new Uint8Array(buffer, 4 + size)], { type: header.mime });
    if (header.type === 'frame')
      return this.sink.frame(header, blob);
    this.sink.event(header.type, { mime: header.mime, url: header.url, blob }, header.id);
  }

  /** Sends `msg` if the socket is open; false otherwise. */
  send(msg) {
    if (!this.socket || this.socket.readyState !== 1)
      return false;
    this.socket.send(JSON.stringify(msg));
    return true;
  }

  close() {
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close(1000);
    }
  }
}

export class EventStream {
  #onEvent;
  #onState;
  #onFrame;
  #isEnd;
  #retry;
  #transport;
  #fallback; // makes the SSE transport, while WebSocket may still fail
  #timer = null;
  #attempt = 0;
  #state = 'connecting';
  #token;

  /** The id of the last event dispatched (null before the first). */
  lastEventId = null;
  /** The session and run being followed, once the server said (`start`). */
  session = null;
  messageId = null;
  /** What happened so far: events, duplicates dropped, reconnects, frames,
   *  and operator disconnects (resumed like drops, never dispatched). */
  stats = { events: 0, duplicates: 0, reconnects: 0, frames: 0, disconnects: 0 };

  /**
   * @param {string} url  `/stream?...` or `/api/sessions/{id}/stream`
   * @param {object} options
   *   onEvent(type, data, id)  every event, parsed, in order, once
   *   onState(state, detail)   connecting | open | reconnecting | done | failed | closed
   *                            (detail.transport says which is in use)
   *   onFrame(header, blob)    live screencast frames (WebSocket, frames: true)
   *   frames                   ask for the live screencast
   *   transport                'auto' (default: WebSocket, else SSE), 'websocket', 'sse'
   *   isEnd(type, data)        the stream's last event (default: a run's end,
   *                            or a session's for a session stream URL)
   *   lastEventId              resume after this id
   *   retry {firstMs, maxMs}   the reconnect backoff
   *   base                     the server's address (default: this page's)
   *   token                    an API_TOKEN, sent as access_token (EventSource
   *                            and browser WebSockets cannot set headers)
   */
  constructor(url, options = {}) {
    // Absolute from here on, so the same code runs in a page or in Node.
    const u = new URL(url, options.base ?? defaultBase());
    // A run needs a known messageId to be resumed, on either transport.
    if (u.pathname === '/stream' && u.searchParams.get('command') && !u.searchParams.get('messageId'))
      u.searchParams.set('messageId', randomId());
    if (options.token)
      u.searchParams.set('access_token', options.token);
    url = u.href;
    this.url = url;
    this.#token = options.token ?? null;
    this.messageId = u.searchParams.get('messageId');
    this.session = u.pathname.match(/^\/api\/sessions\/([^/]+)\/stream$/)?.[1]
      ?? u.searchParams.get('session');
    this.#onEvent = options.onEvent ?? (() => {});
    this.#onState = options.onState ?? (() => {});
    this.#onFrame = options.onFrame ?? (() => {});
    this.#isEnd = options.isEnd
      ?? (/\/api\/sessions\/[^/]+\/stream/.test(url) ? sessionEnded : runEnded);
    this.#retry = { firstMs: 250, maxMs: 8000, ...options.retry };
    this.lastEventId = options.lastEventId ?? null;
    const sink = this.#sink();
    const wanted = options.transport ?? 'auto';
    const websocket = wanted !== 'sse' && typeof WebSocket === 'function';
    this.#transport = websocket
      ? new WebSocketTransport(url, sink, Boolean(options.frames))
      : new SseTransport(url, sink);
    this.#fallback = wanted === 'auto' ? () => new SseTransport(url, sink) : null;
    this.#transport.open(this.lastEventId);
  }

  get state() { return this.#state; }

  /** 'websocket' or 'sse'. */
  get transport() { return this.#transport.name; }

  /**
   * Stops the session's running command on the server (the stream then
   * ends with `complete`, `cancelled: true`). Resolves to the messageId
   * cancelled, or null if nothing was running.
   */
  async cancel() {
    return (await this.#post('cancel')).cancelled;
  }

  /**
   * Decides an `interrupt`: `decision` is one of its `options` (approve,
   * reject, edit, answer); `extra` may carry `input` (edit: the tool input
   * to run instead), `answer` and `message`. Resolves to the resolution;
   * a second decision rejects with code `interrupt_resolved` (409).
   */
  resolve(interruptId, decision, extra = {}) {
    return this.#post(`interrupts/${encodeURIComponent(interruptId)}`,
                      { ...extra, decision });
  }

  /** Holds the session's run before its next step; `resume()` goes on. */
  pause() { return this.#post('pause'); }

  resume() { return this.#post('resume'); }

  /** Takes the session's browser (`'user'`) or hands it back (`'agent'`). */
  control(holder) { return this.#post('control', { holder }); }

  /**
   * A person's input for the page while they hold control (WebSocket
   * only): `{type: 'mousedown', x, y}`, `{type: 'keydown', key}`,
   * `{type: 'text', text}`, ... in the frame's coordinates. False when it
   * could not be sent.
   */
  input(event) {
    if (!this.session || this.#transport.name !== 'websocket')
      return false;
    return this.#transport.send({ type: 'input', session: this.session, event });
  }

  async #post(action, body) {
    if (!this.session)
      throw new Error('the session is not known yet (no start event)');
    const base = new URL(this.url);
    const headers = this.#token ? { Authorization: `Bearer ${this.#token}` } : {};
    if (body !== undefined)
      headers['Content-Type'] = 'application/json';
    const res = await fetch(
      `${base.origin}/api/sessions/${encodeURIComponent(this.session)}/${action}`,
      { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const answer = await res.json().catch(() => ({}));
    if (!res.ok)
      throw Object.assign(new Error(answer.error?.message ?? `HTTP ${res.status}`),
                          { status: res.status, code: answer.error?.code });
    return answer;
  }

  /** Stops for good: no more events, no reconnects. */
  close() {
    this.#shutdown();
    this.#setState('closed');
  }

  #sink() {
    return {
      opened: () => {
        this.#attempt = 0;
        this.#setState('open');
      },
      event: (type, data, id) => this.#receive(type, data, id),
      frame: (header, blob) => {
        this.stats.frames += 1;
        this.#onFrame(header, blob);
      },
      lost: () => this.#reconnectLater(),
      unavailable: () => {
        if (!this.#fallback)
          return this.#reconnectLater();
        // No WebSocket to this server: SSE from here on.
        this.#transport = this.#fallback();
        this.#fallback = null;
        this.#transport.open(this.lastEventId);
      },
      refused: (status, code, message) => {
        if (this.#state === 'closed')
          return;
        this.#transport.close();
        if (status === 204)
          return this.#setState('done', { status });
        if (status >= 400 && status < 500 && status !== 429)
          return this.#setState('failed', { status, code, message });
        this.#reconnectLater();
      },
    };
  }

  #receive(type, data, id) {
    if (this.#state === 'closed' || this.#state === 'done')
      return;
    // Real events have ids from 1; an id of 0 is the server's last word on a
    // connection and resumes nothing.
    if (id > 0 && this.lastEventId !== null && id <= this.lastEventId) {
      this.stats.duplicates += 1;
      return;
    }
    // An operator closed this connection (no id: it is no event of the
    // run, which goes on): resume it, as after any other drop.
    if (type === 'error' && data.code === 'disconnected' && !(id > 0)) {
      this.stats.disconnects += 1;
      return this.#reconnectLater();
    }
    if (id > 0)
      this.lastEventId = id;
    if (type === 'start') {
      this.session = data.session ?? this.session;
      this.messageId = data.messageId ?? this.messageId;
    }
    this.stats.events += 1;
    const last = this.#isEnd(type, data);
    if (last)
      this.#shutdown();
    this.#onEvent(type, data, id);
    if (last)
      this.#setState('done');
  }

  #reconnectLater() {
    if (this.#state === 'closed' || this.#state === 'done')
      return;
    this.#transport.close();
    this.#setState('reconnecting', { attempt: this.#attempt + 1 });
    const delay = Math.min(this.#retry.maxMs, this.#retry.firstMs * 2 ** this.#attempt);
    this.#attempt += 1;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.stats.reconnects += 1;
      this.#transport.open(this.lastEventId);
    }, delay);
  }

  #shutdown() {
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#transport.close();
  }

  #setState(state, detail = {}) {
    this.#state = state;
    this.#onState(state, { transport: this.#transport.name, ...detail });
  }
}
