// Safetensors reader: round-trip, header validation, truncation, random mutations, sharded checkpoints.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GgmlType } from '../../src/format/ggml-types.js';
import {
  ggmlTypeOfDtype,
  openSafetensorsCheckpoint,
  openSafetensorsFile,
  parseSafetensors,
  parseSafetensorsHeader,
  SafetensorsTruncatedError,
  writeSafetensors,
} from '../../src/format/safetensors.js';
import { mulberry32 as rng } from '../../src/util/prng.js';

const f32 = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

const SAMPLE = writeSafetensors(
  [
    { name: 'a', dtype: 'F32', shape: [2, 3], data: f32(1, 2, 3, 4, 5, 6) },
    { name: 'b', dtype: 'F16', shape: [3], data: Uint8Array.of(0, 0x3c, 0, 0x40, 0, 0xc0) },
    { name: 'c', dtype: 'BF16', shape: [1, 2], data: Uint8Array.of(0x80, 0x3f, 0, 0x40) },
    { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Uint8Array(0) },
  ],
  { format: 'pt' },
);

/** Builds a file from a raw JSON header object and a data section. */
function raw(header: unknown, data: Uint8Array = new Uint8Array(0), lenOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lenOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function rejects(bytes: Uint8Array, pattern: RegExp, what = String(pattern)): void {
  const t0 = performance.now();
  let err: unknown;
  try {
    parseSafetensors(bytes, 'x.safetensors');
  } catch (e) {
    err = e;
  }
  assert.ok(performance.now() - t0 < 1000, `${what}: slow`);
  assert.ok(err instanceof Error, `${what}: expected an Error`);
  assert.ok(!(err instanceof TypeError) && !(err instanceof RangeError), `${what}: crash ${err.message}`);
  assert.match(err.message, /^x\.safetensors: /);
  assert.match(err.message, /offset/, `${what}: no offset in ${err.message}`);
  assert.match(err.message, pattern, what);
}

test('round-trip with zero-copy views and metadata', () => {
  const f = parseSafetensors(SAMPLE);
  assert.deepEqual(f.header.metadata, { format: 'pt' });
  assert.equal(f.header.dataOffset % 8, 0);
  const a = f.tensorBytes('a');
  assert.equal(a.buffer, SAMPLE.buffer, 'view, not a copy');
  assert.deepEqual(new Float32Array(a.slice().buffer), Float32Array.of(1, 2, 3, 4, 5, 6));
  assert.deepEqual(f.byName.get('a')!.shape, [2, 3]);
  assert.equal(f.byName.get('b')!.dtype, 'F16');
  assert.deepEqual(f.tensorBytes('c'), Uint8Array.of(0x80, 0x3f, 0, 0x40));
  assert.equal(f.tensorBytes('empty').length, 0);
  assert.equal(ggmlTypeOfDtype('BF16'), GgmlType.BF16);
  assert.throws(() => f.tensorBytes('nope'), /missing tensor "nope"/);
});

test('header validation names the tensor, field and offsets', () => {
  const ok = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  assert.equal(parseSafetensors(raw(ok, new Uint8Array(8))).tensors.length, 1);
  rejects(raw(ok, new Uint8Array(8), 2n ** 60n), /header length 1152921504606846976 .* exceeds the limit/);
  rejects(raw(ok, new Uint8Array(8), 99_000_000n), /header length 99000000 .* runs past the end/);
  rejects(raw(ok, new Uint8Array(8), 1n), /too small/);
  rejects(Uint8Array.of(1, 2, 3), /too short for the 8-byte header length/);
  rejects(raw('[1,2]'), /must start with "\{"/);
  rejects(raw('{"a": '), /does not parse/);
  assert.equal(parseSafetensors(raw('{}')).tensors.length, 0);
  const badUtf8 = raw('{"\u00e9": 1}');
  badUtf8[10] = 0xff;
  rejects(badUtf8, /not valid UTF-8/);
  rejects(
    raw({ t: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
    /tensor "t".*dtype I64 is not supported \(supported: F32, F16, BF16\)/,
  );
  rejects(
    raw({ t: { dtype: 'Q4', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
    /unknown dtype "Q4"/,
  );
  rejects(
    raw({ t: { dtype: 'toString', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
    /unknown dtype "toString"/,
  );
  rejects(
    raw({ t: { dtype: 'F32', shape: [-1], data_offsets: [0, 8] } }, new Uint8Array(8)),
    /shape \[-1\] must hold non-negative integers/,
  );
  rejects(
    raw({ t: { dtype: 'F32', shape: [1.5], data_offsets: [0, 8] } }, new Uint8Array(8)),
    /non-negative integers/,
  );
  rejects(
    raw({ t: { dtype: 'F32', shape: 'x', data_offsets: [0, 8] } }, new Uint8Array(8)),
    /shape must be an array/,
  );
  rejects(
    raw({ t: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, new Uint8Array(8)),
    /absurdly large/,
  );
  rejects(
    raw({ t: { dtype: 'F32', shape: [2], data_offsets: [0, 16] } }, new Uint8Array(8)),
    /data_offsets \[0, 16\] runs past the end of the data \(8 bytes/,
  );
  rejects(
    raw({ t: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(8)),
    /hold 4 bytes but shape \[2\] of F32 needs 8/,
  );
  rejects(
    raw({ t: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, new Uint8Array(8)),
    /begin after end/,
  );
  rejects(
    raw({ t: { dtype: 'F32', shape: [2], data_offsets: [0] } }, new Uint8Array(8)),
    /two non-negative integers/,
  );
  rejects(
    raw({ t: { dtype: 'F32', shape: [2], data_offsets: [0, 2 ** 60] } }, new Uint8Array(8)),
    /two non-negative integers|past the end/,
  );
  rejects(raw({ t: 5 }), /tensor "t" .* must be an object/);
  rejects(raw({ __metadata__: { a: 1 } }), /__metadata__\["a"\] .* must be a string/);
  rejects(
    raw(
      {
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F16', shape: [2], data_offsets: [4, 8] },
      },
      new Uint8Array(8),
    ),
    /tensor "b" data_offsets \[4, 8\] overlap tensor "a" \[0, 8\]/,
  );
});

test('truncation at every offset: clear error, or a request for more header bytes', () => {
  const last = Math.max(...parseSafetensors(SAMPLE).tensors.map((t) => t.end));
  for (let cut = 0; cut < last; cut++) {
    rejects(SAMPLE.subarray(0, cut), /end|short|past/, `cut ${cut}`);
    try {
      parseSafetensorsHeader(SAMPLE.subarray(0, cut), { fileSize: SAMPLE.length });
    } catch (e) {
      assert.ok(e instanceof SafetensorsTruncatedError, `cut ${cut}: ${String(e)}`);
      assert.ok(e.needed > cut, `cut ${cut}: needed ${e.needed}`);
    }
  }
});

test('thousands of seeded random mutations never crash or hang', () => {
  let ok = 0;
  let bad = 0;
  const headerEnd = parseSafetensors(SAMPLE).header.dataOffset;
  for (let seed = 1; seed <= 3000; seed++) {
    const r = rng(seed);
    const bytes = SAMPLE.slice();
    const n = 1 + Math.floor(r() * 3);
    for (let k = 0; k < n; k++) {
      const at = Math.floor(r() * headerEnd);
      const mode = r();
      if (mode < 0.3) bytes[at]! ^= 1 << Math.floor(r() * 8);
      else if (mode < 0.6) bytes[at] = Math.floor(r() * 256);
      else if (mode < 0.8)
        bytes[at] = 0x30 + Math.floor(r() * 10); // digits: plausible-looking numbers
      else bytes[at] = '",:[]{}'.charCodeAt(Math.floor(r() * 7));
    }
    let f: ReturnType<typeof parseSafetensors> | undefined;
    try {
      f = parseSafetensors(bytes, 'x.safetensors');
    } catch {
      rejects(bytes, /./, `seed ${seed}`);
      bad++;
    }
    if (f) {
      for (const t of f.tensors)
        assert.ok(
          t.end <= bytes.length && t.start >= f.header.dataOffset,
          `seed ${seed}: ${t.name} out of bounds`,
        );
      ok++;
    }
  }
  assert.ok(bad > 1500, `only ${bad} rejected`);
  assert.ok(ok > 10, `only ${ok} parsed`);
});

test('files on disk and sharded checkpoints via model.safetensors.index.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pocketlm-st-'));
  try {
    const s1 = writeSafetensors([
      { name: 'x', dtype: 'F32', shape: [2], data: f32(1, 2) },
      { name: 'y', dtype: 'F32', shape: [1], data: f32(3) },
    ]);
    const s2 = writeSafetensors([{ name: 'z', dtype: 'BF16', shape: [2], data: Uint8Array.of(1, 2, 3, 4) }]);
    writeFileSync(join(dir, 'model-00001-of-00002.safetensors'), s1);
    writeFileSync(join(dir, 'model-00002-of-00002.safetensors'), s2);
    const index = {
      metadata: { total_size: 16 },
      weight_map: {
        x: 'model-00001-of-00002.safetensors',
        y: 'model-00001-of-00002.safetensors',
        z: 'model-00002-of-00002.safetensors',
      },
    };
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
    const ck = openSafetensorsCheckpoint(dir);
    assert.equal(ck.files.length, 2);
    assert.deepEqual([...ck.tensors.keys()].sort(), ['x', 'y', 'z']);
    const z = ck.tensors.get('z')!;
    assert.deepEqual(z.file.tensorBytes('z'), Uint8Array.of(1, 2, 3, 4));
    assert.deepEqual(
      openSafetensorsFile(join(dir, 'model-00001-of-00002.safetensors')).tensorBytes('y'),
      f32(3),
    );

    const write = (wm: Record<string, string>) =>
      writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: wm }));
    write({ ...index.weight_map, z: 'model-00001-of-00002.safetensors' });
    assert.throws(
      () => openSafetensorsCheckpoint(dir),
      /tensor "z" is mapped to "model-00001-of-00002.safetensors" but that shard does not contain it/,
    );
    write({ ...index.weight_map, z: '../evil.safetensors' });
    assert.throws(() => openSafetensorsCheckpoint(dir), /must be a file name in the directory/);
    write({ ...index.weight_map, w: 'missing.safetensors' });
    assert.throws(
      () => openSafetensorsCheckpoint(dir),
      /shard "missing.safetensors" \(for tensor "w"\) does not exist/,
    );
    write({ x: index.weight_map.x, z: index.weight_map.z });
    assert.throws(() => openSafetensorsCheckpoint(dir), /tensor "y" is not listed/);
    writeFileSync(join(dir, 'model.safetensors.index.json'), '{"weight_map": 3}');
    assert.throws(() => openSafetensorsCheckpoint(dir), /"weight_map" must be an object/);

    const single = join(dir, 'single');
    mkdirSync(single);
    assert.throws(() => openSafetensorsCheckpoint(single), /no model.safetensors/);
    writeFileSync(join(single, 'model.safetensors'), s2);
    assert.deepEqual(
      openSafetensorsCheckpoint(single).tensors.get('z')!.file.tensorBytes('z'),
      Uint8Array.of(1, 2, 3, 4),
    );
    // A truncated file on disk fails at open time with the path and offsets.
    writeFileSync(join(single, 'model.safetensors'), s2.subarray(0, s2.length - 1));
    assert.throws(
      () => openSafetensorsCheckpoint(single),
      /model\.safetensors: .*runs past the end of the data/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
