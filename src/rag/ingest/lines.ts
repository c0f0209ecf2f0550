// Offset → line-number lookup and block helpers shared by the format parsers.
import type { Block } from '../chunk.js';

/** Maps character offsets of a text to 1-based line numbers. */
export class LineMap {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  /** 1-based line of the character at `offset`. */
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

/** Builds a block from a [start, end) span of `text`, trimming surrounding whitespace. */
export function spanBlock(
  text: string,
  lines: LineMap,
  kind: Block['kind'],
  start: number,
  end: number,
  extra: Partial<Block> = {},
): Block | null {
  const raw = text.slice(start, end);
  const lead = raw.length - raw.trimStart().length;
  const body = raw.trim();
  if (!body) return null;
  const s = start + lead;
  const e = s + body.length;
  return {
    kind,
    text: body,
    charStart: s,
    charEnd: e,
    lineStart: lines.lineAt(s),
    lineEnd: lines.lineAt(e - 1),
    ...extra,
  };
}

/** Paragraph blocks of a plain text: runs of non-blank lines. */
export function paragraphs(text: string, lines: LineMap, base = 0, extra: Partial<Block> = {}): Block[] {
  const out: Block[] = [];
  const re = /\n[ \t]*\n\s*/g;
  let start = 0;
  for (const m of text.matchAll(re)) {
    const b = spanBlock(text, lines, 'para', start, m.index!, extra);
    if (b) out.push(b);
    start = m.index! + m[0].length;
  }
  const b = spanBlock(text, lines, 'para', start, text.length, extra);
  if (b) out.push(b);
  if (base)
    for (const x of out) {
      x.charStart += base;
      x.charEnd += base;
    }
  return out;
}
