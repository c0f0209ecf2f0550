// Quantizers: hand-derived ggml results on small inputs, error bounds per type, extreme values.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgmlType, ggmlTypeName, rowBytes } from '../../src/format/ggml-types.js';
import { activationQuantizer, fp16ToFp32, fp32ToFp16, getCodec, quantizeRow } from '../../src/quant/index.js';

const ALL = [
  GgmlType.F32,
  GgmlType.F16,
  GgmlType.BF16,
  GgmlType.Q4_0,
  GgmlType.Q4_1,
  GgmlType.Q5_0,
  GgmlType.Q5_1,
  GgmlType.Q8_0,
  GgmlType.Q8_1,
  GgmlType.Q4_K,
  GgmlType.Q5_K,
  GgmlType.Q6_K,
  GgmlType.Q8_K,
];

/** Relative RMS error bound per type on N(0, 0.02²) data (measured values are ~15-30% lower). */
const RMS_BOUND: Partial<Record<GgmlType, number>> = {
  [GgmlType.F32]: 0,
  [GgmlType.F16]: 0.00025,
  [GgmlType.BF16]: 0.002,
  [GgmlType.Q4_0]: 0.1,
  [GgmlType.Q4_1]: 0.09,
  [GgmlType.Q5_0]: 0.05,
  [GgmlType.Q5_1]: 0.045,
  [GgmlType.Q8_0]: 0.0065,
  [GgmlType.Q8_1]: 0.0065,
  [GgmlType.Q4_K]: 0.085,
  [GgmlType.Q5_K]: 0.043,
  [GgmlType.Q6_K]: 0.022,
  [GgmlType.Q8_K]: 0.0085,
};

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  return { u, gauss: () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u()) };
}

function roundTrip(type: GgmlType, x: Float32Array): Float32Array {
  const c = getCodec(type);
  const q = new Uint8Array(rowBytes(type, x.length));
  c.quantizeRow(x, 0, q, 0, x.length);
  const y = new Float32Array(x.length);
  c.dequantizeRow(q, 0, y, 0, x.length);
  return y;
}

const bytesOf = (type: GgmlType, x: number[], flavor: 'generic' | 'x86' = 'generic') => {
  const xs = new Float32Array(x);
  const q = new Uint8Array(rowBytes(type, xs.length));
  activationQuantizer(type, flavor)(xs, 0, q, 0, xs.length);
  return q;
};
const i8 = (b: number) => (b << 24) >> 24;
const pad = (v: number[], n: number) => [...v, ...new Array(n - v.length).fill(0)];

test('Q8_0 on exact halves: the reference rounds away from zero, the x86 build to even', () => {
  const x = pad([127, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3], 32); // amax 127 → d = 1, 1/d = 127/amax = 1
  const g = bytesOf(GgmlType.Q8_0, x);
  assert.equal(g[0]! | (g[1]! << 8), 0x3c00);
  assert.deepEqual(Array.from(g.subarray(2, 10), i8), [127, 1, 2, 3, -1, -2, -3, 3]);
  const v = bytesOf(GgmlType.Q8_0, x, 'x86');
  assert.deepEqual(Array.from(v.subarray(2, 10), i8), [127, 0, 2, 2, 0, -2, -2, 3]);
});

test('Q8_1 stores s = d·Σq (generic and x86 sums differ on halves)', () => {
  const x = pad([127, 0.5, 1.5, 2.5, -1.5, -2.5, 3], 32);
  const g = bytesOf(GgmlType.Q8_1, x);
  assert.equal(fp16ToFp32(g[2]! | (g[3]! << 8)), 127 + 1 + 2 + 3 - 2 - 3 + 3);
  const v = bytesOf(GgmlType.Q8_1, x, 'x86');
  assert.equal(fp16ToFp32(v[2]! | (v[3]! << 8)), 127 + 0 + 2 + 2 - 2 - 2 + 3);
  assert.deepEqual(Array.from(g.subarray(4, 11), i8), [127, 1, 2, 3, -2, -3, 3]);
});

test('Q4_0: d = max/−8 of the largest-magnitude value, q = min(15, trunc(x/d + 8.5))', () => {
  const x = pad([-8, 1, 7.6, -7.9, 0.49, -0.51, 3.5], 32);
  x[16] = 2;
  const q = new Uint8Array(18);
  quantizeRow(GgmlType.Q4_0, new Float32Array(x), 0, q, 0, 32);
  assert.equal(fp16ToFp32(q[0]! | (q[1]! << 8)), 1);
  // bytes: low nibble element j, high nibble element j+16 (zeros quantize to 8)
  assert.deepEqual(Array.from(q.subarray(2, 10)), [
    0 | (10 << 4),
    9 | 128,
    15 | 128,
    0 | 128,
    8 | 128,
    7 | 128,
    12 | 128,
    136,
  ]);
  // the same values with the sign flipped give a negative d and the mirrored levels
  const q2 = new Uint8Array(18);
  quantizeRow(GgmlType.Q4_0, new Float32Array(x.map((v) => -v)), 0, q2, 0, 32);
  assert.equal(fp16ToFp32(q2[0]! | (q2[1]! << 8)), -1);
  assert.equal(q2[2]! & 15, 0); // +8 / −1 = −8 → level 0
});

