// "Good data" experiment pieces: deterministic train/held-out corpora, held-out evaluation and sampling for small phi3 models.

import { readCheckpoint } from '../../src/train/checkpoint.js';
import { TrainModel } from '../../src/train/model.js';
import { Rng } from '../../src/train/rng.js';
import { type CorpusDoc, generateCorpus } from '../default-model/corpus.js';

/** Corpus sizes and seeds of one experiment (the same for both recipes). */
export interface SplitOptions {
  /** Generator seed of the training pools (raw web + synthetic). */
  seed: number;
  /** Raw "web" documents in the training pool. */
  webDocs: number;
  /** Synthetic textbook documents in the training pool (recipe b only). */
  syntheticDocs: number;
  /** Held-out raw web documents (generated from seed + 1, never trained on). */
  heldoutWebDocs: number;
  /** Held-out educational documents (web-format school paragraphs and exercises, from seed + 2). */
  heldoutEduDocs: number;
  /** Held-out textbook lessons/exercises in the synthetic format (from seed + 2). */
  heldoutTextbookDocs: number;
}

/** The sizes used by `run.ts` (full run) and `run.ts --quick`. */
export const SPLITS: Record<'full' | 'quick', SplitOptions> = {
  full: {
    seed: 2026,
    webDocs: 12000,
    syntheticDocs: 5000,
    heldoutWebDocs: 800,
    heldoutEduDocs: 500,
    heldoutTextbookDocs: 250,
  },
  quick: {
    seed: 2026,
    webDocs: 1500,
    syntheticDocs: 600,
    heldoutWebDocs: 120,
    heldoutEduDocs: 80,
    heldoutTextbookDocs: 40,
  },
};

/** Training pools and held-out sets; `removed` counts held-out documents dropped for exact overlap. */
export interface Splits {
  trainWeb: CorpusDoc[];
  trainSynthetic: CorpusDoc[];
  heldout: { web: CorpusDoc[]; edu: CorpusDoc[]; textbook: CorpusDoc[] };
  removed: { web: number; edu: number; textbook: number };
}

/** Whitespace-normalized text, the key of the exact-overlap check. */
export function normText(t: string): string {
  return t.replace(/\s+/g, ' ').trim();
}

/**
 * Builds the training pools and the held-out sets, deterministically from `o`.
 * Held-out sets come from other generator seeds (so near-duplicates in held-out web copy held-out pages, not
 * training pages); any held-out document whose whitespace-normalized text equals a training-pool document
 * (raw web or synthetic) is removed, so nothing held out was trained on verbatim. Ids are prefixed `ho-`.
 */
export function buildSplits(o: SplitOptions): Splits {
  const { web: trainWeb, synthetic: trainSynthetic } = generateCorpus({
    seed: o.seed,
    webDocs: o.webDocs,
    syntheticDocs: o.syntheticDocs,
  });
  const seen = new Set<string>();
  for (const d of trainWeb) seen.add(normText(d.text));
  for (const d of trainSynthetic) seen.add(normText(d.text));
  const fresh = (d: CorpusDoc) => !seen.has(normText(d.text));
  const relabel = (d: CorpusDoc, set: string): CorpusDoc => ({ ...d, id: `ho-${set}-${d.id}` });

  const hw = generateCorpus({ seed: o.seed + 1, webDocs: o.heldoutWebDocs, syntheticDocs: 0 }).web;
  const web = hw.filter(fresh).map((d) => relabel(d, 'web'));

  // educational sets: draw from a third stream until enough fresh documents of the wanted kinds are found
  const edu: CorpusDoc[] = [];
  const textbook: CorpusDoc[] = [];
  let removedEdu = 0;
  let removedTextbook = 0;
  let n = Math.max(o.heldoutEduDocs, o.heldoutTextbookDocs) * 2;
  for (;;) {
    edu.length = 0;
    textbook.length = 0;
    removedEdu = 0;
    removedTextbook = 0;
    const c = generateCorpus({ seed: o.seed + 2, webDocs: n, syntheticDocs: n });
    for (const d of c.web) {
      if (edu.length >= o.heldoutEduDocs) break;
      if (d.metadata.kind !== 'edu' && d.metadata.kind !== 'math') continue;
      if (fresh(d)) edu.push(relabel(d, 'edu'));
      else removedEdu++;
    }
    for (const d of c.synthetic) {
      if (textbook.length >= o.heldoutTextbookDocs) break;
      if (d.metadata.kind !== 'textbook' && d.metadata.kind !== 'exercise') continue;
      if (fresh(d)) textbook.push(relabel(d, 'textbook'));
      else removedTextbook++;
    }
    if (edu.length >= o.heldoutEduDocs && textbook.length >= o.heldoutTextbookDocs) break;
    n *= 2;
  }
  return {
    trainWeb,
    trainSynthetic,
    heldout: { web, edu, textbook },
    removed: { web: hw.length - web.length, edu: removedEdu, textbook: removedTextbook },
  };
}

