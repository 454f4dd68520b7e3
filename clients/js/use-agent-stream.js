// useAgentStream: a React hook over EventStream. Give it a stream URL (or
// null to stay idle); it follows the run and re-renders with what a view
// needs: the answer so far, the step, the tool calls, the outcome.
//
//   const run = useAgentStream(`/stream?command=${encodeURIComponent(cmd)}`);
//   run.tokens; run.progress; run.tools; run.result; run.error; run.cancel();

import { useCallback, useEffect, useRef, useState } from 'react';

import { EventStream } from '../../web/agenttheo-stream.js';

const initial = {
  status :
    'idle', // idle | connecting | open | reconnecting | done | failed | closed
  transport : null, // 'websocket' | 'sse'
  session : null,
  messageId : null,
  events : [],     // every event: {type, id, data}
  tokens : '',     // the answer as it streams
  progress : null, // {step, total, message}
  tools : [],    // {call_id, tool_name, tool_input, ok?, output?, duration_ms?}
  result : null, // the `complete` event's data
  outcome : null, // success | failed | max_steps | cancelled, once it ended
  error :
    null, // an `error` event's data, or the refusal {status, code, message}
};

/** The next view of the run after one event. */
export function reduceEvent(state, type, data, id) {
  const next = { ...state, events: [...state.events, { type, id, data }] };
  switch (type) {
    case 'start':
      return { ...next, session: data.session, messageId: data.messageId };
    case 'token':
      return { ...next, tokens: state.tokens + data.token };
    case 'progress':
      return { ...next, progress: { step: data.step, total: data.total, message: data.message } };
    case 'tool_start':
      return { ...next, tools: [...state.tools, { call_id: data.call_id, tool_name: data.tool_name,
                                                  tool_input: data.tool_input }] };
    case 'tool_end':
      return { ...next, tools: state.tools.map((t) => (t.call_id === data.call_id
        ? { ...t, ok: data.ok, output: data.output, duration_ms: data.duration_ms } : t)) };
    case 'complete':
      // A run whose last step failed completes with outcome `failed`: its
      // answer says what could not be done.
      return {
        ...next,
        result : data,
        outcome : data.outcome ?? (data.cancelled ? 'cancelled' : 'success')
      };
    case 'error':
      return {
        ...next,
        error : data,
        outcome : data.final === false ? state.outcome : 'failed'
      };
    default:
      return next;
  }
}

/**
 * @param {string|null} url  `/stream?...` or `/api/sessions/{id}/stream`; null: idle
 * @param {object} options   EventStream's options (base, token, transport, ...)
 */
export function useAgentStream(url, options = {}) {
  const [state, setState] = useState(initial);
  const stream = useRef(null);
  const latest = useRef(options);
  latest.current = options;

  useEffect(() => {
    if (!url)
      return undefined;
    setState({ ...initial, status: 'connecting' });
    const s = new EventStream(url, {
      ...latest.current,
      onEvent: (type, data, id) => {
        setState((prev) => reduceEvent(prev, type, data, id));
        latest.current.onEvent?.(type, data, id);
      },
      onState: (status, detail) => {
        setState((prev) => ({
          ...prev, status, transport: detail.transport,
          error: status === 'failed' ? { status: detail.status, code: detail.code,
                                         message: detail.message } : prev.error,
        }));
        latest.current.onState?.(status, detail);
      },
    });
    stream.current = s;
    return () => {
      s.close();
      if (stream.current === s)
        stream.current = null;
    };
  }, [url]);

  const cancel = useCallback(() => stream.current?.cancel() ?? Promise.resolve(null), []);
  return { ...state, cancel };
}
