// Tests web search into the KB against a fake SearxNG and fake pages on 127.0.0.1 (no real network).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { HashingEmbedder, openKnowledgeBase } from '../../src/rag/index.js';
import { askWithWeb, fetchPage, SearxngProvider, webSearchToKb } from '../../src/rag/web.js';
import { FakeGenerator, makePdf } from './helpers.js';

let server: Server;
let base = '';
const hits: string[] = [];
const PAGE = `<html><head><title>Zephyr Mill</title></head><body><nav>menu menu</nav><article><h1>Zephyr Mill</h1>
<p>The Zephyr Mill of Tessaly grinds buckwheat with a windmill built in 1702. ${'Its sails are painted blue every spring. '.repeat(6)}</p>
</article></body></html>`;

before(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    hits.push(u.pathname);
    if (u.pathname === '/search') {
      assert.equal(u.searchParams.get('format'), 'json');
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          results: [
            { url: `${base}/mill.html`, title: 'Zephyr Mill', content: 'windmill' },
            { url: `${base}/notes.pdf`, title: 'Notes PDF' },
            { url: `${base}/big.txt`, title: 'Big' },
            { url: `${base}/slow.html`, title: 'Slow' },
            { url: `${base}/missing.html`, title: 'Missing' },
            { url: `${base}/image.png`, title: 'Image' },
            { url: 'ftp://example.invalid/x', title: 'not http' },
          ],
        }),
      );
    } else if (u.pathname === '/mill.html') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(PAGE);
    } else if (u.pathname === '/notes.pdf') {
      res.setHeader('content-type', 'application/pdf');
      res.end(makePdf([['The Tessaly ferry leaves at dawn.']]));
    } else if (u.pathname === '/big.txt') {
      res.setHeader('content-type', 'text/plain');
      res.write('x'.repeat(40_000));
      res.end('y'.repeat(40_000));
    } else if (u.pathname === '/slow.html') {
      setTimeout(() => {
        res.setHeader('content-type', 'text/html');
        res.end('<p>late</p>');
      }, 1500);
    } else if (u.pathname === '/image.png') {
      res.setHeader('content-type', 'image/png');
      res.end('png');
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

test('fetchPage enforces size, time, status and type limits', async () => {
  const ok = await fetchPage(`${base}/mill.html`);
  assert.equal(ok.kind, 'html');
  await assert.rejects(
    fetchPage(`${base}/big.txt`, { maxBytes: 50_000 }),
    /big\.txt: over the 50000-byte limit/,
  );
  await assert.rejects(
    fetchPage(`${base}/slow.html`, { timeoutMs: 200 }),
    /slow\.html: timed out after 200 ms/,
  );
  await assert.rejects(fetchPage(`${base}/missing.html`), /missing\.html: HTTP 404/);
  await assert.rejects(fetchPage(`${base}/image.png`), /unsupported content type "image\/png"/);
  await assert.rejects(fetchPage('file:///etc/passwd'), /only http\(s\) URLs/);
});

test('web search: pages extracted, chunked and cached in the KB with their URL as source', async () => {
  const kb = await openKnowledgeBase(':memory:', { embedder: new HashingEmbedder() });
  const provider = new SearxngProvider({ baseUrl: base });
  const rep = await webSearchToKb(kb, provider, 'zephyr mill', {
    limit: 10,
    maxBytes: 50_000,
    timeoutMs: 300,
  });
  assert.equal(rep.used, true);
  const status = Object.fromEntries(rep.results.map((r) => [r.url.replace(base, ''), r.status]));
  assert.deepEqual(status, {
    '/mill.html': 'added',
    '/notes.pdf': 'added',
    '/big.txt': 'error',
    '/slow.html': 'error',
    '/missing.html': 'error',
    '/image.png': 'error',
  });
  const hit = (await kb.search('when was the Zephyr windmill built', { k: 1 })).hits[0]!;
  assert.equal(hit.chunk.source, `${base}/mill.html`);
  assert.equal(hit.chunk.kind, 'web');
  assert.equal(hit.chunk.title, 'Zephyr Mill');
  assert.ok(!hit.chunk.text.includes('menu menu'));
  // second search: cached pages are not fetched again
  const before = hits.filter((h) => h === '/mill.html').length;
  const rep2 = await webSearchToKb(kb, provider, 'zephyr mill', { limit: 2 });
  assert.deepEqual(
    rep2.results.map((r) => r.status),
    ['cached', 'cached'],
  );
  assert.equal(hits.filter((h) => h === '/mill.html').length, before);
  // ask falls back to the web only when the documents lack evidence
  const gen = new FakeGenerator(() => 'It was built in 1702 [1].');
  await kb.addText('/local/ferry.md', '# Ferry\n\nThe Tessaly ferry is painted red.\n', { kind: 'md' });
  const local = await askWithWeb(kb, gen, provider, 'What colour is the Tessaly ferry?');
  assert.equal(local.web, undefined);
  const viaWeb = await askWithWeb(kb, gen, provider, 'When was the Zephyr Mill windmill built?', {
    web: 'always',
  });
  assert.equal(viaWeb.found, true);
  assert.equal(viaWeb.citations[0]!.source, `${base}/mill.html`);
  assert.equal(viaWeb.web?.used, true);
  kb.close();
});

test('without network the web is skipped and the report says so', async () => {
  const kb = await openKnowledgeBase(':memory:', { embedder: new HashingEmbedder() });
  // a port on loopback with nothing listening
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const port = (dead.address() as AddressInfo).port;
  await new Promise((r) => dead.close(r));
  const rep = await webSearchToKb(
    kb,
    new SearxngProvider({ baseUrl: `http://127.0.0.1:${port}` }),
    'anything',
  );
  assert.equal(rep.used, false);
  assert.match(rep.note!, /^web search skipped: no network \(.*ECONNREFUSED/);
  const a = await askWithWeb(kb, new FakeGenerator(() => 'x'), null, 'Who built the mill?');
  assert.equal(a.found, false);
  assert.match(a.web!.note!, /no search provider configured/);
  kb.close();
});
