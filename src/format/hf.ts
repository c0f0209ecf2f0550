// Hugging Face model directory (config.json + safetensors + tokenizer files) → LoadedModel with GGUF names.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Arch, LoadedModel, ModelConfig, TensorRef } from '../model/config.js';
import { GgmlType } from './ggml-types.js';
import { checkModelTensors, readGgufModel } from './gguf-model.js';
import type { GgufEntry } from './gguf-read.js';
import { gv } from './gguf-write.js';
import { ggmlTypeOfDtype, openSafetensorsCheckpoint } from './safetensors.js';
import { parseSentencePieceModel } from './sentencepiece-model.js';

type Json = Record<string, unknown>;

const ARCHS: Record<string, Arch> = { Phi3ForCausalLM: 'phi3', LlamaForCausalLM: 'llama' };

function readJson(path: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${path}: not a JSON object`);
  return v as Json;
}

/** LongRoPE factors from config.json `rope_scaling` (type "longrope", or "su" in older files). */
export interface HfRopeFactors {
  short: number[];
  long: number[];
}

/**
 * Maps a Hugging Face `config.json` (Phi3ForCausalLM or LlamaForCausalLM) to a ModelConfig. HF checkpoints
 * use rotate-half RoPE, so ropeType is 'neox' for both archs (llama.cpp's converter instead permutes the q/k
 * rows of llama checkpoints and marks them 'norm'; a converter writing a llama GGUF from these tensors must
 * do the same). nVocab is `vocab_size`; tiedEmbeddings is `tie_word_embeddings` (default false).
 */
export function hfConfigToModelConfig(
  cfg: Json,
  source = 'config.json',
): { config: ModelConfig; ropeFactors?: HfRopeFactors } {
  const archs = cfg.architectures;
  const archName = Array.isArray(archs) ? archs.find((a) => typeof a === 'string' && a in ARCHS) : undefined;
  if (typeof archName !== 'string') {
    throw new Error(
      `${source}: architectures ${JSON.stringify(archs)} has none of the supported ${Object.keys(ARCHS).join(', ')}`,
    );
  }
  const arch = ARCHS[archName]!;
  const num = (key: string, fallback?: number): number => {
    const v = cfg[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      throw new Error(`${source}: missing "${key}"`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${source}: "${key}" must be a number, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const nEmbd = num('hidden_size');
  const nHead = num('num_attention_heads');
  const headDim = num('head_dim', nEmbd / nHead);
  const nRot = Math.round(headDim * num('partial_rotary_factor', 1));
  const config: ModelConfig = {
    arch,
    nVocab: num('vocab_size'),
    nCtxTrain: num('max_position_embeddings'),
    nEmbd,
    nFf: num('intermediate_size'),
    nLayer: num('num_hidden_layers'),
    nHead,
    nHeadKv: num('num_key_value_heads', nHead),
    headDim,
    nRot,
    rmsEps: num('rms_norm_eps'),
    ropeTheta: num('rope_theta', 10000),
    ropeType: 'neox',
    tiedEmbeddings: cfg.tie_word_embeddings === true,
  };
  const sw = cfg.sliding_window;
  if (typeof sw === 'number' && sw > 0) config.slidingWindow = sw;
  // Like llama.cpp's converter, carry original_max_position_embeddings even without LongRoPE (phi3-mini-4k).
  const origTop = cfg.original_max_position_embeddings;
  if (typeof origTop === 'number' && origTop > 0) config.nCtxOrig = origTop;
  const rs = cfg.rope_scaling;
  if (rs === undefined || rs === null) return { config };
  if (typeof rs !== 'object' || Array.isArray(rs))
    throw new Error(`${source}: "rope_scaling" must be an object`);
  const r = rs as Json;
  const type = r.type ?? r.rope_type;
  if (type === 'default') return { config };
  if (type !== 'longrope' && type !== 'su') {
    throw new Error(
      `${source}: rope_scaling type ${JSON.stringify(type)} is not supported (supported: longrope, su)`,
    );
  }
  const factors = (key: string): number[] => {
    const v = r[key];
    if (!Array.isArray(v) || v.length !== nRot / 2 || !v.every((x) => typeof x === 'number' && x > 0)) {
      throw new Error(
        `${source}: rope_scaling.${key} must be ${nRot / 2} positive numbers (rope dim / 2), got ${Array.isArray(v) ? `${v.length} items` : JSON.stringify(v)}`,
      );
    }
    return v as number[];
  };
  const orig = cfg.original_max_position_embeddings ?? r.original_max_position_embeddings;
  if (typeof orig !== 'number' || orig <= 0) {
    throw new Error(
      `${source}: longrope needs "original_max_position_embeddings", got ${JSON.stringify(orig)}`,
    );
  }
  config.nCtxOrig = orig;
  return { config, ropeFactors: { short: factors('short_factor'), long: factors('long_factor') } };
}

const LAYER_MAP: Record<string, string> = {
  input_layernorm: 'attn_norm',
  post_attention_layernorm: 'ffn_norm',
  'self_attn.qkv_proj': 'attn_qkv',
  'self_attn.q_proj': 'attn_q',
  'self_attn.k_proj': 'attn_k',
  'self_attn.v_proj': 'attn_v',
  'self_attn.o_proj': 'attn_output',
  'mlp.gate_up_proj': 'ffn_up',
  'mlp.gate_proj': 'ffn_gate',
  'mlp.up_proj': 'ffn_up',
  'mlp.down_proj': 'ffn_down',
};

/**
 * The GGUF name of a Hugging Face tensor (`model.layers.3.mlp.gate_up_proj.weight` → `blk.3.ffn_up.weight`;
 * phi3's fused gate_up keeps gate rows first, as llama.cpp expects), null for tensors to skip
 * (`rotary_emb.inv_freq`), undefined for names this project does not know.
 */
export function hfTensorName(name: string): string | null | undefined {
  if (name.endsWith('.rotary_emb.inv_freq')) return null;
  if (name === 'model.embed_tokens.weight') return 'token_embd.weight';
  if (name === 'model.norm.weight') return 'output_norm.weight';
  if (name === 'lm_head.weight') return 'output.weight';
  const m = /^model\.layers\.(\d+)\.(.+)\.weight$/.exec(name);
  if (!m) return undefined;
  const g = LAYER_MAP[m[2]!];
  return g === undefined ? undefined : `blk.${Number(m[1])}.${g}.weight`;
}

const LLAMA_TYPES = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/** Text of a special-token setting: a string or an AddedToken object `{content}`. */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && typeof (v as Json).content === 'string')
    return (v as Json).content as string;
  return undefined;
}

/**
 * GGUF-style tokenizer metadata from `tokenizer.model` (SentencePiece) plus `added_tokens.json`,
 * `tokenizer.json` `added_tokens` and `tokenizer_config.json` `added_tokens_decoder` (later sources win;
 * special or `<|…|>` tokens become CONTROL, others USER_DEFINED, score -1000, as llama.cpp's converter
 * does; ids ≥ `nVocab` are ignored, as there). Ids up to `nVocab` without a token become `[PADn]` (UNUSED; UNKNOWN for phi3, matching llama.cpp's
 * Phi-3 GGUFs). Special ids come from tokenizer_config's token strings, then config.json's `*_token_id`,
 * then the SentencePiece trainer spec.
 */
export function hfTokenizerMetadata(
  dir: string,
  arch: Arch,
  nVocab: number,
  cfg: Json = {},
): [string, GgufEntry][] {
  const spPath = join(dir, 'tokenizer.model');
  if (!existsSync(spPath)) {
    throw new Error(`${dir}: no tokenizer.model (only SentencePiece tokenizers are supported)`);
  }
  const sp = parseSentencePieceModel(new Uint8Array(readFileSync(spPath)), spPath);
  const tokens: string[] = sp.pieces.map((p) => p.piece);
  const scores: number[] = sp.pieces.map((p) => p.score);
  const types: number[] = sp.pieces.map((p) => p.type as number);
  const padType = arch === 'phi3' ? LLAMA_TYPES.UNKNOWN : LLAMA_TYPES.UNUSED;
  const setToken = (id: number, text: string, special: boolean, from: string) => {
    if (!Number.isSafeInteger(id) || id < 0)
      throw new Error(`${from}: bad token id ${id} for ${JSON.stringify(text)}`);
    if (id >= nVocab) return; // Past the embedding rows: llama.cpp's converter ignores these too.
    while (tokens.length <= id) {
      tokens.push(`[PAD${tokens.length}]`);
      scores.push(-10000);
      types.push(padType);
    }
    const control = special || (text.startsWith('<|') && text.endsWith('|>'));
    tokens[id] = control ? text : text.replaceAll('\u2581', ' ');
    scores[id] = -1000;
    types[id] = control ? LLAMA_TYPES.CONTROL : LLAMA_TYPES.USER_DEFINED;
  };
  const addedPath = join(dir, 'added_tokens.json');
  if (existsSync(addedPath)) {
    for (const [text, id] of Object.entries(readJson(addedPath)))
      setToken(Number(id), text, false, addedPath);
  }
  const tjPath = join(dir, 'tokenizer.json');
  if (existsSync(tjPath)) {
    const added = readJson(tjPath).added_tokens;
    if (Array.isArray(added)) {
      for (const a of added as Json[]) {
        if (typeof a?.content === 'string') setToken(Number(a.id), a.content, a.special === true, tjPath);
      }
    }
  }
  const tcPath = join(dir, 'tokenizer_config.json');
  const tc = existsSync(tcPath) ? readJson(tcPath) : {};
  const decoder = tc.added_tokens_decoder;
  if (typeof decoder === 'object' && decoder !== null) {
    for (const [id, a] of Object.entries(decoder as Record<string, Json>)) {
      if (typeof a?.content === 'string') setToken(Number(id), a.content, a.special === true, tcPath);
    }
  }
  if (tokens.length > nVocab) {
    throw new Error(`${spPath}: ${tokens.length} pieces, more than the model's vocab_size ${nVocab}`);
  }
  while (tokens.length < nVocab) {
    tokens.push(`[PAD${tokens.length}]`);
    scores.push(-10000);
    types.push(padType);
  }
  const idOf = new Map<string, number>();
  tokens.forEach((t, i) => {
    if (!idOf.has(t)) idOf.set(t, i);
  });
  const specialId = (tcKey: string, cfgKey: string, spId: number): number | undefined => {
    const text = tokenText(tc[tcKey]);
    if (text !== undefined && idOf.has(text)) return idOf.get(text);
    let v = cfg[cfgKey];
    if (Array.isArray(v)) v = v[0];
    if (typeof v === 'number' && v >= 0 && v < tokens.length) return v;
    return spId >= 0 && spId < tokens.length ? spId : undefined;
  };
  const meta: [string, GgufEntry][] = [
    ['tokenizer.ggml.model', gv.str('llama')],
    ['tokenizer.ggml.pre', gv.str('default')],
    ['tokenizer.ggml.tokens', gv.strings(tokens)],
    ['tokenizer.ggml.scores', gv.f32s(scores)],
    ['tokenizer.ggml.token_type', gv.i32s(types)],
  ];
  const ids: [string, number | undefined][] = [
    ['bos_token_id', specialId('bos_token', 'bos_token_id', sp.trainerSpec.bosId)],
    ['eos_token_id', specialId('eos_token', 'eos_token_id', sp.trainerSpec.eosId)],
    ['unknown_token_id', specialId('unk_token', 'unk_token_id', sp.trainerSpec.unkId)],
    ['padding_token_id', specialId('pad_token', 'pad_token_id', sp.trainerSpec.padId)],
  ];
  for (const [k, v] of ids) if (v !== undefined) meta.push([`tokenizer.ggml.${k}`, gv.u32(v)]);
  meta.push(['tokenizer.ggml.add_bos_token', gv.bool(tc.add_bos_token !== false)]);
  meta.push(['tokenizer.ggml.add_eos_token', gv.bool(tc.add_eos_token === true)]);
  if (!sp.normalizerSpec.addDummyPrefix) meta.push(['tokenizer.ggml.add_space_prefix', gv.bool(false)]);
  let template = tc.chat_template;
  if (Array.isArray(template)) {
    template = (template as Json[]).find((t) => t?.name === 'default')?.template;
  }
  if (typeof template === 'string') meta.push(['tokenizer.chat_template', gv.str(template)]);
  return meta;
}

