// Fuzz and hostile-input tests for the GGUF reader: truncation, byte flips, absurd counts, bad types, v1/v2/v3.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgmlType } from '../../src/format/ggml-types.js';
import { GgufTruncatedError, GgufValueType, parseGguf, parseGgufHeader } from '../../src/format/gguf-read.js';
import { type GgufToWrite, gv, writeGguf } from '../../src/format/gguf-write.js';
import { mulberry32 as rng } from '../../src/util/prng.js';

const T = GgufValueType;

function sampleSpec(alignment: number): GgufToWrite {
  const f32 = new Uint8Array(new Float32Array([1, -2, 3.5, 0, 5, 6, 7, 8]).buffer);
  return {
    alignment,
    metadata: [
      ['general.architecture', gv.str('phi3')],
      ['v.u8', { type: T.UINT8, value: 200 }],
      ['v.i8', { type: T.INT8, value: -100 }],
      ['v.u16', { type: T.UINT16, value: 60000 }],
      ['v.i16', { type: T.INT16, value: -30000 }],
      ['v.u32', gv.u32(4000000000)],
      ['v.i32', gv.i32(-2000000000)],
      ['v.f32', gv.f32(0.25)],
      ['v.bool', gv.bool(false)],
      ['v.str', gv.str('ünïcödé ▁ <|end|>')],
      ['v.u64.small', { type: T.UINT64, value: 12345 }],
      ['v.u64.big', { type: T.UINT64, value: 2n ** 63n + 5n }],
      ['v.i64', { type: T.INT64, value: -(2n ** 62n) }],
      ['v.f64', { type: T.FLOAT64, value: Math.PI }],
      ['a.u8', { type: T.ARRAY, itemType: T.UINT8, value: Uint8Array.of(1, 2, 255) }],
      ['a.i8', { type: T.ARRAY, itemType: T.INT8, value: Int8Array.of(-1, 2) }],
      ['a.u16', { type: T.ARRAY, itemType: T.UINT16, value: Uint16Array.of(1, 65535) }],
      ['a.i16', { type: T.ARRAY, itemType: T.INT16, value: Int16Array.of(-5) }],
      ['a.u32', { type: T.ARRAY, itemType: T.UINT32, value: Uint32Array.of(7, 8, 9) }],
      ['a.i32', gv.i32s([1, -1, 3])],
      ['a.f32', gv.f32s([0.5, 1.5])],
      ['a.f64', { type: T.ARRAY, itemType: T.FLOAT64, value: Float64Array.of(1e300) }],
      ['a.u64', { type: T.ARRAY, itemType: T.UINT64, value: BigUint64Array.of(2n ** 64n - 1n, 3n) }],
      ['a.i64', { type: T.ARRAY, itemType: T.INT64, value: BigInt64Array.of(-(2n ** 63n), 4n) }],
      ['a.bool', { type: T.ARRAY, itemType: T.BOOL, value: [true, false, true] }],
      ['a.str', gv.strings(['', 'a', '<0x0A>', '▁the'])],
      ['a.empty', gv.strings([])],
      [
        'a.nested',
        {
          type: T.ARRAY,
          itemType: T.ARRAY,
          value: [['x', 'yy'], Float32Array.of(1, 2), [[Int32Array.of(5)]], BigInt64Array.of(-7n)],
        },
      ],
    ],
    tensors: [
      { name: 'a.weight', dims: [8], type: GgmlType.F32, data: f32 },
      { name: 'b.weight', dims: [3, 2], type: GgmlType.F16, data: new Uint8Array(12).fill(0x3c) },
      { name: 'q.weight', dims: [32, 2], type: GgmlType.Q4_0, data: new Uint8Array(36).fill(0x11) },
      { name: 'q8.weight', dims: [64, 1, 1], type: GgmlType.Q8_0, data: new Uint8Array(68).fill(7) },
      { name: 'z.weight', dims: [1], type: GgmlType.F32, data: new Uint8Array(4) },
    ],
  };
}

const SAMPLE32 = writeGguf(sampleSpec(32));
const SAMPLE64 = writeGguf(sampleSpec(64));

