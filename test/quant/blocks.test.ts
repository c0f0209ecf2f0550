// Hand-built blocks with known values for every dequantizer (layouts from ggml-common.h).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgmlType, ggmlTypeName, rowBytes } from '../../src/format/ggml-types.js';
import { dequantizeRow, dequantizeTensor, fp32ToFp16, getCodec } from '../../src/quant/index.js';

const h16 = (b: Uint8Array, o: number, f: number) => {
  const h = fp32ToFp16(f);
  b[o] = h & 255;
  b[o + 1] = h >> 8;
};

/** Dequantizes `block` placed at an odd offset of a bigger buffer, into an offset output (exercises offsets). */
function decode(type: GgmlType, block: Uint8Array, n: number): Float32Array {
  const src = new Uint8Array(block.length + 7);
  src.set(block, 5);
  const out = new Float32Array(n + 3).fill(-999);
  dequantizeRow(type, src, 5, out, 2, n);
  assert.equal(out[0], -999);
  assert.equal(out[1], -999);
  assert.equal(out[n + 2], -999);
  return out.subarray(2, 2 + n);
}

test('F32, F16 and BF16 rows', () => {
  const f = new Float32Array([1.5, -2, 3.25, 0]);
  assert.deepEqual(Array.from(decode(GgmlType.F32, new Uint8Array(f.buffer), 4)), [1.5, -2, 3.25, 0]);
  const h = new Uint8Array([0x00, 0x3c, 0x00, 0xc0, 0x00, 0x7c, 0x01, 0x00]);
  assert.deepEqual(Array.from(decode(GgmlType.F16, h, 4)), [1, -2, Number.POSITIVE_INFINITY, 2 ** -24]);
  const b = new Uint8Array([0x80, 0x3f, 0x00, 0xc0, 0x49, 0x40, 0x00, 0x00]);
  assert.deepEqual(Array.from(decode(GgmlType.BF16, b, 4)), [1, -2, 3.140625, 0]);
});

test('Q4_0: (q - 8)·d, low nibbles first', () => {
  const blk = new Uint8Array(18);
  h16(blk, 0, 0.5);
  for (let j = 0; j < 16; j++) blk[2 + j] = j | ((15 - j) << 4);
  const y = decode(GgmlType.Q4_0, blk, 32);
  for (let j = 0; j < 16; j++) {
    assert.equal(y[j], (j - 8) * 0.5);
    assert.equal(y[j + 16], (7 - j) * 0.5);
  }
});

test('Q4_1: q·d + m', () => {
  const blk = new Uint8Array(20);
  h16(blk, 0, 0.25);
  h16(blk, 2, -1);
  for (let j = 0; j < 16; j++) blk[4 + j] = j | (((j * 3) & 15) << 4);
  const y = decode(GgmlType.Q4_1, blk, 32);
  for (let j = 0; j < 16; j++) {
    assert.equal(y[j], j * 0.25 - 1);
    assert.equal(y[j + 16], ((j * 3) & 15) * 0.25 - 1);
  }
});

/** q values 0..31 → qh bits (bit j = 5th bit of element j) and nibbles. */
function pack5(qs: number[], blk: Uint8Array, qhOff: number, qsOff: number) {
  let qh = 0;
  for (let j = 0; j < 32; j++) if (qs[j]! & 16) qh = (qh | (1 << j)) >>> 0;
  blk[qhOff] = qh & 255;
  blk[qhOff + 1] = (qh >>> 8) & 255;
  blk[qhOff + 2] = (qh >>> 16) & 255;
  blk[qhOff + 3] = qh >>> 24;
  for (let j = 0; j < 16; j++) blk[qsOff + j] = (qs[j]! & 15) | ((qs[j + 16]! & 15) << 4);
}

test('Q5_0: (q − 16)·d with the 5th bits in qh', () => {
  const qs = Array.from({ length: 32 }, (_, j) => (j * 7 + 3) % 32);
  const blk = new Uint8Array(22);
  h16(blk, 0, 2);
  pack5(qs, blk, 2, 6);
  const y = decode(GgmlType.Q5_0, blk, 32);
  assert.deepEqual(
    Array.from(y),
    qs.map((q) => (q - 16) * 2),
  );
});

test('Q5_1: q·d + m with the 5th bits in qh', () => {
  const qs = Array.from({ length: 32 }, (_, j) => 31 - j);
  const blk = new Uint8Array(24);
  h16(blk, 0, 0.5);
  h16(blk, 2, -3);
  pack5(qs, blk, 4, 8);
  const y = decode(GgmlType.Q5_1, blk, 32);
  assert.deepEqual(
    Array.from(y),
    qs.map((q) => q * 0.5 - 3),
  );
});

test('Q8_0 and Q8_1: int8·d', () => {
  const qs = Array.from({ length: 32 }, (_, j) => (j % 2 ? -1 : 1) * j * 4); // −124..124
  const b0 = new Uint8Array(34);
  h16(b0, 0, 0.125);
  qs.forEach((q, j) => {
    b0[2 + j] = q & 255;
  });
  assert.deepEqual(
    Array.from(decode(GgmlType.Q8_0, b0, 32)),
    qs.map((q) => q * 0.125),
  );
  const b1 = new Uint8Array(36);
  h16(b1, 0, 0.125);
  h16(b1, 2, 1000); // s does not take part in dequantization
  qs.forEach((q, j) => {
    b1[4 + j] = q & 255;
  });
  assert.deepEqual(
    Array.from(decode(GgmlType.Q8_1, b1, 32)),
    qs.map((q) => q * 0.125),
  );
});

