// llama.cpp's own tokenizer test vectors for Phi-3, Llama 2 (SentencePiece) and bge (WordPiece).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FixtureName, fixtureTokenizer, readVectors } from './helpers.js';

for (const name of ['phi-3', 'llama-spm', 'bert-bge'] as FixtureName[]) {
  test(`${name}: every llama.cpp test vector tokenizes to the expected ids`, () => {
    const tok = fixtureTokenizer(name);
    const vectors = readVectors(name);
    assert.ok(vectors.length >= 40, `only ${vectors.length} vectors`);
    for (const { text, ids } of vectors) {
      assert.deepEqual(tok.tokenize(text), ids, `input ${JSON.stringify(text)}`);
    }
  });
}

for (const name of ['phi-3', 'llama-spm'] as FixtureName[]) {
  test(`${name}: detokenize(tokenize(s)) gives back s for every test vector`, () => {
    const tok = fixtureTokenizer(name);
    for (const { text, ids } of readVectors(name)) {
      assert.equal(tok.detokenize(ids), text, `ids ${ids.join(' ')}`);
    }
  });
}

test('SentencePiece: BOS/EOS follow add_special and the vocabulary flags', () => {
  const tok = fixtureTokenizer('phi-3');
  assert.deepEqual(tok.tokenize('', { addSpecial: true }), [1]);
  assert.deepEqual(tok.tokenize(''), []);
  const plain = tok.tokenize('Hello world');
  assert.deepEqual(tok.tokenize('Hello world', { addBos: true }), [1, ...plain]);
  // llama.cpp strips the prefix space only from a first token that is not a removed BOS.
  assert.equal(tok.detokenize(plain), 'Hello world');
  assert.equal(tok.detokenize([1, ...plain], { removeSpecial: true }), ' Hello world');
  // Without removeSpecial the BOS (control) renders as nothing and uses up the space stripping.
  assert.equal(tok.detokenize([1, ...plain]), ' Hello world');
  assert.equal(tok.detokenize([1, ...plain], { special: true }), '<s> Hello world');
});

test('WordPiece: add_special wraps in [CLS] … [SEP]; unknown words become [UNK]', () => {
  const tok = fixtureTokenizer('bert-bge');
  const ids = tok.tokenize('Hello world', { addSpecial: true });
  assert.equal(ids[0], 101);
  assert.equal(ids.at(-1), 102);
  assert.deepEqual(ids.slice(1, -1), tok.tokenize('Hello world'));
  assert.deepEqual(tok.tokenize('\u{1F999}'), [100]);
  assert.equal(tok.detokenize(tok.tokenize("Hello, World! It's café.")), " hello, world! it's cafe.");
});

test('tokenizing 100 KB takes well under a second', () => {
  for (const name of ['phi-3', 'bert-bge'] as FixtureName[]) {
    const tok = fixtureTokenizer(name);
    const base = readVectors(name)
      .map((v) => v.text)
      .join('\n');
    const text = base.repeat(Math.ceil(100_000 / base.length)).slice(0, 100_000);
    for (const s of [text, 'a'.repeat(100_000), '中'.repeat(50_000), ' '.repeat(100_000)]) {
      // CPU time rather than wall time: other test files share the two cores.
      const t0 = process.cpuUsage();
      const ids = tok.tokenize(s, { parseSpecial: true });
      const dt = process.cpuUsage(t0);
      const ms = (dt.user + dt.system) / 1000;
      assert.ok(ms < 800, `${name}: ${ms.toFixed(0)} ms for ${s.length} chars (${ids.length} tokens)`);
    }
  }
});
