// Public API of retrieval-augmented answering: open a knowledge base, add/remove/list documents, search, ask.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type Answer,
  type AnswerEvent,
  type AnswerOptions,
  answerFromHits,
  answerStream,
  NOT_FOUND_ANSWER,
} from './answer.js';
import { type ChunkOptions, chunkBlocks } from './chunk.js';
import type { Embedder } from './embedder.js';
import type { Generator } from './generator.js';
import { type DocKind, detectKind, parseSource } from './ingest/index.js';
import { DEFAULT_IGNORE, listFiles } from './ingest/walk.js';
import { retrieve, type SearchOptions, type SearchResult } from './retrieve.js';
import { type ChunkInput, type DocRow, type KbStats, KbStore, sha256 } from './store.js';

export type { Answer, AnswerEvent, AnswerOptions, Citation } from './answer.js';
export type { ChunkOptions } from './chunk.js';
export { type Embedder, HashingEmbedder } from './embedder.js';
export type { GenerateOptions, Generator } from './generator.js';
export type { GateOptions, Reranker, SearchHit, SearchOptions, SearchResult } from './retrieve.js';
export type { ChunkRow, DocRow, KbStats } from './store.js';

/** Per-file outcome of `add`. */
export type FileStatus = 'added' | 'updated' | 'unchanged' | 'skipped' | 'error';

/** Progress event of `add`. */
export interface AddProgress {
  done: number;
  total: number;
  path: string;
  status: FileStatus;
  chunks?: number;
  error?: string;
}

/** Options of `add`. */
export interface AddOptions {
  /** Ignore patterns for directories (default DEFAULT_IGNORE). */
  ignore?: string[];
  chunk?: ChunkOptions;
  /** Re-index even unchanged files. */
  force?: boolean;
  /** Remove indexed documents under the given directories whose files no longer exist. */
  prune?: boolean;
  onProgress?: (p: AddProgress) => void;
  /** Texts per embedder call (default 64). */
  embedBatch?: number;
  /** Files larger than this are skipped (default 64 MiB). */
  maxFileBytes?: number;
}

/** Summary of `add`. */
export interface AddReport {
  added: string[];
  updated: string[];
  unchanged: number;
  skipped: { path: string; reason: string }[];
  errors: { path: string; error: string }[];
  removed: string[];
  chunks: number;
  embedded: number;
  ms: number;
}

/** Text given to the embedder for a chunk: its heading path, then its text. */
export const embedText = (c: { headingPath?: string; heading_path?: string; text: string }) => {
  const h = c.headingPath ?? c.heading_path ?? '';
  return h ? `${h}\n${c.text}` : c.text;
};

/** A knowledge base: one SQLite file plus the embedder used for its vectors. */
export class KnowledgeBase {
  readonly store: KbStore;
  readonly embedder: Embedder | null;

  constructor(store: KbStore, embedder: Embedder | null) {
    this.store = store;
    this.embedder = embedder;
  }

