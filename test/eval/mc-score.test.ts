import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseArcJsonl } from '../../src/eval/mc/arc.js';
import { parseHellaswagJsonl } from '../../src/eval/mc/hellaswag.js';
import { jsonlStateStore, loadMmlu } from '../../src/eval/mc/load-node.js';
import {
  buildContext,
  continuationLogLikelihood,
  formatMcTable,
  runMc,
  scoreItem,
} from '../../src/eval/mc/score.js';
import type { McTaskData } from '../../src/eval/mc/types.js';
import { ALPHABET, CharVocab, FixedModel, logSoftmax, OracleModel } from './fake-models.js';

const vocab = new CharVocab(ALPHABET);
const tmp = () => mkdtempSync(join(tmpdir(), 'mc-'));

function mmluDir(): string {
  const dir = tmp();
  mkdirSync(join(dir, 'test'));
  mkdirSync(join(dir, 'dev'));
  writeFileSync(join(dir, 'dev', 'astronomy_dev.csv'), 'd1,a,b,c,d,B\nd2,e,f,g,h,C\nd3,i,j,k,l,A\n');
  writeFileSync(join(dir, 'test', 'astronomy_test.csv'), 'q1,m,n,o,p,B\nq2,r,s,t,u,D\n');
  writeFileSync(join(dir, 'test', 'virology_test.csv'), 'q3,v,w,x,y,C\n');
  writeFileSync(join(dir, 'dev', 'virology_dev.csv'), 'd4,a,b,c,d,D\nd5,e,f,g,h,D\n');
  return dir;
}

const ASTRO =
  'The following are multiple choice questions (with answers) about astronomy.\n\n' +
  'd1\nA. a\nB. b\nC. c\nD. d\nAnswer: B\n\nd2\nA. e\nB. f\nC. g\nD. h\nAnswer: C\n\n';

test('MMLU 2-shot letter scoring: exact lm-eval-harness prompt, per-subject and macro accuracy', async () => {
  const data = loadMmlu(mmluDir());
  // The oracle knows the two astronomy questions (written out here by hand); virology is unknown to it,
  // so all four letters tie there and argmax picks A, while the gold is C.
  const model = new OracleModel(vocab, [
    `${ASTRO}q1\nA. m\nB. n\nC. o\nD. p\nAnswer: B`,
    `${ASTRO}q2\nA. r\nB. s\nC. t\nD. u\nAnswer: D`,
  ]);
  const r = await runMc(model, [data], { shots: 2 });
  const t = r.tasks[0]!;
  assert.equal(t.task, 'mmlu');
  assert.deepEqual(
    t.subjects.map((s) => [s.subject, s.n, s.acc]),
    [
      ['astronomy', 2, 1],
      ['virology', 1, 0],
    ],
  );
  assert.ok(Math.abs(t.acc - 2 / 3) < 1e-12);
  assert.equal(t.macro.acc, 0.5);
  assert.equal(r.results[2]!.pred, 0);
  // the encoded choices differ only in their last token (the letter): one call per question
  assert.equal(model.calls.length, 3);
  assert.equal(model.calls[0]!.length, model.tokenize(`${ASTRO}q1\nA. m\nB. n\nC. o\nD. p\nAnswer: `).length);
  // and the shared call gives the same log-likelihoods as one call per choice
  const item = data.items[0]!;
  const perChoice = item.choices.map(
    (c) => continuationLogLikelihood(model, buildContext(data, item, 2), ` ${c}`).ll,
  );
  assert.deepEqual(r.results[0]!.lls, perChoice);
  const table = formatMcTable(r);
  assert.match(table, /^mmlu 2-shot\n/);
  assert.match(table, /mmlu\s+astronomy\s+2\s+100\.00/);
  assert.match(table, /mmlu\s+\(macro over subjects\)\s+3\s+50\.00/);
  // same-length choices: a blind model ties and picks the first (A) everywhere
  assert.equal((await runMc(new OracleModel(vocab, []), [data], { shots: 2 })).tasks[0]!.acc, 0);
  // 0-shot prompts differ, so the same oracle no longer knows any answer
  const r0 = await runMc(model, [data], { shots: 0 });
  assert.equal(r0.tasks[0]!.acc, 0);
  await assert.rejects(
    runMc(model, [data], { shots: 4 }),
    /4-shot needs 4 examples for "astronomy", the few-shot pool has 3/,
  );
});

