// Exact dedup key: a 64-bit hash (two 32-bit halves) of the normalised text (lowercase, collapsed whitespace).
import { fnv1a } from '../text.js';

/** Normalise text for exact matching: lowercase, collapse whitespace, trim. */
export function normalizeForExact(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Two independent 32-bit hashes of the normalised text. */
export function exactKey(text: string): [number, number] {
  const s = normalizeForExact(text);
  return [fnv1a(s), fnv1a(s, 0x01234567)];
}
