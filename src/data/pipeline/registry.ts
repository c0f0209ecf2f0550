// Stage table: YAML stage name → factory, the dedup barrier stages, and presets (e.g. the FineWeb recipe order).

import { MINHASH_DEFAULTS } from '../dedup/minhash.js';
import { type Filter, filterStage, isFilter, type Stage, settings } from '../document.js';
import { SCORE_DEFAULTS, scoreStage } from '../edu/score-stage.js';
import { EXTRACT_DEFAULTS } from '../extract/defaults.js';
import { C4_DEFAULTS, c4 } from '../filters/c4.js';
import { DECONTAM_DEFAULTS, decontaminate } from '../filters/decontaminate.js';
import { FINEWEB_DEFAULTS, fineweb } from '../filters/fineweb.js';
import { GOPHER_QUALITY_DEFAULTS, gopherQuality } from '../filters/gopher-quality.js';
import { GOPHER_REPETITION_DEFAULTS, gopherRepetition } from '../filters/gopher-repetition.js';
import { LANGUAGE_DEFAULTS, language } from '../filters/language.js';
import { THRESHOLD_DEFAULTS, threshold } from '../filters/threshold.js';
import { URL_FILTER_DEFAULTS, urlFilter } from '../filters/url.js';

/** What a factory may need besides its settings. */
export interface StageEnv {
  /** Directory relative paths in settings are resolved against (the config file's folder). */
  baseDir: string;
}

/** Builds a stage from its YAML settings. */
export type StageFactory = (settings: unknown, env: StageEnv) => Filter | Stage | Promise<Filter | Stage>;

/** Per-document stages and filters by name. */
export const STAGES: Record<string, StageFactory> = {
  url_filter: (s) => urlFilter(s),
  // loaded on first use: linkedom and Readability are heavy to import in every worker
  extract: async (s) => (await import('../filters/extract.js')).extract(s),
  language: (s) => language(s),
  gopher_repetition: (s) => gopherRepetition(s),
  gopher_quality: (s) => gopherQuality(s),
  c4: (s) => c4(s),
  fineweb: (s) => fineweb(s),
  threshold: (s) => threshold(s),
  decontaminate: (s, env) => decontaminate(s, env.baseDir),
  score: (s, env) => scoreStage(s, env.baseDir),
};

/** Default settings of every per-document stage (used to reject unknown keys when a config is loaded). */
export const STAGE_DEFAULTS: Record<string, object> = {
  url_filter: URL_FILTER_DEFAULTS,
  extract: EXTRACT_DEFAULTS,
  language: LANGUAGE_DEFAULTS,
  gopher_repetition: GOPHER_REPETITION_DEFAULTS,
  gopher_quality: GOPHER_QUALITY_DEFAULTS,
  c4: C4_DEFAULTS,
  fineweb: FINEWEB_DEFAULTS,
  threshold: THRESHOLD_DEFAULTS,
  decontaminate: DECONTAM_DEFAULTS,
  score: SCORE_DEFAULTS,
};

/** Dedup stages are barriers: every shard must reach them before any shard continues (signatures → merge). */
export const BARRIER_DEFAULTS = {
  exact_dedup: {},
  minhash_dedup: MINHASH_DEFAULTS,
} as const;

export type BarrierName = keyof typeof BARRIER_DEFAULTS;

/** Is this stage name a dedup barrier? */
export function isBarrier(name: string): name is BarrierName {
  return name in BARRIER_DEFAULTS;
}

/** Validate a barrier's settings (unknown keys are errors). */
export function barrierSettings(name: BarrierName, s: unknown, where: string): Record<string, number> {
  return settings(BARRIER_DEFAULTS[name] as Record<string, number>, s, where);
}

/** Build a per-document stage by name, adapting filters to stages. */
export async function buildStage(name: string, s: unknown, env: StageEnv): Promise<Stage> {
  const f = STAGES[name];
  if (!f)
    throw new Error(
      `unknown stage "${name}" (known: ${[...Object.keys(STAGES), ...Object.keys(BARRIER_DEFAULTS)].join(', ')})`,
    );
  const b = await f(s, env);
  return isFilter(b) ? filterStage(b) : b;
}

/** Presets: named stage lists. `fineweb` follows the FineWeb recipe order; `default` adds decontamination. */
export const PRESETS: Record<string, { name: string; settings?: Record<string, unknown> }[]> = {
  fineweb: [
    { name: 'url_filter' },
    { name: 'extract' },
    { name: 'language', settings: { languages: ['en'], min_score: 0.65 } },
    { name: 'gopher_repetition' },
    { name: 'gopher_quality' },
    { name: 'c4' },
    { name: 'fineweb' },
    { name: 'minhash_dedup' },
  ],
  default: [
    { name: 'url_filter' },
    { name: 'extract' },
    { name: 'language', settings: { languages: ['en'], min_score: 0.65 } },
    { name: 'gopher_repetition' },
    { name: 'gopher_quality' },
    { name: 'c4' },
    { name: 'fineweb' },
    { name: 'decontaminate' },
    { name: 'exact_dedup' },
    { name: 'minhash_dedup' },
  ],
};
