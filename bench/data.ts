// Data toolkit benchmark: MB/s/core of the heuristic filter chain and of MinHash (1 and 2 workers), S-curve, langid,
// and annotation / synthetic generation throughput (docs/minute) on the local engine (models/default.gguf).
// Usage: npm run bench:data [-- --mb 100] [--quick] [--keep] [--model models/default.gguf] [--annotate 40] [--synth 16]
//   → writes bench/results/data.json (--quick: a smoke run on 8 MB, results in $TMPDIR/pocketlm-bench-data-quick.json)
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { minHasher, signature } from '../src/data/dedup/minhash.js';
import { measureSCurve } from '../src/data/dedup/s-curve.js';
import type { Filter } from '../src/data/document.js';
import { c4 } from '../src/data/filters/c4.js';
import { fineweb } from '../src/data/filters/fineweb.js';
import { gopherQuality } from '../src/data/filters/gopher-quality.js';
import { gopherRepetition } from '../src/data/filters/gopher-repetition.js';
import { language } from '../src/data/filters/language.js';
import { identifyLanguage } from '../src/data/langid/langid.js';
import { HELDOUT_TEXT } from '../src/data/langid/samples.js';
import { resolveConfig } from '../src/data/pipeline/config.js';
import { runPipeline } from '../src/data/pipeline/runner.js';
import { syntheticJsonl } from '../src/data/synthetic-web.js';

const argv = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const quick = argv.includes('--quick');
const totalMb = arg('mb', quick ? 8 : 100);
const strArg = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] as string) : def;
};
const modelPath = strArg('model', 'models/default.gguf');
const nAnnotate = arg('annotate', quick ? 6 : 40);
const nSynth = arg('synth', quick ? 4 : 16);
const shards = 8;
const dir = mkdtempSync(join(tmpdir(), 'pocketlm-bench-data-'));
const log = (s: string) => process.stderr.write(`${s}\n`);

// 1. corpus
const t = performance.now();
mkdirSync(join(dir, 'in'));
let inputBytes = 0;
for (let s = 0; s < shards; s++) {
  const p = join(dir, 'in', `shard-${s}.jsonl`);
  writeFileSync(p, [...syntheticJsonl(1000 + s, (totalMb * 1e6) / shards)].join(''));
  inputBytes += statSync(p).size;
}
log(
  `corpus: ${(inputBytes / 1e6).toFixed(1)} MB in ${shards} shards (${((performance.now() - t) / 1000).toFixed(1)} s)`,
);

// 2. in-process filter breakdown (no I/O) on a 10 MB sample
const sample = [...syntheticJsonl(7, quick ? 2e6 : 10e6)].map((l) => JSON.parse(l) as { text: string });
const sampleMb = sample.reduce((a, d) => a + Buffer.byteLength(d.text), 0) / 1e6;
/** CPU seconds (user + system, all threads of this process) since `c0`. */
const cpuSince = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
};
const breakdown: Record<string, { mb_per_wall_s: number; mb_per_cpu_s: number }> = {};
/** Best of two runs (the first one includes JIT warm-up). */
const fresh = () => sample.map((d) => ({ id: 'x', text: d.text, metadata: {} }));
const measure = (name: string, fn: (docs: ReturnType<typeof fresh>) => void) => {
  for (let rep = 0; rep < 2; rep++) {
    const docs = fresh();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn(docs);
    const r = {
      mb_per_wall_s: sampleMb / ((performance.now() - t0) / 1000),
      mb_per_cpu_s: sampleMb / cpuSince(c0),
    };
    const prev = breakdown[name];
    if (!prev || r.mb_per_cpu_s > prev.mb_per_cpu_s) breakdown[name] = r;
  }
};
const chain: Filter[] = [language(), gopherRepetition(), gopherQuality(), c4(), fineweb()];
for (const f of chain) {
  measure(f.name, (docs) => {
    for (const d of docs) f.filter(d);
  });
}
{
  measure('chain_in_process', (docs) => {
    for (const d of docs) for (const f of chain) if (f.filter(d) !== true) break;
  });
  const h = minHasher();
  measure('minhash_signatures_in_process', () => {
    for (const d of sample) signature(h, d.text);
  });
}
log(
  `in-process MB per CPU-second: ${Object.entries(breakdown)
    .map(([k, v]) => `${k} ${v.mb_per_cpu_s.toFixed(1)}`)
    .join(', ')}`,
);

