// Exact cosine top-k over all chunk vectors: an int8 copy of the rows is scanned by a WASM SIMD kernel
// (vector-scan.wat), the best candidates are rescored from the float32 rows, and an error bound proves the
// result equals the float32 top-k (widening the candidate set when it cannot). Plain-TS twin (`scanRef`)
// where SIMD is unavailable. Portable.
import { VECTOR_SCAN_WASM_BASE64 } from './vector-scan-wasm.js';

/** One vector hit. */
export interface VectorHit {
  chunkId: number;
  score: number;
}

/** out[r] = Σ_i data[r·stride + i] · q[i] for r < n (the reference the WASM kernel must match). */
export function scanRef(
  data: Float32Array,
  q: Float32Array,
  out: Float32Array,
  n: number,
  stride: number,
): void {
  const s4 = stride - (stride % 4);
  for (let r = 0; r < n; r++) {
    const o = r * stride;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i < s4; i += 4) {
      s0 += data[o + i]! * q[i]!;
      s1 += data[o + i + 1]! * q[i + 1]!;
      s2 += data[o + i + 2]! * q[i + 2]!;
      s3 += data[o + i + 3]! * q[i + 3]!;
    }
    for (; i < stride; i++) s0 += data[o + i]! * q[i]!;
    out[r] = s0 + s1 + s2 + s3;
  }
}

type ScanFn = (data: number, q: number, out: number, n: number, bytes: number) => void;
let wasmModule: WebAssembly.Module | null | undefined;

function loadWasm(): WebAssembly.Module | null {
  if (wasmModule !== undefined) return wasmModule;
  try {
    const bin =
      typeof Buffer !== 'undefined'
        ? Buffer.from(VECTOR_SCAN_WASM_BASE64, 'base64')
        : Uint8Array.from(atob(VECTOR_SCAN_WASM_BASE64), (c) => c.charCodeAt(0));
    wasmModule = new WebAssembly.Module(bin);
  } catch {
    wasmModule = null; // no SIMD support
  }
  return wasmModule;
}

const PAGE = 65536;
/** The query is quantized to ±Q16 (int16): its rounding error is negligible next to the rows' int8 steps. */
const Q16 = 16383;

/** Which scan runs: int8 rows + f32 rescoring (default), f32 rows in WASM, or plain TS over f32 rows. */
export type VectorKernel = 'wasm-i8' | 'wasm-f32' | 'js';

/**
 * Rows of L2-normalized vectors (cosine = dot product) with their chunk and document ids. Appends are
 * amortized O(dim); removals leave tombstones that are compacted once they exceed a quarter of the rows.
 *
 * Kernel 'wasm-i8' (default with SIMD): every row is also kept as int8 with a per-row scale (a quarter of
 * the bytes to stream); a query is scanned in int8 × int16, the best `max(4k, k + 32)` rows are rescored
 * from float32, and the result is accepted only when the k-th exact score beats the largest score any
 * other row could have (its approximate score plus a rigorous quantization-error bound); otherwise the
 * candidate set grows ×4. The top-k is therefore the exact float32 top-k.
 * WASM memory ('wasm-i8'): [int8 rows: capacity × stride8 | q: stride8 int16 | out: capacity int32];
 * ('wasm-f32'): [f32 rows: capacity × stride × 4 | q: stride × 4 | out: capacity × 4].
 */
export class VectorIndex {
  readonly dim: number;
  /** Row length in floats: dim rounded up to a multiple of 4 (zero padding). */
  readonly stride: number;
  /** int8 row length in bytes: dim rounded up to a multiple of 32. */
  readonly stride8: number;
  readonly kernel: VectorKernel;
  private mem: WebAssembly.Memory | null = null;
  private scanF32: ScanFn | null = null;
  private scanI8: ScanFn | null = null;
  /** f32 rows outside WASM memory (kernels 'wasm-i8' and 'js'). */
  private f32: Float32Array = new Float32Array(0);
  private capacity = 0;
  private chunkIds: Int32Array; // (capacity) −1 = removed
  private docIds: Int32Array; // (capacity)
  private scale = new Float32Array(0); // (capacity) int8 step of each row
  private scratch = new Float32Array(0); // view of the WASM scratch row ('wasm-i8')
  private quantRow: ((src: number, dst: number, n: number, l1p: number) => number) | null = null;
  private maxScale = 0;
  private maxL1 = 0;
  private rowsOfDoc = new Map<number, number[]>();
  private rowOfChunk = new Map<number, number>();
  private n = 0;
  private dead = 0;
  /** Rows rescored in f32 by the last search (diagnostics). */
  lastRescored = 0;

