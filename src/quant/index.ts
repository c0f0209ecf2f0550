// Public entry of the ggml block codecs: per-type registry, row/tensor (de)quantization, dot products, matmul.

import { GgmlType, ggmlTypeName, rowBytes } from '../format/ggml-types.js';
import { getCodec } from './registry.js';

export type { DequantizeRowFn, QuantizeRowFn, VecDotFn } from './common.js';
export { QK, QK_K } from './common.js';
export { bf16ToFp32, F16_TO_F32, fp16ToFp32, fp32ToBf16, fp32ToFp16 } from './f16.js';
export {
  dequantizeTensor,
  type MatmulOptions,
  MatmulScratch,
  matmulRef,
  type WeightTensor,
} from './matmul-ref.js';
export { chooseTensorType, LLAMA_FTYPE, type MixOptions, type QuantFileType, useMoreBits } from './mix.js';
export {
  type ActivationFlavor,
  activationQuantizer,
  findCodec,
  getCodec,
  supportedTypes,
  type TypeCodec,
} from './registry.js';
export { vecDot, vecDotFn, vecDotType } from './vec-dot.js';

/** Decodes `n` elements of `type` from `src` at byte `srcOffset` into `out` at `outOffset`. */
export function dequantizeRow(
  type: GgmlType,
  src: Uint8Array,
  srcOffset: number,
  out: Float32Array,
  outOffset: number,
  n: number,
): void {
  getCodec(type).dequantizeRow(src, srcOffset, out, outOffset, n);
}

/** Encodes `n` floats into `type` with ggml's reference quantizer, writing at byte `dstOffset` of `dst`. */
export function quantizeRow(
  type: GgmlType,
  x: Float32Array,
  xOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  n: number,
): void {
  getCodec(type).quantizeRow(x, xOffset, dst, dstOffset, n);
}

/** Types quantizeTensor writes (the weight types of GGUF files; Q8_1/Q8_K are activation-only). */
const TENSOR_TYPES = new Set<GgmlType>([
  GgmlType.F32,
  GgmlType.F16,
  GgmlType.BF16,
  GgmlType.Q4_0,
  GgmlType.Q4_1,
  GgmlType.Q5_0,
  GgmlType.Q5_1,
  GgmlType.Q8_0,
  GgmlType.Q4_K,
  GgmlType.Q5_K,
  GgmlType.Q6_K,
]);

/**
 * Quantizes a rows×cols float32 matrix (row-major; GGUF ne0 = cols, ne1 = rows) into `type` as
 * llama-quantize does without an importance matrix (ggml_quantize_chunk → *_ref), row by row.
 */
export function quantizeTensor(type: GgmlType, f32: Float32Array, rows: number, cols: number): Uint8Array {
  const name = ggmlTypeName(type);
  if (!TENSOR_TYPES.has(type)) throw new Error(`quantizeTensor: cannot write tensors of type ${name}`);
  const codec = getCodec(type);
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`quantizeTensor: bad ${name} shape [${cols}, ${rows}]`);
  }
  if (cols % codec.blockSize !== 0) {
    throw new Error(
      `quantizeTensor: ${name} tensor of shape [${cols}, ${rows}] has rows of ${cols} elements, not a multiple of ${name}'s block size ${codec.blockSize}`,
    );
  }
  if (f32.length < rows * cols) {
    throw new Error(
      `quantizeTensor: ${name} shape [${cols}, ${rows}] needs ${rows * cols} floats, got ${f32.length}`,
    );
  }
  const rb = rowBytes(type, cols);
  const out = new Uint8Array(rb * rows);
  for (let r = 0; r < rows; r++) codec.quantizeRow(f32, r * cols, out, r * rb, cols);
  return out;
}
