// The optimised filters and MinHash tokenisation give exactly the results of the plain string/regex
// definitions (test/data/reference-filters.ts) on adversarial random documents and on the synthetic web corpus.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MINHASH_DEFAULTS, minHasher, shingleHashes, signature } from '../../src/data/dedup/minhash.js';
import type { Document, FilterResult } from '../../src/data/document.js';
import { c4, countSentences } from '../../src/data/filters/c4.js';
import { fineweb } from '../../src/data/filters/fineweb.js';
import { gopherQuality } from '../../src/data/filters/gopher-quality.js';
import { gopherRepetition } from '../../src/data/filters/gopher-repetition.js';
import { SpanSet } from '../../src/data/hash-table.js';
import { defaultLangId, identifyLanguage } from '../../src/data/langid/langid.js';
import { seededRandom, syntheticJsonl } from '../../src/data/synthetic-web.js';
import {
  duplicateLines,
  duplicateParagraphs,
  findDuplicates,
  fnv1a,
  splitWords,
} from '../../src/data/text.js';
import {
  refC4,
  refCountSentences,
  refFineweb,
  refGopherQuality,
  refGopherRepetition,
  refLangSums,
  refShingleWords,
  refWords,
} from './reference-filters.js';

const TOKENS = [
  'the',
  'of',
  'and',
  'to',
  'be',
  'that',
  'have',
  'with',
  'The',
  'a',
  'is',
  'it',
  'river',
  'cell',
  'energy',
  'photosynthesis',
  'x',
  'ab',
  'Q',
  '42',
  '3.14',
  'e-mail',
  "don't",
  '(hello)',
  'world.',
  'end!',
  'why?',
  '"quoted"',
  "'single'",
  '«mot»',
  '“smart”',
  '...',
  '…',
  '-',
  '—',
  '#',
  '##tag',
  '•',
  '*',
  '* item',
  '- item',
  '[1]',
  '[12]',
  '[edit]',
  '[Citation needed]',
  '{',
  '}',
  'x{y}',
  'JavaScript',
  'lorem',
  'ipsum',
  'Lorem Ipsum',
  'privacy',
  'policy',
  'Cookie',
  'über',
  'naïve',
  'ÉCOLE',
  'Σίσυφος',
  'ΟΔΟΣ',
  'İstanbul',
  'straße',
  '日本語の文章',
  '😀',
  'a😀',
  '😀b',
  '¿qué?',
  '¡hola!',
  '٣٤',
  'x\u0301',
  '\u00bd',
  '€5',
  '$',
  '%',
  '&amp;',
  '<br>',
  '__init__',
  'A.B.C.',
  '!!!',
  '?!',
  '.',
  ',',
  ';',
  '\ud800',
  'z\udc00',
  'Hello',
  'WORLD',
  'CamelCase',
  '`code`',
  '^',
  '~tilde~',
  '|',
  '@user',
  '\\path\\',
  '+1',
  '=',
  '_x_',
  '\u0007bell',
  'snake_case',
];
const SEPS = [
  ' ',
  ' ',
  ' ',
  ' ',
  '  ',
  '\t',
  '\n',
  '\n',
  '\n\n',
  '\r\n',
  '\u00a0',
  '\u3000',
  ' \n ',
  '\u2028',
  '\n\n\n',
  '\f',
];

/** A random document: tokens, separators and repeated lines/phrases in varying proportions. */
function randomDoc(r: () => number, i: number): string {
  const vocab = i % 3 === 0 ? TOKENS.slice(0, 12) : TOKENS; // small vocabularies repeat n-grams often
  const nTok = Math.floor(r() * (i % 5 === 0 ? 600 : 120));
  const parts: string[] = [];
  const memory: string[] = [];
  for (let k = 0; k < nTok; k++) {
    const x = r();
    if (x < 0.04 && memory.length > 0) parts.push(memory[Math.floor(r() * memory.length)] as string);
    else if (x < 0.06) {
      const phrase = Array.from(
        { length: 3 + Math.floor(r() * 10) },
        () => vocab[Math.floor(r() * vocab.length)],
      ).join(' ');
      memory.push(phrase);
      parts.push(phrase);
    } else parts.push(vocab[Math.floor(r() * vocab.length)] as string);
    parts.push(SEPS[Math.floor(r() * SEPS.length)] as string);
  }
  if (i % 97 === 0) parts.push('w'.repeat(1001), ' end.');
  return parts.join('');
}

