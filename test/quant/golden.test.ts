// Bit-exactness against llama.cpp's C: SHA-256 of ggml's outputs on a fixed input, produced by compiling
// ggml-quants.c and ggml-cpu/quants.c (the llama.cpp bundled with node-llama-cpp 3.21.1) in a small harness.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { GgmlType, ggmlTypeName, rowBytes } from '../../src/format/ggml-types.js';
import {
  activationQuantizer,
  fp32ToBf16,
  fp32ToFp16,
  getCodec,
  vecDot,
  vecDotType,
} from '../../src/quant/index.js';
import { extremeInput, GOLDEN_N, goldenActivations, goldenWeights } from './golden-input.js';

interface Golden {
  type: GgmlType;
  /** sha256 of quantize_row_<type>_ref(weights). */
  q: string;
  /** sha256 of dequantize_row_<type>(those bytes) as little-endian float32. */
  dq: string;
  /** sha256 of the activations quantized to the vec_dot type (generic CPU path). */
  a?: string;
  /** ggml_vec_dot_<type>_<vec_dot_type>_generic over 7 chunks of 512 elements, then the whole row. */
  dot?: number[];
}

const GOLDEN: Golden[] = [
  {
    type: GgmlType.Q4_0,
    q: 'f9196c4edb1179cb1479a2ddfd378f9e6050d367502171464cb63f6278d46163',
    dq: '4506cfd58d92a045ff541064d024002db4abcb36c77e0048f12a33ab90254e40',
    a: 'fc0a1c1c4ed06d28b490625fb44d3334b2e3736231689acff1a73a23be0e5970',
    dot: [
      119.65216827392578, -0.0018812369089573622, 650.3510131835938, 32.00358963012695, -10.928096771240234,
      -878.8822631835938, 58.60894775390625, -29.196563720703125,
    ],
  },
  {
    type: GgmlType.Q4_1,
    q: '4575a56dea4eece356c273ee11db489da2355f18e4416487d2f9132e9e2ad02e',
    dq: '600395d2f6e4c76badf4b059edcd727fdc184c9358fe9b0ef06c9000a9254095',
    a: 'f5f1ef0e7b0285bc833832f4bc30fca308b92fb39302c6d062ec7e82fd0474f0',
    dot: [
      117.70634460449219, -0.0022472108248621225, 341.935791015625, 32.00390625, -11.42734146118164,
      -243.26324462890625, 58.654296875, 295.6075439453125,
    ],
  },
  {
    type: GgmlType.Q5_0,
    q: '1a4fdf5767e90720a4dabaf7a6ab0ce1db19b5aaa724eb9c20670eb474f075f3',
    dq: '4f0185c38019b9160ba0cc1cb4f350092f81c0f7d1b1b7c23c21cf5cdc57fa7c',
    a: 'fc0a1c1c4ed06d28b490625fb44d3334b2e3736231689acff1a73a23be0e5970',
    dot: [
      120.3084716796875, -0.0016989713767543435, 604.767822265625, 32.00358963012695, -14.412738800048828,
      -843.3609008789062, 58.60894775390625, -42.086639404296875,
    ],
  },
  {
    type: GgmlType.Q5_1,
    q: 'f9d5c43c1a18f70c990d7bd0b714a3cd93cc6f344161bdce5eed28b5ca6d503f',
    dq: '477d54fdaab2d6d01b97eb1933d0c82e533507af97d100c177496ea42fbbbf32',
    a: 'f5f1ef0e7b0285bc833832f4bc30fca308b92fb39302c6d062ec7e82fd0474f0',
    dot: [
      117.66948699951172, -0.0022707325406372547, 428.50030517578125, 32.00390625, -11.291690826416016,
      -415.29937744140625, 58.654296875, 210.234619140625,
    ],
  },
  {
    type: GgmlType.Q8_0,
    q: '4789848e679418efafef857b1ec3659e7d900c48dd5aa4c2965b1e9f20ffd7f0',
    dq: 'f2a171736e702d651db19b585a28fdd22706ac6973dfe912c4053e6c5cce87ff',
    a: 'fc0a1c1c4ed06d28b490625fb44d3334b2e3736231689acff1a73a23be0e5970',
    dot: [
      117.5492935180664, -0.0016761556034907699, 594.8308715820312, 32.00163650512695, -11.697433471679688,
      -796.8824462890625, 58.605377197265625, -5.594338893890381,
    ],
  },
  {
    type: GgmlType.Q8_1,
    q: 'edcbc6d226e64efaeb60f8e850530f2785e9a672b48bffffc2270d91ac4e26f9',
    dq: 'f2a171736e702d651db19b585a28fdd22706ac6973dfe912c4053e6c5cce87ff',
  },
  {
    type: GgmlType.Q4_K,
    q: 'd36da9a746844f4c0a97c647939da6784b3293e0f549241054b53dc724d05db7',
    dq: '0c9c55fa8c472ad23b8143f32e4fd055192a7b3620947b6c6283139b660dfb6e',
    a: 'be8a3b96610ab9bcbd9a14d4b5f58336e2a15079a586f3993be9f6a0a484d04e',
    dot: [
      118.46986389160156, -0.002025966765359044, 556.4501953125, 32.013221740722656, -12.431209564208984,
      -908.4189453125, 58.876625061035156, -155.033203125,
    ],
  },
  {
    type: GgmlType.Q5_K,
    q: 'ad6eea4c150b05bdc455122a25f1d84f1221a0f6f8448ccbfc33b94da4fa0da4',
    dq: 'f7d088306b41bce76288310508f9b951b76205b681fca2803c4eba24901d5cd4',
    a: 'be8a3b96610ab9bcbd9a14d4b5f58336e2a15079a586f3993be9f6a0a484d04e',
    dot: [
      115.48399353027344, -0.002189657650887966, 737.69970703125, 32.007450103759766, -13.655872344970703,
      -813.97802734375, 58.86601638793945, 116.427734375,
    ],
  },
  {
    type: GgmlType.Q6_K,
    q: '8f4381ff1c803c70cedea50361a4a909289141b4e6439b334d27f204b72e3849',
    dq: '1832a2815160a0db0072f90eb1f378cc9719b525b623457d8378e4c90844f6b2',
    a: 'be8a3b96610ab9bcbd9a14d4b5f58336e2a15079a586f3993be9f6a0a484d04e',
    dot: [
      117.09044647216797, -0.002180738840252161, 598.0308227539062, 32.001808166503906, -12.551559448242188,
      -812.2976684570312, 58.85563659667969, -18.87286376953125,
    ],
  },
  {
    type: GgmlType.Q8_K,
    q: '1a9c9fe4ab26c9cb9ce7cf21b0fdb8d9e5ee9c346b5367b2c990a4284ba44f6e',
    dq: 'ac2fe032003dfba1b4cedd4aa731cc04e829c4d63c3d5f554529c484e23f4e75',
  },
];

