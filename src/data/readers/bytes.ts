// Byte/line streaming helpers for readers: open a file, decompress .gz (zlib) or .zst (fzstd), split into lines.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

/** Stream a file's decompressed bytes (by extension: .gz, .zst/.zstd, else raw). */
export async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (path.endsWith('.gz')) {
    yield* raw.pipe(createGunzip()) as AsyncIterable<Uint8Array>;
  } else if (path.endsWith('.zst') || path.endsWith('.zstd')) {
    const out: Uint8Array[] = [];
    const d = new Decompress((chunk) => {
      out.push(chunk);
    });
    for await (const c of raw as AsyncIterable<Buffer>) {
      d.push(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
      while (out.length) yield out.shift() as Uint8Array;
    }
    d.push(new Uint8Array(0), true);
    while (out.length) yield out.shift() as Uint8Array;
  } else {
    yield* raw as AsyncIterable<Uint8Array>;
  }
}

/** Split a byte stream into UTF-8 lines (without the newline). */
export async function* lines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const dec = new TextDecoder();
  let rest = '';
  for await (const c of chunks) {
    const s = rest + dec.decode(c, { stream: true });
    let start = 0;
    for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', start)) {
      yield s.slice(start, i);
      start = i + 1;
    }
    rest = s.slice(start);
  }
  rest += dec.decode();
  if (rest.length > 0) yield rest;
}
