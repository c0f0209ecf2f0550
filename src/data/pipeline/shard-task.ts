// One unit of work: run one pipeline phase over one input shard, resumably (temp files, rename, completion record).
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exactKey } from '../dedup/exact.js';
import type { DedupDecision } from '../dedup/merge.js';
import { bandKeys, type MinHashOptions, minHasher, signature } from '../dedup/minhash.js';
import { SignatureWriter } from '../dedup/signatures.js';
import type { Document, Filter, Stage, StageContext } from '../document.js';
import { DEFAULT_FIELDS } from '../readers/fields.js';
import { readShard } from '../readers/index.js';
import { readJsonl } from '../readers/jsonl.js';
import { type DocWriter, openWriter, outputExt } from '../writers/index.js';
import { documentToJson, jsonlWriter } from '../writers/jsonl.js';
import { tmpPath, writeJsonAtomic } from './atomic.js';
import type { PipelineConfig, StageSpec } from './config.js';
import { layout } from './layout.js';
import { type BarrierName, buildStage, isBarrier } from './registry.js';
import { countIn, countOut, newStageStats, type StageStats } from './stats.js';

/** A stage with its position in the full stage list. */
export interface PlannedStage extends StageSpec {
  index: number;
}

/** Stages between two dedup barriers; `barrier` ends the segment (null for the last one). */
export interface Segment {
  stages: PlannedStage[];
  barrier: (PlannedStage & { name: BarrierName }) | null;
}

/** Everything a worker needs (plain data). */
export interface Plan {
  config: PipelineConfig;
  shards: string[];
  segments: Segment[];
}

/** Completion record of one (phase, shard), stored as `done/p<phase>-<shard>.json`. */
export interface ShardPhaseRecord {
  shard: number;
  phase: number;
  input: string;
  docs_read: number;
  docs_written: number;
  seconds: number;
  stages: StageStats[];
  notes: Record<string, Record<string, unknown>[]>;
  output: string | null;
}

/** Split the stage list at dedup barriers. */
export function makeSegments(stages: StageSpec[]): Segment[] {
  const segs: Segment[] = [{ stages: [], barrier: null }];
  stages.forEach((s, index) => {
    const cur = segs[segs.length - 1] as Segment;
    if (isBarrier(s.name)) {
      cur.barrier = { ...s, index, name: s.name };
      segs.push({ stages: [], barrier: null });
    } else cur.stages.push({ ...s, index });
  });
  return segs;
}

const stageCache = new Map<string, Stage[]>();

async function buildSegment(plan: Plan, phase: number): Promise<Stage[]> {
  const key = `${plan.config.source}|${plan.config.run_dir}|${phase}|${JSON.stringify((plan.segments[phase] as Segment).stages)}`;
  let s = stageCache.get(key);
  if (!s) {
    s = [];
    for (const st of (plan.segments[phase] as Segment).stages)
      s.push(await buildStage(st.name, st.settings, { baseDir: plan.config.base_dir }));
    stageCache.set(key, s);
  }
  return s;
}

const decisionCache = new Map<string, DedupDecision>();

async function loadDecision(path: string): Promise<DedupDecision> {
  let d = decisionCache.get(path);
  if (!d) {
    d = JSON.parse(await readFile(path, 'utf8')) as DedupDecision;
    decisionCache.set(path, d);
  }
  return d;
}

/** A filter of a fused group with its counters and context. */
interface FusedFilter {
  filter: Filter;
  stats: StageStats;
  ctx: StageContext;
}

/** Run consecutive filters over the stream in one loop per document (stats as if they were separate stages). */
async function* fused(group: FusedFilter[], input: AsyncIterable<Document>): AsyncGenerator<Document> {
  outer: for await (const d of input) {
    for (const g of group) {
      countIn(g.stats, d);
      let r = g.filter.filter(d);
      if (r instanceof Promise) r = await r;
      if (r !== true) {
        g.ctx.drop(d, g.filter.name, r.reason);
        continue outer;
      }
      countOut(g.stats, d);
    }
    yield d;
  }
}

