// The geometry of a day's bar: its service time split into proportional segments (up, counted down,
// planned, unmonitored), in the order and colours of the HTML report (collector/engine/report_html.cpp),
// as rectangles in a bar `width` units wide. Pure: the figures are the report's per-day figures
// ({date, service_s, up_s, down_s, planned_s, unmonitored_s}).
import { hours } from './format.js';

export const SEGMENTS = [
  { key: 'up_s', cls: 'up', label: 'up' },
  { key: 'down_s', cls: 'down', label: 'counted down' },
  { key: 'planned_s', cls: 'planned', label: 'planned' },
  { key: 'unmonitored_s', cls: 'unmon', label: 'unmonitored' },
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
