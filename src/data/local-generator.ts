// TextGenerator over pocketlm's local engine (a loaded PocketModel): chat template, context fitting, usage counters.
import type { ChatMessage, CompleteOptions, TextGenerator } from './generator.js';

/** What the generator needs from a loaded model (PocketModel satisfies it; tests can pass a stub). */
export interface LocalModel {
  config: { nCtxTrain: number };
  applyChatTemplate(messages: ChatMessage[], addGenerationPrompt?: boolean): string;
  tokenize(text: string, opts?: { addBos?: boolean; parseSpecial?: boolean }): number[];
  complete(
    prompt: number[],
    opts: { maxTokens: number; temperature: number; seed?: number; nCtx?: number },
  ): Promise<{ text: string; tokens: number[] }>;
}

/** Token and call counters of a local generator (for throughput reports). */
export interface LocalUsage {
  calls: number;
  promptTokens: number;
  generatedTokens: number;
  /** Calls whose prompt did not fit the context and was cut (its start dropped, the first token kept). */
  truncated: number;
}

/**
 * A TextGenerator running on the local engine. Prompts longer than the model's context (minus the tokens to
 * generate) keep their first token (BOS) and their end (the document's end and the assistant turn), so tiny
 * models with short contexts still answer; `usage.truncated` counts such calls. At most half of the context
 * is given to generated tokens.
 */
export function localGenerator(model: LocalModel): TextGenerator & { usage: LocalUsage } {
  const usage: LocalUsage = { calls: 0, promptTokens: 0, generatedTokens: 0, truncated: 0 };
  const nCtx = model.config.nCtxTrain;
  return {
    usage,
    async complete(messages: ChatMessage[], opts: CompleteOptions): Promise<string> {
      const maxTokens = Math.max(1, Math.min(opts.maxTokens ?? 512, Math.floor(nCtx / 2)));
      let ids = model.tokenize(model.applyChatTemplate(messages, true));
      const room = nCtx - maxTokens;
      if (ids.length > room) {
        ids = [ids[0] as number, ...ids.slice(ids.length - (room - 1))];
        usage.truncated++;
      }
      const r = await model.complete(ids, {
        maxTokens,
        temperature: opts.temperature ?? 0.7,
        seed: opts.seed,
        nCtx,
      });
      usage.calls++;
      usage.promptTokens += ids.length;
      usage.generatedTokens += r.tokens.length;
      return r.text;
    },
  };
}
