// The offline chat page: model loading (file, drop, URL) with an OPFS/IndexedDB cache, streamed chat, and questions over dropped documents (text, Markdown, HTML, PDF, code) with citations.
import { buildMessages, DEFAULT_INSTRUCTION } from '../rag/answer.js';
import { approxTokenCount } from '../rag/tokens.js';
import { renderGroundedAnswer } from './answer-view.js';
import { chunkLocation, type DocHit, DocIndex } from './doc-index.js';
import type { DocParseReply, DocParseRequest, ParsedFile } from './doc-parse.js';
import type { EngineEvent, EngineRequest, EngineResult, ModelInfo } from './engine-protocol.js';
import { type ModelCache, openModelCache } from './model-cache.js';

/** Events the page records for tests and benchmarks (`window.pocketlm.events`). */
interface PageEvent {
  type: string;
  t: number;
  id?: number;
  n?: number;
}

const $ = <T extends HTMLElement>(id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page: element #${id} is missing`);
  return el as T;
};

const params = new URLSearchParams(location.search);
const state = {
  worker: new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module' }),
  /** Parses dropped documents off the page's thread (started when the page is ready). */
  docWorker: undefined as Worker | undefined,
  docPending: new Map<number, (r: DocParseReply) => void>(),
  docBusy: 0,
  /** Files that could not be indexed, by name, with the reason. */
  docErrors: new Map<string, string>(),
  cache: undefined as ModelCache | undefined,
  info: undefined as ModelInfo | undefined,
  index: new DocIndex(),
  nextId: 1,
  current: undefined as number | undefined,
  events: [] as PageEvent[],
  pending: new Map<number, (ev: EngineEvent) => void>(),
  loadWaiter: undefined as { resolve: (i: ModelInfo) => void; reject: (e: Error) => void } | undefined,
};

const log = (type: string, extra: Omit<PageEvent, 'type' | 't'> = {}) =>
  state.events.push({ type, t: performance.now(), ...extra });

// ---- status, progress ------------------------------------------------------------------------------

function setStatus(text: string, kind: 'info' | 'error' | 'ok' = 'info'): void {
  const s = $('status');
  s.textContent = text;
  s.dataset.kind = kind;
}

