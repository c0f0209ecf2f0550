// Test helpers for the kernels: seeded random weights of every kernel type, activations, and the reference check.
import assert from 'node:assert/strict';
import { GgmlType, rowBytes } from '../../src/format/ggml-types.js';
import { activationRef, dequantizeRowRef, matmulKernelRef } from '../../src/kernels/ref.js';

/** Types the kernels cover, with the tolerance each is held to: |out − ref| ≤ tol · Σ|w·x| + 1e-30. */
export const TOLERANCE: ReadonlyArray<[GgmlType, number]> = [
  [GgmlType.Q4_0, 2e-6],
  [GgmlType.Q8_0, 2e-6],
  [GgmlType.Q4_K, 4e-6],
  [GgmlType.Q5_K, 4e-6],
  [GgmlType.Q6_K, 4e-6],
  [GgmlType.F16, 2e-6],
  [GgmlType.F32, 2e-6],
];

/** Deterministic uniform [0, 1) generator. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Random rows×cols weights of `type` in GGUF layout, scales kept in a sane f16 range (random sign). */
export function randomWeights(type: GgmlType, rows: number, cols: number, seed = 1): Uint8Array {
  const rnd = rng(seed);
  const rb = rowBytes(type, cols);
  const b = new Uint8Array(rows * rb);
  for (let i = 0; i < b.length; i++) b[i] = (rnd() * 256) | 0;
  const dv = new DataView(b.buffer);
  const h = (o: number) =>
    dv.setUint16(o, (0x1c00 + ((rnd() * 0x1400) | 0)) | (rnd() < 0.5 ? 0x8000 : 0), true);
  for (let r = 0; r < rows; r++) {
    const o = r * rb;
    if (type === GgmlType.Q4_0) for (let k = 0; k < cols / 32; k++) h(o + k * 18);
    if (type === GgmlType.Q8_0) for (let k = 0; k < cols / 32; k++) h(o + k * 34);
    if (type === GgmlType.Q4_K)
      for (let k = 0; k < cols / 256; k++) {
        h(o + k * 144);
        h(o + k * 144 + 2);
      }
    if (type === GgmlType.Q5_K)
      for (let k = 0; k < cols / 256; k++) {
        h(o + k * 176);
        h(o + k * 176 + 2);
      }
    if (type === GgmlType.Q6_K) for (let k = 0; k < cols / 256; k++) h(o + k * 210 + 208);
    if (type === GgmlType.F16) for (let k = 0; k < cols; k++) h(o + k * 2);
    if (type === GgmlType.F32) for (let k = 0; k < cols; k++) dv.setFloat32(o + k * 4, rnd() * 2 - 1, true);
  }
  return b;
}

/**
 * n×cols activations: mostly uniform, with awkward blocks mixed in (all zero, exact .5 ties after scaling,
 * equal |max| of both signs, one huge outlier) so the activation quantizers' corner cases are compared too.
 */
export function randomActivations(n: number, cols: number, seed = 2): Float32Array {
  const rnd = rng(seed);
  const x = new Float32Array(n * cols);
  for (let i = 0; i < x.length; i++) x[i] = rnd() * 2 - 1;
  for (let b = 0; b * 32 < x.length; b++) {
    const o = b * 32;
    const kind = b % 7;
    if (kind === 3) x.fill(0, o, o + 32);
    if (kind === 4) for (let j = 0; j < 32; j++) x[o + j] = j === 0 ? 127 : (j % 9) - 4 + 0.5; // d = 1: ties
    if (kind === 5) {
      x[o] = -3;
      x[o + 1] = 3;
    }
    if (kind === 6) x[o + 5] = 1000 * (rnd() - 0.5);
  }
  return x;
}

/** Asserts out (n×rows) equals the reference within the type's tolerance. */
export function checkAgainstRef(
  type: GgmlType,
  data: Uint8Array,
  rows: number,
  cols: number,
  x: Float32Array,
  n: number,
  out: Float32Array,
  tol: number,
  label: string,
  /** A different reference result to compare with (default: matmulKernelRef). */
  reference?: Float32Array,
): void {
  let ref: Float32Array | undefined = reference;
  if (!ref) {
    ref = new Float32Array(n * rows);
    matmulKernelRef(type, data, rows, cols, x, n, ref);
  }
  const rb = rowBytes(type, cols);
  const acts = Array.from({ length: n }, (_, t) =>
    activationRef(type, x.subarray(t * cols, (t + 1) * cols), cols),
  );
  for (let r = 0; r < rows; r++) {
    const w = dequantizeRowRef(type, data, r * rb, cols);
    for (let t = 0; t < n; t++) {
      let mag = 0;
      for (let c = 0; c < cols; c++) mag += Math.abs(w[c]! * acts[t]![c]!);
      const got = out[t * rows + r]!;
      const want: number = ref[t * rows + r]!;
      const err = Math.abs(got - want);
      if (!(err <= tol * mag + 1e-30)) {
        assert.fail(
          `${label}: out[t=${t}, r=${r}] = ${got}, reference ${want} (|err| ${err} > ${tol}·${mag})`,
        );
      }
    }
  }
}
