import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { klDivergence } from '../../src/eval/kld.js';
import { decodeLogProbRow, encodeLogProbRow, kldBaseRowSlots } from '../../src/eval/kld-base.js';
import { klDivergenceFromBase, saveKldBase } from '../../src/eval/kld-base-node.js';
import { perplexity } from '../../src/eval/perplexity.js';
import { ALPHABET, CharVocab, FixedModel, HashModel, logSoftmax } from './fake-models.js';

const vocab = new CharVocab(ALPHABET);
const TEXT = 'Sphinx of black quartz, judge my vow. The five boxing wizards jump quickly. '.repeat(12);
const dir = mkdtempSync(join(tmpdir(), 'kld-base-'));

class Perturbed extends HashModel {
  override row(prefix: number[]) {
    const r = Float64Array.from(super.row(prefix));
    for (let v = 0; v < r.length; v++) r[v] = r[v]! + 0.3 * Math.cos(1.7 * v + prefix.length);
    return r;
  }
}

test('a row survives the 16-bit encoding within half a step; layout has scale and min log-prob first', () => {
  const V = vocab.size;
  const logits = Float32Array.from({ length: V }, (_, i) => 3 * Math.sin(i * 0.9) + (i === 7 ? 30 : 0));
  const slots = new Uint16Array(kldBaseRowSlots(V));
  assert.equal(slots.length % 2, 0);
  const nll = encodeLogProbRow(logits, 0, V, 5, slots);
  const exact = logSoftmax(logits);
  assert.ok(Math.abs(nll + exact[5]!) < 1e-4, `nll ${nll} vs ${-exact[5]!}`);
  const row = decodeLogProbRow(slots, V);
  const scale = new Float32Array(slots.buffer, 0, 1)[0]!;
  assert.ok(Math.abs(scale - 16 / 65535) < 1e-9, 'range clipped to [max−16, max]');
  assert.equal(row.argmax, 7);
  assert.equal(row.klCutoff, -16);
  for (let i = 0; i < V; i++) {
    // entries below max−16 are stored as 0 = the floor of the range
    const want = Math.max(exact[i]!, exact[7]! - 16);
    assert.ok(Math.abs(row.logp[i]! - want) <= scale / 2 + 1e-5, `token ${i}: ${row.logp[i]} vs ${want}`);
  }
});

test('base file round trip: same windows and tokens, KLD close to the exact in-memory computation', () => {
  const path = join(dir, 'base.kld');
  const progress: number[] = [];
  const s = saveKldBase(new HashModel(vocab), TEXT, path, {
    nCtx: 64,
    onProgress: (p) => progress.push(p.chunk),
  });
  const nTokens = new HashModel(vocab).tokenize(TEXT).length;
  const nChunks = Math.floor(nTokens / 64);
  assert.equal(s.nChunks, nChunks);
  assert.deepEqual(
    progress,
    Array.from({ length: nChunks }, (_, i) => i + 1),
  );
  const bytes = readFileSync(path);
  assert.equal(bytes.subarray(0, 8).toString('latin1'), '_logits_');
  assert.equal(bytes.readInt32LE(8), 64);
  assert.equal(bytes.readInt32LE(12), vocab.size);
  assert.equal(bytes.readInt32LE(16), nChunks);
  assert.equal(bytes.readInt32LE(20), 0, 'tokens start with BOS');
  assert.equal(bytes.length, 20 + nChunks * 64 * 4 + nChunks * 31 * kldBaseRowSlots(vocab.size) * 2);
  const ppl = perplexity(new HashModel(vocab), TEXT, { nCtx: 64 }).ppl;
  assert.ok(Math.abs(s.ppl - ppl) < 1e-3 * ppl);

  const exact = klDivergence(new HashModel(vocab), new Perturbed(vocab), TEXT, { nCtx: 64 });
  const quant = new Perturbed(vocab);
  const fromFile = klDivergenceFromBase(quant, path);
  assert.equal(quant.calls.length, nChunks);
  assert.equal(quant.calls[1]![0], 0, 'quantized windows start with BOS');
  assert.equal(fromFile.count, exact.count);
  assert.ok(exact.kld.value > 0.01);
  assert.ok(
    Math.abs(fromFile.kld.value - exact.kld.value) < 1e-3 * exact.kld.value,
    `${fromFile.kld.value} vs ${exact.kld.value}`,
  );
  assert.ok(Math.abs(fromFile.pplBase.value - exact.pplBase.value) < 1e-3 * exact.pplBase.value);
  assert.ok(Math.abs(fromFile.pplQuant.value - exact.pplQuant.value) < 1e-9 * exact.pplQuant.value);
  assert.ok(Math.abs(fromFile.sameTop.value - exact.sameTop.value) < 0.02);
  assert.equal(klDivergenceFromBase(new Perturbed(vocab), path, { nChunks: 2 }).nChunks, 2);
  const self = klDivergenceFromBase(new HashModel(vocab), path);
  assert.ok(Math.abs(self.kld.value) < 1e-6, `self KLD ${self.kld.value}`);
});

test('bad base files are reported with the reason', () => {
  const path = join(dir, 'b.kld');
  saveKldBase(new HashModel(vocab), TEXT, path, { nCtx: 64 });
  const good = readFileSync(path);
  const cut = join(dir, 'cut.kld');
  writeFileSync(cut, good.subarray(0, good.length - 10));
  assert.throws(
    () => klDivergenceFromBase(new HashModel(vocab), cut),
    /cut\.kld: size \d+ bytes, expected \d+ for n_ctx=64/,
  );
  const magic = join(dir, 'magic.kld');
  writeFileSync(magic, Buffer.concat([Buffer.from('_LOGITS_'), good.subarray(8)]));
  assert.throws(
    () => klDivergenceFromBase(new HashModel(vocab), magic),
    /does not look like a KL-divergence base file/,
  );
  const other = new FixedModel(new CharVocab('abc'), [0, 0, 0, 0]);
  assert.throws(
    () => klDivergenceFromBase(other, path),
    /inconsistent vocabulary: base file has n_vocab \d+, quantized model 4/,
  );
  assert.throws(() => klDivergenceFromBase(other, join(dir, 'missing.kld')), /ENOENT/);
});
