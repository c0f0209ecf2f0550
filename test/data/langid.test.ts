// Language identifier: held-out accuracy on built-in samples and sanity of its confidence scores.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identifyLanguage, trainLangId } from '../../src/data/langid/langid.js';
import { HELDOUT_TEXT, TRAIN_TEXT } from '../../src/data/langid/samples.js';

test('covers the 11 required languages', () => {
  assert.deepEqual(Object.keys(TRAIN_TEXT).sort(), [
    'ar',
    'de',
    'en',
    'es',
    'fr',
    'it',
    'ja',
    'nl',
    'pt',
    'ru',
    'zh',
  ]);
});

test('held-out sentence accuracy ≥ 95% (55 sentences, 5 per language)', () => {
  let ok = 0;
  let n = 0;
  const misses: string[] = [];
  for (const [lang, xs] of Object.entries(HELDOUT_TEXT)) {
    for (const x of xs) {
      n++;
      const r = identifyLanguage(x);
      if (r.lang === lang) ok++;
      else misses.push(`${lang}→${r.lang}: ${x.slice(0, 30)}`);
    }
  }
  assert.equal(n, 55);
  assert.ok(ok / n >= 0.95, `accuracy ${ok}/${n}; misses: ${misses.join(' | ')}`);
});

test('held-out paragraphs (5 sentences joined) are all correct with score ≥ 0.8', () => {
  for (const [lang, xs] of Object.entries(HELDOUT_TEXT)) {
    const r = identifyLanguage(xs.join(' '));
    assert.equal(r.lang, lang);
    assert.ok(r.score >= 0.8, `${lang}: ${r.score}`);
  }
});

test('scores sum to 1; empty text is unknown', () => {
  const r = identifyLanguage('Hello there, how are you today?');
  const sum = Object.values(r.scores).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-9);
  assert.equal(identifyLanguage('1234 !!! ---').lang, 'unknown');
});

test('a model trained on two languages separates them', () => {
  const m = trainLangId({ en: TRAIN_TEXT.en as string, de: TRAIN_TEXT.de as string });
  assert.equal(identifyLanguage('The weather is nice and warm today.', m).lang, 'en');
  assert.equal(identifyLanguage('Das Wetter ist heute schön und warm.', m).lang, 'de');
});
