// The high-level API: load a model once, tokenize, generate (streaming), chat with KV-cache reuse, logits.

import { DecodeScheduler } from '../generate/batch.js';
import {
  type GenerateOptions,
  type GenerationChunk,
  type GenerationResult,
  type GenerationVocab,
  generate,
} from '../generate/generate.js';
import type { Backend } from '../model/backend.js';
import type { LoadedModel, ModelConfig } from '../model/config.js';
import { createRefBackend } from '../model/ref-backend.js';
import {
  BatchDecoder,
  type ContextOptions,
  type InferenceContext,
  Transformer,
} from '../model/transformer.js';
import type { Tokenizer } from '../tokenizer/base.js';
import { type ChatMessage, ChatTemplate } from '../tokenizer/chat-template.js';
import { createTokenizer, StreamingDecoder } from '../tokenizer/tokenizer.js';
import { ChatSession, type ChatSessionOptions } from './chat-session.js';

/** Progress of loading: phase and fraction done. */
export interface LoadProgress {
  phase: 'read' | 'prepare';
  done: number;
  total: number;
}

export interface LoadModelOptions {
  /** Compute backend. Default: the fastest available (WASM SIMD kernels over worker threads). */
  backend?: Backend | 'reference' | 'wasm';
  /** Worker threads for the WASM backend (default: all cores). */
  threads?: number;
  /** Matrices with fewer weights run on the calling thread alone (default 2^20; 0 splits all: tests). */
  minSplitWeights?: number;
  onProgress?: (p: LoadProgress) => void;
}

/** Options for one-shot completion. */
export interface CompletionOptions extends GenerateOptions, ContextOptions {
  /** Add BOS as the vocabulary asks (default true). */
  addBos?: boolean;
  /** Parse special tokens such as `<|user|>` in the prompt (default true). */
  parseSpecial?: boolean;
}

/** A loaded model: weights on a backend, tokenizer and chat template. Create contexts or sessions from it. */
export class PocketModel implements GenerationVocab {
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  readonly chatTemplate: ChatTemplate;
  readonly transformer: Transformer;
  readonly metadata: LoadedModel['metadata'];
  readonly source: string;
  /** Milliseconds spent loading. */
  readonly loadMs: number;

  private constructor(
    loaded: LoadedModel,
    backend: Backend,
    loadMs: number,
    onProgress?: (p: LoadProgress) => void,
  ) {
    const t0 = performance.now();
    this.config = loaded.config;
    this.metadata = loaded.metadata;
    this.source = loaded.source;
    this.tokenizer = createTokenizer(loaded.metadata, loaded.source);
    if (this.tokenizer.vocab.tokens.length > loaded.config.nVocab) {
      throw new Error(
        `${loaded.source}: tokenizer has ${this.tokenizer.vocab.tokens.length} tokens but the model's vocabulary is ${loaded.config.nVocab}`,
      );
    }
    this.chatTemplate = ChatTemplate.fromVocab(this.tokenizer.vocab);
    this.transformer = new Transformer(loaded, backend, (done, total) =>
      onProgress?.({ phase: 'prepare', done, total }),
    );
    this.loadMs = loadMs + (performance.now() - t0);
  }

  /** Loads a model from a GGUF file or a safetensors directory. */
  static async load(path: string, opts: LoadModelOptions = {}): Promise<PocketModel> {
    const t0 = performance.now();
    const { readModel } = await import('./load.js'); // node-only: browsers use fromLoaded()
    const { model: loaded, close } = await readModel(path);
    opts.onProgress?.({ phase: 'read', done: 1, total: 1 });
    try {
      const backend = await resolveBackend(opts);
      return new PocketModel(loaded, backend, performance.now() - t0, opts.onProgress);
    } finally {
      close();
    }
  }

  /** Wraps an already-read model (tests, training export). */
  static async fromLoaded(loaded: LoadedModel, opts: LoadModelOptions = {}): Promise<PocketModel> {
    return new PocketModel(loaded, await resolveBackend(opts), 0, opts.onProgress);
  }

  /** The backend's name (e.g. "wasm-simd ×2 threads"). */
  get backendName(): string {
    return this.transformer.backend.name;
  }

  isEog(id: number): boolean {
    return this.tokenizer.vocab.eogIds.has(id);
  }

  createDecoder(): StreamingDecoder {
    return new StreamingDecoder(this.tokenizer);
  }