  constructor(dim: number, capacity = 1024, opts: { kernel?: VectorKernel | 'wasm-simd' } = {}) {
    this.dim = dim;
    this.stride = Math.ceil(dim / 4) * 4;
    this.stride8 = Math.ceil(dim / 32) * 32;
    const want = opts.kernel === 'wasm-simd' ? 'wasm-i8' : (opts.kernel ?? 'wasm-i8');
    const mod = want === 'js' ? null : loadWasm();
    if (mod) {
      const inst = new WebAssembly.Instance(mod, {});
      this.mem = inst.exports.memory as WebAssembly.Memory;
      if (want === 'wasm-f32') this.scanF32 = inst.exports.scan as ScanFn;
      else {
        this.scanI8 = inst.exports.scan_i8 as ScanFn;
        this.quantRow = inst.exports.quant_row as typeof this.quantRow;
      }
    }
    this.kernel = mod ? want : 'js';
    this.chunkIds = new Int32Array(0);
    this.docIds = new Int32Array(0);
    this.reserve(Math.max(1, capacity));
  }

  private wasmBytesFor(cap: number): number {
    return this.kernel === 'wasm-f32'
      ? cap * this.stride * 4 + this.stride * 4 + cap * 4
      : cap * this.stride8 + this.stride8 * 2 + cap * 4 + this.stride8 * 4 + 16;
  }

  /** View of the f32 rows (re-created on each call: growth may move the buffer). */
  private data(): Float32Array {
    return this.kernel === 'wasm-f32'
      ? new Float32Array(this.mem!.buffer, 0, this.capacity * this.stride)
      : this.f32;
  }

  private reserve(min: number): void {
    if (min <= this.capacity) return;
    // the first reservation is exact (a cache load knows its row count), later ones double
    const cap = this.capacity === 0 ? Math.max(min, 16) : Math.max(min, this.capacity * 2);
    if (this.mem) {
      const need = this.wasmBytesFor(cap);
      const have = this.mem.buffer.byteLength;
      if (need > have) this.mem.grow(Math.ceil((need - have) / PAGE));
    }
    if (this.kernel !== 'wasm-f32') {
      const f = new Float32Array(cap * this.stride);
      f.set(this.f32.subarray(0, this.n * this.stride));
      this.f32 = f;
    }
    const grow = <T extends Int32Array | Float32Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.chunkIds = grow(this.chunkIds, (n) => new Int32Array(n));
    this.docIds = grow(this.docIds, (n) => new Int32Array(n));
    this.scale = grow(this.scale, (n) => new Float32Array(n));
    this.capacity = cap;
  }

  /** Live vectors. */
  get size(): number {
    return this.n - this.dead;
  }

  /** Bytes held by the vector rows (f32, plus int8 with the 'wasm-i8' kernel). */
  get bytes(): number {
    return this.capacity * (this.stride * 4 + (this.kernel === 'wasm-i8' ? this.stride8 : 0));
  }

  /** Appends a vector given as float32 little-endian bytes (what the store keeps in BLOBs). */
  addBytes(chunkId: number, docId: number, bytes: Uint8Array): void {
    if (bytes.byteLength !== this.dim * 4)
      throw new Error(
        `vector of chunk ${chunkId}: expected ${this.dim * 4} bytes (dim ${this.dim}), got ${bytes.byteLength}`,
      );
    this.reserve(this.n + 1);
    const d = this.data();
    new Uint8Array(d.buffer, d.byteOffset + this.n * this.stride * 4, this.dim * 4).set(bytes);
    this.push(chunkId, docId);
  }

  /** Appends a vector (already normalized). */
  add(chunkId: number, docId: number, v: Float32Array): void {
    if (v.length !== this.dim)
      throw new Error(`vector of chunk ${chunkId}: expected dim ${this.dim}, got ${v.length}`);
    this.reserve(this.n + 1);
    this.data().set(v, this.n * this.stride);
    this.push(chunkId, docId);
  }

  /** Quantizes row r (already in the f32 rows) to int8 with its own scale (WASM `quant_row`). */
  private quantizeRow(r: number): void {
    if (this.kernel !== 'wasm-i8') return;
    const buf = this.mem!.buffer;
    const scratch = this.capacity * this.stride8 + this.stride8 * 2 + this.capacity * 4;
    const l1p = scratch + this.stride8 * 4;
    if (this.scratch.buffer !== buf || this.scratch.byteOffset !== scratch)
      this.scratch = new Float32Array(buf, scratch, this.stride8 + 1).fill(0);
    // the scratch row's tail (dim … stride8) stays zero: only the first dim floats are ever written
    this.scratch.set(this.f32.subarray(r * this.stride, r * this.stride + this.dim));
    const m = this.quantRow!(scratch, r * this.stride8, this.stride8, l1p);
    const s = Math.fround(m / 127);
    const l1 = this.scratch[this.stride8]!;
    this.scale[r] = s;
    if (s > this.maxScale) this.maxScale = s;
    if (l1 > this.maxL1) this.maxL1 = l1;
  }

