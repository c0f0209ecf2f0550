// Tests the GGUF embedder's matmulType 'f32' (F16 layer matrices expanded at load): same vectors as the F16 path.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GgmlType } from '../../src/format/ggml-types.js';
import { readGgufFile, writeGgufFile } from '../../src/format/gguf-node.js';
import { randomBertSpec } from '../../src/model/bert-random.js';
import { loadGgufEmbedder } from '../../src/rag/gguf-embedder.js';

const TEXTS = [
  'Who founded Harrowgate?',
  'hull number VH-2417 of the Grey Heron',
  'a',
  'Café naïve — 42 ships',
];

test("matmulType 'f32' expands F16 layer matrices: vectors match the F16 path, own embedder id", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pocketlm-rag-gguf-'));
  try {
    const voc = readGgufFile('/work/shared/fixtures/vocab/ggml-vocab-bert-bge.gguf');
    const tokenizer = [...voc.metadata].filter(([k]) => k.startsWith('tokenizer.'));
    const path = join(dir, 'bert-f16.gguf');
    writeGgufFile(
      path,
      randomBertSpec({ arch: 'bert', type: GgmlType.F16, tokenizer, nEmbd: 64, nLayer: 2 }),
    );
    const f16 = await loadGgufEmbedder(path, { threads: 1 });
    const f32 = await loadGgufEmbedder(path, { threads: 1, matmulType: 'f32' });
    try {
      assert.notEqual(f16.id, f32.id);
      assert.match(f32.id, /:f32$/);
      const a = await f16.embed(TEXTS);
      const b = await f32.embed(TEXTS);
      let identical = true;
      for (let i = 0; i < TEXTS.length; i++) {
        let d = 0;
        for (let j = 0; j < a[i]!.length; j++) {
          d += a[i]![j]! * b[i]![j]!;
          if (a[i]![j] !== b[i]![j]) identical = false;
        }
        assert.ok(d > 0.9999, `text ${i}: cosine ${d}`);
      }
      // the F16 path rounds activations to f16, the expanded one does not
      assert.ok(!identical, 'expanded F32 weights should not give bit-identical vectors');
    } finally {
      f16.dispose();
      f32.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
