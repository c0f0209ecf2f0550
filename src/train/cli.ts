// CLI entry points of the trainer: `pocketlm train`, `pocketlm export`, `pocketlm train-tokenizer` (wired by src/cli).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readGgufFile, writeGgufFile } from '../format/gguf-node.js';
import type { GgufEntry } from '../format/gguf-read.js';
import { gv } from '../format/gguf-write.js';
import { readCheckpoint } from './checkpoint.js';
import { loadTrainConfig } from './config.js';
import { checkpointToGguf, type ExportType } from './export.js';
import { spmTokenizerMetadata, trainTokenizer } from './tokenizer-train.js';
import { checkpointPath, train } from './trainer.js';

/**
 * `pocketlm train [CONFIG.yaml] [--key value ...]`: defaults ← YAML ← flags (keys as in config.ts, `-` or `_`).
 * Resumes from OUT/checkpoint.bin when present (unless --resume false).
 */
export async function trainCommand(args: string[]): Promise<void> {
  const yamlPath = args.length && !args[0].startsWith('--') ? args[0] : undefined;
  const cfg = loadTrainConfig(yamlPath, yamlPath ? args.slice(1) : args);
  train(cfg);
}

function parseOpts(args: string[], known: Record<string, 'string' | 'number' | 'list'>, cmd: string) {
  const pos: string[] = [];
  const opts: Record<string, string | number | string[]> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-')) {
      pos.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = (eq >= 0 ? a.slice(0, eq) : a).replace(/^-+/, '').replace(/_/g, '-');
    const kind = known[name];
    if (!kind)
      throw new Error(
        `${cmd}: unknown option ${a} (known: ${Object.keys(known)
          .map((k) => `--${k}`)
          .join(', ')})`,
      );
    const val = eq >= 0 ? a.slice(eq + 1) : args[++i];
    if (val === undefined) throw new Error(`${cmd}: option --${name} needs a value`);
    if (kind === 'number') {
      const n = Number(val);
      if (!Number.isFinite(n)) throw new Error(`${cmd}: --${name} must be a number, got "${val}"`);
      opts[name] = n;
    } else if (kind === 'list') opts[name] = [...((opts[name] as string[]) ?? []), val];
    else opts[name] = val;
  }
  return { pos, opts };
}

/** Reads the tokenizer.* entries of a GGUF file. */
export function readTokenizerMetadata(path: string): [string, GgufEntry][] {
  const f = readGgufFile(path);
  return [...f.metadata.entries()].filter(([k]) => k.startsWith('tokenizer.'));
}

/**
 * `pocketlm export CHECKPOINT|OUT_DIR -o MODEL.gguf [--type f32|f16|q8_0|q4_0] [--tokenizer TOK.gguf] [--name NAME]`.
 * The tokenizer defaults to the training config's `tokenizer`.
 */
export async function exportCommand(args: string[]): Promise<void> {
  const { pos, opts } = parseOpts(
    args,
    { o: 'string', output: 'string', type: 'string', tokenizer: 'string', name: 'string' },
    'export',
  );
  if (pos.length !== 1) throw new Error('export: expected one checkpoint file or training output directory');
  let ckPath = pos[0];
  if (existsSync(ckPath) && statSync(ckPath).isDirectory()) ckPath = checkpointPath(ckPath);
  const out = (opts.o ?? opts.output) as string | undefined;
  if (!out) throw new Error('export: -o MODEL.gguf is required');
  const type = ((opts.type as string) ?? 'f16').toLowerCase() as ExportType;
  const ck = readCheckpoint(ckPath);
  const tokPath = (opts.tokenizer as string) ?? ck.meta.config?.tokenizer;
  const tokenizer = tokPath ? readTokenizerMetadata(tokPath) : undefined;
  if (!tokenizer)
    process.stderr.write('export: no tokenizer given (--tokenizer); the GGUF will lack tokenizer metadata\n');
  const bytes = writeGgufFile(
    out,
    checkpointToGguf(ck, { type, tokenizer, name: opts.name as string | undefined }),
  );
  process.stderr.write(
    `export: wrote ${out} (${type}, ${(bytes / 1e6).toFixed(1)} MB, step ${ck.meta.step})\n`,
  );
}

/** Minimal phi3 hyperparameters so a tokenizer-only GGUF loads in llama.cpp with vocabOnly. */
export function vocabOnlyPhi3Keys(name: string): [string, GgufEntry][] {
  return [
    ['general.architecture', gv.str('phi3')],
    ['general.name', gv.str(name)],
    ['phi3.context_length', gv.u32(4096)],
    ['phi3.embedding_length', gv.u32(64)],
    ['phi3.feed_forward_length', gv.u32(128)],
    ['phi3.block_count', gv.u32(1)],
    ['phi3.attention.head_count', gv.u32(2)],
    ['phi3.attention.head_count_kv', gv.u32(2)],
    ['phi3.attention.layer_norm_rms_epsilon', gv.f32(1e-5)],
    ['phi3.rope.dimension_count', gv.u32(32)],
    ['phi3.rope.freq_base', gv.f32(10000)],
  ];
}

/** Texts of a corpus file: lines of a .txt, or the "text" field of each .jsonl line. */
function corpusTexts(path: string): string[] {
  const body = readFileSync(path, 'utf8');
  if (path.endsWith('.jsonl')) {
    return body
      .split('\n')
      .filter((l) => l.trim())
      .flatMap((l, i) => {
        let o: { text?: unknown };
        try {
          o = JSON.parse(l);
        } catch (e) {
          throw new Error(`${path}:${i + 1}: invalid JSON (${(e as Error).message})`);
        }
        if (typeof o.text !== 'string') throw new Error(`${path}:${i + 1}: missing string field "text"`);
        return o.text.split('\n');
      });
  }
  return body.split('\n');
}

/**
 * `pocketlm train-tokenizer --input CORPUS.txt|.jsonl [--input …] --vocab-size N -o TOKENIZER.gguf`:
 * writes a GGUF holding the tokenizer metadata (plus minimal phi3 keys, so llama.cpp loads it vocab-only).
 */
export async function trainTokenizerCommand(args: string[]): Promise<void> {
  const { pos, opts } = parseOpts(
    args,
    { input: 'list', 'vocab-size': 'number', o: 'string', output: 'string', 'character-coverage': 'number' },
    'train-tokenizer',
  );
  const inputs = [...((opts.input as string[]) ?? []), ...pos];
  if (!inputs.length) throw new Error('train-tokenizer: --input CORPUS is required');
  const out = (opts.o ?? opts.output) as string | undefined;
  if (!out) throw new Error('train-tokenizer: -o TOKENIZER.gguf is required');
  const vocabSize = (opts['vocab-size'] as number) ?? 8192;
  const texts = inputs.flatMap((p) => (statSync(p).isDirectory() ? [] : corpusTexts(p)));
  const t0 = performance.now();
  const vocab = trainTokenizer(texts, {
    vocabSize,
    characterCoverage: opts['character-coverage'] as number | undefined,
  });
  writeGgufFile(out, {
    metadata: [...vocabOnlyPhi3Keys('pocketlm-tokenizer'), ...spmTokenizerMetadata(vocab)],
    tensors: [],
  });
  process.stderr.write(
    `train-tokenizer: ${vocab.pieces.length} tokens from ${texts.length} lines in ${((performance.now() - t0) / 1000).toFixed(1)}s → ${out}\n`,
  );
}
