// The shipped default model (models/default.gguf): loads, tokenizer round-trips, greedy text is made of corpus words.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { corpusVocabulary } from '../../scripts/default-model/corpus.js';
import { PocketModel } from '../../src/engine/pocket-model.js';
import { writeGgufFile } from '../../src/format/gguf-node.js';
import { randomModelSpec } from '../../src/model/random.js';

const MODEL = join(fileURLToPath(new URL('../..', import.meta.url)), 'models', 'default.gguf');

/** Greedy continuation of `prompt` for `n` tokens (argmax of the logits, stops at end-of-generation). */
function greedy(model: PocketModel, prompt: string, n: number): string {
  const ids = model.tokenize(prompt, { addBos: true, parseSpecial: false });
  const ctx = model.createContext({ nCtx: ids.length + n + 1 });
  let logits = ctx.eval(ids, 'last');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < logits.length; j++) if ((logits[j] as number) > (logits[best] as number)) best = j;
    if (model.isEog(best)) break;
    out.push(best);
    logits = ctx.eval([best], 'last');
  }
  return model.detokenize(out);
}

test('models/default.gguf: small phi3 file with tokenizer and chat template', async () => {
  const bytes = statSync(MODEL).size;
  assert.ok(bytes <= 8 * 1024 * 1024, `models/default.gguf is ${bytes} bytes (limit 8 MiB)`);
  const model = await PocketModel.load(MODEL);
  assert.equal(model.metadata.get('general.architecture')?.value, 'phi3');
  assert.ok(model.metadata.has('tokenizer.chat_template'), 'chat template missing');
  for (const t of ['<|user|>', '<|assistant|>', '<|end|>', '<|endoftext|>'])
    assert.ok(model.tokenizer.vocab.tokens.includes(t), `chat token ${t} missing`);
  const text =
    'Once upon a time, a little fox named Milo found 3 shiny stones near the river. "Wow!" he said.';
  const ids = model.tokenize(text, { addBos: false, parseSpecial: false });
  assert.equal(model.detokenize(ids), text);
  assert.ok(
    ids.length < text.length / 2,
    `tokenizer barely merges: ${ids.length} tokens for ${text.length} chars`,
  );
});

/** Share of the greedy continuation's words that occur in the corpus (and the continuation itself). */
function wordShare(
  model: PocketModel,
  prompt: string,
  vocab: Set<string>,
): { share: number; n: number; gen: string } {
  const gen = greedy(model, prompt, 48);
  const words = gen.toLowerCase().match(/[a-z']+/g) ?? [];
  return {
    share: words.filter((x) => vocab.has(x)).length / Math.max(1, words.length),
    n: words.length,
    gen,
  };
}

test('greedy generation from "Once upon a time" is made of corpus words (a random-weight twin is not)', async () => {
  const model = await PocketModel.load(MODEL);
  const vocab = corpusVocabulary(1500);
  for (const prompt of ['Once upon a time', 'Here are some facts about']) {
    const { share, n, gen } = wordShare(model, prompt, vocab);
    assert.ok(n >= 15, `too few words generated for "${prompt}": ${JSON.stringify(gen)}`);
    assert.ok(
      share >= 0.8,
      `only ${(share * 100).toFixed(0)}% corpus words for "${prompt}": ${JSON.stringify(gen)}`,
    );
  }
  // control: same shape and tokenizer, random weights — the check must reject it
  const dir = mkdtempSync(join(tmpdir(), 'pocketlm-default-model-'));
  try {
    const path = join(dir, 'random.gguf');
    const tokenizer = [...model.metadata].filter(([k]) => k.startsWith('tokenizer.'));
    writeGgufFile(
      path,
      randomModelSpec({ config: model.config, tokenizer, fileType: 'q8_0', seed: 3, std: 0.5 }),
    );
    const rnd = await PocketModel.load(path);
    const { share, n, gen } = wordShare(rnd, 'Once upon a time', vocab);
    assert.ok(n < 15 || share < 0.8, `random-weight control passed the check: ${JSON.stringify(gen)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
