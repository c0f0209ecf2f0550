// llama.cpp's `--kl-divergence-base` row format: log-probabilities stored as 16-bit steps over [max−16, max].
import type { BaseRow } from './kld.js';

/** uint16 slots per stored row: 4 (two float32: scale, min_log_prob) + n_vocab rounded up to even. */
export function kldBaseRowSlots(nVocab: number): number {
  return 2 * Math.floor((nVocab + 1) / 2) + 4;
}

const f32 = Math.fround;

/** llama.cpp's nearest_int: round to nearest, ties to even (the 1.5·2^23 float trick). */
function nearestInt(x: number): number {
  return f32(x + 12582912) - 12582912;
}

/**
 * Encodes row `row` of `logits` into `out` (kldBaseRowSlots(nVocab) uint16s) exactly as llama.cpp's
 * perplexity tool does when writing a base file, and returns the target token's nll (float precision).
 */
export function encodeLogProbRow(
  logits: Float32Array,
  row: number,
  nVocab: number,
  tok: number,
  out: Uint16Array,
): number {
  const o = row * nVocab;
  let max = logits[o]!;
  let min = logits[o]!;
  for (let i = 1; i < nVocab; i++) {
    const v = logits[o + i]!;
    if (v > max) max = v;
    if (v < min) min = v;
  }
  min = Math.max(min, f32(max - 16));
  let sum = 0;
  for (let i = 0; i < nVocab; i++) sum += f32(Math.exp(f32(logits[o + i]! - max)));
  const lse = f32(Math.log(sum));
  const minLogProb = f32(f32(min - max) - lse);
  const scale = f32(f32(max - min) / 65535);
  const head = new Float32Array(out.buffer, out.byteOffset, 2);
  head[0] = scale;
  head[1] = minLogProb;
  out.fill(0, 4);
  if (scale) {
    const inv = f32(1 / scale);
    for (let i = 0; i < nVocab; i++) {
      const v = logits[o + i]!;
      out[4 + i] = v > min ? nearestInt(f32(inv * f32(v - min))) : 0;
    }
  }
  return f32(f32(max + lse) - logits[o + tok]!);
}

/** Decodes one stored row into base log-probs (float precision), argmax, and llama.cpp's −16 KL cutoff. */
export function decodeLogProbRow(slots: Uint16Array, nVocab: number): BaseRow {
  const head = new Float32Array(slots.buffer, slots.byteOffset, 2);
  const scale = head[0]!;
  const minLogProb = head[1]!;
  const logp = new Float64Array(nVocab);
  let argmax = 0;
  for (let i = 0; i < nVocab; i++) {
    logp[i] = f32(f32(scale * slots[4 + i]!) + minLogProb);
    if (i === 0 || logp[i]! > logp[argmax]!) argmax = i;
  }
  return { logp, argmax, klCutoff: -16 };
}
