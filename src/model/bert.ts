// BERT-family encoders (llama.cpp archs `bert`, `nomic-bert`): GGUF config, the non-causal graph, pooling.
import type { GgufEntry, GgufValue } from '../format/gguf-read.js';
import { fp16ToFp32, fp32ToFp16 } from '../quant/index.js';
import type { Backend, WeightMatrix } from './backend.js';
import type { TensorRef } from './config.js';
import { applyRope, ropeCache, softmax } from './ops-ref.js';
import { dequantizeRowOf, tensorToF32 } from './weights.js';

/** Architectures this module runs. */
export type BertArch = 'bert' | 'nomic-bert';

/** llama.cpp's `llama_pooling_type` values (`{arch}.pooling_type`). */
export const POOLING = { NONE: 0, MEAN: 1, CLS: 2, LAST: 3, RANK: 4 } as const;

/** Hyperparameters of a BERT-family encoder, in llama.cpp's vocabulary. */
export interface BertConfig {
  arch: BertArch;
  nVocab: number;
  /** `{arch}.context_length`: rows of position_embd (bert); the longest input accepted. */
  nCtxTrain: number;
  nEmbd: number;
  nFf: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  headDim: number;
  /** `{arch}.attention.layer_norm_epsilon`. */
  normEps: number;
  /** `{arch}.attention.causal` (llama.cpp default true; BERT converters write false). */
  causal: boolean;
  /** `{arch}.pooling_type` (0 none → last token, as node-llama-cpp reports it; 1 mean; 2 CLS; 3 last). */
  pooling: number;
  /** `tokenizer.ggml.token_type_count` (llama.cpp refuses 0). */
  nTokenTypes: number;
  /** nomic-bert: RoPE dimensions and base (neox rotation). */
  nRot: number;
  ropeTheta: number;
}

/** Minimal view of GGUF metadata the config reader needs. */
export type MetadataMap = Map<string, GgufEntry>;

function num(meta: MetadataMap, key: string, source: string, fallback?: number): number {
  const v: GgufValue | undefined = meta.get(key)?.value;
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`${source}: missing metadata key "${key}"`);
  }
  if (typeof v !== 'number')
    throw new Error(`${source}: metadata "${key}" should be a number, got ${typeof v}`);
  return v;
}

/** Reads a BERT/nomic-bert config from GGUF metadata, with llama.cpp's defaults and checks. */
export function readBertConfig(meta: MetadataMap, source = 'GGUF'): BertConfig {
  const arch = meta.get('general.architecture')?.value;
  if (arch !== 'bert' && arch !== 'nomic-bert') {
    throw new Error(
      `${source}: general.architecture is ${JSON.stringify(arch)}, expected "bert" or "nomic-bert" (an embedding model)`,
    );
  }
  const k = (s: string) => `${arch}.${s}`;
  const tokens = meta.get('tokenizer.ggml.tokens')?.value;
  if (!Array.isArray(tokens)) throw new Error(`${source}: missing metadata key "tokenizer.ggml.tokens"`);
  const nEmbd = num(meta, k('embedding_length'), source);
  const nHead = num(meta, k('attention.head_count'), source);
  const nHeadKv = num(meta, k('attention.head_count_kv'), source, nHead);
  if (nHeadKv !== nHead)
    throw new Error(`${source}: ${k('attention.head_count_kv')} = ${nHeadKv}, expected ${nHead}`);
  const headDim = num(meta, k('attention.key_length'), source, Math.floor(nEmbd / nHead));
  if (headDim * nHead !== nEmbd)
    throw new Error(`${source}: n_embd ${nEmbd} is not n_head ${nHead} × head dim ${headDim}`);
  const causalV = meta.get(k('attention.causal'))?.value;
  const nTokenTypes = num(meta, 'tokenizer.ggml.token_type_count', source, 0);
  if (nTokenTypes === 0)
    throw new Error(`${source}: ${arch} model needs tokenizer.ggml.token_type_count > 0`);
  const nRot = num(meta, k('rope.dimension_count'), source, headDim);
  if (arch === 'nomic-bert' && nRot !== headDim)
    throw new Error(`${source}: invalid n_rot ${nRot}, expected ${headDim}`);
  const pooling = num(meta, k('pooling_type'), source, POOLING.NONE);
  if (pooling === POOLING.RANK || pooling < 0 || pooling > 4)
    throw new Error(
      `${source}: ${k('pooling_type')} = ${pooling} is not an embedding pooling (0 none, 1 mean, 2 cls, 3 last)`,
    );
  return {
    arch,
    nVocab: tokens.length,
    nCtxTrain: num(meta, k('context_length'), source),
    nEmbd,
    nFf: num(meta, k('feed_forward_length'), source),
    nLayer: num(meta, k('block_count'), source),
    nHead,
    nHeadKv,
    headDim,
    normEps: num(meta, k('attention.layer_norm_epsilon'), source),
    causal: causalV === undefined ? true : causalV === true,
    pooling,
    nTokenTypes,
    nRot,
    ropeTheta: num(meta, k('rope.freq_base'), source, 10000),
  };
}

