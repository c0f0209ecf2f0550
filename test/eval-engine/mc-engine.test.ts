// `pocketlm eval mc` driven by the real engine on a hand-built model that answers by keyword association.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GgmlType } from '../../src/format/ggml-types.js';
import { writeGgufFile } from '../../src/format/gguf-node.js';
import type { GgufTensorToWrite } from '../../src/format/gguf-write.js';
import { blk, TENSOR } from '../../src/model/arch.js';
import { PRESETS, randomModelSpec } from '../../src/model/random.js';
import { createTokenizer } from '../../src/tokenizer/index.js';
import { phi3TokenizerMetadata, tempDir } from '../conformance/llama-ref.js';
import { pocketlm } from './helpers.js';

/*
 * The model (llama architecture, 1 layer, n_embd 256, the full Phi-3 vocabulary) is built so that the
 * answer follows from the question by construction:
 *
 * - token_embd: each keyword token k_i is the unit vector e_i (i < 64); every other token is e_255.
 * - attn_q = attn_k = 0, so every score is 0 and attention is a uniform average over the positions so far;
 *   attn_v = attn_output = identity. The attention output at the last position is therefore the mean of
 *   the RMS-normed embeddings of the prompt: 16·(1/T) on e_i for each keyword present, the rest on e_255.
 * - the FFN weights are 0 (no contribution).
 * - output: the row of answer token a_i is B·e_i; every other row is 0.
 *
 * So after a prompt that contains keyword k_i, token a_i has logit ≈ B·16/T·(norm) ≫ 0 and every other
 * token has logit 0: the continuation starting with a_i wins. ARC choices are single tokens (" Paris"),
 * MMLU's continuations are the letters " A" … " D"; the keyword → answer map is what the data files ask.
 */

const N_EMBD = 256;
const FILLER_DIM = 255;
const B = 400;

const tok = createTokenizer(new Map(phi3TokenizerMetadata()));
/** The single token `text` becomes after a space inside a prompt (SentencePiece "▁word"). */
function single(text: string): number {
  const prefix = tok.tokenize('x', { addBos: false }).length;
  const ids = tok.tokenize(`x ${text}`, { addBos: false }).slice(prefix);
  if (ids.length !== 1) throw new Error(`" ${text}" is ${ids.length} tokens (${ids}), need one`);
  return ids[0]!;
}

interface Arc {
  stem: string;
  keyword: string;
  choices: string[];
  answer: number;
}
const ARC: Arc[] = [
  {
    stem: 'Which city is the capital of France?',
    keyword: 'France',
    choices: ['London', 'Paris', 'Rome', 'Berlin'],
    answer: 1,
  },
  {
    stem: 'What color is the sky on a clear day?',
    keyword: 'sky',
    choices: ['red', 'green', 'black', 'blue'],
    answer: 3,
  },
  { stem: 'Which animal says woof?', keyword: 'animal', choices: ['dog', 'cat', 'fish', 'bird'], answer: 0 },
  {
    stem: 'What do plants need from the sun?',
    keyword: 'sun',
    choices: ['sound', 'light', 'salt', 'wind'],
    answer: 1,
  },
  { stem: 'Ice is frozen what?', keyword: 'Ice', choices: ['stone', 'iron', 'water', 'sand'], answer: 2 },
];
interface Mmlu {
  question: string;
  keyword: string;
  options: string[];
  answer: 'A' | 'B' | 'C' | 'D';
}
const MMLU: Mmlu[] = [
  {
    question: 'How many legs does a spider have?',
    keyword: 'legs',
    options: ['six', 'four', 'eight', 'ten'],
    answer: 'C',
  },
  {
    question: 'Which gas do humans breathe in to live?',
    keyword: 'gas',
    options: ['oxygen', 'helium', 'neon', 'argon'],
    answer: 'A',
  },
  {
    question: 'What is the largest planet of the solar system?',
    keyword: 'planet',
    options: ['Mars', 'Jupiter', 'Venus', 'Earth'],
    answer: 'B',
  },
  {
    question: 'Which metal is liquid at room temperature?',
    keyword: 'metal',
    options: ['gold', 'copper', 'tin', 'mercury'],
    answer: 'D',
  },
];

const tmp = tempDir('eval-mc');
const modelPath = join(tmp.dir, 'assoc.gguf');
const arcPath = join(tmp.dir, 'ARC-Easy-Test.jsonl');
const arcWrongPath = join(tmp.dir, 'ARC-Challenge-Test.jsonl');
const mmluDir = join(tmp.dir, 'mmlu');

