// Safetensors reader/writer: validated header (dtype, shape, data_offsets), zero-copy views, sharded checkpoints.
import { closeSync, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GgmlType } from './ggml-types.js';
import { readExactly } from './gguf-node.js';

/** Element types this project loads. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

/** Byte sizes of every dtype the safetensors format defines (used to validate sizes before rejecting). */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

const SUPPORTED: ReadonlySet<string> = new Set(['F32', 'F16', 'BF16']);

/** Largest JSON header accepted (the reference implementation's limit is 100 MB). */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

/** One tensor of a safetensors file. `shape` is outermost-first as in PyTorch. */
export interface SafetensorsTensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute file offsets of the data: [start, end). */
  start: number;
  end: number;
}

/** A parsed safetensors header. */
export interface SafetensorsHeader {
  /** `__metadata__` (string → string), empty when absent. */
  metadata: Record<string, string>;
  tensors: SafetensorsTensorInfo[];
  /** Absolute offset of the data section (8 + header length). */
  dataOffset: number;
}

/** Thrown by parseSafetensorsHeader when `bytes` is a prefix too short to hold the header. */
export class SafetensorsTruncatedError extends Error {
  constructor(
    message: string,
    readonly needed: number,
  ) {
    super(message);
    this.name = 'SafetensorsTruncatedError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses and validates a safetensors header from `bytes` (the whole file, or a prefix when `fileSize`
 * gives the real size). Checks: header length sane and in the file, JSON object, dtype known and supported,
 * shape of non-negative integers, data_offsets in bounds, sized as shape × dtype, non-overlapping.
 */
export function parseSafetensorsHeader(
  bytes: Uint8Array,
  opts: { source?: string; fileSize?: number } = {},
): SafetensorsHeader {
  const source = opts.source ?? 'safetensors';
  const fileSize = opts.fileSize ?? bytes.length;
  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };
  if (fileSize < 8) fail(`file is ${fileSize} bytes, too short for the 8-byte header length (at offset 0)`);
  if (bytes.length < 8) throw new SafetensorsTruncatedError('need the header length', 8);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(SAFETENSORS_MAX_HEADER)) {
    fail(`header length ${n64} (at offset 0) exceeds the limit of ${SAFETENSORS_MAX_HEADER} bytes`);
  }
  const n = Number(n64);
  if (n < 2) fail(`header length ${n} (at offset 0) is too small for a JSON object`);
  if (8 + n > fileSize) {
    fail(
      `header length ${n} (at offset 0) runs past the end of the file (${fileSize} bytes): file truncated?`,
    );
  }
  if (bytes.length < 8 + n) throw new SafetensorsTruncatedError('need the whole JSON header', 8 + n);
  let text: string;
  try {
    text = utf8.decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail(`JSON header (offset 8, ${n} bytes) is not valid UTF-8`);
  }
  if (text[0] !== '{') fail(`JSON header (at offset 8) must start with "{", got ${JSON.stringify(text[0])}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`JSON header (offset 8, ${n} bytes) does not parse: ${(e as Error).message}`);
  }
  if (!isPlainObject(json)) return fail('JSON header (at offset 8) is not an object');
  const dataOffset = 8 + n;
  const dataLen = fileSize - dataOffset;
  const metadata: Record<string, string> = {};
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, entry] of Object.entries(json)) {
    const where = `tensor "${name}" in the JSON header (at offset 8)`;
    if (name === '__metadata__') {
      if (!isPlainObject(entry)) fail(`__metadata__ in the JSON header (at offset 8) must be an object`);
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string')
          fail(`__metadata__["${k}"] (at offset 8) must be a string, got ${typeof v}`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (!isPlainObject(entry)) return fail(`${where} must be an object`);
    const { dtype, shape, data_offsets: offs } = entry;
    if (typeof dtype !== 'string')
      return fail(`${where}: dtype must be a string, got ${JSON.stringify(dtype)}`);
    const size = DTYPE_BYTES[dtype];
    if (!Object.hasOwn(DTYPE_BYTES, dtype) || size === undefined) {
      return fail(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
    }
    if (!SUPPORTED.has(dtype)) {
      return fail(`${where}: dtype ${dtype} is not supported (supported: F32, F16, BF16)`);
    }
    if (!Array.isArray(shape) || shape.length > 8) {
      return fail(`${where}: shape must be an array of at most 8 dimensions, got ${JSON.stringify(shape)}`);
    }
    let count = 1;
    for (const d of shape) {
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
        return fail(`${where}: shape ${JSON.stringify(shape)} must hold non-negative integers`);
      }
      count *= d;
      if (count > Number.MAX_SAFE_INTEGER)
        return fail(`${where}: shape ${JSON.stringify(shape)} is absurdly large`);
    }
    if (
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      !offs.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
    ) {
      return fail(`${where}: data_offsets must be two non-negative integers, got ${JSON.stringify(offs)}`);
    }
    const [b, e] = offs as [number, number];
    if (b > e) fail(`${where}: data_offsets [${b}, ${e}] has begin after end`);
    if (e > dataLen) {
      fail(
        `${where}: data_offsets [${b}, ${e}] runs past the end of the data (${dataLen} bytes at offset ${dataOffset}): file truncated?`,
      );
    }
    if (e - b !== count * size) {
      fail(
        `${where}: data_offsets [${b}, ${e}] hold ${e - b} bytes but shape ${JSON.stringify(shape)} of ${dtype} needs ${count * size}`,
      );
    }
    tensors.push({
      name,
      dtype: dtype as SafetensorsDtype,
      shape: shape as number[],
      start: dataOffset + b,
      end: dataOffset + e,
    });
  }
  const sorted = [...tensors].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const p = sorted[i - 1]!;
    const t = sorted[i]!;
    if (t.start < p.end) {
      fail(
        `tensor "${t.name}" data_offsets [${t.start - dataOffset}, ${t.end - dataOffset}] overlap tensor "${p.name}" [${p.start - dataOffset}, ${p.end - dataOffset}]`,
      );
    }
  }
  return { metadata, tensors, dataOffset };
}

/** A safetensors file: header plus tensor bytes (zero-copy views of the file when it was read whole). */
export class SafetensorsFile {
  readonly byName: Map<string, SafetensorsTensorInfo>;
  constructor(
    readonly header: SafetensorsHeader,
    private readonly read: (t: SafetensorsTensorInfo) => Uint8Array,
    readonly source: string,
  ) {
    this.byName = new Map(header.tensors.map((t) => [t.name, t]));
  }
  get tensors(): SafetensorsTensorInfo[] {
    return this.header.tensors;
  }
  /** The bytes of a tensor (a view when the file is in memory). Throws naming the tensor if missing. */
  tensorBytes(name: string): Uint8Array {
    const t = this.byName.get(name);
    if (!t) throw new Error(`${this.source}: missing tensor "${name}"`);
    return this.read(t);
  }
}

/** Parses a safetensors file held in memory; tensor bytes are views into `bytes`. */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors'): SafetensorsFile {
  const header = parseSafetensorsHeader(bytes, { source });
  return new SafetensorsFile(header, (t) => bytes.subarray(t.start, t.end), source);
}

/**
 * Opens a safetensors file on disk. Only the header is read now; each tensor is read on request into its own
 * buffer, so multi-GB shards never need one contiguous allocation.
 */
export function openSafetensorsFile(path: string): SafetensorsFile {
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    let want = Math.min(fileSize, 1 << 16);
    let header: SafetensorsHeader;
    for (;;) {
      try {
        header = parseSafetensorsHeader(readExactly(fd, 0, want, path), { source: path, fileSize });
        break;
      } catch (e) {
        if (!(e instanceof SafetensorsTruncatedError)) throw e;
        want = Math.min(fileSize, e.needed);
      }
    }
    return new SafetensorsFile(
      header,
      (t) => {
        const f = openSync(path, 'r');
        try {
          return readExactly(f, t.start, t.end - t.start, path);
        } finally {
          closeSync(f);
        }
      },
      path,
    );
  } finally {
    closeSync(fd);
  }
}

/** Reads a whole safetensors file into memory (views into one buffer; for files well under 2 GiB). */
export function readSafetensorsFile(path: string): SafetensorsFile {
  return parseSafetensors(new Uint8Array(readFileSync(path)), path);
}

/** The ggml type with the same element layout as a safetensors dtype. */
export function ggmlTypeOfDtype(dtype: SafetensorsDtype): GgmlType {
  return dtype === 'F32' ? GgmlType.F32 : dtype === 'F16' ? GgmlType.F16 : GgmlType.BF16;
}

/** A tensor to write with writeSafetensors. */
export interface SafetensorsTensorToWrite {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  data: Uint8Array;
}

/** Serializes tensors into a safetensors file (header padded with spaces to 8 bytes, data in order). */
export function writeSafetensors(
  tensors: SafetensorsTensorToWrite[],
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let off = 0;
  for (const t of tensors) {
    const need = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype]!;
    if (need !== t.data.length) {
      throw new Error(
        `tensor "${t.name}": ${t.data.length} bytes given, shape [${t.shape}] of ${t.dtype} needs ${need}`,
      );
    }
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.data.length] };
    off += t.data.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const t of tensors) {
    out.set(t.data, p);
    p += t.data.length;
  }
  return out;
}

/** One tensor of a (possibly sharded) checkpoint, with the shard it lives in. */
export interface CheckpointTensor {
  info: SafetensorsTensorInfo;
  file: SafetensorsFile;
}

/** All tensors of a checkpoint directory, by their Hugging Face names. */
export interface SafetensorsCheckpoint {
  tensors: Map<string, CheckpointTensor>;
  /** The shard files, in the order they were opened. */
  files: SafetensorsFile[];
}

/**
 * Opens the safetensors weights of a model directory: `model.safetensors`, or the shards listed in
 * `model.safetensors.index.json` (`weight_map`: tensor name → shard file). Every mapped tensor must be in
 * the shard named for it, and no tensor may appear in two shards.
 */
export function openSafetensorsCheckpoint(dir: string): SafetensorsCheckpoint {
  const single = join(dir, 'model.safetensors');
  const indexPath = join(dir, 'model.safetensors.index.json');
  const tensors = new Map<string, CheckpointTensor>();
  const files: SafetensorsFile[] = [];
  if (!existsSync(indexPath)) {
    if (!existsSync(single)) {
      throw new Error(`${dir}: no model.safetensors or model.safetensors.index.json in the directory`);
    }
    const f = openSafetensorsFile(single);
    files.push(f);
    for (const info of f.tensors) tensors.set(info.name, { info, file: f });
    return { tensors, files };
  }
  let index: unknown;
  try {
    index = JSON.parse(readFileSync(indexPath, 'utf8'));
  } catch (e) {
    throw new Error(`${indexPath}: cannot parse: ${(e as Error).message}`);
  }
  const weightMap = isPlainObject(index) ? index.weight_map : undefined;
  if (!isPlainObject(weightMap)) throw new Error(`${indexPath}: "weight_map" must be an object`);
  const shards = new Map<string, SafetensorsFile>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || shard !== basename(shard) || shard === '..' || shard === '.') {
      throw new Error(
        `${indexPath}: weight_map["${name}"] must be a file name in the directory, got ${JSON.stringify(shard)}`,
      );
    }
    let f = shards.get(shard);
    if (!f) {
      const p = join(dir, shard);
      if (!existsSync(p))
        throw new Error(`${indexPath}: shard "${shard}" (for tensor "${name}") does not exist`);
      f = openSafetensorsFile(p);
      shards.set(shard, f);
      files.push(f);
    }
    const info = f.byName.get(name);
    if (!info)
      throw new Error(
        `${indexPath}: tensor "${name}" is mapped to "${shard}" but that shard does not contain it`,
      );
    tensors.set(name, { info, file: f });
  }
  for (const f of files) {
    for (const t of f.tensors) {
      const owner = tensors.get(t.name);
      if (!owner) throw new Error(`${f.source}: tensor "${t.name}" is not listed in ${indexPath}`);
      if (owner.file !== f)
        throw new Error(`${f.source}: tensor "${t.name}" also appears in ${owner.file.source}`);
    }
  }
  return { tensors, files };
}
