// Score stage: adds metadata.edu_score (raw regression, 2 decimals) and edu_int_score from a trained classifier.
import { resolve } from 'node:path';
import { type Stage, settings } from '../document.js';
import { loadClassifier, predict, toIntScore } from './classifier.js';

/** Settings of the score stage. */
export interface ScoreOptions {
  model: string;
  field: string;
}

export const SCORE_DEFAULTS: ScoreOptions = { model: '', field: 'edu_score' };

/** Create the score stage (loads the classifier file, relative to the config). */
export async function scoreStage(options: unknown, baseDir: string): Promise<Stage> {
  const o = settings(SCORE_DEFAULTS, options, 'stage score');
  if (!o.model) throw new Error('stage score: "model" (path to a classifier JSON) is required');
  const c = await loadClassifier(resolve(baseDir, o.model));
  return {
    name: 'score',
    async *run(docs) {
      for await (const d of docs) {
        const y = predict(c, d.text);
        d.metadata[o.field] = Math.round(y * 100) / 100;
        d.metadata[`${o.field}_int`] = toIntScore(y);
        yield d;
      }
    },
  };
}
