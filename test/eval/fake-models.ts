// Fake ScoringModels for the eval tests: a character tokenizer and models with logits known by construction.
import type { ScoringModel } from '../../src/eval/model.js';

/** Token 0 is BOS; tokens 1.. are the characters of `alphabet` (unknown characters map to 1). */
export class CharVocab {
  readonly chars: string[];
  readonly index = new Map<string, number>();
  constructor(alphabet: string) {
    this.chars = ['<s>', ...new Set(alphabet)];
    this.chars.forEach((c, i) => {
      this.index.set(c, i);
    });
  }
  get size(): number {
    return this.chars.length;
  }
  encode(text: string): number[] {
    return [...text].map((c) => this.index.get(c) ?? 1);
  }
  decode(ids: number[]): string {
    return ids.map((i) => (i === 0 ? '' : this.chars[i])).join('');
  }
}

/** Base class: a character tokenizer with BOS = 0, logits produced row by row by `row(prefix)`. */
export abstract class RowModel implements ScoringModel {
  readonly bosId = 0;
  calls: number[][] = [];
  constructor(
    readonly vocab: CharVocab,
    readonly addBos = true,
  ) {}
  get nVocab(): number {
    return this.vocab.size;
  }
  tokenize(text: string, opts: { addBos?: boolean } = {}): number[] {
    const ids = this.vocab.encode(text);
    return (opts.addBos ?? this.addBos) ? [0, ...ids] : ids;
  }
  /** Logits (length nVocab) after `prefix` (tokens[0..i]). */
  abstract row(prefix: number[]): ArrayLike<number>;
  logitsAll(tokens: number[]): Float32Array {
    this.calls.push([...tokens]);
    const out = new Float32Array(tokens.length * this.nVocab);
    for (let i = 0; i < tokens.length; i++) out.set(this.row(tokens.slice(0, i + 1)), i * this.nVocab);
    return out;
  }
}

/** Add-α smoothed character bigram model estimated from `corpus`; logits are exact log-probabilities. */
export class BigramModel extends RowModel {
  readonly logp: Float64Array[];
  constructor(vocab: CharVocab, corpus: string, alpha = 0.5, addBos = true) {
    super(vocab, addBos);
    const V = vocab.size;
    const counts = Array.from({ length: V }, () => new Float64Array(V).fill(alpha));
    const ids = [0, ...vocab.encode(corpus)];
    for (let i = 0; i + 1 < ids.length; i++) counts[ids[i]!]![ids[i + 1]!]! += 1;
    this.logp = counts.map((row) => {
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((c) => Math.log(c / s));
    });
  }
  row(prefix: number[]): ArrayLike<number> {
    return this.logp[prefix[prefix.length - 1]!]!;
  }
}

/** Logits depend on the whole prefix (a running hash) and its length, so any window mistake shows. */
export class HashModel extends RowModel {
  row(prefix: number[]): ArrayLike<number> {
    let h = 17;
    for (const t of prefix) h = (h * 31 + t + 7) % 1000003;
    const out = new Float64Array(this.nVocab);
    for (let v = 0; v < out.length; v++) out[v] = 2.5 * Math.sin(0.7 * v + 0.0013 * h + 0.1 * prefix.length);
    return out;
  }
}

/** The same logits at every position. */
export class FixedModel extends RowModel {
  constructor(
    vocab: CharVocab,
    readonly logits: number[],
    addBos = true,
  ) {
    super(vocab, addBos);
  }
  row(): ArrayLike<number> {
    return this.logits;
  }
}

/**
 * Knows some full texts: while the prefix (decoded) is a prefix of one of them, the next character of
 * that text gets logit +12 (everything else 0); otherwise all logits are 0. So the intended continuation
 * of an intended context is far more likely than any other.
 */
export class OracleModel extends RowModel {
  constructor(
    vocab: CharVocab,
    readonly texts: string[],
    addBos = true,
  ) {
    super(vocab, addBos);
  }
  row(prefix: number[]): ArrayLike<number> {
    const s = this.vocab.decode(prefix);
    const out = new Float64Array(this.nVocab);
    for (const t of this.texts) {
      if (t.length > s.length && t.startsWith(s)) out[this.vocab.index.get(t[s.length]!) ?? 1] = 12;
    }
    return out;
  }
  applyChatTemplate(messages: { role: string; content: string }[], addGenerationPrompt: boolean): string {
    return (
      messages.map((m) => `<${m.role}>${m.content}<end>`).join('') +
      (addGenerationPrompt ? '<assistant>' : '')
    );
  }
}

/** Straightforward log-softmax of one logits row in double precision. */
export function logSoftmax(row: ArrayLike<number>): number[] {
  const xs = Array.from(row);
  const m = Math.max(...xs);
  const lse = m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
  return xs.map((x) => x - lse);
}

export const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;?!\'"-\n()<>/[]';
