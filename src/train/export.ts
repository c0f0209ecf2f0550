// Checkpoint → phi3 GGUF (F32/F16/Q8_0/Q4_0) with the hyperparameter keys llama.cpp expects and tokenizer metadata.

import { GgmlType } from '../format/ggml-types.js';
import type { GgufEntry } from '../format/gguf-read.js';
import { type GgufTensorToWrite, type GgufToWrite, gv } from '../format/gguf-write.js';
import { modelMetadata } from '../model/random.js';
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
  // The same hyperparameter keys the runtime's writer uses (typed as llama.cpp expects).
  const meta: [string, GgufEntry][] = modelMetadata(
    {
      arch: 'phi3',
      nVocab: c.nVocab,
      nCtxTrain: c.nCtx,
      nEmbd: c.nEmbd,
      nFf: c.nFf,
      nLayer: c.nLayer,
      nHead: c.nHead,
      nHeadKv: c.nHeadKv,
      headDim,
      nRot: headDim,
      rmsEps: c.rmsEps,
      ropeTheta: c.ropeTheta,
      ropeType: 'neox',
      tiedEmbeddings: false,
    },
    opts.name ?? 'pocketlm-phi3',
    t.fileType,
  );
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
