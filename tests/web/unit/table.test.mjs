// collector/web/src/lib/table.js: the overview's filters, sort by any column, and paging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterRows, sortRows, pageOf, COLUMNS } from '../../../collector/web/src/lib/table.js';

const rows = [
  { sla: 'b-gold', service: 'shop', availability: 99.1, target: 99.5, error_budget_remaining_s: -10, met: false },
  { sla: 'a-silver', service: 'payroll', availability: null, target: 99, error_budget_remaining_s: 0, met: null },
  { sla: 'c-bronze', service: 'Shop-EU', availability: 100, target: 98, error_budget_remaining_s: 500, met: true },
];
const ids = (rs) => rs.map((r) => r.sla);

test('text filter: in the SLA id or the service, case-insensitive', () => {
  assert.deepEqual(ids(filterRows(rows, 'SHOP')), ['b-gold', 'c-bronze']);
  assert.deepEqual(ids(filterRows(rows, '  silver ')), ['a-silver']);
  assert.deepEqual(ids(filterRows(rows, '')), ['b-gold', 'a-silver', 'c-bronze']);
});

test('verdict filter: met, not met, not judged', () => {
  assert.deepEqual(ids(filterRows(rows, '', 'met')), ['c-bronze']);
  assert.deepEqual(ids(filterRows(rows, '', 'not-met')), ['b-gold']);
  assert.deepEqual(ids(filterRows(rows, '', 'not-judged')), ['a-silver']);
  assert.deepEqual(ids(filterRows(rows, 'shop', 'met')), ['c-bronze']);
});

test('sort by every column, both ways, nulls last', () => {
  assert.deepEqual(ids(sortRows(rows, 'sla')), ['a-silver', 'b-gold', 'c-bronze']);
  assert.deepEqual(ids(sortRows(rows, 'availability')), ['b-gold', 'c-bronze', 'a-silver']);
  assert.deepEqual(ids(sortRows(rows, 'availability', false)), ['c-bronze', 'b-gold', 'a-silver']);
  assert.deepEqual(ids(sortRows(rows, 'budget')), ['b-gold', 'a-silver', 'c-bronze']);
  assert.deepEqual(ids(sortRows(rows, 'verdict')), ['b-gold', 'a-silver', 'c-bronze']);
  assert.deepEqual(ids(sortRows(rows, 'target', false)), ['b-gold', 'a-silver', 'c-bronze']);
  for (const c of COLUMNS) assert.equal(sortRows(rows, c.key).length, 3);
  assert.deepEqual(ids(rows), ['b-gold', 'a-silver', 'c-bronze'], 'the input is not changed');
});

test('targets are decimal strings in the API: sorted as numbers', () => {
  const t = [{ sla: 'a', target: '99.5' }, { sla: 'b', target: '100' }, { sla: 'c', target: '98' }];
  assert.deepEqual(ids(sortRows(t, 'target')), ['c', 'a', 'b']);
});

test('paging: 1,000 rows in pages of 100, clamped', () => {
  const many = Array.from({ length: 1000 }, (_, i) => ({ sla: `s${i}` }));
  const p = pageOf(many, 3, 100);
  assert.equal(p.pages, 10);
  assert.equal(p.rows[0].sla, 's300');
  assert.equal(pageOf(many, 99, 100).page, 9);
  assert.equal(pageOf([], 0, 100).pages, 1);
});

test('alerts column: firing counts merged by SLA, sorted with nulls last; agreements filter and sort on their own columns', async () => {
  const { withAlerts, AGREEMENT_COLUMNS } = await import('../../../collector/web/src/lib/table.js');
  const merged = withAlerts(rows, new Map([['b-gold', { firing: 2 }], ['c-bronze', { firing: 0 }]]));
  assert.deepEqual(merged.map((r) => r.alerts_firing), [2, null, 0]);
  assert.deepEqual(ids(sortRows(merged, 'alerts', false)), ['b-gold', 'c-bronze', 'a-silver']);
  assert.equal(withAlerts(rows, null), rows);
  const ags = [
    { agreement: 'db-uc', kind: 'uc', provider: 'Example Telecom', covers: 'db', availability: 99.9, target: '99.5', longest_outage_s: 60, met: true },
    { agreement: 'web-ola', kind: 'ola', provider: 'Web team', covers: 'web', availability: 98, target: '99', longest_outage_s: 3600, met: false },
  ];
  const names = (rs) => rs.map((r) => r.agreement);
  const fields = ['agreement', 'provider', 'covers'];
  assert.deepEqual(names(filterRows(ags, 'telecom', 'all', fields)), ['db-uc']);
  assert.deepEqual(names(filterRows(ags, '', 'not-met', fields)), ['web-ola']);
  assert.deepEqual(names(sortRows(ags, 'outage', false, AGREEMENT_COLUMNS)), ['web-ola', 'db-uc']);
  assert.deepEqual(names(sortRows(ags, 'target', true, AGREEMENT_COLUMNS)), ['web-ola', 'db-uc']);
  for (const c of AGREEMENT_COLUMNS) assert.equal(sortRows(ags, c.key, true, AGREEMENT_COLUMNS).length, 2);
});
