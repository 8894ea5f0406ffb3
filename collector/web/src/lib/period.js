// Period labels (2026-10-05, 2026-W41, 2026-10, 2026-Q4, 2026) of the current and the previous period
// of an SLA's kind, for today in the SLA's time zone: which reports the service page asks the API for.
// Pure (now is passed in); the periods' bounds and figures are the API's.

// The local calendar date {y, m, d} of the instant nowMs in timeZone (IANA name).
export function localDate(nowMs, timeZone) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(nowMs));
  } catch {
    parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(nowMs));
  }
  const get = (t) => Number(parts.find((p) => p.type === t).value);
  return { y: get('year'), m: get('month'), d: get('day') };
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

// ISO 8601 week {year, week} of a calendar date.
export function isoWeek({ y, m, d }) {
  const t = new Date(Date.UTC(y, m - 1, d));
  const day = (t.getUTCDay() + 6) % 7;  // Monday 0
  t.setUTCDate(t.getUTCDate() - day + 3);  // the Thursday of its week decides the year
  const year = t.getUTCFullYear();
  const week = Math.floor((t - Date.UTC(year, 0, 1)) / 86400000 / 7) + 1;
  return { year, week };
}

function labelOf(kind, { y, m, d }) {
  switch (kind) {
    case 'day': return `${y}-${pad(m)}-${pad(d)}`;
    case 'week': { const w = isoWeek({ y, m, d }); return `${w.year}-W${pad(w.week)}`; }
    case 'quarter': return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
    case 'year': return `${y}`;
    default: return `${y}-${pad(m)}`;
  }
}

// {current, previous} labels for an SLA period kind ('day', 'week', 'month', 'quarter', 'year').
export function periodLabels(kind, timeZone, nowMs = Date.now()) {
  const t = localDate(nowMs, timeZone);
  const shift = (dy, dm, dd) => {
    const u = new Date(Date.UTC(t.y + dy, t.m - 1 + dm, (dm || dy) ? 1 : t.d + dd));
    return { y: u.getUTCFullYear(), m: u.getUTCMonth() + 1, d: u.getUTCDate() };
  };
  const prev = { day: shift(0, 0, -1), week: shift(0, 0, -7), month: shift(0, -1, 0), quarter: shift(0, -3, 0), year: shift(-1, 0, 0) }[kind] ?? shift(0, -1, 0);
  return { current: labelOf(kind, t), previous: labelOf(kind, prev) };
}

// The KPI page's default span: [from, to) of the current year (UTC dates, YYYY-MM-DD).
export function currentYear(nowMs = Date.now()) {
  const y = new Date(nowMs).getUTCFullYear();
  return { from: `${y}-01-01`, to: `${y + 1}-01-01` };
}
