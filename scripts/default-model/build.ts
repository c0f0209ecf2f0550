// Reproducible recipe for models/default.gguf: corpus → data pipeline → tokenizer → two-phase mix → train → export.
// Usage: node --import tsx scripts/default-model/build.ts [data|train|export|summary|all] (work dir: $DM_WORK, default /tmp/pocketlm-default-model; $DM_STEPS, $DM_THREADS: training steps and threads)
import { createReadStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { runMix } from '../../src/data/mix/mix.js';
import { resolveMixSpec } from '../../src/data/mix/spec.js';
import { outputFiles, runPipeline } from '../../src/data/pipeline/runner.js';
import { readGgufFile, writeGgufFile } from '../../src/format/gguf-node.js';
import { createTokenizer } from '../../src/tokenizer/index.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { readTokenizerMetadata, vocabOnlyPhi3Keys } from '../../src/train/cli.js';
import { applyYaml, defaultTrainConfig } from '../../src/train/config.js';
import { checkpointToGguf } from '../../src/train/export.js';
import { spmTokenizerMetadata, trainTokenizer } from '../../src/train/tokenizer-train.js';
import { train } from '../../src/train/trainer.js';
import { eduScore, FILTER_STAGES, generateCorpus } from './corpus.js';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const WORK = process.env.DM_WORK ?? '/tmp/pocketlm-default-model';
const STEPS = Number(process.env.DM_STEPS ?? 2000);
/** GEMM threads of the training stage (training is deterministic for a given count). */
const THREADS = Number(process.env.DM_THREADS ?? 2);
const SEED = 1234;
const VOCAB = 1024;
const log = (m: string) => process.stderr.write(`[default-model] ${m}\n`);
const jsonl = (docs: object[]) => `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`;

async function readDocs(
  file: string,
): Promise<{ id: string; text: string; metadata: Record<string, unknown> }[]> {
  const input = file.endsWith('.gz') ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  const out = [];
  for await (const line of createInterface({ input })) if (line.trim()) out.push(JSON.parse(line));
  return out;
}

const STAGES = FILTER_STAGES;

/** Stage 1–2: corpus, filtering pipeline, keyword edu score, tokenizer, two-phase token shards. */
async function data(): Promise<void> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(join(WORK, 'raw'), { recursive: true });
  const t0 = performance.now();
  const { web, synthetic } = generateCorpus({ seed: SEED, webDocs: 24000, syntheticDocs: 10000 });
  for (let s = 0; s < 4; s++)
    writeFileSync(join(WORK, 'raw', `web-${s}.jsonl`), jsonl(web.filter((_, i) => i % 4 === s)));
  writeFileSync(join(WORK, 'raw', 'synthetic.jsonl'), jsonl(synthetic));
  const kinds: Record<string, number> = {};
  for (const d of web) kinds[d.metadata.kind] = (kinds[d.metadata.kind] ?? 0) + 1;
  log(`corpus: ${web.length} web docs ${JSON.stringify(kinds)}, ${synthetic.length} synthetic docs`);
  for (const [name, glob] of [
    ['web', 'raw/web-*.jsonl'],
    ['synthetic', 'raw/synthetic.jsonl'],
  ]) {
    const y = join(WORK, `${name}.yaml`);
    writeFileSync(
      y,
      `name: ${name}\nrun_dir: runs/${name}\ninput:\n  type: jsonl\n  paths: ["${glob}"]\n${STAGES}`,
    );
    const r = await runPipeline(y, { workers: 2, progress: false });
    log(
      `pipeline ${name}: ${r.stats.docs_read} → ${r.stats.docs_written} docs; drops ${JSON.stringify(r.stats.drop_reasons)}`,
    );
  }
  // educational score (keyword stand-in for the LLM-labelled classifier) on the filtered web set
  const webDocs = [];
  for (const f of await outputFiles(join(WORK, 'runs/web'))) webDocs.push(...(await readDocs(f)));
  for (const d of webDocs) d.metadata.edu_score = eduScore(d.text);
  mkdirSync(join(WORK, 'scored'), { recursive: true });
  writeFileSync(join(WORK, 'scored', 'web.jsonl'), jsonl(webDocs));
  const hist = [0, 0, 0, 0, 0, 0];
  for (const d of webDocs) hist[d.metadata.edu_score as number]++;
  log(`edu_score histogram (0..5) of filtered web: ${hist.join(' ')}`);
  const synDocs = [];
  for (const f of await outputFiles(join(WORK, 'runs/synthetic'))) synDocs.push(...(await readDocs(f)));
  // tokenizer on a deterministic sample of the filtered text
  const sample = [...webDocs.filter((_, i) => i % 6 === 0), ...synDocs.filter((_, i) => i % 6 === 0)].map(
    (d) => d.text,
  );
  const t1 = performance.now();
  const vocab = trainTokenizer(sample, { vocabSize: VOCAB });
  writeGgufFile(join(WORK, 'tok.gguf'), {
    metadata: [...vocabOnlyPhi3Keys('pocketlm-default-tokenizer'), ...spmTokenizerMetadata(vocab)],
    tensors: [],
  });
  log(
    `tokenizer: ${vocab.pieces.length} tokens from ${sample.length} docs in ${((performance.now() - t1) / 1000).toFixed(1)}s`,
  );
  const tok = createTokenizer(readGgufFile(join(WORK, 'tok.gguf')).metadata);
  const spec = resolveMixSpec(
    {
      name: 'default-model',
      output_dir: 'tokens',
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
    'default-model mix',
    WORK,
  );
  const { report } = await runMix(spec, {
    tokenize: (t) => tok.tokenize(t, { addSpecial: true }),
    vocabSize: vocab.pieces.length,
    eosId: vocab.eos,
  });
  log(`mix: ${JSON.stringify(report)}`);
  log(`data done in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
}

const TRAIN_YAML = `data: tokens
out: train
tokenizer: tok.gguf
n_embd: 128
n_layer: 6
n_head: 4
n_ff: 384
seq_len: 128
batch_size: 8
lr: 2.0e-3
min_lr: 1.0e-4
warmup_steps: 50
schedule: wsd
tied_embeddings: true
phase2_at_tokens: 0
threads: ${THREADS}
eval_every: 100
eval_batches: 8
ckpt_every: 100
log_every: 10
`;

/** Stage 3: train (resumes from WORK/train/checkpoint.bin when present). */
function trainStage(): void {
  const text = `${TRAIN_YAML}steps: ${STEPS}\n`;
  writeFileSync(join(WORK, 'train.yaml'), text);
  const cfg = applyYaml({ ...defaultTrainConfig }, text, 'train.yaml');
  cfg.data = join(WORK, cfg.data);
  cfg.out = join(WORK, cfg.out);
  cfg.tokenizer = join(WORK, cfg.tokenizer);
  train(cfg);
}

/** Stage 4: export Q8_0 with tokenizer and chat template to models/default.gguf. */
function exportStage(): void {
  const ck = readCheckpoint(join(WORK, 'train', 'checkpoint.bin'));
  const out = join(ROOT, 'models', 'default.gguf');
  const bytes = writeGgufFile(
    out,
    checkpointToGguf(ck, {
      type: 'q8_0',
      tokenizer: readTokenizerMetadata(join(WORK, 'tok.gguf')),
      name: 'pocketlm-default',
    }),
  );
  log(`export: ${out} (${(bytes / 1e6).toFixed(2)} MB, step ${ck.meta.step})`);
}

/** Stage 5: loss summary per phase from WORK/train/log.jsonl (printed and written to WORK/summary.json). */
function summaryStage(): void {
  const recs = readFileSync(join(WORK, 'train', 'log.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(
      (l) => JSON.parse(l) as { kind: string; step: number; loss: number; phase?: number; tokens?: number },
    );
  const tr = recs.filter((r) => r.kind === 'train');
  const val = recs.filter((r) => r.kind === 'val');
  const phases = [...new Set(tr.map((r) => r.phase))].map((ph) => {
    const rs = tr.filter((r) => r.phase === ph);
    const last = rs.slice(-50);
    const end = (rs.at(-1) as (typeof rs)[0]).step;
    const v = val.filter((r) => r.step <= end).at(-1);
    return {
      phase: (ph as number) + 1,
      steps: `${rs[0]?.step}-${end}`,
      train_loss_last50: last.reduce((a, r) => a + r.loss, 0) / last.length,
      val_loss_at_end: v?.loss,
    };
  });
  const ck = readCheckpoint(join(WORK, 'train', 'checkpoint.bin'));
  const m = ck.meta.model;
  const summary = {
    model: m,
    params: ck.meta.nParams,
    steps: ck.meta.step,
    tokens: tr.at(-1)?.tokens,
    phases,
    val: val.map((r) => [r.step, r.loss]),
  };
  writeFileSync(join(WORK, 'summary.json'), JSON.stringify(summary, null, 1));
  log(JSON.stringify({ ...summary, val: undefined }));
}

const what = process.argv[2] ?? 'all';
process.chdir(WORK.startsWith('/') ? '/' : ROOT);
if (what === 'data' || what === 'all') await data();
if (what === 'train' || what === 'all') trainStage();
if (what === 'export' || what === 'all') exportStage();
if (what === 'summary' || what === 'all') summaryStage();
if (!['data', 'train', 'export', 'summary', 'all'].includes(what))
  throw new Error(`build.ts: unknown stage "${what}" (data|train|export|all)`);
