// Atomic file helpers: write to `<path>.tmp` then rename, so readers never see a partial file.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Write JSON atomically (tmp + rename). */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, `${JSON.stringify(value, null, 1)}\n`);
  await rename(`${path}.tmp`, path);
}

/** Temp path for a file that will be renamed into place on completion. */
export function tmpPath(path: string): string {
  return `${path}.tmp`;
}
