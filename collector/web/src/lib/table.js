// The SLA overview table's pure parts: rows from the API's overview, text and verdict filters, sort by
// any column (stable, nulls last), and the slice of rows rendered.

// The overview's columns: key, header, how a row's value is read for sorting.
export const COLUMNS = [
  { key: 'sla', label: 'SLA', value: (r) => r.sla },
  { key: 'service', label: 'Service', value: (r) => r.service },
  { key: 'availability', label: 'Availability', value: (r) => r.availability },
  { key: 'target', label: 'Target', value: (r) => (r.target == null ? null : Number(r.target)) },  // a decimal string
  { key: 'budget', label: 'Error budget left', value: (r) => r.error_budget_remaining_s },
  { key: 'verdict', label: 'Verdict so far', value: (r) => (r.met === false ? 0 : r.met === true ? 2 : 1) },
  // Burn-rate rules firing now (GET /api/v1/alerts, merged by withAlerts); null until it answered.
  { key: 'alerts', label: 'Alerts', value: (r) => r.alerts_firing },
];

// The overview's rows with each SLA's count of firing burn-rate rules (`alerts_firing`) from
// alertsBySla (lib/shapes.js); rows of SLAs it lacks get null.
export function withAlerts(rows, alerts) {
  if (!alerts) return rows;
  return rows.map((r) => ({ ...r, alerts_firing: alerts.get(r.sla)?.firing ?? null }));
}

// The agreements table's columns (#/agreements).
export const AGREEMENT_COLUMNS = [
  { key: 'agreement', label: 'Agreement', value: (r) => r.agreement },
  { key: 'kind', label: 'Kind', value: (r) => r.kind },
  { key: 'provider', label: 'Provider', value: (r) => r.provider },
  { key: 'covers', label: 'Node', value: (r) => r.covers },
  { key: 'availability', label: 'Availability', value: (r) => r.availability },
  { key: 'target', label: 'Target', value: (r) => (r.target == null ? null : Number(r.target)) },
  { key: 'outage', label: 'Longest outage / restore within', value: (r) => r.longest_outage_s },
  { key: 'verdict', label: 'Verdict so far', value: (r) => (r.met === false ? 0 : r.met === true ? 2 : 1) },
];

// Rows matching `text` (in any of `fields`, by default the SLA id, its service, or its name;
// case-insensitive) and `verdict` ('all', 'met', 'not-met', 'not-judged').
export function filterRows(rows, text, verdict = 'all', fields = ['sla', 'service', 'name']) {
  const q = (text ?? '').trim().toLowerCase();
  return rows.filter((r) => {
    if (verdict === 'met' && r.met !== true) return false;
    if (verdict === 'not-met' && r.met !== false) return false;
    if (verdict === 'not-judged' && r.met != null) return false;
    if (!q) return true;
    return fields.map((f) => r[f]).some((v) => v && String(v).toLowerCase().includes(q));
  });
}

// A sorted copy by column `key`, ascending or not; nulls last either way; ties keep their order.
export function sortRows(rows, key, ascending = true, columns = COLUMNS) {
  const col = columns.find((c) => c.key === key) ?? columns[0];
  const dir = ascending ? 1 : -1;
  return rows
    .map((r, i) => [r, col.value(r), i])
    .sort(([, a, i], [, b, j]) => {
      if (a == null && b == null) return i - j;
      if (a == null) return 1;
      if (b == null) return -1;
      const c = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
      return c !== 0 ? c * dir : i - j;
    })
    .map(([r]) => r);
}

// The page `page` (0-based) of `size` rows, and how many pages there are.
export function pageOf(rows, page, size) {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const p = Math.min(Math.max(0, page), pages - 1);
  return { rows: rows.slice(p * size, (p + 1) * size), page: p, pages };
}
