// Plain-text and source-code extraction into blocks (paragraphs; code split at blank lines/definitions).
import type { Block } from '../chunk.js';
import { LineMap, paragraphs, spanBlock } from './lines.js';

/** Paragraph blocks of a plain-text document. */
export function parseText(text: string): Block[] {
  return paragraphs(text, new LineMap(text));
}

const DEF =
  /^(?:export\s+|pub(?:\([^)]*\))?\s+|public\s+|private\s+|protected\s+|static\s+|async\s+|default\s+|abstract\s+)*(?:function\b|class\b|def\b|fn\b|func\b|interface\b|type\b|struct\b|impl\b|enum\b|trait\b|module\b|const\b|let\b|var\b|@\w+|[A-Za-z_][\w<>,\s*&:]*\s+\**[A-Za-z_]\w*\s*\([^;]*$)/;

/**
 * Blocks of a source file: groups of lines separated by blank lines; a group whose first code line is
 * an unindented definition (function, class, def, fn…) is marked as a preferred chunk boundary.
 */
export function parseCode(text: string): Block[] {
  const lines = new LineMap(text);
  const out: Block[] = [];
  const re = /\n[ \t]*\n/g;
  let start = 0;
  const push = (end: number) => {
    const b = spanBlock(text, lines, 'code', start, end);
    if (!b) return;
    // keep the original indentation of the first line
    const lineStartOff = text.lastIndexOf('\n', b.charStart - 1) + 1;
    if (/^[ \t]*$/.test(text.slice(lineStartOff, b.charStart))) {
      b.text = text.slice(lineStartOff, b.charEnd);
      b.charStart = lineStartOff;
    }
    const firstCode = b.text.split('\n').find((l) => !/^\s*(\/\/|#|\/?\*|--|;)/.test(l)) ?? '';
    b.boundary = DEF.test(firstCode);
    out.push(b);
  };
  for (const m of text.matchAll(re)) {
    push(m.index!);
    start = m.index! + 1;
  }
  push(text.length);
  return out;
}
