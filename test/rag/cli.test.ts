// Tests the CLI front ends with an injected embedder and fake generator (output captured).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ask, indexAdd, indexLs, indexRm, indexStats, search } from '../../src/rag/cli.js';
import { HashingEmbedder } from '../../src/rag/embedder.js';
import { FakeGenerator, tempDir } from './helpers.js';

test('cli: index add/ls/stats/rm, search and ask --json', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const docs = join(dir, 'docs');
    mkdirSync(docs);
    writeFileSync(join(docs, 'mill.md'), '# Mill\n\nThe Zephyr mill grinds buckwheat since 1702.\n');
    writeFileSync(join(docs, 'ferry.md'), '# Ferry\n\nThe ferry to Tessaly is painted red.\n');
    const lines: string[] = [];
    const deps = { embedder: new HashingEmbedder(), out: (s: string) => lines.push(s), err: () => {} };
    const kb = ['--kb', join(dir, 'kb', 'k.sqlite')];
    await indexAdd([docs, ...kb, '--json'], deps);
    assert.equal(JSON.parse(lines.pop()!).added.length, 2);
    await indexLs([...kb, '--json'], deps);
    assert.deepEqual(
      JSON.parse(lines.pop()!).map((d: { source: string }) => d.source),
      [join(docs, 'ferry.md'), join(docs, 'mill.md')],
    );
    await indexStats([...kb, '--json'], deps);
    assert.equal(JSON.parse(lines.pop()!).chunks, 2);
    await search(['when', 'was', 'the', 'mill', 'built', ...kb, '--json', '-k', '1'], deps);
    const s = JSON.parse(lines.pop()!);
    assert.equal(s.hits.length, 1);
    assert.equal(s.hits[0].source, join(docs, 'mill.md'));
    const gen = new FakeGenerator(() => 'Since 1702 [1].');
    await ask(['When', 'did', 'the', 'Zephyr', 'mill', 'start', 'grinding?', ...kb, '--json'], {
      ...deps,
      generator: async () => gen,
    });
    const a = JSON.parse(lines.pop()!);
    assert.equal(a.answer, 'Since 1702 [1].');
    assert.deepEqual(Object.keys(a.citations[0]).sort(), ['n', 'score', 'source', 'text']);
    assert.equal(a.citations[0].source, join(docs, 'mill.md'));
    await assert.rejects(
      search(['x', ...kb, '--mode', 'fuzzy'], deps),
      /--mode must be hybrid, bm25 or vector, got "fuzzy"/,
    );
    await assert.rejects(ask(['x', ...kb], deps), /no generator was provided/);
    await indexRm([join(docs, 'mill.md'), ...kb, '--json'], deps);
    assert.deepEqual(JSON.parse(lines.pop()!).removed, [join(docs, 'mill.md')]);
    // a different embedder is refused by name
    await assert.rejects(
      indexStats(kb, { ...deps, embedder: new HashingEmbedder({ dim: 64 }) }),
      /mixing embedders/,
    );
  } finally {
    cleanup();
  }
});
