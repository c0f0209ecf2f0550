// Local model cache: where pulled files live, what is cached, and turning a model name into a file path.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The cache directory: $POCKETLM_CACHE, else ~/.cache/pocketlm. */
export function defaultCacheDir(): string {
  return process.env.POCKETLM_CACHE || join(homedir(), '.cache', 'pocketlm');
}

const REPO_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Throws unless `repo` looks like `owner/name` (no path tricks). */
export function checkRepoId(repo: string): void {
  if (!REPO_RE.test(repo) || repo.includes('..')) {
    throw new Error(`invalid repository id ${JSON.stringify(repo)}: expected owner/name`);
  }
}

/** Throws unless `file` is a relative path inside a repo (no `..`, no leading `/`, no backslashes). */
export function checkRepoFile(file: string): void {
  const parts = file.split('/');
  if (
    !file ||
    file.includes('\\') ||
    file.includes('\0') ||
    parts.some((p) => p === '' || p === '.' || p === '..')
  ) {
    throw new Error(
      `invalid file name ${JSON.stringify(file)}: expected a relative path inside the repository`,
    );
  }
}

/**
 * Directory of a repo in the cache: `{cacheDir}/{owner}/{name}` for revision "main",
 * `{cacheDir}/{owner}/{name}@{revision}` otherwise.
 */
export function repoCacheDir(cacheDir: string, repo: string, revision = 'main'): string {
  checkRepoId(repo);
  if (revision !== 'main' && !/^[A-Za-z0-9._-]+$/.test(revision)) {
    throw new Error(`invalid revision ${JSON.stringify(revision)}`);
  }
  return join(cacheDir, revision === 'main' ? repo : `${repo}@${revision}`);
}

/** What pull records about each downloaded file, in `{repoDir}/.pocketlm.json`. */
export interface CachedFileInfo {
  size: number;
  sha256?: string;
  revision: string;
  commit?: string;
  downloadedAt: string;
}

const META = '.pocketlm.json';

/** Reads a repo directory's records (empty when absent or unreadable). */
export function readRepoMeta(repoDir: string): Record<string, CachedFileInfo> {
  try {
    const v = JSON.parse(readFileSync(join(repoDir, META), 'utf8'));
    return typeof v === 'object' && v !== null ? v : {};
  } catch {
    return {};
  }
}

/** Records a downloaded file (read-modify-write of the repo's record file). */
export function writeRepoMeta(repoDir: string, file: string, info: CachedFileInfo): void {
  const meta = readRepoMeta(repoDir);
  meta[file] = info;
  writeFileSync(join(repoDir, META), `${JSON.stringify(meta, null, 2)}\n`);
}

/** One cached model file. `ref` is `owner/name/file` (with `@rev` after the name for other revisions). */
export interface CachedModel {
  ref: string;
  repo: string;
  revision: string;
  file: string;
  path: string;
  size: number;
  sha256?: string;
}

function walkFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walkFiles(join(dir, e.name), rel));
    else if (e.isFile() && !/\.part(\.lock|\.sha256)?$/.test(e.name)) out.push(rel);
  }
  return out;
}

/** Lists the completed files in the cache (partial `.part` downloads and their sidecars are left out), sorted by ref. */
export function listCachedModels(cacheDir: string = defaultCacheDir()): CachedModel[] {
  const out: CachedModel[] = [];
  let owners: import('node:fs').Dirent[];
  try {
    owners = readdirSync(cacheDir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const o of owners) {
    if (!o.isDirectory() || o.name.startsWith('.')) continue;
    for (const n of readdirSync(join(cacheDir, o.name), { withFileTypes: true })) {
      if (!n.isDirectory() || n.name.startsWith('.')) continue;
      const at = n.name.indexOf('@');
      const name = at < 0 ? n.name : n.name.slice(0, at);
      const revision = at < 0 ? 'main' : n.name.slice(at + 1);
      const repoDir = join(cacheDir, o.name, n.name);
      const meta = readRepoMeta(repoDir);
      for (const file of walkFiles(repoDir)) {
        const path = join(repoDir, file);
        out.push({
          ref: `${o.name}/${n.name}/${file}`,
          repo: `${o.name}/${name}`,
          revision,
          file,
          path,
          size: statSync(path).size,
          sha256: meta[file]?.sha256,
        });
      }
    }
  }
  return out.sort((a, b) => a.ref.localeCompare(b.ref));
}

/**
 * Turns what a user typed into a model file path: an existing path; a cached ref `owner/name/file`;
 * a repo `owner/name` with exactly one cached file; or a file name (or its stem without `.gguf`) that
 * exactly one cached file has. Throws listing the candidates when ambiguous, or saying how to pull it.
 */
export function resolveModelRef(nameOrPath: string, cacheDir: string = defaultCacheDir()): string {
  if (existsSync(nameOrPath) && statSync(nameOrPath).isFile()) return resolve(nameOrPath);
  const cached = listCachedModels(cacheDir);
  const pick = (matches: CachedModel[], how: string): string | undefined => {
    if (matches.length === 1) return matches[0]!.path;
    if (matches.length > 1) {
      throw new Error(
        `"${nameOrPath}" matches several cached ${how}: ${matches.map((m) => m.ref).join(', ')}; give the full owner/name/file`,
      );
    }
    return undefined;
  };
  const exact = cached.find((m) => m.ref === nameOrPath);
  if (exact) return exact.path;
  const r =
    pick(
      cached.filter((m) => m.repo === nameOrPath && m.revision === 'main'),
      'files of that repository',
    ) ??
    pick(
      cached.filter((m) => m.file === nameOrPath || m.file.split('/').pop() === nameOrPath),
      'files',
    ) ??
    pick(
      cached.filter(
        (m) =>
          m.file
            .split('/')
            .pop()
            ?.replace(/\.gguf$/i, '') === nameOrPath,
      ),
      'files',
    );
  if (r) return r;
  throw new Error(
    `model "${nameOrPath}" is neither a file nor in the cache (${cacheDir}); ` +
      `download it with: pocketlm pull OWNER/REPO [FILE]` +
      (cached.length ? ` (cached: ${cached.map((m) => m.ref).join(', ')})` : ''),
  );
}
