// Training throughput: tokens/s of forward + backward + AdamW for ~1M / 5M / 20M-parameter phi3 configs,
// 1 and 2 threads, beside PyTorch CPU on the same configs when python3 with torch is available.
// Usage: npm run bench:train [-- --quick] [-- --python /usr/bin/python3] [-- --reps N] [-- --only 1M,5M]
//        → bench/results/train.json
// Runs alternate (pocketlm, PyTorch, pocketlm, …) and each side's median is reported, as wall-clock tokens/s and as
// tokens per CPU-second of the process (all its threads): on a shared machine the latter, for one thread, is close
// to what an idle machine gives; the load average is recorded beside every row.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { trainKernelsRelaxed, type WasmGemm } from '../src/train/gemm.js';
import { attachThreads } from '../src/train/gemm-threads.js';
import { TrainModel, type TrainModelConfig } from '../src/train/model.js';
import { AdamW, clipGradNorm } from '../src/train/optim.js';
import { Rng } from '../src/train/rng.js';

interface BenchCase {
  name: string;
  cfg: TrainModelConfig;
  B: number;
  T: number;
  steps: number;
}

const base = { ropeTheta: 10000, rmsEps: 1e-5, tiedEmbeddings: false, nCtx: 128 };
const cases: BenchCase[] = [
  {
    name: '1M',
    cfg: { ...base, nVocab: 2048, nEmbd: 128, nLayer: 3, nHead: 4, nHeadKv: 4, nFf: 384 },
    B: 8,
    T: 128,
    steps: 10,
  },
  {
    name: '5M',
    cfg: { ...base, nVocab: 4096, nEmbd: 256, nLayer: 4, nHead: 8, nHeadKv: 8, nFf: 704 },
    B: 8,
    T: 128,
    steps: 5,
  },
  {
    name: '20M',
    cfg: { ...base, nVocab: 8192, nEmbd: 384, nLayer: 8, nHead: 6, nHeadKv: 6, nFf: 1024 },
    B: 8,
    T: 128,
    steps: 2,
  },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const argOf = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const repsArg = Number(argOf('--reps') ?? 0);
const only = argOf('--only')?.split(',');
/** The first interpreter that imports torch (Debian's python3-torch lives in /usr/bin/python3). */
function findPython(): string {
  const want = argOf('--python');
  for (const cand of want ? [want] : ['python3', '/usr/bin/python3']) {
    const r = spawnSync(cand, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return cand;
  }
  return want ?? 'python3';
}
const py = findPython();

interface Speed {
  /** tokens per wall-clock second */
  wall: number;
  /** tokens per second of CPU time of the whole process */
  cpu: number;
}

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

function benchOurs(c: BenchCase, threads: number): Speed & { nParams: number; lossFirst: number } {
  const m = new TrainModel(c.cfg, c.B, c.T);
  if (threads > 1) attachThreads(m.gemm as WasmGemm, threads);
  const r = new Rng(1);
  m.init(() => r.next());
  const opt = new AdamW(
    { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 },
    m.tensors,
    m.nParams,
    m.adamState(),
  );
  const inputs = Int32Array.from({ length: c.B * c.T }, () => r.int(c.cfg.nVocab));
  const targets = Int32Array.from({ length: c.B * c.T }, () => r.int(c.cfg.nVocab));
  const step = () => {
    m.zeroGrads();
    const l = m.forwardBackward(inputs, targets);
    clipGradNorm(m.grads, 1);
    opt.step(m.params, m.grads, 1e-3);
    return l;
  };
  const lossFirst = step(); // warm-up (wasm tier-up, page faults)
  const steps = quick ? 1 : c.steps;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) step();
  const dt = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  (m.gemm as WasmGemm).splitter?.close?.();
  const tokens = steps * c.B * c.T;
  return { wall: tokens / dt, cpu: tokens / ((cu.user + cu.system) / 1e6), nParams: m.nParams, lossFirst };
}

function benchTorch(c: BenchCase, threads: number): Speed | undefined {
  const r = spawnSync(
    py,
    [
      'scripts/train-bench-torch.py',
      JSON.stringify({ cfg: c.cfg, B: c.B, T: c.T, steps: quick ? 1 : c.steps, threads }),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) {
    process.stderr.write(
      `PyTorch bench unavailable (${py}): ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}\n`,
    );
    return undefined;
  }
  const o = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
  return { wall: o.tok_s, cpu: o.cpu_tok_s };
}

const rows: Record<string, unknown>[] = [];
const loadBefore = loadavg()[0];
let torchOk = true;
for (const c of cases) {
  if (only && !only.includes(c.name)) continue;
  for (const threads of [1, 2]) {
    // alternate pocketlm and PyTorch runs and keep each side's median: the VM is shared and noisy
    const reps = repsArg || (quick ? 1 : c.name === '20M' ? 2 : 3);
    const ours: Speed[] = [];
    const torch: Speed[] = [];
    const load: number[] = [];
    let nParams = 0;
    for (let i = 0; i < reps; i++) {
      load.push(loadavg()[0]);
      const o = benchOurs(c, threads);
      nParams = o.nParams;
      ours.push(o);
      const t = torchOk ? benchTorch(c, threads) : undefined;
      if (t === undefined) torchOk = false;
      else torch.push(t);
    }
    const ow = median(ours.map((x) => x.wall));
    const oc = median(ours.map((x) => x.cpu));
    const tw = torch.length ? median(torch.map((x) => x.wall)) : undefined;
    const tc = torch.length ? median(torch.map((x) => x.cpu)) : undefined;
    const row = {
      config: c.name,
      params: nParams,
      n_embd: c.cfg.nEmbd,
      n_layer: c.cfg.nLayer,
      n_vocab: c.cfg.nVocab,
      batch: `${c.B}x${c.T}`,
      threads,
      pocketlm_tok_s: Math.round(ow),
      torch_tok_s: tw === undefined ? null : Math.round(tw),
      ratio: tw === undefined ? null : Number((ow / tw).toFixed(2)),
      pocketlm_tok_per_cpu_s: Math.round(oc),
      torch_tok_per_cpu_s: tc === undefined ? null : Math.round(tc),
      ratio_cpu: tc === undefined ? null : Number((oc / tc).toFixed(2)),
      runs: reps,
      pocketlm_wall_runs: ours.map((x) => Math.round(x.wall)),
      torch_wall_runs: torch.map((x) => Math.round(x.wall)),
      load_avg_1m: load.map((x) => Number(x.toFixed(2))),
    };
    rows.push(row);
    console.log(
      `${c.name.padEnd(4)} ${(nParams / 1e6).toFixed(2)}M params, ${threads} thread(s): pocketlm ${row.pocketlm_tok_s} tok/s` +
        ` (${row.pocketlm_tok_per_cpu_s} per CPU-s)` +
        (tw === undefined
          ? ''
          : `, PyTorch ${row.torch_tok_s} tok/s (${row.torch_tok_per_cpu_s} per CPU-s), ratio ${row.ratio}× (CPU ${row.ratio_cpu}×)`) +
        `, load ${row.load_avg_1m.join('/')}`,
    );
  }
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/train.json',
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, simd: trainKernelsRelaxed() ? 'relaxed (FMA)' : 'simd128', python: py, load_avg_1m: [loadBefore, loadavg()[0]], quick, rows }, null, 2)}\n`,
);
console.log('wrote bench/results/train.json');
