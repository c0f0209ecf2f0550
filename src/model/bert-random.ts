// Random-weight `bert` / `nomic-bert` embedding GGUFs (llama.cpp's tensor names and keys): for tests and benchmarks.
import { GgmlType } from '../format/ggml-types.js';
import type { GgufEntry } from '../format/gguf-read.js';
import { type GgufTensorToWrite, type GgufToWrite, gv } from '../format/gguf-write.js';
import { quantizeTensor } from '../quant/index.js';
import type { BertArch } from './bert.js';
import { WeightRng } from './random.js';

/** Shape and settings of a random BERT-family model. */
export interface RandomBertOptions {
  arch: BertArch;
  /** Tokenizer metadata (`tokenizer.*` entries, WordPiece); n_vocab is its token count. */
  tokenizer: [string, GgufEntry][];
  /** Type of the 2-D weights (token_embd, position_embd, projections): F32, F16, Q8_0, … Norms, biases and token_types stay F32. */
  type: GgmlType;
  nEmbd?: number;
  nFf?: number;
  nLayer?: number;
  nHead?: number;
  nCtxTrain?: number;
  /** `{arch}.pooling_type` (default 1 = mean); undefined-by-choice: pass null to omit the key. */
  pooling?: number | null;
  normEps?: number;
  /** nomic-bert RoPE base (default 1000, as nomic-embed-text). */
  ropeTheta?: number;
  /** Fused attn_qkv (default: true for nomic-bert, false for bert). */
  fusedQkv?: boolean;
  seed?: number;
  name?: string;
}

/** `general.file_type` (llama_ftype) for a uniform weight type. */
function fileTypeOf(type: GgmlType): number {
  switch (type) {
    case GgmlType.F32:
      return 0;
    case GgmlType.F16:
      return 1;
    case GgmlType.Q4_0:
      return 2;
    case GgmlType.Q8_0:
      return 7;
    default:
      return 1;
  }
}

/**
 * Describes a random BERT-family GGUF that llama.cpp loads as an embedding model. Weights are drawn so
 * activations stay O(1) (std 1/sqrt(fan-in)), with non-trivial norm gains and biases, so the test
 * exercises every term of the graph.
 */
export function randomBertSpec(o: RandomBertOptions): GgufToWrite {
  const arch = o.arch;
  const nEmbd = o.nEmbd ?? 128;
  const nFf = o.nFf ?? 4 * nEmbd;
  const nLayer = o.nLayer ?? 2;
  const nHead = o.nHead ?? 4;
  const nCtx = o.nCtxTrain ?? 512;
  const fused = o.fusedQkv ?? arch === 'nomic-bert';
  const tokens = o.tokenizer.find(([k]) => k === 'tokenizer.ggml.tokens')?.[1].value;
  if (!Array.isArray(tokens))
    throw new Error('randomBertSpec: tokenizer metadata lacks tokenizer.ggml.tokens');
  const nVocab = tokens.length;
  const rng = new WeightRng(o.seed ?? 7);
  const tensors: GgufTensorToWrite[] = [];
  const add = (name: string, dims: number[], kind: 'norm' | 'bias' | 'emb' | 'types' | 'weight') => {
    // token_types stays F32: llama.cpp adds its row 0 with ggml_add, which takes no quantized operand.
    const type = kind === 'weight' || kind === 'emb' ? o.type : GgmlType.F32;
    const n = dims.reduce((a, b) => a * b, 1);
    const f = new Float32Array(n);
    const s = kind === 'weight' ? 1 / Math.sqrt(dims[0]!) : kind === 'emb' || kind === 'types' ? 0.5 : 0.1;
    for (let i = 0; i < n; i++) f[i] = (kind === 'norm' ? 1 : 0) + s * rng.normal();
    tensors.push({ name, dims, type, data: quantizeTensor(type, f, dims[1] ?? 1, dims[0]!) });
  };
  add('token_embd.weight', [nEmbd, nVocab], 'emb');
  add('token_types.weight', [nEmbd, 2], 'types');
  if (arch === 'bert') add('position_embd.weight', [nEmbd, nCtx], 'emb');
  add('token_embd_norm.weight', [nEmbd], 'norm');
  add('token_embd_norm.bias', [nEmbd], 'bias');
  for (let i = 0; i < nLayer; i++) {
    const p = `blk.${i}.`;
    if (fused) {
      add(`${p}attn_qkv.weight`, [nEmbd, 3 * nEmbd], 'weight');
      if (arch === 'bert') add(`${p}attn_qkv.bias`, [3 * nEmbd], 'bias');
    } else {
      for (const x of ['q', 'k', 'v']) {
        add(`${p}attn_${x}.weight`, [nEmbd, nEmbd], 'weight');
        add(`${p}attn_${x}.bias`, [nEmbd], 'bias');
      }
    }
    add(`${p}attn_output.weight`, [nEmbd, nEmbd], 'weight');
    if (arch === 'bert') add(`${p}attn_output.bias`, [nEmbd], 'bias');
    add(`${p}attn_output_norm.weight`, [nEmbd], 'norm');
    add(`${p}attn_output_norm.bias`, [nEmbd], 'bias');
    add(`${p}ffn_up.weight`, [nEmbd, nFf], 'weight');
    if (arch === 'bert') add(`${p}ffn_up.bias`, [nFf], 'bias');
    else add(`${p}ffn_gate.weight`, [nEmbd, nFf], 'weight');
    add(`${p}ffn_down.weight`, [nFf, nEmbd], 'weight');
    if (arch === 'bert') add(`${p}ffn_down.bias`, [nEmbd], 'bias');
    add(`${p}layer_output_norm.weight`, [nEmbd], 'norm');
    add(`${p}layer_output_norm.bias`, [nEmbd], 'bias');
  }
  const k = (s: string) => `${arch}.${s}`;
  const metadata: [string, GgufEntry][] = [
    ['general.architecture', gv.str(arch)],
    ['general.name', gv.str(o.name ?? `random ${arch}`)],
    ['general.file_type', gv.u32(fileTypeOf(o.type))],
    ['general.quantization_version', gv.u32(2)],
    [k('context_length'), gv.u32(nCtx)],
    [k('embedding_length'), gv.u32(nEmbd)],
    [k('feed_forward_length'), gv.u32(nFf)],
    [k('block_count'), gv.u32(nLayer)],
    [k('attention.head_count'), gv.u32(nHead)],
    [k('attention.layer_norm_epsilon'), gv.f32(o.normEps ?? 1e-12)],
    [k('attention.causal'), gv.bool(false)],
  ];
  if (o.pooling !== null) metadata.push([k('pooling_type'), gv.u32(o.pooling ?? 1)]);
  if (arch === 'nomic-bert') metadata.push([k('rope.freq_base'), gv.f32(o.ropeTheta ?? 1000)]);
  const tok = o.tokenizer.filter(([key]) => key.startsWith('tokenizer.'));
  if (!tok.some(([key]) => key === 'tokenizer.ggml.token_type_count'))
    tok.push(['tokenizer.ggml.token_type_count', gv.u32(2)]);
  return { metadata: [...metadata, ...tok], tensors };
}
