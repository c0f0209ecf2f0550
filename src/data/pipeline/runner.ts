// Pipeline executor: plans phases at dedup barriers, runs (phase, shard) tasks in-process or on worker threads, merges dedup.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { mergeSignatures } from '../dedup/merge.js';
import { loadSignatures } from '../dedup/signatures.js';
import { discoverShards } from '../readers/index.js';
import { writeJsonAtomic } from './atomic.js';
import { loadConfig, type PipelineConfig } from './config.js';
import { layout } from './layout.js';
import { Progress } from './progress.js';
import { buildStage } from './registry.js';
import { makeSegments, type Plan, runShardPhase, type ShardPhaseRecord } from './shard-task.js';
import { mergeStageStats, type StageStats } from './stats.js';

/** Options of runPipeline (the CLI flags). */
export interface RunOptions {
  /** This process's index among `of` cooperating processes (`--shard`). */
  shard?: number;
  /** Number of cooperating processes (`--of`); this one takes input shards shard, shard+of, … */
  of?: number;
  /** Worker threads (`--workers`, default 1 = in-process). */
  workers?: number;
  /** Override the run directory (`--run-dir`). */
  runDir?: string;
  /** Print the progress line on stderr (default true). */
  progress?: boolean;
  /** Seconds to wait at a dedup barrier for other processes' shards (default 0 = return pending). */
  waitForShards?: number;
}

/** Aggregated statistics written to `<run>/stats.json`. */
export interface RunStats {
  name: string;
  config: string;
  shards: number;
  complete: boolean;
  docs_read: number;
  docs_written: number;
  stages: StageStats[];
  drop_reasons: Record<string, number>;
  dedup: Record<
    string,
    {
      kind: string;
      total_docs: number;
      removed: number;
      clusters: number;
      cluster_size_histogram: Record<string, number>;
      /** minhash_dedup with min_jaccard: bucket matches left unmerged by verification. */
      candidates_rejected?: number;
    }
  >;
  notes: Record<string, Record<string, unknown>[]>;
}

/** Result of runPipeline. */
export interface RunResult {
  runDir: string;
  complete: boolean;
  /** Why the run stopped early (waiting at a barrier for other processes). */
  pending?: string;
  stats: RunStats;
}

/** Build the execution plan for a config. */
export async function planPipeline(config: PipelineConfig): Promise<Plan> {
  const shards = await discoverShards(config.input, config.base_dir);
  return { config, shards, segments: makeSegments(config.stages) };
}

type Task = { shard: number; phase: number };

/** Start a worker; from TypeScript sources (tsx) the worker registers tsx's loader before importing the entry. */
function spawnWorker(url: URL, ext: string): Worker {
  if (ext !== '.ts') return new Worker(url);
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true });
}

