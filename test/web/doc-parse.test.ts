// Browser document parsing (runs in Node too): ingest parsers on dropped files, per-file errors, page locations, accept list, path shim.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { test } from 'node:test';
import { detectKind } from '../../src/rag/ingest/index.js';
import * as bpath from '../../src/web/browser-path.js';
import { chunkLocation, DocIndex } from '../../src/web/doc-index.js';
import { kindOfFile, parseDocumentFile } from '../../src/web/doc-parse.js';
import { makePdf } from '../rag/helpers.js';

const enc = (s: string) => new TextEncoder().encode(s);

test('parseDocumentFile: PDF blocks keep their pages; chunks and citations say "p. N"', async () => {
  const pdf = makePdf(
    [['Page one talks about apples.'], ['The quince orchard is on page two.']],
    'Fruit Notes',
  );
  const doc = await parseDocumentFile('fruit.pdf', 'application/pdf', pdf);
  assert.equal(doc.kind, 'pdf');
  assert.equal(doc.title, 'Fruit Notes');
  assert.deepEqual(
    doc.blocks.map((b) => b.page),
    [1, 2],
  );
  const idx = new DocIndex();
  assert.equal(await idx.addBlocks('fruit.pdf', doc.blocks, doc.title), 2);
  const [hit] = await idx.search('quince orchard');
  assert.equal(hit!.chunk.page, 2);
  assert.equal(hit!.chunk.title, 'Fruit Notes');
  assert.equal(`${hit!.chunk.source} ${chunkLocation(hit!.chunk)}`, 'fruit.pdf p. 2');
  await idx.add('notes.txt', 'alpha\n\nbeta gamma');
  const [txt] = await idx.search('gamma');
  assert.equal(txt!.chunk.page, undefined);
  assert.equal(chunkLocation(txt!.chunk), 'lines 1–3');
  assert.equal(chunkLocation({ lineStart: 7, lineEnd: 7 }), 'line 7');
});

test('parseDocumentFile: HTML main text without boilerplate; Markdown headings; code; text/* fallback', async () => {
  const article = 'The harbour master opens the lock gates at high tide for boats leaving the basin. '.repeat(
    4,
  );
  const html = `<html><head><title>Harbour</title><script>var spy='zzzsecret';</script></head><body>
<nav>Home Login Gribblenet</nav><article><h1>Harbour</h1><p>${article}</p><h2>Fees</h2><p>${article} Fees are nine marks.</p></article>
<footer>Copyright Blimcorp</footer></body></html>`;
  const h = await parseDocumentFile('harbour.htm', 'text/html', enc(html));
  const all = h.blocks.map((b) => b.text).join('\n');
  assert.equal(h.kind, 'html');
  assert.match(all, /Fees are nine marks/);
  for (const junk of ['zzzsecret', 'Gribblenet', 'Blimcorp']) assert.ok(!all.includes(junk), junk);
  const md = await parseDocumentFile('a.markdown', '', enc('# Top\n\n## Sub\n\nBody text.\n'));
  assert.deepEqual(
    md.blocks.map((b) => b.kind),
    ['heading', 'heading', 'para'],
  );
  const code = await parseDocumentFile('x.rs', '', enc('fn main() {\n    println!("hi");\n}\n'));
  assert.equal(code.kind, 'code');
  assert.equal((await parseDocumentFile('NOTES', 'text/plain', enc('plain words'))).kind, 'txt');
  assert.equal(kindOfFile('scan', '', makePdf([['x']])), 'pdf', 'a PDF without an extension, by its magic');
  assert.equal(kindOfFile('page', 'text/html; charset=utf-8', enc('<p>x</p>')), 'html');
  assert.equal(kindOfFile('notes', 'text/markdown', enc('# x')), 'md');
  assert.equal(kindOfFile('blob', 'application/octet-stream', enc('x')), undefined);
});

test('parseDocumentFile: corrupt, unsupported, binary and empty files fail with the file name', async () => {
  await assert.rejects(
    parseDocumentFile('broken.pdf', 'application/pdf', enc('%PDF-1.4\nnot really\n')),
    /^Error: broken\.pdf: PDF could not be parsed/,
  );
  await assert.rejects(
    parseDocumentFile('photo.png', 'image/png', new Uint8Array([0x89, 0x50, 0x4e, 0x47])),
    /^Error: photo\.png: unsupported file type \(\.png, image\/png\)/,
  );
  await assert.rejects(
    parseDocumentFile('data.txt', 'text/plain', new Uint8Array([65, 0, 66])),
    /^Error: data\.txt: looks binary/,
  );
  await assert.rejects(
    parseDocumentFile('empty.md', '', enc('# Only a heading\n')),
    /^Error: empty\.md: no text found/,
  );
});

test('web/index.html accepts exactly kinds the ingester detects', () => {
  const html = readFileSync(new URL('../../web/index.html', import.meta.url), 'utf8');
  const accept = /id="doc-file"[^>]*accept="([^"]+)"/.exec(html)?.[1];
  assert.ok(accept, 'the #doc-file input has an accept list');
  const exts = accept.split(',').filter((x) => x.startsWith('.'));
  for (const e of ['.pdf', '.html', '.htm', '.md', '.txt', '.py', '.ts']) assert.ok(exts.includes(e), e);
  for (const e of exts) assert.ok(detectKind(`file${e}`), `${e} is accepted but not detected`);
});

test('browser-path: basename/extname/dirname/join agree with node:path (posix)', () => {
  for (const p of ['a.pdf', 'dir/b.tar.gz', '/x/y/', '.bashrc', 'Makefile', 'a.', '/', 'dir//c.md', '']) {
    assert.equal(bpath.basename(p), posix.basename(p), `basename(${p})`);
    assert.equal(bpath.extname(p), posix.extname(p), `extname(${p})`);
    assert.equal(bpath.dirname(p), posix.dirname(p), `dirname(${p})`);
  }
  assert.equal(bpath.basename('x/report.pdf', '.pdf'), 'report');
  assert.equal(bpath.join('a', 'b/', 'c'), posix.join('a', 'b/', 'c'));
});
