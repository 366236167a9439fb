// Svelte compiler options for @sveltejs/vite-plugin-svelte. Plain JS, no preprocessors.
export default {};
