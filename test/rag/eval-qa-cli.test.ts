import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { evalQa, indexAdd } from '../../src/rag/cli.js';
import { loadQa } from '../../src/rag/eval-qa.js';
import { FakeGenerator, tempDir } from './helpers.js';

const QA = new URL('../../examples/qa/qa.jsonl', import.meta.url).pathname;
const CORPUS = new URL('../../examples/qa/corpus', import.meta.url).pathname;

test('eval qa: retrieval lifts EM/F1 over closed-book and reports recall@k per search mode', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const db = join(dir, 'kb.sqlite');
    const quiet = { out: () => {}, err: () => {} };
    await indexAdd([CORPUS, '--db', db], quiet);
    const qa = loadQa(QA).slice(0, 12);
    // Answers a question only when the prompt carries a passage holding one of its answers (an "open-book" model).
    const gen = new FakeGenerator((prompt) => {
      for (const q of qa)
        for (const a of q.answers)
          if (prompt.includes(q.question) && prompt.includes(a) && prompt.includes('[1]')) return `${a} [1]`;
      return 'I do not know';
    });
    let printed = '';
    await evalQa(['--data', QA, '--db', db, '--limit', '12', '--json'], {
      generator: async () => gen,
      out: (s) => (printed += s),
      err: () => {},
    });
    const r = JSON.parse(printed);
    assert.equal(r.questions, 12);
    assert.equal(r.closed_book.em, 0);
    assert.ok(r.with_retrieval.em > 0.5, `EM with retrieval ${r.with_retrieval.em}`);
    for (const mode of ['hybrid', 'bm25', 'vector']) assert.ok(r.retrieval[mode].recall > 0.5, mode);
    await assert.rejects(evalQa(['--db', db], { generator: async () => gen, ...quiet }), /missing --data/);
  } finally {
    cleanup();
  }
});
