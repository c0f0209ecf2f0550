// Phi-3 architecture for training: parameters, activations (allocated once) and forward/backward over B×T tokens.
import { type Arr, createWasmMemory, type Gemm, MAX_THREADS, RefGemm, WasmGemm } from './gemm.js';
import {
  attentionBackward,
  attentionForward,
  crossEntropy,
  crossEntropyWasm,
  rmsnormBackward,
  rmsnormForward,
  rope,
  ropeTables,
  siluMulBackward,
  siluMulForward,
} from './ops.js';
import type { AdamWState } from './optim.js';

/** Shapes of a trainable phi3 model (llama.cpp's names). */
export interface TrainModelConfig {
  nVocab: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  nFf: number;
  /** Context length written to the GGUF (≥ training sequence length). */
  nCtx: number;
  ropeTheta: number;
  rmsEps: number;
  /** Output head shares token_embd. */
  tiedEmbeddings: boolean;
}

/** One parameter tensor: GGUF name, row-major [rows, cols] (GGUF dims [cols, rows]), offset within params. */
export interface ParamTensor {
  name: string;
  rows: number;
  cols: number;
  offset: number;
  size: number;
  kind: 'embedding' | 'norm' | 'matrix';
}

/** The parameter tensors of a config, in a fixed order (offsets relative to the start of the parameters). */
export function paramLayout(c: TrainModelConfig): { tensors: ParamTensor[]; count: number } {
  const tensors: ParamTensor[] = [];
  let off = 0;
  const add = (name: string, rows: number, cols: number, kind: ParamTensor['kind']) => {
    const size = rows * cols;
    tensors.push({ name, rows, cols, offset: off, size, kind });
    off += (size + 3) & ~3;
  };
  const hd = c.nEmbd / c.nHead;
  const qkvRows = c.nEmbd + 2 * hd * c.nHeadKv;
  add('token_embd.weight', c.nVocab, c.nEmbd, 'embedding');
  for (let l = 0; l < c.nLayer; l++) {
    add(`blk.${l}.attn_norm.weight`, 1, c.nEmbd, 'norm');
    add(`blk.${l}.attn_qkv.weight`, qkvRows, c.nEmbd, 'matrix');
    add(`blk.${l}.attn_output.weight`, c.nEmbd, c.nEmbd, 'matrix');
    add(`blk.${l}.ffn_norm.weight`, 1, c.nEmbd, 'norm');
    add(`blk.${l}.ffn_up.weight`, 2 * c.nFf, c.nEmbd, 'matrix');
    add(`blk.${l}.ffn_down.weight`, c.nEmbd, c.nFf, 'matrix');
  }
  add('output_norm.weight', 1, c.nEmbd, 'norm');
  if (!c.tiedEmbeddings) add('output.weight', c.nVocab, c.nEmbd, 'matrix');
  return { tensors, count: off };
}

/** Checks a config and names the first problem. */
export function validateModelConfig(c: TrainModelConfig): void {
  const pos = ['nVocab', 'nEmbd', 'nLayer', 'nHead', 'nHeadKv', 'nFf', 'nCtx'] as const;
  for (const k of pos) {
    if (!Number.isInteger(c[k]) || c[k] <= 0)
      throw new Error(`model config: ${k} must be a positive integer, got ${c[k]}`);
  }
  if (c.nEmbd % c.nHead !== 0)
    throw new Error(`model config: n_embd ${c.nEmbd} is not divisible by n_head ${c.nHead}`);
  if ((c.nEmbd / c.nHead) % 2 !== 0)
    throw new Error(`model config: head_dim ${c.nEmbd / c.nHead} must be even for RoPE`);
  if (c.nHead % c.nHeadKv !== 0)
    throw new Error(`model config: n_head_kv ${c.nHeadKv} does not divide n_head ${c.nHead}`);
}

/** Bump allocator of 16-byte aligned float ranges. */
class Layout {
  size = 0;
  alloc(n: number): number {
    const o = this.size;
    this.size += (n + 3) & ~3;
    return o;
  }
}

interface LayerActs {
  x: number; // [N, E] residual input
  xn1: number; // [N, E]
  rs1: number; // [N]
  qkv: number; // [N, Dq] (q, k after RoPE)
  att: number; // [B, H, T, T]
  ao: number; // [N, E] attention output before attn_output
  xm: number; // [N, E] residual after attention
  xn2: number; // [N, E]
  rs2: number; // [N]
  gu: number; // [N, 2F]
  h: number; // [N, F]
}

