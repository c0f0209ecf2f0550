// Chat templates: the Phi-3 file's own Jinja template, the built-in Phi-3 format, and turn-by-turn rendering.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ChatMessage, ChatTemplate, PHI3_CHAT_TEMPLATE } from '../../src/tokenizer/chat-template.js';
import { Vocab } from '../../src/tokenizer/vocab.js';
import { fixtureMetadata, fixtureTokenizer } from './helpers.js';

const conversation: ChatMessage[] = [
  { role: 'user', content: 'What is 2+2?' },
  { role: 'assistant', content: 'It is 4.' },
  { role: 'user', content: 'And 3 × 3?\nShow your work.' },
  { role: 'assistant', content: '3 × 3 = 9 🦙' },
  { role: 'user', content: '  spaces around  ' },
];

test("Phi-3: the file's own template and the built-in format render the same prompt", () => {
  const own = ChatTemplate.fromMetadata(fixtureMetadata('phi-3'));
  assert.equal(own.builtin, false);
  const noTemplate = new Map(fixtureMetadata('phi-3'));
  noTemplate.delete('tokenizer.chat_template');
  const builtin = ChatTemplate.fromMetadata(noTemplate);
  assert.equal(builtin.builtin, true);
  assert.equal(builtin.source, PHI3_CHAT_TEMPLATE);
  for (let n = 1; n <= conversation.length; n += 2) {
    const msgs = conversation.slice(0, n);
    assert.equal(own.render(msgs), builtin.render(msgs));
  }
  assert.equal(own.render(conversation.slice(0, 1)), '<s><|user|>\nWhat is 2+2?<|end|>\n<|assistant|>\n');
  assert.equal(
    own.render(conversation.slice(0, 1), { stripBos: true }),
    '<|user|>\nWhat is 2+2?<|end|>\n<|assistant|>\n',
  );
});

test('built-in Phi-3 format: system message and add_generation_prompt', () => {
  const t = new ChatTemplate(PHI3_CHAT_TEMPLATE, '<s>', '<|endoftext|>', true);
  const msgs = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
  ];
  assert.equal(t.render(msgs), '<s><|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\n');
  assert.equal(
    t.render(msgs, { addGenerationPrompt: false }),
    '<s><|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n',
  );
});

test('renderTurn gives exactly the new suffix, and its tokens extend the cached ones', () => {
  const tok = fixtureTokenizer('phi-3');
  for (const t of [
    ChatTemplate.fromVocab(tok.vocab),
    new ChatTemplate(PHI3_CHAT_TEMPLATE, '<s>', '<|endoftext|>', true),
  ]) {
    for (const cut of [0, 2, 4]) {
      const history = conversation.slice(0, cut);
      const next = conversation.slice(cut, cut + 1);
      const suffix = t.renderTurn(history, next);
      const prefix = t.render(history, { addGenerationPrompt: false });
      const full = t.render([...history, ...next]);
      assert.equal(suffix, full.slice(prefix.length));
      assert.equal(prefix + suffix, full);
      assert.ok(suffix.startsWith('<|user|>\n'));
      // KV-cache reuse: tokens of history + tokens of the suffix = tokens of the whole prompt.
      const opts = { parseSpecial: true };
      assert.deepEqual(
        [...tok.tokenize(prefix, opts), ...tok.tokenize(suffix, opts)],
        tok.tokenize(full, opts),
      );
    }
  }
});

test('a template that is not prefix-stable is refused by renderTurn', () => {
  // Renders only the last message: history is not a prefix of the longer conversation.
  const t = new ChatTemplate("{{ messages[messages|length - 1]['content'] }}");
  assert.throws(() => t.renderTurn(conversation.slice(0, 2), conversation.slice(2, 3)), /not prefix-stable/);
});

test('bad templates and messages give clear errors', () => {
  assert.throws(() => new ChatTemplate('{% for x in %}'), /chat template does not parse/);
  const t = new ChatTemplate(PHI3_CHAT_TEMPLATE);
  assert.throws(
    () => t.render([{ role: 'user' } as ChatMessage]),
    /chat message 0: needs string "role" and "content"/,
  );
  const raising = new ChatTemplate("{{ raise_exception('no system role') }}");
  assert.throws(() => raising.render([]), /chat template failed to render/);
});

test('bos/eos strings come from the vocabulary', () => {
  const t = ChatTemplate.fromVocab(Vocab.fromMetadata(fixtureMetadata('phi-3')));
  assert.equal(t.bosToken, '<s>');
  assert.equal(t.eosToken, '<|endoftext|>');
});
