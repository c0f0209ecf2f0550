// npm run bench: pocketlm vs llama.cpp on the same Phi-3-mini-shaped random files, same threads, alternating
// runs; medians and ratios; memory bandwidth (STREAM-like triad) for context. Writes bench/results/runtime.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { readGgufHeader } from '../src/format/gguf-node.js';
import { avx2Engine } from './engines/llamacpp-avx2.js';
import { cachedRandomModel } from './random-model.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const preset = args.get('preset') ?? 'phi3-mini';
const layers = args.get('layers'); // fewer layers of the same shape (quick runs)
const types = (args.get('types') ?? 'q4_0,q4_k_m').split(',');
const threadsList = (args.get('threads') ?? '1,2').split(',').map(Number);
const runs = Number(args.get('runs') ?? 3);
const nPrompt = Number(args.get('prompt') ?? 512);
const nGen = Number(args.get('gen') ?? 128);
/** Context size of the memory rows (KV caches allocated for this many positions). */
const memCtx = Number(args.get('mem-ctx') ?? 4096);
const root = new URL('..', import.meta.url).pathname;
/** Also measure llama.cpp's AVX2 build (the issue's reference figures); `--avx2 0` skips it. */
const avx2 = args.get('avx2') === '0' ? undefined : avx2Engine(root);

const modelFile = (type: string) => cachedRandomModel(preset, type, layers);

/**
 * Memory bandwidth in GB/s, the decode ceiling: the best of a STREAM-like triad in JS (a = b + s·c, 3 × 256 MB)
 * and a native copy (TypedArray.set → memcpy, read + write counted), best of 5 each. The JIT's scalar triad
 * alone under-reports what SIMD code reaches.
 */
function triad(): number {
  const n = 64 * 1024 * 1024;
  const a = new Float32Array(n);
  const b = new Float32Array(n).fill(1);
  const c = new Float32Array(n).fill(2);
  let best = 0;
  for (let r = 0; r < 5; r++) {
    let t = performance.now();
    for (let i = 0; i < n; i++) a[i] = b[i]! + 0.5 * c[i]!;
    best = Math.max(best, (3 * 4 * n) / ((performance.now() - t) / 1000) / 1e9);
    t = performance.now();
    a.set(b);
    best = Math.max(best, (2 * 4 * n) / ((performance.now() - t) / 1000) / 1e9);
  }
  return best;
}