  private async embedAll(texts: string[], batch: number): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += batch)
      out.push(...(await this.embedder!.embed(texts.slice(i, i + batch))));
    return out;
  }

  /**
   * Indexes one source from bytes in a single transaction (replacing its previous version). Vectors of
   * chunks whose text is unchanged are reused instead of re-embedded.
   */
  async indexBytes(
    source: string,
    bytes: Uint8Array,
    kind: DocKind,
    meta: { mtimeMs?: number | null; title?: string; docKind?: string } = {},
    opts: AddOptions = {},
  ): Promise<{ chunks: number; embedded: number }> {
    const parsed = await parseSource(bytes, source, kind);
    const chunks: ChunkInput[] = chunkBlocks(parsed.blocks, opts.chunk);
    let vectors: Float32Array[] | null = null;
    let embedded = 0;
    if (this.embedder) {
      const old = this.store.getDocument(source);
      const reuse = old ? this.store.vectorsByChunkHash(old.id) : new Map<string, Float32Array>();
      vectors = new Array(chunks.length);
      const todo: number[] = [];
      chunks.forEach((c, i) => {
        const v = reuse.get(sha256(c.text));
        if (v) vectors![i] = v;
        else todo.push(i);
      });
      const fresh = await this.embedAll(
        todo.map((i) => embedText(chunks[i]!)),
        opts.embedBatch ?? 64,
      );
      todo.forEach((i, j) => {
        vectors![i] = fresh[j]!;
      });
      embedded = todo.length;
    }
    this.store.replaceDocument(
      {
        source,
        kind: meta.docKind ?? kind,
        title: meta.title ?? parsed.title ?? null,
        mtimeMs: meta.mtimeMs ?? null,
        size: bytes.byteLength,
        contentHash: sha256(bytes),
      },
      chunks,
      vectors,
    );
    return { chunks: chunks.length, embedded };
  }

  /**
   * Adds files and directories (recursively). Unchanged files (same mtime and size, or same content
   * hash) are skipped; changed ones replace only their own chunks; each file is one transaction, so an
   * interrupted run leaves a consistent KB and re-running completes it. Unreadable or corrupt files are
   * reported in `errors` and skipped.
   */
  async add(paths: string[], opts: AddOptions = {}): Promise<AddReport> {
    const t0 = performance.now();
    const report: AddReport = {
      added: [],
      updated: [],
      unchanged: 0,
      skipped: [],
      errors: [],
      removed: [],
      chunks: 0,
      embedded: 0,
      ms: 0,
    };
    const files = listFiles(paths, opts.ignore ?? DEFAULT_IGNORE);
    let done = 0;
    for (const file of files) {
      let status: FileStatus = 'unchanged';
      let chunks: number | undefined;
      let error: string | undefined;
      try {
        const kind = detectKind(file);
        if (!kind) {
          status = 'skipped';
          report.skipped.push({ path: file, reason: 'unsupported file type' });
        } else {
          const st = await stat(file);
          const old = this.store.getDocument(file);
          const maxBytes = opts.maxFileBytes ?? 64 * 2 ** 20;
          if (st.size > maxBytes) {
            status = 'skipped';
            report.skipped.push({ path: file, reason: `larger than ${maxBytes} bytes (${st.size})` });
          } else if (old && !opts.force && old.mtime_ms === st.mtimeMs && old.size === st.size) {
            report.unchanged++;
          } else {
            const bytes = await readFile(file);
            if (old && !opts.force && old.content_hash === sha256(bytes)) {
              this.store.touchDocument(old.id, st.mtimeMs, bytes.byteLength);
              report.unchanged++;
            } else {
              const r = await this.indexBytes(file, bytes, kind, { mtimeMs: st.mtimeMs }, opts);
              chunks = r.chunks;
              report.chunks += r.chunks;
              report.embedded += r.embedded;
              status = old ? 'updated' : 'added';
              (old ? report.updated : report.added).push(file);
            }
          }
        }
      } catch (e) {
        status = 'error';
        error = (e as Error).message;
        report.errors.push({ path: file, error });
      }
      done++;
      opts.onProgress?.({ done, total: files.length, path: file, status, chunks, error });
    }
    if (opts.prune) {
      const present = new Set(files);
      for (const p of paths.map((x) => resolve(x))) {
        for (const d of this.store.listDocuments(p))
          if (
            !/^https?:/.test(d.source) &&
            !present.has(d.source) &&
            (d.source === p || d.source.startsWith(`${p}/`))
          )
            report.removed.push(...this.store.removeDocuments(d.source));
      }
    }
    report.ms = performance.now() - t0;
    return report;
  }

  /** Indexes an in-memory text (e.g. a fetched web page) under `source`. */
  async addText(
    source: string,
    text: string,
    opts: { kind?: DocKind; title?: string; docKind?: string } & AddOptions = {},
  ): Promise<{ chunks: number; embedded: number }> {
    return this.indexBytes(source, new TextEncoder().encode(text), opts.kind ?? 'txt', opts, opts);
  }

  /** Removes a document by source path, or every document under it with `prefix` (paths are resolved). */
  remove(source: string, opts: { prefix?: boolean } = {}): string[] {
    const s = /^https?:/.test(source) ? source : resolve(source);
    return this.store.removeDocuments(s, opts);
  }

  /** Indexed documents (optionally filtered by source prefix or GLOB). */
  list(filter?: string): (DocRow & { n_chunks: number })[] {
    return this.store.listDocuments(filter);
  }

  /** Counts and sizes. */
  stats(): KbStats {
    return this.store.stats();
  }

  /** Searches the KB. */
  search(query: string, opts: SearchOptions = {}): Promise<SearchResult> {
    return retrieve(this.store, this.embedder, query, opts);
  }

  /** Embeds chunks that have no vector yet (indexed without an embedder). Returns how many. */
  async embedMissing(batch = 256): Promise<number> {
    if (!this.embedder) throw new Error('embedMissing: the knowledge base was opened without an embedder');
    let n = 0;
    for (;;) {
      const rows = this.store.chunksWithoutVectors(batch);
      if (rows.length === 0) return n;
      const vs = await this.embedder.embed(rows.map(embedText));
      this.store.putVectors(rows.map((r, i) => ({ chunkId: r.id, vector: vs[i]! })));
      n += rows.length;
    }
  }

  /** Drops all vectors and re-embeds every chunk with this KB's embedder (to switch embedders). */
  async reembed(batch = 256): Promise<number> {
    if (!this.embedder) throw new Error('reembed: the knowledge base was opened without an embedder');
    this.store.resetVectors(this.embedder);
    return this.embedMissing(batch);
  }

  /** Checkpoints and merges the full-text index. */
  optimize(): void {
    this.store.optimize();
  }

  close(): void {
    this.store.close();
  }
}

