// End to end: a knowledge base built with the GGUF embedder retrieves by vectors; bad files fail with clear errors.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { GgmlType } from '../../src/format/ggml-types.js';
import { readGgufFile, writeGgufFile } from '../../src/format/gguf-node.js';
import { randomBertSpec } from '../../src/model/bert-random.js';
import * as embedderModule from '../../src/rag/embedder.js';
import { loadGgufEmbedder } from '../../src/rag/gguf-embedder.js';
import { openKnowledgeBase } from '../../src/rag/index.js';
import { bgeTokenizer, tempDir, writeRandomBert } from './helpers.js';

const tmp = tempDir();
after(tmp.cleanup);

const DOCS = [
  'Photosynthesis converts light energy into chemical energy stored in glucose.',
  'The Eiffel Tower in Paris was completed in 1889 for the World Fair.',
  'SQLite is an embedded relational database engine written in C.',
  'Volcanoes erupt when magma rises through cracks in the crust.',
  'Binary search halves the sorted interval at every comparison.',
];

test('a KB built with the GGUF embedder retrieves each document by its own text (vector mode)', async () => {
  const path = writeRandomBert(tmp.dir, 'bert', GgmlType.F16, { pooling: 1 });
  const emb = await loadGgufEmbedder(path, { threads: 2 });
  const kb = await openKnowledgeBase(':memory:', { embedder: emb });
  try {
    for (let i = 0; i < DOCS.length; i++) await kb.addText(`doc${i}.txt`, DOCS[i]!);
    for (let i = 0; i < DOCS.length; i++) {
      const r = await kb.search(DOCS[i]!, { mode: 'vector', k: 3 });
      assert.ok(r.hits.length > 0, `no hits for doc ${i}`);
      assert.equal(r.hits[0]!.chunk.text.trim(), DOCS[i], `doc ${i} is not the top vector hit`);
      assert.ok(r.hits[0]!.cosine! > 0.999, `cosine ${r.hits[0]!.cosine}`);
    }
    const h = await kb.search('When was the Eiffel Tower in Paris completed?', { k: 2 });
    assert.match(h.hits[0]!.chunk.text, /Eiffel/);
  } finally {
    kb.close();
    emb.dispose();
  }
});

test('the CLI finds loadGgufEmbedder on src/rag/embedder.ts', () => {
  assert.equal((embedderModule as Record<string, unknown>).loadGgufEmbedder, loadGgufEmbedder);
});

test('bad files: wrong architecture, missing tensor, missing token_type_count name the problem', async () => {
  const tok = bgeTokenizer();
  const phi = join(tmp.dir, 'not-bert.gguf');
  const spec = randomBertSpec({ arch: 'bert', type: GgmlType.F32, tokenizer: tok, nLayer: 1 });
  const meta = (spec.metadata as [string, import('../../src/format/gguf-read.js').GgufEntry][]).map(
    ([k, v]): [string, typeof v] => (k === 'general.architecture' ? [k, { ...v, value: 'phi3' }] : [k, v]),
  );
  writeGgufFile(phi, { ...spec, metadata: meta });
  await assert.rejects(
    loadGgufEmbedder(phi, { threads: 1 }),
    /general\.architecture is "phi3", expected "bert"/,
  );

  const noTensor = join(tmp.dir, 'no-tensor.gguf');
  writeGgufFile(noTensor, {
    ...spec,
    tensors: spec.tensors.filter((t) => t.name !== 'blk.0.ffn_down.weight'),
  });
  await assert.rejects(
    loadGgufEmbedder(noTensor, { threads: 1 }),
    /no-tensor\.gguf: missing tensor "blk\.0\.ffn_down\.weight"/,
  );

  const noTypes = join(tmp.dir, 'no-types.gguf');
  writeGgufFile(noTypes, {
    ...spec,
    metadata: (spec.metadata as [string, unknown][]).filter(
      ([k]) => k !== 'tokenizer.ggml.token_type_count',
    ) as never,
  });
  await assert.rejects(loadGgufEmbedder(noTypes, { threads: 1 }), /token_type_count/);

  const garbage = join(tmp.dir, 'garbage.gguf');
  writeFileSync(garbage, 'not a gguf');
  await assert.rejects(loadGgufEmbedder(garbage, { threads: 1 }), /garbage\.gguf/);
  assert.ok(readGgufFile(phi).tensors.length > 0);
});

test("matmulType 'q8_0' requantizes float layer matrices: close to the exact vectors, its own embedder id", async () => {
  const path = writeRandomBert(tmp.dir, 'nomic-bert', GgmlType.F16, { pooling: 1, seed: 3 });
  const exact = await loadGgufEmbedder(path, { threads: 1 });
  const q8 = await loadGgufEmbedder(path, { threads: 1, matmulType: 'q8_0' });
  try {
    const a = exact.embedRaw(DOCS);
    const b = q8.embedRaw(DOCS);
    let worst = 1;
    let same = true;
    for (let i = 0; i < DOCS.length; i++) {
      let d = 0;
      let na = 0;
      let nb = 0;
      for (let j = 0; j < a[i]!.length; j++) {
        d += a[i]![j]! * b[i]![j]!;
        na += a[i]![j]! ** 2;
        nb += b[i]![j]! ** 2;
        if (a[i]![j] !== b[i]![j]) same = false;
      }
      worst = Math.min(worst, d / Math.sqrt(na * nb));
    }
    assert.ok(!same, 'requantized vectors should not be bit-identical to F16 ones');
    assert.ok(worst > 0.9995, `cosine ${worst}`);
    assert.notEqual(exact.id, q8.id);
    assert.match(q8.id, /q8_0/);
  } finally {
    exact.dispose();
    q8.dispose();
  }
});
