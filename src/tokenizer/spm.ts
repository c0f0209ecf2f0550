// SentencePiece-BPE tokenizer (tokenizer.ggml.model = "llama"), matching llama.cpp's llm_tokenizer_spm.
import { BaseTokenizer, partitionSpecial, type TokenizeOptions } from './base.js';
import { toWellFormed, utf8Bytes, type Vocab } from './vocab.js';

/**
 * Max-heap of candidate merges keyed by (score desc, left index asc), as llama.cpp's llm_bigram_spm queue.
 * Entries live in parallel arrays; the heap holds entry numbers.
 */
class BigramQueue {
  private heap: Int32Array = new Int32Array(64);
  private n = 0;
  score: Float64Array = new Float64Array(64);
  left: Int32Array = new Int32Array(64);
  right: Int32Array = new Int32Array(64);
  size: Int32Array = new Int32Array(64);
  private count = 0;

  get length(): number {
    return this.n;
  }

  push(score: number, left: number, right: number, size: number): void {
    if (this.count === this.score.length) this.grow();
    const e = this.count++;
    this.score[e] = score;
    this.left[e] = left;
    this.right[e] = right;
    this.size[e] = size;
    if (this.n === this.heap.length) {
      const h = new Int32Array(this.heap.length * 2);
      h.set(this.heap);
      this.heap = h;
    }
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(e, this.heap[p]!)) break;
      this.heap[i] = this.heap[p]!;
      i = p;
    }
    this.heap[i] = e;
  }

  /** Removes and returns the best entry's number. */
  pop(): number {
    const top = this.heap[0]!;
    const last = this.heap[--this.n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) break;
      const r = l + 1;
      const c = r < this.n && this.before(this.heap[r]!, this.heap[l]!) ? r : l;
      if (!this.before(this.heap[c]!, last)) break;
      this.heap[i] = this.heap[c]!;
      i = c;
    }
    if (this.n > 0) this.heap[i] = last;
    return top;
  }

  private before(a: number, b: number): boolean {
    const sa = this.score[a]!;
    const sb = this.score[b]!;
    return sa > sb || (sa === sb && this.left[a]! < this.left[b]!);
  }

  private grow(): void {
    const m = this.score.length * 2;
    const g = <T extends Float64Array | Int32Array>(a: T, c: new (n: number) => T): T => {
      const b = new c(m);
      b.set(a);
      return b;
    };
    this.score = g(this.score, Float64Array);
    this.left = g(this.left, Int32Array);
    this.right = g(this.right, Int32Array);
    this.size = g(this.size, Int32Array);
  }
}

/** SentencePiece-BPE as llama.cpp runs it: score-driven bigram merges over characters, byte fallback. */
export class SpmTokenizer extends BaseTokenizer {
  constructor(vocab: Vocab) {
    super(vocab);
    if (vocab.model !== 'llama')
      throw new Error(`SpmTokenizer needs tokenizer.ggml.model "llama", got "${vocab.model}"`);
  }

  tokenize(text: string, opts: TokenizeOptions = {}): number[] {
    const v = this.vocab;
    const addSpecial = this.addSpecial(opts);
    text = toWellFormed(text);
    const out: number[] = [];
    if (addSpecial && v.addBos) {
      if (v.bosId === null) throw new Error('tokenize: the vocabulary asks for BOS but has no BOS token');
      out.push(v.bosId);
    }
    let prevSpecial = true; // the first raw span gets the space prefix too
    for (const f of partitionSpecial(v, text, opts.parseSpecial ?? false)) {
      if ('token' in f) {
        out.push(f.token);
        prevSpecial = true;
        continue;
      }
      let span = text.slice(f.start, f.end);
      if (v.addSpacePrefix && prevSpecial) span = ` ${span}`;
      this.encodeSpan(span.replaceAll(' ', '\u2581'), out);
      prevSpecial = false;
    }
    if (addSpecial && v.addEos) {
      if (v.eosId === null) throw new Error('tokenize: the vocabulary asks for EOS but has no EOS token');
      out.push(v.eosId);
    }
    return out;
  }

  /** llm_tokenizer_spm_session::tokenize on one escaped span: merge the best-scoring bigram until none is left. */
  private encodeSpan(text: string, out: number[]): void {
    const v = this.vocab;
    // Symbols = code points, as [start, start + len) code-unit ranges in a doubly linked list.
    const nMax = text.length;
    const start = new Int32Array(nMax);
    const len = new Int32Array(nMax);
    const prev = new Int32Array(nMax);
    const next = new Int32Array(nMax);
    let n = 0;
    for (let i = 0; i < text.length; ) {
      const c = text.charCodeAt(i);
      const w = c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      start[n] = i;
      len[n] = w;
      prev[n] = n - 1;
      i += w;
      next[n] = i === text.length ? -1 : n + 1;
      n++;
    }
    if (n === 0) return;

    const q = new BigramQueue();
    const tryAdd = (l: number, r: number) => {
      if (l === -1 || r === -1) return;
      const s = start[l]!;
      const size = len[l]! + len[r]!;
      const id = v.tokenToId.get(text.slice(s, s + size));
      if (id === undefined) return;
      q.push(v.scores[id]!, l, r, size);
    };
    for (let i = 1; i < n; i++) tryAdd(i - 1, i);

    while (q.length > 0) {
      const e = q.pop();
      const l = q.left[e]!;
      const r = q.right[e]!;
      // Skip stale entries: one side already merged away, or grew since the entry was made.
      if (len[l] === 0 || len[r] === 0 || len[l]! + len[r]! !== q.size[e]) continue;
      len[l] = len[l]! + len[r]!;
      len[r] = 0;
      next[l] = next[r]!;
      if (next[r]! >= 0) prev[next[r]!] = l;
      tryAdd(prev[l]!, l);
      tryAdd(l, next[l]!);
    }

    for (let i = 0; i !== -1; i = next[i]!) {
      const piece = text.slice(start[i]!, start[i]! + len[i]!);
      const id = v.tokenToId.get(piece);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      // Merged symbols are always tokens, so this is a single character missing from the vocabulary.
      for (const b of utf8Bytes(piece)) out.push(v.byteToToken(b));
    }
  }
}
