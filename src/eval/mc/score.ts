// Multiple-choice scoring by continuation log-likelihood (lm-eval-harness's method), resumable.
import { checkLogitsShape, logProbAt, type ScoringModel, throwIfAborted } from '../model.js';
import type { McItem, McItemResult, McTaskData } from './types.js';

/** Options for {@link runMc}. */
export interface McRunOptions {
  /**
   * Few-shot examples per prompt, taken in order from the task's few-shot pool: one number for every task,
   * or per task name (tasks not named: 0). Default 0.
   */
  shots?: number | Record<string, number>;
  /**
   * Wrap the prompt (description, examples, question) as one user message with the model's chat template
   * and generation prompt; the choices then follow without the " " delimiter.
   */
  chat?: boolean;
  /** Score at most this many items per task (in file order). */
  limit?: number;
  /** Keep only the last `maxTokens` tokens of prompt + choice (lm-eval's left truncation to max_length). */
  maxTokens?: number;
  /** Resume state: done items are skipped, new ones appended. */
  state?: McStateStore;
  /** Settings stored in the state's header; a rerun with other settings is refused. */
  fingerprint?: Record<string, unknown>;
  onProgress?: (p: McProgress) => void;
  signal?: AbortSignal;
}

/** Progress after one item. */
export interface McProgress {
  done: number;
  total: number;
  task: string;
  /** Items answered correctly (acc) so far, resumed ones included. */
  correct: number;
}

/** Where results of finished items are kept between runs. */
export interface McStateStore {
  /** Opens the store for `header`: returns the earlier results, or throws if the header differs. */
  open(header: Record<string, unknown>): Promise<McItemResult[]>;
  append(result: McItemResult): Promise<void>;
}

/** Accuracy of one subject or task. */
export interface McAccuracy {
  n: number;
  acc: number;
  accNorm: number;
  accBytes: number;
  /** Standard error of acc: sqrt(acc(1-acc)/(n-1)). */
  accStderr: number;
}

/** Per-task report: micro accuracy over items, macro over subjects, and each subject. */
export interface McTaskReport extends McAccuracy {
  task: string;
  shots: number;
  /** Mean over subjects of their accuracy (equals the micro value when there is one subject). */
  macro: { acc: number; accNorm: number; accBytes: number };
  subjects: ({ subject: string } & McAccuracy)[];
}

/** The result of {@link runMc}. */
export interface McReport {
  tasks: McTaskReport[];
  /** Mean over tasks of each task's micro accuracy. */
  macro: { acc: number; accNorm: number; accBytes: number };
  settings: { shots: Record<string, number>; chat: boolean; limit: number | null; maxTokens: number | null };
  /** Items scored in this run (the rest came from the resume state). */
  scoredNow: number;
  results: McItemResult[];
}

/**
 * The prompt for `item`: description(subject), then `shots` examples ("query delimiter answer\n\n") from
 * the few-shot pool of its subject (the item itself excluded), then the item's query.
 */
export function buildContext(data: McTaskData, item: McItem, shots: number): string {
  let ctx = data.description?.(item.subject) ?? '';
  if (shots > 0) {
    const pool = (data.fewshot?.get(item.subject) ?? []).filter((s) => s.id !== item.id);
    if (pool.length < shots) {
      throw new Error(
        `${data.task}: ${shots}-shot needs ${shots} examples for "${item.subject}", the few-shot pool has ${pool.length}`,
      );
    }
    for (const s of pool.slice(0, shots)) ctx += `${s.query} ${s.choices[s.gold]}\n\n`;
  }
  return ctx + item.query;
}

/** A context/continuation pair as tokens: the whole sequence and how many tokens at its end are scored. */
export interface EncodedPair {
  tokens: number[];
  nCont: number;
}

/**
 * Tokenizes a context/continuation pair as lm-eval-harness does: trailing whitespace of the context moves
 * to the continuation, the pair is tokenized whole (with BOS per the model) and the continuation's tokens
 * are whole[len(tokenize(context)):]; an empty context starts from BOS; `maxTokens` keeps the last tokens.
 */
export function encodePair(
  model: ScoringModel,
  context: string,
  continuation: string,
  opts: { parseSpecial?: boolean; maxTokens?: number } = {},
): EncodedPair {
  const trimmed = context.replace(/\s+$/, '');
  if (trimmed.length < context.length) {
    continuation = context.slice(trimmed.length) + continuation;
    context = trimmed;
  }
  const tk = { addBos: model.addBos, parseSpecial: opts.parseSpecial ?? false };
  let whole = model.tokenize(context + continuation, tk);
  const nCtxTokens = model.tokenize(context, tk).length;
  const nCont = whole.length - nCtxTokens;
  if (nCont < 1)
    throw new Error(`continuation ${JSON.stringify(continuation)} adds no tokens to its context`);
  if (nCtxTokens < 1) {
    if (model.bosId === undefined)
      throw new Error('empty context and the model has no BOS token to start from');
    whole = [model.bosId, ...whole];
  }
  if (opts.maxTokens !== undefined && whole.length > opts.maxTokens) {
    if (opts.maxTokens <= nCont)
      throw new Error(`continuation of ${nCont} tokens does not fit in ${opts.maxTokens}`);
    whole = whole.slice(whole.length - opts.maxTokens);
  }
  return { tokens: whole, nCont };
}

