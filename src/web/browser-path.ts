// POSIX `node:path` subset for the browser bundle (file names of dropped files), so src/rag/ingest runs unchanged.

/** Splits off trailing slashes (keeps a lone "/"). */
function trimSlashes(p: string): string {
  let end = p.length;
  while (end > 1 && p[end - 1] === '/') end--;
  return p.slice(0, end);
}

/** Last path component, like Node's `path.posix.basename` (strips `ext` when the name ends with it). */
export function basename(p: string, ext?: string): string {
  const t = trimSlashes(p);
  const base = t === '/' ? '' : t.slice(t.lastIndexOf('/') + 1);
  return ext && base !== ext && base.endsWith(ext) ? base.slice(0, -ext.length) : base;
}

/** Extension of the last component, like Node's `path.posix.extname` ("" for ".bashrc" and "Makefile"). */
export function extname(p: string): string {
  const base = basename(p);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot);
}

/** Everything before the last component, like Node's `path.posix.dirname`. */
export function dirname(p: string): string {
  const t = trimSlashes(p);
  const i = t.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : t.slice(0, i);
}

/** Joins components with "/" and collapses repeated slashes (no "."/".." resolution). */
export function join(...parts: string[]): string {
  const s = parts.filter((x) => x.length > 0).join('/');
  return s ? s.replace(/\/{2,}/g, '/') : '.';
}

/** The POSIX separator. */
export const sep = '/';
