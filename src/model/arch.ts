// Names as data: GGUF metadata keys and tensor names per architecture, in one place.

/** Tensor names of block `i` (llama.cpp's LLM_TENSOR_* names). */
export const blk = (i: number) => ({
  attnNorm: `blk.${i}.attn_norm.weight`,
  attnQkv: `blk.${i}.attn_qkv.weight`,
  attnQ: `blk.${i}.attn_q.weight`,
  attnK: `blk.${i}.attn_k.weight`,
  attnV: `blk.${i}.attn_v.weight`,
  attnOutput: `blk.${i}.attn_output.weight`,
  ffnNorm: `blk.${i}.ffn_norm.weight`,
  ffnUp: `blk.${i}.ffn_up.weight`,
  ffnGate: `blk.${i}.ffn_gate.weight`,
  ffnDown: `blk.${i}.ffn_down.weight`,
});

/** Model-level tensor names. */
export const TENSOR = {
  tokenEmbd: 'token_embd.weight',
  outputNorm: 'output_norm.weight',
  output: 'output.weight',
  ropeFactorsLong: 'rope_factors_long.weight',
  ropeFactorsShort: 'rope_factors_short.weight',
} as const;

/** Metadata keys under the architecture prefix (`phi3.embedding_length`, …). */
export const archKey = (arch: string) => ({
  contextLength: `${arch}.context_length`,
  embeddingLength: `${arch}.embedding_length`,
  feedForwardLength: `${arch}.feed_forward_length`,
  blockCount: `${arch}.block_count`,
  headCount: `${arch}.attention.head_count`,
  headCountKv: `${arch}.attention.head_count_kv`,
  keyLength: `${arch}.attention.key_length`,
  rmsEps: `${arch}.attention.layer_norm_rms_epsilon`,
  slidingWindow: `${arch}.attention.sliding_window`,
  ropeDimensionCount: `${arch}.rope.dimension_count`,
  ropeFreqBase: `${arch}.rope.freq_base`,
  ropeOrigCtx: `${arch}.rope.scaling.original_context_length`,
  ropeAttnFactor: `${arch}.rope.scaling.attn_factor`,
  vocabSize: `${arch}.vocab_size`,
});

/** Per-architecture facts the graph needs. */
export const ARCHS = {
  phi3: { ropeType: 'neox' as const, fusedQkv: true, fusedGateUp: true },
  llama: { ropeType: 'norm' as const, fusedQkv: false, fusedGateUp: false },
};