// 3. pipeline runs (reading, stats, writing included)
async function timed(name: string, stages: unknown[], workers: number) {
  const cfg = resolveConfig(
    {
      name,
      input: { type: 'jsonl', paths: ['in'] },
      stages,
      output: { type: 'jsonl', compression: 'none', rejected: false },
    },
    `bench:${name}`,
    dir,
    join(dir, `run-${name}-w${workers}`),
  );
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runPipeline(cfg, { workers, progress: false });
  const s = (performance.now() - t0) / 1000;
  const cpu = cpuSince(c0);
  const mbps = inputBytes / 1e6 / s;
  const perCpu = inputBytes / 1e6 / cpu;
  log(
    `${name} workers=${workers}: ${s.toFixed(1)} s wall, ${cpu.toFixed(1)} CPU-s, ${mbps.toFixed(1)} MB/s wall, ${(mbps / workers).toFixed(1)} MB/s/core wall, ${perCpu.toFixed(1)} MB per CPU-s, kept ${r.stats.docs_written}/${r.stats.docs_read}`,
  );
  return {
    workers,
    loadavg_1m: loadavg()[0],
    seconds: s,
    cpu_seconds: cpu,
    mb_per_s: mbps,
    mb_per_s_per_core: mbps / workers,
    mb_per_cpu_s: perCpu,
    docs_read: r.stats.docs_read,
    docs_written: r.stats.docs_written,
  };
}
/** annotate() and runSynth() through the local engine: documents per minute (the model is tiny: scores are noise). */
async function localEngine() {
  const { PocketModel } = await import('../src/engine/pocket-model.js');
  const { localGenerator } = await import('../src/data/local-generator.js');
  const { annotate } = await import('../src/data/edu/annotate.js');
  const { makeJobs, runSynth } = await import('../src/data/synth/synth.js');
  const { readJsonl } = await import('../src/data/readers/jsonl.js');
  const { DEFAULT_FIELDS } = await import('../src/data/readers/fields.js');
  const model = await PocketModel.load(modelPath, { threads: 1 });
  const info = {
    model: modelPath,
    backend: model.backendName,
    n_ctx_train: model.config.nCtxTrain,
    n_layer: model.config.nLayer,
    n_embd: model.config.nEmbd,
    file_bytes: statSync(modelPath).size,
  };
  // annotate: the first nAnnotate documents of one input shard, concurrency 1, one engine thread
  const g1 = localGenerator(model);
  const t0 = performance.now();
  const a = await annotate(readJsonl(join(dir, 'in', 'shard-0.jsonl'), DEFAULT_FIELDS), {
    generator: g1,
    output: join(dir, 'annotated.jsonl'),
    concurrency: 1,
    limit: nAnnotate,
  });
  const ta = (performance.now() - t0) / 1000;
  const docsA = a.annotated + a.unparsable;
  // synth: topics × formats × audiences jobs
  const topics = ['rivers', 'fractions', 'magnets', 'volcanoes', 'the water cycle', 'simple machines'];
  const jobs = makeJobs(
    topics,
    ['textbook', 'story', 'exercise', 'qa'],
    ['young_children', 'middle_school'],
    1,
  ).slice(0, nSynth);
  const g2 = localGenerator(model);
  const t1 = performance.now();
  const sr = await runSynth(jobs, { generator: g2, outDir: join(dir, 'synth'), concurrency: 1 });
  const ts = (performance.now() - t1) / 1000;
  const r = {
    ...info,
    threads: 1,
    annotate: {
      docs: docsA,
      seconds: ta,
      docs_per_minute: (docsA * 60) / ta,
      parsable_scores: a.annotated,
      unparsable: a.unparsable,
      prompts_truncated_to_context: g1.usage.truncated,
      prompt_tokens: g1.usage.promptTokens,
      generated_tokens: g1.usage.generatedTokens,
      generated_tokens_per_s: g1.usage.generatedTokens / ta,
    },
    synth: {
      docs: sr.generated,
      seconds: ts,
      docs_per_minute: (sr.generated * 60) / ts,
      prompts_truncated_to_context: g2.usage.truncated,
      prompt_tokens: g2.usage.promptTokens,
      generated_tokens: g2.usage.generatedTokens,
      generated_tokens_per_s: g2.usage.generatedTokens / ts,
    },
  };
  log(
    `local engine (${modelPath}, ${info.backend}): annotate ${r.annotate.docs_per_minute.toFixed(0)} docs/min, synth ${r.synth.docs_per_minute.toFixed(0)} docs/min`,
  );
  return r;
}

