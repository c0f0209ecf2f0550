// Shared pieces of the eval-engine tests: deterministic text, the pocketlm CLI, and llama.cpp's perplexity.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LlamaModel } from 'node-llama-cpp';
import { WeightRng } from '../../src/model/random.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Plain English words (all tokenize within the first few thousand Phi-3 pieces or as byte fallback). */
const WORDS = (
  'the of and to in is was for on that with as by at from his her it an were are which this be or has had ' +
  'not but first one their its new after who they two have all been into time other when during there more ' +
  'she would him up over most later only three years city may world people so second some state before ' +
  'while made many where than then film game team season river water small large north south house school ' +
  'music album band song line war early year number group work part life until between under against'
).split(' ');

/** A deterministic pseudo-English text of `nWords` words in sentences (same seed → same text). */
export function deterministicText(nWords: number, seed: number): string {
  const rng = new WeightRng(seed);
  const out: string[] = [];
  let sentence = 0;
  for (let i = 0; i < nWords; i++) {
    let w = WORDS[rng.u32() % WORDS.length]!;
    if (sentence === 0) w = w[0]!.toUpperCase() + w.slice(1);
    sentence++;
    if (sentence > 6 && rng.u32() % 5 === 0) {
      w += rng.u32() % 4 === 0 ? ',' : '.';
      if (w.endsWith('.')) sentence = 0;
    }
    out.push(w);
  }
  return `${out.join(' ')}.\n`;
}

/** Runs `pocketlm ARGS…` (through tsx, as a user would) and returns stdout; stderr is attached on failure. */
export async function pocketlm(args: string[], timeoutMs = 90_000): Promise<string> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
      cwd: ROOT,
      timeout: timeoutMs,
      maxBuffer: 64 << 20,
    });
    return r.stdout;
  } catch (e) {
    const err = e as Error & { stderr?: string; stdout?: string };
    throw new Error(`pocketlm ${args.join(' ')} failed: ${err.message}\n${err.stderr ?? ''}`);
  }
}

/** llama.cpp's per-window result: the nll of every scored position. */
export interface RefPerplexity {
  ppl: number;
  count: number;
  /** Running PPL after each window, as llama.cpp prints `[i]…`. */
  chunkPpl: number[];
  /** The tokens llama.cpp's tokenizer produced (with BOS when the model adds it). */
  tokens: number[];
  /** PPL when every position 1 … n_ctx−2 is scored instead of the second half (for sensitivity checks). */
  pplAllPositions: number;
}

/**
 * Perplexity of `text` computed from llama.cpp's (node-llama-cpp) per-position probabilities with
 * llama-perplexity's method: tokenized with BOS, cut into non-overlapping windows of `nCtx` tokens, each
 * window's first token replaced by BOS and evaluated from an empty context, rows n_ctx/2 … n_ctx−2
 * scored against the next token.
 */
export async function llamaCppPerplexity(
  model: LlamaModel,
  text: string,
  nCtx: number,
  opts: { threads?: number; addBos?: boolean; bosId?: number; maxChunks?: number } = {},
): Promise<RefPerplexity> {
  const addBos = opts.addBos ?? true;
  const bosId = opts.bosId ?? 1;
  const tokens = [...(addBos ? [bosId] : []), ...(model.tokenize(text, false) as number[])];
  let nChunks = Math.floor(tokens.length / nCtx);
  if (opts.maxChunks !== undefined) nChunks = Math.min(nChunks, opts.maxChunks);
  if (tokens.length < 2 * nCtx) throw new Error(`text gives ${tokens.length} tokens, need ${2 * nCtx}`);
  const first = Math.floor(nCtx / 2);
  const ctx = await model.createContext({
    contextSize: nCtx,
    batchSize: nCtx,
    threads: opts.threads ?? 2,
    flashAttention: false,
  });
  let sum = 0;
  let count = 0;
  let sumAll = 0;
  let countAll = 0;
  const chunkPpl: number[] = [];
  const seq = ctx.getSequence();
  try {
    for (let c = 0; c < nChunks; c++) {
      await seq.clearHistory(); // every window starts from an empty context
      const start = c * nCtx;
      const input = tokens.slice(start, start + nCtx - 1); // the last token is only a target
      if (addBos) input[0] = bosId;
      const items = input.map((t) => [
        t,
        { generateNext: { probabilities: true, options: { temperature: 0 } } },
      ]);
      const res = (await seq.controlledEvaluate(items as never)) as {
        next: { probabilities: Map<number, number> };
      }[];
      for (let j = 0; j < nCtx - 1; j++) {
        const p = res[j]!.next.probabilities.get(tokens[start + j + 1]!) ?? 0;
        const nll = -Math.log(p);
        if (j >= 1) {
          sumAll += nll;
          countAll++;
        }
        if (j >= first) {
          sum += nll;
          count++;
        }
      }
      chunkPpl.push(Math.exp(sum / count));
    }
  } finally {
    await ctx.dispose();
  }
  return {
    ppl: Math.exp(sum / count),
    count,
    chunkPpl,
    tokens,
    pplAllPositions: Math.exp(sumAll / countAll),
  };
}

/** |a − b| / b. */
export function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}
