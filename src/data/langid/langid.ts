// Compact character n-gram (1–3) naive-Bayes language identifier with profiles built from built-in sample texts.
import { TRAIN_TEXT } from './samples.js';

/**
 * A trained identifier. N-grams are hashed into `2^bits` buckets. Every n-gram costs each language at least
 * `unseen[lang]` (its smoothed log-probability of an unseen n-gram); languages that saw the bucket in training
 * get a bonus `diff[k]` for `lang[k]`, k in `offsets[bucket] … offsets[bucket + 1]` (sparse, CSR layout).
 */
export interface LangIdModel {
  langs: string[];
  bits: number;
  offsets: Int32Array;
  lang: Uint8Array;
  diff: Float32Array;
  unseen: Float32Array;
  maxN: number;
}

/** Result of identification: best language and a confidence in [0, 1] plus every language's score. */
export interface LangIdResult {
  lang: string;
  score: number;
  scores: Record<string, number>;
}

/** Lowercase, keep letters only (any script), collapse everything else to single spaces, pad with spaces. */
export function normalizeForLangId(text: string, maxChars = Number.POSITIVE_INFINITY): string {
  const n = Math.min(text.length, maxChars);
  let out = ' ';
  let space = true;
  let run = 0; // start of the current run of ASCII lowercase letters, copied in one slice
  const flushRun = (i: number) => {
    if (run < i) out += text.slice(run, i);
  };
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      if (run < 0) run = i;
      space = false;
      continue;
    }
    if (run >= 0) flushRun(i);
    run = -1;
    if (c >= 65 && c <= 90) {
      out += String.fromCharCode(c + 32);
      space = false;
    } else if (c >= 128 && LETTER.test(text[i] as string)) {
      out += (text[i] as string).toLowerCase();
      space = false;
    } else if (!space) {
      out += ' ';
      space = true;
    }
  }
  if (run >= 0) flushRun(n);
  return space ? out : `${out} `;
}

const LETTER = /\p{L}/u;

// per BMP code unit: 0 = not looked up, 1 = not a letter, 2 = letter (lowercase in lowerOf, or toLowerCase when 0)
const letterClass = new Uint8Array(0x10000);
const lowerOf = new Uint16Array(0x10000);
let normBuf = new Uint16Array(2048);

/**
 * {@link normalizeForLangId} into a reused code-unit buffer (no string is built); returns the buffer and length.
 * Callers must read the buffer before the next call.
 */
function normalizeToBuffer(text: string, maxChars: number): { buf: Uint16Array; len: number } {
  const n = Math.min(text.length, maxChars);
  if (normBuf.length < 2 * n + 8) normBuf = new Uint16Array(2 * n + 64);
  let buf = normBuf;
  buf[0] = 32;
  let len = 1;
  let space = true;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      buf[len++] = c;
      space = false;
    } else if (c >= 65 && c <= 90) {
      buf[len++] = c + 32;
      space = false;
    } else if (c >= 128) {
      let k = letterClass[c] as number;
      if (k === 0) {
        const ch = String.fromCharCode(c);
        k = LETTER.test(ch) ? 2 : 1;
        const lo = ch.toLowerCase();
        if (k === 2 && lo.length === 1) lowerOf[c] = lo.charCodeAt(0);
        letterClass[c] = k;
      }
      if (k === 2) {
        const lo = lowerOf[c] as number;
        if (lo !== 0) buf[len++] = lo;
        else {
          const s = String.fromCharCode(c).toLowerCase(); // lowercases to several code units
          if (buf.length < len + s.length + n - i + 2) {
            const b2 = new Uint16Array((len + s.length + n - i) * 2 + 64);
            b2.set(buf.subarray(0, len));
            buf = b2;
            normBuf = b2;
          }
          for (let j = 0; j < s.length; j++) buf[len++] = s.charCodeAt(j);
        }
        space = false;
      } else if (!space) {
        buf[len++] = 32;
        space = true;
      }
    } else if (!space) {
      buf[len++] = 32;
      space = true;
    }
  }
  if (!space) buf[len++] = 32;
  return { buf, len };
}

