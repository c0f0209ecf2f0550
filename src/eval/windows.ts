// Splits a token stream into llama.cpp's perplexity windows (non-overlapping n_ctx chunks, BOS at each start).
import type { ScoringModel } from './model.js';

/** Window settings shared by perplexity and KL-divergence, as llama.cpp's `-c`, `-b`, `--chunks`. */
export interface WindowOptions {
  /** Context size n_ctx: tokens per window (llama.cpp's default for perplexity: 512). */
  nCtx?: number;
  /**
   * llama.cpp's n_batch (default 2048). When n_batch ≥ n_ctx, llama.cpp evaluates n_seq = n_batch / n_ctx
   * windows per decode; here that sets how many windows are evaluated between progress reports. The
   * numbers do not depend on it (as in llama.cpp).
   */
  nBatch?: number;
  /** Use at most this many windows (llama.cpp's `--chunks`; negative or undefined = all). */
  nChunks?: number;
  /**
   * Require at least 2·n_ctx tokens as llama.cpp does (default true). With false, one window
   * (n_ctx tokens) is enough, which suits small validation sets.
   */
  llamaCppMinimum?: boolean;
}

/** The resolved window plan for one token stream. */
export interface WindowPlan {
  nCtx: number;
  nBatch: number;
  /** Windows evaluated per group: max(1, floor(n_batch / n_ctx)). */
  nSeq: number;
  nChunks: number;
  /** first = n_ctx/2: rows ≥ first are scored; each window scores n_ctx - 1 - first tokens. */
  first: number;
}

/** Resolves the window plan for `nTokens` tokens, throwing when the text is too short. */
export function planWindows(nTokens: number, opts: WindowOptions = {}): WindowPlan {
  const nCtx = opts.nCtx ?? 512;
  if (!Number.isInteger(nCtx) || nCtx < 4) throw new Error(`n_ctx must be an integer ≥ 4, got ${nCtx}`);
  const nBatchIn = opts.nBatch ?? 2048;
  if (!Number.isInteger(nBatchIn) || nBatchIn < 1)
    throw new Error(`n_batch must be a positive integer, got ${nBatchIn}`);
  const nSeq = Math.max(1, Math.floor(nBatchIn / nCtx));
  const nBatch = Math.min(nBatchIn, nSeq * nCtx);
  const need = opts.llamaCppMinimum === false ? nCtx : 2 * nCtx;
  if (nTokens < need) {
    throw new Error(
      `text too short: need at least ${need} tokens to evaluate perplexity with a context of ${nCtx}` +
        `${need === 2 * nCtx ? ' (2·n_ctx, as llama.cpp requires)' : ''}, but it tokenizes to only ${nTokens} tokens`,
    );
  }
  const nChunkMax = Math.floor(nTokens / nCtx);
  const nChunks =
    opts.nChunks === undefined || opts.nChunks < 0 ? nChunkMax : Math.min(opts.nChunks, nChunkMax);
  if (nChunks < 1) throw new Error(`--chunks must leave at least one window, got ${opts.nChunks}`);
  return { nCtx, nBatch, nSeq, nChunks, first: Math.floor(nCtx / 2) };
}

/**
 * Tokenizes the whole text as llama.cpp does (`common_tokenize(ctx, text, add_special = true)`: BOS when
 * the model adds it, special-token text such as "<|end|>" NOT parsed as special tokens).
 */
export function tokenizeForPerplexity(model: ScoringModel, text: string): number[] {
  return model.tokenize(text, { addBos: model.addBos, parseSpecial: false });
}

/**
 * The input tokens of window `i`: tokens[i·n_ctx, (i+1)·n_ctx) with the first replaced by BOS when the
 * model adds BOS (targets always come from the original stream).
 */
export function windowInput(
  model: ScoringModel,
  tokens: ArrayLike<number>,
  plan: WindowPlan,
  i: number,
): number[] {
  const start = i * plan.nCtx;
  const input: number[] = Array.prototype.slice.call(tokens, start, start + plan.nCtx);
  if (model.addBos) {
    if (model.bosId === undefined) throw new Error('model adds BOS but has no bosId');
    input[0] = model.bosId;
  }
  return input;
}
