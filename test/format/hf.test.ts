// Hugging Face directory loading (phi3 and llama, sharded), SentencePiece model parsing, GGUF model loading.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { GgmlType } from '../../src/format/ggml-types.js';
import { loadGgufModel, readGgufModel } from '../../src/format/gguf-model.js';
import { readGgufFile, writeGgufFile } from '../../src/format/gguf-node.js';
import { parseGguf } from '../../src/format/gguf-read.js';
import { writeGguf } from '../../src/format/gguf-write.js';
import { hfTensorName, hfTokenizerMetadata, loadHfModel, loadModelPath } from '../../src/format/hf.js';
import { type SafetensorsTensorToWrite, writeSafetensors } from '../../src/format/safetensors.js';
import {
  encodeSentencePieceModel,
  parseSentencePieceModel,
  type SentencePiece,
  SentencePieceType,
} from '../../src/format/sentencepiece-model.js';

const PHI3_VOCAB = new URL('../../../shared/fixtures/vocab/ggml-vocab-phi-3.gguf', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'pocketlm-hf-'));
after(() => rmSync(root, { recursive: true, force: true }));

const PIECES: SentencePiece[] = [
  { piece: '<unk>', score: 0, type: SentencePieceType.UNKNOWN },
  { piece: '<s>', score: 0, type: SentencePieceType.CONTROL },
  { piece: '</s>', score: 0, type: SentencePieceType.CONTROL },
  { piece: '<0x00>', score: 0, type: SentencePieceType.BYTE },
  { piece: '<0x0A>', score: 0, type: SentencePieceType.BYTE },
  { piece: '▁▁', score: -1e9, type: SentencePieceType.NORMAL },
  { piece: '▁the', score: -1.5, type: SentencePieceType.NORMAL },
  { piece: 'é', score: -2.25, type: SentencePieceType.NORMAL },
  { piece: '<extra>', score: 0, type: SentencePieceType.USER_DEFINED },
  { piece: '<unused0>', score: 0, type: SentencePieceType.UNUSED },
];
const SP_MODEL = encodeSentencePieceModel({
  pieces: PIECES,
  trainerSpec: {
    modelType: 2,
    vocabSize: PIECES.length,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
    byteFallback: true,
  },
  normalizerSpec: { name: 'identity', addDummyPrefix: true },
});

/** Deterministic tensor bytes: element i of tensor `seed` is seed + i/1000, in the given dtype. */
function tensor(
  name: string,
  shape: number[],
  dtype: 'F32' | 'F16' | 'BF16' = 'F32',
  seed = 0,
): SafetensorsTensorToWrite {
  const n = shape.reduce((a, b) => a * b, 1);
  const f = Float32Array.from({ length: n }, (_, i) => seed + i / 1000);
  if (dtype === 'F32') return { name, dtype, shape, data: new Uint8Array(f.buffer) };
  const out = new Uint8Array(n * 2);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < n; i++) {
    const v = dtype === 'BF16' ? u[i]! >>> 16 : 0x3c00 + (i & 0xff);
    out[2 * i] = v & 0xff;
    out[2 * i + 1] = v >>> 8;
  }
  return { name, dtype, shape, data: out };
}

const E = 8; // hidden
const H = 2; // heads
const HKV = 1;
const HD = E / H; // 4
const FF = 12;
const V = 16;