/** ggml_norm followed by ×w +b over `n` rows of `dim` (sums in double, scale in float, as ggml's CPU op). */
export function layerNorm(
  x: Float32Array,
  w: Float32Array,
  b: Float32Array,
  out: Float32Array,
  n: number,
  dim: number,
  eps: number,
): void {
  for (let r = 0; r < n; r++) {
    const o = r * dim;
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += x[o + i]!;
    const mean = Math.fround(Math.fround(sum) / dim);
    let v = 0;
    for (let i = 0; i < dim; i++) {
      const d = Math.fround(x[o + i]! - mean);
      out[o + i] = d;
      v += d * d;
    }
    const variance = Math.fround(v / dim);
    const scale = Math.fround(1 / Math.fround(Math.sqrt(Math.fround(variance + eps))));
    for (let i = 0; i < dim; i++) out[o + i] = Math.fround(Math.fround(out[o + i]! * scale) * w[i]!) + b[i]!;
  }
}

let geluTable: Float32Array | undefined;
/** ggml's CPU GELU (tanh form) through its fp16 lookup table: x rounded to f16, result rounded to f16. */
export function geluInPlace(x: Float32Array, n: number): void {
  if (!geluTable) {
    geluTable = new Float32Array(65536);
    const c = Math.fround(0.7978845608028654);
    const a = Math.fround(0.044715);
    for (let h = 0; h < 65536; h++) {
      const f = fp16ToFp32(h);
      const inner = Math.fround(Math.fround(c * f) * Math.fround(1 + Math.fround(Math.fround(a * f) * f)));
      const g = Math.fround(Math.fround(0.5 * f) * Math.fround(1 + Math.fround(Math.tanh(inner))));
      geluTable[h] = fp16ToFp32(fp32ToFp16(g));
    }
  }
  const t = geluTable;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    x[i] = v <= -10 ? 0 : v >= 10 ? v : t[fp32ToFp16(v)]!;
  }
}

interface Layer {
  qkv?: WeightMatrix;
  qkvB?: Float32Array;
  q?: WeightMatrix;
  k?: WeightMatrix;
  v?: WeightMatrix;
  qB?: Float32Array;
  kB?: Float32Array;
  vB?: Float32Array;
  o: WeightMatrix;
  oB?: Float32Array;
  attnNormW: Float32Array;
  attnNormB: Float32Array;
  up: WeightMatrix;
  upB?: Float32Array;
  gate?: WeightMatrix;
  down: WeightMatrix;
  downB?: Float32Array;
  outNormW: Float32Array;
  outNormB: Float32Array;
}

/** Looks tensors up by GGUF name; returns undefined for absent ones. */
export type TensorSource = (name: string) => TensorRef | undefined;

