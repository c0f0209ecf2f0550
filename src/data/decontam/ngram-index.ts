// N-gram overlap index for decontamination: hashed word n-grams of benchmark items, matched against documents.
import { fnv1a, mix32 } from '../text.js';
import type { BenchmarkItem } from './benchmarks.js';

/** A word with its character span in the original text. */
interface Word {
  w: number; // hash of the lowercased word
  start: number;
  end: number;
}

function words(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    out.push({
      w: fnv1a(m[0].toLowerCase()),
      start: m.index as number,
      end: (m.index as number) + m[0].length,
    });
  }
  return out;
}

function key(ws: Word[], i: number, n: number): number {
  let a = 0x9747b28c ^ n;
  let b = 0x1b873593 ^ n;
  for (let j = i; j < i + n; j++) {
    const w = (ws[j] as Word).w;
    a = mix32(a ^ w);
    b = Math.imul(b ^ w, 0x5bd1e995) + 0x2545f491;
  }
  return a * 0x200000 + (mix32(b) >>> 11);
}

/** A match: which item, and the character span of the matched window in the document. */
export interface Overlap {
  item: BenchmarkItem;
  start: number;
  end: number;
}

/** Index of benchmark n-grams; items shorter than `n` words (but ≥ `minItemWords`) are indexed whole. */
export class NgramIndex {
  private readonly map = new Map<number, number>();
  private readonly lengths = new Set<number>();
  readonly items: BenchmarkItem[] = [];
  constructor(
    readonly n = 13,
    readonly minItemWords = 8,
  ) {}

  /** Add benchmark items. */
  add(items: BenchmarkItem[]): void {
    for (const it of items) {
      const ws = words(it.text);
      const len = Math.min(ws.length, this.n);
      if (len < this.minItemWords) continue;
      const idx = this.items.push(it) - 1;
      this.lengths.add(len);
      for (let i = 0; i + len <= ws.length; i++) {
        const k = key(ws, i, len);
        if (!this.map.has(k)) this.map.set(k, idx);
      }
    }
  }

  /** Number of distinct n-grams indexed. */
  get size(): number {
    return this.map.size;
  }

  /** All overlapping windows of `text` (possibly several per item). */
  find(text: string): Overlap[] {
    const ws = words(text);
    const out: Overlap[] = [];
    for (const len of this.lengths) {
      for (let i = 0; i + len <= ws.length; i++) {
        const idx = this.map.get(key(ws, i, len));
        if (idx !== undefined) {
          out.push({
            item: this.items[idx] as BenchmarkItem,
            start: (ws[i] as Word).start,
            end: (ws[i + len - 1] as Word).end,
          });
        }
      }
    }
    return out;
  }
}

/** Replace overlapping spans with `marker` (spans merged first). */
export function redact(text: string, spans: { start: number; end: number }[], marker = '[REDACTED]'): string {
  const s = [...spans].sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const x of s) {
    const last = merged[merged.length - 1];
    if (last && x.start <= last.end) last.end = Math.max(last.end, x.end);
    else merged.push({ ...x });
  }
  let out = '';
  let pos = 0;
  for (const m of merged) {
    out += text.slice(pos, m.start) + marker;
    pos = m.end;
  }
  return out + text.slice(pos);
}