function phi3Dir(
  opts: { ropeScaling?: unknown; drop?: string; badShape?: boolean; extra?: SafetensorsTensorToWrite } = {},
): string {
  const dir = mkdtempSync(join(root, 'phi3-'));
  const cfg = {
    architectures: ['Phi3ForCausalLM'],
    hidden_size: E,
    intermediate_size: FF,
    num_hidden_layers: 2,
    num_attention_heads: H,
    num_key_value_heads: HKV,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    max_position_embeddings: 131072,
    original_max_position_embeddings: 4096,
    sliding_window: 2047,
    vocab_size: V,
    tie_word_embeddings: false,
    bos_token_id: 1,
    eos_token_id: 32000,
    rope_scaling:
      'ropeScaling' in opts
        ? opts.ropeScaling
        : { type: 'longrope', short_factor: [1, 1.5], long_factor: [2, 3] },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
  const ts: SafetensorsTensorToWrite[] = [
    tensor('model.embed_tokens.weight', [V, E], 'BF16', 1),
    tensor('model.norm.weight', [E], 'F32', 2),
    tensor('lm_head.weight', [V, E], 'F16', 3),
  ];
  for (let i = 0; i < 2; i++) {
    const p = `model.layers.${i}.`;
    ts.push(
      tensor(`${p}input_layernorm.weight`, [E], 'F32', 10 + i),
      tensor(`${p}post_attention_layernorm.weight`, [E], 'F32', 20 + i),
      tensor(`${p}self_attn.qkv_proj.weight`, [HD * (H + 2 * HKV), E], 'BF16', 30 + i),
      tensor(`${p}self_attn.o_proj.weight`, [E, HD * H], 'BF16', 40 + i),
      tensor(`${p}mlp.gate_up_proj.weight`, [opts.badShape && i === 1 ? FF : 2 * FF, E], 'BF16', 50 + i),
      tensor(`${p}mlp.down_proj.weight`, [E, FF], 'BF16', 60 + i),
    );
  }
  if (opts.extra) ts.push(opts.extra);
  writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(ts.filter((t) => t.name !== opts.drop)));
  writeFileSync(join(dir, 'tokenizer.model'), SP_MODEL);
  // Phi-3 style: ids past the SentencePiece model; </s> is not special (USER_DEFINED in llama.cpp's GGUF).
  const added = [
    { id: 0, content: '<unk>', special: true },
    { id: 1, content: '<s>', special: true },
    { id: 2, content: '</s>', special: false },
    { id: 10, content: '<|endoftext|>', special: true },
    { id: 11, content: '<|assistant|>', special: true },
    { id: 12, content: '<|end|>', special: true },
    { id: 13, content: '<|user|>', special: false },
  ];
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ added_tokens: added, model: { type: 'BPE' } }));
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      add_bos_token: true,
      add_eos_token: false,
      bos_token: '<s>',
      eos_token: '<|endoftext|>',
      pad_token: { content: '<|endoftext|>' },
      unk_token: '<unk>',
      chat_template: "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{% endfor %}",
      added_tokens_decoder: Object.fromEntries(
        added.map((a) => [String(a.id), { content: a.content, special: a.special }]),
      ),
    }),
  );
  return dir;
}

test('SentencePiece model: protobuf round-trip, defaults, unknown fields, errors with offsets', () => {
  const m = parseSentencePieceModel(SP_MODEL);
  assert.equal(m.pieces.length, PIECES.length);
  assert.deepEqual(m.pieces[6], { piece: '▁the', score: -1.5, type: SentencePieceType.NORMAL });
  assert.equal(m.pieces[5]!.score, Math.fround(-1e9));
  assert.equal(m.pieces[9]!.type, SentencePieceType.UNUSED);
  assert.equal(m.trainerSpec.modelType, 2);
  assert.equal(m.trainerSpec.padId, -1, 'negative int32 as 10-byte varint');
  assert.equal(m.trainerSpec.byteFallback, true);
  assert.equal(m.normalizerSpec.name, 'identity');
  // An unknown field (number 9, varint) before the pieces is skipped.
  const withUnknown = Uint8Array.of(9 << 3, 0x96, 0x01, ...SP_MODEL);
  assert.equal(parseSentencePieceModel(withUnknown).pieces.length, PIECES.length);
  assert.throws(
    () => parseSentencePieceModel(SP_MODEL.subarray(0, 20), 'tok.model'),
    /^Error: tok\.model: .*runs past the end.*\(at offset \d+\)/,
  );
  assert.throws(() => parseSentencePieceModel(Uint8Array.of(0x4f), 'tok.model'), /unsupported wire type 7/);
  assert.throws(() => parseSentencePieceModel(new Uint8Array(0), 'tok.model'), /no pieces/);
  assert.throws(
    () => parseSentencePieceModel(Uint8Array.of(0x0a, 0x02, 0x18, 0x09), 'tok.model'),
    /piece #0 has unknown type 9/,
  );
  assert.throws(
    () => parseSentencePieceModel(Uint8Array.of(0x0a, 0x03, 0x0a, 0x01, 0xff), 'tok.model'),
    /piece #0 text is not valid UTF-8/,
  );
  // Truncation and seeded byte flips never crash or hang.
  const variants: Uint8Array[] = [];
  for (let cut = 0; cut < SP_MODEL.length; cut++) variants.push(SP_MODEL.subarray(0, cut));
  let seed = 12345;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = 0; i < 2000; i++) {
    const b = SP_MODEL.slice();
    for (let k = 0; k < 3; k++) b[Math.floor(next() * b.length)] = Math.floor(next() * 256);
    variants.push(b);
  }
  let rejected = 0;
  for (const v of variants) {
    const t0 = performance.now();
    try {
      parseSentencePieceModel(v, 'tok.model');
    } catch (e) {
      assert.ok(e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError), String(e));
      assert.match((e as Error).message, /^tok\.model: .*\(at offset \d+\)$/);
      rejected++;
    }
    assert.ok(performance.now() - t0 < 1000, 'SentencePiece parse took over 1 s');
  }
  assert.ok(rejected > 500, `only ${rejected} rejected`);
});

