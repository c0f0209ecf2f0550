// Greedy (temperature 0) 64-token continuations: pocketlm's tokens must equal llama.cpp's, F32 and F16.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LlamaModel } from 'node-llama-cpp';
import { PocketModel } from '../../src/engine/pocket-model.js';
import { GgmlType, ggmlTypeName } from '../../src/format/ggml-types.js';
import { loadRef, refLogProbs, type TestModelShape, tempDir, topK, writeTestModel } from './llama-ref.js';

const N_GEN = 64;

/**
 * llama.cpp's greedy continuation: sequence.evaluate with temperature 0 and no repeat penalty, grammar or
 * token bias (node-llama-cpp applies none unless asked), continuing through end-of-generation tokens.
 */
async function llamaGreedy(model: LlamaModel, prompt: number[], n: number): Promise<number[]> {
  const ctx = await model.createContext({
    contextSize: 256,
    batchSize: 256,
    threads: 1,
    flashAttention: false,
  });
  try {
    const out: number[] = [];
    for await (const t of ctx.getSequence().evaluate(prompt as never, { temperature: 0 })) {
      out.push(t);
      if (out.length >= n) break;
    }
    return out;
  } finally {
    await ctx.dispose();
  }
}

/** llama.cpp's gap between its two most likely next tokens after `prefix` (to tell ties from bugs). */
async function topGap(model: LlamaModel, prefix: number[], nVocab: number): Promise<number> {
  const lp = await refLogProbs(model, prefix, nVocab);
  const [a, b] = topK(lp, 2);
  return lp[a!]! - lp[b!]!;
}

const CASES: { label: string; shape: TestModelShape }[] = [
  // the real Phi-3 vocabulary and a text prompt
  { label: 'phi3 MHA, 32064 tokens', shape: { arch: 'phi3', std: 0.05, embdStd: 1 } },
  {
    label: 'llama GQA, 1024 tokens',
    shape: { arch: 'llama', nHeadKv: 2, std: 0.05, embdStd: 1, nVocab: 1024 },
  },
];

/** Below this top-2 log-prob gap a divergence is a floating-point tie, not a bug (max |Δ| for F32/F16 is ~1e-5). */
const TIE_GAP = 1e-4;

const tmp = tempDir('greedy');
after(() => tmp.cleanup());

for (const type of [GgmlType.F32, GgmlType.F16]) {
  for (const { label, shape } of CASES) {
    describe(`${ggmlTypeName(type)} ${label}`, () => {
      const path = join(tmp.dir, `${ggmlTypeName(type)}-${shape.arch}.gguf`);
      let ref: LlamaModel;
      let nVocab = 0;
      before(async () => {
        nVocab = writeTestModel(path, type, shape).nVocab;
        ref = await loadRef(path);
      });
      after(async () => {
        await ref?.dispose();
      });
      for (const backend of ['reference', 'wasm'] as const) {
        it(`${N_GEN} greedy tokens equal llama.cpp's (${backend} backend)`, async () => {
          const model = await PocketModel.load(path, { backend, threads: 2, minSplitWeights: 0 });
          try {
            const prompt = model.tokenize(
              nVocab > 32000 ? 'Once upon a time, in a quiet village by the sea,' : 'the cat',
            );
            const want = await llamaGreedy(ref, prompt, N_GEN);
            const got = (await model.complete(prompt, { maxTokens: N_GEN, temperature: 0, ignoreEog: true }))
              .tokens;
            assert.equal(want.length, N_GEN);
            const k = got.findIndex((t, i) => t !== want[i]);
            process.stdout.write(
              `# ${ggmlTypeName(type)} ${label} ${backend}: ${k < 0 ? N_GEN : k}/${N_GEN} tokens equal, ${new Set(want).size} distinct: ${want.join(' ')}\n`,
            );
            if (k >= 0) {
              const gap = await topGap(ref, [...prompt, ...want.slice(0, k)], nVocab);
              assert.ok(
                gap < TIE_GAP,
                `token ${k} differs (pocketlm ${got[k]}, llama.cpp ${want[k]}) where llama.cpp's top-2 gap is ${gap.toExponential(2)}\n` +
                  `pocketlm:  ${got.join(' ')}\nllama.cpp: ${want.join(' ')}`,
              );
            }
            assert.equal(got.length, N_GEN);
          } finally {
            model.dispose();
          }
        });
      }
    });
  }
}
