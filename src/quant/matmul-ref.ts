// Plain-TS reference matrix multiply over ggml block formats (quantize activations once, then vec_dot per row).

import { type GgmlType, ggmlTypeName, rowBytes } from '../format/ggml-types.js';
import { type ActivationFlavor, activationQuantizer, getCodec } from './registry.js';
import { vecDotFn, vecDotType } from './vec-dot.js';

/** A 2-D weight tensor as stored in GGUF: `rows` rows (ne1) of `cols` elements (ne0), row-major. */
export interface WeightTensor {
  readonly type: GgmlType;
  /** The tensor's bytes, starting at its first row (use `subarray` on a file buffer). */
  readonly data: Uint8Array;
  /** ne1: number of output features. */
  readonly rows: number;
  /** ne0: number of input features, a multiple of the type's block size. */
  readonly cols: number;
}

/** Reusable buffer for quantized activation rows; grows when needed, never shrinks. */
export class MatmulScratch {
  bytes = new Uint8Array(0);
  /** Returns a buffer of at least `n` bytes (the same one while it is big enough). */
  ensure(n: number): Uint8Array {
    if (this.bytes.length < n) this.bytes = new Uint8Array(Math.max(n, this.bytes.length * 2));
    return this.bytes;
  }
}

/** Options for matmulRef. */
export interface MatmulOptions {
  /** Where activation rows are quantized; a shared module-level scratch when omitted. */
  scratch?: MatmulScratch;
  /** Which CPU activation quantizer to mirror (default 'generic'; 'x86' = llama.cpp's AVX2 build). */
  flavor?: ActivationFlavor;
}

const defaultScratch = new MatmulScratch();

/**
 * out[t·rows + r] = dot(w row r, x row t) for t < n, r < rows — ggml's mul_mat on the CPU: each activation
 * row (`x`, n×cols row-major float32) is converted once to vecDotType(w.type), then the type's generic
 * vec_dot runs per weight row. `out` is n×rows row-major.
 */
export function matmulRef(
  w: WeightTensor,
  x: Float32Array,
  n: number,
  out: Float32Array,
  options: MatmulOptions = {},
): void {
  const { rows, cols } = w;
  const wRow = rowBytes(w.type, cols);
  if (w.data.length < rows * wRow) {
    throw new Error(
      `matmulRef: ${ggmlTypeName(w.type)} weight [${cols}, ${rows}] needs ${rows * wRow} bytes, got ${w.data.length}`,
    );
  }
  if (x.length < n * cols)
    throw new Error(`matmulRef: activations need ${n}×${cols} floats, got ${x.length}`);
  if (out.length < n * rows)
    throw new Error(`matmulRef: output needs ${n}×${rows} floats, got ${out.length}`);
  const aType = vecDotType(w.type);
  const aRow = rowBytes(aType, cols);
  const quantize = activationQuantizer(aType, options.flavor);
  const a = (options.scratch ?? defaultScratch).ensure(n * aRow);
  for (let t = 0; t < n; t++) quantize(x, t * cols, a, t * aRow, cols);
  const dot = vecDotFn(w.type);
  const data = w.data;
  for (let r = 0; r < rows; r++) {
    const wo = r * wRow;
    for (let t = 0; t < n; t++) out[t * rows + r] = dot(data, wo, a, t * aRow, cols);
  }
}

/** Decodes the first `nElements` elements of a tensor of `type` into a new Float32Array. */
export function dequantizeTensor(type: GgmlType, data: Uint8Array, nElements: number): Float32Array {
  const codec = getCodec(type);
  const need = rowBytes(type, nElements);
  if (data.length < need) {
    throw new Error(
      `dequantizeTensor: ${nElements} ${codec.name} elements need ${need} bytes, got ${data.length}`,
    );
  }
  const out = new Float32Array(nElements);
  codec.dequantizeRow(data, 0, out, 0, nElements);
  return out;
}
