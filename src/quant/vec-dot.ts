// Reference dot products: each weight type against its activation ("vec_dot") type, as ggml's generic C.

import { GgmlType, ggmlTypeName } from '../format/ggml-types.js';
import type { VecDotFn } from './common.js';
import { vecDotQ4_0Q8_0 } from './q4-0.js';
import { vecDotQ4_1Q8_1 } from './q4-1.js';
import { vecDotQ4_KQ8_K } from './q4-k.js';
import { vecDotQ5_0Q8_0 } from './q5-0.js';
import { vecDotQ5_1Q8_1 } from './q5-1.js';
import { vecDotQ5_KQ8_K } from './q5-k.js';
import { vecDotQ6_KQ8_K } from './q6-k.js';
import { vecDotQ8_0Q8_0 } from './q8-0.js';
import { vecDotBf16 } from './row-bf16.js';
import { vecDotF16 } from './row-f16.js';
import { vecDotF32 } from './row-f32.js';

/** type_traits_cpu[type].vec_dot_type for every weight type with a dot product here. */
export const VEC_DOT_TYPES: Partial<Record<GgmlType, GgmlType>> = {
  [GgmlType.F32]: GgmlType.F32,
  [GgmlType.F16]: GgmlType.F16,
  [GgmlType.BF16]: GgmlType.BF16,
  [GgmlType.Q4_0]: GgmlType.Q8_0,
  [GgmlType.Q5_0]: GgmlType.Q8_0,
  [GgmlType.Q8_0]: GgmlType.Q8_0,
  [GgmlType.Q4_1]: GgmlType.Q8_1,
  [GgmlType.Q5_1]: GgmlType.Q8_1,
  [GgmlType.Q4_K]: GgmlType.Q8_K,
  [GgmlType.Q5_K]: GgmlType.Q8_K,
  [GgmlType.Q6_K]: GgmlType.Q8_K,
};

const VEC_DOT: Partial<Record<GgmlType, VecDotFn>> = {
  [GgmlType.F32]: vecDotF32,
  [GgmlType.F16]: vecDotF16,
  [GgmlType.BF16]: vecDotBf16,
  [GgmlType.Q4_0]: vecDotQ4_0Q8_0,
  [GgmlType.Q5_0]: vecDotQ5_0Q8_0,
  [GgmlType.Q8_0]: vecDotQ8_0Q8_0,
  [GgmlType.Q4_1]: vecDotQ4_1Q8_1,
  [GgmlType.Q5_1]: vecDotQ5_1Q8_1,
  [GgmlType.Q4_K]: vecDotQ4_KQ8_K,
  [GgmlType.Q5_K]: vecDotQ5_KQ8_K,
  [GgmlType.Q6_K]: vecDotQ6_KQ8_K,
};

/**
 * The type ggml's CPU backend converts activations to before a dot product with weights of `type`
 * (type_traits_cpu[type].vec_dot_type): Q4_0/Q5_0/Q8_0 → Q8_0, Q4_1/Q5_1 → Q8_1, K-quants → Q8_K,
 * F16/BF16/F32 → themselves. Throws for types without a dot product here.
 */
export function vecDotType(type: GgmlType): GgmlType {
  const t = VEC_DOT_TYPES[type];
  if (t === undefined) throw new Error(`no dot product for weight type ${ggmlTypeName(type)}`);
  return t;
}

/** The dot-product function for weights of `type` (see VecDotFn); throws for unsupported types. */
export function vecDotFn(type: GgmlType): VecDotFn {
  const f = VEC_DOT[type];
  if (f === undefined) throw new Error(`no dot product for weight type ${ggmlTypeName(type)}`);
  return f;
}

/**
 * Dot product of `n` elements of a weight row (`type`, bytes from `wOffset`) with an activation row
 * encoded in vecDotType(type) (bytes from `aOffset`), with ggml's generic float operation order.
 */
export function vecDot(
  type: GgmlType,
  w: Uint8Array,
  wOffset: number,
  a: Uint8Array,
  aOffset: number,
  n: number,
): number {
  return vecDotFn(type)(w, wOffset, a, aOffset, n);
}
