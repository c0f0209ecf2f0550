// Every SQL statement of the knowledge-base store, in one place (schema, migrations, queries), so that a
// browser build (sql.js / wa-sqlite with FTS5) can reuse them unchanged.

/** Schema migrations; index i brings the schema from version i to i + 1. Each runs in one transaction. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,         -- absolute file path or URL
    kind TEXT NOT NULL,                  -- txt | md | html | pdf | code | web
    title TEXT,
    mtime_ms REAL,                       -- file modification time (ms), NULL for web pages
    size INTEGER NOT NULL,               -- bytes of the raw source
    content_hash TEXT NOT NULL,          -- sha256 hex of the raw bytes
    indexed_at INTEGER NOT NULL          -- ms since epoch
  );
  CREATE TABLE chunks (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,            -- 0-based position in the document
    text TEXT NOT NULL,
    heading_path TEXT NOT NULL DEFAULT '', -- "Intro > Setup"
    char_start INTEGER NOT NULL,         -- offsets into the extracted text (= the file for txt/md/code)
    char_end INTEGER NOT NULL,
    line_start INTEGER NOT NULL,         -- 1-based, inclusive
    line_end INTEGER NOT NULL,
    page INTEGER,                        -- 1-based page for PDFs
    content_hash TEXT NOT NULL,          -- sha256 hex of text
    n_tokens INTEGER NOT NULL,
    UNIQUE (doc_id, ordinal)
  );
  CREATE INDEX chunks_doc ON chunks(doc_id);
  CREATE TABLE vectors (
    chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    vec BLOB NOT NULL                    -- dim × float32 little-endian, L2-normalized
  );
  CREATE VIRTUAL TABLE chunks_fts USING fts5(
    text, heading_path, content='chunks', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text, heading_path) VALUES (new.id, new.text, new.heading_path);
  END;
  CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, heading_path) VALUES ('delete', old.id, old.text, old.heading_path);
  END;
  CREATE TRIGGER chunks_au AFTER UPDATE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, heading_path) VALUES ('delete', old.id, old.text, old.heading_path);
    INSERT INTO chunks_fts(rowid, text, heading_path) VALUES (new.id, new.text, new.heading_path);
  END;
  CREATE VIRTUAL TABLE chunks_fts_vocab USING fts5vocab(chunks_fts, 'row');
  `,
];

export const SQL = {
  pragmas: ['journal_mode = WAL', 'foreign_keys = ON', 'synchronous = NORMAL', 'busy_timeout = 5000'],
  createVersion: 'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)',
  getVersion: 'SELECT version FROM schema_version',
  insertVersion: 'INSERT INTO schema_version (version) VALUES (?)',
  setVersion: 'UPDATE schema_version SET version = ?',
  dataVersion: 'PRAGMA data_version',
  getMeta: 'SELECT value FROM meta WHERE key = ?',
  setMeta:
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  getDoc: 'SELECT * FROM documents WHERE source = ?',
  listDocs: `SELECT d.*, (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.id) AS n_chunks FROM documents d ORDER BY d.source`,
  insertDoc: `INSERT INTO documents (source, kind, title, mtime_ms, size, content_hash, indexed_at)
    VALUES (@source, @kind, @title, @mtime_ms, @size, @content_hash, @indexed_at)`,
  touchDoc: 'UPDATE documents SET mtime_ms = ?, size = ? WHERE id = ?',
  deleteChunksOfDoc: 'DELETE FROM chunks WHERE doc_id = ?',
  deleteVectorsOfDoc: 'DELETE FROM vectors WHERE chunk_id IN (SELECT id FROM chunks WHERE doc_id = ?)',
  deleteDoc: 'DELETE FROM documents WHERE id = ?',
  insertChunk: `INSERT INTO chunks (doc_id, ordinal, text, heading_path, char_start, char_end, line_start, line_end,
    page, content_hash, n_tokens) VALUES (@doc_id, @ordinal, @text, @heading_path, @char_start, @char_end,
    @line_start, @line_end, @page, @content_hash, @n_tokens)`,
  insertVector: 'INSERT OR REPLACE INTO vectors (chunk_id, vec) VALUES (?, ?)',
  chunksById: (n: number) =>
    `SELECT c.*, d.source, d.title, d.kind FROM chunks c JOIN documents d ON d.id = c.doc_id
     WHERE c.id IN (${new Array(n).fill('?').join(',')})`,
  allVectors:
    'SELECT v.chunk_id, c.doc_id, v.vec FROM vectors v JOIN chunks c ON c.id = v.chunk_id ORDER BY v.chunk_id',
  chunksWithoutVectors:
    'SELECT c.id, c.text, c.heading_path FROM chunks c LEFT JOIN vectors v ON v.chunk_id = c.id WHERE v.chunk_id IS NULL ORDER BY c.id LIMIT ?',
  vectorsOfDoc:
    'SELECT c.content_hash, v.vec FROM chunks c JOIN vectors v ON v.chunk_id = c.id WHERE c.doc_id = ?',
  /** Which of the given chunks contain an FTS5 expression. */
  ftsAmong: (n: number) =>
    `SELECT rowid AS id FROM chunks_fts WHERE chunks_fts MATCH ? AND rowid IN (${new Array(n).fill('?').join(',')})`,
  ftsCount: 'SELECT COUNT(*) AS n FROM chunks_fts WHERE chunks_fts MATCH ?',
  countChunks: 'SELECT COUNT(*) AS n FROM chunks',
  deleteAllVectors: 'DELETE FROM vectors',
  countVectors: 'SELECT COUNT(*) AS n FROM vectors',
  stats: `SELECT (SELECT COUNT(*) FROM documents) AS documents, (SELECT COUNT(*) FROM chunks) AS chunks,
    (SELECT COUNT(*) FROM vectors) AS vectors, (SELECT COALESCE(SUM(size), 0) FROM documents) AS source_bytes,
    (SELECT COALESCE(SUM(LENGTH(text)), 0) FROM chunks) AS text_chars`,
  docIdsWhereSource: (glob: boolean) =>
    `SELECT id FROM documents WHERE ${glob ? 'source GLOB ?' : 'substr(source, 1, ?) = ?'}`,
  /** BM25 over text (weight 1) and heading path (weight 0.5); lower bm25() is better. */
  bm25: (filter: 'none' | 'glob' | 'prefix') => `SELECT f.rowid AS id, bm25(chunks_fts, 1.0, 0.5) AS score
    FROM chunks_fts f ${filter === 'none' ? '' : 'JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.doc_id'}
    WHERE chunks_fts MATCH ? ${filter === 'glob' ? 'AND d.source GLOB ?' : filter === 'prefix' ? 'AND substr(d.source, 1, ?) = ?' : ''}
    ORDER BY score LIMIT ?`,
  /** Number of chunks containing the term (FTS5 vocabulary, after porter stemming). */
  termDocs: 'SELECT doc FROM chunks_fts_vocab WHERE term = ?',
  ftsIntegrity: "INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')",
  ftsOptimize: "INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')",
} as const;