function corpus(): string[] {
  const r = seededRandom(2024);
  const docs: string[] = [];
  for (let i = 0; i < 1500; i++) docs.push(randomDoc(r, i));
  // pages made of a few repeated paragraphs / lines
  for (let i = 0; i < 150; i++) {
    const pool = Array.from({ length: 2 + (i % 4) }, (_, k) =>
      randomDoc(r, 3 * k + 1)
        .replace(/\n+/g, ' ')
        .trim(),
    );
    const sep = i % 2 === 0 ? '\n\n' : '\n';
    docs.push(Array.from({ length: 3 + (i % 7) }, () => pool[Math.floor(r() * pool.length)]).join(sep));
  }
  for (const l of syntheticJsonl(3, 600e3)) docs.push((JSON.parse(l) as { text: string }).text);
  docs.push('', ' ', '\n', '\n\n', 'a', '...', '#', '• • •', 'the the the', 'x\r\ny\r\n', '😀😀');
  return docs;
}

const docs = corpus();
const verdict = (r: FilterResult) => (r === true ? true : r.reason);
const run = (f: { filter(d: Document): unknown }, text: string): { r: FilterResult; d: Document } => {
  const d: Document = { id: 'x', text, metadata: {} };
  return { r: f.filter(d) as FilterResult, d };
};

test('word splitting, sentence counting and duplicate lines/paragraphs match the regex definitions', () => {
  const set = new SpanSet();
  for (const t of docs) {
    const lines = t.split(/\n+/);
    assert.deepEqual(duplicateLines(t, set), { segments: lines.length, ...findDuplicates(lines) });
    const paras = t.trim().split(/\n{2,}/);
    assert.deepEqual(duplicateParagraphs(t, set), { segments: paras.length, ...findDuplicates(paras) });
    assert.deepEqual(splitWords(t), refWords(t), JSON.stringify(t.slice(0, 80)));
    for (const line of t.split('\n').slice(0, 20))
      assert.equal(countSentences(line), refCountSentences(line));
  }
});

test('gopher_quality and fineweb: same verdicts as the plain definitions (defaults and tight settings)', () => {
  const settings = [
    {},
    {
      min_doc_words: 5,
      min_avg_word_length: 2,
      max_symbol_word_ratio: 0.05,
      max_bullet_lines_ratio: 0.2,
      max_ellipsis_lines_ratio: 0.05,
      max_non_alpha_words_ratio: 0.9,
      min_stop_words: 4,
    },
    {
      min_doc_words: 1,
      max_doc_words: 60,
      max_avg_word_length: 5,
      min_stop_words: 1,
      stop_words: ['x', 'ab', 'the', '...'],
    },
  ];
  const webSettings = [
    {},
    {
      line_punct_thr: 0.5,
      short_line_thr: 0.3,
      short_line_length: 10,
      char_duplicates_ratio: 0.05,
      new_line_ratio: 0.05,
    },
    { line_punct_exclude_zero: true, char_duplicates_ratio: 0.3, new_line_ratio: 1 },
  ];
  const seen = new Map<string, number>();
  for (const s of settings) {
    const f = gopherQuality(s);
    for (const t of docs) {
      const v = verdict(run(f, t).r);
      assert.equal(v, verdict(refGopherQuality(t, s)), JSON.stringify({ s, t: t.slice(0, 200) }));
      seen.set(`gq:${v}`, (seen.get(`gq:${v}`) ?? 0) + 1);
    }
  }
  for (const s of webSettings) {
    const f = fineweb(s);
    for (const t of docs) {
      const v = verdict(run(f, t).r);
      assert.equal(v, verdict(refFineweb(t, s)), JSON.stringify({ s, t: t.slice(0, 200) }));
      seen.set(`fw:${v}`, (seen.get(`fw:${v}`) ?? 0) + 1);
    }
  }
  // the corpus exercises every rule (so the comparison above means something)
  for (const k of [
    'gq:true',
    'gq:gopher_short_doc',
    'gq:gopher_below_avg_threshold',
    'gq:gopher_above_avg_threshold',
    'gq:gopher_too_many_hashes',
    'gq:gopher_too_many_ellipsis',
    'gq:gopher_too_many_bullets',
    'gq:gopher_too_many_end_ellipsis',
    'gq:gopher_below_alpha_threshold',
    'gq:gopher_enough_stop_words',
    'fw:true',
    'fw:empty',
    'fw:line_punct_ratio',
    'fw:short_line_ratio',
    'fw:char_dup_ratio',
    'fw:list_ratio',
  ])
    assert.ok((seen.get(k) ?? 0) > 0, `no document gave ${k}: ${JSON.stringify([...seen])}`);
});

