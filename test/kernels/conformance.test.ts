// The wasm kernels against the project's ggml-faithful reference, src/quant's matmulRef, in both activation flavours.
import { test } from 'node:test';
import { GgmlType, ggmlTypeName } from '../../src/format/ggml-types.js';
import { KernelModule } from '../../src/kernels/matvec.js';
import { detectRelaxedSimd } from '../../src/kernels/relaxed.js';
import { matmulRef } from '../../src/quant/matmul-ref.js';
import { checkAgainstRef, randomActivations, randomWeights, TOLERANCE } from './helpers.js';

for (const [relaxed, flavor] of [
  [false, 'x86'],
  [true, 'x86'],
  [true, 'generic'],
] as const) {
  for (const [type, tol] of TOLERANCE) {
    test(`${relaxed ? 'relaxed' : 'simd128'} ${ggmlTypeName(type)} equals matmulRef (${flavor}) within ${tol}·Σ|w·x|`, () => {
      if (relaxed) detectRelaxedSimd();
      const km = new KernelModule(relaxed, undefined, flavor);
      let seed = 500;
      for (const [rows, n] of [
        [7, 1],
        [13, 3],
        [6, 17],
      ] as const) {
        const cols = type === GgmlType.Q4_K || type === GgmlType.Q5_K || type === GgmlType.Q6_K ? 768 : 224;
        const w = randomWeights(type, rows, cols, seed++);
        const x = randomActivations(n, cols, seed++);
        const out = new Float32Array(n * rows);
        km.matmul(km.pack(type, rows, cols, w), x, n, out, rows, 0);
        const ref = new Float32Array(n * rows);
        matmulRef({ type, data: w, rows, cols }, x, n, ref, { flavor });
        checkAgainstRef(type, w, rows, cols, x, n, out, tol, `matmulRef ${ggmlTypeName(type)} n=${n}`, ref);
      }
    });
  }
}
