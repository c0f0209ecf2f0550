// Readers and writers: JSONL (plain/gz/zst), Parquet round trip, WARC parsing, folders, field mapping, errors.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Document } from '../../src/data/document.js';
import { DEFAULT_FIELDS } from '../../src/data/readers/fields.js';
import { discoverShards, readShard } from '../../src/data/readers/index.js';
import { readJsonl } from '../../src/data/readers/jsonl.js';
import { readParquet } from '../../src/data/readers/parquet.js';
import { readWarc } from '../../src/data/readers/warc.js';
import { jsonlWriter } from '../../src/data/writers/jsonl.js';
import { parquetWriter } from '../../src/data/writers/parquet.js';
import { tmp } from './helpers.js';

async function all(it: AsyncIterable<Document>): Promise<Document[]> {
  const out: Document[] = [];
  for await (const d of it) out.push(d);
  return out;
}

/** A valid zstd frame made of raw (stored) blocks — enough to test the .zst reader without a compressor. */
function zstdStore(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])]; // magic, FHD, window 128 KiB
  const max = 1 << 17;
  for (let off = 0; off < data.length; off += max) {
    const chunk = data.subarray(off, Math.min(data.length, off + max));
    const last = off + max >= data.length ? 1 : 0;
    const h = last | (0 << 1) | (chunk.length << 3); // block type 0 = raw
    parts.push(new Uint8Array([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]), chunk);
  }
  return Buffer.concat(parts);
}