test('phi3 HF directory → LoadedModel: config, GGUF names, dims, bytes, LongRoPE, tokenizer', () => {
  const dir = phi3Dir();
  const m = loadHfModel(dir);
  const c = m.config;
  assert.deepEqual(
    { ...c },
    {
      arch: 'phi3',
      nVocab: V,
      nCtxTrain: 131072,
      nEmbd: E,
      nFf: FF,
      nLayer: 2,
      nHead: H,
      nHeadKv: HKV,
      headDim: HD,
      nRot: HD,
      rmsEps: 1e-5,
      ropeTheta: 10000,
      ropeType: 'neox',
      tiedEmbeddings: false,
      slidingWindow: 2047,
      nCtxOrig: 4096,
    },
  );
  const embd = m.tensors.get('token_embd.weight')!;
  assert.deepEqual(embd.dims, [E, V]);
  assert.equal(embd.type, GgmlType.BF16);
  assert.deepEqual(embd.data, tensor('x', [V, E], 'BF16', 1).data);
  assert.equal(m.tensors.get('output.weight')!.type, GgmlType.F16);
  assert.deepEqual(m.tensors.get('blk.1.attn_qkv.weight')!.dims, [E, HD * (H + 2 * HKV)]);
  assert.deepEqual(m.tensors.get('blk.1.attn_qkv.weight')!.data, tensor('x', [16, E], 'BF16', 31).data);
  assert.deepEqual(m.tensors.get('blk.0.ffn_up.weight')!.dims, [E, 2 * FF]);
  assert.deepEqual(m.tensors.get('blk.0.ffn_down.weight')!.dims, [FF, E]);
  assert.deepEqual(m.tensors.get('blk.0.attn_output.weight')!.dims, [HD * H, E]);
  assert.deepEqual(m.tensors.get('blk.1.attn_norm.weight')!.data, tensor('x', [E], 'F32', 11).data);
  assert.deepEqual(m.tensors.get('blk.1.ffn_norm.weight')!.data, tensor('x', [E], 'F32', 21).data);
  const short = m.tensors.get('rope_factors_short.weight')!;
  assert.equal(short.type, GgmlType.F32);
  assert.deepEqual(new Float32Array(short.data.slice().buffer), Float32Array.of(1, 1.5));
  assert.deepEqual(
    new Float32Array(m.tensors.get('rope_factors_long.weight')!.data.slice().buffer),
    Float32Array.of(2, 3),
  );
  assert.equal(m.tensors.size, 3 + 2 * 6 + 2);

  const g = (k: string) => m.metadata.get(k)?.value;
  assert.equal(g('general.architecture'), 'phi3');
  assert.equal(g('phi3.rope.scaling.original_context_length'), 4096);
  assert.equal(g('phi3.attention.sliding_window'), 2047);
  assert.equal(g('tokenizer.ggml.model'), 'llama');
  const tokens = g('tokenizer.ggml.tokens') as string[];
  const types = g('tokenizer.ggml.token_type') as Int32Array;
  const scores = g('tokenizer.ggml.scores') as Float32Array;
  assert.equal(tokens.length, V);
  assert.deepEqual(tokens.slice(0, 13), [
    '<unk>',
    '<s>',
    '</s>',
    '<0x00>',
    '<0x0A>',
    '▁▁',
    '▁the',
    'é',
    '<extra>',
    '<unused0>',
    '<|endoftext|>',
    '<|assistant|>',
    '<|end|>',
  ]);
  assert.equal(tokens[13], '<|user|>', 'looks special → CONTROL even when not marked special');
  assert.deepEqual(tokens.slice(14), ['[PAD14]', '[PAD15]']);
  // llama.cpp types: added special → CONTROL 3, non-special → USER_DEFINED 4, BYTE 6, UNUSED 5, pads UNKNOWN 2 for phi3.
  assert.deepEqual([...types], [3, 3, 4, 6, 6, 1, 1, 1, 4, 5, 3, 3, 3, 3, 2, 2]);
  assert.equal(scores[6], -1.5);
  assert.equal(scores[12], -1000);
  assert.equal(scores[15], -10000);
  assert.equal(g('tokenizer.ggml.bos_token_id'), 1);
  assert.equal(g('tokenizer.ggml.eos_token_id'), 10);
  assert.equal(g('tokenizer.ggml.padding_token_id'), 10);
  assert.equal(g('tokenizer.ggml.unknown_token_id'), 0);
  assert.equal(g('tokenizer.ggml.add_bos_token'), true);
  assert.equal(g('tokenizer.ggml.add_eos_token'), false);
  assert.match(g('tokenizer.chat_template') as string, /<\|end\|>/);

  // The metadata and tensors form a valid GGUF that loadGgufModel reads back to the same config.
  const bytes = writeGguf({
    metadata: m.metadata,
    tensors: [...m.tensors.values()].map((t) => ({ name: t.name, dims: t.dims, type: t.type, data: t.data })),
  });
  const back = loadGgufModel(parseGguf(bytes, 'roundtrip.gguf'));
  assert.deepEqual({ ...back.config }, { ...c, rmsEps: Math.fround(1e-5) });
  assert.deepEqual(back.tensors.get('blk.0.ffn_up.weight')!.data, m.tensors.get('blk.0.ffn_up.weight')!.data);
  // From disk, tensor by tensor.
  const path = join(dir, 'model.gguf');
  writeGgufFile(path, {
    metadata: m.metadata,
    tensors: [...m.tensors.values()].map((t) => ({ name: t.name, dims: t.dims, type: t.type, data: t.data })),
  });
  const disk = readGgufModel(path);
  assert.deepEqual({ ...disk.config }, { ...back.config });
  for (const [name, t] of m.tensors) assert.deepEqual(disk.tensors.get(name)!.data, t.data, name);
  assert.equal(disk.source, path);
  assert.equal(loadModelPath(path).source, path);
  assert.equal(loadModelPath(dir).source, dir);
  assert.throws(
    () => loadModelPath(join(dir, 'config.json')),
    /config\.json: not a GGUF file \(magic "\{\\"ar"\)/,
  );
  assert.throws(() => loadModelPath(join(dir, 'nope')), /no such file/);
});

test('metadata keys and types match llama.cpp’s Phi-3 vocabulary GGUF', () => {
  const ref = readGgufFile(PHI3_VOCAB);
  const m = loadHfModel(phi3Dir());
  for (const [k, e] of ref.metadata) {
    if (k.startsWith('general.') && k !== 'general.architecture') continue;
    const mine = m.metadata.get(k);
    if (k === 'tokenizer.ggml.merges') continue;
    assert.ok(mine, `missing ${k}`);
    assert.equal(mine.type, e.type, `type of ${k}`);
    assert.equal(mine.itemType, e.itemType, `item type of ${k}`);
  }
});

test('a Phi-3 tokenizer rebuilt from llama.cpp’s vocab converts back to exactly the same GGUF vocabulary', () => {
  const ref = readGgufFile(PHI3_VOCAB);
  const tokens = ref.get('tokenizer.ggml.tokens') as string[];
  const scores = ref.get('tokenizer.ggml.scores') as Float32Array;
  const types = ref.get('tokenizer.ggml.token_type') as Int32Array;
  // The SentencePiece model holds the first 32000 pieces; <unk>/<s>/</s> have their SentencePiece types.
  const spTypes = [SentencePieceType.UNKNOWN, SentencePieceType.CONTROL, SentencePieceType.CONTROL];
  const pieces = tokens.slice(0, 32000).map((piece, i) => ({
    piece,
    score: i < 3 ? 0 : scores[i]!,
    type: spTypes[i] ?? (types[i] as SentencePieceType),
  }));
  const dir = mkdtempSync(join(root, 'phi3-vocab-'));
  writeFileSync(
    join(dir, 'tokenizer.model'),
    encodeSentencePieceModel({
      pieces,
      trainerSpec: { modelType: 2, unkId: 0, bosId: 1, eosId: 2, padId: -1 },
    }),
  );
  // tokenizer_config.json as in microsoft/Phi-3-mini-4k-instruct: ids 0-2 and 32000-32010 with special flags.
  const decoder: Record<string, { content: string; special: boolean }> = {};
  for (const id of [0, 1, 2, ...Array.from({ length: 11 }, (_, i) => 32000 + i)]) {
    decoder[id] = { content: tokens[id]!, special: types[id] === 3 };
  }
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      add_bos_token: true,
      add_eos_token: false,
      added_tokens_decoder: decoder,
      bos_token: '<s>',
      chat_template: ref.get('tokenizer.chat_template'),
      eos_token: '<|endoftext|>',
      pad_token: '<|endoftext|>',
      unk_token: '<unk>',
    }),
  );
  const meta = new Map(
    hfTokenizerMetadata(dir, 'phi3', 32064, { bos_token_id: 1, eos_token_id: 32000, pad_token_id: 32000 }),
  );
  assert.deepEqual(meta.get('tokenizer.ggml.tokens')!.value, tokens);
  assert.deepEqual(meta.get('tokenizer.ggml.scores')!.value, scores);
  assert.deepEqual(meta.get('tokenizer.ggml.token_type')!.value, types);
  for (const k of [
    'tokenizer.ggml.model',
    'tokenizer.ggml.pre',
    'tokenizer.ggml.bos_token_id',
    'tokenizer.ggml.eos_token_id',
    'tokenizer.ggml.unknown_token_id',
    'tokenizer.ggml.padding_token_id',
    'tokenizer.ggml.add_bos_token',
    'tokenizer.ggml.add_eos_token',
    'tokenizer.chat_template',
  ]) {
    assert.deepEqual(meta.get(k), ref.metadata.get(k), k);
  }
});

