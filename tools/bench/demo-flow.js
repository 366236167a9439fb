// The demo flow of scripts/portals/demo.js as a plain Playwright script: the yardstick that
// billhound's own runs are measured against (e2e/runspeed_bench_test.go, docs/BENCHMARKS.md).
// It uses the same playwright-core (the driver folder billhound runs on), the same Chromium
// and the same launch arguments, and does what demo.js does: sign in, open the invoice list,
// download every invoice into --out.
//
//   node tools/bench/demo-flow.js --driver .cache/playwright-driver --chromium /usr/bin/chromium \
//     --url http://127.0.0.1:9911 --user demo --password demo-password --out /tmp/x [--runs 10]
//
// Prints one JSON line: {"launchMs": ..., "flowsMs": [...], "files": <per flow>}. With --runs N
// the browser is launched once and the flow runs N times, each in a fresh context. With
// --paced 1 it runs one flow per line on stdin instead (see paced).
const path = require('path');
const fs = require('fs');

function args() {
  const a = { runs: '1' };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i += 2) a[v[i].replace(/^--/, '')] = v[i + 1];
  for (const k of ['driver', 'chromium', 'url', 'user', 'password', 'out'])
    if (!a[k]) throw new Error('missing --' + k);
  return a;
}

// billhound's chromiumArgs (browser/manager.go), so both launch the same browser.
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

async function flow(browser, a, out) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 },
    serviceWorkers: 'block', baseURL: a.url });
  const page = await context.newPage();
  await page.goto('/login');
  await page.fill('#username', a.user);
  await page.fill('#password', a.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('.error, #code, a[href="/logout"]');
  if (await page.$('.error')) throw new Error('login failed: ' + await page.textContent('.error'));
  await page.goto('/invoices');
  let files = 0;
  for (const row of await page.$$('table.invoices tbody tr')) {
    const id = (await (await row.$('td.number')).innerText()).trim();
    await (await row.$('td.date')).innerText();
    await (await row.$('td.amount')).innerText();
    const [download] = await Promise.all([page.waitForEvent('download'), (await row.$('a.pdf')).click()]);
    await download.saveAs(path.join(out, id + '.pdf'));
    files++;
  }
  await context.close();
  return files;
}

// --paced: one flow per line read on stdin, each answered with a line {"flowMs": ..., "files": ...},
// so a caller can alternate these flows with its own on the same warm browser.
async function paced(browser, a) {
  const rl = require('readline').createInterface({ input: process.stdin });
  let i = 0;
  for await (const _ of rl) {
    const out = path.join(a.out, String(i++));
    fs.mkdirSync(out, { recursive: true });
    const t = performance.now();
    const files = await flow(browser, a, out);
    console.log(JSON.stringify({ flowMs: performance.now() - t, files }));
  }
}

(async () => {
  const a = args();
  const { chromium } = require(path.resolve(a.driver, 'package'));
  let t = performance.now();
  const browser = await chromium.launch({ executablePath: a.chromium, headless: true, args: chromiumArgs });
  const launchMs = performance.now() - t;
  if (a.paced) {
    await paced(browser, a);
    await browser.close();
    return;
  }
  const flowsMs = [];
  let files = 0;
  for (let i = 0; i < +a.runs; i++) {
    const out = path.join(a.out, String(i));
    fs.mkdirSync(out, { recursive: true });
    t = performance.now();
    files = await flow(browser, a, out);
    flowsMs.push(performance.now() - t);
  }
  await browser.close();
  console.log(JSON.stringify({ launchMs, flowsMs, files }));
})().catch((e) => { console.error(e); process.exit(1); });
