// F16 → Q8_0 / Q4_K_M / Q4_0 with `pocketlm quantize --kld-file`: KL ordering, top-1 agreement, PPL vs llama.cpp.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GgmlType } from '../../src/format/ggml-types.js';
import { loadRef, tempDir, writeTestModel } from '../conformance/llama-ref.js';
import { deterministicText, llamaCppPerplexity, pocketlm, relDiff } from './helpers.js';

const N_CTX = 128;
const tmp = tempDir('eval-kld');
const basePath = join(tmp.dir, 'f16.gguf');
const textPath = join(tmp.dir, 'text.txt');
const text = deterministicText(300, 11);

interface QuantReport {
  type: string;
  kld: number;
  sameTop: number;
  pplQuant: number;
  pplBase: number;
  refPpl: number;
}
const reports: QuantReport[] = [];

/** Reads the number after `label:` in the KL report's summary. */
function field(report: string, label: RegExp): number {
  const m = new RegExp(`${label.source}\\s*: *(-?[\\d.]+)`).exec(report);
  if (!m) throw new Error(`no ${label.source} line in the KL report:\n${report}`);
  return Number(m[1]);
}

before(async () => {
  // Random weights with the default std 0.02 give logits spread by ~0.3: every distribution is close to
  // uniform over the 4096 tokens, the KL of any quantization is ~1e-5 and the argmax is decided by noise,
  // so neither the KLD nor the top-1 ordering would say much. std 0.08 (token_embd std 1) spreads the
  // logits by a few units: the distributions are peaked (PPL ≈ 2·n_vocab, i.e. confidently wrong on
  // random text) and quantization moves real probability mass. Measured with this seed and text:
  // KLD ≈ 0.0003 / 0.025 / 0.039 and same top ≈ 96 / 71 / 55 % for Q8_0 / Q4_K_M / Q4_0. Larger std
  // (0.15) makes the two 4-bit types nearly indistinguishable (both scramble the argmax: same top ≈ 20 %).
  writeTestModel(basePath, GgmlType.F16, { nVocab: 4096, std: 0.08, embdStd: 1, seed: 21 });
  writeFileSync(textPath, text);
});
after(() => tmp.cleanup());

test('quantize --kld-file: KLD Q8_0 < Q4_K_M < Q4_0, top-1 agreement the other way, PPL = llama.cpp', async (t) => {
  for (const type of ['q8_0', 'q4_k_m', 'q4_0']) {
    const out = join(tmp.dir, `${type}.gguf`);
    const report = await pocketlm([
      'quantize',
      basePath,
      out,
      '--type',
      type,
      '--kld-file',
      textPath,
      '--kld-ctx',
      String(N_CTX),
      '--threads',
      '2',
    ]);
    assert.match(report, /KL divergence of .* against /);
    const ref = await loadRef(out);
    let refPpl: number;
    try {
      refPpl = (await llamaCppPerplexity(ref, text, N_CTX, { threads: 2 })).ppl;
    } finally {
      await ref.dispose();
    }
    reports.push({
      type,
      kld: field(report, /Mean {4}KLD/),
      sameTop: field(report, /Same top p/) / 100,
      pplQuant: field(report, /Mean PPL\(Q\)/),
      pplBase: field(report, /Mean PPL\(base\)/),
      refPpl,
    });
  }
  for (const r of reports) t.diagnostic(JSON.stringify(r));
  const [q8, q4k, q4] = reports as [QuantReport, QuantReport, QuantReport];
  assert.ok(q8.kld > 0, 'a quantized model differs from its base');
  assert.ok(q8.kld < q4k.kld, `KLD Q8_0 ${q8.kld} < Q4_K_M ${q4k.kld}`);
  assert.ok(q4k.kld < q4.kld, `KLD Q4_K_M ${q4k.kld} < Q4_0 ${q4.kld}`);
  assert.ok(q8.sameTop > q4k.sameTop, `same top Q8_0 ${q8.sameTop} > Q4_K_M ${q4k.sameTop}`);
  assert.ok(q4k.sameTop > q4.sameTop, `same top Q4_K_M ${q4k.sameTop} > Q4_0 ${q4.sameTop}`);
  for (const r of reports) {
    // the PPL(Q) of the KL report is pocketlm's perplexity of the quantized file on the same windows
    const d = relDiff(r.pplQuant, r.refPpl);
    assert.ok(
      d < 0.005,
      `${r.type}: pocketlm PPL ${r.pplQuant} vs llama.cpp ${r.refPpl} (${(100 * d).toFixed(3)} %)`,
    );
    assert.equal(r.pplBase, q8.pplBase, 'the base PPL does not depend on the quantized file');
  }
  // and `eval ppl` on a quantized file gives the same number as the KL report
  const ppl = JSON.parse(
    await pocketlm([
      'eval',
      'ppl',
      '-m',
      join(tmp.dir, 'q4_0.gguf'),
      '-f',
      textPath,
      '-c',
      String(N_CTX),
      '--json',
    ]),
  ) as { ppl: number };
  assert.ok(relDiff(ppl.ppl, q4.pplQuant) < 1e-5, `eval ppl ${ppl.ppl} vs KL report PPL(Q) ${q4.pplQuant}`);
});

test('quantize --kld-file names a missing text file before quantizing', async () => {
  await assert.rejects(
    pocketlm([
      'quantize',
      basePath,
      join(tmp.dir, 'x.gguf'),
      '--type',
      'q8_0',
      '--kld-file',
      join(tmp.dir, 'nope.txt'),
    ]),
    /--kld-file .*nope\.txt/,
  );
});
