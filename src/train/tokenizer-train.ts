// SentencePiece-style BPE tokenizer trainer: merges over ▁-prefixed words, byte fallback, Phi-3 chat tokens, GGUF metadata.
import type { GgufEntry } from '../format/gguf-read.js';
import { gv } from '../format/gguf-write.js';

/** llama.cpp token types. */
export const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/** A SentencePiece vocabulary: piece strings (▁ for space), scores and llama.cpp token types. */
export interface SpmVocab {
  pieces: string[];
  scores: number[];
  types: number[];
  bos: number;
  eos: number;
  unk: number;
  pad: number;
}

/** Phi-3's chat control tokens, appended after the learned pieces. */
export const PHI3_CHAT_TOKENS = ['<|endoftext|>', '<|assistant|>', '<|system|>', '<|end|>', '<|user|>'];

/** Phi-3-mini's chat template (bos, then <|role|>\n…<|end|>\n turns, then <|assistant|>\n). */
export const PHI3_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{{'<|' + message['role'] + '|>' + '\n' + message['content'] + '<|end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}";

const SPACE = '\u2581';

/** Options of the BPE trainer. */
export interface TrainTokenizerOptions {
  /** Total vocabulary size including specials, bytes and chat tokens. */
  vocabSize: number;
  /** Fraction of character occurrences the single-character pieces must cover (SentencePiece default 0.9995). */
  characterCoverage?: number;
  /** Pairs seen fewer times than this are not merged. */
  minPairCount?: number;
}

/** Splits text into SentencePiece words: spaces become ▁, a ▁ is prefixed, and each word starts at a ▁. */
export function spmWords(text: string): string[] {
  const s = SPACE + text.replace(/ /g, SPACE);
  const out: string[] = [];
  let start = 0;
  for (let i = 1; i < s.length; i++) {
    if (s[i] === SPACE && s[i - 1] !== SPACE) {
      out.push(s.slice(start, i));
      start = i;
    }
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}

/**
 * Learns a SentencePiece-style BPE vocabulary from texts (each text is tokenized as llama.cpp would a
 * prompt: ▁ prefix, spaces → ▁). Layout: <unk>=0, <s>=1, </s>=2, <0x00>..<0xFF> (type BYTE), single
 * characters, learned merges (score −rank so llama.cpp's highest-score-first SPM merging replays them),
 * then the Phi-3 chat tokens (CONTROL). EOS and PAD are <|endoftext|>.
 */
export function trainTokenizer(texts: Iterable<string>, opts: TrainTokenizerOptions): SpmVocab {
  const wordFreq = new Map<string, number>();
  for (const t of texts) for (const w of spmWords(t)) wordFreq.set(w, (wordFreq.get(w) ?? 0) + 1);
  const charFreq = new Map<string, number>();
  let totalChars = 0;
  for (const [w, f] of wordFreq) {
    for (const ch of w) {
      charFreq.set(ch, (charFreq.get(ch) ?? 0) + f);
      totalChars += f;
    }
  }
  const fixed = 3 + 256 + PHI3_CHAT_TOKENS.length;
  if (opts.vocabSize < fixed)
    throw new Error(
      `train-tokenizer: vocab_size ${opts.vocabSize} < ${fixed} (specials + 256 bytes + chat tokens)`,
    );
  const coverage = opts.characterCoverage ?? 0.9995;
  const chars = [...charFreq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const kept: string[] = [];
  let covered = 0;
  for (const [ch, f] of chars) {
    if (kept.length >= opts.vocabSize - fixed) break;
    if (covered >= coverage * totalChars && kept.length > 0) break;
    kept.push(ch);
    covered += f;
  }
  const pieces: string[] = ['<unk>', '<s>', '</s>'];
  const scores: number[] = [0, 0, 0];
  const types: number[] = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL];
  for (let b = 0; b < 256; b++) {
    pieces.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    scores.push(0);
    types.push(TokenType.BYTE);
  }
  // symbol table for training: id → string
  const sym: string[] = [];
  const symId = new Map<string, number>();
  const addSym = (s: string) => {
    let id = symId.get(s);
    if (id === undefined) {
      id = sym.length;
      sym.push(s);
      symId.set(s, id);
    }
    return id;
  };
  const BARRIER = -1;
  for (const ch of kept) addSym(ch);
  const words: { syms: number[]; f: number }[] = [];
  for (const [w, f] of wordFreq) words.push({ syms: [...w].map((ch) => symId.get(ch) ?? BARRIER), f });
  const maxMerges = opts.vocabSize - fixed - kept.length;
  const minCount = opts.minPairCount ?? 2;
  const key = (a: number, b: number) => a * 4194304 + b;
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addWord = (wi: number, sign: 1 | -1) => {
    const { syms, f } = words[wi];
    for (let i = 0; i + 1 < syms.length; i++) {
      if (syms[i] === BARRIER || syms[i + 1] === BARRIER) continue;
      const k = key(syms[i], syms[i + 1]);
      pairCount.set(k, (pairCount.get(k) ?? 0) + sign * f);
      if (sign > 0) {
        const s = pairWords.get(k);
        if (s) s.add(wi);
        else pairWords.set(k, new Set([wi]));
      }
    }
  };
  for (let wi = 0; wi < words.length; wi++) addWord(wi, 1);
  const merged: string[] = [];
  const mergedSet = new Set<string>(kept);
  while (merged.length < maxMerges) {
    let best = -1;
    let bestCount = 0;
    let bestStr = '';
    for (const [k, c] of pairCount) {
      if (c < minCount || c < bestCount) continue;
      const s = sym[Math.floor(k / 4194304)] + sym[k % 4194304];
      if (c > bestCount || s < bestStr) {
        best = k;
        bestCount = c;
        bestStr = s;
      }
    }
    if (best < 0) break;
    const a = Math.floor(best / 4194304);
    const b = best % 4194304;
    const c = addSym(bestStr);
    const ws = pairWords.get(best) ?? new Set<number>();
    pairWords.delete(best);
    for (const wi of ws) {
      addWord(wi, -1);
      const old = words[wi].syms;
      const nw: number[] = [];
      for (let i = 0; i < old.length; i++) {
        if (i + 1 < old.length && old[i] === a && old[i + 1] === b) {
          nw.push(c);
          i++;
        } else nw.push(old[i]);
      }
      words[wi].syms = nw;
      addWord(wi, 1);
    }
    for (const [k, v] of pairCount) if (v <= 0) pairCount.delete(k);
    if (!mergedSet.has(bestStr)) {
      mergedSet.add(bestStr);
      merged.push(bestStr);
    }
  }
  // learned merges first (scores −rank), then the single characters below them
  merged.forEach((p, r) => {
    pieces.push(p);
    scores.push(-r);
    types.push(TokenType.NORMAL);
  });
  kept.forEach((ch, i) => {
    pieces.push(ch);
    scores.push(-(merged.length + i));
    types.push(TokenType.NORMAL);
  });
  const chatStart = pieces.length;
  for (const t of PHI3_CHAT_TOKENS) {
    pieces.push(t);
    scores.push(-1000);
    types.push(TokenType.CONTROL);
  }
  return { pieces, scores, types, bos: 1, eos: chatStart, unk: 0, pad: chatStart };
}

/** GGUF tokenizer metadata for an SPM vocabulary (what llama.cpp's "llama" tokenizer reads). */
export function spmTokenizerMetadata(v: SpmVocab, chatTemplate = PHI3_CHAT_TEMPLATE): [string, GgufEntry][] {
  return [
    ['tokenizer.ggml.model', gv.str('llama')],
    ['tokenizer.ggml.pre', gv.str('default')],
    ['tokenizer.ggml.tokens', gv.strings(v.pieces)],
    ['tokenizer.ggml.scores', gv.f32s(v.scores)],
    ['tokenizer.ggml.token_type', gv.i32s(v.types)],
    ['tokenizer.ggml.bos_token_id', gv.u32(v.bos)],
    ['tokenizer.ggml.eos_token_id', gv.u32(v.eos)],
    ['tokenizer.ggml.unknown_token_id', gv.u32(v.unk)],
    ['tokenizer.ggml.padding_token_id', gv.u32(v.pad)],
    ['tokenizer.ggml.add_bos_token', gv.bool(true)],
    ['tokenizer.ggml.add_eos_token', gv.bool(false)],
    ['tokenizer.ggml.add_space_prefix', gv.bool(true)],
    ['tokenizer.chat_template', gv.str(chatTemplate)],
  ];
}
