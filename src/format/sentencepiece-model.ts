// SentencePiece `tokenizer.model` (ModelProto protobuf): a small protobuf reader/writer for pieces and specs.

/** SentencePiece piece types; the numbers equal llama.cpp's token types (NORMAL 1 … BYTE 6). */
export enum SentencePieceType {
  NORMAL = 1,
  UNKNOWN = 2,
  CONTROL = 3,
  USER_DEFINED = 4,
  UNUSED = 5,
  BYTE = 6,
}

/** One vocabulary entry. */
export interface SentencePiece {
  piece: string;
  score: number;
  type: SentencePieceType;
}

/** The fields of TrainerSpec this project uses (defaults as in sentencepiece_model.proto). */
export interface SentencePieceTrainerSpec {
  /** 1 UNIGRAM, 2 BPE, 3 WORD, 4 CHAR. */
  modelType: number;
  vocabSize: number;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  byteFallback: boolean;
}

/** The fields of NormalizerSpec this project uses. */
export interface SentencePieceNormalizerSpec {
  name: string;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

/** A parsed ModelProto. */
export interface SentencePieceModel {
  pieces: SentencePiece[];
  trainerSpec: SentencePieceTrainerSpec;
  normalizerSpec: SentencePieceNormalizerSpec;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Protobuf wire reader with bounds checks; errors name the message, field and offset. */
class Proto {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly source: string,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }
  fail(msg: string, at = this.pos): never {
    throw new Error(`${this.source}: ${msg} (at offset ${at})`);
  }
  /** Reads a varint as a number; values above 2^53 (only negative int32s in practice) are reduced mod 2^64. */
  varint(what: string): number {
    const start = this.pos;
    if (this.pos < this.end && this.bytes[this.pos]! < 0x80) return this.bytes[this.pos++]!;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail(`${what}: varint runs past the end of its message`, start);
      const b = this.bytes[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return Number(BigInt.asIntN(64, result));
      shift += 7n;
    }
    return this.fail(`${what}: varint longer than 10 bytes`, start);
  }
  /** Reads a key; returns [field number, wire type]. */
  key(): [number, number] {
    const at = this.pos;
    const k = this.varint('field key');
    if (k < 0 || k > 0xffffffff) this.fail(`invalid field key ${k}`, at);
    const field = Math.floor(k / 8);
    if (field === 0) this.fail('field number 0 is invalid', at);
    return [field, k & 7];
  }
  fixed32(what: string): DataView {
    if (this.pos + 4 > this.end) this.fail(`${what}: 4-byte value runs past the end of its message`);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 4);
    this.pos += 4;
    return v;
  }
  /** Reads a length-delimited field and returns its [start, end). */
  lengthDelimited(what: string): [number, number] {
    const at = this.pos;
    const n = this.varint(`${what} length`);
    if (n < 0 || this.pos + n > this.end) {
      this.fail(
        `${what}: length ${n} runs past the end of its message (${this.end - this.pos} bytes left)`,
        at,
      );
    }
    const s = this.pos;
    this.pos += n;
    return [s, this.pos];
  }
  string(what: string): string {
    const [s, e] = this.lengthDelimited(what);
    try {
      return utf8.decode(this.bytes.subarray(s, e));
    } catch {
      return this.fail(`${what} is not valid UTF-8`, s);
    }
  }
  skip(wire: number, field: number): void {
    const at = this.pos;
    switch (wire) {
      case 0:
        this.varint(`field ${field}`);
        return;
      case 1:
        if (this.pos + 8 > this.end) this.fail(`field ${field}: 8-byte value runs past the end`, at);
        this.pos += 8;
        return;
      case 2:
        this.lengthDelimited(`field ${field}`);
        return;
      case 5:
        this.fixed32(`field ${field}`);
        return;
      default:
        this.fail(`field ${field} has unsupported wire type ${wire}`, at);
    }
  }
  expectWire(wire: number, want: number, field: string, at: number): void {
    if (wire !== want) this.fail(`${field} has wire type ${wire}, expected ${want}`, at);
  }
}

function parsePiece(p: Proto, index: number): SentencePiece {
  let piece: string | undefined;
  let score = 0;
  let type = SentencePieceType.NORMAL;
  while (p.pos < p.end) {
    const at = p.pos;
    const [field, wire] = p.key();
    if (field === 1) {
      p.expectWire(wire, 2, `piece #${index} text`, at);
      piece = p.string(`piece #${index} text`);
    } else if (field === 2) {
      p.expectWire(wire, 5, `piece #${index} score`, at);
      score = p.fixed32(`piece #${index} score`).getFloat32(0, true);
    } else if (field === 3) {
      p.expectWire(wire, 0, `piece #${index} type`, at);
      const t = p.varint(`piece #${index} type`);
      if (t < 1 || t > 6) p.fail(`piece #${index} has unknown type ${t} (expected 1..6)`, at);
      type = t;
    } else p.skip(wire, field);
  }
  if (piece === undefined) p.fail(`piece #${index} has no text`);
  return { piece, score, type };
}

