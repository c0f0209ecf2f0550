// Export and tokenizer training against llama.cpp (node-llama-cpp): log-softmax of exported GGUFs and tokenization.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { getLlama, type Llama } from 'node-llama-cpp';
import { readGgufFile } from '../../src/format/gguf-node.js';
import { dequantizeRow } from '../../src/quant/index.js';
import { createTokenizer } from '../../src/tokenizer/index.js';
import { writeCheckpoint } from '../../src/train/checkpoint.js';
import { exportCommand, trainTokenizerCommand } from '../../src/train/cli.js';
import { defaultTrainConfig } from '../../src/train/config.js';
import { TrainModel, type TrainModelConfig } from '../../src/train/model.js';
import { Rng } from '../../src/train/rng.js';

/** Max |Δ log p| between llama.cpp and the trainer for F32 weights (the task's bound). */
const TOL_F32 = 1e-4;
/** Bounds for the reduced-precision exports against the trainer run on the dequantized weights (weights ×5):
 * llama.cpp rounds activations to F16 for F16 weights and to Q8_0 blocks for Q8_0/Q4_0 weights. */
const TOL: Record<string, number> = { f16: 0.005, q8_0: 0.1, q4_0: 0.1 };

const trainCorpus = [
  'Once upon a time there was a little cat who liked to sit in the sun.',
  'The cat sat on the mat, and the dog ran around the garden all day long.',
  'Numbers like 12345 and 2026 appear in text; so do symbols: #, @, % and &.',
  'Ünïcödé wörds, café, naïve, 東京, and emoji 🙂 fall back to bytes when rare.',
  'A time to run and a time to sit; the little dog and the little cat were friends.',
  'She said: "Hello, world!" and then    several   spaces\tand a tab.',
];
const heldOut = [
  'Hello world',
  ' leading space',
  'the cat and the dog',
  'Rare words: zyxwvut, qqq, 東京タワー 🙂🙂',
  'multiple   spaces and\nnewlines\n\nhere',
  'sat on the mat 12345',
  '<|user|>\nhi<|end|>\n<|assistant|>\n',
  '',
  ' ',
];

let dir = '';
let llama: Llama;
let tokGguf = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plm-export-'));
  llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
  const corpus = join(dir, 'corpus.txt');
  writeFileSync(corpus, Array.from({ length: 4 }, () => trainCorpus.join('\n')).join('\n'));
  tokGguf = join(dir, 'tok.gguf');
  await trainTokenizerCommand(['--input', corpus, '--vocab-size', '420', '-o', tokGguf]);
});

