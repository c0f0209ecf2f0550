// What SentencePiece and WordPiece share: special-token partitioning of raw text, token pieces, detokenize.
import { TokenAttr, type Vocab } from './vocab.js';

/** A piece of the input after special-token partitioning: a special token, or a span of raw text. */
export type Fragment = { token: number } | { start: number; end: number };

/** Options of `tokenize`. */
export interface TokenizeOptions {
  /**
   * Add the special tokens the vocabulary asks for, as llama.cpp's `add_special`: BOS (and EOS) per
   * `tokenizer.ggml.add_bos_token` / `add_eos_token` for SentencePiece; [CLS] … [SEP] for WordPiece.
   * Default false (llama.cpp's test vectors and node-llama-cpp's `tokenize` use false).
   */
  addSpecial?: boolean;
  /** Alias of `addSpecial`. */
  addBos?: boolean;
  /** Match control tokens such as `<|user|>` in the text (user-defined tokens always match). Default false. */
  parseSpecial?: boolean;
}

/** Options of `tokenToPiece` / `tokenToBytes`. */
export interface PieceOptions {
  /** Render control and unknown tokens as their text (otherwise they render as nothing). Default false. */
  special?: boolean;
}

/** Options of `detokenize`. */
export interface DetokenizeOptions extends PieceOptions {
  /** Drop a leading BOS / trailing EOS that the vocabulary adds (llama.cpp's remove_special). Default false. */
  removeSpecial?: boolean;
}

/** The tokenizer interface shared by the SentencePiece and WordPiece implementations. */
export interface Tokenizer {
  readonly vocab: Vocab;
  /** Text → token ids, exactly as llama.cpp's `llama_tokenize`. */
  tokenize(text: string, opts?: TokenizeOptions): number[];
  /** The bytes a token stands for (byte tokens give one byte), as llama.cpp's `token_to_piece`. */
  tokenToBytes(id: number, opts?: PieceOptions): Uint8Array;
  /** A token's text (its bytes decoded as UTF-8; a lone byte of a multi-byte character becomes U+FFFD). */
  tokenToPiece(id: number, opts?: PieceOptions): string;
  /** Token ids → text, as llama.cpp's `llama_detokenize` (bytes joined, then decoded). */
  detokenize(ids: readonly number[], opts?: DetokenizeOptions): string;
}

const SPACE = 0x20;
/** C's isspace on an ASCII code unit. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * Splits `text` at occurrences of special tokens, as llama.cpp's `tokenizer_st_partition`: every control,
 * user-defined and unknown token, longest first, is cut out of each raw span left to right; control and
 * unknown tokens only when `parseSpecial`. Tokens with the lstrip/rstrip attribute swallow adjacent
 * whitespace (Phi-3's special tokens eat the whitespace after them).
 */
