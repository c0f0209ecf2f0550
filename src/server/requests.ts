// Validation of OpenAI-shaped request bodies: every bad field gets a 400 naming the parameter.

/** An error the API returns as OpenAI-shaped JSON with this HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

export interface SamplingRequest {
  model?: string;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
  frequencyPenalty?: number;
  presencePenalty?: number;
  stream: boolean;
  includeUsage: boolean;
  responseFormat?: { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; schema: unknown };
}

const bad = (param: string, msg: string) =>
  new ApiError(400, `${param}: ${msg}`, 'invalid_request_error', param, 'invalid_value');

function obj(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(400, 'request body must be a JSON object');
  return body as Record<string, unknown>;
}

function optNum(
  b: Record<string, unknown>,
  k: string,
  min: number,
  max: number,
  int = false,
): number | undefined {
  const v = b[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || (int && !Number.isInteger(v)))
    throw bad(k, `must be ${int ? 'an integer' : 'a number'}`);
  if (v < min || v > max) throw bad(k, `must be between ${min} and ${max}, got ${v}`);
  return v;
}

function sampling(b: Record<string, unknown>): SamplingRequest {
  const n = optNum(b, 'n', 1, 1, true);
  void n;
  const stopRaw = b.stop;
  let stop: string[] | undefined;
  if (typeof stopRaw === 'string') stop = [stopRaw];
  else if (Array.isArray(stopRaw)) {
    if (stopRaw.length > 4 || !stopRaw.every((s) => typeof s === 'string' && s.length > 0))
      throw bad('stop', 'must be a non-empty string or up to 4 of them');
    stop = stopRaw as string[];
  } else if (stopRaw !== undefined && stopRaw !== null)
    throw bad('stop', 'must be a string or an array of strings');
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean')
    throw bad('stream', 'must be a boolean');
  const so = b.stream_options;
  if (so !== undefined && so !== null && (typeof so !== 'object' || Array.isArray(so)))
    throw bad('stream_options', 'must be an object');
  let responseFormat: SamplingRequest['responseFormat'];
  const rf = b.response_format as Record<string, unknown> | undefined | null;
  if (rf !== undefined && rf !== null) {
    if (typeof rf !== 'object' || Array.isArray(rf)) throw bad('response_format', 'must be an object');
    if (rf.type === 'text') responseFormat = { type: 'text' };
    else if (rf.type === 'json_object') responseFormat = { type: 'json_object' };
    else if (rf.type === 'json_schema') {
      const js = rf.json_schema as Record<string, unknown> | undefined;
      if (!js || typeof js !== 'object' || typeof js.schema !== 'object' || js.schema === null) {
        throw bad('response_format.json_schema.schema', 'must be a JSON schema object');
      }
      responseFormat = { type: 'json_schema', schema: js.schema };
    } else throw bad('response_format.type', 'must be "text", "json_object" or "json_schema"');
  }
  return {
    model: typeof b.model === 'string' ? b.model : undefined,
    maxTokens: optNum(b, 'max_completion_tokens', 0, 1e6, true) ?? optNum(b, 'max_tokens', 0, 1e6, true),
    temperature: optNum(b, 'temperature', 0, 2),
    topP: optNum(b, 'top_p', 0, 1),
    seed: optNum(b, 'seed', -(2 ** 53), 2 ** 53, true),
    frequencyPenalty: optNum(b, 'frequency_penalty', -2, 2),
    presencePenalty: optNum(b, 'presence_penalty', -2, 2),
    stop,
    stream: b.stream === true,
    includeUsage: !!(so as Record<string, unknown> | undefined)?.include_usage,
    responseFormat,
  };
}

function checkModel(b: Record<string, unknown>, modelId: string) {
  if (b.model !== undefined && typeof b.model !== 'string') throw bad('model', 'must be a string');
  void modelId; // any model name is accepted: one model is served
}

export function parseChatRequest(body: unknown, modelId: string) {
  const b = obj(body);
  checkModel(b, modelId);
  const msgs = b.messages;
  if (!Array.isArray(msgs) || msgs.length === 0) throw bad('messages', 'must be a non-empty array');
  const messages = msgs.map((m, i) => {
    if (typeof m !== 'object' || m === null) throw bad(`messages[${i}]`, 'must be an object');
    const r = m as Record<string, unknown>;
    if (
      typeof r.role !== 'string' ||
      !['system', 'user', 'assistant', 'developer', 'tool'].includes(r.role)
    ) {
      throw bad(`messages[${i}].role`, 'must be one of system, user, assistant, developer, tool');
    }
    let content = r.content;
    if (Array.isArray(content)) {
      // text parts only
      content = content
        .map((p, j) => {
          if (typeof p !== 'object' || p === null || (p as Record<string, unknown>).type !== 'text') {
            throw bad(`messages[${i}].content[${j}]`, 'only text content parts are supported');
          }
          return String((p as Record<string, unknown>).text ?? '');
        })
        .join('');
    }
    if (typeof content !== 'string') throw bad(`messages[${i}].content`, 'must be a string');
    return { role: r.role === 'developer' ? 'system' : r.role, content };
  });
  return { ...sampling(b), messages };
}

export function parseCompletionRequest(body: unknown, modelId: string) {
  const b = obj(body);
  checkModel(b, modelId);
  let p = b.prompt;
  if (Array.isArray(p)) {
    if (p.length !== 1 || typeof p[0] !== 'string')
      throw bad('prompt', 'must be a string (or an array of exactly one string)');
    p = p[0];
  }
  if (typeof p !== 'string') throw bad('prompt', 'must be a string');
  return { ...sampling(b), prompt: p };
}

export function parseEmbeddingRequest(body: unknown) {
  const b = obj(body);
  let input = b.input;
  if (typeof input === 'string') input = [input];
  if (
    !Array.isArray(input) ||
    input.length === 0 ||
    input.length > 256 ||
    !input.every((s) => typeof s === 'string')
  ) {
    throw bad('input', 'must be a string or an array of 1..256 strings');
  }
  const fmt = b.encoding_format ?? 'float';
  if (fmt !== 'float' && fmt !== 'base64') throw bad('encoding_format', 'must be "float" or "base64"');
  return { input: input as string[], encodingFormat: fmt as 'float' | 'base64' };
}
