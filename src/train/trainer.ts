// The training loop: data → forward/backward → clip → AdamW, with validation, atomic checkpoints and exact resume.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { modelConfigOf, type TrainConfig } from './config.js';
import { DataLoader } from './data.js';
import { WasmGemm } from './gemm.js';
import { attachThreads } from './gemm-threads.js';
import { TrainModel } from './model.js';
import { AdamW, clipGradNorm } from './optim.js';
import { lossPlotHtml } from './plot.js';
import { Rng } from './rng.js';
import { learningRate, type ScheduleConfig } from './schedule.js';

/** One line of out/log.jsonl. */
export type LogRecord =
  | {
      kind: 'train';
      step: number;
      loss: number;
      lr: number;
      grad_norm: number;
      tokens: number;
      phase: number;
      tok_s: number;
    }
  | { kind: 'val'; step: number; loss: number };

/** What a run returns. */
export interface TrainResult {
  steps: number;
  lastLoss: number;
  valLoss?: number;
  checkpoint: string;
  plot: string;
  tokensPerSecond: number;
  nParams: number;
}

/** Callbacks; `log` receives progress lines (default: stderr). */
export interface TrainHooks {
  log?: (line: string) => void;
}

/** Path of the checkpoint inside the output directory. */
export function checkpointPath(out: string): string {
  return join(out, 'checkpoint.bin');
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

function readLog(path: string, upToStep: number): LogRecord[] {
  if (!existsSync(path)) return [];
  const out: LogRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as LogRecord;
      if (r.step <= upToStep) out.push(r);
    } catch {
      // a line cut by a kill
    }
  }
  return out;
}

