// Shared helpers for data tests: documents, unique filler sentences, temp dirs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Document, Filter, FilterResult } from '../../src/data/document.js';
import { seededRandom, sentence } from '../../src/data/synthetic-web.js';

export function doc(text: string, url?: string): Document {
  return { id: 'd', text, metadata: {}, ...(url ? { url } : {}) };
}

export function run(f: Filter, text: string, url?: string): FilterResult {
  return f.filter(doc(text, url)) as FilterResult;
}

export function reason(r: FilterResult): string | true {
  return r === true ? true : r.reason;
}

/** `n` distinct English sentences (deterministic). */
export function sentences(n: number, seed = 7): string[] {
  const r = seededRandom(seed);
  const out = new Set<string>();
  while (out.size < n) out.add(sentence(r));
  return [...out];
}

export function tmp(prefix = 'pocketlm-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** `n` pseudo-words of 3–8 random letters (no repeated n-grams in practice), as one string. */
export function gibberish(n: number, seed = 1): string {
  const r = seededRandom(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = 3 + Math.floor(r() * 6);
    let w = '';
    for (let j = 0; j < len; j++) w += String.fromCharCode(97 + Math.floor(r() * 26));
    out.push(w);
  }
  return out.join(' ');
}
