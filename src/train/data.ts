// Token-shard loader (pocketlm-tokens-v1): deterministic seeded sampling of B×(T+1) windows, two-phase mixture.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from './rng.js';

/** One token file of a split. */
export interface ShardRef {
  file: string;
  tokens: number;
}

/** `manifest.json` of a token-shard directory (written by src/data). */
export interface TokenManifest {
  format: 'pocketlm-tokens-v1';
  dtype: 'uint16' | 'uint32';
  vocab_size: number;
  eos_id: number;
  phases: { name: string; splits: { train?: ShardRef[]; val?: ShardRef[] } }[];
}

/** Reads and validates `dir/manifest.json`; errors name the file and the field. */
export function loadManifest(dir: string): TokenManifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new Error(`${path}: token manifest not found`);
  let m: TokenManifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: invalid JSON (${(e as Error).message})`);
  }
  if (m.format !== 'pocketlm-tokens-v1')
    throw new Error(`${path}: format must be "pocketlm-tokens-v1", got ${JSON.stringify(m.format)}`);
  if (m.dtype !== 'uint16' && m.dtype !== 'uint32')
    throw new Error(`${path}: dtype must be uint16 or uint32, got ${JSON.stringify(m.dtype)}`);
  if (!Number.isInteger(m.vocab_size) || m.vocab_size <= 0)
    throw new Error(`${path}: vocab_size must be a positive integer, got ${m.vocab_size}`);
  if (!Array.isArray(m.phases) || m.phases.length === 0)
    throw new Error(`${path}: phases must be a non-empty array`);
  const width = m.dtype === 'uint16' ? 2 : 4;
  m.phases.forEach((p, i) => {
    if (!p || typeof p.splits !== 'object') throw new Error(`${path}: phases[${i}].splits missing`);
    for (const split of ['train', 'val'] as const) {
      const list = p.splits[split] ?? [];
      if (!Array.isArray(list)) throw new Error(`${path}: phases[${i}].splits.${split} must be an array`);
      list.forEach((s, j) => {
        const where = `${path}: phases[${i}].splits.${split}[${j}]`;
        if (typeof s.file !== 'string') throw new Error(`${where}.file must be a string`);
        if (!Number.isInteger(s.tokens) || s.tokens < 0)
          throw new Error(`${where}.tokens must be a non-negative integer`);
        const fp = join(dir, s.file);
        if (!existsSync(fp)) throw new Error(`${where}: file ${fp} not found`);
        const size = statSync(fp).size;
        if (size < s.tokens * width)
          throw new Error(
            `${where}: ${fp} holds ${size} bytes, expected ≥ ${s.tokens * width} (${s.tokens} ${m.dtype} tokens)`,
          );
      });
    }
  });
  return m;
}

/** A set of token files read window by window (positional reads; nothing held in memory). */
class TokenSet {
  private fds: number[] = [];
  /** Valid window starts per file (tokens − len + 1, clamped at 0) and their prefix sums. */
  private starts: number[] = [];
  private cum: number[] = [];
  readonly totalStarts: number;
  private buf: Uint8Array;
  constructor(
    dir: string,
    readonly shards: ShardRef[],
    readonly width: 2 | 4,
    readonly len: number,
    readonly vocab: number,
  ) {
    let c = 0;
    for (const s of shards) {
      this.fds.push(openSync(join(dir, s.file), 'r'));
      const n = Math.max(0, s.tokens - len + 1);
      this.starts.push(n);
      c += n;
      this.cum.push(c);
    }
    this.totalStarts = c;
    this.buf = new Uint8Array(len * width);
  }
  /** Reads the window with global start index g into out[o .. o+len). */
  read(g: number, out: Int32Array, o: number): void {
    let f = 0;
    while (this.cum[f] <= g) f++;
    const local = g - (this.cum[f] - this.starts[f]);
    const want = this.len * this.width;
    let got = 0;
    while (got < want) {
      const n = readSync(this.fds[f], this.buf, got, want - got, (local * this.width + got) as number);
      if (n <= 0) throw new Error(`${this.shards[f].file}: unexpected end of file at token ${local}`);
      got += n;
    }
    const dv = new DataView(this.buf.buffer, this.buf.byteOffset, want);
    for (let i = 0; i < this.len; i++) {
      const t = this.width === 2 ? dv.getUint16(i * 2, true) : dv.getUint32(i * 4, true);
      if (t >= this.vocab)
        throw new Error(
          `${this.shards[f].file}: token ${t} at index ${local + i} ≥ vocab_size ${this.vocab}`,
        );
      out[o + i] = t;
    }
  }
  close(): void {
    for (const fd of this.fds) closeSync(fd);
    this.fds = [];
  }
}

/** A batch: inputs and next-token targets, each B·T ids. */
export interface Batch {
  inputs: Int32Array;
  targets: Int32Array;
}

/** The loader's resumable position. */
export interface DataState {
  rng: number[];
  tokensSeen: number;
}

/** Options of the loader. */
export interface DataLoaderOptions {
  batch: number;
  seqLen: number;
  seed: number;
  /** Train tokens after which sampling switches from phase 1 to phase 2 (ignored with one phase). */
  phase2AtTokens: number;
}

/**
 * Samples B windows of T+1 tokens uniformly from the current phase's train split with a seeded RNG.
 * Phase 1 until `phase2AtTokens` tokens have been consumed, then phase 2 (if the manifest has one).
 */
export class DataLoader {
  readonly manifest: TokenManifest;
  private train: TokenSet[];
  private val: TokenSet | undefined;
  private rng: Rng;
  tokensSeen = 0;
  private win: Int32Array;
  constructor(
    readonly dir: string,
    readonly opts: DataLoaderOptions,
  ) {
    const m = loadManifest(dir);
    this.manifest = m;
    const width = m.dtype === 'uint16' ? 2 : 4;
    const len = opts.seqLen + 1;
    this.train = m.phases.map((p) => new TokenSet(dir, p.splits.train ?? [], width, len, m.vocab_size));
    this.train.forEach((t, i) => {
      if (t.totalStarts === 0 && (i === 0 || opts.phase2AtTokens > 0))
        throw new Error(
          `${dir}/manifest.json: phase ${m.phases[i].name} has no train file with ≥ ${len} tokens (seq_len + 1)`,
        );
    });
    const vals = m.phases.flatMap((p) => p.splits.val ?? []);
    const vs = new TokenSet(dir, vals, width, len, m.vocab_size);
    this.val = vs.totalStarts > 0 ? vs : undefined;
    this.rng = new Rng(opts.seed);
    this.win = new Int32Array(len);
  }

  /** Index of the phase the next batch comes from. */
  phase(): number {
    if (this.train.length < 2 || this.opts.phase2AtTokens <= 0) return 0;
    return this.tokensSeen >= this.opts.phase2AtTokens ? 1 : 0;
  }

  /** Samples the next training batch (advances the RNG and the token count). */
  next(): Batch {
    const set = this.train[this.phase()];
    const batch = this.emptyBatch();
    for (let b = 0; b < this.opts.batch; b++) {
      set.read(this.rng.int(set.totalStarts), this.win, 0);
      this.split(batch, b);
    }
    this.tokensSeen += this.opts.batch * this.opts.seqLen;
    return batch;
  }

  /** `n` fixed validation batches (same windows every call; from every phase's val split). */
  valBatches(n: number): Batch[] {
    const v = this.val;
    if (!v) return [];
    const r = new Rng(0x5eed);
    const out: Batch[] = [];
    for (let i = 0; i < n; i++) {
      const batch = this.emptyBatch();
      for (let b = 0; b < this.opts.batch; b++) {
        v.read(r.int(v.totalStarts), this.win, 0);
        this.split(batch, b);
      }
      out.push(batch);
    }
    return out;
  }

  state(): DataState {
    return { rng: this.rng.state(), tokensSeen: this.tokensSeen };
  }

  restore(s: DataState): void {
    this.rng = new Rng(s.rng);
    this.tokensSeen = s.tokensSeen;
  }

  close(): void {
    for (const t of this.train) t.close();
    this.val?.close();
  }

  private emptyBatch(): Batch {
    const n = this.opts.batch * this.opts.seqLen;
    return { inputs: new Int32Array(n), targets: new Int32Array(n) };
  }

  private split(batch: Batch, b: number): void {
    const T = this.opts.seqLen;
    batch.inputs.set(this.win.subarray(0, T), b * T);
    batch.targets.set(this.win.subarray(1, T + 1), b * T);
  }
}
