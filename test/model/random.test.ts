// randomModelSpec: distinctRows repeats a few quantized rows (benchmark files) without changing shapes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rowBytes } from '../../src/format/ggml-types.js';
import { PRESETS, randomModelSpec } from '../../src/model/random.js';

test('distinctRows: every matrix row is one of N quantized rows; shapes and types unchanged', () => {
  const config = { ...PRESETS.tiny!, nVocab: 512, nLayer: 1 };
  const spec = randomModelSpec({ config, tokenizer: [], fileType: 'q4_k_m', seed: 3, distinctRows: 4 });
  const full = randomModelSpec({ config, tokenizer: [], fileType: 'q4_k_m', seed: 3 });
  assert.deepEqual(
    spec.tensors.map((t) => [t.name, t.type, t.dims]),
    full.tensors.map((t) => [t.name, t.type, t.dims]),
  );
  const up = spec.tensors.find((t) => t.name === 'blk.0.ffn_up.weight')!;
  const data = (up.data as () => Uint8Array)();
  const rb = rowBytes(up.type, up.dims[0]!);
  assert.equal(data.length, rb * up.dims[1]!);
  const rows = new Set<string>();
  for (let r = 0; r < up.dims[1]!; r++)
    rows.add(Buffer.from(data.subarray(r * rb, (r + 1) * rb)).toString('hex'));
  assert.ok(rows.size <= 4 && rows.size >= 2, `${rows.size} distinct rows`);
  const fullUp = (full.tensors.find((t) => t.name === 'blk.0.ffn_up.weight')!.data as () => Uint8Array)();
  const fullRows = new Set<string>();
  for (let r = 0; r < up.dims[1]!; r++)
    fullRows.add(Buffer.from(fullUp.subarray(r * rb, (r + 1) * rb)).toString('hex'));
  assert.equal(fullRows.size, up.dims[1], 'without the option every row is drawn');
});
