// llama.cpp (node-llama-cpp 3.21.1) as the reference: tokenization and last-position log-probabilities.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLlama, type Llama, type LlamaModel } from 'node-llama-cpp';
import { GgmlType, ggmlTypeName } from '../../src/format/ggml-types.js';
import { readGgufFile, writeGgufFile } from '../../src/format/gguf-node.js';
import { type GgufEntry, GgufValueType } from '../../src/format/gguf-read.js';
import type { GgufTensorToWrite } from '../../src/format/gguf-write.js';
import type { ModelConfig } from '../../src/model/config.js';
import { PRESETS, randomModelSpec, WeightRng } from '../../src/model/random.js';
import { quantizeTensor } from '../../src/quant/index.js';

let llamaPromise: Promise<Llama> | undefined;

/** The llama.cpp runtime, CPU only, never building or downloading anything. */
export function llama(): Promise<Llama> {
  llamaPromise ??= getLlama({ gpu: false, build: 'never', logLevel: 'error' as never, progressLogs: false });
  return llamaPromise;
}

/** Loads a GGUF into llama.cpp (no mmap so repeated loads see fresh files). */
export async function loadRef(modelPath: string): Promise<LlamaModel> {
  const l = await llama();
  return l.loadModel({ modelPath, useMmap: false });
}

/**
 * llama.cpp's log-softmax over the whole vocabulary after evaluating `tokens` from an empty context
 * (temperature 0 makes the reported probabilities cover every id).
 */
export async function refLogProbs(
  model: LlamaModel,
  tokens: number[],
  nVocab: number,
  threads = 1,
  batchSize = 512,
): Promise<Float64Array> {
  const ctx = await model.createContext({
    contextSize: Math.max(256, tokens.length + 16),
    batchSize,
    threads,
    flashAttention: false,
  });
  try {
    const seq = ctx.getSequence();
    const items: unknown[] = tokens.slice(0, -1);
    items.push([tokens.at(-1), { generateNext: { probabilities: true, options: { temperature: 0 } } }]);
    const res = await seq.controlledEvaluate(items as never);
    const probs = (res.at(-1) as { next: { probabilities: Map<number, number> } }).next.probabilities;
    const out = new Float64Array(nVocab).fill(Number.NEGATIVE_INFINITY);
    for (const [id, p] of probs) if (id < nVocab) out[id] = Math.log(p);
    return out;
  } finally {
    await ctx.dispose();
  }
}

/** log-softmax of float logits, in double. */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! - lse;
  return out;
}

// ---- Random test models ------------------------------------------------------------------------------

/** Shape of a conformance model (defaults: phi3, n_embd 256, 2 layers, MHA, Phi-3 vocabulary). */
export interface TestModelShape {
  arch?: 'phi3' | 'llama';
  nEmbd?: number;
  nFf?: number;
  nLayer?: number;
  nHead?: number;
  nHeadKv?: number;
  seed?: number;
  /** Keep only the first nVocab tokens of the Phi-3 vocabulary (default: all 32064). */
  nVocab?: number;
  /** Standard deviation of the weights (default 0.02; larger makes the distributions less flat). */
  std?: number;
  /**
   * Standard deviation of token_embd (default: `std`). With 0.02 the residual stream starts with an RMS of
   * 0.02, so every RMS norm multiplies differences by ~50; that makes single-unit rounding differences in
   * quantized activations (Q8_K blocks of 256) grow into 1e-2 log-prob differences between llama.cpp's
   * own kernels. An embedding std near 1 keeps the model well-conditioned.
   */
  embdStd?: number;
}

let phi3Tokenizer: [string, GgufEntry][] | undefined;

/** The `tokenizer.*` metadata of models/phi3-tokenizer.gguf (32064 tokens). */
export function phi3TokenizerMetadata(): [string, GgufEntry][] {
  phi3Tokenizer ??= [...readGgufFile(PHI3_TOKENIZER).metadata].filter(([k]) => k.startsWith('tokenizer.'));
  return phi3Tokenizer;
}

/**
 * The Phi-3 tokenizer cut to its first `n` tokens (ids 0–2 are <unk>, <s>, </s>, then the 256 byte
 * tokens and the most frequent pieces); EOS and PAD become </s> (2). Both llama.cpp and pocketlm load it,
 * and it keeps token_embd/output small so that every tensor type quantizes in well under a second.
 */
