// Dequantization bit-exact against llama.cpp for every block type, through get_rows of token_embd.
//
// Method: file A stores token_embd in type T; file B is the same model with token_embd replaced by
// pocketlm's F32 dequantization of A's bytes. Every other tensor is F32 and chosen so that the hidden state
// llama.cpp reports for a one-token input is a function of that token's embedding row alone: one layer
// whose weights are all zero (attention and FFN add exactly 0 to the residual) and output_norm weights 1,
// so llama.cpp's embedding output is rmsnorm(row), which is injective on rows of RMS ≤ 1 (scale ≥ 1).
// llama.cpp's get_rows dequantizes A's row with ggml's dequantize_row_* (no activation quantization is
// involved); B's row is copied as is. So llama.cpp's embeddings for A and B are bitwise equal for every
// row iff pocketlm's dequantization equals ggml's on that row.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import { GgmlType, ggmlTypeName } from '../../src/format/ggml-types.js';
import { writeGgufFile } from '../../src/format/gguf-node.js';
import type { GgufTensorToWrite } from '../../src/format/gguf-write.js';
import { randomModelSpec, WeightRng } from '../../src/model/random.js';
import { dequantizeTensor, quantizeTensor } from '../../src/quant/index.js';
import { loadRef, tempDir, testConfig, truncatedTokenizerMetadata } from './llama-ref.js';

const TYPES = [
  GgmlType.F16,
  GgmlType.BF16,
  GgmlType.Q8_0,
  GgmlType.Q4_0,
  GgmlType.Q4_1,
  GgmlType.Q5_0,
  GgmlType.Q5_1,
  GgmlType.Q4_K,
  GgmlType.Q5_K,
  GgmlType.Q6_K,
];
const N_VOCAB = 1024;
const N_EMBD = 256;

/** Rows of token_embd that are compared: varied magnitudes and shapes (see embeddingRows). */
const ROWS = Array.from({ length: 64 }, (_, i) => 3 + i * 15);

/**
 * Embedding rows that exercise the codecs' corners: per-row scales from 2^-12 to 1, all-zero blocks,
 * constant blocks, one-sided (all positive / all negative) blocks for the min-offset types, single
 * outliers, and values at half-steps. Every row keeps RMS ≤ 1 so rmsnorm's scale is ≥ 1.
 */
function embeddingRows(): Float32Array {
  const rng = new WeightRng(20251127);
  const e = new Float32Array(N_VOCAB * N_EMBD);
  for (let r = 0; r < N_VOCAB; r++) {
    const o = r * N_EMBD;
    const scale = 2 ** -(r % 13);
    const kind = r % 7;
    for (let j = 0; j < N_EMBD; j++) {
      let v = rng.normal() * 0.5;
      if (kind === 1 && j % 32 < 8) v = 0; // zero stretches inside blocks
      if (kind === 2 && j >= 64 && j < 96) v = 0.25; // a constant block
      if (kind === 3) v = Math.abs(v); // one-sided: all positive
      if (kind === 4) v = -Math.abs(v) - 0.1; // all negative, offset from zero
      if (kind === 5 && j % 37 === 0) v *= 8; // outliers
      if (kind === 6) v = Math.round(v * 16) / 16 + 1 / 32; // values on half-steps
      e[o + j] = v * scale;
    }
    if (r % 11 === 0) e.fill(0, o, o + 32); // a whole zero block at the start
  }
  return e;
}

/** A model whose hidden state after output_norm is rmsnorm(token_embd row); token_embd given as is. */
function writeProbeModel(path: string, embd: { type: GgmlType; data: Uint8Array }): void {
  const config = { ...testConfig({ arch: 'llama', nVocab: N_VOCAB, nEmbd: N_EMBD, nLayer: 1 }), nFf: 256 };
  const spec = randomModelSpec({
    config,
    tokenizer: truncatedTokenizerMetadata(N_VOCAB),
    fileType: 'f32',
    name: 'dequant probe',
  });
  const tensors: GgufTensorToWrite[] = spec.tensors.map((t) => {
    const n = t.dims.reduce((a, b) => a * b, 1);
    if (t.name === 'token_embd.weight') return { ...t, type: embd.type, data: embd.data };
    if (t.dims.length < 2) return { ...t, data: () => new Uint8Array(new Float32Array(n).fill(1).buffer) };
    if (t.name === 'output.weight') {
      const f = new Float32Array(n);
      for (let i = 0; i < N_EMBD; i++) f[i * N_EMBD + i] = 1;
      return { ...t, data: new Uint8Array(f.buffer) };
    }
    return { ...t, data: () => new Uint8Array(n * 4) }; // zero layer weights
  });
  writeGgufFile(path, { metadata: spec.metadata, tensors });
}

