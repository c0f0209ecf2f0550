// Batched decoding across sequences: the same logits as decoding each sequence alone, and concurrent
// generations through the DecodeScheduler give the same tokens as one at a time while sharing passes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PocketModel } from '../../src/engine/pocket-model.js';
import { BatchDecoder } from '../../src/model/transformer.js';
import { smallModel } from '../helpers/models.js';

let fast: PocketModel;
let ref: PocketModel;
before(async () => {
  const path = smallModel({ type: 'q8_0' });
  fast = await PocketModel.load(path, { backend: 'wasm', threads: 1 });
  ref = await PocketModel.load(path, { backend: 'reference' });
});
after(() => {
  fast?.dispose();
  ref?.dispose();
});

function maxAbsDiff(a: Float32Array, b: Float32Array) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

for (const which of ['wasm', 'reference'] as const) {
  test(`BatchDecoder equals one-sequence decoding (${which} backend, prompts of different lengths)`, () => {
    const model = which === 'wasm' ? fast : ref;
    const prompts = ['Hello', 'A longer prompt with several more tokens in it', 'The quick brown fox'];
    const batched = prompts.map(() => model.createContext({ nCtx: 64 }));
    const alone = prompts.map(() => model.createContext({ nCtx: 64 }));
    const next = prompts.map((p, i) => {
      const toks = model.tokenize(p);
      batched[i]!.eval(toks);
      const l = alone[i]!.eval(toks);
      let best = 0;
      for (let j = 1; j < l.length; j++) if (l[j]! > l[best]!) best = j;
      return best;
    });
    const dec = new BatchDecoder(model.transformer, 4);
    for (let step = 0; step < 4; step++) {
      const got = dec.decode(batched, next);
      for (let i = 0; i < prompts.length; i++) {
        const want = alone[i]!.eval([next[i]!]);
        const d = maxAbsDiff(got[i]!, want);
        assert.ok(d < 1e-4, `step ${step} seq ${i}: max |Δ logit| ${d}`);
        assert.equal(batched[i]!.nPast, alone[i]!.nPast, 'positions advance by one');
        next[i] = (next[i]! * 31 + step + 7) % model.config.nVocab; // varied next tokens
      }
    }
  });
}

test('BatchDecoder refuses what it cannot do, naming it', () => {
  const dec = new BatchDecoder(fast.transformer, 2);
  const a = fast.createContext({ nCtx: 2 });
  const b = fast.createContext({ nCtx: 8 });
  assert.throws(() => dec.decode([a, a], [1, 2]), /same context appears twice/);
  assert.throws(() => dec.decode([a, b, fast.createContext()], [1, 2, 3]), /exceed the batch size 2/);
  assert.throws(() => dec.decode([a], [1, 2]), /1 contexts but 2 tokens/);
  assert.throws(() => dec.decode([a, b], [1, 1e9]), /outside the vocabulary/);
  dec.decode([a], [1]);
  dec.decode([a], [1]);
  assert.throws(() => dec.decode([a], [1]), /sequence is full \(2 positions\)/);
  assert.throws(() => new BatchDecoder(fast.transformer, 0), /positive integer/);
});

test('concurrent generations through a DecodeScheduler: same tokens as alone, fewer forward passes', async () => {
  const prompts = ['Once upon a time', 'The weather today', 'In the beginning', 'Numbers: 1 2 3'];
  const alone = [];
  for (const p of prompts)
    alone.push((await fast.complete(p, { maxTokens: 10, temperature: 0, ignoreEog: true })).tokens);
  const scheduler = fast.createDecodeScheduler(4);
  const together = await Promise.all(
    prompts.map((p) => fast.complete(p, { maxTokens: 10, temperature: 0, ignoreEog: true, scheduler })),
  );
  assert.deepEqual(
    together.map((r) => r.tokens),
    alone,
  );
  assert.equal(scheduler.steps, prompts.length * 9, 'every decode step went through the scheduler');
  assert.ok(
    scheduler.passes < scheduler.steps / 2,
    `passes ${scheduler.passes} for ${scheduler.steps} steps`,
  );
});
