// JSON Lines reading with file:line errors and typed field access for the benchmark parsers.

/** One parsed JSON line with its 1-based line number. */
export interface JsonLine {
  line: number;
  value: Record<string, unknown>;
}

/** Parses JSONL text (blank lines skipped); each line must be a JSON object. */
export function parseJsonl(text: string, file: string): JsonLine[] {
  const out: JsonLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i]!.trim();
    if (s === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: invalid JSON (${(e as Error).message})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new Error(
        `${file}:${i + 1}: expected a JSON object, got ${Array.isArray(v) ? 'an array' : typeof v}`,
      );
    }
    out.push({ line: i + 1, value: v as Record<string, unknown> });
  }
  return out;
}

/** Reads a string field, throwing `file:line: field "name" …` when missing or of another type. */
export function str(obj: Record<string, unknown>, name: string, where: string, path = name): string {
  const v = obj[name];
  if (typeof v !== 'string')
    throw new Error(`${where}: field "${path}" must be a string, got ${describe(v)}`);
  return v;
}

/** Reads an object field, throwing like {@link str}. */
export function obj(
  o: Record<string, unknown>,
  name: string,
  where: string,
  path = name,
): Record<string, unknown> {
  const v = o[name];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new Error(`${where}: field "${path}" must be an object, got ${describe(v)}`);
  }
  return v as Record<string, unknown>;
}

/** Reads an array field, throwing like {@link str}. */
export function arr(o: Record<string, unknown>, name: string, where: string, path = name): unknown[] {
  const v = o[name];
  if (!Array.isArray(v)) throw new Error(`${where}: field "${path}" must be an array, got ${describe(v)}`);
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}
