// Embedder over BERT-family GGUF models (bge, all-MiniLM, nomic-embed-text), computed as llama.cpp does.
import { GgmlType } from '../format/ggml-types.js';
import type { GgufFile } from '../format/gguf-read.js';
import type { Backend } from '../model/backend.js';
import { type BertConfig, BertModel, POOLING, readBertConfig } from '../model/bert.js';
import type { TensorRef } from '../model/config.js';
import { createRefBackend } from '../model/ref-backend.js';
import { dequantizeTensor, quantizeTensor } from '../quant/index.js';
import { createTokenizer, type Tokenizer } from '../tokenizer/tokenizer.js';
import type { Embedder } from './embedder.js';

/** Options of the GGUF embedder. */
export interface GgufEmbedderOptions {
  /** Threads of the wasm backend (default: all cores). Ignored when `backend` is given. */
  threads?: number;
  /** A backend to run on (default: the wasm SIMD backend; `createRefBackend()` for the exact slow path). */
  backend?: Backend;
  /** L2-normalize the vectors (default true; llama.cpp's embedding example does, getEmbeddingFor does not). */
  normalize?: boolean;
  /** Most tokens per forward pass (texts are grouped up to this; default 2048). */
  batchTokens?: number;
  /** Overrides `{arch}.pooling_type` (1 mean, 2 CLS, 3 last). */
  pooling?: number;
  /**
   * 'q8_0': requantize F32/F16/BF16 layer matrices to Q8_0 at load, for the wasm Q8_0 kernels (≈4× faster
   * on F16 files; vectors then match llama.cpp running a Q8_0 file, cosine ≈ 0.9999). 'f32': expand F16/BF16
   * layer matrices to F32 at load (exact weights, twice the memory, ≈2× faster than the F16 kernel; the
   * activations are no longer rounded to f16 as llama.cpp's F16 matmul does). Default: as stored.
   */
  matmulType?: 'q8_0' | 'f32';
}

/** An Embedder backed by a BERT-family GGUF, plus the model's facts. */
export interface GgufEmbedder extends Embedder {
  readonly config: BertConfig;
  readonly tokenizer: Tokenizer;
  /** Token ids a text is embedded from ([CLS] … [SEP], truncated to the context length). */
  tokens(text: string): number[];
  /** Unnormalized pooled vectors (llama.cpp's llama_get_embeddings_seq), regardless of `normalize`. */
  embedRaw(texts: string[]): Float32Array[];
  /** Stops the backend's workers. */
  dispose(): void;
}

const POOL_NAMES: Record<number, string> = { 0: 'none', 1: 'mean', 2: 'cls', 3: 'last' };

function l2(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
  return v;
}

