// The OpenAI-compatible HTTP API (Hono): chat/completions, completions, embeddings, models, health, and a
// retrieval endpoint; bounded queue, body limits, timeouts, bearer keys, CORS, OpenAI-shaped errors.
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { streamSSE } from 'hono/streaming';
import type { PocketModel } from '../engine/pocket-model.js';
import type { GenerationResult } from '../generate/generate.js';
import { type JsonSchema, jsonSchemaConstraint } from '../generate/json-schema.js';
import { Gate } from './gate.js';
import {
  ApiError,
  parseChatRequest,
  parseCompletionRequest,
  parseEmbeddingRequest,
  type SamplingRequest,
} from './requests.js';

/** Server settings (defaults in parentheses). */
export interface ServerOptions {
  /** Name reported as the model id (file name). */
  modelId: string;
  /** Bearer keys accepted; none = open (loopback default bind keeps it local). */
  apiKeys?: string[];
  /** Allowed CORS origins ('*' or a list); none = no CORS headers. */
  corsOrigins?: string | string[];
  /**
   * Generations running at once (4). Their decode steps are batched: one forward pass per step serves all
   * running requests (weights streamed once), so throughput grows with concurrency.
   */
  maxConcurrent?: number;
  /** Requests waiting beyond those (32); more get 429. */
  maxQueue?: number;
  /** Largest max_tokens accepted (4096) and the default when absent (512). */
  maxTokens?: number;
  defaultMaxTokens?: number;
  /** Request body limit in bytes (1 MiB). */
  maxBodyBytes?: number;
  /** Per-request time limit in ms (300 000). */
  timeoutMs?: number;
  /** Embeddings: a function from texts to vectors (default: the model's pooled hidden states). */
  embed?: (texts: string[]) => Promise<Float32Array[]>;
  /** Retrieval: answers a question from the knowledge base with citations. */
  answer?: (question: string, opts: { k?: number; signal: AbortSignal }) => Promise<unknown>;
}

