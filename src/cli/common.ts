// What most commands share: resolving -m to a file, loading with a progress line, printing JSON.
import { existsSync } from 'node:fs';
import { defaultModel } from '../engine/default-model.js';
import { PocketModel } from '../engine/pocket-model.js';
import type { KvType } from '../model/kv-cache.js';
import { UsageError } from './args.js';

/** Model options every model-using command accepts. */
export const MODEL_OPTIONS = {
  model: { type: 'string', short: 'm' },
  threads: { type: 'string', short: 't' },
  backend: { type: 'string' },
} as const;

/** -m value → a path: an existing file/dir, a cached hub name, or (when omitted) the default model. */
export async function resolveModelPath(ref: string | undefined, quiet = false): Promise<string> {
  if (ref === undefined) {
    const d = defaultModel((msg) => quiet || process.stderr.write(`note: ${msg}\n`));
    if (d.random && !quiet)
      process.stderr.write(
        'note: the default model has random weights: its text is gibberish (see README)\n',
      );
    return d.path;
  }
  if (existsSync(ref)) return ref;
  const hub = await import('../hub/cache.js');
  try {
    return hub.resolveModelRef(ref);
  } catch (e) {
    throw new UsageError(
      `${(e as Error).message} (give a GGUF file, a safetensors directory, or a name from 'pocketlm models')`,
    );
  }
}

/** Loads the model named by -m with the chosen backend/threads; progress on stderr when it is a TTY. */
export async function loadModelFromArgs(
  values: Record<string, unknown>,
  quiet = false,
): Promise<PocketModel> {
  const path = await resolveModelPath(values.model as string | undefined, quiet);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new UsageError(`--threads must be a positive integer, got "${String(values.threads)}"`);
  }
  const backend = values.backend as string | undefined;
  if (backend !== undefined && backend !== 'wasm' && backend !== 'reference') {
    throw new UsageError(`--backend must be "wasm" or "reference", got "${backend}"`);
  }
  const tty = process.stderr.isTTY && !quiet;
  const model = await PocketModel.load(path, {
    threads,
    backend: backend as 'wasm' | 'reference' | undefined,
    onProgress: tty
      ? (p) =>
          process.stderr.write(
            `\rloading ${p.phase} ${Math.round((100 * p.done) / p.total)}%   ${p.done === p.total && p.phase === 'prepare' ? '\n' : ''}`,
          )
      : undefined,
  });
  return model;
}

export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v)}\n`);
}

const KV_TYPE_NAMES = ['f16', 'q8_0', 'f32'] as const;

/** --kv-type: the KV cache precision, checked. */
export function kvTypeArg(v: string | undefined): KvType | undefined {
  if (v === undefined) return undefined;
  if (!(KV_TYPE_NAMES as readonly string[]).includes(v))
    throw new UsageError(`--kv-type must be one of ${KV_TYPE_NAMES.join(', ')}, got "${v}"`);
  return v as KvType;
}
