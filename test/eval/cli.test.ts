import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type EvalCliDeps, evalKld, evalMc, evalPpl } from '../../src/eval/cli.js';
import type { KldResult } from '../../src/eval/kld.js';
import type { ScoringModel } from '../../src/eval/model.js';
import { ALPHABET, CharVocab, HashModel, OracleModel } from './fake-models.js';

const vocab = new CharVocab(ALPHABET);

function deps(models: Record<string, () => ScoringModel>) {
  const out: string[] = [];
  const err: string[] = [];
  const d: EvalCliDeps = {
    loadModel: async (p) => {
      const m = models[p];
      if (!m) throw new Error(`no model ${p}`);
      return m();
    },
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s), isTTY: false },
  };
  return { d, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'eval-cli-'));
const textFile = join(dir, 'wiki.txt');
writeFileSync(textFile, 'It was the best of times, it was the worst of times. '.repeat(10));

test('eval ppl prints llama.cpp lines on stdout and a progress bar on stderr; --json', async () => {
  const { d, out, err } = deps({ tiny: () => new HashModel(vocab) });
  const r = await evalPpl(['-m', 'tiny', '-f', textFile, '-c', '64'], d);
  assert.equal(r.nCtx, 64);
  assert.match(out.join(''), /^\[1\][\d.]+,\[2\]/);
  assert.match(out.join(''), new RegExp(`Final estimate: PPL = ${r.ppl.toFixed(4)} \\+/- `));
  assert.match(err.join(''), /perplexity \[#+\.*\] 1\/\d+/);
  assert.match(err.join(''), /perplexity \[#{30}\] (\d+)\/\1/);
  const j = deps({ tiny: () => new HashModel(vocab) });
  await evalPpl(['-m', 'tiny', '-f', textFile, '-c', '64', '--chunks', '2', '--json'], j.d);
  const parsed = JSON.parse(j.out.join(''));
  assert.equal(parsed.nChunks, 2);
  assert.equal(parsed.ppl, r.chunkPpl[1]);
  await assert.rejects(evalPpl(['-f', textFile], d), /missing -m MODEL/);
  await assert.rejects(
    evalPpl(['-m', 'tiny', '-f', textFile, '-c', 'big'], d),
    /--ctx-size expects an integer, got "big"/,
  );
  await assert.rejects(evalPpl(['-m', 'tiny', '-f', textFile, '--nope'], d), /Unknown option '--nope'/);
  await assert.rejects(evalPpl(['-m', 'tiny', '-f', textFile, '-c', '512'], d), /need at least 1024 tokens/);
});

test('eval kld prints the llama.cpp-style report', async () => {
  const { d, out } = deps({ f16: () => new HashModel(vocab), q4: () => new HashModel(vocab) });
  const r = (await evalKld(['--base', 'f16', '--quant', 'q4', '-f', textFile, '-c', '64'], d)) as KldResult;
  assert.equal(r.sameTop.value, 1);
  assert.match(out.join(''), /====== KL divergence statistics ======/);
  assert.match(out.join(''), /Same top p: 100\.000 ±/);
  await assert.rejects(evalKld(['--base', 'f16', '-f', textFile], d), /missing --quant MODEL/);
  // two steps through a llama.cpp-format base file
  const file = join(dir, 'base.kld');
  const s = deps({ f16: () => new HashModel(vocab), q4: () => new HashModel(vocab) });
  await evalKld(['--base', 'f16', '-f', textFile, '-c', '64', '--save-base', file], s.d);
  assert.match(s.out.join(''), /^wrote .*base\.kld: \d+ windows of 64 tokens/);
  const t = deps({ q4: () => new HashModel(vocab) });
  const r2 = (await evalKld(['--base-file', file, '--quant', 'q4', '--json'], t.d)) as typeof r;
  assert.equal(r2.count, r.count);
  assert.ok(r2.kld.value < 1e-6);
  assert.equal(JSON.parse(t.out.join('')).base, file);
  await assert.rejects(
    evalKld(['--base-file', `${file}.nope`, '--quant', 'q4'], t.d),
    /--base-file .*nope does not exist/,
  );
});

test('eval mc: MMLU folder and ARC file, table or JSON, resumable with --state', async () => {
  const mmlu = join(dir, 'mmlu');
  mkdirSync(join(mmlu, 'test'), { recursive: true });
  mkdirSync(join(mmlu, 'dev'), { recursive: true });
  writeFileSync(join(mmlu, 'test', 'anatomy_test.csv'), 'q1,a,b,c,d,C\n');
  writeFileSync(join(mmlu, 'dev', 'anatomy_dev.csv'), 'd1,a,b,c,d,A\n');
  const arc = join(dir, 'ARC-Challenge-Test.jsonl');
  writeFileSync(
    arc,
    JSON.stringify({
      id: 'x',
      question: {
        stem: 'S?',
        choices: [
          { text: 'no', label: 'A' },
          { text: 'ok', label: 'B' },
        ],
      },
      answerKey: 'B',
    }),
  );
  const known = [
    'The following are multiple choice questions (with answers) about anatomy.\n\nd1\nA. a\nB. b\nC. c\nD. d\nAnswer: A\n\nq1\nA. a\nB. b\nC. c\nD. d\nAnswer: C',
    'Question: S?\nAnswer: ok',
  ];
  const { d, out, err } = deps({ m: () => new OracleModel(vocab, known) });
  const state = join(dir, 'state.jsonl');
  await assert.rejects(
    evalMc(['-m', 'm', '--mmlu', mmlu, '--arc', arc, '--shots', '1'], d),
    /arc_challenge: 1-shot needs 1 examples for "arc_challenge", the few-shot pool has 0/,
  );
  const r = await evalMc(['-m', 'm', '--mmlu', mmlu, '--arc', arc, '--shots', 'mmlu=1', '--state', state], d);
  assert.equal(r.macro.acc, 1);
  assert.equal(r.scoredNow, 2);
  assert.match(out.join(''), /mmlu\s+\(all items\)\s+1\s+100\.00/);
  assert.match(out.join(''), /arc_challenge\s+\(all items\)\s+1\s+100\.00/);
  assert.match(err.join(''), /multiple-choice \[#{30}\] 2\/2/);
  const j = deps({ m: () => new OracleModel(vocab, known) });
  const again = await evalMc(
    ['-m', 'm', '--mmlu', mmlu, '--arc', arc, '--shots', 'mmlu=1', '--state', state, '--json'],
    j.d,
  );
  assert.equal(again.scoredNow, 0);
  const parsed = JSON.parse(j.out.join(''));
  assert.equal(parsed.macro.acc, 1);
  assert.equal(parsed.results, undefined);
  assert.deepEqual(parsed.settings.shots, { mmlu: 1, arc_challenge: 0 });
  await assert.rejects(evalMc(['-m', 'm'], d), /give at least one of --mmlu DIR/);
  await assert.rejects(evalMc(['-m', 'm', '--arc', arc, '--shots', 'x=y'], d), /--shots expects K or task=K/);
  // ARC few-shot pool from another file, taken in order
  const train = join(dir, 'ARC-Challenge-Train.jsonl');
  writeFileSync(
    train,
    JSON.stringify({
      id: 't',
      question: {
        stem: 'T?',
        choices: [
          { text: 'aa', label: 'A' },
          { text: 'bb', label: 'B' },
        ],
      },
      answerKey: 'A',
    }),
  );
  const f = deps({
    m: () => new OracleModel(vocab, ['Question: T?\nAnswer: aa\n\nQuestion: S?\nAnswer: ok']),
  });
  const fs = await evalMc(['-m', 'm', '--arc', arc, '--arc-fewshot', train, '--shots', '1'], f.d);
  assert.equal(fs.macro.acc, 1);
});