  private push(chunkId: number, docId: number): void {
    this.chunkIds[this.n] = chunkId;
    this.docIds[this.n] = docId;
    this.rowsOf(docId).push(this.n);
    this.rowOfChunk.set(chunkId, this.n);
    this.quantizeRow(this.n);
    this.n++;
  }

  private rowsOf(docId: number): number[] {
    let rows = this.rowsOfDoc.get(docId);
    if (!rows) {
      rows = [];
      this.rowsOfDoc.set(docId, rows);
    }
    return rows;
  }

  /** Removes every vector of a document. */
  removeDoc(docId: number): void {
    const rows = this.rowsOfDoc.get(docId);
    if (!rows) return;
    for (const r of rows) {
      this.rowOfChunk.delete(this.chunkIds[r]!);
      this.chunkIds[r] = -1;
      this.dead++;
    }
    this.rowsOfDoc.delete(docId);
    if (this.dead > 1024 && this.dead * 4 > this.n) this.compact();
  }

  private compact(): void {
    const s = this.stride;
    const data = this.data();
    const i8 = this.kernel === 'wasm-i8' ? new Int8Array(this.mem!.buffer) : null;
    const s8 = this.stride8;
    let w = 0;
    this.rowsOfDoc.clear();
    this.rowOfChunk.clear();
    for (let r = 0; r < this.n; r++) {
      if (this.chunkIds[r] === -1) continue;
      if (w !== r) {
        data.copyWithin(w * s, r * s, (r + 1) * s);
        i8?.copyWithin(w * s8, r * s8, (r + 1) * s8);
        this.chunkIds[w] = this.chunkIds[r]!;
        this.docIds[w] = this.docIds[r]!;
        this.scale[w] = this.scale[r]!;
      }
      this.rowsOf(this.docIds[w]!).push(w);
      this.rowOfChunk.set(this.chunkIds[w]!, w);
      w++;
    }
    this.n = w;
    this.dead = 0;
  }

  /** Dot products of `q` with the given chunks' vectors (NaN for chunks without a vector). */
  scoreChunks(q: Float32Array, chunkIds: number[]): number[] {
    const data = this.data();
    return chunkIds.map((id) => {
      const r = this.rowOfChunk.get(id);
      if (r === undefined) return Number.NaN;
      return this.dotRow(data, r, q);
    });
  }

  private dotRow(data: Float32Array, r: number, q: Float32Array): number {
    const o = r * this.stride;
    let s0 = 0;
    let s1 = 0;
    let i = 0;
    for (; i + 1 < this.dim; i += 2) {
      s0 += data[o + i]! * q[i]!;
      s1 += data[o + i + 1]! * q[i + 1]!;
    }
    if (i < this.dim) s0 += data[o + i]! * q[i]!;
    return s0 + s1;
  }

  /** Exact f32 scores of every row against `q` (a fresh array; tests and diagnostics). */
  scores(q: Float32Array): Float32Array {
    if (q.length !== this.dim) throw new Error(`query vector: expected dim ${this.dim}, got ${q.length}`);
    const out = new Float32Array(this.n);
    if (this.kernel === 'wasm-f32') {
      const qOff = this.capacity * this.stride * 4;
      const outOff = qOff + this.stride * 4;
      const qv = new Float32Array(this.mem!.buffer, qOff, this.stride);
      qv.fill(0);
      qv.set(q);
      this.scanF32!(0, qOff, outOff, this.n, this.stride * 4);
      out.set(new Float32Array(this.mem!.buffer, outOff, this.n));
    } else {
      const qv = new Float32Array(this.stride);
      qv.set(q);
      scanRef(this.data(), qv, out, this.n, this.stride);
    }
    return out;
  }

