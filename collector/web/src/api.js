// The one module that talks to the collector's API (docs/api.md). Everything the pages show comes
// from here, as the API returns it: the UI never recomputes a figure. A token (needed when the
// collector listens beyond loopback) is kept for the browser tab in sessionStorage.
const TOKEN_KEY = 'slamon.token';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

function headers(extra = {}) {
  const h = { Accept: 'application/json', ...extra };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

async function get(path) {
  return send(path, { headers: headers() });
}

// POST with a JSON body (the maintenance writes; they need the admin token).
async function post(path, body) {
  return send(path, { method: 'POST', headers: headers({ 'Content-Type': 'application/json' }), body: JSON.stringify(body ?? {}) });
}

// A text answer (the HTML report page); errors as JSON like every other endpoint.
async function getText(path) {
  const res = await fetch(path, { headers: headers({ Accept: 'text/html' }) });
  const text = await res.text();
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try { message = JSON.parse(text)?.error?.message ?? message; } catch { /* not JSON */ }
    throw new ApiError(res.status, message);
  }
  return text;
}

async function send(path, init) {
  const res = await fetch(path, init);
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) throw new ApiError(res.status, body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}

// Every page of a paginated list, followed by its cursors (bounded).
async function all(path) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 1000; ++page) {
    const sep = path.includes('?') ? '&' : '?';
    const body = await get(`${path}${sep}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...body.items);
    if (!body.next_cursor) break;
    cursor = body.next_cursor;
  }
  return items;
}

// The endpoints this collector serves (GET /api/v1, asked once per page load): a page asks only for
// what is there, and says what is missing instead of a failed request.
let index = null;
async function served(endpoint) {
  index ??= get('/api/v1').then((b) => new Set(b.endpoints ?? []), () => new Set());
  const set = await index;
  if (!set.has(endpoint)) throw new ApiError(501, `this collector does not serve ${endpoint}`);
}
const when = (endpoint, fn) => served(endpoint).then(fn);

const enc = encodeURIComponent;
const query = (params) => {
  const q = Object.entries(params).filter(([, v]) => v != null && v !== '').map(([k, v]) => `${k}=${enc(v)}`).join('&');
  return q ? `?${q}` : '';
};

export const api = {
  catalogue: () => get('/api/v1/catalogue'),
  agents: () => all('/api/v1/agents'),
  // Live status of every node ({id, kind, status, since}), or of one.
  status: () => when('/api/v1/status', () => all('/api/v1/status')),
  statusOf: (id) => when('/api/v1/status/{id}', () => get(`/api/v1/status/${enc(id)}`)),
  // A node's state history over [from, to) (RFC 3339); kind: services, cis or probes.
  history: (kind, id, from, to) => when(`/api/v1/${kind}/{id}/history`, () => get(`/api/v1/${kind}/${enc(id)}/history${query({ from, to })}`)),
  results: (probe, limit = 500) => when('/api/v1/probes/{id}/results', () => get(`/api/v1/probes/${enc(probe)}/results${query({ limit })}`)),
  // The report object of `slamon report --format json` (spec/interchange.md).
  report: (sla, period, asOf) => when('/api/v1/slas/{id}/report', () => get(`/api/v1/slas/${enc(sla)}/report${query({ period, as_of: asOf })}`)),
  reportHtmlUrl: (sla, period) => `/api/v1/slas/${enc(sla)}/report${query({ period, format: 'html' })}`,
  reportHtml: (sla, period) => when('/api/v1/slas/{id}/report', () => getText(api.reportHtmlUrl(sla, period))),
  // An OLA's or UC's report (the same object, with `agreement`, `kind`, `provider`).
  agreementReport: (id, period, asOf) => when('/api/v1/agreements/{id}/report', () => get(`/api/v1/agreements/${enc(id)}/report${query({ period, as_of: asOf })}`)),
  agreementReportHtmlUrl: (id, period) => `/api/v1/agreements/${enc(id)}/report${query({ period, format: 'html' })}`,
  agreementReportHtml: (id, period) => when('/api/v1/agreements/{id}/report', () => getText(api.agreementReportHtmlUrl(id, period))),
  // The attainment KPI over [from, to) (dates), as `slamon report --kpi` gives it.
  kpi: (from, to) => when('/api/v1/kpi', () => get(`/api/v1/kpi${query({ from, to })}`)),
  // An SLA's feasibility (ceiling of the agreements underneath against its target).
  feasibility: (sla) => when('/api/v1/slas/{id}/feasibility', () => get(`/api/v1/slas/${enc(sla)}/feasibility`)),
  // Every SLA's burn-rate alerts now; one SLA's firing and resolving instants over the last day.
  alerts: () => when('/api/v1/alerts', () => get('/api/v1/alerts')),
  slaAlerts: (sla) => when('/api/v1/slas/{id}/alerts', () => get(`/api/v1/slas/${enc(sla)}/alerts`)),
  // Every SLA's and agreement's current-period figures and the attainment KPI.
  overview: () => when('/api/v1/overview', () => get('/api/v1/overview')),
  maintenance: () => all('/api/v1/maintenance'),
  scheduleMaintenance: (body) => post('/api/v1/maintenance', body),
  endMaintenance: (id, body) => post(`/api/v1/maintenance/${enc(id)}/end`, body),
};
