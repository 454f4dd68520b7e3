// The README's JavaScript and React examples, run as written.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, inject, test } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import { createElement } from 'react';

import { run } from '../example.js';
import { Run } from '../example-react.jsx';

const here = path.dirname(fileURLToPath(import.meta.url));
const base = () => `http://127.0.0.1:${inject('port')}`;

function readmeBlock(heading, lang) {
  const readme = readFileSync(path.join(here, '..', '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  return section.match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'))[1];
}

test('the README shows the examples exactly', () => {
  expect(readmeBlock('### JavaScript', 'javascript'))
    .toBe(readFileSync(path.join(here, '..', 'example.js'), 'utf8'));
  expect(readmeBlock('### React', 'jsx'))
    .toBe(readFileSync(path.join(here, '..', 'example-react.jsx'), 'utf8'));
});

test('the JavaScript example', async () => {
  const { answer, steps } = await run('hello', base());
  expect(answer).toContain('offline planner');
  expect(steps).toBe(1);
  await expect(run('x'.repeat(5000), base())).rejects.toThrow('400 command_too_long');
});

test('the React example', async () => {
  render(createElement(Run, { command: 'hello', base: base() }));
  await screen.findByText('Stop');
  await waitFor(() => screen.getByText('done in 1 steps'), { timeout: 20000 });
  expect(screen.getByText(/offline planner/)).toBeTruthy();
  expect(screen.queryByText('Stop')).toBeNull();
});