const rows = [
  { id: 'a', text: 'First document.', url: 'https://a.example/1', lang: 'en' },
  { id: 'b', text: 'Second document with ünïcödé.', lang: 'de' },
];
const jsonl = `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

test('jsonl: plain, .gz and .zst give the same documents', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'a.jsonl'), jsonl);
  writeFileSync(join(dir, 'a.jsonl.gz'), gzipSync(jsonl));
  const big = jsonl.repeat(5000); // > 128 KiB: several zstd blocks
  writeFileSync(join(dir, 'a.jsonl.zst'), zstdStore(new TextEncoder().encode(big)));
  const plain = await all(readJsonl(join(dir, 'a.jsonl'), DEFAULT_FIELDS));
  assert.deepEqual(plain[0], {
    id: 'a',
    text: 'First document.',
    url: 'https://a.example/1',
    metadata: { lang: 'en' },
  });
  assert.deepEqual(await all(readJsonl(join(dir, 'a.jsonl.gz'), DEFAULT_FIELDS)), plain);
  const z = await all(readJsonl(join(dir, 'a.jsonl.zst'), DEFAULT_FIELDS));
  assert.equal(z.length, 10000);
  assert.deepEqual(z.slice(0, 2), plain);
});

test('jsonl: field mapping and fallback ids; bad lines name file and line', async () => {
  const dir = tmp();
  const p = join(dir, 'm.jsonl');
  writeFileSync(p, `${JSON.stringify({ content: 'x', link: 'https://x.example', keep: 1, drop: 2 })}\n`);
  const [d] = await all(readJsonl(p, { text: 'content', id: 'doc_id', url: 'link', metadata: ['keep'] }));
  assert.deepEqual(d, { id: 'm.jsonl/0', text: 'x', url: 'https://x.example', metadata: { keep: 1 } });
  writeFileSync(p, '{"text":"ok"}\n{"text": nope}\n');
  await assert.rejects(all(readJsonl(p, DEFAULT_FIELDS)), /m\.jsonl:2: invalid JSON/);
  writeFileSync(p, '{"body":"ok"}\n');
  await assert.rejects(all(readJsonl(p, DEFAULT_FIELDS)), /m\.jsonl:1: field "text" must be a string/);
});

test('jsonl writer (gz) and parquet writer round-trip through the readers', async () => {
  const dir = tmp();
  const docs: Document[] = rows.map((r) => ({
    id: r.id,
    text: r.text,
    ...(r.url ? { url: r.url } : {}),
    metadata: { lang: r.lang },
  }));
  const w = jsonlWriter(join(dir, 'o.jsonl.gz'));
  for (const d of docs) await w.write(d);
  await w.close();
  assert.deepEqual(await all(readJsonl(join(dir, 'o.jsonl.gz'), DEFAULT_FIELDS)), docs);
  const pw = parquetWriter(join(dir, 'o.parquet'));
  for (const d of docs) await pw.write(d);
  await pw.close();
  const back = await all(readParquet(join(dir, 'o.parquet'), DEFAULT_FIELDS));
  assert.equal(back.length, 2);
  assert.equal(back[0]?.text, 'First document.');
  assert.equal(back[1]?.text, 'Second document with ünïcödé.');
  assert.equal(back[0]?.url, 'https://a.example/1');
  assert.deepEqual(back, docs);
});

function warcRecord(type: string, uri: string, block: string): string {
  const len = Buffer.byteLength(block);
  return `WARC/1.0\r\nWARC-Type: ${type}\r\nWARC-Target-URI: ${uri}\r\nWARC-Record-ID: <urn:uuid:${uri.length}-${type}>\r\nWARC-Date: 2024-01-01T00:00:00Z\r\nContent-Length: ${len}\r\n\r\n${block}\r\n\r\n`;
}

test('warc: only HTML responses become documents (plain and .warc.gz)', async () => {
  const dir = tmp();
  const html = '<html><body><p>Hello ünïcödé page.</p></body></html>';
  const warc =
    warcRecord('warcinfo', 'x', 'software: test\r\n') +
    warcRecord('request', 'https://a.example/', 'GET / HTTP/1.1\r\nHost: a.example\r\n\r\n') +
    warcRecord(
      'response',
      'https://a.example/',
      `HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}`,
    ) +
    warcRecord(
      'response',
      'https://a.example/img.png',
      'HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\nPNG...',
    ) +
    warcRecord(
      'response',
      'https://b.example/page',
      `HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<p>missing</p>`,
    );
  writeFileSync(join(dir, 'a.warc'), warc);
  writeFileSync(join(dir, 'a.warc.gz'), gzipSync(warc));
  const docs = await all(readWarc(join(dir, 'a.warc')));
  assert.equal(docs.length, 2);
  assert.equal(docs[0]?.url, 'https://a.example/');
  assert.equal(docs[0]?.text, html);
  assert.equal(docs[0]?.metadata.format, 'html');
  assert.equal(docs[1]?.metadata.status, 404);
  assert.deepEqual(await all(readWarc(join(dir, 'a.warc.gz'))), docs);
  writeFileSync(join(dir, 'bad.warc'), warc.slice(0, warc.length - 60));
  await assert.rejects(all(readWarc(join(dir, 'bad.warc'))), /bad\.warc: WARC record at byte \d+ truncated/);
  writeFileSync(join(dir, 'junk.warc'), 'HTTP/1.1 200 OK\r\n\r\n');
  await assert.rejects(all(readWarc(join(dir, 'junk.warc'))), /expected "WARC\/"/);
});

test('folder reader and shard discovery (globs, folders, limit)', async () => {
  const dir = tmp();
  mkdirSync(join(dir, 'f', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'f', 'b.txt'), 'bee');
  writeFileSync(join(dir, 'f', 'a.md'), '# aye');
  writeFileSync(join(dir, 'f', 'sub', 'c.html'), '<p>see</p>');
  writeFileSync(join(dir, 'f', 'skip.bin'), 'x');
  const docs = await all(
    readShard(join(dir, 'f'), { type: 'folder', paths: [], fields: DEFAULT_FIELDS, limit: 0 }),
  );
  assert.deepEqual(
    docs.map((d) => [d.id, d.metadata.format]),
    [
      ['a.md', 'markdown'],
      ['b.txt', 'text'],
      ['sub/c.html', 'html'],
    ],
  );
  for (const n of ['x1.jsonl', 'x2.jsonl.gz', 'y.jsonl', 'notes.txt']) writeFileSync(join(dir, n), '');
  const inp = { type: 'jsonl' as const, paths: ['x*.jsonl*'], fields: DEFAULT_FIELDS, limit: 0 };
  assert.deepEqual(
    (await discoverShards(inp, dir)).map((p) => p.slice(dir.length + 1)),
    ['x1.jsonl', 'x2.jsonl.gz'],
  );
  assert.deepEqual(
    (await discoverShards({ ...inp, paths: ['.'] }, dir)).map((p) => p.slice(dir.length + 1)),
    ['x1.jsonl', 'x2.jsonl.gz', 'y.jsonl'],
  );
  await assert.rejects(
    discoverShards({ ...inp, paths: ['nope.jsonl'] }, dir),
    /"nope\.jsonl" does not exist/,
  );
  writeFileSync(join(dir, 'many.jsonl'), jsonl.repeat(5));
  assert.equal((await all(readShard(join(dir, 'many.jsonl'), { ...inp, limit: 3 }))).length, 3);
});
