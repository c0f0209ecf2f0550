// In-memory retrieval for the browser: parsed blocks (or plain text/Markdown) → chunks, BM25 plus hashing-embedder vectors fused by RRF.
import type { Block } from '../rag/chunk.js';
import { chunkBlocks } from '../rag/chunk.js';
import { contentWords, HashingEmbedder } from '../rag/embedder.js';

/** A passage of a document, as indexed. */
export interface DocChunk {
  id: number;
  /** Document name (file name). */
  source: string;
  text: string;
  headingPath: string;
  lineStart: number;
  lineEnd: number;
  /** 1-based page (PDF chunks). */
  page?: number;
  /** Document title (PDF metadata, HTML title, Markdown H1) when known. */
  title?: string;
}

/** Where a chunk is in its document: "p. 3" for a PDF page, else "lines 4–9" (or "line 4"). */
export function chunkLocation(c: Pick<DocChunk, 'page' | 'lineStart' | 'lineEnd'>): string {
  if (c.page) return `p. ${c.page}`;
  return c.lineEnd > c.lineStart ? `lines ${c.lineStart}–${c.lineEnd}` : `line ${c.lineStart}`;
}

/** A retrieval hit: a chunk and its fused score. */
export interface DocHit {
  chunk: DocChunk;
  score: number;
  bm25: number;
}

/**
 * Splits plain text or Markdown into blocks: `#` headings, fenced code, and paragraphs separated by blank
 * lines. Line numbers are 1-based and inclusive.
 */
