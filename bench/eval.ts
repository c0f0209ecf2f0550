// npx tsx bench/eval.ts: tokens/s of `eval ppl` (pocketlm) beside llama.cpp's prefill on the same Phi-3-shaped
// file, same threads, each engine in its own process; writes bench/results/eval.json and prints a summary.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { cachedRandomModel } from './random-model.js';

const root = new URL('..', import.meta.url).pathname;
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');

/** A deterministic pseudo-English text of `nWords` words (xorshift32 over a fixed word list). */
function benchText(nWords: number): string {
  const words = (
    'the of and to in is was for on that with as by at from his her it an were are which this be or has had ' +
    'not but first one their its new after who they two have all been into time other when during there more ' +
    'she would him up over most later only three years city may world people so second some state before ' +
    'while made many where than then film game team season river water small large north south house school'
  ).split(' ');
  let s = 0x2545f491;
  const out: string[] = [];
  for (let i = 0; i < nWords; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out.push(words[s % words.length]!);
    if (i % 12 === 11) out[out.length - 1] += '.';
  }
  return `${out.join(' ')}\n`;
}

// ---- worker processes: one engine each, prints one JSON line ----------------------------------------------

async function pocketlmWorker(
  file: string,
  textPath: string,
  threads: number,
  nCtx: number,
  nChunks: number,
) {
  const { readFileSync } = await import('node:fs');
  const { PocketModel } = await import('../src/engine/pocket-model.js');
  const { scoringModel } = await import('../src/engine/adapters.js');
  const { perplexity } = await import('../src/eval/index.js');
  const t0 = performance.now();
  const model = await PocketModel.load(file, { threads });
  const loadMs = performance.now() - t0;
  const sm = scoringModel(model);
  const text = readFileSync(textPath, 'utf8');
  const chunkMs: number[] = [];
  let last = performance.now();
  const t1 = last;
  // the same call `pocketlm eval ppl -m FILE -f TEXT -c N_CTX --chunks N` makes
  const r = perplexity(sm, text, {
    nCtx,
    nChunks,
    onProgress: () => {
      const now = performance.now();
      chunkMs.push(now - last);
      last = now;
    },
  });
  const evalMs = performance.now() - t1;
  const tokens = r.nChunks * nCtx;
  // the engine's plain prefill (logits of the last position only) on the first window, to separate the
  // harness's cost (all-position logits, log-softmax) from the engine's speed
  const w = sm.tokenize(text).slice(0, nCtx);
  const t2 = performance.now();
  model.logits(w, 'last');
  const prefillTps = (1000 * w.length) / (performance.now() - t2);
  const out = {
    engine: 'pocketlm',
    backend: model.backendName,
    load_ms: loadMs,
    tokens,
    eval_ms: evalMs,
    tps: (1000 * tokens) / evalMs,
    chunk_tps: chunkMs.map((ms) => (1000 * nCtx) / ms),
    ppl: r.ppl,
    prefill_last_tps: prefillTps,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  model.dispose();
}

async function llamaWorker(file: string, textPath: string, threads: number, nCtx: number, nChunks: number) {
  const { readFileSync } = await import('node:fs');
  const { getLlama } = await import('node-llama-cpp');
  const t0 = performance.now();
  const llama = await getLlama({
    gpu: false,
    build: 'never',
    logLevel: 'error' as never,
    progressLogs: false,
  });
  const m = await llama.loadModel({ modelPath: file });
  const ctx = await m.createContext({ contextSize: nCtx, batchSize: nCtx, threads, flashAttention: false });
  const seq = ctx.getSequence();
  const loadMs = performance.now() - t0;
  const tokens = [1, ...(m.tokenize(readFileSync(textPath, 'utf8'), false) as number[])];
  const chunkMs: number[] = [];
  const t1 = performance.now();
  for (let c = 0; c < nChunks; c++) {
    const w = tokens.slice(c * nCtx, (c + 1) * nCtx);
    w[0] = 1; // BOS first, as llama-perplexity
    const t = performance.now();
    await seq.clearHistory();
    await seq.evaluateWithoutGeneratingNewTokens(w as never);
    chunkMs.push(performance.now() - t);
  }
  const evalMs = performance.now() - t1;
  const out = {
    engine: 'llama.cpp',
    backend: 'node-llama-cpp 3.21.1 cpu (prefill, logits of the last position only)',
    load_ms: loadMs,
    tokens: nChunks * nCtx,
    eval_ms: evalMs,
    tps: (1000 * nChunks * nCtx) / evalMs,
    chunk_tps: chunkMs.map((ms) => (1000 * nCtx) / ms),
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  await ctx.dispose();
  await m.dispose();
  process.exit(0);
}

// ---- driver ------------------------------------------------------------------------------------------------

interface WorkerResult {
  engine: string;
  backend: string;
  load_ms: number;
  tokens: number;
  eval_ms: number;
  tps: number;
  chunk_tps: number[];
  ppl?: number;
  prefill_last_tps?: number;
  peak_rss_mb: number;
}

function runWorker(
  kind: string,
  file: string,
  textPath: string,
  threads: number,
  nCtx: number,
  nChunks: number,
) {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'bench/eval.ts'),
      '--worker',
      kind,
      '--file',
      file,
      '--text',
      textPath,
      '--threads',
      String(threads),
      '--ctx',
      String(nCtx),
      '--chunks',
      String(nChunks),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(`${kind} failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as WorkerResult;
}

async function main() {
  const threads = Number(args.get('threads') ?? 2);
  const nCtx = Number(args.get('ctx') ?? 512);
  const nChunks = Number(args.get('chunks') ?? 2);
  const worker = args.get('worker');
  if (worker) {
    const file = args.get('file')!;
    const text = args.get('text')!;
    if (worker === 'pocketlm') await pocketlmWorker(file, text, threads, nCtx, nChunks);
    else await llamaWorker(file, text, threads, nCtx, nChunks);
    return;
  }
  const preset = args.get('preset') ?? 'phi3-mini';
  const layers = Number(args.get('layers') ?? 4);
  const type = args.get('type') ?? 'q4_0';
  const runs = Number(args.get('runs') ?? 1);
  const file = cachedRandomModel(preset, type, layers);
  // enough text for nChunks windows and llama.cpp's 2·n_ctx minimum (≥ 1 token per word here)
  const textPath = join(tmpdir(), `pocketlm-bench-eval-${process.pid}.txt`);
  writeFileSync(textPath, benchText((Math.max(nChunks, 2) + 1) * nCtx));
  const load0 = loadavg()[0]!;
  const ours: WorkerResult[] = [];
  const ref: WorkerResult[] = [];
  for (let i = 0; i < runs; i++) {
    console.error(`run ${i + 1}/${runs}: pocketlm eval ppl…`);
    ours.push(runWorker('pocketlm', file, textPath, threads, nCtx, nChunks));
    console.error(`run ${i + 1}/${runs}: llama.cpp prefill…`);
    ref.push(runWorker('llamacpp', file, textPath, threads, nCtx, nChunks));
  }
  rmSync(textPath, { force: true });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const oursTps = median(ours.map((r) => r.tps));
  const refTps = median(ref.map((r) => r.tps));
  const result = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      loadavg_1m_start: load0,
      loadavg_1m_end: loadavg()[0],
      note: 'shared machine: other work was running at the same time (see loadavg); numbers are indicative',
    },
    model: {
      file,
      preset,
      layers,
      type,
      note: `${preset} dimensions (n_embd 3072, n_ff 8192, 32 heads, n_vocab 32064) with ${layers} layers, random weights`,
    },
    settings: { threads, n_ctx: nCtx, chunks: nChunks, runs },
    pocketlm: ours,
    llamacpp: ref,
    pocketlm_tps: oursTps,
    pocketlm_prefill_last_tps: median(ours.map((r) => r.prefill_last_tps!)),
    llamacpp_prefill_tps: refTps,
    ratio: oursTps / refTps,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/eval.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `eval ppl throughput — ${preset} ×${layers} layers ${type}, n_ctx ${nCtx}, ${nChunks} windows, ${threads} threads, median of ${runs}\n` +
      `  pocketlm eval ppl : ${oursTps.toFixed(1)} tok/s (all-position logits; PPL ${ours[0]!.ppl?.toFixed(2)})\n` +
      `  pocketlm prefill  : ${median(ours.map((r) => r.prefill_last_tps!)).toFixed(1)} tok/s (same engine, one window, last-position logits)\n` +
      `  llama.cpp prefill : ${refTps.toFixed(1)} tok/s (last-position logits)\n` +
      `  ratio             : ${(oursTps / refTps).toFixed(2)}\n` +
      `  load average      : ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs (shared machine)\n` +
      '  wrote bench/results/eval.json',
  );
}

await main();
