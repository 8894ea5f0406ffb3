// collector/web/src/lib/period.js: the current and previous period labels of each kind, in the SLA's zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { periodLabels, isoWeek } from '../../../collector/web/src/lib/period.js';

const now = Date.parse('2026-11-01T17:30:00Z');  // already 2 November in Shanghai (UTC+8)

test('month, quarter, year and day labels follow the local date of the SLA time zone', () => {
  assert.deepEqual(periodLabels('month', 'UTC', now), { current: '2026-11', previous: '2026-10' });
  assert.deepEqual(periodLabels('day', 'Asia/Shanghai', now), { current: '2026-11-02', previous: '2026-11-01' });
  assert.deepEqual(periodLabels('day', 'America/New_York', now), { current: '2026-11-01', previous: '2026-10-31' });
  assert.deepEqual(periodLabels('quarter', 'UTC', now), { current: '2026-Q4', previous: '2026-Q3' });
  assert.deepEqual(periodLabels('year', 'UTC', now), { current: '2026', previous: '2025' });
  assert.deepEqual(periodLabels('month', 'UTC', Date.parse('2026-01-15T00:00:00Z')), { current: '2026-01', previous: '2025-12' });
});

test('ISO weeks, also across a year boundary', () => {
  assert.deepEqual(isoWeek({ y: 2026, m: 10, d: 5 }), { year: 2026, week: 41 });
  assert.deepEqual(isoWeek({ y: 2027, m: 1, d: 1 }), { year: 2026, week: 53 });
  assert.deepEqual(isoWeek({ y: 2024, m: 12, d: 30 }), { year: 2025, week: 1 });
  assert.deepEqual(periodLabels('week', 'UTC', Date.parse('2026-10-05T12:00:00Z')), { current: '2026-W41', previous: '2026-W40' });
});

test('an unknown time zone falls back to UTC', () => {
  assert.equal(periodLabels('month', 'Nowhere/Nothing', now).current, '2026-11');
});

test('the KPI page defaults to the current year, [Jan 1, next Jan 1)', async () => {
  const { currentYear } = await import('../../../collector/web/src/lib/period.js');
  assert.deepEqual(currentYear(Date.UTC(2026, 11, 7, 9, 30)), { from: '2026-01-01', to: '2027-01-01' });
  assert.deepEqual(currentYear(Date.UTC(2026, 11, 31, 23, 59, 59)), { from: '2026-01-01', to: '2027-01-01' });
});
