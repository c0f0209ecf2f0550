// URL filter: drops documents whose URL's domain is on a blocklist or whose URL contains banned words.
import { type Document, type Filter, type FilterResult, settings } from '../document.js';

/** Settings of the URL filter. Domains match themselves and all subdomains. */
export interface UrlFilterOptions {
  blocked_domains: string[];
  /** Whole tokens of the URL (split on non-alphanumerics) that drop the doc. */
  banned_words: string[];
  /** Substrings of the normalised URL (lowercase, no punctuation) that drop the doc. */
  banned_subwords: string[];
  /** Tokens that drop the doc when at least `soft_ban_min` of them occur. */
  soft_banned_words: string[];
  soft_ban_min: number;
  /** Keep documents without a URL. */
  keep_missing_url: boolean;
}

export const URL_FILTER_DEFAULTS: UrlFilterOptions = {
  blocked_domains: [],
  banned_words: ['porn', 'xxx', 'casino', 'viagra', 'escort', 'torrent'],
  banned_subwords: [],
  soft_banned_words: ['sex', 'adult', 'bet', 'poker', 'pills', 'loan'],
  soft_ban_min: 2,
  keep_missing_url: true,
};

/** Create the URL filter. Reasons: missing_url, bad_url, domain_blocklist, url_banned_word, url_banned_subword, url_soft_banned. */
export function urlFilter(options?: unknown): Filter {
  const o = settings(URL_FILTER_DEFAULTS, options, 'stage url_filter');
  const domains = new Set(o.blocked_domains.map((d) => d.toLowerCase().replace(/^www\./, '')));
  const banned = new Set(o.banned_words.map((w) => w.toLowerCase()));
  const soft = new Set(o.soft_banned_words.map((w) => w.toLowerCase()));
  return {
    name: 'url_filter',
    filter(doc: Document): FilterResult {
      if (!doc.url) return o.keep_missing_url ? true : { reason: 'missing_url' };
      let host: string;
      try {
        host = new URL(doc.url).hostname.toLowerCase();
      } catch {
        return { reason: 'bad_url' };
      }
      const parts = host.replace(/^www\./, '').split('.');
      for (let i = 0; i < parts.length - 1; i++) {
        if (domains.has(parts.slice(i).join('.'))) return { reason: 'domain_blocklist' };
      }
      const lower = doc.url.toLowerCase();
      const tokens = lower.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
      if (tokens.some((t) => banned.has(t))) return { reason: 'url_banned_word' };
      const squashed = lower.replace(/[^\p{L}\p{N}]+/gu, '');
      if (o.banned_subwords.some((s) => squashed.includes(s.toLowerCase())))
        return { reason: 'url_banned_subword' };
      if (tokens.filter((t) => soft.has(t)).length >= o.soft_ban_min) return { reason: 'url_soft_banned' };
      return true;
    },
  };
}
