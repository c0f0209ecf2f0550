// Training throughput: tokens/s of forward + backward + AdamW for ~1M / 5M / 20M-parameter phi3 configs,
// 1 and 2 threads, beside PyTorch CPU on the same configs when python3 with torch is available.
// Usage: npx tsx bench/train.ts [--quick] [--python /usr/bin/python3]   → bench/results/train.json
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { WasmGemm } from '../src/train/gemm.js';
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
    steps: 6,
  },
  {
    name: '5M',
    cfg: { ...base, nVocab: 4096, nEmbd: 256, nLayer: 4, nHead: 8, nHeadKv: 8, nFf: 704 },
    B: 8,
    T: 128,
    steps: 4,
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
const py = args.includes('--python') ? args[args.indexOf('--python') + 1] : 'python3';

function benchOurs(c: BenchCase, threads: number): { tokS: number; nParams: number; lossFirst: number } {
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
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) step();
  const dt = (performance.now() - t0) / 1000;
  (m.gemm as WasmGemm).splitter?.close?.();
  return { tokS: (steps * c.B * c.T) / dt, nParams: m.nParams, lossFirst };
}

function benchTorch(c: BenchCase, threads: number): number | undefined {
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
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}').tok_s;
}

const rows: Record<string, unknown>[] = [];
const loadBefore = loadavg()[0];
let torchOk = true;
for (const c of cases) {
  for (const threads of [1, 2]) {
    // interleave pocketlm and PyTorch runs and keep each one's best: the VM is shared and noisy
    const reps = quick || c.name === '20M' ? 1 : 3;
    let ours = benchOurs(c, threads);
    let torch = torchOk ? benchTorch(c, threads) : undefined;
    if (torch === undefined) torchOk = false;
    for (let i = 1; i < reps; i++) {
      const o = benchOurs(c, threads);
      if (o.tokS > ours.tokS) ours = o;
      const t = torchOk ? benchTorch(c, threads) : undefined;
      if (t !== undefined && torch !== undefined && t > torch) torch = t;
    }
    const row = {
      config: c.name,
      params: ours.nParams,
      n_embd: c.cfg.nEmbd,
      n_layer: c.cfg.nLayer,
      n_vocab: c.cfg.nVocab,
      batch: `${c.B}x${c.T}`,
      threads,
      pocketlm_tok_s: Math.round(ours.tokS),
      torch_tok_s: torch === undefined ? null : Math.round(torch),
      ratio: torch === undefined ? null : Number((ours.tokS / torch).toFixed(2)),
      best_of: reps,
    };
    rows.push(row);
    console.log(
      `${c.name.padEnd(4)} ${(ours.nParams / 1e6).toFixed(2)}M params, ${threads} thread(s): pocketlm ${row.pocketlm_tok_s} tok/s` +
        (torch === undefined ? '' : `, PyTorch ${row.torch_tok_s} tok/s, ratio ${row.ratio}×`),
    );
  }
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/train.json',
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, load_avg_1m: [loadBefore, loadavg()[0]], quick, rows }, null, 2)}\n`,
);
console.log('wrote bench/results/train.json');