/** Per-kind and overall held-out loss of one model on one set. */
export interface SetEval {
  /** Token-weighted mean cross-entropy, nats/token. */
  loss: number;
  ppl: number;
  /** Target tokens scored. */
  tokens: number;
  docs: number;
  by_kind: Record<string, { loss: number; tokens: number; docs: number }>;
}

/**
 * Cuts a document stream into scoring windows: documents are tokenized as in the mixtures (BOS + text + EOS),
 * concatenated per kind, and cut into consecutive windows of seqLen + 1 tokens that overlap by one token, so each
 * token after the first is a target exactly once (the tail shorter than a window is dropped).
 */
export function evalWindows(
  docs: readonly CorpusDoc[],
  tokenize: (t: string) => number[],
  eos: number,
  seqLen: number,
): Map<string, { windows: Int32Array[]; docs: number }> {
  const streams = new Map<string, { ids: number[]; docs: number }>();
  for (const d of docs) {
    const k = d.metadata.kind;
    let s = streams.get(k);
    if (!s) {
      s = { ids: [], docs: 0 };
      streams.set(k, s);
    }
    for (const id of tokenize(d.text)) s.ids.push(id);
    s.ids.push(eos);
    s.docs++;
  }
  const out = new Map<string, { windows: Int32Array[]; docs: number }>();
  for (const [k, s] of [...streams].sort((a, b) => a[0].localeCompare(b[0]))) {
    const windows: Int32Array[] = [];
    for (let i = 0; i + seqLen + 1 <= s.ids.length; i += seqLen)
      windows.push(Int32Array.from(s.ids.slice(i, i + seqLen + 1)));
    out.set(k, { windows, docs: s.docs });
  }
  return out;
}

/** A float32 model loaded from a trainer checkpoint, for scoring (B = 1) and sampling. */
export function loadEvalModel(checkpoint: string): { model: TrainModel; seqLen: number; nParams: number } {
  const ck = readCheckpoint(checkpoint);
  const seqLen = ck.meta.config.seq_len;
  const model = new TrainModel(ck.meta.model, 1, seqLen);
  model.params.set(ck.params);
  return { model, seqLen, nParams: ck.meta.nParams };
}

/** Scores windows from `evalWindows` with `model` (B = 1): per-kind and token-weighted overall loss. */
export function evaluateSet(
  model: TrainModel,
  seqLen: number,
  windows: Map<string, { windows: Int32Array[]; docs: number }>,
): SetEval {
  const by_kind: SetEval['by_kind'] = {};
  let nats = 0;
  let tokens = 0;
  let docs = 0;
  for (const [k, s] of windows) {
    let kn = 0;
    for (const w of s.windows) kn += model.loss(w.subarray(0, seqLen), w.subarray(1)) * seqLen;
    const kt = s.windows.length * seqLen;
    by_kind[k] = { loss: kt ? kn / kt : Number.NaN, tokens: kt, docs: s.docs };
    nats += kn;
    tokens += kt;
    docs += s.docs;
  }
  const loss = nats / tokens;
  return { loss, ppl: Math.exp(loss), tokens, docs, by_kind };
}

/** Samples `n` tokens after `prompt` ids (temperature sampling, seeded; stops at `eos`). */
export function sample(
  model: TrainModel,
  seqLen: number,
  prompt: number[],
  n: number,
  o: { temp: number; seed: number; eos: number },
): number[] {
  const rng = new Rng(o.seed);
  const ids = [...prompt];
  const V = model.cfg.nVocab;
  const out: number[] = [];
  const buf = new Int32Array(seqLen);
  for (let i = 0; i < n; i++) {
    const ctx = ids.slice(-seqLen);
    buf.fill(0);
    buf.set(ctx);
    const logits = model.logits(buf);
    const row = (ctx.length - 1) * V;
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[row + v] as number);
    const p = new Float64Array(V);
    let sum = 0;
    for (let v = 0; v < V; v++) {
      p[v] = Math.exp(((logits[row + v] as number) - max) / o.temp);
      sum += p[v] as number;
    }
    let u = rng.next() * sum;
    let next = V - 1;
    for (let v = 0; v < V; v++) {
      u -= p[v] as number;
      if (u <= 0) {
        next = v;
        break;
      }
    }
    if (next === o.eos) break;
    ids.push(next);
    out.push(next);
  }
  return out;
}
