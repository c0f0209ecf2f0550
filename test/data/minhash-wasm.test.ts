// The embedded MinHash WASM kernel is minhash.wat compiled, and gives the same minima as the scalar definition.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import wabtInit from 'wabt';
import { minHasher } from '../../src/data/dedup/minhash.js';
import { MINHASH_WASM_BASE64 } from '../../src/data/dedup/minhash-wasm.generated.js';
import { simdAvailable, simdSignature } from '../../src/data/dedup/minhash-wasm.js';
import { seededRandom } from '../../src/data/synthetic-web.js';

test('minhash-wasm.generated.ts is minhash.wat compiled by wabt', async () => {
  const wabt = await wabtInit();
  const src = readFileSync(new URL('../../src/data/dedup/minhash.wat', import.meta.url), 'utf8');
  const bin = Buffer.from(wabt.parseWat('minhash.wat', src, { simd: true }).toBinary({}).buffer);
  assert.equal(
    MINHASH_WASM_BASE64,
    bin.toString('base64'),
    'regenerate minhash-wasm.generated.ts from minhash.wat',
  );
});

test('SIMD minima equal the scalar loop (random shingles, several sizes and hashers)', () => {
  assert.equal(simdAvailable(112), true, 'Node ≥ 20 has WebAssembly SIMD');
  assert.equal(simdAvailable(21), false);
  const r = seededRandom(5);
  for (const [bands, rows, ns] of [
    [14, 8, 1],
    [14, 8, 333],
    [2, 4, 7],
    [16, 16, 70000],
  ] as const) {
    const h = minHasher({ ngram: 5, bands, rows, seed: ns });
    const sh = Uint32Array.from({ length: ns }, () => Math.floor(r() * 2 ** 32));
    const got = new Int32Array(h.a.length);
    simdSignature(h.a, h.b, sh, ns, got);
    for (let i = 0; i < h.a.length; i++) {
      let m = 0x7fffffff;
      for (const x of sh) {
        let v = Math.imul(x ^ (h.b[i] as number), h.a[i] as number);
        v ^= v >>> 15;
        if (v < m) m = v;
      }
      assert.equal(got[i], m, `bands ${bands} rows ${rows} ns ${ns} function ${i}`);
    }
  }
});
