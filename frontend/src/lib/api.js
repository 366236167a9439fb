// Thin client for the billhound JSON API (docs/API.md).
import { session } from './session.svelte.js';

/** An error answer of the API: `{"error": "..."}` plus the HTTP status. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {any} body the parsed JSON body, if any (e.g. `candidates` on a 409)
   */
  constructor(status, message, body) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

/**
 * @param {string} method
 * @param {string} path under /api, e.g. "/portals"
 * @param {{json?: any, form?: FormData, auth?: boolean, signal?: AbortSignal, blob?: boolean}} [opts]
 *   auth=false: a 401 is an answer for the caller (login), not "session expired".
 *   blob=true: a successful answer is a file: `{blob, fileName}` (fileName from Content-Disposition).
 */
export async function request(method, path, opts = {}) {
  /** @type {RequestInit} */
  const init = { method, credentials: 'same-origin', headers: { Accept: opts.blob ? '*/*' : 'application/json' }, signal: opts.signal };
  if (opts.json !== undefined) {
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
    init.body = JSON.stringify(opts.json);
  } else if (opts.form) {
    init.body = opts.form; // the browser sets the multipart boundary
  }

  let res;
  try {
    res = await fetch('/api' + path, init);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'Cannot reach the billhound server. Is it running?', null);
  }

  if (res.status === 204) return null;
  if (opts.blob && res.ok) {
    return { blob: await res.blob(), fileName: dispositionName(res.headers.get('Content-Disposition')) };
  }

  const text = await res.text();
  let body = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }

  if (!res.ok) {
    if (res.status === 401 && opts.auth !== false) {
      session.expired();
    }
    const message = (body && typeof body.error === 'string' && body.error) || `${res.status} ${res.statusText || 'error'}`.trim();
    throw new ApiError(res.status, message, body);
  }
  return body;
}

/** The file name of a Content-Disposition header ("" when it has none). */
function dispositionName(header) {
  if (!header) return '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // fall through to the plain name
    }
  }
  return /filename="?([^";]+)"?/i.exec(header)?.[1] || '';
}

/**
 * The archive's filters as a query string (empty values left out).
 * @param {Record<string, string|number|undefined|null>} params
 */
