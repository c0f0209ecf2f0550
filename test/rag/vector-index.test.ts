// Tests the vector index: WASM SIMD scans (int8 + f32 rescoring, f32) vs the plain-TS twin, exact top-k,
// tombstones, and the embedded binary.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import wabtInit from 'wabt';
import { scanRef, VectorIndex } from '../../src/rag/vector-index.js';
import { VECTOR_SCAN_WASM_BASE64 } from '../../src/rag/vector-scan-wasm.js';

/** Scores of the SIMD kernel and the reference may differ by float summation order only. */
const SCORE_TOL = 1e-5;

const lcg = (seed: number) => () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed / 2 ** 32) * 2 - 1;
};

test('the embedded WASM binary is vector-scan.wat compiled by wabt', async () => {
  const wabt = await wabtInit();
  const wat = readFileSync(new URL('../../src/rag/vector-scan.wat', import.meta.url), 'utf8');
  const bin = wabt.parseWat('vector-scan.wat', wat, { simd: true }).toBinary({}).buffer;
  assert.equal(
    Buffer.from(bin).toString('base64'),
    VECTOR_SCAN_WASM_BASE64,
    'regenerate src/rag/vector-scan-wasm.ts',
  );
});

for (const kernel of ['wasm-i8', 'wasm-f32', 'js'] as const) {
  test(`VectorIndex (${kernel}): exact top-k equals brute force over odd dims, tombstones, compaction`, () => {
    for (const dim of [3, 19, 64, 385]) {
      const rnd = lcg(dim);
      const vi = new VectorIndex(dim, 4, { kernel });
      assert.equal(vi.kernel, kernel);
      const vs: Float32Array[] = [];
      const n = dim > 100 ? 1500 : 3000;
      for (let i = 0; i < n; i++) {
        const v = Float32Array.from({ length: dim }, rnd);
        vs.push(v);
        vi.add(i, i % 50, v);
      }
      const q = Float32Array.from({ length: dim }, rnd);
      const dot = (v: Float32Array) => v.reduce((s, x, i) => s + x * q[i]!, 0);
      const check = (alive: (i: number) => boolean, mask?: Uint8Array) => {
        const want = vs
          .map((v, i) => ({ i, s: dot(v) }))
          .filter(({ i }) => alive(i) && (!mask || mask[i % 50] === 1))
          .sort((x, y) => y.s - x.s)
          .slice(0, 10);
        const got = vi.search(q, 10, mask);
        assert.deepEqual(
          got.map((h) => h.chunkId),
          want.map((x) => x.i),
          `dim ${dim}`,
        );
        for (const [j, h] of got.entries()) assert.ok(Math.abs(h.score - want[j]!.s) < SCORE_TOL * dim);
      };
      check(() => true);
      const mask = new Uint8Array(50);
      mask[3] = 1;
      mask[17] = 1;
      check(() => true, mask);
      for (let d = 0; d < 30; d++) vi.removeDoc(d); // > 1024 tombstones and > 1/4 of rows: compaction
      assert.equal(vi.size, (n * 20) / 50);
      check((i) => i % 50 >= 30);
      assert.ok(Number.isNaN(vi.scoreChunks(q, [0])[0]!));
      assert.ok(Math.abs(vi.scoreChunks(q, [31])[0]! - dot(vs[31]!)) < SCORE_TOL * dim);
      // appends after compaction keep working
      vi.add(
        99_999,
        7,
        q.map((x) => x * 1000),
      );
      assert.equal(vi.search(q, 1)[0]!.chunkId, 99_999);
    }
  });
}

test('WASM scan matches scanRef on raw rows', () => {
  const dim = 37;
  const stride = 40;
  const rnd = lcg(5);
  const vi = new VectorIndex(dim, 8, { kernel: 'wasm-f32' });
  assert.equal(vi.kernel, 'wasm-f32');
  const rows: Float32Array[] = [];
  for (let i = 0; i < 100; i++) {
    const v = Float32Array.from({ length: dim }, rnd);
    rows.push(v);
    vi.add(i, 0, v);
  }
  const q = Float32Array.from({ length: dim }, rnd);
  const got = Array.from(vi.scores(q).subarray(0, 100));
  const data = new Float32Array(100 * stride);
  for (const [i, r] of rows.entries()) data.set(r, i * stride);
  const qp = new Float32Array(stride);
  qp.set(q);
  const want = new Float32Array(100);
  scanRef(data, qp, want, 100, stride);
  for (const [i, g] of got.entries())
    assert.ok(Math.abs(g - want[i]!) < SCORE_TOL, `row ${i}: ${g} vs ${want[i]}`);
});

test('int8 scan: integer dot products equal a plain reference; approximate scores within the error bound', () => {
  const dim = 45; // not a multiple of 32: padding
  const rnd = lcg(11);
  const vi = new VectorIndex(dim, 4, { kernel: 'wasm-i8' });
  assert.equal(vi.kernel, 'wasm-i8');
  assert.equal(vi.stride8, 64);
  const rows: Float32Array[] = [];
  for (let i = 0; i < 300; i++) {
    const v = Float32Array.from({ length: dim }, () => rnd() * (1 + (i % 7)));
    rows.push(v);
    vi.add(i, 0, v);
  }
  const q = Float32Array.from({ length: dim }, rnd);
  const { out, qStep, qL1 } = vi.approxScores(q);
  const qm = Math.max(...q.map(Math.abs));
  const q16 = Array.from(q, (x) => Math.round((x * 16383) / qm));
  // f32x4.nearest: round half to even
  const nearest = (x: number) => {
    const f = Math.floor(x);
    const d = x - f;
    return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
  };
  for (const [r, v] of rows.entries()) {
    const m = Math.max(...v.map(Math.abs));
    const s = Math.fround(m / 127);
    const inv = Math.fround(127 / m);
    let want = 0;
    for (let i = 0; i < dim; i++) want += nearest(Math.fround(v[i]! * inv)) * q16[i]!;
    assert.equal(out[r], want, `row ${r}`);
    const exact = v.reduce((a, x, i) => a + x * q[i]!, 0);
    const l1 = v.reduce((a, x) => a + Math.abs(x), 0);
    const bound = (s / 2) * qL1 + (qStep / 2) * (l1 + (dim * s) / 2) + 1e-6;
    assert.ok(Math.abs(out[r]! * s * qStep - exact) <= bound, `row ${r}: bound`);
  }
});

test('int8 kernel returns the exact f32 top-k on near-ties (candidate set widens)', () => {
  const dim = 64;
  const rnd = lcg(3);
  const base = Float32Array.from({ length: dim }, rnd);
  const vi = new VectorIndex(dim, 16, { kernel: 'wasm-i8' });
  const ref = new VectorIndex(dim, 16, { kernel: 'js' });
  // 2000 vectors within 1e-4 of each other: int8 cannot order them, the rescoring must
  for (let i = 0; i < 2000; i++) {
    const v = base.map((x) => x + 1e-4 * rnd());
    vi.add(i, 0, v);
    ref.add(i, 0, v);
  }
  const got = vi.search(base, 10);
  const want = ref.search(base, 10);
  assert.deepEqual(
    got.map((h) => h.chunkId),
    want.map((h) => h.chunkId),
  );
  assert.ok(vi.lastRescored > 42, `rescored ${vi.lastRescored}`);
});
