// Structure-aware chunking: blocks (headings, paragraphs, code) packed to a token budget with overlap.
import type { ChunkInput } from './store.js';
import { approxTokenCount, type TokenCounter } from './tokens.js';

/** A structural unit of an extracted document. Offsets index the document's extracted text. */
export interface Block {
  kind: 'heading' | 'para' | 'code';
  text: string;
  /** Heading level 1–6 (headings only). */
  level?: number;
  charStart: number;
  charEnd: number;
  /** 1-based inclusive line range. */
  lineStart: number;
  lineEnd: number;
  /** 1-based page (PDF). */
  page?: number;
  /** Code: this block starts a top-level definition (function, class…), a preferred cut point. */
  boundary?: boolean;
}

/** Chunking options. */
export interface ChunkOptions {
  /** Token budget per chunk (default 256). */
  maxTokens?: number;
  /** Tokens of the previous chunk repeated at the start of the next one within a section (default 32). */
  overlapTokens?: number;
  /** Token counter (default approxTokenCount). */
  countTokens?: TokenCounter;
}

interface Unit extends Block {
  tokens: number;
  /** Index of the block this unit comes from (pieces of one block are joined without a paragraph break). */
  src: number;
}

/** Joins units: pieces of one block with a space (a newline in code), different blocks with a blank line. */
function joinUnits(units: Unit[]): string {
  let s = '';
  units.forEach((u, i) => {
    if (i > 0) s += u.src === units[i - 1]!.src ? (u.kind === 'code' ? '\n' : ' ') : '\n\n';
    s += u.kind === 'code' || u.src !== units[i - 1]?.src ? u.text : u.text.trimStart();
  });
  return s;
}

/** Splits an oversized block into pieces under the budget: sentences/lines first, then words. */
function splitBlock(b: Block, max: number, count: TokenCounter, src: number): Unit[] {
  const pieces: { text: string; start: number }[] = [];
  const re = b.kind === 'code' ? /[^\n]*\n?/g : /[^.!?\n]+(?:[.!?]+["')\]]*\s*|\n+|$)/g;
  for (const m of b.text.matchAll(re)) if (m[0].length > 0) pieces.push({ text: m[0], start: m.index! });
  // break pieces that are still too long at word boundaries
  const fine: { text: string; start: number }[] = [];
  for (const p of pieces) {
    if (count(p.text) <= max) {
      fine.push(p);
      continue;
    }
    let cur = '';
    let curStart = p.start;
    for (const w of p.text.matchAll(/\S+\s*/g)) {
      if (cur && count(cur + w[0]) > max) {
        fine.push({ text: cur, start: curStart });
        cur = '';
        curStart = p.start + w.index!;
      }
      cur += w[0];
    }
    if (cur) fine.push({ text: cur, start: curStart });
  }
  const out: Unit[] = [];
  for (const p of fine) {
    const text = p.text.trimEnd();
    if (!text.trim()) continue;
    const startOff = b.charStart + p.start;
    const lineStart = b.lineStart + (b.text.slice(0, p.start).match(/\n/g)?.length ?? 0);
    out.push({
      ...b,
      text,
      charStart: startOff,
      charEnd: startOff + text.length,
      lineStart,
      lineEnd: lineStart + (text.match(/\n/g)?.length ?? 0),
      tokens: count(text),
      boundary: out.length === 0 ? b.boundary : false,
      src,
    });
  }
  return out;
}

/**
 * Packs blocks into chunks of at most `maxTokens` tokens. Headings start a new chunk and set the heading
 * path ("A > B > C") of what follows; paragraphs and whole code blocks are never cut unless they alone
 * exceed the budget; within a section, a new chunk repeats up to `overlapTokens` of the previous one's
 * trailing units. A new PDF page starts a new chunk (so each chunk has one page). Heading text is kept in the heading path, not repeated in the chunk text.
 */
export function chunkBlocks(blocks: Block[], opts: ChunkOptions = {}): ChunkInput[] {
  const max = opts.maxTokens ?? 256;
  const overlap = opts.overlapTokens ?? 32;
  const count = opts.countTokens ?? approxTokenCount;
  if (max < 8) throw new Error(`chunk maxTokens must be ≥ 8, got ${max}`);
  if (overlap < 0 || overlap >= max)
    throw new Error(`chunk overlapTokens must be in [0, maxTokens), got ${overlap}`);
  const out: ChunkInput[] = [];
  const headings: string[] = [];
  let cur: Unit[] = [];
  let curTokens = 0;
  let fresh = 0; // units in cur not carried over as overlap
  const emit = () => {
    if (fresh > 0 && cur.length > 0) {
      const text = joinUnits(cur);
      out.push({
        text,
        headingPath: headings.filter(Boolean).join(' > '),
        charStart: Math.min(...cur.map((u) => u.charStart)),
        charEnd: Math.max(...cur.map((u) => u.charEnd)),
        lineStart: Math.min(...cur.map((u) => u.lineStart)),
        lineEnd: Math.max(...cur.map((u) => u.lineEnd)),
        page: cur[0]!.page ?? null,
        nTokens: count(text),
      });
    }
  };
  const startNext = (withOverlap: boolean) => {
    const keep: Unit[] = [];
    let t = 0;
    if (withOverlap && overlap > 0)
      for (let i = cur.length - 1; i >= 0; i--) {
        if (t + cur[i]!.tokens > overlap) break;
        keep.unshift(cur[i]!);
        t += cur[i]!.tokens;
      }
    cur = keep;
    curTokens = t;
    fresh = 0;
  };
  for (const [bi, b] of blocks.entries()) {
    if (!b.text.trim()) continue;
    if (b.kind === 'heading') {
      emit();
      startNext(false);
      const level = Math.min(Math.max(b.level ?? 1, 1), 6);
      headings.length = level;
      headings[level - 1] = b.text.trim();
      continue;
    }
    const tokens = count(b.text);
    const units: Unit[] = tokens <= max ? [{ ...b, tokens, src: bi }] : splitBlock(b, max, count, bi);
    for (const u of units) {
      const sep = cur.length > 0 ? 1 : 0;
      const cut = u.boundary && fresh > 0 && curTokens >= max / 2;
      const newPage = cur.length > 0 && u.page !== cur[cur.length - 1]!.page;
      if (fresh > 0 && (curTokens + sep + u.tokens > max || cut || newPage)) {
        emit();
        startNext(!cut && !newPage);
      } else if (newPage) startNext(false);
      // overlap must never push a unit over budget
      while (cur.length > 0 && curTokens + 1 + u.tokens > max) {
        curTokens -= cur.shift()!.tokens;
      }
      cur.push(u);
      curTokens += u.tokens + (cur.length > 1 ? 1 : 0);
      fresh++;
    }
  }
  emit();
  return out;
}
