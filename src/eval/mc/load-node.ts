// Node file-system side of the benchmarks: reading MMLU folders, ARC/HellaSwag files and the JSONL resume state.
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArcJsonl } from './arc.js';
import { parseHellaswagJsonl } from './hellaswag.js';
import { mmluDescription, mmluSubjectFromFile, parseMmluCsv } from './mmlu.js';
import type { McStateStore } from './score.js';
import type { McItem, McItemResult, McTaskData } from './types.js';

/** Options for {@link loadMmlu}. */
export interface MmluLoadOptions {
  /** Split scored (default "test"); few-shot examples always come from "dev". */
  split?: string;
  /** Only these subjects (default: every `{subject}_{split}.csv`). */
  subjects?: string[];
}

function readSplit(dir: string, split: string, subjects?: string[]): Map<string, McItem[]> {
  const folder = join(dir, split);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new Error(
      `${folder}: MMLU folder has no "${split}/" directory (expected ${split}/{subject}_${split}.csv)`,
    );
  }
  const out = new Map<string, McItem[]>();
  for (const name of readdirSync(folder).sort()) {
    const subject = mmluSubjectFromFile(name, split);
    if (!subject || (subjects && !subjects.includes(subject))) continue;
    const file = join(folder, name);
    out.set(subject, parseMmluCsv(readFileSync(file, 'utf8'), file, subject, split));
  }
  return out;
}

/**
 * Loads MMLU from `dir` laid out as `dev/{subject}_dev.csv` and `test/{subject}_test.csv` (the original
 * Hendrycks archive). Subjects without a dev file can only run 0-shot.
 */
export function loadMmlu(dir: string, opts: MmluLoadOptions = {}): McTaskData {
  const split = opts.split ?? 'test';
  const main = readSplit(dir, split, opts.subjects);
  if (main.size === 0)
    throw new Error(
      `${join(dir, split)}: no *_${split}.csv files${opts.subjects ? ` for ${opts.subjects.join(', ')}` : ''}`,
    );
  if (opts.subjects) {
    const missing = opts.subjects.filter((s) => !main.has(s));
    if (missing.length) throw new Error(`${join(dir, split)}: no file for subject(s) ${missing.join(', ')}`);
  }
  const fewshot = existsSync(join(dir, 'dev'))
    ? readSplit(dir, 'dev', [...main.keys()])
    : new Map<string, McItem[]>();
  return { task: 'mmlu', items: [...main.values()].flat(), fewshot, description: mmluDescription };
}

/** Options for {@link loadArc} and {@link loadHellaswag}. */
export interface JsonlLoadOptions {
  /** Task name (ARC default: arc_challenge / arc_easy from the file name). */
  task?: string;
  /** A file of the same layout (e.g. the train split) whose items, in order, are the few-shot pool. */
  fewshotFile?: string;
}

function pool(task: string, items: McItem[] | undefined): Map<string, McItem[]> | undefined {
  return items ? new Map([[task, items.map((it) => ({ ...it, subject: task }))]]) : undefined;
}

/** Loads an ARC JSONL file. */
export function loadArc(file: string, opts: JsonlLoadOptions = {}): McTaskData {
  const b = basename(file);
  const task = opts.task ?? (/easy/i.test(b) ? 'arc_easy' : /challenge/i.test(b) ? 'arc_challenge' : 'arc');
  const shots = opts.fewshotFile
    ? parseArcJsonl(readFileSync(opts.fewshotFile, 'utf8'), opts.fewshotFile, task)
    : undefined;
  return { task, items: parseArcJsonl(readFileSync(file, 'utf8'), file, task), fewshot: pool(task, shots) };
}

/** Loads a HellaSwag JSONL file (the validation split, which has labels). */
export function loadHellaswag(file: string, opts: JsonlLoadOptions = {}): McTaskData {
  const task = opts.task ?? 'hellaswag';
  const shots = opts.fewshotFile
    ? parseHellaswagJsonl(readFileSync(opts.fewshotFile, 'utf8'), opts.fewshotFile, task)
    : undefined;
  return {
    task,
    items: parseHellaswagJsonl(readFileSync(file, 'utf8'), file, task),
    fewshot: pool(task, shots),
  };
}

/**
 * A resume state kept as JSON Lines at `path`: a header line `{"header": {...}}`, then one result per
 * line. A torn last line (a run killed mid-write) is ignored; a header with other settings is refused.
 */
export function jsonlStateStore(path: string): McStateStore {
  return {
    async open(header) {
      const wanted = JSON.stringify(header);
      const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
      // the last piece is '' after a final newline, or a torn record
      const complete = text.split('\n').slice(0, -1);
      if (complete.every((l) => l.trim() === '')) {
        writeFileSync(path, `${JSON.stringify({ header })}\n`);
        return [];
      }
      const results: McItemResult[] = [];
      complete.forEach((l, i) => {
        if (l.trim() === '') return;
        let v: unknown;
        try {
          v = JSON.parse(l);
        } catch (e) {
          throw new Error(`${path}:${i + 1}: invalid JSON in resume state (${(e as Error).message})`);
        }
        const rec = v as { header?: unknown } & Partial<McItemResult>;
        if (i === 0) {
          if (rec.header === undefined)
            throw new Error(`${path}:1: resume state must start with a header line`);
          const got = JSON.stringify(rec.header);
          if (got !== wanted) {
            throw new Error(
              `${path}: resume state was written with other settings (${got}); now ${wanted}. Use another --state file`,
            );
          }
          return;
        }
        if (typeof rec.task !== 'string' || typeof rec.id !== 'string' || !Array.isArray(rec.lls)) {
          throw new Error(`${path}:${i + 1}: resume record needs "task", "id" and "lls"`);
        }
        results.push(rec as McItemResult);
      });
      if (!text.endsWith('\n')) writeFileSync(path, `${complete.join('\n')}\n`);
      return results;
    },
    async append(r) {
      appendFileSync(path, `${JSON.stringify(r)}\n`);
    },
  };
}
