// fp16/bf16 conversions: exhaustive round trips and an independent round-to-nearest-even reference.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bf16ToFp32, F16_TO_F32, fp16ToFp32, fp32ToBf16, fp32ToFp16 } from '../../src/quant/index.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits = (w: number) => {
  u32[0] = w >>> 0;
  return f32[0]!;
};

function roundHalfEven(v: number): number {
  const r = Math.floor(v);
  const diff = v - r;
  if (diff > 0.5) return r + 1;
  if (diff < 0.5) return r;
  return r % 2 === 0 ? r : r + 1;
}

/** Independent fp32 -> fp16 (IEEE RNE) using exact double arithmetic. */
function refFp16(f: number): number {
  if (Number.isNaN(f)) return 0x7e00;
  const sign = f < 0 || Object.is(f, -0) ? 0x8000 : 0;
  const a = Math.abs(f);
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | roundHalfEven(a / 2 ** -24); // 1024 encodes the smallest normal
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  let m = roundHalfEven((a / 2 ** e - 1) * 1024);
  if (m === 1024) {
    m = 0;
    e++;
  }
  return e + 15 >= 31 ? sign | 0x7c00 : sign | ((e + 15) << 10) | m;
}

/** Independent fp16 -> value. */
function refFp16Value(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 31;
  const m = h & 1023;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

test('fp16 -> fp32 is exact for all 65536 patterns and the table agrees', () => {
  assert.equal(F16_TO_F32.length, 65536);
  for (let h = 0; h < 65536; h++) {
    const want = refFp16Value(h);
    const got = fp16ToFp32(h);
    if (Number.isNaN(want)) assert.ok(Number.isNaN(got), `h=${h.toString(16)}`);
    else assert.ok(Object.is(got, want), `h=0x${h.toString(16)}: ${got} vs ${want}`);
  }
});

test('fp16 round trip: fp32ToFp16(fp16ToFp32(h)) === h for every non-NaN h', () => {
  for (let h = 0; h < 65536; h++) {
    if ((h & 0x7c00) === 0x7c00 && h & 0x3ff) continue;
    assert.equal(fp32ToFp16(fp16ToFp32(h)), h, `h=0x${h.toString(16)}`);
  }
});

test('fp32 -> fp16 rounds to nearest even at every midpoint and its float32 neighbours', () => {
  const bits = new Uint32Array(1);
  const asF = new Float32Array(bits.buffer);
  for (let h = 0; h < 0x7bff; h++) {
    const lo = refFp16Value(h);
    const hi = refFp16Value(h + 1);
    const mid = Math.fround((lo + hi) / 2); // exact: midpoints of halves are floats
    asF[0] = mid;
    const mb = bits[0]!;
    for (const w of [mb - 1, mb, mb + 1]) {
      for (const sign of [0, 0x80000000]) {
        const f = fromBits((w | sign) >>> 0);
        assert.equal(fp32ToFp16(f), refFp16(f), `f=${f}`);
      }
    }
  }
});

test('fp32 -> fp16 agrees with the reference on 300k random float32 bit patterns', () => {
  let s = 0x9e3779b9;
  for (let i = 0; i < 300_000; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const f = fromBits(s);
    const want = refFp16(f);
    const got = fp32ToFp16(f);
    if (Number.isNaN(f)) assert.equal(got & 0x7fff, 0x7e00);
    else assert.equal(got, want, `bits 0x${s.toString(16)} (${f})`);
  }
});

test('fp16 special values', () => {
  assert.equal(fp32ToFp16(0), 0);
  assert.equal(fp32ToFp16(-0), 0x8000);
  assert.equal(fp32ToFp16(1), 0x3c00);
  assert.equal(fp32ToFp16(-2), 0xc000);
  assert.equal(fp32ToFp16(65504), 0x7bff);
  assert.equal(fp32ToFp16(65519.99), 0x7bff);
  assert.equal(fp32ToFp16(65520), 0x7c00); // ties to even → overflow to inf
  assert.equal(fp32ToFp16(1e10), 0x7c00);
  assert.equal(fp32ToFp16(Number.NEGATIVE_INFINITY), 0xfc00);
  assert.equal(fp32ToFp16(Number.NaN), 0x7e00);
  assert.equal(fp32ToFp16(2 ** -24), 1); // smallest subnormal
  assert.equal(fp32ToFp16(2 ** -25), 0); // half of it: tie to even (0)
  assert.equal(fp32ToFp16(3 * 2 ** -25), 2); // 1.5 ulp: tie to even (2)
  assert.equal(fp32ToFp16(1 + 2 ** -11), 0x3c00); // tie between 1 and 1+2^-10 → even
  assert.equal(fp32ToFp16(1 + 3 * 2 ** -11), 0x3c02);
  assert.ok(Number.isNaN(fp16ToFp32(0x7e00)));
  assert.equal(fp16ToFp32(0x7c00), Number.POSITIVE_INFINITY);
});

test('bf16: exhaustive round trip, NaN quieting and round to nearest even', () => {
  for (let h = 0; h < 65536; h++) {
    const f = bf16ToFp32(h);
    const isNan = (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;
    if (!isNan) assert.equal(fp32ToBf16(f), h, `h=0x${h.toString(16)}`);
  }
  assert.equal(fp32ToBf16(fromBits(0x3f808000)), 0x3f80); // tie, even stays
  assert.equal(fp32ToBf16(fromBits(0x3f818000)), 0x3f82); // tie, odd rounds up
  assert.equal(fp32ToBf16(fromBits(0x3f808001)), 0x3f81);
  assert.equal(fp32ToBf16(fromBits(0x7f7fffff)), 0x7f80); // max float rounds to inf
  assert.equal(fp32ToBf16(fromBits(0x00000001)), 0x0000); // subnormal kept (rounds to 0 here)
  assert.equal(fp32ToBf16(fromBits(0x00018000)), 0x0002);
  assert.equal(fp32ToBf16(Number.NaN), 0x7fc0);
  assert.equal(bf16ToFp32(0x3f80), 1);
  assert.equal(bf16ToFp32(0xc000), -2);
});