/** 8 six-bit scales and mins → 12 bytes (layout of get_scale_min_k4). */
function packK4(sc: number[], mn: number[]): Uint8Array {
  const q = new Uint8Array(12);
  for (let j = 0; j < 4; j++) {
    q[j] = (sc[j]! & 63) | ((sc[j + 4]! >> 4) << 6);
    q[j + 4] = (mn[j]! & 63) | ((mn[j + 4]! >> 4) << 6);
    q[j + 8] = (sc[j + 4]! & 15) | ((mn[j + 4]! & 15) << 4);
  }
  return q;
}

const SC = [1, 63, 17, 5, 40, 33, 0, 62];
const MN = [0, 2, 63, 31, 48, 7, 16, 59];

test('Q4_K: d·sc·q − dmin·m per 32-element sub-block, all 6-bit scale/min encodings', () => {
  const blk = new Uint8Array(144);
  h16(blk, 0, 0.5);
  h16(blk, 2, 0.25);
  blk.set(packK4(SC, MN), 4);
  const q = (k: number) => (k * 5 + (k >> 5)) % 16;
  // element k: chunk c = k>>6 at bytes 16+32c, low nibble for the first 32 of the chunk, high for the next 32
  for (let k = 0; k < 256; k++) {
    const byte = 16 + 32 * (k >> 6) + (k & 31);
    blk[byte]! |= (k >> 5) & 1 ? q(k) << 4 : q(k);
  }
  const y = decode(GgmlType.Q4_K, blk, 256);
  for (let k = 0; k < 256; k++) {
    const j = k >> 5;
    assert.equal(y[k], 0.5 * SC[j]! * q(k) - 0.25 * MN[j]!, `k=${k}`);
  }
});

test('Q5_K: like Q4_K with a 5th bit per element in qh', () => {
  const blk = new Uint8Array(176);
  h16(blk, 0, 0.5);
  h16(blk, 2, 0.25);
  blk.set(packK4(SC, MN), 4);
  const q = (k: number) => (k * 11 + 3) % 32;
  for (let k = 0; k < 256; k++) {
    const j = k >> 5;
    blk[48 + 32 * (k >> 6) + (k & 31)]! |= j & 1 ? (q(k) & 15) << 4 : q(k) & 15;
    if (q(k) & 16) blk[16 + (k & 31)]! |= 1 << j;
  }
  const y = decode(GgmlType.Q5_K, blk, 256);
  for (let k = 0; k < 256; k++) {
    const j = k >> 5;
    assert.equal(y[k], 0.5 * SC[j]! * q(k) - 0.25 * MN[j]!, `k=${k}`);
  }
});

test('Q6_K: d·scale·(q − 32) per 16-element sub-block, signed scales, d at the end', () => {
  const blk = new Uint8Array(210);
  const scales = [1, -1, 127, -128, 3, 0, 64, -7, 2, 9, -33, 5, 100, -100, 11, 1];
  scales.forEach((s, j) => {
    blk[192 + j] = s & 255;
  });
  h16(blk, 208, 0.25);
  const q = (k: number) => (k * 13 + 7) % 64;
  for (let k = 0; k < 256; k++) {
    const half = k >> 7;
    const r = (k >> 5) & 3; // which 32-row of the 128-half
    const l = k & 31;
    const lo = 64 * half + l + (r & 1) * 32;
    blk[lo]! |= r < 2 ? q(k) & 15 : (q(k) & 15) << 4;
    blk[128 + 32 * half + l]! |= (q(k) >> 4) << (2 * r);
  }
  const y = decode(GgmlType.Q6_K, blk, 256);
  for (let k = 0; k < 256; k++) assert.equal(y[k], 0.25 * scales[k >> 4]! * (q(k) - 32), `k=${k}`);
});

test('Q8_K: float32 d · int8', () => {
  const blk = new Uint8Array(292);
  new DataView(blk.buffer).setFloat32(0, 0.1, true);
  for (let k = 0; k < 256; k++) blk[4 + k] = (k - 128) & 255;
  const y = decode(GgmlType.Q8_K, blk, 256);
  for (let k = 0; k < 256; k++) assert.equal(y[k], Math.fround(Math.fround(0.1) * (k - 128)));
});

test('multi-block rows decode block after block; dequantizeTensor checks sizes', () => {
  const blk = new Uint8Array(36);
  h16(blk, 0, 1);
  blk[2] = 9; // element 0 of block 0 = 1
  h16(blk, 18, 2);
  blk[20] = 15 << 4; // element 16 of block 1 = (15−8)·2
  const y = dequantizeTensor(GgmlType.Q4_0, blk, 64);
  assert.equal(y[0], 1);
  assert.equal(y[1], -8);
  assert.equal(y[32 + 16], 14);
  assert.throws(() => dequantizeTensor(GgmlType.Q4_0, blk, 96), /q4_0 elements need 54 bytes, got 36/);
  assert.throws(() => dequantizeTensor(GgmlType.Q4_0, blk, 40), /not a multiple/);
});

test('every codec reports the geometry of ggml-types.ts', () => {
  for (const t of [
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
  ]) {
    const c = getCodec(t);
    assert.equal(rowBytes(t, 256), (256 / c.blockSize) * c.typeSize, ggmlTypeName(t));
  }
  assert.throws(() => getCodec(GgmlType.Q2_K), /q2_K \(10\) is not supported/);
});
