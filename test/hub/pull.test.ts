// Hub downloads against a local fake of huggingface.co (API, 302 to a CDN, Range, ETags), cache and CLI.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { listCachedModels, resolveModelRef } from '../../src/hub/cache.js';
import { type CliIo, formatProgress, modelsCommand, pullCommand } from '../../src/hub/cli.js';
import { type HubError, HubIntegrityError, pull } from '../../src/hub/pull.js';

interface FakeFile {
  data: Buffer;
  lfs: boolean;
  /** Overrides the sha256 the hub advertises (to simulate corruption). */
  advertisedSha?: string;
}
interface FakeRepo {
  private?: boolean;
  files: Record<string, FakeFile>;
}

const bytes = (n: number, seed: number) =>
  Buffer.from(Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const repos: Record<string, FakeRepo> = {
  'acme/tiny-gguf': {
    files: {
      'tiny-q4.gguf': { data: bytes(300_000, 1), lfs: true },
      'README.md': { data: Buffer.from('# tiny\n'), lfs: false },
      'config.json': { data: Buffer.from('{}'), lfs: false },
    },
  },
  'acme/two-ggufs': {
    files: {
      'a-q4.gguf': { data: bytes(1000, 2), lfs: true },
      'sub/b-q8.gguf': { data: bytes(2000, 3), lfs: true },
    },
  },
  'acme/flaky': { files: { 'flaky.gguf': { data: bytes(500_000, 4), lfs: true } } },
  'acme/flaky2': { files: { 'flaky2.gguf': { data: bytes(400_000, 5), lfs: true } } },
  'acme/corrupt': {
    files: { 'bad.gguf': { data: bytes(5000, 6), lfs: true, advertisedSha: sha(bytes(5000, 7)) } },
  },
  'acme/private': { private: true, files: { 'secret.gguf': { data: bytes(4000, 8), lfs: true } } },
};

interface Logged {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  range?: string;
  auth?: string;
}
const log: Logged[] = [];
/** CDN paths whose next response drops the connection half-way. */
const drops = new Map<string, number>();
let hub: Server;
let cdn: Server;
let hubUrl = '';
let cdnUrl = '';
const root = mkdtempSync(join(tmpdir(), 'pocketlm-hub-'));

function hubHandler(req: IncomingMessage, res: ServerResponse) {
  log.push({
    server: 'hub',
    method: req.method!,
    url: req.url!,
    range: req.headers.range,
    auth: req.headers.authorization,
  });
  const url = new URL(req.url!, hubUrl);
  const fail = (status: number, code: string, msg: string) => {
    res.writeHead(status, {
      'x-error-code': code,
      'x-error-message': msg,
      'content-type': 'application/json',
    });
    res.end(JSON.stringify({ error: msg }));
  };
  const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
  const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
  const repoId = decodeURIComponent((api ?? resolve)?.[1] ?? '');
  const repo = repos[repoId];
  if (!api && !resolve) return fail(404, 'NotFound', 'no route');
  if (repo?.private && req.headers.authorization !== 'Bearer secret') {
    return fail(401, 'RepoNotFound', 'Repository not found or private. Invalid credentials.');
  }
  if (!repo) return fail(404, 'RepoNotFound', `Repository ${repoId} not found`);
  const rev = decodeURIComponent((api ?? resolve)![2]!);
  if (rev !== 'main') return fail(404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
  if (api) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: repoId,
        sha: 'c0ffee',
        siblings: Object.entries(repo.files).map(([rfilename, f]) => ({
          rfilename,
          size: f.data.length,
          ...(f.lfs ? { lfs: { sha256: f.advertisedSha ?? sha(f.data), size: f.data.length } } : {}),
        })),
      }),
    );
    return;
  }
  const path = resolve![3]!.split('/').map(decodeURIComponent).join('/');
  const f = repo.files[path];
  if (!f) return fail(404, 'EntryNotFound', `${path} does not exist on "main"`);
  if (!f.lfs) {
    res.writeHead(200, {
      etag: `"${createHash('sha1').update(f.data).digest('hex')}"`,
      'content-length': f.data.length,
      'x-repo-commit': 'c0ffee',
    });
    res.end(f.data);
    return;
  }
  res.writeHead(302, {
    location: `${cdnUrl}/cdn/${encodeURIComponent(repoId)}/${encodeURIComponent(path)}?sig=abc`,
    'x-linked-etag': `"${f.advertisedSha ?? sha(f.data)}"`,
    'x-linked-size': String(f.data.length),
    etag: 'W/"not-the-sha"',
    'x-repo-commit': 'c0ffee',
  });
  res.end();
}