export function truncatedTokenizerMetadata(n: number): [string, GgufEntry][] {
  return phi3TokenizerMetadata().map(([k, e]): [string, GgufEntry] => {
    if (e.type === GgufValueType.ARRAY && Array.isArray(e.value) && e.value.length > n)
      return [k, { ...e, value: e.value.slice(0, n) } as GgufEntry];
    if (k === 'tokenizer.ggml.eos_token_id' || k === 'tokenizer.ggml.padding_token_id')
      return [k, { ...e, value: 2 } as GgufEntry];
    return [k, e];
  });
}

/** Path of the Phi-3 vocabulary-only GGUF shipped in the package. */
export const PHI3_TOKENIZER = fileURLToPath(new URL('../../models/phi3-tokenizer.gguf', import.meta.url));

function tokenizerFor(shape: TestModelShape): [string, GgufEntry][] {
  return shape.nVocab ? truncatedTokenizerMetadata(shape.nVocab) : phi3TokenizerMetadata();
}

/** The ModelConfig of a test shape. */
export function testConfig(shape: TestModelShape = {}): ModelConfig {
  const base = PRESETS.tiny!;
  const arch = shape.arch ?? 'phi3';
  const nEmbd = shape.nEmbd ?? 256;
  const nHead = shape.nHead ?? 4;
  const tokens = tokenizerFor(shape).find(([k]) => k === 'tokenizer.ggml.tokens')![1].value as unknown[];
  return {
    ...base,
    arch,
    ropeType: arch === 'phi3' ? 'neox' : 'norm',
    nVocab: tokens.length,
    nEmbd,
    nFf: shape.nFf ?? 512,
    nLayer: shape.nLayer ?? 2,
    nHead,
    nHeadKv: shape.nHeadKv ?? nHead,
    headDim: nEmbd / nHead,
    nRot: nEmbd / nHead,
  };
}

/**
 * Writes a random model whose 2-D weights all have ggml type `type` (norms stay F32), or, with
 * `perTensor`, the type each tensor name asks for (F32 where it returns undefined). Weights are drawn in
 * F32 (same draws for every type and seed) and quantized with pocketlm's ggml reference quantizers.
 */
export function writeTestModel(
  path: string,
  type: GgmlType,
  shape: TestModelShape = {},
  perTensor?: (name: string) => GgmlType | undefined,
): ModelConfig {
  const config = testConfig(shape);
  const spec = randomModelSpec({
    config,
    tokenizer: tokenizerFor(shape),
    fileType: 'f32',
    seed: shape.seed ?? 42,
    std: shape.std,
    name: `conformance ${ggmlTypeName(type)}`,
  });
  const tensors: GgufTensorToWrite[] = spec.tensors.map((t) => {
    const to = perTensor ? (perTensor(t.name) ?? GgmlType.F32) : type;
    const scale = t.name === 'token_embd.weight' && shape.embdStd ? shape.embdStd / (shape.std ?? 0.02) : 1;
    if (t.dims.length < 2 || (to === GgmlType.F32 && scale === 1)) return t;
    const data = t.data;
    return {
      ...t,
      type: to,
      data: () => {
        const raw = typeof data === 'function' ? data() : data;
        const f = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
        if (scale !== 1) for (let i = 0; i < f.length; i++) f[i] = f[i]! * scale;
        return quantizeTensor(to, f, t.dims[1]!, t.dims[0]!);
      },
    };
  });
  writeGgufFile(path, { metadata: spec.metadata, tensors });
  return config;
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `pocketlm-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic token ids in [3, nVocab) (skips <unk>/<s>/</s>); BOS first unless bos = false. */
export function testTokens(n: number, seed: number, bos = true, nVocab = 32000): number[] {
  const rng = new WeightRng(seed);
  const out: number[] = bos ? [1] : [];
  while (out.length < n) out.push(3 + (rng.u32() % (Math.min(nVocab, 32000) - 3)));
  return out;
}

/** Ids of the `k` largest entries of `v` (descending). */
export function topK(v: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: v.length }, (_, i) => i);
  idx.sort((a, b) => v[b]! - v[a]!);
  return idx.slice(0, k);
}

/** Index of the largest entry. */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** max |a_i − b_i| over the ids in `ids`. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, ids: number[]): number {
  let m = 0;
  for (const i of ids) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
