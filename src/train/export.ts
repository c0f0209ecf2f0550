// Checkpoint → phi3 GGUF (F32/F16/Q8_0/Q4_0) with the hyperparameter keys llama.cpp expects and tokenizer metadata.
import { GgmlType } from '../format/ggml-types.js';
import type { GgufEntry } from '../format/gguf-read.js';
import { type GgufTensorToWrite, type GgufToWrite, gv } from '../format/gguf-write.js';
import { quantizeTensor } from '../quant/index.js';
import type { Checkpoint } from './checkpoint.js';
import { PHI3_CHAT_TEMPLATE } from './tokenizer-train.js';

/** Output types of `pocketlm export`. */
export type ExportType = 'f32' | 'f16' | 'q8_0' | 'q4_0';

const TYPES: Record<ExportType, { ggml: GgmlType; fileType: number }> = {
  f32: { ggml: GgmlType.F32, fileType: 0 },
  f16: { ggml: GgmlType.F16, fileType: 1 },
  q4_0: { ggml: GgmlType.Q4_0, fileType: 2 },
  q8_0: { ggml: GgmlType.Q8_0, fileType: 7 },
};

/** Export options. */
export interface ExportOptions {
  type: ExportType;
  /** tokenizer.* entries (e.g. from a train-tokenizer GGUF or the Phi-3 vocabulary file). */
  tokenizer?: Map<string, GgufEntry> | [string, GgufEntry][];
  name?: string;
}

/** Builds the GGUF (metadata + tensors) for a checkpoint. Norms stay F32; a matrix whose rows do not fill
 * whole 32-element blocks falls back to F16 (as llama-quantize does). */
export function checkpointToGguf(ck: Checkpoint, opts: ExportOptions): GgufToWrite {
  const c = ck.meta.model;
  const t = TYPES[opts.type];
  if (!t) throw new Error(`export: unknown type "${opts.type}" (expected f32, f16, q8_0 or q4_0)`);
  const headDim = c.nEmbd / c.nHead;
  const tok = new Map(opts.tokenizer ?? []);
  const tokens = tok.get('tokenizer.ggml.tokens');
  if (tokens) {
    const n = (tokens.value as string[]).length;
    if (n !== c.nVocab)
      throw new Error(`export: tokenizer has ${n} tokens but the model's n_vocab is ${c.nVocab}`);
  }
  if (tokens && !tok.has('tokenizer.chat_template'))
    tok.set('tokenizer.chat_template', gv.str(PHI3_CHAT_TEMPLATE));
  const meta: [string, GgufEntry][] = [
    ['general.architecture', gv.str('phi3')],
    ['general.name', gv.str(opts.name ?? 'pocketlm-phi3')],
    ['general.file_type', gv.u32(t.fileType)],
    ['phi3.context_length', gv.u32(c.nCtx)],
    ['phi3.rope.scaling.original_context_length', gv.u32(c.nCtx)],
    ['phi3.embedding_length', gv.u32(c.nEmbd)],
    ['phi3.feed_forward_length', gv.u32(c.nFf)],
    ['phi3.block_count', gv.u32(c.nLayer)],
    ['phi3.attention.head_count', gv.u32(c.nHead)],
    ['phi3.attention.head_count_kv', gv.u32(c.nHeadKv)],
    ['phi3.attention.layer_norm_rms_epsilon', gv.f32(c.rmsEps)],
    ['phi3.rope.dimension_count', gv.u32(headDim)],
    ['phi3.rope.freq_base', gv.f32(c.ropeTheta)],
  ];
  if (t.ggml !== GgmlType.F32 && t.ggml !== GgmlType.F16)
    meta.push(['general.quantization_version', gv.u32(2)]);
  for (const [k, v] of tok) if (k.startsWith('tokenizer.')) meta.push([k, v]);
  const tensors: GgufTensorToWrite[] = ck.meta.tensors.map((p) => {
    const f32 = ck.params.subarray(p.offset, p.offset + p.size);
    let type = p.kind === 'norm' ? GgmlType.F32 : t.ggml;
    if ((type === GgmlType.Q4_0 || type === GgmlType.Q8_0) && p.cols % 32 !== 0) type = GgmlType.F16;
    const dims = p.kind === 'norm' ? [p.cols] : [p.cols, p.rows];
    return {
      name: p.name,
      dims,
      type,
      data: () =>
        type === GgmlType.F32
          ? new Uint8Array(f32.buffer.slice(f32.byteOffset, f32.byteOffset + f32.byteLength))
          : quantizeTensor(type, f32, p.rows, p.cols),
    };
  });
  return { metadata: meta, tensors };
}
