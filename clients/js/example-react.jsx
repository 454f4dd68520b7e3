import { useAgentStream } from 'agenttheo-client';

export function Run({ command, base }) {
  const run = useAgentStream(`/stream?command=${encodeURIComponent(command)}`, { base });
  return (
    <section>
      {run.progress && <p>step {run.progress.step} of {run.progress.total}</p>}
      <pre>{run.tokens}</pre>
      {run.tools.map((t) => <p key={t.call_id}>{t.tool_name}: {t.ok ? 'ok' : '…'}</p>)}
      {run.status === 'open' && <button onClick={run.cancel}>Stop</button>}
      {run.result && <p>done in {run.result.steps} steps</p>}
      {run.error && <p role="alert">{run.error.code}</p>}
    </section>
  );
}
