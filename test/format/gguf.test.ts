import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgmlType } from '../../src/format/ggml-types.js';
import { readGgufFile } from '../../src/format/gguf-node.js';
import { GgufValueType, parseGguf } from '../../src/format/gguf-read.js';
import { gv, writeGguf } from '../../src/format/gguf-write.js';

const PHI3_VOCAB = new URL('../../../shared/fixtures/vocab/ggml-vocab-phi-3.gguf', import.meta.url).pathname;

test('reads the real Phi-3 vocabulary GGUF', () => {
  const f = readGgufFile(PHI3_VOCAB);
  assert.equal(f.header.version, 3);
  assert.equal(f.get('general.architecture'), 'phi3');
  const tokens = f.get('tokenizer.ggml.tokens') as string[];
  assert.equal(tokens.length, 32064);
  assert.equal(tokens[32007], '<|end|>');
  assert.ok(f.get('tokenizer.ggml.scores') instanceof Float32Array);
});

test('metadata and tensors round-trip through the writer', () => {
  const data = new Uint8Array(64 * 4).map((_, i) => i);
  const bytes = writeGguf({
    metadata: [
      ['a.u32', gv.u32(7)],
      ['a.f32', gv.f32(0.5)],
      ['a.str', gv.str('héllo')],
      ['a.bool', gv.bool(true)],
      ['a.strs', gv.strings(['x', 'yz'])],
      [
        'a.nested',
        {
          type: GgufValueType.ARRAY,
          itemType: GgufValueType.ARRAY,
          value: [Float32Array.of(1, 2), Float32Array.of(3)],
        },
      ],
    ],
    tensors: [{ name: 't', dims: [64], type: GgmlType.F32, data }],
  });
  const f = parseGguf(bytes);
  assert.equal(f.get('a.u32'), 7);
  assert.equal(f.get('a.f32'), 0.5);
  assert.equal(f.get('a.str'), 'héllo');
  assert.equal(f.get('a.bool'), true);
  assert.deepEqual(f.get('a.strs'), ['x', 'yz']);
  assert.deepEqual(f.get('a.nested'), [Float32Array.of(1, 2), Float32Array.of(3)]);
  assert.deepEqual(f.tensorBytes('t'), data);
  assert.equal(f.header.dataOffset % 32, 0);
});

test('truncation gives a clear error naming the problem', () => {
  const bytes = writeGguf({
    metadata: [['k', gv.str('value')]],
    tensors: [{ name: 't', dims: [32], type: GgmlType.F32, data: new Uint8Array(128) }],
  });
  for (let cut = 0; cut < bytes.length; cut++) {
    assert.throws(
      () => parseGguf(bytes.subarray(0, cut)),
      (e: Error) => e instanceof Error && /GGUF/.test(e.message),
    );
  }
});