function parseTrainer(p: Proto): SentencePieceTrainerSpec {
  const spec: SentencePieceTrainerSpec = {
    modelType: 1,
    vocabSize: 8000,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
    byteFallback: false,
  };
  const ints: Record<number, keyof SentencePieceTrainerSpec> = {
    3: 'modelType',
    4: 'vocabSize',
    40: 'unkId',
    41: 'bosId',
    42: 'eosId',
    43: 'padId',
  };
  while (p.pos < p.end) {
    const at = p.pos;
    const [field, wire] = p.key();
    const name = ints[field];
    if (name) {
      p.expectWire(wire, 0, `trainer_spec.${name}`, at);
      (spec as unknown as Record<string, number>)[name] = Number(BigInt.asIntN(32, BigInt(p.varint(name))));
    } else if (field === 35) {
      p.expectWire(wire, 0, 'trainer_spec.byte_fallback', at);
      spec.byteFallback = p.varint('byte_fallback') !== 0;
    } else p.skip(wire, field);
  }
  return spec;
}

function parseNormalizer(p: Proto): SentencePieceNormalizerSpec {
  const spec: SentencePieceNormalizerSpec = {
    name: 'nmt_nfkc',
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    escapeWhitespaces: true,
  };
  while (p.pos < p.end) {
    const at = p.pos;
    const [field, wire] = p.key();
    if (field === 1) {
      p.expectWire(wire, 2, 'normalizer_spec.name', at);
      spec.name = p.string('normalizer_spec.name');
    } else if (field === 3 || field === 4 || field === 5) {
      p.expectWire(wire, 0, `normalizer_spec field ${field}`, at);
      const v = p.varint(`normalizer_spec field ${field}`) !== 0;
      if (field === 3) spec.addDummyPrefix = v;
      else if (field === 4) spec.removeExtraWhitespaces = v;
      else spec.escapeWhitespaces = v;
    } else p.skip(wire, field);
  }
  return spec;
}

/**
 * Parses a SentencePiece `tokenizer.model` (ModelProto): pieces (field 1), trainer_spec (2) and
 * normalizer_spec (3). Unknown fields are skipped; malformed input throws naming the field and offset.
 */
export function parseSentencePieceModel(bytes: Uint8Array, source = 'tokenizer.model'): SentencePieceModel {
  const p = new Proto(bytes, source);
  const pieces: SentencePiece[] = [];
  let trainerSpec = parseTrainer(new Proto(new Uint8Array(0), source));
  let normalizerSpec = parseNormalizer(new Proto(new Uint8Array(0), source));
  while (p.pos < p.end) {
    const at = p.pos;
    const [field, wire] = p.key();
    if (field >= 1 && field <= 3) {
      p.expectWire(wire, 2, field === 1 ? `piece #${pieces.length}` : `field ${field}`, at);
      const [s, e] = p.lengthDelimited(field === 1 ? `piece #${pieces.length}` : `field ${field}`);
      const sub = new Proto(bytes, source, s, e);
      if (field === 1) pieces.push(parsePiece(sub, pieces.length));
      else if (field === 2) trainerSpec = parseTrainer(sub);
      else normalizerSpec = parseNormalizer(sub);
    } else p.skip(wire, field);
  }
  if (pieces.length === 0) p.fail('no pieces in the model: not a SentencePiece model?', 0);
  return { pieces, trainerSpec, normalizerSpec };
}

/** Protobuf writer for the same subset (used by tests and tools that build small tokenizers). */
class ProtoWriter {
  out: number[] = [];
  varint(v: number) {
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x > 0n) b |= 0x80;
      this.out.push(b);
    } while (x > 0n);
  }
  key(field: number, wire: number) {
    this.varint(field * 8 + wire);
  }
  bytes(field: number, b: Uint8Array | number[]) {
    this.key(field, 2);
    this.varint(b.length);
    for (const x of b) this.out.push(x);
  }
  f32(field: number, v: number) {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.out.push(...b);
  }
  int(field: number, v: number) {
    this.key(field, 0);
    this.varint(v);
  }
}

/** Serializes a SentencePiece model (pieces plus the spec fields above) to protobuf bytes. */
export function encodeSentencePieceModel(
  model: Pick<SentencePieceModel, 'pieces'> & {
    trainerSpec?: Partial<SentencePieceTrainerSpec>;
    normalizerSpec?: Partial<SentencePieceNormalizerSpec>;
  },
): Uint8Array {
  const enc = new TextEncoder();
  const w = new ProtoWriter();
  for (const p of model.pieces) {
    const pw = new ProtoWriter();
    pw.bytes(1, enc.encode(p.piece));
    pw.f32(2, p.score);
    if (p.type !== SentencePieceType.NORMAL) pw.int(3, p.type);
    w.bytes(1, pw.out);
  }
  const t = model.trainerSpec ?? {};
  const tw = new ProtoWriter();
  const ints: [number, number | undefined][] = [
    [3, t.modelType],
    [4, t.vocabSize],
    [40, t.unkId],
    [41, t.bosId],
    [42, t.eosId],
    [43, t.padId],
  ];
  for (const [f, v] of ints) if (v !== undefined) tw.int(f, v);
  if (t.byteFallback !== undefined) tw.int(35, t.byteFallback ? 1 : 0);
  w.bytes(2, tw.out);
  const n = model.normalizerSpec ?? {};
  const nw = new ProtoWriter();
  if (n.name !== undefined) nw.bytes(1, enc.encode(n.name));
  if (n.addDummyPrefix !== undefined) nw.int(3, n.addDummyPrefix ? 1 : 0);
  if (n.removeExtraWhitespaces !== undefined) nw.int(4, n.removeExtraWhitespaces ? 1 : 0);
  if (n.escapeWhitespaces !== undefined) nw.int(5, n.escapeWhitespaces ? 1 : 0);
  w.bytes(3, nw.out);
  return Uint8Array.from(w.out);
}
