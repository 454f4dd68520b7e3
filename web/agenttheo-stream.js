// AgentTheo's event stream for any page: EventSource with resume, parse and
// dispatch. The web UI uses it; so can your own pages:
//
//   import { EventStream } from '/agenttheo-stream.js';
//   const stream = new EventStream('/stream?command=read%20the%20page', {
//     onEvent: (type, data, id) => { if (type === 'token') out.append(data.token); },
//     onState: (state, detail) => banner.hidden = state !== 'reconnecting',
//   });
//   // ... stream.close() to stop early.
//
// What it adds to a bare EventSource:
// - Resume. A dropped connection is reopened with `lastEventId`, after a
//   short backoff, so the server replays exactly what was missed.
// - No duplicates. An event whose id is not above the last one dispatched is
//   dropped (and counted in `stats.duplicates`).
// - An end. The stream closes itself on its last event (`complete`, a final
//   `error`, or `status: closed` for a session stream) instead of letting
//   EventSource reconnect forever.
// - Reasons. EventSource hides why the server refused a connection; one
//   plain GET of the same URL reads the JSON error (4xx), or learns that there
//   is nothing left to send (204), or that the server is busy (5xx: retry).

/** Every event type the server sends. */
export const EVENT_TYPES = Object.freeze([
  'start', 'status', 'progress', 'token', 'message', 'tool_start', 'tool_end',
  'update', 'custom', 'screenshot', 'complete', 'error', 'gap',
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

/** `url` with `name=value` set in its query. */
export function withParam(url, name, value) {
  const u = new URL(url, location.href);
  u.searchParams.set(name, String(value));
  return u.pathname + u.search;
}

export class EventStream {
  #url;
  #onEvent;
  #onState;
  #isEnd;
  #retry;
  #source = null;
  #timer = null;
  #attempt = 0;
  #state = 'connecting';

  /** The id of the last event dispatched (null before the first). */
  lastEventId = null;
  /** What happened so far: events, duplicates dropped, reconnects. */
  stats = { events: 0, duplicates: 0, reconnects: 0 };

  /**
   * @param {string} url  `/stream?...` or `/api/sessions/{id}/stream`
   * @param {object} options
   *   onEvent(type, data, id)  every event, parsed, in order, once
   *   onState(state, detail)   connecting | open | reconnecting | done | failed | closed
   *   isEnd(type, data)        the stream's last event (default: a run's end,
   *                            or a session's for a session stream URL)
   *   lastEventId              resume after this id
   *   retry {firstMs, maxMs}   the reconnect backoff
   */
  constructor(url, options = {}) {
    this.#url = url;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#onState = options.onState ?? (() => {});
    this.#isEnd = options.isEnd
      ?? (/\/api\/sessions\/[^/]+\/stream/.test(url) ? sessionEnded : runEnded);
    this.#retry = { firstMs: 250, maxMs: 8000, ...options.retry };
    this.lastEventId = options.lastEventId ?? null;
    this.#open();
  }

  get state() { return this.#state; }

  /** Stops for good: no more events, no reconnects. */
  close() {
    this.#shutdown();
    this.#setState('closed');
  }

  #open() {
    const url = this.lastEventId === null
      ? this.#url : withParam(this.#url, 'lastEventId', this.lastEventId);
    const source = new EventSource(url);
    this.#source = source;
    source.onopen = () => {
      this.#attempt = 0;
      this.#setState('open');
    };
    for (const type of EVENT_TYPES)
      source.addEventListener(type, (e) => this.#receive(source, type, e));
  }

  #receive(source, type, e) {
    if (source !== this.#source)
      return; // a late event from a connection already given up
    // `error` is also EventSource's name for a failed connection: that one
    // carries no data.
    if (type === 'error' && e.data === undefined)
      return this.#connectionLost(source);
    // Real events have ids from 1; a frame with id 0 is the server's last
    // word on a connection and resumes nothing.
    const id = e.lastEventId ? Number(e.lastEventId) : 0;
    if (id > 0 && this.lastEventId !== null && id <= this.lastEventId) {
      this.stats.duplicates += 1;
      return;
    }
    let data;
    try {
      data = JSON.parse(e.data);
    } catch {
      data = { raw: e.data };
    }
    if (id > 0)
      this.lastEventId = id;
    this.stats.events += 1;
    const last = this.#isEnd(type, data);
    if (last)
      this.#shutdown();
    this.#onEvent(type, data, id);
    if (last)
      this.#setState('done');
  }

  #connectionLost(source) {
    const refused = source.readyState === EventSource.CLOSED;
    this.#shutdown();
    if (refused)
      this.#askWhy();
    else
      this.#reconnectLater();
  }

  // The server answered something other than a stream. Ask once more with a
  // plain request to read what it was.
  async #askWhy() {
    const url = this.lastEventId === null
      ? this.#url : withParam(this.#url, 'lastEventId', this.lastEventId);
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
    if (this.#state === 'closed')
      return; // closed meanwhile
    if (status === 204)
      return this.#setState('done', { status });
    if (status >= 400 && status < 500 && status !== 429)
      return this.#setState('failed', {
        status,
        code: body?.error?.code ?? body?.code ?? `http_${status}`,
        message: body?.error?.message ?? body?.message
          ?? `the server answered ${status}`,
      });
    this.#reconnectLater();
  }

  #reconnectLater() {
    this.#setState('reconnecting', { attempt: this.#attempt + 1 });
    const delay = Math.min(this.#retry.maxMs,
                           this.#retry.firstMs * 2 ** this.#attempt);
    this.#attempt += 1;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.stats.reconnects += 1;
      this.#open();
    }, delay);
  }

  #shutdown() {
    clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#source) {
      this.#source.close();
      this.#source = null;
    }
  }

  #setState(state, detail = {}) {
    this.#state = state;
    this.#onState(state, detail);
  }
}
