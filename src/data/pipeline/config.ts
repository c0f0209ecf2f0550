// Pipeline config: typed defaults ← YAML file, unknown keys rejected with the key and file named; presets expanded.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { settings } from '../document.js';
import { DEFAULT_FIELDS, type FieldMap } from '../readers/fields.js';
import { INPUT_TYPES, type InputConfig } from '../readers/index.js';
import { OUTPUT_TYPES, type OutputConfig } from '../writers/index.js';
import { BARRIER_DEFAULTS, barrierSettings, isBarrier, PRESETS, STAGE_DEFAULTS, STAGES } from './registry.js';

/** One configured stage. */
export interface StageSpec {
  name: string;
  settings: Record<string, unknown>;
}

/** A fully resolved pipeline config (plain data: it is sent to worker threads). */
export interface PipelineConfig {
  name: string;
  /** Absolute run directory (outputs, stats, completion records). */
  run_dir: string;
  /** Directory that relative paths resolve against. */
  base_dir: string;
  /** Where the config came from, for messages. */
  source: string;
  input: InputConfig;
  stages: StageSpec[];
  output: OutputConfig;
}

const TOP_KEYS = ['name', 'run_dir', 'input', 'preset', 'stages', 'overrides', 'output'];
const INPUT_DEFAULTS = {
  type: 'jsonl',
  paths: [] as string[],
  fields: {} as Record<string, unknown>,
  limit: 0,
};
const OUTPUT_DEFAULTS: OutputConfig = { type: 'jsonl', compression: 'gzip', rejected: true };

function mapping(x: unknown, where: string): Record<string, unknown> {
  if (x === undefined || x === null) return {};
  if (typeof x !== 'object' || Array.isArray(x)) throw new Error(`${where}: expected a mapping`);
  return x as Record<string, unknown>;
}

function stageSettings(name: string, s: unknown, where: string): Record<string, unknown> {
  if (isBarrier(name)) return barrierSettings(name, s, where);
  if (!(name in STAGES)) {
    throw new Error(
      `${where}: unknown stage "${name}" (known: ${[...Object.keys(STAGES), ...Object.keys(BARRIER_DEFAULTS)].join(', ')})`,
    );
  }
  // validate keys and types against the stage's defaults; keep only what the user gave (defaults apply at build)
  settings(STAGE_DEFAULTS[name] as object, s, where);
  return mapping(s, where);
}

/**
 * Resolve a raw config object. `source` names the file in errors; relative paths resolve against `baseDir`.
 * Stage settings are validated against each stage's defaults when the stage is built (and once here by a dry build).
 */
export function resolveConfig(
  raw: unknown,
  source: string,
  baseDir: string,
  runDirOverride?: string,
): PipelineConfig {
  const top = mapping(raw, source);
  for (const k of Object.keys(top))
    if (!TOP_KEYS.includes(k))
      throw new Error(`${source}: unknown key "${k}" (allowed: ${TOP_KEYS.join(', ')})`);
  const name = String(top.name ?? 'run');
  const inputRaw = settings(INPUT_DEFAULTS, top.input, `${source}: input`);
  if (!INPUT_TYPES.includes(inputRaw.type as InputConfig['type'])) {
    throw new Error(`${source}: input.type must be one of ${INPUT_TYPES.join(', ')}, got "${inputRaw.type}"`);
  }
  if (!Array.isArray(inputRaw.paths) || inputRaw.paths.length === 0)
    throw new Error(`${source}: input.paths must be a non-empty list`);
  const fields = settings(DEFAULT_FIELDS, inputRaw.fields, `${source}: input.fields`) as FieldMap;
  const input: InputConfig = {
    type: inputRaw.type as InputConfig['type'],
    paths: inputRaw.paths.map(String),
    fields,
    limit: Number(inputRaw.limit),
  };
  const output = settings(OUTPUT_DEFAULTS, top.output, `${source}: output`);
  if (!OUTPUT_TYPES.includes(output.type))
    throw new Error(`${source}: output.type must be one of ${OUTPUT_TYPES.join(', ')}, got "${output.type}"`);
  if (output.compression !== 'gzip' && output.compression !== 'zstd' && output.compression !== 'none') {
    throw new Error(`${source}: output.compression must be gzip, zstd or none, got "${output.compression}"`);
  }
  let stages: StageSpec[] = [];
  if (top.preset !== undefined) {
    if (top.stages !== undefined) throw new Error(`${source}: give either "preset" or "stages", not both`);
    const preset = PRESETS[String(top.preset)];
    if (!preset)
      throw new Error(
        `${source}: unknown preset "${top.preset}" (known: ${Object.keys(PRESETS).join(', ')})`,
      );
    const overrides = mapping(top.overrides, `${source}: overrides`);
    for (const k of Object.keys(overrides)) {
      if (!preset.some((p) => p.name === k))
        throw new Error(`${source}: overrides: unknown key "${k}" (not a stage of preset ${top.preset})`);
    }
    stages = preset.map((p) => ({
      name: p.name,
      settings: stageSettings(
        p.name,
        { ...(p.settings ?? {}), ...mapping(overrides[p.name], `${source}: overrides.${p.name}`) },
        `${source}: overrides.${p.name}`,
      ),
    }));
  } else {
    if (top.overrides !== undefined) throw new Error(`${source}: "overrides" only applies with "preset"`);
    const list = top.stages ?? [];
    if (!Array.isArray(list)) throw new Error(`${source}: stages must be a list`);
    stages = list.map((entry, i) => {
      const where = `${source}: stages[${i}]`;
      if (typeof entry === 'string') return { name: entry, settings: stageSettings(entry, {}, where) };
      const m = mapping(entry, where);
      const keys = Object.keys(m);
      if (keys.length !== 1)
        throw new Error(
          `${where}: expected one key (the stage name), got ${keys.length}: ${keys.join(', ')}`,
        );
      const n = keys[0] as string;
      return { name: n, settings: stageSettings(n, m[n], `${where}.${n}`) };
    });
  }
  const runDir =
    runDirOverride ?? (top.run_dir ? resolve(baseDir, String(top.run_dir)) : resolve(baseDir, 'runs', name));
  return { name, run_dir: resolve(runDir), base_dir: baseDir, source, input, stages, output };
}

/** Load and resolve a YAML pipeline config file. */
export function loadConfig(path: string, runDirOverride?: string): PipelineConfig {
  const abs = resolve(path);
  let raw: unknown;
  try {
    raw = parse(readFileSync(abs, 'utf8'));
  } catch (e) {
    throw new Error(`${abs}: cannot read pipeline YAML (${(e as Error).message})`);
  }
  return resolveConfig(raw, abs, dirname(abs), runDirOverride);
}
