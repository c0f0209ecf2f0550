// Per-tensor type choice of llama-quantize (src/llama-quant.cpp) for phi3 and llama layouts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgmlType } from '../../src/format/ggml-types.js';
import { chooseTensorType, LLAMA_FTYPE, useMoreBits } from '../../src/quant/index.js';

const N_LAYER = 32;
const E = 3072;
const FF = 8192;
/** Layers llama.cpp's use_more_bits picks for 32 layers: i < 4, i ≥ 28, (i − 4) % 3 == 2. */
const MORE_BITS_32 = [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31];

const phi3 = (name: string) => {
  if (name === 'token_embd.weight') return [E, 32064];
  if (name === 'output.weight') return [E, 32064];
  if (name.endsWith('_norm.weight')) return [E];
  if (name.endsWith('attn_qkv.weight')) return [E, 3 * E];
  if (name.endsWith('attn_output.weight')) return [E, E];
  if (name.endsWith('ffn_up.weight')) return [E, 2 * FF];
  if (name.endsWith('ffn_down.weight')) return [FF, E];
  throw new Error(name);
};

test('LLAMA_FTYPE values are llama.h enum llama_ftype', () => {
  assert.deepEqual(LLAMA_FTYPE, { f32: 0, f16: 1, q4_0: 2, q8_0: 7, q4_k_m: 15 });
});

test('use_more_bits for 32 layers', () => {
  const got = Array.from({ length: 32 }, (_, i) => i).filter((i) => useMoreBits(i, 32));
  assert.deepEqual(got, MORE_BITS_32);
});

test('phi3-mini Q4_K_M: output Q6_K, token_embd Q4_K, qkv/ffn_down Q6_K on use_more_bits layers', () => {
  const t = (name: string) => chooseTensorType('q4_k_m', name, phi3(name), N_LAYER);
  assert.equal(t('output.weight'), GgmlType.Q6_K);
  assert.equal(t('token_embd.weight'), GgmlType.Q4_K);
  assert.equal(t('output_norm.weight'), GgmlType.F32);
  for (let i = 0; i < N_LAYER; i++) {
    const more = MORE_BITS_32.includes(i);
    assert.equal(t(`blk.${i}.attn_norm.weight`), GgmlType.F32);
    assert.equal(t(`blk.${i}.ffn_norm.weight`), GgmlType.F32);
    assert.equal(t(`blk.${i}.attn_qkv.weight`), more ? GgmlType.Q6_K : GgmlType.Q4_K, `qkv ${i}`);
    assert.equal(t(`blk.${i}.attn_output.weight`), GgmlType.Q4_K);
    assert.equal(t(`blk.${i}.ffn_up.weight`), GgmlType.Q4_K);
    assert.equal(t(`blk.${i}.ffn_down.weight`), more ? GgmlType.Q6_K : GgmlType.Q4_K, `ffn_down ${i}`);
  }
  // older llama.cpp releases gave attn_qkv Q5_K under Q4_K_M
  assert.equal(
    chooseTensorType('q4_k_m', 'blk.5.attn_qkv.weight', [E, 3 * E], N_LAYER, { qkvRule: 'q5_k' }),
    GgmlType.Q5_K,
  );
});

test('llama Q4_K_M: attn_v Q6_K on use_more_bits layers, attn_q/k/gate Q4_K', () => {
  for (let i = 0; i < N_LAYER; i++) {
    const more = MORE_BITS_32.includes(i);
    assert.equal(
      chooseTensorType('q4_k_m', `blk.${i}.attn_v.weight`, [4096, 1024], N_LAYER),
      more ? GgmlType.Q6_K : GgmlType.Q4_K,
    );
    assert.equal(chooseTensorType('q4_k_m', `blk.${i}.attn_q.weight`, [4096, 4096], N_LAYER), GgmlType.Q4_K);
    assert.equal(chooseTensorType('q4_k_m', `blk.${i}.attn_k.weight`, [4096, 1024], N_LAYER), GgmlType.Q4_K);
    assert.equal(
      chooseTensorType('q4_k_m', `blk.${i}.ffn_gate.weight`, [4096, 11008], N_LAYER),
      GgmlType.Q4_K,
    );
  }
});

