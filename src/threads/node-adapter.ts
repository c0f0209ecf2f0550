// Node specifics of the kernel workers (worker_threads), in one file: spawns them, and is their entry point.
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { relaxedSimdValidates } from '../kernels/relaxed.js';
import type { WorkerHandle, WorkerInit, WorkerPort, WorkerRequest, WorkerSpawner } from './protocol.js';
import { serveWorker } from './worker-core.js';

const MARK = 'pocketlm-kernel-worker';

// Node 20 (V8 11.3) hides relaxed SIMD behind a flag that NODE_OPTIONS refuses; setting it before any
// module is compiled works (kernels/relaxed.ts does this too where process.getBuiltinModule exists).
if (!relaxedSimdValidates()) setFlagsFromString('--experimental-wasm-relaxed-simd');

/**
 * A worker running this very file. From dist/ that is plain JS. Under tsx (tests) the file is .ts, and
 * Node 20 does not apply the inherited `--import tsx` to a worker's entry module, so a two-line bootstrap
 * registers tsx's loader first.
 */
function startWorker(workerData: unknown): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL(self), { workerData });
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(self)}); });`;
  return new Worker(code, { eval: true, workerData });
}

/** Starts kernel workers with worker_threads. */
export const nodeSpawner: WorkerSpawner = {
  spawn(init: WorkerInit): WorkerHandle {
    const w = startWorker({ [MARK]: init });
    w.unref(); // a forgotten dispose() must not keep the process alive
    w.on('error', (e) => {
      // The pool notices a dead worker by its silence (waits time out); keep the reason visible.
      console.error(`pocketlm kernel worker ${init.slot} failed: ${e.message}`);
    });
    return {
      postMessage: (msg, transfer) => w.postMessage(msg, transfer as never),
      terminate: () => void w.terminate(),
    };
  },
};

/** Hardware threads to use by default. */
export function defaultThreadCount(): number {
  return availableParallelism();
}

const init = (workerData as Record<string, WorkerInit> | null)?.[MARK];
if (!isMainThread && parentPort && init) {
  const pp = parentPort;
  const port: WorkerPort = {
    onRequest: (h) => pp.on('message', (m: WorkerRequest) => h(m)),
    close: () => pp.close(),
  };
  serveWorker(init, port);
}
