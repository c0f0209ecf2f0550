// Tests the generated Vessmar registry QA set: committed files equal the generator's output, and on it the
// hybrid retriever (the `pocketlm search` default) beats BM25-only and vector-only at recall@5.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { evalRetrieval, loadQa, recallAt } from '../../src/rag/eval-qa.js';
import { HashingEmbedder, openKnowledgeBase } from '../../src/rag/index.js';
import { synthQa, synthQaJsonl } from '../../src/rag/qa-synth.js';

const DIR = new URL('../../examples/qa-registry/', import.meta.url).pathname;
const CORPUS = join(DIR, 'corpus');

const walk = (d: string): string[] =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)],
  );

test('examples/qa-registry is exactly what src/rag/qa-synth.ts generates (deterministic, < 1 MB)', () => {
  const q = synthQa();
  const files = walk(CORPUS)
    .map((p) => relative(CORPUS, p))
    .sort();
  assert.deepEqual(files, q.docs.map((d) => d.path).sort(), 'regenerate: npx tsx src/rag/qa-synth.ts');
  let bytes = 0;
  for (const d of q.docs) {
    const text = readFileSync(join(CORPUS, d.path), 'utf8');
    assert.equal(text, d.text, `${d.path} differs; regenerate: npx tsx src/rag/qa-synth.ts`);
    bytes += text.length;
  }
  assert.equal(readFileSync(join(DIR, 'qa.jsonl'), 'utf8'), synthQaJsonl(q));
  assert.ok(bytes < 1_000_000, `corpus is ${bytes} bytes`);
  // a second run gives the same set; another seed gives another
  assert.deepEqual(synthQa().questions, q.questions);
  assert.notDeepEqual(synthQa(1).questions, q.questions);
  // every answer occurs verbatim in the document it was written from
  const byPath = new Map(q.docs.map((d) => [d.path, d.text]));
  for (const x of q.questions.filter((x) => x.answers.length > 0))
    assert.ok(byPath.get(x.doc)!.includes(x.answers[0]!), `${x.id}: "${x.answers[0]}" not in ${x.doc}`);
  const forms = new Set(q.questions.map((x) => x.form));
  assert.deepEqual([...forms].sort(), ['code', 'keyword', 'paraphrase', 'typo']);
});

test('registry QA: hybrid recall@5 beats BM25-only and vector-only (HashingEmbedder, default search options)', async () => {
  const qa = loadQa(join(DIR, 'qa.jsonl'));
  const kb = await openKnowledgeBase(':memory:', { embedder: new HashingEmbedder() });
  try {
    await kb.add([CORPUS]);
    assert.ok(kb.stats().chunks > 500, `${kb.stats().chunks} chunks`);
    const r: Record<string, { r1: number; r5: number; mrr: number }> = {};
    for (const mode of ['bm25', 'vector', 'hybrid'] as const) {
      const e = await evalRetrieval(kb, qa, { mode, k: 5 });
      r[mode] = { r1: recallAt(e.ranks, 1), r5: e.recall, mrr: e.mrr };
    }
    const msg = JSON.stringify(r);
    // the set is not saturated: every method misses a real share
    for (const m of ['bm25', 'vector', 'hybrid']) assert.ok(r[m]!.r5 < 0.9, msg);
    assert.ok(r.hybrid!.r5 > r.bm25!.r5, `hybrid recall@5 must beat BM25: ${msg}`);
    assert.ok(r.hybrid!.r5 > r.vector!.r5, `hybrid recall@5 must beat vector: ${msg}`);
    assert.ok(r.hybrid!.mrr > Math.max(r.bm25!.mrr, r.vector!.mrr), `hybrid MRR: ${msg}`);
    // the previous default, RRF (k = 60), does not beat BM25 here: the fusion choice matters
    const rrf = await evalRetrieval(kb, qa, { mode: 'hybrid', k: 5, fusion: 'rrf' });
    assert.ok(rrf.recall < r.hybrid!.r5, `rrf ${rrf.recall}: ${msg}`);
  } finally {
    kb.close();
  }
});
