// Perplexity exactly as llama.cpp's `llama-perplexity` computes it (non-overlapping windows, second half scored).
import { checkLogitsShape, logProbAt, type ScoringModel, throwIfAborted } from './model.js';
import { planWindows, tokenizeForPerplexity, type WindowOptions, windowInput } from './windows.js';

/** Options for {@link perplexity}. */
export interface PerplexityOptions extends WindowOptions {
  /** Called after every window with the running perplexity (llama.cpp prints it as `[i]ppl,`). */
  onProgress?: (p: PerplexityProgress) => void;
  signal?: AbortSignal;
}

/** Progress after one window. */
export interface PerplexityProgress {
  chunk: number;
  nChunks: number;
  /** Running perplexity exp(Σnll / count) over all windows so far. */
  ppl: number;
  count: number;
}

/** The result of a perplexity run (fields named after llama.cpp's output). */
export interface PerplexityResult {
  /** Final perplexity exp(mean nll). */
  ppl: number;
  /** llama.cpp's "+/-": ppl · sqrt(var(nll) / (count - 1)); 0 when the variance is not positive. */
  pplUncertainty: number;
  /** Mean negative log-likelihood (nats per token). */
  meanNll: number;
  /** Tokens scored: n_chunks · (n_ctx - 1 - n_ctx/2). */
  count: number;
  /** Tokens in the tokenized text (with BOS when the model adds it). */
  nTokens: number;
  nCtx: number;
  nBatch: number;
  nSeq: number;
  nChunks: number;
  /** Running perplexity after each window, as llama.cpp prints `[1]…,[2]…`. */
  chunkPpl: number[];
}

/** Perplexity of `text` under `model`, tokenized whole with BOS as llama.cpp does. */
export function perplexity(
  model: ScoringModel,
  text: string,
  opts: PerplexityOptions = {},
): PerplexityResult {
  return perplexityOfTokens(model, tokenizeForPerplexity(model, text), opts);
}

/**
 * Perplexity of an already tokenized stream (e.g. a trainer's validation tokens): windows of n_ctx tokens,
 * the first replaced by BOS when the model adds BOS, logits of rows first..n_ctx-2 (first = n_ctx/2)
 * scored against the next token, nll and nll² accumulated in double.
 */
export function perplexityOfTokens(
  model: ScoringModel,
  tokens: number[],
  opts: PerplexityOptions = {},
): PerplexityResult {
  const plan = planWindows(tokens.length, opts);
  const { nCtx, nChunks, first } = plan;
  const nVocab = model.nVocab;
  let nll = 0;
  let nll2 = 0;
  let count = 0;
  const chunkPpl: number[] = [];
  for (let i = 0; i < nChunks; i++) {
    throwIfAborted(opts.signal);
    const logits = model.logitsAll(windowInput(model, tokens, plan, i), { signal: opts.signal });
    checkLogitsShape(logits, nCtx, nVocab);
    const start = i * nCtx;
    for (let j = first; j < nCtx - 1; j++) {
      const v = -logProbAt(logits, j, nVocab, tokens[start + j + 1]!);
      nll += v;
      nll2 += v * v;
    }
    count += nCtx - 1 - first;
    const ppl = Math.exp(nll / count);
    chunkPpl.push(ppl);
    opts.onProgress?.({ chunk: i + 1, nChunks, ppl, count });
  }
  const meanNll = nll / count;
  const ppl = Math.exp(meanNll);
  let variance = nll2 / count - meanNll * meanNll;
  let pplUncertainty = 0;
  if (variance > 0) {
    variance = Math.sqrt(variance / (count - 1));
    pplUncertainty = variance * ppl;
  }
  return {
    ppl,
    pplUncertainty,
    meanNll,
    count,
    nTokens: tokens.length,
    nCtx,
    nBatch: plan.nBatch,
    nSeq: plan.nSeq,
    nChunks,
    chunkPpl,
  };
}

/** llama.cpp-style text: the running `[i]ppl,` line and `Final estimate: PPL = x +/- y`. */
export function formatPerplexity(r: PerplexityResult): string {
  const running = r.chunkPpl.map((p, i) => `[${i + 1}]${p.toFixed(4)},`).join('');
  return `${running}\nFinal estimate: PPL = ${r.ppl.toFixed(4)} +/- ${r.pplUncertainty.toFixed(5)}\n`;
}
