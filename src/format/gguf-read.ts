// GGUF reader: header, typed metadata, tensor table; tensor data stays a view into the file bytes.
import { blockGeometry, type GgmlType, ggmlTypeName } from './ggml-types.js';

/** Metadata value types as numbered in GGUF. */
export enum GgufValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/**
 * A metadata value. Numeric arrays come back as typed arrays (u64/i64 arrays as BigUint64Array /
 * BigInt64Array); 64-bit scalars are numbers when they fit in a double exactly, else bigints.
 */
export type GgufValue =
  | number
  | bigint
  | boolean
  | string
  | GgufValue[]
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigUint64Array
  | BigInt64Array;

/** One metadata entry with the type it was stored as (needed to write it back unchanged). */
export interface GgufEntry {
  type: GgufValueType;
  /** For arrays: the element type (ARRAY for nested arrays). */
  itemType?: GgufValueType;
  value: GgufValue;
}

/** One row of the tensor table. `dims[0]` is ne0, the innermost (contiguous) dimension. */
export interface GgufTensorInfo {
  name: string;
  dims: number[];
  type: GgmlType;
  /** Offset of the data, relative to the start of the data section. */
  offset: number;
  /** Element count (product of dims). */
  nElements: number;
  /** Bytes of data. */
  nBytes: number;
}

/** A parsed GGUF header: everything but the tensor data. */
export interface GgufHeader {
  version: number;
  metadata: Map<string, GgufEntry>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute file offset where the data section starts. */
  dataOffset: number;
  /** Bytes the header occupies before padding. */
  headerBytes: number;
}

/** Thrown when the bytes end before the header does; `needed` is a lower bound on the bytes required. */
export class GgufTruncatedError extends Error {
  constructor(
    message: string,
    readonly needed: number,
  ) {
    super(message);
    this.name = 'GgufTruncatedError';
  }
}

/** Limits that reject absurd files before anything big is allocated. */
export interface GgufLimits {
  maxTensors: number;
  maxKv: number;
  maxStringBytes: number;
  maxDims: number;
  maxArrayDepth: number;
}

const DEFAULT_LIMITS: GgufLimits = {
  maxTensors: 1 << 20,
  maxKv: 1 << 20,
  maxStringBytes: 1 << 30,
  maxDims: 4,
  maxArrayDepth: 8,
};

