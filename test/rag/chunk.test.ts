// Tests structure-aware chunking and the markdown/text/code parsers that feed it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkBlocks } from '../../src/rag/chunk.js';
import { parseMarkdown } from '../../src/rag/ingest/markdown.js';
import { parseCode, parseText } from '../../src/rag/ingest/text.js';
import { approxTokenCount } from '../../src/rag/tokens.js';

const MD = `---
title: "Front Title"
---
# Guide

Intro paragraph about the guide.

## Install

Run the installer.

\`\`\`sh
npm install pocketlm

echo done
\`\`\`

Setext Heading
--------------

Body under setext.
`;

test('markdown: front matter title, heading paths, fenced code kept whole, line ranges', () => {
  const { title, blocks } = parseMarkdown(MD);
  assert.equal(title, 'Front Title');
  const chunks = chunkBlocks(blocks, { maxTokens: 256 });
  assert.deepEqual(
    chunks.map((c) => c.headingPath),
    ['Guide', 'Guide > Install', 'Guide > Setext Heading'],
  );
  const install = chunks[1]!;
  assert.match(install.text, /```sh\nnpm install pocketlm\n\necho done\n```/);
  const lines = MD.split('\n');
  assert.equal(lines[install.lineStart - 1], 'Run the installer.');
  assert.equal(lines[install.lineEnd - 1], '```');
  assert.equal(MD.slice(install.charStart, install.charStart + 18), 'Run the installer.');
  assert.equal(MD.slice(chunks[2]!.charStart, chunks[2]!.charEnd), 'Body under setext.');
});

test('chunks respect the token budget and overlap within a section', () => {
  const sentences = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} talks about topic ${i * 7}.`);
  const text = `${sentences.slice(0, 30).join(' ')}\n\n${sentences.slice(30).join(' ')}`;
  const chunks = chunkBlocks(parseText(text), { maxTokens: 64, overlapTokens: 16 });
  assert.ok(chunks.length >= 6, `expected several chunks, got ${chunks.length}`);
  for (const c of chunks) assert.ok(c.nTokens <= 64, `chunk of ${c.nTokens} tokens > 64`);
  for (const c of chunks) assert.ok(approxTokenCount(c.text) === c.nTokens);
  // overlap: each chunk after the first starts with text that ended the previous one
  let overlaps = 0;
  for (let i = 1; i < chunks.length; i++) {
    const head = chunks[i]!.text.slice(0, 20);
    if (chunks[i - 1]!.text.includes(head)) overlaps++;
  }
  assert.ok(overlaps >= chunks.length / 2, `only ${overlaps} overlapping chunks`);
  // every sentence survives
  for (const s of sentences)
    assert.ok(
      chunks.some((c) => c.text.includes(s)),
      `lost: ${s}`,
    );
  // offsets point at the text
  for (const c of chunks) assert.ok(text.slice(c.charStart, c.charEnd).includes(c.text.slice(0, 10)));
});

test('code: chunks break at top-level definitions', () => {
  const fn = (name: string) =>
    `export function ${name}(a: number): number {\n${Array.from({ length: 12 }, (_, i) => `  const v${i} = a * ${i}; // step ${i}`).join('\n')}\n  return a;\n}\n`;
  const src = `// header comment\nimport x from 'y';\n\n${fn('alpha')}\n${fn('beta')}\n${fn('gamma')}`;
  const blocks = parseCode(src);
  assert.ok(blocks.filter((b) => b.boundary).length >= 3);
  const chunks = chunkBlocks(blocks, { maxTokens: 200, overlapTokens: 0 });
  assert.ok(chunks.length >= 2);
  for (const c of chunks) {
    const n = (c.text.match(/export function/g) ?? []).length;
    // a function is never split across chunks
    for (const name of ['alpha', 'beta', 'gamma'])
      if (c.text.includes(`function ${name}`))
        assert.match(c.text, new RegExp(`function ${name}[\\s\\S]*return a;\\n}`));
    assert.ok(n <= 2);
  }
  const lines = src.split('\n');
  const beta = chunks.find((c) => c.text.includes('function beta'))!;
  assert.ok(
    lines
      .slice(beta.lineStart - 1, beta.lineEnd)
      .join('\n')
      .includes('function beta'),
  );
});

test('chunkBlocks rejects bad budgets', () => {
  assert.throws(() => chunkBlocks([], { maxTokens: 4 }), /maxTokens must be ≥ 8, got 4/);
  assert.throws(() => chunkBlocks([], { maxTokens: 64, overlapTokens: 64 }), /overlapTokens/);
});