/** Builds the embedder from a parsed GGUF held in memory (browser-safe: no Node imports). */
export function ggufEmbedderFromFile(
  file: GgufFile,
  backend: Backend,
  opts: GgufEmbedderOptions = {},
): GgufEmbedder {
  const config = readBertConfig(file.metadata, file.source);
  if (opts.pooling !== undefined) {
    if (!(opts.pooling in POOL_NAMES))
      throw new Error(`GGUF embedder: pooling ${opts.pooling} is not one of 0 none, 1 mean, 2 cls, 3 last`);
    config.pooling = opts.pooling;
  }
  const tokModel = file.get('tokenizer.ggml.model');
  if (tokModel !== 'bert')
    throw new Error(
      `${file.source}: tokenizer.ggml.model is ${JSON.stringify(tokModel)}, expected "bert" (WordPiece)`,
    );
  const tokenizer = createTokenizer(file.metadata, file.source);
  const get = (name: string): TensorRef | undefined => {
    const t = file.byName.get(name);
    if (!t) return undefined;
    const ref: TensorRef = { name, type: t.type, dims: [...t.dims], data: file.tensorBytes(name) };
    const float = t.type === GgmlType.F32 || t.type === GgmlType.F16 || t.type === GgmlType.BF16;
    if (
      opts.matmulType === 'f32' &&
      (t.type === GgmlType.F16 || t.type === GgmlType.BF16) &&
      name.startsWith('blk.') &&
      t.dims.length === 2
    ) {
      const f32 = dequantizeTensor(t.type, ref.data, t.dims[0]! * t.dims[1]!);
      return {
        name,
        type: GgmlType.F32,
        dims: [...t.dims],
        data: new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength),
      };
    }
    if (
      opts.matmulType === 'q8_0' &&
      float &&
      name.startsWith('blk.') &&
      t.dims.length === 2 &&
      t.dims[0]! % 32 === 0
    ) {
      const [cols, rows] = t.dims as [number, number];
      const f32 = dequantizeTensor(t.type, ref.data, cols * rows);
      return {
        name,
        type: GgmlType.Q8_0,
        dims: [cols, rows],
        data: quantizeTensor(GgmlType.Q8_0, f32, rows, cols),
      };
    }
    return ref;
  };
  const model = new BertModel(config, get, backend, file.source);
  const normalize = opts.normalize ?? true;
  const budget = Math.max(opts.batchTokens ?? 2048, config.nCtxTrain);
  const name = typeof file.get('general.name') === 'string' ? (file.get('general.name') as string) : 'model';
  const base = file.source.split(/[\\/]/).pop() ?? file.source;
  const id = `gguf-${config.arch}:${name}:${base}:${config.nEmbd}:${POOL_NAMES[config.pooling]}${opts.matmulType ? `:${opts.matmulType}` : ''}${normalize ? '' : ':raw'}`;

  const tokens = (text: string): number[] => {
    const ids = tokenizer.tokenize(text, { addSpecial: true });
    if (ids.length > config.nCtxTrain) {
      const last = ids[ids.length - 1]!;
      ids.length = config.nCtxTrain - 1;
      ids.push(last);
    }
    return ids;
  };
  const embedRaw = (texts: string[]): Float32Array[] => {
    const seqs = texts.map(tokens);
    const out: Float32Array[] = new Array(texts.length);
    // Group texts by length so a batch's attention work is even, then cut at the token budget.
    const order = seqs.map((_, i) => i).sort((a, b) => seqs[a]!.length - seqs[b]!.length);
    let i = 0;
    while (i < order.length) {
      const group: number[] = [];
      let n = 0;
      while (i < order.length && (group.length === 0 || n + seqs[order[i]!]!.length <= budget)) {
        n += seqs[order[i]!]!.length;
        group.push(order[i++]!);
      }
      const vecs = model.encode(group.map((g) => seqs[g]!));
      group.forEach((g, j) => {
        out[g] = vecs[j]!;
      });
    }
    return out;
  };
  return {
    dim: config.nEmbd,
    id,
    config,
    tokenizer,
    tokens,
    embedRaw,
    async embed(texts: string[]): Promise<Float32Array[]> {
      const v = embedRaw(texts);
      return normalize ? v.map(l2) : v;
    },
    dispose() {
      backend.dispose();
    },
  };
}

/**
 * Loads a `bert` / `nomic-bert` GGUF (bge-small/base, all-MiniLM, nomic-embed-text…) as an Embedder.
 * Runs on the multi-threaded wasm backend unless `opts.backend` is given. Node only (reads the file).
 */
export async function loadGgufEmbedder(path: string, opts: GgufEmbedderOptions = {}): Promise<GgufEmbedder> {
  const { readGgufFile } = await import('../format/gguf-node.js');
  const file = readGgufFile(path);
  let backend = opts.backend;
  if (!backend) {
    const { createBackend } = await import('../threads/index.js');
    backend = createBackend({ threads: opts.threads });
  }
  try {
    return ggufEmbedderFromFile(file, backend, opts);
  } catch (e) {
    if (!opts.backend) backend.dispose();
    throw e;
  }
}

export { createRefBackend, POOLING };
