// C4, FineWeb, URL, language and threshold filters at and around their thresholds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { c4 } from '../../src/data/filters/c4.js';
import { fineweb } from '../../src/data/filters/fineweb.js';
import { language } from '../../src/data/filters/language.js';
import { threshold } from '../../src/data/filters/threshold.js';
import { urlFilter } from '../../src/data/filters/url.js';
import { identifyLanguage } from '../../src/data/langid/langid.js';
import { doc, reason, run, sentences } from './helpers.js';

const s5 = sentences(5, 21);

test('c4: needs 5 sentences', () => {
  assert.equal(reason(run(c4(), s5.join('\n'))), true);
  assert.equal(reason(run(c4(), s5.slice(0, 4).join('\n'))), 'too_few_sentences');
  assert.equal(reason(run(c4(), s5.slice(0, 4).join(' '))), 'too_few_sentences');
  assert.equal(reason(run(c4(), `${s5.slice(0, 4).join(' ')} One more here.`)), true); // counts sentences, not lines
});

test('c4: line rules remove lines (terminal punctuation, 3 words, javascript, policy, citations, ellipsis)', () => {
  const d = doc(
    [
      ...s5,
      'Menu without punctuation here',
      'Two words.',
      'Three words here.',
      'Please enable JavaScript to view this page.',
      'Read our privacy policy for details.',
      'This site uses cookies to work well.',
      'A fact from an encyclopedia[1] with a note[edit].',
      'And then it trailed off...',
    ].join('\n'),
  );
  assert.equal(c4().filter(d), true);
  const lines = d.text.split('\n');
  assert.deepEqual(lines.slice(5), ['Three words here.', 'A fact from an encyclopedia with a note.']);
  assert.equal(d.metadata.c4_lines_removed, 6);
});

test('c4: lorem ipsum and curly brackets drop the document', () => {
  assert.equal(reason(run(c4(), [...s5, 'Lorem ipsum dolor sit amet.'].join('\n'))), 'lorem_ipsum');
  assert.equal(
    reason(run(c4(), [...s5, 'The code is function f() { return 1; }.'].join('\n'))),
    'curly_bracket',
  );
  // a brace on a line that is removed anyway (no punctuation) does not drop the doc, as in C4
  assert.equal(reason(run(c4(), [...s5, 'if (x) {'].join('\n'))), true);
  assert.equal(
    reason(run(c4({ filter_curly_bracket: false }), [...s5, 'The code is f() { 1 }.'].join('\n'))),
    true,
  );
});

test('c4: min words per line is 3 (configurable)', () => {
  const d = doc([...s5, 'Go now.', 'Go now please.'].join('\n'));
  c4().filter(d);
  assert.ok(!d.text.includes('Go now.\n') && d.text.endsWith('Go now please.'));
  const e = doc([...s5, 'Go now please.'].join('\n'));
  c4({ min_words_per_line: 4 }).filter(e);
  assert.ok(!e.text.includes('Go now please.'));
});

const long = sentences(200, 31).filter((s) => s.length > 40);

test('fineweb: line punctuation ratio 0.12', () => {
  const noPunct = long.map((s) => s.slice(0, -1));
  const make = (k: number) => [...long.slice(0, k), ...noPunct.slice(k, 25)].join('\n');
  assert.equal(reason(run(fineweb(), make(3))), true); // 3/25 = 0.12
  assert.equal(reason(run(fineweb(), make(2))), 'line_punct_ratio');
  assert.equal(reason(run(fineweb({ line_punct_exclude_zero: true }), make(0))), true);
});

test('fineweb: short line ratio 0.67 with short = ≤ 30 chars', () => {
  const shorts = Array.from({ length: 100 }, (_, i) => `Item number ${i} is here.`);
  const make = (k: number) => [...shorts.slice(0, k), ...long.slice(0, 100 - k)].join('\n');
  assert.equal(reason(run(fineweb(), make(67))), true);
  assert.equal(reason(run(fineweb(), make(68))), 'short_line_ratio');
  const exactly30 = 'Abcdef ghijkl mnopq rstuv wxy.'; // 30 chars: short
  const chars31 = 'Abcdef ghijkl mnopq rstuv wxyz.'; // 31 chars: not short
  assert.equal(exactly30.length, 30);
  const only = fineweb({ short_line_thr: 0.5, new_line_ratio: 1, char_duplicates_ratio: 1 });
  assert.equal(reason(run(only, [exactly30, exactly30.replace('A', 'B')].join('\n'))), 'short_line_ratio');
  assert.equal(reason(run(only, [chars31, chars31.replace('A', 'B')].join('\n'))), true);
});

