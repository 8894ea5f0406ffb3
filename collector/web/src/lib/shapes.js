// Reading the API's answers into what the pages use, tolerant of a list being bare or paged
// ({items}) and of an object keyed by id: the live status by node id, the overview's rows and KPI.

const listOf = (body, ...keys) => {
  if (Array.isArray(body)) return body;
  for (const k of keys) if (Array.isArray(body?.[k])) return body[k];
  return [];
};

// Map id -> {status, since} from GET /api/v1/status (its items, every page): services and CIs by
// their id, probes by "probe:" and their id (a probe and a CI may share an id).
export const probeKey = (id) => `probe:${id}`;
export function statusMap(body) {
  const map = new Map();
  const add = (id, v) => {
    if (id == null || !v) return;
    map.set(v.kind === 'probe' ? probeKey(id) : id, { status: v.status ?? v.state ?? 'unknown', since: v.since ?? null });
  };
  for (const key of ['services', 'cis', 'probes', 'nodes']) {
    const part = body?.[key];
    if (Array.isArray(part)) for (const v of part) add(v.id, v);
    else if (part && typeof part === 'object') for (const [id, v] of Object.entries(part)) add(id, v);
  }
  for (const v of listOf(body, 'items')) add(v.id, v);
  return map;
}

// {rows, kpi} from GET /api/v1/overview: one row per SLA (the report object's figures of its current
// period) and the attainment KPI as the API gives it.
export function overviewOf(body) {
  const rows = listOf(body, 'slas', 'items', 'reports').map((r) => ({ ...r, sla: r.sla ?? r.id }));

  const kpi = body?.kpi ?? body?.attainment ?? null;
  return { rows, kpi };
}

// The attainment KPI's percentage, whatever its wrapping ({attainment_percent}, {percent}, a number).
export function kpiPercent(kpi) {
  if (kpi == null) return null;
  if (typeof kpi === 'number') return kpi;
  return kpi.attainment_percent ?? kpi.attainment ?? kpi.percent ?? kpi.overall?.attainment_percent ?? null;
}

// A node's history as stretches [{from, to, status}], newest first, from GET
// /api/v1/{kind}/{id}/history ({from, to, status_at_from, changes: [{at, status}]}).
export function historySpans(body) {
  if (!body || !body.from) return [];
  const points = [{ at: body.from, status: body.status_at_from ?? 'unknown' }, ...(body.changes ?? [])];
  return points.map((p, i) => ({ from: p.at, to: points[i + 1]?.at ?? body.to, status: p.status })).reverse();
}
