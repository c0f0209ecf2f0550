// Manual cross-check (not a test): pocketlm's perplexity/KLD over llama.cpp logits (node-llama-cpp) vs llama-perplexity.
// Usage: node --import tsx test/eval/llama-cpp-crosscheck.ts MODEL.gguf TEXT.txt N_CTX [QUANT.gguf [BASE_FILE_IN [BASE_FILE_OUT]]]
// then compare with: llama-perplexity -m MODEL.gguf -f TEXT.txt -c N_CTX -b N_CTX  (and --kl-divergence-base/--kl-divergence).
// BASE_FILE_IN: a llama.cpp --kl-divergence-base file to read; BASE_FILE_OUT: where to write pocketlm's own.
import { readFileSync } from 'node:fs';
import { getLlama, type LlamaModel, type Token } from 'node-llama-cpp';
import { formatKld, klDivergenceOfTokens } from '../../src/eval/kld.js';
import { klDivergenceFromBase, saveKldBase } from '../../src/eval/kld-base-node.js';
import type { ScoringModel } from '../../src/eval/model.js';
import { formatPerplexity, perplexityOfTokens } from '../../src/eval/perplexity.js';
import { planWindows, windowInput } from '../../src/eval/windows.js';
import { readGgufHeader } from '../../src/format/gguf-node.js';

const [modelPath, textPath, nCtxArg, quantPath, baseIn, baseOut] = process.argv.slice(2);
if (!modelPath || !textPath || !nCtxArg) throw new Error('usage: MODEL.gguf TEXT.txt N_CTX [QUANT.gguf]');
const nCtx = Number(nCtxArg);
const llama = await getLlama({ gpu: false, build: 'never' });

/** A ScoringModel whose logits rows (as log-probabilities) were computed beforehand with llama.cpp. */
async function cachedModel(path: string, tokens: number[]): Promise<ScoringModel> {
  const model: LlamaModel = await llama.loadModel({ modelPath: path });
  const tokensEntry = readGgufHeader(path).header.metadata.get('tokenizer.ggml.tokens');
  const nVocab = (tokensEntry?.value as unknown[] | undefined)?.length ?? 0;
  if (!nVocab) throw new Error(`${path}: no tokenizer.ggml.tokens`);
  const bosId = model.tokens.bos ?? undefined;
  const addBos = model.tokens.shouldPrependBosToken;
  const context = await model.createContext({ contextSize: nCtx, batchSize: nCtx, sequences: 1 });
  const cache = new Map<string, Float32Array>();
  const sm: ScoringModel = {
    nVocab,
    bosId: bosId as number | undefined,
    addBos,
    tokenize: (text, o) => {
      const t = model.tokenize(text, o?.parseSpecial ?? false) as number[];
      return (o?.addBos ?? addBos) && bosId !== null ? [bosId as number, ...t] : t;
    },
    logitsAll: (t) => {
      const hit = cache.get(t.join(','));
      if (!hit) throw new Error('window not precomputed');
      return hit;
    },
  };
  const plan = planWindows(tokens.length, { nCtx });
  const seq = context.getSequence();
  for (let c = 0; c < plan.nChunks; c++) {
    const input = windowInput(sm, tokens, plan, c);
    await seq.clearHistory();
    const out = await seq.controlledEvaluate(
      input.map((t, i) =>
        i >= plan.first
          ? [
              t as Token,
              {
                generateNext: { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0 } },
              },
            ]
          : (t as Token),
      ),
    );
    const logits = new Float32Array(nCtx * nVocab);
    for (let i = plan.first; i < nCtx; i++) {
      const row = logits.subarray(i * nVocab, (i + 1) * nVocab).fill(-1e30);
      for (const [tok, p] of out[i]!.next!.probabilities!) if (tok < nVocab && p > 0) row[tok] = Math.log(p);
    }
    cache.set(input.join(','), logits);
  }
  return sm;
}

const text = readFileSync(textPath, 'utf8');
const tokModel = await llama.loadModel({ modelPath });
const tokens = tokModel.tokenize(text, false) as number[];
if (tokModel.tokens.shouldPrependBosToken && tokModel.tokens.bos !== null)
  tokens.unshift(tokModel.tokens.bos);
console.log(`tokens: ${tokens.length}`);
const base = await cachedModel(modelPath, tokens);
process.stdout.write(formatPerplexity(perplexityOfTokens(base, tokens, { nCtx })));
if (quantPath) {
  const quant = await cachedModel(quantPath, tokens);
  process.stdout.write(formatKld(klDivergenceOfTokens(base, quant, tokens, { nCtx })));
  if (baseIn) {
    console.log(`\n=== from llama.cpp base file ${baseIn} ===`);
    process.stdout.write(formatKld(klDivergenceFromBase(quant, baseIn)));
  }
  if (baseOut) {
    const s = saveKldBase(base, text, baseOut, { nCtx, nBatch: nCtx });
    console.log(`wrote ${baseOut}: ${s.bytes} bytes, base PPL ${s.ppl.toFixed(4)}`);
  }
}