test('Q8_K: iscale = −127/max (signed), nearest_int ties to even, bsums of 16', () => {
  const x = pad([-2, 1, 0.5, 0.25, 1 / 127], 256); // iscale = 63.5
  x[16] = 2 / 127; // 1.0 exactly
  const q = bytesOf(GgmlType.Q8_K, x);
  const dv = new DataView(q.buffer);
  assert.equal(dv.getFloat32(0, true), Math.fround(1 / Math.fround(63.5)));
  assert.deepEqual(Array.from(q.subarray(4, 9), i8), [-127, 64, 32, 16, 0]); // 63.5→64, 31.75→32, 15.875→16, 0.5→0
  assert.equal(i8(q[4 + 16]!), 1);
  assert.equal(dv.getInt16(260, true), -127 + 64 + 32 + 16);
  assert.equal(dv.getInt16(262, true), 1);
  const neg = bytesOf(GgmlType.Q8_K, pad([2, -1], 256)); // positive max → negative d, q(2) = −127
  assert.ok(new DataView(neg.buffer).getFloat32(0, true) < 0);
  assert.deepEqual(Array.from(neg.subarray(4, 6), i8), [-127, 64]);
});

for (const type of ALL) {
  const name = ggmlTypeName(type);
  test(`${name}: relative RMS error on Gaussian weights within ${RMS_BOUND[type]}`, () => {
    const r = rng(7 + type);
    const x = new Float32Array(256 * 32).map(() => r.gauss() * 0.02);
    const y = roundTrip(type, x);
    let se = 0;
    let sx = 0;
    for (let i = 0; i < x.length; i++) {
      se += (x[i]! - y[i]!) ** 2;
      sx += x[i]! ** 2;
    }
    const rel = Math.sqrt(se / sx);
    assert.ok(rel <= RMS_BOUND[type]!, `${name}: ${rel}`);
  });

  test(`${name}: zeros, constants, one-sided and large-magnitude blocks`, () => {
    assert.ok(roundTrip(type, new Float32Array(256)).every((v) => Object.is(v, 0) || Object.is(v, -0)));
    const cases: [string, (i: number) => number, number][] = [
      ['constant', () => 0.3, 0.08],
      ['negative only', (i) => -1 - (i % 17) / 16, 0.08],
      ['positive only', (i) => 5 + ((i * 7) % 23), 0.08],
      ['large', (i) => 20000 * Math.sin(i * 0.37), 0.1],
      ['one spike', (i) => (i === 100 ? -50 : 0), 0.02],
    ];
    for (const [label, f, tol] of cases) {
      // Q4_0 clamps the side opposite its largest-magnitude value to level 15: error up to amax/8
      const tolRel = type === GgmlType.Q4_0 ? Math.max(tol, 0.126) : tol;
      const x = new Float32Array(256).map((_, i) => f(i));
      const y = roundTrip(type, x);
      const amax = Math.max(...x.map(Math.abs));
      for (let i = 0; i < 256; i++) {
        assert.ok(Math.abs(y[i]! - x[i]!) <= tolRel * amax, `${name} ${label} [${i}]: ${x[i]} → ${y[i]}`);
      }
    }
  });
}

test('Q8_0 and Q4_0 per-element error bounds relative to each block maximum', () => {
  const r = rng(3);
  const x = new Float32Array(32 * 200).map((_, i) => r.gauss() * 10 ** (((i >> 5) % 7) - 3));
  for (const [type, bound] of [
    [GgmlType.Q8_0, 1 / 254 + 2 ** -10],
    [GgmlType.Q4_0, 1 / 8 + 2 ** -9],
  ] as const) {
    const y = roundTrip(type, x);
    for (let b = 0; b < 200; b++) {
      const blk = x.subarray(32 * b, 32 * b + 32);
      const amax = Math.max(...blk.map(Math.abs));
      for (let j = 0; j < 32; j++) {
        const e = Math.abs(y[32 * b + j]! - blk[j]!);
        assert.ok(e <= bound * amax, `${ggmlTypeName(type)} block ${b}: error ${e} > ${bound * amax}`);
      }
    }
  }
});

test('F16 rows overflow to ±inf beyond 65504 exactly as ggml; Q8_0 keeps such values', () => {
  const x = new Float32Array([70000, -1e6, 65504, 1]);
  const y = roundTrip(GgmlType.F16, x);
  assert.deepEqual(Array.from(y), [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 65504, 1]);
  const big = new Float32Array(32).fill(1e6);
  const yq = roundTrip(GgmlType.Q8_0, big);
  assert.ok(Math.abs(yq[0]! - 1e6) < 1e6 * 0.001);
  assert.equal(fp32ToFp16(1e6 / 127) !== 0x7c00, true);
});

test('quantizers and dequantizers reject rows that are not whole blocks', () => {
  for (const type of [GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q8_K]) {
    const c = getCodec(type);
    assert.throws(
      () => c.quantizeRow(new Float32Array(40), 0, new Uint8Array(1000), 0, 40),
      /not a multiple/,
    );
    assert.throws(
      () => c.dequantizeRow(new Uint8Array(1000), 0, new Float32Array(40), 0, 40),
      /not a multiple/,
    );
  }
});

test('quantizeRow honours offsets and writes only its own bytes', () => {
  const r = rng(11);
  const x = new Float32Array(300).map(() => r.gauss());
  for (const type of [GgmlType.Q4_K, GgmlType.Q8_0, GgmlType.F16]) {
    const rb = rowBytes(type, 256);
    const ref = new Uint8Array(rb);
    getCodec(type).quantizeRow(x.slice(7, 263), 0, ref, 0, 256);
    const dst = new Uint8Array(rb + 10).fill(0xee);
    getCodec(type).quantizeRow(x, 7, dst, 3, 256);
    assert.deepEqual(dst.subarray(3, 3 + rb), ref);
    assert.deepEqual(Array.from(dst.subarray(0, 3)), [0xee, 0xee, 0xee]);
    assert.deepEqual(Array.from(dst.subarray(3 + rb)), new Array(7).fill(0xee));
  }
});
