// QA evaluation: SQuAD exact match / token F1 (closed-book vs retrieval-augmented) and retrieval recall@k.
import { readFileSync } from 'node:fs';
import { formatChat, type Generator } from './generator.js';
import { ask, type KnowledgeBase } from './index.js';
import type { SearchOptions } from './retrieve.js';

/** One question; `answers: []` marks a question the documents cannot answer. */
export interface QaItem {
  id?: string;
  question: string;
  answers: string[];
}

/** Reads a `{question, answers[]}` JSONL file; errors name the file and line. */
export function loadQa(path: string): QaItem[] {
  const out: QaItem[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let o: unknown;
      try {
        o = JSON.parse(line);
      } catch (e) {
        throw new Error(`${path}:${i + 1}: invalid JSON: ${(e as Error).message}`);
      }
      const r = o as Partial<QaItem>;
      if (
        typeof r.question !== 'string' ||
        !Array.isArray(r.answers) ||
        r.answers.some((a) => typeof a !== 'string')
      )
        throw new Error(`${path}:${i + 1}: expected {"question": string, "answers": string[]}`);
      out.push({ id: r.id, question: r.question, answers: r.answers });
    });
  return out;
}

/** SQuAD normalization: lower case, no punctuation, no articles (a/an/the), single spaces. */
export function normalizeAnswer(s: string): string {
  return s
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** 1 when the normalized prediction equals a normalized gold answer, else 0. */
export function exactMatch(prediction: string, answers: string[]): number {
  const p = normalizeAnswer(prediction);
  return answers.some((a) => normalizeAnswer(a) === p) ? 1 : 0;
}

/** Best SQuAD token F1 of the prediction against the gold answers. */
export function tokenF1(prediction: string, answers: string[]): number {
  const p = normalizeAnswer(prediction).split(' ').filter(Boolean);
  let best = 0;
  for (const a of answers) {
    const g = normalizeAnswer(a).split(' ').filter(Boolean);
    const counts = new Map<string, number>();
    for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
    let common = 0;
    for (const t of p) {
      const c = counts.get(t) ?? 0;
      if (c > 0) {
        common++;
        counts.set(t, c - 1);
      }
    }
    if (common === 0) continue;
    const prec = common / p.length;
    const rec = common / g.length;
    best = Math.max(best, (2 * prec * rec) / (prec + rec));
  }
  return best;
}

/** Whether a normalized answer occurs (as whole words) in a normalized text. */
export function containsAnswer(text: string, answers: string[]): boolean {
  const t = ` ${normalizeAnswer(text)} `;
  return answers.some((a) => t.includes(` ${normalizeAnswer(a)} `));
}

/** Retrieval metrics over the answerable and unanswerable questions. */
export interface RetrievalEval {
  mode: string;
  k: number;
  /** Share of answerable questions with an answer string in the top-k chunks. */
  recall: number;
  /** Mean reciprocal rank of the first chunk holding an answer (0 when none in top-k). */
  mrr: number;
  /** Share of answerable questions the gate let through (found). */
  foundAnswerable: number;
  /** Share of unanswerable questions the gate rejected (not found). */
  rejectedUnanswerable: number;
  n: number;
  misses: string[];
  /** Per answerable question (in order): 1-based rank of the first chunk holding an answer, 0 when none in top-k. */
  ranks: number[];
}

/** recall@j (j ≤ the k the ranks were taken at) from `RetrievalEval.ranks`. */
export function recallAt(ranks: number[], j: number): number {
  return ranks.filter((r) => r > 0 && r <= j).length / Math.max(1, ranks.length);
}

/** recall@k (answer string present in the retrieved chunks), MRR and gate accuracy. */
export async function evalRetrieval(
  kb: KnowledgeBase,
  qa: QaItem[],
  opts: SearchOptions = {},
): Promise<RetrievalEval> {
  const k = opts.k ?? 5;
  let hit = 0;
  let rr = 0;
  let found = 0;
  let rejected = 0;
  const misses: string[] = [];
  const ranks: number[] = [];
  const answerable = qa.filter((q) => q.answers.length > 0);
  const unanswerable = qa.filter((q) => q.answers.length === 0);
  for (const q of answerable) {
    const r = await kb.search(q.question, { ...opts, k });
    const rank = r.hits.findIndex((h) =>
      containsAnswer(`${h.chunk.heading_path} ${h.chunk.text}`, q.answers),
    );
    ranks.push(rank + 1);
    if (rank >= 0) {
      hit++;
      rr += 1 / (rank + 1);
    } else misses.push(q.id ?? q.question);
    if (r.found) found++;
  }
  for (const q of unanswerable) if (!(await kb.search(q.question, { ...opts, k })).found) rejected++;
  return {
    mode: opts.mode ?? 'hybrid',
    k,
    recall: hit / Math.max(1, answerable.length),
    mrr: rr / Math.max(1, answerable.length),
    foundAnswerable: found / Math.max(1, answerable.length),
    rejectedUnanswerable: unanswerable.length ? rejected / unanswerable.length : Number.NaN,
    n: qa.length,
    misses,
    ranks,
  };
}

/** EM/F1 of one answering setting. */
export interface AnswerEval {
  setting: 'closed-book' | 'retrieval';
  em: number;
  f1: number;
  /** Share of unanswerable questions answered "not found" (retrieval) — closed-book has no such notion. */
  rejectedUnanswerable: number;
  n: number;
}

/** Strips citations and a "not found" sentence so EM/F1 compare the answer text only. */
const cleanAnswer = (s: string) => s.replace(/\[\d+(?:\s*,\s*\d+)*\]/g, '').trim();

/**
 * Closed-book vs retrieval-augmented EM/F1 with a generator (answerable questions; unanswerable ones
 * count toward `rejectedUnanswerable`).
 */
export async function evalAnswers(
  kb: KnowledgeBase,
  generator: Generator,
  qa: QaItem[],
  opts: SearchOptions & { maxTokens?: number } = {},
): Promise<{ closedBook: AnswerEval; retrieval: AnswerEval }> {
  const answerable = qa.filter((q) => q.answers.length > 0);
  const unanswerable = qa.filter((q) => q.answers.length === 0);
  const score = (preds: string[]) => ({
    em:
      preds.reduce((s, p, i) => s + exactMatch(cleanAnswer(p), answerable[i]!.answers), 0) /
      Math.max(1, preds.length),
    f1:
      preds.reduce((s, p, i) => s + tokenF1(cleanAnswer(p), answerable[i]!.answers), 0) /
      Math.max(1, preds.length),
  });
  const closed: string[] = [];
  for (const q of answerable) {
    const prompt = formatChat(generator, [
      { role: 'system', content: 'Answer the question in a few words.' },
      { role: 'user', content: q.question },
    ]);
    closed.push(await generator.generate(prompt, { maxTokens: opts.maxTokens ?? 32, temperature: 0 }));
  }
  const rag: string[] = [];
  for (const q of answerable)
    rag.push((await ask(kb, generator, q.question, { ...opts, maxTokens: opts.maxTokens ?? 64 })).answer);
  let rejected = 0;
  for (const q of unanswerable) if (!(await ask(kb, generator, q.question, opts)).found) rejected++;
  return {
    closedBook: {
      setting: 'closed-book',
      ...score(closed),
      rejectedUnanswerable: Number.NaN,
      n: answerable.length,
    },
    retrieval: {
      setting: 'retrieval',
      ...score(rag),
      rejectedUnanswerable: unanswerable.length ? rejected / unanswerable.length : Number.NaN,
      n: answerable.length,
    },
  };
}

/**
 * A noisy copy of a QA set: in each question the longest word (≥ 5 letters) gets one deterministic
 * typo (two inner letters swapped), as users type. Tests robustness of lexical vs n-gram retrieval.
 */
export function withTypos(qa: QaItem[]): QaItem[] {
  return qa.map((q, qi) => {
    const words = [...q.question.matchAll(/\p{L}{5,}/gu)];
    if (words.length === 0) return q;
    const w = words.reduce((a, b) => (b[0].length > a[0].length ? b : a));
    const i = 1 + (qi % (w[0].length - 3));
    const typo = w[0].slice(0, i) + w[0][i + 1] + w[0][i] + w[0].slice(i + 2);
    return {
      ...q,
      id: q.id ? `${q.id}-typo` : undefined,
      question: q.question.slice(0, w.index) + typo + q.question.slice(w.index! + w[0].length),
    };
  });
}
