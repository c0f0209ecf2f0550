// Shared pieces of the embedding tests: random BERT GGUFs on disk, llama.cpp reference vectors, cosine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, type Llama } from 'node-llama-cpp';
import type { GgmlType } from '../../src/format/ggml-types.js';
import { readGgufFile, writeGgufFile } from '../../src/format/gguf-node.js';
import type { GgufEntry } from '../../src/format/gguf-read.js';
import type { BertArch } from '../../src/model/bert.js';
import { type RandomBertOptions, randomBertSpec } from '../../src/model/bert-random.js';

/** ~20 varied texts: punctuation, numbers, casing, accents, CJK, long and one-word inputs. */
export const TEXTS = [
  'Hello world!',
  'a',
  'The quick brown fox jumps over the lazy dog.',
  'Retrieval-augmented generation with citations: 42 documents in 3.14 seconds.',
  "What's the capital of France? It's Paris.",
  'UPPER case and lower CASE mixed Together',
  'Café naïve résumé — accents and dashes…',
  '東京は日本の首都です。',
  'e-mail: someone@example.com, url https://example.org/path?q=1',
  'Numbers 1234567890 and 3.5e-7 and -12.',
  'Tabs\tand\nnewlines\n\nand   spaces',
  'Photosynthesis converts light energy into chemical energy stored in glucose.',
  'The mitochondria is the powerhouse of the cell.',
  'SELECT * FROM users WHERE id = 7;',
  'Once upon a time, in a land far, far away, there lived a small dragon who loved books. '.repeat(4),
  '🙂 emoji and symbols © ® ™',
  'unbelievably unaffordable antidisestablishmentarianism',
  "don't won't can't shouldn't",
  '[CLS] literal special tokens [SEP] in text',
  'Last one: short.',
];

let llamaP: Promise<Llama> | undefined;
/** llama.cpp through node-llama-cpp, CPU only, never building. */
export function llama(): Promise<Llama> {
  llamaP ??= getLlama({ gpu: false, build: 'never', logLevel: 'error' as never, progressLogs: false });
  return llamaP;
}

/** The bge WordPiece tokenizer metadata from the shared fixtures. */
export function bgeTokenizer(): [string, GgufEntry][] {
  const voc = readGgufFile('/work/shared/fixtures/vocab/ggml-vocab-bert-bge.gguf');
  return [...voc.metadata].filter(([k]) => k.startsWith('tokenizer.'));
}

/** A temp dir removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pocketlm-embed-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a random model; returns its path. */
export function writeRandomBert(
  dir: string,
  arch: BertArch,
  type: GgmlType,
  extra: Partial<RandomBertOptions> = {},
): string {
  const path = join(dir, `${arch}-${type}-${extra.pooling ?? 'p1'}-${extra.seed ?? 7}.gguf`);
  writeGgufFile(path, randomBertSpec({ arch, type, tokenizer: bgeTokenizer(), ...extra }));
  return path;
}

/** llama.cpp's vectors (node-llama-cpp getEmbeddingFor: pooled, unnormalized) for `texts`. */
export async function refEmbeddings(path: string, texts: string[]): Promise<number[][]> {
  const l = await llama();
  const model = await l.loadModel({ modelPath: path, useMmap: false });
  try {
    const ctx = await model.createEmbeddingContext({ contextSize: 512, threads: 2 });
    try {
      const out: number[][] = [];
      for (const t of texts) out.push([...(await ctx.getEmbeddingFor(t)).vector]);
      return out;
    } finally {
      await ctx.dispose();
    }
  } finally {
    await model.dispose();
  }
}

/** Cosine similarity in double. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`cosine: lengths ${a.length} vs ${b.length}`);
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return d / Math.sqrt(na * nb);
}

/** L2 norm. */
export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}