function cdnHandler(req: IncomingMessage, res: ServerResponse): void {
  log.push({
    server: 'cdn',
    method: req.method!,
    url: req.url!,
    range: req.headers.range,
    auth: req.headers.authorization,
  });
  const url = new URL(req.url!, cdnUrl);
  const m = /^\/cdn\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  const f = m ? repos[decodeURIComponent(m[1]!)]?.files[decodeURIComponent(m[2]!)] : undefined;
  if (!f || url.searchParams.get('sig') !== 'abc') {
    res.writeHead(403);
    res.end('bad signature');
    return;
  }
  const total = f.data.length;
  let start = 0;
  const r = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (r) {
    start = Number(r[1]);
    if (start >= total) {
      res.writeHead(416, { 'content-range': `bytes */${total}` });
      res.end();
      return;
    }
    res.writeHead(206, {
      'content-range': `bytes ${start}-${total - 1}/${total}`,
      'content-length': total - start,
      etag: '"cdn-etag"',
    });
  } else res.writeHead(200, { 'content-length': total, etag: '"cdn-etag"' });
  const body = f.data.subarray(start);
  const key = url.pathname;
  if ((drops.get(key) ?? 0) > 0) {
    drops.set(key, drops.get(key)! - 1);
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
      setTimeout(() => res.socket?.destroy(), 20);
    });
    return;
  }
  res.end(body);
}

before(async () => {
  hub = createServer(hubHandler);
  cdn = createServer(cdnHandler);
  await new Promise<void>((r) => hub.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => cdn.listen(0, '127.0.0.1', r));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
  cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
});
after(async () => {
  hub.closeAllConnections();
  cdn.closeAllConnections();
  await new Promise((r) => hub.close(r));
  await new Promise((r) => cdn.close(r));
  rmSync(root, { recursive: true, force: true });
});

const cacheOf = (name: string) => join(root, name);
const base = (cache: string) => ({ cacheDir: cache, endpoint: hubUrl, token: '', retryDelayMs: 5 });

test('pull picks the single .gguf, follows the 302 to the CDN, checks sha256, caches atomically', async () => {
  const cache = cacheOf('c1');
  const seen: number[] = [];
  log.length = 0;
  const r = await pull({ repo: 'acme/tiny-gguf', ...base(cache) }, (p) => {
    seen.push(p.received);
    assert.equal(p.total, 300_000);
  });
  const f = repos['acme/tiny-gguf']!.files['tiny-q4.gguf']!;
  assert.equal(r.file, 'tiny-q4.gguf');
  assert.equal(r.path, join(cache, 'acme', 'tiny-gguf', 'tiny-q4.gguf'));
  assert.equal(r.downloaded, true);
  assert.equal(r.sha256, sha(f.data));
  assert.equal(r.commit, 'c0ffee');
  assert.deepEqual(readFileSync(r.path), f.data);
  assert.equal(existsSync(`${r.path}.part`), false);
  assert.equal(seen.at(-1), 300_000);
  assert.ok(
    log.some((l) => l.server === 'hub' && l.url.startsWith('/api/models/acme/tiny-gguf/revision/main')),
    'the API was asked for the file list',
  );
  assert.ok(
    log.some((l) => l.server === 'cdn'),
    'the data came from the CDN',
  );
  // Already cached: no network at all.
  log.length = 0;
  const again = await pull({ repo: 'acme/tiny-gguf', file: 'tiny-q4.gguf', ...base(cache) });
  assert.equal(again.downloaded, false);
  assert.equal(again.sha256, sha(f.data));
  assert.equal(log.length, 0);
  // A non-LFS file is served directly (git-sha1 ETag: size check only).
  const readme = await pull({ repo: 'acme/tiny-gguf', file: 'README.md', ...base(cache) });
  assert.equal(readFileSync(readme.path, 'utf8'), '# tiny\n');
});