/** Call `f(bucket)` for every character 1..maxN-gram of `s` (single spaces skipped). */
function forEachNgram(s: string, maxN: number, mask: number, f: (bucket: number) => void): void {
  for (let i = 0; i < s.length; i++) {
    let h = 0x811c9dc5;
    for (let n = 1; n <= maxN && i + n <= s.length; n++) {
      const c = s.charCodeAt(i + n - 1);
      if (n === 1 && c === 32) break;
      h = Math.imul(h ^ c, 0x01000193);
      let x = h ^ n;
      x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
      x ^= x >>> 13;
      f(x & mask);
    }
  }
}

/** Train profiles from sample texts (add-`alpha` smoothing over the observed vocabulary). */
export function trainLangId(
  samples: Record<string, string> = TRAIN_TEXT,
  maxN = 3,
  alpha = 0.5,
  bits = 16,
): LangIdModel {
  const langs = Object.keys(samples).sort();
  const L = langs.length;
  const mask = (1 << bits) - 1;
  const counts = new Float64Array((mask + 1) * L);
  const present = new Uint8Array(mask + 1);
  const totals = new Float64Array(L);
  langs.forEach((lang, li) => {
    forEachNgram(normalizeForLangId(samples[lang] as string), maxN, mask, (b) => {
      counts[b * L + li] = (counts[b * L + li] as number) + 1;
      present[b] = 1;
      totals[li] = (totals[li] as number) + 1;
    });
  });
  let V = 1;
  for (const p of present) V += p;
  const unseen = new Float32Array(L);
  for (let li = 0; li < L; li++) unseen[li] = Math.log(alpha / ((totals[li] as number) + alpha * V));
  const offsets = new Int32Array(mask + 2);
  const langIdx: number[] = [];
  const diffs: number[] = [];
  for (let b = 0; b <= mask; b++) {
    offsets[b] = langIdx.length;
    if (!present[b]) continue;
    for (let li = 0; li < L; li++) {
      const c = counts[b * L + li] as number;
      if (c === 0) continue; // equals the unseen log-probability: no bonus
      langIdx.push(li);
      diffs.push(Math.log((c + alpha) / ((totals[li] as number) + alpha * V)) - (unseen[li] as number));
    }
  }
  offsets[mask + 1] = langIdx.length;
  return {
    langs,
    bits,
    offsets,
    lang: Uint8Array.from(langIdx),
    diff: Float32Array.from(diffs),
    unseen,
    maxN,
  };
}

let defaultModel: LangIdModel | undefined;

/** The model trained on the built-in samples (built once, ~50 ms). */
export function defaultLangId(): LangIdModel {
  defaultModel ??= trainLangId();
  return defaultModel;
}

// per-call sums, reused across calls
let sumBuf = new Float64Array(0);
let isumBuf = new Float64Array(0);
let expBuf = new Float64Array(0);

const trigramTables = new WeakMap<LangIdModel, Int32Array | null>();

/** Fixed-point scale of the trigram table: bonuses are float32 values ≥ 1, hence multiples of 2^-23. */
const TRI_SCALE = 2 ** 23;

/**
 * For a 1–3-gram model: the summed bonuses of the 1-, 2- and 3-gram starting at a letter a–z followed by two
 * characters from [a–z ], per language (26 × 27 × 27 × L), as integers in units of 2^-23 (half the memory of
 * doubles, so it stays in cache). Bonuses are float32 values ≥ log 3, so every sum is exact in this form and
 * the totals equal the n-gram-by-n-gram sums bit for bit; null when a model does not allow that (then the
 * general path is used).
 */