test('gopher_repetition: same verdicts as string n-grams (defaults and tight settings)', () => {
  const settings = [
    {},
    { dup_line_frac: null, dup_para_frac: null, dup_line_char_frac: null, dup_para_char_frac: null },
    {
      dup_line_frac: null,
      dup_para_frac: null,
      dup_line_char_frac: null,
      dup_para_char_frac: null,
      top_n_grams: [],
      dup_n_grams: [
        [5, 0.3],
        [6, 0.05],
        [8, 0.02],
        [10, 0.01],
      ] as [number, number][],
    },
    {
      dup_line_frac: 0.5,
      dup_para_frac: 0.5,
      dup_line_char_frac: 0.4,
      dup_para_char_frac: 0.4,
      top_n_grams: [
        [3, 0.05],
        [2, 0.1],
      ] as [number, number][],
      dup_n_grams: [
        [7, 0.2],
        [5, 0.04],
      ] as [number, number][],
    },
  ];
  const seen = new Map<string, number>();
  for (const s of settings) {
    const f = gopherRepetition(s);
    for (const t of docs) {
      const v = verdict(run(f, t).r);
      assert.equal(v, verdict(refGopherRepetition(t, s)), JSON.stringify({ s, t: t.slice(0, 200) }));
      const k = v === true ? 'true' : v.replace(/\d+/, 'N');
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
  }
  for (const k of [
    'true',
    'empty',
    'dup_para_frac',
    'dup_line_frac',
    'dup_line_char_frac',
    'top_N_gram',
    'duplicated_N_n_grams',
  ])
    assert.ok(seen.has(k), `no document gave ${k}: ${JSON.stringify([...seen])}`);
});

test('c4: same verdicts, rewritten text and removed-line counts as the regex definition', () => {
  const settings = [
    {},
    { min_num_sentences: 1, min_words_per_line: 1, max_word_length: 8 },
    { filter_no_terminal_punct: false, remove_citations: false, filter_curly_bracket: false },
    {
      policy_substrings: ['Privacy', 'a.b', 'naïve', 'x|y', 'world'],
      filter_lorem_ipsum: false,
      min_num_sentences: 1,
    },
    { policy_substrings: [], filter_javascript: false, filter_lorem_ipsum: false, min_num_sentences: 2 },
  ];
  const seen = new Set<string>();
  for (const s of settings) {
    const f = c4(s);
    for (const t of docs) {
      const { r, d } = run(f, t);
      const ref = refC4(t, s);
      const where = JSON.stringify({ s, t: t.slice(0, 200) });
      assert.equal(verdict(r), verdict(ref.r), where);
      if (r === true) {
        assert.equal(d.text, ref.text, where);
        assert.equal(d.metadata.c4_lines_removed, ref.removed > 0 ? ref.removed : undefined, where);
      }
      seen.add(String(verdict(r)));
    }
  }
  for (const k of ['true', 'lorem_ipsum', 'curly_bracket', 'too_few_sentences'])
    assert.ok(seen.has(k), `no ${k}`);
});

test('language scores and MinHash shingles match the plain definitions', () => {
  const model = defaultLangId();
  for (const t of docs) {
    for (const maxChars of [500, 60]) {
      const { sums, n } = refLangSums(t, model, maxChars);
      const got = identifyLanguage(t, model, { maxChars });
      if (n === 0) {
        assert.equal(got.lang, 'unknown');
        continue;
      }
      // same softmax over the same per-language sums (summation order may differ: compare tightly)
      const e = sums.map((x) => Math.exp((x / n) * 16 - Math.max(...sums.map((y) => (y / n) * 16))));
      const z = e.reduce((a, b) => a + b, 0);
      const best = e.indexOf(Math.max(...e));
      assert.equal(got.lang, model.langs[best]);
      assert.ok(
        Math.abs(got.score - (e[best] as number) / z) < 1e-12,
        `${got.score} vs ${(e[best] as number) / z}`,
      );
    }
    // shingles: FNV-1a of each lowercased letter/digit word, combined per 5-gram
    const w = refShingleWords(t);
    const wh = w.map((x) => fnv1a(x));
    const count = Math.max(1, w.length - 4);
    const expect = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      let h = 0x2545f491 ^ 5;
      for (let j = i; j < Math.min(w.length, i + 5); j++)
        h = Math.imul(h ^ (wh[j] as number), 0x01000193) + 0x7f4a7c15;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      expect[i] = h >>> 0;
    }
    assert.deepEqual(shingleHashes(t, 5), expect, JSON.stringify(t.slice(0, 100)));
  }
  // signatures: min over shingles of h_i(x) = xorshift15((x ^ b_i) · a_i), compared as int32 (7 × 3 = 21
  // functions also exercises the remainder after groups of four)
  for (const opts of [MINHASH_DEFAULTS, { ngram: 3, bands: 7, rows: 3, seed: 9 }]) {
    const h = minHasher(opts);
    for (const t of docs.slice(0, 400)) {
      const sh = new Int32Array(shingleHashes(t, opts.ngram).buffer);
      const expect = new Uint32Array(h.a.length);
      for (let i = 0; i < h.a.length; i++) {
        let m = 0x7fffffff;
        for (const x of sh) {
          let v = Math.imul(x ^ (h.b[i] as number), h.a[i] as number);
          v ^= v >>> 15;
          m = Math.min(m, v);
        }
        expect[i] = m >>> 0;
      }
      assert.deepEqual(signature(h, t), expect);
    }
  }
});
