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

// The agreements' rows from GET /api/v1/overview (each OLA's and UC's current period); [] when absent.
export const agreementRowsOf = (body) => listOf(body, 'agreements').map((a) => ({ ...a, agreement: a.agreement ?? a.id }));

// Map SLA id -> {firing, rules, forecast, error} from GET /api/v1/alerts.
export function alertsBySla(body) {
  const map = new Map();
  for (const s of listOf(body, 'slas')) map.set(s.sla, { firing: s.firing ?? (s.rules ?? []).filter((r) => r.firing).length, rules: s.rules ?? [], forecast: s.forecast ?? null, error: s.error ?? null });
  return map;
}

// Who cost an SLA report's budget: its counted downtime (`down_s`) split by cause CI, by agreement and
// by provider (the report's by_cause, by_agreement, by_provider; each largest first), unattributed and
// unbacked time as the report gives them. Nothing is recomputed: only sorted.
export function budgetSplit(report) {
  const sorted = (o) => Object.entries(o ?? {}).map(([key, s]) => ({ key, s })).sort((a, b) => b.s - a.s || a.key.localeCompare(b.key));
  return {
    spent: report?.down_s ?? 0,
    byCause: sorted(report?.by_cause),
    unattributed: report?.unattributed_s ?? 0,
    byAgreement: sorted(report?.by_agreement),
    byProvider: sorted(report?.by_provider),
    unbacked: report?.unbacked_s ?? null,
    withAgreements: report?.by_agreement != null,
  };
}
