// Pipeline over other formats: WARC (.warc.gz) input with HTML extraction, Parquet output read back.
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Document } from '../../src/data/document.js';
import { runPipeline } from '../../src/data/pipeline/runner.js';
import { DEFAULT_FIELDS } from '../../src/data/readers/fields.js';
import { readParquet } from '../../src/data/readers/parquet.js';
import { educationalPage, seededRandom } from '../../src/data/synthetic-web.js';
import { tmp } from './helpers.js';

function record(uri: string, html: string, i: number): string {
  const block = `HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}`;
  return `WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: ${uri}\r\nWARC-Record-ID: <urn:uuid:rec-${i}>\r\nContent-Length: ${Buffer.byteLength(block)}\r\n\r\n${block}\r\n\r\n`;
}

test('warc.gz → extract → language → gopher → parquet output', async () => {
  const dir = tmp();
  const r = seededRandom(77);
  const page = (i: number) =>
    `<!doctype html><html><head><title>Page ${i}</title></head><body><nav>Home | Shop | About</nav><article><h1>Topic ${i}</h1>${educationalPage(
      r,
      4,
    )
      .split('\n\n')
      .slice(1)
      .map((p) => `<p>${p}</p>`)
      .join('')}</article><footer>© 2024</footer></body></html>`;
  const warc =
    [0, 1, 2].map((i) => record(`https://site.example/${i}`, page(i), i)).join('') +
    record('https://site.example/empty', '<html><body><script>x()</script></body></html>', 3);
  writeFileSync(join(dir, 'crawl-0.warc.gz'), gzipSync(warc));
  writeFileSync(
    join(dir, 'p.yaml'),
    'name: warc\ninput: {type: warc, paths: ["crawl-*.warc.gz"]}\nstages: [extract, language, gopher_quality]\noutput: {type: parquet}\n',
  );
  const res = await runPipeline(join(dir, 'p.yaml'), { progress: false });
  assert.equal(res.stats.docs_read, 4);
  assert.equal(res.stats.drop_reasons['extract:extract_empty'], 1);
  const files = readdirSync(join(res.runDir, 'output'));
  assert.deepEqual(files, ['part-00000.parquet']);
  const docs: Document[] = [];
  for await (const d of readParquet(join(res.runDir, 'output', files[0] as string), DEFAULT_FIELDS))
    docs.push(d);
  assert.equal(docs.length, 3);
  assert.equal(docs[0]?.id, 'urn:uuid:rec-0');
  assert.equal(docs[0]?.url, 'https://site.example/0');
  assert.ok(
    docs[0]?.text.startsWith('# Page 0') || docs[0]?.text.startsWith('# Topic 0'),
    docs[0]?.text.slice(0, 30),
  );
  assert.ok(!docs[0]?.text.includes('Shop'));
  assert.equal(docs[0]?.metadata.language, 'en');
  assert.equal(docs[0]?.metadata.extract_method, 'readability');
});
