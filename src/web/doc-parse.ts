// Document parsing for the browser page: the Node knowledge base's parsers (src/rag/ingest) on dropped files' bytes.
import type { Block } from '../rag/chunk.js';
import { type DocKind, detectKind, parseSource } from '../rag/ingest/index.js';

/** A dropped file, parsed into structural blocks (PDF blocks carry their page). */
export interface ParsedFile {
  name: string;
  kind: DocKind;
  title?: string;
  blocks: Block[];
}

/** Page → document worker. */
export interface DocParseRequest {
  id: number;
  name: string;
  /** The File's MIME type ("" when the browser does not know it). */
  type: string;
  bytes: ArrayBuffer;
}

/** Document worker → page. */
export type DocParseReply =
  | { id: number; ok: true; doc: ParsedFile }
  | { id: number; ok: false; message: string };

const isPdf = (b: Uint8Array) =>
  b.length >= 5 && b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46 && b[4] === 0x2d;

const KIND_BY_MIME: Record<string, DocKind> = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'md',
  'text/x-markdown': 'md',
};

/**
 * The kind of a dropped file: by extension (the same table as the Node ingester), else a PDF by its
 * `%PDF-` magic, else by the browser's MIME type (HTML, Markdown, any other `text/*` as plain text);
 * undefined when unsupported.
 */
export function kindOfFile(name: string, type: string, bytes: Uint8Array): DocKind | undefined {
  const k = detectKind(name);
  if (k) return k;
  if (isPdf(bytes)) return 'pdf';
  const mime = type.split(';')[0]!.trim().toLowerCase();
  return KIND_BY_MIME[mime] ?? (mime.startsWith('text/') ? 'txt' : undefined);
}

/**
 * Parses a dropped file with the ingester's parser for its kind. Throws an Error whose message starts
 * with the file name for an unsupported type, a corrupt file, or one with no text.
 */
export async function parseDocumentFile(name: string, type: string, bytes: Uint8Array): Promise<ParsedFile> {
  const kind = kindOfFile(name, type, bytes);
  if (!kind) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 ? name.slice(dot) : 'no extension';
    throw new Error(
      `${name}: unsupported file type (${ext}${type ? `, ${type}` : ''}); drop text, Markdown, HTML, PDF or source code`,
    );
  }
  const r = await parseSource(bytes, name, kind);
  if (!r.blocks.some((b) => b.kind !== 'heading' && b.text.trim())) {
    throw new Error(
      `${name}: no text found${kind === 'pdf' ? ' (a scanned PDF without a text layer?)' : ''}`,
    );
  }
  return { name, kind, title: r.title, blocks: r.blocks };
}
