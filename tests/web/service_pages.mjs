// The web UI's service owner pages in headless Chromium (tests/web/service_pages_test.sh starts the
// collector): every figure checked here is fetched from the API by this script and compared with what
// the page shows.
//   node service_pages.mjs BASE_URL OUT_DIR
import { join } from 'node:path';
import { check, launchBrowser, newPage, src } from './browser.mjs';

const [base, out] = process.argv.slice(2);
const { percent, duration } = await import(join(src, 'collector', 'web', 'src', 'lib', 'format.js'));
const { overviewOf } = await import(join(src, 'collector', 'web', 'src', 'lib', 'shapes.js'));
const getJson = async (path) => {
  const r = await fetch(`${base}${path}`);
  check(r.ok, `${path}: HTTP ${r.status}`);
  return r.json();
};

const catalogue = await getJson('/api/v1/catalogue');
const overview = overviewOf(await getJson('/api/v1/overview'));
check(overview.rows.length === catalogue.slas.length, `the overview has one row per SLA (${overview.rows.length})`);
const browser = await launchBrowser();
try {
  const errors = [];
  const page = await newPage(browser, errors);

  // 1. The overview: one row per SLA with the availability, target, budget left and verdict of the
  // answer the page got from /api/v1/overview (the figures move with the engine's snapshot).
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/overview'));
  await page.goto(`${base}/`);
  const got = overviewOf(await (await answer).json());
  check(got.rows.length === overview.rows.length, 'the page got every SLA');
  await page.waitForSelector('table[aria-label=SLAs] tbody tr');
  const kpiShown = await page.textContent('[data-kpi]');
  check(kpiShown === (got.kpi?.percent == null ? 'n/a' : percent(got.kpi.percent, 2)), `KPI ${kpiShown}`);
  for (const r of got.rows) {
    const cells = await page.$$eval(`tr[data-sla="${r.sla}"] td`, (tds) => tds.map((td) => td.textContent.trim()));
    check(cells[2] === percent(r.availability), `overview ${r.sla} availability ${cells[2]} != ${percent(r.availability)}`);
    check(cells[3] === `${r.target} %`, `overview ${r.sla} target ${cells[3]}`);
    check(cells[4] === duration(r.error_budget_remaining_s), `overview ${r.sla} budget ${cells[4]}`);
    check(cells[5].startsWith(r.met === true ? 'met' : r.met === false ? 'not met' : 'not judged'), `overview ${r.sla} verdict ${cells[5]}`);
  }
  // Filter by text, then clear; sort by availability with the keyboard.
  await page.fill('input[type=search]', 'no-such-sla');
  check((await page.$$('table[aria-label=SLAs] tbody tr')).length === 0, 'the filter hides every row');
  await page.fill('input[type=search]', '');
  await page.focus('th button.sort >> nth=2');
  await page.keyboard.press('Enter');
  check(await page.getAttribute('th:nth-child(3)', 'aria-sort') === 'ascending', 'sorted by availability');
  await page.screenshot({ path: join(out, 'overview-light.png'), fullPage: true });

  // 2. Enter on the shop-gold row opens its service page; its figures are the report's.
  const sla = catalogue.slas.find((s) => s.id === 'shop-gold');
  await page.focus('tr[data-sla="shop-gold"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`section.sla[data-sla="shop-gold"] table.figures`);
  const [label, asOf] = await page.$eval('section.sla table.figures thead th[data-period]', (th) => [th.dataset.period, th.dataset.asOf]);
  const report = await getJson(`/api/v1/slas/shop-gold/report?period=${label}&as_of=${asOf}`);
  const shown = await page.$$eval('section.sla table.figures tbody tr', (rows) =>
    Object.fromEntries(rows.map((r) => [r.querySelector('th').textContent, r.querySelector('td').textContent])));
  check(shown.Availability === percent(report.availability), `service page availability ${shown.Availability} != ${percent(report.availability)}`);
  check(shown['Error budget remaining'] === duration(report.error_budget_remaining_s), `budget ${shown['Error budget remaining']}`);
  check(shown.Outages === String(report.outage_count), `outages ${shown.Outages} != ${report.outage_count}`);
  const outageRows = await page.$$eval('section.sla table.outages tbody tr', (rs) => rs.length).catch(() => 0);
  check(outageRows === report.outages.length, `outage rows ${outageRows} != ${report.outages.length}`);
  check(sla.service === 'shop', 'shop-gold is on shop');
  // A bar per day of the report (its `days`), with a counted-down segment exactly on the days with
  // counted downtime.
  const bars = await page.$$eval('section.sla[data-sla="shop-gold"] svg.daybars g.day', (gs) =>
    gs.map((g) => [g.dataset.date, g.querySelector('rect.seg.down') !== null]));
  const want = report.days.map((d) => [d.date, d.down_s > 0]);
  check(JSON.stringify(bars) === JSON.stringify(want), `day bars ${JSON.stringify(bars)} != ${JSON.stringify(want)}`);
  check(want.some(([, down]) => down), 'the fixture has a day with counted downtime');
  await page.screenshot({ path: join(out, 'service-light.png'), fullPage: true });

  // 3. A CI: its probes' latest results as /api/v1/probes/{id}/results gives them.
  await page.goto(`${base}/#/cis/web`);
  await page.waitForFunction(() => [...document.querySelectorAll('td[data-col=latest]')].every((td) => td.textContent !== '…'));
  const latest = await page.$eval('tr[data-probe="web.tcp"] td[data-col=latest]', (td) => td.textContent);
  const res = await getJson('/api/v1/probes/web.tcp/results?limit=1');
  const last = (Array.isArray(res) ? res : res.items ?? res.results)[0];
  check(latest.startsWith(last.status), `latest result of web.tcp: ${latest} (API: ${last.status})`);
  await page.waitForSelector('.chart canvas');
  await page.screenshot({ path: join(out, 'ci-light.png'), fullPage: true });

  // 4. The print view: the HTML report of the period in a frame.
  await page.goto(`${base}/#/print/shop-gold/${label}`);
  const frame = await (await page.waitForSelector('iframe.report-frame')).contentFrame();
  await frame.waitForSelector('h1');
  check((await frame.textContent('h1')).includes('SLA shop-gold'), 'the print view shows the report of shop-gold');
  check((await page.$$eval('header', (h) => getComputedStyle(h[0]).display)) !== 'none', 'the header shows on screen');
  await page.emulateMedia({ media: 'print' });
  check((await page.$$eval('header', (h) => getComputedStyle(h[0]).display)) === 'none', 'no header in print');
  await page.emulateMedia({ media: 'screen' });

  // 5. A phone: 390 px wide, the overview readable (no page-wide horizontal scroll), dark theme.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  await phone.goto(`${base}/`);
  await phone.waitForSelector('table[aria-label=SLAs] tbody tr');
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 390, `the phone page is ${wide} px wide`);
  const [tw, cw] = await phone.$eval('table.overview', (t) => [t.parentElement.scrollWidth, t.parentElement.clientWidth]);
  check(tw <= cw, `the overview table fits the phone (${tw} px in ${cw} px)`);
  await phone.screenshot({ path: join(out, 'overview-phone-dark.png'), fullPage: true });
  check(errors.length === 0, `errors in the page: ${errors.join('; ')}`);
  console.log(`PASS: overview (${overview.rows.length} SLAs), service shop-gold (${label}), CI web, print view, phone`);
} finally {
  await browser.close();
}
