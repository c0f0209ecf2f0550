// Build a two-phase (or n-phase) token mixture: filter sources, repeat/weight them, interleave, tokenise, split train/val.
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Document } from '../document.js';
import { writeJsonAtomic } from '../pipeline/atomic.js';
import { DEFAULT_FIELDS } from '../readers/fields.js';
import { readJsonl } from '../readers/jsonl.js';
import { readParquet } from '../readers/parquet.js';
import { fnv1a, mix32 } from '../text.js';
import type { MixSource, MixSpec } from './spec.js';
import { dtypeFor, type TokenManifest, TokenShardWriter } from './token-shards.js';

/** The tokenizer contract: text → token ids (the project's tokenizer plugs in here). */
export type Tokenize = (text: string) => number[];

/** Tokenizer settings for a mixture. */
export interface MixTokenizer {
  tokenize: Tokenize;
  vocabSize: number;
  eosId: number;
}

/** UTF-8 byte tokenizer (ids 0–255, eos 256, vocab 257): a stand-in until src/tokenizer lands. */
export const byteTokenizer: MixTokenizer = {
  tokenize: (t) => Array.from(new TextEncoder().encode(t)),
  vocabSize: 257,
  eosId: 256,
};

/** Files of a source path: a JSONL/Parquet file, a folder of them, or a pipeline run dir (uses its output/). */
async function sourceFiles(p: string): Promise<string[]> {
  if (!existsSync(p)) throw new Error(`mix: source path ${p} does not exist`);
  if (!statSync(p).isDirectory()) return [p];
  const dir = existsSync(join(p, 'output')) ? join(p, 'output') : p;
  return (await readdir(dir))
    .filter((f) => /\.(jsonl(\.gz|\.zst)?|parquet)$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

async function* readSource(s: MixSource): AsyncGenerator<Document> {
  for (const p of s.paths) {
    for (const f of await sourceFiles(p)) {
      const it = f.endsWith('.parquet') ? readParquet(f, DEFAULT_FIELDS) : readJsonl(f, DEFAULT_FIELDS);
      for await (const d of it) {
        if (s.where) {
          const v = d.metadata[s.where.field];
          if (typeof v !== 'number' || v < s.where.min) continue;
        }
        yield d;
      }
    }
  }
}

/** Uniform [0,1) from a document id and a salt (deterministic split / fractional-epoch selection). */
export function idFraction(id: string, salt: number): number {
  return mix32(fnv1a(id) ^ mix32(Math.imul(salt + 1, 0x9e3779b1))) / 4294967296;
}

/** Per-source numbers reported in mix-report.json. */
export interface SourceReport {
  name: string;
  docs: number;
  tokens: number;
  epochs: number;
  docs_written: number;
  tokens_written: number;
}

/**
 * Build the mixture described by `spec` into `spec.output_dir` (manifest.json + .bin files + mix-report.json).
 * Documents are interleaved across sources in proportion to their planned size; a document's split is fixed
 * by its id, so repeats never leak from train into val.
 */
export async function runMix(
  spec: MixSpec,
  tok: MixTokenizer,
): Promise<{ manifest: TokenManifest; report: Record<string, SourceReport[]> }> {
  await mkdir(spec.output_dir, { recursive: true });
  const dtype = dtypeFor(tok.vocabSize);
  if (tok.eosId < 0 || tok.eosId >= tok.vocabSize)
    throw new Error(`mix: eos_id ${tok.eosId} outside vocab_size ${tok.vocabSize}`);
  const manifest: TokenManifest = {
    format: 'pocketlm-tokens-v1',
    dtype,
    vocab_size: tok.vocabSize,
    eos_id: tok.eosId,
    phases: [],
  };
  const report: Record<string, SourceReport[]> = {};
  for (const phase of spec.phases) {
    // pass 1: count documents (and tokens) per source
    const stats: SourceReport[] = [];
    for (const s of phase.sources) {
      let docs = 0;
      let tokens = 0;
      for await (const d of readSource(s)) {
        docs++;
        if (s.weight !== null) tokens += tok.tokenize(d.text).length + 1;
      }
      stats.push({ name: s.name, docs, tokens, epochs: s.epochs ?? 1, docs_written: 0, tokens_written: 0 });
    }
    if (phase.sources[0]?.weight !== null && phase.sources[0]?.weight !== undefined) {
      const wsum = phase.sources.reduce((a, s) => a + (s.weight as number), 0);
      const budget = phase.tokens ?? stats.reduce((a, s) => a + s.tokens, 0);
      phase.sources.forEach((s, i) => {
        const st = stats[i] as SourceReport;
        st.epochs = st.tokens > 0 ? (budget * (s.weight as number)) / wsum / st.tokens : 0;
      });
    }
    // pass 2: interleave (source with the lowest progress next), tokenise, route to train/val
    const train = new TokenShardWriter(
      spec.output_dir,
      `${phase.name}-train`,
      dtype,
      tok.vocabSize,
      tok.eosId,
      spec.shard_tokens,
    );
    const val = new TokenShardWriter(
      spec.output_dir,
      `${phase.name}-val`,
      dtype,
      tok.vocabSize,
      tok.eosId,
      spec.shard_tokens,
    );
    const planned = stats.map((s) => Math.max(1, s.docs * s.epochs));
    const iters = phase.sources.map((s, i) =>
      epochIterator(s, (stats[i] as SourceReport).epochs)[Symbol.asyncIterator](),
    );
    const live = new Set(iters.map((_, i) => i));
    while (live.size > 0) {
      let best = -1;
      for (const i of live) {
        if (
          best === -1 ||
          ((stats[i] as SourceReport).docs_written + 1) / (planned[i] as number) <
            ((stats[best] as SourceReport).docs_written + 1) / (planned[best] as number)
        )
          best = i;
      }
      const r = await (iters[best] as AsyncIterator<Document>).next();
      if (r.done) {
        live.delete(best);
        continue;
      }
      const ids = tok.tokenize(r.value.text);
      const st = stats[best] as SourceReport;
      st.docs_written++;
      st.tokens_written += ids.length + 1;
      (idFraction(r.value.id, spec.seed) < spec.val_fraction ? val : train).writeDoc(ids);
    }
    manifest.phases.push({ name: phase.name, splits: { train: train.close(), val: val.close() } });
    report[phase.name] = stats;
  }
  await writeJsonAtomic(join(spec.output_dir, 'manifest.json'), manifest);
  await writeJsonAtomic(join(spec.output_dir, 'mix-report.json'), { name: spec.name, phases: report });
  return { manifest, report };
}

/** Whole epochs, then a deterministic fraction of the documents for the fractional part. */
async function* epochIterator(s: MixSource, epochs: number): AsyncGenerator<Document> {
  const whole = Math.floor(epochs);
  const frac = epochs - whole;
  for (let e = 0; e < whole; e++) yield* readSource(s);
  if (frac > 1e-9) for await (const d of readSource(s)) if (idFraction(d.id, 1000 + whole) < frac) yield d;
}
