// Mixture spec (YAML): phases of weighted/epoch-repeated sources, filtered by metadata, tokenised into shards.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { settings } from '../document.js';

/** One source of a phase. Give `epochs` (repeat count, fractional allowed) or `weight` (share of the phase). */
export interface MixSource {
  name: string;
  paths: string[];
  epochs: number | null;
  weight: number | null;
  /** Keep only documents whose metadata[field] ≥ min. */
  where: { field: string; min: number } | null;
}

/** One phase. `tokens` is the phase budget when weights are used (default: the sum of the sources). */
export interface MixPhase {
  name: string;
  tokens: number | null;
  sources: MixSource[];
}

/** The whole spec. */
export interface MixSpec {
  name: string;
  output_dir: string;
  val_fraction: number;
  seed: number;
  shard_tokens: number;
  phases: MixPhase[];
}

const TOP = {
  name: 'mix',
  output_dir: 'tokens',
  val_fraction: 0.01,
  seed: 1,
  shard_tokens: 100_000_000,
  phases: [] as unknown[],
};
const PHASE = { name: '', tokens: null as number | null, sources: [] as unknown[] };
const SOURCE = {
  name: '',
  paths: [] as string[],
  epochs: null as number | null,
  weight: null as number | null,
  where: null as unknown,
};
const WHERE = { field: 'edu_score', min: 3 };

/** Validate a raw spec (unknown keys are errors naming key and file); paths resolve against `baseDir`. */
export function resolveMixSpec(raw: unknown, source: string, baseDir: string): MixSpec {
  const t = settings(TOP, raw, source);
  if (!Array.isArray(t.phases) || t.phases.length === 0)
    throw new Error(`${source}: phases must be a non-empty list`);
  if (!(t.val_fraction >= 0 && t.val_fraction < 1))
    throw new Error(`${source}: val_fraction must be in [0, 1), got ${t.val_fraction}`);
  const phases = t.phases.map((p, i) => {
    const ph = settings(PHASE, p, `${source}: phases[${i}]`);
    if (!ph.name) throw new Error(`${source}: phases[${i}].name is required`);
    if (!Array.isArray(ph.sources) || ph.sources.length === 0)
      throw new Error(`${source}: phases[${i}].sources must be a non-empty list`);
    const sources = ph.sources.map((s, j) => {
      const where = `${source}: phases[${i}].sources[${j}]`;
      const so = settings(SOURCE, s, where);
      if (!Array.isArray(so.paths) || so.paths.length === 0)
        throw new Error(`${where}.paths must be a non-empty list`);
      if (so.epochs !== null && so.weight !== null)
        throw new Error(`${where}: give epochs or weight, not both`);
      return {
        name: so.name || `${ph.name}-source${j}`,
        paths: so.paths.map((x) => resolve(baseDir, String(x))),
        epochs: so.epochs,
        weight: so.weight,
        where: so.where === null ? null : settings(WHERE, so.where, `${where}.where`),
      };
    });
    const weighted = sources.filter((s) => s.weight !== null).length;
    if (weighted > 0 && weighted < sources.length)
      throw new Error(`${source}: phases[${i}]: either every source has a weight or none`);
    return { name: ph.name, tokens: ph.tokens, sources };
  });
  return { ...t, output_dir: resolve(baseDir, t.output_dir), phases };
}

/** Load a mixture YAML file. */
export function loadMixSpec(path: string): MixSpec {
  const abs = resolve(path);
  return resolveMixSpec(parse(readFileSync(abs, 'utf8')), abs, dirname(abs));
}
