// Decontamination stage: drops (or redacts) documents sharing a word n-gram (default 13) with benchmark items.
import { resolve } from 'node:path';
import { loadBenchmark } from '../decontam/benchmarks.js';
import { NgramIndex, redact } from '../decontam/ngram-index.js';
import { type Document, type Stage, settings } from '../document.js';

/** Settings of the decontaminate stage; `benchmarks` paths are relative to the config file. */
export interface DecontamOptions {
  benchmarks: string[];
  n: number;
  min_item_words: number;
  mode: 'drop' | 'redact';
}

export const DECONTAM_DEFAULTS: DecontamOptions = { benchmarks: [], n: 13, min_item_words: 8, mode: 'drop' };

/** Build an index from benchmark files. */
export async function buildIndex(paths: string[], n: number, minItemWords: number): Promise<NgramIndex> {
  const idx = new NgramIndex(n, minItemWords);
  for (const p of paths) idx.add(await loadBenchmark(p));
  return idx;
}

/** Create the decontaminate stage (async: loads the benchmark files). Reason: benchmark_overlap. */
export async function decontaminate(options: unknown, baseDir: string): Promise<Stage> {
  const o = settings(DECONTAM_DEFAULTS, options, 'stage decontaminate');
  if (o.mode !== 'drop' && o.mode !== 'redact')
    throw new Error(`stage decontaminate: mode must be drop or redact, got ${o.mode}`);
  const index = await buildIndex(
    o.benchmarks.map((p) => resolve(baseDir, p)),
    o.n,
    o.min_item_words,
  );
  return {
    name: 'decontaminate',
    async *run(docs, ctx) {
      for await (const doc of docs) {
        const hits = index.find(doc.text);
        if (hits.length === 0) {
          yield doc;
          continue;
        }
        const items = [...new Set(hits.map((h) => h.item.id))];
        for (const h of hits.slice(0, 5)) {
          ctx.note('decontaminate', {
            doc_id: doc.id,
            benchmark: h.item.benchmark,
            item: h.item.id,
            match: doc.text.slice(h.start, h.end).slice(0, 200),
            action: o.mode,
          });
        }
        if (o.mode === 'drop') {
          doc.metadata.contaminated_items = items;
          ctx.drop(doc, 'decontaminate', 'benchmark_overlap');
        } else {
          doc.text = redact(doc.text, hits);
          doc.metadata.redacted_items = items;
          yield doc satisfies Document;
        }
      }
    },
  };
}
