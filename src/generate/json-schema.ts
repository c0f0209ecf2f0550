// JSON-schema-constrained decoding: the schema becomes a character-level pushdown matcher; each step masks
// out tokens whose text cannot continue a document that validates, so the output always parses and validates.
import type { TokenConstraint } from './generate.js';

/** The subset of JSON Schema the matcher enforces (other keywords are ignored). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
}

/** Most whitespace characters allowed in a row between JSON tokens (stops runaway whitespace). */
const MAX_WS = 8;

type Frame =
  | { k: 'value'; s: JsonSchema }
  | { k: 'lit'; rest: string }
  | { k: 'alts'; alts: string[]; got: string }
  | {
      k: 'str';
      esc: number;
      len: number;
      min: number;
      max: number;
      key?: { keys: string[] | null; got: string };
    }
  | { k: 'num'; int: boolean; st: number }
  | { k: 'obj'; s: JsonSchema; ph: 'first' | 'key' | 'colon' | 'val' | 'next'; seen: string[]; key: string }
  | { k: 'arr'; s: JsonSchema; ph: 'first' | 'val' | 'next'; n: number };

/** A persistent stack: states share tails, so branching (anyOf) and cloning are free. */
interface State {
  f: Frame;
  up: State | null;
  ws: number;
}

const DONE: State = { f: { k: 'lit', rest: '' }, up: null, ws: 0 };

function isWs(c: string) {
  return c === ' ' || c === '\n' || c === '\t' || c === '\r';
}

export class SchemaMatcher {
  private readonly root: JsonSchema;

  constructor(schema: JsonSchema) {
    this.root = schema;
  }

  /** The states before any text. */
  initial(): State[] {
    return this.expand({ f: { k: 'value', s: this.root }, up: DONE, ws: 0 });
  }

  private resolve(s: JsonSchema): JsonSchema {
    let cur = s;
    for (let i = 0; i < 32 && cur.$ref; i++) {
      const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(cur.$ref);
      const defs = m ? (m[1] === '$defs' ? this.root.$defs : this.root.definitions) : undefined;
      const target = m && defs ? defs[m[2]!] : undefined;
      if (!target) throw new Error(`json schema: unsupported $ref "${cur.$ref}"`);
      cur = target;
    }
    return cur;
  }

  /** Replaces anyOf/oneOf value frames by one state per alternative. */
  private expand(st: State): State[] {
    if (st.f.k !== 'value') return [st];
    const s = this.resolve(st.f.s);
    const alts = s.anyOf ?? s.oneOf;
    if (alts) return alts.flatMap((a) => this.expand({ ...st, f: { k: 'value', s: a } }));
    return [{ ...st, f: { k: 'value', s } }];
  }

  /** Advances every state by one character; returns the surviving states. */
  step(states: State[], c: string): State[] {
    const out: State[] = [];
    for (const st of states) this.stepOne(st, c, out);
    return out;
  }

  /** True if some state has finished the top-level value. */
  accepts(states: State[]): boolean {
    return states.some((s) => s.up === null || (s.up.up === null && s.f.k === 'num' && numAccepts(s.f)));
  }

  private push(up: State, f: Frame, out: State[]) {
    for (const e of this.expand({ f, up, ws: 0 })) out.push(e);
  }

  /** Pops a finished frame: the parent moves on. */
  private finish(st: State, out: State[]) {
    const up = st.up;
    if (up === null) return;
    if (up.up === null) {
      out.push(DONE);
      return;
    }
    const f = up.f;
    if (f.k === 'obj') {
      if (f.ph === 'key') out.push({ up: up.up, ws: 0, f: { ...f, ph: 'colon' } });
      else out.push({ up: up.up, ws: 0, f: { ...f, ph: 'next' } });
    } else if (f.k === 'arr') out.push({ up: up.up, ws: 0, f: { ...f, ph: 'next', n: f.n + 1 } });
  }

