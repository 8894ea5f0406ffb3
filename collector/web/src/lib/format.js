// Formatting of the API's values for display: percentages, durations, times, verdicts. Pure; the
// figures themselves are the API's (the UI never recomputes one).

// "99.953 %" (3 decimals, as the text report), "n/a" for null.
export function percent(v, digits = 3) {
  return v == null || Number.isNaN(v) ? 'n/a' : `${Number(v).toFixed(digits)} %`;
}

// A duration in seconds as "1d 2h", "2h 5m", "5m 3s", "42s", "0s"; negative with a leading "−".
export function duration(seconds) {
  if (seconds == null || Number.isNaN(seconds)) return 'n/a';
  const neg = seconds < 0;
  let s = Math.round(Math.abs(seconds));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const parts = [];
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m && parts.length < 2) parts.push(`${m}m`);
  if (s && parts.length < 2 && !d) parts.push(`${s}s`);
  return `${neg ? '−' : ''}${parts.slice(0, 2).join(' ') || '0s'}`;
}

// Hours with two decimals: "3.25 h".
export const hours = (seconds) => `${(seconds / 3600).toFixed(2)} h`;

// An RFC 3339 instant shown in UTC without the "T" and milliseconds: "2026-11-02 08:00:00 UTC".
export function instant(rfc3339) {
  if (!rfc3339) return '—';
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

// "since 2h 5m" from an RFC 3339 instant and now (ms).
export function since(rfc3339, nowMs = Date.now()) {
  if (!rfc3339) return '';
  const t = Date.parse(rfc3339);
  return Number.isNaN(t) ? '' : `for ${duration(Math.max(0, (nowMs - t) / 1000))}`;
}

// A report's verdict as a word and a CSS class: met, not met, not judged.
export function verdict(met) {
  if (met === true) return { text: 'met', cls: 'ok' };
  if (met === false) return { text: 'not met', cls: 'bad' };
  return { text: 'not judged', cls: 'na' };
}

// A node status ("up", "down", "degraded", "unknown", ...) as its CSS class.
export const statusClass = (s) => (['up', 'down', 'degraded', 'unknown', 'planned'].includes(s) ? `st-${s}` : 'st-unknown');
