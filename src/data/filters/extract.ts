// Extract stage (filter form): turns HTML documents into main text; non-HTML documents pass through unchanged.
import { type Document, type Filter, type FilterResult, settings } from '../document.js';
import { EXTRACT_DEFAULTS, extractHtml } from '../extract/html.js';

function looksLikeHtml(doc: Document): boolean {
  if (doc.metadata.format === 'html') return true;
  const head = doc.text.slice(0, 200).trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

/** Create the extract stage. Sets metadata.extract_method. Reason: extract_empty. */
export function extract(options?: unknown): Filter {
  const o = settings(EXTRACT_DEFAULTS, options, 'stage extract');
  return {
    name: 'extract',
    filter(doc: Document): FilterResult {
      if (!looksLikeHtml(doc)) return true;
      const r = extractHtml(doc.text, o);
      doc.text = r.text;
      doc.metadata.format = 'text';
      doc.metadata.extract_method = r.method;
      if (r.title) doc.metadata.title = r.title;
      return r.text.trim().length > 0 ? true : { reason: 'extract_empty' };
    },
  };
}