/** Runs (or resumes) training as configured; returns when `steps` optimizer steps are done. */
export function train(cfg: TrainConfig, hooks: TrainHooks = {}): TrainResult {
  const log = hooks.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  if (!cfg.data) throw new Error('train: "data" (token-shard directory) is required');
  mkdirSync(cfg.out, { recursive: true });
  const ckptPath = checkpointPath(cfg.out);
  const logPath = join(cfg.out, 'log.jsonl');
  const tokensPerStep = cfg.batch_size * cfg.seq_len * cfg.grad_accum;
  const data0 = new DataLoader(cfg.data, {
    batch: 1,
    seqLen: cfg.seq_len,
    seed: cfg.seed,
    phase2AtTokens: 0,
  });
  const manifest = data0.manifest;
  data0.close();
  const twoPhases = manifest.phases.length >= 2;
  const phase2At = twoPhases ? cfg.phase2_at_tokens || Math.floor(0.8 * cfg.steps) * tokensPerStep : 0;
  const data = new DataLoader(cfg.data, {
    batch: cfg.batch_size,
    seqLen: cfg.seq_len,
    seed: cfg.seed,
    phase2AtTokens: phase2At,
  });
  const mcfg = modelConfigOf(cfg, manifest.vocab_size);
  if (mcfg.nVocab < manifest.vocab_size)
    throw new Error(`train: n_vocab ${mcfg.nVocab} < data vocab_size ${manifest.vocab_size}`);
  const model = new TrainModel(mcfg, cfg.batch_size, cfg.seq_len);
  if (cfg.threads > 1 && model.gemm instanceof WasmGemm) attachThreads(model.gemm, cfg.threads);
  const opt = new AdamW(
    {
      beta1: cfg.beta1,
      beta2: cfg.beta2,
      eps: cfg.adam_eps,
      weightDecay: cfg.weight_decay,
      decayAll: cfg.weight_decay_all,
    },
    model.tensors,
    model.nParams,
    model.adamState(),
  );
  const sched: ScheduleConfig = {
    kind: cfg.schedule,
    lr: cfg.lr,
    minLr: cfg.min_lr,
    warmupSteps: cfg.warmup_steps,
    totalSteps: cfg.steps,
    decayStart: cfg.decay_start || (twoPhases ? Math.ceil(phase2At / tokensPerStep) : undefined),
  };
  let step = 0;
  if (cfg.resume && existsSync(ckptPath)) {
    const ck = readCheckpoint(ckptPath);
    if (ck.meta.nParams !== model.nParams || JSON.stringify(ck.meta.model) !== JSON.stringify(mcfg))
      throw new Error(
        `${ckptPath}: checkpoint model ${JSON.stringify(ck.meta.model)} does not match the config ${JSON.stringify(mcfg)}`,
      );
    model.params.set(ck.params);
    if (ck.m && ck.v) {
      opt.m.set(ck.m);
      opt.v.set(ck.v);
    }
    opt.t = ck.meta.adamT;
    data.restore(ck.meta.data);
    step = ck.meta.step;
    log(`resumed from ${ckptPath} at step ${step}`);
  } else {
    const r = new Rng(cfg.seed ^ 0x1217);
    model.init(() => r.next());
  }
  // keep only the log lines the checkpoint covers, so a resumed run's log equals an uninterrupted one
  const records = readLog(logPath, step);
  writeFileSync(logPath, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const record = (r: LogRecord) => {
    records.push(r);
    appendFileSync(logPath, `${JSON.stringify(r)}\n`);
  };
  const save = () => {
    writeCheckpoint(
      ckptPath,
      {
        version: 1,
        model: mcfg,
        config: cfg,
        step,
        adamT: opt.t,
        data: data.state(),
        tensors: model.tensors,
        nParams: model.nParams,
        hasOptimizer: true,
      },
      model.params,
      opt.m,
      opt.v,
    );
  };
  const valSet = data.valBatches(cfg.eval_batches);
  const evaluate = () => {
    if (!valSet.length) return undefined;
    let s = 0;
    for (const b of valSet) s += model.loss(b.inputs, b.targets);
    return s / valSet.length;
  };
  log(
    `training ${(model.nParams / 1e6).toFixed(2)}M parameters (n_embd ${mcfg.nEmbd}, n_layer ${mcfg.nLayer}, n_head ${mcfg.nHead}/${mcfg.nHeadKv}, n_ff ${mcfg.nFf}, vocab ${mcfg.nVocab}); ${tokensPerStep} tokens/step, ${cfg.steps} steps`,
  );
  let lastLoss = Number.NaN;
  let valLoss: number | undefined;
  const t0 = performance.now();
  const stepStart = step;
  let tokS = 0;
  while (step < cfg.steps) {
    const ts = performance.now();
    const phase = data.phase();
    model.zeroGrads();
    let loss = 0;
    for (let k = 0; k < cfg.grad_accum; k++) {
      const b = data.next();
      loss += model.forwardBackward(b.inputs, b.targets, 1 / cfg.grad_accum) / cfg.grad_accum;
    }
    const norm = clipGradNorm(model.grads, cfg.grad_clip);
    const lr = learningRate(sched, step);
    opt.step(model.params, model.grads, lr);
    step++;
    lastLoss = loss;
    if (!Number.isFinite(loss))
      throw new Error(`train: loss is ${loss} at step ${step} (lr ${lr}); lower lr or check the data`);
    const dt = (performance.now() - ts) / 1000;
    tokS = tokS ? 0.9 * tokS + (0.1 * tokensPerStep) / dt : tokensPerStep / dt;
    record({
      kind: 'train',
      step,
      loss,
      lr,
      grad_norm: norm,
      tokens: data.tokensSeen,
      phase,
      tok_s: Math.round(tokS),
    });
    if (step % cfg.log_every === 0 || step === cfg.steps || step === stepStart + 1) {
      const eta = (cfg.steps - step) * (tokensPerStep / tokS);
      log(
        `step ${step}/${cfg.steps} | loss ${loss.toFixed(4)} | lr ${lr.toExponential(2)} | ${(tokS / 1000).toFixed(1)}k tok/s | phase ${phase + 1} | ETA ${fmtTime(eta)}`,
      );
    }
    if (cfg.eval_every > 0 && (step % cfg.eval_every === 0 || step === cfg.steps)) {
      valLoss = evaluate();
      if (valLoss !== undefined) {
        record({ kind: 'val', step, loss: valLoss });
        log(`step ${step} | val loss ${valLoss.toFixed(4)}`);
      }
    }
    if ((cfg.ckpt_every > 0 && step % cfg.ckpt_every === 0) || step === cfg.steps) save();
  }
  if (step === stepStart && !existsSync(ckptPath)) save();
  const plot = join(cfg.out, 'loss.html');
  writeFileSync(
    plot,
    lossPlotHtml(
      records.filter((r) => r.kind === 'train'),
      records.filter((r) => r.kind === 'val'),
      `pocketlm training: ${(model.nParams / 1e6).toFixed(2)}M parameters`,
    ),
  );
  const secs = (performance.now() - t0) / 1000;
  const tps = ((step - stepStart) * tokensPerStep) / Math.max(secs, 1e-9);
  log(
    `done: ${step} steps, loss ${lastLoss.toFixed(4)}${valLoss !== undefined ? `, val ${valLoss.toFixed(4)}` : ''}; checkpoint ${ckptPath}; plot ${plot}`,
  );
  data.close();
  if (model.gemm instanceof WasmGemm) model.gemm.splitter?.close?.();
  return {
    steps: step,
    lastLoss,
    valLoss,
    checkpoint: ckptPath,
    plot,
    tokensPerSecond: tps,
    nParams: model.nParams,
  };
}