test('fineweb: duplicated line chars ratio 0.01', () => {
  const lines = long.slice(0, 60);
  const text = [...lines, lines[0]].join('\n');
  const ratio = (lines[0] as string).length / text.replace(/\n/g, '').length;
  assert.equal(reason(run(fineweb({ char_duplicates_ratio: ratio }), text)), true);
  assert.equal(reason(run(fineweb({ char_duplicates_ratio: ratio - 1e-9 }), text)), 'char_dup_ratio');
  assert.ok(ratio > 0.01);
  assert.equal(reason(run(fineweb(), text)), 'char_dup_ratio');
  assert.equal(reason(run(fineweb(), lines.join('\n'))), true);
});

test('fineweb: list ratio (newlines per word) 0.3', () => {
  const make = (wordsPerLine: number) =>
    Array.from({ length: 10 }, (_, i) =>
      `${'word '.repeat(wordsPerLine - 1)}line${i} and more text to be long enough.`.slice(0, 1000),
    ).join('\n');
  const only = fineweb({ short_line_thr: 1 });
  // 9 newlines / 30 words = 0.3 → keep; 9 / 20 = 0.45 → drop
  const t30 = Array.from({ length: 10 }, (_, i) => `alpha beta gamma${i}.`).join('\n');
  assert.equal(reason(run(only, t30)), true);
  const t20 = Array.from({ length: 10 }, (_, i) => `alpha beta${i}.`).join('\n');
  assert.equal(reason(run(only, t20)), 'list_ratio');
  assert.equal(reason(run(only, make(8))), true);
});

test('url_filter: domain blocklist with subdomains, banned words, soft-banned words', () => {
  const f = urlFilter({ blocked_domains: ['spam.example'] });
  assert.equal(reason(run(f, 'x', 'https://spam.example/a')), 'domain_blocklist');
  assert.equal(reason(run(f, 'x', 'https://www.shop.spam.example/a')), 'domain_blocklist');
  assert.equal(reason(run(f, 'x', 'https://notspam.example/a')), true);
  assert.equal(reason(run(f, 'x', 'https://ok.example/free-casino-bonus')), 'url_banned_word');
  assert.equal(reason(run(f, 'x', 'https://ok.example/casinos-history')), true); // whole tokens only
  assert.equal(reason(run(f, 'x', 'https://ok.example/poker-loan')), 'url_soft_banned');
  assert.equal(reason(run(f, 'x', 'https://ok.example/poker-history')), true);
  assert.equal(reason(run(f, 'x', 'not a url')), 'bad_url');
  assert.equal(reason(run(f, 'x')), true);
  assert.equal(reason(run(urlFilter({ keep_missing_url: false }), 'x')), 'missing_url');
  assert.equal(
    reason(run(urlFilter({ banned_subwords: ['casino'] }), 'x', 'https://a.example/casinos')),
    'url_banned_subword',
  );
});

test('language: keeps English ≥ 0.65, names the language it drops, boundary on min_score', () => {
  const en = sentences(6, 41).join(' ');
  const f = language();
  const d = doc(en);
  assert.equal(f.filter(d), true);
  assert.equal(d.metadata.language, 'en');
  assert.equal(
    reason(
      run(
        f,
        'Der Zug zum Flughafen fährt alle fünfzehn Minuten vom Hauptbahnhof ab, und die Kinder warten schon.',
      ),
    ),
    'lang_de',
  );
  assert.equal(
    reason(run(f, 'Поезд в аэропорт отправляется с центрального вокзала каждые пятнадцать минут.')),
    'lang_ru',
  );
  const mixed =
    'The children read a story about the sea. Die Kinder lesen eine Geschichte über das Meer und den Wald.';
  const r = identifyLanguage(mixed, undefined, { maxChars: 1000 });
  const atScore = Math.floor(r.score * 1e4) / 1e4;
  assert.equal(reason(run(language({ languages: [r.lang], min_score: atScore }), mixed)), true);
  assert.equal(
    reason(run(language({ languages: [r.lang], min_score: atScore + 2e-4 }), mixed)),
    'lang_low_score',
  );
  assert.ok(r.score < 0.99, `mixed text should not be near-certain, got ${r.score}`);
});

test('threshold: edu_score ≥ 3 by default', () => {
  const f = threshold();
  const d = (v: unknown) => ({ id: 'x', text: 't', metadata: { edu_score: v } });
  assert.equal(f.filter(d(3)), true);
  assert.deepEqual(f.filter(d(2.99)), { reason: 'edu_score_below_3' });
  assert.deepEqual(f.filter({ id: 'x', text: 't', metadata: {} }), { reason: 'edu_score_missing' });
  assert.equal(threshold({ min: 2.5 }).filter(d(2.5)), true);
});

test('settings: unknown keys are errors naming the key and the stage', () => {
  assert.throws(() => c4({ min_word: 3 }), /stage c4: unknown key "min_word"/);
  assert.throws(() => fineweb({ line_punct_thr: 'high' }), /line_punct_thr" expects number/);
});
