// Vitest's global setup: the real agenttheo binary on a free loopback port
// with the offline planner and no browser, stopped after the last test.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const binary = process.env.AGENTTHEO_BIN ?? path.join(here, '..', '..', '..', 'build', 'agenttheo');

// The page the tests run in (jsdom's) is at this origin; the server lets it in.
export const PAGE_ORIGIN = 'http://localhost:3000';

export default async function setup({ provide }) {
  // A working directory of its own: its own store (data/agenttheo.db).
  const scratch = mkdtempSync(path.join(tmpdir(), 'agenttheo-js-'));
  const server = spawn(binary, ['serve', '--host', '127.0.0.1', '--port', '0',
    '--browser', 'none', '--planner-token-delay', '20ms', '--allowed-origins', PAGE_ORIGIN],
  { stdio: ['ignore', 'ignore', 'pipe'], cwd: scratch });
  const port = await new Promise((resolve, reject) => {
    let log = '';
    server.stderr.on('data', (chunk) => {
      log += chunk;
      const m = log.match(/listening on http:\/\/[^:]+:(\d+)/);
      if (m) resolve(Number(m[1]));
    });
    server.on('exit', (code) => reject(new Error(`agenttheo exited (${code}):\n${log}`)));
  });
  provide('port', port);
  return async () => {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.on('exit', resolve));
    rmSync(scratch, { recursive: true, force: true });
  };
}