const heuristic = ['language', 'gopher_repetition', 'gopher_quality', 'c4', 'fineweb'];
const results = {
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    loadavg_at_start: loadavg(),
    node: process.version,
  },
  input_mb: inputBytes / 1e6,
  in_process_mb_per_s: breakdown,
  heuristic_chain: [await timed('heuristic', heuristic, 1), await timed('heuristic', heuristic, 2)],
  minhash: [await timed('minhash', ['minhash_dedup'], 1), await timed('minhash', ['minhash_dedup'], 2)],
  s_curve_14x8: measureSCurve([0.9, 0.8, 0.7, 0.5], quick ? 150 : 1000),
  local_engine: await localEngine(),
  langid_heldout: (() => {
    let ok = 0;
    let n = 0;
    for (const [l, xs] of Object.entries(HELDOUT_TEXT)) {
      for (const x of xs) {
        n++;
        if (identifyLanguage(x).lang === l) ok++;
      }
    }
    return { sentences: n, correct: ok, accuracy: ok / n };
  })(),
  loadavg_at_end: loadavg(),
};
// a --quick smoke run does not overwrite the committed results
const outFile = quick ? join(tmpdir(), 'pocketlm-bench-data-quick.json') : 'bench/results/data.json';
mkdirSync('bench/results', { recursive: true });
writeFileSync(outFile, `${JSON.stringify(results, null, 1)}\n`);
if (!argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
console.log('heuristic chain (langid + Gopher + C4 + FineWeb):');
for (const r of results.heuristic_chain)
  console.log(
    `  ${r.workers} worker(s): ${r.mb_per_s_per_core.toFixed(1)} MB/s/core wall (${r.mb_per_s.toFixed(1)} MB/s), ${r.mb_per_cpu_s.toFixed(1)} MB per CPU-second`,
  );
console.log('MinHash (signatures + merge + filter):');
for (const r of results.minhash)
  console.log(
    `  ${r.workers} worker(s): ${r.mb_per_s_per_core.toFixed(1)} MB/s/core wall (${r.mb_per_s.toFixed(1)} MB/s), ${r.mb_per_cpu_s.toFixed(1)} MB per CPU-second`,
  );
console.log(
  'S-curve (14×8):',
  results.s_curve_14x8
    .map((p) => `J≈${p.mean_jaccard.toFixed(2)}: ${p.detected.toFixed(3)} vs ${p.expected.toFixed(3)}`)
    .join('; '),
);
console.log(`langid held-out: ${results.langid_heldout.correct}/${results.langid_heldout.sentences}`);
const le = results.local_engine;
console.log(
  `local engine ${le.model} (${le.backend}, n_ctx ${le.n_ctx_train}): annotate ${le.annotate.docs_per_minute.toFixed(0)} docs/min (${le.annotate.parsable_scores}/${le.annotate.docs} parsable scores), synth ${le.synth.docs_per_minute.toFixed(0)} docs/min`,
);
console.log(
  `load average start ${results.machine.loadavg_at_start.map((x) => x.toFixed(1)).join(' ')}, end ${results.loadavg_at_end.map((x) => x.toFixed(1)).join(' ')} on ${results.machine.cpus} CPUs`,
);
console.log(`→ ${outFile}`);
