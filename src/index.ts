// pocketlm's public API.

export { dataGenerator, ragGenerator, scoringModel } from './engine/adapters.js';
export { ChatSession, type ChatSessionOptions } from './engine/chat-session.js';
export { cacheDir, defaultModel } from './engine/default-model.js';
export {
  type CompletionOptions,
  type LoadModelOptions,
  type LoadProgress,
  PocketModel,
} from './engine/pocket-model.js';
export { quantizeModel } from './engine/quantize.js';
export { GgmlType, ggmlTypeName } from './format/ggml-types.js';
export { readGgufFile, readGgufHeader, writeGgufFile } from './format/gguf-node.js';
export { type GgufEntry, GgufFile, GgufValueType, parseGguf, parseGgufHeader } from './format/gguf-read.js';
export { ggufChunks, gv, writeGguf } from './format/gguf-write.js';
export { DecodeScheduler, type DecodeStep } from './generate/batch.js';
export {
  type GenerateOptions,
  type GenerationChunk,
  type GenerationResult,
  generate,
  generateAll,
  type TokenConstraint,
} from './generate/generate.js';
export { type JsonSchema, jsonSchemaConstraint } from './generate/json-schema.js';
export { Sampler, type SamplerOptions } from './generate/sampler.js';
export type { Backend, WeightMatrix } from './model/backend.js';
export type { LoadedModel, ModelConfig, TensorRef } from './model/config.js';
export { PRESETS, randomModelSpec } from './model/random.js';
export { createRefBackend } from './model/ref-backend.js';
export { BatchDecoder, type ContextOptions, InferenceContext, Transformer } from './model/transformer.js';
export { type ChatMessage, ChatTemplate } from './tokenizer/chat-template.js';
export { createTokenizer, StreamingDecoder } from './tokenizer/tokenizer.js';
