// JSONL reader: one JSON object per line, plain, .gz or .zst.
import { basename } from 'node:path';
import type { Document } from '../document.js';
import { fileChunks, lines } from './bytes.js';
import { type FieldMap, recordToDocument } from './fields.js';

/** Read Documents from a JSONL file; bad lines raise an Error naming file and line. */
export async function* readJsonl(path: string, fields: FieldMap): AsyncGenerator<Document> {
  const base = basename(path);
  let lineNo = 0;
  let idx = 0;
  for await (const line of lines(fileChunks(path))) {
    lineNo++;
    if (line.trim() === '') continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      throw new Error(`${path}:${lineNo}: invalid JSON (${(e as Error).message})`);
    }
    if (!rec || typeof rec !== 'object' || Array.isArray(rec))
      throw new Error(`${path}:${lineNo}: expected a JSON object`);
    yield recordToDocument(rec as Record<string, unknown>, fields, `${base}/${idx++}`, `${path}:${lineNo}`);
  }
}
