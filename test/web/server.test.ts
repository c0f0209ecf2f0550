// `pocketlm web` server: COOP/COEP on every response, /api/models, model files with ranges, no path escapes.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startWebServer, type WebServer, webCommand } from '../../src/cli/web.js';

let dir: string;
let srv: WebServer;
const seen: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pocketlm-websrv-'));
  mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'dist', 'assets', 'a.js'), 'export {}');
  writeFileSync(join(dir, 'secret.txt'), 'no');
  writeFileSync(join(dir, 'm.gguf'), Buffer.from('GGUF0123456789'));
  srv = await startWebServer({
    root: join(dir, 'dist'),
    port: 0,
    models: [join(dir, 'm.gguf')],
    onRequest: (_m, p) => seen.push(p),
  });
});
after(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('web server: page and assets carry cross-origin isolation headers', async () => {
  for (const p of ['', 'assets/a.js']) {
    const r = await fetch(srv.url + p);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp');
    await r.arrayBuffer();
  }
  assert.match((await fetch(srv.url)).headers.get('content-type') ?? '', /text\/html/);
  assert.match((await fetch(`${srv.url}assets/a.js`)).headers.get('content-type') ?? '', /javascript/);
});

test('web server: lists and serves models, with Range requests', async () => {
  const list = (await (await fetch(`${srv.url}api/models`)).json()) as {
    name: string;
    url: string;
    bytes: number;
  }[];
  assert.deepEqual(list, [{ name: 'm.gguf', url: '/models/m.gguf', bytes: 14 }]);
  const whole = await fetch(`${srv.url}models/m.gguf`);
  assert.equal(whole.headers.get('content-length'), '14');
  assert.equal(await whole.text(), 'GGUF0123456789');
  const part = await fetch(`${srv.url}models/m.gguf`, { headers: { Range: 'bytes=4-7' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), 'bytes 4-7/14');
  assert.equal(await part.text(), '0123');
  const bad = await fetch(`${srv.url}models/m.gguf`, { headers: { Range: 'bytes=99-' } });
  assert.equal(bad.status, 416);
  const missing = await fetch(`${srv.url}models/other.gguf`);
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /served: m\.gguf/);
  assert.ok(seen.includes('/models/m.gguf'));
});

test('web server: no files outside the root, 404 and 405', async () => {
  assert.equal((await fetch(`${srv.url}..%2fsecret.txt`)).status, 404);
  assert.equal((await fetch(`${srv.url}%2e%2e/secret.txt`)).status, 404);
  assert.equal((await fetch(`${srv.url}nope.js`)).status, 404);
  assert.equal((await fetch(srv.url, { method: 'POST', body: 'x' })).status, 405);
});

test('web server: bad options name the problem', async () => {
  await assert.rejects(startWebServer({ root: join(dir, 'nowhere'), port: 0 }), /index\.html is missing/);
  await assert.rejects(
    startWebServer({ root: join(dir, 'dist'), port: 0, models: [join(dir, 'absent.gguf')] }),
    /--model .*absent\.gguf: no such file/,
  );
  await assert.rejects(webCommand(['--port', 'abc']), /--port must be an integer/);
  await assert.rejects(webCommand(['--bogus']), /bogus/);
});
