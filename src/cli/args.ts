// Small helpers over node:util parseArgs: typed option reading with errors that name the flag.
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A user-facing error: printed as one line, without a stack trace (unless --verbose). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;
type ParseConfig<T extends Options> = { args: string[]; options: T; allowPositionals: true; strict: true };

/** Parses argv with the given options; unknown flags are errors naming the flag. */
export function parse<const T extends Options>(
  argv: string[],
  options: T,
): ReturnType<typeof parseArgs<ParseConfig<T>>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

/** Reads a numeric flag, checking it is a finite number (an integer when `int`) within [min, max]. */
export function num(
  values: Record<string, unknown>,
  name: string,
  opts: { int?: boolean; min?: number; max?: number; fallback?: number } = {},
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return opts.fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || (opts.int && !Number.isInteger(v))) {
    throw new UsageError(`--${name} must be ${opts.int ? 'an integer' : 'a number'}, got "${String(raw)}"`);
  }
  if (opts.min !== undefined && v < opts.min)
    throw new UsageError(`--${name} must be ≥ ${opts.min}, got ${v}`);
  if (opts.max !== undefined && v > opts.max)
    throw new UsageError(`--${name} must be ≤ ${opts.max}, got ${v}`);
  return v;
}

/** Reads a required string flag. */
export function req(values: Record<string, unknown>, name: string, hint = ''): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`missing --${name}${hint ? ` (${hint})` : ''}`);
  return v;
}