function setProgress(label: string, fraction: number | undefined): void {
  const bar = $<HTMLProgressElement>('progress');
  $('progress-box').hidden = false;
  $('progress-label').textContent = label;
  if (fraction === undefined) bar.removeAttribute('value');
  else bar.value = Math.max(0, Math.min(1, fraction));
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

// ---- worker ------------------------------------------------------------------------------------

function post(req: EngineRequest, transfer: Transferable[] = []): void {
  state.worker.postMessage(req, transfer);
}

state.worker.onmessage = (e: MessageEvent) => {
  const ev = e.data as EngineEvent;
  switch (ev.type) {
    case 'progress':
      if (ev.phase === 'prepare') setProgress(`Preparing weights ${ev.done}/${ev.total}`, ev.done / ev.total);
      else
        setProgress(
          ev.phase === 'parse' ? 'Parsing GGUF…' : `${ev.phase[0]!.toUpperCase()}${ev.phase.slice(1)}…`,
          undefined,
        );
      return;
    case 'loaded':
      state.loadWaiter?.resolve(ev.info);
      state.loadWaiter = undefined;
      return;
    case 'error':
      if (ev.id === undefined && state.loadWaiter) {
        state.loadWaiter.reject(new Error(ev.message));
        state.loadWaiter = undefined;
        return;
      }
      if (ev.id !== undefined && state.pending.has(ev.id)) {
        state.pending.get(ev.id)!(ev);
        return;
      }
      setStatus(ev.message, 'error');
      return;
    default:
      if ('id' in ev) state.pending.get(ev.id)?.(ev);
  }
};
state.worker.onerror = (e) => setStatus(`engine worker failed: ${e.message || 'script error'}`, 'error');

function threadsWanted(): number {
  const fromUrl = Number(params.get('threads'));
  if (Number.isInteger(fromUrl) && fromUrl > 0) return fromUrl;
  const input = Number($<HTMLInputElement>('threads').value);
  if (Number.isInteger(input) && input > 0) return input;
  return crossOriginIsolated ? Math.min(navigator.hardwareConcurrency || 1, 8) : 1;
}

/** Sends model bytes to the worker (transferred) and waits until it is ready. */
function loadBytes(name: string, bytes: Uint8Array): Promise<ModelInfo> {
  if (state.loadWaiter) state.loadWaiter.reject(new Error('superseded by another load'));
  const buf =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? (bytes.buffer as ArrayBuffer)
      : bytes.slice().buffer;
  return new Promise<ModelInfo>((resolve, reject) => {
    state.loadWaiter = { resolve, reject };
    post({ type: 'load', name, bytes: buf, threads: threadsWanted() }, [buf]);
  });
}

// ---- model loading -----------------------------------------------------------------------------

/** Fetches `url` with a progress bar (Content-Length when given). */
async function download(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${res.statusText}`);
  const total = Number(res.headers.get('content-length')) || 0;
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array(await res.arrayBuffer());
  const parts: Uint8Array[] = [];
  let got = 0;
  let out: Uint8Array | undefined = total > 0 ? new Uint8Array(total) : undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (out && got + value.length <= out.length) out.set(value, got);
    else {
      if (out) {
        parts.push(out.subarray(0, got));
        out = undefined;
      }
      parts.push(value);
    }
    got += value.length;
    setProgress(`Downloading ${mb(got)}${total ? ` of ${mb(total)}` : ''}`, total ? got / total : undefined);
  }
  if (out) {
    if (got !== out.length) throw new Error(`GET ${url}: got ${got} bytes, Content-Length said ${total}`);
    return out;
  }
  const all = new Uint8Array(got);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return all;
}

const isGguf = (b: Uint8Array) =>
  b.length >= 4 && b[0] === 0x47 && b[1] === 0x47 && b[2] === 0x55 && b[3] === 0x46;

/** Loads a model under cache key `key`, from the cache when present, else from `source()` (then cached). */
async function loadModel(key: string, source: () => Promise<Uint8Array>): Promise<void> {
  const t0 = performance.now();
  setBusy(true);
  try {
    let bytes = state.cache ? await state.cache.get(key) : undefined;
    const fromCache = bytes !== undefined;
    log(fromCache ? 'cache-hit' : 'cache-miss');
    if (!bytes) {
      bytes = await source();
      if (!isGguf(bytes)) throw new Error(`${key}: not a GGUF file (magic bytes are not "GGUF")`);
      if (state.cache) {
        setProgress(`Saving to ${state.cache.kind} cache…`, undefined);
        try {
          await state.cache.put(key, bytes);
        } catch (e) {
          setStatus(`could not cache the model: ${(e as Error).message}`, 'error');
        }
      }
      await refreshCacheList();
    } else setProgress(`Read ${mb(bytes.length)} from the ${state.cache!.kind} cache`, 1);
    const size = bytes.length;
    const info = await loadBytes(key, bytes);
    state.info = info;
    $('progress-box').hidden = true;
    document.body.dataset.model = 'loaded';
    $('model-name').textContent = key.split('/').pop() ?? key;
    $('model-meta').textContent =
      `${info.arch}, n_embd ${info.nEmbd}, ${info.nLayer} layers, ${mb(size)} · ${info.backend}` +
      (info.crossOriginIsolated ? '' : ' (not cross-origin isolated: one thread)');
    setStatus(
      `Loaded ${fromCache ? 'from cache ' : ''}in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      'ok',
    );
    log('loaded');
    clearChat();
  } catch (e) {
    $('progress-box').hidden = true;
    setStatus((e as Error).message, 'error');
    log('load-error');
  } finally {
    setBusy(false);
  }
}

