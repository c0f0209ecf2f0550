// The model used when none is named: the packaged default model, or (until one is trained) a random-weight
// model built locally on first use with the real Phi-3 tokenizer. No network either way.
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readGgufFile, writeGgufFile } from '../format/gguf-node.js';
import { PRESETS, randomModelSpec } from '../model/random.js';

/** Where the package keeps its bundled files (models/). */
export function packageDir(): string {
  // src/engine → package root (also from dist/src/engine)
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const up of ['../..', '../../..']) {
    const dir = join(here, up);
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'models'))) return dir;
  }
  throw new Error(`cannot find the pocketlm package directory from ${here}`);
}

/** The cache directory ($POCKETLM_CACHE or ~/.cache/pocketlm). */
export function cacheDir(): string {
  return process.env.POCKETLM_CACHE ?? join(homedir(), '.cache', 'pocketlm');
}

/** Describes the default model: its path and whether its weights are random. */
export interface DefaultModel {
  path: string;
  random: boolean;
}

/** Returns the default model, building the random stand-in on first use (a few seconds). */
export function defaultModel(onNote?: (msg: string) => void): DefaultModel {
  const shipped = join(packageDir(), 'models', 'default.gguf');
  if (existsSync(shipped)) return { path: shipped, random: false };
  const path = join(cacheDir(), 'random-tiny-q8_0.gguf');
  if (!existsSync(path)) {
    onNote?.(`building a random-weight stand-in model at ${path} (no trained default model ships yet)`);
    mkdirSync(cacheDir(), { recursive: true });
    const vocab = readGgufFile(join(packageDir(), 'models', 'phi3-tokenizer.gguf'));
    const tokenizer = [...vocab.metadata].filter(([k]) => k.startsWith('tokenizer.'));
    const nVocab = (vocab.get('tokenizer.ggml.tokens') as string[]).length;
    writeGgufFile(
      path,
      randomModelSpec({
        config: { ...PRESETS.tiny!, nVocab },
        tokenizer,
        fileType: 'q8_0',
        seed: 1,
        name: 'pocketlm random tiny',
      }),
    );
  }
  return { path, random: true };
}
