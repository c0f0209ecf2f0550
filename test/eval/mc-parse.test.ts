import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseArcJsonl } from '../../src/eval/mc/arc.js';
import { parseCsv } from '../../src/eval/mc/csv.js';
import { hellaswagPreprocess, parseHellaswagJsonl, pyCapitalize } from '../../src/eval/mc/hellaswag.js';
import { loadArc, loadMmlu } from '../../src/eval/mc/load-node.js';
import { mmluDescription, parseMmluCsv } from '../../src/eval/mc/mmlu.js';

test('CSV: quotes, escaped quotes, commas and newlines inside fields, CRLF, line numbers', () => {
  const text = 'a,"b, c","say ""hi"""\r\n"multi\nline",x,\n\nlast,"",z';
  const recs = parseCsv(text, 'f.csv');
  assert.deepEqual(recs, [
    { line: 1, fields: ['a', 'b, c', 'say "hi"'] },
    { line: 2, fields: ['multi\nline', 'x', ''] },
    { line: 5, fields: ['last', '', 'z'] },
  ]);
  assert.throws(() => parseCsv('ok,1\n"open,2\nmore', 'bad.csv'), /bad\.csv:2: unterminated quoted field/);
  assert.throws(
    () => parseCsv('"a"b,c', 'bad.csv'),
    /bad\.csv:1: unexpected character "b" after a closing quote/,
  );
});

test('MMLU CSV: letter items with lm-eval-harness prompt; malformed rows name file, line and field', () => {
  const csv = 'What is 2+2?,3,4,5,"6, maybe",B\n"Which, of these?\nPick one",x,y,z,w,D\n';
  const items = parseMmluCsv(csv, 'test/elementary_mathematics_test.csv', 'elementary_mathematics', 'test');
  assert.equal(items.length, 2);
  assert.equal(items[0]!.query, 'What is 2+2?\nA. 3\nB. 4\nC. 5\nD. 6, maybe\nAnswer:');
  assert.deepEqual(items[0]!.choices, ['A', 'B', 'C', 'D']);
  assert.equal(items[0]!.gold, 1);
  assert.equal(items[1]!.gold, 3);
  assert.equal(items[1]!.source.line, 2);
  assert.equal(items[1]!.id, 'elementary_mathematics/test/1');
  assert.equal(
    mmluDescription('elementary_mathematics'),
    'The following are multiple choice questions (with answers) about elementary mathematics.\n\n',
  );
  assert.throws(
    () => parseMmluCsv('q,a,b,c,d,A\nq2,a,b,c,A\n', 'x_test.csv', 'x', 'test'),
    /x_test\.csv:2: expected 6 fields \(question, A, B, C, D, answer\), got 5/,
  );
  assert.throws(
    () => parseMmluCsv('q,a,b,c,d,A\n"q\n2",a,b,c,d,A\nq3,a,b,c,d,E\n', 'x_test.csv', 'x', 'test'),
    /x_test\.csv:4: field "answer" must be one of A, B, C, D, got "E"/,
  );
});

test('MMLU folder: test/ and dev/ files by subject, subject filter, missing pieces reported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlu-'));
  mkdirSync(join(dir, 'test'));
  mkdirSync(join(dir, 'dev'));
  writeFileSync(join(dir, 'test', 'astronomy_test.csv'), 'q1,a,b,c,d,A\nq2,a,b,c,d,C\n');
  writeFileSync(join(dir, 'test', 'virology_test.csv'), 'q3,a,b,c,d,D\n');
  writeFileSync(join(dir, 'test', 'README.txt'), 'not a subject');
  writeFileSync(join(dir, 'dev', 'astronomy_dev.csv'), 'd1,a,b,c,d,B\n');
  const all = loadMmlu(dir);
  assert.equal(all.items.length, 3);
  assert.deepEqual([...new Set(all.items.map((i) => i.subject))], ['astronomy', 'virology']);
  assert.equal(all.fewshot?.get('astronomy')?.length, 1);
  assert.equal(all.fewshot?.get('virology'), undefined);
  const one = loadMmlu(dir, { subjects: ['virology'] });
  assert.equal(one.items.length, 1);
  assert.throws(() => loadMmlu(dir, { subjects: ['anatomy'] }), /no \*_test\.csv files for anatomy/);
  assert.throws(
    () => loadMmlu(dir, { subjects: ['virology', 'anatomy'] }),
    /no file for subject\(s\) anatomy/,
  );
  assert.throws(() => loadMmlu(join(dir, 'nope')), /has no "test\/" directory/);
  writeFileSync(join(dir, 'test', 'broken_test.csv'), 'q,a,b,c,d,A\nq,a,b\n');
  assert.throws(() => loadMmlu(dir), /broken_test\.csv:2: expected 6 fields/);
});

const arcLine = (o: object) => JSON.stringify(o);
const ARC_OK = {
  id: 'Mercury_7175875',
  question: {
    stem: 'Which is a gas?',
    choices: [
      { text: 'rock', label: 'A' },
      { text: 'steam', label: 'B' },
      { text: 'ice', label: 'C' },
    ],
  },
  answerKey: 'B',
};

