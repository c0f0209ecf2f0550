import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatKld, klDivergence } from '../../src/eval/kld.js';
import { perplexity } from '../../src/eval/perplexity.js';
import { meanAndUncertainty, medianSorted, percentileSorted } from '../../src/eval/stats.js';
import { ALPHABET, CharVocab, FixedModel, HashModel, logSoftmax, RowModel } from './fake-models.js';

const vocab = new CharVocab(ALPHABET);
const TEXT = 'Sphinx of black quartz, judge my vow. The five boxing wizards jump quickly. '.repeat(12);

test('identical models: KL 0, same top 100%, PPL ratio 1, Δp 0', () => {
  const r = klDivergence(new HashModel(vocab), new HashModel(vocab), TEXT, { nCtx: 64 });
  assert.ok(r.count >= 100);
  assert.ok(Math.abs(r.kld.value) < 1e-12 && Math.abs(r.kld.max) < 1e-12, `KLD ${r.kld.value}`);
  assert.equal(r.sameTop.value, 1);
  assert.ok(Math.abs(r.pplRatio.value - 1) < 1e-12);
  assert.equal(r.deltaP.value, 0);
  assert.equal(r.deltaPRms.value, 0);
  // both perplexities equal llama.cpp perplexity of the same model
  const ppl = perplexity(new HashModel(vocab), TEXT, { nCtx: 64 }).ppl;
  assert.ok(Math.abs(r.pplBase.value - ppl) < 1e-6 * ppl);
  assert.ok(Math.abs(r.pplQuant.value - ppl) < 1e-6 * ppl);
});

test('fixed distributions p, q give the analytic KL(p‖q), Δp and top-1 disagreement', () => {
  const V = vocab.size;
  const a = Array.from({ length: V }, (_, i) => Math.cos(i * 0.37) * 2);
  const b = a.map((x, i) => x + 0.4 * Math.sin(i * 1.3) + (i === 3 ? 6 : 0)); // top token moves to 3
  const base = new FixedModel(vocab, a);
  const quant = new FixedModel(vocab, b);
  const p = logSoftmax(a.map(Math.fround));
  const q = logSoftmax(b.map(Math.fround));
  const kl = p.reduce((s, lp, i) => s + Math.exp(lp) * (lp - q[i]!), 0);
  assert.ok(kl > 0.1);
  const r = klDivergence(base, quant, TEXT, { nCtx: 64 });
  for (const k of ['value', 'max', 'min', 'median', 'p99', 'p95', 'p90'] as const) {
    assert.ok(Math.abs(r.kld[k] - kl) < 1e-9, `KLD ${k}: ${r.kld[k]} vs ${kl}`);
  }
  assert.equal(r.sameTop.value, 0);
  // Δp and both perplexities from the scored tokens
  const tokens = base.tokenize(TEXT);
  const nChunks = Math.floor(tokens.length / 64);
  let nllP = 0;
  let nllQ = 0;
  let dp = 0;
  let n = 0;
  for (let c = 0; c < nChunks; c++) {
    for (let j = 32; j < 63; j++) {
      const t = tokens[c * 64 + j + 1]!;
      nllP -= p[t]!;
      nllQ -= q[t]!;
      dp += Math.exp(q[t]!) - Math.exp(p[t]!);
      n++;
    }
  }
  assert.equal(r.count, n);
  assert.ok(Math.abs(r.pplBase.value - Math.exp(nllP / n)) < 1e-9 * r.pplBase.value);
  assert.ok(Math.abs(r.pplQuant.value - Math.exp(nllQ / n)) < 1e-9 * r.pplQuant.value);
  assert.ok(Math.abs(r.lnPplRatio.value - (nllQ - nllP) / n) < 1e-9);
  assert.ok(Math.abs(r.deltaP.value - dp / n) < 1e-12);
  const text = formatKld(r);
  assert.match(text, /Mean {4}KLD:\s+\d+\.\d{6} ±/);
  assert.match(text, /Same top p:\s+0\.000 ±/);
  assert.match(text, /99\.0% {3}KLD:/);
});

test('per-token KL values feed the percentiles (half the positions perturbed)', () => {
  const V = vocab.size;
  const a = Array.from({ length: V }, (_, i) => Math.sin(i));
  class Alternating extends RowModel {
    row(prefix: number[]) {
      return prefix.length % 2 === 0 ? a : a.map((x, i) => (i === 5 ? x + 3 : x));
    }
  }
  const r = klDivergence(new FixedModel(vocab, a), new Alternating(vocab), TEXT, { nCtx: 64 });
  const p = logSoftmax(a.map(Math.fround));
  const q = logSoftmax(a.map((x, i) => Math.fround(i === 5 ? x + 3 : x)));
  const kl = p.reduce((s, lp, i) => s + Math.exp(lp) * (lp - q[i]!), 0);
  assert.ok(Math.abs(r.kld.min) < 1e-12);
  assert.ok(Math.abs(r.kld.max - kl) < 1e-9);
  assert.ok(Math.abs(r.kld.value - kl / 2) < kl * 0.05, `mean ${r.kld.value} ≈ ${kl / 2}`);
});

test('KL-divergence refuses models with different vocabularies', () => {
  const other = new HashModel(new CharVocab('abc'));
  assert.throws(
    () => klDivergence(new HashModel(vocab), other, TEXT, { nCtx: 64 }),
    /inconsistent vocabulary/,
  );
});

test('statistics helpers follow llama.cpp', () => {
  const s = [1, 2, 3, 4, 5];
  assert.equal(percentileSorted(s, 0.5), 3);
  assert.equal(percentileSorted(s, 0.9), 4.6);
  assert.equal(percentileSorted(s, 1), 5);
  assert.equal(medianSorted([1, 2, 3, 4]), 2.5);
  const m = meanAndUncertainty(10, 30, 5);
  assert.deepEqual(m, { value: 2, uncertainty: 0 }); // count ≤ 10 → no uncertainty
  const xs = Array.from({ length: 20 }, (_, i) => i);
  const e = meanAndUncertainty(
    xs.reduce((a, b) => a + b),
    xs.reduce((a, b) => a + b * b),
    20,
  );
  assert.ok(
    Math.abs(e.uncertainty - Math.sqrt((xs.reduce((a, b) => a + b * b) / 20 - 9.5 ** 2) / 19)) < 1e-12,
  );
});
