// Downloads model files from the Hugging Face Hub (or a mirror): resumable, size- and sha256-checked, atomic.
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import {
  checkRepoFile,
  checkRepoId,
  defaultCacheDir,
  readRepoMeta,
  repoCacheDir,
  writeRepoMeta,
} from './cache.js';

/** Options of pull(). */
export interface PullOptions {
  /** `owner/name`. */
  repo: string;
  /** File path in the repo; when omitted, the repo's single `.gguf` file. */
  file?: string;
  /** Branch, tag or commit (default "main"). */
  revision?: string;
  /** Default: $POCKETLM_CACHE or ~/.cache/pocketlm. */
  cacheDir?: string;
  /** Default: $HF_ENDPOINT or https://huggingface.co. */
  endpoint?: string;
  /** Bearer token (default $HF_TOKEN); sent only to the endpoint's origin, never to redirect targets. */
  token?: string;
  /** Download again even when the file is already cached. */
  force?: boolean;
  /** Automatic resumes after a dropped connection within this call (default 5). */
  retries?: number;
  /** Abort an attempt when no bytes arrive for this long (default 60 000 ms). */
  idleTimeoutMs?: number;
  /** Pause before each retry (default 1000 ms × attempt). */
  retryDelayMs?: number;
}

/** Progress report: bytes on disk so far (including a resumed prefix) and the expected total. */
export interface PullProgress {
  file: string;
  received: number;
  total: number | undefined;
  /** Bytes that were already in the `.part` file when this attempt started. */
  resumedFrom: number;
}

/** What pull() produced. */
export interface PullResult {
  path: string;
  repo: string;
  file: string;
  revision: string;
  size: number;
  sha256?: string;
  commit?: string;
  /** False when the file was already cached and nothing was downloaded. */
  downloaded: boolean;
}

/** An error from the hub with the HTTP status (0 for network errors). */
export class HubError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

/** A download whose bytes are wrong (too many, wrong size or hash); never retried. */
export class HubIntegrityError extends HubError {
  constructor(message: string) {
    super(message, 0);
    this.name = 'HubIntegrityError';
  }
}

interface Ctx {
  endpoint: URL;
  token?: string;
  repo: string;
  revision: string;
}

function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

/** Builds a clear error from a non-OK hub response (uses X-Error-Code / X-Error-Message when present). */
async function httpError(res: Response, ctx: Ctx, what: string): Promise<HubError> {
  const code = res.headers.get('x-error-code') ?? '';
  const msg = res.headers.get('x-error-message') ?? '';
  let body = '';
  try {
    body = (await res.text()).slice(0, 300);
  } catch {}
  const detail = msg || body.replace(/\s+/g, ' ').trim();
  const tail = detail ? ` (${code ? `${code}: ` : ''}${detail})` : code ? ` (${code})` : '';
  const s = res.status;
  if (s === 401) {
    return new HubError(
      `${what}: 401 unauthorized${tail}. ${ctx.token ? 'The token was rejected, or the repository does not exist.' : 'The repository is private, gated or does not exist: set HF_TOKEN to a token with access.'}`,
      s,
    );
  }
  if (s === 403) {
    return new HubError(
      `${what}: 403 forbidden${tail}. The token has no access (gated repo: accept its terms on the website).`,
      s,
    );
  }
  if (s === 404) {
    const which =
      code === 'EntryNotFound'
        ? 'file not found'
        : code === 'RevisionNotFound'
          ? 'revision not found'
          : code === 'RepoNotFound'
            ? 'repository not found'
            : 'not found';
    return new HubError(`${what}: 404 ${which}${tail}`, s);
  }
  return new HubError(`${what}: HTTP ${s}${tail}`, s);
}

function authHeaders(ctx: Ctx, url: URL): Record<string, string> {
  const h: Record<string, string> = { 'user-agent': 'pocketlm' };
  if (ctx.token && url.origin === ctx.endpoint.origin) h.authorization = `Bearer ${ctx.token}`;
  return h;
}

async function get(url: URL, ctx: Ctx, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, {
      ...init,
      headers: { ...authHeaders(ctx, url), ...(init.headers as Record<string, string>) },
    });
  } catch (e) {
    throw new HubError(
      `${what}: cannot reach ${url.origin}: ${(e as Error).cause ?? (e as Error).message}`,
      0,
    );
  }
}

