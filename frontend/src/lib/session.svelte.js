// Who is logged in, and which gate the app shows.

/** @typedef {'loading' | 'setup' | 'login' | 'ready' | 'offline'} Phase */

class Session {
  /** @type {Phase} */
  phase = $state('loading');
  /** @type {string} */
  username = $state('');
  /** Why the login page is shown (e.g. "Your session has ended."), if anything. */
  notice = $state('');

  /** @param {string} username */
  loggedIn(username) {
    this.username = username;
    this.notice = '';
    this.phase = 'ready';
  }

  /** Any API call answered 401: back to the login page. */
  expired() {
    if (this.phase === 'ready') this.notice = 'Your session has ended. Please log in again.';
    this.username = '';
    if (this.phase !== 'setup') this.phase = 'login';
  }

  loggedOut() {
    this.username = '';
    this.notice = '';
    this.phase = 'login';
  }
}

export const session = new Session();
