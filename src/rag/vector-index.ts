// Exact cosine top-k over all chunk vectors kept in one contiguous Float32Array (portable, no node: imports).

/** One vector hit. */
export interface VectorHit {
  chunkId: number;
  score: number;
}

/**
 * Rows of L2-normalized vectors (cosine = dot product) with their chunk and document ids. Appends are
 * amortized O(dim); removals leave tombstones that are compacted once they exceed a quarter of the rows.
 */
export class VectorIndex {
  readonly dim: number;
  private data: Float32Array; // (capacity, dim)
  private chunkIds: Int32Array; // (capacity) −1 = removed
  private docIds: Int32Array; // (capacity)
  private rowsOfDoc = new Map<number, number[]>();
  private rowOfChunk = new Map<number, number>();
  private n = 0;
  private dead = 0;

  constructor(dim: number, capacity = 1024) {
    this.dim = dim;
    this.data = new Float32Array(capacity * dim);
    this.chunkIds = new Int32Array(capacity);
    this.docIds = new Int32Array(capacity);
  }

  /** Live vectors. */
  get size(): number {
    return this.n - this.dead;
  }

  /** Bytes held by the vector buffer. */
  get bytes(): number {
    return this.data.byteLength;
  }

  private grow(min: number): void {
    let cap = this.chunkIds.length;
    if (min <= cap) return;
    while (cap < min) cap *= 2;
    const d = new Float32Array(cap * this.dim);
    d.set(this.data.subarray(0, this.n * this.dim));
    this.data = d;
    const c = new Int32Array(cap);
    c.set(this.chunkIds.subarray(0, this.n));
    this.chunkIds = c;
    const o = new Int32Array(cap);
    o.set(this.docIds.subarray(0, this.n));
    this.docIds = o;
  }

  /** Appends a vector given as float32 little-endian bytes (what the store keeps in BLOBs). */
  addBytes(chunkId: number, docId: number, bytes: Uint8Array): void {
    if (bytes.byteLength !== this.dim * 4)
      throw new Error(
        `vector of chunk ${chunkId}: expected ${this.dim * 4} bytes (dim ${this.dim}), got ${bytes.byteLength}`,
      );
    this.grow(this.n + 1);
    new Uint8Array(this.data.buffer, this.n * this.dim * 4, this.dim * 4).set(bytes);
    this.push(chunkId, docId);
  }

  /** Appends a vector (already normalized). */
  add(chunkId: number, docId: number, v: Float32Array): void {
    if (v.length !== this.dim)
      throw new Error(`vector of chunk ${chunkId}: expected dim ${this.dim}, got ${v.length}`);
    this.grow(this.n + 1);
    this.data.set(v, this.n * this.dim);
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
    const dim = this.dim;
    let w = 0;
    this.rowsOfDoc.clear();
    this.rowOfChunk.clear();
    for (let r = 0; r < this.n; r++) {
      if (this.chunkIds[r] === -1) continue;
      if (w !== r) {
        this.data.copyWithin(w * dim, r * dim, (r + 1) * dim);
        this.chunkIds[w] = this.chunkIds[r]!;
        this.docIds[w] = this.docIds[r]!;
      }
      const d = this.docIds[w]!;
      this.rowsOf(d).push(w);
      this.rowOfChunk.set(this.chunkIds[w]!, w);
      w++;
    }
    this.n = w;
    this.dead = 0;
  }

  /** Dot products of `q` with the given chunks' vectors (NaN for chunks without a vector). */
  scoreChunks(q: Float32Array, chunkIds: number[]): number[] {
    return chunkIds.map((id) => {
      const r = this.rowOfChunk.get(id);
      if (r === undefined) return Number.NaN;
      const o = r * this.dim;
      let s = 0;
      for (let i = 0; i < this.dim; i++) s += this.data[o + i]! * q[i]!;
      return s;
    });
  }

  /**
   * The k rows with the highest dot product with `q` (unit length), best first. `docMask[docId] = 1`
   * restricts the scan to those documents.
   */
  search(q: Float32Array, k: number, docMask?: Uint8Array): VectorHit[] {
    const dim = this.dim;
    if (q.length !== dim) throw new Error(`query vector: expected dim ${dim}, got ${q.length}`);
    if (k <= 0) return [];
    const data = this.data;
    // min-heap of (score, row) of size ≤ k
    const hs = new Float64Array(k);
    const hr = new Int32Array(k);
    let hn = 0;
    const d4 = dim - (dim % 4);
    for (let r = 0; r < this.n; r++) {
      if (this.chunkIds[r] === -1) continue;
      if (docMask && docMask[this.docIds[r]!] !== 1) continue;
      const o = r * dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let i = 0;
      for (; i < d4; i += 4) {
        s0 += data[o + i]! * q[i]!;
        s1 += data[o + i + 1]! * q[i + 1]!;
        s2 += data[o + i + 2]! * q[i + 2]!;
        s3 += data[o + i + 3]! * q[i + 3]!;
      }
      let s = s0 + s1 + s2 + s3;
      for (; i < dim; i++) s += data[o + i]! * q[i]!;
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
      } else if (s > hs[0]!) {
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
    for (let i = 0; i < hn; i++) out.push({ chunkId: this.chunkIds[hr[i]!]!, score: hs[i]! });
    return out.sort((a, b) => b.score - a.score || a.chunkId - b.chunkId);
  }
}
