// WARC / .warc.gz reader: parses WARC records by hand and yields HTML HTTP responses as Documents (raw HTML text).
import { basename } from 'node:path';
import type { Document } from '../document.js';
import { fileChunks } from './bytes.js';

/** One parsed WARC record: header fields (lower-cased names) and the raw block. */
export interface WarcRecord {
  headers: Record<string, string>;
  block: Uint8Array;
}

function indexOfSeq(buf: Uint8Array, seq: number[], from: number): number {
  outer: for (let i = from; i <= buf.length - seq.length; i++) {
    for (let j = 0; j < seq.length; j++) if (buf[i + j] !== seq[j]) continue outer;
    return i;
  }
  return -1;
}

const CRLFCRLF = [13, 10, 13, 10];
const latin1 = new TextDecoder('latin1');

/** Parse WARC records from a byte stream (handles per-record or whole-file gzip via the chunk source). */
export async function* parseWarc(
  chunks: AsyncIterable<Uint8Array>,
  where: string,
): AsyncGenerator<WarcRecord> {
  let buf = new Uint8Array(0);
  let offset = 0; // bytes consumed before buf[0], for error messages
  const append = (c: Uint8Array) => {
    const n = new Uint8Array(buf.length + c.length);
    n.set(buf);
    n.set(c, buf.length);
    buf = n;
  };
  const it = chunks[Symbol.asyncIterator]();
  let ended = false;
  const more = async () => {
    const r = await it.next();
    if (r.done) ended = true;
    else append(r.value);
  };
  for (;;) {
    // skip blank lines between records
    let p = 0;
    while (p < buf.length && (buf[p] === 13 || buf[p] === 10)) p++;
    if (p > 0) {
      buf = buf.subarray(p);
      offset += p;
    }
    let h = indexOfSeq(buf, CRLFCRLF, 0);
    while (h === -1 && !ended) {
      await more();
      h = indexOfSeq(buf, CRLFCRLF, 0);
    }
    if (h === -1) {
      if (buf.length > 0 && latin1.decode(buf).trim() !== '')
        throw new Error(`${where}: truncated WARC header at byte ${offset}`);
      return;
    }
    const head = latin1.decode(buf.subarray(0, h)).split('\r\n');
    const version = head[0] ?? '';
    if (!version.startsWith('WARC/'))
      throw new Error(
        `${where}: expected "WARC/" at byte ${offset}, got ${JSON.stringify(version.slice(0, 20))}`,
      );
    const headers: Record<string, string> = {};
    for (const l of head.slice(1)) {
      const c = l.indexOf(':');
      if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
    }
    const len = Number(headers['content-length']);
    if (!Number.isFinite(len) || len < 0)
      throw new Error(
        `${where}: WARC record at byte ${offset} has bad Content-Length ${headers['content-length']}`,
      );
    const start = h + 4;
    while (buf.length < start + len && !ended) await more();
    if (buf.length < start + len)
      throw new Error(`${where}: WARC record at byte ${offset} truncated (need ${len} bytes)`);
    yield { headers, block: buf.slice(start, start + len) };
    buf = buf.subarray(start + len);
    offset += start + len;
  }
}

function charsetOf(contentType: string): string {
  const m = /charset=["']?([\w-]+)/i.exec(contentType);
  return m ? (m[1] as string).toLowerCase() : 'utf-8';
}

/** Read HTML responses from a .warc / .warc.gz file; `metadata.format = "html"` marks text for the extract stage. */
export async function* readWarc(path: string): AsyncGenerator<Document> {
  const base = basename(path);
  let n = 0;
  for await (const rec of parseWarc(fileChunks(path), path)) {
    if (rec.headers['warc-type'] !== 'response') continue;
    const block = rec.block;
    const sep = indexOfSeq(block, CRLFCRLF, 0);
    if (sep === -1) continue;
    const httpHead = latin1.decode(block.subarray(0, sep)).split('\r\n');
    const status = /^HTTP\/[\d.]+\s+(\d+)/.exec(httpHead[0] ?? '');
    const ctLine = httpHead.find((l) => l.toLowerCase().startsWith('content-type:')) ?? '';
    const ct = ctLine.slice(13).trim();
    if (!ct.toLowerCase().includes('html')) continue;
    let html: string;
    try {
      html = new TextDecoder(charsetOf(ct)).decode(block.subarray(sep + 4));
    } catch {
      html = new TextDecoder('utf-8').decode(block.subarray(sep + 4));
    }
    const id = rec.headers['warc-record-id']?.replace(/^<|>$/g, '') ?? `${base}/${n}`;
    n++;
    const doc: Document = {
      id,
      text: html,
      metadata: {
        format: 'html',
        status: status ? Number(status[1]) : null,
        date: rec.headers['warc-date'] ?? null,
      },
    };
    const url = rec.headers['warc-target-uri'];
    if (url) doc.url = url;
    yield doc;
  }
}
