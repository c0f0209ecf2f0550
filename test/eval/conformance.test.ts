import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkScoringModel } from '../../src/eval/conformance.js';
import { ALPHABET, BigramModel, CharVocab, HashModel, OracleModel } from './fake-models.js';

const vocab = new CharVocab(ALPHABET);
const SAMPLE = 'The cat sat on the mat.';

test('the fake models conform to the ScoringModel contract', () => {
  for (const m of [
    new HashModel(vocab),
    new HashModel(vocab, false),
    new BigramModel(vocab, SAMPLE),
    new OracleModel(vocab, [SAMPLE]),
  ]) {
    assert.deepEqual(checkScoringModel(m, SAMPLE), []);
  }
});

test('contract violations are named', () => {
  // logits that depend on a hidden state carried across calls (a KV cache never cleared)
  const leaky = new HashModel(vocab);
  let calls = 0;
  const orig = leaky.logitsAll.bind(leaky);
  leaky.logitsAll = (t: number[]) => orig(t).map((x) => x + calls++ * 0.01);
  assert.match(checkScoringModel(leaky, SAMPLE).join('\n'), /not deterministic/);
  // non-causal: row i looks at the last token of the sequence
  const peeking = new HashModel(vocab);
  peeking.logitsAll = (t: number[]) => {
    const out = new Float32Array(t.length * vocab.size);
    for (let i = 0; i < t.length; i++) out[i * vocab.size + (t.at(-1)! % vocab.size)] = 1 + i;
    return out;
  };
  assert.match(checkScoringModel(peeking, SAMPLE).join('\n'), /not causal/);
  const noBos = new HashModel(vocab);
  noBos.tokenize = (text: string) => vocab.encode(text);
  assert.match(checkScoringModel(noBos, SAMPLE).join('\n'), /starts with \d+, not bosId 0/);
  const short = new HashModel(vocab);
  short.logitsAll = (t: number[]) => new Float32Array(t.length);
  assert.match(checkScoringModel(short, SAMPLE).join('\n'), /returned 12 values, expected \d+/);
  const nan = new HashModel(vocab);
  nan.logitsAll = (t: number[]) => new Float32Array(t.length * vocab.size).fill(Number.NaN);
  assert.match(checkScoringModel(nan, SAMPLE).join('\n'), /row 0\) is NaN/);
});