export function textToBlocks(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let offset = 0;
  let para: { start: number; end: number; line: number; parts: string[] } | null = null;
  let code: { start: number; line: number; parts: string[] } | null = null;
  const flushPara = (endLine: number) => {
    if (!para) return;
    blocks.push({
      kind: 'para',
      text: para.parts.join('\n'),
      charStart: para.start,
      charEnd: para.end,
      lineStart: para.line,
      lineEnd: endLine,
    });
    para = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    const end = offset + line.length;
    if (code) {
      if (/^\s*(```|~~~)/.test(line)) {
        blocks.push({
          kind: 'code',
          text: code.parts.join('\n'),
          charStart: code.start,
          charEnd: end,
          lineStart: code.line,
          lineEnd: lineNo,
        });
        code = null;
      } else code.parts.push(line);
    } else if (/^\s*(```|~~~)/.test(line)) {
      flushPara(lineNo - 1);
      code = { start: offset, line: lineNo, parts: [] };
    } else {
      const h = /^(#{1,6})\s+(.*)$/.exec(line);
      if (h) {
        flushPara(lineNo - 1);
        blocks.push({
          kind: 'heading',
          level: h[1]!.length,
          text: h[2]!.trim(),
          charStart: offset,
          charEnd: end,
          lineStart: lineNo,
          lineEnd: lineNo,
        });
      } else if (line.trim() === '') {
        flushPara(lineNo - 1);
      } else {
        para ??= { start: offset, end, line: lineNo, parts: [] };
        para.parts.push(line);
        para.end = end;
      }
    }
    offset = end + 1;
  }
  if (code) {
    const c = code as { start: number; line: number; parts: string[] };
    blocks.push({
      kind: 'code',
      text: c.parts.join('\n'),
      charStart: c.start,
      charEnd: offset,
      lineStart: c.line,
      lineEnd: lines.length,
    });
  }
  flushPara(lines.length);
  return blocks;
}

/** Index options. */
export interface DocIndexOptions {
  /** Chunk size in (approximate) tokens (default 160). */
  chunkTokens?: number;
  /** BM25 k1 (default 1.2) and b (default 0.75). */
  k1?: number;
  b?: number;
  /** Hashing-embedder dimension; 0 turns vectors off (default 256). */
  vectorDim?: number;
}

/**
 * A small in-memory BM25 index over document chunks, with optional feature-hashing vectors (the same
 * embedder as the Node knowledge base) fused with BM25 by reciprocal rank. Everything runs synchronously
 * on the calling thread; a few MB of text index in well under a second.
 */
export class DocIndex {
  readonly chunks: DocChunk[] = [];
  private readonly terms: Map<string, number>[] = [];
  private readonly lengths: number[] = [];
  private readonly df = new Map<string, number>();
  private readonly vectors: Float32Array[] = [];
  private readonly embedder?: HashingEmbedder;
  private totalLen = 0;
  private readonly k1: number;
  private readonly b: number;
  private readonly chunkTokens: number;

  constructor(opts: DocIndexOptions = {}) {
    this.k1 = opts.k1 ?? 1.2;
    this.b = opts.b ?? 0.75;
    this.chunkTokens = opts.chunkTokens ?? 160;
    const dim = opts.vectorDim ?? 256;
    if (dim > 0) this.embedder = new HashingEmbedder({ dim });
  }

  /** Names of the indexed documents, in order added. */
  get sources(): string[] {
    return [...new Set(this.chunks.map((c) => c.source))];
  }

  /** Chunks and indexes a plain-text/Markdown document; returns the number of chunks added. Throws on an empty document. */
  async add(source: string, text: string): Promise<number> {
    return this.addBlocks(source, textToBlocks(text));
  }

  /**
   * Chunks and indexes a parsed document (blocks from src/rag/ingest: PDF blocks carry their page, which
   * each chunk keeps); returns the number of chunks added. Throws on an empty document.
   */
  async addBlocks(source: string, blocks: Block[], title?: string): Promise<number> {
    const chunks = chunkBlocks(blocks, {
      maxTokens: this.chunkTokens,
      overlapTokens: Math.floor(this.chunkTokens / 8),
    });
    if (chunks.length === 0) throw new Error(`${source}: no text to index`);
    const texts: string[] = [];
    for (const c of chunks) {
      const chunk: DocChunk = {
        id: this.chunks.length,
        source,
        text: c.text,
        headingPath: c.headingPath,
        lineStart: c.lineStart,
        lineEnd: c.lineEnd,
      };
      if (c.page) chunk.page = c.page;
      if (title) chunk.title = title;
      const words = contentWords(`${c.headingPath} ${c.text}`);
      const tf = new Map<string, number>();
      for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
      for (const w of tf.keys()) this.df.set(w, (this.df.get(w) ?? 0) + 1);
      this.chunks.push(chunk);
      this.terms.push(tf);
      this.lengths.push(words.length);
      this.totalLen += words.length;
      texts.push(`${c.headingPath}\n${c.text}`);
    }
    if (this.embedder) this.vectors.push(...(await this.embedder.embed(texts)).map(normalize));
    return chunks.length;
  }

  /** Removes every chunk of `source` (ids are renumbered). */
  remove(source: string): void {
    const keep = this.chunks.map((c, i) => (c.source === source ? -1 : i)).filter((i) => i >= 0);
    const chunks = keep.map((i) => this.chunks[i]!);
    const terms = keep.map((i) => this.terms[i]!);
    const lengths = keep.map((i) => this.lengths[i]!);
    const vectors = this.embedder ? keep.map((i) => this.vectors[i]!) : [];
    this.chunks.length = this.terms.length = this.lengths.length = this.vectors.length = 0;
    this.df.clear();
    this.totalLen = 0;
    chunks.forEach((c, i) => {
      c.id = i;
      this.chunks.push(c);
      this.terms.push(terms[i]!);
      this.lengths.push(lengths[i]!);
      this.totalLen += lengths[i]!;
      for (const w of terms[i]!.keys()) this.df.set(w, (this.df.get(w) ?? 0) + 1);
      if (this.embedder) this.vectors.push(vectors[i]!);
    });
  }

  /** BM25 scores of every chunk for `query` (0 where no term matches). */
  bm25(query: string): Float64Array {
    const n = this.chunks.length;
    const scores = new Float64Array(n);
    if (n === 0) return scores;
    const avg = this.totalLen / n || 1;
    const qterms = [...new Set(contentWords(query))];
    for (const t of qterms) {
      const df = this.df.get(t);
      if (!df) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (let i = 0; i < n; i++) {
        const f = this.terms[i]!.get(t);
        if (!f) continue;
        const norm = 1 - this.b + (this.b * this.lengths[i]!) / avg;
        scores[i]! += (idf * f * (this.k1 + 1)) / (f + this.k1 * norm);
      }
    }
    return scores;
  }

  /**
   * The `k` best chunks for `query`: BM25 ranks fused with vector ranks (RRF, k = 60). Only chunks that
   * match at least one query word are returned, so an unrelated question finds nothing.
   */
  async search(query: string, k = 4): Promise<DocHit[]> {
    const bm = this.bm25(query);
    const matched = [...bm.keys()].filter((i) => bm[i]! > 0);
    if (matched.length === 0) return [];
    const fused = new Map<number, number>();
    const byBm = [...matched].sort((a, b) => bm[b]! - bm[a]!);
    for (const [r, id] of byBm.entries()) fused.set(id, 1 / (60 + r + 1));
    if (this.embedder) {
      const [qv] = await this.embedder.embed([query]);
      const q = normalize(qv!);
      const sim = matched.map((i) => ({ i, s: dot(q, this.vectors[i]!) }));
      sim.sort((a, b) => b.s - a.s);
      for (const [r, { i }] of sim.entries()) fused.set(i, (fused.get(i) ?? 0) + 1 / (60 + r + 1));
    }
    return [...fused.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([i, score]) => ({ chunk: this.chunks[i]!, score, bm25: bm[i]! }));
  }
}

function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
  return v;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
