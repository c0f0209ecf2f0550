// The wasm matvec kernels (SIMD128 and relaxed) against the plain-TS reference over odd sizes and token counts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgmlType, ggmlTypeName } from '../../src/format/ggml-types.js';
import { KernelModule } from '../../src/kernels/matvec.js';
import { dequantizeRowRef, f16ToF32Ref, f32ToF16Ref, quantizeQ8_0Ref } from '../../src/kernels/ref.js';
import { detectRelaxedSimd } from '../../src/kernels/relaxed.js';
import { checkAgainstRef, randomActivations, randomWeights, TOLERANCE } from './helpers.js';

const SHAPES: Array<[rows: number, cols32: number, cols256: number, n: number]> = [
  [1, 32, 256, 1],
  [7, 96, 512, 1],
  [13, 160, 256, 3],
  [5, 64, 768, 17],
  [36, 128, 256, 2],
];

test('relaxed SIMD is detected on this engine (Node ≥ 20 after the V8 flag)', () => {
  assert.equal(detectRelaxedSimd(), true);
});

for (const relaxed of [false, true]) {
  const variant = relaxed ? 'relaxed' : 'simd128';
  for (const [type, tol] of TOLERANCE) {
    test(`${variant} ${ggmlTypeName(type)} matches the reference (tol ${tol})`, () => {
      if (relaxed) detectRelaxedSimd();
      const km = new KernelModule(relaxed);
      let seed = 10;
      for (const [rows, c32, c256, n] of SHAPES) {
        const cols =
          type === GgmlType.Q4_K || type === GgmlType.Q5_K || type === GgmlType.Q6_K
            ? c256
            : type === GgmlType.F32 || type === GgmlType.F16
              ? c32 + 7
              : c32;
        const w = randomWeights(type, rows, cols, seed++);
        const x = randomActivations(n, cols, seed++);
        const m = km.pack(type, rows, cols, w);
        const out = new Float32Array(n * rows).fill(Number.NaN);
        km.matmul(m, x, n, out, rows, 0);
        checkAgainstRef(
          type,
          w,
          rows,
          cols,
          x,
          n,
          out,
          tol,
          `${variant} ${ggmlTypeName(type)} ${rows}×${cols} n=${n}`,
        );
      }
    });
  }
}

test('large matrices repack in several staged chunks (ragged last group) and still match', () => {
  for (const relaxed of [false, true]) {
    const km = new KernelModule(relaxed);
    for (const [type, cols, rows] of [
      [GgmlType.Q4_0, 8192, 230],
      [GgmlType.Q8_0, 8192, 130],
      [GgmlType.Q4_K, 8192, 250],
      [GgmlType.Q5_K, 8192, 70],
      [GgmlType.Q6_K, 8192, 170],
    ] as const) {
      const w = randomWeights(type, rows, cols, rows);
      const x = randomActivations(1, cols, 3);
      const out = new Float32Array(rows);
      km.matmul(km.pack(type, rows, cols, w), x, 1, out, rows, 0);
      checkAgainstRef(type, w, rows, cols, x, 1, out, 4e-6, `${ggmlTypeName(type)} ${rows}×${cols} chunked`);
    }
  }
});

test('Q4_0 at the i16 limit: every nibble 15 or 0 against ±127 activations, 1 to 9 tokens, both builds', () => {
  // The interleaved kernels sum 16 products per i16 lane before widening: 16 · 127 · 15 = 30480 must not
  // wrap. Rows alternate all-0xff (n = 15) and all-0x00 (n = 0) quants; tokens alternate +1 and −1 (±127).
  const rows = 6;
  const cols = 256;
  const w = new Uint8Array(rows * (cols / 32) * 18);
  for (let b = 0; b < w.length / 18; b++) {
    w[b * 18 + 1] = 0x3c; // d = 1
    w.fill(Math.floor(b / (cols / 32)) % 2 === 0 ? 0xff : 0x00, b * 18 + 2, b * 18 + 18);
  }
  for (const n of [1, 4, 9]) {
    const x = new Float32Array(n * cols);
    for (let t = 0; t < n; t++) x.fill(t % 2 === 0 ? 1 : -1, t * cols, (t + 1) * cols);
    for (const relaxed of [false, true]) {
      const km = new KernelModule(relaxed);
      const out = new Float32Array(n * rows);
      km.matmul(km.pack(GgmlType.Q4_0, rows, cols, w), x, n, out, rows, 0);
      checkAgainstRef(GgmlType.Q4_0, w, rows, cols, x, n, out, 1e-6, `extreme relaxed=${relaxed} n=${n}`);
      // d_x = f16(1/127): row of 15s gives 7·256·127·d_x ≈ ±1792
      assert.ok(Math.abs(Math.abs(out[0]!) - 1792) < 1, `row 0 = ${out[0]}`);
    }
  }
});