/** Run `phase` of the pipeline on input shard `shard`; returns (and stores) its completion record. */
export async function runShardPhase(
  plan: Plan,
  shard: number,
  phase: number,
  onProgress?: (docs: number) => void,
): Promise<ShardPhaseRecord> {
  const t0 = performance.now();
  const cfg = plan.config;
  const run = cfg.run_dir;
  const seg = plan.segments[phase] as Segment;
  const last = phase === plan.segments.length - 1;
  const allStats: StageStats[] = [];
  const notes: Record<string, Record<string, unknown>[]> = {};

  // rejected documents: buffered lines, flushed from the main loop
  let rejectWriter: DocWriter | null = null;
  const rejectPath = layout.rejected(run, phase, shard);
  const rejectQueue: Document[] = [];
  if (cfg.output.rejected) {
    await mkdir(dirname(rejectPath), { recursive: true });
    rejectWriter = jsonlWriter(tmpPath(rejectPath), false);
  }
  const makeCtx = (stats: StageStats): StageContext => ({
    rank: shard,
    worldSize: plan.shards.length,
    runDir: run,
    drop(doc, stage, reason) {
      stats.drops[reason] = (stats.drops[reason] ?? 0) + 1;
      if (rejectWriter)
        rejectQueue.push({ ...doc, metadata: { ...doc.metadata, dropped_by: stage, drop_reason: reason } });
    },
    note(kind, entry) {
      const list = notes[kind] ?? [];
      list.push({ shard, ...entry });
      notes[kind] = list;
    },
  });

  // source
  let docsRead = 0;
  const inputPath = phase === 0 ? (plan.shards[shard] as string) : layout.work(run, phase, shard);
  const raw = phase === 0 ? readShard(inputPath, cfg.input) : readJsonl(inputPath, DEFAULT_FIELDS);
  async function* source(): AsyncGenerator<Document> {
    let pending = 0;
    for await (const d of raw) {
      docsRead++;
      if (++pending >= 200) {
        onProgress?.(pending);
        pending = 0;
      }
      yield d;
    }
    if (pending) onProgress?.(pending);
  }
  let stream: AsyncIterable<Document> = source();

  // dedup decision of the previous barrier
  const prevBarrier = phase > 0 ? (plan.segments[phase - 1] as Segment).barrier : null;
  if (prevBarrier) {
    const decision = await loadDecision(layout.decision(run, phase - 1));
    const mine = decision.shards[shard];
    if (!mine) throw new Error(`${layout.decision(run, phase - 1)}: no decision for shard ${shard}`);
    const remove = new Map(mine.remove);
    const sizes = new Map(mine.cluster_size);
    const field = `${decision.kind}_cluster_size`;
    const dedupStage: Stage = {
      name: prevBarrier.name,
      async *run(docs, ctx) {
        let i = 0;
        for await (const d of docs) {
          const keep = remove.get(i);
          const size = sizes.get(i);
          i++;
          if (keep !== undefined) {
            d.metadata.duplicate_of = keep;
            ctx.drop(d, prevBarrier.name, 'duplicate');
            continue;
          }
          if (size !== undefined) d.metadata[field] = size;
          yield d;
        }
      },
    };
    stream = wrap(dedupStage, prevBarrier.index, stream);
  }
  const stages = await buildSegment(plan, phase);
  // consecutive filters run in one loop per document (one async hop for the group instead of three per
  // filter); counting and drop routing are the same as for separate stages
  for (let k = 0; k < stages.length; ) {
    const st = stages[k] as Stage;
    if (!st.source) {
      stream = wrap(st, (seg.stages[k] as PlannedStage).index, stream);
      k++;
      continue;
    }
    const group: FusedFilter[] = [];
    for (; k < stages.length && (stages[k] as Stage).source; k++) {
      const f = (stages[k] as Stage).source as Filter;
      const stats = newStageStats((seg.stages[k] as PlannedStage).index, f.name);
      allStats.push(stats);
      group.push({ filter: f, stats, ctx: makeCtx(stats) });
    }
    stream = fused(group, stream);
  }
  function wrap(st: Stage, index: number, input: AsyncIterable<Document>): AsyncIterable<Document> {
    const stats = newStageStats(index, st.name);
    allStats.push(stats);
    const ctx = makeCtx(stats);
    async function* counted(): AsyncGenerator<Document> {
      for await (const d of input) {
        countIn(stats, d);
        yield d;
      }
    }
    async function* out(): AsyncGenerator<Document> {
      for await (const d of st.run(counted(), ctx)) {
        countOut(stats, d);
        yield d;
      }
      await st.finish?.(ctx);
    }
    return out();
  }

  // sink
  const outPath = last
    ? layout.output(run, shard, outputExt(cfg.output))
    : layout.work(run, phase + 1, shard);
  await mkdir(dirname(outPath), { recursive: true });
  const writer = last ? openWriter(cfg.output, tmpPath(outPath)) : jsonlWriter(tmpPath(outPath), false);
  let sig: SignatureWriter | null = null;
  let sigOf: ((d: Document) => ArrayLike<number>) | null = null;
  if (seg.barrier) {
    if (seg.barrier.name === 'minhash_dedup') {
      const h = minHasher(seg.barrier.settings as unknown as MinHashOptions);
      const nb = 2 * h.opts.bands;
      if ((h.opts.min_jaccard ?? 0) > 0) {
        // verification needs the whole signature: band keys, then the bands × rows minima
        sig = new SignatureWriter('minhash', 1 + nb + h.a.length);
        sigOf = (d) => {
          const s = signature(h, d.text);
          const row = new Uint32Array(nb + s.length);
          row.set(bandKeys(h, s));
          row.set(s, nb);
          return row;
        };
      } else {
        sig = new SignatureWriter('minhash', 1 + nb);
        sigOf = (d) => bandKeys(h, signature(h, d.text));
      }
    } else {
      sig = new SignatureWriter('exact', 3);
      sigOf = (d) => exactKey(d.text);
    }
  }
  let written = 0;
  const flushRejects = async () => {
    while (rejectQueue.length) await rejectWriter?.write(rejectQueue.shift() as Document);
  };
  for await (const d of stream) {
    await writer.write(d);
    if (sig && sigOf) sig.add(d.id, sigOf(d));
    written++;
    if (rejectQueue.length) await flushRejects();
  }
  await flushRejects();
  await writer.close();
  await rejectWriter?.close();

  // publish: signatures, outputs, rejects, then the completion record last
  if (sig && seg.barrier) {
    const sp = layout.sig(run, phase, shard);
    await mkdir(dirname(sp), { recursive: true });
    await sig.save(sp);
  }
  await rename(tmpPath(outPath), outPath);
  if (rejectWriter) await rename(tmpPath(rejectPath), rejectPath);
  const rec: ShardPhaseRecord = {
    shard,
    phase,
    input: inputPath,
    docs_read: docsRead,
    docs_written: written,
    seconds: (performance.now() - t0) / 1000,
    stages: allStats,
    notes,
    output: last ? outPath : null,
  };
  await writeJsonAtomic(layout.done(run, phase, shard), rec);
  if (phase > 0) await rm(inputPath, { force: true });
  return rec;
}

/** Serialise a document the way intermediate and output JSONL files store it. */
export { documentToJson };