/** A pool of worker threads kept for the whole run (tsx/loader start-up is paid once per worker). */
class WorkerPool {
  private readonly workers: Worker[] = [];
  constructor(private readonly size: number) {}
  private get(i: number): Worker {
    if (!this.workers[i]) {
      const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
      this.workers[i] = spawnWorker(new URL(`./worker${ext}`, import.meta.url), ext);
    }
    return this.workers[i] as Worker;
  }
  /** Run tasks, each worker pulling the next task when it finishes one. */
  async run(plan: Plan, tasks: Task[], progress: Progress): Promise<void> {
    const queue = [...tasks];
    const n = Math.min(this.size, tasks.length);
    await Promise.all(
      Array.from({ length: n }, (_, i) => {
        const w = this.get(i);
        return new Promise<void>((resolve, reject) => {
          const onMessage = (m: { type: string; docs?: number; message?: string }) => {
            if (m.type === 'progress') progress.addDocs(m.docs ?? 0);
            else if (m.type === 'done') {
              progress.taskDone();
              next();
            } else if (m.type === 'error') finish(new Error(m.message));
          };
          const finish = (err?: Error) => {
            w.off('message', onMessage);
            w.off('error', finish);
            if (err) reject(err);
            else resolve();
          };
          const next = () => {
            const t = queue.shift();
            if (!t) return finish();
            w.postMessage({ plan, shard: t.shard, phase: t.phase });
          };
          w.on('message', onMessage);
          w.on('error', finish);
          next();
        });
      }),
    );
  }
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

async function runTasks(
  plan: Plan,
  tasks: Task[],
  pool: WorkerPool | null,
  progress: Progress,
): Promise<void> {
  if (tasks.length === 0) return;
  if (!pool) {
    for (const t of tasks) {
      await runShardPhase(plan, t.shard, t.phase, (n) => progress.addDocs(n));
      progress.taskDone();
    }
    return;
  }
  await pool.run(plan, tasks, progress);
}

async function readRecords(run: string, phase: number, n: number): Promise<(ShardPhaseRecord | null)[]> {
  const out: (ShardPhaseRecord | null)[] = [];
  for (let s = 0; s < n; s++) {
    const p = layout.done(run, phase, s);
    out.push(existsSync(p) ? (JSON.parse(await readFile(p, 'utf8')) as ShardPhaseRecord) : null);
  }
  return out;
}

/** Merge dedup signatures of barrier `b` once every shard reached it (idempotent, atomic). */
async function mergeBarrier(plan: Plan, b: number): Promise<void> {
  const path = layout.decision(plan.config.run_dir, b);
  if (existsSync(path)) return;
  const files = [];
  for (let s = 0; s < plan.shards.length; s++)
    files.push(await loadSignatures(layout.sig(plan.config.run_dir, b, s)));
  const bar = plan.segments[b]?.barrier;
  const st = bar?.settings as { bands?: number; min_jaccard?: number } | undefined;
  await writeJsonAtomic(
    path,
    mergeSignatures(
      files,
      bar?.name === 'minhash_dedup' ? { bands: st?.bands, minJaccard: st?.min_jaccard } : {},
    ),
  );
}

/** Aggregate all completion records into `<run>/stats.json`. */
export async function writeRunStats(plan: Plan): Promise<RunStats> {
  const run = plan.config.run_dir;
  const lists: StageStats[][] = [];
  let docsRead = 0;
  let written = 0;
  let complete = true;
  const notes: Record<string, Record<string, unknown>[]> = {};
  for (let p = 0; p < plan.segments.length; p++) {
    for (const r of await readRecords(run, p, plan.shards.length)) {
      if (!r) {
        complete = false;
        continue;
      }
      lists.push(r.stages);
      if (p === 0) docsRead += r.docs_read;
      if (p === plan.segments.length - 1) written += r.docs_written;
      for (const [k, v] of Object.entries(r.notes)) notes[k] = [...(notes[k] ?? []), ...v];
    }
  }
  const stages = mergeStageStats(lists);
  const drop_reasons: Record<string, number> = {};
  for (const s of stages) for (const [r, n] of Object.entries(s.drops)) drop_reasons[`${s.name}:${r}`] = n;
  const dedup: RunStats['dedup'] = {};
  for (let b = 0; b < plan.segments.length - 1; b++) {
    const p = layout.decision(run, b);
    if (!existsSync(p)) continue;
    const d = JSON.parse(await readFile(p, 'utf8'));
    const bar = plan.segments[b]?.barrier;
    dedup[`${bar?.index}:${bar?.name}`] = {
      kind: d.kind,
      total_docs: d.total_docs,
      removed: d.removed,
      clusters: d.clusters,
      cluster_size_histogram: d.cluster_size_histogram,
      ...(d.candidates_rejected ? { candidates_rejected: d.candidates_rejected } : {}),
    };
  }
  const stats: RunStats = {
    name: plan.config.name,
    config: plan.config.source,
    shards: plan.shards.length,
    complete,
    docs_read: docsRead,
    docs_written: written,
    stages,
    drop_reasons,
    dedup,
    notes,
  };
  await writeJsonAtomic(layout.stats(run), stats);
  return stats;
}

/**
 * Run a pipeline (YAML path or resolved config). Deterministic and resumable: finished (phase, shard) tasks
 * have a completion record and are skipped; unfinished ones are redone from scratch into temp files.
 */
export async function runPipeline(
  configOrPath: string | PipelineConfig,
  opts: RunOptions = {},
): Promise<RunResult> {
  const config = typeof configOrPath === 'string' ? loadConfig(configOrPath, opts.runDir) : configOrPath;
  const of = opts.of ?? 1;
  const me = opts.shard ?? 0;
  if (!Number.isInteger(of) || of < 1 || !Number.isInteger(me) || me < 0 || me >= of) {
    throw new Error(`--shard ${me} --of ${of}: need integers with 0 ≤ shard < of`);
  }
  // validate every stage's settings up front (unknown keys, missing files) before any work starts
  for (const s of config.stages)
    if (!s.name.endsWith('_dedup')) await buildStage(s.name, s.settings, { baseDir: config.base_dir });
  const plan = await planPipeline(config);
  const run = config.run_dir;
  await mkdir(run, { recursive: true });
  await writeJsonAtomic(layout.plan(run), {
    config: config.source,
    shards: plan.shards,
    stages: config.stages,
  });
  const mine = plan.shards.map((_, i) => i).filter((i) => i % of === me);
  const progress = new Progress(
    mine.length * plan.segments.length,
    opts.progress ?? true,
    `data ${config.name}`,
  );
  let pending: string | undefined;
  const pool = (opts.workers ?? 1) > 1 ? new WorkerPool(opts.workers as number) : null;
  try {
    for (let phase = 0; phase < plan.segments.length; phase++) {
      if (phase > 0) {
        const b = phase - 1;
        const deadline = Date.now() + (opts.waitForShards ?? 0) * 1000;
        for (;;) {
          const recs = await readRecords(run, b, plan.shards.length);
          const missing = recs.map((r, i) => (r ? -1 : i)).filter((i) => i >= 0);
          if (missing.length === 0) break;
          if (Date.now() >= deadline) {
            pending = `dedup barrier ${b} waits for shards ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''} (phase ${b}); rerun when they finish`;
            break;
          }
          await new Promise((r) => setTimeout(r, 2000));
        }
        if (pending) break;
        await mergeBarrier(plan, b);
      }
      const todo = mine
        .filter((s) => !existsSync(layout.done(run, phase, s)))
        .map((shard) => ({ shard, phase }));
      for (let i = 0; i < mine.length - todo.length; i++) progress.taskDone();
      await runTasks(plan, todo, pool, progress);
    }
  } finally {
    await pool?.close();
  }
  progress.end();
  const stats = await writeRunStats(plan);
  return { runDir: run, complete: stats.complete, ...(pending ? { pending } : {}), stats };
}

/** List output files of a finished run (sorted). */
export async function outputFiles(runDir: string): Promise<string[]> {
  const dir = `${runDir}/output`;
  if (!existsSync(dir)) return [];
  return (await readdir(dir))
    .filter((f) => !f.endsWith('.tmp'))
    .sort()
    .map((f) => `${dir}/${f}`);
}
