// EventStream, the web UI's client module, in Node (WebSocket from `ws`,
// EventSource from `eventsource`; see setup.js) against the real server.
import { describe, expect, inject, test } from 'vitest';

import { EventStream } from '../index.js';
import { startProxy } from './proxy.js';

const base = () => `http://127.0.0.1:${inject('port')}`;

/** Follows `url` to its end: the events, the final state, the stream. */
function follow(url, options = {}, onEach = () => {}) {
  return new Promise((resolve) => {
    const events = [];
    const stream = new EventStream(url, {
      base: base(),
      retry: { firstMs: 50, maxMs: 200 },
      ...options,
      onEvent: (type, data, id) => {
        events.push({ type, data, id });
        onEach(stream, type, data, id, events);
      },
      onState: (state, detail) => {
        if (state === 'done' || state === 'failed')
          resolve({ events, state, detail, stream });
      },
    });
  });
}

async function serverEvents(messageId) {
  const res = await fetch(`${base()}/api/runs/${messageId}/events`);
  return (await res.json()).events;
}

/** As an operator would from the admin console: drops the connection
 *  streaming `session` (a WebSocket is found through its subscription). */
async function disconnectRunConnection(transport, session) {
  for (;;) {
    const tree = await (await fetch(`${base()}/api/admin/actors`)).json();
    const children = tree.sessions.find((s) => s.name === session)?.children ?? [];
    const sse = children.find((c) => c.kind === 'sse_connection');
    const sub = children.find((c) => c.kind === 'ws_subscription');
    const conn = transport === 'sse' ? sse
      : tree.connections.find((c) => sub && c.subscriptions.includes(sub.actor));
    if (conn) {
      await fetch(`${base()}/api/admin/connections/${conn.actor}/disconnect`, { method: 'POST' });
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(['websocket', 'sse'])('over %s', (transport) => {
  test('a full run, in order, once', async () => {
    const { events, state, stream } = await follow('/stream?command=hello', { transport });
    expect(state).toBe('done');
    expect(stream.transport).toBe(transport);
    expect(events[0].type).toBe('start');
    expect(events.at(-1).type).toBe('complete');
    const ids = events.map((e) => e.id);
    expect(ids).toEqual(ids.map((_, i) => ids[0] + i));
    const tokens = events.filter((e) => e.type === 'token').map((e) => e.data.token).join('');
    expect(tokens).toBe(events.at(-1).data.result);
    expect(stream.session).toBe(events[0].data.session);
    expect((await serverEvents(stream.messageId)).map((e) => e.id)).toEqual(ids);
  });

  test('a server-side drop resumes without a duplicate or a gap', async () => {
    const proxy = await startProxy(inject('port'));
    try {
      const messageId = `js-drop-${transport}`;
      const { events, state, stream } = await follow(
        `http://127.0.0.1:${proxy.port}/stream?command=hello&messageId=${messageId}`,
        { transport },
        (_s, _type, _data, _id, seen) => {
          if (seen.length === 5 || seen.length === 25) proxy.cut();
        });
      expect(state).toBe('done');
      expect(proxy.dropped).toBeGreaterThanOrEqual(2);
      expect(stream.stats.reconnects).toBeGreaterThanOrEqual(2);
      expect(events.map((e) => e.id)).toEqual((await serverEvents(messageId)).map((e) => e.id));
    } finally {
      await proxy.close();
    }
  });

  test('cancel stops the run on the server', async () => {
    const { events } = await follow('/stream?command=hello', { transport },
      (stream, type, data) => {
        if (type === 'token' && data.metadata.count === 2) stream.cancel();
      });
    expect(events.some((e) => e.type === 'status' && e.data.state === 'cancelled')).toBe(true);
    expect(events.at(-1).data.cancelled).toBe(true);
  });

  test('an operator disconnect is resumed, not dispatched', async () => {
    const messageId = `js-kicked-${transport}`;
    let kicked = false;
    const { events, state, stream } = await follow(
      `/stream?command=hello&messageId=${messageId}`, { transport },
      (s, type) => {
        if (type === 'token' && !kicked) {
          kicked = true;
          disconnectRunConnection(transport, s.session);
        }
      });
    expect(state).toBe('done');
    expect(stream.stats.disconnects).toBe(1);
    expect(events.some((e) => e.type === 'error')).toBe(false);
    expect(events.map((e) => e.id)).toEqual((await serverEvents(messageId)).map((e) => e.id));
  });

  test('an interrupt arrives typed and resolve answers it', async () => {
    const decided = [];
    const { events, state } = await follow(
      `/stream?command=${encodeURIComponent('ask me which size')}&interrupt_timeout=5m`,
      { transport },
      (stream, type, data) => {
        if (type === 'interrupt')
          decided.push(stream.resolve(data.interrupt_id, 'answer', { answer: 'medium' })
            .then(async (first) => {
              const second = await stream.resolve(data.interrupt_id, 'reject')
                .catch((e) => e);
              return [first, second];
            }));
      });
    expect(state).toBe('done');
    const asked = events.find((e) => e.type === 'interrupt').data;
    expect(asked).toMatchObject({ kind: 'question', question: 'which size',
                                  options: ['answer', 'reject'] });
    const [first, second] = await decided[0];
    expect(first).toMatchObject({ decision: 'answer', answer: 'medium', by: 'api' });
    expect(second).toMatchObject({ status: 409, code: 'interrupt_resolved' });
    expect(events.find((e) => e.type === 'interrupt_resolved').data.answer).toBe('medium');
    expect(events.at(-1).data.result).toBe('You answered: medium');
  });

  test('a 4xx becomes a clear failure', async () => {
    const { state, detail, events } = await follow(
      `/stream?command=${'x'.repeat(5000)}`, { transport });
    expect(state).toBe('failed');
    expect(detail).toMatchObject({ status: 400, code: 'command_too_long' });
    expect(events).toEqual([]);
  });
});

test('the session is known before the first event, from the URL', () => {
  const stream = new EventStream('/api/sessions/s-abc/stream', { base: base(), transport: 'sse' });
  expect(stream.session).toBe('s-abc');
  stream.close();
});
