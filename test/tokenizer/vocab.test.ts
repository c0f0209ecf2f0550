// Vocab from GGUF metadata: special ids, attributes, end-of-generation set, errors that name the key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type GgufEntry, GgufValueType } from '../../src/format/gguf-read.js';
import { TokenAttr, TokenType, Vocab } from '../../src/tokenizer/vocab.js';
import { fixtureMetadata } from './helpers.js';

/** A copy of a fixture's metadata with some entries replaced (undefined = removed). */
function edited(changes: Record<string, GgufEntry | undefined>): Map<string, GgufEntry> {
  const m = new Map(fixtureMetadata('phi-3'));
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) m.delete(k);
    else m.set(k, v);
  }
  return m;
}

test('phi-3 vocabulary: ids, flags, types and llama.cpp attribute fix-ups', () => {
  const v = Vocab.fromMetadata(fixtureMetadata('phi-3'));
  assert.equal(v.model, 'llama');
  assert.equal(v.size, 32064);
  assert.equal(v.bosId, 1);
  assert.equal(v.eosId, 32000);
  assert.equal(v.eotId, 32007);
  assert.equal(v.unkId, 0);
  assert.equal(v.padId, 32000);
  assert.equal(v.linefeedId, 13);
  assert.equal(v.addBos, true);
  assert.equal(v.addEos, false);
  assert.equal(v.addSpacePrefix, true);
  assert.equal(v.tokens[32010], '<|user|>');
  assert.equal(v.types[32010], TokenType.Control);
  assert.equal(v.types[3], TokenType.Byte);
  assert.equal(v.tokenToByte(3 + 0x41), 0x41);
  assert.equal(v.byteToToken(0x0a), 13);
  // "</s>" is user-defined in the file but an end-of-generation text, so llama.cpp makes it control too.
  assert.equal(v.types[2], TokenType.UserDefined);
  assert.ok(v.isControl(2) && v.isUserDefined(2));
  // general.name "Phi3": special tokens swallow whitespace after them, except <unk>, <s>, <|endoftext|>.
  assert.ok(v.hasAttr(32010, TokenAttr.Rstrip));
  assert.ok(v.hasAttr(32007, TokenAttr.Rstrip));
  assert.ok(!v.hasAttr(1, TokenAttr.Rstrip));
  assert.ok(!v.hasAttr(32000, TokenAttr.Rstrip));
  assert.deepEqual(
    [...v.eogIds].sort((a, b) => a - b),
    [2, 32000, 32007],
  );
  assert.ok(v.specialTokens.includes(32010));
  assert.ok(v.chatTemplate?.startsWith('{{ bos_token }}'));
});

test('the U+FEFF token (id 30143) survives reading the GGUF', () => {
  // Phi-3 and Llama 2 have a token that is exactly U+FEFF; a UTF-8 decoder that strips a leading BOM
  // (TextDecoder without ignoreBOM, as in src/format/gguf-read.ts) turns it into an empty string.
  const v = Vocab.fromMetadata(fixtureMetadata('phi-3'));
  assert.equal(v.tokens[30143], '\uFEFF', 'gguf-read.ts should decode strings with ignoreBOM: true');
});

test('bge vocabulary: WordPiece defaults and ids from the file', () => {
  const v = Vocab.fromMetadata(fixtureMetadata('bert-bge'));
  assert.equal(v.model, 'bert');
  assert.equal(v.bosId, 101);
  assert.equal(v.sepId, 102);
  assert.equal(v.unkId, 100);
  assert.equal(v.maskId, 103);
  assert.equal(v.eosId, null);
  assert.equal(v.addSpacePrefix, false);
  assert.equal(v.cleanSpaces, true);
  assert.deepEqual(v.normalizer, { lowercase: true, stripAccents: true });
  // llama.cpp takes "[PAD]" for a fill-in-the-middle pad token, which ends generation.
  assert.deepEqual([...v.eogIds], [0]);
});

test('missing or malformed keys give errors that name the key', () => {
  const cases: [Record<string, GgufEntry | undefined>, RegExp][] = [
    [{ 'tokenizer.ggml.model': undefined }, /"tokenizer\.ggml\.model" is missing/],
    [
      { 'tokenizer.ggml.model': { type: GgufValueType.STRING, value: 'gpt2' } },
      /"tokenizer\.ggml\.model" is "gpt2"/,
    ],
    [
      { 'tokenizer.ggml.model': { type: GgufValueType.UINT32, value: 1 } },
      /"tokenizer\.ggml\.model" should be a string/,
    ],
    [{ 'tokenizer.ggml.tokens': undefined }, /"tokenizer\.ggml\.tokens" is missing/],
    [
      {
        'tokenizer.ggml.tokens': {
          type: GgufValueType.ARRAY,
          itemType: GgufValueType.INT32,
          value: new Int32Array(3),
        },
      },
      /"tokenizer\.ggml\.tokens" should be an array of strings/,
    ],
    [
      {
        'tokenizer.ggml.scores': {
          type: GgufValueType.ARRAY,
          itemType: GgufValueType.FLOAT32,
          value: new Float32Array(5),
        },
      },
      /"tokenizer\.ggml\.scores" has 5 entries for 32064 tokens/,
    ],
    [
      {
        'tokenizer.ggml.token_type': {
          type: GgufValueType.ARRAY,
          itemType: GgufValueType.UINT8,
          value: new Uint8Array(32064),
        },
      },
      /"tokenizer\.ggml\.token_type" should be an array of int32/,
    ],
    [
      { 'tokenizer.ggml.bos_token_id': { type: GgufValueType.STRING, value: '1' } },
      /"tokenizer\.ggml\.bos_token_id" should be a non-negative integer/,
    ],
    [
      { 'tokenizer.ggml.add_bos_token': { type: GgufValueType.UINT8, value: 1 } },
      /"tokenizer\.ggml\.add_bos_token" should be a bool/,
    ],
    [
      {
        'tokenizer.ggml.tokens': {
          type: GgufValueType.ARRAY,
          itemType: GgufValueType.STRING,
          value: ['a', 'b', 'a'],
        },
        'tokenizer.ggml.scores': undefined,
        'tokenizer.ggml.token_type': undefined,
      },
      /has token "a" twice \(ids 0 and 2\)/,
    ],
  ];
  for (const [change, re] of cases) {
    assert.throws(
      () => Vocab.fromMetadata(edited(change), 'x.gguf'),
      (e: Error) => {
        assert.match(e.message, /^x\.gguf: /);
        assert.match(e.message, re);
        return true;
      },
    );
  }
});

test('out-of-range special ids are ignored with a warning, as llama.cpp does', () => {
  const v = Vocab.fromMetadata(
    edited({ 'tokenizer.ggml.bos_token_id': { type: GgufValueType.UINT32, value: 99999 } }),
  );
  assert.equal(v.bosId, 1);
  assert.match(v.warnings.join('\n'), /tokenizer\.ggml\.bos_token_id.*99999/);
});
