// Browser specifics of the kernel workers: Web Workers speaking the same protocol as the Node ones (needs COOP/COEP for SharedArrayBuffer).
import type { Backend } from '../model/backend.js';
import { type BackendOptions, WasmBackend } from './backend.js';
import type { WorkerHandle, WorkerInit, WorkerSpawner } from './protocol.js';

/** Starts module Web Workers running browser-worker.js; the first message carries the WorkerInit. */
export const browserSpawner: WorkerSpawner = {
  spawn(init: WorkerInit): WorkerHandle {
    const w = new Worker(new URL('./browser-worker.js', import.meta.url), { type: 'module' });
    w.postMessage({ kind: 'init', init });
    return {
      postMessage: (msg, transfer) => w.postMessage(msg, transfer ?? []),
      terminate: () => w.terminate(),
    };
  },
};

/**
 * The wasm backend in a browser. Call it from a Web Worker (the calling thread blocks in Atomics.wait,
 * which a page's main thread may not). Without cross-origin isolation (no SharedArrayBuffer) it runs on
 * one thread.
 */
export function createBrowserBackend(opts: BackendOptions = {}): Backend {
  const isolated =
    typeof SharedArrayBuffer !== 'undefined' &&
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
  const threads = isolated ? (opts.threads ?? globalThis.navigator?.hardwareConcurrency ?? 1) : 1;
  return new WasmBackend(
    threads > 1 ? browserSpawner : undefined,
    threads,
    opts.relaxed ?? 'auto',
    opts.activations,
  );
}
