// Per-tensor type choice for a llama.cpp "file type" (Q4_K_M, Q4_0, Q8_0, F16, F32), after src/llama-quant.cpp.

import { GgmlType } from '../format/ggml-types.js';

/** The file types pocketlm can write. */
export type QuantFileType = 'f32' | 'f16' | 'q4_0' | 'q8_0' | 'q4_k_m';

/** The general.file_type value llama.cpp writes for each file type (enum llama_ftype). */
export const LLAMA_FTYPE: Readonly<Record<QuantFileType, number>> = {
  f32: 0, // LLAMA_FTYPE_ALL_F32
  f16: 1, // LLAMA_FTYPE_MOSTLY_F16
  q4_0: 2, // LLAMA_FTYPE_MOSTLY_Q4_0
  q8_0: 7, // LLAMA_FTYPE_MOSTLY_Q8_0
  q4_k_m: 15, // LLAMA_FTYPE_MOSTLY_Q4_K_M
};

const DEFAULT_TYPE: Readonly<Record<QuantFileType, GgmlType>> = {
  f32: GgmlType.F32,
  f16: GgmlType.F16,
  q4_0: GgmlType.Q4_0,
  q8_0: GgmlType.Q8_0,
  q4_k_m: GgmlType.Q4_K,
};

const BLOCK: Partial<Record<GgmlType, number>> = {
  [GgmlType.Q4_0]: 32,
  [GgmlType.Q5_0]: 32,
  [GgmlType.Q5_1]: 32,
  [GgmlType.Q8_0]: 32,
  [GgmlType.Q4_K]: 256,
  [GgmlType.Q5_K]: 256,
  [GgmlType.Q6_K]: 256,
};

/** Options of chooseTensorType. */
export interface MixOptions {
  /** Type of the tensor in the source; kept for tensors llama.cpp does not quantize (default F32). */
  sourceType?: GgmlType;
  /**
   * attn_qkv under Q4_K_M. 'attn-v' (default): treated like attn_v (Q6_K on use_more_bits layers, else
   * Q4_K), as the llama.cpp bundled with node-llama-cpp 3.21.1 does (its category_is_attn_v includes QKV).
   * 'q5_k': always Q5_K, as older llama.cpp releases did.
   */
  qkvRule?: 'attn-v' | 'q5_k';
  /** True when the model has no output.weight (token_embd is then quantized like output). Default false. */
  tiedEmbeddings?: boolean;
}

/** llama.cpp's use_more_bits: the first and last eighth of the layers, and every third layer between. */
export function useMoreBits(iLayer: number, nLayers: number): boolean {
  const e = Math.trunc(nLayers / 8);
  return iLayer < e || iLayer >= Math.trunc((7 * nLayers) / 8) || (iLayer - e) % 3 === 2;
}

function nDims(dims: readonly number[]): number {
  let n = dims.length;
  while (n > 1 && dims[n - 1] === 1) n--;
  return n;
}

function layerOf(name: string): number {
  const m = /^blk\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : -1;
}

/** tensor_allows_quantization for the tensors of dense llama/phi3 models. */
function allowsQuantization(name: string, dims: readonly number[]): boolean {
  if (nDims(dims) < 2) return false;
  if (!name.endsWith('weight')) return false;
  if (name.includes('_norm.weight')) return false;
  if (name.includes('ffn_gate_inp.weight')) return false;
  if (name === 'position_embd.weight' || name === 'token_types.weight') return false;
  return true;
}

/**
 * The ggml type llama-quantize (no imatrix, no overrides) gives tensor `name` with shape `dims`
 * (ne0 first) in a model of `nLayer` blocks, for file type `ftype`:
 * - 1-D tensors, norms and non-"weight" tensors keep their source type (F32 by default);
 * - f32/f16: every other tensor F32/F16;
 * - output.weight: Q6_K (Q8_0 for q8_0, and Q8_0 when ne0 is not a multiple of the block size);
 * - q4_k_m: attn_v (and attn_qkv, see MixOptions.qkvRule) and ffn_down get Q6_K on the use_more_bits layers,
 *   the rest Q4_K;
 * - finally llama.cpp's fallback when ne0 does not fit the block: Q4_K→Q5_0, Q5_K→Q5_1, Q6_K→Q8_0, then F16.
 * Layer indices are read from "blk.N." (llama.cpp counts tensors in layer order, which is the same).
 */
export function chooseTensorType(
  ftype: QuantFileType,
  tensorName: string,
  dims: readonly number[],
  nLayer: number,
  options: MixOptions = {},
): GgmlType {
  const base = DEFAULT_TYPE[ftype];
  if (base === undefined)
    throw new Error(`unknown file type '${ftype}' (expected f32, f16, q4_0, q8_0 or q4_k_m)`);
  if (!allowsQuantization(tensorName, dims)) return options.sourceType ?? GgmlType.F32;
  if (ftype === 'f32' || ftype === 'f16') return base;

  let t = base;
  const ne0 = dims[0]!;
  const isOutput = tensorName === 'output.weight';
  const isTokenEmbd = tensorName === 'token_embd.weight';
  if (isOutput || (options.tiedEmbeddings && isTokenEmbd)) {
    if (ne0 % BLOCK[t]! !== 0) t = GgmlType.Q8_0;
    else if (t !== GgmlType.Q8_0) t = GgmlType.Q6_K;
  } else if (ftype === 'q4_k_m' && !isTokenEmbd) {
    const i = layerOf(tensorName);
    const isQkv = tensorName.includes('attn_qkv.weight');
    const isV = tensorName.includes('attn_v.weight') || tensorName.includes('attn_kv_b.weight');
    if (isQkv && options.qkvRule === 'q5_k') t = GgmlType.Q5_K;
    else if (isQkv || isV) {
      if (useMoreBits(i, nLayer)) t = GgmlType.Q6_K;
    } else if (tensorName.includes('ffn_down')) {
      if (useMoreBits(i, nLayer)) t = GgmlType.Q6_K;
    }
  }
  return fallback(t, ne0);
}

function fallback(t: GgmlType, ne0: number): GgmlType {
  const blk = BLOCK[t] ?? 1;
  if (ne0 % blk === 0) return t;
  let r = t;
  if (t === GgmlType.Q4_K) r = GgmlType.Q5_0;
  else if (t === GgmlType.Q5_K) r = GgmlType.Q5_1;
  else if (t === GgmlType.Q6_K) r = GgmlType.Q8_0;
  if (ne0 % (BLOCK[r] ?? 1) !== 0) r = GgmlType.F16;
  return r;
}
