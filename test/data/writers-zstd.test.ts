// JSONL .zst output: WASM zstd frames written by the writer read back by the fzstd-based reader, in a pipeline too.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decompress } from 'fzstd';
import type { Document } from '../../src/data/document.js';
import { runPipeline } from '../../src/data/pipeline/runner.js';
import { DEFAULT_FIELDS } from '../../src/data/readers/fields.js';
import { readJsonl } from '../../src/data/readers/jsonl.js';
import { syntheticJsonl } from '../../src/data/synthetic-web.js';
import { outputExt } from '../../src/data/writers/index.js';
import { compressionOf, jsonlWriter } from '../../src/data/writers/jsonl.js';
import { tmp } from './helpers.js';

async function all(it: AsyncIterable<Document>): Promise<Document[]> {
  const out: Document[] = [];
  for await (const d of it) out.push(d);
  return out;
}

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

function frames(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(ZSTD_MAGIC); i !== -1; i = buf.indexOf(ZSTD_MAGIC, i + 4)) n++;
  return n;
}

test('jsonl writer: .zst round-trips through the reader, several frames, deterministic bytes', async () => {
  const dir = tmp();
  // ~2.5 MB of documents: more than two 1 MiB blocks, so the file holds several frames
  const docs: Document[] = [...syntheticJsonl(5, 2.5e6)].map((l, i) => {
    const r = JSON.parse(l) as { id: string; text: string; url: string };
    return { id: r.id, text: `${r.text} ünïcödé ✓ ${i}`, url: r.url, metadata: { i, tag: 'z' } };
  });
  const write = async (p: string, c?: 'zstd') => {
    const w = jsonlWriter(p, c);
    for (const d of docs) await w.write(d);
    await w.close();
  };
  const a = join(dir, 'a.jsonl.zst');
  await write(a);
  const bytes = readFileSync(a);
  assert.ok(bytes.subarray(0, 4).equals(ZSTD_MAGIC), 'starts with the zstd frame magic');
  assert.ok(frames(bytes) >= 3, `expected ≥ 3 frames, found ${frames(bytes)}`);
  const plain = docs.map(
    (d) => `${JSON.stringify({ id: d.id, text: d.text, url: d.url, metadata: d.metadata })}\n`,
  );
  assert.ok(bytes.length < Buffer.byteLength(plain.join('')) / 2, 'actually compressed');
  // fzstd one-shot decode gives exactly the JSONL text; the streaming reader gives the documents
  assert.equal(Buffer.from(decompress(new Uint8Array(bytes))).toString('utf8'), plain.join(''));
  assert.deepEqual(await all(readJsonl(a, DEFAULT_FIELDS)), docs);
  // a temp name needs the compression spelled out; same bytes as the first file
  const b = join(dir, 'b.jsonl.zst.tmp');
  await write(b, 'zstd');
  assert.ok(readFileSync(b).equals(bytes));
  assert.equal(compressionOf('x.jsonl.zst'), 'zstd');
  assert.equal(compressionOf('x.jsonl.zst.tmp'), 'none');
  assert.equal(outputExt({ type: 'jsonl', compression: 'zstd', rejected: false }), '.jsonl.zst');
});

test('jsonl writer: an empty .zst file is still a valid zstd stream', async () => {
  const dir = tmp();
  const p = join(dir, 'e.jsonl.zst');
  const w = jsonlWriter(p);
  await w.close();
  const bytes = readFileSync(p);
  assert.ok(bytes.subarray(0, 4).equals(ZSTD_MAGIC));
  assert.equal(decompress(new Uint8Array(bytes)).length, 0);
  assert.deepEqual(await all(readJsonl(p, DEFAULT_FIELDS)), []);
});

test('pipeline output compression: zstd gives the same documents as gzip, renamed into place', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'in.jsonl'), [...syntheticJsonl(9, 300e3)].join(''));
  const run = async (compression: string) => {
    writeFileSync(
      join(dir, `${compression}.yaml`),
      `name: ${compression}\ninput: {type: jsonl, paths: [in.jsonl]}\nstages: [gopher_quality, fineweb]\noutput: {compression: ${compression}, rejected: true}\n`,
    );
    const r = await runPipeline(join(dir, `${compression}.yaml`), { progress: false });
    assert.equal(r.complete, true);
    return r;
  };
  const z = await run('zstd');
  const g = await run('gzip');
  assert.deepEqual(readdirSync(join(z.runDir, 'output')), ['part-00000.jsonl.zst']);
  const zd = await all(readJsonl(join(z.runDir, 'output', 'part-00000.jsonl.zst'), DEFAULT_FIELDS));
  const gd = await all(readJsonl(join(g.runDir, 'output', 'part-00000.jsonl.gz'), DEFAULT_FIELDS));
  assert.ok(zd.length > 50 && zd.length < z.stats.docs_read, `${zd.length} of ${z.stats.docs_read}`);
  assert.deepEqual(zd, gd);
  // a rerun finds the completion record and leaves the output alone (write-then-rename + done/ record)
  const before = readFileSync(join(z.runDir, 'output', 'part-00000.jsonl.zst'));
  const again = await runPipeline(join(dir, 'zstd.yaml'), { progress: false });
  assert.equal(again.stats.docs_written, z.stats.docs_written);
  assert.ok(readFileSync(join(z.runDir, 'output', 'part-00000.jsonl.zst')).equals(before));
  writeFileSync(
    join(dir, 'bad.yaml'),
    'name: bad\ninput: {type: jsonl, paths: [in.jsonl]}\nstages: []\noutput: {compression: lz4}\n',
  );
  await assert.rejects(
    runPipeline(join(dir, 'bad.yaml'), { progress: false }),
    /output\.compression must be gzip, zstd or none, got "lz4"/,
  );
});
