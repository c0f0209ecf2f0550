// Gopher quality and repetition filters at and around each default threshold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gopherQuality } from '../../src/data/filters/gopher-quality.js';
import { gopherRepetition } from '../../src/data/filters/gopher-repetition.js';
import { hashWords, splitWords } from '../../src/data/text.js';
import { gibberish, reason, run, sentences } from './helpers.js';

const gq = gopherQuality();
/** n words alternating "the"/"apple": mean length 4, plenty of stop words. */
const words = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 ? 'apple' : 'the')).join(' ');

test('gopher_quality: min 50 words', () => {
  assert.equal(reason(run(gq, words(50))), true);
  assert.equal(reason(run(gq, words(49))), 'gopher_short_doc');
});

test('gopher_quality: max 100k words', () => {
  assert.equal(reason(run(gq, words(100_000))), true);
  assert.equal(reason(run(gq, words(100_001))), 'gopher_long_doc');
  const small = gopherQuality({ max_doc_words: 60 });
  assert.equal(reason(run(small, words(60))), true);
  assert.equal(reason(run(small, words(61))), 'gopher_long_doc');
});

test('gopher_quality: mean word length in [3, 10]', () => {
  const three: string[] = Array.from({ length: 50 }, (_, i) => (i % 2 ? 'and' : 'the'));
  assert.equal(reason(run(gq, three.join(' '))), true); // mean exactly 3
  three[1] = 'an';
  assert.equal(reason(run(gq, three.join(' '))), 'gopher_below_avg_threshold');
  const long = ['with', 'with', ...Array(36).fill('abcdefghij'), ...Array(12).fill('abcdefghijk')];
  assert.equal(reason(run(gq, long.join(' '))), true); // (8 + 360 + 132) / 50 = 10
  long[2] = 'abcdefghijk';
  assert.equal(reason(run(gq, long.join(' '))), 'gopher_above_avg_threshold');
});

test('gopher_quality: symbol/word ratio 0.1 for # and ellipsis', () => {
  const w = words(50).split(' ');
  const hashed = (k: number) => w.map((x, i) => (i < k ? `#${x}` : x)).join(' ');
  assert.equal(reason(run(gq, hashed(5))), true); // 5/50 = 0.1
  assert.equal(reason(run(gq, hashed(6))), 'gopher_too_many_hashes');
  const ell = (k: number) => w.map((x, i) => (i < k ? `${x}...` : x)).join(' ');
  assert.equal(reason(run(gq, ell(5))), true);
  assert.equal(reason(run(gq, ell(6))), 'gopher_too_many_ellipsis');
});

test('gopher_quality: bullet lines ≤ 0.9, ellipsis lines ≤ 0.3', () => {
  const line = 'the apple and the pear';
  const bullets = (k: number) =>
    Array.from({ length: 10 }, (_, i) => (i < k ? `- ${line}` : line)).join('\n');
  assert.equal(reason(run(gq, bullets(9))), true);
  assert.equal(reason(run(gq, bullets(10))), 'gopher_too_many_bullets');
  const ell = (k: number) => Array.from({ length: 10 }, (_, i) => (i < k ? `${line} …` : line)).join('\n');
  assert.equal(reason(run(gq, ell(3))), true);
  assert.equal(reason(run(gq, ell(4))), 'gopher_too_many_end_ellipsis');
});

test('gopher_quality: ≥ 80% of words contain a letter', () => {
  const w = words(50).split(' ');
  const nums = (k: number) => w.map((x, i) => (i >= 50 - k ? '123' : x)).join(' ');
  assert.equal(reason(run(gq, nums(10))), true); // 40/50 = 0.8
  assert.equal(reason(run(gq, nums(11))), 'gopher_below_alpha_threshold');
});

test('gopher_quality: at least 2 stop words', () => {
  const w = Array(50).fill('apple');
  w[3] = 'the';
  assert.equal(reason(run(gq, w.join(' '))), 'gopher_enough_stop_words');
  w[9] = 'with';
  assert.equal(reason(run(gq, w.join(' '))), true);
});

const gr = gopherRepetition();

test('gopher_repetition: duplicate line fraction 0.3', () => {
  const uniq = sentences(10);
  const make = (dups: number) => [...Array(dups + 1).fill('ok.'), ...uniq.slice(0, 9 - dups)].join('\n');
  assert.equal(reason(run(gr, make(3))), true); // 3 of 10 lines are repeats
  assert.equal(reason(run(gr, make(4))), 'dup_line_frac');
});

test('gopher_repetition: duplicate paragraph fraction 0.3', () => {
  const uniq = sentences(10, 11);
  const make = (dups: number) => [...Array(dups + 1).fill('ok.'), ...uniq.slice(0, 9 - dups)].join('\n\n');
  assert.equal(reason(run(gr, make(3))), true);
  assert.equal(reason(run(gr, make(4))), 'dup_para_frac');
});

