// Calls to the server with the session cookie: Kibana APIs directly, Elasticsearch APIs
// through the console proxy. Every write carries the session's CSRF token and `kbn-xsrf`.

const csrf = () => document.querySelector('meta[name="rampart-csrf"]')?.content || '';

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** The user-facing message of a Kibana (`message`) or Elasticsearch (`error.reason`) error. */
export function errorMessage(status, body) {
  if (body && typeof body === 'object') {
    if (typeof body.message === 'string') return body.message;
    const e = body.error;
    if (e && typeof e === 'object') {
      const caused = e.caused_by?.reason ? ` (${e.caused_by.reason})` : '';
      return `${e.reason || e.type}${caused}`;
    }
    if (typeof e === 'string') return e;
  }
  return `Request failed with status ${status}`;
}

export async function request(method, url, body) {
  const headers = { 'kbn-xsrf': 'true' };
  if (method !== 'GET') headers['x-csrf-token'] = csrf();
  if (body !== undefined) headers['content-type'] = 'application/json';
  const resp = await fetch(url, {
    method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (resp.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
    throw new ApiError(401, 'Your session has expired.', null);
  }
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!resp.ok) throw new ApiError(resp.status, errorMessage(resp.status, data), data);
  return data;
}

export const kibana = {
  get: (url) => request('GET', url),
  put: (url, body) => request('PUT', url, body),
  post: (url, body) => request('POST', url, body),
  del: (url) => request('DELETE', url),
};

/** An Elasticsearch API call with the session's identity. */
export function es(method, path, body) {
  const q = new URLSearchParams({ path, method });
  return request('POST', `/api/console/proxy?${q}`, body);
}

export const enc = encodeURIComponent;
