// Reading weights the graph keeps in float: norm vectors, single embedding rows.
import { GgmlType, rowBytes } from '../format/ggml-types.js';
import { dequantizeRow, dequantizeTensor } from '../quant/index.js';
import type { TensorRef } from './config.js';

/** The whole tensor as float32 (norms, rope factors). A view, without copying, when it is already F32 and aligned. */
export function tensorToF32(t: TensorRef): Float32Array {
  const n = t.dims.reduce((a, b) => a * b, 1);
  const data = t.data; // read once: sources may be lazy
  if (t.type === GgmlType.F32 && data.byteOffset % 4 === 0)
    return new Float32Array(data.buffer, data.byteOffset, n);
  return dequantizeTensor(t.type, data, n);
}

/** Dequantizes row `row` of a 2-D tensor (an embedding lookup) into `out` at `outOffset`. */
export function dequantizeRowOf(t: TensorRef, row: number, out: Float32Array, outOffset: number): void {
  const cols = t.dims[0]!;
  const rb = rowBytes(t.type, cols);
  dequantizeRow(t.type, t.data, row * rb, out, outOffset, cols);
}