test('gopher_repetition: duplicate line chars fraction 0.2 (exact boundary)', () => {
  const s = sentences(12, 3);
  const text = [s[0], ...s.slice(1, 10), s[0]].join('\n');
  const ratio = (s[0] as string).length / text.length;
  const at = gopherRepetition({ dup_line_char_frac: ratio, dup_para_char_frac: null, dup_line_frac: null });
  assert.equal(reason(run(at, text)), true);
  const below = gopherRepetition({
    dup_line_char_frac: ratio - 1e-9,
    dup_para_char_frac: null,
    dup_line_frac: null,
  });
  assert.equal(reason(run(below, text)), 'dup_line_char_frac');
  // with defaults: one repeated long line among many is fine, the same line making up > 20% is not
  assert.equal(reason(run(gr, text)), true);
  const heavy = [s[0], s[1], s[2], s[0]].join('\n');
  assert.ok((s[0] as string).length / heavy.length > 0.2);
  assert.equal(reason(run(gopherRepetition({ dup_line_frac: null }), heavy)), 'dup_line_char_frac');
});

test('gopher_repetition: top 2-gram char fraction 0.20 (exact boundary and default)', () => {
  const filler = sentences(6, 5).join(' ');
  const text = `${Array(20).fill('zebra crossing').join(' and ')} ${filler}`;
  const ratio = (20 * 'zebra crossing'.length) / text.length;
  const opts = (thr: number) => ({ top_n_grams: [[2, thr]] as [number, number][], dup_n_grams: [] });
  assert.equal(reason(run(gopherRepetition(opts(ratio)), text)), true);
  assert.equal(reason(run(gopherRepetition(opts(ratio - 1e-9)), text)), 'top_2_gram');
  assert.ok(ratio > 0.2 && ratio < 0.5);
  assert.equal(reason(run(gopherRepetition({ dup_n_grams: [] }), text)), 'top_2_gram');
});

test('gopher_repetition: top 3- and 4-gram defaults 0.18 / 0.16', () => {
  const filler = sentences(8, 9).join(' ');
  const three = `${Array(14).fill('red green blue').join(' x ')} ${filler}`;
  const r3 = (14 * 'red green blue'.length) / three.length;
  assert.ok(r3 > 0.18, `r3=${r3}`);
  assert.equal(
    reason(run(gopherRepetition({ top_n_grams: [[3, 0.18]], dup_n_grams: [] }), three)),
    'top_3_gram',
  );
  assert.equal(reason(run(gopherRepetition({ top_n_grams: [[3, r3]], dup_n_grams: [] }), three)), true);
  const four = `${Array(10).fill('one two three four').join(' x ')} ${filler}`;
  const r4 = (10 * 'one two three four'.length) / four.length;
  assert.equal(reason(run(gopherRepetition({ top_n_grams: [[4, r4]], dup_n_grams: [] }), four)), true);
  assert.equal(
    reason(run(gopherRepetition({ top_n_grams: [[4, r4 - 1e-9]], dup_n_grams: [] }), four)),
    'top_4_gram',
  );
});

test('gopher_repetition: duplicated n-gram char fractions n = 5..10', () => {
  const filler = sentences(30, 13);
  const phrase = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima';
  const text = [gibberish(150, 1), phrase, gibberish(150, 2), phrase, gibberish(150, 3)].join(' ');
  const words = splitWords(text);
  // expected (datatrove find_all_duplicate): the repeated 12-word phrase contributes floor(12/n)*n words, joined without spaces
  const wh = hashWords(words);
  assert.equal(wh.len.length, words.length);
  for (const n of [5, 6, 7, 8, 9, 10]) {
    const pw = phrase.split(' ');
    const k = Math.floor(pw.length / n) * n;
    const chars = pw.slice(0, k).join('').length;
    const ratio = chars / text.length;
    const only = (thr: number) => gopherRepetition({ top_n_grams: [], dup_n_grams: [[n, thr]] });
    assert.equal(reason(run(only(ratio), text)), true, `n=${n} at ratio`);
    assert.equal(reason(run(only(ratio - 1e-9), text)), `duplicated_${n}_n_grams`, `n=${n} below ratio`);
  }
  // defaults: a page that repeats a long passage trips duplicated_5_n_grams (0.15)
  const passage = filler.slice(0, 6).join(' ');
  const rep = `${passage} ${filler.slice(6, 9).join(' ')} ${passage}`;
  assert.equal(
    reason(run(gopherRepetition({ dup_line_frac: null, top_n_grams: [] }), rep)),
    'duplicated_5_n_grams',
  );
  assert.equal(reason(run(gr, filler.join(' '))), true);
});
