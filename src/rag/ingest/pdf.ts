// PDF text extraction with unpdf (PDF.js serverless build, pure JS): one set of paragraphs per page.
import type { Block } from '../chunk.js';
import { LineMap, paragraphs } from './lines.js';

/** Extracts per-page text; blocks carry their page, offsets index the pages joined with "\f\n". */
export async function parsePdf(
  bytes: Uint8Array,
): Promise<{ title?: string; text: string; blocks: Block[] }> {
  const { extractText, getDocumentProxy } = await import('unpdf');
  let pages: string[];
  let title: string | undefined;
  try {
    const pdf = await getDocumentProxy(new Uint8Array(bytes));
    try {
      const meta = await pdf.getMetadata().catch(() => null);
      const t = (meta?.info as { Title?: unknown } | undefined)?.Title;
      if (typeof t === 'string' && t.trim()) title = t.trim();
      pages = (await extractText(pdf, { mergePages: false })).text;
    } finally {
      await pdf.destroy();
    }
  } catch (e) {
    throw new Error(`PDF could not be parsed: ${(e as Error).message}`);
  }
  let text = '';
  const blocks: Block[] = [];
  const offsets: number[] = [];
  pages.forEach((p, i) => {
    if (i > 0) text += '\f\n';
    offsets.push(text.length);
    text += p;
  });
  const lines = new LineMap(text);
  pages.forEach((p, i) => {
    const local = paragraphs(p, new LineMap(p), 0, { page: i + 1 });
    for (const b of local) {
      b.charStart += offsets[i]!;
      b.charEnd += offsets[i]!;
      b.lineStart = lines.lineAt(b.charStart);
      b.lineEnd = lines.lineAt(Math.max(b.charStart, b.charEnd - 1));
      blocks.push(b);
    }
  });
  return { title, text, blocks };
}