test('Q4_0 and Q8_0 files: output Q6_K (Q8_0 stays Q8_0), everything else the base type', () => {
  assert.equal(chooseTensorType('q4_0', 'output.weight', [E, 32064], N_LAYER), GgmlType.Q6_K);
  assert.equal(chooseTensorType('q4_0', 'token_embd.weight', [E, 32064], N_LAYER), GgmlType.Q4_0);
  assert.equal(chooseTensorType('q4_0', 'blk.0.ffn_down.weight', [FF, E], N_LAYER), GgmlType.Q4_0);
  assert.equal(chooseTensorType('q4_0', 'blk.0.attn_qkv.weight', [E, 3 * E], N_LAYER), GgmlType.Q4_0);
  assert.equal(chooseTensorType('q8_0', 'output.weight', [E, 32064], N_LAYER), GgmlType.Q8_0);
  assert.equal(chooseTensorType('q8_0', 'blk.3.ffn_down.weight', [FF, E], N_LAYER), GgmlType.Q8_0);
  assert.equal(chooseTensorType('q8_0', 'blk.3.ffn_norm.weight', [E], N_LAYER), GgmlType.F32);
});

test('F16 and F32 files; 1-D tensors keep their source type', () => {
  assert.equal(chooseTensorType('f16', 'output.weight', [E, 32064], N_LAYER), GgmlType.F16);
  assert.equal(chooseTensorType('f16', 'blk.0.attn_qkv.weight', [E, 3 * E], N_LAYER), GgmlType.F16);
  assert.equal(chooseTensorType('f16', 'blk.0.attn_norm.weight', [E], N_LAYER), GgmlType.F32);
  assert.equal(chooseTensorType('f32', 'blk.0.attn_qkv.weight', [E, 3 * E], N_LAYER), GgmlType.F32);
  assert.equal(chooseTensorType('q4_k_m', 'rope_factors_long.weight', [48], N_LAYER), GgmlType.F32);
  assert.equal(chooseTensorType('q4_k_m', 'blk.0.attn_qkv.weight', [E, 1], N_LAYER), GgmlType.F32); // ne1 = 1 is 1-D
  assert.equal(
    chooseTensorType('q4_0', 'blk.0.attn_norm.weight', [E], N_LAYER, { sourceType: GgmlType.F16 }),
    GgmlType.F16,
  );
});

test('tied embeddings: token_embd is quantized like output', () => {
  assert.equal(
    chooseTensorType('q4_k_m', 'token_embd.weight', [E, 32064], N_LAYER, { tiedEmbeddings: true }),
    GgmlType.Q6_K,
  );
  assert.equal(
    chooseTensorType('q4_0', 'token_embd.weight', [E, 32064], N_LAYER, { tiedEmbeddings: true }),
    GgmlType.Q6_K,
  );
});

test('fallback when ne0 does not fit the block: Q4_K→Q5_0, Q6_K→Q8_0, output→Q8_0, then F16', () => {
  // 96·3 = 288 is a multiple of 32 but not of 256
  assert.equal(chooseTensorType('q4_k_m', 'blk.1.attn_output.weight', [288, 288], 8), GgmlType.Q5_0);
  assert.equal(chooseTensorType('q4_k_m', 'blk.0.ffn_down.weight', [288, 96], 8), GgmlType.Q8_0);
  assert.equal(chooseTensorType('q4_k_m', 'output.weight', [288, 1000], 8), GgmlType.Q8_0);
  assert.equal(chooseTensorType('q4_0', 'output.weight', [288, 1000], 8), GgmlType.Q8_0);
  // 100 is not a multiple of 32 either
  assert.equal(chooseTensorType('q4_k_m', 'blk.1.attn_output.weight', [100, 100], 8), GgmlType.F16);
  assert.equal(chooseTensorType('q4_0', 'blk.1.attn_output.weight', [100, 100], 8), GgmlType.F16);
  assert.equal(chooseTensorType('q8_0', 'blk.1.ffn_up.weight', [100, 64], 8), GgmlType.F16);
});

test('unknown file type is an error', () => {
  assert.throws(
    () => chooseTensorType('q3_k' as 'q4_0', 'output.weight', [E, 10], 1),
    /unknown file type 'q3_k'/,
  );
});
