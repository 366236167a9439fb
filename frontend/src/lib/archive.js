// The Archive page's filters, kept in the URL (#/archive?portal=1&from=...&q=...) so a reload or
// a shared link shows the same list.

/** The filter names, in the order the URL shows them. */
export const FILTERS = /** @type {const} */ (['portal', 'from', 'to', 'min', 'max', 'q']);

/**
 * The filters in a query: every name present, "" when not set.
 * @param {URLSearchParams} query
 * @returns {Record<string, string>}
 */
export function filtersFrom(query) {
  /** @type {Record<string, string>} */
  const f = {};
  for (const k of FILTERS) f[k] = (query?.get?.(k) || '').trim();
  return f;
}

/** True when any filter narrows the list. */
export function anyFilter(f) {
  return FILTERS.some((k) => !!f[k]);
}

/**
 * The archive's path with these filters (and the previewed invoice, if any).
 * @param {Record<string, string>} f
 * @param {string|number} [preview]
 */
export function archivePath(f, preview = '') {
  const q = new URLSearchParams();
  for (const k of FILTERS) if (f[k]) q.set(k, f[k]);
  if (preview) q.set('preview', String(preview));
  const s = q.toString();
  return '/archive' + (s ? '?' + s : '');
}

/** A key that changes exactly when the list must be fetched again. */
export function filterKey(f) {
  return FILTERS.map((k) => f[k] || '').join('\u0000');
}

/**
 * A search snippet ("… the «hetzner» server …") as parts to render as text, the matches marked.
 * The snippet is the invoice's own text: never HTML.
 * @param {string} snippet
 * @param {number} [lead] keep at most this many characters before the first match, so that a
 *   one-line cell shows the match rather than the words before it
 * @returns {{text: string, hit: boolean}[]}
 */
export function snippetParts(snippet, lead = Infinity) {
  /** @type {{text: string, hit: boolean}[]} */
  const parts = [];
  const re = /«([^»]*)»/g;
  let last = 0;
  let m;
  while ((m = re.exec(snippet || ''))) {
    if (m.index > last) parts.push({ text: snippet.slice(last, m.index), hit: false });
    parts.push({ text: m[1], hit: true });
    last = m.index + m[0].length;
  }
  if (last < (snippet || '').length) parts.push({ text: snippet.slice(last), hit: false });
  const first = parts[0];
  if (parts.length > 1 && !first.hit && first.text.length > lead) {
    first.text = '…' + first.text.slice(first.text.length - lead).replace(/^\S*\s/, '');
  }
  return parts;
}

/**
 * Saves a file the page fetched (a zip) under a name, as a download.
 * @param {Blob} blob
 * @param {string} name
 */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started reading the blob; give it a moment before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

/**
 * Calls fn after the input has been quiet for ms; cancel() drops a pending call.
 * @template {any[]} A
 * @param {(...args: A) => void} fn
 * @param {number} ms
 */
export function debounce(fn, ms) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const call = (/** @type {A} */ ...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  call.cancel = () => clearTimeout(timer);
  return call;
}
