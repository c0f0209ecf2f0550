// llama.cpp (node-llama-cpp 3.21.1) as the reference: tokenization and last-position log-probabilities.
import { getLlama, type Llama, type LlamaModel } from 'node-llama-cpp';

let llamaPromise: Promise<Llama> | undefined;

/** The llama.cpp runtime, CPU only, never building or downloading anything. */
export function llama(): Promise<Llama> {
  llamaPromise ??= getLlama({ gpu: false, build: 'never', logLevel: 'error' as never, progressLogs: false });
  return llamaPromise;
}

/** Loads a GGUF into llama.cpp (no mmap so repeated loads see fresh files). */
export async function loadRef(modelPath: string): Promise<LlamaModel> {
  const l = await llama();
  return l.loadModel({ modelPath, useMmap: false });
}

/**
 * llama.cpp's log-softmax over the whole vocabulary after evaluating `tokens` from an empty context
 * (temperature 0 makes the reported probabilities cover every id).
 */
export async function refLogProbs(
  model: LlamaModel,
  tokens: number[],
  nVocab: number,
  threads = 1,
): Promise<Float64Array> {
  const ctx = await model.createContext({
    contextSize: Math.max(256, tokens.length + 16),
    batchSize: 512,
    threads,
    flashAttention: false,
  });
  try {
    const seq = ctx.getSequence();
    const items: unknown[] = tokens.slice(0, -1);
    items.push([tokens.at(-1), { generateNext: { probabilities: true, options: { temperature: 0 } } }]);
    const res = await seq.controlledEvaluate(items as never);
    const probs = (res.at(-1) as { next: { probabilities: Map<number, number> } }).next.probabilities;
    const out = new Float64Array(nVocab).fill(Number.NEGATIVE_INFINITY);
    for (const [id, p] of probs) if (id < nVocab) out[id] = Math.log(p);
    return out;
  } finally {
    await ctx.dispose();
  }
}

/** log-softmax of float logits, in double. */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! - lse;
  return out;
}
