// HTML extraction: the main article via @mozilla/readability over linkedom, then headings/paragraphs/code.
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import type { Block } from '../chunk.js';
import { LineMap } from './lines.js';

const BLOCK_TAGS = new Set(['P', 'LI', 'BLOCKQUOTE', 'DT', 'DD', 'FIGCAPTION', 'TR', 'CAPTION', 'ADDRESS']);
const SKIP_TAGS = new Set([
  'SCRIPT',
  'STYLE',
  'NOSCRIPT',
  'TEMPLATE',
  'SVG',
  'NAV',
  'FOOTER',
  'FORM',
  'BUTTON',
]);

interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}

/**
 * Extracts the readable text of an HTML page. Offsets and lines of the blocks index the returned
 * `text` (the extracted text, one block per paragraph), not the HTML source.
 */
export function parseHtml(html: string, url?: string): { title?: string; text: string; blocks: Block[] } {
  const { document } = parseHTML(html);
  let root: DomNode = document.body ?? document.documentElement;
  let title = document.title?.trim() || undefined;
  try {
    // Readability mutates the document; give it its own copy
    const { document: copy } = parseHTML(html);
    if (url) (copy as unknown as { documentURI?: string }).documentURI ??= url;
    const art = new Readability(copy as unknown as Document, { charThreshold: 200 }).parse();
    if (art?.content && (art.textContent?.trim().length ?? 0) > 200) {
      root = parseHTML(`<!doctype html><html><body>${art.content}</body></html>`).document
        .body as unknown as DomNode;
      title = art.title?.trim() || title;
    }
  } catch {
    // fall back to the whole body
  }
  const parts: { kind: Block['kind']; text: string; level?: number }[] = [];
  let inline = '';
  const flushInline = () => {
    const t = inline.replace(/\s+/g, ' ').trim();
    if (t) parts.push({ kind: 'para', text: t });
    inline = '';
  };
  const walk = (n: DomNode) => {
    if (n.nodeType === 3) {
      inline += n.textContent ?? '';
      return;
    }
    if (n.nodeType !== 1) return;
    const tag = n.nodeName.toUpperCase();
    if (SKIP_TAGS.has(tag)) return;
    const h = /^H([1-6])$/.exec(tag);
    if (h) {
      flushInline();
      const t = (n.textContent ?? '').replace(/\s+/g, ' ').trim();
      if (t) parts.push({ kind: 'heading', text: t, level: Number(h[1]) });
      return;
    }
    if (tag === 'PRE') {
      flushInline();
      const t = (n.textContent ?? '').replace(/\s+$/, '');
      if (t.trim()) parts.push({ kind: 'code', text: t });
      return;
    }
    if (BLOCK_TAGS.has(tag)) {
      flushInline();
      const hasBlockChild = Array.from(n.childNodes).some(
        (c) =>
          c.nodeType === 1 &&
          (BLOCK_TAGS.has(c.nodeName.toUpperCase()) || c.nodeName.toUpperCase() === 'PRE'),
      );
      if (hasBlockChild) for (const c of Array.from(n.childNodes)) walk(c);
      else {
        const sep = tag === 'TR' ? ' | ' : ' ';
        const t =
          tag === 'TR'
            ? Array.from(n.childNodes)
                .map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim())
                .filter(Boolean)
                .join(sep)
            : (n.textContent ?? '').replace(/\s+/g, ' ').trim();
        if (t) parts.push({ kind: 'para', text: tag === 'LI' ? `- ${t}` : t });
      }
      flushInline();
      return;
    }
    if (tag === 'BR') {
      inline += '\n';
      return;
    }
    const isInline =
      /^(A|SPAN|EM|STRONG|B|I|CODE|SMALL|SUB|SUP|MARK|ABBR|CITE|Q|TIME|U|S|KBD|VAR|IMG|LABEL)$/.test(tag);
    if (!isInline) flushInline();
    for (const c of Array.from(n.childNodes)) walk(c);
    if (!isInline) flushInline();
  };
  walk(root);
  flushInline();
  // prefer the article's first H1 when the page title is that heading plus site decoration
  const h1 =
    parts.find((p) => p.kind === 'heading' && p.level === 1)?.text ??
    (document.querySelector('h1')?.textContent ?? '').replace(/\s+/g, ' ').trim();
  if (h1 && (!title || (title !== h1 && title.includes(h1)))) title = h1;
  let text = '';
  const spans: { s: number; e: number }[] = [];
  for (const p of parts) {
    if (text) text += '\n\n';
    const s = text.length;
    text += p.kind === 'heading' ? `${'#'.repeat(p.level ?? 1)} ${p.text}` : p.text;
    spans.push({ s: p.kind === 'heading' ? s + (p.level ?? 1) + 1 : s, e: text.length });
  }
  const lines = new LineMap(text);
  const blocks: Block[] = parts.map((p, i) => ({
    kind: p.kind,
    text: p.text,
    level: p.level,
    charStart: spans[i]!.s,
    charEnd: spans[i]!.e,
    lineStart: lines.lineAt(spans[i]!.s),
    lineEnd: lines.lineAt(Math.max(spans[i]!.s, spans[i]!.e - 1)),
  }));
  return { title, text, blocks };
}