function addBias(x: Float32Array, n: number, dim: number, b: Float32Array | undefined): void {
  if (!b) return;
  for (let r = 0; r < n; r++) {
    const o = r * dim;
    for (let i = 0; i < dim; i++) x[o + i] = x[o + i]! + b[i]!;
  }
}

/**
 * A BERT-family encoder on a compute `Backend`. `encode` runs many token sequences at once: every matmul
 * covers all their tokens; attention stays within each sequence (non-causal unless the file says causal).
 */
export class BertModel {
  readonly config: BertConfig;
  private readonly backend: Backend;
  private readonly tokEmbd: TensorRef;
  private readonly posEmbd?: TensorRef;
  private readonly typeRow0?: Float32Array;
  private readonly tokNormW: Float32Array;
  private readonly tokNormB: Float32Array;
  private readonly layers: Layer[] = [];

  constructor(config: BertConfig, get: TensorSource, backend: Backend, source = 'GGUF') {
    this.config = config;
    this.backend = backend;
    const c = config;
    const need = (name: string, dims: number[]): TensorRef => {
      const t = get(name);
      if (!t) throw new Error(`${source}: missing tensor "${name}"`);
      checkDims(t, dims, source);
      return t;
    };
    const opt = (name: string, dims: number[]): TensorRef | undefined => {
      const t = get(name);
      if (t) checkDims(t, dims, source);
      return t;
    };
    const vec = (t: TensorRef | undefined) => (t ? Float32Array.from(tensorToF32(t)) : undefined);
    const mat = (t: TensorRef) => backend.prepareMatrix(t);
    this.tokEmbd = need('token_embd.weight', [c.nEmbd, c.nVocab]);
    const types = get('token_types.weight');
    if (types) {
      if (types.dims[0] !== c.nEmbd)
        throw new Error(
          `${source}: tensor "token_types.weight" has ne0 ${types.dims[0]}, expected ${c.nEmbd}`,
        );
      const row = new Float32Array(c.nEmbd);
      dequantizeRowOf(types, 0, row, 0);
      this.typeRow0 = row;
    }
    if (c.arch === 'bert') this.posEmbd = need('position_embd.weight', [c.nEmbd, c.nCtxTrain]);
    this.tokNormW = vec(need('token_embd_norm.weight', [c.nEmbd]))!;
    this.tokNormB = vec(need('token_embd_norm.bias', [c.nEmbd]))!;
    const e = c.nEmbd;
    for (let il = 0; il < c.nLayer; il++) {
      const p = `blk.${il}.`;
      const qkv = opt(`${p}attn_qkv.weight`, [e, 3 * e]);
      const L: Layer = {
        o: mat(need(`${p}attn_output.weight`, [e, e])),
        oB: vec(opt(`${p}attn_output.bias`, [e])),
        attnNormW: vec(need(`${p}attn_output_norm.weight`, [e]))!,
        attnNormB: vec(need(`${p}attn_output_norm.bias`, [e]))!,
        up: mat(need(`${p}ffn_up.weight`, [e, c.nFf])),
        down: mat(need(`${p}ffn_down.weight`, [c.nFf, e])),
        outNormW: vec(need(`${p}layer_output_norm.weight`, [e]))!,
        outNormB: vec(need(`${p}layer_output_norm.bias`, [e]))!,
      };
      if (qkv) {
        L.qkv = mat(qkv);
        L.qkvB = vec(opt(`${p}attn_qkv.bias`, [3 * e]));
      } else {
        L.q = mat(need(`${p}attn_q.weight`, [e, e]));
        L.k = mat(need(`${p}attn_k.weight`, [e, e]));
        L.v = mat(need(`${p}attn_v.weight`, [e, e]));
        L.qB = vec(opt(`${p}attn_q.bias`, [e]));
        L.kB = vec(opt(`${p}attn_k.bias`, [e]));
        L.vB = vec(opt(`${p}attn_v.bias`, [e]));
      }
      if (c.arch === 'bert') {
        // llama.cpp's bert graph adds the FFN biases; nomic-bert's ignores them.
        L.upB = vec(opt(`${p}ffn_up.bias`, [c.nFf]));
        L.downB = vec(opt(`${p}ffn_down.bias`, [e]));
      } else {
        L.gate = mat(need(`${p}ffn_gate.weight`, [e, c.nFf]));
      }
      this.layers.push(L);
    }
  }

