// Vocabulary from GGUF tokenizer metadata: tokens, scores, types/attributes, special ids and flags, as llama.cpp loads them.
import { type GgufEntry, GgufValueType } from '../format/gguf-read.js';

/** Token types as stored in `tokenizer.ggml.token_type` (llama.cpp's llama_token_type). */
export enum TokenType {
  Undefined = 0,
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
}

/** Token attribute bits (llama.cpp's llama_token_attr); derived from the type plus llama.cpp's fix-ups. */
export const TokenAttr = {
  Undefined: 0,
  Unknown: 1 << 0,
  Unused: 1 << 1,
  Normal: 1 << 2,
  Control: 1 << 3,
  UserDefined: 1 << 4,
  Byte: 1 << 5,
  Normalized: 1 << 6,
  Lstrip: 1 << 7,
  Rstrip: 1 << 8,
  SingleWord: 1 << 9,
} as const;

/** The tokenizer algorithms this project implements (`tokenizer.ggml.model`). */
export type VocabModel = 'llama' | 'bert';

/** GGUF metadata keys read by the vocabulary (llama.cpp's LLM_KV_TOKENIZER_* names). */
export const VocabKey = {
  model: 'tokenizer.ggml.model',
  pre: 'tokenizer.ggml.pre',
  tokens: 'tokenizer.ggml.tokens',
  scores: 'tokenizer.ggml.scores',
  tokenType: 'tokenizer.ggml.token_type',
  bosId: 'tokenizer.ggml.bos_token_id',
  eosId: 'tokenizer.ggml.eos_token_id',
  eotId: 'tokenizer.ggml.eot_token_id',
  eomId: 'tokenizer.ggml.eom_token_id',
  unkId: 'tokenizer.ggml.unknown_token_id',
  sepId: 'tokenizer.ggml.seperator_token_id', // sic: llama.cpp's spelling
  padId: 'tokenizer.ggml.padding_token_id',
  maskId: 'tokenizer.ggml.mask_token_id',
  fimPreId: 'tokenizer.ggml.fim_pre_token_id',
  fimSufId: 'tokenizer.ggml.fim_suf_token_id',
  fimMidId: 'tokenizer.ggml.fim_mid_token_id',
  fimPadId: 'tokenizer.ggml.fim_pad_token_id',
  fimRepId: 'tokenizer.ggml.fim_rep_token_id',
  fimSepId: 'tokenizer.ggml.fim_sep_token_id',
  prefixId: 'tokenizer.ggml.prefix_token_id', // deprecated alias of fim_pre
  suffixId: 'tokenizer.ggml.suffix_token_id', // deprecated alias of fim_suf
  middleId: 'tokenizer.ggml.middle_token_id', // deprecated alias of fim_mid
  addBos: 'tokenizer.ggml.add_bos_token',
  addEos: 'tokenizer.ggml.add_eos_token',
  addSep: 'tokenizer.ggml.add_sep_token',
  addSpacePrefix: 'tokenizer.ggml.add_space_prefix',
  lowercase: 'tokenizer.ggml.normalizer.lowercase',
  stripAccents: 'tokenizer.ggml.normalizer.strip_accents',
  chatTemplate: 'tokenizer.chat_template',
  name: 'general.name',
} as const;