/** Options: float32 WASM SIMD (training) or float64 plain TS (gradient checks). */
export interface TrainModelOptions {
  precision?: 'f32' | 'f64';
}

/** Rows of logits computed at once in the LM head (bounds the [rows, V] scratch). */
const HEAD_FLOATS = 1 << 21;

/**
 * A phi3 model with its gradients and activations for a fixed batch of B sequences × T positions.
 * Everything lives in one arena (`gemm.arena`); `params` and `grads` are views with the same layout.
 */
export class TrainModel {
  readonly gemm: Gemm;
  readonly arena: Arr;
  readonly tensors: ParamTensor[];
  readonly nParams: number;
  readonly params: Arr;
  readonly grads: Arr;
  readonly E: number;
  readonly D: number;
  readonly Dq: number;
  readonly F: number;
  readonly N: number;
  private pOff: number;
  private gOff: number;
  private layers: LayerActs[] = [];
  private xL: number;
  private xnf: number;
  private rsf: number;
  private head: number;
  private headRows: number;
  private dx: number;
  private dn: number;
  private dqkv: number;
  private dao: number;
  private dgu: number;
  private dh: number;
  private tmpTT: number;
  private tab: { cos: Float64Array; sin: Float64Array };
  private p: Record<string, number> = {};
  /** The float32 model's WASM GEMM (fused kernels for rows whose widths are multiples of 4); undefined for f64. */
  private wg: WasmGemm | undefined;
  /** Arena offset of AdamW's m, v (nParams each) and decay mask (nParams bytes), float32 models only. */
  private optOff = -1;
  /** Arena offset of the float32 RoPE tables (cos, then sin; [T, D/2] each), float32 models only. */
  private ropeOff = -1;

  constructor(
    readonly cfg: TrainModelConfig,
    readonly B: number,
    readonly T: number,
    opts: TrainModelOptions = {},
  ) {
    validateModelConfig(cfg);
    const E = cfg.nEmbd;
    const D = E / cfg.nHead;
    const Dq = E + 2 * D * cfg.nHeadKv;
    const F = cfg.nFf;
    const N = B * T;
    const V = cfg.nVocab;
    this.E = E;
    this.D = D;
    this.Dq = Dq;
    this.F = F;
    this.N = N;
    const { tensors, count } = paramLayout(cfg);
    this.tensors = tensors;
    this.nParams = count;
    const L = new Layout();
    this.pOff = L.alloc(count);
    this.gOff = L.alloc(count);
    for (let l = 0; l < cfg.nLayer; l++) {
      this.layers.push({
        x: L.alloc(N * E),
        xn1: L.alloc(N * E),
        rs1: L.alloc(N),
        qkv: L.alloc(N * Dq),
        att: L.alloc(B * cfg.nHead * T * T),
        ao: L.alloc(N * E),
        xm: L.alloc(N * E),
        xn2: L.alloc(N * E),
        rs2: L.alloc(N),
        gu: L.alloc(N * 2 * F),
        h: L.alloc(N * F),
      });
    }
    this.xL = L.alloc(N * E);
    this.xnf = L.alloc(N * E);
    this.rsf = L.alloc(N);
    this.headRows = Math.max(1, Math.min(N, Math.floor(HEAD_FLOATS / V)));
    this.head = L.alloc(this.headRows * V);
    this.dx = L.alloc(N * E);
    this.dn = L.alloc(N * Math.max(E, F));
    this.dqkv = L.alloc(N * Dq);
    this.dao = L.alloc(N * E);
    this.dgu = L.alloc(N * 2 * F);
    this.dh = L.alloc(N * F);
    // attention backward scratch: one T×T block per thread (float32 models may split attention over threads)
    this.tmpTT = L.alloc(T * T * ((opts.precision ?? 'f32') === 'f64' ? 1 : MAX_THREADS));
    if ((opts.precision ?? 'f32') === 'f64') {
      this.gemm = new RefGemm(new Float64Array(L.size));
    } else {
      this.optOff = L.alloc(2 * count + Math.ceil(count / 4));
      this.ropeOff = L.alloc(T * D);
      this.wg = new WasmGemm(createWasmMemory(L.size));
      this.gemm = this.wg;
    }
    this.arena = this.gemm.arena;
    this.params = this.arena.subarray(this.pOff, this.pOff + count);
    this.grads = this.arena.subarray(this.gOff, this.gOff + count);
    for (const t of tensors) this.p[t.name] = this.pOff + t.offset;
    this.tab = ropeTables(T, D, cfg.ropeTheta);
    if (this.ropeOff >= 0) {
      this.arena.set(this.tab.cos, this.ropeOff);
      this.arena.set(this.tab.sin, this.ropeOff + (T * D) / 2);
    }
  }

