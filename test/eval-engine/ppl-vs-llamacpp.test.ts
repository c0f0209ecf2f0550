// `pocketlm eval ppl` on a random F16 model equals the perplexity from llama.cpp's per-position probabilities.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { LlamaModel } from 'node-llama-cpp';
import { GgmlType } from '../../src/format/ggml-types.js';
import { loadRef, tempDir, writeTestModel } from '../conformance/llama-ref.js';
import { deterministicText, llamaCppPerplexity, pocketlm, type RefPerplexity, relDiff } from './helpers.js';

const N_CTX = 128;
const N_VOCAB = 4096;
const tmp = tempDir('eval-ppl');
const modelPath = join(tmp.dir, 'f16.gguf');
const textPath = join(tmp.dir, 'text.txt');
let ref: RefPerplexity;
let refModel: LlamaModel;

before(async () => {
  // std 0.15 on the weights (token_embd std 1): output logits have a spread of a few units, so the model
  // is far from uniform (PPL far from n_vocab) and a wrong logit or wrong window shows up in the PPL.
  writeTestModel(modelPath, GgmlType.F16, { nVocab: N_VOCAB, std: 0.15, embdStd: 1, seed: 7 });
  writeFileSync(textPath, deterministicText(420, 3));
  refModel = await loadRef(modelPath);
  ref = await llamaCppPerplexity(refModel, deterministicText(420, 3), N_CTX, { threads: 2 });
});
after(async () => {
  await refModel?.dispose();
  tmp.cleanup();
});

test('eval ppl equals llama.cpp perplexity (same windows, BOS first, second half scored) within 0.5 %', async (t) => {
  const out = await pocketlm(['eval', 'ppl', '-m', modelPath, '-f', textPath, '-c', String(N_CTX), '--json']);
  const r = JSON.parse(out) as { ppl: number; count: number; nChunks: number; chunkPpl: number[] };
  const nChunks = Math.floor(ref.tokens.length / N_CTX);
  assert.ok(nChunks >= 2, `text gave ${ref.tokens.length} tokens, need ≥ ${2 * N_CTX}`);
  assert.equal(r.nChunks, nChunks, 'window count');
  assert.equal(r.count, ref.count, 'scored token count');
  assert.equal(r.count, nChunks * (N_CTX - 1 - N_CTX / 2));
  // the model is peaked enough for the comparison to mean something: a flat model gives PPL ≈ n_vocab,
  // a peaked random one is confidently wrong on most tokens (PPL far above n_vocab)
  assert.ok(
    Math.abs(Math.log(ref.ppl / N_VOCAB)) > Math.log(2),
    `reference PPL ${ref.ppl} is too close to uniform (${N_VOCAB})`,
  );
  const d = relDiff(r.ppl, ref.ppl);
  t.diagnostic(`pocketlm PPL ${r.ppl}, llama.cpp ${ref.ppl} (${(100 * d).toFixed(4)} %), ${r.count} tokens`);
  assert.ok(d < 0.005, `pocketlm PPL ${r.ppl} vs llama.cpp ${ref.ppl}: ${(100 * d).toFixed(3)} %`);
  assert.equal(r.chunkPpl.length, ref.chunkPpl.length);
  for (let i = 0; i < ref.chunkPpl.length; i++) {
    const di = relDiff(r.chunkPpl[i]!, ref.chunkPpl[i]!);
    assert.ok(di < 0.005, `[${i + 1}] pocketlm ${r.chunkPpl[i]} vs llama.cpp ${ref.chunkPpl[i]}`);
  }
  // Sensitivity: scoring every position instead of the second half moves the PPL by more than the
  // tolerance, so the comparison checks the windowing, not only the logits.
  assert.ok(
    relDiff(ref.pplAllPositions, ref.ppl) > 0.01,
    `all-positions PPL ${ref.pplAllPositions} is within 1 % of second-half PPL ${ref.ppl}`,
  );
  // the plain-text output carries llama.cpp's final line with the same number
  const txt = await pocketlm(['eval', 'ppl', '-m', modelPath, '-f', textPath, '-c', String(N_CTX)]);
  const m = /Final estimate: PPL = ([\d.]+) \+\/- ([\d.]+)/.exec(txt);
  assert.ok(m, `no final estimate line in:\n${txt}`);
  assert.ok(relDiff(Number(m[1]), ref.ppl) < 0.005);
});
