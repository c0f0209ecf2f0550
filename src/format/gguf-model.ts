// GGUF → LoadedModel: ModelConfig from `{arch}.*` keys, tensors by name, and a shape check shared with hf.ts.

import { closeSync, openSync } from 'node:fs';
import type { Arch, LoadedModel, ModelConfig, TensorRef } from '../model/config.js';
import { ggmlTypeName } from './ggml-types.js';
import { readExactly, readGgufHeader } from './gguf-node.js';
import { GgufFile, type GgufTensorInfo, metaNumber, metaString } from './gguf-read.js';

/** Architectures accepted, with the RoPE layout their GGUF files use. */
const GGUF_ROPE: Record<Arch, 'neox' | 'norm'> = { phi3: 'neox', llama: 'norm' };

/**
 * Builds a LoadedModel from a GGUF file whose tensor data is in memory. phi3 uses NeoX RoPE (rotate
 * halves); llama uses 'norm' (adjacent pairs) because llama.cpp's converter permutes the q/k rows of HF
 * llama checkpoints. Checks every required tensor and its shape.
 */
export function loadGgufModel(file: GgufFile): LoadedModel {
  if (!file.bytes) throw new Error(`${file.source}: tensor data was not loaded (read the whole file)`);
  return buildModel(file, (t) => file.tensorBytes(t.name));
}

/**
 * Opens a GGUF whose tensors are read from disk each time their `data` is accessed (not kept): the runtime
 * prepares one tensor at a time, so peak memory stays near the prepared weights rather than twice the file.
 * Call `close()` once the model is prepared.
 */
