// Micro-benchmark of the wasm matvec kernels: GB/s and effective tokens/s of Phi-3-mini-shaped Q4_0 matvecs, 1 and 2 threads.
// Run: node --import tsx bench/kernels.ts [--quick]
import { cpus, loadavg } from 'node:os';
import { GgmlType, ggmlTypeName, rowBytes } from '../src/format/ggml-types.js';
import { createBackend } from '../src/threads/index.js';

/** Weight bytes one Phi-3-mini Q4_0 token reads in matvecs (225 of them; from shared/docs/wasm-notes.md). */
const TOKEN_BYTES = 2.094e9;
const quick = process.argv.includes('--quick');

function weights(type: GgmlType, rows: number, cols: number): Uint8Array {
  const w = new Uint8Array(rows * rowBytes(type, cols));
  for (let i = 0; i < w.length; i++) w[i] = Math.imul(i, 2654435761) >>> 24;
  return w;
}

/** [best, median] ms per call of fn (best ≈ an idle machine; median shows what load does). */
function time(fn: () => void, calls: number): [number, number] {
  // Warm-up (≥ 20 calls and ≥ 300 ms): wasm has no on-stack replacement, and V8 optimizes in the background.
  const w0 = performance.now();
  for (let i = 0; i < 20 || performance.now() - w0 < 300; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return [ts[0]!, ts[ts.length >> 1]!];
}

const shapes: Array<[GgmlType, number, number]> = [
  [GgmlType.Q4_0, 8192, 3072], // rows × cols: 3072 → 8192
  [GgmlType.Q4_0, 3072, 8192], // ffn_down-like
];
if (!quick)
  shapes.push([GgmlType.Q8_0, 8192, 3072], [GgmlType.Q4_K, 8192, 3072], [GgmlType.Q6_K, 8192, 3072]);

console.log(
  `node ${process.version}, ${cpus()[0]?.model} ×${cpus().length}, load average ${loadavg()[0]!.toFixed(1)}`,
);
console.log(
  `GB/s = matrix bytes / wall time per matvec; eff tok/s = GB/s ÷ ${(TOKEN_BYTES / 1e9).toFixed(3)} GB (Phi-3-mini Q4_0 matvecs per token)`,
);
console.log('best of N calls (≈ idle machine) / median\n');
console.log('type  rows×cols   kernel   thr  ms/matvec     GB/s          eff tok/s     prefill n=16 tok/s');
const fmt = (a: number, b: number, d: number) => `${a.toFixed(d)} / ${b.toFixed(d)}`.padEnd(14);
for (const [type, rows, cols] of shapes) {
  const w = weights(type, rows, cols);
  for (const relaxed of [false, true]) {
    for (const threads of [1, 2]) {
      const be = createBackend({ threads, relaxed });
      const m = be.prepareMatrix({ name: 'w', type, dims: [cols, rows], data: w });
      const x = Float32Array.from({ length: 16 * cols }, (_, i) => Math.sin(i));
      const out = new Float32Array(16 * rows);
      const [best, med] = time(() => be.matmul(m, x, 1, out), quick ? 100 : 300);
      const [best16, med16] = time(() => be.matmul(m, x, 16, out), quick ? 10 : 30);
      be.dispose();
      const gb = (ms: number) => w.length / ms / 1e6;
      console.log(
        `${ggmlTypeName(type).padEnd(5)} ${`${rows}×${cols}`.padEnd(11)} ${(relaxed ? 'relaxed' : 'simd128').padEnd(8)} ${String(threads).padEnd(4)} ${fmt(best, med, 2)}${fmt(gb(best), gb(med), 2)}${fmt(gb(best) / (TOKEN_BYTES / 1e9), gb(med) / (TOKEN_BYTES / 1e9), 2)}${fmt((16 / best16) * 1000, (16 / med16) * 1000, 0)}`,
      );
    }
  }
}