function csv(fields: string[]): string {
  return fields.map((f) => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}

before(() => {
  // keyword token → its dimension; answer token → the keyword dimension it is read from
  const keyDim = new Map<number, number>();
  const answerRows = new Map<number, number>();
  const pairs: [string, string][] = [
    ...ARC.map((q): [string, string] => [q.keyword, q.choices[q.answer]!]),
    ...MMLU.map((q): [string, string] => [q.keyword, q.answer]),
  ];
  for (const [kw, ans] of pairs) {
    const k = single(kw);
    if (!keyDim.has(k)) keyDim.set(k, keyDim.size);
    const a = single(ans);
    assert.ok(!answerRows.has(a) || answerRows.get(a) === keyDim.get(k), `answer "${ans}" used twice`);
    answerRows.set(a, keyDim.get(k)!);
  }
  for (const q of ARC) for (const c of q.choices) single(c); // every choice is one token
  const config = {
    ...PRESETS.tiny!,
    arch: 'llama' as const,
    ropeType: 'norm' as const,
    nVocab: 32064,
    nEmbd: N_EMBD,
    nFf: 256,
    nLayer: 1,
    nHead: 4,
    nHeadKv: 4,
    headDim: 64,
    nRot: 64,
  };
  const spec = randomModelSpec({
    config,
    tokenizer: phi3TokenizerMetadata(),
    fileType: 'f32',
    name: 'keyword association',
  });
  const b = blk(0);
  const fill = (name: string, dims: number[]): Float32Array => {
    const [nIn, nOut] = [dims[0]!, dims[1] ?? 1];
    const f = new Float32Array(nIn * nOut);
    if (dims.length === 1)
      f.fill(1); // norms
    else if (name === TENSOR.tokenEmbd) {
      for (let t = 0; t < nOut; t++) f[t * nIn + (keyDim.get(t) ?? FILLER_DIM)] = 1;
    } else if (name === b.attnV || name === b.attnOutput) {
      for (let i = 0; i < nIn; i++) f[i * nIn + i] = 1;
    } else if (name === TENSOR.output) {
      for (const [a, d] of answerRows) f[a * nIn + d] = B;
    } // attn_q, attn_k, ffn_*: zero
    return f;
  };
  const tensors: GgufTensorToWrite[] = spec.tensors.map((t) => {
    const data = fill(t.name, t.dims);
    return { name: t.name, dims: t.dims, type: GgmlType.F32, data: new Uint8Array(data.buffer) };
  });
  writeGgufFile(modelPath, { metadata: spec.metadata, tensors });

  const arcLine = (q: Arc, i: number, key: number) =>
    JSON.stringify({
      id: `q${i}`,
      question: { stem: q.stem, choices: q.choices.map((text, j) => ({ text, label: 'ABCD'[j] })) },
      answerKey: 'ABCD'[key],
    });
  writeFileSync(arcPath, `${ARC.map((q, i) => arcLine(q, i, q.answer)).join('\n')}\n`);
  // the same questions with every key moved to another choice: a model that really prefers the
  // constructed answers must get all of them wrong
  writeFileSync(arcWrongPath, `${ARC.map((q, i) => arcLine(q, i, (q.answer + 1) % 4)).join('\n')}\n`);
  mkdirSync(join(mmluDir, 'test'), { recursive: true });
  mkdirSync(join(mmluDir, 'dev'), { recursive: true });
  writeFileSync(
    join(mmluDir, 'test', 'general_science_test.csv'),
    `${MMLU.map((q) => csv([q.question, ...q.options, q.answer])).join('\n')}\n`,
  );
  writeFileSync(
    join(mmluDir, 'dev', 'general_science_dev.csv'),
    `${csv(['One plus one?', '1', '2', '3', '4', 'B'])}\n`,
  );
});
after(() => tmp.cleanup());

interface Report {
  tasks: { task: string; acc: number; n: number; correct?: number }[];
}

test('eval mc with the engine answers ARC and MMLU items as the weights dictate', async (t) => {
  const out = await pocketlm([
    'eval',
    'mc',
    '-m',
    modelPath,
    '--arc',
    arcPath,
    '--arc',
    arcWrongPath,
    '--mmlu',
    mmluDir,
    '--shots',
    '0',
    '--json',
  ]);
  const r = JSON.parse(out) as Report;
  t.diagnostic(JSON.stringify(r.tasks.map(({ task, acc }) => ({ task, acc }))));
  const acc = (task: string) => {
    const x = r.tasks.find((k) => k.task === task);
    assert.ok(x, `no ${task} in ${JSON.stringify(r.tasks.map((k) => k.task))}`);
    return x.acc;
  };
  assert.equal(acc('arc_easy'), 1, 'every ARC item right');
  assert.equal(acc('arc_challenge'), 0, 'every rotated-key item wrong');
  assert.equal(acc('mmlu'), 1, 'every MMLU item right');
});
