// The knowledge-base store: one SQLite file (better-sqlite3, WAL) with documents, chunks, FTS5 and vectors.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { l2normalize } from './embedder.js';
import { MIGRATIONS, SQL } from './sql.js';
import { type VectorHit, VectorIndex } from './vector-index.js';

/** A document row. */
export interface DocRow {
  id: number;
  source: string;
  kind: string;
  title: string | null;
  mtime_ms: number | null;
  size: number;
  content_hash: string;
  indexed_at: number;
}

/** What the store needs to insert a document. */
export interface DocInput {
  source: string;
  kind: string;
  title?: string | null;
  mtimeMs?: number | null;
  size: number;
  contentHash: string;
}

/** A chunk to insert (ordinal is its index in the array). */
export interface ChunkInput {
  text: string;
  headingPath: string;
  charStart: number;
  charEnd: number;
  lineStart: number;
  lineEnd: number;
  page?: number | null;
  nTokens: number;
}

/** A stored chunk with its document's source and title. */
export interface ChunkRow {
  id: number;
  doc_id: number;
  ordinal: number;
  text: string;
  heading_path: string;
  char_start: number;
  char_end: number;
  line_start: number;
  line_end: number;
  page: number | null;
  content_hash: string;
  n_tokens: number;
  source: string;
  title: string | null;
  kind: string;
}

/** Knowledge-base statistics. */
export interface KbStats {
  path: string;
  documents: number;
  chunks: number;
  vectors: number;
  sourceBytes: number;
  textChars: number;
  fileBytes: number;
  embedder: { id: string; dim: number } | null;
  schemaVersion: number;
}

/** Source filter: a prefix ("/docs/guide/") or a GLOB when it contains * ? or [. */
export type SourceFilter = string | undefined;

/** Identity of the embedder whose vectors a KB holds. */
export interface EmbedderIdentity {
  id: string;
  dim: number;
}

