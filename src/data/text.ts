// Shared text helpers for filters: word splitting, line/paragraph splitting, duplicate counting, n-gram hashing.

/** Characters that end a sentence/line (FineWeb/C4 "terminal punctuation"). */
export const TERMINAL_PUNCTUATION = new Set([
  '.',
  '!',
  '?',
  '"',
  "'",
  '”',
  '’',
  '。',
  '！',
  '？',
  '…',
  '؟',
  '।',
  '‼',
  '⁇',
  '⁈',
  '⁉',
  '۔',
  '｡',
]);

const PUNCT_RE = /^[\p{P}\p{S}]+$/u;
const EDGE_PUNCT_RE = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;
const LETTER_RE = /\p{L}/u;

/** True when the token is made only of punctuation/symbols (`-`, `—`, `...`, `#`). */
export function isSymbolToken(w: string): boolean {
  if (isWordCode(w.charCodeAt(0))) return false;
  return PUNCT_RE.test(w);
}

/** True when the string contains at least one letter (any script). */
export function hasLetter(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return true;
    if (c > 127) return LETTER_RE.test(w);
  }
  return false;
}

/**
 * Split text into words the way datatrove's word tokenizers roughly do for space-delimited languages:
 * whitespace tokens with leading/trailing punctuation stripped; tokens that are pure punctuation are kept
 * as-is (they count as "symbol words"). CJK text without spaces yields one token per run.
 */
export function splitWords(text: string): string[] {
  if (text === lastSplitText) return lastSplitWords;
  const out: string[] = [];
  let start = -1;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 32;
    if (isSpaceCode(c)) {
      if (start >= 0) {
        pushWord(out, text, start, i);
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  lastSplitText = text;
  lastSplitWords = out;
  return out;
}

// consecutive filters usually split the same text: keep the last result (callers must not mutate it)
let lastSplitText = '';
let lastSplitWords: string[] = [];

/** Whitespace as in the `\s` regex class. */
function isSpaceCode(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

function pushWord(out: string[], text: string, start: number, end: number): void {
  const t = text.slice(start, end);
  if (isWordCode(text.charCodeAt(start)) && isWordCode(text.charCodeAt(end - 1))) {
    out.push(t); // fast path: no edge punctuation
    return;
  }
  if (PUNCT_RE.test(t)) {
    out.push(t);
    return;
  }
  const s = t.replace(EDGE_PUNCT_RE, '');
  out.push(s.length > 0 ? s : t);
}

/** ASCII letters/digits (fast path for tokenisation; non-ASCII falls back to Unicode regexes). */
function isWordCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/** Lines of a text (split on `\n`, like Python's `str.splitlines` for `\n` / `\r\n`). */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** Count elements seen before (duplicates) and their total character length (datatrove `find_duplicates`). */
export function findDuplicates(xs: readonly string[]): { elements: number; chars: number } {
  const seen = new Set<string>();
  let elements = 0;
  let chars = 0;
  for (const x of xs) {
    if (seen.has(x)) {
      elements++;
      chars += x.length;
    } else seen.add(x);
  }
  return { elements, chars };
}

/** Per-word 2×32-bit hashes and character lengths, computed once for fast n-gram statistics. */
export interface WordHashes {
  a: Uint32Array;
  b: Uint32Array;
  len: Uint32Array;
}

/** FNV-1a (32-bit) of a string's UTF-16 code units, with a seed. */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Murmur3 finaliser: a fast 32-bit integer mixer. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Hash every word twice (independent seeds) and record its length. */
export function hashWords(words: readonly string[]): WordHashes {
  const n = words.length;
  const a = new Uint32Array(n);
  const b = new Uint32Array(n);
  const len = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const w = words[i] as string;
    const h = fnv1a(w);
    a[i] = h;
    b[i] = mix32(h ^ 0x9e3779b9 ^ w.length);
    len[i] = w.length;
  }
  return { a, b, len };
}

const BASE_A = 0x01000193;
const BASE_B = 0x5bd1e995;

/**
 * Rolling 64-bit keys (two u32 polynomial hashes mod 2^32) of every n-gram: `a[i]`, `b[i]` for the n-gram
 * starting at word i. O(1) per n-gram regardless of n.
 */
export function rollingNgramKeys(w: WordHashes, n: number, outA: Uint32Array, outB: Uint32Array): number {
  const count = w.a.length - n + 1;
  if (count <= 0) return 0;
  let powA = 1;
  let powB = 1;
  for (let j = 1; j < n; j++) {
    powA = Math.imul(powA, BASE_A);
    powB = Math.imul(powB, BASE_B);
  }
  let ha = 0;
  let hb = 0;
  for (let j = 0; j < n; j++) {
    ha = (Math.imul(ha, BASE_A) + (w.a[j] as number)) | 0;
    hb = (Math.imul(hb, BASE_B) + (w.b[j] as number)) | 0;
  }
  outA[0] = ha;
  outB[0] = hb;
  for (let i = 1; i < count; i++) {
    ha =
      (Math.imul((ha - Math.imul(w.a[i - 1] as number, powA)) | 0, BASE_A) + (w.a[i + n - 1] as number)) | 0;
    hb =
      (Math.imul((hb - Math.imul(w.b[i - 1] as number, powB)) | 0, BASE_B) + (w.b[i + n - 1] as number)) | 0;
    outA[i] = ha;
    outB[i] = hb;
  }
  return count;
}

/** Characters of the n-gram at `i` when its words are joined with `sep` characters between them. */
export function ngramChars(w: WordHashes, i: number, n: number, sep: number): number {
  let c = sep * (n - 1);
  for (let j = i; j < i + n; j++) c += w.len[j] as number;
  return c;
}

/** Rough token estimate for stats (≈ 4 characters per token for English BPE). */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** UTF-8 byte length without allocating. */
export function utf8Bytes(s: string): number {
  if (s === lastBytesText) return lastBytes; // stage stats ask for the same text on the way out and in
  lastBytesText = s;
  lastBytes = Buffer.byteLength(s, 'utf8');
  return lastBytes;
}
let lastBytesText = '';
let lastBytes = 0;
