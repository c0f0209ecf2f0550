// Public surface of the tokenizer area: vocabulary, tokenizers, streaming decoder, chat templates.
export type {
  DetokenizeOptions,
  Fragment,
  PieceOptions,
  TokenizeOptions,
  Tokenizer,
} from './base.js';
export { partitionSpecial } from './base.js';
export {
  type ChatMessage,
  type ChatRenderOptions,
  ChatTemplate,
  PHI3_CHAT_TEMPLATE,
} from './chat-template.js';
export { SpmTokenizer } from './spm.js';
export { createTokenizer, StreamingDecoder, type StreamingDecoderOptions } from './tokenizer.js';
export {
  EOG_TEXTS,
  type NormalizerOptions,
  TokenAttr,
  TokenType,
  Vocab,
  VocabKey,
  type VocabModel,
} from './vocab.js';
export { WordPieceTokenizer } from './wordpiece.js';
