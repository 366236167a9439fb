// The open questions of waiting runs ("Needs you"), polled while someone is logged in.
import { api } from './api.js';

class Questions {
  /** @type {any[]} */
  list = $state([]);
  /** @type {ReturnType<typeof setInterval> | null} */
  #timer = null;

  async refresh() {
    try {
      this.list = (await api.questions()) || [];
    } catch {
      // a failed poll keeps the last list; the next one tries again
    }
  }

  /** Poll every few seconds until stop(). */
  start() {
    if (this.#timer) return;
    this.refresh();
    this.#timer = setInterval(() => this.refresh(), 3000);
  }

  stop() {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.list = [];
  }

  /** @param {number} portalId */
  forPortal(portalId) {
    return this.list.filter((q) => q.portalId === portalId);
  }
}

export const questions = new Questions();