test('several .gguf files: the error lists the candidates; a named file in a subfolder downloads', async () => {
  const cache = cacheOf('c2');
  await assert.rejects(
    pull({ repo: 'acme/two-ggufs', ...base(cache) }),
    /acme\/two-ggufs has 2 \.gguf files; name one: a-q4\.gguf .*sub\/b-q8\.gguf/,
  );
  await assert.rejects(pull({ repo: 'acme/flaky', file: 'nope.gguf', ...base(cache) }), (e: HubError) => {
    assert.equal(e.status, 404);
    assert.match(e.message, /404 file not found \(EntryNotFound: nope\.gguf does not exist/);
    return true;
  });
  await assert.rejects(
    pull({ repo: 'acme/missing', file: 'x.gguf', ...base(cache) }),
    /404 repository not found/,
  );
  await assert.rejects(
    pull({ repo: 'acme/flaky', file: 'flaky.gguf', revision: 'v9', ...base(cache) }),
    /404 revision not found/,
  );
  const r = await pull({ repo: 'acme/two-ggufs', file: 'sub/b-q8.gguf', ...base(cache) });
  assert.equal(r.path, join(cache, 'acme', 'two-ggufs', 'sub', 'b-q8.gguf'));
  assert.equal(statSync(r.path).size, 2000);
  await assert.rejects(pull({ repo: '../etc', file: 'x', ...base(cache) }), /invalid repository id/);
  await assert.rejects(
    pull({ repo: 'acme/flaky', file: '../../x.gguf', ...base(cache) }),
    /invalid file name/,
  );
});

test('a connection dropped mid-way resumes with a Range request and completes with the right hash', async () => {
  const cache = cacheOf('c3');
  drops.set('/cdn/acme%2Fflaky/flaky.gguf', 2);
  log.length = 0;
  const resumed: number[] = [];
  const r = await pull({ repo: 'acme/flaky', file: 'flaky.gguf', ...base(cache) }, (p) => {
    if (p.resumedFrom > 0 && !resumed.includes(p.resumedFrom)) resumed.push(p.resumedFrom);
  });
  const f = repos['acme/flaky']!.files['flaky.gguf']!;
  assert.deepEqual(readFileSync(r.path), f.data);
  assert.equal(r.sha256, sha(f.data));
  const cdnReqs = log.filter((l) => l.server === 'cdn');
  assert.equal(cdnReqs.length, 3);
  assert.equal(cdnReqs[0]!.range, undefined);
  assert.match(cdnReqs[1]!.range ?? '', /^bytes=\d+-$/);
  assert.ok(
    Number(/\d+/.exec(cdnReqs[2]!.range!)![0]) > Number(/\d+/.exec(cdnReqs[1]!.range!)![0]),
    'second resume starts later',
  );
  assert.equal(resumed.length, 2);
});

test('with retries: 0 the .part is kept, and the next pull resumes it', async () => {
  const cache = cacheOf('c4');
  drops.set('/cdn/acme%2Fflaky2/flaky2.gguf', 1);
  await assert.rejects(
    pull({ repo: 'acme/flaky2', file: 'flaky2.gguf', retries: 0, ...base(cache) }),
    /partial download kept in .*flaky2\.gguf\.part; run pull again to resume/,
  );
  const part = join(cache, 'acme', 'flaky2', 'flaky2.gguf.part');
  const partial = statSync(part).size;
  assert.ok(partial > 0 && partial < 400_000, `partial ${partial}`);
  log.length = 0;
  assert.equal(
    readFileSync(`${part}.sha256`, 'utf8').trim(),
    sha(repos['acme/flaky2']!.files['flaky2.gguf']!.data),
  );
  const r = await pull({ repo: 'acme/flaky2', file: 'flaky2.gguf', ...base(cache) });
  assert.equal(log.find((l) => l.server === 'cdn')!.range, `bytes=${partial}-`);
  assert.equal(existsSync(`${part}.sha256`), false);
  assert.deepEqual(readFileSync(r.path), repos['acme/flaky2']!.files['flaky2.gguf']!.data);
  assert.equal(existsSync(part), false);
  // A .part that is already complete gets 416 from the server and is verified and installed.
  const full = repos['acme/flaky2']!.files['flaky2.gguf']!.data;
  const c5 = cacheOf('c5');
  mkdirSync(join(c5, 'acme', 'flaky2'), { recursive: true });
  writeFileSync(join(c5, 'acme', 'flaky2', 'flaky2.gguf.part'), full);
  const r2 = await pull({ repo: 'acme/flaky2', file: 'flaky2.gguf', ...base(c5) });
  assert.equal(r2.sha256, sha(full));
});

test('a .part of an older version of the file is discarded, not resumed', async () => {
  const cache = cacheOf('c12');
  const dir = join(cache, 'acme', 'flaky2');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'flaky2.gguf.part'), Buffer.alloc(1000, 9));
  writeFileSync(join(dir, 'flaky2.gguf.part.sha256'), `${'0'.repeat(64)}\n`);
  log.length = 0;
  const r = await pull({ repo: 'acme/flaky2', file: 'flaky2.gguf', ...base(cache) });
  assert.equal(r.sha256, sha(repos['acme/flaky2']!.files['flaky2.gguf']!.data));
  assert.deepEqual(
    log.filter((l) => l.server === 'cdn').map((l) => l.range),
    ['bytes=1000-', undefined],
  );
});

