// Format detection and dispatch: raw bytes of a source → title, extracted text and structural blocks.
import { basename, extname } from 'node:path';
import type { Block } from '../chunk.js';
import { parseHtml } from './html.js';
import { parseMarkdown } from './markdown.js';
import { parsePdf } from './pdf.js';
import { parseCode, parseText } from './text.js';

/** Document kinds the ingester understands. */
export type DocKind = 'txt' | 'md' | 'html' | 'pdf' | 'code';

/** A parsed document. */
export interface ParsedDoc {
  kind: DocKind;
  title?: string;
  blocks: Block[];
}

const KIND_BY_EXT: Record<string, DocKind> = {
  '.txt': 'txt',
  '.text': 'txt',
  '.log': 'txt',
  '.rst': 'txt',
  '.org': 'txt',
  '.csv': 'txt',
  '.tsv': 'txt',
  '.md': 'md',
  '.markdown': 'md',
  '.mdx': 'md',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.pdf': 'pdf',
};
const CODE_EXT =
  '.ts .tsx .mts .cts .js .jsx .mjs .cjs .py .go .rs .c .h .cc .cpp .hpp .cxx .java .kt .kts .scala .swift .rb .php .cs .fs .lua .sh .bash .zsh .ps1 .sql .r .jl .ex .exs .erl .hs .ml .clj .dart .zig .nim .vue .svelte .css .scss .yaml .yml .toml .json .ini .cfg .proto .graphql .tf .cmake .mk'.split(
    ' ',
  );
for (const e of CODE_EXT) KIND_BY_EXT[e] = 'code';

/** The kind of a file by its extension (Makefile/Dockerfile are code), or undefined when unsupported. */
export function detectKind(path: string): DocKind | undefined {
  const ext = extname(path).toLowerCase();
  if (KIND_BY_EXT[ext]) return KIND_BY_EXT[ext];
  if (/^(Makefile|Dockerfile|CMakeLists\.txt|README|LICENSE|CHANGELOG)$/i.test(basename(path)))
    return /^(Makefile|Dockerfile)$/i.test(basename(path)) ? 'code' : 'txt';
  return undefined;
}

/** Decodes UTF-8 text, refusing binary content (NUL bytes) and falling back to Latin-1 for invalid UTF-8. */
export function decodeText(bytes: Uint8Array, source: string): string {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) throw new Error(`${source}: looks binary (NUL byte in the first 8 KiB), not text`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('latin1').decode(bytes);
  }
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/** Parses a source's bytes as `kind`. Throws an Error naming the source on corrupt input. */
export async function parseSource(bytes: Uint8Array, source: string, kind: DocKind): Promise<ParsedDoc> {
  switch (kind) {
    case 'pdf': {
      try {
        const r = await parsePdf(bytes);
        return { kind, title: r.title, blocks: r.blocks };
      } catch (e) {
        throw new Error(`${source}: ${(e as Error).message}`);
      }
    }
    case 'html': {
      const r = parseHtml(decodeText(bytes, source), /^https?:/.test(source) ? source : undefined);
      return { kind, title: r.title, blocks: r.blocks };
    }
    case 'md': {
      const r = parseMarkdown(decodeText(bytes, source));
      return { kind, title: r.title, blocks: r.blocks };
    }
    case 'code':
      return { kind, title: basename(source), blocks: parseCode(decodeText(bytes, source)) };
    default:
      return { kind, title: basename(source), blocks: parseText(decodeText(bytes, source)) };
  }
}
