// The Phi-3 / Llama decoder graph: embed → [rmsnorm → qkv → rope → attention(KV cache) → o → rmsnorm →
// gate·up → silu·mul → down] × L → rmsnorm → lm_head. One file for both: phi3 fuses qkv and gate|up.

import { siluMulFused as siluMulFusedSimd } from '../kernels/ops.js';
import { ARCHS, blk, TENSOR } from './arch.js';
import type { Backend, WeightMatrix } from './backend.js';
import type { LoadedModel, ModelConfig, TensorRef } from './config.js';
import { KvCache, type KvType } from './kv-cache.js';
import { applyRope, rmsNorm, ropeCache, siluMul, siluMulFused } from './ops-ref.js';
import { dequantizeRowOf, tensorToF32 } from './weights.js';

interface LayerWeights {
  attnNorm: Float32Array; // (n_embd)
  qkv?: WeightMatrix; // (n_embd + 2·n_embd_kv, n_embd)
  q?: WeightMatrix;
  k?: WeightMatrix;
  v?: WeightMatrix;
  wo: WeightMatrix; // (n_embd, n_embd)
  ffnNorm: Float32Array; // (n_embd)
  gateUp?: WeightMatrix; // (2·n_ff, n_embd), gate rows first
  gate?: WeightMatrix; // (n_ff, n_embd)
  up: WeightMatrix; // (n_ff, n_embd) or fused
  down: WeightMatrix; // (n_embd, n_ff)
}

/** Options for a context (one conversation's state). */
export interface ContextOptions {
  /** Context size in tokens (KV cache positions). Default: min(training context, 4096). */
  nCtx?: number;
  /** Most tokens evaluated in one batch (scratch size). Default 512. */
  nBatch?: number;
  /** KV cache precision: 'f16' (default, as llama.cpp), 'f32', or 'q8_0' (8-bit: half the memory of f16). */
  kvType?: KvType;
  /**
   * Where attention runs: 'wasm' (the SIMD kernel) or 'ref' (plain TS, the reference). Default: 'ref' on the
   * reference backend, 'wasm' otherwise.
   */
  attention?: 'wasm' | 'ref';
  /** Apply the model's sliding attention window (llama.cpp currently disables it for phi3). Default false. */
  slidingWindow?: boolean;
}

/** Weights prepared on a backend; contexts share them. */
export class Transformer {
  readonly config: ModelConfig;
  readonly layers: LayerWeights[];
  readonly outputNorm: Float32Array;
  readonly output: WeightMatrix;
  readonly tokenEmbd: TensorRef;
  readonly ropeLong?: Float32Array;
  readonly ropeShort?: Float32Array;

