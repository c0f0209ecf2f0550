// Web search for the knowledge base: pluggable providers (SearxNG JSON built in), bounded page fetching,
// extraction and caching into the KB with the URL as source; offline it skips the web and says so.
import type { Answer } from './answer.js';
import type { Generator } from './generator.js';
import { type AskOptions, ask, type KnowledgeBase } from './index.js';
import type { DocKind } from './ingest/index.js';
import type { SearchResult } from './retrieve.js';

/** One search-engine result. */
export interface WebResult {
  url: string;
  title?: string;
  snippet?: string;
}

/** A web search backend. */
export interface SearchProvider {
  readonly name: string;
  search(query: string, opts: { limit: number; signal?: AbortSignal }): Promise<WebResult[]>;
}

/** Options of the SearxNG provider. */
export interface SearxngOptions {
  /** Instance base URL, e.g. "http://127.0.0.1:8888" (the JSON format must be enabled in its settings). */
  baseUrl: string;
  /** Request timeout (default 8000 ms). */
  timeoutMs?: number;
  language?: string;
  categories?: string;
  fetch?: typeof fetch;
}

/** SearxNG metasearch through its JSON API (`/search?q=…&format=json`). */
export class SearxngProvider implements SearchProvider {
  readonly name = 'searxng';
  constructor(private readonly opts: SearxngOptions) {
    if (!/^https?:\/\//.test(opts.baseUrl))
      throw new Error(`SearxNG baseUrl must be http(s)://…, got "${opts.baseUrl}"`);
  }
  async search(query: string, o: { limit: number; signal?: AbortSignal }): Promise<WebResult[]> {
    const u = new URL(
      'search',
      this.opts.baseUrl.endsWith('/') ? this.opts.baseUrl : `${this.opts.baseUrl}/`,
    );
    u.searchParams.set('q', query);
    u.searchParams.set('format', 'json');
    if (this.opts.language) u.searchParams.set('language', this.opts.language);
    if (this.opts.categories) u.searchParams.set('categories', this.opts.categories);
    const signal = withTimeout(this.opts.timeoutMs ?? 8000, o.signal);
    let res: Response;
    try {
      res = await (this.opts.fetch ?? fetch)(u, { signal, headers: { accept: 'application/json' } });
    } catch (e) {
      throw new Error(`SearxNG ${u.origin}: ${describeFetchError(e, this.opts.timeoutMs ?? 8000)}`, {
        cause: e,
      });
    }
    if (!res.ok) throw new Error(`SearxNG ${u.origin}: HTTP ${res.status} ${res.statusText}`);
    const body = (await res.json()) as { results?: { url?: unknown; title?: unknown; content?: unknown }[] };
    if (!Array.isArray(body.results)) throw new Error(`SearxNG ${u.origin}: response has no "results" array`);
    return body.results
      .filter((r) => typeof r.url === 'string' && /^https?:\/\//.test(r.url as string))
      .slice(0, o.limit)
      .map((r) => ({
        url: r.url as string,
        title: typeof r.title === 'string' ? r.title : undefined,
        snippet: typeof r.content === 'string' ? r.content : undefined,
      }));
  }
}

function withTimeout(ms: number, signal?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([t, signal]) : t;
}

/** Limits for fetching pages. */
export interface FetchLimits {
  /** Per-page timeout (default 10000 ms). */
  timeoutMs?: number;
  /** Maximum body size (default 2 MiB); larger pages are rejected. */
  maxBytes?: number;
  userAgent?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

const KIND_BY_TYPE: [RegExp, DocKind][] = [
  [/^text\/html|^application\/xhtml\+xml/, 'html'],
  [/^text\/markdown/, 'md'],
  [/^text\/plain/, 'txt'],
  [/^application\/pdf/, 'pdf'],
];

/** Fetches a page within the limits; returns its bytes and document kind (from Content-Type). */
export async function fetchPage(
  url: string,
  limits: FetchLimits = {},
): Promise<{ bytes: Uint8Array; kind: DocKind; contentType: string }> {
  if (!/^https?:\/\//.test(url)) throw new Error(`${url}: only http(s) URLs are fetched`);
  const maxBytes = limits.maxBytes ?? 2 * 1024 * 1024;
  const timeoutMs = limits.timeoutMs ?? 10_000;
  const signal = withTimeout(timeoutMs, limits.signal);
  let res: Response;
  try {
    res = await (limits.fetch ?? fetch)(url, {
      signal,
      redirect: 'follow',
      headers: {
        'user-agent': limits.userAgent ?? 'pocketlm-rag/0.1',
        accept: 'text/html,text/plain,text/markdown,application/pdf',
      },
    });
  } catch (e) {
    throw new Error(`${url}: ${describeFetchError(e, timeoutMs)}`);
  }
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  const contentType = (res.headers.get('content-type') ?? '').toLowerCase();
  const kind = KIND_BY_TYPE.find(([re]) => re.test(contentType))?.[1];
  if (!kind) {
    await res.body?.cancel();
    throw new Error(`${url}: unsupported content type "${contentType || 'none'}"`);
  }
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new Error(`${url}: ${declared} bytes is over the ${maxBytes}-byte limit`);
  }
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
      n += part.byteLength;
      if (n > maxBytes) {
        await res.body?.cancel().catch(() => {});
        throw new Error(`over the ${maxBytes}-byte limit`);
      }
      parts.push(part);
    }
  } catch (e) {
    throw new Error(`${url}: ${describeFetchError(e, timeoutMs)}`);
  }
  const bytes = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.byteLength;
  }
  return { bytes, kind, contentType };
}

