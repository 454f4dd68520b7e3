// The Playwright peer of tools/bench/first_navigation.py: on one launched
// Chromium (Debian's, the server's flags), `--runs` times: newContext +
// newPage + goto(url), timed from before newContext to goto's load, GAP
// seconds apart. Prints one JSON line: {"ms": [..]}.
// Run: node first_navigation.mjs URL RUNS GAP
import { chromium } from 'playwright-core';

const [url, runs = '10', gap = '0'] = process.argv.slice(2);
const sleep = (s) => new Promise((done) => setTimeout(done, s * 1000));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync',
         // Chromium calls home (accounts.google.com) for each new context:
         // no name but the page's loopback address resolves, so no DNS
         // query leaves this machine (the server's proxy does the same).
         '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
});
const ms = [];
// The first context warms Chromium up, as the server's warm-up run does.
for (let i = 0; i <= Number(runs); ++i) {
  await sleep(Number(gap));
  const started = performance.now();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  if (i > 0)
    ms.push(performance.now() - started);
  await context.close();
}
await browser.close();
console.log(JSON.stringify({ ms }));
