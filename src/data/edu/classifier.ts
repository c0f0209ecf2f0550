// Educational-value classifier: linear regression on hashed n-gram features, trained with AdamW (lazy, sparse) in TS.
import { readFile, writeFile } from 'node:fs/promises';
import { featurize, type Sparse } from './features.js';

/** A trained classifier (serialised as JSON with base64 weights). */
export interface EduClassifier {
  format: 'pocketlm-edu-classifier-v1';
  bits: number;
  bias: number;
  weights: Float32Array;
}

/** Training settings. */
export interface TrainOptions {
  bits: number;
  epochs: number;
  lr: number;
  weight_decay: number;
  val_fraction: number;
  seed: number;
}

export const TRAIN_DEFAULTS: TrainOptions = {
  bits: 18,
  epochs: 8,
  lr: 0.05,
  weight_decay: 1e-4,
  val_fraction: 0.2,
  seed: 1,
};

/** Validation metrics: binary F1 at score ≥ 3 and the 6×6 confusion matrix (rows = label, cols = prediction). */
export interface EvalReport {
  n: number;
  f1_at_3: number;
  precision_at_3: number;
  recall_at_3: number;
  mse: number;
  confusion: number[][];
}

/** Raw regression output for text. */
export function predict(c: EduClassifier, text: string): number {
  const f = featurize(text, c.bits);
  let y = c.bias;
  for (let j = 0; j < f.idx.length; j++)
    y += (c.weights[f.idx[j] as number] as number) * (f.val[j] as number);
  return y;
}

/** Integer score 0–5 from a raw prediction (round and clamp, as FineWeb-Edu does). */
export function toIntScore(y: number): number {
  return Math.max(0, Math.min(5, Math.round(y)));
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Compute validation metrics for labelled examples. */
export function evaluate(c: EduClassifier, data: { text: string; score: number }[]): EvalReport {
  const confusion = Array.from({ length: 6 }, () => new Array<number>(6).fill(0));
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let se = 0;
  for (const d of data) {
    const y = predict(c, d.text);
    const p = toIntScore(y);
    const l = toIntScore(d.score);
    (confusion[l] as number[])[p]++;
    se += (y - d.score) ** 2;
    if (p >= 3 && l >= 3) tp++;
    else if (p >= 3) fp++;
    else if (l >= 3) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return {
    n: data.length,
    f1_at_3: f1,
    precision_at_3: precision,
    recall_at_3: recall,
    mse: data.length ? se / data.length : 0,
    confusion,
  };
}

/**
 * Train on `{text, score}` examples (deterministic shuffle/split by seed). Squared loss, AdamW with lazy
 * (per-touched-feature) moment updates and decoupled weight decay.
 */
export function trainClassifier(
  data: { text: string; score: number }[],
  options: Partial<TrainOptions> = {},
): { model: EduClassifier; train: EvalReport; val: EvalReport } {
  const o = { ...TRAIN_DEFAULTS, ...options };
  const rand = rng(o.seed);
  const order = data.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const nVal = Math.round(order.length * o.val_fraction);
  const val = order.slice(0, nVal).map((i) => data[i] as { text: string; score: number });
  const train = order.slice(nVal).map((i) => data[i] as { text: string; score: number });
  const feats: Sparse[] = train.map((d) => featurize(d.text, o.bits));
  const dim = 1 << o.bits;
  const w = new Float32Array(dim);
  const m = new Float32Array(dim);
  const v = new Float32Array(dim);
  let bias = train.reduce((a, d) => a + d.score, 0) / Math.max(1, train.length);
  let bm = 0;
  let bv = 0;
  const b1 = 0.9;
  const b2 = 0.999;
  let t = 0;
  const idxs = train.map((_, i) => i);
  for (let ep = 0; ep < o.epochs; ep++) {
    for (let i = idxs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idxs[i], idxs[j]] = [idxs[j] as number, idxs[i] as number];
    }
    const lr = o.lr * (1 - ep / o.epochs) + o.lr * 0.05;
    for (const i of idxs) {
      const f = feats[i] as Sparse;
      let y = bias;
      for (let j = 0; j < f.idx.length; j++) y += (w[f.idx[j] as number] as number) * (f.val[j] as number);
      const g = y - (train[i] as { score: number }).score;
      t++;
      const c1 = 1 - b1 ** t;
      const c2 = 1 - b2 ** t;
      for (let j = 0; j < f.idx.length; j++) {
        const k = f.idx[j] as number;
        const gk = g * (f.val[j] as number);
        m[k] = b1 * (m[k] as number) + (1 - b1) * gk;
        v[k] = b2 * (v[k] as number) + (1 - b2) * gk * gk;
        w[k] =
          (w[k] as number) * (1 - lr * o.weight_decay) -
          (lr * ((m[k] as number) / c1)) / (Math.sqrt((v[k] as number) / c2) + 1e-8);
      }
      bm = b1 * bm + (1 - b1) * g;
      bv = b2 * bv + (1 - b2) * g * g;
      bias -= (lr * 0.1 * (bm / c1)) / (Math.sqrt(bv / c2) + 1e-8);
    }
  }
  const model: EduClassifier = { format: 'pocketlm-edu-classifier-v1', bits: o.bits, bias, weights: w };
  return { model, train: evaluate(model, train), val: evaluate(model, val) };
}

/** Save a classifier as JSON (weights base64 float32). */
export async function saveClassifier(c: EduClassifier, path: string): Promise<void> {
  const weights = Buffer.from(c.weights.buffer, c.weights.byteOffset, c.weights.byteLength).toString(
    'base64',
  );
  await writeFile(path, JSON.stringify({ format: c.format, bits: c.bits, bias: c.bias, weights }));
}

/** Load a classifier saved by saveClassifier. */
export async function loadClassifier(path: string): Promise<EduClassifier> {
  let o: { format?: string; bits?: number; bias?: number; weights?: string };
  try {
    o = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read classifier (${(e as Error).message})`);
  }
  if (o.format !== 'pocketlm-edu-classifier-v1')
    throw new Error(`${path}: format is ${o.format}, expected pocketlm-edu-classifier-v1`);
  const buf = Buffer.from(o.weights ?? '', 'base64');
  const bits = Number(o.bits);
  if (buf.byteLength !== 4 << bits)
    throw new Error(`${path}: weights have ${buf.byteLength} bytes, expected ${4 << bits}`);
  const weights = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return { format: 'pocketlm-edu-classifier-v1', bits, bias: Number(o.bias), weights };
}
