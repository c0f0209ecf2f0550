// JSONL writer: one Document per line, optionally gzip-compressed (deterministic: gzip mtime is 0).

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Document } from '../document.js';
import type { DocWriter } from './index.js';

/** Serialise a Document as one JSON line (fixed key order: id, text, url, metadata). */
export function documentToJson(d: Document): string {
  const o: Record<string, unknown> = { id: d.id, text: d.text };
  if (d.url !== undefined) o.url = d.url;
  o.metadata = d.metadata;
  return JSON.stringify(o);
}

/** Open a JSONL writer at `path`; `gzip` defaults to "path ends with .gz" (pass it when writing to a temp name). */
export function jsonlWriter(path: string, gzip = path.endsWith('.gz')): DocWriter {
  const file = createWriteStream(path);
  const gz = gzip ? createGzip({ level: 6 }) : null;
  if (gz) gz.pipe(file);
  const sink: Writable = gz ?? file;
  let buf: string[] = [];
  let size = 0;
  const flush = async () => {
    if (buf.length === 0) return;
    const ok = sink.write(buf.join(''));
    buf = [];
    size = 0;
    if (!ok) await once(sink, 'drain');
  };
  return {
    async write(d) {
      const line = `${documentToJson(d)}\n`;
      buf.push(line);
      size += line.length;
      if (size > 1 << 20) await flush();
    },
    async close() {
      await flush();
      sink.end();
      await once(file, 'close');
    },
  };
}
