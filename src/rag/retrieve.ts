// Hybrid retrieval: FTS5 BM25 and exact-cosine vector top-k fused by reciprocal rank, an optional
// reranker, and a relevance gate that turns weak evidence into "not found".
import { contentWords, type Embedder } from './embedder.js';
import type { ChunkRow, KbStore } from './store.js';

/** Re-scores candidate passages for a query (cross-encoder, LLM judge…); higher is better. */
export interface Reranker {
  rerank(query: string, passages: string[]): Promise<number[]>;
}

/** Thresholds of the relevance gate; a hit is evidence when ANY threshold is met. */
export interface GateOptions {
  /** Minimum IDF-weighted share of the query's content words present in the chunk (default 0.5). */
  minCoverage?: number;
  /** Minimum cosine between query and chunk vectors (default: the embedder's `minCosine`, else 0.5). */
  minCosine?: number;
  /** Minimum reranker score when a reranker is used (default: not applied). */
  minRerank?: number;
}

/** Search options. */
export interface SearchOptions {
  /** Results to return (default 5). */
  k?: number;
  /** hybrid (default), bm25 or vector. */
  mode?: 'hybrid' | 'bm25' | 'vector';
  /** Source prefix or GLOB ("/notes/*.md"). */
  source?: string;
  /** Candidates taken from each retriever before fusion (default max(4k, 40)). */
  candidates?: number;
  /** RRF constant (default 60). */
  rrfK?: number;
  /**
   * How hybrid mode fuses the two lists: 'rrf' (reciprocal rank) or 'convex' (α·BM25/max + (1−α)·min-max
   * cosine over the union of both candidate lists, each candidate scored by both retrievers). Default 'convex'
   * (chosen on held-out seeds of the generated registry QA set, see docs/rag.md).
   */
  fusion?: 'rrf' | 'convex';
  /** BM25's weight α in convex fusion (default 0.7). */
  alpha?: number;
  reranker?: Reranker;
  /** How many fused candidates the reranker sees (default 20). */
  rerankTop?: number;
  /** BM25 ignores query words found in more than this share of chunks (default 0.2), unless all are. */
  maxTermShare?: number;
  gate?: GateOptions;
}

/** One retrieved chunk with every score that led to it. */
export interface SearchHit {
  chunk: ChunkRow;
  /** Final ranking score (RRF, or reranker score when reranked; raw score in single modes). */
  score: number;
  /** 1-based ranks in each list (absent when not in that list). */
  bm25Rank?: number;
  vectorRank?: number;
  /** FTS5 bm25() (negative, lower = better). */
  bm25?: number;
  cosine?: number;
  /** IDF-weighted share of query content words found in the chunk, 0–1. */
  coverage: number;
  rerank?: number;
  /** This hit passed the relevance gate. */
  relevant: boolean;
}

/** Search result: hits best first, and whether any of them is real evidence. */
export interface SearchResult {
  hits: SearchHit[];
  found: boolean;
  /** Why found is false, for the user. */
  reason?: string;
}

/** FTS5 MATCH expression: the query's content words, quoted, OR-ed ('' when none). */
export function ftsQuery(query: string | string[]): string {
  const terms = typeof query === 'string' ? [...new Set(contentWords(query))] : query;
  return terms.map(quoteTerm).join(' OR ');
}

const quoteTerm = (t: string) => `"${t.replace(/"/g, '""')}"`;

/**
 * The query words worth matching: those present in the KB, without near-ubiquitous ones (in more than
 * `maxShare` of chunks: they cost the most to score and separate nothing), unless nothing else is left.
 */
export function matchTerms(store: KbStore, query: string, maxShare = 0.2): string[] {
  const terms = [...new Set(contentWords(query))];
  const n = store.chunkCount();
  const withDf = terms.map((t) => ({ t, df: store.ftsCount(quoteTerm(t)) })).filter((x) => x.df > 0);
  const selective = withDf.filter((x) => x.df <= maxShare * n);
  return (selective.length > 0 ? selective : withDf).map((x) => x.t);
}

/** Reciprocal-rank fusion of ranked id lists: Σ 1 / (k + rank). */
export function rrf(lists: number[][], k = 60): Map<number, number> {
  const m = new Map<number, number>();
  for (const list of lists)
    list.forEach((id, i) => {
      m.set(id, (m.get(id) ?? 0) + 1 / (k + i + 1));
    });
  return m;
}

/**
 * Convex combination of both retrievers' scores over the union of their candidates: α·(BM25 / best BM25)
 * + (1 − α)·(cosine min-max scaled over the union). Candidates found by one retriever only are scored by
 * the other too (cosine from the vector cache; BM25 0 when they match no query word).
 */
function convexFusion(
  store: KbStore,
  qv: Float32Array,
  bm: { chunkId: number; score: number }[],
  vec: { chunkId: number; score: number }[],
  alpha: number,
): Map<number, number> {
  const ids = [...new Set([...bm.map((h) => h.chunkId), ...vec.map((h) => h.chunkId)])];
  const b = new Map(bm.map((h) => [h.chunkId, -h.score]));
  const cos = store.cosineOf(qv, ids);
  let bMax = 0;
  for (const v of b.values()) bMax = Math.max(bMax, v);
  let cMin = Number.POSITIVE_INFINITY;
  let cMax = Number.NEGATIVE_INFINITY;
  for (const c of cos)
    if (Number.isFinite(c)) {
      cMin = Math.min(cMin, c);
      cMax = Math.max(cMax, c);
    }
  const out = new Map<number, number>();
  ids.forEach((id, i) => {
    const nb = bMax > 0 ? (b.get(id) ?? 0) / bMax : 0;
    const c = cos[i]!;
    const nc = Number.isFinite(c) && cMax > cMin ? (c - cMin) / (cMax - cMin) : 0;
    out.set(id, alpha * nb + (1 - alpha) * nc);
  });
  return out;
}