  constructor(
    model: LoadedModel,
    readonly backend: Backend,
    onProgress?: (done: number, total: number) => void,
  ) {
    const c = model.config;
    this.config = c;
    const t = (name: string): TensorRef => {
      const r = model.tensors.get(name);
      if (!r) throw new Error(`${model.source}: missing tensor "${name}"`);
      return r;
    };
    const has = (name: string) => model.tensors.has(name);
    const vec = (name: string, len: number): Float32Array => {
      const v = tensorToF32(t(name));
      if (v.length !== len)
        throw new Error(`${model.source}: tensor "${name}" has ${v.length} elements, expected ${len}`);
      return v;
    };
    let readBuf: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
    const mat = (name: string, rows: number, cols: number): WeightMatrix => {
      const r = t(name);
      if (r.dims[0] !== cols || (r.dims[1] ?? 1) !== rows) {
        throw new Error(
          `${model.source}: tensor "${name}" has shape [${r.dims}], expected [${cols}, ${rows}]`,
        );
      }
      if (backend.copiesWeights && r.readInto) {
        // one read buffer for every matrix: fresh pages per tensor cost a page fault per 4 KiB
        const bytes = r.readInto(readBuf);
        if (bytes.buffer !== readBuf.buffer) readBuf = bytes;
        return backend.prepareMatrix({ name: r.name, type: r.type, dims: r.dims, data: bytes });
      }
      return backend.prepareMatrix({ ...r }); // spread: read lazy sources once
    };
    const nEmbdKv = c.nHeadKv * c.headDim;
    const nEmbdQ = c.nHead * c.headDim;
    // Copied out of the (possibly lazily read) source once: embedding lookups need its bytes for good.
    this.tokenEmbd = { ...t(TENSOR.tokenEmbd) };
    if (this.tokenEmbd.dims[0] !== c.nEmbd || this.tokenEmbd.dims[1] !== c.nVocab) {
      throw new Error(
        `${model.source}: token_embd.weight has shape [${this.tokenEmbd.dims}], expected [${c.nEmbd}, ${c.nVocab}]`,
      );
    }
    this.layers = [];
    for (let i = 0; i < c.nLayer; i++) {
      const n = blk(i);
      const fused = has(n.attnQkv);
      const fusedFfn = !has(n.ffnGate);
      this.layers.push({
        attnNorm: vec(n.attnNorm, c.nEmbd),
        qkv: fused ? mat(n.attnQkv, nEmbdQ + 2 * nEmbdKv, c.nEmbd) : undefined,
        q: fused ? undefined : mat(n.attnQ, nEmbdQ, c.nEmbd),
        k: fused ? undefined : mat(n.attnK, nEmbdKv, c.nEmbd),
        v: fused ? undefined : mat(n.attnV, nEmbdKv, c.nEmbd),
        wo: mat(n.attnOutput, c.nEmbd, nEmbdQ),
        ffnNorm: vec(n.ffnNorm, c.nEmbd),
        gate: fusedFfn ? undefined : mat(n.ffnGate, c.nFf, c.nEmbd),
        up: mat(n.ffnUp, fusedFfn ? 2 * c.nFf : c.nFf, c.nEmbd),
        down: mat(n.ffnDown, c.nEmbd, c.nFf),
      });
      onProgress?.(i + 1, c.nLayer + 1);
    }
    this.outputNorm = vec(TENSOR.outputNorm, c.nEmbd);
    this.output = has(TENSOR.output)
      ? mat(TENSOR.output, c.nVocab, c.nEmbd)
      : backend.prepareMatrix({ ...this.tokenEmbd, name: TENSOR.output });
    backend.finishPreparing?.();
    // Everything else is prepared now: drop the rope factor/norm sources (views are copied by tensorToF32).
    if (has(TENSOR.ropeFactorsLong)) this.ropeLong = vec(TENSOR.ropeFactorsLong, c.nRot / 2);
    if (has(TENSOR.ropeFactorsShort)) this.ropeShort = vec(TENSOR.ropeFactorsShort, c.nRot / 2);
    onProgress?.(c.nLayer + 1, c.nLayer + 1);
  }

  /** A fresh context (KV cache + scratch buffers). */
  createContext(opts: ContextOptions = {}): InferenceContext {
    return new InferenceContext(this, opts);
  }
}

/** Which positions' logits `eval` returns. */
export type LogitsWanted = 'last' | 'all' | 'none';

/** One sequence's state: KV cache, position, and scratch buffers (allocated once). */
export class InferenceContext {
  readonly nCtx: number;
  readonly nBatch: number;
  readonly cache: KvCache;
  /** @internal Per-sequence settings the forward pass reads. */
  readonly seq: SequenceState;
  private readonly scratch: Scratch;

  constructor(
    readonly model: Transformer,
    opts: ContextOptions,
  ) {
    const c = model.config;
    this.nCtx = opts.nCtx ?? Math.min(c.nCtxTrain || 4096, 4096);
    this.nBatch = Math.min(opts.nBatch ?? 512, this.nCtx);
    if (this.nCtx <= 0 || this.nCtx > 1 << 20) throw new Error(`context size ${this.nCtx} is out of range`);
    this.cache = new KvCache(
      c.nLayer,
      this.nCtx,
      c.nHeadKv,
      c.headDim,
      opts.kvType ?? 'f16',
      this.nBatch,
      c.nHead,
      model.backend.parallel,
    );
    const attentionRef =
      (opts.attention ?? (model.backend.name.startsWith('reference') ? 'ref' : 'wasm')) === 'ref';
    const long = c.nCtxOrig !== undefined && this.nCtx > c.nCtxOrig;
    this.seq = {
      cache: this.cache,
      attentionRef,
      window: opts.slidingWindow && c.slidingWindow ? c.slidingWindow : 0,
      ropeFactors: long ? model.ropeLong : model.ropeShort,
      mscale:
        long && model.ropeLong && c.nCtxOrig
          ? Math.sqrt(1 + Math.log(c.nCtxTrain / c.nCtxOrig) / Math.log(c.nCtxOrig))
          : 1,
    };
    this.scratch = new Scratch(c, this.nBatch);
  }