after(async () => {
  await llama?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('trained tokenizer: llama.cpp tokenizes like pocketlm (src/tokenizer) and uses the learned pieces', async () => {
  const meta = readGgufFile(tokGguf).metadata;
  const tokens = meta.get('tokenizer.ggml.tokens')?.value as string[];
  assert.equal(tokens[0], '<unk>');
  assert.equal(tokens[3 + 0x0a], '<0x0A>');
  assert.ok(tokens.includes('▁the') && tokens.includes('▁cat'), 'expected merged pieces ▁the and ▁cat');
  const types = meta.get('tokenizer.ggml.token_type')?.value as Int32Array;
  assert.equal(types[tokens.indexOf('<|end|>')], 3);
  const ours = createTokenizer(meta, tokGguf);
  const model = await llama.loadModel({ modelPath: tokGguf, vocabOnly: true });
  try {
    for (const text of [...heldOut, ...trainCorpus]) {
      for (const special of [false, true]) {
        const want = Array.from(model.tokenize(text, special));
        const got = ours.tokenize(text, { parseSpecial: special });
        assert.deepEqual(got, want, `text ${JSON.stringify(text)} (special ${special})`);
      }
    }
    // learned merges are used: "the cat" is two tokens
    assert.deepEqual(
      Array.from(model.tokenize('the cat', false)).map((id) => tokens[id]),
      ['▁the', '▁cat'],
    );
  } finally {
    await model.dispose();
  }
});

async function exportAndCompare(type: string, tol: number, scale: number) {
  const meta = readGgufFile(tokGguf).metadata;
  const nVocab = (meta.get('tokenizer.ggml.tokens')?.value as string[] | undefined)?.length ?? 0;
  const cfg: TrainModelConfig = {
    nVocab,
    nEmbd: 64,
    nLayer: 2,
    nHead: 4,
    nHeadKv: 2,
    nFf: 96,
    nCtx: 64,
    ropeTheta: 10000,
    rmsEps: 1e-5,
    tiedEmbeddings: type === 'q8_0',
  };
  const T = 12;
  const m = new TrainModel(cfg, 1, T, { precision: 'f64' });
  const r = new Rng(3);
  m.init(() => r.next());
  // larger weights than the init so the distributions are far from flat
  for (let i = 0; i < m.params.length; i++) m.params[i] = Math.fround(m.params[i] * scale);
  for (const t of m.tensors)
    if (t.kind === 'norm')
      for (let i = 0; i < t.size; i++) m.params[t.offset + i] = Math.fround(0.5 + r.next());
  const ckPath = join(dir, `ck-${type}.bin`);
  writeCheckpoint(
    ckPath,
    {
      version: 1,
      model: cfg,
      config: { ...defaultTrainConfig, tokenizer: tokGguf },
      step: 0,
      adamT: 0,
      data: { rng: [1, 2, 3, 4], tokensSeen: 0 },
      tensors: m.tensors,
      nParams: m.nParams,
      hasOptimizer: false,
    },
    m.params,
  );
  const gguf = join(dir, `model-${type}.gguf`);
  await exportCommand([ckPath, '-o', gguf, '--type', type]);
  const toks = Array.from({ length: T }, (_, i) => (i === 0 ? 1 : 3 + 256 + r.int(nVocab - 270)));
  // the reference runs on the weights as stored (dequantized), so only llama.cpp's arithmetic differs
  const file = readGgufFile(gguf);
  for (const ti of file.tensors) {
    const p = m.tensors.find((x) => x.name === ti.name);
    assert.ok(p, `unexpected tensor ${ti.name}`);
    const f = new Float32Array(p.size);
    dequantizeRow(ti.type, file.tensorBytes(ti.name), 0, f, 0, p.size);
    m.params.set(f, p.offset);
  }
  const logits = m.logits(toks);
  const model = await llama.loadModel({ modelPath: gguf });
  // F32 KV cache and no flash attention: llama.cpp's defaults round K/V to F16
  const ctx = await model.createContext({
    contextSize: 64,
    flashAttention: false,
    experimentalKvCacheKeyType: 'F32',
    experimentalKvCacheValueType: 'F32',
  } as never);
  let worst = 0;
  try {
    const checkAt = [4, 8, T - 1];
    const input = toks.map((t, i) =>
      checkAt.includes(i)
        ? [t, { generateNext: { probabilities: true, token: true, options: { temperature: 0 } } }]
        : t,
    );
    const res = await ctx.getSequence().controlledEvaluate(input as never);
    for (const pos of checkAt) {
      const probs = (res[pos] as { next: { probabilities: Map<number, number> } }).next.probabilities;
      const row = logits.subarray(pos * nVocab, (pos + 1) * nVocab);
      let mx = -Infinity;
      for (const x of row) mx = Math.max(mx, x);
      let s = 0;
      for (const x of row) s += Math.exp(x - mx);
      const lse = mx + Math.log(s);
      for (let i = 0; i < nVocab; i++) {
        const p = probs.get(i);
        assert.ok(
          p !== undefined && p > 0,
          `${type}: llama.cpp gave no probability for token ${i} at position ${pos}`,
        );
        worst = Math.max(worst, Math.abs(Math.log(p) - (row[i] - lse)));
      }
    }
  } finally {
    await ctx.dispose();
    await model.dispose();
  }
  assert.ok(worst < tol, `${type}: max |Δ log p| ${worst} ≥ ${tol}`);
  return worst;
}

test('exported F32 GGUF: llama.cpp log-softmax equals the trainer forward within 1e-4', async (t) => {
  const w = await exportAndCompare('f32', TOL_F32, 20);
  t.diagnostic(`f32 max |Δ log p| = ${w}`);
});

for (const type of ['f16', 'q8_0', 'q4_0']) {
  test(`exported ${type} GGUF loads in llama.cpp and stays close to the trainer`, async (t) => {
    const w = await exportAndCompare(type, TOL[type], 5);
    t.diagnostic(`${type} max |Δ log p| = ${w}`);
  });
}