  /** Text → ids. Defaults: BOS as the vocabulary asks, special tokens parsed. */
  tokenize(text: string, opts: { addBos?: boolean; parseSpecial?: boolean } = {}): number[] {
    return this.tokenizer.tokenize(text, {
      addSpecial: opts.addBos ?? true,
      parseSpecial: opts.parseSpecial ?? true,
    });
  }

  detokenize(ids: readonly number[]): string {
    return this.tokenizer.detokenize(ids);
  }

  /** A fresh context (KV cache) for manual evaluation. */
  createContext(opts: ContextOptions = {}): InferenceContext {
    return this.transformer.createContext(opts);
  }

  /** Logits after evaluating `tokens` from an empty context: 'last' row or 'all' rows (T×n_vocab). */
  logits(tokens: number[], which: 'last' | 'all' = 'last', opts: ContextOptions = {}): Float32Array {
    const ctx = this.createContext({ nCtx: Math.max(tokens.length, 1), ...opts });
    const out = ctx.eval(tokens, which);
    return which === 'last' ? out.slice() : out;
  }

  /** The model's own pooled hidden state for `text` (L2-normalized): embeddings when no embedding model is given. */
  embed(text: string): Float32Array {
    const tokens = this.tokenize(text, { addBos: true, parseSpecial: false });
    const ctx = this.createContext({ nCtx: Math.max(1, tokens.length) });
    const v = ctx.embed(tokens);
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < v.length; i++) v[i]! /= norm;
    return v;
  }

  /** Streams a completion of `prompt` (text or token ids). The iterator's return value is the full result. */
  async *stream(
    prompt: string | number[],
    opts: CompletionOptions = {},
  ): AsyncGenerator<GenerationChunk, GenerationResult> {
    const tokens =
      typeof prompt === 'string'
        ? this.tokenize(prompt, { addBos: opts.addBos ?? true, parseSpecial: opts.parseSpecial ?? true })
        : prompt;
    const maxTokens = opts.maxTokens ?? 256;
    const nCtx = opts.nCtx ?? Math.min(this.config.nCtxTrain, Math.max(512, tokens.length + maxTokens));
    if (tokens.length >= nCtx) {
      throw new Error(
        `prompt is ${tokens.length} tokens; the context holds ${nCtx} (raise nCtx, model max ${this.config.nCtxTrain})`,
      );
    }
    const ctx = this.createContext({ ...opts, nCtx });
    return yield* generate(ctx, this, tokens, opts);
  }

  /** Completes `prompt` and returns the whole result. */
  async complete(
    prompt: string | number[],
    opts: CompletionOptions = {},
    onChunk?: (c: GenerationChunk) => void,
  ): Promise<GenerationResult> {
    const it = this.stream(prompt, opts);
    for (;;) {
      const r = await it.next();
      if (r.done) return r.value;
      onChunk?.(r.value);
    }
  }

  /** Renders messages with the model's chat template (generation prompt appended). */
  applyChatTemplate(messages: ChatMessage[], addGenerationPrompt = true): string {
    return this.chatTemplate.render(messages, { addGenerationPrompt });
  }

  /**
   * A scheduler that batches the decode steps of concurrent generations on this model (pass it as the
   * `scheduler` option of stream/complete): up to `maxBatch` sequences share each forward pass.
   */
  createDecodeScheduler(maxBatch = 8): DecodeScheduler {
    return new DecodeScheduler(new BatchDecoder(this.transformer, maxBatch));
  }

  /** A multi-turn chat that keeps its KV cache between turns. */
  createChat(opts: ChatSessionOptions = {}): ChatSession {
    return new ChatSession(this, opts);
  }

  /** Frees the backend's workers and memory. */
  dispose(): void {
    this.transformer.backend.dispose();
  }
}

async function resolveBackend(opts: LoadModelOptions): Promise<Backend> {
  const b = opts.backend ?? 'wasm';
  if (typeof b === 'object') return b;
  if (b === 'reference') return createRefBackend();
  try {
    const isNode = typeof process !== 'undefined' && !!process.versions?.node;
    if (isNode) {
      const { createBackend } = await import('../threads/index.js');
      return createBackend({ threads: opts.threads, minSplitWeights: opts.minSplitWeights });
    }
    // Browser without a worker spawner: one thread, in this (Web Worker) thread.
    const { WasmBackend } = await import('../threads/backend.js');
    return new WasmBackend(undefined, 1, 'auto');
  } catch (e) {
    if (opts.backend === 'wasm') throw e;
    return createRefBackend();
  }
}