test('llama HF directory: split q/k/v and gate/up, tied embeddings, sharded checkpoint', () => {
  const dir = mkdtempSync(join(root, 'llama-'));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      architectures: ['LlamaForCausalLM'],
      hidden_size: E,
      intermediate_size: FF,
      num_hidden_layers: 1,
      num_attention_heads: H,
      num_key_value_heads: HKV,
      rms_norm_eps: 1e-6,
      rope_theta: 500000,
      max_position_embeddings: 2048,
      vocab_size: PIECES.length,
      tie_word_embeddings: true,
      rope_scaling: null,
    }),
  );
  const p = 'model.layers.0.';
  const shard1 = [
    tensor('model.embed_tokens.weight', [PIECES.length, E], 'F16'),
    tensor(`${p}self_attn.q_proj.weight`, [HD * H, E]),
    tensor(`${p}self_attn.k_proj.weight`, [HD * HKV, E]),
    tensor(`${p}self_attn.v_proj.weight`, [HD * HKV, E]),
    tensor(`${p}self_attn.rotary_emb.inv_freq`, [HD / 2]),
  ];
  const shard2 = [
    tensor(`${p}self_attn.o_proj.weight`, [E, HD * H]),
    tensor(`${p}mlp.gate_proj.weight`, [FF, E], 'F32', 7),
    tensor(`${p}mlp.up_proj.weight`, [FF, E], 'F32', 8),
    tensor(`${p}mlp.down_proj.weight`, [E, FF]),
    tensor(`${p}input_layernorm.weight`, [E]),
    tensor(`${p}post_attention_layernorm.weight`, [E]),
    tensor('model.norm.weight', [E]),
  ];
  writeFileSync(join(dir, 'model-00001-of-00002.safetensors'), writeSafetensors(shard1));
  writeFileSync(join(dir, 'model-00002-of-00002.safetensors'), writeSafetensors(shard2));
  const weight_map: Record<string, string> = {};
  for (const t of shard1) weight_map[t.name] = 'model-00001-of-00002.safetensors';
  for (const t of shard2) weight_map[t.name] = 'model-00002-of-00002.safetensors';
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map }));
  writeFileSync(join(dir, 'tokenizer.model'), SP_MODEL);
  const m = loadHfModel(dir);
  assert.equal(m.config.arch, 'llama');
  assert.equal(m.config.ropeType, 'neox', 'HF llama weights are not permuted: rotate-half RoPE');
  assert.equal(m.config.tiedEmbeddings, true);
  assert.equal(m.config.ropeTheta, 500000);
  assert.equal(m.config.slidingWindow, undefined);
  assert.equal(m.tensors.has('output.weight'), false);
  assert.deepEqual(m.tensors.get('blk.0.attn_k.weight')!.dims, [E, HD * HKV]);
  assert.deepEqual(m.tensors.get('blk.0.ffn_gate.weight')!.data, tensor('x', [FF, E], 'F32', 7).data);
  assert.deepEqual(m.tensors.get('blk.0.ffn_up.weight')!.data, tensor('x', [FF, E], 'F32', 8).data);
  assert.equal(m.tensors.has('rope_factors_long.weight'), false);
  assert.equal(m.config.nCtxOrig, undefined);
  const types = m.metadata.get('tokenizer.ggml.token_type')!.value as Int32Array;
  assert.deepEqual([...types], [2, 3, 3, 6, 6, 1, 1, 1, 4, 5], 'SentencePiece types map 1:1 to llama.cpp’s');
  assert.equal(
    m.metadata.get('tokenizer.ggml.eos_token_id')!.value,
    2,
    'from the SentencePiece trainer spec',
  );
  assert.equal(m.metadata.has('tokenizer.ggml.padding_token_id'), false);
  assert.equal(m.metadata.has('tokenizer.chat_template'), false);
  // A GGUF named llama reads back with 'norm' RoPE (llama.cpp convention), otherwise the same config.
  const back = loadGgufModel(
    parseGguf(
      writeGguf({
        metadata: m.metadata,
        tensors: [...m.tensors.values()].map((t) => ({
          name: t.name,
          dims: t.dims,
          type: t.type,
          data: t.data,
        })),
      }),
    ),
  );
  assert.deepEqual({ ...back.config }, { ...m.config, ropeType: 'norm', rmsEps: Math.fround(1e-6) });
});

