// Tests ingestion: formats (md, txt, html, pdf, code), incremental re-indexing, errors, and SIGKILL safety.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HashingEmbedder, openKnowledgeBase } from '../../src/rag/index.js';
import { parseHtml } from '../../src/rag/ingest/html.js';
import { makePdf, tempDir } from './helpers.js';

const emb = new HashingEmbedder({ dim: 128 });

const ARTICLE = `<!doctype html><html><head><title>Kelp Farming | Site</title><script>var x = "tracking";</script></head>
<body><nav><a href="/">Home</a> <a href="/about">About us menu</a></nav>
<article><h1>Kelp Farming</h1>
<p>Kelp farming in the northern fjords began in 1962, when the cooperative planted its first ropes. ${'The ropes are checked weekly. '.repeat(8)}</p>
<h2>Harvest</h2><p>The harvest happens in May, when the fronds reach three metres and the water is still cold enough.</p>
<pre><code>harvest --month may --depth 3m</code></pre>
<ul><li>Sugar kelp</li><li>Winged kelp</li></ul></article>
<footer>Copyright footer text</footer></body></html>`;

test('html: readability main text, headings and code, no nav/script/footer', () => {
  const r = parseHtml(ARTICLE);
  assert.equal(r.title, 'Kelp Farming');
  const kinds = r.blocks.map((b) => `${b.kind}:${b.text.slice(0, 12)}`);
  assert.ok(kinds.includes('heading:Harvest'), kinds.join('|'));
  assert.ok(kinds.includes('code:harvest --mo'), kinds.join('|'));
  assert.ok(r.blocks.some((b) => b.text === '- Sugar kelp'));
  assert.ok(!/tracking|About us menu|Copyright footer/.test(r.text));
  for (const b of r.blocks) assert.equal(r.text.slice(b.charStart, b.charEnd), b.text);
});

