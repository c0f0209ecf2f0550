// Command functions `eval ppl`, `eval kld` and `eval mc`; the CLI dispatcher wires them with a model loader.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatKld, type KldChunkStats, type KldResult, klDivergence } from './kld.js';
import { type KldBaseSummary, klDivergenceFromBase, saveKldBase } from './kld-base-node.js';
import { jsonlStateStore, loadArc, loadHellaswag, loadMmlu } from './mc/load-node.js';
import { formatMcTable, type McReport, runMc } from './mc/score.js';
import type { McTaskData } from './mc/types.js';
import type { ScoringModel } from './model.js';
import { formatPerplexity, type PerplexityResult, perplexity } from './perplexity.js';
import { createProgressBar, type ProgressSink } from './progress.js';

/** What the commands need from the host CLI. */
export interface EvalCliDeps {
  /** Loads a model by path or name. */
  loadModel(pathOrName: string): Promise<ScoringModel>;
  /** Results (default process.stdout). */
  stdout?: { write(s: string): unknown };
  /** Progress bar and notes (default process.stderr). */
  stderr?: ProgressSink;
  signal?: AbortSignal;
}

/** Usage text of the three commands. */
export const EVAL_USAGE = `pocketlm eval ppl -m MODEL -f TEXT [-c N_CTX=512] [-b N_BATCH=2048] [--chunks N] [--one-window] [--json]
pocketlm eval kld --base F16_MODEL --quant Q_MODEL -f TEXT [-c 512] [-b 2048] [--chunks N] [--one-window] [--json]
pocketlm eval kld --base F16_MODEL -f TEXT --save-base FILE [-c 512] …   then   eval kld --base-file FILE --quant Q_MODEL
pocketlm eval mc -m MODEL (--mmlu DIR | --arc FILE | --hellaswag FILE)... [--shots K | --shots mmlu=5,arc_challenge=25]
                 [--arc-fewshot FILE] [--hellaswag-fewshot FILE] [--chat] [--limit N] [--subjects a,b] [--split test] [--max-tokens N] [--state FILE.jsonl] [--json]`;