test('ARC JSONL: stem and choices; numeric labels; malformed rows name file, line and field', () => {
  const numeric = {
    id: 'NYSED_1',
    question: {
      stem: 'Pick?',
      choices: [
        { text: 'one', label: '1' },
        { text: 'two', label: '2' },
        { text: 'three', label: '3' },
        { text: 'four', label: '4' },
      ],
    },
    answerKey: '4',
  };
  const items = parseArcJsonl(
    `${arcLine(ARC_OK)}\n\n${arcLine(numeric)}\n`,
    'ARC-Challenge-Test.jsonl',
    'arc_challenge',
  );
  assert.equal(items.length, 2);
  assert.equal(items[0]!.query, 'Question: Which is a gas?\nAnswer:');
  assert.deepEqual(items[0]!.choices, ['rock', 'steam', 'ice']);
  assert.equal(items[0]!.gold, 1);
  assert.equal(items[1]!.gold, 3);
  assert.equal(items[1]!.source.line, 3);
  const hf = {
    id: 'hf1',
    question: 'Which?',
    choices: { text: ['x', 'y'], label: ['A', 'B'] },
    answerKey: 'A',
  };
  const h = parseArcJsonl(arcLine(hf), 'hf.jsonl');
  assert.equal(h[0]!.query, 'Question: Which?\nAnswer:');
  assert.deepEqual([h[0]!.choices, h[0]!.gold], [['x', 'y'], 0]);
  assert.throws(
    () => parseArcJsonl(arcLine({ ...hf, choices: { text: ['x'], label: ['A', 'B'] } }), 'hf.jsonl'),
    /hf\.jsonl:1: fields "choices\.text" and "choices\.label" differ in length/,
  );
  const f = 'arc.jsonl';
  assert.throws(() => parseArcJsonl(`${arcLine(ARC_OK)}\n{oops`, f), /arc\.jsonl:2: invalid JSON/);
  assert.throws(
    () => parseArcJsonl(arcLine({ ...ARC_OK, answerKey: 'E' }), f),
    /arc\.jsonl:1: field "answerKey" is "E", not one of the labels A, B, C/,
  );
  assert.throws(
    () => parseArcJsonl(arcLine({ ...ARC_OK, question: { choices: ARC_OK.question.choices } }), f),
    /arc\.jsonl:1: field "question\.stem" must be a string, got nothing \(missing\)/,
  );
  assert.throws(
    () =>
      parseArcJsonl(
        arcLine({ ...ARC_OK, question: { stem: 's', choices: [{ text: 'a', label: 'A' }, { label: 'B' }] } }),
        f,
      ),
    /arc\.jsonl:1: field "question\.choices\[1\]\.text" must be a string/,
  );
  assert.throws(
    () => parseArcJsonl(`${arcLine(ARC_OK)}\n${arcLine(ARC_OK)}`, f),
    /arc\.jsonl:2: duplicate id/,
  );
  assert.throws(() => parseArcJsonl('[1,2]', f), /arc\.jsonl:1: expected a JSON object, got an array/);
  const dir = mkdtempSync(join(tmpdir(), 'arc-'));
  writeFileSync(join(dir, 'ARC-Easy-Test.jsonl'), arcLine(ARC_OK));
  assert.equal(loadArc(join(dir, 'ARC-Easy-Test.jsonl')).task, 'arc_easy');
});

test('HellaSwag preprocessing follows lm-eval-harness', () => {
  assert.equal(
    hellaswagPreprocess(' Making a cake [title] Mix the flour. [step] Stir  well. '),
    'Making a cake. Mix the flour. Stir well.',
  );
  assert.equal(pyCapitalize('tHE Man'), 'The man');
  assert.equal(pyCapitalize(''), '');
  const row = {
    ind: 24,
    activity_label: 'Roof shingle removal',
    ctx_a: 'A man is sitting on a roof.',
    ctx_b: 'he',
    ctx: 'A man is sitting on a roof. he',
    endings: [
      'is using wrap to wrap a pair of skis.',
      'starts pulling up roofing [title] on a roof.',
      'c',
      'd',
    ],
    label: '1',
  };
  const items = parseHellaswagJsonl(`${JSON.stringify(row)}\n`, 'hellaswag_val.jsonl');
  assert.equal(items[0]!.query, 'Roof shingle removal: A man is sitting on a roof. He');
  assert.equal(items[0]!.choices[1], 'starts pulling up roofing. on a roof.');
  assert.equal(items[0]!.gold, 1);
  assert.equal(items[0]!.id, '24');
  const f = 'hs.jsonl';
  assert.throws(
    () => parseHellaswagJsonl(`${JSON.stringify(row)}\n${JSON.stringify({ ...row, ind: 25, label: '' })}`, f),
    /hs\.jsonl:2: field "label" must be an index 0\.\.3, got "".*no labels/,
  );
  assert.throws(
    () => parseHellaswagJsonl(JSON.stringify({ ...row, endings: 'x' }), f),
    /hs\.jsonl:1: field "endings" must be an array/,
  );
  assert.throws(
    () => parseHellaswagJsonl(JSON.stringify({ ...row, ctx_b: 3 }), f),
    /hs\.jsonl:1: field "ctx_b" must be a string, got number 3/,
  );
  assert.throws(
    () => parseHellaswagJsonl(JSON.stringify({ ...row, activity_label: undefined }), f),
    /hs\.jsonl:1: field "activity_label" must be a string/,
  );
  assert.throws(
    () => parseHellaswagJsonl(`${JSON.stringify(row)}\n${JSON.stringify(row)}`, f),
    /hs\.jsonl:2: duplicate id "24"/,
  );
});