  /** Positions evaluated so far. */
  get nPast(): number {
    return this.cache.length;
  }

  /** Rewinds to `n` positions (keeps the first n tokens' cache). */
  truncate(n: number): void {
    this.cache.truncate(n);
  }

  /**
   * Evaluates `tokens` after the cached positions and returns logits: of the last token ('last', a view of
   * n_vocab floats valid until the next call), of every token ('all', a fresh T×n_vocab array), or none.
   */
  eval(tokens: ArrayLike<number>, want: LogitsWanted = 'last'): Float32Array {
    const c = this.model.config;
    const total = tokens.length;
    if (total === 0) throw new Error('eval: no tokens');
    if (this.cache.length + total > this.nCtx) {
      throw new Error(
        `prompt too long: ${this.cache.length} cached + ${total} new tokens exceed the context size ${this.nCtx}`,
      );
    }
    checkTokens(tokens, c.nVocab);
    const logitsAll = this.scratch.logits;
    const all = want === 'all' ? new Float32Array(total * c.nVocab) : undefined;
    let last = logitsAll.subarray(0, c.nVocab);
    for (let start = 0; start < total; start += this.nBatch) {
      const n = Math.min(this.nBatch, total - start);
      const isLastBatch = start + n === total;
      const outRows = want === 'all' ? n : want === 'last' && isLastBatch ? 1 : 0;
      forwardRows(this.model, this.scratch, tokens, start, [{ seq: this.seq, n }], outRows);
      if (all) all.set(logitsAll.subarray(0, n * c.nVocab), start * c.nVocab);
      else if (outRows === 1) last = logitsAll.subarray(0, c.nVocab);
    }
    return all ?? last;
  }

  /**
   * Mean of the final normed hidden states (after output_norm) over `tokens`, evaluated from an empty cache:
   * the generative model's own sentence embedding, used when no embedding model is given. Resets the cache.
   */
  embed(tokens: ArrayLike<number>): Float32Array {
    const c = this.model.config;
    const E = c.nEmbd;
    const sum = new Float64Array(E);
    this.cache.truncate(0);
    for (let start = 0; start < tokens.length; start += this.nBatch) {
      const n = Math.min(this.nBatch, tokens.length - start);
      forwardRows(this.model, this.scratch, tokens, start, [{ seq: this.seq, n }], 0);
      const normed = this.scratch.xb.subarray(0, n * E);
      rmsNorm(this.scratch.x, this.model.outputNorm, normed, n, E, c.rmsEps);
      for (let i = 0; i < n * E; i++) sum[i % E]! += normed[i]!;
    }
    this.cache.truncate(0);
    const out = new Float32Array(E);
    for (let i = 0; i < E; i++) out[i] = sum[i]! / Math.max(1, tokens.length);
    return out;
  }
}

/** @internal What the forward pass needs of one sequence. */
export interface SequenceState {
  cache: KvCache;
  attentionRef: boolean;
  /** Sliding window in positions (0: none). */
  window: number;
  ropeFactors?: Float32Array;
  mscale: number;
}

/** Working buffers for up to `rows` token rows, allocated once. */
class Scratch {
  readonly x: Float32Array; // (rows, n_embd) residual stream
  readonly xb: Float32Array; // (rows, n_embd) normed input
  readonly qkv: Float32Array; // (rows, n_embd_q + 2·n_embd_kv)
  readonly attnOut: Float32Array; // (rows, n_embd_q)
  readonly proj: Float32Array; // (rows, n_embd)
  readonly ffA: Float32Array; // (rows, 2·n_ff)
  readonly ffB: Float32Array; // (rows, n_ff)
  readonly ffC: Float32Array; // (rows, n_ff)
  readonly cos: Float32Array;
  readonly sin: Float32Array;
  readonly logits: Float32Array; // (rows, n_vocab)

