// Requantizes a model (GGUF or safetensors directory) into another file type, choosing per-tensor types
// as llama.cpp's quantizer does.
import { GgmlType, rowBytes } from '../format/ggml-types.js';
import { writeGgufFile } from '../format/gguf-node.js';
import type { GgufEntry } from '../format/gguf-read.js';
import { gv } from '../format/gguf-write.js';
import { modelMetadata } from '../model/random.js';
import {
  chooseTensorType,
  dequantizeTensor,
  LLAMA_FTYPE,
  type QuantFileType,
  quantizeTensor,
} from '../quant/index.js';
import { readModel } from './load.js';

const FILE_TYPES = Object.keys(LLAMA_FTYPE) as QuantFileType[];

/** Result sizes of a quantization run. */
export interface QuantizeResult {
  inputBytes: number;
  outputBytes: number;
}

/** Quantizes `input` into `output` as `fileType`; progress per tensor. */
export async function quantizeModel(
  input: string,
  output: string,
  fileType: string,
  onProgress?: (done: number, total: number, tensor: string) => void,
): Promise<QuantizeResult> {
  if (!FILE_TYPES.includes(fileType as QuantFileType)) {
    throw new Error(`unknown --type "${fileType}" (expected ${FILE_TYPES.join(', ')})`);
  }
  const ft = fileType as QuantFileType;
  const { model, close } = await readModel(input);
  const c = model.config;
  const meta = new Map<string, GgufEntry>(model.metadata);
  // Hyperparameters are rewritten from the config (safetensors input has none in GGUF form).
  for (const [k, e] of modelMetadata(
    c,
    String(meta.get('general.name')?.value ?? 'model'),
    LLAMA_FTYPE[ft],
  )) {
    if (!meta.has(k) || k === 'general.file_type') meta.set(k, e);
  }
  meta.set('general.quantization_version', gv.u32(2));
  // HF Llama checkpoints rotate halves (neox); llama GGUFs rotate adjacent pairs, so q/k rows are permuted
  // on the way, exactly as llama.cpp's converter does.
  const permute = c.arch === 'llama' && c.ropeType === 'neox';
  let inputBytes = 0;
  const names = [...model.tensors.keys()];
  let done = 0;
  const tensors = names.map((name) => {
    const t = model.tensors.get(name)!;
    inputBytes += rowBytes(t.type, t.dims[0]!) * (t.dims.reduce((a, b) => a * b, 1) / t.dims[0]!);
    const type = chooseTensorType(ft, name, t.dims, c.nLayer, {
      sourceType: t.type,
      tiedEmbeddings: c.tiedEmbeddings,
    });
    return {
      name,
      dims: t.dims,
      type,
      data: () => {
        onProgress?.(++done, names.length, name);
        const data = t.data; // read once: GGUF sources are lazy
        if (type === t.type && !(permute && /attn_[qk]\.weight$/.test(name))) return data;
        const n = t.dims.reduce((a, b) => a * b, 1);
        const f = dequantizeTensor(t.type, data, n);
        if (permute) permuteForNormRope(name, f, t.dims, c.nHead, c.nHeadKv);
        if (type === GgmlType.F32) return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
        return quantizeTensor(type, f, n / t.dims[0]!, t.dims[0]!);
      },
    };
  });
  try {
    const outputBytes = writeGgufFile(output, { metadata: meta, tensors });
    return { inputBytes, outputBytes };
  } finally {
    close();
  }
}

/**
 * Reorders the rows of attn_q / attn_k from rotate-half (HF) to interleaved-pair (llama GGUF) order: per head,
 * rows (h, 2, d/2) → (h, d/2, 2), as llama.cpp's convert_hf_to_gguf `permute` does.
 */
export function permuteForNormRope(
  name: string,
  f: Float32Array,
  dims: number[],
  nHead: number,
  nHeadKv: number,
): void {
  const isQ = /attn_q\.weight$/.test(name);
  const isK = /attn_k\.weight$/.test(name);
  if (!isQ && !isK) return;
  const heads = isQ ? nHead : nHeadKv;
  const cols = dims[0]!;
  const rows = dims[1]!;
  const hd = rows / heads;
  const half = hd / 2;
  const src = f.slice();
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const from = h * hd + j * half + i;
        const to = h * hd + i * 2 + j;
        f.set(src.subarray(from * cols, (from + 1) * cols), to * cols);
      }
    }
  }
}