export function openGgufModelLazy(path: string): { model: LoadedModel; close: () => void } {
  const { header } = readGgufHeader(path);
  const file = new GgufFile(header, undefined, path);
  const fd = openSync(path, 'r');
  try {
    const at = (t: GgufTensorInfo) => header.dataOffset + t.offset;
    const model = buildModel(
      file,
      (t) => readExactly(fd, at(t), t.nBytes, path),
      true,
      (t, buf) =>
        readExactly(
          fd,
          at(t),
          t.nBytes,
          path,
          buf.length >= t.nBytes ? buf.subarray(0, t.nBytes) : undefined,
        ),
    );
    return { model, close: () => closeSync(fd) };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

export function readGgufModel(path: string): LoadedModel {
  const { header } = readGgufHeader(path);
  const file = new GgufFile(header, undefined, path);
  const fd = openSync(path, 'r');
  try {
    return buildModel(file, (t) => readExactly(fd, header.dataOffset + t.offset, t.nBytes, path));
  } finally {
    closeSync(fd);
  }
}

function buildModel(
  file: GgufFile,
  read: (t: GgufTensorInfo) => Uint8Array,
  lazy = false,
  readInto?: (t: GgufTensorInfo, buf: Uint8Array) => Uint8Array,
): LoadedModel {
  const src = file.source;
  const arch = metaString(file, 'general.architecture');
  if (arch !== 'phi3' && arch !== 'llama') {
    throw new Error(`${src}: general.architecture is "${arch}"; supported: phi3, llama`);
  }
  const k = (name: string) => `${arch}.${name}`;
  const nEmbd = metaNumber(file, k('embedding_length'));
  const nHead = metaNumber(file, k('attention.head_count'));
  const nHeadKv = metaNumber(file, k('attention.head_count_kv'), nHead);
  const headDim = metaNumber(file, k('attention.key_length'), nHead > 0 ? nEmbd / nHead : 0);
  // Vocabulary size: `{arch}.vocab_size`, else the tokenizer's token count, else token_embd's rows.
  const tokens = file.get('tokenizer.ggml.tokens');
  const nVocab = metaNumber(
    file,
    k('vocab_size'),
    Array.isArray(tokens) ? tokens.length : (file.byName.get('token_embd.weight')?.dims[1] ?? 0),
  );
  const config: ModelConfig = {
    arch,
    nVocab,
    nCtxTrain: metaNumber(file, k('context_length')),
    nEmbd,
    nFf: metaNumber(file, k('feed_forward_length')),
    nLayer: metaNumber(file, k('block_count')),
    nHead,
    nHeadKv,
    headDim,
    nRot: metaNumber(file, k('rope.dimension_count'), headDim),
    rmsEps: metaNumber(file, k('attention.layer_norm_rms_epsilon')),
    ropeTheta: metaNumber(file, k('rope.freq_base'), 10000),
    ropeType: GGUF_ROPE[arch],
    tiedEmbeddings: !file.byName.has('output.weight'),
  };
  const sw = file.get(k('attention.sliding_window'));
  if (typeof sw === 'number' && sw > 0) config.slidingWindow = sw;
  const orig = file.get(k('rope.scaling.original_context_length'));
  if (typeof orig === 'number' && orig > 0) config.nCtxOrig = orig;
  const tensors = new Map<string, TensorRef>();
  for (const t of file.tensors)
    tensors.set(t.name, { name: t.name, type: t.type, dims: t.dims, data: new Uint8Array(0) });
  // Check shapes before reading any tensor data, so a wrong file fails fast.
  checkModelTensors(config, tensors, src);
  for (const t of file.tensors) {
    const ref = tensors.get(t.name)!;
    if (lazy) {
      Object.defineProperty(ref, 'data', { get: () => read(t), enumerable: true, configurable: true });
      if (readInto) ref.readInto = (buf) => readInto(t, buf);
    } else ref.data = read(t);
  }
  return { config, tensors, metadata: file.metadata, source: src };
}

/**
 * Checks hyperparameters for sanity and that every tensor the runtime needs exists with the right shape
 * (GGUF dims, ne0 first). Accepts fused (attn_qkv; ffn_up with 2·n_ff rows) or split (attn_q/k/v;
 * ffn_gate + ffn_up) layouts. Throws one error listing every missing or mis-shaped tensor.
 */
export function checkModelTensors(
  config: ModelConfig,
  tensors: Map<string, TensorRef>,
  source: string,
): void {
  const c = config;
  const bad: string[] = [];
  for (const [name, v] of Object.entries({
    nVocab: c.nVocab,
    nCtxTrain: c.nCtxTrain,
    nEmbd: c.nEmbd,
    nFf: c.nFf,
    nLayer: c.nLayer,
    nHead: c.nHead,
    nHeadKv: c.nHeadKv,
    headDim: c.headDim,
    nRot: c.nRot,
  })) {
    if (!Number.isSafeInteger(v) || v <= 0) bad.push(`${name} must be a positive integer, got ${v}`);
  }
  if (bad.length === 0) {
    if (c.nHead % c.nHeadKv !== 0) bad.push(`n_head ${c.nHead} is not a multiple of n_head_kv ${c.nHeadKv}`);
    if (c.nRot > c.headDim || c.nRot % 2 !== 0)
      bad.push(`rope dimension ${c.nRot} must be even and ≤ head dim ${c.headDim}`);
  }
  if (!(c.rmsEps > 0)) bad.push(`rms epsilon must be > 0, got ${c.rmsEps}`);
  if (!(c.ropeTheta > 0)) bad.push(`rope theta must be > 0, got ${c.ropeTheta}`);
  if (bad.length) throw new Error(`${source}: bad hyperparameters: ${bad.join('; ')}`);

  const problems: string[] = [];
  const shape = (name: string, dims: number[], optional = false): boolean => {
    const t = tensors.get(name);
    if (!t) {
      if (!optional) problems.push(`missing ${name} [${dims}]`);
      return false;
    }
    const got =
      t.dims.length > dims.length && t.dims.slice(dims.length).every((d) => d === 1)
        ? t.dims.slice(0, dims.length)
        : t.dims;
    if (got.length !== dims.length || got.some((d, i) => d !== dims[i])) {
      problems.push(`${name} has shape [${t.dims}] (${ggmlTypeName(t.type)}), expected [${dims}]`);
    }
    return true;
  };
  const qDim = c.headDim * c.nHead;
  const kvDim = c.headDim * c.nHeadKv;
  shape('token_embd.weight', [c.nEmbd, c.nVocab]);
  shape('output_norm.weight', [c.nEmbd]);
  if (!c.tiedEmbeddings) shape('output.weight', [c.nEmbd, c.nVocab]);
  for (let i = 0; i < c.nLayer; i++) {
    const b = `blk.${i}.`;
    shape(`${b}attn_norm.weight`, [c.nEmbd]);
    shape(`${b}ffn_norm.weight`, [c.nEmbd]);
    if (tensors.has(`${b}attn_qkv.weight`)) shape(`${b}attn_qkv.weight`, [c.nEmbd, qDim + 2 * kvDim]);
    else if (tensors.has(`${b}attn_q.weight`)) {
      shape(`${b}attn_q.weight`, [c.nEmbd, qDim]);
      shape(`${b}attn_k.weight`, [c.nEmbd, kvDim]);
      shape(`${b}attn_v.weight`, [c.nEmbd, kvDim]);
    } else {
      problems.push(
        `missing ${b}attn_qkv.weight [${c.nEmbd},${qDim + 2 * kvDim}] (or ${b}attn_q/attn_k/attn_v.weight)`,
      );
    }
    shape(`${b}attn_output.weight`, [qDim, c.nEmbd]);
    const up = tensors.get(`${b}ffn_up.weight`);
    if (tensors.has(`${b}ffn_gate.weight`) || (up && up.dims[1] === c.nFf)) {
      shape(`${b}ffn_gate.weight`, [c.nEmbd, c.nFf]);
      shape(`${b}ffn_up.weight`, [c.nEmbd, c.nFf]);
    } else if (up) shape(`${b}ffn_up.weight`, [c.nEmbd, 2 * c.nFf]);
    else {
      problems.push(
        `missing ${b}ffn_up.weight [${c.nEmbd},${c.nFf}] with ${b}ffn_gate.weight (or fused [${c.nEmbd},${2 * c.nFf}])`,
      );
    }
    shape(`${b}ffn_down.weight`, [c.nFf, c.nEmbd]);
  }
  const hasShort = shape('rope_factors_short.weight', [c.nRot / 2], true);
  const hasLong = shape('rope_factors_long.weight', [c.nRot / 2], true);
  if (hasShort !== hasLong)
    problems.push('rope_factors_short.weight and rope_factors_long.weight must come together');
  if (problems.length) {
    const shown = problems.slice(0, 12).join('; ');
    const more = problems.length > 12 ? ` (and ${problems.length - 12} more)` : '';
    throw new Error(`${source}: model tensors do not match the config: ${shown}${more}`);
  }
}
