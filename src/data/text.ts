// Shared text helpers for filters: word splitting, line/paragraph splitting, duplicate counting, n-gram hashing.
import type { SpanSet } from './hash-table.js';

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
const PS_RE = /^[\p{P}\p{S}]$/u;
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

/** Word flag: the token is made only of punctuation/symbols (kept whole, a "symbol word"). */
export const WORD_SYMBOL = 1;
/** Word flag: the word contains a letter (any script). */
export const WORD_LETTER = 2;

/**
 * The words of one text as spans (no strings allocated): word `i` is `text.slice(start[i], end[i])`, with
 * FNV-1a `hash[i]` of its UTF-16 code units and `flags[i]` (WORD_SYMBOL, WORD_LETTER). Computed once per
 * document by {@link analyzeWords} and shared by every filter that looks at words.
 */
export interface WordSpans {
  text: string;
  count: number;
  start: Int32Array;
  end: Int32Array;
  hash: Uint32Array;
  flags: Uint8Array;
}

let spans: WordSpans = {
  text: '',
  count: 0,
  start: new Int32Array(1024),
  end: new Int32Array(1024),
  hash: new Uint32Array(1024),
  flags: new Uint8Array(1024),
};

/**
 * Split text into words the way datatrove's word tokenizers roughly do for space-delimited languages:
 * whitespace tokens with leading/trailing punctuation stripped; tokens that are pure punctuation are kept
 * as-is (they count as "symbol words"). CJK text without spaces yields one token per run.
 *
 * The result is cached for the last text and its arrays are reused for the next one: read it before
 * analysing another text, never keep it.
 */
export function analyzeWords(text: string): WordSpans {
  if (text === spans.text) return spans;
  const n = text.length;
  let cap = spans.start.length;
  let { start, end, hash, flags } = spans;
  let count = 0;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c <= 32 ? c === 32 || (c >= 9 && c <= 13) : c >= 0xa0 && isSpaceCode(c)) {
      i++;
      continue;
    }
    // one whitespace-delimited token [ts, te), hashed (FNV-1a) and checked for ASCII letters on the way
    const ts = i;
    let h = 0x811c9dc5;
    let letter = false;
    let slow = false; // a non-ASCII character: letters are decided by the regex
    for (;;) {
      h = Math.imul(h ^ c, 0x01000193);
      if ((c | 32) >= 97 && (c | 32) <= 122) letter = true;
      else if (c > 127) slow = true;
      i++;
      if (i >= n) break;
      c = text.charCodeAt(i);
      if (c <= 32 ? c === 32 || (c >= 9 && c <= 13) : c >= 0xa0 && isSpaceCode(c)) break;
    }
    const te = i;
    let ws = ts;
    let we = te;
    let f = 0;
    if (!isWordCode(text.charCodeAt(ts)) || !isWordCode(text.charCodeAt(te - 1))) {
      // strip leading / trailing punctuation and symbols (whole code points)
      while (ws < te) {
        const cp = text.codePointAt(ws) as number;
        if (!isPunctOrSymbol(cp)) break;
        ws += cp > 0xffff ? 2 : 1;
      }
      if (ws >= te) {
        ws = ts; // only punctuation: the token is kept whole
        f = WORD_SYMBOL;
      } else {
        while (we > ws) {
          let k = we - 1;
          const lo = text.charCodeAt(k);
          if (lo >= 0xdc00 && lo <= 0xdfff && k > ws) {
            const hi = text.charCodeAt(k - 1);
            if (hi >= 0xd800 && hi <= 0xdbff) k--;
          }
          if (!isPunctOrSymbol(text.codePointAt(k) as number)) break;
          we = k;
        }
      }
      if (ws !== ts || we !== te) {
        // the word is part of the token: hash and look for letters again
        h = 0x811c9dc5;
        letter = false;
        slow = false;
        for (let j = ws; j < we; j++) {
          const d = text.charCodeAt(j);
          h = Math.imul(h ^ d, 0x01000193);
          if ((d | 32) >= 97 && (d | 32) <= 122) letter = true;
          else if (d > 127) slow = true;
        }
      }
    }
    if (slow && !letter) letter = LETTER_RE.test(text.slice(ws, we));
    if (letter) f |= WORD_LETTER;
    if (count === cap) {
      cap *= 2;
      start = grow(start, cap);
      end = grow(end, cap);
      hash = grow(hash, cap);
      flags = grow(flags, cap);
    }
    start[count] = ws;
    end[count] = we;
    hash[count] = h >>> 0;
    flags[count] = f;
    count++;
  }
  spans = { text, count, start, end, hash, flags };
  return spans;
}