function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (err.name === 'AbortError') return 'aborted';
  return err.cause?.code ? `${err.message} (${err.cause.code})` : (err.message ?? String(e));
}

/** True for errors that mean "no network" rather than a bad page. */
export function isOfflineError(e: unknown): boolean {
  const s = `${(e as Error)?.message ?? ''} ${(e as { cause?: { code?: string } })?.cause?.code ?? ''}`;
  return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|ECONNRESET|fetch failed|timed out|TimeoutError/i.test(
    s,
  );
}

/** Outcome of a web search into the KB. */
export interface WebReport {
  /** False when the web was not used (no provider, or offline). */
  used: boolean;
  /** Human-readable note, e.g. "web search skipped: no network (ECONNREFUSED)". */
  note?: string;
  results: { url: string; status: 'added' | 'cached' | 'error'; chunks?: number; error?: string }[];
}

/** Options of `webSearchToKb`. */
export interface WebSearchOptions extends FetchLimits {
  /** Results to fetch (default 5). */
  limit?: number;
  /** Pages indexed less than this long ago are reused (default 1 day). */
  maxAgeMs?: number;
}

/**
 * Searches the web and indexes the result pages into the KB (source = URL, kind "web"). Pages already
 * indexed within `maxAgeMs` are not fetched again. Without network the web is skipped with a note.
 */
export async function webSearchToKb(
  kb: KnowledgeBase,
  provider: SearchProvider,
  query: string,
  opts: WebSearchOptions = {},
): Promise<WebReport> {
  let results: WebResult[];
  try {
    results = await provider.search(query, { limit: opts.limit ?? 5, signal: opts.signal });
  } catch (e) {
    const why = isOfflineError(e) ? 'no network' : 'search failed';
    return { used: false, note: `web search skipped: ${why} (${(e as Error).message})`, results: [] };
  }
  const report: WebReport = { used: true, results: [] };
  const maxAge = opts.maxAgeMs ?? 86_400_000;
  for (const r of results) {
    const old = kb.store.getDocument(r.url);
    if (old && Date.now() - old.indexed_at < maxAge) {
      report.results.push({ url: r.url, status: 'cached' });
      continue;
    }
    try {
      const page = await fetchPage(r.url, opts);
      const x = await kb.indexBytes(r.url, page.bytes, page.kind, { title: r.title, docKind: 'web' });
      report.results.push({ url: r.url, status: 'added', chunks: x.chunks });
    } catch (e) {
      report.results.push({ url: r.url, status: 'error', error: (e as Error).message });
    }
  }
  if (results.length === 0) report.note = 'web search returned no results';
  return report;
}

/** Options of `askWithWeb`. */
export interface AskWebOptions extends AskOptions {
  /** off: documents only; fallback (default): web only when the documents lack evidence; always. */
  web?: 'off' | 'fallback' | 'always';
  webOptions?: WebSearchOptions;
}

/** `ask` that can consult the web (through `provider`) when the local documents are not enough. */
export async function askWithWeb(
  kb: KnowledgeBase,
  generator: Generator,
  provider: SearchProvider | null,
  question: string,
  opts: AskWebOptions = {},
): Promise<Answer & { retrieval: SearchResult; web?: WebReport }> {
  const mode = opts.web ?? 'fallback';
  if (mode === 'off') return ask(kb, generator, question, opts);
  if (mode === 'fallback') {
    const local = await ask(kb, generator, question, opts);
    if (local.found) return local;
  }
  if (!provider) {
    const a = await ask(kb, generator, question, opts);
    return {
      ...a,
      web: { used: false, note: 'web search skipped: no search provider configured', results: [] },
    };
  }
  const web = await webSearchToKb(kb, provider, question, opts.webOptions);
  const a = await ask(kb, generator, question, opts);
  return { ...a, web };
}
