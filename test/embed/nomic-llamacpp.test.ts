// `nomic-bert` GGUF embeddings (fused QKV, RoPE, SwiGLU) vs llama.cpp on 20 texts; pooling none → last token.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { GgmlType } from '../../src/format/ggml-types.js';
import { loadGgufEmbedder } from '../../src/rag/gguf-embedder.js';
import { cosine, refEmbeddings, TEXTS, tempDir, writeRandomBert } from './helpers.js';

const tmp = tempDir();
after(tmp.cleanup);

const CASES: { type: GgmlType; pooling: number | null; min: number }[] = [
  { type: GgmlType.F32, pooling: 1, min: 0.99999 },
  { type: GgmlType.F16, pooling: null, min: 0.99999 },
  { type: GgmlType.Q8_0, pooling: 2, min: 0.9999 },
];

for (const c of CASES) {
  test(`nomic-bert ${GgmlType[c.type]} pooling ${c.pooling ?? 'absent'}: cosine ≥ ${c.min} with llama.cpp`, async () => {
    const path = writeRandomBert(tmp.dir, 'nomic-bert', c.type, { pooling: c.pooling });
    const ref = await refEmbeddings(path, TEXTS);
    const emb = await loadGgufEmbedder(path, { threads: 2 });
    try {
      assert.equal(emb.config.pooling, c.pooling ?? 0);
      const raw = emb.embedRaw(TEXTS);
      const cos = raw.map((v, i) => cosine(v, ref[i]!));
      const worst = Math.min(...cos);
      console.log(`nomic-bert ${GgmlType[c.type]} pool ${c.pooling}: min cosine ${worst.toFixed(7)}`);
      assert.ok(worst >= c.min, `min cosine ${worst} < ${c.min} (text ${cos.indexOf(worst)})`);
    } finally {
      emb.dispose();
    }
  });
}

test('pooling: mean, CLS and last give different vectors; overriding pooling reproduces llama.cpp of that pooling', async () => {
  const path = writeRandomBert(tmp.dir, 'nomic-bert', GgmlType.F32, { pooling: 2, seed: 5 });
  const ref = await refEmbeddings(path, TEXTS.slice(0, 4)); // CLS per the file
  const asCls = await loadGgufEmbedder(path, { threads: 1 });
  const asMean = await loadGgufEmbedder(path, { threads: 1, pooling: 1 });
  const asLast = await loadGgufEmbedder(path, { threads: 1, pooling: 3 });
  try {
    const cls = asCls.embedRaw(TEXTS.slice(0, 4));
    const mean = asMean.embedRaw(TEXTS.slice(0, 4));
    const last = asLast.embedRaw(TEXTS.slice(0, 4));
    for (let i = 0; i < 4; i++) {
      assert.ok(cosine(cls[i]!, ref[i]!) > 0.99999);
      assert.ok(cosine(mean[i]!, ref[i]!) < 0.999, `text ${i}: mean pooling should differ from CLS`);
      assert.ok(cosine(last[i]!, ref[i]!) < 0.999, `text ${i}: last pooling should differ from CLS`);
    }
    assert.notEqual(asCls.id, asMean.id);
    await assert.rejects(loadGgufEmbedder(path, { threads: 1, pooling: 4 }), /pooling 4/);
  } finally {
    asCls.dispose();
    asMean.dispose();
    asLast.dispose();
  }
});
