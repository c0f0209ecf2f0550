// Random-weight GGUF models of any Phi-3/Llama shape and tensor type: for tests, conformance and benchmarks.
import { blockGeometry, GgmlType, ggmlTypeName } from '../format/ggml-types.js';
import type { GgufEntry } from '../format/gguf-read.js';
import { type GgufTensorToWrite, type GgufToWrite, gv } from '../format/gguf-write.js';
import { chooseTensorType, LLAMA_FTYPE, type QuantFileType, quantizeTensor } from '../quant/index.js';
import { archKey, blk, TENSOR } from './arch.js';
import type { ModelConfig } from './config.js';

/** Named shapes. `tiny` is for tests; the others match the real models' dimensions. */
export const PRESETS: Record<string, Omit<ModelConfig, 'nVocab'>> = {
  tiny: {
    arch: 'phi3',
    nCtxTrain: 4096,
    nEmbd: 256,
    nFf: 512,
    nLayer: 2,
    nHead: 4,
    nHeadKv: 4,
    headDim: 64,
    nRot: 64,
    rmsEps: 1e-5,
    ropeTheta: 10000,
    ropeType: 'neox',
    slidingWindow: 2047,
    tiedEmbeddings: false,
  },
  'phi3-mini': {
    arch: 'phi3',
    nCtxTrain: 4096,
    nEmbd: 3072,
    nFf: 8192,
    nLayer: 32,
    nHead: 32,
    nHeadKv: 32,
    headDim: 96,
    nRot: 96,
    rmsEps: 1e-5,
    ropeTheta: 10000,
    ropeType: 'neox',
    slidingWindow: 2047,
    tiedEmbeddings: false,
  },
  'phi3-medium': {
    arch: 'phi3',
    nCtxTrain: 4096,
    nEmbd: 5120,
    nFf: 17920,
    nLayer: 40,
    nHead: 40,
    nHeadKv: 10,
    headDim: 128,
    nRot: 128,
    rmsEps: 1e-5,
    ropeTheta: 10000,
    ropeType: 'neox',
    slidingWindow: 2047,
    tiedEmbeddings: false,
  },
};

/** Seeded normal-ish generator (xorshift32 + Box–Muller), fast enough for billions of weights. */
export class WeightRng {
  private s: number;
  private spare: number | undefined;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  uniform(): number {
    return (this.u32() + 0.5) / 4294967296;
  }
  normal(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const t = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }
}

/** The metadata llama.cpp expects for a model of `config` (strictly typed keys). */
export function modelMetadata(config: ModelConfig, name: string, fileType: number): [string, GgufEntry][] {
  const k = archKey(config.arch);
  const meta: [string, GgufEntry][] = [
    ['general.architecture', gv.str(config.arch)],
    ['general.name', gv.str(name)],
    [k.contextLength, gv.u32(config.nCtxTrain)],
    [k.embeddingLength, gv.u32(config.nEmbd)],
    [k.feedForwardLength, gv.u32(config.nFf)],
    [k.blockCount, gv.u32(config.nLayer)],
    [k.headCount, gv.u32(config.nHead)],
    [k.headCountKv, gv.u32(config.nHeadKv)],
    [k.rmsEps, gv.f32(config.rmsEps)],
    [k.ropeDimensionCount, gv.u32(config.nRot)],
    [k.ropeFreqBase, gv.f32(config.ropeTheta)],
    ['general.file_type', gv.u32(fileType)],
    ['general.quantization_version', gv.u32(2)],
  ];
  if (config.arch === 'phi3') meta.push([k.ropeOrigCtx, gv.u32(config.nCtxOrig ?? config.nCtxTrain)]);
  if (config.headDim * config.nHead !== config.nEmbd) meta.push([k.keyLength, gv.u32(config.headDim)]);
  return meta;
}

/** Options for `randomModelSpec`. */
export interface RandomModelOptions {
  config: ModelConfig;
  /** Tokenizer metadata (`tokenizer.*` entries) to embed; its token count must equal config.nVocab. */
  tokenizer: [string, GgufEntry][];
  fileType: QuantFileType;
  seed?: number;
  /** Standard deviation of the weights (default 0.02, plus a 1/sqrt(2·nLayer) factor on output projections). */
  std?: number;
  name?: string;
  /**
   * Draw and quantize only this many distinct rows per matrix and repeat them in a shuffled order
   * (benchmark files: speed does not depend on the values, and quantizing billions of K-quant weights in
   * TypeScript takes long). Default: every row drawn.
   */
  distinctRows?: number;
}

