// Training configuration: typed defaults ← YAML file ← command-line flags; unknown keys are errors naming the key.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { TrainModelConfig } from './model.js';

/** Every training setting (one flat block, like nanoGPT's train.py). */
export interface TrainConfig {
  /** Token-shard directory (pocketlm-tokens-v1 manifest). */
  data: string;
  /** Output directory: checkpoint, log.jsonl, loss.html. */
  out: string;
  /** GGUF whose tokenizer.* metadata export copies ('' = none). */
  tokenizer: string;
  /** 0 = the manifest's vocab_size. */
  n_vocab: number;
  n_embd: number;
  n_layer: number;
  n_head: number;
  /** 0 = n_head. */
  n_head_kv: number;
  n_ff: number;
  /** Context length written to the GGUF; 0 = seq_len. */
  n_ctx: number;
  rope_theta: number;
  rms_eps: number;
  tied_embeddings: boolean;
  seq_len: number;
  batch_size: number;
  grad_accum: number;
  steps: number;
  lr: number;
  min_lr: number;
  warmup_steps: number;
  schedule: 'wsd' | 'cosine' | 'constant';
  /** WSD decay start step; 0 = the step where phase 2 starts (or 80 % of steps with one phase). */
  decay_start: number;
  /** Train tokens before switching to phase 2; 0 = 80 % of the token budget when there are two phases. */
  phase2_at_tokens: number;
  weight_decay: number;
  /** Decay norms and embeddings too (default: matrices only). */
  weight_decay_all: boolean;
  beta1: number;
  beta2: number;
  adam_eps: number;
  grad_clip: number;
  seed: number;
  /** GEMM threads (1 = main thread only). */
  threads: number;
  eval_every: number;
  eval_batches: number;
  ckpt_every: number;
  log_every: number;
  /** Resume from out/checkpoint.bin when present. */
  resume: boolean;
}

/** Defaults: a ~1M-parameter model. */
export const defaultTrainConfig: TrainConfig = {
  data: '',
  out: 'out/train',
  tokenizer: '',
  n_vocab: 0,
  n_embd: 128,
  n_layer: 4,
  n_head: 4,
  n_head_kv: 0,
  n_ff: 352,
  n_ctx: 0,
  rope_theta: 10000,
  rms_eps: 1e-5,
  tied_embeddings: false,
  seq_len: 128,
  batch_size: 8,
  grad_accum: 1,
  steps: 1000,
  lr: 1e-3,
  min_lr: 1e-4,
  warmup_steps: 50,
  schedule: 'wsd',
  decay_start: 0,
  phase2_at_tokens: 0,
  weight_decay: 0.1,
  weight_decay_all: false,
  beta1: 0.9,
  beta2: 0.95,
  adam_eps: 1e-8,
  grad_clip: 1.0,
  seed: 1337,
  threads: 1,
  eval_every: 100,
  eval_batches: 4,
  ckpt_every: 100,
  log_every: 10,
  resume: true,
};

const ENUMS: Partial<Record<keyof TrainConfig, readonly string[]>> = {
  schedule: ['wsd', 'cosine', 'constant'],
};

function setKey(cfg: TrainConfig, rawKey: string, value: unknown, where: string): void {
  const key = rawKey.replace(/-/g, '_') as keyof TrainConfig;
  if (!(key in defaultTrainConfig)) {
    throw new Error(
      `${where}: unknown key "${rawKey}" (known: ${Object.keys(defaultTrainConfig).join(', ')})`,
    );
  }
  const def = defaultTrainConfig[key];
  let v: unknown = value;
  if (typeof def === 'number') {
    v = typeof value === 'string' ? Number(value) : value;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new Error(`${where}: ${key} must be a number, got ${JSON.stringify(value)}`);
  } else if (typeof def === 'boolean') {
    if (value === 'true' || value === '') v = true;
    else if (value === 'false') v = false;
    if (typeof v !== 'boolean')
      throw new Error(`${where}: ${key} must be true or false, got ${JSON.stringify(value)}`);
  } else {
    if (typeof v === 'number') v = String(v);
    if (typeof v !== 'string')
      throw new Error(`${where}: ${key} must be a string, got ${JSON.stringify(value)}`);
    const allowed = ENUMS[key];
    if (allowed && !allowed.includes(v))
      throw new Error(`${where}: ${key} must be one of ${allowed.join(', ')}, got "${v}"`);
  }
  (cfg as unknown as Record<string, unknown>)[key] = v;
}

/** Applies a YAML mapping (flat keys) over `cfg`. */
export function applyYaml(cfg: TrainConfig, text: string, source: string): TrainConfig {
  const doc = parseYaml(text) ?? {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new Error(`${source}: expected a mapping of settings`);
  for (const [k, v] of Object.entries(doc)) setKey(cfg, k, v, source);
  return cfg;
}

/** Applies `--key value` / `--key=value` flags; returns the positional arguments left. */
export function applyFlags(cfg: TrainConfig, args: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      rest.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    let key: string;
    let val: string;
    if (eq >= 0) {
      key = a.slice(2, eq);
      val = a.slice(eq + 1);
    } else {
      key = a.slice(2);
      const k2 = key.replace(/-/g, '_') as keyof TrainConfig;
      const isBool = typeof defaultTrainConfig[k2] === 'boolean';
      const nxt = args[i + 1];
      if (isBool && (nxt === undefined || (nxt !== 'true' && nxt !== 'false'))) val = 'true';
      else {
        if (nxt === undefined) throw new Error(`flag --${key}: missing value`);
        val = nxt;
        i++;
      }
    }
    setKey(cfg, key, val, `flag --${key}`);
  }
  return rest;
}

/** Builds the config: defaults ← YAML file (if given) ← flags. */
export function loadTrainConfig(yamlPath: string | undefined, flags: string[] = []): TrainConfig {
  const cfg: TrainConfig = { ...defaultTrainConfig };
  if (yamlPath) applyYaml(cfg, readFileSync(yamlPath, 'utf8'), yamlPath);
  const rest = applyFlags(cfg, flags);
  if (rest.length) throw new Error(`unexpected argument "${rest[0]}"`);
  return cfg;
}

/** The model shapes of a training config (vocab from the data when n_vocab is 0). */
export function modelConfigOf(c: TrainConfig, dataVocab: number): TrainModelConfig {
  return {
    nVocab: c.n_vocab || dataVocab,
    nEmbd: c.n_embd,
    nLayer: c.n_layer,
    nHead: c.n_head,
    nHeadKv: c.n_head_kv || c.n_head,
    nFf: c.n_ff,
    nCtx: c.n_ctx || c.seq_len,
    ropeTheta: c.rope_theta,
    rmsEps: c.rms_eps,
    tiedEmbeddings: c.tied_embeddings,
  };
}