test('add: all formats, unchanged skipped, changed replaced alone, errors per file, remove, prune', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const docs = join(dir, 'docs');
    mkdirSync(join(docs, 'sub'), { recursive: true });
    mkdirSync(join(docs, 'node_modules'), { recursive: true });
    writeFileSync(join(docs, 'a.md'), '# Alpha\n\nThe alpha station orbits Venus.\n');
    writeFileSync(join(docs, 'b.txt'), 'Beta notes.\n\nThe beta rover drives at night.\n');
    writeFileSync(join(docs, 'page.html'), ARTICLE);
    writeFileSync(join(docs, 'sub', 'tool.py'), 'import os\n\n\ndef gamma_tool(x):\n    return x * 2\n');
    writeFileSync(
      join(docs, 'sub', 'report.pdf'),
      makePdf(
        [
          ['Quarterly report of the delta mine.', 'Output rose by nine percent.'],
          ['Page two mentions epsilon ore.'],
        ],
        'Delta Report',
      ),
    );
    writeFileSync(join(docs, 'broken.pdf'), '%PDF-1.4\nthis is not really a pdf\n');
    writeFileSync(join(docs, 'bin.txt'), Buffer.from([1, 2, 0, 3, 4]));
    writeFileSync(join(docs, 'image.png'), Buffer.from([0x89, 0x50]));
    writeFileSync(join(docs, 'node_modules', 'x.md'), '# ignored');
    const kb = await openKnowledgeBase(join(dir, 'kb.sqlite'), { embedder: emb });
    const events: string[] = [];
    const r1 = await kb.add([docs], { onProgress: (p) => events.push(`${p.done}/${p.total} ${p.status}`) });
    assert.equal(r1.added.length, 5, JSON.stringify(r1));
    assert.deepEqual(
      r1.errors.map((e) => e.path.slice(docs.length + 1)),
      ['bin.txt', 'broken.pdf'],
    );
    assert.match(r1.errors.find((e) => e.path.endsWith('bin.txt'))!.error, /bin\.txt: looks binary/);
    assert.match(
      r1.errors.find((e) => e.path.endsWith('broken.pdf'))!.error,
      /broken\.pdf: PDF could not be parsed/,
    );
    assert.deepEqual(
      r1.skipped.map((s) => s.reason),
      ['unsupported file type'],
    );
    assert.equal(events.length, 8);
    assert.equal(events.at(-1), '8/8 added');
    // pdf: text and pages
    const pdfHits = (await kb.search('epsilon ore', { k: 1 })).hits;
    assert.equal(pdfHits[0]!.chunk.page, 2);
    assert.equal(pdfHits[0]!.chunk.title, 'Delta Report');
    const delta = (await kb.search('delta mine output', { k: 1 })).hits[0]!;
    assert.equal(delta.chunk.page, 1);
    assert.match(delta.chunk.text, /Quarterly report of the delta mine/);
    // code and html were indexed
    assert.match((await kb.search('gamma_tool', { k: 1, mode: 'bm25' })).hits[0]!.chunk.source, /tool\.py$/);
    assert.equal((await kb.search('winged kelp harvest', { k: 1 })).hits[0]!.chunk.title, 'Kelp Farming');

    // second run: nothing changes
    const idsBefore = kb.store.db.prepare('SELECT id, doc_id FROM chunks ORDER BY id').all();
    const r2 = await kb.add([docs]);
    assert.equal(r2.unchanged, 5);
    assert.equal(r2.added.length + r2.updated.length, 0);
    // touching without changing content: still unchanged (hash), mtime updated
    writeFileSync(join(docs, 'a.md'), '# Alpha\n\nThe alpha station orbits Venus.\n');
    assert.equal((await kb.add([docs])).unchanged, 5);
    // change one file: only its chunks are replaced
    writeFileSync(join(docs, 'b.txt'), 'Beta notes.\n\nThe beta rover now drives by day.\n');
    const r3 = await kb.add([docs]);
    assert.equal(r3.updated.length, 1);
    assert.equal(r3.embedded, 1, 'the unchanged chunk "Beta notes." keeps its vector');
    const idsAfter = kb.store.db.prepare('SELECT id, doc_id FROM chunks ORDER BY id').all() as {
      id: number;
      doc_id: number;
    }[];
    const bDoc = kb.store.getDocument(join(docs, 'b.txt'))!.id;
    const others = (a: unknown[]) =>
      JSON.stringify(
        (a as { id: number; doc_id: number }[]).filter((c) => c.doc_id !== bDoc && c.doc_id !== bDoc - 0),
      );
    assert.equal(
      others(idsAfter),
      others(
        (idsBefore as { id: number; doc_id: number }[]).filter((c) =>
          idsAfter.some((x) => x.doc_id === c.doc_id),
        ),
      ),
    );
    assert.equal((await kb.search('rover by day', { k: 1 })).hits[0]!.chunk.source, join(docs, 'b.txt'));
    assert.equal(
      (await kb.search('rover at night', { k: 5, mode: 'bm25' })).hits.some((h) =>
        /night/.test(h.chunk.text),
      ),
      false,
    );
    // remove and prune
    assert.deepEqual(kb.remove(join(docs, 'a.md')), [join(docs, 'a.md')]);
    assert.equal(kb.list().length, 4);
    const { rmSync } = await import('node:fs');
    rmSync(join(docs, 'sub'), { recursive: true });
    const r4 = await kb.add([docs], { prune: true });
    assert.equal(r4.removed.length, 2);
    assert.equal(r4.added.length, 1); // a.md again
    assert.deepEqual(
      kb.list().map((d) => d.source.slice(docs.length + 1)),
      ['a.md', 'b.txt', 'page.html'],
    );
    kb.store.checkIntegrity();
    kb.close();
  } finally {
    cleanup();
  }
});

const CHILD = `
import { HashingEmbedder, openKnowledgeBase } from ${JSON.stringify(new URL('../../src/rag/index.ts', import.meta.url).pathname)};
const [kbPath, dir] = process.argv.slice(2);
const inner = new HashingEmbedder({ dim: 128 });
const slow = { id: inner.id, dim: inner.dim, embed: async (t) => { await new Promise((r) => setTimeout(r, 3)); return inner.embed(t); } };
const kb = await openKnowledgeBase(kbPath, { embedder: slow });
await kb.add([dir], { chunk: { maxTokens: 32, overlapTokens: 8 }, embedBatch: 4, onProgress: (p) => process.stdout.write('done ' + p.done + '\\n') });
process.stdout.write('finished\\n');
`;