type Result = {
  engine: string;
  backend: string;
  cpu?: string;
  load_ms: number;
  prefill_tps: number;
  decode_tps: number;
  peak_rss_mb: number;
  prefill_cpu_s: number;
  decode_cpu_s: number;
};
function runOne(
  engine: 'pocketlm' | 'llamacpp' | 'llamacpp-avx2',
  file: string,
  threads: number,
  extra: string,
  shape: { prompt: number; gen: number; ctx?: number } = { prompt: nPrompt, gen: nGen },
): Result {
  const script = engine === 'llamacpp-avx2' ? avx2! : join(root, 'bench/engines', `${engine}.ts`);
  const r = spawnSync(
    process.execPath,
    [
      ...(engine === 'llamacpp-avx2' ? ['--preserve-symlinks', '--preserve-symlinks-main'] : []),
      '--import',
      'tsx',
      script,
      file,
      String(threads),
      String(shape.prompt),
      String(shape.gen),
      extra,
      String(shape.ctx ?? 0),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(`${engine} failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let bandwidth = 0; // measured after the engine runs: ru_maxrss survives exec, so a big triad first would inflate the children's peak RSS
// biome-ignore lint/suspicious/noExplicitAny: report rows are plain JSON
type Row = Record<string, any>;
const rows: Row[] = [];
for (const type of types) {
  const file = modelFile(type);
  for (const threads of threadsList) {
    const ours: Result[] = [];
    const ref: Result[] = [];
    const refAvx2: Result[] = [];
    for (let r = 0; r < runs; r++) {
      ours.push(runOne('pocketlm', file, threads, 'f16'));
      ref.push(runOne('llamacpp', file, threads, 'mmap'));
      if (avx2) refAvx2.push(runOne('llamacpp-avx2', file, threads, 'mmap'));
      console.error(
        `${type} t=${threads} run ${r + 1}: pocketlm ${ours.at(-1)!.decode_tps.toFixed(2)} / ${ours.at(-1)!.prefill_tps.toFixed(1)} tok/s (decode / prefill), llama.cpp ${ref.at(-1)!.decode_tps.toFixed(2)} / ${ref.at(-1)!.prefill_tps.toFixed(1)}` +
          (avx2
            ? `, llama.cpp AVX2 build ${refAvx2.at(-1)!.decode_tps.toFixed(2)} / ${refAvx2.at(-1)!.prefill_tps.toFixed(1)}`
            : ''),
      );
    }
    const m = (xs: Result[], k: keyof Result) => median(xs.map((x) => x[k] as number));
    // Bytes streamed per decoded token: every weight but token_embd (only one row of it is read).
    const { header } = readGgufHeader(file);
    const fileBytes = header.tensors
      .filter((t) => t.name !== 'token_embd.weight')
      .reduce((a, t) => a + t.nBytes, 0);
    rows.push({
      type,
      threads,
      pocketlm: {
        load_ms: m(ours, 'load_ms'),
        prefill_tps: m(ours, 'prefill_tps'),
        decode_tps: m(ours, 'decode_tps'),
        peak_rss_mb: m(ours, 'peak_rss_mb'),
        prefill_tokens_per_cpu_s: nPrompt / m(ours, 'prefill_cpu_s'),
        decode_tokens_per_cpu_s: nGen / m(ours, 'decode_cpu_s'),
        backend: ours[0]!.backend,
      },
      llamacpp: {
        cpu: ref[0]!.cpu,
        load_ms: m(ref, 'load_ms'),
        prefill_tps: m(ref, 'prefill_tps'),
        decode_tps: m(ref, 'decode_tps'),
        peak_rss_mb: m(ref, 'peak_rss_mb'),
        prefill_tokens_per_cpu_s: nPrompt / m(ref, 'prefill_cpu_s'),
        decode_tokens_per_cpu_s: nGen / m(ref, 'decode_cpu_s'),
      },
      ratio: {
        decode: m(ours, 'decode_tps') / m(ref, 'decode_tps'),
        prefill: m(ours, 'prefill_tps') / m(ref, 'prefill_tps'),
        load: m(ours, 'load_ms') / m(ref, 'load_ms'),
        // per CPU-second: the fair comparison at 1 thread when other work shares the machine
        decode_per_cpu_s: m(ref, 'decode_cpu_s') / m(ours, 'decode_cpu_s'),
        prefill_per_cpu_s: m(ref, 'prefill_cpu_s') / m(ours, 'prefill_cpu_s'),
      },
      // llama.cpp's AVX2 build (what the issue's reference figures were measured with)
      llamacpp_avx2: avx2
        ? {
            cpu: refAvx2[0]!.cpu,
            load_ms: m(refAvx2, 'load_ms'),
            prefill_tps: m(refAvx2, 'prefill_tps'),
            decode_tps: m(refAvx2, 'decode_tps'),
            ratio_decode: m(ours, 'decode_tps') / m(refAvx2, 'decode_tps'),
            ratio_prefill: m(ours, 'prefill_tps') / m(refAvx2, 'prefill_tps'),
          }
        : undefined,
      bytes_per_token: fileBytes,
    });
  }
}
// Peak RSS with a memCtx-position context (KV cache allocated for all of it), short prompt: the
// issue's memory figure. pocketlm with its f16 and 8-bit caches; llama.cpp (f16 cache) with and without mmap.
const memory: Row[] = [];
if (memCtx > 0) {
  for (const type of types) {
    const file = modelFile(type);
    const shape = { prompt: 32, gen: 8, ctx: memCtx };
    const t = threadsList.at(-1)!;
    const f16 = runOne('pocketlm', file, t, 'f16', shape);
    const q8 = runOne('pocketlm', file, t, 'q8_0', shape);
    const ref = runOne('llamacpp', file, t, 'nommap', shape);
    const refMmap = runOne('llamacpp', file, t, 'mmap', shape);
    memory.push({
      type,
      ctx: memCtx,
      pocketlm_f16_kv_mb: f16.peak_rss_mb,
      pocketlm_q8_0_kv_mb: q8.peak_rss_mb,
      pocketlm_q8_0_decode_tps: q8.decode_tps,
      pocketlm_f16_decode_tps: f16.decode_tps,
      llamacpp_no_mmap_mb: ref.peak_rss_mb,
      llamacpp_mmap_mb: refMmap.peak_rss_mb,
    });
    console.error(`memory ${type} ctx ${memCtx}: ${JSON.stringify(memory.at(-1))}`);
  }
}
bandwidth = triad();
for (const r of rows)
  r.decode_fraction_of_bandwidth = (r.pocketlm.decode_tps * r.bytes_per_token) / (bandwidth * 1e9);
const result = {
  date: new Date().toISOString(),
  load_average: loadavg(),
  preset,
  prompt_tokens: nPrompt,
  gen_tokens: nGen,
  runs,
  triad_gb_s: bandwidth,
  rows,
  memory,
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/runtime.json'), `${JSON.stringify(result, null, 2)}\n`);
const lines = [
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(
      ' ',
    )} (other work on the machine lowers wall-clock speeds; the per-CPU-second ratios are robust at 1 thread)`,
  `pocketlm vs llama.cpp — ${preset}${layers ? ` (${layers} layers)` : ''}, prompt ${nPrompt}, decode ${nGen}, median of ${runs}; triad ${bandwidth.toFixed(1)} GB/s`,
];
lines.push(
  'type    thr | decode tok/s ours / llama (ratio) | prefill tok/s ours / llama (ratio) | load ms ours / llama | RSS MB ours / llama (mmap) | decode % of bandwidth',
);
for (const r of rows) {
  lines.push(
    `${r.type.padEnd(7)} ${String(r.threads).padStart(3)} | ${r.pocketlm.decode_tps.toFixed(2)} / ${r.llamacpp.decode_tps.toFixed(2)} (${r.ratio.decode.toFixed(2)}; per CPU-s ${r.ratio.decode_per_cpu_s.toFixed(2)}) | ` +
      `${r.pocketlm.prefill_tps.toFixed(1)} / ${r.llamacpp.prefill_tps.toFixed(1)} (${r.ratio.prefill.toFixed(2)}; per CPU-s ${r.ratio.prefill_per_cpu_s.toFixed(2)}) | ${r.pocketlm.load_ms.toFixed(0)} / ${r.llamacpp.load_ms.toFixed(0)} | ` +
      `${r.pocketlm.peak_rss_mb.toFixed(0)} / ${r.llamacpp.peak_rss_mb.toFixed(0)} | ${(100 * r.decode_fraction_of_bandwidth).toFixed(0)}%`,
  );
}
if (avx2) {
  lines.push(
    "the same runs against llama.cpp's AVX2 build (haswell library; the issue's reference figures):",
  );
  lines.push(
    'type    thr | decode tok/s ours / llama AVX2 (ratio) | prefill tok/s ours / llama AVX2 (ratio)',
  );
  for (const r of rows) {
    const a = r.llamacpp_avx2;
    lines.push(
      `${r.type.padEnd(7)} ${String(r.threads).padStart(3)} | ${r.pocketlm.decode_tps.toFixed(2)} / ${a.decode_tps.toFixed(2)} (${a.ratio_decode.toFixed(2)}) | ` +
        `${r.pocketlm.prefill_tps.toFixed(1)} / ${a.prefill_tps.toFixed(1)} (${a.ratio_prefill.toFixed(2)})`,
    );
  }
}
for (const m of memory) {
  lines.push(
    `peak RSS, ${m.ctx}-token context, ${m.type}: pocketlm ${m.pocketlm_f16_kv_mb.toFixed(0)} MB (f16 KV), ${m.pocketlm_q8_0_kv_mb.toFixed(0)} MB (8-bit KV); llama.cpp ${m.llamacpp_no_mmap_mb.toFixed(0)} MB no-mmap, ${m.llamacpp_mmap_mb.toFixed(0)} MB mmap`,
  );
}
console.log(lines.join('\n'));
writeFileSync(join(root, 'bench/results/runtime.txt'), `${lines.join('\n')}\n`);