/** llama.cpp's hidden state (after output_norm) for each single-token input, as float32 bits. */
async function hiddenStates(model: LlamaModel, rows: number[]): Promise<Uint32Array[]> {
  const ctx: LlamaEmbeddingContext = await model.createEmbeddingContext({ contextSize: 32, threads: 1 });
  try {
    const out: Uint32Array[] = [];
    for (const r of rows) {
      const v = (await ctx.getEmbeddingFor([r] as never)).vector;
      assert.equal(v.length, N_EMBD);
      out.push(new Uint32Array(Float32Array.from(v).buffer));
    }
    return out;
  } finally {
    await ctx.dispose();
  }
}

/** Rows whose states differ, with the first differing element, for messages. */
function differences(a: Uint32Array[], b: Uint32Array[]): string[] {
  const bad: string[] = [];
  a.forEach((x, i) => {
    const j = x.findIndex((v, k) => v !== b[i]![k]);
    if (j >= 0) {
      const fa = new Float32Array(x.buffer)[j];
      const fb = new Float32Array(b[i]!.buffer)[j];
      bad.push(`row ${ROWS[i]} element ${j}: ${fa} vs ${fb}`);
    }
  });
  return bad;
}

const tmp = tempDir('dequant');
after(() => tmp.cleanup());
const source = embeddingRows();

describe('the probe is sensitive', () => {
  it('a one-ulp change in one element of one row changes llama.cpp hidden state', async () => {
    const a = join(tmp.dir, 'f32.gguf');
    const b = join(tmp.dir, 'f32-ulp.gguf');
    writeProbeModel(a, { type: GgmlType.F32, data: new Uint8Array(source.slice().buffer) });
    const bumped = source.slice();
    const bits = new Uint32Array(bumped.buffer);
    // smallest-magnitude row scale (2^-12) and a tiny element: the hardest case for rmsnorm's rounding
    const row = ROWS.find((r) => r % 13 === 12)!;
    bits[row * N_EMBD + 100] = bits[row * N_EMBD + 100]! + 1;
    writeProbeModel(b, { type: GgmlType.F32, data: new Uint8Array(bumped.buffer) });
    const [ma, mb] = [await loadRef(a), await loadRef(b)];
    try {
      const bad = differences(await hiddenStates(ma, ROWS), await hiddenStates(mb, ROWS));
      assert.equal(bad.length, 1, `expected exactly row ${row} to differ, got: ${bad.join('; ')}`);
      assert.match(bad[0]!, new RegExp(`^row ${row} `));
    } finally {
      await ma.dispose();
      await mb.dispose();
    }
  });
});

for (const type of TYPES) {
  describe(ggmlTypeName(type), () => {
    let ma: LlamaModel;
    let mb: LlamaModel;
    before(async () => {
      const q = quantizeTensor(type, source, N_VOCAB, N_EMBD);
      const deq = dequantizeTensor(type, q, N_VOCAB * N_EMBD);
      const a = join(tmp.dir, `${ggmlTypeName(type)}.gguf`);
      const b = join(tmp.dir, `${ggmlTypeName(type)}-as-f32.gguf`);
      writeProbeModel(a, { type, data: q });
      writeProbeModel(b, { type: GgmlType.F32, data: new Uint8Array(deq.buffer) });
      ma = await loadRef(a);
      mb = await loadRef(b);
    });
    after(async () => {
      await ma?.dispose();
      await mb?.dispose();
    });
    it(`pocketlm's ${ggmlTypeName(type)} dequantization is bit-identical to ggml's`, async () => {
      const bad = differences(await hiddenStates(ma, ROWS), await hiddenStates(mb, ROWS));
      assert.deepEqual(bad, [], `${bad.length} of ${ROWS.length} rows differ`);
    });
  });
}
