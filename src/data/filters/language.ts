// Language filter: keeps documents identified as one of the wanted languages with enough confidence.
import { type Document, type Filter, type FilterResult, settings } from '../document.js';
import { identifyLanguage } from '../langid/langid.js';

/** Settings of the language filter. */
export interface LanguageOptions {
  languages: string[];
  min_score: number;
  /** Characters of each document looked at (speed/accuracy trade-off). */
  max_chars: number;
}

export const LANGUAGE_DEFAULTS: LanguageOptions = { languages: ['en'], min_score: 0.65, max_chars: 500 };

/** Create the language filter; sets metadata.language / language_score. Reasons: `lang_<code>`, `lang_low_score`. */
export function language(options?: unknown): Filter {
  const o = settings(LANGUAGE_DEFAULTS, options, 'stage language');
  const want = new Set(o.languages);
  return {
    name: 'language',
    filter(doc: Document): FilterResult {
      const r = identifyLanguage(doc.text, undefined, { maxChars: o.max_chars });
      doc.metadata.language = r.lang;
      doc.metadata.language_score = Math.round(r.score * 1e4) / 1e4;
      if (want.size > 0 && !want.has(r.lang)) return { reason: `lang_${r.lang}` };
      if (r.score < o.min_score) return { reason: 'lang_low_score' };
      return true;
    },
  };
}
