// collector/web/src/lib/maintenance.js: the maintenance form's checks and the POST body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maintenanceBody } from '../../../collector/web/src/lib/maintenance.js';

const now = Date.parse('2026-11-02T08:00:00Z');

test('a whole form gives the body of POST /api/v1/maintenance', () => {
  const r = maintenanceBody({ targets: 'db-01, web-01', from: '2026-11-02T09:00:00Z', to: '2026-11-02T10:00:00Z',
    who: ' alice ', why: 'kernel update' }, now);
  assert.deepEqual(r, { body: { targets: ['db-01', 'web-01'], from: '2026-11-02T09:00:00.000Z',
    to: '2026-11-02T10:00:00.000Z', who: 'alice', why: 'kernel update' } });
});

test('every missing or wrong field is named; no start in the past', () => {
  const r = maintenanceBody({ targets: ' ', from: '2026-11-01T09:00:00Z', to: '2026-11-01T08:00:00Z', who: '', why: '' }, now);
  assert.deepEqual(Object.keys(r.errors).sort(), ['from', 'targets', 'to', 'who', 'why']);
  assert.match(r.errors.from, /past/);
  assert.match(r.errors.to, /after the start/);
  assert.equal(maintenanceBody({}, now).errors.from, 'give the start');
});
