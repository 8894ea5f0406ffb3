// The web UI in headless Chromium (Debian's /usr/bin/chromium, driven by collector/web/'s pinned
// playwright-core): opens the service tree served by a running collector, checks that it shows what
// /api/v1/catalogue returns (every root service, their children once opened with the keyboard, a CI's
// probes), clicks through service -> CI -> probe, opens the agents table and checks it against
// /api/v1/agents, the maintenance page's list and form checks, and takes screenshots (light and
// dark) into OUT_DIR.
//   node tree_page.mjs BASE_URL OUT_DIR
import { join } from 'node:path';
import { check, launchBrowser, newPage } from './browser.mjs';

const [base, out] = process.argv.slice(2);

const catalogue = await (await fetch(`${base}/api/v1/catalogue`)).json();
const agents = (await (await fetch(`${base}/api/v1/agents?limit=1000`)).json()).items;
const browser = await launchBrowser();
try {
  const errors = [];
  const page = await newPage(browser, errors);

  await page.goto(`${base}/#/services`);
  await page.waitForSelector('ul.tree');
  // Every root service, in the API's order, with the counts the API gives.
  const roots = await page.$$eval('ul.tree > li[data-kind=service]', (els) => els.map((e) => e.dataset.id));
  check(JSON.stringify(roots) === JSON.stringify(catalogue.roots), `roots ${roots} != ${catalogue.roots}`);
  check((await page.$$('#app > p.loading')).length === 0, 'the static "Loading…" is gone once the page is up');
  const counts = await page.textContent('main p.muted');
  check(counts.includes(`${catalogue.counts.services} services, ${catalogue.counts.cis} CIs, ${catalogue.counts.probes} probes`),
    `counts line: ${counts}`);
  // Live status: every node shown has the status /api/v1/status gives it.
  const live = (await (await fetch(`${base}/api/v1/status?limit=1000`)).json()).items.filter((x) => x.kind !== 'probe');
  await page.waitForSelector('li[data-kind] .status');
  const shownStatus = await page.$$eval('li[data-kind=service], li[data-kind=ci]', (els) => els.map((e) => [e.dataset.id, e.querySelector(':scope > .status')?.dataset.status]));
  for (const [id, st] of shownStatus) {
    const want = live.find((x) => x.id === id)?.status;
    check(st === want, `the status of ${id} in the tree: ${st}, the API: ${want}`);
  }
  check(shownStatus.length > 0 && shownStatus.every(([, st]) => st), `every node shown has a status: ${JSON.stringify(shownStatus)}`);
  // Roots are open: their children are the API's children.
  for (const id of catalogue.roots) {
    const svc = catalogue.services.find((s) => s.id === id);
    const shown = await page.$$eval(`li[data-kind=service][data-id="${id}"] > ul > li`, (els) => els.map((e) => e.dataset.id));
    check(JSON.stringify(shown) === JSON.stringify(svc.children.map((c) => c.id)), `children of ${id}: ${shown}`);
  }
  // Open a CI with the keyboard: its probes appear.
  const ci = catalogue.cis.find((c) => c.probes.length > 0 && c.parents.length > 0 && catalogue.roots.includes(c.parents[0]));
  check(ci, 'a CI under a root service');
  await page.focus(`li[data-kind=ci][data-id="${ci.id}"] > button.toggle`);
  await page.keyboard.press('Enter');
  const probes = await page.$$eval(`li[data-kind=ci][data-id="${ci.id}"] li[data-kind=probe]`, (els) => els.map((e) => e.dataset.id));
  check(JSON.stringify(probes) === JSON.stringify(ci.probes), `probes of ${ci.id}: ${probes}`);
  await page.screenshot({ path: join(out, 'tree-light.png'), fullPage: true });

  // Click through: the CI's page, then a probe's.
  await page.click(`li[data-kind=ci][data-id="${ci.id}"] > a`);
  await page.waitForSelector('h1');
  check((await page.$$eval('tbody tr', (r) => r.length)) === ci.probes.length, 'the CI page lists its probes');
  const probe = catalogue.probes.find((p) => p.id === ci.probes[0]);
  await page.click(`a[href="#/probes/${encodeURIComponent(probe.id)}"]`);
  await page.waitForFunction((id) => document.querySelector('h1')?.textContent === id, probe.id);
  check((await page.textContent('main')).includes(probe.target), `the probe page shows its target ${probe.target}`);

  // The agents table: one row per agent, connected as the API says.
  await page.click('a[href="#/agents"]');
  await page.waitForSelector('table[aria-label=Agents] tbody tr');
  const rows = await page.$$eval('tbody tr', (rs) => rs.map((r) => [r.dataset.agent, r.children[1].textContent]));
  check(JSON.stringify(rows) === JSON.stringify(agents.map((a) => [a.name, a.connected ? 'yes' : 'no'])),
    `agents table ${JSON.stringify(rows)}`);
  await page.screenshot({ path: join(out, 'agents-light.png'), fullPage: true });

  // The maintenance page: the catalogue's windows listed; the form checks its fields before sending.
  const windows = (await (await fetch(`${base}/api/v1/maintenance?limit=1000`)).json()).items;
  await page.click('a[href="#/maintenance"]');
  await page.waitForSelector('form.maintenance');
  await page.waitForFunction(() => !document.querySelector('main')?.textContent.includes('Loading'));
  const listed = await page.$$eval('tr[data-window]', (rs) => rs.map((r) => r.dataset.window));
  check(JSON.stringify(listed) === JSON.stringify(windows.map((w) => w.id)), `maintenance windows listed: ${listed}`);
  await page.fill('input[name=from]', '2020-01-01T00:00');
  await page.click('form.maintenance button[type=submit]');
  const problems = await page.$$eval('form.maintenance p.error', (ps) => ps.map((p) => p.textContent));
  check(problems.includes('a window may not start in the past') && problems.includes('name at least one service or CI'),
    `the form's checks: ${problems}`);
  check((await page.$$('input[aria-invalid=true]')).length === 4, 'targets, from, who and why are marked invalid');

  // Scheduling a window through the form: it is listed, the API has it with who and why, the shop's
  // timeline marks it; then "End now" (who and why from the form) cancels it before it begins.
  const local = (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  const startMs = Math.ceil((Date.now() + 2 * 60000) / 60000) * 60000;
  await page.fill('input[name=targets]', 'web');
  await page.fill('input[name=from]', await page.evaluate(`(${local.toString()})(${startMs})`));
  await page.fill('input[name=to]', await page.evaluate(`(${local.toString()})(${startMs + 3600000})`));
  await page.fill('input[name=who]', 'browser test');
  await page.fill('input[name=why]', 'firmware update');
  await page.click('form.maintenance button[type=submit]');
  await page.waitForSelector('p[role=status]');
  await page.waitForSelector('tr[data-window]:not([data-window=""]) >> text=browser test');
  const made = (await (await fetch(`${base}/api/v1/maintenance?limit=1000`)).json()).items.filter((w) => w.source === 'api');
  check(made.length === 1 && made[0].who === 'browser test' && made[0].why === 'firmware update' &&
    Date.parse(made[0].from) === startMs && made[0].state === 'scheduled', `the window scheduled: ${JSON.stringify(made)}`);
  const mw = made[0].id;
  const shopView = await browser.newPage();
  shopView.on('pageerror', (e) => errors.push(String(e)));
  await shopView.goto(`${base}/#/services/shop`);
  await shopView.waitForSelector('svg.daybars rect.mw');
  const marks = await shopView.$$eval('svg.daybars rect.mw title', (ts) => ts.map((t) => t.textContent));
  check(marks.includes(`maintenance ${mw}`), `the shop's timeline marks ${mw}: ${marks}`);
  await shopView.screenshot({ path: join(out, 'service-maintenance.png'), fullPage: true });
  await shopView.close();
  await page.click(`tr[data-window="${mw}"] button`);
  await page.waitForSelector(`p[role=status] >> text=Window ${mw} ended.`);
  const ended = await (await fetch(`${base}/api/v1/maintenance/${mw}`)).json();
  check(ended.state === 'cancelled' && ended.ended.by === 'browser test', `the window ended: ${JSON.stringify(ended)}`);

  // Dark theme: the background follows prefers-color-scheme.
  const dark = await browser.newPage({ colorScheme: 'dark' });
  await dark.goto(`${base}/#/services`);
  await dark.waitForSelector('ul.tree');
  const bg = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(bg === 'rgb(15, 19, 24)', `dark background ${bg}`);
  await dark.screenshot({ path: join(out, 'tree-dark.png'), fullPage: true });
  check(errors.length === 0, `errors in the page: ${errors.join('; ')}`);
  console.log(`PASS: tree page (${roots.length} roots, ${probes.length} probes of ${ci.id}, ${rows.length} agents); screenshots in ${out}`);
} finally {
  await browser.close();
}
