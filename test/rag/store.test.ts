// Tests the SQLite knowledge-base store: schema, FTS sync, vectors, embedder identity, filters, removal.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { HashingEmbedder } from '../../src/rag/embedder.js';
import { ftsQuery } from '../../src/rag/retrieve.js';
import { type ChunkInput, KbStore } from '../../src/rag/store.js';
import { tempDir } from './helpers.js';

const chunk = (text: string, i = 0): ChunkInput => ({
  text,
  headingPath: 'H',
  charStart: i * 100,
  charEnd: i * 100 + text.length,
  lineStart: i + 1,
  lineEnd: i + 1,
  nTokens: 5,
});
const emb = new HashingEmbedder({ dim: 64 });

test('store: schema version, WAL, FTS5 in sync, vectors, stats, removal', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'kb.sqlite');
    const s = new KbStore(path, emb);
    assert.equal(s.schemaVersion, 1);
    assert.equal(s.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(s.db.pragma('foreign_keys', { simple: true }), 1);
    const texts = ['The otter builds dams in winter', 'Copper kettles whistle loudly', 'Otters eat fish'];
    const vecs = await emb.embed(texts);
    s.replaceDocument(
      { source: '/a.md', kind: 'md', size: 10, contentHash: 'h1' },
      texts.map((t, i) => chunk(t, i)),
      vecs,
    );
    s.replaceDocument(
      { source: '/b/c.md', kind: 'md', size: 5, contentHash: 'h2' },
      [chunk('kettles of copper')],
      [(await emb.embed(['kettles of copper']))[0]!],
    );
    let st = s.stats();
    assert.deepEqual([st.documents, st.chunks, st.vectors], [2, 4, 4]);
    assert.deepEqual(st.embedder, { id: emb.id, dim: 64 });
    // porter stemming: "otter" matches "Otters"
    const hits = s.bm25(ftsQuery('otter'), 10);
    assert.equal(hits.length, 2);
    // vector search and source filters
    const q = (await emb.embed(['copper kettle']))[0]!;
    const all = s.vectorSearch(q, 2);
    assert.ok(all[0]!.score > 0.3);
    const onlyB = s.vectorSearch(q, 5, '/b/');
    assert.deepEqual(
      s.getChunks(onlyB.map((h) => h.chunkId)).map((c) => c.source),
      ['/b/c.md'],
    );
    // SQLite GLOB: '*' also matches '/'
    assert.equal(s.bm25(ftsQuery('copper'), 5, '*.md').length, 2);
    assert.equal(s.bm25(ftsQuery('copper'), 5, '/b/*.md').length, 1);
    assert.equal(s.bm25(ftsQuery('copper'), 5, '/a.*').length, 1);
    // replacing a document replaces its chunks, FTS rows and vectors only
    const bIds = s.bm25(ftsQuery('kettles'), 5, '/b/').map((h) => h.chunkId);
    s.replaceDocument(
      { source: '/a.md', kind: 'md', size: 3, contentHash: 'h3' },
      [chunk('only beavers now')],
      [(await emb.embed(['only beavers now']))[0]!],
    );
    assert.equal(s.bm25(ftsQuery('otter'), 10).length, 0);
    assert.equal(s.bm25(ftsQuery('beavers'), 10).length, 1);
    assert.deepEqual(
      s.bm25(ftsQuery('kettles'), 5, '/b/').map((h) => h.chunkId),
      bIds,
    );
    assert.equal(s.vectorSearch(q, 10).length, 2);
    s.checkIntegrity();
    assert.deepEqual(s.removeDocuments('/b/', { prefix: true }), ['/b/c.md']);
    st = s.stats();
    assert.deepEqual([st.documents, st.chunks, st.vectors], [1, 1, 1]);
    assert.equal(s.bm25(ftsQuery('kettles'), 5).length, 0);
    assert.equal(s.vectorSearch(q, 10).length, 1);
    s.checkIntegrity();
    s.close();
    // a different embedder is refused with a clear message; the same one is fine
    assert.throws(
      () => new KbStore(path, new HashingEmbedder({ dim: 32 })),
      /made by embedder "hashing-v1:d64.*" \(dim 64\), but embedder "hashing-v1:d32.*" \(dim 32\) was given/,
    );
    new KbStore(path, emb).close();
    // a newer schema is refused
    const raw = new Database(path);
    raw.prepare('UPDATE schema_version SET version = 99').run();
    raw.close();
    assert.throws(
      () => new KbStore(path, emb),
      /schema version 99 is newer than this pocketlm supports \(1\)/,
    );
  } finally {
    cleanup();
  }
});

test('store: the vector cache follows commits made by another connection', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'kb.sqlite');
    const a = new KbStore(path, emb);
    const b = new KbStore(path, emb);
    const q = (await emb.embed(['lantern oil']))[0]!;
    assert.equal(a.vectorSearch(q, 5).length, 0);
    b.replaceDocument({ source: '/x', kind: 'txt', size: 1, contentHash: 'x' }, [chunk('lantern oil')], [q]);
    const hits = a.vectorSearch(q, 5);
    assert.equal(hits.length, 1);
    assert.ok(Math.abs(hits[0]!.score - 1) < 1e-5);
    a.close();
    b.close();
  } finally {
    cleanup();
  }
});

test('openKnowledgeBase: reembed switches embedders deliberately; embedMissing fills a BM25-only KB', async () => {
  const { openKnowledgeBase } = await import('../../src/rag/index.js');
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'kb.sqlite');
    const plain = await openKnowledgeBase(path);
    await plain.addText('/x.md', '# X\n\nThe otter builds dams.\n', { kind: 'md' });
    assert.equal(plain.stats().vectors, 0);
    assert.equal((await plain.search('otter dams', { mode: 'bm25' })).hits.length, 1);
    await assert.rejects(plain.search('otter', { mode: 'vector' }), /vector search needs an embedder/);
    plain.close();
    const a = await openKnowledgeBase(path, { embedder: emb });
    assert.equal(await a.embedMissing(), 1);
    assert.equal((await a.search('otter dams', { mode: 'vector' })).hits.length, 1);
    a.close();
    const other = new HashingEmbedder({ dim: 32 });
    await assert.rejects(openKnowledgeBase(path, { embedder: other }), /mixing embedders/);
    const b = await openKnowledgeBase(path, { embedder: other, reembed: true });
    assert.deepEqual(b.stats().embedder, { id: other.id, dim: 32 });
    assert.equal(b.stats().vectors, 1);
    assert.equal((await b.search('otter dams', { mode: 'vector' })).hits.length, 1);
    b.close();
  } finally {
    cleanup();
  }
});
