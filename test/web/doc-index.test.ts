// Browser retrieval index (runs in Node too): Markdown blocks, BM25 ranking, RRF with hashing vectors, removal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DocIndex, textToBlocks } from '../../src/web/doc-index.js';

const DOC = `# Garden

## Tomatoes

Tomatoes need six hours of sun and deep watering twice a week.

## Roses

Prune roses in late winter, just before new growth starts.

\`\`\`
water(roses, litres=2)
\`\`\`
`;

test('textToBlocks: headings, paragraphs, code fences with 1-based line ranges', () => {
  const b = textToBlocks(DOC);
  assert.deepEqual(
    b.map((x) => [x.kind, x.lineStart, x.lineEnd, x.level ?? 0]),
    [
      ['heading', 1, 1, 1],
      ['heading', 3, 3, 2],
      ['para', 5, 5, 0],
      ['heading', 7, 7, 2],
      ['para', 9, 9, 0],
      ['code', 11, 13, 0],
    ],
  );
  assert.equal(b[5]!.text, 'water(roses, litres=2)');
  assert.equal(DOC.slice(b[2]!.charStart, b[2]!.charEnd), b[2]!.text);
});

test('DocIndex: the passage sharing the query words ranks first; unrelated queries find nothing', async () => {
  const idx = new DocIndex({ chunkTokens: 24 });
  assert.ok((await idx.add('garden.md', DOC)) >= 2);
  await idx.add(
    'cars.txt',
    'Change the engine oil every ten thousand kilometres.\n\nCheck tyre pressure monthly.',
  );
  const hits = await idx.search('when should I prune the roses?');
  assert.ok(hits.length >= 1);
  assert.equal(hits[0]!.chunk.source, 'garden.md');
  assert.match(hits[0]!.chunk.text, /Prune roses/);
  assert.equal(hits[0]!.chunk.headingPath, 'Garden > Roses');
  const oil = await idx.search('engine oil');
  assert.equal(oil[0]!.chunk.source, 'cars.txt');
  assert.deepEqual(await idx.search('quantum chromodynamics'), []);
  assert.ok(idx.bm25('tomatoes sun').some((s) => s > 0));
});

test('DocIndex: remove() drops a document and keeps the rest searchable', async () => {
  const idx = new DocIndex({ vectorDim: 0 });
  await idx.add('a.txt', 'alpha beta gamma');
  await idx.add('b.txt', 'delta epsilon');
  idx.remove('a.txt');
  assert.deepEqual(idx.sources, ['b.txt']);
  assert.deepEqual(await idx.search('alpha'), []);
  const h = await idx.search('epsilon');
  assert.equal(h[0]!.chunk.id, 0);
  await assert.rejects(idx.add('empty.txt', '  \n\n '), /empty\.txt: no text to index/);
});
