import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The Go binary embeds dist/ (see embed.go); the SPA itself lands in dist/spa.
export default defineConfig({
  base: '/',
  plugins: [svelte()],
  build: {
    outDir: 'dist/spa',
    emptyOutDir: true,
    // Keep output predictable for embedding; no source maps in the binary.
    sourcemap: false,
    rolldownOptions: {
      // The "plugin took significant time" notice depends on machine load (2-core CI), not on the code.
      checks: { bundlerTimings: false },
    },
  },
  server: {
    // `npm run dev`: the SPA on Vite, the API on a locally running billhound.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
    },
  },
});
