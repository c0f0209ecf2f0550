// Shared test helpers: fixture paths, tokenizers built from the fixture GGUFs, llama.cpp's .inp/.out reader.
import { readFileSync } from 'node:fs';
import { readGgufFile } from '../../src/format/gguf-node.js';
import type { GgufEntry } from '../../src/format/gguf-read.js';
import { createTokenizer, type Tokenizer } from '../../src/tokenizer/tokenizer.js';

export type FixtureName = 'phi-3' | 'llama-spm' | 'bert-bge';

/** Path of a vocabulary fixture GGUF. */
export function fixturePath(name: FixtureName): string {
  return new URL(`../../../shared/fixtures/vocab/ggml-vocab-${name}.gguf`, import.meta.url).pathname;
}

const metaCache = new Map<FixtureName, Map<string, GgufEntry>>();

/** The fixture's metadata (read once per process). */
export function fixtureMetadata(name: FixtureName): Map<string, GgufEntry> {
  let m = metaCache.get(name);
  if (!m) {
    m = readGgufFile(fixturePath(name)).metadata;
    metaCache.set(name, m);
  }
  return m;
}

/** A tokenizer built from a fixture. */
export function fixtureTokenizer(name: FixtureName): Tokenizer {
  return createTokenizer(fixtureMetadata(name), fixturePath(name));
}

/**
 * llama.cpp's test vectors (tests/test-tokenizer-0.cpp): `.inp` holds strings separated by
 * "\n__ggml_vocab_test__\n" (the file ends with the separator), `.out` one line of ids per string.
 */
export function readVectors(name: FixtureName): { text: string; ids: number[] }[] {
  const raw = readFileSync(`${fixturePath(name)}.inp`, 'utf8');
  const sep = '\n__ggml_vocab_test__\n';
  const inputs: string[] = [];
  let pos = 0;
  while (pos < raw.length) {
    const next = raw.indexOf(sep, pos);
    if (next < 0) {
      inputs.push(raw.slice(pos));
      break;
    }
    inputs.push(raw.slice(pos, next));
    pos = next + sep.length;
  }
  const lines = readFileSync(`${fixturePath(name)}.out`, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length !== inputs.length)
    throw new Error(`${name}: ${inputs.length} inputs but ${lines.length} output lines`);
  return inputs.map((text, i) => {
    const line = lines[i]!.trim();
    return { text, ids: line === '' ? [] : line.split(' ').map(Number) };
  });
}
