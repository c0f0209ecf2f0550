// matmulRef, quantizeTensor and dequantizeTensor: shapes, scratch reuse, agreement with vecDot and float math.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgmlType, ggmlTypeName, rowBytes } from '../../src/format/ggml-types.js';
import {
  activationQuantizer,
  dequantizeTensor,
  getCodec,
  MatmulScratch,
  matmulRef,
  quantizeTensor,
  vecDot,
  vecDotType,
} from '../../src/quant/index.js';

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296 - 0.5;
  };
}

const TYPES = [
  GgmlType.F32,
  GgmlType.F16,
  GgmlType.BF16,
  GgmlType.Q4_0,
  GgmlType.Q4_1,
  GgmlType.Q5_0,
  GgmlType.Q5_1,
  GgmlType.Q8_0,
  GgmlType.Q4_K,
  GgmlType.Q5_K,
  GgmlType.Q6_K,
];

for (const type of TYPES) {
  const name = ggmlTypeName(type);
  test(`${name}: matmulRef = vecDot per (token, row) and ≈ float matmul of the dequantized weights`, () => {
    const rows = 5;
    const cols = 512;
    const n = 3;
    const r = rng(type + 1);
    const wf = new Float32Array(rows * cols).map(() => r() * 0.1);
    const x = new Float32Array(n * cols).map(() => r() * 3);
    const data = quantizeTensor(type, wf, rows, cols);
    assert.equal(data.length, rows * rowBytes(type, cols));
    const out = new Float32Array(n * rows);
    const scratch = new MatmulScratch();
    matmulRef({ type, data, rows, cols }, x, n, out, { scratch });
    const buf = scratch.bytes;

    const at = vecDotType(type);
    const ab = rowBytes(at, cols);
    const aq = new Uint8Array(ab);
    const wd = dequantizeTensor(type, data, rows * cols);
    for (let t = 0; t < n; t++) {
      activationQuantizer(at)(x, t * cols, aq, 0, cols);
      for (let rr = 0; rr < rows; rr++) {
        const want = vecDot(type, data, rr * rowBytes(type, cols), aq, 0, cols);
        assert.equal(out[t * rows + rr], want, `${name} t=${t} r=${rr}`);
        let f = 0;
        let mag = 0;
        for (let c = 0; c < cols; c++) {
          f += wd[rr * cols + c]! * x[t * cols + c]!;
          mag += Math.abs(wd[rr * cols + c]! * x[t * cols + c]!);
        }
        assert.ok(Math.abs(out[t * rows + rr]! - f) <= 0.02 * mag, `${name}: ${out[t * rows + rr]} vs ${f}`);
      }
    }
    // a second call reuses the scratch buffer
    const out2 = new Float32Array(n * rows);
    matmulRef({ type, data, rows, cols }, x, n, out2, { scratch });
    assert.equal(scratch.bytes, buf);
    assert.deepEqual(out2, out);
  });
}

test('matmulRef x86 flavor uses the AVX2 activation quantizer', () => {
  const cols = 32;
  const wf = new Float32Array(cols).fill(1);
  wf[0] = 127; // d = 1 for weights and activations, so the dot is an exact integer
  const data = quantizeTensor(GgmlType.Q8_0, wf, 1, cols);
  const x = new Float32Array(cols);
  x[0] = 127;
  x[1] = 0.5; // rounds to 1 (generic) or 0 (x86)
  const g = new Float32Array(1);
  const v = new Float32Array(1);
  matmulRef({ type: GgmlType.Q8_0, data, rows: 1, cols }, x, 1, g);
  matmulRef({ type: GgmlType.Q8_0, data, rows: 1, cols }, x, 1, v, { flavor: 'x86' });
  assert.equal(g[0], 127 * 127 + 1);
  assert.equal(v[0], 127 * 127);
});

test('matmulRef reports shape errors', () => {
  const data = new Uint8Array(18);
  const w = { type: GgmlType.Q4_0, data, rows: 2, cols: 32 };
  assert.throws(
    () => matmulRef(w, new Float32Array(32), 1, new Float32Array(2)),
    /q4_0 weight \[32, 2\] needs 36 bytes, got 18/,
  );
  const w1 = { ...w, rows: 1 };
  assert.throws(
    () => matmulRef(w1, new Float32Array(31), 1, new Float32Array(1)),
    /activations need 1×32 floats, got 31/,
  );
  assert.throws(() => matmulRef(w1, new Float32Array(64), 2, new Float32Array(1)), /output needs 2×1 floats/);
  assert.throws(
    () => matmulRef({ ...w1, cols: 40 }, new Float32Array(40), 1, new Float32Array(1)),
    /not a multiple/,
  );
});

test('quantizeTensor: float types store the plain encodings, quantized rows are independent', () => {
  const f = new Float32Array([1, -2, 0.5, 3]);
  assert.deepEqual(Array.from(quantizeTensor(GgmlType.F32, f, 2, 2)), Array.from(new Uint8Array(f.buffer)));
  assert.deepEqual(Array.from(quantizeTensor(GgmlType.F16, f, 1, 4)), [0, 0x3c, 0, 0xc0, 0, 0x38, 0, 0x42]);
  assert.deepEqual(
    Array.from(quantizeTensor(GgmlType.BF16, f, 4, 1)),
    [0x80, 0x3f, 0, 0xc0, 0, 0x3f, 0x40, 0x40],
  );
  const r = rng(5);
  const w = new Float32Array(3 * 256).map(() => r());
  const all = quantizeTensor(GgmlType.Q6_K, w, 3, 256);
  const row1 = quantizeTensor(GgmlType.Q6_K, w.slice(256, 512), 1, 256);
  assert.deepEqual(all.subarray(210, 420), row1);
});

test('quantizeTensor errors name the type and the shape', () => {
  assert.throws(
    () => quantizeTensor(GgmlType.Q4_K, new Float32Array(300), 3, 100),
    /q4_K tensor of shape \[100, 3\] has rows of 100 elements, not a multiple of q4_K's block size 256/,
  );
  assert.throws(
    () => quantizeTensor(GgmlType.Q8_0, new Float32Array(10), 1, 32),
    /q8_0 shape \[32, 1\] needs 32 floats, got 10/,
  );
  assert.throws(
    () => quantizeTensor(GgmlType.Q8_K, new Float32Array(256), 1, 256),
    /cannot write tensors of type q8_K/,
  );
  assert.throws(
    () => quantizeTensor(GgmlType.Q2_K, new Float32Array(256), 1, 256),
    /cannot write tensors of type q2_K/,
  );
});

test('dequantizeTensor round-trips every writable type within its precision', () => {
  const r = rng(9);
  const x = new Float32Array(512).map(() => r());
  for (const type of TYPES) {
    const y = dequantizeTensor(type, quantizeTensor(type, x, 2, 256), 512);
    let maxErr = 0;
    for (let i = 0; i < 512; i++) maxErr = Math.max(maxErr, Math.abs(y[i]! - x[i]!));
    assert.ok(maxErr < 0.1, `${ggmlTypeName(type)}: ${maxErr}`);
    assert.equal(getCodec(type).dequantizeRow.length, 5);
  }
});