async function refreshCacheList(): Promise<void> {
  const ul = $('cache-list');
  ul.textContent = '';
  if (!state.cache) return;
  const items = await state.cache.list();
  $('cache-kind').textContent = `(${state.cache.kind})`;
  if (items.length === 0) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = 'No cached models yet.';
    ul.append(li);
  }
  for (const m of items) {
    const li = document.createElement('li');
    li.dataset.key = m.key;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = m.key.split('/').pop() ?? m.key;
    name.title = m.key;
    const size = document.createElement('span');
    size.className = 'size';
    size.textContent = mb(m.bytes);
    const load = button('Load', () =>
      loadModel(m.key, () => Promise.reject(new Error(`${m.key} vanished from the cache`))),
    );
    load.className = 'load';
    const del = button('Delete', async () => {
      await state.cache!.delete(m.key);
      await refreshCacheList();
    });
    del.className = 'delete';
    li.append(name, size, load, del);
    ul.append(li);
  }
}

function button(label: string, onClick: () => unknown): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', () => void onClick());
  return b;
}

// ---- documents ---------------------------------------------------------------------------------

function docWorker(): Worker {
  if (state.docWorker) return state.docWorker;
  const w = new Worker(new URL('./doc-worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (e: MessageEvent) => {
    const r = e.data as DocParseReply;
    state.docPending.get(r.id)?.(r);
    state.docPending.delete(r.id);
  };
  w.onerror = (e) => {
    // a crashed worker fails every file it holds; the next document starts a fresh one
    const message = `document parser failed: ${e.message || 'script error'}`;
    for (const [id, done] of state.docPending) done({ id, ok: false, message });
    state.docPending.clear();
    w.terminate();
    if (state.docWorker === w) state.docWorker = undefined;
  };
  state.docWorker = w;
  return w;
}

/** Parses a file in the document worker (its bytes are transferred). */
async function parseInWorker(file: File): Promise<ParsedFile> {
  const bytes = await file.arrayBuffer();
  const id = state.nextId++;
  const reply = await new Promise<DocParseReply>((resolve) => {
    state.docPending.set(id, resolve);
    const req: DocParseRequest = { id, name: file.name, type: file.type, bytes };
    docWorker().postMessage(req, [bytes]);
  });
  if (!reply.ok) throw new Error(reply.message);
  return reply.doc;
}

/** Parses (in the worker) and indexes one document; a failure is listed under the documents, not thrown. */
async function addDocument(file: File): Promise<boolean> {
  state.docBusy++;
  document.body.dataset.docsPending = String(state.docBusy);
  try {
    const doc = await parseInWorker(file);
    state.index.remove(file.name);
    await state.index.addBlocks(file.name, doc.blocks, doc.title);
    state.docErrors.delete(file.name);
    $<HTMLInputElement>('use-docs').checked = true;
    return true;
  } catch (e) {
    const msg = (e as Error).message;
    state.docErrors.set(file.name, msg.startsWith(file.name) ? msg : `${file.name}: ${msg}`);
    return false;
  } finally {
    state.docBusy--;
    document.body.dataset.docsPending = String(state.docBusy);
    renderDocs();
  }
}

/** Indexes several documents (parsed one after another in the worker) and reports the outcome. */
async function addDocuments(files: File[]): Promise<void> {
  if (files.length === 0) return;
  setStatus(`Reading ${files.length} document${files.length === 1 ? '' : 's'}…`);
  const ok = await Promise.all(files.map(addDocument));
  const good = files.filter((_, i) => ok[i]);
  const bad = files.length - good.length;
  const passages = state.index.chunks.filter((c) => good.some((f) => f.name === c.source)).length;
  const msg =
    (good.length > 0
      ? `Indexed ${good.length === 1 ? good[0]!.name : `${good.length} documents`}: ${passages} passage${passages === 1 ? '' : 's'}`
      : 'No document indexed') + (bad > 0 ? `; ${bad} could not be read (see Documents)` : '');
  setStatus(msg, bad > 0 ? 'error' : 'ok');
}

function renderDocs(): void {
  const ul = $('docs-list');
  ul.textContent = '';
  for (const src of state.index.sources) {
    const li = document.createElement('li');
    const n = state.index.chunks.filter((c) => c.source === src).length;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = src;
    const meta = document.createElement('span');
    meta.className = 'size';
    const pages = new Set(state.index.chunks.filter((c) => c.source === src && c.page).map((c) => c.page));
    meta.textContent = `${n} passage${n === 1 ? '' : 's'}${pages.size > 0 ? ` · ${pages.size} page${pages.size === 1 ? '' : 's'}` : ''}`;
    li.append(
      name,
      meta,
      button('Remove', () => {
        state.index.remove(src);
        renderDocs();
      }),
    );
    ul.append(li);
  }
  $('docs-empty').hidden = state.index.chunks.length > 0 || state.docErrors.size > 0;
  document.body.dataset.docs = String(state.index.chunks.length);
  const errs = $('docs-errors');
  errs.textContent = '';
  for (const [name, message] of state.docErrors) {
    const li = document.createElement('li');
    li.dataset.name = name;
    const text = document.createElement('span');
    text.className = 'message';
    text.textContent = message;
    li.append(
      text,
      button('Dismiss', () => {
        state.docErrors.delete(name);
        renderDocs();
      }),
    );
    errs.append(li);
  }
  document.body.dataset.docErrors = String(state.docErrors.size);
}

async function handleFiles(files: FileList | File[]): Promise<void> {
  const docs: File[] = [];
  for (const f of Array.from(files)) {
    const head = new Uint8Array(await f.slice(0, 4).arrayBuffer());
    if (isGguf(head) || f.name.toLowerCase().endsWith('.gguf')) {
      await loadModel(`file:${f.name}:${f.size}`, async () => new Uint8Array(await f.arrayBuffer()));
    } else docs.push(f);
  }
  await addDocuments(docs);
}

// ---- chat --------------------------------------------------------------------------------------

function clearChat(): void {
  $('log').textContent = '';
  post({ type: 'reset', system: systemPrompt() });
}

function systemPrompt(): string | undefined {
  const s = $<HTMLTextAreaElement>('system').value.trim();
  return s || undefined;
}

function addMessage(role: 'user' | 'assistant', text: string): HTMLElement {
  const div = document.createElement('div');
  div.className = `msg ${role}`;
  const body = document.createElement('div');
  body.className = 'body';
  body.textContent = text;
  div.append(body);
  $('log').append(div);
  div.scrollIntoView({ block: 'end' });
  return div;
}

function setBusy(busy: boolean): void {
  $<HTMLButtonElement>('send').disabled = busy || !state.info;
  $<HTMLButtonElement>('stop').disabled = !busy || state.current === undefined;
  document.body.dataset.busy = busy ? '1' : '0';
}

const tps = (n: number, ms: number) => (ms > 0 ? ((n * 1000) / ms).toFixed(1) : '–');

/** Streams one request's tokens into `body`; resolves with the result. */
function stream(req: EngineRequest & { id: number }, body: HTMLElement, stats: HTMLElement) {
  return new Promise<EngineResult>((resolve, reject) => {
    let first = 0;
    let n = 0;
    const t0 = performance.now();
    state.pending.set(req.id, (ev) => {
      if (ev.type === 'token') {
        if (n === 0) {
          first = performance.now();
          body.textContent = '';
        }
        n = ev.n;
        body.textContent += ev.text;
        log('token', { id: req.id, n: ev.n });
        const el = performance.now() - first;
        stats.textContent = `${n} tokens · ${n > 1 ? tps(n - 1, el) : '–'} tok/s`;
        $('tps').textContent = n > 1 ? `${tps(n - 1, el)} tok/s` : '';
        body.parentElement?.scrollIntoView({ block: 'end' });
      } else if (ev.type === 'done') {
        state.pending.delete(req.id);
        const r = ev.result;
        stats.textContent =
          `${r.genTokens} tokens · ${tps(r.genTokens, r.genMs)} tok/s · prompt ${r.promptTokens} tokens at ` +
          `${tps(r.promptTokens, r.promptMs)} tok/s · ${((performance.now() - t0) / 1000).toFixed(1)} s` +
          (r.finishReason === 'abort' ? ' · stopped' : r.finishReason === 'length' ? ' · length limit' : '');
        $('tps').textContent = `${tps(r.genTokens, r.genMs)} tok/s`;
        log('done', { id: req.id, n: r.genTokens });
        resolve(r);
      } else if (ev.type === 'error') {
        state.pending.delete(req.id);
        reject(new Error(ev.message));
      }
    });
    post(req);
  });
}

function genOpts() {
  const temp = Number($<HTMLInputElement>('temperature').value);
  const max = Number($<HTMLInputElement>('max-tokens').value);
  const seed = params.get('seed');
  return {
    temperature: Number.isFinite(temp) ? temp : 0.7,
    maxTokens: Number.isInteger(max) && max > 0 ? max : 256,
    seed: seed ? Number(seed) : undefined,
  };
}

async function send(): Promise<void> {
  const input = $<HTMLTextAreaElement>('prompt');
  const text = input.value.trim();
  if (!text || !state.info || state.current !== undefined) return;
  input.value = '';
  addMessage('user', text);
  const msg = addMessage('assistant', '…');
  const body = msg.querySelector('.body') as HTMLElement;
  const stats = document.createElement('div');
  stats.className = 'stats';
  msg.append(stats);
  const id = state.nextId++;
  state.current = id;
  setBusy(true);
  try {
    const useDocs = $<HTMLInputElement>('use-docs').checked && state.index.chunks.length > 0;
    if (!useDocs) {
      msg.dataset.kind = 'chat';
      const nCtx = Number($<HTMLInputElement>('n-ctx').value) || 2048;
      await stream({ type: 'chat', id, text, system: systemPrompt(), nCtx, opts: genOpts() }, body, stats);
    } else {
      msg.dataset.kind = 'rag';
      await answerFromDocs(id, text, msg, body, stats);
    }
    msg.dataset.done = '1';
  } catch (e) {
    body.textContent = `Error: ${(e as Error).message}`;
    msg.dataset.done = 'error';
  } finally {
    state.current = undefined;
    setBusy(false);
  }
}

/** Retrieval, numbered sources in the prompt, a one-shot answer, then [n] citations linked to passages. */
async function answerFromDocs(
  id: number,
  question: string,
  msg: HTMLElement,
  body: HTMLElement,
  stats: HTMLElement,
): Promise<void> {
  const hits = await state.index.search(question, 4);
  if (hits.length === 0) {
    body.textContent = 'Not found in your documents (no passage matches the question).';
    return;
  }
  const budget = Math.max(128, Math.min(1500, Math.floor((state.info!.nCtxTrain - 400) * 0.6)));
  const used: DocHit[] = [];
  const parts: string[] = [];
  let spent = 0;
  for (const h of hits) {
    const c = h.chunk;
    const where = `${chunkLocation(c)}${c.headingPath ? `; ${c.headingPath}` : ''}`;
    const part = `[${used.length + 1}] ${c.title && c.title !== c.source ? `${c.title} — ` : ''}${c.source} (${where})\n${c.text}`;
    const t = approxTokenCount(part) + 2;
    if (spent + t > budget) continue;
    parts.push(part);
    used.push(h);
    spent += t;
  }
  if (used.length === 0) {
    body.textContent = 'Not found in your documents (no passage fits the context).';
    return;
  }
  const messages = buildMessages(question, parts.join('\n\n'), DEFAULT_INSTRUCTION);
  const opts = { ...genOpts(), temperature: 0 };
  const r = await stream({ type: 'complete', id, messages, opts }, body, stats);
  renderGroundedAnswer(document, msg, body, r.text, used, id);
}

function stop(): void {
  if (state.current !== undefined) post({ type: 'stop', id: state.current });
  log('stop');
}

// ---- wiring ------------------------------------------------------------------------------------

async function loadFromUrl(url: string): Promise<void> {
  const abs = new URL(url, location.href).href;
  await loadModel(abs, () => download(abs));
}

function wire(): void {
  $('load-url').addEventListener('click', () => {
    const u = $<HTMLInputElement>('model-url').value.trim();
    if (u) void loadFromUrl(u);
  });
  $<HTMLInputElement>('model-file').addEventListener('change', (e) => {
    const files = (e.target as HTMLInputElement).files;
    if (files) void handleFiles(files);
  });
  $<HTMLInputElement>('doc-file').addEventListener('change', (e) => {
    const files = (e.target as HTMLInputElement).files;
    if (files) void handleFiles(files);
  });
  $('send').addEventListener('click', () => void send());
  $('stop').addEventListener('click', stop);
  $('new-chat').addEventListener('click', clearChat);
  $<HTMLTextAreaElement>('prompt').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void send();
    }
  });
  const zone = document.body;
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) zone.classList.remove('dragging');
  });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    if (e.dataTransfer?.files.length) void handleFiles(e.dataTransfer.files);
  });
  $<HTMLInputElement>('threads').placeholder = String(
    crossOriginIsolated ? Math.min(navigator.hardwareConcurrency || 1, 8) : 1,
  );
  $('isolation').textContent = crossOriginIsolated
    ? `cross-origin isolated · ${navigator.hardwareConcurrency || 1} cores`
    : 'not cross-origin isolated · one thread';
}

