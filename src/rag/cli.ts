// Command-line front ends of the knowledge base (index add/rm/ls/stats, search, ask); the CLI wires
// them, injecting the embedder and the generator so this module never loads a model itself.

import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { num, parse, UsageError } from '../cli/args.js';
import { type Embedder, HashingEmbedder } from './embedder.js';
import type { Generator } from './generator.js';
import { type KnowledgeBase, openKnowledgeBase } from './index.js';
import { askWithWeb, type SearchProvider, SearxngProvider } from './web.js';

/** What the CLI injects. Every field is optional; defaults are offline and model-free. */
export interface RagCliDeps {
  /** Embedder (or a lazy factory); default HashingEmbedder (384-d). */
  embedder?: Embedder | (() => Promise<Embedder>);
  /** Generator factory for `ask` (loads the local model); required by `ask`. */
  generator?: () => Promise<Generator>;
  /** Web search provider; default SearxNG when --searxng or $POCKETLM_SEARXNG is set, else none. */
  searchProvider?: SearchProvider | null;
  /** Output sinks (default process.stdout / process.stderr). */
  out?: (s: string) => void;
  err?: (s: string) => void;
}

/** Default knowledge-base file: $POCKETLM_KB, else ~/.pocketlm/kb/default.sqlite. */
export function defaultKbPath(): string {
  return process.env.POCKETLM_KB ?? join(homedir(), '.pocketlm', 'kb', 'default.sqlite');
}

