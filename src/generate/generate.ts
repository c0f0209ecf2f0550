// Token generation loop: evaluate the prompt, sample, stream text pieces, stop on end-of-generation tokens,
// stop strings, max tokens or an AbortSignal.
import type { InferenceContext } from '../model/transformer.js';
import type { DecodeStep } from './batch.js';
import { Sampler, type SamplerOptions } from './sampler.js';
import { StopMatcher } from './stop.js';

/** Turns token ids into text without ever splitting a UTF-8 character. */
export interface TokenTextDecoder {
  push(id: number): string;
  flush(): string;
}

/** What the loop needs from a tokenizer. */
export interface GenerationVocab {
  isEog(id: number): boolean;
  createDecoder(): TokenTextDecoder;
}

/** Restricts which tokens may come next (JSON-schema grammars implement it). */
export interface TokenConstraint {
  /** True if `id` may be sampled next. */
  allows(id: number): boolean;
  /** Advances the constraint's state past `id`. */
  accept(id: number): void;
  /** True when the constrained output is complete (generation stops). */
  done(): boolean;
}

export interface GenerateOptions extends SamplerOptions {
  /** Most tokens to generate (default 256). */
  maxTokens?: number;
  /** Stop when any of these strings appears; the string itself is not returned. */
  stop?: string[];
  signal?: AbortSignal;
  constraint?: TokenConstraint;
  /** Keep generating past end-of-generation tokens (benchmarks). */
  ignoreEog?: boolean;
  /** Runs decode steps batched with other generations on the same model (see DecodeScheduler). */
  scheduler?: DecodeStep;
}

export type FinishReason = 'stop' | 'length' | 'abort' | 'constraint';

/** One streamed piece. `text` may be '' (a byte of a multi-byte character, or text held back for stop strings). */
export interface GenerationChunk {
  token: number;
  text: string;
}

export interface GenerationTimings {
  prompt_tokens: number;
  prompt_ms: number;
  gen_tokens: number;
  gen_ms: number;
}

export interface GenerationResult {
  text: string;
  tokens: number[];
  finishReason: FinishReason;
  /** True when a stop string ended generation (the tokens then decode to more than `text`). */
  stoppedByString: boolean;
  timings: GenerationTimings;
}

// Lets other work (server requests, abort signals) run between tokens; workers have no setImmediate.
const tick: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise<void>((r) => setImmediate(r))
    : () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * Generates from `ctx` after feeding `prompt` (appended to whatever the context already holds). Yields
 * chunks as they are produced; the generator's return value is the whole result.
 */
export async function* generate(
  ctx: InferenceContext,
  vocab: GenerationVocab,
  prompt: number[],
  opts: GenerateOptions = {},
): AsyncGenerator<GenerationChunk, GenerationResult, void> {
  const maxTokens = opts.maxTokens ?? 256;
  const sampler = new Sampler(ctx.model.config.nVocab, opts);
  const decoder = vocab.createDecoder();
  const stop = new StopMatcher(opts.stop ?? []);
  const tokens: number[] = [];
  const recent: number[] = [...prompt];
  let text = '';
  let finishReason: FinishReason = 'length';
  const signal = opts.signal;

  const t0 = performance.now();
  if (signal?.aborted) return result('abort', 0, 0);
  let logits = ctx.eval(prompt, 'last');
  const promptMs = performance.now() - t0;
  const t1 = performance.now();

  function result(reason: FinishReason, pMs: number, gMs: number): GenerationResult {
    return {
      text,
      tokens,
      finishReason: reason,
      stoppedByString: stop.stopped,
      timings: { prompt_tokens: prompt.length, prompt_ms: pMs, gen_tokens: tokens.length, gen_ms: gMs },
    };
  }

  while (tokens.length < maxTokens) {
    if (signal?.aborted) {
      finishReason = 'abort';
      break;
    }
    const c = opts.constraint;
    const id = sampler.sample(logits, recent, c ? (t) => c.allows(t) : undefined);
    if (!opts.ignoreEog && vocab.isEog(id) && !c) {
      finishReason = 'stop';
      break;
    }
    c?.accept(id);
    tokens.push(id);
    recent.push(id);
    const piece = stop.push(decoder.push(id));
    text += piece.text;
    yield { token: id, text: piece.text };
    if (piece.stopped) {
      finishReason = 'stop';
      break;
    }
    if (c?.done()) {
      finishReason = 'constraint';
      break;
    }
    if (tokens.length >= maxTokens) break;
    if (ctx.nPast >= ctx.nCtx) {
      finishReason = 'length';
      break;
    }
    if (opts.scheduler) logits = await opts.scheduler.decode(ctx, id);
    else {
      logits = ctx.eval([id], 'last');
      await tick();
    }
  }
  if (finishReason !== 'stop' || !stop.stopped) {
    const rest = stop.push(decoder.flush());
    const tail = rest.text + (rest.stopped ? '' : stop.flush());
    if (tail) {
      text += tail;
      yield { token: -1, text: tail };
    }
  }
  return result(finishReason, promptMs, performance.now() - t1);
}

/** Runs `generate` to completion and returns the result (no streaming). */
export async function generateAll(
  ctx: InferenceContext,
  vocab: GenerationVocab,
  prompt: number[],
  opts: GenerateOptions = {},
  onChunk?: (c: GenerationChunk) => void,
): Promise<GenerationResult> {
  const it = generate(ctx, vocab, prompt, opts);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
    onChunk?.(r.value);
  }
}
