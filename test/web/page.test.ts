// Browser test of the chat page in headless Chromium: URL load, streamed chat, stop, documents (Markdown, PDF, HTML, code) with citations, cache reload.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildWebPage, startWebServer, type WebServer } from '../../src/cli/web.js';
import { smallModel } from '../helpers/models.js';
import { makePdf } from '../rag/helpers.js';

const CHROMIUM = process.env.POCKETLM_CHROMIUM ?? '/usr/bin/chromium';
/** Flags without which Chromium stalls on a closed network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

const DOC = `# Zorblax reactor manual

## Fuel

The Zorblax reactor runs on purified helium-3 pellets delivered every ninety days by the lunar shuttle.
Each pellet weighs eleven grams.

## Cooling

Cooling uses a closed loop of liquid sodium pumped by three redundant turbines.

## Staff

The reactor is operated by a crew of four engineers led by chief engineer Mirela Voss.
`;

/** A two-page PDF: only page 2 says what colour the lamp is. */
const PDF = makePdf(
  [
    ['Brannock Point visitor notes.', 'The visitor centre opens at nine.'],
    ['The lighthouse lamp on Brannock Point shines violet every night.', 'It was rebuilt in 1911.'],
  ],
  'Brannock Point Notes',
);

/** A web page whose article is about ferries, wrapped in navigation, ads, scripts and a footer. */
const HTML = `<!doctype html><html><head><title>Tessaly ferries | Harbour Portal</title>
<script>var trackingCode = 'snorfwiggle';</script><style>.nav { color: red }</style></head>
<body>
<nav><a href="/">Home</a> | <a href="/shop">Shop</a> | <a href="/login">Login to Gribblenet</a></nav>
<div class="sidebar ad"><p>Advertisement: buy cheap plumbus gadgets today.</p></div>
<article>
<h1>Tessaly ferries</h1>
<p>The Tessaly ferry leaves the north quay at dawn and crosses the strait in two hours. Passengers board
from the wooden pier next to the old customs house, and bicycles travel free of charge on every crossing.</p>
<h2>Tickets</h2>
<p>Tickets are sold at the quay kiosk and on board. A return ticket costs twelve silver marks, and children
under ten travel free. The last ferry back leaves the island at sunset, so day visitors should plan ahead.</p>
</article>
<footer>Copyright 2026 Blimcorp. All rights reserved. Privacy policy.</footer>
</body></html>`;

/** A source file (indexed as code). */
const PY =
  '# Tide table helper.\n\ndef high_tide(day):\n    # hour of the high tide at Tessaly\n    return (day * 50) % 24\n';

