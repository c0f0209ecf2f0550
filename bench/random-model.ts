// Builds (once, cached in ~/.cache/pocketlm/bench or $POCKETLM_CACHE/bench) the random-weight model files the
// benchmarks run on, with `pocketlm create-random-model`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Path of the cached `preset` model (optionally with fewer layers) of file type `type`, built if missing. */
export function cachedRandomModel(preset: string, type: string, layers?: number | string): string {
  const cache = join(process.env.POCKETLM_CACHE ?? join(homedir(), '.cache', 'pocketlm'), 'bench');
  mkdirSync(cache, { recursive: true });
  const path = join(cache, `${preset}${layers ? `-L${layers}` : ''}-${type}.gguf`);
  if (existsSync(path)) return path;
  console.error(`building ${path} (once; cached)…`);
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'src/cli/bin.ts'),
      'create-random-model',
      '--preset',
      preset,
      ...(layers ? ['--layers', String(layers)] : []),
      '--type',
      type,
      '--seed',
      '1',
      // K-quant quantization of billions of weights in TS takes hours: 256 distinct rows per matrix (speed
      // does not depend on the values; Q4_0 files keep fully random rows)
      ...(type === 'q4_0' ? [] : ['--distinct-rows', '256']),
      '-o',
      path,
    ],
    { stdio: 'inherit' },
  );
  return path;
}
