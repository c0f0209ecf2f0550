// Run-directory layout: every path the runner reads or writes, in one place.
import { join } from 'node:path';

const pad = (n: number) => String(n).padStart(5, '0');

/** Paths inside a run directory. */
export const layout = {
  done: (run: string, phase: number, shard: number) => join(run, 'done', `p${phase}-${pad(shard)}.json`),
  work: (run: string, phase: number, shard: number) =>
    join(run, 'work', `p${phase}`, `part-${pad(shard)}.jsonl`),
  sig: (run: string, barrier: number, shard: number) =>
    join(run, 'work', `sig${barrier}`, `part-${pad(shard)}.bin`),
  decision: (run: string, barrier: number) => join(run, 'dedup', `barrier-${barrier}.json`),
  output: (run: string, shard: number, ext: string) => join(run, 'output', `part-${pad(shard)}${ext}`),
  rejected: (run: string, phase: number, shard: number) =>
    join(run, 'rejected', `p${phase}-part-${pad(shard)}.jsonl`),
  stats: (run: string) => join(run, 'stats.json'),
  plan: (run: string) => join(run, 'plan.json'),
};
