// Training checkpoints: one binary file (JSON header + float32 weights + AdamW moments), written atomically.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TrainConfig } from './config.js';
import type { DataState } from './data.js';
import type { Arr } from './gemm.js';
import type { ParamTensor, TrainModelConfig } from './model.js';

const MAGIC = 'PLMCKPT1';

/** Everything but the float arrays. */
export interface CheckpointMeta {
  version: 1;
  model: TrainModelConfig;
  config: TrainConfig;
  /** Optimizer steps completed. */
  step: number;
  adamT: number;
  data: DataState;
  tensors: ParamTensor[];
  nParams: number;
  hasOptimizer: boolean;
}

/** A loaded checkpoint. */
export interface Checkpoint {
  meta: CheckpointMeta;
  params: Float32Array;
  m?: Float32Array;
  v?: Float32Array;
}

function writeAll(fd: number, b: Uint8Array): void {
  let o = 0;
  while (o < b.length) o += writeSync(fd, b, o, b.length - o);
}

function f32bytes(a: Arr): Uint8Array {
  const f = a instanceof Float32Array ? a : Float32Array.from(a);
  return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
}

/**
 * Writes a checkpoint to `path` atomically: a temporary file is written and fsynced, then renamed over
 * `path` and the directory fsynced, so a SIGKILL at any moment leaves either the old or the new file.
 */
export function writeCheckpoint(
  path: string,
  meta: CheckpointMeta,
  params: Arr,
  m?: Float32Array,
  v?: Float32Array,
): void {
  const json = new TextEncoder().encode(JSON.stringify(meta));
  const headLen = 12 + json.length;
  const pad = (16 - (headLen % 16)) % 16;
  const head = new Uint8Array(headLen + pad);
  head.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(head.buffer).setUint32(8, json.length, true);
  head.set(json, 12);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeAll(fd, head);
    // copy params in slices (they may live in a shared wasm memory)
    const CH = 1 << 20;
    for (let o = 0; o < params.length; o += CH)
      writeAll(fd, f32bytes(params.slice(o, Math.min(params.length, o + CH))));
    if (meta.hasOptimizer) {
      if (!m || !v) throw new Error('checkpoint: optimizer state missing');
      writeAll(fd, f32bytes(m));
      writeAll(fd, f32bytes(v));
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  try {
    const dfd = openSync(dirname(path), 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // directories cannot be fsynced on some platforms
  }
}

/** Reads a checkpoint; errors name the file and what is wrong. */
export function readCheckpoint(path: string): Checkpoint {
  const buf = readFileSync(path);
  if (buf.length < 12 || buf.subarray(0, 8).toString('latin1') !== MAGIC)
    throw new Error(`${path}: not a pocketlm checkpoint (magic ${MAGIC} missing)`);
  const jl = buf.readUInt32LE(8);
  if (12 + jl > buf.length)
    throw new Error(`${path}: truncated header (${jl} bytes of JSON announced, file is ${buf.length} bytes)`);
  const meta = JSON.parse(buf.subarray(12, 12 + jl).toString('utf8')) as CheckpointMeta;
  if (meta.version !== 1) throw new Error(`${path}: unsupported checkpoint version ${meta.version}`);
  let off = 12 + jl;
  off += (16 - (off % 16)) % 16;
  const n = meta.nParams;
  const need = off + n * 4 * (meta.hasOptimizer ? 3 : 1);
  if (buf.length < need) throw new Error(`${path}: truncated (${buf.length} bytes, expected ${need})`);
  const take = (o: number) => {
    const f = new Float32Array(n);
    new Uint8Array(f.buffer).set(buf.subarray(o, o + n * 4));
    return f;
  };
  const params = take(off);
  if (!meta.hasOptimizer) return { meta, params };
  return { meta, params, m: take(off + n * 4), v: take(off + 2 * n * 4) };
}
