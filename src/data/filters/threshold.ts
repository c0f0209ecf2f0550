// Threshold filter: keeps documents whose numeric metadata field (default edu_score) is at least a minimum.
import { type Document, type Filter, type FilterResult, settings } from '../document.js';

/** Settings of the threshold filter. */
export interface ThresholdOptions {
  field: string;
  min: number;
  /** Keep documents that lack the field. */
  keep_missing: boolean;
}

export const THRESHOLD_DEFAULTS: ThresholdOptions = { field: 'edu_score', min: 3, keep_missing: false };

/** Create the threshold filter. Reasons: `<field>_missing`, `<field>_below_<min>`. */
export function threshold(options?: unknown): Filter {
  const o = settings(THRESHOLD_DEFAULTS, options, 'stage threshold');
  return {
    name: 'threshold',
    filter(doc: Document): FilterResult {
      const v = doc.metadata[o.field];
      if (typeof v !== 'number') return o.keep_missing ? true : { reason: `${o.field}_missing` };
      return v >= o.min ? true : { reason: `${o.field}_below_${o.min}` };
    },
  };
}