/** Sum of the log-probs of the last `nCont` tokens of `tokens`, from one logitsAll call. */
function scorePair(model: ScoringModel, pair: EncodedPair, signal?: AbortSignal): number {
  const T = pair.tokens.length;
  const logits = model.logitsAll(pair.tokens, { signal });
  checkLogitsShape(logits, T, model.nVocab);
  let ll = 0;
  for (let t = T - pair.nCont; t < T; t++) ll += logProbAt(logits, t - 1, model.nVocab, pair.tokens[t]!);
  return ll;
}

/** log P(continuation | context) as lm-eval-harness computes it (see {@link encodePair}). */
export function continuationLogLikelihood(
  model: ScoringModel,
  context: string,
  continuation: string,
  opts: { parseSpecial?: boolean; maxTokens?: number; signal?: AbortSignal } = {},
): { ll: number; nTokens: number } {
  const pair = encodePair(model, context, continuation, opts);
  return { ll: scorePair(model, pair, opts.signal), nTokens: pair.nCont };
}

/**
 * Log-likelihoods of several continuations of one context. When the encoded choices differ only in
 * their last token (MMLU's " A".." D"), one logitsAll call over the shared tokens scores them all;
 * otherwise each continuation gets its own call. Both give the same numbers for a causal model.
 */
export function choiceLogLikelihoods(
  model: ScoringModel,
  context: string,
  continuations: string[],
  opts: { parseSpecial?: boolean; maxTokens?: number; signal?: AbortSignal } = {},
): number[] {
  const pairs = continuations.map((c) => encodePair(model, context, c, opts));
  const p0 = pairs[0]!;
  const L = p0.tokens.length;
  const shared =
    pairs.length > 1 &&
    pairs.every(
      (p) =>
        p.nCont === p0.nCont &&
        p.tokens.length === L &&
        p.tokens.every((t, i) => i === L - 1 || t === p0.tokens[i]),
    );
  if (!shared) return pairs.map((p) => scorePair(model, p, opts.signal));
  const prefix = p0.tokens.slice(0, L - 1);
  const logits = model.logitsAll(prefix, { signal: opts.signal });
  checkLogitsShape(logits, prefix.length, model.nVocab);
  let common = 0;
  for (let t = L - p0.nCont; t < L - 1; t++) common += logProbAt(logits, t - 1, model.nVocab, prefix[t]!);
  return pairs.map((p) => common + logProbAt(logits, L - 2, model.nVocab, p.tokens[L - 1]!));
}

