// useAgentStream in a React render (jsdom) against the real server.
import { expect, inject, test } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/react';

import { useAgentStream } from '../index.js';

const base = () => `http://127.0.0.1:${inject('port')}`;

test('the hook re-renders as the run streams and ends with its result', async () => {
  const { result } = renderHook(() => useAgentStream('/stream?command=hello', { base: base() }));
  await waitFor(() => expect(result.current.tokens.length).toBeGreaterThan(0));
  expect(result.current.status).toBe('open');
  await waitFor(() => expect(result.current.status).toBe('done'), { timeout: 20000 });
  expect(result.current.transport).toBe('websocket');
  expect(result.current.result.result).toBe(result.current.tokens);
  expect(result.current.progress).toMatchObject({ step: 1 });
  expect(result.current.session).toMatch(/^s-/);
});

test('cancel from the hook, and a refusal as an error', async () => {
  const { result } = renderHook(() => useAgentStream('/stream?command=hello', { base: base() }));
  await waitFor(() => expect(result.current.tokens.length).toBeGreaterThan(0));
  await act(() => result.current.cancel());
  await waitFor(() => expect(result.current.status).toBe('done'), { timeout: 20000 });
  expect(result.current.result.cancelled).toBe(true);

  const refused = renderHook(() => useAgentStream('/stream?session=nope&command=hi',
                                                   { base: base() }));
  await waitFor(() => expect(refused.result.current.status).toBe('failed'));
  expect(refused.result.current.error).toMatchObject({ status: 404, code: 'unknown_session' });
});

test('null stays idle', () => {
  const { result } = renderHook(() => useAgentStream(null));
  expect(result.current.status).toBe('idle');
});

test('the outcome says whether the run got there', async () => {
  const {reduceEvent} = await import('../use-agent-stream.js');
  const start = {status : 'open', events : [], tools : [], outcome : null};
  const failed = reduceEvent(
    start, 'complete',
    {result : 'I could not finish: click failed', outcome : 'failed'}, 9);
  expect(failed.outcome).toBe('failed');
  expect(failed.result.result).toMatch(/could not finish/);
  expect(reduceEvent(start, 'complete', {result : 'ok', cancelled : false}, 9)
           .outcome)
    .toBe('success');
  expect(
    reduceEvent(start, 'error', {code : 'llm_timeout', message : 'slow'}, 9)
      .outcome)
    .toBe('failed');
  expect(
    reduceEvent(start, 'error', {code : 'browser_crashed', final : false}, 9)
      .outcome)
    .toBe(null);
});
