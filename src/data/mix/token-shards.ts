// Token shard files (pocketlm-tokens-v1): raw little-endian uint16/uint32 tokens, documents separated by eos_id.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** One token file entry of the manifest. */
export interface TokenFile {
  file: string;
  tokens: number;
}

/** The manifest.json the trainer in src/train reads (keep exactly this shape). */
export interface TokenManifest {
  format: 'pocketlm-tokens-v1';
  dtype: 'uint16' | 'uint32';
  vocab_size: number;
  eos_id: number;
  phases: { name: string; splits: { train: TokenFile[]; val: TokenFile[] } }[];
}

/** dtype for a vocabulary size: uint16 when every id fits (vocab_size ≤ 65535). */
export function dtypeFor(vocabSize: number): 'uint16' | 'uint32' {
  return vocabSize <= 65535 ? 'uint16' : 'uint32';
}

/** Writes `<prefix>-00000.bin`, `<prefix>-00001.bin`, … rolling over after `shardTokens` tokens. */
export class TokenShardWriter {
  readonly files: TokenFile[] = [];
  private fd = -1;
  private buf: Uint16Array | Uint32Array;
  private fill = 0;
  private inFile = 0;
  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    dtype: 'uint16' | 'uint32',
    private readonly vocabSize: number,
    private readonly eosId: number,
    private readonly shardTokens = 100_000_000,
  ) {
    this.buf = dtype === 'uint16' ? new Uint16Array(1 << 18) : new Uint32Array(1 << 18);
  }

  /** Append one document's tokens followed by eos_id (documents never straddle two files). */
  writeDoc(tokens: ArrayLike<number>): void {
    if (this.fd === -1 || (this.inFile > 0 && this.inFile + tokens.length + 1 > this.shardTokens))
      this.rollover();
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i] as number;
      if (!Number.isInteger(t) || t < 0 || t >= this.vocabSize) {
        throw new Error(`token shard ${this.prefix}: token id ${t} outside [0, ${this.vocabSize})`);
      }
      this.push(t);
    }
    this.push(this.eosId);
  }

  private push(t: number): void {
    if (this.fill === this.buf.length) this.flush();
    this.buf[this.fill++] = t;
    this.inFile++;
    (this.files[this.files.length - 1] as TokenFile).tokens++;
  }

  private flush(): void {
    if (this.fill === 0) return;
    // typed arrays are little-endian on every platform Node supports (x86, ARM)
    writeSync(this.fd, new Uint8Array(this.buf.buffer, 0, this.fill * this.buf.BYTES_PER_ELEMENT));
    this.fill = 0;
  }

  private rollover(): void {
    if (this.fd !== -1) {
      this.flush();
      closeSync(this.fd);
    }
    const file = `${this.prefix}-${String(this.files.length).padStart(5, '0')}.bin`;
    this.fd = openSync(join(this.dir, file), 'w');
    this.files.push({ file, tokens: 0 });
    this.inFile = 0;
  }

  /** Flush and close; returns the manifest entries. */
  close(): TokenFile[] {
    if (this.fd !== -1) {
      this.flush();
      closeSync(this.fd);
      this.fd = -1;
    }
    return this.files;
  }
}
