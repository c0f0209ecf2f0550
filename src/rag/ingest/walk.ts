// Recursive file listing with gitignore-style glob patterns.
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/** Patterns always ignored unless `ignore` is given explicitly. */
export const DEFAULT_IGNORE = [
  '.*',
  'node_modules',
  'dist',
  'build',
  '__pycache__',
  '*.min.js',
  '*.lock',
  'package-lock.json',
];

/** Converts a glob (`*`, `**`, `?`, `[…]`) to a RegExp over '/'-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const j = glob.indexOf(']', i);
      if (j < 0) re += '\\[';
      else {
        re += glob.slice(i, j + 1);
        i = j;
      }
    } else re += /[.+^${}()|\\]/.test(c) ? `\\${c}` : c;
  }
  return new RegExp(`^${re}$`);
}

/** Matcher: a pattern without '/' matches any path component's name; with '/' the path relative to the root. */
export function ignoreMatcher(patterns: string[]): (relPath: string) => boolean {
  const res = patterns.map((p) => ({
    anchored: p.includes('/'),
    re: globToRegExp(p.replace(/^\/|\/$/g, '')),
  }));
  return (rel) => {
    const name = rel.split('/').pop() ?? rel;
    return res.some(({ anchored, re }) => (anchored ? re.test(rel) : re.test(name)));
  };
}

/**
 * Lists files under the given files/directories (absolute paths, sorted, deduplicated). Directories are
 * walked recursively; entries matching `ignore` are skipped (explicitly named files never are).
 */
export function listFiles(paths: string[], ignore: string[] = DEFAULT_IGNORE): string[] {
  const out = new Set<string>();
  const ign = ignoreMatcher(ignore);
  const seenDirs = new Set<string>(); // real paths: symlinked directory loops are walked once
  const walk = (root: string, dir: string) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw new Error(`cannot read directory ${dir}: ${(e as Error).message}`);
    }
    for (const n of names.sort()) {
      const p = join(dir, n);
      const rel = relative(root, p).split(sep).join('/');
      if (ign(rel)) continue;
      let st: ReturnType<typeof statSync>;
      try {
        st = statSync(p);
      } catch {
        continue; // dangling link
      }
      if (st.isDirectory()) walk(root, p);
      else if (st.isFile()) out.add(p);
    }
  };
  for (const p0 of paths) {
    const p = resolve(p0);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      throw new Error(`no such file or directory: ${p0}`);
    }
    if (st.isDirectory()) walk(p, p);
    else out.add(p);
  }
  return [...out].sort();
}
