// GGUF v3 writer: typed metadata and tensors, streamed chunk by chunk so multi-GB files never sit in memory.
import { blockGeometry, type GgmlType, ggmlTypeName } from './ggml-types.js';
import { type GgufEntry, type GgufValue, GgufValueType } from './gguf-read.js';

/** A tensor to write: its bytes, or a function that produces them when the writer reaches it. */
export interface GgufTensorToWrite {
  name: string;
  /** ne0 first (the contiguous dimension). */
  dims: number[];
  type: GgmlType;
  data: Uint8Array | (() => Uint8Array);
}

/** What to write. Metadata entries carry explicit types (llama.cpp checks them strictly). */
export interface GgufToWrite {
  metadata: Map<string, GgufEntry> | [string, GgufEntry][];
  tensors: GgufTensorToWrite[];
  alignment?: number;
}

/** Entry helpers so call sites read like the types llama.cpp expects. */
export const gv = {
  u32: (value: number): GgufEntry => ({ type: GgufValueType.UINT32, value }),
  i32: (value: number): GgufEntry => ({ type: GgufValueType.INT32, value }),
  f32: (value: number): GgufEntry => ({ type: GgufValueType.FLOAT32, value }),
  bool: (value: boolean): GgufEntry => ({ type: GgufValueType.BOOL, value }),
  str: (value: string): GgufEntry => ({ type: GgufValueType.STRING, value }),
  strings: (value: string[]): GgufEntry => ({
    type: GgufValueType.ARRAY,
    itemType: GgufValueType.STRING,
    value,
  }),
  f32s: (value: ArrayLike<number>): GgufEntry => ({
    type: GgufValueType.ARRAY,
    itemType: GgufValueType.FLOAT32,
    value: Float32Array.from(value),
  }),
  i32s: (value: ArrayLike<number>): GgufEntry => ({
    type: GgufValueType.ARRAY,
    itemType: GgufValueType.INT32,
    value: Int32Array.from(value),
  }),
};

const enc = new TextEncoder();

