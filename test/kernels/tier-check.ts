// Child-process script for tiers.test.ts: checks every kernel (both variants) against the reference and exits 1 on any mismatch.
import { GgmlType } from '../../src/format/ggml-types.js';
import { KernelModule } from '../../src/kernels/matvec.js';
import { detectRelaxedSimd } from '../../src/kernels/relaxed.js';
import { checkAgainstRef, randomActivations, randomWeights, TOLERANCE } from './helpers.js';

if (!detectRelaxedSimd()) throw new Error('relaxed SIMD unavailable');
let seed = 7;
for (const relaxed of [false, true]) {
  const km = new KernelModule(relaxed);
  for (const [type, tol] of TOLERANCE) {
    const cols = type === GgmlType.Q4_K || type === GgmlType.Q5_K || type === GgmlType.Q6_K ? 512 : 64;
    for (const [rows, n] of [
      [5, 1],
      [9, 3],
    ] as const) {
      const w = randomWeights(type, rows, cols, seed++);
      const x = randomActivations(n, cols, seed++);
      const out = new Float32Array(n * rows);
      km.matmul(km.pack(type, rows, cols, w), x, n, out, rows, 0);
      checkAgainstRef(type, w, rows, cols, x, n, out, tol, `${relaxed ? 'relaxed' : 'simd128'} type ${type}`);
    }
  }
}
console.log('tier-check ok');
