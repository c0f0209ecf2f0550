// Entry of a browser kernel worker (module Web Worker): receives a MessagePort, says ready, then serves the threads protocol on it.
import type { WorkerInit, WorkerRequest } from '../threads/protocol.js';
import { serveWorker } from '../threads/worker-core.js';

interface WorkerScope {
  onmessage: ((e: MessageEvent) => void) | null;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;

// Requests come through a MessagePort, not the worker's own channel: Chromium forwards messages to a nested
// worker through its parent's thread, which sits blocked in Atomics.wait while the backend waits for us.
scope.onmessage = (e: MessageEvent) => {
  const port = (e.data as { kind?: string; port?: MessagePort })?.port;
  if (!port) return;
  scope.onmessage = null;
  port.onmessage = (ev: MessageEvent) => {
    const msg = ev.data as { kind: 'init'; init: WorkerInit };
    if (msg?.kind !== 'init') return;
    port.onmessage = null;
    try {
      serveWorker(msg.init, {
        onRequest: (h) => {
          port.onmessage = (m: MessageEvent) => h(m.data as WorkerRequest);
        },
        close: () => {
          port.close();
          scope.close();
        },
      });
    } catch (err) {
      port.postMessage({ kind: 'error', message: (err as Error).message });
    }
  };
  port.postMessage({ kind: 'ready' });
};