function argmax(xs: number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

const utf8 = new TextEncoder();

/** Scores every choice of `item` and returns its result (acc, acc_norm by characters, acc_bytes). */
export function scoreItem(
  model: ScoringModel,
  data: McTaskData,
  item: McItem,
  opts: Pick<McRunOptions, 'chat' | 'maxTokens' | 'signal'> & { shots?: number } = {},
): McItemResult {
  let context = buildContext(data, item, opts.shots ?? 0);
  let delimiter = ' ';
  if (opts.chat) {
    if (!model.applyChatTemplate)
      throw new Error('--chat needs a model with a chat template (applyChatTemplate)');
    context = model.applyChatTemplate([{ role: 'user', content: context }], true);
    delimiter = '';
  }
  const lls = choiceLogLikelihoods(
    model,
    context,
    item.choices.map((c) => delimiter + c),
    { parseSpecial: opts.chat === true, maxTokens: opts.maxTokens, signal: opts.signal },
  );
  const chars = item.choices.map((c) => Math.max(1, [...c].length));
  const bytes = item.choices.map((c) => Math.max(1, utf8.encode(c).length));
  return {
    task: item.task,
    id: item.id,
    subject: item.subject,
    gold: item.gold,
    lls,
    pred: argmax(lls),
    predNorm: argmax(lls.map((l, i) => l / chars[i]!)),
    predBytes: argmax(lls.map((l, i) => l / bytes[i]!)),
  };
}

function accuracy(rs: McItemResult[]): McAccuracy {
  const n = rs.length;
  const k = (f: (r: McItemResult) => boolean) => (n ? rs.filter(f).length / n : 0);
  const acc = k((r) => r.pred === r.gold);
  return {
    n,
    acc,
    accNorm: k((r) => r.predNorm === r.gold),
    accBytes: k((r) => r.predBytes === r.gold),
    accStderr: n > 1 ? Math.sqrt((acc * (1 - acc)) / (n - 1)) : 0,
  };
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/** Aggregates item results into per-subject, per-task and macro accuracies (tasks in the order of `shots`). */
export function summarize(
  results: McItemResult[],
  shots: Record<string, number>,
): Omit<McReport, 'settings' | 'scoredNow' | 'results'> {
  const tasks: McTaskReport[] = [];
  for (const [task, k] of Object.entries(shots)) {
    const rs = results.filter((r) => r.task === task);
    const subjects = [...new Set(rs.map((r) => r.subject))].sort();
    const subj = subjects.map((s) => ({ subject: s, ...accuracy(rs.filter((r) => r.subject === s)) }));
    tasks.push({
      task,
      shots: k,
      ...accuracy(rs),
      macro: {
        acc: mean(subj.map((s) => s.acc)),
        accNorm: mean(subj.map((s) => s.accNorm)),
        accBytes: mean(subj.map((s) => s.accBytes)),
      },
      subjects: subj,
    });
  }
  return {
    tasks,
    macro: {
      acc: mean(tasks.map((t) => t.acc)),
      accNorm: mean(tasks.map((t) => t.accNorm)),
      accBytes: mean(tasks.map((t) => t.accBytes)),
    },
  };
}

/**
 * Scores the items of every task (at most `limit` per task), skipping those already in `state` and
 * appending each new result to it as soon as it is known, so an interrupted run resumes where it stopped.
 */
export async function runMc(
  model: ScoringModel,
  tasks: McTaskData[],
  opts: McRunOptions = {},
): Promise<McReport> {
  const shots: Record<string, number> = {};
  for (const t of tasks) {
    const k = typeof opts.shots === 'number' ? opts.shots : (opts.shots?.[t.task] ?? 0);
    if (!Number.isInteger(k) || k < 0)
      throw new Error(`${t.task}: shots must be a non-negative integer, got ${k}`);
    shots[t.task] = k;
  }
  const settings = {
    shots,
    chat: opts.chat === true,
    limit: opts.limit ?? null,
    maxTokens: opts.maxTokens ?? null,
  };
  const key = (task: string, id: string) => `${task}\u0000${id}`;
  const done = new Map<string, McItemResult>();
  if (opts.state) {
    const { limit: _limit, ...stable } = settings;
    for (const r of await opts.state.open({ ...opts.fingerprint, ...stable })) done.set(key(r.task, r.id), r);
  }
  const work = tasks.map((t) => ({
    data: t,
    items: opts.limit === undefined ? t.items : t.items.slice(0, opts.limit),
  }));
  const total = work.reduce((a, w) => a + w.items.length, 0);
  const results: McItemResult[] = [];
  let correct = 0;
  let scoredNow = 0;
  for (const { data, items } of work) {
    const ids = new Set<string>();
    for (const item of items) {
      if (ids.has(item.id))
        throw new Error(`${item.source.file}:${item.source.line}: duplicate item id ${item.id}`);
      ids.add(item.id);
      throwIfAborted(opts.signal);
      let r = done.get(key(data.task, item.id));
      if (!r) {
        r = { ...scoreItem(model, data, item, { ...opts, shots: shots[data.task] }), task: data.task };
        await opts.state?.append(r);
        scoredNow++;
        // let timers and signal handlers (Ctrl-C → abort) run between items
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      results.push(r);
      if (r.pred === r.gold) correct++;
      opts.onProgress?.({ done: results.length, total, task: data.task, correct });
    }
  }
  return {
    ...summarize(results, shots),
    settings,
    scoredNow,
    results,
  };
}

const p2 = (x: number) => (100 * x).toFixed(2).padStart(7);

/** A readable table: one line per subject (when a task has several), per task, and the macro average. */
export function formatMcTable(report: McReport): string {
  const rows: string[][] = [];
  for (const t of report.tasks) {
    if (t.subjects.length > 1) {
      for (const s of t.subjects) rows.push([t.task, s.subject, String(s.n), p2(s.acc), p2(s.accNorm), '']);
      rows.push([t.task, '(macro over subjects)', String(t.n), p2(t.macro.acc), p2(t.macro.accNorm), '']);
    }
    rows.push([t.task, '(all items)', String(t.n), p2(t.acc), p2(t.accNorm), `± ${p2(t.accStderr).trim()}`]);
  }
  if (report.tasks.length > 1) {
    rows.push([
      'macro',
      '(mean over tasks)',
      String(report.tasks.reduce((a, t) => a + t.n, 0)),
      p2(report.macro.acc),
      p2(report.macro.accNorm),
      '',
    ]);
  }
  const head = ['task', 'subject', 'n', 'acc %', 'acc_norm %', 'stderr'];
  const all = [head, ...rows];
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i]!.trim().length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i >= 2 ? c.trim().padStart(w[i]!) : c.padEnd(w[i]!)))
      .join('  ')
      .trimEnd();
  const s = report.settings;
  return `${[
    `${Object.entries(s.shots)
      .map(([t, k]) => `${t} ${k}-shot`)
      .join(', ')}${s.chat ? ', chat template' : ''}${s.limit !== null ? `, limit ${s.limit}` : ''}`,
    fmt(head),
    ...rows.map(fmt),
  ].join('\n')}\n`;
}
