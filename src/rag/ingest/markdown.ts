// Markdown extraction: front matter title, ATX/setext headings, fenced code kept whole, paragraphs.
import type { Block } from '../chunk.js';
import { LineMap, spanBlock } from './lines.js';

/** Parsed markdown: title (front matter `title:` or first H1) and blocks with offsets into the file. */
export function parseMarkdown(text: string): { title?: string; blocks: Block[] } {
  const lines = new LineMap(text);
  const blocks: Block[] = [];
  let title: string | undefined;
  // split into lines with offsets
  const ls: { s: number; e: number; t: string }[] = [];
  for (const m of text.matchAll(/[^\n]*(?:\n|$)/g)) {
    if (m[0].length === 0 && m.index === text.length) break;
    ls.push({ s: m.index!, e: m.index! + m[0].length, t: m[0].replace(/\r?\n$/, '') });
  }
  let i = 0;
  if (ls[0]?.t === '---') {
    const end = ls.findIndex((l, j) => j > 0 && (l.t === '---' || l.t === '...'));
    if (end > 0) {
      for (let j = 1; j < end; j++) {
        const m = /^title:\s*["']?(.*?)["']?\s*$/.exec(ls[j]!.t);
        if (m) title = m[1];
      }
      i = end + 1;
    }
  }
  let para: { s: number; e: number } | null = null;
  const flush = () => {
    if (para) {
      const b = spanBlock(text, lines, 'para', para.s, para.e);
      if (b) blocks.push(b);
    }
    para = null;
  };
  for (; i < ls.length; i++) {
    const l = ls[i]!;
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(l.t);
    if (fence) {
      flush();
      const close = new RegExp(`^ {0,3}${fence[1]![0]}{${fence[1]!.length},}\\s*$`);
      let j = i + 1;
      while (j < ls.length && !close.test(ls[j]!.t)) j++;
      const end = j < ls.length ? ls[j]!.e : ls[ls.length - 1]!.e;
      const b = spanBlock(text, lines, 'code', l.s, end);
      if (b) blocks.push(b);
      i = j;
      continue;
    }
    const atx = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(l.t);
    if (atx) {
      flush();
      const b = spanBlock(text, lines, 'heading', l.s, l.e, { level: atx[1]!.length });
      if (b) {
        b.text = atx[2]!;
        blocks.push(b);
        if (!title && atx[1]!.length === 1) title = atx[2];
      }
      continue;
    }
    const next = ls[i + 1];
    if (
      para === null &&
      l.t.trim() &&
      next &&
      /^ {0,3}(=+|-+)\s*$/.test(next.t) &&
      !/^\s*[-*+]\s/.test(l.t)
    ) {
      const level = next.t.trim()[0] === '=' ? 1 : 2;
      const b = spanBlock(text, lines, 'heading', l.s, next.e, { level });
      if (b) {
        b.text = l.t.trim();
        blocks.push(b);
        if (!title && level === 1) title = b.text;
      }
      i++;
      continue;
    }
    if (!l.t.trim()) {
      flush();
      continue;
    }
    if (para) para.e = l.e;
    else para = { s: l.s, e: l.e };
  }
  flush();
  return { title, blocks };
}
