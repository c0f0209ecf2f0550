// Adapters that let the other areas (retrieval, data toolkit, evaluation) drive a local PocketModel.
import type { PocketModel } from './pocket-model.js';

/** Chat message shape shared by the adapters. */
interface Msg {
  role: string;
  content: string;
}

/** rag's Generator: completes formatted prompts; counts tokens with the model's tokenizer. */
export function ragGenerator(model: PocketModel) {
  return {
    async generate(
      prompt: string,
      opts: { maxTokens: number; temperature?: number; stop?: string[]; signal?: AbortSignal },
    ) {
      const r = await model.complete(prompt, {
        maxTokens: opts.maxTokens,
        temperature: opts.temperature ?? 0,
        stop: opts.stop,
        signal: opts.signal,
        seed: 0,
      });
      return r.text;
    },
    countTokens: (text: string) => model.tokenize(text, { addBos: false, parseSpecial: false }).length,
    chatPrompt: (messages: Msg[]) => model.applyChatTemplate(messages, true),
  };
}

/** The data toolkit's TextGenerator: chat messages in, reply text out. */
export function dataGenerator(model: PocketModel) {
  return {
    async complete(messages: Msg[], opts: { maxTokens?: number; temperature?: number; seed?: number }) {
      const r = await model.complete(model.applyChatTemplate(messages, true), {
        maxTokens: opts.maxTokens ?? 512,
        temperature: opts.temperature ?? 0.7,
        seed: opts.seed,
      });
      return r.text;
    },
  };
}

/** The evaluation harness's ScoringModel: logits of every position from an empty context. */
export function scoringModel(model: PocketModel) {
  const v = model.tokenizer.vocab;
  return {
    nVocab: model.config.nVocab,
    bosId: v.bosId ?? undefined,
    addBos: v.addBos,
    tokenize: (text: string, opts: { addBos?: boolean; parseSpecial?: boolean } = {}) =>
      model.tokenize(text, { addBos: opts.addBos ?? v.addBos, parseSpecial: opts.parseSpecial ?? false }),
    logitsAll: (tokens: number[]) => model.logits(tokens, 'all'),
    applyChatTemplate: (messages: Msg[], addGenerationPrompt: boolean) =>
      model.applyChatTemplate(messages, addGenerationPrompt),
  };
}
