import { EventStream } from 'agenttheo-client';

// Runs one command; resolves with the answer, or rejects with the refusal.
export function run(command, base) {
  return new Promise((resolve, reject) => {
    let answer = '';
    new EventStream(`/stream?command=${encodeURIComponent(command)}`, {
      base, // omit in a page served by AgentTheo
      onEvent: (type, data) => {
        if (type === 'token') answer += data.token;
        if (type === 'complete') resolve({ answer, steps: data.steps });
      },
      onState: (state, detail) => {
        if (state === 'failed') reject(new Error(`${detail.status} ${detail.code}`));
      },
    });
  });
}
