import { defineConfig } from 'vitest/config';

import { fileURLToPath } from 'node:url';

export default defineConfig({
  // The examples import the package by name, as an app would.
  resolve: { alias: { 'agenttheo-client': fileURLToPath(new URL('./index.js', import.meta.url)) } },
  test: {
    environment: 'jsdom',
    environmentOptions: { jsdom: { url: 'http://localhost:3000/' } },
    globalSetup: './test/server.js',
    setupFiles: ['./test/setup.js'],
    testTimeout: 30000,
    hookTimeout: 30000,
    // One real server for every file; files run one after another.
    fileParallelism: false,
  },
});
