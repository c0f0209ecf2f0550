// PocketModel.load with the default backend must run every weight type the reference backend runs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { PocketModel } from '../../src/engine/pocket-model.js';
import { GgmlType, ggmlTypeName } from '../../src/format/ggml-types.js';
import { tempDir, writeTestModel } from './llama-ref.js';

const tmp = tempDir('fallback');
after(() => tmp.cleanup());

// Types the wasm backend has no kernels for (src/threads/backend.ts KERNEL_TYPES). The default backend is
// 'wasm'; it runs these through its exact slow fallback (src/quant matmulRef). Before that fallback existed,
// prepareMatrix() threw for them and PocketModel.load(path) failed for e.g. every Q5_K_M file.
const OTHERS = [GgmlType.BF16, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q5_K];

for (const type of OTHERS) {
  it(`a ${ggmlTypeName(type)} model loads and runs with the default backend`, async () => {
    const path = join(tmp.dir, `${ggmlTypeName(type)}.gguf`);
    const { nVocab } = writeTestModel(path, type, { nVocab: 1024, nLayer: 1 });
    const model = await PocketModel.load(path);
    try {
      assert.equal(model.logits([1, 300]).length, nVocab);
    } finally {
      model.dispose();
    }
  });
}