  constructor(
    c: ModelConfig,
    readonly rows: number,
  ) {
    const qDim = c.nHead * c.headDim;
    const kvDim = c.nHeadKv * c.headDim;
    this.x = new Float32Array(rows * c.nEmbd);
    this.xb = new Float32Array(rows * c.nEmbd);
    this.qkv = new Float32Array(rows * (qDim + 2 * kvDim));
    this.attnOut = new Float32Array(rows * qDim);
    this.proj = new Float32Array(rows * c.nEmbd);
    this.ffA = new Float32Array(rows * 2 * c.nFf);
    this.ffB = new Float32Array(rows * c.nFf);
    this.ffC = new Float32Array(rows * c.nFf);
    this.cos = new Float32Array(c.nRot / 2);
    this.sin = new Float32Array(c.nRot / 2);
    this.logits = new Float32Array(rows * c.nVocab);
  }
}

function checkTokens(tokens: ArrayLike<number>, nVocab: number): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!Number.isInteger(t) || t < 0 || t >= nVocab)
      throw new Error(`token id ${t} at index ${i} is outside the vocabulary [0, ${nVocab})`);
  }
}

/**
 * One forward pass over token rows tokens[start…], split into consecutive segments, each continuing its own
 * sequence (KV cache) from that cache's length: the matrix products run once over all rows (one batch), the
 * attention per segment. Leaves the logits of the last `outRows` rows in s.logits.
 */
function forwardRows(
  m: Transformer,
  s: Scratch,
  tokens: ArrayLike<number>,
  start: number,
  segs: ReadonlyArray<{ seq: SequenceState; n: number }>,
  outRows: number,
): void {
  const c = m.config;
  const be = m.backend;
  const E = c.nEmbd;
  const hd = c.headDim;
  const qDim = c.nHead * hd;
  const kvDim = c.nHeadKv * hd;
  const qkvDim = qDim + 2 * kvDim;
  let n = 0;
  for (const g of segs) n += g.n;
  const neox = ARCHS[c.arch].ropeType === 'neox' || c.ropeType === 'neox';
  const prescale = c.arch === 'phi3'; // phi3 scales Q before attention; llama scales the scores
  const kqScale = 1 / Math.sqrt(hd);
  const x = s.x;
  for (let i = 0; i < n; i++) dequantizeRowOf(m.tokenEmbd, tokens[start + i]!, x, i * E);

  const xn = s.xb.subarray(0, n * E);
  for (let l = 0; l < c.nLayer; l++) {
    const L = m.layers[l]!;
    rmsNorm(x, L.attnNorm, xn, n, E, c.rmsEps);
    const qkv = s.qkv.subarray(0, n * qkvDim);
    if (L.qkv) be.matmul(L.qkv, xn, n, qkv);
    else separateQkv(m, s, L, xn, n);
    let row = 0;
    for (const { seq, n: sn } of segs) {
      const pos0 = seq.cache.length;
      for (let i = 0; i < sn; i++) {
        ropeCache(pos0 + i, c.nRot, c.ropeTheta, seq.ropeFactors, seq.mscale, s.cos, s.sin);
        const o = (row + i) * qkvDim;
        applyRope(qkv, o, c.nHead, hd, c.nRot, neox, s.cos, s.sin);
        applyRope(qkv, o + qDim, c.nHeadKv, hd, c.nRot, neox, s.cos, s.sin);
        seq.cache.store(l, pos0 + i, qkv, o + qDim, o + qDim + kvDim);
      }
      const attn = { nHead: c.nHead, scale: kqScale, prescale, window: seq.window };
      const call = {
        layer: l,
        q: qkv,
        qOff: row * qkvDim,
        qStride: qkvDim,
        n: sn,
        pos0,
        out: s.attnOut.subarray(row * qDim),
        outStride: qDim,
      };
      seq.cache.attend(call, attn, seq.attentionRef ? 'ref' : 'wasm');
      row += sn;
    }
    const proj = s.proj.subarray(0, n * E);
    be.matmul(L.wo, s.attnOut.subarray(0, n * qDim), n, proj);
    for (let i = 0; i < n * E; i++) x[i] += proj[i]!;

    rmsNorm(x, L.ffnNorm, xn, n, E, c.rmsEps);
    const act = s.ffB.subarray(0, n * c.nFf);
    if (L.gate) {
      const gate = s.ffA.subarray(0, n * c.nFf);
      const up = s.ffC.subarray(0, n * c.nFf);
      be.matmul(L.gate, xn, n, gate);
      be.matmul(L.up, xn, n, up);
      siluMul(gate, up, act, n * c.nFf);
    } else {
      const gu = s.ffA.subarray(0, n * 2 * c.nFf);
      be.matmul(L.up, xn, n, gu);
      // the reference path (attention: 'ref', the default of the reference backend) keeps the TS twin
      if (c.nFf % 4 === 0 && !segs[0]!.seq.attentionRef) siluMulFusedSimd(gu, act, n, c.nFf);
      else siluMulFused(gu, act, n, c.nFf);
    }
    be.matmul(L.down, act, n, proj);
    for (let i = 0; i < n * E; i++) x[i] += proj[i]!;
  }
  for (const { seq, n: sn } of segs) seq.cache.length += sn;
  if (outRows === 0) return;
  const first = n - outRows;
  const xo = x.subarray(first * E, n * E);
  const normed = s.xb.subarray(0, outRows * E);
  rmsNorm(xo, m.outputNorm, normed, outRows, E, c.rmsEps);
  be.matmul(m.output, normed, outRows, s.logits.subarray(0, outRows * c.nVocab));
}