const COMMON = {
  db: { type: 'string' },
  // Model flags are read by the caller that injects the generator/embedder; accepted here so parsing passes.
  model: { type: 'string', short: 'm' },
  'embed-model': { type: 'string' },
  threads: { type: 'string', short: 't' },
  kb: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function open(
  values: { kb?: string; db?: string },
  deps: RagCliDeps,
  readonly = false,
): Promise<KnowledgeBase> {
  // --db FILE (the documented flag); --kb is kept as an alias.
  const path = resolve(values.db ?? values.kb ?? defaultKbPath());
  if (!readonly) mkdirSync(join(path, '..'), { recursive: true });
  const e = deps.embedder ?? new HashingEmbedder();
  const embedder = typeof e === 'function' ? await e() : e;
  return openKnowledgeBase(path, { embedder });
}

const sinks = (deps: RagCliDeps) => ({
  out: deps.out ?? ((s: string) => process.stdout.write(`${s}\n`)),
  err: deps.err ?? ((s: string) => process.stderr.write(`${s}\n`)),
});

const HELP = {
  add: 'usage: pocketlm index add <path…> [--db FILE] [--ignore GLOB]… [--force] [--prune] [--chunk-tokens N] [--overlap N] [--json]',
  rm: 'usage: pocketlm index rm <path…> [--db FILE] [--prefix] [--json]',
  ls: 'usage: pocketlm index ls [source-prefix-or-glob] [--db FILE] [--json]',
  stats: 'usage: pocketlm index stats [--db FILE] [--json]',
  search:
    'usage: pocketlm search <query…> [--db FILE] [-k N] [--mode hybrid|bm25|vector] [--source PREFIX|GLOB] [--json]',
  ask: 'usage: pocketlm ask <question…> [--db FILE] [-k N] [--mode …] [--source …] [--web off|fallback|always] [--searxng URL] [--max-tokens N] [--context-tokens N] [--json]',
};

/** `index add`: indexes files and directories, printing progress to stderr and a summary. */
export async function indexAdd(argv: string[], deps: RagCliDeps = {}): Promise<void> {
  const { values, positionals } = parse(argv, {
    ...COMMON,
    ignore: { type: 'string', multiple: true },
    force: { type: 'boolean' },
    prune: { type: 'boolean' },
    'chunk-tokens': { type: 'string' },
    overlap: { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  });
  const { out, err } = sinks(deps);
  if (values.help) return out(HELP.add);
  if (positionals.length === 0) throw new UsageError(`no paths given\n${HELP.add}`);
  const maxTokens = num(values, 'chunk-tokens', { int: true, min: 16, max: 8192 });
  const overlapTokens = num(values, 'overlap', { int: true, min: 0 });
  const kb = await open(values, deps);
  try {
    const r = await kb.add(positionals, {
      ignore: values.ignore,
      force: values.force,
      prune: values.prune,
      chunk: { maxTokens, overlapTokens },
      onProgress: (p) => {
        if (!values.quiet && !values.json && p.status !== 'unchanged')
          err(
            `[${p.done}/${p.total}] ${p.status}${p.chunks !== undefined ? ` (${p.chunks} chunks)` : ''} ${p.path}${p.error ? `: ${p.error}` : ''}`,
          );
      },
    });
    kb.optimize();
    if (values.json) out(JSON.stringify(r));
    else
      out(
        `${r.added.length} added, ${r.updated.length} updated, ${r.unchanged} unchanged, ${r.skipped.length} skipped, ` +
          `${r.errors.length} errors, ${r.removed.length} removed; ${r.chunks} chunks (${r.embedded} embedded) in ${(r.ms / 1000).toFixed(1)} s`,
      );
    if (r.errors.length > 0) process.exitCode = 1;
  } finally {
    kb.close();
  }
}

/** `index rm`: removes documents by path (or every document under a prefix with --prefix). */
export async function indexRm(argv: string[], deps: RagCliDeps = {}): Promise<void> {
  const { values, positionals } = parse(argv, { ...COMMON, prefix: { type: 'boolean' } });
  const { out } = sinks(deps);
  if (values.help) return out(HELP.rm);
  if (positionals.length === 0) throw new UsageError(`no paths given\n${HELP.rm}`);
  const kb = await open(values, deps);
  try {
    const removed = positionals.flatMap((p) => kb.remove(p, { prefix: values.prefix }));
    if (values.json) out(JSON.stringify({ removed }));
    else out(removed.length ? removed.map((s) => `removed ${s}`).join('\n') : 'nothing matched');
    if (removed.length === 0) process.exitCode = 1;
  } finally {
    kb.close();
  }
}

/** `index ls`: lists indexed documents. */
export async function indexLs(argv: string[], deps: RagCliDeps = {}): Promise<void> {
  const { values, positionals } = parse(argv, COMMON);
  const { out } = sinks(deps);
  if (values.help) return out(HELP.ls);
  const kb = await open(values, deps);
  try {
    const docs = kb.list(positionals[0]);
    if (values.json)
      out(
        JSON.stringify(
          docs.map((d) => ({
            source: d.source,
            kind: d.kind,
            title: d.title,
            size: d.size,
            chunks: d.n_chunks,
            indexedAt: d.indexed_at,
          })),
        ),
      );
    else for (const d of docs) out(`${String(d.n_chunks).padStart(5)}  ${d.kind.padEnd(4)}  ${d.source}`);
  } finally {
    kb.close();
  }
}

/** `index stats`: counts, sizes and the embedder. */
export async function indexStats(argv: string[], deps: RagCliDeps = {}): Promise<void> {
  const { values } = parse(argv, COMMON);
  const { out } = sinks(deps);
  if (values.help) return out(HELP.stats);
  const kb = await open(values, deps);
  try {
    const s = kb.stats();
    if (values.json) out(JSON.stringify(s));
    else
      out(
        [
          `knowledge base  ${s.path}`,
          `documents       ${s.documents}`,
          `chunks          ${s.chunks}`,
          `vectors         ${s.vectors}`,
          `embedder        ${s.embedder ? `${s.embedder.id} (dim ${s.embedder.dim})` : 'none'}`,
          `source bytes    ${s.sourceBytes}`,
          `file bytes      ${s.fileBytes}`,
        ].join('\n'),
      );
  } finally {
    kb.close();
  }
}

const SEARCH_OPTS = {
  ...COMMON,
  k: { type: 'string', short: 'k' },
  mode: { type: 'string' },
  source: { type: 'string' },
} as const;

function searchOpts(values: { k?: string; mode?: string; source?: string }) {
  const mode = values.mode ?? 'hybrid';
  if (mode !== 'hybrid' && mode !== 'bm25' && mode !== 'vector')
    throw new UsageError(`--mode must be hybrid, bm25 or vector, got "${mode}"`);
  return {
    k: num(values, 'k', { int: true, min: 1, max: 100 }),
    mode: mode as 'hybrid' | 'bm25' | 'vector',
    source: values.source,
  };
}

/** `search`: prints the best chunks with their scores and locations. */
export async function search(argv: string[], deps: RagCliDeps = {}): Promise<void> {
  const { values, positionals } = parse(argv, SEARCH_OPTS);
  const { out } = sinks(deps);
  if (values.help) return out(HELP.search);
  const query = positionals.join(' ').trim();
  if (!query) throw new UsageError(`no query given\n${HELP.search}`);
  const kb = await open(values, deps);
  try {
    const so = searchOpts(values);
    const r = await kb.search(query, { ...so, k: so.k ?? 5 });
    if (values.json)
      out(
        JSON.stringify({
          found: r.found,
          reason: r.reason,
          hits: r.hits.map((h) => ({
            source: h.chunk.source,
            lines: [h.chunk.line_start, h.chunk.line_end],
            page: h.chunk.page,
            headingPath: h.chunk.heading_path,
            score: h.score,
            bm25: h.bm25,
            cosine: h.cosine,
            coverage: h.coverage,
            relevant: h.relevant,
            text: h.chunk.text,
          })),
        }),
      );
    else {
      if (!r.found) out(`(${r.reason})`);
      r.hits.forEach((h, i) => {
        const loc = h.chunk.page ? `p.${h.chunk.page}` : `${h.chunk.line_start}-${h.chunk.line_end}`;
        out(`${i + 1}. ${h.chunk.source}:${loc}  score ${h.score.toFixed(4)}${h.relevant ? '' : ' (weak)'}`);
        if (h.chunk.heading_path) out(`   § ${h.chunk.heading_path}`);
        out(`   ${h.chunk.text.replace(/\s+/g, ' ').slice(0, 200)}`);
      });
    }
  } finally {
    kb.close();
  }
}

/** `ask`: answers from the KB (and the web when configured) with [n] citations. */
export async function ask(argv: string[], deps: RagCliDeps = {}): Promise<void> {
  const { values, positionals } = parse(argv, {
    ...SEARCH_OPTS,
    web: { type: 'string' },
    searxng: { type: 'string' },
    'max-tokens': { type: 'string' },
    'context-tokens': { type: 'string' },
  });
  const { out } = sinks(deps);
  if (values.help) return out(HELP.ask);
  const question = positionals.join(' ').trim();
  if (!question) throw new UsageError(`no question given\n${HELP.ask}`);
  if (!deps.generator) throw new UsageError('ask needs a model: no generator was provided');
  const web = values.web ?? 'fallback';
  if (web !== 'off' && web !== 'fallback' && web !== 'always')
    throw new UsageError(`--web must be off, fallback or always, got "${web}"`);
  const searxng = values.searxng ?? process.env.POCKETLM_SEARXNG;
  const provider =
    deps.searchProvider !== undefined
      ? deps.searchProvider
      : searxng
        ? new SearxngProvider({ baseUrl: searxng })
        : null;
  const kb = await open(values, deps);
  try {
    const generator = await deps.generator();
    const a = await askWithWeb(kb, generator, provider, question, {
      ...searchOpts(values),
      k: num(values, 'k', { int: true, min: 1, max: 100, fallback: 6 }),
      web: provider ? (web as 'off' | 'fallback' | 'always') : 'off',
      maxTokens: num(values, 'max-tokens', { int: true, min: 1 }),
      maxContextTokens: num(values, 'context-tokens', { int: true, min: 64 }),
    });
    const citations = a.citations.map((c) => ({ n: c.n, source: c.source, text: c.text, score: c.score }));
    if (values.json)
      out(
        JSON.stringify({
          answer: a.answer,
          citations,
          found: a.found,
          ...(a.web?.note ? { note: a.web.note } : {}),
        }),
      );
    else {
      out(a.answer);
      if (citations.length) {
        out('');
        for (const c of a.citations) {
          const loc = c.page ? `p.${c.page}` : c.lines ? `${c.lines[0]}-${c.lines[1]}` : '';
          out(`[${c.n}] ${c.source}${loc ? `:${loc}` : ''}`);
        }
      }
      if (a.web?.note) out(`(${a.web.note})`);
    }
  } finally {
    kb.close();
  }
}

/**
 * `eval qa --data FILE.jsonl -m MODEL [--db FILE] [--k N] [--json]`: exact match and token F1 closed-book
 * vs with retrieval, and retrieval recall@k for hybrid, BM25-only and vector-only search (with --db).
 */
export async function evalQa(argv: string[], deps: RagCliDeps = {}): Promise<void> {
  const { values } = parse(argv, {
    ...COMMON,
    data: { type: 'string' },
    k: { type: 'string' },
    'max-tokens': { type: 'string' },
    limit: { type: 'string' },
  });
  const { out } = sinks(deps);
  if (values.help)
    return out('usage: pocketlm eval qa --data FILE.jsonl -m MODEL [--db FILE] [--k 5] [--limit N] [--json]');
  if (!values.data)
    throw new UsageError('eval qa: missing --data FILE.jsonl ({question, answers[]} per line)');
  const { loadQa, evalRetrieval, evalAnswers, exactMatch, tokenF1 } = await import('./eval-qa.js');
  let qa = loadQa(values.data);
  const limit = num(values, 'limit', { int: true, min: 1 });
  if (limit) qa = qa.slice(0, limit);
  const k = num(values, 'k', { int: true, min: 1, fallback: 5 })!;
  const maxTokens = num(values, 'max-tokens', { int: true, min: 1, fallback: 32 });
  if (!deps.generator) throw new UsageError('eval qa needs a model (-m)');
  const gen = await deps.generator();
  const report: Record<string, unknown> = { data: values.data, questions: qa.length, k };
  if (values.db ?? values.kb) {
    const kb = await open(values, deps, true);
    try {
      const recall: Record<string, unknown> = {};
      for (const mode of ['hybrid', 'bm25', 'vector'] as const)
        recall[mode] = await evalRetrieval(kb, qa, { k, mode });
      report.retrieval = recall;
      const answers = await evalAnswers(kb, gen, qa, { k, maxTokens });
      report.closed_book = answers.closedBook;
      report.with_retrieval = answers.retrieval;
    } finally {
      kb.close();
    }
  } else {
    // Closed-book only.
    const answerable = qa.filter((q) => q.answers.length > 0);
    let em = 0;
    let f1 = 0;
    for (const q of answerable) {
      const prompt = gen.chatPrompt
        ? gen.chatPrompt([
            { role: 'system', content: 'Answer the question in a few words.' },
            { role: 'user', content: q.question },
          ])
        : `Question: ${q.question}\nAnswer:`;
      const a = await gen.generate(prompt, { maxTokens: maxTokens ?? 32, temperature: 0 });
      em += exactMatch(a, q.answers);
      f1 += tokenF1(a, q.answers);
    }
    report.closed_book = {
      setting: 'closed-book',
      em: em / Math.max(1, answerable.length),
      f1: f1 / Math.max(1, answerable.length),
      n: answerable.length,
    };
  }
  if (values.json) return out(JSON.stringify(report));
  const pct = (x: unknown) =>
    typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-';
  const lines = [`eval qa: ${qa.length} questions from ${values.data}`];
  const cb = report.closed_book as { em: number; f1: number };
  lines.push(`closed-book      EM ${pct(cb.em)}  F1 ${pct(cb.f1)}`);
  const wr = report.with_retrieval as { em: number; f1: number; rejectedUnanswerable: number } | undefined;
  if (wr)
    lines.push(
      `with retrieval   EM ${pct(wr.em)}  F1 ${pct(wr.f1)}  unanswerable rejected ${pct(wr.rejectedUnanswerable)}`,
    );
  const rr = report.retrieval as Record<string, { recall: number; mrr: number }> | undefined;
  if (rr)
    for (const [m, r] of Object.entries(rr))
      lines.push(`recall@${k} ${m.padEnd(7)} ${pct(r.recall)}  MRR ${r.mrr.toFixed(3)}`);
  out(lines.join('\n'));
}
