// Multi-turn chat that keeps the KV cache: each turn evaluates only the new text, never re-tokenizing history.
import type { GenerateOptions, GenerationChunk, GenerationResult } from '../generate/generate.js';
import { generate } from '../generate/generate.js';
import type { KvType } from '../model/kv-cache.js';
import type { InferenceContext } from '../model/transformer.js';
import type { ChatMessage } from '../tokenizer/chat-template.js';
import type { PocketModel } from './pocket-model.js';

export interface ChatSessionOptions {
  /** System prompt (first message). */
  system?: string;
  /** Context size in tokens (default: the model's training context, at most 4096). */
  nCtx?: number;
  /** KV cache precision ('f16' default; 'q8_0' halves the cache's memory). */
  kvType?: KvType;
}

/**
 * A conversation. The cache holds exactly the tokens evaluated so far (prompt pieces and the tokens the
 * model generated), so each turn only evaluates the rendered suffix that the template adds after the
 * last reply: closing tags, the new user message and the assistant header.
 */
export class ChatSession {
  readonly messages: ChatMessage[] = [];
  private readonly ctx: InferenceContext;
  /** The rendered prompt text that corresponds to the cache contents. */
  private renderedPrefix = '';
  private started = false;
  /** Token ids in the cache, in order (prompt pieces and replies). */
  readonly history: number[] = [];

  constructor(
    private readonly model: PocketModel,
    opts: ChatSessionOptions = {},
  ) {
    this.ctx = model.createContext({
      nCtx: opts.nCtx ?? Math.min(model.config.nCtxTrain, 4096),
      kvType: opts.kvType,
    });
    if (opts.system) this.messages.push({ role: 'system', content: opts.system });
  }

  /** Tokens held in the KV cache. */
  get cachedTokens(): number {
    return this.ctx.nPast;
  }

  /** Sends a user message and streams the reply; the iterator's return value is the full result. */
  async *send(
    content: string,
    opts: GenerateOptions = {},
  ): AsyncGenerator<GenerationChunk, GenerationResult> {
    this.messages.push({ role: 'user', content });
    const full = this.model.applyChatTemplate(this.messages, true);
    if (!full.startsWith(this.renderedPrefix)) {
      // The template rewrote earlier turns (some do): start over from the full prompt.
      this.ctx.truncate(0);
      this.history.length = 0;
      this.renderedPrefix = '';
      this.started = false;
    }
    const suffix = full.slice(this.renderedPrefix.length);
    const { vocab } = this.model.tokenizer;
    // The template usually emits bos_token itself; only add BOS when it does not and the vocab wants one.
    const bosText = vocab.bosId !== null ? vocab.tokens[vocab.bosId]! : '';
    const addBos = !this.started && vocab.addBos && !(bosText && suffix.startsWith(bosText));
    const tokens = this.model.tokenizer.tokenize(suffix, { addSpecial: addBos, parseSpecial: true });
    this.started = true;
    const before = this.ctx.nPast;
    const gen = generate(this.ctx, this.model, tokens, opts);
    let result: GenerationResult;
    for (;;) {
      const r = await gen.next();
      if (r.done) {
        result = r.value;
        break;
      }
      yield r.value;
    }
    this.messages.push({ role: 'assistant', content: result.text });
    // The loop does not evaluate the last sampled token when it stops on length/abort: do it now, so the
    // cache holds every token of the reply.
    const evaluated = this.ctx.nPast - before - tokens.length;
    if (
      evaluated < result.tokens.length &&
      this.ctx.nPast + result.tokens.length - evaluated <= this.ctx.nCtx
    ) {
      this.ctx.eval(result.tokens.slice(evaluated), 'none');
    }
    this.history.push(...tokens, ...result.tokens);
    // Cache now holds: prefix + suffix + generated tokens (the final sampled end token is not evaluated).
    // Record the text those tokens stand for, so the next turn renders only what follows the reply.
    this.renderedPrefix = full + result.text;
    // A reply cut by a stop string leaves tokens in the cache beyond its text: restart next turn.
    if (result.stoppedByString) this.renderedPrefix = '\u0000';
    return result;
  }

  /** Forgets the conversation (keeps the system prompt). */
  reset(): void {
    const sys = this.messages.find((m) => m.role === 'system');
    this.messages.length = 0;
    if (sys) this.messages.push(sys);
    this.ctx.truncate(0);
    this.history.length = 0;
    this.renderedPrefix = '';
    this.started = false;
  }
}
