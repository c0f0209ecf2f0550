// The default (wasm) backend on weight types without wasm kernels: it loads, and matches the reference backend.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PocketModel } from '../../src/engine/pocket-model.js';
import { GgmlType, ggmlTypeName } from '../../src/format/ggml-types.js';
import { KERNEL_TYPES } from '../../src/kernels/matvec.js';
import { tempDir, testTokens, writeTestModel } from './llama-ref.js';

const tmp = tempDir('fallback');
after(() => tmp.cleanup());

// Weight types the wasm backend has no kernels for (src/kernels/matvec.ts KERNEL_TYPES). The default
// backend is 'wasm'; it runs these through an exact fallback (src/quant matmulRef on the calling thread).
// Before that fallback existed, prepareMatrix() threw for them and PocketModel.load(path) failed.
const WRITABLE = [
  GgmlType.F32,
  GgmlType.F16,
  GgmlType.BF16,
  GgmlType.Q8_0,
  GgmlType.Q4_0,
  GgmlType.Q4_1,
  GgmlType.Q5_0,
  GgmlType.Q5_1,
  GgmlType.Q4_K,
  GgmlType.Q5_K,
  GgmlType.Q6_K,
];
const OTHERS = WRITABLE.filter((t) => !KERNEL_TYPES.includes(t));

it('some writable types have no wasm kernel (else this file tests nothing)', () => {
  assert.ok(OTHERS.length > 0, 'every type has a wasm kernel now: retire this file');
});

for (const type of OTHERS) {
  describe(ggmlTypeName(type), () => {
    it('loads and runs with the default backend, with the reference backend logits bit for bit', async () => {
      const path = join(tmp.dir, `${ggmlTypeName(type)}.gguf`);
      const { nVocab } = writeTestModel(path, type, { arch: 'llama', nHeadKv: 2, nVocab: 1024, embdStd: 1 });
      // 101 tokens: enough activation rows that the x86 and generic Q8_0/Q8_1 quantizers disagree somewhere
      const tokens = testTokens(101, 1101, true, nVocab);
      const fast = await PocketModel.load(path);
      const ref = await PocketModel.load(path, { backend: 'reference' });
      try {
        const a = fast.logits(tokens);
        const b = ref.logits(tokens);
        assert.equal(a.length, nVocab);
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
        // Both multiply with matmulRef; they differ only if the activation quantizer differs. The reference
        // backend mirrors llama.cpp's x86 build (flavor 'x86'); the fallback must use the same flavor.
        assert.equal(worst, 0, `${fast.backendName} vs reference: max |Δ logit| ${worst.toExponential(2)}`);
      } finally {
        fast.dispose();
        ref.dispose();
      }
    });
  });
}
