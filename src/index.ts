// pocketlm's public API.
export { PocketModel, type LoadModelOptions, type LoadProgress, type CompletionOptions } from './engine/pocket-model.js';
export { ChatSession, type ChatSessionOptions } from './engine/chat-session.js';
export { defaultModel, cacheDir } from './engine/default-model.js';
export { quantizeModel } from './engine/quantize.js';
export { ragGenerator, dataGenerator, scoringModel } from './engine/adapters.js';
export {
  generate,
  generateAll,
  type GenerateOptions,
  type GenerationChunk,
  type GenerationResult,
  type TokenConstraint,
} from './generate/generate.js';
export { Sampler, type SamplerOptions } from './generate/sampler.js';
export { jsonSchemaConstraint, type JsonSchema } from './generate/json-schema.js';
export { Transformer, InferenceContext, type ContextOptions } from './model/transformer.js';
export type { Backend, WeightMatrix } from './model/backend.js';
export type { ModelConfig, LoadedModel, TensorRef } from './model/config.js';
export { createRefBackend } from './model/ref-backend.js';
export { randomModelSpec, PRESETS } from './model/random.js';
export { parseGguf, parseGgufHeader, GgufFile, GgufValueType, type GgufEntry } from './format/gguf-read.js';
export { writeGguf, ggufChunks, gv } from './format/gguf-write.js';
export { readGgufFile, readGgufHeader, writeGgufFile } from './format/gguf-node.js';
export { GgmlType, ggmlTypeName } from './format/ggml-types.js';
export { createTokenizer, StreamingDecoder } from './tokenizer/tokenizer.js';
export { ChatTemplate, type ChatMessage } from './tokenizer/chat-template.js';
