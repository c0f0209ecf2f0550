// Open-addressing hash table keyed by 64-bit (two u32) keys with counts; reused across documents without reallocation.

/** Counts of 64-bit keys. `clear()` is O(1) (generation stamps), so one table serves every document. */
export class PairCounter {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private cnt: Int32Array;
  private gen: Uint32Array;
  private g = 1;
  private mask: number;
  private used = 0;
  /** Slot of the key last passed to `add` (valid until the table grows or is cleared). */
  last = 0;
  /** Number of times the table has grown (slots from before a growth are stale). */
  grows = 0;
  constructor(capacityLog2 = 12) {
    const cap = 1 << capacityLog2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.cnt = new Int32Array(cap);
    this.gen = new Uint32Array(cap);
    this.mask = cap - 1;
  }
  /** Forget all keys (and make sure at least `expected` keys fit at load ≤ 0.5). */
  clear(expected = 0): void {
    this.g++;
    this.used = 0;
    if (expected * 2 > this.mask + 1 || this.g === 0xffffffff) {
      let cap = this.mask + 1;
      while (expected * 2 > cap) cap *= 2;
      this.hi = new Uint32Array(cap);
      this.lo = new Uint32Array(cap);
      this.cnt = new Int32Array(cap);
      this.gen = new Uint32Array(cap);
      this.mask = cap - 1;
      this.g = 1;
    }
  }
  /** Add one occurrence of (hi, lo); returns the new count. */
  add(hi: number, lo: number): number {
    let i = (hi ^ Math.imul(lo, 0x9e3779b1)) & this.mask;
    for (;;) {
      if (this.gen[i] !== this.g) {
        if (this.used * 2 >= this.mask) this.grow();
        else {
          this.gen[i] = this.g;
          this.hi[i] = hi;
          this.lo[i] = lo;
          this.cnt[i] = 1;
          this.used++;
          this.last = i;
          return 1;
        }
        i = (hi ^ Math.imul(lo, 0x9e3779b1)) & this.mask;
        continue;
      }
      if (this.hi[i] === hi && this.lo[i] === lo) {
        this.last = i;
        return ++(this.cnt as Int32Array)[i];
      }
      i = (i + 1) & this.mask;
    }
  }
  /** Count stored in `slot` (from `last`). */
  countAt(slot: number): number {
    return this.cnt[slot] as number;
  }
  /** Current count of (hi, lo) (0 when absent). */
  get(hi: number, lo: number): number {
    let i = (hi ^ Math.imul(lo, 0x9e3779b1)) & this.mask;
    for (;;) {
      if (this.gen[i] !== this.g) return 0;
      if (this.hi[i] === hi && this.lo[i] === lo) return this.cnt[i] as number;
      i = (i + 1) & this.mask;
    }
  }
  private grow(): void {
    const { hi, lo, gen, cnt, g } = this;
    const cap = (this.mask + 1) * 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.cnt = new Int32Array(cap);
    this.gen = new Uint32Array(cap);
    this.mask = cap - 1;
    this.g = 1;
    this.used = 0;
    this.grows++;
    for (let j = 0; j < gen.length; j++) {
      if (gen[j] !== g) continue;
      let i = ((hi[j] as number) ^ Math.imul(lo[j] as number, 0x9e3779b1)) & this.mask;
      while (this.gen[i] === 1) i = (i + 1) & this.mask;
      this.gen[i] = 1;
      this.hi[i] = hi[j] as number;
      this.lo[i] = lo[j] as number;
      this.cnt[i] = cnt[j] as number;
      this.used++;
    }
  }
}

/**
 * Exact set of substrings of one text, given as spans [start, end) with a caller-computed 32-bit hash; equal
 * hashes are verified character by character, so no strings are allocated and no collision can be miscounted.
 * `clear()` is O(1) (generation stamps).
 */
export class SpanSet {
  private hash: Int32Array;
  private start: Int32Array;
  private end: Int32Array;
  private gen: Uint32Array;
  private g = 1;
  private mask: number;
  private used = 0;
  private text = '';
  constructor(capacityLog2 = 8) {
    const cap = 1 << capacityLog2;
    this.hash = new Int32Array(cap);
    this.start = new Int32Array(cap);
    this.end = new Int32Array(cap);
    this.gen = new Uint32Array(cap);
    this.mask = cap - 1;
  }
  /** Forget all spans; the spans added next are substrings of `text`. */
  clear(text: string): void {
    this.text = text;
    this.used = 0;
    this.g++;
    if (this.g === 0xffffffff) {
      this.gen.fill(0);
      this.g = 1;
    }
  }
  /** Add text[start, end) with hash `h`; returns true when an equal substring was added before. */
  add(start: number, end: number, h: number): boolean {
    if (this.used * 2 >= this.mask) this.grow();
    const text = this.text;
    const len = end - start;
    h |= 0;
    let i = (h ^ (h >>> 15)) & this.mask;
    for (;;) {
      if (this.gen[i] !== this.g) {
        this.gen[i] = this.g;
        this.hash[i] = h;
        this.start[i] = start;
        this.end[i] = end;
        this.used++;
        return false;
      }
      if (this.hash[i] === h) {
        const s = this.start[i] as number;
        if ((this.end[i] as number) - s === len) {
          let k = 0;
          while (k < len && text.charCodeAt(s + k) === text.charCodeAt(start + k)) k++;
          if (k === len) return true;
        }
      }
      i = (i + 1) & this.mask;
    }
  }
  private grow(): void {
    const { hash, start, end, gen, g } = this;
    const cap = (this.mask + 1) * 2;
    this.hash = new Int32Array(cap);
    this.start = new Int32Array(cap);
    this.end = new Int32Array(cap);
    this.gen = new Uint32Array(cap);
    this.mask = cap - 1;
    this.g = 1;
    for (let j = 0; j < gen.length; j++) {
      if (gen[j] !== g) continue;
      const h = hash[j] as number;
      let i = (h ^ (h >>> 15)) & this.mask;
      while (this.gen[i] === 1) i = (i + 1) & this.mask;
      this.gen[i] = 1;
      this.hash[i] = h;
      this.start[i] = start[j] as number;
      this.end[i] = end[j] as number;
    }
  }
}
