// The agreements, KPI and alerts pages and the service page's budget, feasibility and alerts in
// headless Chromium (tests/web/agreements_kpi_test.sh starts the collector over the fixture store of
// tests/http/agreements_fixture.sh): every figure checked is the CLI's (`slamon report --agreement`,
// `--kpi`, `--sla` over the same store, catalogue, period and cut) or the API answer the page got;
// keyboard navigation and a 390 px phone.
//   node agreements_kpi.mjs BASE_URL OUT_DIR SLAMON CATALOGUE STORE
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { check, launchBrowser, newPage, src } from './browser.mjs';

const [base, out, slamon, catalogueFile, store] = process.argv.slice(2);
const { percent, duration } = await import(join(src, 'collector', 'web', 'src', 'lib', 'format.js'));
const { currentYear } = await import(join(src, 'collector', 'web', 'src', 'lib', 'period.js'));
// `slamon report ... --format json` over the collector's store (exit 1: a missed verdict, still JSON).
const report = (...args) => {
  let text;
  try {
    text = execFileSync(slamon, ['report', '--db', store, '--catalogue', catalogueFile, '--format', 'json', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.status !== 1) throw new Error(`slamon report ${args.join(' ')}: exit ${e.status}: ${e.stderr}`);
    text = e.stdout;
  }
  const j = JSON.parse(text);
  return Array.isArray(j) ? j[0] : j;
};
const verdictText = (met) => (met === true ? 'met' : met === false ? 'not met' : 'not judged');
const cellsOf = (page, sel) => page.$$eval(`${sel} td`, (tds) => tds.map((td) => td.textContent.trim()));

const browser = await launchBrowser();
try {
  const errors = [];
  const page = await newPage(browser, errors);

  // 1. #/agreements: every OLA and UC with the figures of `slamon report --agreement` for its current
  // period cut at the overview's instant.
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/overview'));
  await page.goto(`${base}/#/agreements`);
  const overview = await (await answer).json();
  await page.waitForSelector('table[aria-label=Agreements] tbody tr');
  check(overview.agreements.length === 2, `two agreements in the overview (${overview.agreements.length})`);
  for (const a of overview.agreements) {
    const cli = report('--agreement', a.agreement, '--period', a.period, '--as-of', overview.as_of);
    const cells = await cellsOf(page, `tr[data-agreement="${a.agreement}"]`);
    check(cells[1] === cli.kind && cells[2] === cli.provider && cells[3] === cli.service, `${a.agreement}: kind, provider, node ${cells.slice(1, 4)}`);
    check(cells[4] === percent(cli.availability), `${a.agreement}: availability ${cells[4]} != ${percent(cli.availability)}`);
    check(cells[5] === `${cli.target} %`, `${a.agreement}: target ${cells[5]}`);
    check(cells[6] === `${duration(cli.longest_outage_s)} of ${duration(cli.restore_within_s)}`, `${a.agreement}: outage ${cells[6]}`);
    check(cells[7].startsWith(verdictText(cli.met)), `${a.agreement}: verdict ${cells[7]} (CLI met ${cli.met})`);
  }
  await page.fill('input[type=search]', 'telecom');
  check((await page.$$('table[aria-label=Agreements] tbody tr')).length === 1, 'the filter keeps the Example Telecom UC only');
  await page.fill('input[type=search]', '');
  await page.focus('th button.sort >> nth=4');
  await page.keyboard.press('Enter');
  check(await page.getAttribute('th:nth-child(5)', 'aria-sort') === 'ascending', 'agreements sorted by availability');
  await page.screenshot({ path: join(out, 'agreements-light.png'), fullPage: true });

  // 2. Enter on a row opens the agreement's page: its current period as the CLI reports it for the
  // same cut, the previous period, and a print view of the HTML report.
  await page.focus('tr[data-agreement="web-uc"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('section.agreement-report table.figures');
  check(page.url().endsWith('#/agreements/web-uc'), `Enter opened ${page.url()}`);
  const heads = await page.$$eval('section.agreement-report table.figures thead th[data-period]', (ths) => ths.map((th) => [th.dataset.period, th.dataset.asOf]));
  check(heads.length === 2, `current and previous period (${heads.length})`);
  const [label, asOf] = heads[0];
  const cur = report('--agreement', 'web-uc', '--period', label, '--as-of', asOf);
  const shown = await page.$$eval('section.agreement-report table.figures tbody tr', (rows) =>
    Object.fromEntries(rows.map((r) => [r.querySelector('th').textContent, r.querySelector('td').textContent])));
  check(shown.Availability === percent(cur.availability), `web-uc availability ${shown.Availability} != ${percent(cur.availability)}`);
  check(shown['Longest outage'] === duration(cur.longest_outage_s), `web-uc longest outage ${shown['Longest outage']}`);
  check(shown['Restore within'] === duration(cur.restore_within_s), `web-uc restore within ${shown['Restore within']}`);
  check(shown.Outages === String(cur.outage_count), `web-uc outages ${shown.Outages} != ${cur.outage_count}`);
  check(shown.Verdict.startsWith(verdictText(cur.met)), `web-uc verdict ${shown.Verdict}`);
  const prev = report('--agreement', 'web-uc', '--period', heads[1][0]);
  const prevAvail = await page.$eval('section.agreement-report table.figures tbody tr td:nth-child(3)', (td) => td.textContent);
  check(prevAvail === percent(prev.availability), `web-uc previous period ${prevAvail} != ${percent(prev.availability)}`);
  const outageRows = await page.$$eval('section.agreement-report table.outages tbody tr', (rs) => rs.length).catch(() => 0);
  check(outageRows === cur.outages.length, `outage rows ${outageRows} != ${cur.outages.length}`);
  await page.screenshot({ path: join(out, 'agreement-light.png'), fullPage: true });
  await page.click(`a[href="#/print-agreement/web-uc/${label}"]`);
  const frame = await (await page.waitForSelector('iframe.report-frame')).contentFrame();
  await frame.waitForSelector('h1');
  check((await frame.textContent('h1')).includes('web-uc'), 'the print view shows the report of web-uc');

  // 3. #/kpi: the current year by default, as `slamon report --kpi` gives it.
  await page.goto(`${base}/#/kpi`);
  await page.waitForSelector('[data-kpi-total]');
  const year = currentYear();
  check(await page.inputValue('input[name=from]') === year.from && await page.inputValue('input[name=to]') === year.to, 'the span defaults to the current year');
  // The page's KPI is cut at the engine snapshot's instant (a period still running is not judged).
  const apiKpi = await (await fetch(`${base}/api/v1/kpi?from=${year.from}&to=${year.to}`)).json();
  check(apiKpi.as_of && apiKpi.left_out.some((l) => l.includes('not judged before it ends')), `the running period is left out: ${JSON.stringify(apiKpi.left_out)}`);
  const kpi = report('--kpi', '--from', year.from, '--to', year.to, '--as-of', apiKpi.as_of);
  check(await page.textContent('[data-kpi-total]') === percent(kpi.attainment, 2), `KPI ${await page.textContent('[data-kpi-total]')} != ${percent(kpi.attainment, 2)}`);
  check((await page.textContent('[data-kpi-counts]')).includes(`${kpi.met} of ${kpi.committed} committed periods met, ${kpi.periods} periods`), 'KPI counts');
  for (const group of ['by_sla', 'by_service', 'by_owner', 'by_provider'])
    for (const g of kpi[group]) {
      const cells = await cellsOf(page, `table[data-group=${group}] tr[data-key="${g.key}"]`);
      check(cells[1] === percent(g.attainment, 2) && cells[2] === String(g.met) && cells[3] === String(g.committed) && cells[4] === String(g.periods),
        `KPI ${group} ${g.key}: ${cells}`);
    }
  const missed = await page.$$eval('table[aria-label="Missed periods"] tbody tr', (rs) => rs.map((r) => [r.dataset.sla, r.dataset.period,
    r.querySelector('[data-col=reasons]').textContent, r.querySelector('[data-col=agreements]').textContent])).catch(() => []);
  check(JSON.stringify(missed) === JSON.stringify(kpi.missed.map((m) => [m.sla, m.period, m.reasons.join(', '), m.agreements_missed.join(', ') || '—'])),
    `missed periods ${JSON.stringify(missed)} != ${JSON.stringify(kpi.missed)}`);
  // Another span through the form (the keyboard submits it).
  await page.fill('input[name=from]', `${Number(year.from.slice(0, 4)) - 1}-01-01`);
  await page.focus('input[name=to]');
  await page.keyboard.press('Enter');
  await page.waitForFunction((f) => document.querySelector('[data-kpi-total]')?.parentElement.textContent.includes(`From ${f}`), `${Number(year.from.slice(0, 4)) - 1}-01-01`);
  await page.screenshot({ path: join(out, 'kpi-light.png'), fullPage: true });

  // 4. The service page: who cost the budget (the report's by_cause, by_agreement, by_provider as the
  // CLI gives them for the same cut), the feasibility and the burn-rate alerts the page got.
  const feas = page.waitForResponse((r) => r.url().includes('/api/v1/slas/shop-gold/feasibility'));
  const al = page.waitForResponse((r) => r.url().includes('/api/v1/slas/shop-gold/alerts'));
  await page.goto(`${base}/#/services/shop`);
  await page.waitForSelector('section.sla[data-sla="shop-gold"] .budget-cost');
  const [slaLabel, slaAsOf] = await page.$eval('section.sla table.figures thead th[data-period]', (th) => [th.dataset.period, th.dataset.asOf]);
  const sr = report('--sla', 'shop-gold', '--period', slaLabel, '--as-of', slaAsOf);
  const part = async (by) => page.$$eval(`section.sla .cost[data-by=${by}] li`, (ls) => ls.map((l) => [l.dataset.key, Number(l.querySelector('[data-s]').dataset.s)]));
  const sorted = (o) => Object.entries(o ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  check(JSON.stringify(await part('cause')) === JSON.stringify(sorted(sr.by_cause)), `by cause ${JSON.stringify(await part('cause'))} != ${JSON.stringify(sr.by_cause)}`);
  check(JSON.stringify(await part('agreement')) === JSON.stringify(sorted(sr.by_agreement)), `by agreement ${JSON.stringify(await part('agreement'))} != ${JSON.stringify(sr.by_agreement)}`);
  check(JSON.stringify(await part('provider')) === JSON.stringify(sorted(sr.by_provider)), `by provider ${JSON.stringify(await part('provider'))} != ${JSON.stringify(sr.by_provider)}`);
  const [topName, topS] = sorted(sr.by_provider)[0];
  const headline = await page.textContent('section.sla [data-headline]');
  check(headline === `${topName}: ${duration(topS)} of the ${duration(sr.down_s)} spent.`, `headline '${headline}'`);
  check(topName === 'Example Telecom', `the fixture's costliest provider is Example Telecom (${topName})`);
  const f = (await (await feas).json()).feasibility[0];
  await page.waitForSelector('section.sla .feasibility');
  check(await page.textContent('section.sla [data-ceiling]') === `${f.ceiling} %`, 'the feasibility ceiling is the API\'s');
  check(await page.getAttribute('section.sla .feasibility', 'data-verdict') === f.verdict, 'the feasibility verdict is the API\'s');
  const alerts = await (await al).json();
  await page.waitForSelector('section.sla .sla-alerts');
  const firingShown = await page.$$eval('section.sla .sla-alerts td[data-col=firing]', (tds) => tds.map((td) => td.textContent.startsWith('firing')));
  check(JSON.stringify(firingShown) === JSON.stringify(alerts.slas[0].rules.map((r) => r.firing_at_to)), `alerts firing ${firingShown}`);
  check(await page.getAttribute('section.sla .sla-alerts .forecast', 'data-will-meet') === String(alerts.slas[0].forecast?.will_meet ?? null), 'forecast');
  await page.screenshot({ path: join(out, 'service-budget-light.png'), fullPage: true });

  // 5. The overview's alerts column and badge: GET /api/v1/alerts as the page got it; the alerts page.
  const now = page.waitForResponse((r) => r.url().endsWith('/api/v1/alerts'));
  await page.goto(`${base}/`);
  const nowBody = await (await now).json();
  await page.waitForSelector('[data-alerts-firing]');
  check(await page.getAttribute('[data-alerts-firing]', 'data-alerts-firing') === String(nowBody.firing), 'the overview badge counts the firing rules');
  const cell = await page.textContent('tr[data-sla="shop-gold"] td[data-col=alerts]');
  const want = nowBody.slas[0].firing ? `${nowBody.slas[0].firing} firing` : '0';
  check(cell === want, `shop-gold alerts cell '${cell}' != '${want}'`);
  check(nowBody.firing >= 1, 'the fixture fires a burn-rate alert now');
  await page.click('[data-alerts-firing]');
  await page.waitForSelector('section.alerts[data-sla="shop-gold"] table.rules');

  // 6. Keyboard: the header's links reach the new pages.
  await page.goto('about:blank');
  await page.goto(`${base}/#/`);
  await page.waitForSelector('header nav a');
  let reached = false;
  for (let i = 0; i < 12 && !reached; ++i) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.textContent === 'KPI');
  }
  check(reached, 'Tab reaches the KPI link in the header');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-kpi-total]');
  check(await page.getAttribute('header a[href="#/kpi"]', 'aria-current') === 'page', 'the header marks the KPI page');

  // 7. A phone, 390 px wide, dark: no page-wide horizontal scroll on the new pages.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  phone.on('pageerror', (e) => errors.push(String(e)));
  for (const [hash, sel, name] of [['#/agreements', 'table[aria-label=Agreements] tbody tr', 'agreements'], ['#/agreements/web-uc', 'section.agreement-report table.figures', 'agreement'],
    ['#/kpi', '[data-kpi-total]', 'kpi'], ['#/services/shop', 'section.sla .budget-cost', 'service'], ['#/alerts', 'section.alerts table.rules', 'alerts']]) {
    await phone.goto(`${base}/${hash}`);
    await phone.waitForSelector(sel);
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= 390, `the phone page ${hash} is ${wide} px wide`);
    await phone.screenshot({ path: join(out, `${name}-phone-dark.png`), fullPage: true });
  }
  check(errors.length === 0, `errors in the page: ${errors.join('; ')}`);
  console.log(`PASS: agreements (${overview.agreements.length}), web-uc ${label}, KPI ${year.from}..${year.to}, service budget, alerts, keyboard, phone`);
} finally {
  await browser.close();
}