  /**
   * int8 × int16 dot products of every row with `q` quantized (WASM 'wasm-i8' kernel): a view of int32
   * valid until the next mutation, and the factor turning row r's value into an approximate score
   * (`out[r] · scale[r] · qStep`).
   */
  approxScores(q: Float32Array): { out: Int32Array; qStep: number; qL1: number } {
    if (this.kernel !== 'wasm-i8')
      throw new Error(`approxScores needs the wasm-i8 kernel, not ${this.kernel}`);
    if (q.length !== this.dim) throw new Error(`query vector: expected dim ${this.dim}, got ${q.length}`);
    let m = 0;
    let qL1 = 0;
    for (let i = 0; i < this.dim; i++) {
      const a = Math.abs(q[i]!);
      qL1 += a;
      if (a > m) m = a;
    }
    const qStep = m > 0 ? m / Q16 : 0;
    const qOff = this.capacity * this.stride8;
    const outOff = qOff + this.stride8 * 2;
    const q16 = new Int16Array(this.mem!.buffer, qOff, this.stride8);
    q16.fill(0);
    const inv = qStep > 0 ? 1 / qStep : 0;
    for (let i = 0; i < this.dim; i++) q16[i] = Math.round(q[i]! * inv);
    this.scanI8!(0, qOff, outOff, this.n, this.stride8);
    return { out: new Int32Array(this.mem!.buffer, outOff, this.n), qStep, qL1 };
  }

  /**
   * The k rows with the highest dot product with `q` (unit length), best first. `docMask[docId] = 1`
   * restricts the result to those documents.
   */
  search(q: Float32Array, k: number, docMask?: Uint8Array): VectorHit[] {
    this.lastRescored = 0;
    if (k <= 0 || this.n === 0) return [];
    if (q.length !== this.dim) throw new Error(`query vector: expected dim ${this.dim}, got ${q.length}`);
    if (this.kernel !== 'wasm-i8') return this.topK(this.scores(q), k, docMask, 1);
    const { out, qStep, qL1 } = this.approxScores(q);
    // |exact − approx| ≤ (s_r/2)·‖q‖₁ + (qStep/2)·(‖v_r‖₁ + dim·s_r/2) (int8 and int16 rounding), plus slack
    const bound =
      (this.maxScale / 2) * qL1 + (qStep / 2) * (this.maxL1 + (this.dim * this.maxScale) / 2) + 1e-6;
    const data = this.data();
    for (let c = Math.max(4 * k, k + 32); ; c *= 4) {
      const cand = this.topK(out, c, docMask, qStep);
      const full = cand.length === c;
      const exact = cand.map((h) => {
        const r = this.rowOfChunk.get(h.chunkId)!;
        return { chunkId: h.chunkId, score: this.dotRow(data, r, q), approx: h.score };
      });
      this.lastRescored += exact.length;
      exact.sort((a, b) => b.score - a.score || a.chunkId - b.chunkId);
      const top = exact.slice(0, k);
      // every row left out has approx ≤ the smallest candidate's approx, so exact ≤ that + bound
      const floor = full ? cand[cand.length - 1]!.score + bound : Number.NEGATIVE_INFINITY;
      if (!full || (top.length === k && top[k - 1]!.score >= floor))
        return top.map((h) => ({ chunkId: h.chunkId, score: h.score }));
    }
  }

  /** Heap top-k of `sc[r] · scale[r] · mul` (scale ignored when `mul === 1` on f32 scores) over live rows. */
  private topK(
    sc: Float32Array | Int32Array,
    k: number,
    docMask: Uint8Array | undefined,
    mul: number,
  ): VectorHit[] {
    const useScale = sc instanceof Int32Array;
    const hs = new Float64Array(k);
    const hr = new Int32Array(k);
    let hn = 0;
    const ids = this.chunkIds;
    const docs = this.docIds;
    const scale = this.scale;
    for (let r = 0; r < this.n; r++) {
      const s = useScale ? sc[r]! * scale[r]! * mul : sc[r]!;
      if (hn === k && s <= hs[0]!) continue;
      if (ids[r] === -1) continue;
      if (docMask && docMask[docs[r]!] !== 1) continue;
      if (hn < k) {
        let j = hn++;
        while (j > 0) {
          const p = (j - 1) >> 1;
          if (hs[p]! <= s) break;
          hs[j] = hs[p]!;
          hr[j] = hr[p]!;
          j = p;
        }
        hs[j] = s;
        hr[j] = r;
      } else {
        let j = 0;
        for (;;) {
          const a = 2 * j + 1;
          if (a >= k) break;
          const b = a + 1;
          const c = b < k && hs[b]! < hs[a]! ? b : a;
          if (hs[c]! >= s) break;
          hs[j] = hs[c]!;
          hr[j] = hr[c]!;
          j = c;
        }
        hs[j] = s;
        hr[j] = r;
      }
    }
    const out: VectorHit[] = [];
    for (let i = 0; i < hn; i++) out.push({ chunkId: ids[hr[i]!]!, score: hs[i]! });
    return out.sort((a, b) => b.score - a.score || a.chunkId - b.chunkId);
  }
}