/** Growable little-endian byte builder for the header. */
class Bytes {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  len = 0;
  private ensure(n: number) {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
    this.view = new DataView(nb.buffer);
  }
  u8(v: number) {
    this.ensure(1);
    this.view.setUint8(this.len, v);
    this.len += 1;
  }
  u32(v: number) {
    this.ensure(4);
    this.view.setUint32(this.len, v, true);
    this.len += 4;
  }
  u64(v: number | bigint) {
    this.ensure(8);
    this.view.setBigUint64(this.len, BigInt(v), true);
    this.len += 8;
  }
  raw(b: Uint8Array) {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  str(s: string) {
    const b = enc.encode(s);
    this.u64(b.length);
    this.raw(b);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function writeScalar(out: Bytes, type: GgufValueType, v: GgufValue, key: string) {
  const num = (): number => {
    if (typeof v !== 'number') throw new Error(`metadata "${key}": expected a number, got ${typeof v}`);
    return v;
  };
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  switch (type) {
    case GgufValueType.UINT8:
      return out.u8(num());
    case GgufValueType.INT8:
      dv.setInt8(0, num());
      return out.raw(b.subarray(0, 1));
    case GgufValueType.BOOL:
      return out.u8(v ? 1 : 0);
    case GgufValueType.UINT16:
      dv.setUint16(0, num(), true);
      return out.raw(b.subarray(0, 2));
    case GgufValueType.INT16:
      dv.setInt16(0, num(), true);
      return out.raw(b.subarray(0, 2));
    case GgufValueType.UINT32:
      return out.u32(num());
    case GgufValueType.INT32:
      dv.setInt32(0, num(), true);
      return out.raw(b.subarray(0, 4));
    case GgufValueType.FLOAT32:
      dv.setFloat32(0, num(), true);
      return out.raw(b.subarray(0, 4));
    case GgufValueType.FLOAT64:
      dv.setFloat64(0, num(), true);
      return out.raw(b);
    case GgufValueType.UINT64:
      dv.setBigUint64(0, BigInt(v as number | bigint), true);
      return out.raw(b);
    case GgufValueType.INT64:
      dv.setBigInt64(0, BigInt(v as number | bigint), true);
      return out.raw(b);
    case GgufValueType.STRING:
      if (typeof v !== 'string') throw new Error(`metadata "${key}": expected a string`);
      return out.str(v);
    default:
      throw new Error(`metadata "${key}": cannot write value type ${type}`);
  }
}

function writeEntry(out: Bytes, e: GgufEntry, key: string) {
  if (e.type !== GgufValueType.ARRAY) return writeScalar(out, e.type, e.value, key);
  const itemType = e.itemType;
  if (itemType === undefined) throw new Error(`metadata "${key}": array without itemType`);
  const items = e.value as ArrayLike<GgufValue>;
  out.u32(itemType);
  out.u64(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (itemType === GgufValueType.ARRAY) {
      // Nested arrays: each item is itself an array whose element type we infer from its JS form.
      writeEntry(out, inferArrayEntry(item, `${key}[${i}]`), `${key}[${i}]`);
    } else writeScalar(out, itemType, item, key);
  }
}

function inferArrayEntry(v: GgufValue, key: string): GgufEntry {
  if (v instanceof Float32Array)
    return { type: GgufValueType.ARRAY, itemType: GgufValueType.FLOAT32, value: v };
  if (v instanceof Int32Array) return { type: GgufValueType.ARRAY, itemType: GgufValueType.INT32, value: v };
  if (v instanceof Uint32Array)
    return { type: GgufValueType.ARRAY, itemType: GgufValueType.UINT32, value: v };
  if (v instanceof Uint8Array) return { type: GgufValueType.ARRAY, itemType: GgufValueType.UINT8, value: v };
  if (v instanceof Int8Array) return { type: GgufValueType.ARRAY, itemType: GgufValueType.INT8, value: v };
  if (v instanceof Uint16Array)
    return { type: GgufValueType.ARRAY, itemType: GgufValueType.UINT16, value: v };
  if (v instanceof Int16Array) return { type: GgufValueType.ARRAY, itemType: GgufValueType.INT16, value: v };
  if (v instanceof Float64Array)
    return { type: GgufValueType.ARRAY, itemType: GgufValueType.FLOAT64, value: v };
  if (v instanceof BigUint64Array)
    return { type: GgufValueType.ARRAY, itemType: GgufValueType.UINT64, value: v };
  if (v instanceof BigInt64Array)
    return { type: GgufValueType.ARRAY, itemType: GgufValueType.INT64, value: v };
  if (Array.isArray(v)) {
    const first = v[0];
    const itemType =
      typeof first === 'string'
        ? GgufValueType.STRING
        : Array.isArray(first) || ArrayBuffer.isView(first)
          ? GgufValueType.ARRAY
          : typeof first === 'boolean'
            ? GgufValueType.BOOL
            : GgufValueType.FLOAT32;
    return { type: GgufValueType.ARRAY, itemType, value: v };
  }
  throw new Error(`metadata "${key}": nested array item is not an array`);
}

/** Layout of a file to be written: header bytes and the data offset of each tensor. */
export interface GgufLayout {
  header: Uint8Array;
  /** Header length padded to the alignment: where tensor data starts. */
  dataOffset: number;
  offsets: number[];
  nBytes: number[];
  totalBytes: number;
}

/** Computes the header bytes and tensor placement; validates tensor shapes and types. */
export function layoutGguf(spec: GgufToWrite): GgufLayout {
  const alignment = spec.alignment ?? 32;
  const meta = spec.metadata instanceof Map ? [...spec.metadata] : spec.metadata;
  if (alignment !== 32 && !meta.some(([k]) => k === 'general.alignment')) {
    meta.push(['general.alignment', { type: GgufValueType.UINT32, value: alignment }]);
  }
  const out = new Bytes();
  out.raw(enc.encode('GGUF'));
  out.u32(3);
  out.u64(spec.tensors.length);
  out.u64(meta.length);
  for (const [key, e] of meta) {
    out.str(key);
    out.u32(e.type);
    writeEntry(out, e, key);
  }
  const offsets: number[] = [];
  const nBytes: number[] = [];
  let off = 0;
  for (const t of spec.tensors) {
    const g = blockGeometry(t.type);
    if (!g) throw new Error(`tensor "${t.name}": unknown type ${t.type}`);
    if (t.dims[0]! % g.blockSize !== 0) {
      throw new Error(
        `tensor "${t.name}": ne0 ${t.dims[0]} is not a multiple of ${ggmlTypeName(t.type)} block ${g.blockSize}`,
      );
    }
    const n = t.dims.reduce((a, b) => a * b, 1);
    const bytes = (n / g.blockSize) * g.typeSize;
    out.str(t.name);
    out.u32(t.dims.length);
    for (const d of t.dims) out.u64(d);
    out.u32(t.type);
    out.u64(off);
    offsets.push(off);
    nBytes.push(bytes);
    off += Math.ceil(bytes / alignment) * alignment;
  }
  const header = out.result();
  const dataOffset = Math.ceil(header.length / alignment) * alignment;
  return { header, dataOffset, offsets, nBytes, totalBytes: dataOffset + off };
}

/**
 * Yields the file's bytes in order (header, padding, each tensor's data, padding). Tensor data given
 * as a function is produced only when reached, so a caller streaming to disk holds one tensor at a time.
 */
export function* ggufChunks(spec: GgufToWrite): Generator<Uint8Array> {
  const layout = layoutGguf(spec);
  const alignment = spec.alignment ?? 32;
  yield layout.header;
  if (layout.dataOffset > layout.header.length)
    yield new Uint8Array(layout.dataOffset - layout.header.length);
  for (let i = 0; i < spec.tensors.length; i++) {
    const t = spec.tensors[i]!;
    const data = typeof t.data === 'function' ? t.data() : t.data;
    if (data.length !== layout.nBytes[i]) {
      throw new Error(
        `tensor "${t.name}": data has ${data.length} bytes, shape [${t.dims}] of ${ggmlTypeName(t.type)} needs ${layout.nBytes[i]}`,
      );
    }
    yield data;
    const pad = Math.ceil(data.length / alignment) * alignment - data.length;
    if (pad > 0) yield new Uint8Array(pad);
  }
}

/** Serializes a whole GGUF file into one byte array (small files: tests, tokenizers). */
export function writeGguf(spec: GgufToWrite): Uint8Array {
  const chunks = [...ggufChunks(spec)];
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const out = new Uint8Array(total);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}