test('Q6_K 4-row groups: ragged row counts and 1..17 tokens match the reference in both builds', () => {
  for (const relaxed of [false, true]) {
    const km = new KernelModule(relaxed);
    let seed = 100;
    for (const rows of [1, 2, 3, 6, 9]) {
      const cols = 512;
      const w = randomWeights(GgmlType.Q6_K, rows, cols, seed++);
      const m = km.pack(GgmlType.Q6_K, rows, cols, w);
      for (const n of [1, 2, 4, 5, 16, 17]) {
        const x = randomActivations(n, cols, seed++);
        const out = new Float32Array(n * (rows + 3)).fill(Number.NaN);
        km.matmul(m, x, n, out, rows + 3, 0);
        const got = new Float32Array(n * rows);
        for (let t = 0; t < n; t++) got.set(out.subarray(t * (rows + 3), t * (rows + 3) + rows), t * rows);
        checkAgainstRef(
          GgmlType.Q6_K,
          w,
          rows,
          cols,
          x,
          n,
          got,
          4e-6,
          `Q6_K ${relaxed} ${rows}×${cols} n=${n}`,
        );
      }
    }
  }
});

test('Q8_0 activation rounding: x86 (llama.cpp AVX) ties to even, generic (ggml ref) half away from zero', () => {
  // Weight row = unit vector at position j with d = 1: the output is exactly the quantized activation x'[j].
  const cols = 32;
  const w = new Uint8Array(34 * cols);
  for (let j = 0; j < cols; j++) {
    w[j * 34] = 0x00;
    w[j * 34 + 1] = 0x3c; // f16 1.0
    w[j * 34 + 2 + j] = 1;
  }
  const x = new Float32Array(cols);
  x[0] = 127;
  for (let j = 1; j < cols; j++) x[j] = (j % 5) - 2 + 0.5; // ties: 2.5, −1.5, 0.5 …
  x[31] = 0.1234567;
  for (const flavor of ['x86', 'generic'] as const) {
    const want = quantizeQ8_0Ref(x, cols, flavor);
    for (const relaxed of [false, true]) {
      const km = new KernelModule(relaxed, undefined, flavor);
      const out = new Float32Array(cols);
      km.matmul(km.pack(GgmlType.Q8_0, cols, cols, w), x, 1, out, cols, 0);
      assert.deepEqual(Array.from(out), Array.from(want), `${flavor} relaxed=${relaxed}`);
      assert.equal(out[3], 2); // 1.5 → 2 either way
      assert.equal(out[4], flavor === 'x86' ? 2 : 3); // 2.5 → 2 (even) or 3 (away from zero)
    }
  }
  // a scale that is not representable in f16 is rounded the way ggml stores it
  const y = new Float32Array(32).fill(0.001);
  y[0] = 100.3;
  const q = quantizeQ8_0Ref(y, 32);
  assert.equal(q[0], 127 * f16ToF32Ref(f32ToF16Ref(100.3 / 127)));
});

test('reference f16 conversions round-trip every finite f16 and round ties to even', () => {
  // dequantizeRowRef(F16) uses f16ToF32Ref; round-trip through the F32→F16 rounding on random floats.
  const bytes = new Uint8Array(2 * 65536);
  for (let h = 0; h < 65536; h++) {
    bytes[2 * h] = h & 255;
    bytes[2 * h + 1] = h >> 8;
  }
  const all = dequantizeRowRef(GgmlType.F16, bytes, 0, 65536);
  for (let h = 0; h < 65536; h++) {
    const e = (h >> 10) & 31;
    if (e === 31) continue;
    assert.equal(f32ToF16Ref(all[h]!), h === 0x8000 ? 0x8000 : h, `f16 ${h.toString(16)}`);
  }
  assert.equal(f32ToF16Ref(1 + 2 ** -11), 0x3c00); // tie → even
  assert.equal(f32ToF16Ref(1 + 3 * 2 ** -11), 0x3c02);
  assert.equal(f32ToF16Ref(70000), 0x7c00);
});

test('unsupported types and bad sizes are rejected with clear messages', () => {
  const km = new KernelModule(false);
  assert.throws(() => km.allocMatrix(GgmlType.Q3_K, 4, 256), /q3_K/);
  assert.throws(() => km.allocMatrix(GgmlType.Q4_0, 4, 33), /block size 32/);
});
