// Test fixtures: small random-weight GGUF models written once per process into a temp directory.
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGgufFile, writeGgufFile } from '../../src/format/gguf-node.js';
import type { ModelConfig } from '../../src/model/config.js';
import { PRESETS, randomModelSpec } from '../../src/model/random.js';
import type { QuantFileType } from '../../src/quant/index.js';

export const PHI3_TOKENIZER = new URL('../../models/phi3-tokenizer.gguf', import.meta.url).pathname;
export const SHARED_VOCAB = new URL('../../../shared/fixtures/vocab/', import.meta.url).pathname;

const dir = join(tmpdir(), `pocketlm-test-${process.pid}`);

/** Tokenizer metadata entries of the real Phi-3 vocabulary. */
export function phi3TokenizerMeta() {
  const f = readGgufFile(PHI3_TOKENIZER);
  return [...f.metadata].filter(([k]) => k.startsWith('tokenizer.'));
}

/** Writes (once) a small random model and returns its path. */
export function smallModel(
  opts: { type?: QuantFileType; config?: Partial<ModelConfig>; seed?: number; name?: string } = {},
): string {
  const type = opts.type ?? 'f32';
  const config: ModelConfig = {
    ...PRESETS.tiny!,
    nVocab: 32064,
    nEmbd: 256,
    nFf: 512,
    nLayer: 2,
    nHead: 4,
    nHeadKv: 2,
    headDim: 64,
    nRot: 64,
    ...opts.config,
  };
  const name =
    opts.name ??
    `m-${type}-${JSON.stringify(opts.config ?? {}).replace(/[^a-z0-9]/gi, '')}-${opts.seed ?? 1}`;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.gguf`);
  if (!existsSync(path)) {
    writeGgufFile(
      path,
      randomModelSpec({ config, tokenizer: phi3TokenizerMeta(), fileType: type, seed: opts.seed ?? 1 }),
    );
  }
  return path;
}
