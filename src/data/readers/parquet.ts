// Parquet reader (hyparquet): reads one row group at a time and maps columns to Documents.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import type { Document } from '../document.js';
import { type FieldMap, recordToDocument } from './fields.js';

/** Read Documents from a Parquet file. */
export async function* readParquet(path: string, fields: FieldMap): AsyncGenerator<Document> {
  const buf = await readFile(path);
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  let metadata: ReturnType<typeof parquetMetadata>;
  try {
    metadata = parquetMetadata(file);
  } catch (e) {
    throw new Error(`${path}: not a readable Parquet file (${(e as Error).message})`);
  }
  const base = basename(path);
  let row = 0;
  for (const rg of metadata.row_groups) {
    const n = Number(rg.num_rows);
    const rows = await parquetReadObjects({ file, metadata, rowStart: row, rowEnd: row + n });
    for (const r of rows) {
      yield recordToDocument(r as Record<string, unknown>, fields, `${base}/${row}`, `${path}: row ${row}`);
      row++;
    }
  }
}
