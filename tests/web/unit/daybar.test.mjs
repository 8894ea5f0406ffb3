// collector/web/src/lib/daybar.js: a day's bar split in proportion like the HTML report's; hover text;
// maintenance windows placed on a span.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { daySegments, dayTitle, outagesOfDay, windowMarks } from '../../../collector/web/src/lib/daybar.js';

const close = (a, b) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

test('a day 99.9 % unmonitored is mostly grey, never all green', () => {
  const s = daySegments({ date: '2026-10-03', service_s: 86400, up_s: 86.4, down_s: 0, planned_s: 0, unmonitored_s: 86313.6 }, 100, 0);
  assert.deepEqual(s.map((x) => x.cls), ['up', 'unmon']);
  close(s[0].w, 0.1);
  close(s[1].w, 99.9);
  close(s[1].x, 0.1);
});

test('segments in order up, down, planned, unmonitored, summing to the width', () => {
  const s = daySegments({ service_s: 86400, up_s: 54000, down_s: 10800, planned_s: 21600, unmonitored_s: 0 }, 200);
  assert.deepEqual(s.map((x) => x.cls), ['up', 'down', 'planned']);
  close(s[0].w, 125); close(s[1].w, 25); close(s[2].w, 50);
  close(s[2].x + s[2].w, 200);
});

test('a minute of downtime stays visible (minimum width taken from the widest)', () => {
  const s = daySegments({ service_s: 86400, up_s: 86340, down_s: 60, planned_s: 0, unmonitored_s: 0 }, 100, 1);
  close(s[1].w, 1);
  close(s[0].w + s[1].w, 100);
});

test('no service time: no segments', () => {
  assert.deepEqual(daySegments({ service_s: 0, up_s: 0, down_s: 0, planned_s: 0, unmonitored_s: 0 }), []);
});

test('hover text: hours per segment, the outages of the day with causes', () => {
  const outages = [
    { start: '2026-10-14T02:00:00Z', end: '2026-10-14T02:20:00Z', causes: ['db-01', 'db-02'] },
    { start: '2026-10-15T02:00:00Z', end: '2026-10-15T02:20:00Z', causes: [] },
  ];
  const day = { date: '2026-10-14', service_s: 86400, up_s: 85200, down_s: 1200, planned_s: 0, unmonitored_s: 0 };
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
