// Table of the block codecs by GgmlType: dequantizer, quantizer, geometry and vec_dot type of each.

import { GgmlType, ggmlTypeName } from '../format/ggml-types.js';
import { type DequantizeRowFn, QK, QK_K, type QuantizeRowFn } from './common.js';
import { dequantizeRowQ4_0, Q4_0_BYTES, quantizeRowQ4_0 } from './q4-0.js';
import { dequantizeRowQ4_1, Q4_1_BYTES, quantizeRowQ4_1 } from './q4-1.js';
import { dequantizeRowQ4_K, Q4_K_BYTES, quantizeRowQ4_K } from './q4-k.js';
import { dequantizeRowQ5_0, Q5_0_BYTES, quantizeRowQ5_0 } from './q5-0.js';
import { dequantizeRowQ5_1, Q5_1_BYTES, quantizeRowQ5_1 } from './q5-1.js';
import { dequantizeRowQ5_K, Q5_K_BYTES, quantizeRowQ5_K } from './q5-k.js';
import { dequantizeRowQ6_K, Q6_K_BYTES, quantizeRowQ6_K } from './q6-k.js';
import { dequantizeRowQ8_0, Q8_0_BYTES, quantizeRowQ8_0, quantizeRowQ8_0X86 } from './q8-0.js';
import { dequantizeRowQ8_1, Q8_1_BYTES, quantizeRowQ8_1, quantizeRowQ8_1X86 } from './q8-1.js';
import { dequantizeRowQ8_K, Q8_K_BYTES, quantizeRowQ8_K } from './q8-k.js';
import { dequantizeRowBf16, quantizeRowBf16 } from './row-bf16.js';
import { dequantizeRowF16, quantizeRowF16 } from './row-f16.js';
import { dequantizeRowF32, quantizeRowF32 } from './row-f32.js';
import { VEC_DOT_TYPES } from './vec-dot.js';

/** Everything pocketlm knows about one ggml tensor type. */
export interface TypeCodec {
  readonly type: GgmlType;
  /** llama.cpp's name ("q4_K"). */
  readonly name: string;
  /** Elements per block. */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSize: number;
  readonly dequantizeRow: DequantizeRowFn;
  /** ggml's reference quantizer (the *_ref function; what llama-quantize uses without an imatrix). */
  readonly quantizeRow: QuantizeRowFn;
  /** Type activations are quantized to for dot products with weights of this type; undefined for Q8_1/Q8_K. */
  readonly vecDotType: GgmlType | undefined;
}

function codec(
  type: GgmlType,
  blockSize: number,
  typeSize: number,
  dequantizeRow: DequantizeRowFn,
  quantizeRow: QuantizeRowFn,
): TypeCodec {
  return {
    type,
    name: ggmlTypeName(type),
    blockSize,
    typeSize,
    dequantizeRow,
    quantizeRow,
    vecDotType: VEC_DOT_TYPES[type],
  };
}

const CODECS: Partial<Record<GgmlType, TypeCodec>> = {
  [GgmlType.F32]: codec(GgmlType.F32, 1, 4, dequantizeRowF32, quantizeRowF32),
  [GgmlType.F16]: codec(GgmlType.F16, 1, 2, dequantizeRowF16, quantizeRowF16),
  [GgmlType.BF16]: codec(GgmlType.BF16, 1, 2, dequantizeRowBf16, quantizeRowBf16),
  [GgmlType.Q4_0]: codec(GgmlType.Q4_0, QK, Q4_0_BYTES, dequantizeRowQ4_0, quantizeRowQ4_0),
  [GgmlType.Q4_1]: codec(GgmlType.Q4_1, QK, Q4_1_BYTES, dequantizeRowQ4_1, quantizeRowQ4_1),
  [GgmlType.Q5_0]: codec(GgmlType.Q5_0, QK, Q5_0_BYTES, dequantizeRowQ5_0, quantizeRowQ5_0),
  [GgmlType.Q5_1]: codec(GgmlType.Q5_1, QK, Q5_1_BYTES, dequantizeRowQ5_1, quantizeRowQ5_1),
  [GgmlType.Q8_0]: codec(GgmlType.Q8_0, QK, Q8_0_BYTES, dequantizeRowQ8_0, quantizeRowQ8_0),
  [GgmlType.Q8_1]: codec(GgmlType.Q8_1, QK, Q8_1_BYTES, dequantizeRowQ8_1, quantizeRowQ8_1),
  [GgmlType.Q4_K]: codec(GgmlType.Q4_K, QK_K, Q4_K_BYTES, dequantizeRowQ4_K, quantizeRowQ4_K),
  [GgmlType.Q5_K]: codec(GgmlType.Q5_K, QK_K, Q5_K_BYTES, dequantizeRowQ5_K, quantizeRowQ5_K),
  [GgmlType.Q6_K]: codec(GgmlType.Q6_K, QK_K, Q6_K_BYTES, dequantizeRowQ6_K, quantizeRowQ6_K),
  [GgmlType.Q8_K]: codec(GgmlType.Q8_K, QK_K, Q8_K_BYTES, dequantizeRowQ8_K, quantizeRowQ8_K),
};

/** The codec of `type`, or undefined when pocketlm cannot decode that type. */
export function findCodec(type: GgmlType): TypeCodec | undefined {
  return CODECS[type];
}

/** The codec of `type`; throws naming the type when it is not supported. */
export function getCodec(type: GgmlType): TypeCodec {
  const c = CODECS[type];
  if (!c)
    throw new Error(
      `ggml tensor type ${ggmlTypeName(type)} (${type}) is not supported by pocketlm's quant codecs`,
    );
  return c;
}

/** Every type with a codec. */
export function supportedTypes(): GgmlType[] {
  return Object.values(CODECS).map((c) => c.type);
}

/**
 * Which CPU build's activation quantizer to mirror: 'generic' = ggml's reference C (quantize_row_q8_0_ref
 * etc.); 'x86' = ggml-cpu's AVX/AVX2 versions of Q8_0/Q8_1 (127/amax and round-half-even), which is what
 * llama.cpp runs on x86-64. Q8_K and the float types are the same in both.
 */
export type ActivationFlavor = 'generic' | 'x86';

/** The function ggml's CPU backend uses to convert float activations into `vecDotType` (its from_float). */
export function activationQuantizer(
  vecDotType: GgmlType,
  flavor: ActivationFlavor = 'generic',
): QuantizeRowFn {
  if (flavor === 'x86') {
    if (vecDotType === GgmlType.Q8_0) return quantizeRowQ8_0X86;
    if (vecDotType === GgmlType.Q8_1) return quantizeRowQ8_1X86;
  }
  return getCodec(vecDotType).quantizeRow;
}
