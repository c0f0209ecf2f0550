// Parquet writer (hyparquet-writer): buffers a shard's documents, writes id/text/url/metadata(JSON) columns.
import { writeFile } from 'node:fs/promises';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Document } from '../document.js';
import type { DocWriter } from './index.js';

/** Open a Parquet writer at `path`; metadata is stored as a JSON string column. */
export function parquetWriter(path: string): DocWriter {
  const id: string[] = [];
  const text: string[] = [];
  const url: (string | null)[] = [];
  const meta: string[] = [];
  return {
    async write(d: Document) {
      id.push(d.id);
      text.push(d.text);
      url.push(d.url ?? null);
      meta.push(JSON.stringify(d.metadata));
    },
    async close() {
      const buf = parquetWriteBuffer({
        columnData: [
          { name: 'id', data: id, type: 'STRING' },
          { name: 'text', data: text, type: 'STRING' },
          { name: 'url', data: url, type: 'STRING', nullable: true },
          { name: 'metadata', data: meta, type: 'STRING' },
        ],
      });
      await writeFile(path, new Uint8Array(buf));
    },
  };
}