  private stepOne(st: State, c: string, out: State[]): void {
    const f = st.f;
    if (st.up === null) {
      if (isWs(c) && st.ws < MAX_WS) out.push({ ...DONE, ws: st.ws + 1 });
      return;
    }
    switch (f.k) {
      case 'value': {
        if (isWs(c)) {
          if (st.ws < MAX_WS) out.push({ ...st, ws: st.ws + 1 });
          return;
        }
        const s = f.s;
        if (s.const !== undefined || s.enum) {
          const alts = (s.const !== undefined ? [s.const] : s.enum!).map((v) => JSON.stringify(v));
          const next = alts.filter((a) => a[0] === c);
          if (next.length) this.litStep({ ...st, f: { k: 'alts', alts: next, got: c } }, out);
          return;
        }
        const types =
          s.type === undefined
            ? ['object', 'array', 'string', 'number', 'boolean', 'null']
            : ([] as string[]).concat(s.type);
        const up = st.up!;
        if (c === '{' && types.includes('object'))
          out.push({ up, ws: 0, f: { k: 'obj', s, ph: 'first', seen: [], key: '' } });
        else if (c === '[' && types.includes('array'))
          out.push({ up, ws: 0, f: { k: 'arr', s, ph: 'first', n: 0 } });
        else if (c === '"' && types.includes('string'))
          out.push({
            up,
            ws: 0,
            f: {
              k: 'str',
              esc: 0,
              len: 0,
              min: s.minLength ?? 0,
              max: s.maxLength ?? Number.POSITIVE_INFINITY,
            },
          });
        else if (
          (c === '-' || (c >= '0' && c <= '9')) &&
          (types.includes('number') || types.includes('integer'))
        ) {
          const nf: Frame = { k: 'num', int: !types.includes('number'), st: 0 };
          const r = numStep(nf, c);
          if (r !== null) out.push({ up, ws: 0, f: { ...nf, st: r } });
        } else if ((c === 't' || c === 'f') && types.includes('boolean'))
          this.litStep({ up, ws: 0, f: { k: 'lit', rest: c === 't' ? 'rue' : 'alse' } }, out, true);
        else if (c === 'n' && types.includes('null'))
          this.litStep({ up, ws: 0, f: { k: 'lit', rest: 'ull' } }, out, true);
        return;
      }
      case 'lit': {
        if (f.rest[0] === c) this.litStep({ ...st, f: { k: 'lit', rest: f.rest.slice(1) } }, out, true);
        return;
      }
      case 'alts': {
        const got = f.got + c;
        const alts = f.alts.filter((a) => a.startsWith(got));
        if (alts.length) this.litStep({ ...st, f: { k: 'alts', alts, got } }, out);
        return;
      }
      case 'str': {
        if (f.esc > 0) {
          // esc 1: after backslash; 2..5: hex digits of \uXXXX
          if (f.esc === 1) {
            if (c === 'u') out.push({ ...st, f: { ...f, esc: 2 } });
            else if ('"\\/bfnrt'.includes(c)) this.strChar(st, f, c, out);
          } else if (/[0-9a-fA-F]/.test(c)) {
            if (f.esc === 5) this.strChar(st, f, c, out);
            else out.push({ ...st, f: { ...f, esc: f.esc + 1 } });
          }
          return;
        }
        if (c === '"') {
          if (f.len < f.min) return;
          if (f.key?.keys && !f.key.keys.includes(f.key.got)) return;
          if (f.key) {
            const up = st.up!;
            const o = up.f as Extract<Frame, { k: 'obj' }>;
            out.push({ up: up.up, ws: 0, f: { ...o, ph: 'colon', key: f.key.got } });
            return;
          }
          this.finish(st, out);
          return;
        }
        if (c === '\\') {
          if (f.key || f.len + 1 > f.max) return; // keys stay simple; an escape needs room for its character
          out.push({ ...st, f: { ...f, esc: 1 } });
          return;
        }
        if (c < ' ') return; // control characters must be escaped
        this.strChar(st, f, c, out);
        return;
      }
      case 'num': {
        const r = numStep(f, c);
        if (r !== null) {
          out.push({ ...st, f: { ...f, st: r } });
          return;
        }
        if (numAccepts(f)) {
          // The number ended: this character belongs to the parent.
          const popped: State[] = [];
          this.finish(st, popped);
          for (const p of popped) this.stepOne(p, c, out);
        }
        return;
      }
      case 'obj':
        this.objStep(st, f, c, out);
        return;
      case 'arr':
        this.arrStep(st, f, c, out);
        return;
    }
  }

