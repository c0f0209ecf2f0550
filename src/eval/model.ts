// The scoring interface the evaluators program against, plus small log-softmax helpers shared by them.

/** A causal language model as the evaluators see it: a tokenizer and full-sequence logits. */
export interface ScoringModel {
  readonly nVocab: number;
  readonly bosId: number | undefined;
  readonly addBos: boolean;
  tokenize(text: string, opts?: { addBos?: boolean; parseSpecial?: boolean }): number[];
  /** Logits for every position of `tokens` (row i = logits after tokens[0..i]), T×nVocab row-major, evaluated from an empty context. */
  logitsAll(tokens: number[], opts?: { signal?: AbortSignal }): Float32Array;
  applyChatTemplate?(messages: { role: string; content: string }[], addGenerationPrompt: boolean): string;
}

/** Checks that `logits` holds `nTokens` rows of `nVocab` values; throws naming the mismatch otherwise. */
export function checkLogitsShape(logits: Float32Array, nTokens: number, nVocab: number, who = 'model'): void {
  if (logits.length !== nTokens * nVocab) {
    throw new Error(
      `${who}.logitsAll returned ${logits.length} values, expected ${nTokens}×${nVocab} = ${nTokens * nVocab}`,
    );
  }
}

/**
 * log p(tok) under softmax of row `row` of `logits`, computed as llama.cpp's perplexity tool does:
 * max over float logits, exp of the float-rounded difference rounded to float, summed in double.
 */
export function logProbAt(logits: Float32Array, row: number, nVocab: number, tok: number): number {
  const o = row * nVocab;
  let max = logits[o]!;
  for (let i = 1; i < nVocab; i++) if (logits[o + i]! > max) max = logits[o + i]!;
  let sum = 0;
  for (let i = 0; i < nVocab; i++) sum += Math.fround(Math.exp(Math.fround(logits[o + i]! - max)));
  return Math.fround(logits[o + tok]! - max) - Math.log(sum);
}

/** Full log-softmax of one row in double precision (Float64Array of nVocab), and the row's argmax. */
export function logSoftmaxRow(
  logits: Float32Array,
  row: number,
  nVocab: number,
): { logp: Float64Array; argmax: number } {
  const o = row * nVocab;
  let max = logits[o]!;
  let argmax = 0;
  for (let i = 1; i < nVocab; i++) {
    if (logits[o + i]! > max) {
      max = logits[o + i]!;
      argmax = i;
    }
  }
  let sum = 0;
  for (let i = 0; i < nVocab; i++) sum += Math.exp(logits[o + i]! - max);
  const lse = max + Math.log(sum);
  const logp = new Float64Array(nVocab);
  for (let i = 0; i < nVocab; i++) logp[i] = logits[o + i]! - lse;
  return { logp, argmax };
}

/** Throws the signal's reason (or an AbortError) when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('evaluation aborted');
}