  /**
   * Storage for AdamW's moments and decay mask inside the wasm memory (so its update runs as one WASM loop);
   * undefined for float64 models. Pass to `new AdamW(cfg, tensors, nParams, model.adamState())`.
   */
  adamState(): AdamWState | undefined {
    if (!this.wg || this.optOff < 0) return undefined;
    const n = this.nParams;
    const buf = this.wg.arena.buffer;
    const o = this.optOff;
    return {
      m: new Float32Array(buf, o * 4, n),
      v: new Float32Array(buf, (o + n) * 4, n),
      mask: new Uint8Array(buf, (o + 2 * n) * 4, n),
    };
  }

  /** RMSNorm forward (fused WASM when possible). */
  private rmsF(x: number, w: number, y: number, rs: number, n: number, d: number): void {
    if (this.wg && d % 4 === 0) this.wg.k.rmsnorm(x * 4, w * 4, y * 4, rs * 4, n, d, this.cfg.rmsEps);
    else rmsnormForward(this.arena, x, w, y, rs, n, d, this.cfg.rmsEps);
  }

  /** RMSNorm backward (fused WASM when possible). */
  private rmsB(
    x: number,
    w: number,
    rs: number,
    dy: number,
    dx: number,
    dw: number,
    n: number,
    d: number,
  ): void {
    if (this.wg && d % 4 === 0) this.wg.k.rmsnorm_bwd(x * 4, w * 4, rs * 4, dy * 4, dx * 4, dw * 4, n, d);
    else rmsnormBackward(this.arena, x, w, rs, dy, dx, dw, n, d);
  }

  /** NeoX RoPE on nh heads at column `x` of rows of stride ld (fused WASM when head_dim is a multiple of 8). */
  private ropeRows(x: number, ld: number, nh: number, sign: 1 | -1): void {
    const { N, T, D } = this;
    if (this.wg && D % 8 === 0) {
      const c = this.ropeOff * 4;
      this.wg.k.rope(x * 4, ld, N, T, nh, D, c, c + T * D * 2, sign);
    } else rope(this.arena, x, ld, N, T, nh, D, this.tab, sign);
  }

  /** a[dst..dst+n) += a[src..src+n). */
  private addTo(dst: number, src: number, n: number): void {
    if (this.wg && n % 4 === 0 && dst % 4 === 0 && src % 4 === 0) this.wg.k.add_to(dst * 4, src * 4, n);
    else {
      const a = this.arena;
      for (let i = 0; i < n; i++) a[dst + i] += a[src + i];
    }
  }

  private ce(logits: number, targets: ArrayLike<number>, t0: number, n: number, gradScale?: number): number {
    const V = this.cfg.nVocab;
    if (this.wg) return crossEntropyWasm(this.wg, logits, targets, t0, n, V, gradScale);
    return crossEntropy(this.arena, logits, targets, t0, n, V, gradScale);
  }

  /** Arena offset of a parameter tensor by GGUF name. */
  paramOffset(name: string): number {
    const o = this.p[name];
    if (o === undefined) throw new Error(`no parameter tensor ${name}`);
    return o;
  }

  /** The parameter tensor's values (a view into the arena). */
  param(name: string): Arr {
    const t = this.tensors.find((x) => x.name === name);
    if (!t) throw new Error(`no parameter tensor ${name}`);
    return this.params.subarray(t.offset, t.offset + t.size);
  }

  /** Initializes weights: N(0, 0.02) matrices/embedding (attn_output, ffn_down scaled by 1/√(2L)), norms 1. */
  init(rand: () => number): void {
    const std = 0.02;
    for (const t of this.tensors) {
      const v = this.params.subarray(t.offset, t.offset + t.size);
      if (t.kind === 'norm') v.fill(1);
      else {
        const s =
          t.name.endsWith('attn_output.weight') || t.name.endsWith('ffn_down.weight')
            ? std / Math.sqrt(2 * this.cfg.nLayer)
            : std;
        for (let i = 0; i < v.length; i++) v[i] = gaussian(rand) * s;
      }
    }
  }

