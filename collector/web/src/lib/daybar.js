// The geometry of a day's bar: its service time split into proportional segments (up, counted down,
// planned, unmonitored), in the order and colours of the HTML report (collector/engine/report_html.cpp),
// as rectangles in a bar `width` units wide. Pure: the figures are the report's per-day figures
// ({date, service_s, up_s, down_s, planned_s, unknown_s}).
import { hours } from './format.js';

export const SEGMENTS = [
  { key: 'up_s', cls: 'up', label: 'up' },
  { key: 'down_s', cls: 'down', label: 'counted down' },
  { key: 'planned_s', cls: 'planned', label: 'planned' },
  { key: 'unknown_s', cls: 'unmon', label: 'unmonitored' },
];

// [{cls, label, seconds, x, w}] with x + w summing to `width` over the day's service time; [] when the
// day has none. Segments of zero seconds are left out; each shown one is at least `minW` wide (taken
// from the widest), so that a minute of downtime stays visible.
export function daySegments(day, width = 100, minW = 0.5) {
  const total = SEGMENTS.reduce((a, s) => a + Math.max(0, day[s.key] ?? 0), 0);
  if (!(day.service_s > 0) || total <= 0) return [];
  const shown = SEGMENTS.filter((s) => (day[s.key] ?? 0) > 0)
    .map((s) => ({ cls: s.cls, label: s.label, seconds: day[s.key], w: (width * day[s.key]) / total }));
  let debt = 0;
  for (const s of shown) if (s.w < minW) { debt += minW - s.w; s.w = minW; }
  if (debt > 0) {
    const widest = shown.reduce((a, b) => (b.w > a.w ? b : a));
    widest.w -= debt;
  }
  let x = 0;
  for (const s of shown) { s.x = x; x += s.w; }
  return shown;
}

// The outages of a report that touch [dayStart, dayEnd) (RFC 3339 bounds), for the hover text.
export function outagesOfDay(outages, dayStart, dayEnd) {
  const a = Date.parse(dayStart), b = Date.parse(dayEnd);
  return (outages ?? []).filter((o) => Date.parse(o.start) < b && Date.parse(o.end) > a);
}

// The hover text of a day: each segment's hours, then the outages touching it with their causes.
export function dayTitle(day, segments, outages) {
  const lines = [day.date];
  for (const s of segments) lines.push(`${s.label}: ${hours(s.seconds)}`);
  if (!segments.length) lines.push('no service time');
  for (const o of outages) lines.push(`outage ${o.start.slice(11, 16)}–${o.end.slice(11, 16)} UTC (${(o.causes ?? []).join(', ') || 'unattributed'})`);
  return lines.join('\n');
}

// Maintenance windows ({from, to}) over a span [start, end), as [x, w] fractions of `width`, clipped.
export function windowMarks(windows, start, end, width = 100) {
  const a = Date.parse(start), b = Date.parse(end);
  if (!(b > a)) return [];
  return (windows ?? []).flatMap((w) => {
    const f = Math.max(a, Date.parse(w.from)), t = Math.min(b, Date.parse(w.to));
    return t > f ? [{ id: w.id, x: ((f - a) / (b - a)) * width, w: ((t - f) / (b - a)) * width }] : [];
  });
}

// The UTC offset (ms) of timeZone at instant t.
function offsetMs(t, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(t));
  const v = (k) => Number(parts.find((p) => p.type === k).value);
  return Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute'), v('second')) - Math.floor(t / 1000) * 1000;
}

// The local days of [start, end) (RFC 3339; start a local midnight, as a period's start is) in
// timeZone: [{date, start, end}] (ms), 23 or 25 hours long on DST days; at most 400.
export function localDays(start, end, timeZone) {
  const a = Date.parse(start), b = Date.parse(end);
  const base = offsetMs(a, timeZone);
  const days = [];
  for (let n = 0, s = a; s < b && n < 400; ++n) {
    let e = a + (n + 1) * 86400000;
    e += base - offsetMs(e, timeZone);
    const d = new Date(s + offsetMs(s, timeZone)).toISOString().slice(0, 10);
    days.push({ date: d, start: s, end: Math.min(e, b) });
    s = e;
  }
  return days;
}

// A day's strip from a node's history stretches ([{from, to, status}]): [{status, x, w, seconds}]
// placed in time over `width` (the day's length), clipped to [day.start, min(day.end, cut)).
export function statusStrip(spans, day, cut, width = 100) {
  const end = Math.min(day.end, cut);
  const len = day.end - day.start;
  return spans.flatMap((s) => {
    const a = Math.max(day.start, Date.parse(s.from)), b = Math.min(end, Date.parse(s.to));
    return b > a ? [{ status: s.status, x: ((a - day.start) / len) * width, w: ((b - a) / len) * width, seconds: (b - a) / 1000 }] : [];
  }).sort((p, q) => p.x - q.x);
}
