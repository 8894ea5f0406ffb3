// collector/web/src/lib/shapes.js and series.js: the API's answers read into the pages' shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusMap, overviewOf, kpiPercent, historySpans, probeKey } from '../../../collector/web/src/lib/shapes.js';
import { latencySeries } from '../../../collector/web/src/lib/series.js';

test('status by node id from a paged list or from objects keyed by id', () => {
  const a = statusMap({ items: [{ id: 'web-01', kind: 'ci', status: 'down', since: '2026-11-02T08:00:00Z' }] });
  assert.deepEqual(a.get('web-01'), { status: 'down', since: '2026-11-02T08:00:00Z' });
  const b = statusMap({ services: { shop: { status: 'up', since: null } }, cis: [{ id: 'db', status: 'degraded' }] });
  assert.equal(b.get('shop').status, 'up');
  assert.equal(b.get('db').status, 'degraded');
});

test('a probe and a CI of the same id keep their own status', () => {
  const m = statusMap([{ id: 'x', kind: 'ci', status: 'up', since: null }, { id: 'x', kind: 'probe', status: 'down', since: null }]);
  assert.equal(m.get('x').status, 'up');
  assert.equal(m.get(probeKey('x')).status, 'down');
});

test('history: stretches from the status at from and the changes, newest first', () => {
  const h = historySpans({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', status_at_from: 'up',
    changes: [{ at: '2026-11-01T10:00:00Z', status: 'down' }, { at: '2026-11-01T10:30:00Z', status: 'up' }] });
  assert.deepEqual(h, [
    { from: '2026-11-01T10:30:00Z', to: '2026-11-02T00:00:00Z', status: 'up' },
    { from: '2026-11-01T10:00:00Z', to: '2026-11-01T10:30:00Z', status: 'down' },
    { from: '2026-11-01T00:00:00Z', to: '2026-11-01T10:00:00Z', status: 'up' },
  ]);
  assert.deepEqual(historySpans(null), []);
});

test('overview rows and the KPI', () => {
  const o = overviewOf({ slas: [{ sla: 'a', availability: 99 }, { id: 'b' }], kpi: { attainment: 50, met: 1, committed: 2 } });
  assert.deepEqual(o.rows.map((r) => r.sla), ['a', 'b']);
  assert.equal(kpiPercent(o.kpi), 50);
  assert.equal(kpiPercent(null), null);
  assert.equal(kpiPercent(75), 75);
  assert.equal(kpiPercent({ committed: 1, met: 1, percent: 100 }), 100);
});

test('latency series: one shared time axis, null where a probe has no result', () => {
  const s = latencySeries([
    ['p1', [{ ts: '2026-11-02T08:00:00Z', latency_ms: 5 }, { ts: '2026-11-02T08:01:00Z', latency_ms: 7 }]],
    ['p2', [{ ts: '2026-11-02T08:01:00Z', latency_ms: 9 }, { ts: '2026-11-02T08:02:00Z' }]],
    ['p3', [{ ts: '2026-11-02T08:01:00Z', status: 'down' }]],
  ]);
  assert.deepEqual(s.names, ['p1', 'p2']);
  const t0 = Date.parse('2026-11-02T08:00:00Z') / 1000;
  assert.deepEqual(s.columns, [[t0, t0 + 60], [5, 7], [null, 9]]);
  assert.equal(latencySeries([['p', [{ ts: '2026-11-02T08:00:00Z' }]]]), null);
});

test('agreements from the overview, alerts by SLA, and who cost the budget from a report (sorted, never recomputed)', async () => {
  const { agreementRowsOf, alertsBySla, budgetSplit } = await import('../../../collector/web/src/lib/shapes.js');
  assert.deepEqual(agreementRowsOf({ agreements: [{ agreement: 'a', met: true }] }).map((a) => a.agreement), ['a']);
  assert.deepEqual(agreementRowsOf({ slas: [] }), []);
  const al = alertsBySla({ slas: [{ sla: 'g', firing: 1, rules: [{ firing: true }], forecast: { will_meet: false } }, { sla: 'e', error: 'x' }] });
  assert.equal(al.get('g').firing, 1);
  assert.equal(al.get('g').forecast.will_meet, false);
  assert.equal(al.get('e').firing, 0);
  assert.equal(al.get('e').error, 'x');
  const b = budgetSplit({ down_s: 2580, by_cause: { db: 300, link: 2280 }, unattributed_s: 0,
    by_agreement: { 'telco-uc': 2280, 'db-ola': 300 }, by_provider: { 'Example Telecom': 2280, 'DB team': 300 }, unbacked_s: 0 });
  assert.equal(b.spent, 2580);
  assert.deepEqual(b.byCause.map((x) => x.key), ['link', 'db']);
  assert.deepEqual(b.byProvider[0], { key: 'Example Telecom', s: 2280 });
  assert.equal(b.withAgreements, true);
  assert.equal(budgetSplit({ down_s: 0, by_cause: {} }).withAgreements, false);
});
