// WordPiece tokenizer (tokenizer.ggml.model = "bert"), matching llama.cpp's llm_tokenizer_wpm.
import { BaseTokenizer, partitionSpecial, type TokenizeOptions } from './base.js';
import { CpFlag, cpFlags, isChineseChar, nfdFirst, simpleLower } from './unicode.js';
import { toWellFormed, utf8Length, type Vocab } from './vocab.js';

/**
 * WordPiece as llama.cpp runs it. The GGUF converter stores word-initial pieces with a `▁` prefix and
 * continuation pieces (BERT's `##x`) bare, so each word is matched greedily, longest piece first, as `▁word`.
 * A word with any unmatched position becomes the unknown token.
 */
export class WordPieceTokenizer extends BaseTokenizer {
  constructor(vocab: Vocab) {
    super(vocab);
    if (vocab.model !== 'bert')
      throw new Error(`WordPieceTokenizer needs tokenizer.ggml.model "bert", got "${vocab.model}"`);
  }

  tokenize(text: string, opts: TokenizeOptions = {}): number[] {
    const v = this.vocab;
    const addSpecial = this.addSpecial(opts);
    text = toWellFormed(text);
    const out: number[] = [];
    if (addSpecial) {
      if (v.bosId === null) throw new Error('tokenize: WordPiece vocabulary has no [CLS]/BOS token');
      out.push(v.bosId);
    }
    for (const f of partitionSpecial(v, text, opts.parseSpecial ?? false)) {
      if ('token' in f) out.push(f.token);
      else for (const w of this.preprocess(text.slice(f.start, f.end))) this.encodeWord(w, out);
    }
    if (addSpecial) {
      if (v.sepId === null) throw new Error('tokenize: WordPiece vocabulary has no [SEP] token');
      out.push(v.sepId);
    }
    return out;
  }

  /**
   * BERT normalization and pre-tokenization as llama.cpp does it: split on whitespace, drop NUL, U+FFFD and
   * control characters, strip accents (first code point of NFD, marks dropped) and lowercase when the
   * normalizer says so, and make punctuation, ASCII symbols and CJK ideographs words of their own.
   */
  preprocess(text: string): string[] {
    const { lowercase, stripAccents } = this.vocab.normalizer;
    const words: string[] = [];
    let cur = '';
    for (const ch of text) {
      let cp = ch.codePointAt(0)!;
      if (stripAccents) cp = nfdFirst(cp);
      const f = cpFlags(cp);
      if (f & CpFlag.whitespace) {
        if (cur) words.push(cur);
        cur = '';
        continue;
      }
      if (cp === 0 || cp === 0xfffd || f & CpFlag.control) continue;
      if (stripAccents && f & CpFlag.mark) continue;
      const s = String.fromCodePoint(lowercase ? simpleLower(cp) : cp);
      if (f & CpFlag.punctuation || (cp < 0x7f && f & CpFlag.symbol) || isChineseChar(cp)) {
        if (cur) words.push(cur);
        words.push(s);
        cur = '';
      } else cur += s;
    }
    if (cur) words.push(cur);
    return words;
  }

  /** Greedy longest-match of `▁word`; all-or-nothing per word, else the unknown token. */
  private encodeWord(word: string, out: number[]): void {
    const v = this.vocab;
    const w = `\u2581${word}`;
    // Code-unit offsets of code point boundaries and their UTF-8 byte offsets.
    const bounds: number[] = [];
    const bytes: number[] = [];
    let b = 0;
    for (let i = 0; i < w.length; ) {
      bounds.push(i);
      bytes.push(b);
      const c = w.charCodeAt(i);
      const wide = c >= 0xd800 && c <= 0xdbff;
      b += wide ? 4 : utf8Length(w[i]!);
      i += wide ? 2 : 1;
    }
    bounds.push(w.length);
    bytes.push(b);
    const n = bounds.length - 1;
    const mark = out.length;
    for (let i = 0; i < n; ) {
      let j = i;
      while (j < n && bytes[j + 1]! - bytes[i]! <= v.maxTokenLen) j++;
      let found = -1;
      for (; j > i; j--) {
        const id = v.tokenToId.get(w.slice(bounds[i], bounds[j]));
        if (id !== undefined) {
          out.push(id);
          found = j;
          break;
        }
      }
      if (found < 0) {
        out.length = mark;
        break;
      }
      i = found;
    }
    if (out.length === mark) {
      if (v.unkId === null) throw new Error('tokenize: WordPiece vocabulary has no unknown token');
      out.push(v.unkId);
    }
  }
}
