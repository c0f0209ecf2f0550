// Per-shard dedup signature files (binary, little-endian u32) and their ids side file.
import { readFile, writeFile } from 'node:fs/promises';

/** Dedup kinds: exact (1 normalised-text key) or minhash (one 64-bit key per LSH band). */
export type DedupKind = 'exact' | 'minhash';

const MAGIC = 0x47534c50; // "PLSG"

/** Collects one shard's signature rows: `[localIndex, key words…]`. */
export class SignatureWriter {
  private rows: number[] = [];
  readonly ids: string[] = [];
  constructor(
    readonly kind: DedupKind,
    readonly width: number,
  ) {}
  /** Add the keys of the next document (`keys.length === width - 1`). */
  add(id: string, keys: ArrayLike<number>): void {
    if (keys.length !== this.width - 1)
      throw new Error(`signature: expected ${this.width - 1} key words, got ${keys.length}`);
    this.rows.push(this.ids.length);
    for (let i = 0; i < keys.length; i++) this.rows.push(keys[i] as number);
    this.ids.push(id);
  }
  /** Write `<path>` (binary) and `<path>.ids.json`. */
  async save(path: string): Promise<void> {
    const a = new Uint32Array(4 + this.rows.length);
    a.set([MAGIC, this.kind === 'exact' ? 0 : 1, this.width, this.ids.length]);
    a.set(this.rows, 4);
    await writeFile(path, new Uint8Array(a.buffer));
    await writeFile(`${path}.ids.json`, JSON.stringify(this.ids));
  }
}

/** A loaded signature file. */
export interface SignatureFile {
  kind: DedupKind;
  width: number;
  count: number;
  rows: Uint32Array;
  ids: string[];
}

/** Load a signature file written by SignatureWriter (errors name the file and the problem). */
export async function loadSignatures(path: string): Promise<SignatureFile> {
  const buf = await readFile(path);
  if (buf.byteLength < 16 || buf.byteLength % 4 !== 0)
    throw new Error(`${path}: not a signature file (size ${buf.byteLength})`);
  const a = new Uint32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  if (a[0] !== MAGIC)
    throw new Error(
      `${path}: bad magic 0x${(a[0] as number).toString(16)}, expected 0x${MAGIC.toString(16)}`,
    );
  const width = a[2] as number;
  const count = a[3] as number;
  if (a.length !== 4 + width * count)
    throw new Error(`${path}: expected ${count} rows of ${width} words, file has ${a.length - 4} words`);
  const ids = JSON.parse(await readFile(`${path}.ids.json`, 'utf8')) as string[];
  return { kind: a[1] === 0 ? 'exact' : 'minhash', width, count, rows: a.subarray(4), ids };
}