const now = () => Math.floor(Date.now() / 1000);
let seq = 0;
const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}${(seq++).toString(36)}`;

function errorBody(
  status: number,
  message: string,
  type: string,
  param: string | null = null,
  code: string | null = null,
) {
  return { error: { message, type, param, code }, status };
}

/** Builds the Hono app (served by `serve()`, or called directly with `app.request()` in tests). */
export function createApp(model: PocketModel, opts: ServerOptions) {
  const app = new Hono();
  const gate = new Gate(opts.maxConcurrent ?? 4, opts.maxQueue ?? 32);
  const scheduler = model.createDecodeScheduler(opts.maxConcurrent ?? 4);
  const maxTokens = opts.maxTokens ?? 4096;
  const defaultMaxTokens = opts.defaultMaxTokens ?? 512;
  const timeoutMs = opts.timeoutMs ?? 300_000;

  app.onError((err, c) => {
    if (err instanceof ApiError) {
      const b = errorBody(err.status, err.message, err.type, err.param, err.code);
      return c.json({ error: b.error }, err.status as 400);
    }
    const b = errorBody(500, err instanceof Error ? err.message : String(err), 'server_error');
    return c.json({ error: b.error }, 500);
  });
  app.notFound((c) =>
    c.json(
      { error: errorBody(404, `no route for ${c.req.method} ${c.req.path}`, 'invalid_request_error').error },
      404,
    ),
  );

  if (opts.corsOrigins)
    app.use('*', cors({ origin: opts.corsOrigins, allowHeaders: ['Authorization', 'Content-Type'] }));
  app.get('/health', (c) =>
    c.json({ status: 'ok', model: opts.modelId, running: gate.running, queued: gate.queued }),
  );

  const keys = opts.apiKeys?.filter(Boolean) ?? [];
  if (keys.length) {
    app.use('/v1/*', async (c, next) => {
      const h = c.req.header('authorization') ?? '';
      const m = /^Bearer\s+(.+)$/i.exec(h);
      if (!m || !keys.includes(m[1]!.trim())) {
        throw new ApiError(
          401,
          'invalid or missing API key (send "Authorization: Bearer KEY")',
          'invalid_request_error',
          null,
          'invalid_api_key',
        );
      }
      await next();
    });
  }
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: opts.maxBodyBytes ?? 1 << 20,
      onError: () => {
        throw new ApiError(
          413,
          `request body exceeds ${opts.maxBodyBytes ?? 1 << 20} bytes`,
          'invalid_request_error',
        );
      },
    }),
  );

  app.get('/v1/models', (c) =>
    c.json({
      object: 'list',
      data: [{ id: opts.modelId, object: 'model', created: now(), owned_by: 'pocketlm' }],
    }),
  );
  app.get('/v1/models/:id', (c) => {
    if (c.req.param('id') !== opts.modelId)
      throw new ApiError(
        404,
        `model "${c.req.param('id')}" not found`,
        'invalid_request_error',
        'model',
        'model_not_found',
      );
    return c.json({ id: opts.modelId, object: 'model', created: now(), owned_by: 'pocketlm' });
  });

  async function readJson(c: Context): Promise<unknown> {
    const type = c.req.header('content-type') ?? '';
    if (!/application\/json/i.test(type))
      throw new ApiError(
        415,
        `expected Content-Type: application/json, got "${type || 'none'}"`,
        'invalid_request_error',
      );
    const text = await c.req.text();
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new ApiError(
        400,
        `request body is not valid JSON: ${(e as Error).message}`,
        'invalid_request_error',
      );
    }
  }

  /** Runs one generation under the gate with client-disconnect and timeout cancellation. */
  async function withSlot<T>(
    c: Context,
    fn: (signal: AbortSignal) => Promise<T>,
    ctl = new AbortController(),
  ): Promise<T> {
    const reqSignal = c.req.raw.signal;
    const onAbort = () => ctl.abort();
    reqSignal?.addEventListener('abort', onAbort);
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    try {
      return await gate.run(ctl.signal, () => fn(ctl.signal));
    } finally {
      clearTimeout(timer);
      reqSignal?.removeEventListener('abort', onAbort);
    }
  }

  function sampling(r: SamplingRequest, signal: AbortSignal) {
    const max = r.maxTokens ?? defaultMaxTokens;
    if (max > maxTokens)
      throw new ApiError(
        400,
        `max_tokens ${max} exceeds this server's limit of ${maxTokens}`,
        'invalid_request_error',
        'max_tokens',
      );
    let constraint: ReturnType<typeof jsonSchemaConstraint> | undefined;
    if (r.responseFormat?.type === 'json_object')
      constraint = jsonSchemaConstraint(model, { type: 'object' });
    else if (r.responseFormat?.type === 'json_schema')
      constraint = jsonSchemaConstraint(model, r.responseFormat.schema as JsonSchema);
    return {
      maxTokens: max,
      temperature: r.temperature ?? 1,
      topP: r.topP,
      topK: 0,
      minP: 0,
      seed: r.seed,
      stop: r.stop,
      frequencyPenalty: r.frequencyPenalty,
      presencePenalty: r.presencePenalty,
      signal,
      constraint,
    };
  }

  const finish = (r: GenerationResult) => (r.finishReason === 'length' ? 'length' : 'stop');
  const usage = (r: GenerationResult) => ({
    prompt_tokens: r.timings.prompt_tokens,
    completion_tokens: r.tokens.length,
    total_tokens: r.timings.prompt_tokens + r.tokens.length,
  });

  async function complete(c: Context, prompt: string, req: SamplingRequest, chat: boolean) {
    const id = newId(chat ? 'chatcmpl' : 'cmpl');
    const created = now();
    const tokens = model.tokenize(prompt, { addBos: !chat, parseSpecial: chat });
    const ctxMax = model.config.nCtxTrain;
    if (tokens.length >= ctxMax) {
      throw new ApiError(
        400,
        `prompt is ${tokens.length} tokens; this model's context is ${ctxMax}`,
        'invalid_request_error',
        chat ? 'messages' : 'prompt',
        'context_length_exceeded',
      );
    }
    if (!req.stream) {
      const r = await withSlot(c, (signal) => {
        const s = sampling(req, signal);
        return model.complete(tokens, {
          ...s,
          scheduler,
          nCtx: Math.min(ctxMax, tokens.length + s.maxTokens + 1),
        });
      });
      if (chat) {
        return c.json({
          id,
          object: 'chat.completion',
          created,
          model: opts.modelId,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: r.text },
              finish_reason: finish(r),
              logprobs: null,
            },
          ],
          usage: usage(r),
        });
      }
      return c.json({
        id,
        object: 'text_completion',
        created,
        model: opts.modelId,
        choices: [{ index: 0, text: r.text, finish_reason: finish(r), logprobs: null }],
        usage: usage(r),
      });
    }
    return streamSSE(c, async (stream) => {
      const chunk = (
        delta: Record<string, unknown>,
        finishReason: string | null,
        extra: Record<string, unknown> = {},
      ) =>
        chat
          ? {
              id,
              object: 'chat.completion.chunk',
              created,
              model: opts.modelId,
              choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
              ...extra,
            }
          : {
              id,
              object: 'text_completion',
              created,
              model: opts.modelId,
              choices: [
                {
                  index: 0,
                  text: (delta.content as string) ?? '',
                  finish_reason: finishReason,
                  logprobs: null,
                },
              ],
              ...extra,
            };
      const ctl = new AbortController();
      stream.onAbort(() => ctl.abort());
      try {
        const r = await withSlot(
          c,
          async (signal) => {
            if (chat)
              await stream.writeSSE({
                data: JSON.stringify(chunk({ role: 'assistant', content: '' }, null)),
              });
            const s = sampling(req, signal);
            return model.complete(
              tokens,
              { ...s, scheduler, nCtx: Math.min(ctxMax, tokens.length + s.maxTokens + 1) },
              (piece) => {
                if (piece.text)
                  void stream.writeSSE({ data: JSON.stringify(chunk({ content: piece.text }, null)) });
              },
            );
          },
          ctl,
        );
        await stream.writeSSE({
          data: JSON.stringify(chunk({}, finish(r), req.includeUsage ? { usage: usage(r) } : {})),
        });
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError(500, (e as Error).message, 'server_error');
        await stream.writeSSE({
          data: JSON.stringify({
            error: { message: err.message, type: err.type, param: err.param, code: err.code },
          }),
        });
      }
      await stream.writeSSE({ data: '[DONE]' });
    });
  }

  app.post('/v1/chat/completions', async (c) => {
    const req = parseChatRequest(await readJson(c), opts.modelId);
    const prompt = model.applyChatTemplate(req.messages, true);
    return complete(c, prompt, req, true);
  });

  app.post('/v1/completions', async (c) => {
    const req = parseCompletionRequest(await readJson(c), opts.modelId);
    return complete(c, req.prompt, req, false);
  });

  app.post('/v1/embeddings', async (c) => {
    const req = parseEmbeddingRequest(await readJson(c));
    const vectors = await withSlot(c, async () =>
      opts.embed ? opts.embed(req.input) : req.input.map((t) => model.embed(t)),
    );
    let tokens = 0;
    for (const t of req.input) tokens += model.tokenize(t, { addBos: true, parseSpecial: false }).length;
    return c.json({
      object: 'list',
      model: opts.modelId,
      data: vectors.map((v, index) => ({
        object: 'embedding',
        index,
        embedding:
          req.encodingFormat === 'base64'
            ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')
            : Array.from(v),
      })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  });

  app.post('/v1/rag/answer', async (c) => {
    if (!opts.answer)
      throw new ApiError(404, 'no knowledge base: start the server with --db FILE', 'invalid_request_error');
    const body = (await readJson(c)) as Record<string, unknown>;
    if (typeof body?.question !== 'string' || !body.question.trim()) {
      throw new ApiError(400, '"question" must be a non-empty string', 'invalid_request_error', 'question');
    }
    const k = body.k === undefined ? undefined : Number(body.k);
    if (k !== undefined && (!Number.isInteger(k) || k < 1 || k > 50))
      throw new ApiError(400, '"k" must be an integer in 1..50', 'invalid_request_error', 'k');
    return c.json(
      (await withSlot(c, (signal) => opts.answer!(body.question as string, { k, signal }))) as object,
    );
  });

  return { app, gate };
}
