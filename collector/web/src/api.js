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

async function get(path) {
  const headers = { Accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(path, { headers });
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

export const api = {
  catalogue: () => get('/api/v1/catalogue'),
  agents: () => all('/api/v1/agents'),
};