test('SIGKILL during indexing leaves a consistent KB and a re-run completes it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const docs = join(dir, 'docs');
    mkdirSync(docs);
    const N = 60;
    const p2 = (n: number) => String(n).padStart(2, '0');
    for (let i = 0; i < N; i++)
      writeFileSync(
        join(docs, `f${String(i).padStart(2, '0')}.md`),
        `# File ${p2(i)}\n\n${Array.from({ length: 30 }, (_, j) => `Paragraph ${p2(j)} of file ${p2(i)} mentions token${p2(i)}x${p2(j)}.`).join('\n\n')}\n`,
      );
    writeFileSync(join(dir, 'child.mts'), CHILD);
    const kbPath = join(dir, 'kb.sqlite');
    // chunks of one complete file, counted the same way the child indexes
    const ref = await openKnowledgeBase(join(dir, 'ref.sqlite'), { embedder: emb });
    await ref.add([join(docs, 'f00.md')], { chunk: { maxTokens: 32, overlapTokens: 8 } });
    const perDoc = ref.stats().chunks;
    ref.close();
    assert.ok(perDoc > 10);
    for (const killAfter of [3, 17]) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(dir, 'child.mts'), kbPath, docs], {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const killed = await new Promise<boolean>((resolve) => {
        let seen = 0;
        child.stdout.on('data', (d: Buffer) => {
          seen += (d.toString().match(/done/g) ?? []).length;
          if (seen >= killAfter && child.exitCode === null) {
            // let it get into the next file's work, then kill it hard
            setTimeout(() => resolve(child.kill('SIGKILL')), 7);
          }
        });
        child.on('exit', () => resolve(false));
      });
      assert.ok(killed, `child finished before being killed: ${err}`);
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
      assert.equal(child.signalCode, 'SIGKILL');
      const kb = await openKnowledgeBase(kbPath, { embedder: emb });
      kb.store.checkIntegrity();
      const docsNow = kb.list();
      assert.ok(docsNow.length >= killAfter && docsNow.length < N, `${docsNow.length} docs after kill`);
      const st = kb.stats();
      assert.equal(st.vectors, st.chunks, 'every chunk has its vector');
      for (const d of docsNow) assert.equal(d.n_chunks, perDoc, `${d.source} is complete`);
      const fts = kb.store.db
        .prepare("SELECT COUNT(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'paragraph'")
        .get() as {
        n: number;
      };
      assert.equal(fts.n, kb.stats().chunks);
      kb.close();
    }
    const kb = await openKnowledgeBase(kbPath, { embedder: emb });
    const before = kb.list().length;
    const r = await kb.add([docs], { chunk: { maxTokens: 32, overlapTokens: 8 } });
    assert.equal(r.unchanged, before);
    assert.equal(r.added.length, N - before);
    assert.equal(kb.list().length, N);
    assert.equal(kb.stats().chunks, perDoc * N);
    kb.store.checkIntegrity();
    kb.close();
  } finally {
    cleanup();
  }
});

test('add: symlinked directory loops are walked once; oversized files are skipped with a reason', async () => {
  const { symlinkSync } = await import('node:fs');
  const { dir, cleanup } = tempDir();
  try {
    const docs = join(dir, 'docs');
    mkdirSync(join(docs, 'a'), { recursive: true });
    writeFileSync(join(docs, 'a', 'note.md'), '# Note\n\nLooping links are fine.\n');
    writeFileSync(join(docs, 'big.txt'), 'word '.repeat(5000));
    symlinkSync(docs, join(docs, 'a', 'loop'));
    const kb = await openKnowledgeBase(join(dir, 'kb.sqlite'), { embedder: emb });
    const r = await kb.add([docs], { maxFileBytes: 10_000 });
    assert.deepEqual(
      r.added.map((p) => p.slice(docs.length + 1)),
      ['a/note.md'],
    );
    assert.deepEqual(r.skipped, [{ path: join(docs, 'big.txt'), reason: 'larger than 10000 bytes (25000)' }]);
    kb.close();
  } finally {
    cleanup();
  }
});
