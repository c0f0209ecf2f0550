// Shared body of the logits conformance tests: per tensor type, pocketlm's log-probs vs llama.cpp's.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LlamaModel } from 'node-llama-cpp';
import { PocketModel } from '../../src/engine/pocket-model.js';
import { GgmlType, ggmlTypeName } from '../../src/format/ggml-types.js';
import {
  argmax,
  loadRef,
  logSoftmax,
  maxAbsDiff,
  refLogProbs,
  type TestModelShape,
  tempDir,
  testTokens,
  topK,
  writeTestModel,
} from './llama-ref.js';

/** One model layout of the sweep. */
export interface SweepShape {
  label: string;
  shape: TestModelShape;
}

/**
 * The default layouts: phi3 with multi-head attention (fused QKV, fused gate/up, NeoX RoPE) and llama with
 * grouped-query attention (n_head_kv = n_head/2, separate Q/K/V and gate/up, normal RoPE). token_embd has
 * std 1 so the residual stream is well-conditioned (see TestModelShape.embdStd); vocabulary: the first
 * 1024 Phi-3 tokens so every type quantizes quickly.
 */
export const SWEEP_SHAPES: SweepShape[] = [
  { label: 'phi3 MHA', shape: { arch: 'phi3', nHead: 4, nHeadKv: 4, nVocab: 1024, embdStd: 1 } },
  { label: 'llama GQA', shape: { arch: 'llama', nHead: 4, nHeadKv: 2, nVocab: 1024, embdStd: 1 } },
];

/** Prompt lengths: one token (BOS) and a 101-token prompt (batched prefill, causal mask, RoPE positions). */
export const SWEEP_PROMPTS = [1, 101];

/** Backends compared with llama.cpp. */
export const SWEEP_BACKENDS = [
  { label: 'reference', opts: { backend: 'reference' as const } },
  { label: 'wasm ×1', opts: { backend: 'wasm' as const, threads: 1 } },
  { label: 'wasm ×2', opts: { backend: 'wasm' as const, threads: 2, minSplitWeights: 0 } },
];

/** Top-k over which log-probs are compared (random models give flat distributions). */
export const TOP_K = 200;

/** A measured row, printed as a table at the end of each file (for the docs and the report). */
export interface SweepRow {
  type: string;
  shape: string;
  tokens: number;
  backend: string;
  maxDelta: number;
  tolerance: number;
}

/**
 * Agreement expected when no activation rounding differs: pure float summation-order effects. Larger
 * differences come from activation-quantization flips (see flipTolerance); they must stay rare.
 */
export const FLOAT_ORDER_TOLERANCE = 2e-5;

/**
 * The largest |Δ log-prob| a few activation-rounding flips explain. llama.cpp quantizes (or rounds) the
 * input of every matmul to the weight's vec-dot type; a ~1e-7 float-order difference upstream sometimes
 * moves one element across a rounding boundary, changing it by a whole step (max|x|/127 for Q8_0/Q8_1/Q8_K
 * blocks, 2^-11·|x| for F16, 2^-8·|x| for BF16). One such flip in the output matmul (max|x| ≈ 3.4,
 * |w| ≤ ~0.08) moves logits by up to ~2e-3 (Q8_K), ~1e-3 (Q8_0), ~2e-4 (F16), ~1e-3 (BF16). Measured with
 * scripts/conformance-trace.ts, which counts the flips: e.g. Q4_K phi3 BOS-only, Δ 1.4e-3 from exactly one
 * flipped Q8_K quant in output.weight's input, every kernel agreeing with llama.cpp to 5e-7.
 */
export function flipTolerance(type: GgmlType): number {
  switch (type) {
    case GgmlType.F32:
      return FLOAT_ORDER_TOLERANCE;
    case GgmlType.F16:
      return 1e-3;
    case GgmlType.Q4_K:
    case GgmlType.Q5_K:
    case GgmlType.Q6_K:
      return 6e-3;
    default:
      return 4e-3;
  }
}

/**
 * Registers one describe() per type: writes a model of that type per layout into a temp dir, loads it in
 * llama.cpp and in pocketlm on every backend, and checks for every prompt that the argmax is identical and
 * max |Δ log-prob| over llama.cpp's top TOP_K tokens is within `tolerance[type]`.
 */
export function logitsSweep(
  types: GgmlType[],
  shapes: SweepShape[] = SWEEP_SHAPES,
  tolerance: (type: GgmlType) => number = flipTolerance,
): void {
  const rows: SweepRow[] = [];
  const tmp = tempDir('logits');
  after(() => {
    tmp.cleanup();
    const w = Math.max(...rows.map((r) => r.shape.length));
    for (const r of rows) {
      process.stdout.write(
        `# ${r.type.padEnd(5)} ${r.shape.padEnd(w)} ${String(r.tokens).padStart(3)} tok  ${r.backend.padEnd(9)} max|Δ| ${r.maxDelta.toExponential(2)} (tol ${r.tolerance.toExponential(0)})\n`,
      );
    }
  });
  for (const type of types) {
    const name = ggmlTypeName(type);
    for (const { label, shape } of shapes) {
      describe(`${name} ${label}`, () => {
        const path = join(tmp.dir, `${name}-${label.replace(/\W+/g, '_')}.gguf`);
        let nVocab = 0;
        let ref: LlamaModel;
        const models: PocketModel[] = [];
        before(async () => {
          nVocab = writeTestModel(path, type, shape).nVocab;
          ref = await loadRef(path);
          // every backend must run every type (the wasm one through its exact fallback where it has no kernel)
          for (const b of SWEEP_BACKENDS) models.push(await PocketModel.load(path, b.opts));
        });
        after(async () => {
          for (const m of models) m.dispose();
          await ref?.dispose();
        });
        for (const n of SWEEP_PROMPTS) {
          it(`${n}-token prompt: argmax and top-${TOP_K} log-probs match llama.cpp on every backend`, async () => {
            const tokens = testTokens(n, 1000 + n, true, nVocab);
            const want = await refLogProbs(ref, tokens, nVocab);
            const top = topK(want, TOP_K);
            const tol = tolerance(type);
            SWEEP_BACKENDS.forEach((b, i) => {
              const m = models[i]!;
              const got = logSoftmax(m.logits(tokens));
              const d = maxAbsDiff(got, want, top);
              rows.push({
                type: name,
                shape: label,
                tokens: n,
                backend: b.label,
                maxDelta: d,
                tolerance: tol,
              });
              assert.equal(argmax(got), argmax(want), `${b.label}: argmax differs from llama.cpp`);
              assert.ok(
                d <= tol,
                `${b.label}: max |Δ log-prob| ${d.toExponential(2)} > ${tol.toExponential(1)}`,
              );
            });
          });
        }
      });
    }
  }
  describe('summary', () => {
    it('flips stay rare: for each type, most cases agree to float-order precision', () => {
      for (const type of types) {
        const name = ggmlTypeName(type);
        const mine = rows.filter((r) => r.type === name);
        assert.ok(mine.length > 0, `${name}: no measurements (did its cases fail to load?)`);
        const tight = mine.filter((r) => r.maxDelta <= FLOAT_ORDER_TOLERANCE).length;
        assert.ok(
          tight * 2 >= mine.length,
          `${name}: only ${tight} of ${mine.length} cases within ${FLOAT_ORDER_TOLERANCE}: a systematic difference, not rounding flips`,
        );
      }
    });
  });
}