/** `{arch}.*` hyperparameter entries, typed as llama.cpp expects (counts UINT32, eps/base FLOAT32). */
export function ggufHparamEntries(c: ModelConfig): [string, GgufEntry][] {
  const a = c.arch;
  const out: [string, GgufEntry][] = [
    ['general.architecture', gv.str(a)],
    [`${a}.vocab_size`, gv.u32(c.nVocab)],
    [`${a}.context_length`, gv.u32(c.nCtxTrain)],
    [`${a}.embedding_length`, gv.u32(c.nEmbd)],
    [`${a}.feed_forward_length`, gv.u32(c.nFf)],
    [`${a}.block_count`, gv.u32(c.nLayer)],
    [`${a}.attention.head_count`, gv.u32(c.nHead)],
    [`${a}.attention.head_count_kv`, gv.u32(c.nHeadKv)],
    [`${a}.attention.layer_norm_rms_epsilon`, gv.f32(c.rmsEps)],
    [`${a}.rope.dimension_count`, gv.u32(c.nRot)],
    [`${a}.rope.freq_base`, gv.f32(c.ropeTheta)],
  ];
  if (c.headDim !== c.nEmbd / c.nHead) {
    out.push(
      [`${a}.attention.key_length`, gv.u32(c.headDim)],
      [`${a}.attention.value_length`, gv.u32(c.headDim)],
    );
  }
  if (c.slidingWindow !== undefined) out.push([`${a}.attention.sliding_window`, gv.u32(c.slidingWindow)]);
  if (c.nCtxOrig !== undefined) out.push([`${a}.rope.scaling.original_context_length`, gv.u32(c.nCtxOrig)]);
  return out;
}

