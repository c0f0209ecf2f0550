// createBackend for Node: wasm kernels on the calling thread plus worker_threads, one row share each.
import type { Backend } from '../model/backend.js';
import { type BackendOptions, WasmBackend } from './backend.js';
import { defaultThreadCount, nodeSpawner } from './node-adapter.js';

export type { BackendOptions } from './backend.js';
export { splitRows, WasmBackend } from './backend.js';

/**
 * A wasm SIMD backend. `threads` (default: os.availableParallelism()) counts the calling thread, which
 * computes a share too; 1 runs everything in-thread with no workers. `relaxed`: 'auto' (default) uses
 * relaxed SIMD when the engine has it. `activations`: 'x86' (default) rounds activations as llama.cpp's
 * AVX build, 'generic' as ggml's reference quantizers. Call dispose() to stop the workers.
 */
export function createBackend(
  opts: BackendOptions = {},
): Backend & { readonly threads: number; readonly relaxed: boolean } {
  const threads = opts.threads ?? defaultThreadCount();
  const be = new WasmBackend(
    threads > 1 ? nodeSpawner : undefined,
    threads,
    opts.relaxed ?? 'auto',
    opts.activations,
  );
  if (opts.minSplitWeights !== undefined) be.minSplitWeights = opts.minSplitWeights;
  return be;
}