  /**
   * Runs the encoder over `seqs` (token ids, specials included) and returns one pooled vector per
   * sequence, unnormalized (what llama.cpp's llama_get_embeddings_seq gives). Pooling NONE returns
   * the last token's state, as node-llama-cpp's getEmbeddingFor does.
   */
  encode(seqs: readonly (readonly number[])[]): Float32Array[] {
    const c = this.config;
    const e = c.nEmbd;
    const starts: number[] = [];
    let T = 0;
    for (const s of seqs) {
      if (s.length === 0) throw new Error('BertModel.encode: empty token sequence');
      if (s.length > c.nCtxTrain)
        throw new Error(
          `BertModel.encode: ${s.length} tokens exceed the model's context length ${c.nCtxTrain}`,
        );
      starts.push(T);
      T += s.length;
    }
    if (T === 0) return [];
    // Input embeddings: token (+ type row 0) (+ position).
    const x = new Float32Array(T * e);
    const row = new Float32Array(e);
    let t = 0;
    for (const s of seqs) {
      for (let pos = 0; pos < s.length; pos++, t++) {
        const id = s[pos]!;
        if (!(id >= 0 && id < c.nVocab))
          throw new Error(`BertModel.encode: token id ${id} outside [0, ${c.nVocab})`);
        dequantizeRowOf(this.tokEmbd, id, x, t * e);
        if (this.typeRow0) for (let i = 0; i < e; i++) x[t * e + i] = x[t * e + i]! + this.typeRow0[i]!;
        if (this.posEmbd) {
          dequantizeRowOf(this.posEmbd, pos, row, 0);
          for (let i = 0; i < e; i++) x[t * e + i] = row[i]! + x[t * e + i]!;
        }
      }
    }
    let inpL = new Float32Array(T * e);
    layerNorm(x, this.tokNormW, this.tokNormB, inpL, T, e, c.normEps);

    const q = new Float32Array(T * e);
    const k = new Float32Array(T * e);
    const v = new Float32Array(T * e);
    const qkv = this.layers.some((l) => l.qkv) ? new Float32Array(T * 3 * e) : undefined;
    const attn = new Float32Array(T * e);
    const cur = new Float32Array(T * e);
    const ffnInp = new Float32Array(T * e);
    const up = new Float32Array(T * c.nFf);
    const gate = c.arch === 'nomic-bert' ? new Float32Array(T * c.nFf) : undefined;
    const maxLen = Math.max(...seqs.map((s) => s.length));
    const scores = new Float32Array(maxLen);
    const cos = new Float32Array(c.nRot / 2);
    const sin = new Float32Array(c.nRot / 2);
    const scale = Math.fround(1 / Math.fround(Math.sqrt(c.headDim)));
    const be = this.backend;

    for (const L of this.layers) {
      if (L.qkv && qkv) {
        be.matmul(L.qkv, inpL, T, qkv);
        addBias(qkv, T, 3 * e, L.qkvB);
        for (let r = 0; r < T; r++) {
          q.set(qkv.subarray(r * 3 * e, r * 3 * e + e), r * e);
          k.set(qkv.subarray(r * 3 * e + e, r * 3 * e + 2 * e), r * e);
          v.set(qkv.subarray(r * 3 * e + 2 * e, r * 3 * e + 3 * e), r * e);
        }
      } else {
        be.matmul(L.q!, inpL, T, q);
        addBias(q, T, e, L.qB);
        be.matmul(L.k!, inpL, T, k);
        addBias(k, T, e, L.kB);
        be.matmul(L.v!, inpL, T, v);
        addBias(v, T, e, L.vB);
      }
      if (c.arch === 'nomic-bert') {
        for (let si = 0; si < seqs.length; si++) {
          for (let pos = 0; pos < seqs[si]!.length; pos++) {
            ropeCache(pos, c.nRot, c.ropeTheta, undefined, 1, cos, sin);
            const off = (starts[si]! + pos) * e;
            applyRope(q, off, c.nHead, c.headDim, c.nRot, true, cos, sin);
            applyRope(k, off, c.nHead, c.headDim, c.nRot, true, cos, sin);
          }
        }
      }
      // Attention within each sequence.
      const hd = c.headDim;
      attn.fill(0);
      for (let si = 0; si < seqs.length; si++) {
        const s0 = starts[si]!;
        const n = seqs[si]!.length;
        for (let h = 0; h < c.nHead; h++) {
          const ho = h * hd;
          for (let i = 0; i < n; i++) {
            const qo = (s0 + i) * e + ho;
            const nk = c.causal ? i + 1 : n;
            for (let j = 0; j < nk; j++) {
              const ko = (s0 + j) * e + ho;
              let d = 0;
              for (let z = 0; z < hd; z++) d += q[qo + z]! * k[ko + z]!;
              scores[j] = Math.fround(Math.fround(d) * scale);
            }
            softmax(scores, 0, nk);
            const oo = (s0 + i) * e + ho;
            for (let j = 0; j < nk; j++) {
              const p = scores[j]!;
              const vo = (s0 + j) * e + ho;
              for (let z = 0; z < hd; z++) attn[oo + z] = attn[oo + z]! + p * v[vo + z]!;
            }
          }
        }
      }
      be.matmul(L.o, attn, T, cur);
      addBias(cur, T, e, L.oB);
      for (let i = 0; i < T * e; i++) cur[i] = cur[i]! + inpL[i]!;
      layerNorm(cur, L.attnNormW, L.attnNormB, ffnInp, T, e, c.normEps);
      // Feed-forward.
      be.matmul(L.up, ffnInp, T, up);
      if (gate && L.gate) {
        be.matmul(L.gate, ffnInp, T, gate);
        for (let i = 0; i < T * c.nFf; i++) {
          const g = gate[i]!;
          up[i] = Math.fround(Math.fround(g / Math.fround(1 + Math.fround(Math.exp(-g)))) * up[i]!);
        }
      } else {
        addBias(up, T, c.nFf, L.upB);
        geluInPlace(up, T * c.nFf);
      }
      be.matmul(L.down, up, T, cur);
      addBias(cur, T, e, L.downB);
      for (let i = 0; i < T * e; i++) cur[i] = cur[i]! + ffnInp[i]!;
      const next = new Float32Array(T * e);
      layerNorm(cur, L.outNormW, L.outNormB, next, T, e, c.normEps);
      inpL = next;
    }

    // Pooling.
    const out: Float32Array[] = [];
    for (let si = 0; si < seqs.length; si++) {
      const s0 = starts[si]!;
      const n = seqs[si]!.length;
      const r = new Float32Array(e);
      if (c.pooling === POOLING.MEAN) {
        const w = Math.fround(1 / n);
        for (let i = 0; i < e; i++) {
          let acc = 0;
          for (let j = 0; j < n; j++) acc += inpL[(s0 + j) * e + i]! * w;
          r[i] = acc;
        }
      } else {
        const j = c.pooling === POOLING.CLS ? 0 : n - 1;
        r.set(inpL.subarray((s0 + j) * e, (s0 + j + 1) * e));
      }
      out.push(r);
    }
    return out;
  }
}

function checkDims(t: TensorRef, dims: number[], source: string): void {
  const got = t.dims.length === 1 ? [t.dims[0]!] : t.dims;
  const ok = got.length === dims.length && got.every((d, i) => d === dims[i]);
  if (!ok)
    throw new Error(
      `${source}: tensor "${t.name}" has shape [${got.join(', ')}], expected [${dims.join(', ')}]`,
    );
}
