// uPlot's columns from probe results: [[probeId, [{ts, latency_ms}, ...]], ...] -> {names, columns}
// with one shared x (Unix seconds, sorted, distinct) and per probe its latency or null. null when no
// result has a latency.
export function latencySeries(series) {
  const withLatency = series.map(([id, rs]) => [id, rs.filter((r) => r.latency_ms != null)]).filter(([, rs]) => rs.length);
  if (!withLatency.length) return null;
  const xs = [...new Set(withLatency.flatMap(([, rs]) => rs.map((r) => Date.parse(r.ts) / 1000)))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const columns = [xs];
  for (const [, rs] of withLatency) {
    const col = new Array(xs.length).fill(null);
    for (const r of rs) col[at.get(Date.parse(r.ts) / 1000)] = r.latency_ms;
    columns.push(col);
  }
  return { names: withLatency.map(([id]) => id), columns };
}
