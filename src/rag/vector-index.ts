// Exact cosine top-k over all chunk vectors kept in one contiguous Float32 buffer, scanned by a WASM
// SIMD kernel (vector-scan.wat) with a plain-TS twin (`scanRef`) where SIMD is unavailable. Portable.
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

/**
 * Rows of L2-normalized vectors (cosine = dot product) with their chunk and document ids. Appends are
 * amortized O(dim); removals leave tombstones that are compacted once they exceed a quarter of the rows.
 * Memory layout (bytes): [data: capacity × stride × 4 | q: stride × 4 | out: capacity × 4].
 */
export class VectorIndex {
  readonly dim: number;
  /** Row length in floats: dim rounded up to a multiple of 4 (zero padding). */
  readonly stride: number;
  /** Which scanner runs: "wasm-simd" or "js". */
  readonly kernel: 'wasm-simd' | 'js';
  private mem: WebAssembly.Memory | null = null;
  private scan: ScanFn | null = null;
  private jsBuf: ArrayBuffer | null = null;
  private capacity = 0;
  private chunkIds: Int32Array; // (capacity) −1 = removed
  private docIds: Int32Array; // (capacity)
  private rowsOfDoc = new Map<number, number[]>();
  private rowOfChunk = new Map<number, number>();
  private n = 0;
  private dead = 0;

  constructor(dim: number, capacity = 1024, opts: { kernel?: 'wasm-simd' | 'js' } = {}) {
    this.dim = dim;
    this.stride = Math.ceil(dim / 4) * 4;
    const mod = opts.kernel === 'js' ? null : loadWasm();
    if (mod) {
      const inst = new WebAssembly.Instance(mod, {});
      this.mem = inst.exports.memory as WebAssembly.Memory;
      this.scan = inst.exports.scan as ScanFn;
    }
    this.kernel = mod ? 'wasm-simd' : 'js';
    this.chunkIds = new Int32Array(0);
    this.docIds = new Int32Array(0);
    this.reserve(Math.max(1, capacity));
  }

  private bytesFor(cap: number): number {
    return cap * this.stride * 4 + this.stride * 4 + cap * 4;
  }

  private get buffer(): ArrayBuffer {
    return this.mem ? this.mem.buffer : this.jsBuf!;
  }

  /** View of the vector rows (re-created on each call: growth may move the buffer). */
  private data(): Float32Array {
    return new Float32Array(this.buffer, 0, this.capacity * this.stride);
  }

  private reserve(min: number): void {
    if (min <= this.capacity) return;
    let cap = Math.max(this.capacity, 16);
    while (cap < min) cap *= 2;
    const need = this.bytesFor(cap);
    if (this.mem) {
      const have = this.mem.buffer.byteLength;
      if (need > have) this.mem.grow(Math.ceil((need - have) / PAGE));
    } else {
      const buf = new ArrayBuffer(need);
      if (this.jsBuf) new Uint8Array(buf).set(new Uint8Array(this.jsBuf, 0, this.n * this.stride * 4));
      this.jsBuf = buf;
    }
    const c = new Int32Array(cap);
    c.set(this.chunkIds.subarray(0, this.n));
    this.chunkIds = c;
    const o = new Int32Array(cap);
    o.set(this.docIds.subarray(0, this.n));
    this.docIds = o;
    this.capacity = cap;
  }

  /** Live vectors. */
  get size(): number {
    return this.n - this.dead;
  }

  /** Bytes held by the vector rows. */
  get bytes(): number {
    return this.capacity * this.stride * 4;
  }

  /** Appends a vector given as float32 little-endian bytes (what the store keeps in BLOBs). */
  addBytes(chunkId: number, docId: number, bytes: Uint8Array): void {
    if (bytes.byteLength !== this.dim * 4)
      throw new Error(
        `vector of chunk ${chunkId}: expected ${this.dim * 4} bytes (dim ${this.dim}), got ${bytes.byteLength}`,
      );
    this.reserve(this.n + 1);
    new Uint8Array(this.buffer, this.n * this.stride * 4, this.dim * 4).set(bytes);
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

  private push(chunkId: number, docId: number): void {
    this.chunkIds[this.n] = chunkId;
    this.docIds[this.n] = docId;
    this.rowsOf(docId).push(this.n);
    this.rowOfChunk.set(chunkId, this.n);
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
    let w = 0;
    this.rowsOfDoc.clear();
    this.rowOfChunk.clear();
    for (let r = 0; r < this.n; r++) {
      if (this.chunkIds[r] === -1) continue;
      if (w !== r) {
        data.copyWithin(w * s, r * s, (r + 1) * s);
        this.chunkIds[w] = this.chunkIds[r]!;
        this.docIds[w] = this.docIds[r]!;
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
      const o = r * this.stride;
      let s = 0;
      for (let i = 0; i < this.dim; i++) s += data[o + i]! * q[i]!;
      return s;
    });
  }

  /** Scores of every row against `q` (a view valid until the next mutation). */
  scores(q: Float32Array): Float32Array {
    if (q.length !== this.dim) throw new Error(`query vector: expected dim ${this.dim}, got ${q.length}`);
    const qOff = this.capacity * this.stride * 4;
    const outOff = qOff + this.stride * 4;
    const qv = new Float32Array(this.buffer, qOff, this.stride);
    qv.fill(0);
    qv.set(q);
    const out = new Float32Array(this.buffer, outOff, this.capacity);
    if (this.scan) this.scan(0, qOff, outOff, this.n, this.stride * 4);
    else scanRef(this.data(), qv, out, this.n, this.stride);
    return out;
  }

  /**
   * The k rows with the highest dot product with `q` (unit length), best first. `docMask[docId] = 1`
   * restricts the result to those documents.
   */
  search(q: Float32Array, k: number, docMask?: Uint8Array): VectorHit[] {
    if (k <= 0 || this.n === 0) return [];
    const sc = this.scores(q);
    // min-heap of (score, row) of size ≤ k
    const hs = new Float64Array(k);
    const hr = new Int32Array(k);
    let hn = 0;
    const ids = this.chunkIds;
    const docs = this.docIds;
    for (let r = 0; r < this.n; r++) {
      const s = sc[r]!;
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