/** A repo file as the hub API lists it. */
export interface HubFile {
  rfilename: string;
  size?: number;
  lfs?: { sha256?: string; size?: number };
}

/** Lists the files of a repo revision via `/api/models/{repo}/revision/{rev}?blobs=true`. */
export async function listRepoFiles(
  opts: Pick<PullOptions, 'repo' | 'revision' | 'endpoint' | 'token'>,
): Promise<HubFile[]> {
  const ctx = makeCtx(opts);
  const url = new URL(
    `api/models/${ctx.repo}/revision/${encodeURIComponent(ctx.revision)}?blobs=true`,
    ctx.endpoint,
  );
  const what = `listing ${ctx.repo}@${ctx.revision}`;
  const res = await get(url, ctx, {}, what);
  if (!res.ok) throw await httpError(res, ctx, what);
  const json = (await res.json()) as { siblings?: HubFile[] };
  if (!Array.isArray(json.siblings))
    throw new HubError(`${what}: the API answer has no "siblings" list`, res.status);
  return json.siblings.filter((s) => typeof s?.rfilename === 'string');
}

function makeCtx(opts: Pick<PullOptions, 'repo' | 'revision' | 'endpoint' | 'token'>): Ctx {
  checkRepoId(opts.repo);
  const ep = opts.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co';
  const endpoint = new URL(ep.endsWith('/') ? ep : `${ep}/`);
  return {
    endpoint,
    token: opts.token ?? (process.env.HF_TOKEN || undefined),
    repo: opts.repo,
    revision: opts.revision ?? 'main',
  };
}

/** Picks the one `.gguf` file of a listing; throws listing the candidates when there are none or several. */
export function pickGguf(files: HubFile[], repo: string): HubFile {
  const ggufs = files.filter((f) => f.rfilename.toLowerCase().endsWith('.gguf'));
  if (ggufs.length === 1) return ggufs[0]!;
  if (ggufs.length === 0) {
    throw new HubError(
      `${repo} has no .gguf file; name the file to download (files: ${files
        .map((f) => f.rfilename)
        .slice(0, 20)
        .join(', ')})`,
      0,
    );
  }
  throw new HubError(
    `${repo} has ${ggufs.length} .gguf files; name one: ${ggufs.map((f) => `${f.rfilename}${f.size ? ` (${(f.size / 1e9).toFixed(2)} GB)` : ''}`).join(', ')}`,
    0,
  );
}

/** Metadata of the file behind a resolve URL, from the first (hub) response. */
interface Remote {
  size?: number;
  sha256?: string;
  commit?: string;
}

const SHA256_RE = /^[0-9a-f]{64}$/;

function unquote(etag: string | null): string | undefined {
  if (!etag) return undefined;
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
}

/**
 * GET the resolve URL following redirects by hand (so the hub's own headers are seen and the token is not
 * forwarded to the CDN). Returns the final response and the hub's metadata.
 */
async function openDownload(
  ctx: Ctx,
  file: string,
  range: number,
  what: string,
): Promise<{ res: Response; remote: Remote }> {
  let url = new URL(
    `${ctx.repo}/resolve/${encodeURIComponent(ctx.revision)}/${encodePath(file)}`,
    ctx.endpoint,
  );
  const remote: Remote = {};
  for (let hop = 0; hop < 10; hop++) {
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (range > 0) headers.range = `bytes=${range}-`;
    const res = await get(url, ctx, { redirect: 'manual', headers }, what);
    if (hop === 0 || url.origin === ctx.endpoint.origin) {
      const linkedSize = res.headers.get('x-linked-size');
      if (linkedSize && /^\d+$/.test(linkedSize)) remote.size ??= Number(linkedSize);
      const linked = unquote(res.headers.get('x-linked-etag'));
      const etag = unquote(res.headers.get('etag'));
      if (linked && SHA256_RE.test(linked)) remote.sha256 ??= linked;
      else if (etag && SHA256_RE.test(etag) && res.status < 300) remote.sha256 ??= etag;
      remote.commit ??= res.headers.get('x-repo-commit') ?? undefined;
    }
    if (res.status >= 300 && res.status < 400 && res.status !== 304) {
      const loc = res.headers.get('location');
      await res.body?.cancel();
      if (!loc) throw new HubError(`${what}: redirect ${res.status} without a Location header`, res.status);
      url = new URL(loc, url);
      continue;
    }
    return { res, remote };
  }
  throw new HubError(`${what}: too many redirects`, 0);
}

