// PocketModel.load with the default backend must run every weight type the reference backend runs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { PocketModel } from '../../src/engine/pocket-model.js';
import { GgmlType, ggmlTypeName } from '../../src/format/ggml-types.js';
import { tempDir, writeTestModel } from './llama-ref.js';
import { WASM_TYPES } from './logits-sweep.js';

const tmp = tempDir('fallback');
after(() => tmp.cleanup());

// Types the wasm backend has no kernels for. The default backend is 'wasm' (src/engine/pocket-model.ts
// resolveBackend), which only falls back to the reference backend when createBackend() throws, not when
// prepareMatrix() refuses a tensor type later in the Transformer constructor.
const OTHERS = [GgmlType.BF16, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q5_K];

for (const type of OTHERS) {
  it(`a ${ggmlTypeName(type)} model loads and runs with the default backend`, async () => {
    assert.ok(!WASM_TYPES.has(type));
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