function queryString(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

export const api = {
  // setup and session
  setupState: () => request('GET', '/setup', { auth: false }),
  setup: (username, password, token) => request('POST', '/setup', { json: { username, password, token }, auth: false }),
  login: (username, password) => request('POST', '/login', { json: { username, password }, auth: false }),
  logout: () => request('POST', '/logout', { auth: false }),
  me: () => request('GET', '/me', { auth: false }),
  /** The second sign-in step: a 6-digit code or a recovery code (the server tells them apart). */
  loginCode: (code) => request('POST', '/login/2fa', { json: { code }, auth: false }),
  logoutEverywhere: () => request('POST', '/logout-everywhere', { auth: false }),

  // the account's own two-factor sign-in
  accountTotpSetup: () => request('POST', '/account/2fa/setup'),
  accountTotpActivate: (code) => request('POST', '/account/2fa/activate', { json: { code } }),
  accountTotpDeactivate: (code) => request('POST', '/account/2fa/deactivate', { json: { code } }),
  // personal API tokens (shown once when created; only their hashes are kept)
  apiTokens: () => request('GET', '/account/tokens'),
  createApiToken: (name) => request('POST', '/account/tokens', { json: { name } }),
  revokeApiToken: (id) => request('DELETE', `/account/tokens/${id}`),

  // portals
  portals: () => request('GET', '/portals'),
  portal: (id) => request('GET', `/portals/${id}`),
  createPortal: (body) => request('POST', '/portals', { json: body }),
  updatePortal: (id, body) => request('PUT', `/portals/${id}`, { json: body }),
  deletePortal: (id) => request('DELETE', `/portals/${id}`),
  // the kept browser session: only when it was kept is ever shown, never the session
  forgetSession: (id) => request('DELETE', `/portals/${id}/session`),
  bundledScripts: () => request('GET', '/bundled-scripts'),

  // two-factor
  /** @param {File|Blob} image @param {number|null} [index] */
  totpFromImage: (id, image, index = null) => {
    const form = new FormData();
    form.append('image', image, /** @type {File} */ (image).name || 'qr.png');
    if (index !== null && index !== undefined) form.append('index', String(index));
    return request('PUT', `/portals/${id}/totp`, { form });
  },
  totpFromSecret: (id, body) => request('PUT', `/portals/${id}/totp`, { json: body }),
  totpFromUri: (id, uri) => request('PUT', `/portals/${id}/totp`, { json: { uri } }),
  totpCode: (id) => request('GET', `/portals/${id}/totp/code`),
  // the phone hand-off: a one-time upload link for a photo of the QR code
  createHandoff: (id) => request('POST', `/portals/${id}/handoff`),
  handoffState: (id) => request('GET', `/portals/${id}/handoff`),
  sendHandoff: (id, token) => request('POST', `/portals/${id}/handoff/send`, { json: { token } }),
  /** Public, for the phone page: no session, the link's token only. */
  phoneHandoff: (token) => request('GET', `/handoff/${encodeURIComponent(token)}`, { auth: false }),
  phoneUpload: (token, image) => {
    const form = new FormData();
    form.append('image', image);
    return request('PUT', `/handoff/${encodeURIComponent(token)}/image`, { form, auth: false });
  },
  deleteTotp: (id) => request('DELETE', `/portals/${id}/totp`),
  /** The user says the portal accepted a code from the stored secret: `{twofa}`. */
  confirmTotp: (id) => request('POST', `/portals/${id}/totp/confirm`),
  /** Reads an authenticator app's export: `{id, format, accounts, skipped}` (never the secrets). */
  importExport: (file, password = '') => {
    const form = new FormData();
    form.append('file', file, file.name || 'export');
    if (password) form.append('password', password);
    return request('POST', '/import', { form });
  },
  /** @param {{account: number, portal: number}[]} assignments */
  importAssign: (ref, assignments) => request('POST', `/import/${ref}/assign`, { json: { assignments } }),

  // recovery codes: stored sealed; only reveal answers with them
  /** @param {string} codes one a line, as pasted */
  saveRecoveryCodes: (id, codes) => request('PUT', `/portals/${id}/recovery-codes`, { json: { codes } }),
  revealRecoveryCodes: (id) => request('POST', `/portals/${id}/recovery-codes/reveal`),
  deleteRecoveryCodes: (id) => request('DELETE', `/portals/${id}/recovery-codes`),

  // runs
  startRun: (portalId) => request('POST', `/portals/${portalId}/runs`),
  runs: ({ portal, limit } = {}) => {
    const q = new URLSearchParams();
    if (portal) q.set('portal', String(portal));
    if (limit) q.set('limit', String(limit));
    const qs = q.toString();
    return request('GET', '/runs' + (qs ? '?' + qs : ''));
  },
  run: (id) => request('GET', `/runs/${id}`),
  /** The open questions of runs waiting for the user. */
  questions: () => request('GET', '/questions'),
  /** @param {number} runId @param {string} answer ("" for a confirmation) */
  answer: (runId, answer) => request('POST', `/runs/${runId}/answer`, { json: { answer } }),

  // where codes come from: the mailbox (password never returned) and the SMS inbox
  mailbox: () => request('GET', '/settings/mailbox'),
  saveMailbox: (body) => request('PUT', '/settings/mailbox', { json: body }),
  smsInbox: () => request('GET', '/settings/sms'),
  newSmsToken: () => request('POST', '/settings/sms/token'),

  // notifications: secrets are write-only (an empty value keeps the stored one)
  notificationSettings: () => request('GET', '/settings/notifications'),
  saveNotificationSettings: (body) => request('PUT', '/settings/notifications', { json: body }),
  /** Sends a test through every channel that is on (as saved): `{results: [{channel, ok, error}]}`. */
  testNotifications: () => request('POST', '/settings/notifications/test'),

  // invoices: filters are {portal, from, to, min, max, q} (see lib/archive.js)
  /** One page, newest first: `{items, next, total}`; `next` is "" after the last page. */
  invoices: (filters = {}, { cursor = '', limit = 0, signal = undefined } = {}) =>
    request('GET', '/invoices' + queryString({ ...filters, cursor, limit: limit || '' }), { signal }),
  /** Sums per month, portal and currency: `{rows: [{month, portalId, portalName, currency, amount, count}]}`. */
  invoiceTotals: (filters = {}, { signal = undefined } = {}) => request('GET', '/invoices/totals' + queryString(filters), { signal }),
  invoice: (id) => request('GET', `/invoices/${id}`),
  /** A zip of these invoices' files (at most 1000): `{blob, fileName}`. */
  invoicesZip: (ids) => request('POST', '/invoices/zip', { json: { ids }, blob: true }),
};