  /** Sets all gradients to zero. */
  zeroGrads(): void {
    this.grads.fill(0);
  }

  private outputWeight(): number {
    return this.cfg.tiedEmbeddings ? this.p['token_embd.weight'] : this.p['output.weight'];
  }

  /** Forward through the blocks and the final norm (leaves xnf filled). */
  private forwardTrunk(inputs: ArrayLike<number>): void {
    const { gemm: g, arena: a, E, Dq, F, N, B, T, cfg } = this;
    const emb = this.p['token_embd.weight'];
    const x0 = this.layers.length ? this.layers[0].x : this.xL;
    for (let n = 0; n < N; n++) {
      const tok = inputs[n];
      if (!(tok >= 0 && tok < cfg.nVocab))
        throw new Error(`token ${tok} at position ${n} is outside vocab ${cfg.nVocab}`);
      a.copyWithin(x0 + n * E, emb + tok * E, emb + tok * E + E);
    }
    const shape = { B, T, nh: cfg.nHead, nhKv: cfg.nHeadKv, D: this.D };
    for (let l = 0; l < cfg.nLayer; l++) {
      const s = this.layers[l];
      const xNext = l + 1 < cfg.nLayer ? this.layers[l + 1].x : this.xL;
      const pre = `blk.${l}.`;
      this.rmsF(s.x, this.p[`${pre}attn_norm.weight`], s.xn1, s.rs1, N, E);
      g.nt(s.xn1, E, this.p[`${pre}attn_qkv.weight`], E, s.qkv, Dq, N, Dq, E, false);
      this.ropeRows(s.qkv, Dq, cfg.nHead, 1);
      this.ropeRows(s.qkv + E, Dq, cfg.nHeadKv, 1);
      attentionForward(g, s.qkv, s.att, s.ao, shape);
      g.nt(s.ao, E, this.p[`${pre}attn_output.weight`], E, s.xm, E, N, E, E, false);
      this.addTo(s.xm, s.x, N * E);
      this.rmsF(s.xm, this.p[`${pre}ffn_norm.weight`], s.xn2, s.rs2, N, E);
      g.nt(s.xn2, E, this.p[`${pre}ffn_up.weight`], E, s.gu, 2 * F, N, 2 * F, E, false);
      if (this.wg && F % 4 === 0) this.wg.k.silu_mul(s.gu * 4, s.h * 4, N, F);
      else siluMulForward(a, s.gu, s.h, N, F);
      g.nt(s.h, F, this.p[`${pre}ffn_down.weight`], F, xNext, E, N, E, F, false);
      this.addTo(xNext, s.xm, N * E);
    }
    this.rmsF(this.xL, this.p['output_norm.weight'], this.xnf, this.rsf, N, E);
  }

  /** Mean cross-entropy of predicting `targets` from `inputs` (both B·T ids), no gradients. */
  loss(inputs: ArrayLike<number>, targets: ArrayLike<number>): number {
    this.forwardTrunk(inputs);
    const { gemm: g, E, N, cfg } = this;
    const V = cfg.nVocab;
    const W = this.outputWeight();
    let total = 0;
    for (let r0 = 0; r0 < N; r0 += this.headRows) {
      const n = Math.min(this.headRows, N - r0);
      g.nt(this.xnf + r0 * E, E, W, E, this.head, V, n, V, E, false);
      total += this.ce(this.head, targets, r0, n);
    }
    return total / N;
  }

  /** Logits [B·T, V] for `inputs` (a new Float64Array; for tests and export checks). */
  logits(inputs: ArrayLike<number>): Float64Array {
    this.forwardTrunk(inputs);
    const { gemm: g, E, N, cfg } = this;
    const V = cfg.nVocab;
    const out = new Float64Array(N * V);
    for (let r0 = 0; r0 < N; r0 += this.headRows) {
      const n = Math.min(this.headRows, N - r0);
      g.nt(this.xnf + r0 * E, E, this.outputWeight(), E, this.head, V, n, V, E, false);
      for (let i = 0; i < n * V; i++) out[r0 * V + i] = this.arena[this.head + i];
    }
    return out;
  }