/** The x86 AVX2 quantize_row_q8_0 / q8_1 (ggml-cpu/arch/x86) on the same activations. */
const X86_Q8_0 = 'fc0a1c1c4ed06d28b490625fb44d3334b2e3736231689acff1a73a23be0e5970';
const X86_Q8_1 = 'f5f1ef0e7b0285bc833832f4bc30fca308b92fb39302c6d062ec7e82fd0474f0';
/** ggml_compute_fp32_to_fp16 of weights then activations (u16 little-endian). */
const F16 = '9b1ef9c4afb56594fd67b12785e55d1ff0b8e18c08aaebb312f8ebb2ffd2944b';
/** ggml_compute_fp32_to_bf16 of weights then activations. */
const BF16 = '4553f728fb8c408831dadd3afc6bf2f9b3373e526e8086d3fb0535c98648a0a6';

const sha = (b: Uint8Array | Float32Array | Uint16Array) =>
  createHash('sha256')
    .update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
    .digest('hex');

const x = goldenWeights();
const a = goldenActivations();

test('golden input generator matches the C harness (spot values)', () => {
  // first values of the C generator for seed 12345, and a value from each mode
  assert.equal(x.length, GOLDEN_N);
  assert.equal(x[512], 0); // mode 2 block is zero
  assert.equal(x[6 * 256 + 5], 0.25); // mode 6 constant
  assert.ok(x.slice(256, 512).every((v) => v > 0.48 && v < 0.52)); // mode 1 narrow positive
});

for (const g of GOLDEN) {
  const name = ggmlTypeName(g.type);
  test(`${name}: quantize, dequantize, activations and vec_dot equal ggml bit for bit`, () => {
    const codec = getCodec(g.type);
    const q = new Uint8Array(rowBytes(g.type, GOLDEN_N));
    codec.quantizeRow(x, 0, q, 0, GOLDEN_N);
    assert.equal(sha(q), g.q, `${name} quantized bytes`);
    const dq = new Float32Array(GOLDEN_N);
    codec.dequantizeRow(q, 0, dq, 0, GOLDEN_N);
    assert.equal(sha(dq), g.dq, `${name} dequantized floats`);
    if (g.a === undefined || g.dot === undefined) return;
    const at = vecDotType(g.type);
    const aq = new Uint8Array(rowBytes(at, GOLDEN_N));
    activationQuantizer(at)(a, 0, aq, 0, GOLDEN_N);
    assert.equal(sha(aq), g.a, `${name} activations in ${ggmlTypeName(at)}`);
    const got: number[] = [];
    for (let c = 0; c < GOLDEN_N / 512; c++) {
      got.push(vecDot(g.type, q, rowBytes(g.type, 512 * c), aq, rowBytes(at, 512 * c), 512));
    }
    got.push(vecDot(g.type, q, 0, aq, 0, GOLDEN_N));
    assert.deepEqual(got, g.dot, `${name} dot products`);
  });
}