const SCALAR_SIZE: Partial<Record<GgufValueType, number>> = {
  [GgufValueType.UINT8]: 1,
  [GgufValueType.INT8]: 1,
  [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT16]: 2,
  [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4,
  [GgufValueType.INT32]: 4,
  [GgufValueType.FLOAT32]: 4,
  [GgufValueType.UINT64]: 8,
  [GgufValueType.INT64]: 8,
  [GgufValueType.FLOAT64]: 8,
};

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Sequential little-endian reader over a byte array with bounds checks that name the field. */
class Cursor {
  pos = 0;
  private readonly view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly source: string,
    /** Total size of the underlying file (may exceed bytes.length when only a prefix was read). */
    private readonly fileSize: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  fail(what: string, at = this.pos): never {
    throw new Error(`${this.source}: ${what} (at offset ${at})`);
  }
  need(n: number, field: string): void {
    if (this.pos + n <= this.bytes.length) return;
    if (this.pos + n > this.fileSize) {
      this.fail(`file ends while reading ${field}: needs ${n} bytes, ${this.fileSize - this.pos} left`);
    }
    throw new GgufTruncatedError(`need more header bytes for ${field}`, this.pos + n);
  }
  u8(f: string) {
    this.need(1, f);
    return this.view.getUint8(this.pos++);
  }
  u32(f: string) {
    this.need(4, f);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(f: string): number {
    this.need(8, f);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${f} is absurdly large (${v})`, this.pos - 8);
    return Number(v);
  }
  count(f: string, version: number): number {
    return version === 1 ? this.u32(f) : this.u64(f);
  }
  str(f: string, version: number, maxBytes: number): string {
    const start = this.pos;
    const n = this.count(`${f} length`, version);
    if (n > maxBytes) this.fail(`${f} length ${n} exceeds the limit of ${maxBytes} bytes`, start);
    this.need(n, f);
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    try {
      return utf8.decode(b);
    } catch {
      return this.fail(`${f} is not valid UTF-8`, start);
    }
  }
  remaining(): number {
    return this.fileSize - this.pos;
  }
  scalar(type: GgufValueType, f: string): number | bigint | boolean {
    const size = SCALAR_SIZE[type];
    if (size === undefined) this.fail(`${f}: unknown value type ${type}`);
    this.need(size, f);
    const p = this.pos;
    this.pos += size;
    const v = this.view;
    switch (type) {
      case GgufValueType.UINT8:
        return v.getUint8(p);
      case GgufValueType.INT8:
        return v.getInt8(p);
      case GgufValueType.BOOL: {
        const b = v.getUint8(p);
        if (b > 1) this.fail(`${f}: bool must be 0 or 1, got ${b}`, p);
        return b === 1;
      }
      case GgufValueType.UINT16:
        return v.getUint16(p, true);
      case GgufValueType.INT16:
        return v.getInt16(p, true);
      case GgufValueType.UINT32:
        return v.getUint32(p, true);
      case GgufValueType.INT32:
        return v.getInt32(p, true);
      case GgufValueType.FLOAT32:
        return v.getFloat32(p, true);
      case GgufValueType.FLOAT64:
        return v.getFloat64(p, true);
      case GgufValueType.UINT64:
        return narrow(v.getBigUint64(p, true));
      default:
        return narrow(v.getBigInt64(p, true));
    }
  }
  /** Copies n scalars of a type into a fresh typed array (copy: the source may be unaligned). */
  typedArray(type: GgufValueType, n: number, f: string): GgufValue {
    const size = SCALAR_SIZE[type]!;
    this.need(n * size, f);
    const start = this.pos;
    const src = this.bytes.slice(this.pos, this.pos + n * size);
    this.pos += n * size;
    const buf = src.buffer;
    switch (type) {
      case GgufValueType.UINT8:
        return new Uint8Array(buf);
      case GgufValueType.INT8:
        return new Int8Array(buf);
      case GgufValueType.UINT16:
        return new Uint16Array(buf);
      case GgufValueType.INT16:
        return new Int16Array(buf);
      case GgufValueType.UINT32:
        return new Uint32Array(buf);
      case GgufValueType.INT32:
        return new Int32Array(buf);
      case GgufValueType.FLOAT32:
        return new Float32Array(buf);
      case GgufValueType.FLOAT64:
        return new Float64Array(buf);
      case GgufValueType.UINT64:
        return new BigUint64Array(buf);
      case GgufValueType.INT64:
        return new BigInt64Array(buf);
      default: {
        const out: boolean[] = [];
        for (let i = 0; i < n; i++) {
          if (src[i]! > 1) this.fail(`${f}[${i}]: bool must be 0 or 1, got ${src[i]}`, start + i);
          out.push(src[i] === 1);
        }
        return out as unknown as GgufValue;
      }
    }
  }
}

function narrow(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

function readValue(
  c: Cursor,
  type: GgufValueType,
  field: string,
  version: number,
  limits: GgufLimits,
  depth: number,
): GgufEntry {
  if (type === GgufValueType.STRING) {
    return { type, value: c.str(field, version, limits.maxStringBytes) };
  }
  if (type === GgufValueType.ARRAY) {
    if (depth >= limits.maxArrayDepth) c.fail(`${field}: arrays nested deeper than ${limits.maxArrayDepth}`);
    const itemType = c.u32(`${field} array item type`) as GgufValueType;
    const at = c.pos;
    const n = c.count(`${field} array length`, version);
    const countBytes = version === 1 ? 4 : 8;
    const minItem =
      itemType === GgufValueType.STRING
        ? countBytes
        : itemType === GgufValueType.ARRAY
          ? 4 + countBytes
          : SCALAR_SIZE[itemType];
    if (minItem === undefined) c.fail(`${field}: unknown array item type ${itemType}`, at - 4);
    if (n * minItem > c.remaining()) {
      c.fail(`${field}: array of ${n} items cannot fit in the ${c.remaining()} bytes left in the file`, at);
    }
    if (itemType === GgufValueType.STRING || itemType === GgufValueType.ARRAY) {
      const items: GgufValue[] = [];
      for (let i = 0; i < n; i++)
        items.push(readValue(c, itemType, `${field}[${i}]`, version, limits, depth + 1).value);
      return { type, itemType, value: items };
    }
    return { type, itemType, value: c.typedArray(itemType, n, field) };
  }
  if (SCALAR_SIZE[type] === undefined) c.fail(`${field}: unknown metadata value type ${type}`, c.pos - 4);
  return { type, value: c.scalar(type, field) as GgufValue };
}

/**
 * Parses a GGUF header from `bytes` (the whole file, or a prefix of it when `fileSize` says the file is
 * longer). Throws GgufTruncatedError when the prefix is too short, and a plain Error naming the field and
 * offset for anything malformed.
 */
export function parseGgufHeader(
  bytes: Uint8Array,
  opts: { source?: string; fileSize?: number; limits?: Partial<GgufLimits> } = {},
): GgufHeader {
  const source = opts.source ?? 'GGUF';
  const fileSize = opts.fileSize ?? bytes.length;
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const c: Cursor = new Cursor(bytes, source, fileSize);
  c.need(4, 'magic');
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (magic !== 'GGUF') {
    c.fail(`not a GGUF file: magic is ${JSON.stringify(magic)}, expected "GGUF"`, 0);
  }
  c.pos = 4;
  const version = c.u32('version');
  if (version < 1 || version > 3) c.fail(`unsupported GGUF version ${version} (supported: 1, 2, 3)`, 4);
  const countBytes = version === 1 ? 4 : 8;
  const nTensors = c.count('tensor count', version);
  if (nTensors > limits.maxTensors)
    c.fail(`tensor count ${nTensors} exceeds the limit of ${limits.maxTensors}`, 8);
  const kvAt = c.pos;
  const nKv = c.count('metadata count', version);
  if (nKv > limits.maxKv) c.fail(`metadata count ${nKv} exceeds the limit of ${limits.maxKv}`, kvAt);
  // Smallest encodings: a key/value pair is a key length, a type and a 1-byte value; a tensor info is a
  // name length, a dim count, one dim, a type and an offset. Reject counts the file cannot hold up front.
  const minKv = countBytes + 4 + 1;
  const minTensor = countBytes + 4 + countBytes + 4 + 8;
  if (nKv * minKv + nTensors * minTensor > c.remaining()) {
    c.fail(
      `metadata count ${nKv} and tensor count ${nTensors} cannot fit in the ${c.remaining()} bytes left in the file`,
      8,
    );
  }

  const metadata = new Map<string, GgufEntry>();
  for (let i = 0; i < nKv; i++) {
    const at = c.pos;
    const key = c.str(`metadata key #${i}`, version, 1 << 16);
    const type = c.u32(`type of metadata "${key}"`) as GgufValueType;
    if (metadata.has(key)) c.fail(`duplicate metadata key "${key}"`, at);
    metadata.set(key, readValue(c, type, `metadata "${key}"`, version, limits, 0));
  }

  const alignEntry = metadata.get('general.alignment');
  let alignment = 32;
  if (alignEntry !== undefined) {
    const a = alignEntry.value;
    if (typeof a !== 'number' || !Number.isInteger(a) || a <= 0 || a > 1 << 20 || (a & (a - 1)) !== 0) {
      c.fail(
        `general.alignment must be a power of two up to 2^20, got ${JSON.stringify(a, (_k, x) => (typeof x === 'bigint' ? String(x) : x))}`,
      );
    }
    alignment = a;
  }

  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < nTensors; i++) {
    const at = c.pos;
    const name = c.str(`tensor #${i} name`, version, 1 << 16);
    const nDims = c.u32(`tensor "${name}" dimension count`);
    if (nDims < 1 || nDims > limits.maxDims) {
      c.fail(`tensor "${name}" has ${nDims} dimensions (expected 1..${limits.maxDims})`, c.pos - 4);
    }
    const dims: number[] = [];
    let nElements = 1;
    for (let d = 0; d < nDims; d++) {
      const dim = c.count(`tensor "${name}" dim ${d}`, version);
      dims.push(dim);
      nElements *= dim;
      if (nElements > Number.MAX_SAFE_INTEGER) c.fail(`tensor "${name}" has absurd dimensions [${dims}]`);
    }
    const type = c.u32(`tensor "${name}" type`) as GgmlType;
    const geom = blockGeometry(type);
    if (!geom) c.fail(`tensor "${name}" has unknown tensor type ${type} (${ggmlTypeName(type)})`, c.pos - 4);
    if (dims[0]! % geom.blockSize !== 0) {
      c.fail(
        `tensor "${name}": ne0 = ${dims[0]} is not a multiple of ${ggmlTypeName(type)}'s block size ${geom.blockSize}`,
      );
    }
    const offset = c.u64(`tensor "${name}" offset`);
    if (offset % alignment !== 0) c.fail(`tensor "${name}" offset ${offset} is not aligned to ${alignment}`);
    if (names.has(name)) c.fail(`duplicate tensor name "${name}"`, at);
    names.add(name);
    const nBytes = (nElements / geom.blockSize) * geom.typeSize;
    tensors.push({ name, dims, type, offset, nElements, nBytes });
  }
  const headerBytes = c.pos;
  const dataOffset = Math.ceil(headerBytes / alignment) * alignment;
  for (const t of tensors) {
    const end = dataOffset + t.offset + t.nBytes;
    if (end > fileSize) {
      throw new Error(
        `${source}: tensor "${t.name}" data at offset ${dataOffset + t.offset} (${t.nBytes} bytes, up to ${end}) runs past the end of the file (${fileSize} bytes): file truncated?`,
      );
    }
  }
  const byOffset = [...tensors].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    const t = byOffset[i]!;
    if (prev.offset + prev.nBytes > t.offset) {
      throw new Error(
        `${source}: tensor "${t.name}" data (offset ${t.offset}) overlaps tensor "${prev.name}" (offset ${prev.offset}, ${prev.nBytes} bytes)`,
      );
    }
  }
  return { version, metadata, tensors, alignment, dataOffset, headerBytes };
}

