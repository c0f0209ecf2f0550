// Annotate documents with LLM educational scores: concurrency limit, cached responses, resumable output in input order.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Document } from '../document.js';
import { mapLimit, type TextGenerator } from '../generator.js';
import { completedIds } from '../resume.js';
import { documentToJson } from '../writers/jsonl.js';
import { eduPrompt, parseEduScore } from './prompt.js';

/** Options of annotate(). */
export interface AnnotateOptions {
  generator: TextGenerator;
  /** Output JSONL; documents already in it (by id) are skipped, so a killed run resumes. */
  output: string;
  concurrency?: number;
  maxChars?: number;
  maxTokens?: number;
  /** Stop after this many new documents were judged, parsable or not (0 = all). */
  limit?: number;
  onProgress?: (done: number) => void;
}

/** Summary returned by annotate(). */
export interface AnnotateResult {
  annotated: number;
  skipped: number;
  unparsable: number;
  histogram: number[];
}

/**
 * Score each document (temperature 0, seed 0) and append `{id, text, url, metadata: {…, edu_score,
 * edu_justification}}` lines to the output. Batches are written in input order.
 */
export async function annotate(docs: AsyncIterable<Document>, o: AnnotateOptions): Promise<AnnotateResult> {
  const done = await completedIds(o.output);
  await mkdir(dirname(o.output), { recursive: true });
  const conc = o.concurrency ?? 4;
  const res: AnnotateResult = { annotated: 0, skipped: 0, unparsable: 0, histogram: [0, 0, 0, 0, 0, 0] };
  let batch: Document[] = [];
  const flush = async () => {
    const outs = await mapLimit(batch, conc, async (d) => {
      const r = await o.generator.complete(eduPrompt(d.text, o.maxChars), {
        maxTokens: o.maxTokens ?? 256,
        temperature: 0,
        seed: 0,
      });
      const p = parseEduScore(r);
      if (!p) {
        res.unparsable++;
        return null;
      }
      res.histogram[p.score]++;
      return documentToJson({
        ...d,
        metadata: { ...d.metadata, edu_score: p.score, edu_justification: p.justification },
      });
    });
    const lines = outs.filter((x): x is string => x !== null);
    if (lines.length) await appendFile(o.output, `${lines.join('\n')}\n`);
    res.annotated += lines.length;
    o.onProgress?.(res.annotated);
    batch = [];
  };
  for await (const d of docs) {
    if (done.has(d.id)) {
      res.skipped++;
      continue;
    }
    if (o.limit && res.annotated + res.unparsable + batch.length >= o.limit) break;
    batch.push(d);
    if (batch.length >= conc * 4) await flush();
  }
  if (batch.length) await flush();
  return res;
}