  private litStep(st: State, out: State[], plain = false) {
    const f = st.f;
    if (plain && f.k === 'lit' && f.rest === '') return this.finish(st, out);
    if (f.k === 'alts' && f.alts.includes(f.got)) {
      this.finish(st, out);
      if (f.alts.length === 1) return;
    }
    out.push(st);
  }

  private strChar(st: State, f: Extract<Frame, { k: 'str' }>, c: string, out: State[]) {
    if (f.len + 1 > f.max) return;
    let key = f.key;
    if (key) {
      const got = key.got + c;
      if (key.keys && !key.keys.some((k) => k.startsWith(got))) return;
      key = { keys: key.keys, got };
    }
    out.push({ ...st, f: { ...f, esc: 0, len: f.len + 1, key } });
  }

  private objStep(st: State, f: Extract<Frame, { k: 'obj' }>, c: string, out: State[]) {
    if (isWs(c)) {
      if (st.ws < MAX_WS) out.push({ ...st, ws: st.ws + 1 });
      return;
    }
    const s = f.s;
    const props = s.properties ?? {};
    const required = (s.required ?? []).filter((k) => !f.seen.includes(k));
    const closed = s.additionalProperties === false;
    const canClose = required.length === 0;
    if ((f.ph === 'first' || f.ph === 'next') && c === '}' && canClose) return this.finish(st, out);
    if (f.ph === 'next' && c === ',') {
      // A comma only when another key can follow (a closed object may have used all its keys).
      if (closed && Object.keys(props).every((k) => f.seen.includes(k))) return;
      out.push({ ...st, ws: 0, f: { ...f, ph: 'key' } });
      return;
    }
    if ((f.ph === 'first' || f.ph === 'key') && c === '"') {
      const known = Object.keys(props).filter((k) => !f.seen.includes(k));
      const keys = closed ? known : null;
      if (keys && keys.length === 0) return;
      out.push({
        up: { ...st, f: { ...f, ph: 'key' } },
        ws: 0,
        f: { k: 'str', esc: 0, len: 0, min: 0, max: Number.POSITIVE_INFINITY, key: { keys, got: '' } },
      });
      return;
    }
    if (f.ph === 'colon' && c === ':') {
      if (f.seen.includes(f.key)) return;
      const sub = props[f.key] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : {});
      const parent: State = { up: st.up, ws: 0, f: { ...f, ph: 'val', seen: [...f.seen, f.key] } };
      this.push(parent, { k: 'value', s: sub }, out);
    }
  }

  private arrStep(st: State, f: Extract<Frame, { k: 'arr' }>, c: string, out: State[]) {
    if (isWs(c)) {
      if (st.ws < MAX_WS) out.push({ ...st, ws: st.ws + 1 });
      return;
    }
    const s = f.s;
    const min = s.minItems ?? 0;
    const max = s.maxItems ?? Number.POSITIVE_INFINITY;
    if ((f.ph === 'first' || f.ph === 'next') && c === ']' && f.n >= min) return this.finish(st, out);
    if (f.ph === 'next' && c === ',' && f.n < max) {
      this.push({ up: st.up, ws: 0, f: { ...f, ph: 'val' } }, { k: 'value', s: s.items ?? {} }, out);
      return;
    }
    if (f.ph === 'first' && max > 0) {
      const parent: State = { up: st.up, ws: 0, f: { ...f, ph: 'val' } };
      const starts: State[] = [];
      this.push(parent, { k: 'value', s: s.items ?? {} }, starts);
      for (const x of starts) this.stepOne(x, c, out);
    }
  }
}