function int(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new Error(`--${name} expects an integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** `--shots 5` (every task) or `--shots mmlu=5,arc_challenge=25` (per task, others 0). */
function parseShots(v: string | undefined): number | Record<string, number> | undefined {
  if (v === undefined || /^\d+$/.test(v)) return int(v, 'shots');
  const out: Record<string, number> = {};
  for (const part of v.split(',')) {
    const m = /^\s*([\w-]+)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m) throw new Error(`--shots expects K or task=K,…, got ${JSON.stringify(v)}`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

function need(v: string | undefined, flag: string, cmd: string): string {
  if (!v) throw new Error(`eval ${cmd}: missing ${flag}\n${EVAL_USAGE}`);
  return v;
}

function readText(file: string): string {
  return readFileSync(file, 'utf8');
}

const windowFlags = {
  file: { type: 'string', short: 'f' },
  'ctx-size': { type: 'string', short: 'c' },
  'batch-size': { type: 'string', short: 'b' },
  chunks: { type: 'string' },
  'one-window': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** `eval ppl`: llama.cpp-style perplexity of a text file; prints `[i]ppl,…` and the final estimate (or JSON). */
export async function evalPpl(args: string[], deps: EvalCliDeps): Promise<PerplexityResult> {
  const { values: v } = parseArgs({
    args,
    options: { model: { type: 'string', short: 'm' }, ...windowFlags },
  });
  const modelPath = need(v.model, '-m MODEL', 'ppl');
  const text = readText(need(v.file, '-f TEXT', 'ppl'));
  const model = await deps.loadModel(modelPath);
  const stdout = deps.stdout ?? process.stdout;
  const bar = createProgressBar(deps.stderr ?? process.stderr, 'perplexity');
  try {
    const r = perplexity(model, text, {
      nCtx: int(v['ctx-size'], 'ctx-size'),
      nBatch: int(v['batch-size'], 'batch-size'),
      nChunks: int(v.chunks, 'chunks'),
      llamaCppMinimum: !v['one-window'],
      signal: deps.signal,
      onProgress: (p) => bar.update(p.chunk, p.nChunks, `ppl ${p.ppl.toFixed(4)}`),
    });
    bar.end();
    stdout.write(v.json ? `${JSON.stringify(r, null, 2)}\n` : formatPerplexity(r));
    return r;
  } finally {
    bar.end();
  }
}

/**
 * `eval kld`: quantization loss of `--quant` against `--base` (llama.cpp's --kl-divergence report, or
 * JSON). Two-step like llama.cpp: `--base M -f TEXT --save-base FILE` stores the base log-probs, then
 * `--base-file FILE --quant Q` compares without loading the base model.
 */
export async function evalKld(args: string[], deps: EvalCliDeps): Promise<KldResult | KldBaseSummary> {
  const { values: v } = parseArgs({
    args,
    options: {
      base: { type: 'string' },
      quant: { type: 'string', short: 'q' },
      'save-base': { type: 'string' },
      'base-file': { type: 'string' },
      ...windowFlags,
    },
  });
  const stdout = deps.stdout ?? process.stdout;
  const bar = createProgressBar(deps.stderr ?? process.stderr, 'kl-divergence');
  const windows = {
    nCtx: int(v['ctx-size'], 'ctx-size'),
    nBatch: int(v['batch-size'], 'batch-size'),
    nChunks: int(v.chunks, 'chunks'),
    llamaCppMinimum: !v['one-window'],
    signal: deps.signal,
  };
  try {
    if (v['save-base']) {
      const basePath = need(v.base, '--base MODEL', 'kld');
      const text = readText(need(v.file, '-f TEXT', 'kld'));
      const base = await deps.loadModel(basePath);
      const s = saveKldBase(base, text, v['save-base'], {
        ...windows,
        onProgress: (p) => bar.update(p.chunk, p.nChunks, `ppl ${p.ppl.toFixed(4)}`),
      });
      bar.end();
      stdout.write(
        v.json
          ? `${JSON.stringify({ base: basePath, ...s }, null, 2)}\n`
          : `wrote ${s.path}: ${s.nChunks} windows of ${s.nCtx} tokens, n_vocab ${s.nVocab}, ${s.bytes} bytes; base PPL = ${s.ppl.toFixed(4)}\n`,
      );
      return s;
    }
    const quantPath = need(v.quant, '--quant MODEL', 'kld');
    let r: KldResult;
    let basePath: string;
    const onProgress = (c: KldChunkStats) => bar.update(c.chunk, c.nChunks, `KLD ${c.kld.value.toFixed(5)}`);
    if (v['base-file']) {
      basePath = v['base-file'];
      if (!existsSync(basePath)) throw new Error(`eval kld: --base-file ${basePath} does not exist`);
      const quant = await deps.loadModel(quantPath);
      r = klDivergenceFromBase(quant, basePath, {
        nChunks: windows.nChunks,
        signal: deps.signal,
        onProgress,
      });
    } else {
      basePath = need(v.base, '--base MODEL (or --base-file FILE)', 'kld');
      const text = readText(need(v.file, '-f TEXT', 'kld'));
      const base = await deps.loadModel(basePath);
      const quant = await deps.loadModel(quantPath);
      r = klDivergence(base, quant, text, { ...windows, onProgress });
    }
    bar.end();
    stdout.write(
      v.json ? `${JSON.stringify({ base: basePath, quant: quantPath, ...r }, null, 2)}\n` : formatKld(r),
    );
    return r;
  } finally {
    bar.end();
  }
}

/** `eval mc`: MMLU / ARC / HellaSwag accuracy; prints a table (or JSON without per-item results). */
export async function evalMc(args: string[], deps: EvalCliDeps): Promise<McReport> {
  const { values: v } = parseArgs({
    args,
    options: {
      model: { type: 'string', short: 'm' },
      mmlu: { type: 'string' },
      arc: { type: 'string', multiple: true },
      hellaswag: { type: 'string' },
      'arc-fewshot': { type: 'string' },
      'hellaswag-fewshot': { type: 'string' },
      shots: { type: 'string', short: 'k' },
      chat: { type: 'boolean' },
      limit: { type: 'string' },
      subjects: { type: 'string' },
      split: { type: 'string' },
      'max-tokens': { type: 'string' },
      state: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const modelPath = need(v.model, '-m MODEL', 'mc');
  const tasks: McTaskData[] = [];
  if (v.mmlu)
    tasks.push(loadMmlu(v.mmlu, { split: v.split, subjects: v.subjects?.split(',').map((s) => s.trim()) }));
  for (const f of v.arc ?? []) tasks.push(loadArc(f, { fewshotFile: v['arc-fewshot'] }));
  if (v.hellaswag) tasks.push(loadHellaswag(v.hellaswag, { fewshotFile: v['hellaswag-fewshot'] }));
  if (tasks.length === 0)
    throw new Error(`eval mc: give at least one of --mmlu DIR, --arc FILE, --hellaswag FILE\n${EVAL_USAGE}`);
  const model = await deps.loadModel(modelPath);
  const stdout = deps.stdout ?? process.stdout;
  const bar = createProgressBar(deps.stderr ?? process.stderr, 'multiple-choice');
  try {
    const report = await runMc(model, tasks, {
      shots: parseShots(v.shots),
      chat: v.chat === true,
      limit: int(v.limit, 'limit'),
      maxTokens: int(v['max-tokens'], 'max-tokens'),
      state: v.state ? jsonlStateStore(v.state) : undefined,
      fingerprint: { model: modelPath, split: v.split ?? 'test' },
      signal: deps.signal,
      onProgress: (p) =>
        bar.update(p.done, p.total, `${p.task} acc ${((100 * p.correct) / p.done).toFixed(1)}%`),
    });
    bar.end();
    const { results: _results, ...summary } = report;
    stdout.write(
      v.json ? `${JSON.stringify({ model: modelPath, ...summary }, null, 2)}\n` : formatMcTable(report),
    );
    return report;
  } finally {
    bar.end();
  }
}
