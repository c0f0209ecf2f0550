// `bert` GGUF embeddings vs llama.cpp (node-llama-cpp 3.21.1) on 20 texts: F32/F16/Q8_0, mean/CLS/last pooling.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { GgmlType } from '../../src/format/ggml-types.js';
import { createRefBackend } from '../../src/model/ref-backend.js';
import { loadGgufEmbedder } from '../../src/rag/gguf-embedder.js';
import { cosine, norm, refEmbeddings, TEXTS, tempDir, writeRandomBert } from './helpers.js';

const tmp = tempDir();
after(tmp.cleanup);

const CASES: { type: GgmlType; pooling: number; min: number }[] = [
  { type: GgmlType.F32, pooling: 1, min: 0.99999 },
  { type: GgmlType.F16, pooling: 2, min: 0.99999 },
  { type: GgmlType.Q8_0, pooling: 3, min: 0.9999 },
];

for (const c of CASES) {
  test(`bert ${GgmlType[c.type]} pooling ${c.pooling}: cosine ≥ ${c.min} with llama.cpp on ${TEXTS.length} texts`, async () => {
    const path = writeRandomBert(tmp.dir, 'bert', c.type, { pooling: c.pooling });
    const ref = await refEmbeddings(path, TEXTS);
    const emb = await loadGgufEmbedder(path, { threads: 2 });
    try {
      assert.equal(emb.dim, 128);
      const raw = emb.embedRaw(TEXTS);
      const cos = raw.map((v, i) => cosine(v, ref[i]!));
      const worst = Math.min(...cos);
      console.log(`bert ${GgmlType[c.type]} pool ${c.pooling}: min cosine ${worst.toFixed(7)}`);
      assert.ok(worst >= c.min, `min cosine ${worst} < ${c.min} (text ${cos.indexOf(worst)})`);
      // Raw vectors are llama.cpp's (unnormalized): norms agree too.
      for (let i = 0; i < raw.length; i++) {
        const r = norm(raw[i]!) / norm(ref[i]!);
        assert.ok(Math.abs(r - 1) < 2e-3, `text ${i}: norm ratio ${r}`);
      }
      // embed() returns unit vectors in the same direction.
      const unit = await emb.embed(TEXTS.slice(0, 3));
      for (let i = 0; i < 3; i++) {
        assert.ok(Math.abs(norm(unit[i]!) - 1) < 1e-5);
        assert.ok(cosine(unit[i]!, raw[i]!) > 0.999999);
      }
    } finally {
      emb.dispose();
    }
  });
}

test('bert: the threaded wasm backend matches the reference backend, and batching does not change results', async () => {
  const path = writeRandomBert(tmp.dir, 'bert', GgmlType.F16, { pooling: 1, seed: 11 });
  const fast = await loadGgufEmbedder(path, { threads: 2, batchTokens: 512 });
  const slow = await loadGgufEmbedder(path, { backend: createRefBackend() });
  try {
    const a = fast.embedRaw(TEXTS);
    const b = slow.embedRaw(TEXTS);
    const one = TEXTS.slice(0, 5).map((t) => slow.embedRaw([t])[0]!);
    for (let i = 0; i < TEXTS.length; i++) assert.ok(cosine(a[i]!, b[i]!) > 0.99999, `text ${i}`);
    for (let i = 0; i < 5; i++) {
      const d = Math.max(...one[i]!.map((x, j) => Math.abs(x - b[i]![j]!)));
      assert.ok(d < 1e-5, `text ${i}: batched vs single differ by ${d}`);
    }
  } finally {
    fast.dispose();
    slow.dispose();
  }
});
