// Chat prompts: render messages with the GGUF's Jinja chat template (or Phi-3's format), whole or turn by turn.
import { Template } from '@huggingface/jinja';
import type { GgufEntry } from '../format/gguf-read.js';
import { Vocab } from './vocab.js';

/** One chat message. Roles are usually 'system', 'user' and 'assistant'. */
export interface ChatMessage {
  role: string;
  content: string;
}

/** Options of ChatTemplate.render. */
export interface ChatRenderOptions {
  /** Append the assistant header so the model answers next (`add_generation_prompt`). Default true. */
  addGenerationPrompt?: boolean;
  /**
   * Drop a leading bos_token from the result, as llama.cpp does when the tokenizer adds BOS itself
   * (tokenize with addSpecial). Keep it (default) when tokenizing with parseSpecial and no addSpecial.
   */
  stripBos?: boolean;
}

/**
 * Phi-3's chat format, used when a file has no `tokenizer.chat_template`:
 * `<|system|>\n{sys}<|end|>\n<|user|>\n{msg}<|end|>\n<|assistant|>\n` (any role renders as `<|role|>`).
 */
export const PHI3_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '<|end|>\\n' }}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";

/** A compiled chat template with the special-token strings it refers to. */
export class ChatTemplate {
  private readonly compiled: Template;

  /**
   * Compiles `source` (Jinja, as in `tokenizer.chat_template`). `builtin` records that it is the Phi-3
   * fallback rather than the file's own. Throws with the template's parse error on malformed Jinja.
   */
  constructor(
    readonly source: string,
    readonly bosToken = '',
    readonly eosToken = '',
    readonly builtin = false,
  ) {
    try {
      this.compiled = new Template(source);
    } catch (e) {
      throw new Error(`chat template does not parse: ${(e as Error).message}`);
    }
  }

  /** The file's template, or Phi-3's format when it has none; bos/eos strings from the vocabulary. */
  static fromVocab(vocab: Vocab): ChatTemplate {
    const bos = vocab.bosId === null ? '' : vocab.tokens[vocab.bosId]!;
    const eos = vocab.eosId === null ? '' : vocab.tokens[vocab.eosId]!;
    const own = vocab.chatTemplate;
    return own !== undefined && own.trim() !== ''
      ? new ChatTemplate(own, bos, eos, false)
      : new ChatTemplate(PHI3_CHAT_TEMPLATE, bos, eos, true);
  }

  /** As fromVocab, from GGUF metadata. */
  static fromMetadata(metadata: Map<string, GgufEntry>, source?: string): ChatTemplate {
    return ChatTemplate.fromVocab(Vocab.fromMetadata(metadata, source));
  }

  /** Renders a whole conversation to prompt text. */
  render(messages: readonly ChatMessage[], opts: ChatRenderOptions = {}): string {
    for (const [i, m] of messages.entries()) {
      if (typeof m?.role !== 'string' || typeof m?.content !== 'string')
        throw new Error(`chat message ${i}: needs string "role" and "content"`);
    }
    let text: string;
    try {
      text = this.compiled.render({
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        bos_token: this.bosToken,
        eos_token: this.eosToken,
        add_generation_prompt: opts.addGenerationPrompt ?? true,
      });
    } catch (e) {
      throw new Error(`chat template failed to render: ${(e as Error).message}`);
    }
    if (opts.stripBos && this.bosToken !== '' && text.startsWith(this.bosToken))
      text = text.slice(this.bosToken.length);
    return text;
  }

  /**
   * Only the text that `newMessages` add after `history`, for a model whose KV cache already holds
   * `history` (rendered without a generation prompt; for Phi-3 that is the prompt plus the reply ending in
   * `<|end|>`). Equals render(history ++ newMessages).slice(render(history, no generation prompt).length);
   * throws if the template renders history differently once more messages follow (not prefix-stable).
   */
  renderTurn(
    history: readonly ChatMessage[],
    newMessages: readonly ChatMessage[],
    opts: ChatRenderOptions = {},
  ): string {
    const prefix = this.render(history, { ...opts, addGenerationPrompt: false });
    const full = this.render([...history, ...newMessages], opts);
    if (!full.startsWith(prefix))
      throw new Error(
        `chat template is not prefix-stable: rendering ${history.length} messages gives text that is not the start of rendering them with ${newMessages.length} more; re-render the whole conversation`,
      );
    return full.slice(prefix.length);
  }
}