function grow<T extends Int32Array | Uint32Array | Uint8Array>(a: T, cap: number): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a);
  return b;
}

/** The words of `text` as strings (see {@link analyzeWords}); cached for the last text (do not mutate). */
export function splitWords(text: string): string[] {
  if (text === lastSplitText) return lastSplitWords;
  const w = analyzeWords(text);
  const out: string[] = new Array(w.count);
  for (let i = 0; i < w.count; i++) out[i] = text.slice(w.start[i] as number, w.end[i] as number);
  lastSplitText = text;
  lastSplitWords = out;
  return out;
}

let lastSplitText = '';
let lastSplitWords: string[] = [];

// 0 = not looked up yet, 1 = no, 2 = yes (BMP code points; astral ones ask the regex each time)
const psCache = new Uint8Array(0x10000);
for (let c = 0; c < 128; c++)
  psCache[c] =
    (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126) ? 2 : 1;

/** Unicode punctuation (P*) or symbol (S*) code point. */
function isPunctOrSymbol(cp: number): boolean {
  if (cp < 0x10000) {
    let v = psCache[cp] as number;
    if (v === 0) {
      v = PS_RE.test(String.fromCharCode(cp)) ? 2 : 1;
      psCache[cp] = v;
    }
    return v === 2;
  }
  return PS_RE.test(String.fromCodePoint(cp));
}

/** Whitespace as in the `\s` regex class (and `String.prototype.trim`). */
export function isSpaceCode(c: number): boolean {
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

/** Duplicate statistics of a list of segments: how many, their characters, and the number of segments. */
export interface SegmentDuplicates {
  segments: number;
  elements: number;
  chars: number;
}

/** Hash of text[start, end) for SpanSet (two code units per multiply: any hash works, equal spans are verified). */
export function spanHash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5 ^ (end - start);
  let i = start;
  for (; i + 1 < end; i += 2)
    h = Math.imul(h ^ (text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)), 0x01000193);
  if (i < end) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 15);
}

/**
 * `findDuplicates(text.split(/\n+/))` without allocating the lines (exact: equal hashes are verified).
 * `set` is scratch space reused across documents.
 */
export function duplicateLines(text: string, set: SpanSet): SegmentDuplicates {
  set.clear(text);
  const n = text.length;
  const r: SegmentDuplicates = { segments: 0, elements: 0, chars: 0 };
  const emit = (a: number, b: number) => {
    r.segments++;
    if (set.add(a, b, spanHash(text, a, b))) {
      r.elements++;
      r.chars += b - a;
    }
  };
  let seg = 0;
  for (;;) {
    const j = text.indexOf('\n', seg);
    if (j === -1) {
      emit(seg, n);
      break;
    }
    emit(seg, j);
    let k = j + 1;
    while (k < n && text.charCodeAt(k) === 10) k++;
    seg = k;
    if (k === n) {
      emit(n, n); // a trailing separator leaves an empty last element
      break;
    }
  }
  return r;
}

/**
 * `findDuplicates(text.trim().split(/\n{2,}/))` without allocating the paragraphs (exact, see duplicateLines).
 */
export function duplicateParagraphs(text: string, set: SpanSet): SegmentDuplicates {
  set.clear(text);
  let ts = 0;
  let te = text.length;
  while (ts < te && isSpaceCode(text.charCodeAt(ts))) ts++;
  while (te > ts && isSpaceCode(text.charCodeAt(te - 1))) te--;
  const r: SegmentDuplicates = { segments: 0, elements: 0, chars: 0 };
  const emit = (a: number, b: number) => {
    r.segments++;
    if (set.add(a, b, spanHash(text, a, b))) {
      r.elements++;
      r.chars += b - a;
    }
  };
  let seg = ts;
  let pos = ts;
  for (;;) {
    const j = text.indexOf('\n', pos);
    if (j === -1 || j >= te) {
      emit(seg, te);
      break;
    }
    let k = j + 1;
    while (k < te && text.charCodeAt(k) === 10) k++;
    if (k - j >= 2) {
      emit(seg, j);
      seg = k;
    }
    pos = k;
  }
  return r;
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
 * starting at word i. O(1) per n-gram regardless of n. `nWords` limits the words used (reused buffers).
 */
export function rollingNgramKeys(
  w: WordHashes,
  n: number,
  outA: Uint32Array,
  outB: Uint32Array,
  nWords = w.a.length,
): number {
  const count = nWords - n + 1;
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