async function hashFile(path: string): Promise<ReturnType<typeof createHash>> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h;
}

/**
 * Downloads `repo`'s `file` at `revision` into the cache (`{cacheDir}/{owner}/{name}/{file}`) and returns its
 * path. Picks the repo's single `.gguf` file when `file` is omitted. Data goes to `{file}.part` and resumes
 * with an HTTP Range request after a dropped connection (up to `retries` times, and across calls); the
 * result is checked against the size (X-Linked-Size / Content-Length / API) and sha256 (X-Linked-Etag or a
 * sha256 ETag, or the API's lfs.sha256) and renamed into place atomically. On a size or hash mismatch the
 * `.part` file is deleted (resuming from corrupt bytes can never succeed) and a HubIntegrityError is thrown.
 * `{file}.part.sha256` records which version a `.part` holds: when the hub's sha256 has changed since, the
 * `.part` is discarded instead of resumed. `{file}.part.lock` keeps two pulls off one file.
 */
export async function pull(opts: PullOptions, onProgress?: (p: PullProgress) => void): Promise<PullResult> {
  const ctx = makeCtx(opts);
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const api: HubFile | undefined =
    opts.file === undefined ? pickGguf(await listRepoFiles(opts), ctx.repo) : undefined;
  const file = opts.file ?? api!.rfilename;
  checkRepoFile(file);
  const repoDir = repoCacheDir(cacheDir, ctx.repo, ctx.revision);
  const dest = join(repoDir, file);
  const part = `${dest}.part`;
  const what = `downloading ${ctx.repo}/${file}@${ctx.revision}`;
  if (!opts.force && existsSync(dest)) {
    const info = readRepoMeta(repoDir)[file];
    return {
      path: dest,
      repo: ctx.repo,
      file,
      revision: ctx.revision,
      size: statSync(dest).size,
      sha256: info?.sha256,
      commit: info?.commit,
      downloaded: false,
    };
  }
  mkdirSync(dirname(dest), { recursive: true });
  const unlock = lockDownload(`${part}.lock`, what);
  try {
    return await download(ctx, opts, api, file, repoDir, dest, part, what, onProgress);
  } finally {
    unlock();
  }
}

/**
 * Takes `{file}.part.lock` (holding our pid) so two pulls never write one `.part`; a lock left by a dead
 * process is taken over. Returns the release function.
 */
function lockDownload(lock: string, what: string): () => void {
  for (let i = 0; i < 2; i++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let pid = Number.NaN;
      try {
        pid = Number(readFileSync(lock, 'utf8').trim());
      } catch {}
      let alive = false;
      if (Number.isInteger(pid) && pid > 0) {
        try {
          process.kill(pid, 0);
          alive = true;
        } catch (err) {
          alive = (err as NodeJS.ErrnoException).code === 'EPERM';
        }
      }
      if (alive) {
        throw new HubError(`${what}: another pull (pid ${pid}) is downloading this file (lock ${lock})`, 0);
      }
      rmSync(lock, { force: true });
    }
  }
  throw new HubError(`${what}: cannot take the download lock ${lock}`, 0);
}

