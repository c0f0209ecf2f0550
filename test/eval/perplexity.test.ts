import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPerplexity, perplexity, perplexityOfTokens } from '../../src/eval/perplexity.js';
import { planWindows } from '../../src/eval/windows.js';
import { ALPHABET, BigramModel, CharVocab, HashModel, logSoftmax } from './fake-models.js';

const vocab = new CharVocab(ALPHABET);
const TEXT =
  'The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs. '.repeat(6) +
  'How vexingly quick daft zebras jump! Sphinx of black quartz, judge my vow. '.repeat(5);

/** An independent, deliberately plain computation of llama.cpp's perplexity. */
function reference(model: HashModel | BigramModel, text: string, nCtx: number) {
  const tokens = model.tokenize(text);
  const nChunks = Math.floor(tokens.length / nCtx);
  const first = Math.floor(nCtx / 2);
  const nlls: number[] = [];
  for (let c = 0; c < nChunks; c++) {
    const input = tokens.slice(c * nCtx, (c + 1) * nCtx);
    if (model.addBos) input[0] = 0;
    for (let j = first; j <= nCtx - 2; j++) {
      const row = Array.from(model.row(input.slice(0, j + 1)), (x) => Math.fround(x));
      nlls.push(-logSoftmax(row)[tokens[c * nCtx + j + 1]!]!);
    }
  }
  const mean = nlls.reduce((a, b) => a + b, 0) / nlls.length;
  const mean2 = nlls.reduce((a, b) => a + b * b, 0) / nlls.length;
  const ppl = Math.exp(mean);
  return {
    ppl,
    unc: ppl * Math.sqrt((mean2 - mean * mean) / (nlls.length - 1)),
    count: nlls.length,
    nChunks,
  };
}