test('a hash mismatch is detected and the bad download deleted', async () => {
  const cache = cacheOf('c6');
  await assert.rejects(pull({ repo: 'acme/corrupt', file: 'bad.gguf', ...base(cache) }), (e: Error) => {
    assert.ok(e instanceof HubIntegrityError, `not an integrity error: ${e.name}`);
    assert.match(
      e.message,
      /sha256 mismatch: got [0-9a-f]{64}, expected [0-9a-f]{64}; the download was deleted/,
    );
    return true;
  });
  assert.equal(existsSync(join(cache, 'acme', 'corrupt', 'bad.gguf')), false);
  assert.equal(existsSync(join(cache, 'acme', 'corrupt', 'bad.gguf.part')), false);
  // Via the API listing (no FILE) the same mismatch is found from lfs.sha256 / X-Linked-Etag.
  await assert.rejects(pull({ repo: 'acme/corrupt', ...base(cache) }), /sha256 mismatch/);
  // A .part longer than the file is caught as a size mismatch.
  mkdirSync(join(cache, 'acme', 'flaky'), { recursive: true });
  writeFileSync(join(cache, 'acme', 'flaky', 'flaky.gguf.part'), Buffer.alloc(600_000));
  await assert.rejects(
    pull({ repo: 'acme/flaky', file: 'flaky.gguf', ...base(cache) }),
    /size mismatch: got 600000 bytes, the hub reports 500000/,
  );
});

test('401 without a token, 401 with a wrong one; the token never goes to the CDN', async () => {
  const cache = cacheOf('c7');
  await assert.rejects(pull({ repo: 'acme/private', file: 'secret.gguf', ...base(cache) }), (e: HubError) => {
    assert.equal(e.status, 401);
    assert.match(e.message, /401 unauthorized .*set HF_TOKEN/);
    return true;
  });
  await assert.rejects(
    pull({ repo: 'acme/private', ...base(cache), token: 'wrong' }),
    /401 unauthorized.*token was rejected/,
  );
  log.length = 0;
  const r = await pull({ repo: 'acme/private', ...base(cache), token: 'secret' });
  assert.equal(r.file, 'secret.gguf');
  assert.ok(
    log.filter((l) => l.server === 'hub').every((l) => l.auth === 'Bearer secret'),
    'the hub got the token',
  );
  assert.ok(
    log.filter((l) => l.server === 'cdn').every((l) => l.auth === undefined),
    'the CDN did not get the token',
  );
  // HF_ENDPOINT and HF_TOKEN are the defaults.
  const env = { ...process.env };
  try {
    process.env.HF_ENDPOINT = hubUrl;
    process.env.HF_TOKEN = 'secret';
    const r2 = await pull({ repo: 'acme/private', cacheDir: cacheOf('c8') });
    assert.equal(r2.downloaded, true);
  } finally {
    process.env.HF_ENDPOINT = env.HF_ENDPOINT;
    process.env.HF_TOKEN = env.HF_TOKEN;
    if (env.HF_ENDPOINT === undefined) delete process.env.HF_ENDPOINT;
    if (env.HF_TOKEN === undefined) delete process.env.HF_TOKEN;
  }
  await assert.rejects(
    pull({
      repo: 'acme/flaky',
      file: 'flaky.gguf',
      cacheDir: cache,
      endpoint: 'http://127.0.0.1:1',
      retries: 0,
    }),
    /cannot reach http:\/\/127\.0\.0\.1:1/,
  );
});

test('two pulls of one file: the second is refused by the lock; a stale lock is taken over', async () => {
  const cache = cacheOf('c11');
  const first = pull({ repo: 'acme/flaky', file: 'flaky.gguf', ...base(cache) });
  const second = pull({ repo: 'acme/flaky', file: 'flaky.gguf', ...base(cache) });
  await assert.rejects(
    second,
    /another pull \(pid \d+\) is downloading this file \(lock .*flaky\.gguf\.part\.lock\)/,
  );
  assert.equal((await first).downloaded, true);
  assert.equal(existsSync(join(cache, 'acme', 'flaky', 'flaky.gguf.part.lock')), false);
  const dir = join(cache, 'acme', 'flaky2');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'flaky2.gguf.part.lock'), '2147483646');
  const r = await pull({ repo: 'acme/flaky2', file: 'flaky2.gguf', ...base(cache) });
  assert.equal(r.downloaded, true);
  assert.equal(existsSync(join(dir, 'flaky2.gguf.part.lock')), false);
});

