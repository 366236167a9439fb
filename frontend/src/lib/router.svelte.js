// A tiny hash router: "#/portals/3?x=1" -> { path: "/portals/3", query: URLSearchParams }.

function parse() {
  const raw = window.location.hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = (q === -1 ? raw : raw.slice(0, q)) || '/';
  const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  return { path: path.startsWith('/') ? path : '/' + path, query };
}

class Router {
  path = $state('/');
  /** @type {URLSearchParams} */
  query = $state(new URLSearchParams());

  constructor() {
    const apply = () => {
      const r = parse();
      this.path = r.path;
      this.query = r.query;
    };
    apply();
    window.addEventListener('hashchange', apply);
  }
}

export const router = new Router();

/** @param {string} path e.g. "/portals/3" */
export function navigate(path, { replace = false } = {}) {
  const hash = '#' + path;
  if (replace) {
    history.replaceState(history.state, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else if (window.location.hash !== hash) {
    window.location.hash = hash;
  }
}

/** @param {string} path @returns {string} an href for a link */
export const href = (path) => '#' + path;

/**
 * Match a path against a pattern such as "/portals/:id".
 * @param {string} pattern
 * @param {string} path
 * @returns {Record<string,string> | null}
 */
export function match(pattern, path) {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  /** @type {Record<string,string>} */
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}
