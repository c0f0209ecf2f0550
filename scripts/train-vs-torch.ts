// TS side of the PyTorch conformance check: a tiny phi3, fixed init and batches, N AdamW steps; writes a JSON case.
// Usage: npx tsx scripts/train-vs-torch.ts OUT.json [steps]   then   python3 scripts/train-vs-torch.py OUT.json
import { writeFileSync } from 'node:fs';
import { TrainModel, type TrainModelConfig } from '../src/train/model.js';
import { AdamW, clipGradNorm } from '../src/train/optim.js';
import { Rng } from '../src/train/rng.js';
import { learningRate } from '../src/train/schedule.js';

const out = process.argv[2] ?? 'train-vs-torch.json';
const steps = Number(process.argv[3] ?? 30);
const cfg: TrainModelConfig = {
  nVocab: 96,
  nEmbd: 48,
  nLayer: 2,
  nHead: 4,
  nHeadKv: 2,
  nFf: 80,
  nCtx: 32,
  ropeTheta: 10000,
  rmsEps: 1e-5,
  tiedEmbeddings: false,
};
const B = 4;
const T = 32;
const hp = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
const gradClip = 1.0;
const sched = { kind: 'cosine' as const, lr: 3e-3, minLr: 3e-4, warmupSteps: 5, totalSteps: steps };

const m = new TrainModel(cfg, B, T);
const r = new Rng(42);
m.init(() => r.next());
const init = m.tensors.map((t) => ({
  name: t.name,
  rows: t.rows,
  cols: t.cols,
  kind: t.kind,
  data: Array.from(m.param(t.name)),
}));
// learnable data: noisy arithmetic sequences
const batches: { inputs: number[]; targets: number[] }[] = [];
for (let s = 0; s < steps; s++) {
  const inputs: number[] = [];
  const targets: number[] = [];
  for (let b = 0; b < B; b++) {
    let x = r.int(cfg.nVocab);
    const d = 1 + r.int(3);
    const seq: number[] = [];
    for (let t = 0; t <= T; t++) {
      seq.push(r.next() < 0.1 ? r.int(cfg.nVocab) : x);
      x = (x + d) % cfg.nVocab;
    }
    inputs.push(...seq.slice(0, T));
    targets.push(...seq.slice(1));
  }
  batches.push({ inputs, targets });
}
const opt = new AdamW(hp, m.tensors, m.nParams);
const losses: number[] = [];
const lrs: number[] = [];
const norms: number[] = [];
for (let s = 0; s < steps; s++) {
  m.zeroGrads();
  losses.push(m.forwardBackward(batches[s].inputs, batches[s].targets));
  norms.push(clipGradNorm(m.grads, gradClip));
  const lr = learningRate(sched, s);
  lrs.push(lr);
  opt.step(m.params, m.grads, lr);
}
writeFileSync(out, JSON.stringify({ cfg, B, T, hp, gradClip, lrs, init, batches, losses, norms }));
console.log(
  `pocketlm: ${steps} steps, loss ${losses[0].toFixed(5)} → ${losses.at(-1)?.toFixed(5)}; case written to ${out}`,
);