/**
 * Loads a Hugging Face model directory: `config.json` (Phi3ForCausalLM or LlamaForCausalLM),
 * `model.safetensors` or the shards of `model.safetensors.index.json`, and the tokenizer files. Tensors are
 * renamed to GGUF names and keep their bytes: an HF weight [out, in] (row-major) becomes GGUF dims
 * [in, out]. LongRoPE factors become F32 tensors `rope_factors_short.weight` / `rope_factors_long.weight`.
 * Metadata holds `general.*`, the `{arch}.*` hyperparameters and the tokenizer entries.
 */
export function loadHfModel(dir: string): LoadedModel {
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(cfgPath)) throw new Error(`${dir}: no config.json: not a Hugging Face model directory`);
  const cfg = readJson(cfgPath);
  const { config, ropeFactors } = hfConfigToModelConfig(cfg, cfgPath);
  const ck = openSafetensorsCheckpoint(dir);
  const tensors = new Map<string, TensorRef>();
  const unknown: string[] = [];
  for (const [hfName, { info, file }] of ck.tensors) {
    const name = hfTensorName(hfName);
    if (name === null) continue;
    if (name === undefined) {
      unknown.push(hfName);
      continue;
    }
    if (name === 'output.weight' && config.tiedEmbeddings) continue;
    if (tensors.has(name))
      throw new Error(`${file.source}: two tensors map to "${name}" (one is "${hfName}")`);
    tensors.set(name, {
      name,
      type: ggmlTypeOfDtype(info.dtype),
      dims: info.shape.length === 0 ? [1] : [...info.shape].reverse(),
      data: file.tensorBytes(hfName),
    });
  }
  if (unknown.length) {
    throw new Error(
      `${dir}: tensors with no GGUF mapping: ${unknown.slice(0, 8).join(', ')}${unknown.length > 8 ? ` (and ${unknown.length - 8} more)` : ''}`,
    );
  }
  if (ropeFactors) {
    for (const [key, values] of [
      ['rope_factors_short.weight', ropeFactors.short],
      ['rope_factors_long.weight', ropeFactors.long],
    ] as const) {
      const data = new Uint8Array(Float32Array.from(values).buffer);
      tensors.set(key, { name: key, type: GgmlType.F32, dims: [values.length], data });
    }
  }
  checkModelTensors(config, tensors, dir);
  const nameOf =
    typeof cfg._name_or_path === 'string' && cfg._name_or_path ? cfg._name_or_path : basename(resolve(dir));
  const metadata = new Map<string, GgufEntry>([
    ...ggufHparamEntries(config),
    ['general.name', gv.str(nameOf)],
    ...hfTokenizerMetadata(dir, config.arch, config.nVocab, cfg),
  ]);
  return { config, tensors, metadata, source: dir };
}

/**
 * Loads a model from a path: a Hugging Face directory (config.json + safetensors) or a GGUF file (checked
 * by its magic). Throws naming the path when it is neither.
 */
export function loadModelPath(path: string): LoadedModel {
  if (!existsSync(path)) throw new Error(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) return loadHfModel(path);
  const fd = openSync(path, 'r');
  const magic = new Uint8Array(4);
  try {
    readSync(fd, magic, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (new TextDecoder().decode(magic) === 'GGUF') return readGgufModel(path);
  throw new Error(
    `${path}: not a GGUF file (magic ${JSON.stringify(new TextDecoder().decode(magic))}) or a Hugging Face model directory`,
  );
}
