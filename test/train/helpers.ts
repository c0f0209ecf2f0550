// Test helpers for the trainer: synthetic pocketlm-tokens-v1 shard directories.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/train/rng.js';

/**
 * Writes a two-phase token directory with a learnable pattern (phase 1: counting sequences mod `vocab`;
 * phase 2: counting by 2) and returns its path.
 */
export function writeTokenDir(
  dir: string,
  vocab = 64,
  tokens = 4000,
  dtype: 'uint16' | 'uint32' = 'uint16',
): string {
  mkdirSync(dir, { recursive: true });
  const r = new Rng(11);
  const make = (name: string, stepBy: number, n: number) => {
    const a = dtype === 'uint16' ? new Uint16Array(n) : new Uint32Array(n);
    let x = 0;
    for (let i = 0; i < n; i++) {
      if (r.next() < 0.05) x = r.int(vocab);
      a[i] = x;
      x = (x + stepBy) % vocab;
    }
    writeFileSync(join(dir, name), new Uint8Array(a.buffer));
    return { file: name, tokens: n };
  };
  const manifest = {
    format: 'pocketlm-tokens-v1',
    dtype,
    vocab_size: vocab,
    eos_id: 0,
    phases: [
      {
        name: 'phase1',
        splits: { train: [make('p1-train.bin', 1, tokens)], val: [make('p1-val.bin', 1, 600)] },
      },
      { name: 'phase2', splits: { train: [make('p2-train.bin', 2, tokens)], val: [] } },
    ],
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}
