// CLI commands `pocketlm pull REPO [FILE]` and `pocketlm models`, with a progress bar on stderr.
import { parseArgs } from 'node:util';
import { defaultCacheDir, listCachedModels } from './cache.js';
import { type PullProgress, pull } from './pull.js';

/** Where the commands write; replaceable in tests. */
export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** True when stderr is a terminal (progress redraws in place); otherwise a line every few seconds. */
  tty: boolean;
  now: () => number;
}

const defaultIo = (): CliIo => ({
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  tty: process.stderr.isTTY === true,
  now: () => Date.now(),
});

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

function clock(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '--:--';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** One progress line: bar, percent, MB done/total, MB/s and ETA. Exported for tests. */
export function formatProgress(
  received: number,
  total: number | undefined,
  bytesPerSec: number,
  width = 24,
): string {
  const rate = `${mb(bytesPerSec)} MB/s`;
  if (!total) return `${mb(received)} MB  ${rate}`;
  const frac = Math.min(1, received / total);
  const fill = Math.round(frac * width);
  const eta = bytesPerSec > 0 ? (total - received) / bytesPerSec : Number.NaN;
  return `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(1).padStart(5)}%  ${mb(received)}/${mb(total)} MB  ${rate}  ETA ${clock(eta)}`;
}

/** Makes an onProgress callback that draws the bar at most every 100 ms (TTY) or 5 s (logs). */
export function progressBar(io: CliIo): { update: (p: PullProgress) => void; done: () => void } {
  let start = 0;
  let startBytes = 0;
  let last = 0;
  let drawn = false;
  let lastP: PullProgress | undefined;
  const draw = (p: PullProgress) => {
    const t = io.now();
    const rate = t > start ? ((p.received - startBytes) * 1000) / (t - start) : 0;
    const line = formatProgress(p.received, p.total, rate);
    if (io.tty) io.err(`\r${line}\x1b[K`);
    else io.err(`${line}\n`);
    drawn = true;
  };
  return {
    update: (p) => {
      const t = io.now();
      if (!lastP || p.resumedFrom !== lastP.resumedFrom || p.received < lastP.received) {
        start = t;
        startBytes = p.received;
        if (p.resumedFrom > 0)
          io.err(`${io.tty && drawn ? '\n' : ''}resuming ${p.file} from ${mb(p.resumedFrom)} MB\n`);
      }
      lastP = p;
      if (t - last >= (io.tty ? 100 : 5000)) {
        last = t;
        draw(p);
      }
    },
    done: () => {
      if (lastP) draw(lastP);
      if (io.tty && drawn) io.err('\n');
    },
  };
}

/**
 * `pocketlm pull REPO [FILE] [--revision R] [--cache-dir D] [--endpoint URL] [--force]`: downloads into the
 * cache, prints the file path on stdout, progress on stderr. Returns the exit code (0 ok, 1 error, 2 usage).
 */
export async function pullCommand(args: string[], io: CliIo = defaultIo()): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        revision: { type: 'string', short: 'r' },
        'cache-dir': { type: 'string' },
        endpoint: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`pocketlm pull: ${(e as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length < 1 || positionals.length > 2) {
    io.err(
      'usage: pocketlm pull OWNER/REPO [FILE] [--revision REV] [--cache-dir DIR] [--endpoint URL] [--force]\n' +
        '  Downloads FILE (default: the repo’s only .gguf) into $POCKETLM_CACHE or ~/.cache/pocketlm.\n' +
        '  HF_TOKEN authenticates; HF_ENDPOINT selects a mirror.\n',
    );
    return values.help ? 0 : 2;
  }
  const bar = progressBar(io);
  try {
    const r = await pull(
      {
        repo: positionals[0]!,
        file: positionals[1],
        revision: values.revision as string | undefined,
        cacheDir: values['cache-dir'] as string | undefined,
        endpoint: values.endpoint as string | undefined,
        force: values.force === true,
      },
      bar.update,
    );
    bar.done();
    if (!r.downloaded) io.err(`already cached: ${r.repo}/${r.file}\n`);
    else
      io.err(
        `downloaded ${r.repo}/${r.file} (${mb(r.size)} MB${r.sha256 ? `, sha256 ${r.sha256.slice(0, 12)}…` : ''})\n`,
      );
    io.out(`${r.path}\n`);
    return 0;
  } catch (e) {
    bar.done();
    io.err(`pocketlm pull: ${(e as Error).message}\n`);
    return 1;
  }
}

/** `pocketlm models [--cache-dir D] [--json]`: lists cached model files (ref, size, path). */
export async function modelsCommand(args: string[], io: CliIo = defaultIo()): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: {
        'cache-dir': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`pocketlm models: ${(e as Error).message}\n`);
    return 2;
  }
  if (parsed.values.help) {
    io.err('usage: pocketlm models [--cache-dir DIR] [--json]\n');
    return 0;
  }
  const dir = (parsed.values['cache-dir'] as string | undefined) ?? defaultCacheDir();
  const models = listCachedModels(dir);
  if (parsed.values.json) {
    io.out(`${JSON.stringify(models, null, 2)}\n`);
    return 0;
  }
  if (models.length === 0) {
    io.err(`no models in ${dir}; download one with: pocketlm pull OWNER/REPO [FILE]\n`);
    return 0;
  }
  const w = Math.max(...models.map((m) => m.ref.length));
  for (const m of models)
    io.out(`${m.ref.padEnd(w)}  ${(m.size / 1e9).toFixed(2).padStart(7)} GB  ${m.path}\n`);
  return 0;
}
