// Per-stage statistics (docs/bytes/approx tokens in and out, drop reasons) and their aggregation across shards.

import type { Document } from '../document.js';
import { approxTokens, utf8Bytes } from '../text.js';

/** Counters for one stage. */
export interface StageStats {
  index: number;
  name: string;
  docs_in: number;
  docs_out: number;
  bytes_in: number;
  bytes_out: number;
  tokens_in: number;
  tokens_out: number;
  drops: Record<string, number>;
}

/** Fresh counters. */
export function newStageStats(index: number, name: string): StageStats {
  return {
    index,
    name,
    docs_in: 0,
    docs_out: 0,
    bytes_in: 0,
    bytes_out: 0,
    tokens_in: 0,
    tokens_out: 0,
    drops: {},
  };
}

/** Count a document entering a stage. */
export function countIn(s: StageStats, d: Document): void {
  s.docs_in++;
  s.bytes_in += utf8Bytes(d.text);
  s.tokens_in += approxTokens(d.text);
}

/** Count a document leaving a stage. */
export function countOut(s: StageStats, d: Document): void {
  s.docs_out++;
  s.bytes_out += utf8Bytes(d.text);
  s.tokens_out += approxTokens(d.text);
}

/** Sum stage stats by stage index. */
export function mergeStageStats(lists: StageStats[][]): StageStats[] {
  const byIndex = new Map<number, StageStats>();
  for (const list of lists) {
    for (const s of list) {
      const t = byIndex.get(s.index) ?? newStageStats(s.index, s.name);
      t.docs_in += s.docs_in;
      t.docs_out += s.docs_out;
      t.bytes_in += s.bytes_in;
      t.bytes_out += s.bytes_out;
      t.tokens_in += s.tokens_in;
      t.tokens_out += s.tokens_out;
      for (const [r, n] of Object.entries(s.drops)) t.drops[r] = (t.drops[r] ?? 0) + n;
      byIndex.set(s.index, t);
    }
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}
