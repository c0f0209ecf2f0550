// JSONL writer: one Document per line, plain, gzip or zstd (deterministic: gzip mtime is 0, zstd frames per 1 MiB block).

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Document } from '../document.js';
import type { DocWriter } from './index.js';

/** Compression of a JSONL file. */
export type JsonlCompression = 'none' | 'gzip' | 'zstd';

/** zstd level of `.jsonl.zst` output (zstd's default). */
export const ZSTD_LEVEL = 3;

/** Serialise a Document as one JSON line (fixed key order: id, text, url, metadata). */
export function documentToJson(d: Document): string {
  // the same text as JSON.stringify({id, text, url?, metadata}), without building the object
  if (
    typeof d.id !== 'string' ||
    typeof d.text !== 'string' ||
    typeof d.metadata !== 'object' ||
    !d.metadata
  ) {
    const o: Record<string, unknown> = { id: d.id, text: d.text };
    if (d.url !== undefined) o.url = d.url;
    o.metadata = d.metadata;
    return JSON.stringify(o);
  }
  const url = d.url === undefined ? '' : `,"url":${JSON.stringify(d.url)}`;
  return `{"id":${JSON.stringify(d.id)},"text":${JSON.stringify(d.text)}${url},"metadata":${JSON.stringify(d.metadata)}}`;
}

/** Compression implied by a file name (`.gz` → gzip, `.zst`/`.zstd` → zstd, else none). */
export function compressionOf(path: string): JsonlCompression {
  if (path.endsWith('.gz')) return 'gzip';
  if (path.endsWith('.zst') || path.endsWith('.zstd')) return 'zstd';
  return 'none';
}

type ZstdLib = { compress(data: Uint8Array, level?: number): Uint8Array };
let zstdLib: Promise<ZstdLib> | undefined;

/** The WASM zstd compressor (@hpcc-js/wasm-zstd), loaded once per thread on first use. */
export function loadZstd(): Promise<ZstdLib> {
  zstdLib ??= import('@hpcc-js/wasm-zstd').then((m) => m.Zstd.load());
  return zstdLib;
}

/**
 * Compress `data` as one independent zstd frame. A `.zst` file written here is a sequence of such frames
 * (one per ~1 MiB block), which every zstd decoder reads as the concatenation of the blocks. One-shot frames
 * keep no streaming state, so any number of writers can be open at once in one thread.
 */
export async function zstdFrame(data: Uint8Array, level = ZSTD_LEVEL): Promise<Uint8Array> {
  return (await loadZstd()).compress(data, level);
}

/**
 * Open a JSONL writer at `path`. `compression` defaults to what the file name implies; pass it when writing to
 * a temporary name (`part-0.jsonl.zst.tmp`). `true`/`false` are accepted for gzip/none (older call sites).
 */
export function jsonlWriter(
  path: string,
  compression: JsonlCompression | boolean = compressionOf(path),
): DocWriter {
  const mode: JsonlCompression = compression === true ? 'gzip' : compression === false ? 'none' : compression;
  const file = createWriteStream(path);
  const gz = mode === 'gzip' ? createGzip({ level: 6 }) : null;
  if (gz) gz.pipe(file);
  const sink: Writable = gz ?? file;
  let buf: string[] = [];
  let size = 0;
  let failed: Error | null = null;
  let frames = 0;
  file.on('error', (e) => {
    failed = e;
  });
  const push = async (chunk: string | Uint8Array) => {
    if (failed) throw failed;
    if (!sink.write(chunk)) await once(sink, 'drain');
  };
  const flush = async () => {
    if (buf.length === 0) return;
    const text = buf.join('');
    buf = [];
    size = 0;
    if (mode === 'zstd') frames++;
    await push(mode === 'zstd' ? await zstdFrame(Buffer.from(text, 'utf8')) : text);
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
      if (mode === 'zstd' && frames === 0) await push(await zstdFrame(new Uint8Array(0))); // valid empty file
      sink.end();
      if (!file.closed) await once(file, 'close');
      if (failed) throw failed;
    },
  };
}