test('HF errors name what is missing or wrong', () => {
  assert.throws(
    () => loadHfModel(phi3Dir({ drop: 'model.layers.1.mlp.down_proj.weight' })),
    /missing blk\.1\.ffn_down\.weight \[12,8\]/,
  );
  assert.throws(() => loadHfModel(phi3Dir({ drop: 'lm_head.weight' })), /missing output\.weight \[8,16\]/);
  assert.throws(
    () => loadHfModel(phi3Dir({ badShape: true })),
    /blk\.1\.ffn_gate\.weight|blk\.1\.ffn_up\.weight has shape \[8,12\]/,
  );
  assert.throws(
    () => loadHfModel(phi3Dir({ extra: tensor('model.layers.0.self_attn.q_proj.bias', [8]) })),
    /tensors with no GGUF mapping: model\.layers\.0\.self_attn\.q_proj\.bias/,
  );
  assert.throws(
    () => loadHfModel(phi3Dir({ ropeScaling: { type: 'yarn', factor: 4 } })),
    /rope_scaling type "yarn" is not supported/,
  );
  // phi3-mini-4k: no rope_scaling, but original_max_position_embeddings is still carried (as llama.cpp does).
  const m4k = loadHfModel(phi3Dir({ ropeScaling: null }));
  assert.equal(m4k.config.nCtxOrig, 4096);
  assert.equal(m4k.tensors.has('rope_factors_short.weight'), false);
  assert.equal(m4k.metadata.get('phi3.rope.scaling.original_context_length')!.value, 4096);
  assert.throws(
    () => loadHfModel(phi3Dir({ ropeScaling: { type: 'su', short_factor: [1], long_factor: [1, 2] } })),
    /rope_scaling\.short_factor must be 2 positive numbers/,
  );
  const dir = phi3Dir();
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['GPT2LMHeadModel'] }));
  assert.throws(
    () => loadHfModel(dir),
    /architectures \["GPT2LMHeadModel"\] has none of the supported Phi3ForCausalLM, LlamaForCausalLM/,
  );
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ architectures: ['Phi3ForCausalLM'], hidden_size: 8 }),
  );
  assert.throws(() => loadHfModel(dir), /config\.json: missing "num_attention_heads"/);
  assert.throws(() => loadHfModel(root), /no config\.json/);
  const tok = phi3Dir();
  assert.throws(
    () => hfTokenizerMetadata(tok, 'phi3', 5),
    /tokenizer\.model: 10 pieces, more than the model's vocab_size 5/,
  );
  const small = new Map(hfTokenizerMetadata(tok, 'phi3', 12));
  assert.deepEqual((small.get('tokenizer.ggml.tokens')!.value as string[]).slice(10), [
    '<|endoftext|>',
    '<|assistant|>',
  ]);
  assert.equal(hfTensorName('model.layers.12.mlp.gate_up_proj.weight'), 'blk.12.ffn_up.weight');
  assert.equal(hfTensorName('model.layers.0.self_attn.rotary_emb.inv_freq'), null);
  assert.equal(hfTensorName('model.layers.0.foo.weight'), undefined);
});

