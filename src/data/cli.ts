// CLI entry points for `pocketlm data <cmd>`: one async function per command, taking already-parsed flags.
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import type { Document } from './document.js';
import { annotate } from './edu/annotate.js';
import { saveClassifier, trainClassifier } from './edu/classifier.js';
import { cachedGenerator, OpenAICompatibleGenerator, type TextGenerator } from './generator.js';
import { localGenerator } from './local-generator.js';
import { byteTokenizer, type MixTokenizer, runMix } from './mix/mix.js';
import { loadMixSpec } from './mix/spec.js';
import { loadConfig } from './pipeline/config.js';
import { type RunResult, runPipeline } from './pipeline/runner.js';
import { DEFAULT_FIELDS } from './readers/fields.js';
import { readJsonl } from './readers/jsonl.js';
import { writeDataReport } from './report/report.js';
import { makeJobs, runSynth, topicsFromDocs } from './synth/synth.js';

/** Parsed flags: `_` holds positionals; flag names may be kebab-case (`run-dir`) or camelCase (`runDir`). */
export type CliArgs = { _?: string[] } & Record<string, unknown>;

function get(a: CliArgs, name: string): unknown {
  const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return a[name] ?? a[camel];
}
function str(a: CliArgs, name: string, def?: string): string | undefined {
  const v = get(a, name);
  return v === undefined || v === null ? def : String(v);
}
function req(a: CliArgs, name: string, cmd: string): string {
  const v = str(a, name);
  if (v === undefined || v === '') throw new Error(`pocketlm data ${cmd}: --${name} is required`);
  return v;
}
function num(a: CliArgs, name: string, def?: number): number | undefined {
  const v = get(a, name);
  if (v === undefined || v === null) return def;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name}: expected a number, got "${v}"`);
  return n;
}
function list(a: CliArgs, name: string): string[] {
  const v = get(a, name);
  if (v === undefined || v === null) return [];
  const xs = Array.isArray(v) ? v.map(String) : [String(v)];
  return xs
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean);
}
function positional(a: CliArgs, i: number): string | undefined {
  return a._?.[i];
}

async function* readAll(paths: string[]): AsyncGenerator<Document> {
  for (const p of paths) yield* readJsonl(p, DEFAULT_FIELDS);
}

async function generatorFrom(a: CliArgs, cmd: string, cacheDefault: string): Promise<TextGenerator> {
  // --local FILE.gguf: the local engine through localGenerator, which fits prompts to the model's context
  // (preferred over an injected generator, which may not)
  const local = str(a, 'local');
  const g = get(a, 'generator');
  if (g && typeof (g as TextGenerator).complete === 'function' && !(local && existsSync(local)))
    return g as TextGenerator;
  if (local) {
    // the local engine (a GGUF file): loaded on demand so the data toolkit does not need it otherwise
    const { PocketModel } = await import('../engine/pocket-model.js');
    const threads = get(a, 'threads') === undefined ? undefined : num(a, 'threads', 1);
    const m = await PocketModel.load(local, { threads });
    return cachedGenerator(localGenerator(m), str(a, 'cache-dir', cacheDefault) as string, `local:${local}`);
  }
  const model = req(a, 'model', cmd);
  const base = new OpenAICompatibleGenerator({
    baseUrl: req(a, 'base-url', cmd),
    model,
    apiKey: str(a, 'api-key') ?? process.env.OPENAI_API_KEY,
    retries: num(a, 'retries', 5),
  });
  return cachedGenerator(base, str(a, 'cache-dir', cacheDefault) as string, model);
}

/**
 * `pocketlm data run <pipeline.yaml>` — run a pipeline.
 * Flags: `--shard i --of N` (take input shards i, i+N, …), `--workers N` (threads), `--run-dir DIR`,
 * `--wait SECONDS` (wait at dedup barriers for other processes), `--quiet` (no progress line),
 * `--report` (also write report.html).
 */
export async function dataRun(a: CliArgs): Promise<RunResult> {
  const cfg = positional(a, 0) ?? req(a, 'config', 'run');
  const r = await runPipeline(cfg, {
    shard: num(a, 'shard', 0),
    of: num(a, 'of', 1),
    workers: num(a, 'workers', 1),
    runDir: str(a, 'run-dir'),
    progress: !get(a, 'quiet'),
    waitForShards: num(a, 'wait', 0),
  });
  const s = r.stats;
  console.log(
    `${s.name}: ${s.docs_read} docs read, ${s.docs_written} written${r.complete ? '' : ' (incomplete)'} → ${r.runDir}`,
  );
  if (r.pending) console.log(`pending: ${r.pending}`);
  if (get(a, 'report') && r.complete) await writeDataReport(r.runDir);
  return r;
}

/** `pocketlm data report <run-dir>` — write report.html and summary.json into the run directory. */
export async function dataReport(a: CliArgs): Promise<void> {
  const dir = positional(a, 0) ?? req(a, 'run-dir', 'report');
  const s = await writeDataReport(resolve(dir));
  console.log(`${join(dir, 'report.html')}: ${s.docs_written}/${s.docs_read} docs kept`);
}

/**
 * `pocketlm data annotate` — score documents for educational value with an LLM.
 * Flags: `--input F.jsonl[,…]`, `--output OUT.jsonl`, `--base-url URL` (OpenAI-compatible, …/v1), `--model NAME`,
 * or `--local MODEL.gguf` (pocketlm's own engine, `--threads N`; prompts longer than the context keep their end),
 * `--api-key KEY` (default $OPENAI_API_KEY), `--concurrency N` (4), `--cache-dir DIR` (OUT.cache), `--limit N`,
 * `--max-chars N` (3000), `--retries N` (5).
 */
export async function dataAnnotate(a: CliArgs): Promise<void> {
  const output = req(a, 'output', 'annotate');
  const inputs = list(a, 'input');
  if (inputs.length === 0) throw new Error('pocketlm data annotate: --input is required');
  const r = await annotate(readAll(inputs), {
    generator: await generatorFrom(a, 'annotate', `${output}.cache`),
    output,
    concurrency: num(a, 'concurrency', 4),
    limit: num(a, 'limit', 0),
    maxChars: num(a, 'max-chars', 3000),
  });
  console.log(
    `annotated ${r.annotated}, skipped ${r.skipped} (already done), unparsable ${r.unparsable}; histogram ${r.histogram.join(' ')}`,
  );
}

/**
 * `pocketlm data train-classifier` — train the hashed-n-gram educational classifier.
 * Flags: `--input ANNOTATED.jsonl[,…]` (metadata.edu_score or top-level edu_score), `--output model.json`,
 * `--epochs N` (8), `--lr X` (0.05), `--val-fraction X` (0.2), `--seed N` (1). Writes `<output>.report.json`.
 */
export async function dataTrainClassifier(a: CliArgs): Promise<void> {
  const output = req(a, 'output', 'train-classifier');
  const inputs = list(a, 'input');
  if (inputs.length === 0) throw new Error('pocketlm data train-classifier: --input is required');
  const data: { text: string; score: number }[] = [];
  for await (const d of readAll(inputs)) {
    const s = d.metadata.edu_score;
    if (typeof s === 'number') data.push({ text: d.text, score: s });
  }
  if (data.length < 10)
    throw new Error(`train-classifier: need at least 10 labelled documents, found ${data.length}`);
  const r = trainClassifier(data, {
    epochs: num(a, 'epochs', 8),
    lr: num(a, 'lr', 0.05),
    val_fraction: num(a, 'val-fraction', 0.2),
    seed: num(a, 'seed', 1),
  });
  await saveClassifier(r.model, output);
  await writeFile(`${output}.report.json`, JSON.stringify({ train: r.train, val: r.val }, null, 1));
  console.log(
    `validation: n=${r.val.n} F1@3=${r.val.f1_at_3.toFixed(3)} P=${r.val.precision_at_3.toFixed(3)} R=${r.val.recall_at_3.toFixed(3)} MSE=${r.val.mse.toFixed(3)}`,
  );
  console.log('confusion (rows = label 0..5, cols = predicted 0..5):');
  for (const row of r.val.confusion) console.log(`  ${row.map((x) => String(x).padStart(5)).join('')}`);
}

/**
 * `pocketlm data synth` — generate synthetic teaching text.
 * Flags: `--out-dir DIR`, topics from `--topics "a,b"` or `--topics-file F` (one per line) or `--topics-from
 * ANNOTATED.jsonl` with `--min-score N` (3) and `--max-topics N` (100); `--formats textbook,story,exercise,qa`,
 * `--audiences young_children,middle_school,…`, `--samples N` (1), `--base-url` and `--model` or `--local MODEL.gguf`
 * (`--threads N`), `--concurrency N`,
 * `--cache-dir DIR`, `--pipeline P.yaml` (run that pipeline's stages over the output; run dir OUT/filtered).
 */
export async function dataSynth(a: CliArgs): Promise<void> {
  const outDir = req(a, 'out-dir', 'synth');
  let topics = list(a, 'topics');
  const tf = str(a, 'topics-file');
  if (tf)
    topics.push(
      ...readFileSync(tf, 'utf8')
        .split('\n')
        .map((x) => x.trim())
        .filter(Boolean),
    );
  const from = list(a, 'topics-from');
  if (from.length) {
    const docs: Document[] = [];
    for await (const d of readAll(from)) docs.push(d);
    topics = [
      ...topics,
      ...topicsFromDocs(docs, 'edu_score', num(a, 'min-score', 3), num(a, 'max-topics', 100)),
    ];
  }
  if (topics.length === 0)
    throw new Error('pocketlm data synth: give --topics, --topics-file or --topics-from');
  const formats = list(a, 'formats');
  const audiences = list(a, 'audiences');
  const jobs = makeJobs(
    topics,
    formats.length ? formats : ['textbook', 'story', 'exercise', 'qa'],
    audiences.length ? audiences : ['middle_school'],
    num(a, 'samples', 1),
  );
  const r = await runSynth(jobs, {
    generator: await generatorFrom(a, 'synth', join(outDir, 'cache')),
    outDir,
    concurrency: num(a, 'concurrency', 4),
  });
  console.log(`synth: ${r.generated} generated, ${r.skipped} already done → ${r.output}`);
  const pipe = str(a, 'pipeline');
  if (pipe) {
    const cfg = loadConfig(pipe, join(resolve(outDir), 'filtered'));
    cfg.input = { type: 'jsonl', paths: [resolve(r.output)], fields: { ...DEFAULT_FIELDS }, limit: 0 };
    const res = await runPipeline(cfg, { progress: !get(a, 'quiet') });
    console.log(`synth filter: ${res.stats.docs_written}/${res.stats.docs_read} kept → ${res.runDir}/output`);
  }
}

/**
 * `pocketlm data mix <mix.yaml>` — build token shards (manifest.json + .bin) for the trainer.
 * Flags: `--tokenizer bytes` (default; UTF-8 bytes, vocab 257) or `--tokenizer-module M.js` (exports
 * `tokenize(text): number[]`, `vocabSize`, `eosId`, or a default export with those), `--vocab-size N`, `--eos-id N`.
 * Programmatic callers may pass `tokenizer: MixTokenizer`.
 */
export async function dataMix(a: CliArgs): Promise<void> {
  const specPath = positional(a, 0) ?? req(a, 'spec', 'mix');
  const spec = loadMixSpec(specPath);
  let tok: MixTokenizer = byteTokenizer;
  const given = get(a, 'tokenizer');
  if (given && typeof given === 'object') tok = given as MixTokenizer;
  const mod = str(a, 'tokenizer-module');
  if (mod) {
    const m = (await import(pathToFileURL(resolve(mod)).href)) as Record<string, unknown>;
    const src = (typeof m.tokenize === 'function' ? m : (m.default as Record<string, unknown>)) ?? {};
    if (typeof src.tokenize !== 'function') throw new Error(`${mod}: must export tokenize(text): number[]`);
    tok = {
      tokenize: src.tokenize as MixTokenizer['tokenize'],
      vocabSize: num(a, 'vocab-size') ?? Number(src.vocabSize),
      eosId: num(a, 'eos-id') ?? Number(src.eosId),
    };
    if (!Number.isInteger(tok.vocabSize) || !Number.isInteger(tok.eosId))
      throw new Error(`${mod}: need vocabSize and eosId (or --vocab-size/--eos-id)`);
  }
  const r = await runMix(spec, tok);
  for (const p of r.manifest.phases) {
    const t = p.splits.train.reduce((x, f) => x + f.tokens, 0);
    const v = p.splits.val.reduce((x, f) => x + f.tokens, 0);
    console.log(`${p.name}: train ${t} tokens in ${p.splits.train.length} file(s), val ${v} tokens`);
  }
  console.log(`manifest: ${join(spec.output_dir, 'manifest.json')}`);
}

/** Read a YAML file (helper for callers wiring config-driven commands). */
export function readYaml(path: string): unknown {
  return parse(readFileSync(path, 'utf8'));
}
