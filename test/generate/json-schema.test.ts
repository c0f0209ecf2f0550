import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type JsonSchema, jsonSchemaConstraint, SchemaMatcher } from '../../src/generate/json-schema.js';

const schema: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 8 },
    age: { type: 'integer' },
    score: { type: 'number' },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
    kind: { enum: ['a', 'bb'] },
    ok: { type: 'boolean' },
    nested: {
      anyOf: [{ type: 'null' }, { type: 'object', properties: { x: { type: 'integer' } }, required: ['x'] }],
    },
  },
  required: ['name', 'age'],
  additionalProperties: false,
};

function check(s: string): 'accept' | 'prefix' | 'reject' {
  const m = new SchemaMatcher(schema);
  let st = m.initial();
  for (const c of s) {
    st = m.step(st, c);
    if (st.length === 0) return 'reject';
  }
  return m.accepts(st) ? 'accept' : 'prefix';
}

test('accepts valid documents and their prefixes', () => {
  for (const doc of [
    '{"name": "x", "age": 3}',
    '{"age":-12,"name":"ab","score":1.5e-3,"tags":["q","r"],"kind":"bb","ok":false,"nested":null}',
    '{"name":"a","age":0,"nested":{"x":4}}',
    '{"name":"esc\\"\\u00e9","age":1}',
  ]) {
    assert.equal(check(doc), 'accept', doc);
    for (let i = 1; i < doc.length; i++) assert.notEqual(check(doc.slice(0, i)), 'reject', doc.slice(0, i));
  }
});

test('rejects what does not validate', () => {
  for (const doc of [
    '{"name":"x"}', // missing required age
    '{"name":"x","age":1.5}', // integer
    '{"zzz":1}', // unknown key with additionalProperties false
    '{"name":"x","age":1,"kind":"c"}', // enum
    '{"name":"123456789","age":1}', // maxLength
    '{"name":"x","age":1,"tags":["a","b","c"]}', // maxItems
    '{"name":"x","age":1,"nested":{}}', // nested required
    '{"name":"x","age":01}', // leading zero
    '[1]',
  ]) {
    assert.equal(check(doc), 'reject', doc);
  }
});

test('constraint masks tokens so only valid continuations remain', () => {
  const pieces = ['{', '"name"', ':', ' "', 'bob', '"', ',', '"age"', '7', '}', 'hello', '<eos>'];
  const model = {
    tokenizer: { tokenToPiece: (id: number) => (id === 11 ? '' : pieces[id]!), vocab: { tokens: pieces } },
    isEog: (id: number) => id === 11,
    config: { nVocab: pieces.length },
  };
  const c = jsonSchemaConstraint(model, {
    type: 'object',
    properties: { name: { type: 'string' }, age: { type: 'integer' } },
    required: ['name', 'age'],
  });
  const allowed = () => pieces.map((_, i) => i).filter((i) => c.allows(i));
  assert.deepEqual(allowed(), [0]);
  for (const id of [0, 1, 2, 3, 4, 5, 6, 7, 2, 8]) {
    assert.ok(c.allows(id), `token ${pieces[id]} should be allowed`);
    c.accept(id);
  }
  assert.ok(c.allows(9) && !c.allows(11) && !c.allows(10));
  c.accept(9);
  assert.ok(c.done());
  assert.ok(c.allows(11), 'end token allowed once complete');
});
