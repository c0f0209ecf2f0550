// HTML → main text: @mozilla/readability over a linkedom DOM, rendered as markdown-ish text; plain-text fallback.
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { EXTRACT_DEFAULTS, type ExtractOptions } from './defaults.js';

export { EXTRACT_DEFAULTS, type ExtractOptions };

const BLOCK = new Set([
  'P',
  'DIV',
  'SECTION',
  'ARTICLE',
  'MAIN',
  'HEADER',
  'FOOTER',
  'ASIDE',
  'NAV',
  'BLOCKQUOTE',
  'TABLE',
  'TR',
  'UL',
  'OL',
  'DL',
  'DT',
  'DD',
  'FIGURE',
  'FIGCAPTION',
  'FORM',
  'HR',
  'BR',
  'ADDRESS',
  'DETAILS',
  'SUMMARY',
]);
const SKIP = new Set([
  'SCRIPT',
  'STYLE',
  'NOSCRIPT',
  'TEMPLATE',
  'SVG',
  'IFRAME',
  'BUTTON',
  'SELECT',
  'INPUT',
  'TEXTAREA',
]);

interface NodeLike {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<NodeLike>;
}

/** Render a DOM subtree as markdown-ish text: `#` headings, `- ` list items, fenced `pre`, blank lines between blocks. */
export function renderText(root: NodeLike): string {
  const out: string[] = [];
  const walk = (n: NodeLike, listDepth: number): void => {
    if (n.nodeType === 3) {
      out.push((n.textContent ?? '').replace(/\s+/g, ' '));
      return;
    }
    if (n.nodeType !== 1 && n.nodeType !== 9 && n.nodeType !== 11) return;
    const tag = n.nodeName.toUpperCase();
    if (SKIP.has(tag)) return;
    const h = /^H([1-6])$/.exec(tag);
    if (h) {
      out.push(`\n\n${'#'.repeat(Number(h[1]))} ${(n.textContent ?? '').replace(/\s+/g, ' ').trim()}\n\n`);
      return;
    }
    if (tag === 'PRE') {
      out.push(`\n\n\`\`\`\n${(n.textContent ?? '').replace(/\n+$/, '')}\n\`\`\`\n\n`);
      return;
    }
    if (tag === 'LI') {
      out.push(`\n${'  '.repeat(Math.max(0, listDepth - 1))}- `);
      for (const c of Array.from(n.childNodes)) walk(c, listDepth);
      return;
    }
    if (tag === 'CODE') {
      out.push(`\`${(n.textContent ?? '').trim()}\``);
      return;
    }
    const isList = tag === 'UL' || tag === 'OL';
    const block = BLOCK.has(tag) || tag === 'TD' || tag === 'TH';
    if (block) out.push(tag === 'TD' || tag === 'TH' ? ' ' : '\n\n');
    for (const c of Array.from(n.childNodes)) walk(c, isList ? listDepth + 1 : listDepth);
    if (block && tag !== 'TD' && tag !== 'TH') out.push('\n\n');
  };
  walk(root, 0);
  return out
    .join('')
    .split('\n')
    .map((l) =>
      l
        .replace(/[ \t]+/g, ' ')
        .replace(/^ (?!\s*- )/, '')
        .trimEnd(),
    )
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Plain-text fallback: drop script/style/nav boilerplate tags, render the body. */
export function fallbackExtract(html: string): string {
  const { document } = parseHTML(html);
  for (const sel of ['script', 'style', 'noscript', 'nav', 'header', 'footer', 'aside', 'form']) {
    for (const el of Array.from(document.querySelectorAll(sel))) el.remove();
  }
  const body = (document.body ?? document.documentElement) as unknown as NodeLike | null;
  return body ? renderText(body) : '';
}

/** Extract the main text of an HTML page. Returns the text and which method produced it. */
export function extractHtml(
  html: string,
  opts: ExtractOptions = EXTRACT_DEFAULTS,
): { text: string; method: string; title?: string } {
  if (!opts.fallback_only) {
    const t0 = performance.now();
    try {
      const { document } = parseHTML(html);
      // linkedom does not count getElementsByTagName('*'), so enforce Readability's element budget here
      if (document.querySelectorAll('*').length > opts.max_elements)
        return { text: fallbackExtract(html), method: 'fallback_too_large' };
      const art = new Readability(document as unknown as Document, {
        maxElemsToParse: opts.max_elements,
        charThreshold: 200,
      }).parse();
      const elapsed = performance.now() - t0;
      if (art?.content && elapsed <= opts.timeout_ms) {
        const { document: d2 } = parseHTML(`<!doctype html><html><body>${art.content}</body></html>`);
        const text = renderText(d2.body as unknown as NodeLike);
        if (text.length > 0) {
          const title = art.title?.trim();
          const withTitle = title && !text.startsWith(`# ${title}`) ? `# ${title}\n\n${text}` : text;
          return { text: withTitle, method: 'readability', ...(title ? { title } : {}) };
        }
      }
      if (elapsed > opts.timeout_ms) return { text: fallbackExtract(html), method: 'fallback_timeout' };
    } catch {
      // element budget exceeded or malformed page: fall through to the plain-text fallback
    }
  }
  return { text: fallbackExtract(html), method: 'fallback' };
}