function close(a: number, b: number, rel: number, what: string) {
  assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what}: ${a} vs ${b}`);
}

test('perplexity matches an independent computation (prefix-dependent model)', () => {
  const model = new HashModel(vocab);
  for (const nCtx of [32, 33, 64]) {
    const r = perplexity(model, TEXT, { nCtx });
    const ref = reference(model, TEXT, nCtx);
    assert.equal(r.count, ref.count);
    assert.equal(r.nChunks, ref.nChunks);
    close(r.ppl, ref.ppl, 1e-6, `ppl n_ctx=${nCtx}`);
    close(r.pplUncertainty, ref.unc, 1e-5, `uncertainty n_ctx=${nCtx}`);
    assert.equal(r.chunkPpl.length, r.nChunks);
    close(r.chunkPpl.at(-1)!, r.ppl, 1e-12, 'last running ppl');
  }
});

test('perplexity of a bigram model equals exp of its mean held-out cross-entropy', () => {
  const model = new BigramModel(vocab, TEXT, 0.1);
  const r = perplexity(model, TEXT, { nCtx: 40 });
  const ref = reference(model, TEXT, 40);
  close(r.ppl, ref.ppl, 1e-6, 'ppl');
  assert.ok(r.ppl > 1 && r.ppl < vocab.size, `ppl ${r.ppl} should beat uniform (${vocab.size})`);
  assert.match(formatPerplexity(r), /^\[1\]\d+\.\d{4},\[2\]/);
  assert.match(formatPerplexity(r), /Final estimate: PPL = \d+\.\d{4} \+\/- \d+\.\d{5}/);
});

test('windows are non-overlapping n_ctx chunks with BOS in front, only the second half scored', () => {
  const model = new HashModel(vocab);
  const tokens = model.tokenize(TEXT);
  assert.equal(tokens[0], 0, 'text tokenized with BOS');
  const nCtx = 50;
  const progress: number[] = [];
  const r = perplexity(model, TEXT, { nCtx, onProgress: (p) => progress.push(p.chunk) });
  const nChunks = Math.floor(tokens.length / nCtx);
  assert.equal(model.calls.length, nChunks);
  model.calls.forEach((input, c) => {
    assert.equal(input.length, nCtx);
    assert.equal(input[0], 0, `window ${c} starts with BOS`);
    assert.deepEqual(input.slice(1), tokens.slice(c * nCtx + 1, (c + 1) * nCtx), `window ${c} tokens`);
  });
  assert.deepEqual(
    progress,
    Array.from({ length: nChunks }, (_, i) => i + 1),
  );
  assert.equal(r.count, nChunks * (nCtx - 1 - nCtx / 2));
  // changing a token of the first half of a window changes nothing scored… except through context:
  // changing the first token of a window changes nothing at all, because it is replaced by BOS.
  const t2 = [...tokens];
  t2[nCtx] = t2[nCtx] === 5 ? 6 : 5;
  assert.equal(perplexityOfTokens(model, t2, { nCtx }).ppl, r.ppl);
  // the last, partial window is never read
  const t3 = [...tokens];
  t3[nChunks * nCtx] = t3[nChunks * nCtx] === 5 ? 6 : 5;
  if (t3.length > nChunks * nCtx) assert.equal(perplexityOfTokens(model, t3, { nCtx }).ppl, r.ppl);
});

test('the text is tokenized once, with BOS and without parsing special tokens (llama.cpp add_special, no parse_special)', () => {
  const model = new HashModel(vocab);
  const seen: unknown[] = [];
  const orig = model.tokenize.bind(model);
  model.tokenize = (text, opts) => {
    seen.push(opts);
    return orig(text, opts);
  };
  perplexity(model, TEXT, { nCtx: 64 });
  assert.deepEqual(seen, [{ addBos: true, parseSpecial: false }]);
});

test('a model without BOS keeps each window as it is', () => {
  const model = new HashModel(vocab, false);
  const nCtx = 40;
  const tokens = model.tokenize(TEXT);
  assert.notEqual(tokens[0], 0);
  const r = perplexity(model, TEXT, { nCtx });
  model.calls.forEach((input, c) => {
    assert.deepEqual(input, tokens.slice(c * nCtx, (c + 1) * nCtx));
  });
  close(r.ppl, reference(model, TEXT, nCtx).ppl, 1e-6, 'ppl without BOS');
});

test('n_batch does not change the numbers; --chunks limits the windows', () => {
  const model = new HashModel(vocab);
  const a = perplexity(model, TEXT, { nCtx: 32, nBatch: 16 });
  const b = perplexity(model, TEXT, { nCtx: 32, nBatch: 4096 });
  assert.equal(a.ppl, b.ppl);
  assert.equal(a.nSeq, 1);
  assert.equal(b.nSeq, 128);
  const c = perplexity(model, TEXT, { nCtx: 32, nChunks: 3 });
  assert.equal(c.nChunks, 3);
  assert.equal(c.chunkPpl[2], a.chunkPpl[2]);
});

test('text too short for llama.cpp (2·n_ctx tokens) is an error saying needed and got', () => {
  const model = new HashModel(vocab);
  const text = 'x'.repeat(99); // 100 tokens with BOS
  assert.throws(
    () => perplexity(model, text, { nCtx: 64 }),
    /need at least 128 tokens.*context of 64.*only 100 tokens/,
  );
  assert.throws(
    () => perplexity(model, text, { nCtx: 128, llamaCppMinimum: false }),
    /need at least 128 tokens.*only 100/,
  );
  const r = perplexity(model, text, { nCtx: 64, llamaCppMinimum: false });
  assert.equal(r.nChunks, 1);
  assert.throws(() => planWindows(10, { nCtx: 0 }), /n_ctx must be an integer/);
});

test('a wrongly shaped logits array is reported', () => {
  const model = new HashModel(vocab);
  model.logitsAll = () => new Float32Array(3);
  assert.throws(() => perplexity(model, TEXT, { nCtx: 32 }), /returned 3 values, expected 32×/);
});

test('an aborted signal stops between windows', () => {
  const model = new HashModel(vocab);
  const ac = new AbortController();
  assert.throws(
    () =>
      perplexity(model, TEXT, {
        nCtx: 32,
        signal: ac.signal,
        onProgress: (p) => p.chunk === 2 && ac.abort(),
      }),
    /abort/i,
  );
  assert.equal(model.calls.length, 2);
});