/** IDF-weighted query-term coverage of each chunk (terms unknown to the KB weigh in at maximum IDF). */
export function coverage(store: KbStore, query: string, chunkIds: number[]): Map<number, number> {
  const terms = [...new Set(contentWords(query))];
  const out = new Map<number, number>(chunkIds.map((id) => [id, 0]));
  if (terms.length === 0 || chunkIds.length === 0) return out;
  const n = store.chunkCount();
  let total = 0;
  for (const t of terms) {
    const m = quoteTerm(t);
    const df = store.ftsCount(m);
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    total += idf;
    if (df === 0) continue;
    for (const id of store.ftsAmong(m, chunkIds)) out.set(id, out.get(id)! + idf);
  }
  for (const [id, v] of out) out.set(id, total > 0 ? v / total : 0);
  return out;
}

/** Retrieves the best chunks for `query` from a store. `embedder` is needed for vector/hybrid modes. */
export async function retrieve(
  store: KbStore,
  embedder: Embedder | null | undefined,
  query: string,
  opts: SearchOptions = {},
): Promise<SearchResult> {
  const k = opts.k ?? 5;
  const mode = opts.mode ?? 'hybrid';
  const cand = opts.candidates ?? Math.max(4 * k, 40);
  const gate = { minCoverage: 0.5, minCosine: embedder?.minCosine ?? 0.5, ...opts.gate };
  const useVec = mode !== 'bm25' && !!embedder && !!store.embedder;
  if (mode === 'vector' && !useVec)
    throw new Error(
      'vector search needs an embedder and a knowledge base with vectors (open it with {embedder})',
    );
  const bm =
    mode === 'vector'
      ? []
      : store.bm25(ftsQuery(matchTerms(store, query, opts.maxTermShare)), cand, opts.source);
  let qv: Float32Array | null = null;
  // bm25 mode never touches vectors (loading the cache costs seconds on a large KB)
  if (useVec) qv = (await embedder!.embed([query]))[0]!;
  const vec = useVec && qv ? store.vectorSearch(qv, cand, opts.source) : [];
  const bmRank = new Map(bm.map((h, i) => [h.chunkId, i + 1]));
  const vecRank = new Map(vec.map((h, i) => [h.chunkId, i + 1]));
  const fused =
    mode === 'hybrid' && (opts.fusion ?? 'convex') === 'convex' && qv
      ? convexFusion(store, qv, bm, vec, opts.alpha ?? 0.7)
      : rrf([bm.map((h) => h.chunkId), vec.map((h) => h.chunkId)], opts.rrfK ?? 60);
  let ids = [...fused.keys()].sort((a, b) => fused.get(b)! - fused.get(a)! || a - b);
  const scoreOf = new Map<number, number>();
  if (mode === 'bm25') for (const h of bm) scoreOf.set(h.chunkId, -h.score);
  else if (mode === 'vector') for (const h of vec) scoreOf.set(h.chunkId, h.score);
  else for (const [id, s] of fused) scoreOf.set(id, s);
  let rerankScore: Map<number, number> | undefined;
  if (opts.reranker && ids.length > 0) {
    const top = ids.slice(0, opts.rerankTop ?? 20);
    const rows = store.getChunks(top);
    const scores = await opts.reranker.rerank(
      query,
      rows.map((r) => (r.heading_path ? `${r.heading_path}\n${r.text}` : r.text)),
    );
    rerankScore = new Map(rows.map((r, i) => [r.id, scores[i] ?? Number.NEGATIVE_INFINITY]));
    ids = [...top].sort((a, b) => rerankScore!.get(b)! - rerankScore!.get(a)!);
  }
  ids = ids.slice(0, k);
  const rows = store.getChunks(ids);
  const cov = coverage(store, query, ids);
  const cos = qv ? store.cosineOf(qv, ids) : ids.map(() => Number.NaN);
  const bmScore = new Map(bm.map((h) => [h.chunkId, h.score]));
  const hits: SearchHit[] = rows.map((chunk) => {
    const c = cov.get(chunk.id) ?? 0;
    const cs = cos[ids.indexOf(chunk.id)] ?? Number.NaN;
    const rr = rerankScore?.get(chunk.id);
    const relevant =
      c >= gate.minCoverage ||
      (Number.isFinite(cs) && cs >= gate.minCosine) ||
      (rr !== undefined && gate.minRerank !== undefined && rr >= gate.minRerank);
    return {
      chunk,
      score: rr ?? scoreOf.get(chunk.id) ?? 0,
      bm25Rank: bmRank.get(chunk.id),
      vectorRank: vecRank.get(chunk.id),
      bm25: bmScore.get(chunk.id),
      cosine: Number.isFinite(cs) ? cs : undefined,
      coverage: c,
      rerank: rr,
      relevant,
    };
  });
  const found = hits.some((h) => h.relevant);
  return {
    hits,
    found,
    reason: found
      ? undefined
      : hits.length === 0
        ? 'no matching passages in your documents'
        : 'only weak matches in your documents (below the relevance thresholds)',
  };
}
