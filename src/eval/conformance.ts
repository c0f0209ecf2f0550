// Checks any ScoringModel implementation against the contract the evaluators rely on.
import type { ScoringModel } from './model.js';

/** Options for {@link checkScoringModel}. */
export interface ConformanceOptions {
  /** Largest allowed |difference| between a row computed with and without later tokens (default 1e-3). */
  tolerance?: number;
  /** Tokens of the sample used for the causality check (default 12). */
  maxTokens?: number;
}

/**
 * Returns the ways `model` breaks the ScoringModel contract on `sample` (empty when it conforms):
 * tokenize honours addBos and starts with bosId; logitsAll returns T×nVocab finite values; it is
 * deterministic; and it is causal and context-free — row i is the same whether or not tokens after i
 * are present (so each call really starts from an empty context).
 */
export function checkScoringModel(
  model: ScoringModel,
  sample: string,
  opts: ConformanceOptions = {},
): string[] {
  const problems: string[] = [];
  const tol = opts.tolerance ?? 1e-3;
  if (!Number.isInteger(model.nVocab) || model.nVocab < 2)
    problems.push(`nVocab must be an integer ≥ 2, got ${model.nVocab}`);
  const withBos = model.tokenize(sample, { addBos: true });
  const without = model.tokenize(sample, { addBos: false });
  if (model.bosId !== undefined) {
    if (withBos[0] !== model.bosId)
      problems.push(`tokenize(addBos: true) starts with ${withBos[0]}, not bosId ${model.bosId}`);
    if (withBos.length !== without.length + 1) {
      problems.push(
        `tokenize(addBos: true) gave ${withBos.length} tokens, addBos: false ${without.length} (expected one more)`,
      );
    }
  } else if (model.addBos) {
    problems.push('addBos is true but bosId is undefined');
  }
  const byDefault = model.tokenize(sample);
  if (model.addBos && model.bosId !== undefined && byDefault[0] !== model.bosId) {
    problems.push('tokenize() without options does not add BOS although addBos is true');
  }
  const bad = without.find((t) => !Number.isInteger(t) || t < 0 || t >= model.nVocab);
  if (bad !== undefined) problems.push(`tokenize produced token ${bad}, outside 0..${model.nVocab - 1}`);
  if (problems.length) return problems;

  const tokens = (model.addBos ? withBos : without).slice(0, opts.maxTokens ?? 12);
  if (tokens.length < 2) return [`sample ${JSON.stringify(sample)} is too short for the logits checks`];
  const V = model.nVocab;
  const full = model.logitsAll(tokens);
  if (full.length !== tokens.length * V) {
    return [
      `logitsAll(${tokens.length} tokens) returned ${full.length} values, expected ${tokens.length * V}`,
    ];
  }
  const nonFinite = full.findIndex((x) => !Number.isFinite(x));
  if (nonFinite >= 0)
    problems.push(`logitsAll value ${nonFinite} (row ${Math.floor(nonFinite / V)}) is ${full[nonFinite]}`);
  const again = model.logitsAll(tokens);
  let dDet = 0;
  for (let i = 0; i < full.length; i++) dDet = Math.max(dDet, Math.abs(full[i]! - again[i]!));
  if (dDet > tol) problems.push(`logitsAll is not deterministic: a second call differs by ${dDet}`);
  for (const n of [1, Math.ceil(tokens.length / 2)]) {
    const part = model.logitsAll(tokens.slice(0, n));
    let d = 0;
    for (let i = 0; i < n * V; i++) d = Math.max(d, Math.abs(part[i]! - full[i]!));
    if (d > tol) {
      problems.push(
        `rows 0..${n - 1} differ by ${d} when computed from the first ${n} tokens only (not causal / not from an empty context)`,
      );
    }
  }
  return problems;
}
