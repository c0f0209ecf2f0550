// Micro-benchmark of the wasm matvec kernels: GB/s and effective tokens/s of Phi-3-mini-shaped Q4_0 matvecs, 1 and 2 threads.
// Run: node --import tsx bench/kernels.ts [--quick]
import { GgmlType, ggmlTypeName, rowBytes } from '../src/format/ggml-types.js';
import { createBackend } from '../src/threads/index.js';

/** Weight bytes one Phi-3-mini Q4_0 token reads in matvecs (225 of them; from shared/docs/wasm-notes.md). */
const TOKEN_BYTES = 2.094e9;
const quick = process.argv.includes('--quick');
const runMs = quick ? 400 : 1500;

function weights(type: GgmlType, rows: number, cols: number): Uint8Array {
  const w = new Uint8Array(rows * rowBytes(type, cols));
  for (let i = 0; i < w.length; i++) w[i] = Math.imul(i, 2654435761) >>> 24;
  return w;
}

/** Median ms per call of fn over a few timed rounds. */
function time(fn: () => void): number {
  for (let i = 0; i < 30; i++) fn(); // warm-up (wasm has no on-stack replacement: tier up on small calls)
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    let k = 0;
    while (performance.now() - t0 < runMs / 5) {
      fn();
      k++;
    }
    rounds.push((performance.now() - t0) / k);
  }
  return rounds.sort((a, b) => a - b)[2]!;
}

const shapes: Array<[GgmlType, number, number]> = [
  [GgmlType.Q4_0, 8192, 3072], // rows × cols: 3072 → 8192
  [GgmlType.Q4_0, 3072, 8192], // ffn_down-like
];
if (!quick)
  shapes.push([GgmlType.Q8_0, 8192, 3072], [GgmlType.Q4_K, 8192, 3072], [GgmlType.Q6_K, 8192, 3072]);

console.log(
  `node ${process.version}; Phi-3-mini Q4_0 token = ${(TOKEN_BYTES / 1e9).toFixed(3)} GB of matvec weights`,
);
console.log(
  'type  shape(rows×cols)  kernel        threads  ms/matvec   GB/s   eff tok/s   prefill n=16 tok/s',
);
for (const [type, rows, cols] of shapes) {
  const w = weights(type, rows, cols);
  for (const relaxed of [false, true]) {
    for (const threads of [1, 2]) {
      const be = createBackend({ threads, relaxed });
      const m = be.prepareMatrix({ name: 'w', type, dims: [cols, rows], data: w });
      const x = Float32Array.from({ length: 16 * cols }, (_, i) => Math.sin(i));
      const out = new Float32Array(16 * rows);
      const ms = time(() => be.matmul(m, x, 1, out));
      const ms16 = time(() => be.matmul(m, x, 16, out));
      be.dispose();
      const gbs = w.length / ms / 1e6;
      console.log(
        `${ggmlTypeName(type).padEnd(5)} ${`${rows}×${cols}`.padEnd(17)} ${(relaxed ? 'relaxed' : 'simd128').padEnd(13)} ${String(threads).padEnd(8)} ${ms.toFixed(3).padStart(9)} ${gbs.toFixed(2).padStart(6)} ${(gbs / (TOKEN_BYTES / 1e9)).toFixed(2).padStart(11)} ${((16 / ms16) * 1000).toFixed(0).padStart(20)}`,
      );
    }
  }
}
