// Measures the SLA overview in headless Chromium (bench/web_overview_bench.sh starts the collector):
// per round, a fresh page opens the overview; ours is "overview-data" (the API's answer received) to
// "overview-painted" (the next animation frame after the table is in the document); the peer, in the
// same page right after, writes the same rows as one static HTML table (innerHTML) and waits for the
// next frame. Prints each round and the medians.
//   node web_overview_bench.mjs BASE_URL ROUNDS SLAS
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [base, roundsArg, slasArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 7), slas = Number(slasArg ?? 1000);
const src = join(dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(join(src, 'collector', 'web', 'package.json'))('playwright-core');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const ours = [], peer = [], sorts = [];
try {
  for (let i = 0; i < rounds; ++i) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/`);
    await page.waitForFunction(() => document.body.dataset.overview === 'rendered', null, { timeout: 60000 });
    const r = await page.evaluate(async () => {
      const paint = performance.getEntriesByName('overview-painted')[0].startTime;
      const data = performance.getEntriesByName('overview-data')[0].startTime;
      const rendered = performance.getEntriesByName('overview-rendered')[0].startTime;
      const rows = document.querySelectorAll('table[aria-label=SLAs] tbody tr').length;
      // Sort by availability (a click), to the next frame: every row re-sorted, the first page drawn.
      const s0 = performance.now();
      document.querySelectorAll('th button.sort')[2].click();
      await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));
      const sort = performance.now() - s0;
      // The peer: the same rows (the API's answer again, not timed) as one static table.
      const body = await (await fetch('/api/v1/overview')).json();
      const list = body.slas ?? body.items ?? [];
      const esc = (v) => String(v ?? '').replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
      const p0 = performance.now();
      const html = `<table><thead><tr><th>SLA</th><th>Service</th><th>Availability</th><th>Target</th><th>Budget left</th><th>Verdict</th></tr></thead><tbody>${
        list.map((x) => `<tr><td>${esc(x.sla)}</td><td>${esc(x.service)}</td><td>${x.availability == null ? 'n/a' : x.availability.toFixed(3)} %</td><td>${esc(x.target)} %</td><td>${Math.round(x.error_budget_remaining_s)} s</td><td>${x.met === true ? 'met' : x.met === false ? 'not met' : 'not judged'}</td></tr>`).join('')}</tbody></table>`;
      const host = document.createElement('div');
      document.body.appendChild(host);
      host.innerHTML = html;
      await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));
      const peerMs = performance.now() - p0;
      return { ours: paint - data, render: rendered - data, rows, sort, peer: peerMs, peerRows: host.querySelectorAll('tbody tr').length };
    });
    if (r.peerRows !== slas) throw new Error(`the peer table has ${r.peerRows} rows, not ${slas}`);
    ours.push(r.ours); peer.push(r.peer); sorts.push(r.sort);
    console.log(`round ${i + 1}: overview ${r.ours.toFixed(1)} ms to the frame (${r.render.toFixed(1)} ms to rendered, ${r.rows} rows shown of ${slas}); sort ${r.sort.toFixed(1)} ms; peer static table of ${r.peerRows} rows ${r.peer.toFixed(1)} ms`);
    await page.close();
  }
} finally {
  await browser.close();
}
const m = median(ours), p = median(peer);
console.log(`median over ${rounds} rounds: overview ${m.toFixed(1)} ms (goal < 1000 ms: ${m < 1000 ? 'met' : 'MISSED'}), sort ${median(sorts).toFixed(1)} ms, peer ${p.toFixed(1)} ms (ours/peer ${(m / p).toFixed(2)})`);
