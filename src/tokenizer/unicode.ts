// Unicode character classes the WordPiece pre-tokenizer needs (llama.cpp's unicode flags, from the JS engine's tables).

/** Flags of a code point, mirroring llama.cpp's unicode_cpt_flags (only those WordPiece uses). */
export const CpFlag = {
  whitespace: 1,
  /** General category C except Cn: Cc, Cf, Co, Cs. */
  control: 2,
  /** General category M (llama.cpp calls it accent mark). */
  mark: 4,
  /** General category P. */
  punctuation: 8,
  /** General category S. */
  symbol: 16,
  computed: 128,
} as const;

// llama.cpp's whitespace set: U+0009..U+000D, U+0020, U+0085, U+00A0, U+1680, U+2000..U+200A,
// U+2028, U+2029, U+202F, U+205F, U+3000 (Unicode White_Space).
function isWhitespace(cp: number): boolean {
  return (
    (cp >= 0x09 && cp <= 0x0d) ||
    cp === 0x20 ||
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

const RE_CONTROL = /^[\p{Cc}\p{Cf}\p{Co}\p{Cs}]$/u;
const RE_MARK = /^\p{M}$/u;
const RE_PUNCT = /^\p{P}$/u;
const RE_SYMBOL = /^\p{S}$/u;

let flagCache: Uint8Array | undefined;

/** The CpFlag bits of a code point (computed once per code point). */
export function cpFlags(cp: number): number {
  flagCache ??= new Uint8Array(0x110000);
  let f = flagCache[cp]!;
  if (f !== 0) return f;
  f = CpFlag.computed;
  if (isWhitespace(cp)) f |= CpFlag.whitespace;
  // Surrogate code points cannot appear in a well-formed string; class them as control (Cs) directly.
  const ch = cp >= 0xd800 && cp <= 0xdfff ? '' : String.fromCodePoint(cp);
  if (ch === '' || RE_CONTROL.test(ch)) f |= CpFlag.control;
  else if (RE_MARK.test(ch)) f |= CpFlag.mark;
  else if (RE_PUNCT.test(ch)) f |= CpFlag.punctuation;
  else if (RE_SYMBOL.test(ch)) f |= CpFlag.symbol;
  flagCache[cp] = f;
  return f;
}

const nfdCache = new Map<number, number>();

/**
 * llama.cpp's "NFD" for WordPiece: a code point maps to the FIRST code point of its canonical
 * decomposition (é → e), the rest of the decomposition is dropped.
 */
export function nfdFirst(cp: number): number {
  if (cp < 0xc0) return cp;
  let r = nfdCache.get(cp);
  if (r === undefined) {
    r = String.fromCodePoint(cp).normalize('NFD').codePointAt(0)!;
    nfdCache.set(cp, r);
  }
  return r;
}

const lowerCache = new Map<number, number>();

/** Simple (one-to-one) lowercase mapping, as llama.cpp's unicode_tolower (İ → i). */
export function simpleLower(cp: number): number {
  if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp;
  let r = lowerCache.get(cp);
  if (r === undefined) {
    // The full mapping differs from the simple one only where it expands (U+0130 → i + U+0307);
    // the simple mapping is then its first code point.
    r = String.fromCodePoint(cp).toLowerCase().codePointAt(0)!;
    lowerCache.set(cp, r);
  }
  return r;
}

/** CJK ideograph blocks BERT splits into single-character words (ranges as in llama.cpp/HF tokenizers). */
export function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}