async function listServerModels(): Promise<void> {
  try {
    const res = await fetch('/api/models');
    if (!res.ok) return;
    const list = (await res.json()) as { name: string; url: string; bytes: number }[];
    const dl = $('server-models');
    for (const m of list) {
      const o = document.createElement('option');
      o.value = m.url;
      o.label = `${m.name} (${mb(m.bytes)})`;
      dl.append(o);
    }
    if (list.length > 0 && !$<HTMLInputElement>('model-url').value)
      $<HTMLInputElement>('model-url').value = list[0]!.url;
  } catch {
    // not served by `pocketlm web`: no list
  }
}

/** What tests and the benchmark use. */
const api = {
  events: state.events,
  get info() {
    return state.info;
  },
  get cacheKind() {
    return state.cache?.kind;
  },
  loadFromUrl,
  /** Indexed passages (what retrieval searches). */
  get docChunks() {
    return state.index.chunks.map((c) => ({ ...c }));
  },
  /** Benchmarks the loaded model in the worker. */
  bench(prompt: number, gen: number, runs: number) {
    const id = state.nextId++;
    return new Promise((resolve, reject) => {
      state.pending.set(id, (ev) => {
        state.pending.delete(id);
        if (ev.type === 'bench') resolve(ev.result);
        else if (ev.type === 'error') reject(new Error(ev.message));
      });
      post({ type: 'bench', id, prompt, gen, runs });
    });
  },
};
(globalThis as { pocketlm?: typeof api }).pocketlm = api;

async function main(): Promise<void> {
  wire();
  setBusy(false);
  renderDocs();
  state.cache = await openModelCache(params.get('cache') === 'indexeddb' ? 'indexeddb' : undefined);
  await refreshCacheList();
  await listServerModels();
  document.body.dataset.ready = '1';
  // The parser worker fetches its code (and PDF.js) now, so documents dropped later parse offline too.
  docWorker();
  const m = params.get('model');
  if (m) {
    $<HTMLInputElement>('model-url').value = m;
    await loadFromUrl(m);
  } else setStatus('Load a GGUF model: pick a file, drop it here, or give a URL.');
}

void main().catch((e: Error) => setStatus(e.message, 'error'));
