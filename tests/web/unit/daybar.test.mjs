// collector/web/src/lib/daybar.js: a day's bar split in proportion like the HTML report's; hover text;
// maintenance windows placed on a span.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { daySegments, dayTitle, outagesOfDay, windowMarks } from '../../../collector/web/src/lib/daybar.js';

const close = (a, b) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

test('a day 99.9 % unmonitored is mostly grey, never all green', () => {
  const s = daySegments({ date: '2026-10-03', service_s: 86400, up_s: 86.4, down_s: 0, planned_s: 0, unknown_s: 86313.6 }, 100, 0);
  assert.deepEqual(s.map((x) => x.cls), ['up', 'unmon']);
  close(s[0].w, 0.1);
  close(s[1].w, 99.9);
  close(s[1].x, 0.1);
});

test('segments in order up, down, planned, unmonitored, summing to the width', () => {
  const s = daySegments({ service_s: 86400, up_s: 54000, down_s: 10800, planned_s: 21600, unknown_s: 0 }, 200);
  assert.deepEqual(s.map((x) => x.cls), ['up', 'down', 'planned']);
  close(s[0].w, 125); close(s[1].w, 25); close(s[2].w, 50);
  close(s[2].x + s[2].w, 200);
});

test('a minute of downtime stays visible (minimum width taken from the widest)', () => {
  const s = daySegments({ service_s: 86400, up_s: 86340, down_s: 60, planned_s: 0, unknown_s: 0 }, 100, 1);
  close(s[1].w, 1);
  close(s[0].w + s[1].w, 100);
});

test('no service time: no segments', () => {
  assert.deepEqual(daySegments({ service_s: 0, up_s: 0, down_s: 0, planned_s: 0, unknown_s: 0 }), []);
});

test('hover text: hours per segment, the outages of the day with causes', () => {
  const outages = [
    { start: '2026-10-14T02:00:00Z', end: '2026-10-14T02:20:00Z', causes: ['db-01', 'db-02'] },
    { start: '2026-10-15T02:00:00Z', end: '2026-10-15T02:20:00Z', causes: [] },
  ];
  const day = { date: '2026-10-14', service_s: 86400, up_s: 85200, down_s: 1200, planned_s: 0, unknown_s: 0 };
  const mine = outagesOfDay(outages, '2026-10-14T00:00:00Z', '2026-10-15T00:00:00Z');
  assert.equal(mine.length, 1);
  const t = dayTitle(day, daySegments(day), mine);
  assert.equal(t, '2026-10-14\nup: 23.67 h\ncounted down: 0.33 h\noutage 02:00–02:20 UTC (db-01, db-02)');
});

test('maintenance windows clipped to the span, as fractions of the width', () => {
  const m = windowMarks([{ id: 'w', from: '2026-10-01T12:00:00Z', to: '2026-10-03T00:00:00Z' },
    { id: 'outside', from: '2026-09-01T00:00:00Z', to: '2026-09-02T00:00:00Z' }],
  '2026-10-01T00:00:00Z', '2026-10-02T00:00:00Z', 100);
  assert.deepEqual(m, [{ id: 'w', x: 50, w: 50 }]);
});

test('local days of a period: 23 and 25 hours on DST days, dates in the zone', async () => {
  const { localDays } = await import('../../../collector/web/src/lib/daybar.js');
  const march = localDays('2026-02-28T23:00:00Z', '2026-03-31T22:00:00Z', 'Europe/Berlin');
  assert.equal(march.length, 31);
  assert.equal(march[0].date, '2026-03-01');
  const dst = march.find((d) => d.date === '2026-03-29');
  assert.equal((dst.end - dst.start) / 3600000, 23);
  assert.equal(march[30].date, '2026-03-31');
  const oct = localDays('2026-09-30T22:00:00Z', '2026-10-31T23:00:00Z', 'Europe/Berlin');
  assert.equal((oct.find((d) => d.date === '2026-10-25').end - oct.find((d) => d.date === '2026-10-25').start) / 3600000, 25);
  assert.equal(localDays('2026-10-01T00:00:00Z', '2026-10-01T12:00:00Z', 'UTC').length, 1);
});

test('a day strip from history stretches, placed in time and cut at the report end', async () => {
  const { statusStrip } = await import('../../../collector/web/src/lib/daybar.js');
  const day = { start: Date.parse('2026-10-01T00:00:00Z'), end: Date.parse('2026-10-02T00:00:00Z') };
  const spans = [{ from: '2026-10-01T06:00:00Z', to: '2026-10-01T18:00:00Z', status: 'down' },
    { from: '2026-09-30T00:00:00Z', to: '2026-10-01T06:00:00Z', status: 'up' }];
  const s = statusStrip(spans, day, Date.parse('2026-10-01T12:00:00Z'), 100);
  assert.deepEqual(s, [{ status: 'up', x: 0, w: 25, seconds: 21600 }, { status: 'down', x: 25, w: 25, seconds: 21600 }]);
});
