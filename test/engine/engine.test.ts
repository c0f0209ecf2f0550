import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PocketModel } from '../../src/engine/pocket-model.js';
import { smallModel } from '../helpers/models.js';

let ref: PocketModel;
let fast: PocketModel;

before(async () => {
  const path = smallModel({ type: 'q8_0' });
  ref = await PocketModel.load(path, { backend: 'reference' });
  fast = await PocketModel.load(path, { backend: 'wasm', threads: 1 });
});
after(() => {
  ref?.dispose();
  fast?.dispose();
});

function maxAbsDiff(a: Float32Array, b: Float32Array) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test('wasm backend equals the reference backend (Q8_0 integer dots are exact up to float sums)', () => {
  const toks = ref.tokenize('The quick brown fox jumps over the lazy dog.');
  const d = maxAbsDiff(ref.logits(toks), fast.logits(toks));
  assert.ok(d < 1e-4, `max |Δ logit| = ${d}`);
});

test('batched prompt evaluation equals token-by-token evaluation', () => {
  const toks = fast.tokenize('A batch of tokens evaluated at once must match one at a time.');
  const all = fast.logits(toks, 'all');
  const ctx = fast.createContext({ nCtx: 64 });
  const V = fast.config.nVocab;
  for (let i = 0; i < toks.length; i++) {
    const one = ctx.eval([toks[i]!]);
    const d = maxAbsDiff(one, all.subarray(i * V, (i + 1) * V));
    assert.ok(d < 1e-4, `position ${i}: max |Δ| = ${d}`);
  }
});

test('greedy generation is the argmax chain, and seeds make sampling reproducible', async () => {
  const g = await fast.complete('Once upon a time', { maxTokens: 8, temperature: 0 });
  const toks = fast.tokenize('Once upon a time');
  const ctx = fast.createContext({ nCtx: 64 });
  let logits = ctx.eval(toks);
  const chain: number[] = [];
  for (let i = 0; i < 8; i++) {
    let best = 0;
    for (let j = 1; j < logits.length; j++) if (logits[j]! > logits[best]!) best = j;
    if (fast.isEog(best)) break;
    chain.push(best);
    logits = ctx.eval([best]);
  }
  assert.deepEqual(g.tokens, chain);
  const a = await fast.complete('Hello', { maxTokens: 12, temperature: 1, seed: 42 });
  const b = await fast.complete('Hello', { maxTokens: 12, temperature: 1, seed: 42 });
  const c = await fast.complete('Hello', { maxTokens: 12, temperature: 1, seed: 43 });
  assert.deepEqual(a.tokens, b.tokens);
  assert.notDeepEqual(a.tokens, c.tokens);
});

test('max tokens, abort signal and stop strings end generation', async () => {
  const r = await fast.complete('Count', { maxTokens: 5, temperature: 0 });
  assert.equal(r.tokens.length, 5);
  assert.equal(r.finishReason, 'length');
  const ac = new AbortController();
  let n = 0;
  const ab = await fast.complete(
    'Count',
    { maxTokens: 50, temperature: 0.8, seed: 1, signal: ac.signal },
    () => {
      if (++n === 3) ac.abort();
    },
  );
  assert.equal(ab.finishReason, 'abort');
  assert.ok(ab.tokens.length <= 4);
  const full = await fast.complete('Count', { maxTokens: 10, temperature: 0 });
  const cut = full.text.slice(3, 6);
  if (cut.length === 3) {
    const s = await fast.complete('Count', { maxTokens: 10, temperature: 0, stop: [cut] });
    assert.equal(s.finishReason, 'stop');
    assert.ok(!s.text.includes(cut) && full.text.startsWith(s.text));
  }
});

test('chat reuses the KV cache: turn 2 equals evaluating the cached token history afresh', async () => {
  const chat = fast.createChat({ system: 'You are terse.' });
  await drain(chat.send('Hi there', { maxTokens: 6, temperature: 0 }));
  const cachedAfter1 = chat.cachedTokens;
  assert.equal(cachedAfter1, chat.history.length);
  const lenBefore2 = chat.history.length;
  const r2 = await drain(chat.send('And again?', { maxTokens: 6, temperature: 0 }));
  assert.equal(chat.cachedTokens, chat.history.length);
  const prompt2 = chat.history.slice(0, chat.history.length - r2.tokens.length);
  assert.ok(prompt2.length > lenBefore2, 'turn 2 only appended tokens');
  const fresh = await fast.complete(prompt2, { maxTokens: 6, temperature: 0 });
  assert.deepEqual(r2.tokens, fresh.tokens);
});

test('oversize prompts and bad token ids give clear errors', () => {
  const ctx = fast.createContext({ nCtx: 8 });
  assert.throws(() => ctx.eval(new Array(9).fill(5)), /exceed the context size 8/);
  assert.throws(() => ctx.eval([fast.config.nVocab]), /outside the vocabulary/);
});

async function drain<T, R>(it: AsyncGenerator<T, R>): Promise<R> {
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
  }
}