/** Parses and returns the Error thrown, asserting it is a clear, non-crash error. */
function expectClearError(bytes: Uint8Array, what: string, pattern?: RegExp): Error {
  const t0 = performance.now();
  let err: unknown;
  try {
    parseGguf(bytes, 'test.gguf');
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t0;
  assert.ok(ms < 1000, `${what}: parse took ${ms.toFixed(1)} ms`);
  assert.ok(err instanceof Error, `${what}: expected an Error, got ${String(err)}`);
  assert.ok(
    !(err instanceof TypeError) && !(err instanceof RangeError),
    `${what}: crashed with ${err.name}: ${err.message}`,
  );
  assert.match(err.message, /^test\.gguf: /, `${what}: message lacks the source: ${err.message}`);
  assert.match(err.message, /offset \d+/, `${what}: message lacks an offset: ${err.message}`);
  if (pattern) assert.match(err.message, pattern, `${what}: ${err.message}`);
  return err;
}

/** Checks the invariants every successfully parsed file must satisfy. */
function checkParsed(bytes: Uint8Array): void {
  const f = parseGguf(bytes, 'test.gguf');
  assert.equal(f.header.dataOffset % f.header.alignment, 0);
  assert.ok(f.header.dataOffset <= bytes.length, 'data offset past the end');
  for (const t of f.tensors) {
    const v = f.tensorBytes(t.name);
    assert.equal(v.length, t.nBytes);
    assert.ok(f.header.dataOffset + t.offset + t.nBytes <= bytes.length, `${t.name} out of bounds`);
  }
}

function heapNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Minimal raw GGUF writer for hand-made (possibly invalid) headers; counts are u32 in v1, u64 after. */
class Raw {
  parts: number[] = [];
  constructor(readonly version = 3) {}
  u8(...v: number[]) {
    this.parts.push(...v);
    return this;
  }
  u32(v: number) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    return this.u8(...b);
  }
  u64(v: number | bigint) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    return this.u8(...b);
  }
  f32(v: number) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    return this.u8(...b);
  }
  count(v: number | bigint) {
    return this.version === 1 ? this.u32(Number(v)) : this.u64(v);
  }
  str(s: string | Uint8Array) {
    const b = typeof s === 'string' ? new TextEncoder().encode(s) : s;
    this.count(b.length);
    return this.u8(...b);
  }
  header(nTensors: number | bigint, nKv: number | bigint) {
    this.u8(0x47, 0x47, 0x55, 0x46).u32(this.version);
    return this.count(nTensors).count(nKv);
  }
  pad(to = 32, extra = 0) {
    while (this.parts.length % to !== 0) this.u8(0);
    for (let i = 0; i < extra; i++) this.u8(0);
    return this;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

test('every metadata type, nested arrays, 64-bit values and aligned tensors round-trip', () => {
  for (const [bytes, alignment] of [
    [SAMPLE32, 32],
    [SAMPLE64, 64],
  ] as const) {
    const f = parseGguf(bytes);
    assert.equal(f.header.alignment, alignment);
    assert.equal(f.header.dataOffset % alignment, 0);
    assert.equal(f.get('v.u8'), 200);
    assert.equal(f.get('v.i8'), -100);
    assert.equal(f.get('v.u16'), 60000);
    assert.equal(f.get('v.i16'), -30000);
    assert.equal(f.get('v.u32'), 4000000000);
    assert.equal(f.get('v.i32'), -2000000000);
    assert.equal(f.get('v.str'), 'ünïcödé ▁ <|end|>');
    assert.equal(f.get('v.u64.small'), 12345);
    assert.equal(f.get('v.u64.big'), 2n ** 63n + 5n);
    assert.equal(f.get('v.i64'), -(2n ** 62n));
    assert.equal(f.get('v.f64'), Math.PI);
    assert.deepEqual(f.get('a.u64'), BigUint64Array.of(2n ** 64n - 1n, 3n));
    assert.deepEqual(f.get('a.i64'), BigInt64Array.of(-(2n ** 63n), 4n));
    assert.deepEqual(f.get('a.bool'), [true, false, true]);
    assert.deepEqual(f.get('a.str'), ['', 'a', '<0x0A>', '▁the']);
    assert.deepEqual(f.get('a.empty'), []);
    assert.deepEqual(f.get('a.nested'), [
      ['x', 'yy'],
      Float32Array.of(1, 2),
      [[Int32Array.of(5)]],
      BigInt64Array.of(-7n),
    ]);
    assert.equal(f.metadata.get('a.nested')!.itemType, T.ARRAY);
    for (const t of f.tensors) assert.equal(t.offset % alignment, 0, t.name);
    assert.deepEqual(f.tensorBytes('q.weight'), new Uint8Array(36).fill(0x11));
    assert.deepEqual(f.tensorBytes('q8.weight'), new Uint8Array(68).fill(7));
    assert.deepEqual(f.byName.get('q8.weight')!.dims, [64, 1, 1]);
    assert.deepEqual(
      new Float32Array(f.tensorBytes('a.weight').slice().buffer),
      Float32Array.of(1, -2, 3.5, 0, 5, 6, 7, 8),
    );
  }
});

test('truncation at every offset gives a clear error; prefixes with the true size ask for more bytes', () => {
  for (const full of [SAMPLE32, SAMPLE64]) {
    const whole = parseGgufHeader(full);
    // The trailing padding after the last tensor is not needed: cuts inside it still parse.
    const dataEnd = Math.max(...whole.tensors.map((t) => whole.dataOffset + t.offset + t.nBytes));
    assert.ok(dataEnd < full.length, 'sample has trailing padding');
    checkParsed(full.subarray(0, dataEnd));
    for (let cut = 0; cut < dataEnd; cut++) {
      expectClearError(full.subarray(0, cut), `cut at ${cut}`, /end|past|fit/);
      try {
        const h = parseGgufHeader(full.subarray(0, cut), { fileSize: full.length });
        assert.ok(cut >= whole.headerBytes, `header parsed from only ${cut} bytes`);
        assert.equal(h.dataOffset, whole.dataOffset);
      } catch (e) {
        assert.ok(e instanceof GgufTruncatedError, `cut ${cut} with fileSize: ${String(e)}`);
        assert.ok(e.needed > cut && e.needed <= full.length, `needed ${e.needed} at cut ${cut}`);
      }
    }
  }
});

test('thousands of seeded random byte mutations never crash, hang or over-allocate', () => {
  const before = heapNow();
  let ok = 0;
  let failed = 0;
  const t0 = performance.now();
  for (let seed = 1; seed <= 4000; seed++) {
    const r = rng(seed);
    const src = seed % 2 ? SAMPLE32 : SAMPLE64;
    const bytes = src.slice();
    // Mutations concentrate on the header, where the parser makes its decisions.
    const limit = Math.min(bytes.length, parseGgufHeader(src).headerBytes + 8);
    const n = 1 + Math.floor(r() * 4);
    for (let k = 0; k < n; k++) {
      const at = Math.floor(r() * limit);
      const mode = r();
      if (mode < 0.4) bytes[at]! ^= 1 << Math.floor(r() * 8);
      else if (mode < 0.7) bytes[at] = Math.floor(r() * 256);
      else if (mode < 0.85) bytes[at] = 0xff;
      else bytes[at] = 0;
    }
    try {
      const tp = performance.now();
      checkParsed(bytes);
      assert.ok(performance.now() - tp < 1000, `seed ${seed} slow`);
      ok++;
    } catch (e) {
      if (e instanceof assert.AssertionError && !/^test\.gguf/.test(e.message)) throw e;
      expectClearError(bytes, `seed ${seed}`);
      failed++;
    }
  }
  assert.ok(failed > 1000, `only ${failed} mutations were rejected`);
  assert.ok(ok > 100, `only ${ok} mutations parsed`);
  assert.ok(performance.now() - t0 < 45000, 'fuzz loop took over 45 s');
  assert.ok(heapNow() - before < 256 * 2 ** 20, 'heap grew by more than 256 MiB');
});

test('every header offset overwritten with extreme 32/64-bit values never crashes or over-allocates', () => {
  const before = heapNow();
  const patterns: number[][] = [
    [0xff, 0xff, 0xff, 0xff],
    [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
    [0, 0, 0, 0x80],
    [0, 0, 0, 0, 0, 0, 0x10, 0],
    [0xfe, 0xff, 0xff, 0x0f],
  ];
  let rejected = 0;
  for (const src of [SAMPLE32, SAMPLE64]) {
    const end = parseGgufHeader(src).headerBytes;
    for (let at = 0; at < end; at++) {
      for (const p of patterns) {
        const bytes = src.slice();
        bytes.set(p.slice(0, Math.max(0, Math.min(p.length, bytes.length - at))), at);
        try {
          checkParsed(bytes);
        } catch (e) {
          if (e instanceof assert.AssertionError && !/^test\.gguf/.test(e.message)) throw e;
          expectClearError(bytes, `pattern ${p} at ${at}`);
          rejected++;
        }
      }
    }
  }
  assert.ok(rejected > 5000, `only ${rejected} rejected`);
  assert.ok(heapNow() - before < 256 * 2 ** 20, 'heap grew by more than 256 MiB');
});

/** Runs one hostile case and asserts a clear error within bounded time and memory. */
function hostile(bytes: Uint8Array, what: string, pattern: RegExp): void {
  const before = heapNow();
  expectClearError(bytes, what, pattern);
  assert.ok(heapNow() - before < 32 * 2 ** 20, `${what}: heap grew by more than 32 MiB`);
}

test('absurd counts and lengths are rejected before any big allocation', () => {
  hostile(
    new Raw()
      .header(2n ** 60n, 0)
      .pad(64)
      .bytes(),
    'tensor count 2^60',
    /tensor count.*absurdly large/,
  );
  hostile(
    new Raw()
      .header(1 << 19, 0)
      .pad(64)
      .bytes(),
    'tensor count 2^19',
    /cannot fit/,
  );
  hostile(
    new Raw()
      .header(0, 2n ** 40n)
      .pad(64)
      .bytes(),
    'kv count 2^40',
    /metadata count/,
  );
  hostile(new Raw(1).header(0xffffffff, 0).pad(64).bytes(), 'v1 tensor count', /tensor count/);
  hostile(
    new Raw()
      .header(0, 1)
      .str('k')
      .u32(T.ARRAY)
      .u32(T.UINT8)
      .u64(2n ** 40n)
      .pad(32, 64)
      .bytes(),
    'array length 2^40',
    /metadata "k": array of 1099511627776 items cannot fit/,
  );
  hostile(
    new Raw()
      .header(0, 1)
      .str('k')
      .u32(T.ARRAY)
      .u32(T.STRING)
      .u64(2n ** 40n)
      .pad(32, 64)
      .bytes(),
    'string array length 2^40',
    /array of .* items cannot fit/,
  );
  hostile(
    new Raw()
      .header(0, 1)
      .str('k')
      .u32(T.ARRAY)
      .u32(T.ARRAY)
      .u64(2n ** 62n)
      .pad(32)
      .bytes(),
    'nested array length 2^62',
    /absurdly large/,
  );
  hostile(
    new Raw()
      .header(0, 1)
      .str('k')
      .u32(T.STRING)
      .u64(2n ** 50n)
      .pad(32, 64)
      .bytes(),
    'string length 2^50',
    /metadata "k" length 1125899906842624 exceeds the limit/,
  );
  hostile(
    new Raw()
      .header(0, 1)
      .u64(2n ** 50n)
      .pad(32, 64)
      .bytes(),
    'key length 2^50',
    /metadata key #0 length .* exceeds/,
  );
  hostile(
    new Raw().header(0, 1).str('k').u32(T.STRING).u64(1000).pad(32, 64).bytes(),
    'string longer than the file',
    /file ends while reading metadata "k"/,
  );
  // Nested arrays deeper than the limit.
  const deep = new Raw().header(0, 1).str('k').u32(T.ARRAY);
  for (let i = 0; i < 20; i++) deep.u32(T.ARRAY).u64(1);
  hostile(deep.pad(32, 64).bytes(), 'deep nesting', /nested deeper/);
  // Dimensions whose product overflows, one absurd dim, too many dims, dims making a huge tensor.
  const tensorFile = (dims: (number | bigint)[], type: number = GgmlType.F32, offset = 0) => {
    const r = new Raw().header(1, 0).str('t').u32(dims.length);
    for (const d of dims) r.u64(d);
    return r.u32(type).u64(offset).pad(32, 64).bytes();
  };
  hostile(
    tensorFile([2 ** 30, 2 ** 30, 2 ** 30]),
    'dims product overflow',
    /tensor "t" has absurd dimensions/,
  );
  hostile(tensorFile([2n ** 63n]), 'dim 2^63', /tensor "t" dim 0 is absurdly large/);
  hostile(tensorFile([4, 4, 4, 4, 4]), '5 dims', /has 5 dimensions/);
  hostile(tensorFile([]), '0 dims', /has 0 dimensions/);
  hostile(tensorFile([2 ** 20, 2 ** 20]), 'data past end', /runs past the end of the file/);
  hostile(tensorFile([8], GgmlType.F32, 2 ** 52), 'offset past end', /runs past the end/);
  hostile(tensorFile([8], GgmlType.F32, 2 ** 62), 'offset 2^62', /offset is absurdly large/);
  hostile(tensorFile([8], GgmlType.F32, 4), 'misaligned offset', /not aligned to 32/);
  hostile(
    tensorFile([8], GgmlType.Q4_0),
    'ne0 not a block multiple',
    /not a multiple of q4_0's block size 32/,
  );
});

test('unknown value and tensor types are named', () => {
  for (const type of [13, 99, 0xffffffff]) {
    hostile(
      new Raw().header(0, 1).str('k').u32(type).u64(0).pad(32).bytes(),
      `value type ${type}`,
      new RegExp(`metadata "k": unknown metadata value type ${type}`),
    );
    hostile(
      new Raw().header(0, 1).str('k').u32(T.ARRAY).u32(type).u64(1).pad(32).bytes(),
      `array item type ${type}`,
      new RegExp(`unknown array item type ${type}`),
    );
  }
  for (const type of [4, 5, 31, 1000]) {
    const bytes = new Raw().header(1, 0).str('t').u32(1).u64(32).u32(type).u64(0).pad(32, 256).bytes();
    hostile(bytes, `tensor type ${type}`, new RegExp(`tensor "t" has unknown tensor type ${type}`));
  }
  const boolArray = new Raw()
    .header(0, 1)
    .str('bs')
    .u32(T.ARRAY)
    .u32(T.BOOL)
    .u64(3)
    .u8(1, 0, 7)
    .pad(32)
    .bytes();
  const e = expectClearError(boolArray, 'bool array', /metadata "bs"\[2\]: bool must be 0 or 1, got 7/);
  assert.match(e.message, new RegExp(`offset ${4 + 4 + 8 + 8 + 8 + 2 + 4 + 4 + 8 + 2}\\)`));
  hostile(
    new Raw().header(0, 1).str('b').u32(T.BOOL).u8(2).pad(32).bytes(),
    'bool 2',
    /bool must be 0 or 1, got 2/,
  );
});

test('bad alignment values are rejected', () => {
  const withAlign = (type: number, write: (r: Raw) => Raw) =>
    write(new Raw().header(0, 1).str('general.alignment').u32(type)).pad(32, 64).bytes();
  for (const a of [0, 3, 48, 2 ** 21, 2 ** 31]) {
    hostile(
      withAlign(T.UINT32, (r) => r.u32(a)),
      `alignment ${a}`,
      /general\.alignment must be a power of two/,
    );
  }
  hostile(
    withAlign(T.FLOAT32, (r) => r.f32(1.5)),
    'alignment 1.5',
    /general\.alignment must be a power of two/,
  );
  hostile(
    withAlign(T.FLOAT32, (r) => r.f32(-32)),
    'alignment -32',
    /power of two/,
  );
  hostile(
    withAlign(T.STRING, (r) => r.str('32')),
    'alignment string',
    /power of two up to 2\^20, got "32"/,
  );
  // A valid non-default alignment is honoured.
  const ok = withAlign(T.UINT32, (r) => r.u32(64));
  assert.equal(parseGguf(ok).header.alignment, 64);
  assert.equal(parseGguf(ok).header.dataOffset % 64, 0);
});

test('invalid UTF-8 in keys, values and tensor names is named', () => {
  const bad = Uint8Array.of(0x61, 0xc3, 0x28);
  hostile(
    new Raw().header(0, 1).str(bad).u32(T.UINT8).u8(1).pad(32).bytes(),
    'key',
    /metadata key #0 is not valid UTF-8/,
  );
  hostile(
    new Raw().header(0, 1).str('k').u32(T.STRING).str(Uint8Array.of(0xff, 0xfe)).pad(32).bytes(),
    'value',
    /metadata "k" is not valid UTF-8/,
  );
  hostile(
    new Raw()
      .header(0, 1)
      .str('k')
      .u32(T.ARRAY)
      .u32(T.STRING)
      .u64(2)
      .str('ok')
      .str(Uint8Array.of(0xed, 0xa0, 0x80))
      .pad(32)
      .bytes(),
    'array item (surrogate)',
    /metadata "k"\[1\] is not valid UTF-8/,
  );
  hostile(
    new Raw().header(1, 0).str(bad).u32(1).u64(8).u32(0).u64(0).pad(32, 32).bytes(),
    'tensor name',
    /tensor #0 name is not valid UTF-8/,
  );
});

test('duplicates, overlaps, bad magic and versions', () => {
  hostile(
    new Raw().header(0, 2).str('k').u32(T.UINT8).u8(1).str('k').u32(T.UINT8).u8(2).pad(32).bytes(),
    'duplicate key',
    /duplicate metadata key "k"/,
  );
  const twoTensors = (off2: number, name2 = 'b') =>
    new Raw()
      .header(2, 0)
      .str('a')
      .u32(1)
      .u64(16)
      .u32(GgmlType.F32)
      .u64(0)
      .str(name2)
      .u32(1)
      .u64(8)
      .u32(GgmlType.F32)
      .u64(off2)
      .pad(32, 128)
      .bytes();
  assert.equal(parseGguf(twoTensors(64)).tensors.length, 2);
  hostile(twoTensors(32), 'overlap', /tensor "b" data \(offset 32\) overlaps tensor "a"/);
  hostile(twoTensors(64, 'a'), 'duplicate tensor', /duplicate tensor name "a"/);
  const bytes = SAMPLE32.slice();
  bytes[0] = 0x47 + 1;
  hostile(bytes, 'magic', /not a GGUF file/);
  for (const v of [0, 4, 0x01000003]) {
    const b = SAMPLE32.slice();
    new DataView(b.buffer).setUint32(4, v, true);
    hostile(b, `version ${v}`, new RegExp(`unsupported GGUF version ${v}`));
  }
});

test('v2 (v3 layout) and v1 (u32 counts) files parse', () => {
  const v2 = SAMPLE32.slice();
  new DataView(v2.buffer).setUint32(4, 2, true);
  const f2 = parseGguf(v2);
  assert.equal(f2.header.version, 2);
  assert.deepEqual(f2.get('a.str'), ['', 'a', '<0x0A>', '▁the']);
  assert.deepEqual(f2.tensorBytes('q.weight'), new Uint8Array(36).fill(0x11));

  // v1: counts, string lengths, array lengths and dims are u32; tensor offsets stay u64.
  const r = new Raw(1).header(1, 3);
  r.str('general.architecture').u32(T.STRING).str('llama');
  r.str('toks').u32(T.ARRAY).u32(T.STRING).count(10);
  for (let i = 0; i < 10; i++) r.str('');
  r.str('n').u32(T.UINT32).u32(7);
  r.str('w').u32(2).count(4).count(2).u32(GgmlType.F32).u64(0);
  r.pad(32);
  for (let i = 0; i < 32; i++) r.u8(i);
  const f1 = parseGguf(r.bytes());
  assert.equal(f1.header.version, 1);
  assert.equal(f1.get('general.architecture'), 'llama');
  assert.deepEqual(f1.get('toks'), new Array(10).fill(''));
  assert.equal(f1.get('n'), 7);
  assert.deepEqual(f1.byName.get('w')!.dims, [4, 2]);
  assert.equal(f1.tensorBytes('w')[31], 31);
  // A v1 string array that ends the file exactly: 4-byte lengths, so it must not be held to 8 bytes per item.
  const tight = new Raw(1).header(0, 1).str('s').u32(T.ARRAY).u32(T.STRING).count(20);
  for (let i = 0; i < 20; i++) tight.str('');
  assert.deepEqual(parseGguf(tight.bytes()).get('s'), new Array(20).fill(''));
  // A v1 file mis-labelled v3 fails with a clear error instead of misreading.
  const as3 = r.bytes();
  as3[4] = 3;
  expectClearError(as3, 'v1 labelled v3');
});
