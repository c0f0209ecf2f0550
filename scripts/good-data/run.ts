// "Good data is all you need", measured: the same small phi3 trained on raw web text vs the two-phase filtered + synthetic recipe.
// Usage: npx tsx scripts/good-data/run.ts [--quick] [data|train|eval|report|all] [--run a,b,c,d] [--seeds 1,2,3]
// Work files: $GD_WORK (default /tmp/pocketlm-good-data[-quick]); results: scripts/good-data/results.json (--quick: in the work dir).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runMix } from '../../src/data/mix/mix.js';
import { resolveMixSpec } from '../../src/data/mix/spec.js';
import { outputFiles, runPipeline } from '../../src/data/pipeline/runner.js';
import { DEFAULT_FIELDS } from '../../src/data/readers/fields.js';
import { readJsonl } from '../../src/data/readers/jsonl.js';
import { readGgufFile, writeGgufFile } from '../../src/format/gguf-node.js';
import { createTokenizer } from '../../src/tokenizer/index.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { vocabOnlyPhi3Keys } from '../../src/train/cli.js';
import { applyYaml, defaultTrainConfig } from '../../src/train/config.js';
import { paramLayout } from '../../src/train/model.js';
import { spmTokenizerMetadata, trainTokenizer } from '../../src/train/tokenizer-train.js';
import { train } from '../../src/train/trainer.js';
import type { CorpusDoc } from '../default-model/corpus.js';
import { eduScore, FILTER_STAGES } from '../default-model/corpus.js';
import {
  buildSplits,
  evaluateSet,
  evalWindows,
  loadEvalModel,
  type SetEval,
  SPLITS,
  sample,
} from './experiment.js';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const positional = argv.filter(
  (a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--run') && !argv[i - 1]?.startsWith('--seeds'),
);
const STAGE = positional[0] ?? 'all';
const RUNS = (flag('--run') ?? 'a,b,c,d').split(',') as Recipe[];
const SEEDS = (flag('--seeds') ?? (QUICK ? '1' : '1,2,3')).split(',').map(Number);
const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const WORK = process.env.GD_WORK ?? (QUICK ? '/tmp/pocketlm-good-data-quick' : '/tmp/pocketlm-good-data');
const RESULTS = QUICK ? join(WORK, 'results.json') : join(ROOT, 'scripts', 'good-data', 'results.json');
const SPLIT = SPLITS[QUICK ? 'quick' : 'full'];
const VOCAB = QUICK ? 512 : 1024;
const log = (m: string) => process.stderr.write(`[good-data] ${m}\n`);
const jsonl = (docs: object[]) => `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`;

/** The model and schedule shared by both recipes (equal compute: same shapes, steps, batch, seq_len, lr). */
const TRAIN_YAML = QUICK
  ? `n_embd: 64
n_layer: 2
n_head: 2
n_ff: 192
seq_len: 64
batch_size: 4
steps: 200
warmup_steps: 10
eval_every: 20
`
  : `n_embd: 128
n_layer: 4
n_head: 4
n_ff: 384
seq_len: 128
batch_size: 8
steps: 700
warmup_steps: 50
eval_every: 100
`;
const COMMON_YAML = `lr: 2.0e-3
min_lr: 1.0e-4
schedule: wsd
tied_embeddings: true
phase2_at_tokens: 0
threads: 1
eval_batches: 4
ckpt_every: 100
log_every: 10
`;

/** The default model's filtering stages. */
const STAGES = FILTER_STAGES;

/** The same stages without near-duplicate removal (recipe d). */
const STAGES_NO_MINHASH = STAGES.replace(/ {2}- minhash_dedup.*\n/, '');

/**
 * The stages that define the "held-out web, filtered" evaluation set: the stage list as it was when the set was
 * first measured (minhash without candidate verification), so later filter changes do not change the set.
 */
const HELDOUT_STAGES = STAGES.replace(/, min_jaccard: [0-9.]+/, '');

async function readDocs(paths: string[]): Promise<CorpusDoc[]> {
  const out: CorpusDoc[] = [];
  for (const p of paths)
    for await (const d of readJsonl(p, DEFAULT_FIELDS)) out.push(d as unknown as CorpusDoc);
  return out;
}

async function pipeline(
  name: string,
  glob: string,
  stages = STAGES,
): Promise<{ read: number; written: number; drops: object }> {
  const y = join(WORK, `${name}.yaml`);
  writeFileSync(
    y,
    `name: ${name}\nrun_dir: runs/${name}\ninput:\n  type: jsonl\n  paths: ["${glob}"]\n${stages}`,
  );
  const r = await runPipeline(y, { workers: 1, progress: false });
  log(`pipeline ${name}: ${r.stats.docs_read} → ${r.stats.docs_written} docs`);
  return { read: r.stats.docs_read, written: r.stats.docs_written, drops: r.stats.drop_reasons };
}

function tokenizer() {
  const tok = createTokenizer(readGgufFile(join(WORK, 'tok.gguf')).metadata);
  const info = JSON.parse(readFileSync(join(WORK, 'tok.json'), 'utf8')) as { vocab: number; eos: number };
  return { tok, ...info };
}

const kinds = (docs: CorpusDoc[]) => {
  const k: Record<string, number> = {};
  for (const d of docs) k[d.metadata.kind] = (k[d.metadata.kind] ?? 0) + 1;
  return k;
};

/** The recipes: (a) raw web only; (b) the default model's two-phase recipe; (c) ablation: filtered web only, one phase. */
type Recipe = 'a' | 'b' | 'c' | 'd';
const RECIPES: Record<Recipe, string> = {
  a: 'a: raw web only (unfiltered)',
  b: 'b: filtered web → filtered web (edu ≥ 3) + synthetic',
  c: 'c: filtered web only (ablation, no synthetic / no phase 2)',
  d: 'd: as b without near-duplicate removal (minhash_dedup off; diagnostic)',
};
const MIXES: Record<Recipe, unknown> = {
  a: {
    name: 'good-data-a-raw',
    output_dir: 'tokens-a',
    val_fraction: 0.02,
    seed: 1,
    phases: [
      {
        name: 'raw',
        sources: [
          {
            name: 'web-raw',
            paths: ['raw/web-0.jsonl', 'raw/web-1.jsonl', 'raw/web-2.jsonl', 'raw/web-3.jsonl'],
          },
        ],
      },
    ],
  },
  b: {
    name: 'good-data-b-recipe',
    output_dir: 'tokens-b',
    val_fraction: 0.02,
    seed: 1,
    phases: [
      { name: 'phase1', sources: [{ name: 'web', paths: ['scored/web.jsonl'] }] },
      {
        name: 'phase2',
        sources: [
          { name: 'web-edu', paths: ['scored/web.jsonl'], where: { field: 'edu_score', min: 3 } },
          { name: 'synthetic', paths: ['runs/synthetic'], epochs: 1 },
        ],
      },
    ],
  },
  c: {
    name: 'good-data-c-filtered',
    output_dir: 'tokens-c',
    val_fraction: 0.02,
    seed: 1,
    phases: [{ name: 'filtered', sources: [{ name: 'web', paths: ['scored/web.jsonl'] }] }],
  },
  d: {
    name: 'good-data-d-recipe-no-minhash',
    output_dir: 'tokens-d',
    val_fraction: 0.02,
    seed: 1,
    phases: [
      { name: 'phase1', sources: [{ name: 'web', paths: ['scored/web-nomh.jsonl'] }] },
      {
        name: 'phase2',
        sources: [
          { name: 'web-edu', paths: ['scored/web-nomh.jsonl'], where: { field: 'edu_score', min: 3 } },
          { name: 'synthetic', paths: ['runs/synthetic-nomh'], epochs: 1 },
        ],
      },
    ],
  },
};

/** Filters `runs/<name>` and writes the edu-scored web documents to `scored/<out>`. */
async function filterAndScore(
  name: string,
  stages: string,
  out: string,
  data: Record<string, Record<string, unknown>>,
): Promise<void> {
  (data.pipeline as Record<string, unknown>)[name] = await pipeline(name, 'raw/web-*.jsonl', stages);
  const webDocs = await readDocs(await outputFiles(join(WORK, 'runs', name)));
  for (const d of webDocs) (d.metadata as Record<string, unknown>).edu_score = eduScore(d.text);
  writeFileSync(join(WORK, 'scored', out), jsonl(webDocs));
  const hist = [0, 0, 0, 0, 0, 0];
  for (const d of webDocs) hist[eduScore(d.text)]++;
  (data.pipeline as Record<string, unknown>)[`${name}_kinds`] = kinds(webDocs);
  (data.pipeline as Record<string, unknown>)[`${name}_edu_score_histogram`] = hist;
}

/** Builds WORK/tokens-<k> with the shared tokenizer unless it exists; adds its token counts to `report`. */
async function ensureMix(k: Recipe, data: Record<string, Record<string, unknown>>): Promise<void> {
  const spec = resolveMixSpec(MIXES[k], `mix ${k}`, WORK);
  if (existsSync(join(spec.output_dir, 'manifest.json'))) return;
  if (k === 'd' && !existsSync(join(WORK, 'scored', 'web-nomh.jsonl'))) {
    await filterAndScore('web-nomh', STAGES_NO_MINHASH, 'web-nomh.jsonl', data);
    data.pipeline['synthetic-nomh'] = await pipeline(
      'synthetic-nomh',
      'raw/synthetic.jsonl',
      STAGES_NO_MINHASH,
    );
  }
  const report = data.mix as Record<string, unknown>;
  const { tok, vocab, eos } = tokenizer();
  const mixTok = {
    tokenize: (t: string) => tok.tokenize(t, { addSpecial: true }),
    vocabSize: vocab,
    eosId: eos,
  };
  const { manifest, report: r } = await runMix(spec, mixTok);
  report[k] = {
    phases: manifest.phases.map((p) => ({
      name: p.name,
      train_tokens: (p.splits.train ?? []).reduce((a, f) => a + f.tokens, 0),
      val_tokens: (p.splits.val ?? []).reduce((a, f) => a + f.tokens, 0),
    })),
    sources: r,
  };
  log(`mix ${k}: ${JSON.stringify(report[k])}`);
}

/** Corpus, held-out sets, filtering, edu score, shared tokenizer, and the two token mixtures. */
async function dataStage(): Promise<void> {
  rmSync(WORK, { recursive: true, force: true });
  for (const d of ['raw', 'heldout', 'scored']) mkdirSync(join(WORK, d), { recursive: true });
  const t0 = performance.now();
  const s = buildSplits(SPLIT);
  for (let k = 0; k < 4; k++)
    writeFileSync(join(WORK, 'raw', `web-${k}.jsonl`), jsonl(s.trainWeb.filter((_, i) => i % 4 === k)));
  writeFileSync(join(WORK, 'raw', 'synthetic.jsonl'), jsonl(s.trainSynthetic));
  for (const [k, docs] of Object.entries(s.heldout))
    writeFileSync(join(WORK, 'heldout', `${k}.jsonl`), jsonl(docs));
  const report: Record<string, unknown> = {
    split: SPLIT,
    train_web_kinds: kinds(s.trainWeb),
    train_synthetic_kinds: kinds(s.trainSynthetic),
    heldout_kinds: Object.fromEntries(Object.entries(s.heldout).map(([k, d]) => [k, kinds(d)])),
    heldout_removed_exact_overlap: s.removed,
  };
  log(`corpus: ${JSON.stringify(report)}`);
  const data = report as Record<string, Record<string, unknown>>;
  data.pipeline = {};
  await filterAndScore('web', STAGES, 'web.jsonl', data);
  report.edu_score_histogram = data.pipeline.web_edu_score_histogram;
  data.pipeline.synthetic = await pipeline('synthetic', 'raw/synthetic.jsonl');
  data.pipeline.heldout_web = await pipeline('heldout-web', 'heldout/web.jsonl', HELDOUT_STAGES);
  // one tokenizer for both runs, trained on a neutral sample: every 4th raw (unfiltered) web doc + every 4th synthetic doc
  const sampleTexts = [...s.trainWeb, ...s.trainSynthetic].filter((_, i) => i % 4 === 0).map((d) => d.text);
  const t1 = performance.now();
  const vocab = trainTokenizer(sampleTexts, { vocabSize: VOCAB });
  writeGgufFile(join(WORK, 'tok.gguf'), {
    metadata: [...vocabOnlyPhi3Keys('pocketlm-good-data-tokenizer'), ...spmTokenizerMetadata(vocab)],
    tensors: [],
  });
  writeFileSync(join(WORK, 'tok.json'), JSON.stringify({ vocab: vocab.pieces.length, eos: vocab.eos }));
  report.tokenizer = {
    vocab: vocab.pieces.length,
    sample_docs: sampleTexts.length,
    seconds: (performance.now() - t1) / 1000,
  };
  log(`tokenizer: ${vocab.pieces.length} tokens in ${((performance.now() - t1) / 1000).toFixed(1)}s`);
  report.mix = {};
  for (const k of Object.keys(MIXES) as Recipe[]) await ensureMix(k, data);
  report.data_seconds = (performance.now() - t0) / 1000;
  writeFileSync(join(WORK, 'data-report.json'), JSON.stringify(report, null, 1));
  log(`mix: ${JSON.stringify(report.mix)}`);
}

const runDir = (run: string, seed: number) => join(WORK, `train-${run}-s${seed}`);

/** Trains recipe `run` with training seed `seed` (resumes; skipped when already complete). */
async function trainStage(run: Recipe, seed: number): Promise<void> {
  const text = `${TRAIN_YAML}${COMMON_YAML}seed: ${seed}\n`;
  const cfg = applyYaml({ ...defaultTrainConfig }, text, 'good-data train');
  cfg.data = join(WORK, `tokens-${run}`);
  cfg.out = runDir(run, seed);
  cfg.tokenizer = join(WORK, 'tok.gguf');
  const infoPath = join(cfg.out, 'run-info.json');
  if (existsSync(infoPath)) {
    log(`train ${run} seed ${seed}: already done`);
    return;
  }
  const dataPath = join(WORK, 'data-report.json');
  const data = JSON.parse(readFileSync(dataPath, 'utf8'));
  await ensureMix(run, data);
  writeFileSync(dataPath, JSON.stringify(data, null, 1));
  const started = new Date().toISOString();
  const t0 = performance.now();
  const r = train(cfg, { log: (l) => process.stderr.write(`[${run}/s${seed}] ${l}\n`) });
  const wall = (performance.now() - t0) / 1000;
  writeFileSync(
    infoPath,
    JSON.stringify({
      started,
      ended: new Date().toISOString(),
      wall_s: wall,
      tok_s: r.tokensPerSecond,
      steps: r.steps,
      resumed: false,
    }),
  );
  log(`train ${run} seed ${seed}: ${r.steps} steps in ${wall.toFixed(0)}s`);
}

const PROMPTS = [
  'Once upon a time',
  'Here are some facts about the moon.',
  'Tom has five apples.',
  'Lesson: The seasons\n\n',
  'Best price! Click here',
];

/** Held-out losses (and samples) for every finished run; cached per run. */
async function evalStage(): Promise<void> {
  const { tok, eos } = tokenizer();
  const sets: Record<string, CorpusDoc[]> = {
    edu: await readDocs([join(WORK, 'heldout', 'edu.jsonl')]),
    web: await readDocs([join(WORK, 'heldout', 'web.jsonl')]),
    web_filtered: await readDocs(await outputFiles(join(WORK, 'runs/heldout-web'))),
    textbook: await readDocs([join(WORK, 'heldout', 'textbook.jsonl')]),
  };
  const tokenize = (t: string) => tok.tokenize(t, { addSpecial: true });
  for (const run of RUNS)
    for (const seed of SEEDS) {
      const dir = runDir(run, seed);
      const out = join(dir, 'eval.json');
      if (!existsSync(join(dir, 'run-info.json'))) {
        log(`eval ${run} seed ${seed}: not trained yet`);
        continue;
      }
      if (existsSync(out)) continue;
      const t0 = performance.now();
      const { model, seqLen } = loadEvalModel(join(dir, 'checkpoint.bin'));
      const res: Record<string, SetEval> = {};
      for (const [name, docs] of Object.entries(sets)) {
        res[name] = evaluateSet(model, seqLen, evalWindows(docs, tokenize, eos, seqLen));
        log(
          `eval ${run}/s${seed} ${name}: ${res[name].loss.toFixed(4)} nats/token over ${res[name].tokens} tokens`,
        );
      }
      const samples = PROMPTS.map((p, i) => {
        const ids = sample(model, seqLen, tokenize(p), 48, { temp: 0.7, seed: 1 + i, eos });
        return { prompt: p, text: tok.detokenize(ids) };
      });
      writeFileSync(
        out,
        JSON.stringify({ heldout: res, samples, eval_seconds: (performance.now() - t0) / 1000 }, null, 1),
      );
    }
}

/** Collects data report, run info, training logs and held-out losses into the committed results JSON. */
function reportStage(): void {
  const data = JSON.parse(readFileSync(join(WORK, 'data-report.json'), 'utf8'));
  const runs = [];
  for (const run of Object.keys(RECIPES) as Recipe[])
    for (const seed of SEEDS) {
      const dir = runDir(run, seed);
      if (!existsSync(join(dir, 'eval.json'))) continue;
      const ck = readCheckpoint(join(dir, 'checkpoint.bin'));
      const recs = readFileSync(join(dir, 'log.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(
          (l) =>
            JSON.parse(l) as { kind: string; step: number; loss: number; tokens?: number; phase?: number },
        );
      const tr = recs.filter((r) => r.kind === 'train');
      const last = tr.slice(-20);
      runs.push({
        recipe: RECIPES[run],
        run,
        seed,
        params: paramLayout(ck.meta.model).tensors.reduce((a, t) => a + t.size, 0),
        model: ck.meta.model,
        steps: ck.meta.step,
        tokens: tr.at(-1)?.tokens,
        phase2_from_step: tr.find((r) => r.phase === 1)?.step ?? null,
        train_loss_last20: last.reduce((a, r) => a + r.loss, 0) / last.length,
        own_val: recs.filter((r) => r.kind === 'val').map((r) => [r.step, Number(r.loss.toFixed(4))]),
        ...JSON.parse(readFileSync(join(dir, 'run-info.json'), 'utf8')),
        ...JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')),
      });
    }
  const cfg = applyYaml({ ...defaultTrainConfig }, `${TRAIN_YAML}${COMMON_YAML}`, 'good-data train');
  const results = {
    generated: new Date().toISOString(),
    quick: QUICK,
    train_config: { ...cfg, data: undefined, out: undefined, tokenizer: undefined, seed: undefined },
    data,
    runs,
  };
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${RESULTS}`);
  for (const r of runs)
    log(
      `${r.run}/s${r.seed}: edu ${r.heldout.edu.loss.toFixed(4)} web ${r.heldout.web.loss.toFixed(4)} web_filtered ${r.heldout.web_filtered.loss.toFixed(4)} textbook ${r.heldout.textbook.loss.toFixed(4)}`,
    );
}

if (!['data', 'train', 'eval', 'report', 'all'].includes(STAGE))
  throw new Error(`run.ts: unknown stage "${STAGE}" (data|train|eval|report|all)`);
process.chdir('/');
if (STAGE === 'data' || STAGE === 'all') await dataStage();
if (STAGE === 'train' || STAGE === 'all')
  for (const seed of SEEDS) for (const run of RUNS) await trainStage(run, seed);
if (STAGE === 'eval' || STAGE === 'all') await evalStage();
if (STAGE === 'report' || STAGE === 'all') reportStage();