/** Options of `openKnowledgeBase`. */
export interface OpenOptions {
  /** Embedder for vectors; omitted → BM25 only (vectors already stored stay unused). */
  embedder?: Embedder | null;
  readonly?: boolean;
  /** With `embedder`: drop vectors of a different embedder and re-embed instead of refusing. */
  reembed?: boolean;
}

/**
 * Opens (creating if needed) the knowledge base stored in the SQLite file `path`. Refuses an embedder
 * different from the one that made the stored vectors unless `reembed` is set.
 */
export async function openKnowledgeBase(path: string, opts: OpenOptions = {}): Promise<KnowledgeBase> {
  const emb = opts.embedder ?? null;
  let store: KbStore;
  try {
    store = new KbStore(path, emb, { readonly: opts.readonly });
  } catch (e) {
    if (!opts.reembed || !emb || !/mixing embedders/.test((e as Error).message)) throw e;
    store = new KbStore(path, null);
    const kb = new KnowledgeBase(store, emb);
    await kb.reembed();
    store.close();
    store = new KbStore(path, emb);
  }
  return new KnowledgeBase(store, emb);
}

/** Options of `ask`. */
export interface AskOptions extends AnswerOptions, SearchOptions {}

/**
 * Answers a question from the KB: retrieves (hybrid by default), and when the evidence passes the
 * relevance gate asks the generator to answer with [n] citations; otherwise returns "Not found in your
 * documents." without calling the model.
 */
export async function ask(
  kb: KnowledgeBase,
  generator: Generator,
  question: string,
  opts: AskOptions = {},
): Promise<Answer & { retrieval: SearchResult }> {
  const retrieval = await kb.search(question, { k: 6, ...opts });
  if (!retrieval.found)
    return {
      answer: NOT_FOUND_ANSWER,
      citations: [],
      found: false,
      invalidCitations: [],
      sources: [],
      reason: retrieval.reason,
      retrieval,
    };
  const a = await answerFromHits(generator, question, retrieval.hits, opts);
  return { ...a, retrieval };
}

/** Streaming `ask`: `token` events as the model writes, then `done` with the checked answer and retrieval. */
export async function* askStream(
  kb: KnowledgeBase,
  generator: Generator,
  question: string,
  opts: AskOptions = {},
): AsyncGenerator<AnswerEvent & { retrieval?: SearchResult }> {
  const retrieval = await kb.search(question, { k: 6, ...opts });
  if (!retrieval.found) {
    yield {
      type: 'done',
      answer: {
        answer: NOT_FOUND_ANSWER,
        citations: [],
        found: false,
        invalidCitations: [],
        sources: [],
        reason: retrieval.reason,
      },
      retrieval,
    };
    return;
  }
  for await (const ev of answerStream(generator, question, retrieval.hits, opts))
    yield ev.type === 'done' ? { ...ev, retrieval } : ev;
}