function trigramTable(model: LangIdModel): Int32Array | null {
  const cached = trigramTables.get(model);
  if (cached !== undefined) return cached;
  const L = model.langs.length;
  const mask = (1 << model.bits) - 1;
  const t = new Int32Array(26 * 27 * 27 * L);
  const code = (x: number) => (x === 26 ? 32 : 97 + x);
  let ok = true;
  for (let a = 0; a < 26 && ok; a++) {
    for (let b = 0; b < 27; b++) {
      for (let c = 0; c < 27; c++) {
        const base = (a * 729 + b * 27 + c) * L;
        const chars = [code(a), code(b), code(c)];
        let h = 0x811c9dc5;
        for (let k = 1; k <= 3; k++) {
          h = Math.imul(h ^ (chars[k - 1] as number), 0x01000193);
          let x = h ^ k;
          x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
          x ^= x >>> 13;
          const bucket = x & mask;
          for (let q = model.offsets[bucket] as number; q < (model.offsets[bucket + 1] as number); q++) {
            const v = (model.diff[q] as number) * TRI_SCALE;
            const j = base + (model.lang[q] as number);
            const sum = (t[j] as number) + v;
            if (!Number.isInteger(v) || Math.abs(sum) >= 2 ** 31) ok = false;
            t[j] = sum;
          }
        }
      }
    }
  }
  trigramTables.set(model, ok ? t : null);
  return ok ? t : null;
}

/**
 * Identify the language of `text`. Confidence = softmax over languages of `scale` × mean per-n-gram
 * log-likelihood; it is a heuristic calibration (not a probability from held-out data), see docs/data.md.
 */
export function identifyLanguage(
  text: string,
  model: LangIdModel = defaultLangId(),
  opts: { maxChars?: number; scale?: number } = {},
): LangIdResult {
  const L = model.langs.length;
  if (sumBuf.length !== L) {
    sumBuf = new Float64Array(L);
    isumBuf = new Float64Array(L);
    expBuf = new Float64Array(L);
  }
  const sum = sumBuf.fill(0);
  let n = 0;
  const { offsets, lang, diff, unseen } = model;
  const mask = (1 << model.bits) - 1;
  const maxN = model.maxN;
  const { buf: str, len } = normalizeToBuffer(text, opts.maxChars ?? 1000);
  const tri = maxN === 3 ? trigramTable(model) : null;
  const isum = isumBuf.fill(0); // fast-path sums in units of 2^-23 (exact integers)
  for (let i = 0; i < len; i++) {
    const c1 = str[i] as number;
    if (c1 === 32) continue; // no n-gram starts at a space
    if (tri !== null && i + 3 <= len && c1 >= 97 && c1 <= 122) {
      // fast path: the 1-, 2- and 3-gram at i summed in advance (exact: see trigramTable)
      const c2 = str[i + 1] as number;
      const c3 = str[i + 2] as number;
      const x2 = c2 === 32 ? 26 : c2 - 97;
      const x3 = c3 === 32 ? 26 : c3 - 97;
      if (x2 >= 0 && x2 <= 26 && x3 >= 0 && x3 <= 26) {
        const base = ((c1 - 97) * 729 + x2 * 27 + x3) * L;
        for (let j = 0; j < L; j++) isum[j] += tri[base + j] as number;
        n += 3;
        continue;
      }
    }
    // same hashing as forEachNgram, inlined
    let h = 0x811c9dc5;
    for (let k = 1; k <= maxN && i + k <= len; k++) {
      const c = str[i + k - 1] as number;
      h = Math.imul(h ^ c, 0x01000193);
      let x = h ^ k;
      x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
      x ^= x >>> 13;
      const b = x & mask;
      const end = offsets[b + 1] as number;
      for (let q = offsets[b] as number; q < end; q++) sum[lang[q] as number] += diff[q] as number;
      n++;
    }
  }
  for (let j = 0; j < L; j++) sum[j] += (isum[j] as number) / TRI_SCALE;
  for (let j = 0; j < L; j++) sum[j] += n * (unseen[j] as number);
  const scores: Record<string, number> = {};
  if (n === 0) {
    for (const l of model.langs) scores[l] = 0;
    return { lang: 'unknown', score: 0, scores };
  }
  const scale = opts.scale ?? 16;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < L; i++) max = Math.max(max, ((sum[i] as number) / n) * scale);
  let z = 0;
  const e = expBuf;
  for (let i = 0; i < L; i++) {
    e[i] = Math.exp(((sum[i] as number) / n) * scale - max);
    z += e[i] as number;
  }
  let best = 0;
  for (let i = 0; i < L; i++) {
    scores[model.langs[i] as string] = (e[i] as number) / z;
    if ((e[i] as number) > (e[best] as number)) best = i;
  }
  return { lang: model.langs[best] as string, score: (e[best] as number) / z, scores };
}
