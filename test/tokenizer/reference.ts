// Compares our tokenizers with llama.cpp itself (node-llama-cpp 3.21.1, vocabulary-only model loads).
import assert from 'node:assert/strict';
import { getLlama, type Llama, LlamaLogLevel, type LlamaModel, type Token } from 'node-llama-cpp';
import type { Tokenizer } from '../../src/tokenizer/tokenizer.js';
import { EDGE_CASES, generateCorpus } from './corpus.js';
import { type FixtureName, fixturePath, fixtureTokenizer } from './helpers.js';

let llama: Promise<Llama> | undefined;

const clip = (s: string) => (s.length > 240 ? `${s.slice(0, 240)}…` : s);

/** Loads a fixture in llama.cpp (once per process) next to our tokenizer for it. */
export async function loadPair(name: FixtureName): Promise<{ model: LlamaModel; tok: Tokenizer }> {
  llama ??= getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.disabled, logger: () => {} });
  const model = await (await llama).loadModel({ modelPath: fixturePath(name), vocabOnly: true });
  return { model, tok: fixtureTokenizer(name) };
}

/** Tokenizes the edge cases and `count` generated strings both ways, with parseSpecial false and true; fails listing mismatches. */
export function compareCorpus(model: LlamaModel, tok: Tokenizer, seed: number, count: number): number[][] {
  const corpus = [...EDGE_CASES, ...generateCorpus(seed, count)];
  const bad: string[] = [];
  const all: number[][] = [];
  for (const s of corpus) {
    for (const parseSpecial of [false, true]) {
      const want = Array.from(model.tokenize(s, parseSpecial) as readonly number[]);
      const got = tok.tokenize(s, { parseSpecial });
      if (parseSpecial) all.push(want);
      if (got.length !== want.length || got.some((x, i) => x !== want[i]))
        bad.push(
          `${clip(JSON.stringify(s))} parseSpecial=${parseSpecial}\n  got  ${clip(got.join(' '))}\n  want ${clip(want.join(' '))}`,
        );
    }
  }
  assert.equal(
    bad.length,
    0,
    `${bad.length} of ${2 * corpus.length} differ, e.g.\n${bad.slice(0, 5).join('\n')}`,
  );
  return all;
}

/** Detokenizes each id list both ways (special false and true) and compares. */
export function compareDetokenize(model: LlamaModel, tok: Tokenizer, lists: number[][]): void {
  const bad: string[] = [];
  for (const ids of lists) {
    for (const special of [false, true]) {
      const want = model.detokenize(ids as Token[], special);
      const got = tok.detokenize(ids, { special });
      if (got !== want)
        bad.push(
          `${clip(ids.join(' '))} special=${special}\n  got  ${clip(JSON.stringify(got))}\n  want ${clip(JSON.stringify(want))}`,
        );
    }
  }
  assert.equal(
    bad.length,
    0,
    `${bad.length} of ${2 * lists.length} differ, e.g.\n${bad.slice(0, 5).join('\n')}`,
  );
}

/** Every token's text (special rendering) and the EOG set agree with llama.cpp. */
export function compareVocab(model: LlamaModel, tok: Tokenizer): void {
  const v = tok.vocab;
  const eog = new Set<number>();
  const bad: string[] = [];
  for (let id = 0; id < v.size; id++) {
    if (model.isEogToken(id as Token)) eog.add(id);
    const want = model.detokenize([id as Token], true);
    const got = tok.detokenize([id], { special: true });
    // The GGUF reader turns the U+FEFF token into '' (checked on its own in vocab.test.ts).
    const readerBom = want === '\uFEFF' && v.tokens[id] === `[EMPTY_${id}]`;
    if (got !== want && !readerBom)
      bad.push(`${id}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
  }
  assert.equal(bad.length, 0, `${bad.length} token pieces differ, e.g.\n${bad.slice(0, 5).join('\n')}`);
  assert.deepEqual(
    [...v.eogIds].sort((a, b) => a - b),
    [...eog].sort((a, b) => a - b),
  );
  assert.equal(v.bosId, model.tokens.bos);
  assert.equal(v.eosId, model.tokens.eos);
  assert.equal(v.eotId, model.tokens.eot);
}
