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
];

// Rows matching `text` (in the SLA id, its service, or its name; case-insensitive) and `verdict`
// ('all', 'met', 'not-met', 'not-judged').
export function filterRows(rows, text, verdict = 'all') {
  const q = (text ?? '').trim().toLowerCase();
  return rows.filter((r) => {
    if (verdict === 'met' && r.met !== true) return false;
    if (verdict === 'not-met' && r.met !== false) return false;
    if (verdict === 'not-judged' && r.met != null) return false;
    if (!q) return true;
    return [r.sla, r.service, r.name].some((v) => v && String(v).toLowerCase().includes(q));
  });
}

// A sorted copy by column `key`, ascending or not; nulls last either way; ties keep their order.
export function sortRows(rows, key, ascending = true) {
  const col = COLUMNS.find((c) => c.key === key) ?? COLUMNS[0];
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