  /**
   * Forward and backward: returns the mean cross-entropy and ADDS its gradient times `gradScale`
   * into `grads` (call zeroGrads first; gradScale = 1/accumulation steps for gradient accumulation).
   */
  forwardBackward(inputs: ArrayLike<number>, targets: ArrayLike<number>, gradScale = 1): number {
    this.forwardTrunk(inputs);
    const { gemm: g, arena: a, E, Dq, F, N, B, T, cfg } = this;
    const V = cfg.nVocab;
    const W = this.outputWeight();
    const dW = W - this.pOff + this.gOff;
    const G = (name: string) => this.p[name] - this.pOff + this.gOff;
    const dn = this.dn;
    // LM head + loss, chunked over rows: dxnf rows land in dn.
    let total = 0;
    for (let r0 = 0; r0 < N; r0 += this.headRows) {
      const n = Math.min(this.headRows, N - r0);
      g.nt(this.xnf + r0 * E, E, W, E, this.head, V, n, V, E, false);
      total += this.ce(this.head, targets, r0, n, gradScale / N);
      g.xn(this.head, V, 1, W, E, dn + r0 * E, E, n, E, V, false);
      g.xn(this.head, 1, V, this.xnf + r0 * E, E, dW, E, V, E, n, true);
    }
    const dx = this.dx;
    a.fill(0, dx, dx + N * E);
    this.rmsB(this.xL, this.p['output_norm.weight'], this.rsf, dn, dx, G('output_norm.weight'), N, E);
    const shape = { B, T, nh: cfg.nHead, nhKv: cfg.nHeadKv, D: this.D };
    for (let l = cfg.nLayer - 1; l >= 0; l--) {
      const s = this.layers[l];
      const pre = `blk.${l}.`;
      // FFN: x_next = xm + h·Wdᵀ
      const Wd = this.p[`${pre}ffn_down.weight`];
      g.xn(dx, E, 1, Wd, F, this.dh, F, N, F, E, false);
      g.xn(dx, 1, E, s.h, F, G(`${pre}ffn_down.weight`), F, E, F, N, true);
      if (this.wg && F % 4 === 0) this.wg.k.silu_mul_bwd(s.gu * 4, this.dh * 4, this.dgu * 4, N, F);
      else siluMulBackward(a, s.gu, this.dh, this.dgu, N, F);
      const Wu = this.p[`${pre}ffn_up.weight`];
      g.xn(this.dgu, 1, 2 * F, s.xn2, E, G(`${pre}ffn_up.weight`), E, 2 * F, E, N, true);
      g.xn(this.dgu, 2 * F, 1, Wu, E, dn, E, N, E, 2 * F, false);
      this.rmsB(s.xm, this.p[`${pre}ffn_norm.weight`], s.rs2, dn, dx, G(`${pre}ffn_norm.weight`), N, E);
      // Attention: xm = x + ao·Woᵀ
      const Wo = this.p[`${pre}attn_output.weight`];
      g.xn(dx, E, 1, Wo, E, this.dao, E, N, E, E, false);
      g.xn(dx, 1, E, s.ao, E, G(`${pre}attn_output.weight`), E, E, E, N, true);
      a.fill(0, this.dqkv, this.dqkv + N * Dq);
      attentionBackward(g, s.qkv, s.att, this.dao, this.dqkv, this.tmpTT, shape);
      this.ropeRows(this.dqkv, Dq, cfg.nHead, -1);
      this.ropeRows(this.dqkv + E, Dq, cfg.nHeadKv, -1);
      // qkv = xn1 · Wqkvᵀ (the saved q, k are rotated; Wqkv's gradient needs the pre-RoPE product only
      // through dqkv, which is now w.r.t. the unrotated projection)
      const Wqkv = this.p[`${pre}attn_qkv.weight`];
      g.xn(this.dqkv, 1, Dq, s.xn1, E, G(`${pre}attn_qkv.weight`), E, Dq, E, N, true);
      g.xn(this.dqkv, Dq, 1, Wqkv, E, dn, E, N, E, Dq, false);
      this.rmsB(s.x, this.p[`${pre}attn_norm.weight`], s.rs1, dn, dx, G(`${pre}attn_norm.weight`), N, E);
    }
    const dEmb = G('token_embd.weight');
    for (let n = 0; n < N; n++) this.addTo(dEmb + inputs[n] * E, dx + n * E, E);
    return total / N;
  }
}

/** Standard normal sample (Box–Muller) from a uniform [0,1) source. */
export function gaussian(rand: () => number): number {
  let u = rand();
  while (u <= 1e-300) u = rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
