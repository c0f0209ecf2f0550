// Settings of HTML extraction and their defaults (kept apart from html.ts so configs load without linkedom).

/** Settings of the extract stage. */
export interface ExtractOptions {
  /** Give up on Readability after this many ms (checked after parsing; see docs) and use the fallback. */
  timeout_ms: number;
  /** Readability's element budget: pages with more elements go straight to the fallback. */
  max_elements: number;
  /** Skip Readability and use the plain-text fallback only. */
  fallback_only: boolean;
}

export const EXTRACT_DEFAULTS: ExtractOptions = {
  timeout_ms: 2000,
  max_elements: 20_000,
  fallback_only: false,
};
