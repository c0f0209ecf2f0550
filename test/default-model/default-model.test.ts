// The shipped default model (models/default.gguf): loads, tokenizer round-trips, greedy text is made of corpus words.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { corpusVocabulary } from '../../scripts/default-model/corpus.js';
import { PocketModel } from '../../src/engine/pocket-model.js';

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

test('greedy generation from "Once upon a time" is made of corpus words', async () => {
  const model = await PocketModel.load(MODEL);
  const vocab = corpusVocabulary(1500);
  for (const prompt of ['Once upon a time', 'Here are some facts about']) {
    const gen = greedy(model, prompt, 48);
    const words = gen.toLowerCase().match(/[a-z']+/g) ?? [];
    assert.ok(words.length >= 15, `too few words generated for "${prompt}": ${JSON.stringify(gen)}`);
    const known = words.filter((x) => vocab.has(x)).length;
    assert.ok(
      known / words.length >= 0.8,
      `only ${known}/${words.length} generated words are corpus words for "${prompt}": ${JSON.stringify(gen)}`,
    );
  }
});
