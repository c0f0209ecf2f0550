// The text-generation interface retrieval-augmented answering programs against (the local model implements it).

/** Options for one completion. */
export interface GenerateOptions {
  maxTokens: number;
  temperature?: number;
  stop?: string[];
  signal?: AbortSignal;
}

/** A text generator: the local Phi-3 model, a remote API, or a fake in tests. */
export interface Generator {
  /** Completes `prompt` (already formatted; see `chatPrompt`). */
  generate(prompt: string, opts: GenerateOptions): Promise<string>;
  /** Streams the completion piece by piece (optional; `askStream` falls back to `generate`). */
  stream?(prompt: string, opts: GenerateOptions): AsyncIterable<string>;
  /** Counts tokens as the model's tokenizer would. */
  countTokens(text: string): number;
  /** Formats chat messages with the model's chat template; absent → a plain "role: content" layout is used. */
  chatPrompt?(messages: { role: string; content: string }[]): string;
}

/** Formats messages with the generator's chat template, or a neutral plain-text layout. */
export function formatChat(gen: Generator, messages: { role: string; content: string }[]): string {
  if (gen.chatPrompt) return gen.chatPrompt(messages);
  return `${messages.map((m) => `${m.role.toUpperCase()}:\n${m.content}`).join('\n\n')}\n\nASSISTANT:\n`;
}