async function download(
  ctx: Ctx,
  opts: PullOptions,
  api: HubFile | undefined,
  file: string,
  repoDir: string,
  dest: string,
  part: string,
  what: string,
  onProgress: ((p: PullProgress) => void) | undefined,
): Promise<PullResult> {
  if (opts.force) rmSync(part, { force: true });
  const retries = opts.retries ?? 5;
  const idleMs = opts.idleTimeoutMs ?? 60_000;
  let expected: Remote = { size: api?.lfs?.size ?? api?.size, sha256: api?.lfs?.sha256?.toLowerCase() };
  // `{file}.part.sha256` names the version a .part belongs to, so a file changed on the hub is not resumed.
  const partSha = `${part}.sha256`;
  let restarted = false;
  for (let attempt = 0; ; attempt++) {
    let have = existsSync(part) ? statSync(part).size : 0;
    try {
      const { res, remote } = await openDownload(ctx, file, have, what);
      expected = {
        size: remote.size ?? expected.size,
        sha256: remote.sha256 ?? expected.sha256,
        commit: remote.commit ?? expected.commit,
      };
      if (have > 0 && !restarted) {
        let was: string | undefined;
        try {
          was = readFileSync(partSha, 'utf8').trim();
        } catch {}
        if (was !== undefined && expected.sha256 !== undefined && was !== expected.sha256) {
          // The file changed on the hub since this .part was started: drop it and start over.
          await res.body?.cancel();
          rmSync(part, { force: true });
          restarted = true;
          attempt--;
          continue;
        }
      }
      if (expected.sha256 !== undefined) writeFileSync(partSha, `${expected.sha256}\n`);
      if (res.status === 416 && have > 0) {
        // Nothing left to fetch: the .part already holds every byte (verified below).
        await res.body?.cancel();
      } else if (!res.ok) {
        throw await httpError(res, ctx, what);
      } else {
        if (res.status === 200 && have > 0) have = 0; // Range ignored: start over.
        if (res.status === 206) {
          const cr = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
          if (!cr || Number(cr[1]) !== have) {
            await res.body?.cancel();
            throw new HubError(
              `${what}: server answered range ${res.headers.get('content-range')} for a request from byte ${have}`,
              206,
            );
          }
          if (cr[3] !== '*') expected.size ??= Number(cr[3]);
        } else {
          const len = res.headers.get('content-length');
          if (len && /^\d+$/.test(len)) expected.size ??= Number(len);
        }
        await streamTo(res, part, have, expected.size, idleMs, (received) =>
          onProgress?.({ file, received, total: expected.size, resumedFrom: have }),
        );
      }
      break;
    } catch (e) {
      if (e instanceof HubIntegrityError) {
        rmSync(part, { force: true });
        rmSync(partSha, { force: true });
        throw new HubIntegrityError(`${what}: ${e.message}; the download was deleted, run pull again`);
      }
      const retryable = !(e instanceof HubError) || e.status === 0 || e.status >= 500;
      if (!retryable || attempt >= retries) {
        if (e instanceof HubError) throw e;
        throw new HubError(
          `${what}: ${(e as Error).message} (partial download kept in ${part}; run pull again to resume)`,
          0,
        );
      }
      await new Promise((r) => setTimeout(r, (opts.retryDelayMs ?? 1000) * (attempt + 1)));
    }
  }
  rmSync(partSha, { force: true });
  const size = statSync(part).size;
  if (expected.size !== undefined && size !== expected.size) {
    rmSync(part, { force: true });
    throw new HubIntegrityError(
      `${what}: size mismatch: got ${size} bytes, the hub reports ${expected.size}; the download was deleted, run pull again`,
    );
  }
  const sha256 = (await hashFile(part)).digest('hex');
  if (expected.sha256 !== undefined && sha256 !== expected.sha256) {
    rmSync(part, { force: true });
    throw new HubIntegrityError(
      `${what}: sha256 mismatch: got ${sha256}, expected ${expected.sha256}; the download was deleted, run pull again`,
    );
  }
  renameSync(part, dest);
  writeRepoMeta(repoDir, file, {
    size,
    sha256: expected.sha256 ? sha256 : undefined,
    revision: ctx.revision,
    commit: expected.commit,
    downloadedAt: new Date().toISOString(),
  });
  return {
    path: dest,
    repo: ctx.repo,
    file,
    revision: ctx.revision,
    size,
    sha256,
    commit: expected.commit,
    downloaded: true,
  };
}

/** Appends the response body to `part` from offset `have`, with an idle timeout and a size cap. */
async function streamTo(
  res: Response,
  part: string,
  have: number,
  total: number | undefined,
  idleMs: number,
  progress: (received: number) => void,
): Promise<void> {
  if (!res.body) throw new Error('response has no body');
  const fd = openSync(part, have > 0 ? 'r+' : 'w');
  const reader = res.body.getReader();
  let pos = have;
  let timer: NodeJS.Timeout | undefined;
  try {
    progress(pos);
    for (;;) {
      const next = reader.read();
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no data for ${idleMs} ms`)), idleMs);
      });
      const { done, value } = await Promise.race([next, idle]);
      clearTimeout(timer);
      if (done) break;
      let off = 0;
      while (off < value.length) off += writeSync(fd, value, off, value.length - off, pos + off);
      pos += value.length;
      if (total !== undefined && pos > total)
        throw new HubIntegrityError(`the server sent more than the ${total} bytes expected`);
      progress(pos);
    }
    if (total !== undefined && pos < total)
      throw new Error(`connection closed after ${pos} of ${total} bytes`);
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  } finally {
    clearTimeout(timer);
    closeSync(fd);
  }
}
