// Grounded answer rendering (linkedom DOM): [n] links to numbered passages (PDF pages named), cited ones highlighted, invalid numbers dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHTML } from 'linkedom';
import { renderGroundedAnswer } from '../../src/web/answer-view.js';
import type { DocHit } from '../../src/web/doc-index.js';

const hit = (id: number, text: string, headingPath = ''): DocHit => ({
  chunk: { id, source: 'notes.md', text, headingPath, lineStart: id * 10 + 1, lineEnd: id * 10 + 3 },
  score: 1 / (id + 1),
  bm25: 1,
});
const used = [hit(0, 'Bees make honey.', 'Farm > Bees'), hit(1, 'Cows give milk.')];

function setup() {
  const { document } = parseHTML('<!doctype html><div class="msg"><div class="body"></div></div>');
  const msg = document.querySelector('.msg') as unknown as HTMLElement;
  const body = document.querySelector('.body') as unknown as HTMLElement;
  return { document: document as unknown as Document, msg, body };
}

test('renderGroundedAnswer: citations become links to their passages; cited passages are marked', () => {
  const { document, msg, body } = setup();
  const r = renderGroundedAnswer(document, msg, body, 'Bees make honey [1] and cows milk [2, 7].', used, 5);
  assert.deepEqual(r, { cited: [1, 2], invalid: [7], notFound: false });
  const links = [...body.querySelectorAll('a.cite')].map((a) => [a.textContent, a.getAttribute('href')]);
  assert.deepEqual(links, [
    ['[1]', '#src-5-1'],
    ['[2]', '#src-5-2'],
  ]);
  assert.equal(body.textContent, 'Bees make honey [1] and cows milk [2].');
  const items = [...msg.querySelectorAll('.sources li')];
  assert.equal(items.length, 2);
  assert.equal(items[0]!.id, 'src-5-1');
  assert.match(items[0]!.textContent ?? '', /^\[1\] notes\.md · lines 1–3 · Farm > Bees/);
  assert.ok(items.every((li) => li.classList.contains('cited')));
  assert.equal(msg.getAttribute('data-cited'), '1,2');
  assert.match(msg.querySelector('.sources-title')?.textContent ?? '', /cited ones highlighted/);
});

test('renderGroundedAnswer: a PDF passage is cited by file name and page', () => {
  const { document, msg, body } = setup();
  const pdf: DocHit = {
    chunk: {
      id: 2,
      source: 'report.pdf',
      text: 'Sales rose.',
      headingPath: '',
      lineStart: 9,
      lineEnd: 9,
      page: 3,
    },
    score: 1,
    bm25: 1,
  };
  renderGroundedAnswer(document, msg, body, 'Sales rose [2] on the farm [1].', [used[0]!, pdf], 'p');
  const titles = [...body.querySelectorAll('a.cite')].map((a) => a.getAttribute('title'));
  assert.deepEqual(titles, ['report.pdf p. 3', 'notes.md lines 1–3']);
  const items = [...msg.querySelectorAll('.sources li')].map(
    (li) => li.querySelector('.src-head')?.textContent,
  );
  assert.deepEqual(items, ['[1] notes.md · lines 1–3 · Farm > Bees', '[2] report.pdf · p. 3']);
});

test('renderGroundedAnswer: NOT FOUND replies and uncited answers still list the sources', () => {
  const a = setup();
  const nf = renderGroundedAnswer(a.document, a.msg, a.body, 'NOT FOUND', used, 1);
  assert.equal(nf.notFound, true);
  assert.equal(a.body.textContent, 'Not found in your documents.');
  assert.equal(a.msg.querySelectorAll('.sources li.cited').length, 0);
  const b = setup();
  const plain = renderGroundedAnswer(b.document, b.msg, b.body, 'Some text without citations.', used, 2);
  assert.deepEqual(plain.cited, []);
  assert.equal(b.msg.querySelectorAll('.sources li').length, 2);
  assert.match(b.msg.querySelector('.sources-title')?.textContent ?? '', /Sources given to the model/);
});
