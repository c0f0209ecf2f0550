// Synthetic data generation: jobs = topics × formats × audiences, run through a TextGenerator, resumable by job id.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Document } from '../document.js';
import { mapLimit, type TextGenerator } from '../generator.js';
import { completedIds } from '../resume.js';
import { documentToJson } from '../writers/jsonl.js';
import { FORMATS, type SynthFormat, synthPrompt } from './prompts.js';

/** One generation job. */
export interface SynthJob {
  id: string;
  topic: string;
  format: SynthFormat;
  audience: string;
  sample: number;
}

/** Job id = first 16 hex digits of sha256(topic|format|audience|sample). */
export function jobId(topic: string, format: string, audience: string, sample: number): string {
  return createHash('sha256').update(`${topic}|${format}|${audience}|${sample}`).digest('hex').slice(0, 16);
}

/** Cross product of topics × formats × audiences × samples (deterministic order). */
export function makeJobs(topics: string[], formats: string[], audiences: string[], samples = 1): SynthJob[] {
  const jobs: SynthJob[] = [];
  for (const f of formats)
    if (!(f in FORMATS))
      throw new Error(`synth: unknown format "${f}" (known: ${Object.keys(FORMATS).join(', ')})`);
  for (const topic of topics) {
    for (const format of formats) {
      for (const audience of audiences) {
        for (let s = 0; s < samples; s++)
          jobs.push({
            id: jobId(topic, format, audience, s),
            topic,
            format: format as SynthFormat,
            audience,
            sample: s,
          });
      }
    }
  }
  return jobs;
}

/** Seed topics from high-scoring documents: title, else first heading, else first 8 words. */
export function topicsFromDocs(docs: Document[], field = 'edu_score', min = 3, max = 100): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const d of docs) {
    const v = d.metadata[field];
    if (typeof v !== 'number' || v < min) continue;
    const heading = /^#+\s+(.+)$/m.exec(d.text)?.[1];
    const t = String(d.metadata.title ?? heading ?? d.text.split(/\s+/).slice(0, 8).join(' '))
      .trim()
      .slice(0, 120);
    if (t && !seen.has(t.toLowerCase())) {
      seen.add(t.toLowerCase());
      out.push(t);
    }
    if (out.length >= max) break;
  }
  return out;
}

/** Options of runSynth(). */
export interface SynthOptions {
  generator: TextGenerator;
  /** Output folder: `synthetic.jsonl` (documents) and `jobs-done.txt` (finished job ids). */
  outDir: string;
  concurrency?: number;
  maxTokens?: number;
  temperature?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Run jobs not yet recorded as done; returns counts. Output documents have id = job id. */
export async function runSynth(
  jobs: SynthJob[],
  o: SynthOptions,
): Promise<{ generated: number; skipped: number; output: string }> {
  await mkdir(o.outDir, { recursive: true });
  const out = join(o.outDir, 'synthetic.jsonl');
  const doneFile = join(o.outDir, 'jobs-done.txt');
  const done = new Set(
    existsSync(doneFile) ? (await readFile(doneFile, 'utf8')).split('\n').filter(Boolean) : [],
  );
  for (const id of await completedIds(out)) done.add(id);
  const todo = jobs.filter((j) => !done.has(j.id));
  const conc = o.concurrency ?? 4;
  let generated = 0;
  for (let i = 0; i < todo.length; i += conc * 4) {
    const batch = todo.slice(i, i + conc * 4);
    const texts = await mapLimit(batch, conc, (j) =>
      o.generator.complete(synthPrompt(j.topic, j.format, j.audience), {
        maxTokens: o.maxTokens ?? 1024,
        temperature: o.temperature ?? 0.8,
        seed: j.sample,
      }),
    );
    const lines = batch.map((j, k) =>
      documentToJson({
        id: j.id,
        text: (texts[k] as string).trim(),
        metadata: {
          synthetic: true,
          topic: j.topic,
          format: j.format,
          audience: j.audience,
          sample: j.sample,
        },
      }),
    );
    // documents first, then the done-record; on resume, ids found in the output also count as done
    await appendFile(out, `${lines.join('\n')}\n`);
    await appendFile(doneFile, `${batch.map((j) => j.id).join('\n')}\n`);
    generated += batch.length;
    o.onProgress?.(generated, todo.length);
  }
  return { generated, skipped: jobs.length - todo.length, output: out };
}