test('loadGgufModel reads the {arch}.* keys and names missing or mis-shaped tensors', () => {
  const m = loadHfModel(phi3Dir());
  const spec = (drop?: string, reshape?: string) => ({
    metadata: m.metadata,
    tensors: [...m.tensors.values()]
      .filter((t) => t.name !== drop)
      .map((t) => ({
        name: t.name,
        dims: t.name === reshape ? [t.dims[1]!, t.dims[0]!] : t.dims,
        type: t.type,
        data: t.data,
      })),
  });
  assert.throws(
    () => loadGgufModel(parseGguf(writeGguf(spec('blk.0.attn_qkv.weight')), 'a.gguf')),
    /a\.gguf: .*missing blk\.0\.attn_qkv\.weight \[8,16\]/,
  );
  assert.throws(
    () => loadGgufModel(parseGguf(writeGguf(spec(undefined, 'blk.1.ffn_down.weight')), 'a.gguf')),
    /blk\.1\.ffn_down\.weight has shape \[8,12\] \(bf16\), expected \[12,8\]/,
  );
  assert.throws(
    () => loadGgufModel(parseGguf(writeGguf(spec(undefined, 'token_embd.weight')), 'a.gguf')),
    /token_embd\.weight has shape \[16,8\] \(bf16\), expected \[8,16\]/,
  );
  assert.throws(
    () => loadGgufModel(parseGguf(writeGguf(spec('rope_factors_long.weight')), 'a.gguf')),
    /must come together/,
  );
  // Tied when output.weight is absent.
  assert.equal(loadGgufModel(parseGguf(writeGguf(spec('output.weight')))).config.tiedEmbeddings, true);
  const noArch = writeGguf({ metadata: [['general.architecture', { type: 8, value: 'gpt2' }]], tensors: [] });
  assert.throws(() => loadGgufModel(parseGguf(noArch, 'b.gguf')), /b\.gguf: general\.architecture is "gpt2"/);
  const meta = new Map(m.metadata);
  meta.delete('phi3.block_count');
  assert.throws(
    () => loadGgufModel(parseGguf(writeGguf({ ...spec(), metadata: meta }), 'c.gguf')),
    /c\.gguf: missing metadata key "phi3\.block_count"/,
  );
});
