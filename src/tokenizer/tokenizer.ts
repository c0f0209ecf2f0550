// Tokenizer entry point: pick SentencePiece or WordPiece from GGUF metadata; stream-decode generated tokens.
import type { GgufEntry } from '../format/gguf-read.js';
import type { PieceOptions, Tokenizer } from './base.js';
import { SpmTokenizer } from './spm.js';
import { Vocab } from './vocab.js';
import { WordPieceTokenizer } from './wordpiece.js';

export type { DetokenizeOptions, PieceOptions, TokenizeOptions, Tokenizer } from './base.js';

/**
 * Builds the tokenizer a GGUF file describes: SentencePiece-BPE for `tokenizer.ggml.model = "llama"`,
 * WordPiece for `"bert"`. Accepts the metadata map or an already built Vocab. `source` names the file in errors.
 */
export function createTokenizer(metadata: Map<string, GgufEntry> | Vocab, source?: string): Tokenizer {
  const vocab = metadata instanceof Vocab ? metadata : Vocab.fromMetadata(metadata, source);
  return vocab.model === 'llama' ? new SpmTokenizer(vocab) : new WordPieceTokenizer(vocab);
}

/** Options of StreamingDecoder. */
export interface StreamingDecoderOptions extends PieceOptions {
  /**
   * Drop one leading space from the first token's piece (what detokenize does for SentencePiece when the
   * text starts a sequence). Default false: generated text continues a prompt.
   */
  stripLeadingSpace?: boolean;
}

/**
 * Turns generated token ids into text as they arrive, never emitting half a UTF-8 character: bytes from
 * `<0xXX>` tokens are held until they complete a character; a sequence that can no longer complete becomes
 * U+FFFD as soon as that is certain. For SentencePiece, all push() results plus flush() equal detokenize()
 * (WordPiece detokenize also cleans up spaces before punctuation).
 */
export class StreamingDecoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  private first = true;

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly opts: StreamingDecoderOptions = {},
  ) {}

  /** Adds a token; returns the text that is now complete (possibly ''). */
  push(tokenId: number): string {
    let bytes = this.tokenizer.tokenToBytes(tokenId, this.opts);
    if (this.first) {
      if (this.opts.stripLeadingSpace && bytes.length > 0 && bytes[0] === 0x20) bytes = bytes.subarray(1);
      this.first = false;
    }
    return this.decoder.decode(bytes, { stream: true });
  }

  /** Ends the stream: held bytes that never completed a character come out as U+FFFD. */
  flush(): string {
    this.first = true;
    return this.decoder.decode();
  }
}
