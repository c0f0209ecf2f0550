// Field mapping shared by readers: which record fields become Document id/text/url/metadata.
import type { Document } from '../document.js';

/** How raw records map onto Documents. `metadata` lists fields to keep (default: every other field). */
export interface FieldMap {
  text: string;
  id: string;
  url: string;
  metadata: string[] | null;
}

export const DEFAULT_FIELDS: FieldMap = { text: 'text', id: 'id', url: 'url', metadata: null };

/** Turn one record into a Document; `fallbackId` is used when the id field is absent. */
export function recordToDocument(
  rec: Record<string, unknown>,
  f: FieldMap,
  fallbackId: string,
  where: string,
): Document {
  const text = rec[f.text];
  if (typeof text !== 'string') {
    throw new Error(
      `${where}: field "${f.text}" must be a string, got ${text === undefined ? 'nothing' : typeof text}`,
    );
  }
  const idRaw = rec[f.id];
  const urlRaw = rec[f.url];
  let metadata: Record<string, unknown> = {};
  if (f.metadata) {
    for (const k of f.metadata) if (k in rec) metadata[k] = rec[k];
  } else {
    let m = rec.metadata;
    if (typeof m === 'string' && m.startsWith('{')) {
      try {
        m = JSON.parse(m); // Parquet files written by pocketlm store metadata as a JSON string column
      } catch {
        // keep as a plain string field
      }
    }
    if (m && typeof m === 'object' && !Array.isArray(m)) metadata = { ...(m as Record<string, unknown>) };
    else if (m !== undefined && m !== null) metadata.metadata = m;
    for (const k in rec) {
      if (k !== f.text && k !== f.id && k !== f.url && k !== 'metadata' && Object.hasOwn(rec, k))
        metadata[k] = rec[k];
    }
  }
  const doc: Document = {
    id: idRaw === undefined || idRaw === null ? fallbackId : String(idRaw),
    text,
    metadata,
  };
  if (typeof urlRaw === 'string') doc.url = urlRaw;
  return doc;
}