// Number grammar states: 0 start, 1 after '-', 2 leading zero, 3 int digits, 4 after '.', 5 frac digits,
// 6 after e/E, 7 after exponent sign, 8 exponent digits.
function numStep(f: Extract<Frame, { k: 'num' }>, c: string): number | null {
  const d = c >= '0' && c <= '9';
  switch (f.st) {
    case 0:
      return c === '-' ? 1 : c === '0' ? 2 : d ? 3 : null;
    case 1:
      return c === '0' ? 2 : d ? 3 : null;
    case 2:
      return !f.int && c === '.' ? 4 : !f.int && (c === 'e' || c === 'E') ? 6 : null;
    case 3:
      return d ? 3 : !f.int && c === '.' ? 4 : !f.int && (c === 'e' || c === 'E') ? 6 : null;
    case 4:
      return d ? 5 : null;
    case 5:
      return d ? 5 : c === 'e' || c === 'E' ? 6 : null;
    case 6:
      return c === '+' || c === '-' ? 7 : d ? 8 : null;
    case 7:
    case 8:
      return d ? 8 : null;
    default:
      return null;
  }
}

function numAccepts(f: Extract<Frame, { k: 'num' }>): boolean {
  return f.st === 2 || f.st === 3 || f.st === 5 || f.st === 8;
}

/** What the constraint needs from a model: token texts and end-of-generation tokens. */
export interface ConstraintVocab {
  readonly tokenizer: { tokenToPiece(id: number): string; vocab: { tokens: string[] } };
  isEog(id: number): boolean;
  readonly config: { nVocab: number };
}

const pieceCache = new WeakMap<object, { pieces: string[]; byFirst: Map<string, number[]>; eog: number[] }>();

function tokenTable(model: ConstraintVocab) {
  let t = pieceCache.get(model);
  if (t) return t;
  const pieces: string[] = [];
  const byFirst = new Map<string, number[]>();
  const eog: number[] = [];
  const n = model.tokenizer.vocab.tokens.length;
  for (let id = 0; id < n; id++) {
    if (model.isEog(id)) eog.push(id);
    const p = model.tokenizer.tokenToPiece(id);
    pieces.push(p);
    // Tokens that are not whole characters (lone bytes) or are empty/special can never be checked: excluded.
    if (p === '' || p.includes('\uFFFD')) continue;
    const first = p[0]!;
    const list = byFirst.get(first);
    if (list) list.push(id);
    else byFirst.set(first, [id]);
  }
  t = { pieces, byFirst, eog };
  pieceCache.set(model, t);
  return t;
}

/**
 * A TokenConstraint that only lets through tokens keeping the output a prefix of a JSON document valid
 * under `schema` (`{type: 'object'}` for OpenAI's json_object mode); end tokens only once it is complete.
 */
export function jsonSchemaConstraint(model: ConstraintVocab, schema: JsonSchema): TokenConstraint {
  const m = new SchemaMatcher(schema);
  const table = tokenTable(model);
  let states = m.initial();
  let mask: Uint8Array | null = null;
  const nVocab = model.config.nVocab;
  const computeMask = () => {
    const mk = new Uint8Array(nVocab);
    for (const [first, ids] of table.byFirst) {
      const after = m.step(states, first);
      if (after.length === 0) continue;
      for (const id of ids) {
        let s = after;
        const p = table.pieces[id]!;
        for (let i = 1; i < p.length && s.length; i++) s = m.step(s, p[i]!);
        if (s.length) mk[id] = 1;
      }
    }
    if (m.accepts(states)) for (const id of table.eog) mk[id] = 1;
    return mk;
  };
  return {
    allows(id: number): boolean {
      mask ??= computeMask();
      return mask[id] === 1;
    },
    accept(id: number): void {
      const p = table.pieces[id] ?? '';
      if (!model.isEog(id)) for (let i = 0; i < p.length; i++) states = m.step(states, p[i]!);
      mask = null;
    },
    done(): boolean {
      return states.length > 0 && states.every((s) => s.up === null);
    },
  };
}
