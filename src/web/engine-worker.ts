// The engine Web Worker: loads a GGUF from bytes, chats with streamed tokens, stops on request, benchmarks.

import type { ChatSession } from '../engine/chat-session.js';
import { PocketModel } from '../engine/pocket-model.js';
import { loadGgufModel } from '../format/gguf-model.js';
import { parseGguf } from '../format/gguf-read.js';
import type { GenerationChunk, GenerationResult } from '../generate/generate.js';
import { benchModel } from './bench-core.js';
import type { EngineEvent, EngineRequest, EngineResult, WebGenOptions } from './engine-protocol.js';
import { canUseThreads, createWebBackend } from './spawner.js';

interface WorkerScope {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(msg: unknown): void;
}
const scope = globalThis as unknown as WorkerScope;

// The generation loop yields with setImmediate between tokens (so a stop message can arrive); workers lack
// it, and setTimeout(0) is clamped to 4 ms once nested, so a MessageChannel provides the same macrotask.
installSetImmediate();

let model: PocketModel | undefined;
let chat: ChatSession | undefined;
let chatSystem: string | undefined;
let chatCtx = 0;
const running = new Map<number, AbortController>();

const send = (ev: EngineEvent) => scope.postMessage(ev);

scope.onmessage = (e: MessageEvent) => {
  const req = e.data as EngineRequest;
  handle(req).catch((err: unknown) => {
    const id = 'id' in req ? req.id : undefined;
    send({ type: 'error', id, message: err instanceof Error ? err.message : String(err) });
  });
};

async function handle(req: EngineRequest): Promise<void> {
  switch (req.type) {
    case 'load':
      return load(req.name, req.bytes, req.threads);
    case 'chat': {
      const m = need();
      const nCtx = Math.min(m.config.nCtxTrain, req.nCtx ?? 2048);
      if (!chat || chatSystem !== req.system || chatCtx !== nCtx) {
        chat = m.createChat({ system: req.system, nCtx });
        chatSystem = req.system;
        chatCtx = nCtx;
      }
      return run(req.id, chat.send(req.text, genOptions(req.opts, req.id)));
    }
    case 'complete': {
      const m = need();
      const prompt = m.applyChatTemplate(req.messages as never, true);
      // Add BOS only when the vocabulary wants one and the template did not already write it.
      const v = m.tokenizer.vocab;
      const bos = v.bosId !== null ? v.tokens[v.bosId]! : '';
      const addBos = v.addBos && !(bos && prompt.startsWith(bos));
      return run(req.id, m.stream(prompt, { ...genOptions(req.opts, req.id), addBos }));
    }
    case 'stop':
      running.get(req.id)?.abort();
      return;
    case 'reset':
      chat?.reset();
      chat = undefined;
      chatSystem = req.system;
      return;
    case 'count': {
      const m = need();
      const counts = req.texts.map((t) => m.tokenize(t, { addBos: false, parseSpecial: false }).length);
      send({ type: 'counted', id: req.id, counts });
      return;
    }
    case 'bench': {
      const m = need();
      const r = benchModel(m, req.prompt, req.gen, req.runs);
      const threads = (m.transformer.backend as { threads?: number }).threads ?? 1;
      send({ type: 'bench', id: req.id, result: { backend: m.backendName, threads, ...r } });
      return;
    }
  }
}

function need(): PocketModel {
  if (!model) throw new Error('no model loaded: load a GGUF file first');
  return model;
}

function genOptions(o: WebGenOptions, id: number) {
  const ctl = new AbortController();
  running.set(id, ctl);
  return {
    maxTokens: o.maxTokens ?? 256,
    temperature: o.temperature ?? 0.7,
    topK: o.topK,
    topP: o.topP,
    seed: o.seed,
    signal: ctl.signal,
  };
}

async function load(name: string, buf: ArrayBuffer, threads: number): Promise<void> {
  const t0 = performance.now();
  chat = undefined;
  model?.dispose();
  model = undefined;
  send({ type: 'progress', phase: 'parse', done: 0, total: 1 });
  const file = parseGguf(new Uint8Array(buf), name);
  const loaded = loadGgufModel(file);
  send({
    type: 'progress',
    phase: `starting ${threads} kernel thread${threads > 1 ? 's' : ''}`,
    done: 0,
    total: 1,
  });
  const backend = await createWebBackend(Math.max(1, threads), 'auto', (stage) =>
    send({ type: 'progress', phase: stage, done: 0, total: 1 }),
  );
  model = await PocketModel.fromLoaded(loaded, {
    backend,
    onProgress: (p) => send({ type: 'progress', phase: p.phase, done: p.done, total: p.total }),
  });
  const c = model.config;
  send({
    type: 'loaded',
    info: {
      name,
      arch: c.arch,
      backend: model.backendName,
      threads: (backend as { threads?: number }).threads ?? 1,
      crossOriginIsolated: canUseThreads(),
      nEmbd: c.nEmbd,
      nLayer: c.nLayer,
      nVocab: c.nVocab,
      nCtxTrain: c.nCtxTrain,
      loadMs: performance.now() - t0,
    },
  });
}

async function run(id: number, it: AsyncGenerator<GenerationChunk, GenerationResult>): Promise<void> {
  let n = 0;
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) {
        const t = r.value.timings;
        const result: EngineResult = {
          text: r.value.text,
          finishReason: r.value.finishReason,
          promptTokens: t.prompt_tokens,
          promptMs: t.prompt_ms,
          genTokens: t.gen_tokens,
          genMs: t.gen_ms,
        };
        send({ type: 'done', id, result });
        return;
      }
      n++;
      if (r.value.text) send({ type: 'token', id, text: r.value.text, n });
    }
  } finally {
    running.delete(id);
  }
}

function installSetImmediate(): void {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return;
  const ch = new MessageChannel();
  const queue: Array<() => void> = [];
  ch.port1.onmessage = () => queue.shift()?.();
  g.setImmediate = (fn: () => void) => {
    queue.push(fn);
    ch.port2.postMessage(0);
  };
}