export function partitionSpecial(vocab: Vocab, text: string, parseSpecial: boolean): Fragment[] {
  if (text.length === 0) return [];
  let frags: Fragment[] = [{ start: 0, end: text.length }];
  const skipMask = TokenAttr.Control | TokenAttr.Unknown;
  for (const id of vocab.specialTokens) {
    const attr = vocab.attrs[id]!;
    if (!parseSpecial && attr & skipMask) continue;
    const tok = vocab.tokens[id]!;
    // Fast reject: most special tokens never occur.
    if (text.indexOf(tok) < 0) continue;
    const out: Fragment[] = [];
    for (const f of frags) {
      if ('token' in f) {
        out.push(f);
        continue;
      }
      let start = f.start;
      const end = f.end;
      while (start < end) {
        const m = text.indexOf(tok, start);
        if (m < 0 || m + tok.length > end) break;
        let leftEnd = m;
        if (attr & TokenAttr.Lstrip)
          while (leftEnd > start && isSpace(text.charCodeAt(leftEnd - 1))) leftEnd--;
        if (leftEnd > start) out.push({ start, end: leftEnd });
        out.push({ token: id });
        start = m + tok.length;
        if (attr & TokenAttr.Rstrip) while (start < end && isSpace(text.charCodeAt(start))) start++;
      }
      if (start < end) out.push({ start, end });
    }
    frags = out;
  }
  return frags;
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** Token → piece bytes and detokenization, shared by the tokenizer implementations. */
export abstract class BaseTokenizer implements Tokenizer {
  /** Piece bytes per token as rendered with special = true (llama.cpp's cache_token_to_piece). */
  private readonly pieces: (Uint8Array | undefined)[];

  constructor(readonly vocab: Vocab) {
    this.pieces = new Array(vocab.size);
  }

  abstract tokenize(text: string, opts?: TokenizeOptions): number[];

  tokenToBytes(id: number, opts: PieceOptions = {}): Uint8Array {
    const v = this.vocab;
    v.checkId(id);
    const attr = v.attrs[id]!;
    if (!opts.special && attr & (TokenAttr.Unknown | TokenAttr.Control)) return EMPTY;
    let p = this.pieces[id];
    if (p === undefined) {
      const text = v.tokens[id]!;
      if (attr & (TokenAttr.Unknown | TokenAttr.Control | TokenAttr.UserDefined)) p = encoder.encode(text);
      else if (attr & TokenAttr.Normal) p = encoder.encode(text.replaceAll('\u2581', ' '));
      else if (attr & TokenAttr.Byte) p = Uint8Array.of(v.tokenToByte(id));
      else p = EMPTY; // unused / undefined tokens render as nothing
      this.pieces[id] = p;
    }
    return p;
  }

  tokenToPiece(id: number, opts: PieceOptions = {}): string {
    return decoder.decode(this.tokenToBytes(id, opts));
  }

  /** The bytes `detokenize` decodes (before UTF-8 decoding). */
  detokenizeBytes(ids: readonly number[], opts: DetokenizeOptions = {}): Uint8Array {
    const v = this.vocab;
    let first = 0;
    let last = ids.length;
    let removeSpace = v.addSpacePrefix;
    if (opts.removeSpecial && v.addBos && last > 0 && ids[0] === v.bosId) {
      removeSpace = false;
      first = 1;
    }
    if (opts.removeSpecial && v.addEos && last > first && ids[last - 1] === v.eosId) last--;
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = first; i < last; i++) {
      let p = this.tokenToBytes(ids[i]!, opts);
      if (removeSpace && p.length > 0 && p[0] === SPACE) p = p.subarray(1);
      removeSpace = false;
      parts.push(p);
      total += p.length;
    }
    let out: Uint8Array = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    if (v.cleanSpaces) out = cleanSpaces(out);
    return out;
  }

  detokenize(ids: readonly number[], opts: DetokenizeOptions = {}): string {
    return decoder.decode(this.detokenizeBytes(ids, opts));
  }

  /** Resolves the add-special flag from the options. */
  protected addSpecial(opts: TokenizeOptions): boolean {
    return opts.addSpecial ?? opts.addBos ?? false;
  }
}

const Q = 0x3f; // ?
const EXCL = 0x21;
const DOT = 0x2e;
const COMMA = 0x2c;
const APOS = 0x27;

/**
 * llama.cpp's clean_up_tokenization_spaces (three passes over the bytes): drop the space before ?!.,;
 * turn " ' " into "'"; drop the space before 's 'm 're 've.
 */
function cleanSpaces(t: Uint8Array): Uint8Array {
  // Pass 1: " ?", " !", " .", " ," lose the space.
  let out: number[] = [];
  for (let i = 0; i < t.length; i++) {
    const x = t[i]!;
    if (i > 0 && t[i - 1] === SPACE && (x === Q || x === EXCL || x === DOT || x === COMMA)) out.pop();
    out.push(x);
  }
  // Pass 2: an apostrophe between two spaces loses both; the skipped space counts as NUL afterwards.
  let a = Uint8Array.from(out);
  out = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (i > 0 && x === APOS && i + 1 < a.length && a[i - 1] === SPACE && a[i + 1] === SPACE) {
      out.pop();
      a[++i] = 0;
    }
    out.push(x);
  }
  // Pass 3: " 's", " 'm", " 're", " 've" lose the space.
  a = Uint8Array.from(out);
  out = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (i > 0 && a[i - 1] === SPACE && x === APOS && i + 1 < a.length) {
      const x1 = a[i + 1]!;
      if (x1 === 0x73 || x1 === 0x6d) out.pop();
      else if (x1 !== 0x74 && x1 !== 0x64 && i + 2 < a.length) {
        const x2 = a[i + 2]!;
        if ((x1 === 0x72 || x1 === 0x76) && x2 === 0x65) out.pop();
      }
    }
    out.push(x);
  }
  return Uint8Array.from(out);
}