test('x86 activation quantizers equal ggml-cpu/arch/x86 on the golden activations', () => {
  const q0 = new Uint8Array(rowBytes(GgmlType.Q8_0, GOLDEN_N));
  activationQuantizer(GgmlType.Q8_0, 'x86')(a, 0, q0, 0, GOLDEN_N);
  assert.equal(sha(q0), X86_Q8_0);
  const q1 = new Uint8Array(rowBytes(GgmlType.Q8_1, GOLDEN_N));
  activationQuantizer(GgmlType.Q8_1, 'x86')(a, 0, q1, 0, GOLDEN_N);
  assert.equal(sha(q1), X86_Q8_1);
});

test('fp16 and bf16 conversions equal ggml on the golden inputs', () => {
  const h = new Uint16Array(2 * GOLDEN_N);
  const b = new Uint16Array(2 * GOLDEN_N);
  for (let i = 0; i < GOLDEN_N; i++) {
    h[i] = fp32ToFp16(x[i]!);
    h[GOLDEN_N + i] = fp32ToFp16(a[i]!);
    b[i] = fp32ToBf16(x[i]!);
    b[GOLDEN_N + i] = fp32ToBf16(a[i]!);
  }
  assert.equal(sha(h), F16);
  assert.equal(sha(b), BF16);
});

/** sha256 of ggml's quantizers (release build, NDEBUG) on extremeInput(); x86 = ggml-cpu/arch/x86 AVX2. */
const EXTREME: [string, GgmlType, 'generic' | 'x86', string][] = [
  ['q4_0', GgmlType.Q4_0, 'generic', '0b4f38fd6280c47fe4dcb31d95de9bd7d5620552d54acb237eb11b05a8f26f18'],
  ['q4_1', GgmlType.Q4_1, 'generic', 'b4765cf13494031c18c87700e4edd1e7955b4ee61500b3aaa7b6c77ab5966f2b'],
  ['q5_0', GgmlType.Q5_0, 'generic', 'f3d26351ff269b3205e0e0b45def4fb9b23aacda2441dab6f803671f070b0b63'],
  ['q5_1', GgmlType.Q5_1, 'generic', '59fca9bd6d7d2a1c8023efcb43eeffe2c38dbb2d99d4e12dd7d9c231b29ea029'],
  ['q8_0', GgmlType.Q8_0, 'generic', '2b4a3dfa61c901e7fa56d50f5a02785bb439a73d544f75d9cf24f37e8a181368'],
  ['q8_1', GgmlType.Q8_1, 'generic', '1209f9e60eb5022c7a2fa751737188e693825eb20978ab2211dd960f5835cb67'],
  ['q4_K', GgmlType.Q4_K, 'generic', 'aa6b326b7c85678164dcaf4c2a33fdd7c546b65530416f21914594f68f1de20f'],
  ['q5_K', GgmlType.Q5_K, 'generic', '40d4152dea6cd7f4b663b6670187a55a0b8511164958ef7cbb20d4635e7adbbe'],
  ['q6_K', GgmlType.Q6_K, 'generic', 'da28c15f2b00d8f5127511fdcc64d3ebfcec7b0e5a56d4fc4affc517c8946db4'],
  ['q8_K', GgmlType.Q8_K, 'generic', 'ef8499b37e7c4bc953474a1372aa4ea81833e8d7c8acc2c31aa9b37828659a9b'],
  ['x86 q8_0', GgmlType.Q8_0, 'x86', '0397b354ba380b4f65fb84f2bdb58dfe5e1b68eb0b30506ff1bf3d459e83e379'],
  ['x86 q8_1', GgmlType.Q8_1, 'x86', '1ee1dbb59c92876c699fda659b778bb9373cb862a3b60dae0e2d583cb77d3384'],
];

test('quantizers equal ggml bit for bit on extreme inputs (ties, ±1e30, subnormals, beyond fp16)', () => {
  const e = extremeInput();
  for (const [name, type, flavor, hash] of EXTREME) {
    const q = new Uint8Array(rowBytes(type, e.length));
    activationQuantizer(type, flavor)(e, 0, q, 0, e.length);
    assert.equal(sha(q), hash, name);
  }
});