test('ARC and HellaSwag: continuation scoring, the known continuation wins', async () => {
  const arc = parseArcJsonl(
    [
      {
        id: 'a1',
        question: {
          stem: 'Which is wet?',
          choices: ['sand', 'water', 'dust'].map((t, i) => ({ text: t, label: 'ABC'[i] })),
        },
        answerKey: 'B',
      },
      {
        id: 'a2',
        question: {
          stem: 'Hot?',
          choices: ['ice', 'snow', 'fire', 'frost'].map((t, i) => ({ text: t, label: String(i + 1) })),
        },
        answerKey: '3',
      },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n'),
    'arc.jsonl',
    'arc_challenge',
  );
  const hs = parseHellaswagJsonl(
    JSON.stringify({
      ind: 7,
      activity_label: 'Cooking',
      ctx_a: 'A cook stirs a pot.',
      ctx_b: 'she',
      endings: ['sings.', 'adds salt.', 'leaves.', 'jumps.'],
      label: 1,
    }),
    'hs.jsonl',
  );
  const model = new OracleModel(vocab, [
    'Question: Which is wet?\nAnswer: water',
    'Question: Hot?\nAnswer: fire',
    'Cooking: A cook stirs a pot. She adds salt.',
  ]);
  const tasks: McTaskData[] = [
    { task: 'arc_challenge', items: arc },
    { task: 'hellaswag', items: hs },
  ];
  const r = await runMc(model, tasks);
  assert.deepEqual(
    r.tasks.map((t) => [t.task, t.n, t.acc, t.accNorm]),
    [
      ['arc_challenge', 2, 1, 1],
      ['hellaswag', 1, 1, 1],
    ],
  );
  assert.equal(r.macro.acc, 1);
  assert.equal(model.calls.length, 3 + 4 + 4, 'multi-token choices: one call each');
  // a model knowing nothing ties everywhere and picks the first choice: all wrong here
  const blind = await runMc(new OracleModel(vocab, []), tasks);
  assert.equal(blind.macro.acc, 0);
});

test('acc sums log-probs, acc_norm divides by characters of the choice (lm-eval-harness)', () => {
  const V = vocab.size;
  const logits = Array.from({ length: V }, () => 0);
  logits[vocab.index.get('a')!] = 3;
  logits[vocab.index.get(' ')!] = 2;
  logits[vocab.index.get('z')!] = 1;
  const model = new FixedModel(vocab, logits);
  const item = {
    id: '1',
    task: 't',
    subject: 't',
    query: 'Q:',
    choices: ['z', 'aaaaaa'],
    gold: 1,
    source: { file: 'f', line: 1 },
  };
  const r = scoreItem(model, { task: 't', items: [item] }, item);
  const lp = logSoftmax(logits.map(Math.fround));
  const llZ = lp[vocab.index.get(' ')!]! + lp[vocab.index.get('z')!]!;
  const llA = lp[vocab.index.get(' ')!]! + 6 * lp[vocab.index.get('a')!]!;
  assert.ok(
    Math.abs(r.lls[0]! - llZ) < 1e-6 && Math.abs(r.lls[1]! - llA) < 1e-6,
    `${r.lls} vs ${llZ}, ${llA}`,
  );
  assert.ok(llZ > llA && llZ / 1 < llA / 6, 'construction: raw favours "z", per-character favours "aaaaaa"');
  assert.equal(r.pred, 0);
  assert.equal(r.predNorm, 1);
  assert.equal(r.predBytes, 1);
});

test('continuation log-likelihood: trailing context space moves to the continuation; left truncation', () => {
  const model = new OracleModel(vocab, ['ab cd']);
  const a = continuationLogLikelihood(model, 'ab ', 'cd');
  const b = continuationLogLikelihood(model, 'ab', ' cd');
  assert.equal(a.ll, b.ll);
  assert.equal(a.nTokens, 3);
  const t = continuationLogLikelihood(model, 'ab', ' cd', { maxTokens: 4 });
  assert.deepEqual(model.calls.at(-1), vocab.encode('b cd'));
  assert.equal(t.nTokens, 3);
  assert.throws(() => continuationLogLikelihood(model, 'ab', ' cd', { maxTokens: 3 }), /does not fit in 3/);
  assert.throws(() => continuationLogLikelihood(model, 'ab', ''), /adds no tokens/);
});

test('chat template wrapping: prompt as the user turn, choices right after the generation prompt', async () => {
  const arc = parseArcJsonl(
    JSON.stringify({
      id: 'c1',
      question: {
        stem: 'Sky?',
        choices: [
          { text: 'gray', label: 'A' },
          { text: 'blue', label: 'B' },
        ],
      },
      answerKey: 'B',
    }),
    'arc.jsonl',
  );
  const model = new OracleModel(vocab, ['<user>Question: Sky?\nAnswer:<end><assistant>blue']);
  const r = await runMc(model, [{ task: 'arc', items: arc }], { chat: true });
  assert.equal(r.tasks[0]!.acc, 1);
  assert.equal((await runMc(model, [{ task: 'arc', items: arc }])).tasks[0]!.acc, 0);
  const noTemplate = new FixedModel(
    vocab,
    Array.from({ length: vocab.size }, () => 0),
  );
  await assert.rejects(
    runMc(noTemplate, [{ task: 'arc', items: arc }], { chat: true }),
    /needs a model with a chat template/,
  );
});

test('resume: an interrupted run continues from its state file with the same result and no duplicates', async () => {
  const data = loadMmlu(mmluDir());
  const texts = [`${ASTRO}q1\nA. m\nB. n\nC. o\nD. p\nAnswer: B`];
  const fresh = await runMc(new OracleModel(vocab, texts), [data], { shots: 2 });
  const state = join(tmp(), 'state.jsonl');
  // interrupt: the model fails on its 2nd call (second item)
  const flaky = new OracleModel(vocab, texts);
  const orig = flaky.logitsAll.bind(flaky);
  let calls = 0;
  flaky.logitsAll = (tokens: number[]) => {
    if (++calls === 2) throw new Error('killed');
    return orig(tokens);
  };
  await assert.rejects(runMc(flaky, [data], { shots: 2, state: jsonlStateStore(state) }), /killed/);
  assert.equal(readFileSync(state, 'utf8').trim().split('\n').length, 2, 'header + 1 finished item');
  appendFileSync(state, '{"task":"mmlu","id":"astro'); // a torn write from the kill
  const model = new OracleModel(vocab, texts);
  const resumed = await runMc(model, [data], { shots: 2, state: jsonlStateStore(state) });
  assert.equal(resumed.scoredNow, 2);
  assert.equal(model.calls.length, 2);
  assert.deepEqual({ ...resumed, scoredNow: 0 }, { ...fresh, scoredNow: 0 });
  const lines = readFileSync(state, 'utf8').trim().split('\n');
  const ids = lines.slice(1).map((l) => JSON.parse(l).id as string);
  assert.deepEqual(ids, ['astronomy/test/0', 'astronomy/test/1', 'virology/test/0']);
  // a third run scores nothing and gives the same report
  const again = await runMc(model, [data], { shots: 2, state: jsonlStateStore(state) });
  assert.equal(again.scoredNow, 0);
  assert.deepEqual(again.tasks, fresh.tasks);
  // an AbortSignal stops between items and keeps what was finished
  const state2 = join(tmp(), 'state2.jsonl');
  const ac = new AbortController();
  await assert.rejects(
    runMc(model, [data], {
      shots: 2,
      state: jsonlStateStore(state2),
      signal: ac.signal,
      onProgress: () => ac.abort(),
    }),
    /abort/i,
  );
  assert.equal(readFileSync(state2, 'utf8').trim().split('\n').length, 2);
  // other settings are refused instead of mixing results
  await assert.rejects(
    runMc(model, [data], { shots: 1, state: jsonlStateStore(state) }),
    /written with other settings/,
  );
});
