// Opens one scenario page of the Royale suite in headless Chromium and
// relays its FLEXGATE console lines (tests/royale/app/Bridge.as):
//   stdout: `step NAME JSON`, `result NAME JSON`, `log TEXT`
//   stdin:  `go NAME` answers a step (calls window.flexgateGo(NAME)).
// Usage: node driver.js URL CHROMIUM_PATH
'use strict';
const { chromium } = require('playwright-core');
const readline = require('readline');

const [url, executablePath] = process.argv.slice(2);
if (!url || !executablePath) {
  console.error('usage: node driver.js URL CHROMIUM_PATH');
  process.exit(2);
}

function out(line) {
  process.stdout.write(line + '\n');
}

(async () => {
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage();
  let finished;
  const done = new Promise((resolve) => { finished = resolve; });
  page.on('console', (msg) => {
    const text = msg.text();
    if (!text.startsWith('FLEXGATE ')) {
      out('log console ' + text.replace(/\n/g, ' '));
      return;
    }
    let m;
    try {
      m = JSON.parse(text.slice('FLEXGATE '.length));
    } catch (e) {
      out('log unparsable ' + text);
      return;
    }
    if (m.kind === 'step') out(`step ${m.name} ${JSON.stringify(m.data)}`);
    else if (m.kind === 'result') { out(`result ${m.name} ${JSON.stringify(m.data)}`); finished(); }
    else out('log page ' + m.name + (m.data == null ? '' : ' ' + JSON.stringify(m.data)));
  });
  page.on('pageerror', (e) => out('log pageerror ' + String(e.stack || e).replace(/\n/g, ' ')));
  page.on('requestfailed', (r) => out(`log requestfailed ${r.method()} ${r.url()} ${r.failure() && r.failure().errorText}`));
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const [cmd, name] = line.trim().split(/\s+/);
    if (cmd === 'go') {
      page.evaluate((n) => window.flexgateGo(n), name).catch((e) => out('log go failed ' + e.message));
    }
  });
  await page.goto(url);
  await done;
  await browser.close();
})().catch((e) => {
  out('result crashed ' + JSON.stringify({ error: String(e && e.stack || e) }));
  process.exit(1);
});