/** q, k and v from separate matrices (llama layout) into the fused qkv rows. */
function separateQkv(m: Transformer, s: Scratch, L: LayerWeights, xn: Float32Array, n: number): void {
  const c = m.config;
  const qDim = c.nHead * c.headDim;
  const kvDim = c.nHeadKv * c.headDim;
  const qkvDim = qDim + 2 * kvDim;
  const q = s.ffA.subarray(0, n * qDim);
  const k = s.ffB.subarray(0, n * kvDim);
  const v = s.ffC.subarray(0, n * kvDim);
  m.backend.matmul(L.q!, xn, n, q);
  m.backend.matmul(L.k!, xn, n, k);
  m.backend.matmul(L.v!, xn, n, v);
  for (let i = 0; i < n; i++) {
    s.qkv.set(q.subarray(i * qDim, (i + 1) * qDim), i * qkvDim);
    s.qkv.set(k.subarray(i * kvDim, (i + 1) * kvDim), i * qkvDim + qDim);
    s.qkv.set(v.subarray(i * kvDim, (i + 1) * kvDim), i * qkvDim + qDim + kvDim);
  }
}

/**
 * Decodes one token for each of several sequences in one forward pass: their rows share every matrix
 * product (weights are read once for all of them, which is what bounds decode speed), each attends over its
 * own cache. Used by the server to batch concurrent requests. Logits are returned as fresh arrays.
 */
export class BatchDecoder {
  private readonly scratch: Scratch;

  constructor(
    readonly model: Transformer,
    /** Most sequences per pass. */
    readonly maxBatch = 8,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1)
      throw new Error(`maxBatch must be a positive integer, got ${maxBatch}`);
    this.scratch = new Scratch(model.config, maxBatch);
  }

  /** Appends tokens[i] to ctxs[i] (distinct contexts of this model) and returns each one's next-token logits. */
  decode(ctxs: readonly InferenceContext[], tokens: readonly number[]): Float32Array[] {
    const V = this.model.config.nVocab;
    if (ctxs.length !== tokens.length)
      throw new Error(`decode: ${ctxs.length} contexts but ${tokens.length} tokens`);
    if (ctxs.length === 0) return [];
    if (ctxs.length > this.maxBatch)
      throw new Error(`decode: ${ctxs.length} sequences exceed the batch size ${this.maxBatch}`);
    if (new Set(ctxs).size !== ctxs.length) throw new Error('decode: the same context appears twice');
    for (const ctx of ctxs) {
      if (ctx.model !== this.model) throw new Error('decode: a context belongs to another model');
      if (ctx.cache.length + 1 > ctx.nCtx)
        throw new Error(`decode: a sequence is full (${ctx.nCtx} positions)`);
    }
    checkTokens(tokens, V);
    const segs = ctxs.map((ctx) => ({ seq: ctx.seq, n: 1 }));
    forwardRows(this.model, this.scratch, tokens, 0, segs, ctxs.length);
    return ctxs.map((_, i) => this.scratch.logits.slice(i * V, (i + 1) * V));
  }
}
