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
          return 1;
        }
        i = (hi ^ Math.imul(lo, 0x9e3779b1)) & this.mask;
        continue;
      }
      if (this.hi[i] === hi && this.lo[i] === lo) return ++(this.cnt as Int32Array)[i];
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
