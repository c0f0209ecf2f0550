// Messages between the chat page and its engine Web Worker.

/** Sampling settings the page sends with each request. */
export interface WebGenOptions {
  maxTokens?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
}

/** Page → worker. */
export type EngineRequest =
  | { type: 'load'; name: string; bytes: ArrayBuffer; threads: number }
  | {
      type: 'chat';
      id: number;
      text: string;
      system?: string;
      /** Chat context size in tokens (its KV cache is allocated up front: f32, 2·n_layer·n_ctx·n_embd_kv). */
      nCtx?: number;
      opts: WebGenOptions;
    }
  | {
      type: 'complete';
      id: number;
      messages: { role: string; content: string }[];
      opts: WebGenOptions;
    }
  | { type: 'stop'; id: number }
  | { type: 'reset'; system?: string }
  | { type: 'count'; id: number; texts: string[] }
  | { type: 'bench'; id: number; prompt: number; gen: number; runs: number };

/** What the worker reports about a loaded model. */
export interface ModelInfo {
  name: string;
  arch: string;
  backend: string;
  threads: number;
  crossOriginIsolated: boolean;
  nEmbd: number;
  nLayer: number;
  nVocab: number;
  nCtxTrain: number;
  loadMs: number;
}

/** Timings and text of a finished request. */
export interface EngineResult {
  text: string;
  finishReason: string;
  promptTokens: number;
  promptMs: number;
  genTokens: number;
  genMs: number;
}

/** One benchmark measurement (best of `runs`). */
export interface BenchResult {
  backend: string;
  threads: number;
  prefillTokens: number;
  prefillTokPerS: number;
  decodeTokens: number;
  decodeTokPerS: number;
  runs: { prefillMs: number; decodeMs: number }[];
}

/** Worker → page. */
export type EngineEvent =
  | { type: 'progress'; phase: string; done: number; total: number }
  | { type: 'loaded'; info: ModelInfo }
  | { type: 'token'; id: number; text: string; n: number }
  | { type: 'done'; id: number; result: EngineResult }
  | { type: 'counted'; id: number; counts: number[] }
  | { type: 'bench'; id: number; result: BenchResult }
  | { type: 'error'; id?: number; message: string };