// Token texts llama.cpp recognises by name (llama-vocab.cpp, "auto-detect special tokens by text").
const EOT_TEXTS = [
  '<|eot_id|>',
  '<|im_end|>',
  '<|end|>',
  '<end_of_turn>',
  '<|endoftext|>',
  '<|end_of_text|>',
  '<EOT>',
  '_<EOT>',
  '[EOT]',
  '<｜end▁of▁sentence｜>',
  '<end_of_utterance>',
];
const EOM_TEXTS = ['<|eom_id|>'];
const FIM_PRE_TEXTS = [
  '<|fim_prefix|>',
  '<fim-prefix>',
  '<fim_prefix>',
  '<｜fim▁begin｜>',
  '<PRE>',
  '▁<PRE>',
  '<|code_prefix|>',
  '<|prefix|>',
];
const FIM_SUF_TEXTS = [
  '<|fim_suffix|>',
  '<fim-suffix>',
  '<fim_suffix>',
  '<｜fim▁hole｜>',
  '<SUF>',
  '▁<SUF>',
  '<|code_suffix|>',
  '<|suffix|>',
];
const FIM_MID_TEXTS = [
  '<|fim_middle|>',
  '<fim-middle>',
  '<fim_middle>',
  '<｜fim▁end｜>',
  '<MID>',
  '▁<MID>',
  '<|code_middle|>',
  '<|middle|>',
];
const FIM_PAD_TEXTS = ['<|fim_pad|>', '<fim-pad>', '<fim_pad>', '<PAD>', '[PAD]'];
const FIM_REP_TEXTS = ['<|fim_repo|>', '<|repo_name|>', '<fim-repo>', '<REPO>', '<reponame>'];
const FIM_SEP_TEXTS = ['<|file_sep|>'];
/** Texts that end generation in llama.cpp (its special_eog_ids list). */
export const EOG_TEXTS: readonly string[] = [
  '<|eot_id|>',
  '<|im_end|>',
  '<|end|>',
  '<|return|>',
  '<|call|>',
  '<|flush|>',
  '<|calls|>',
  '<end_of_turn>',
  '<|endoftext|>',
  '</s>',
  '<|eom_id|>',
  '<EOT>',
  '_<EOT>',
  '[EOT]',
  '[EOS]',
  '<|end_of_text|>',
  '<end_of_utterance>',
  '<eos>',
  '<turn|>',
  '<|tool_response>',
  '<｜end▁of▁sentence｜>',
  '[e~[',
];

/** Options of the BERT normalizer (WordPiece only). */
export interface NormalizerOptions {
  lowercase: boolean;
  stripAccents: boolean;
}

const utf8Encoder = new TextEncoder();

/** UTF-8 length of a (well-formed) JS string without allocating. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * A tokenizer vocabulary as llama.cpp builds it from GGUF metadata (`llama_vocab::impl::load`): the token
 * table, scores, attributes (including llama.cpp's fix-ups by token text and model name), special token
 * ids, add-BOS/EOS flags and the set of end-of-generation tokens.
 */
export class Vocab {
  /** `tokenizer.ggml.model`. */
  readonly model: VocabModel;
  /** `tokenizer.ggml.pre` ('' when absent). */
  readonly pre: string;
  /** Token texts by id (empty tokens renamed `[EMPTY_i]` as llama.cpp does). */
  readonly tokens: string[];
  /** Merge scores by id (0 when the file has none). */
  readonly scores: Float32Array;
  /** Token types as stored in the file (Normal when the file has none). */
  readonly types: Int32Array;
  /** llama.cpp attribute bits per token (see TokenAttr). */
  readonly attrs: Uint16Array;
  /** Token text → id. */
  readonly tokenToId: Map<string, number>;
  /** Longest token in UTF-8 bytes. */
  readonly maxTokenLen: number;
  bosId: number | null;
  eosId: number | null;
  eotId: number | null = null;
  eomId: number | null = null;
  unkId: number | null;
  sepId: number | null;
  padId: number | null;
  maskId: number | null;
  fimPreId: number | null = null;
  fimSufId: number | null = null;
  fimMidId: number | null = null;
  fimPadId: number | null = null;
  fimRepId: number | null = null;
  fimSepId: number | null = null;
  /** Newline token (SPM: the `<0x0A>` byte token). */
  linefeedId: number | null = null;
  addBos: boolean;
  addEos: boolean;
  addSep: boolean;
  addSpacePrefix: boolean;
  /** Clean up spaces before punctuation when detokenizing (WordPiece). */
  readonly cleanSpaces: boolean;
  readonly normalizer: NormalizerOptions;
  /** Tokens that end generation (llama.cpp's special_eog_ids). */
  readonly eogIds: Set<number>;
  /** Control, user-defined and unknown tokens, longest text first: the order they are matched in raw text. */
  readonly specialTokens: number[];
  /** `tokenizer.chat_template`, if the file has one. */
  readonly chatTemplate: string | undefined;
  /** `general.name` ('' when absent). */
  readonly name: string;
  /** Non-fatal problems llama.cpp would log as warnings (e.g. an out-of-range special id it ignores). */
  readonly warnings: string[] = [];

