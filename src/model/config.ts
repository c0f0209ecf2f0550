// Model hyperparameters and the in-memory tensor set, independent of where they came from (GGUF or safetensors).
import type { GgmlType } from '../format/ggml-types.js';

/** Architectures the runtime runs. */
export type Arch = 'phi3' | 'llama';

/** Hyperparameters in llama.cpp's vocabulary (n_embd, n_head_kv, …). */
export interface ModelConfig {
  arch: Arch;
  /** Vocabulary size (rows of token_embd). */
  nVocab: number;
  /** Context length the model was trained for (`{arch}.context_length`). */
  nCtxTrain: number;
  /** Hidden size. */
  nEmbd: number;
  /** FFN inner size (gate and up each have this many rows). */
  nFf: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  /** Per-head dimension (n_embd / n_head unless the file says otherwise). */
  headDim: number;
  /** Dimensions RoPE rotates (`{arch}.rope.dimension_count`), ≤ headDim. */
  nRot: number;
  rmsEps: number;
  ropeTheta: number;
  /** 'neox' rotates halves (phi3, HF checkpoints); 'norm' rotates adjacent pairs (llama GGUF). */
  ropeType: 'neox' | 'norm';
  /** Sliding attention window in tokens (phi3-mini-4k: 2047), if any. */
  slidingWindow?: number;
  /** LongRoPE: context the short factors were trained for (`rope.scaling.original_context_length`). */
  nCtxOrig?: number;
  /** True when `output.weight` is absent and token_embd is reused for the LM head. */
  tiedEmbeddings: boolean;
}

/** One tensor's bytes in its stored (possibly quantized) type. `dims[0]` is ne0 (contiguous). */
export interface TensorRef {
  name: string;
  type: GgmlType;
  dims: number[];
  data: Uint8Array;
  /**
   * Lazily read sources: reads the bytes into `buf` (a view of its first bytes is returned; a fresh buffer
   * when `buf` is too small). Lets a loader reuse one buffer for every tensor instead of faulting in fresh
   * pages for each (see Backend.copiesWeights).
   */
  readInto?: (buf: Uint8Array) => Uint8Array;
}

/** A model as loaded from any source, before the runtime prepares it. */
export interface LoadedModel {
  config: ModelConfig;
  /** Tensors by their GGUF names (`token_embd.weight`, `blk.0.attn_qkv.weight`, …). */
  tensors: Map<string, TensorRef>;
  /** GGUF-style metadata (`tokenizer.ggml.*`, `tokenizer.chat_template`, `general.*`). */
  metadata: Map<string, import('../format/gguf-read.js').GgufEntry>;
  /** Where it came from, for error messages. */
  source: string;
}
