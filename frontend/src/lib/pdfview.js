// Draws pages of an archived PDF onto a canvas with PDF.js, loaded only when a preview opens.
// Hardened for hostile files: no eval (isEvalSupported: false), no XFA, and only the core
// renderer: no viewer, so no scripting sandbox and no annotation layer (links are not
// clickable elements, /OpenAction JavaScript is never run). The worker is bundled by Vite and
// served by billhound itself.

/** @type {Promise<typeof import('pdfjs-dist')> | null} */
let loading = null;

function pdfjs() {
  loading ??= Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.min.mjs?url')]).then(([lib, worker]) => {
    lib.GlobalWorkerOptions.workerSrc = worker.default;
    return lib;
  });
  return loading;
}

/**
 * Opens a PDF by URL (same origin, with the session cookie).
 * @param {string} url
 */
export async function openPdf(url) {
  const lib = await pdfjs();
  const task = lib.getDocument({
    url,
    isEvalSupported: false, // older PDF.js compiled font outlines with new Function; never here
    enableXfa: false,
    disableAutoFetch: true, // the preview shows one page at a time
    stopAtErrors: false,
  });
  const doc = await task.promise;
  /** @type {any} the render in progress: a canvas takes one at a time */
  let current = null;
  let latest = 0;
  let chain = Promise.resolve();
  /** @param {number} n @param {HTMLCanvasElement} canvas @param {number} width */
  async function drawNow(n, canvas, width) {
    const page = await doc.getPage(n);
    const base = page.getViewport({ scale: 1 });
    const ratio = window.devicePixelRatio || 1;
    const viewport = page.getViewport({ scale: (width / base.width) * ratio });
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.style.width = `${Math.floor(viewport.width / ratio)}px`;
    canvas.style.height = `${Math.floor(viewport.height / ratio)}px`;
    // ENABLE draws annotation appearances into the canvas only: nothing to click or run.
    current = page.render({ canvas, viewport, annotationMode: lib.AnnotationMode.ENABLE });
    try {
      await current.promise;
    } finally {
      current = null;
    }
  }
  return {
    pages: doc.numPages,
    /**
     * Draws page n (1-based) to fit width CSS pixels, sharp on high-density screens. A newer
     * call cancels an older one that has not finished (resolved without drawing).
     * @param {number} n
     * @param {HTMLCanvasElement} canvas
     * @param {number} width
     */
    draw(n, canvas, width) {
      const mine = ++latest;
      current?.cancel();
      const run = chain.then(() => (mine === latest ? drawNow(n, canvas, width) : undefined));
      chain = run.catch(() => {});
      return run;
    },
    close: () => task.destroy(),
  };
}