  /**
   * Builds the vocabulary from GGUF metadata. `source` (e.g. the file path) prefixes error messages.
   * Throws an Error naming the key for missing or malformed tokenizer keys.
   */
  static fromMetadata(metadata: Map<string, GgufEntry>, source = 'gguf'): Vocab {
    return new Vocab(metadata, source);
  }

  private constructor(md: Map<string, GgufEntry>, source: string) {
    const fail = (key: string, what: string): never => {
      throw new Error(`${source}: metadata "${key}" ${what}`);
    };
    const getString = (key: string): string | undefined => {
      const e = md.get(key);
      if (e === undefined) return undefined;
      if (e.type !== GgufValueType.STRING || typeof e.value !== 'string')
        fail(key, `should be a string, got ${GgufValueType[e.type]}`);
      return e.value as string;
    };
    const getBool = (key: string): boolean | undefined => {
      const e = md.get(key);
      if (e === undefined) return undefined;
      if (e.type !== GgufValueType.BOOL || typeof e.value !== 'boolean')
        fail(key, `should be a bool, got ${GgufValueType[e.type]}`);
      return e.value as boolean;
    };
    const getId = (key: string): number | undefined => {
      const e = md.get(key);
      if (e === undefined) return undefined;
      const v = e.value;
      const integerType =
        e.type === GgufValueType.UINT8 ||
        e.type === GgufValueType.UINT16 ||
        e.type === GgufValueType.UINT32 ||
        e.type === GgufValueType.UINT64 ||
        e.type === GgufValueType.INT8 ||
        e.type === GgufValueType.INT16 ||
        e.type === GgufValueType.INT32 ||
        e.type === GgufValueType.INT64;
      if (!integerType || typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        fail(key, `should be a non-negative integer token id, got ${GgufValueType[e.type]} ${String(v)}`);
      return v as number;
    };

    const model = getString(VocabKey.model);
    if (model === undefined) fail(VocabKey.model, 'is missing (no tokenizer in this file)');
    if (model !== 'llama' && model !== 'bert')
      fail(
        VocabKey.model,
        `is "${model}": only "llama" (SentencePiece) and "bert" (WordPiece) are supported`,
      );
    this.model = model as VocabModel;
    this.pre = getString(VocabKey.pre) ?? '';
    this.name = getString(VocabKey.name) ?? '';
    this.chatTemplate = getString(VocabKey.chatTemplate);

    // Defaults per model, as llama.cpp sets them before reading the file's keys.
    if (this.model === 'llama') {
      this.bosId = 1;
      this.eosId = 2;
      this.unkId = 0;
      this.sepId = null;
      this.padId = null;
      this.maskId = null;
      this.addSpacePrefix = true;
      this.cleanSpaces = false;
      this.addBos = true;
      this.addEos = false;
      this.addSep = false;
    } else {
      this.bosId = 101;
      this.eosId = null;
      this.unkId = 100;
      this.sepId = 102;
      this.padId = 0;
      this.maskId = 103;
      this.addSpacePrefix = false;
      this.cleanSpaces = true;
      this.addBos = true;
      this.addEos = false;
      this.addSep = true;
    }
    this.addSpacePrefix = getBool(VocabKey.addSpacePrefix) ?? this.addSpacePrefix;

    // Token table.
    const tokEntry = md.get(VocabKey.tokens);
    if (tokEntry === undefined) fail(VocabKey.tokens, 'is missing (no token list in this file)');
    if (tokEntry!.type !== GgufValueType.ARRAY || tokEntry!.itemType !== GgufValueType.STRING)
      fail(VocabKey.tokens, 'should be an array of strings');
    const rawTokens = tokEntry!.value as string[];
    const n = rawTokens.length;
    if (n === 0) fail(VocabKey.tokens, 'is empty');

    this.scores = new Float32Array(n);
    const scoreEntry = md.get(VocabKey.scores);
    if (scoreEntry !== undefined) {
      const v = scoreEntry.value;
      if (scoreEntry.type !== GgufValueType.ARRAY || !(v instanceof Float32Array || v instanceof Int32Array))
        fail(VocabKey.scores, 'should be an array of float32 or int32');
      const arr = v as Float32Array | Int32Array;
      if (arr.length < n) fail(VocabKey.scores, `has ${arr.length} entries for ${n} tokens`);
      for (let i = 0; i < n; i++) this.scores[i] = arr[i]!;
    }
    this.types = new Int32Array(n).fill(TokenType.Normal);
    const typeEntry = md.get(VocabKey.tokenType);
    if (typeEntry !== undefined) {
      const v = typeEntry.value;
      if (typeEntry.type !== GgufValueType.ARRAY || !(v instanceof Int32Array))
        fail(VocabKey.tokenType, 'should be an array of int32');
      const arr = v as Int32Array;
      if (arr.length < n) fail(VocabKey.tokenType, `has ${arr.length} entries for ${n} tokens`);
      this.types.set(arr.subarray(0, n));
    }

    this.tokens = new Array<string>(n);
    this.tokenToId = new Map();
    this.attrs = new Uint16Array(n);
    let maxLen = 0;
    for (let i = 0; i < n; i++) {
      let word = rawTokens[i]!;
      if (typeof word !== 'string') fail(`${VocabKey.tokens}[${i}]`, 'is not a string');
      if (word === '') {
        word = `[EMPTY_${i}]`;
        this.warnings.push(`empty token at index ${i}, renamed ${word}`);
      }
      if (this.tokenToId.has(word))
        fail(
          VocabKey.tokens,
          `has token ${JSON.stringify(word)} twice (ids ${this.tokenToId.get(word)} and ${i})`,
        );
      this.tokenToId.set(word, i);
      this.tokens[i] = word;
      maxLen = Math.max(maxLen, utf8Length(word));
      this.attrs[i] = attrFromType(this.types[i]!);
    }
    this.maxTokenLen = maxLen;

    if (this.model === 'llama') {
      this.linefeedId = this.tokenToId.get('<0x0A>') ?? this.tokenToId.get('\n') ?? this.padId;
      if (this.linefeedId === null) this.warnings.push('SPM vocabulary without a newline token');
    }

    // Special token ids: defaults out of range are disabled; file values out of range are ignored.
    const ids: [string, 'bosId' | 'eosId' | 'eotId' | 'eomId' | 'unkId' | 'sepId' | 'padId' | 'maskId'][] = [
      [VocabKey.bosId, 'bosId'],
      [VocabKey.eosId, 'eosId'],
      [VocabKey.eotId, 'eotId'],
      [VocabKey.eomId, 'eomId'],
      [VocabKey.unkId, 'unkId'],
      [VocabKey.sepId, 'sepId'],
      [VocabKey.padId, 'padId'],
      [VocabKey.maskId, 'maskId'],
    ];
    const fimIds: [string, 'fimPreId' | 'fimSufId' | 'fimMidId' | 'fimPadId' | 'fimRepId' | 'fimSepId'][] = [
      [VocabKey.fimPreId, 'fimPreId'],
      [VocabKey.fimSufId, 'fimSufId'],
      [VocabKey.fimMidId, 'fimMidId'],
      [VocabKey.fimPadId, 'fimPadId'],
      [VocabKey.fimRepId, 'fimRepId'],
      [VocabKey.fimSepId, 'fimSepId'],
      [VocabKey.prefixId, 'fimPreId'],
      [VocabKey.suffixId, 'fimSufId'],
      [VocabKey.middleId, 'fimMidId'],
    ];
    for (const [key, field] of [...ids, ...fimIds]) {
      const cur = this[field];
      if (cur !== null && cur >= n) {
        this.warnings.push(`default special token "${key}" = ${cur} out of vocab range, disabled`);
        this[field] = null;
      }
      const v = getId(key);
      if (v === undefined) continue;
      if (v >= n)
        this.warnings.push(`bad special token "${key}" = ${v} (vocab has ${n}), keeping ${this[field]}`);
      else this[field] = v;
    }

    this.addBos = getBool(VocabKey.addBos) ?? this.addBos;
    this.addEos = getBool(VocabKey.addEos) ?? this.addEos;
    this.addSep = getBool(VocabKey.addSep) ?? this.addSep;
    const lowercase = getBool(VocabKey.lowercase) ?? true;
    this.normalizer = { lowercase, stripAccents: getBool(VocabKey.stripAccents) ?? lowercase };

    // Auto-detect EOT/EOM/FIM tokens by text; a detected token not typed control becomes control.
    const markControl = (id: number) => {
      this.attrs[id] = this.attrs[id]! | TokenAttr.Control;
    };
    const detect = (
      field: 'eotId' | 'eomId' | 'fimPreId' | 'fimSufId' | 'fimMidId' | 'fimPadId' | 'fimRepId' | 'fimSepId',
      texts: string[],
    ) => {
      if (this[field] !== null) return;
      // llama.cpp scans a hash map, so which of several matches wins is unspecified; we take list order.
      for (const t of texts) {
        const id = this.tokenToId.get(t);
        if (id === undefined) continue;
        this[field] = id;
        markControl(id);
        return;
      }
    };
    detect('eotId', EOT_TEXTS);
    detect('eomId', EOM_TEXTS);
    detect('fimPreId', FIM_PRE_TEXTS);
    detect('fimSufId', FIM_SUF_TEXTS);
    detect('fimMidId', FIM_MID_TEXTS);
    detect('fimPadId', FIM_PAD_TEXTS);
    detect('fimRepId', FIM_REP_TEXTS);
    detect('fimSepId', FIM_SEP_TEXTS);

    // Control tokens whose text contains "unused" are unused.
    for (let i = 0; i < n; i++) {
      if (this.attrs[i]! & TokenAttr.Control && this.tokens[i]!.includes('unused'))
        this.attrs[i] = this.attrs[i]! | TokenAttr.Unused;
    }

    // End-of-generation set.
    const eog = new Set<number>();
    for (const id of [this.fimPadId, this.fimRepId, this.fimSepId]) if (id !== null) eog.add(id);
    for (const t of EOG_TEXTS) {
      const id = this.tokenToId.get(t);
      if (id === undefined) continue;
      eog.add(id);
      markControl(id);
    }
    // gpt-oss: these are always rendered.
    for (const t of ['<|channel|>', '<|message|>', '<|start|>', '<|constrain|>']) {
      const id = this.tokenToId.get(t);
      if (id !== undefined) this.attrs[id] = TokenAttr.UserDefined;
    }
    for (const id of [this.eosId, this.eotId, this.eomId]) if (id !== null) eog.add(id);
    const byText = (t: string) => {
      const id = this.tokenToId.get(t);
      return id !== undefined && eog.has(id) ? id : undefined;
    };
    const endId = byText('<|end|>');
    if (
      endId !== undefined &&
      ((byText('<|return|>') !== undefined && byText('<|call|>') !== undefined) ||
        (byText('<|calls|>') !== undefined && byText('<|flush|>') !== undefined))
    ) {
      eog.delete(endId);
      this.attrs[endId] = TokenAttr.UserDefined;
    }
    const sId = byText('</s>');
    if (sId !== undefined && byText('<|tool_response>') !== undefined) {
      eog.delete(sId);
      this.attrs[sId] = TokenAttr.Normal;
    }
    this.eogIds = eog;

    // Special tokens matched in raw text: longest first (ties by id; llama.cpp's sort leaves ties unspecified).
    const special: number[] = [];
    const mask = TokenAttr.Control | TokenAttr.UserDefined | TokenAttr.Unknown;
    for (let i = 0; i < n; i++) if (this.attrs[i]! & mask) special.push(i);
    const lens = new Map(special.map((id) => [id, utf8Length(this.tokens[id]!)]));
    special.sort((a, b) => lens.get(b)! - lens.get(a)! || a - b);
    this.specialTokens = special;

    // Per-model attribute fix-ups (llama.cpp keys these on general.name).
    const lname = this.name.toLowerCase();
    if (lname.includes('phi-3') || lname.includes('phi3')) {
      for (const id of special) this.attrs[id] = this.attrs[id]! | TokenAttr.Rstrip;
      this.setAttrByText('</s>', TokenAttr.Rstrip, true, source);
      for (const t of ['<unk>', '<s>', '<|endoftext|>'])
        this.setAttrByText(t, TokenAttr.Rstrip, false, source);
    } else if (lname.includes('modern-bert')) {
      const id = this.tokenToId.get('[MASK]');
      if (id !== undefined) this.attrs[id] = this.attrs[id]! | TokenAttr.Lstrip;
    }
  }

  private setAttrByText(text: string, attr: number, on: boolean, source: string): void {
    const id = this.tokenToId.get(text);
    if (id === undefined)
      throw new Error(
        `${source}: model "${this.name}" needs token ${JSON.stringify(text)}, not in the vocabulary`,
      );
    this.attrs[id] = on ? this.attrs[id]! | attr : this.attrs[id]! & ~attr;
  }

  /** Number of tokens. */
  get size(): number {
    return this.tokens.length;
  }

  /** Id of a token by its exact text, or undefined. */
  textToToken(text: string): number | undefined {
    return this.tokenToId.get(text);
  }

  /** Whether a token has any of the attribute bits in `mask`. */
  hasAttr(id: number, mask: number): boolean {
    return (this.attrs[id]! & mask) !== 0;
  }
  isControl(id: number): boolean {
    return this.hasAttr(id, TokenAttr.Control);
  }
  isByte(id: number): boolean {
    return this.hasAttr(id, TokenAttr.Byte);
  }
  isUserDefined(id: number): boolean {
    return this.hasAttr(id, TokenAttr.UserDefined);
  }
  isUnknown(id: number): boolean {
    return this.hasAttr(id, TokenAttr.Unknown);
  }
  /** Whether the token ends generation. */
  isEog(id: number): boolean {
    return this.eogIds.has(id);
  }

  /** The byte value of a `<0xXX>` byte token. */
  tokenToByte(id: number): number {
    if (!this.isByte(id))
      throw new Error(`token ${id} (${JSON.stringify(this.tokens[id])}) is not a byte token`);
    const v = Number.parseInt(this.tokens[id]!.slice(3, 5), 16);
    if (Number.isNaN(v))
      throw new Error(`byte token ${id} has malformed text ${JSON.stringify(this.tokens[id])}`);
    return v;
  }

  /** The token for a raw byte (SPM: `<0xXX>`, else the one-character token), as llama.cpp's byte_to_token. */
  byteToToken(byte: number): number {
    const hex = byte.toString(16).toUpperCase().padStart(2, '0');
    const id = this.tokenToId.get(`<0x${hex}>`);
    if (id !== undefined) return id;
    if (byte < 0x80) {
      const id2 = this.tokenToId.get(String.fromCharCode(byte));
      if (id2 !== undefined) return id2;
    }
    throw new Error(`vocabulary has no token for byte 0x${hex} (no <0x${hex}> byte token)`);
  }

  /** Checks a token id, throwing a clear error when out of range. */
  checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.tokens.length)
      throw new Error(`token id ${id} out of range [0, ${this.tokens.length})`);
  }
}

function attrFromType(t: number): number {
  switch (t) {
    case TokenType.Unknown:
      return TokenAttr.Unknown;
    case TokenType.Unused:
      return TokenAttr.Unused;
    case TokenType.Normal:
      return TokenAttr.Normal;
    case TokenType.Control:
      return TokenAttr.Control;
    case TokenType.UserDefined:
      return TokenAttr.UserDefined;
    case TokenType.Byte:
      return TokenAttr.Byte;
    default:
      return TokenAttr.Undefined;
  }
}

/** UTF-8 bytes of a string (lone surrogates become U+FFFD). */
export function utf8Bytes(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces lone surrogates with U+FFFD, as converting the string to UTF-8 does. */
export function toWellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}
