// Vite build of the offline chat page (web/ → web/dist): node builtins stubbed, workers as ES modules, no CDN assets.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const COOP_COEP = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Browser implementations of node builtins used on browser paths (the document parsers name files with node:path). */
const BROWSER_IMPL: Record<string, string> = {
  'node:path': fileURLToPath(new URL('../src/web/browser-path.ts', import.meta.url)),
};

/**
 * The engine's Node-only paths (file loading, worker_threads) are never taken in the browser, but their
 * modules are part of the import graph: every `node:*` import resolves to a stub whose named exports
 * (synthesized from its default export) throw when called, except the functions in BROWSER_IMPL.
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
      const mod = id.slice(PREFIX.length);
      const name = JSON.stringify(mod);
      const impl = BROWSER_IMPL[mod];
      return {
        code: `${impl ? `import * as impl from ${JSON.stringify(impl)};` : 'const impl = {};'}
const fail = (k) => () => { throw new Error(${name} + '.' + String(k) + ' is not available in the browser'); };
export default new Proxy({}, { get: (_t, k) => (k === '__esModule' ? false : k in impl ? impl[k] : fail(k)) });`,
        syntheticNamedExports: true,
      };
    },
  };
}

/**
 * unpdf loads its serverless PDF.js build with `import('unpdf/pdfjs')`; the document worker instead gives
 * it the build as a static asset (`unpdf/pdfjs?url`, via definePDFJSModule), so the 1.6 MB file is copied,
 * not parsed and minified again. This stub replaces the bundled import and fails with a clear message.
 */
function pdfjsAsset(): Plugin {
  const ID = '\0pocketlm-pdfjs-stub';
  return {
    name: 'pocketlm-pdfjs-asset',
    enforce: 'pre',
    resolveId(id) {
      return id === 'unpdf/pdfjs' ? ID : null;
    },
    load(id) {
      if (id !== ID) return null;
      return `throw new Error('PDF.js is loaded as an asset in the browser: call definePDFJSModule first');`;
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [nodeStubs(), pdfjsAsset()],
  worker: { format: 'es', plugins: () => [nodeStubs(), pdfjsAsset()] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
  server: { headers: COOP_COEP, fs: { allow: ['..'] } },
  preview: { headers: COOP_COEP },
});
