// Browser kernel threads: module Web Workers started ahead of time, then handed to WasmBackend through a WorkerSpawner.
import type { Backend } from '../model/backend.js';
import { WasmBackend } from '../threads/backend.js';
import type { WorkerHandle, WorkerInit, WorkerSpawner } from '../threads/protocol.js';

/** True when this context may share memory with workers (COOP/COEP served, SharedArrayBuffer present). */
export function canUseThreads(): boolean {
  return (
    typeof SharedArrayBuffer !== 'undefined' &&
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true
  );
}

interface Started {
  worker: Worker;
  port: MessagePort;
}

/**
 * Starts one kernel worker and resolves once its module has loaded and it listens on its MessagePort.
 * Requests go through the port because Chromium relays a nested worker's own messages through the parent
 * thread, which blocks in Atomics.wait while the backend waits; ports deliver directly.
 */
function startKernelWorker(timeoutMs: number): Promise<Started> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./kernel-worker.ts', import.meta.url), { type: 'module' });
    const ch = new MessageChannel();
    const port = ch.port1;
    const timer = setTimeout(() => {
      worker.terminate();
      reject(new Error(`kernel worker did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    port.onmessage = (e: MessageEvent) => {
      if ((e.data as { kind?: string })?.kind !== 'ready') return;
      clearTimeout(timer);
      port.onmessage = (ev: MessageEvent) => {
        const d = ev.data as { kind?: string; message?: string };
        if (d?.kind === 'error') console.error(`pocketlm kernel worker: ${d.message}`);
      };
      resolve({ worker, port });
    };
    worker.onerror = (e: ErrorEvent) => {
      clearTimeout(timer);
      reject(new Error(`kernel worker failed to load: ${e.message || 'script error'}`));
    };
    worker.postMessage({ kind: 'port', port: ch.port2 }, [ch.port2]);
  });
}

/**
 * A wasm backend over `threads` threads: this one plus threads − 1 kernel Web Workers. The workers are
 * started (and their modules loaded) before the backend is built, because WasmBackend's constructor waits
 * for them synchronously and a blocked thread cannot finish starting a nested worker. Call from a Web
 * Worker (the backend blocks in Atomics.wait, which a page's main thread may not). Falls back to one
 * thread when the context is not cross-origin isolated.
 */
export async function createWebBackend(
  threads: number,
  relaxed: boolean | 'auto' = 'auto',
  onStage?: (stage: string) => void,
): Promise<Backend> {
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`threads must be a positive integer, got ${threads}`);
  if (threads === 1 || !canUseThreads()) {
    ensureSharedArrayBuffer();
    return new WasmBackend(undefined, 1, relaxed);
  }
  const ready = await Promise.all(Array.from({ length: threads - 1 }, () => startKernelWorker(30_000)));
  onStage?.(`${ready.length} kernel worker${ready.length > 1 ? 's' : ''} ready; connecting`);
  let next = 0;
  const spawner: WorkerSpawner = {
    spawn(init: WorkerInit): WorkerHandle {
      const w = ready[next++];
      if (!w) throw new Error('kernel worker pool exhausted');
      w.port.postMessage({ kind: 'init', init });
      return {
        postMessage: (msg, transfer) => w.port.postMessage(msg, transfer ?? []),
        terminate: () => {
          w.port.close();
          w.worker.terminate();
        },
      };
    },
  };
  return new WasmBackend(spawner, threads, relaxed);
}

/**
 * WasmBackend allocates its (then unused) control block as a SharedArrayBuffer even with one thread; a
 * page that is not cross-origin isolated has no SharedArrayBuffer, so a plain ArrayBuffer stands in
 * (Atomics.load/store work on it; nothing waits with one thread).
 */
export function ensureSharedArrayBuffer(): void {
  const g = globalThis as { SharedArrayBuffer?: unknown };
  if (typeof g.SharedArrayBuffer === 'undefined') g.SharedArrayBuffer = ArrayBuffer;
}
