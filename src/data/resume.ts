// Resume helper for append-only JSONL outputs: cut a partial last line left by a kill, return the ids already written.
import { existsSync } from 'node:fs';
import { readFile, truncate } from 'node:fs/promises';

/** Ids of the complete lines of `path` (empty set if missing); a trailing partial line is truncated away. */
export async function completedIds(path: string): Promise<Set<string>> {
  const ids = new Set<string>();
  if (!existsSync(path)) return ids;
  const src = await readFile(path, 'utf8');
  const end = src.lastIndexOf('\n') + 1;
  if (end < src.length) await truncate(path, Buffer.byteLength(src.slice(0, end)));
  src
    .slice(0, end)
    .split('\n')
    .forEach((line, i) => {
      if (!line) return;
      try {
        ids.add(String((JSON.parse(line) as { id: unknown }).id));
      } catch (e) {
        throw new Error(`${path}:${i + 1}: invalid JSON (${(e as Error).message})`);
      }
    });
  return ids;
}
