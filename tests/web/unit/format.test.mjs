// collector/web/src/lib/format.js: percentages, durations, instants, verdicts as the pages show them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percent, duration, hours, instant, since, verdict, statusClass } from '../../../collector/web/src/lib/format.js';

test('percent: three decimals, n/a for null', () => {
  assert.equal(percent(99.95321), '99.953 %');
  assert.equal(percent(100), '100.000 %');
  assert.equal(percent(null), 'n/a');
});

test('duration: the two largest units, negative with a minus sign', () => {
  assert.equal(duration(0), '0s');
  assert.equal(duration(42), '42s');
  assert.equal(duration(3723), '1h 2m');
  assert.equal(duration(90061), '1d 1h');
  assert.equal(duration(-600), '−10m');
  assert.equal(duration(null), 'n/a');
  assert.equal(hours(11700), '3.25 h');
});

test('instant and since: UTC, whole seconds', () => {
  assert.equal(instant('2026-11-02T08:00:00.120Z'), '2026-11-02 08:00:00 UTC');
  assert.equal(instant(null), '—');
  assert.equal(since('2026-11-02T08:00:00Z', Date.parse('2026-11-02T10:05:00Z')), 'for 2h 5m');
});

test('verdict and status classes', () => {
  assert.deepEqual(verdict(true), { text: 'met', cls: 'ok' });
  assert.deepEqual(verdict(false), { text: 'not met', cls: 'bad' });
  assert.deepEqual(verdict(null), { text: 'not judged', cls: 'na' });
  assert.equal(statusClass('down'), 'st-down');
  assert.equal(statusClass('weird'), 'st-unknown');
});