const isGlob = (s: string) => /[*?[]/.test(s);

/** sha256 hex of a string or bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Opens (creating/migrating) a knowledge-base SQLite file. */
export class KbStore {
  readonly path: string;
  readonly db: Database.Database;
  private embedderId: EmbedderIdentity | null;
  private vindex: VectorIndex | null = null;
  private dataVersion = -1;
  private stmts = new Map<string, Database.Statement>();

  /**
   * @param path SQLite file (":memory:" works).
   * @param embedder the embedder that will write/query vectors; refused when the KB holds vectors of another.
   */
  constructor(path: string, embedder?: EmbedderIdentity | null, opts: { readonly?: boolean } = {}) {
    this.path = path;
    this.db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    for (const p of SQL.pragmas) if (!(opts.readonly && p.startsWith('journal_mode'))) this.db.pragma(p);
    if (!opts.readonly) this.migrate();
    const id = this.meta('embedder_id');
    const dim = this.meta('embedder_dim');
    const stored = id && dim ? { id, dim: Number(dim) } : null;
    if (embedder && stored && (stored.id !== embedder.id || stored.dim !== embedder.dim)) {
      const n = (this.stmt(SQL.countVectors).get() as { n: number }).n;
      if (n > 0)
        throw new Error(
          `knowledge base ${path}: its ${n} vectors were made by embedder "${stored.id}" (dim ${stored.dim}), ` +
            `but embedder "${embedder.id}" (dim ${embedder.dim}) was given; use the same embedder or re-embed ` +
            `(kb.reembed()) — mixing embedders would make vector search meaningless`,
        );
    }
    if (embedder && !opts.readonly && (!stored || stored.id !== embedder.id || stored.dim !== embedder.dim)) {
      this.setMeta('embedder_id', embedder.id);
      this.setMeta('embedder_dim', String(embedder.dim));
    }
    this.embedderId = embedder ? { id: embedder.id, dim: embedder.dim } : stored;
  }

  /** Cached prepared statement. */
  stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  private migrate(): void {
    this.db.exec(SQL.createVersion);
    const row = this.db.prepare(SQL.getVersion).get() as { version: number } | undefined;
    const cur = row?.version ?? 0;
    if (cur > MIGRATIONS.length)
      throw new Error(
        `knowledge base ${this.path}: schema version ${cur} is newer than this pocketlm supports (${MIGRATIONS.length})`,
      );
    for (let v = cur; v < MIGRATIONS.length; v++) {
      this.db
        .transaction(() => {
          this.db.exec(MIGRATIONS[v]!);
          if (v === 0 && !row) this.db.prepare(SQL.insertVersion).run(v + 1);
          else this.db.prepare(SQL.setVersion).run(v + 1);
        })
        .immediate();
    }
  }

  /** Schema version of the open file. */
  get schemaVersion(): number {
    return (this.db.prepare(SQL.getVersion).get() as { version: number } | undefined)?.version ?? 0;
  }

  /** Reads a meta value. */
  meta(key: string): string | undefined {
    return (this.stmt(SQL.getMeta).get(key) as { value: string } | undefined)?.value;
  }

  /** Writes a meta value. */
  setMeta(key: string, value: string): void {
    this.stmt(SQL.setMeta).run(key, value);
  }

  /** The embedder identity vectors are (or will be) made with. */
  get embedder(): EmbedderIdentity | null {
    return this.embedderId;
  }

  /** The document with this source, if indexed. */
  getDocument(source: string): DocRow | undefined {
    return this.stmt(SQL.getDoc).get(source) as DocRow | undefined;
  }

  /** All documents with their chunk counts, sorted by source. */
  listDocuments(filter?: SourceFilter): (DocRow & { n_chunks: number })[] {
    const all = this.stmt(SQL.listDocs).all() as (DocRow & { n_chunks: number })[];
    if (!filter) return all;
    const ids = new Set(this.docIdsMatching(filter));
    return all.filter((d) => ids.has(d.id));
  }

  /** Updates a document's mtime/size without re-indexing (content unchanged). */
  touchDocument(id: number, mtimeMs: number | null, size: number): void {
    this.stmt(SQL.touchDoc).run(mtimeMs, size, id);
  }

  /**
   * Replaces a document and all its chunks and vectors in ONE transaction: after a crash the KB holds
   * either the old version or the new one, never a mix. `vectors[i]` belongs to `chunks[i]`.
   */
  replaceDocument(doc: DocInput, chunks: ChunkInput[], vectors?: Float32Array[] | null): number {
    if (vectors) {
      if (!this.embedderId)
        throw new Error(`replaceDocument(${doc.source}): vectors given but the KB has no embedder`);
      if (vectors.length !== chunks.length)
        throw new Error(
          `replaceDocument(${doc.source}): ${chunks.length} chunks but ${vectors.length} vectors`,
        );
      for (const v of vectors)
        if (v.length !== this.embedderId.dim)
          throw new Error(
            `replaceDocument(${doc.source}): vector dim ${v.length}, embedder dim ${this.embedderId.dim}`,
          );
    }
    const oldId = this.getDocument(doc.source)?.id;
    const added: { chunkId: number; v: Float32Array }[] = [];
    let docId = -1;
    this.db
      .transaction(() => {
        if (oldId !== undefined) this.deleteDocRows(oldId);
        docId = Number(
          this.stmt(SQL.insertDoc).run({
            source: doc.source,
            kind: doc.kind,
            title: doc.title ?? null,
            mtime_ms: doc.mtimeMs ?? null,
            size: doc.size,
            content_hash: doc.contentHash,
            indexed_at: Date.now(),
          }).lastInsertRowid,
        );
        const ins = this.stmt(SQL.insertChunk);
        const insV = this.stmt(SQL.insertVector);
        chunks.forEach((c, i) => {
          const chunkId = Number(
            ins.run({
              doc_id: docId,
              ordinal: i,
              text: c.text,
              heading_path: c.headingPath,
              char_start: c.charStart,
              char_end: c.charEnd,
              line_start: c.lineStart,
              line_end: c.lineEnd,
              page: c.page ?? null,
              content_hash: sha256(c.text),
              n_tokens: c.nTokens,
            }).lastInsertRowid,
          );
          if (vectors) {
            const v = l2normalize(Float32Array.from(vectors[i]!));
            insV.run(chunkId, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
            added.push({ chunkId, v });
          }
        });
      })
      .immediate();
    this.writes++;
    // keep the in-memory cache in step with our own commit
    if (this.vindex) {
      if (oldId !== undefined) this.vindex.removeDoc(oldId);
      for (const a of added) this.vindex.add(a.chunkId, docId, a.v);
      this.dataVersion = this.currentDataVersion();
    }
    return docId;
  }

  /** Stores vectors for existing chunks (re-embedding); one transaction. */
  putVectors(items: { chunkId: number; vector: Float32Array }[]): void {
    if (!this.embedderId) throw new Error('putVectors: the KB has no embedder');
    const ins = this.stmt(SQL.insertVector);
    this.db
      .transaction(() => {
        for (const { chunkId, vector } of items) {
          if (vector.length !== this.embedderId!.dim)
            throw new Error(
              `putVectors: chunk ${chunkId} vector dim ${vector.length}, embedder dim ${this.embedderId!.dim}`,
            );
          const v = l2normalize(Float32Array.from(vector));
          ins.run(chunkId, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
        }
      })
      .immediate();
    this.writes++;
    this.vindex = null; // reload lazily
  }

  /** Vectors of a document's current chunks keyed by chunk content hash (to reuse when re-indexing). */
  vectorsByChunkHash(docId: number): Map<string, Float32Array> {
    const m = new Map<string, Float32Array>();
    for (const r of this.stmt(SQL.vectorsOfDoc).all(docId) as { content_hash: string; vec: Buffer }[])
      m.set(r.content_hash, new Float32Array(new Uint8Array(r.vec).buffer));
    return m;
  }

  /** Cosine of `q` (unit length) with the given chunks' vectors (NaN when a chunk has none). */
  cosineOf(q: Float32Array, chunkIds: number[]): number[] {
    const vi = this.vectorIndex();
    if (!vi) return chunkIds.map(() => Number.NaN);
    return vi.scoreChunks(l2normalize(Float32Array.from(q)), chunkIds);
  }

  /** Chunks that have no vector yet (e.g. indexed without an embedder), in id order. */
  chunksWithoutVectors(limit: number): { id: number; text: string; heading_path: string }[] {
    return this.stmt(SQL.chunksWithoutVectors).all(limit) as {
      id: number;
      text: string;
      heading_path: string;
    }[];
  }

  /** Deletes all vectors and records a new embedder identity (before re-embedding). */
  resetVectors(embedder: EmbedderIdentity): void {
    this.db
      .transaction(() => {
        this.stmt(SQL.deleteAllVectors).run();
        this.setMeta('embedder_id', embedder.id);
        this.setMeta('embedder_dim', String(embedder.dim));
      })
      .immediate();
    this.writes++;
    this.embedderId = embedder;
    this.vindex = null;
  }

  private deleteDocRows(docId: number): void {
    // explicit order (vectors → chunks → document) so FTS triggers fire and nothing depends on cascades
    this.stmt(SQL.deleteVectorsOfDoc).run(docId);
    this.stmt(SQL.deleteChunksOfDoc).run(docId);
    this.stmt(SQL.deleteDoc).run(docId);
  }

  /** Removes documents whose source equals `source`, or (with `prefix`) starts with it. Returns how many. */
  removeDocuments(source: string, opts: { prefix?: boolean } = {}): string[] {
    const docs = opts.prefix
      ? this.listDocuments(source).filter((d) => d.source.startsWith(source))
      : [this.getDocument(source)].filter((d): d is DocRow & { n_chunks: number } => d !== undefined);
    if (docs.length === 0) return [];
    this.db
      .transaction(() => {
        for (const d of docs) this.deleteDocRows(d.id);
      })
      .immediate();
    this.writes++;
    if (this.vindex) {
      for (const d of docs) this.vindex.removeDoc(d.id);
      this.dataVersion = this.currentDataVersion();
    }
    return docs.map((d) => d.source);
  }

  /** Chunks by id, in the order of `ids` (missing ids skipped). */
  getChunks(ids: number[]): ChunkRow[] {
    if (ids.length === 0) return [];
    const rows: ChunkRow[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      rows.push(...(this.stmt(SQL.chunksById(part.length)).all(...part) as ChunkRow[]));
    }
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is ChunkRow => r !== undefined);
  }

  /** Document ids whose source matches a prefix or GLOB. */
  docIdsMatching(filter: string): number[] {
    const rows = isGlob(filter)
      ? this.stmt(SQL.docIdsWhereSource(true)).all(filter)
      : this.stmt(SQL.docIdsWhereSource(false)).all(filter.length, filter);
    return (rows as { id: number }[]).map((r) => r.id);
  }

  /**
   * BM25 top-k for an FTS5 MATCH expression (build it with `ftsQuery`). Scores are FTS5 bm25() values:
   * negative, lower is better.
   */
  bm25(match: string, k: number, filter?: SourceFilter): VectorHit[] {
    if (!match) return [];
    const rows = !filter
      ? this.stmt(SQL.bm25('none')).all(match, k)
      : isGlob(filter)
        ? this.stmt(SQL.bm25('glob')).all(match, filter, k)
        : this.stmt(SQL.bm25('prefix')).all(match, filter.length, filter, k);
    return (rows as { id: number; score: number }[]).map((r) => ({ chunkId: r.id, score: r.score }));
  }

  private dfCache = new Map<string, number>();
  /** Commits made through this connection (data_version only counts other connections'). */
  private writes = 0;
  private dfVersion = -1;

  /** Number of chunks matching an FTS5 expression (document frequency of a term); cached until the KB changes. */
  ftsCount(match: string): number {
    const v = this.currentDataVersion() * 1e9 + this.writes;
    if (v !== this.dfVersion) {
      this.dfCache.clear();
      this.dfVersion = v;
    }
    let n = this.dfCache.get(match);
    if (n === undefined) {
      n = (this.stmt(SQL.ftsCount).get(match) as { n: number }).n;
      if (this.dfCache.size > 50_000) this.dfCache.clear();
      this.dfCache.set(match, n);
    }
    return n;
  }

  /** Total number of chunks. */
  chunkCount(): number {
    return (this.stmt(SQL.countChunks).get() as { n: number }).n;
  }

  /** The subset of `chunkIds` whose text or heading matches an FTS5 expression. */
  ftsAmong(match: string, chunkIds: number[]): Set<number> {
    const out = new Set<number>();
    for (let i = 0; i < chunkIds.length; i += 500) {
      const part = chunkIds.slice(i, i + 500);
      for (const r of this.stmt(SQL.ftsAmong(part.length)).all(match, ...part) as { id: number }[])
        out.add(r.id);
    }
    return out;
  }

  private currentDataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** The in-memory vector cache, (re)loaded when missing or when another connection changed the file. */
  vectorIndex(): VectorIndex | null {
    if (!this.embedderId) return null;
    const dv = this.currentDataVersion();
    if (this.vindex && dv === this.dataVersion) return this.vindex;
    const n = (this.stmt(SQL.countVectors).get() as { n: number }).n;
    const vi = new VectorIndex(this.embedderId.dim, Math.max(16, n));
    // raw rows (arrays): no per-row object; the int8 copy is made as rows arrive
    for (const [chunkId, docId, vec] of this.db.prepare(SQL.allVectors).raw(true).iterate() as Iterable<
      [number, number, Buffer]
    >)
      vi.addBytes(chunkId, docId, vec);
    this.vindex = vi;
    this.dataVersion = dv;
    return vi;
  }

  /** Exact cosine top-k (q need not be normalized). */
  vectorSearch(q: Float32Array, k: number, filter?: SourceFilter): VectorHit[] {
    const vi = this.vectorIndex();
    if (!vi) return [];
    let mask: Uint8Array | undefined;
    if (filter) {
      const ids = this.docIdsMatching(filter);
      mask = new Uint8Array(ids.reduce((a, b) => Math.max(a, b), 0) + 1);
      for (const id of ids) mask[id] = 1;
    }
    return vi.search(l2normalize(Float32Array.from(q)), k, mask);
  }

  /** Counts and sizes. */
  stats(): KbStats {
    const s = this.stmt(SQL.stats).get() as {
      documents: number;
      chunks: number;
      vectors: number;
      source_bytes: number;
      text_chars: number;
    };
    const pageCount = this.db.pragma('page_count', { simple: true }) as number;
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    return {
      path: this.path,
      documents: s.documents,
      chunks: s.chunks,
      vectors: s.vectors,
      sourceBytes: s.source_bytes,
      textChars: s.text_chars,
      fileBytes: pageCount * pageSize,
      embedder: this.embedderId,
      schemaVersion: this.schemaVersion,
    };
  }

  /** Runs SQLite's and FTS5's integrity checks; throws with the first problem found. */
  checkIntegrity(): void {
    const r = this.db.pragma('integrity_check', { simple: true });
    if (r !== 'ok') throw new Error(`knowledge base ${this.path}: integrity_check: ${r}`);
    this.db.exec(SQL.ftsIntegrity);
    const fk = this.db.pragma('foreign_key_check') as unknown[];
    if (fk.length > 0) throw new Error(`knowledge base ${this.path}: ${fk.length} foreign-key violations`);
  }

  /** Merges FTS5 segments and checkpoints the WAL (after bulk indexing). */
  optimize(): void {
    this.db.exec(SQL.ftsOptimize);
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}