/**
 * Describes a random model as a GGUF to write. Weights are drawn lazily tensor by tensor, so multi-GB
 * files stream to disk without being held in memory. Quantized tensors are quantized from f32 draws.
 */
export function randomModelSpec(o: RandomModelOptions): GgufToWrite {
  const c = o.config;
  const std = o.std ?? 0.02;
  const rng = new WeightRng(o.seed ?? 42);
  const tensors: GgufTensorToWrite[] = [];
  const add = (name: string, dims: number[], kind: 'norm' | 'weight' | 'proj') => {
    const ftype = chooseTensorType(o.fileType, name, dims, c.nLayer, { tiedEmbeddings: c.tiedEmbeddings });
    const type = kind === 'norm' ? GgmlType.F32 : ftype;
    const g = blockGeometry(type)!;
    if (dims[0]! % g.blockSize !== 0) {
      throw new Error(
        `tensor ${name}: n_embd/n_ff must be a multiple of ${g.blockSize} for ${ggmlTypeName(type)}`,
      );
    }
    tensors.push({
      name,
      dims,
      type,
      data: () => {
        const rows = dims[1] ?? 1;
        const cols = dims[0]!;
        const distinct = o.distinctRows;
        if (kind !== 'norm' && distinct !== undefined && rows > distinct) {
          const f = new Float32Array(distinct * cols);
          const s = kind === 'proj' ? std / Math.sqrt(2 * c.nLayer) : std;
          for (let i = 0; i < f.length; i++) f[i] = s * rng.normal();
          const q = quantizeTensor(type, f, distinct, cols);
          const rb = q.length / distinct;
          const out = new Uint8Array(rows * rb);
          for (let r = 0; r < rows; r++) {
            const src = Math.floor(rng.uniform() * distinct);
            out.set(q.subarray(src * rb, (src + 1) * rb), r * rb);
          }
          return out;
        }
        const n = dims.reduce((a, b) => a * b, 1);
        const f = new Float32Array(n);
        if (kind === 'norm') for (let i = 0; i < n; i++) f[i] = 1 + 0.1 * rng.normal();
        else {
          const s = kind === 'proj' ? std / Math.sqrt(2 * c.nLayer) : std;
          for (let i = 0; i < n; i++) f[i] = s * rng.normal();
        }
        return quantizeTensor(type, f, dims[1] ?? 1, dims[0]!);
      },
    });
  };
  const qDim = c.nHead * c.headDim;
  const kvDim = c.nHeadKv * c.headDim;
  add(TENSOR.tokenEmbd, [c.nEmbd, c.nVocab], 'weight');
  for (let i = 0; i < c.nLayer; i++) {
    const n = blk(i);
    add(n.attnNorm, [c.nEmbd], 'norm');
    if (c.arch === 'phi3') add(n.attnQkv, [c.nEmbd, qDim + 2 * kvDim], 'weight');
    else {
      add(n.attnQ, [c.nEmbd, qDim], 'weight');
      add(n.attnK, [c.nEmbd, kvDim], 'weight');
      add(n.attnV, [c.nEmbd, kvDim], 'weight');
    }
    add(n.attnOutput, [qDim, c.nEmbd], 'proj');
    add(n.ffnNorm, [c.nEmbd], 'norm');
    if (c.arch === 'phi3') add(n.ffnUp, [c.nEmbd, 2 * c.nFf], 'weight');
    else {
      add(n.ffnGate, [c.nEmbd, c.nFf], 'weight');
      add(n.ffnUp, [c.nEmbd, c.nFf], 'weight');
    }
    add(n.ffnDown, [c.nFf, c.nEmbd], 'proj');
  }
  add(TENSOR.outputNorm, [c.nEmbd], 'norm');
  if (!c.tiedEmbeddings) add(TENSOR.output, [c.nEmbd, c.nVocab], 'weight');
  const metadata = [
    ...modelMetadata(c, o.name ?? `random ${c.arch}`, LLAMA_FTYPE[o.fileType]),
    ...o.tokenizer,
  ];
  return { metadata, tensors };
}
