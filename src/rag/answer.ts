// Grounded answering: numbered sources packed into the prompt within a token budget, answers cited as
// [n], citations parsed and checked against the sources actually given.
import { formatChat, type Generator } from './generator.js';
import type { SearchHit } from './retrieve.js';

/** The reply when the documents hold no answer. */
export const NOT_FOUND_ANSWER = 'Not found in your documents.';

/** A cited source. */
export interface Citation {
  n: number;
  source: string;
  text: string;
  score: number;
  headingPath?: string;
  lines?: [number, number];
  page?: number | null;
}

/** Result of `answerFromHits`/`ask`. */
export interface Answer {
  answer: string;
  citations: Citation[];
  found: boolean;
  /** Citation numbers the model produced that match no given source (removed from `answer`). */
  invalidCitations: number[];
  /** Sources given to the model, numbered from 1. */
  sources: Citation[];
  /** Why found is false. */
  reason?: string;
}

/** Answering options. */
export interface AnswerOptions {
  /** Token budget for the numbered sources (default 1500). */
  maxContextTokens?: number;
  /** Tokens to generate (default 256). */
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  /** System instruction override. */
  instruction?: string;
}

/** Default instruction given to the model. */
export const DEFAULT_INSTRUCTION =
  'Answer the question using only the numbered sources. Cite each fact with its source number in square ' +
  'brackets, like [1] or [2][3]. Be brief. If the sources do not contain the answer, reply exactly: NOT FOUND';

const describe = (h: SearchHit) => {
  const c = h.chunk;
  const loc = c.page ? `p. ${c.page}` : `lines ${c.line_start}-${c.line_end}`;
  return `${c.title ? `${c.title} — ` : ''}${c.source} (${loc}${c.heading_path ? `; ${c.heading_path}` : ''})`;
};

/** Packs hits (best first) as numbered sources within `budget` tokens; hits that do not fit are skipped. */
export function packSources(
  hits: SearchHit[],
  countTokens: (t: string) => number,
  budget: number,
): { text: string; used: SearchHit[] } {
  const used: SearchHit[] = [];
  const parts: string[] = [];
  let spent = 0;
  for (const h of hits) {
    const part = `[${used.length + 1}] ${describe(h)}\n${h.chunk.text}`;
    const t = countTokens(part) + 2;
    if (spent + t > budget) continue;
    parts.push(part);
    used.push(h);
    spent += t;
  }
  return { text: parts.join('\n\n'), used };
}

/** Builds the chat messages for a question over packed sources. */
export function buildMessages(question: string, sourcesText: string, instruction = DEFAULT_INSTRUCTION) {
  return [
    { role: 'system', content: instruction },
    { role: 'user', content: `Sources:\n\n${sourcesText}\n\nQuestion: ${question}` },
  ];
}

/**
 * Finds [n] / [n, m] citations; keeps those within 1..nSources, removes the others from the text.
 * Returns the cleaned text, valid numbers in order of first use, and invalid numbers.
 */
export function parseCitations(
  text: string,
  nSources: number,
): { text: string; valid: number[]; invalid: number[] } {
  const valid: number[] = [];
  const invalid: number[] = [];
  const cleaned = text.replace(/\[(\d+(?:\s*[,;]\s*\d+)*)\]/g, (_m, list: string) => {
    const nums = list.split(/\s*[,;]\s*/).map(Number);
    const ok = nums.filter((n) => n >= 1 && n <= nSources);
    for (const n of nums) {
      if (n >= 1 && n <= nSources) {
        if (!valid.includes(n)) valid.push(n);
      } else if (!invalid.includes(n)) invalid.push(n);
    }
    return ok.length > 0 ? `[${ok.join(', ')}]` : '';
  });
  return {
    text: cleaned
      .replace(/[ \t]+([.,;:!?])/g, '$1')
      .replace(/[ \t]{2,}/g, ' ')
      .trim(),
    valid,
    invalid,
  };
}

const toCitation = (h: SearchHit, n: number): Citation => ({
  n,
  source: h.chunk.source,
  text: h.chunk.text,
  score: h.score,
  headingPath: h.chunk.heading_path || undefined,
  lines: [h.chunk.line_start, h.chunk.line_end],
  page: h.chunk.page,
});

/** Events of `answerStream`: text pieces as generated, then the checked answer. */
export type AnswerEvent = { type: 'token'; text: string } | { type: 'done'; answer: Answer };

const notFound = (reason: string, sources: Citation[] = []): Answer => ({
  answer: NOT_FOUND_ANSWER,
  citations: [],
  found: false,
  invalidCitations: [],
  sources,
  reason,
});

function prepare(generator: Generator, question: string, hits: SearchHit[], opts: AnswerOptions) {
  if (hits.length === 0) return { error: notFound('no relevant passages in your documents') };
  const { text, used } = packSources(hits, (t) => generator.countTokens(t), opts.maxContextTokens ?? 1500);
  if (used.length === 0) return { error: notFound('no passage fits the context budget') };
  const sources = used.map((h, i) => toCitation(h, i + 1));
  const prompt = formatChat(generator, buildMessages(question, text, opts.instruction));
  const genOpts = {
    maxTokens: opts.maxTokens ?? 256,
    temperature: opts.temperature ?? 0,
    signal: opts.signal,
  };
  return { sources, prompt, genOpts };
}

const NOT_FOUND_RE = /^\W*NOT[\s_]FOUND\b/i;

function finish(raw: string, sources: Citation[]): Answer {
  if (NOT_FOUND_RE.test(raw.trim())) return notFound('the model found no answer in the sources', sources);
  const { text: answer, valid, invalid } = parseCitations(raw, sources.length);
  return {
    answer,
    citations: valid.map((n) => sources[n - 1]!),
    found: true,
    invalidCitations: invalid,
    sources,
  };
}

/** Answers `question` from retrieval hits with `generator`; `found: false` without calling it when hits are empty. */
export async function answerFromHits(
  generator: Generator,
  question: string,
  hits: SearchHit[],
  opts: AnswerOptions = {},
): Promise<Answer> {
  const p = prepare(generator, question, hits, opts);
  if (p.error) return p.error;
  return finish(await generator.generate(p.prompt, p.genOpts), p.sources);
}

/**
 * Streaming `answerFromHits`: yields text pieces as the model produces them (held back while they could
 * still be the start of "NOT FOUND"), then one `done` event with the checked answer — whose text has
 * invalid citations removed, so a UI should replace the streamed text with it.
 */
export async function* answerStream(
  generator: Generator,
  question: string,
  hits: SearchHit[],
  opts: AnswerOptions = {},
): AsyncGenerator<AnswerEvent> {
  const p = prepare(generator, question, hits, opts);
  if (p.error) {
    yield { type: 'done', answer: p.error };
    return;
  }
  let raw = '';
  let held = true;
  const pieces = generator.stream
    ? generator.stream(p.prompt, p.genOpts)
    : [await generator.generate(p.prompt, p.genOpts)];
  for await (const piece of pieces) {
    raw += piece;
    if (held) {
      const head = raw
        .trimStart()
        .toUpperCase()
        .replace(/[\s_]+/g, ' ');
      if (NOT_FOUND_RE.test(raw.trim())) continue;
      if ('NOT FOUND'.startsWith(head.slice(0, 9)) && head.length < 9) continue;
      held = false;
      yield { type: 'token', text: raw };
      continue;
    }
    yield { type: 'token', text: piece };
  }
  yield { type: 'done', answer: finish(raw, p.sources) };
}
