// vec_dot: each weight type against its activation type equals the float dot of the dequantized rows.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgmlType, ggmlTypeName, rowBytes } from '../../src/format/ggml-types.js';
import { activationQuantizer, getCodec, vecDot, vecDotType } from '../../src/quant/index.js';

const WEIGHT_TYPES = [
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

test('vecDotType follows ggml-cpu type_traits', () => {
  assert.equal(vecDotType(GgmlType.Q4_0), GgmlType.Q8_0);
  assert.equal(vecDotType(GgmlType.Q5_0), GgmlType.Q8_0);
  assert.equal(vecDotType(GgmlType.Q8_0), GgmlType.Q8_0);
  assert.equal(vecDotType(GgmlType.Q4_1), GgmlType.Q8_1);
  assert.equal(vecDotType(GgmlType.Q5_1), GgmlType.Q8_1);
  assert.equal(vecDotType(GgmlType.Q4_K), GgmlType.Q8_K);
  assert.equal(vecDotType(GgmlType.Q5_K), GgmlType.Q8_K);
  assert.equal(vecDotType(GgmlType.Q6_K), GgmlType.Q8_K);
  assert.equal(vecDotType(GgmlType.F16), GgmlType.F16);
  assert.equal(vecDotType(GgmlType.BF16), GgmlType.BF16);
  assert.equal(vecDotType(GgmlType.F32), GgmlType.F32);
  assert.throws(() => vecDotType(GgmlType.Q8_K), /no dot product for weight type q8_K/);
});

for (const type of WEIGHT_TYPES) {
  const name = ggmlTypeName(type);
  test(`${name}: vecDot equals the float dot of dequantized weight and activation rows`, () => {
    const n = 768;
    const r = rng(100 + type);
    const w = new Float32Array(n).map(() => r() * 0.2);
    const x = new Float32Array(n).map((_, i) => r() * (i % 50 === 0 ? 20 : 2));
    const wc = getCodec(type);
    const wq = new Uint8Array(rowBytes(type, n) + 3);
    wc.quantizeRow(w, 0, wq, 3, n);
    const at = vecDotType(type);
    const aq = new Uint8Array(rowBytes(at, n) + 5);
    activationQuantizer(at)(x, 0, aq, 5, n);
    const wd = new Float32Array(n);
    wc.dequantizeRow(wq, 3, wd, 0, n);
    const ad = new Float32Array(n);
    getCodec(at).dequantizeRow(aq, 5, ad, 0, n);
    let ref = 0;
    let mag = 0;
    for (let i = 0; i < n; i++) {
      ref += wd[i]! * ad[i]!;
      mag += Math.abs(wd[i]! * ad[i]!);
    }
    const got = vecDot(type, wq, 3, aq, 5, n);
    assert.equal(got, Math.fround(got), 'result is a float32');
    // same products, different summation order and float32 rounding: a few ulps of the magnitude sum;
    // Q4_1/Q5_1 also use the Q8_1 field s = fp16(d·Σq) for the min term, which carries fp16 rounding
    const tol = at === GgmlType.Q8_1 ? 1e-4 : 1e-6;
    assert.ok(Math.abs(got - ref) <= tol * mag, `${name}: ${got} vs ${ref} (|terms| ${mag})`);
    // and the quantized dot stays close to the exact float dot of the original data
    let exact = 0;
    for (let i = 0; i < n; i++) exact += w[i]! * x[i]!;
    assert.ok(Math.abs(got - exact) <= 0.1 * mag, `${name}: ${got} vs exact ${exact}`);
  });
}

test('F16 dot accumulates exact half products in double and rounds once', () => {
  const n = 4096;
  const w = new Float32Array(n).fill(1);
  const x = new Float32Array(n).fill(2 ** -12); // in float32 accumulation 1 + 2^-12 + ... would stall at 2^12
  w[0] = 4096;
  const wq = new Uint8Array(2 * n);
  const xq = new Uint8Array(2 * n);
  getCodec(GgmlType.F16).quantizeRow(w, 0, wq, 0, n);
  getCodec(GgmlType.F16).quantizeRow(x, 0, xq, 0, n);
  assert.equal(vecDot(GgmlType.F16, wq, 0, xq, 0, n), Math.fround(1 + 4095 * 2 ** -12));
});

test('dot products reject partial blocks', () => {
  const b = new Uint8Array(4096);
  assert.throws(() => vecDot(GgmlType.Q4_K, b, 0, b, 0, 300), /not a multiple/);
  assert.throws(() => vecDot(GgmlType.Q8_0, b, 0, b, 0, 48), /not a multiple/);
});
