// TextGenerator interface (chat completion) with an OpenAI-compatible HTTP implementation, retries and a disk cache.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One chat message. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Generation settings. */
export interface CompleteOptions {
  maxTokens: number;
  temperature: number;
  seed?: number;
}

/** Anything that completes a chat: an OpenAI-compatible server now, pocketlm's local engine later. */
export interface TextGenerator {
  complete(messages: ChatMessage[], opts: CompleteOptions): Promise<string>;
}

/** Settings of the OpenAI-compatible client. */
export interface OpenAICompatibleOptions {
  /** Base URL up to and including `/v1`, e.g. `http://127.0.0.1:8080/v1`. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Attempts per request (default 5). */
  retries?: number;
  /** First backoff in ms, doubled per retry (default 500). */
  backoffMs?: number;
  /** Per-request timeout in ms (default 120000). */
  timeoutMs?: number;
}

/** Chat completions over plain fetch; retries network errors, 408/409/429 and 5xx with exponential backoff. */
export class OpenAICompatibleGenerator implements TextGenerator {
  constructor(private readonly o: OpenAICompatibleOptions) {}

  async complete(messages: ChatMessage[], opts: CompleteOptions): Promise<string> {
    const url = `${this.o.baseUrl.replace(/\/$/, '')}/chat/completions`;
    const body = JSON.stringify({
      model: this.o.model,
      messages,
      max_tokens: opts.maxTokens,
      temperature: opts.temperature,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    });
    const attempts = this.o.retries ?? 5;
    let delay = this.o.backoffMs ?? 500;
    let lastErr: Error = new Error('no attempt made');
    for (let a = 1; a <= attempts; a++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {}),
          },
          body,
          signal: AbortSignal.timeout(this.o.timeoutMs ?? 120_000),
        });
        const text = await res.text();
        if (!res.ok) {
          lastErr = new Error(`${url}: HTTP ${res.status}: ${text.slice(0, 200)}`);
          if (res.status === 408 || res.status === 409 || res.status === 429 || res.status >= 500)
            throw lastErr;
          throw Object.assign(lastErr, { fatal: true });
        }
        let json: { choices?: { message?: { content?: string } }[] };
        try {
          json = JSON.parse(text);
        } catch {
          throw Object.assign(new Error(`${url}: response is not JSON: ${text.slice(0, 100)}`), {
            fatal: true,
          });
        }
        const content = json.choices?.[0]?.message?.content;
        if (typeof content !== 'string')
          throw Object.assign(new Error(`${url}: response has no choices[0].message.content`), {
            fatal: true,
          });
        return content;
      } catch (e) {
        lastErr = e as Error;
        if ((e as { fatal?: boolean }).fatal) throw e;
        if (a < attempts) {
          await new Promise((r) => setTimeout(r, delay));
          delay *= 2;
        }
      }
    }
    throw new Error(`${url}: giving up after ${attempts} attempts: ${lastErr.message}`);
  }
}

/** Hash of a request (messages + options + a namespace such as the model name). */
export function promptHash(messages: ChatMessage[], opts: CompleteOptions, namespace = ''): string {
  return createHash('sha256').update(JSON.stringify({ namespace, messages, opts })).digest('hex');
}

/** Wrap a generator with an on-disk response cache (`<dir>/<hh>/<hash>.json`), so reruns cost nothing. */
export function cachedGenerator(
  gen: TextGenerator,
  dir: string,
  namespace = '',
): TextGenerator & { hits: number; misses: number } {
  const g = {
    hits: 0,
    misses: 0,
    async complete(messages: ChatMessage[], opts: CompleteOptions): Promise<string> {
      const h = promptHash(messages, opts, namespace);
      const p = join(dir, h.slice(0, 2), `${h}.json`);
      try {
        const c = JSON.parse(await readFile(p, 'utf8')) as { response: string };
        g.hits++;
        return c.response;
      } catch {
        // not cached
      }
      g.misses++;
      const response = await gen.complete(messages, opts);
      await mkdir(join(dir, h.slice(0, 2)), { recursive: true });
      await writeFile(`${p}.tmp`, JSON.stringify({ response }));
      await rename(`${p}.tmp`, p);
      return response;
    },
  };
  return g;
}

/** Run `fn` over items with at most `n` in flight; results keep input order. */
export async function mapLimit<T, R>(
  items: T[],
  n: number,
  fn: (x: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return out;
}
