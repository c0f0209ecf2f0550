// The good-data experiment's corpora: deterministic, held-out sets disjoint from training, scoring windows exact.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { CorpusDoc } from '../../scripts/default-model/corpus.js';
import { buildSplits, evalWindows, normText, SPLITS } from '../../scripts/good-data/experiment.js';

const digest = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');

test('buildSplits is deterministic for its options and changes with the seed', () => {
  const a = buildSplits(SPLITS.quick);
  const b = buildSplits(SPLITS.quick);
  assert.equal(digest(a), digest(b));
  const c = buildSplits({ ...SPLITS.quick, seed: SPLITS.quick.seed + 100 });
  assert.notEqual(digest(c.heldout), digest(a.heldout));
});

test('held-out sets share no document text or id with the training pools, and have the wanted kinds', () => {
  for (const opts of [SPLITS.quick, { ...SPLITS.quick, seed: 77 }]) {
    const s = buildSplits(opts);
    const train = new Set([...s.trainWeb, ...s.trainSynthetic].map((d) => normText(d.text)));
    const trainIds = new Set([...s.trainWeb, ...s.trainSynthetic].map((d) => d.id));
    for (const [name, docs] of Object.entries(s.heldout)) {
      assert.ok(docs.length > 0, `${name} is empty`);
      for (const d of docs) {
        assert.ok(!train.has(normText(d.text)), `held-out ${name} ${d.id} was in the training pool`);
        assert.ok(!trainIds.has(d.id), `held-out id ${d.id} collides with a training id`);
      }
    }
    assert.equal(s.heldout.edu.length, opts.heldoutEduDocs);
    assert.equal(s.heldout.textbook.length, opts.heldoutTextbookDocs);
    assert.equal(s.heldout.web.length + s.removed.web, opts.heldoutWebDocs);
    assert.ok(s.heldout.edu.every((d) => d.metadata.kind === 'edu' || d.metadata.kind === 'math'));
    assert.ok(
      s.heldout.textbook.every((d) => d.metadata.kind === 'textbook' || d.metadata.kind === 'exercise'),
    );
    // the raw web mix (noise, near-duplicates) is present in held-out web; fixed-text boilerplate is removed
    const kinds = new Set(s.heldout.web.map((d) => d.metadata.kind));
    for (const k of ['story', 'edu', 'math', 'noise']) assert.ok(kinds.has(k), `held-out web lacks ${k}`);
    assert.ok(s.removed.web > 0, 'expected some verbatim boilerplate pages to be removed from held-out web');
  }
});

test('evalWindows: every token after the first of a kind stream is a target exactly once', () => {
  const docs: CorpusDoc[] = [
    { id: '1', text: 'abcdefg', url: '', metadata: { kind: 'x' } },
    { id: '2', text: 'hijklmnopq', url: '', metadata: { kind: 'x' } },
    { id: '3', text: 'rstuv', url: '', metadata: { kind: 'y' } },
  ];
  const tokenize = (t: string) => [1, ...[...t].map((ch) => ch.charCodeAt(0))];
  const w = evalWindows(docs, tokenize, 2, 4);
  const x = w.get('x');
  assert.ok(x);
  assert.equal(x.docs, 2);
  // stream x: 1 a..g 2 1 h..q 2 = 21 tokens → windows of 5 starting at 0, 4, 8, 12, 16
  assert.equal(x.windows.length, 5);
  const stream = [
    1,
    ...[...'abcdefg'].map((c) => c.charCodeAt(0)),
    2,
    1,
    ...[...'hijklmnopq'].map((c) => c.charCodeAt(0)),
    2,
  ];
  const targets = x.windows.flatMap((win) => [...win.subarray(1)]);
  assert.deepEqual(targets, stream.slice(1, 1 + targets.length));
  for (let i = 1; i < x.windows.length; i++) assert.equal(x.windows[i]?.[0], x.windows[i - 1]?.[4]);
  assert.equal(w.get('y')?.windows.length, 1);
});
