// Node file access for GGUF: read a header without reading the whole file, read whole files, write atomically.
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { GgufFile, type GgufHeader, GgufTruncatedError, parseGgufHeader } from './gguf-read.js';
import { type GgufToWrite, ggufChunks } from './gguf-write.js';

/** Reads `length` bytes at `position` from an open file, throwing if the file is shorter. */
export function readExactly(
  fd: number,
  position: number,
  length: number,
  path: string,
  into?: Uint8Array,
): Uint8Array {
  const buf = into ?? new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, Math.min(length - done, 1 << 30), position + done);
    if (n === 0) throw new Error(`${path}: unexpected end of file at offset ${position + done}`);
    done += n;
  }
  return buf;
}

/** Parses only the header of a GGUF file on disk, reading as few bytes as needed. */
export function readGgufHeader(path: string): { header: GgufHeader; fileSize: number } {
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    let want = Math.min(fileSize, 1 << 20);
    for (;;) {
      const bytes = readExactly(fd, 0, want, path);
      try {
        return { header: parseGgufHeader(bytes, { source: path, fileSize }), fileSize };
      } catch (e) {
        if (!(e instanceof GgufTruncatedError) || want >= fileSize) throw e;
        want = Math.min(fileSize, Math.max(want * 4, e.needed));
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads a whole GGUF file into memory (tensors become zero-copy views). For files under 2 GiB. */
export function readGgufFile(path: string): GgufFile {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const bytes = readExactly(fd, 0, size, path);
    return new GgufFile(parseGgufHeader(bytes, { source: path }), bytes, path);
  } finally {
    closeSync(fd);
  }
}

/** Writes a GGUF file atomically: to `path.tmp-PID`, then renamed, so a crash never leaves half a file. */
export function writeGgufFile(
  path: string,
  spec: GgufToWrite,
  onProgress?: (written: number) => void,
): number {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  let written = 0;
  try {
    for (const chunk of ggufChunks(spec)) {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      written += chunk.length;
      onProgress?.(written);
    }
    closeSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  renameSync(tmp, path);
  return written;
}
