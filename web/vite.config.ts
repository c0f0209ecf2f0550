// Vite build of the offline chat page (web/ → web/dist): node builtins stubbed, workers as ES modules, no CDN assets.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const COOP_COEP = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The engine's Node-only paths (file loading, worker_threads) are never taken in the browser, but their
 * modules are part of the import graph: every `node:*` import resolves to a stub whose named exports
 * (synthesized from its default export) throw when called.
 */
function nodeStubs(): Plugin {
  const PREFIX = '\0pocketlm-node-stub:';
  return {
    name: 'pocketlm-node-stubs',
    enforce: 'pre',
    resolveId(id) {
      return id.startsWith('node:') ? PREFIX + id : null;
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const name = JSON.stringify(id.slice(PREFIX.length));
      return {
        code: `const fail = (k) => () => { throw new Error(${name} + '.' + String(k) + ' is not available in the browser'); };
export default new Proxy({}, { get: (_t, k) => (k === '__esModule' ? false : fail(k)) });`,
        syntheticNamedExports: true,
      };
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [nodeStubs()],
  worker: { format: 'es', plugins: () => [nodeStubs()] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
  server: { headers: COOP_COEP, fs: { allow: ['..'] } },
  preview: { headers: COOP_COEP },
});