test('cached models list and resolve by ref, repo, file name or stem', async () => {
  const cache = cacheOf('c9');
  await pull({ repo: 'acme/tiny-gguf', ...base(cache) });
  await pull({ repo: 'acme/two-ggufs', file: 'a-q4.gguf', ...base(cache) });
  await pull({ repo: 'acme/two-ggufs', file: 'sub/b-q8.gguf', ...base(cache) });
  writeFileSync(join(cache, 'acme', 'tiny-gguf', 'junk.gguf.part'), 'x');
  writeFileSync(join(cache, 'acme', 'tiny-gguf', 'junk.gguf.part.lock'), '1');
  const list = listCachedModels(cache);
  assert.deepEqual(
    list.map((m) => m.ref),
    ['acme/tiny-gguf/tiny-q4.gguf', 'acme/two-ggufs/a-q4.gguf', 'acme/two-ggufs/sub/b-q8.gguf'],
  );
  assert.equal(list[0]!.sha256, sha(repos['acme/tiny-gguf']!.files['tiny-q4.gguf']!.data));
  assert.equal(list[0]!.size, 300_000);
  const tiny = join(cache, 'acme', 'tiny-gguf', 'tiny-q4.gguf');
  assert.equal(resolveModelRef('acme/tiny-gguf/tiny-q4.gguf', cache), tiny);
  assert.equal(resolveModelRef('acme/tiny-gguf', cache), tiny);
  assert.equal(resolveModelRef('tiny-q4.gguf', cache), tiny);
  assert.equal(resolveModelRef('tiny-q4', cache), tiny);
  assert.equal(resolveModelRef('b-q8.gguf', cache), join(cache, 'acme', 'two-ggufs', 'sub', 'b-q8.gguf'));
  assert.equal(resolveModelRef(tiny, join(root, 'empty')), tiny);
  assert.throws(
    () => resolveModelRef('acme/two-ggufs', cache),
    /matches several cached files of that repository: acme\/two-ggufs\/a-q4\.gguf, acme\/two-ggufs\/sub\/b-q8\.gguf/,
  );
  assert.throws(
    () => resolveModelRef('phi-3', cache),
    /model "phi-3" is neither a file nor in the cache .*pocketlm pull/,
  );
  assert.deepEqual(listCachedModels(join(root, 'does-not-exist')), []);
});

function captureIo(): CliIo & { outText: () => string; errText: () => string } {
  let out = '';
  let err = '';
  let t = 0;
  return {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    tty: true,
    now: () => (t += 150),
    outText: () => out,
    errText: () => err,
  };
}

test('pullCommand prints the path and a progress bar; modelsCommand lists the cache', async () => {
  const cache = cacheOf('c10');
  const io = captureIo();
  const code = await pullCommand(
    ['acme/flaky', 'flaky.gguf', '--cache-dir', cache, '--endpoint', hubUrl],
    io,
  );
  assert.equal(code, 0, io.errText());
  assert.equal(io.outText(), `${join(cache, 'acme', 'flaky', 'flaky.gguf')}\n`);
  assert.match(io.errText(), /\r\[#+\.*\] +\d+\.\d% {2}\d+\.\d\/0\.5 MB {2}\d+\.\d MB\/s {2}ETA \d+:\d\d/);
  assert.match(io.errText(), /downloaded acme\/flaky\/flaky\.gguf \(0\.5 MB, sha256 [0-9a-f]{12}…\)/);
  const bad = captureIo();
  assert.equal(await pullCommand(['acme/two-ggufs', '--cache-dir', cache, '--endpoint', hubUrl], bad), 1);
  assert.match(bad.errText(), /pocketlm pull: acme\/two-ggufs has 2 \.gguf files/);
  assert.equal(await pullCommand([], captureIo()), 2);
  assert.equal(await pullCommand(['--bogus'], captureIo()), 2);
  const m = captureIo();
  assert.equal(await modelsCommand(['--cache-dir', cache], m), 0);
  assert.match(m.outText(), /^acme\/flaky\/flaky\.gguf +0\.00 GB {2}.*flaky\.gguf\n$/);
  const j = captureIo();
  await modelsCommand(['--cache-dir', cache, '--json'], j);
  assert.equal(JSON.parse(j.outText())[0].repo, 'acme/flaky');
  assert.equal(
    formatProgress(50e6, 100e6, 10e6, 10),
    '[#####.....]  50.0%  50.0/100.0 MB  10.0 MB/s  ETA 0:05',
  );
  assert.equal(formatProgress(5e6, undefined, 1e6), '5.0 MB  1.0 MB/s');
});