/** A GGUF file held in memory: header plus zero-copy views of each tensor's bytes. */
export class GgufFile {
  readonly byName: Map<string, GgufTensorInfo>;
  constructor(
    readonly header: GgufHeader,
    /** The whole file's bytes, or undefined when only the header was read (large files). */
    readonly bytes: Uint8Array | undefined,
    readonly source: string,
  ) {
    this.byName = new Map(header.tensors.map((t) => [t.name, t]));
  }
  get metadata(): Map<string, GgufEntry> {
    return this.header.metadata;
  }
  get tensors(): GgufTensorInfo[] {
    return this.header.tensors;
  }
  /** The value of a metadata key, or undefined. */
  get(key: string): GgufValue | undefined {
    return this.header.metadata.get(key)?.value;
  }
  /** A view of a tensor's bytes (no copy). Throws naming the tensor if it is missing. */
  tensorBytes(name: string): Uint8Array {
    const t = this.byName.get(name);
    if (!t) throw new Error(`${this.source}: missing tensor "${name}"`);
    if (!this.bytes) throw new Error(`${this.source}: tensor data was not loaded`);
    const start = this.header.dataOffset + t.offset;
    return this.bytes.subarray(start, start + t.nBytes);
  }
}

/** Parses a GGUF file that is entirely in memory. */
export function parseGguf(bytes: Uint8Array, source = 'GGUF'): GgufFile {
  return new GgufFile(parseGgufHeader(bytes, { source }), bytes, source);
}

/** Typed metadata accessors that name the key and the expected type in their errors. */
export function metaNumber(file: GgufFile, key: string, fallback?: number): number {
  const v = file.get(key);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`${file.source}: missing metadata key "${key}"`);
  }
  if (typeof v !== 'number')
    throw new Error(`${file.source}: metadata "${key}" should be a number, got ${typeof v}`);
  return v;
}

export function metaString(file: GgufFile, key: string, fallback?: string): string {
  const v = file.get(key);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`${file.source}: missing metadata key "${key}"`);
  }
  if (typeof v !== 'string')
    throw new Error(`${file.source}: metadata "${key}" should be a string, got ${typeof v}`);
  return v;
}
