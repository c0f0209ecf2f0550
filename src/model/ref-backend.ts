// The plain-TypeScript backend: ggml's reference mul_mat (activations quantized to the vec-dot type), one thread.
import { rowBytes } from '../format/ggml-types.js';
import { type ActivationFlavor, MatmulScratch, matmulRef } from '../quant/index.js';
import type { Backend, WeightMatrix } from './backend.js';
import type { TensorRef } from './config.js';

interface RefMatrix extends WeightMatrix {
  readonly data: Uint8Array;
}

/** Options of the reference backend. */
export interface RefBackendOptions {
  /** Which CPU build's activation rounding to mirror ('x86' = llama.cpp's AVX2 build, the reference). */
  flavor?: ActivationFlavor;
}

/** Creates the reference backend (slow, exact; the twin every fast backend is tested against). */
export function createRefBackend(opts: RefBackendOptions = {}): Backend {
  const scratch = new MatmulScratch();
  const flavor = opts.flavor ?? 'x86';
  return {
    name: 'reference (plain TypeScript)',
    prepareMatrix(t: TensorRef): WeightMatrix {
      const cols = t.dims[0]!;
      const rows = t.dims[1] ?? 1;
      const need = rowBytes(t.type, cols) * rows;
      if (t.data.length < need)
        throw new Error(`tensor "${t.name}" has ${t.data.length} bytes, needs ${need}`);
      const m: RefMatrix = { name: t.name, type: t.type, rows, cols, data: t.data };
      return m;
    },
    matmul(w: WeightMatrix, x: Float32Array, n: number, out: Float32Array): void {
      const m = w as RefMatrix;
      matmulRef({ type: m.type, data: m.data, rows: m.rows, cols: m.cols }, x, n, out, { scratch, flavor });
    },
    dispose() {},
  };
}
