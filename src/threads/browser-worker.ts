// Entry of a browser kernel worker: waits for its WorkerInit, then serves the shared protocol.
import type { WorkerInit, WorkerRequest } from './protocol.js';
import { serveWorker } from './worker-core.js';

interface WorkerScope {
  onmessage: ((e: MessageEvent) => void) | null;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (e: MessageEvent) => {
  const msg = e.data as { kind: 'init'; init: WorkerInit };
  if (msg.kind !== 'init') return;
  scope.onmessage = null;
  serveWorker(msg.init, {
    onRequest: (h) => {
      scope.onmessage = (ev: MessageEvent) => h(ev.data as WorkerRequest);
    },
    close: () => scope.close(),
  });
};
