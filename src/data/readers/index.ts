// Reader table: input type name → shard reader, plus shard discovery (paths/globs → sorted list of input shards).
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Document } from '../document.js';
import { DEFAULT_FIELDS, type FieldMap } from './fields.js';
import { readFolder } from './folder.js';
import { readJsonl } from './jsonl.js';
import { readParquet } from './parquet.js';
import { readWarc } from './warc.js';

/** Input section of a pipeline config. */
export interface InputConfig {
  type: 'jsonl' | 'parquet' | 'warc' | 'folder';
  paths: string[];
  fields: FieldMap;
  /** Stop after this many documents per shard (0 = all). */
  limit: number;
}

export const INPUT_TYPES = ['jsonl', 'parquet', 'warc', 'folder'] as const;

const EXT: Record<InputConfig['type'], RegExp> = {
  jsonl: /\.(jsonl|json|ndjson)(\.gz|\.zst|\.zstd)?$/i,
  parquet: /\.parquet$/i,
  warc: /\.warc(\.gz)?$/i,
  folder: /$^/,
};

function globToRegExp(glob: string): RegExp {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${re}$`);
}

/** Expand input paths (relative to `baseDir`; `*`/`?` allowed in the last component; folders expand to matching files). */
export async function discoverShards(input: InputConfig, baseDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of input.paths) {
    const abs = isAbsolute(p) ? p : resolve(baseDir, p);
    const name = basename(abs);
    if (/[*?]/.test(name)) {
      const dir = dirname(abs);
      const re = globToRegExp(name);
      const files = (await readdir(dir)).filter((f) => re.test(f)).sort();
      if (files.length === 0) throw new Error(`input.paths: "${p}" matches no files in ${dir}`);
      out.push(...files.map((f) => join(dir, f)));
      continue;
    }
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(abs);
    } catch {
      throw new Error(`input.paths: "${p}" does not exist (resolved to ${abs})`);
    }
    if (st.isDirectory() && input.type !== 'folder') {
      const files = (await readdir(abs)).filter((f) => EXT[input.type].test(f)).sort();
      out.push(...files.map((f) => join(abs, f)));
    } else out.push(abs);
  }
  if (out.length === 0) throw new Error('input.paths: no input shards found');
  return out;
}

/** Open one input shard as a stream of Documents. */
export async function* readShard(path: string, input: InputConfig): AsyncGenerator<Document> {
  const fields = { ...DEFAULT_FIELDS, ...input.fields };
  const src =
    input.type === 'jsonl'
      ? readJsonl(path, fields)
      : input.type === 'parquet'
        ? readParquet(path, fields)
        : input.type === 'warc'
          ? readWarc(path)
          : readFolder(path);
  let n = 0;
  for await (const d of src) {
    yield d;
    if (input.limit > 0 && ++n >= input.limit) return;
  }
}