let dir: string;
let srv: WebServer;
let ctx: BrowserContext;
let modelName: string;
let modelPath: string;
let modelGets = 0;
const pageErrors: string[] = [];

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set POCKETLM_CHROMIUM)`,
    );
  }
  dir = mkdtempSync(join(tmpdir(), 'pocketlm-web-'));
  const root = buildWebPage(join(dir, 'dist'));
  const model = smallModel({
    type: 'q8_0',
    name: 'web-q8',
    config: { nEmbd: 128, nFf: 256, nHead: 4, nHeadKv: 2, headDim: 32, nRot: 32 },
  });
  modelName = basename(model);
  modelPath = model;
  srv = await startWebServer({
    root,
    port: 0,
    models: [model],
    onRequest: (method, path) => {
      if (method === 'GET' && path === `/models/${modelName}`) modelGets++;
    },
  });
  try {
    ctx = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 860 },
      timeout: 30_000,
    });
  } catch (e) {
    throw new Error(`could not start Chromium (${CHROMIUM}): ${(e as Error).message}`);
  }
});

after(async () => {
  await ctx?.close();
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const foreign: string[] = [];

function watch(page: Page): Page {
  // Offline by construction: every request stays on the local server (or blob:/data: URLs).
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(srv.url) && !/^(blob|data):/.test(u)) foreign.push(u);
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  return page;
}

async function waitLoaded(page: Page): Promise<void> {
  try {
    await page.waitForSelector('body[data-model="loaded"]', { timeout: 60_000 });
  } catch (e) {
    const status = await page.textContent('#status').catch(() => '?');
    throw new Error(`model did not load: status "${status}"; page errors: ${pageErrors.join(' | ')}`, {
      cause: e,
    });
  }
}

type Ev = { type: string; t: number; id?: number; n?: number };
const events = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { pocketlm: { events: Ev[] } }).pocketlm.events);

async function sendAndWait(page: Page, text: string): Promise<{ id: number; body: string; stats: string }> {
  const before = await page.locator('.msg.assistant').count();
  await page.fill('#prompt', text);
  await page.click('#send');
  const msg = page.locator('.msg.assistant').nth(before);
  await msg.locator('xpath=self::*[@data-done]').waitFor({ timeout: 60_000 });
  assert.equal(await msg.getAttribute('data-done'), '1', `reply failed: ${await msg.textContent()}`);
  const evs = await events(page);
  const id = Math.max(...evs.filter((e) => e.type === 'done').map((e) => e.id!));
  return {
    id,
    body: (await msg.locator('.body').textContent()) ?? '',
    stats: (await msg.locator('.stats').textContent()) ?? '',
  };
}

test('page: loads a model by URL, streams a chat reply, stops, answers over a dropped document, reloads from cache', async () => {
  const page = watch(await ctx.newPage());
  const url = `${srv.url}?model=${encodeURIComponent(`/models/${modelName}`)}&seed=7`;
  await page.goto(url);
  await waitLoaded(page);
  assert.equal(modelGets, 1, 'the model is downloaded once');
  const first = await events(page);
  assert.ok(first.some((e) => e.type === 'cache-miss'));
  const isolated = await page.evaluate(() => crossOriginIsolated);
  assert.equal(isolated, true, 'COOP/COEP make the page cross-origin isolated');
  const meta = (await page.textContent('#model-meta')) ?? '';
  assert.match(meta, /wasm-/);
  const cached = await page.locator('#cache-list li[data-key]').count();
  assert.equal(cached, 1, 'the model is listed in the cache');

  // Streamed chat reply.
  await page.fill('#max-tokens', '24');
  const r1 = await sendAndWait(page, 'Hello! Tell me a story.');
  const toks = (await events(page)).filter((e) => e.type === 'token' && e.id === r1.id);
  const done = (await events(page)).find((e) => e.type === 'done' && e.id === r1.id)!;
  assert.ok(toks.length >= 5, `expected several streamed tokens, got ${toks.length}`);
  assert.ok(toks[0]!.t < done.t, 'first token before the end');
  const distinctTimes = new Set(toks.map((e) => Math.round(e.t))).size;
  assert.ok(distinctTimes >= 3, `tokens arrived incrementally (distinct arrival times: ${distinctTimes})`);
  assert.match(r1.stats, /tok\/s/);
  assert.ok(r1.body.length > 0);

  // Stop: a long reply cut short.
  await page.fill('#max-tokens', '3000');
  await page.fill('#prompt', 'Keep talking for a long time.');
  await page.click('#send');
  const before = (await events(page)).filter((e) => e.type === 'token').length;
  await page.waitForFunction(
    (n) =>
      (globalThis as unknown as { pocketlm: { events: Ev[] } }).pocketlm.events.filter(
        (e) => e.type === 'token',
      ).length >=
      n + 3,
    before,
    { timeout: 30_000 },
  );
  await page.click('#stop');
  const stopped = page.locator('.msg.assistant').last();
  await stopped.locator('xpath=self::*[@data-done]').waitFor({ timeout: 30_000 });
  assert.match((await stopped.locator('.stats').textContent()) ?? '', /stopped/);

  // A dropped document, then a question answered with numbered sources.
  await page.fill('#max-tokens', '16');
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'reactor.md', { type: 'text/markdown' }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, DOC);
  await page.waitForSelector('body:not([data-docs="0"])', { timeout: 10_000 });
  assert.equal(await page.isChecked('#use-docs'), true);
  const rag = await sendAndWait(page, 'What fuel does the Zorblax reactor run on?');
  const msg = page.locator('.msg.assistant').last();
  assert.equal(await msg.getAttribute('data-kind'), 'rag');
  const sources = msg.locator('.sources li');
  assert.ok((await sources.count()) >= 1, 'numbered sources are shown');
  const firstSrc = (await sources.first().textContent()) ?? '';
  assert.match(firstSrc, /^\[1\] reactor\.md/);
  assert.match(firstSrc, /helium-3/, 'the best passage is the one about fuel');
  assert.ok(rag.stats.length > 0);

  // PDF, HTML and code files dropped together with a corrupt PDF and an unsupported file: each is parsed
  // in the document worker, the bad ones are listed with their reason, the others indexed.
  await page.evaluate(
    ({ pdf, html, py }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(pdf)], 'brannock.pdf', { type: 'application/pdf' }));
      dt.items.add(new File([html], 'ferries.html', { type: 'text/html' }));
      dt.items.add(new File([py], 'tides.py', { type: '' }));
      dt.items.add(
        new File(['%PDF-1.4\nthis is not really a pdf\n'], 'broken.pdf', { type: 'application/pdf' }),
      );
      dt.items.add(
        new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2])], 'photo.png', { type: 'image/png' }),
      );
      document.body.dispatchEvent(
        new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }),
      );
    },
    { pdf: [...PDF], html: HTML, py: PY },
  );
  await page.waitForSelector('body[data-doc-errors="2"][data-docs-pending="0"]', { timeout: 30_000 });
  const errors = await page.locator('#docs-errors li .message').allTextContents();
  assert.equal(errors.length, 2, `errors: ${errors.join(' | ')}`);
  assert.match(errors.find((e) => e.startsWith('broken.pdf')) ?? '', /^broken\.pdf: PDF could not be parsed/);
  assert.match(
    errors.find((e) => e.startsWith('photo.png')) ?? '',
    /^photo\.png: unsupported file type \(\.png/,
  );
  const listed = await page.locator('#docs-list li .name').allTextContents();
  assert.deepEqual(listed.sort(), ['brannock.pdf', 'ferries.html', 'reactor.md', 'tides.py']);
  type Chunk = { source: string; text: string; page?: number; headingPath: string; title?: string };
  const chunks = await page.evaluate(
    () => (globalThis as unknown as { pocketlm: { docChunks: Chunk[] } }).pocketlm.docChunks,
  );
  const pdfChunks = chunks.filter((c) => c.source === 'brannock.pdf');
  assert.deepEqual(
    pdfChunks.map((c) => c.page),
    [1, 2],
    'one chunk per PDF page, each with its page',
  );
  assert.match(pdfChunks[1]!.text, /shines violet/);
  assert.equal(pdfChunks[0]!.title, 'Brannock Point Notes');
  const htmlText = chunks
    .filter((c) => c.source === 'ferries.html')
    .map((c) => `${c.headingPath}\n${c.text}`)
    .join('\n');
  assert.match(htmlText, /leaves the north quay at dawn/);
  assert.match(htmlText, /(^|> )Tickets\n[^\n]*twelve silver marks/m, 'heading paths come from the article');
  for (const junk of ['snorfwiggle', 'Gribblenet', 'plumbus', 'Blimcorp', 'color: red'])
    assert.ok(!htmlText.includes(junk), `HTML boilerplate "${junk}" was indexed: ${htmlText}`);
  assert.ok(chunks.some((c) => c.source === 'tides.py' && /def high_tide/.test(c.text)));

  // A question only the PDF answers: its page-2 passage is source [1], cited as "brannock.pdf p. 2".
  await sendAndWait(page, 'What colour is the lighthouse lamp on Brannock Point?');
  const pdfMsg = page.locator('.msg.assistant').last();
  assert.equal(await pdfMsg.getAttribute('data-kind'), 'rag');
  const pdfSrc = (await pdfMsg.locator('.sources li').first().textContent()) ?? '';
  assert.match(pdfSrc, /^\[1\] brannock\.pdf · p\. 2/, `first source: ${pdfSrc}`);
  assert.match(pdfSrc, /shines violet/);
  const cites = await pdfMsg.locator('a.cite').evaluateAll((els) => els.map((e) => e.getAttribute('title')));
  for (const t of cites) assert.match(t ?? '', /^\S+ (p\. \d+|lines? \d+(–\d+)?)$/);

  // An unrelated question finds nothing and does not call the model.
  const nf = await sendAndWait(page, 'xylophone quasar?');
  assert.match(nf.body, /Not found in your documents/);

  mkdirSync('test-artifacts', { recursive: true });
  await page.screenshot({ path: 'test-artifacts/web-chat.png' });

  // Reload: the model comes from the OPFS cache, not the server.
  await page.reload();
  await waitLoaded(page);
  assert.equal(modelGets, 1, 'reload does not fetch the model again');
  assert.ok((await events(page)).some((e) => e.type === 'cache-hit'));
  assert.equal(
    await page.evaluate(
      () => (globalThis as unknown as { pocketlm: { cacheKind: string } }).pocketlm.cacheKind,
    ),
    'opfs',
  );
  const r2 = await sendAndWait(page, 'Hi again');
  assert.match(r2.stats, /tok\/s/);

  // Delete from the cache: the next load downloads again.
  await page.click('#cache-list li[data-key] button.delete');
  await page.waitForSelector('#cache-list li.empty');
  await page.reload();
  await waitLoaded(page);
  assert.equal(modelGets, 2, 'after delete the model is downloaded again');
  await page.close();
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(foreign, [], 'no request leaves the local server');
});

test('page: IndexedDB fallback caches the model too', async () => {
  const page = watch(await ctx.newPage());
  const gets0 = modelGets;
  const url = `${srv.url}?model=${encodeURIComponent(`/models/${modelName}`)}&cache=indexeddb&threads=1`;
  await page.goto(url);
  await waitLoaded(page);
  assert.equal(
    await page.evaluate(
      () => (globalThis as unknown as { pocketlm: { cacheKind: string } }).pocketlm.cacheKind,
    ),
    'indexeddb',
  );
  assert.match((await page.textContent('#model-meta')) ?? '', /×1 thread/);
  await page.reload();
  await waitLoaded(page);
  assert.equal(modelGets, gets0 + 1, 'one download, then the IndexedDB copy');
  // A local file through the file input: loaded and cached under its own key, no request to the server.
  await page.evaluate(() => {
    document.body.dataset.model = '';
  });
  await page.setInputFiles('#model-file', modelPath);
  await waitLoaded(page);
  assert.equal(modelGets, gets0 + 1);
  const keys = await page
    .locator('#cache-list li[data-key]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
  assert.ok(
    keys.some((k) => k?.startsWith(`file:${modelName}:`)),
    `cached keys: ${keys.join(', ')}`,
  );
  await page.close();
  assert.deepEqual(pageErrors, []);
});
