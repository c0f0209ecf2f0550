// Writer table: output type name → writer factory and file extension.
import type { Document } from '../document.js';
import { jsonlWriter } from './jsonl.js';
import { parquetWriter } from './parquet.js';

/** A document sink for one output file. */
export interface DocWriter {
  write(doc: Document): Promise<void>;
  close(): Promise<void>;
}

/** Output section of a pipeline config. */
export interface OutputConfig {
  type: 'jsonl' | 'parquet';
  /** JSONL compression (`zstd` writes independent frames, read back by any zstd decoder). */
  compression: 'gzip' | 'zstd' | 'none';
  /** Also write dropped documents (with stage + reason) under `rejected/`. */
  rejected: boolean;
}

export const OUTPUT_TYPES = ['jsonl', 'parquet'] as const;

/** File extension for an output config. */
export function outputExt(o: OutputConfig): string {
  if (o.type === 'parquet') return '.parquet';
  return o.compression === 'gzip' ? '.jsonl.gz' : o.compression === 'zstd' ? '.jsonl.zst' : '.jsonl';
}

/** Open a writer for `path` according to the output config. */
export function openWriter(o: OutputConfig, path: string): DocWriter {
  return o.type === 'parquet' ? parquetWriter(path) : jsonlWriter(path, o.compression);
}
