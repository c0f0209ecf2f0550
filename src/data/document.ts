// The one type passed between data stages (Document) and the one stage interface every block implements.

/** A unit of text flowing through a data pipeline (datatrove's Document). */
export interface Document {
  /** Stable identifier, unique within the corpus. */
  id: string;
  /** The document text (after extraction: plain text / markdown-ish). */
  text: string;
  /** Source URL, when known. */
  url?: string;
  /** Free-form annotations added by readers and stages (language, edu_score, …). */
  metadata: Record<string, unknown>;
}

/** Where a stage runs: this shard's rank among `worldSize` shards, plus the run directory. */
export interface StageContext {
  /** Index of the shard being processed (0-based, global over the corpus). */
  rank: number;
  /** Total number of shards in the corpus. */
  worldSize: number;
  /** Run directory (for stages that write side outputs such as signatures). */
  runDir: string;
  /** Report a dropped document; the runner counts it and routes it to `rejected/`. */
  drop(doc: Document, stage: string, reason: string): void;
  /** Record a side report entry (e.g. a decontamination hit); collected per shard into the run's reports. */
  note(kind: string, entry: Record<string, unknown>): void;
}

/** A stage: documents in, documents out. */
export interface Stage {
  /** Stage name as used in YAML and in stats (e.g. `gopher_quality`). */
  readonly name: string;
  /** Transform the stream. Must be deterministic for a given input order. */
  run(docs: AsyncIterable<Document>, ctx: StageContext): AsyncIterable<Document>;
  /** Optional hook called once the shard's stream is fully consumed (flush side files). */
  finish?(ctx: StageContext): Promise<void>;
  /** Set when the stage is a Filter adapted by {@link filterStage}: runners may call it directly. */
  readonly source?: Filter;
}

/** A filter's verdict: keep (`true`) or drop with a short machine-readable reason. */
export type FilterResult = true | { reason: string };

/** A filter implements only `filter`; the runner adapts it to a Stage, counting and routing drops. */
export interface Filter {
  readonly name: string;
  /** Decide on one document. May rewrite `doc.text` / `doc.metadata` (e.g. C4 line removal). */
  filter(doc: Document): FilterResult | Promise<FilterResult>;
}

/** Type guard: does this block implement Filter (and not Stage)? */
export function isFilter(x: Filter | Stage): x is Filter {
  return typeof (x as Filter).filter === 'function';
}

/** Adapt a Filter to a Stage: kept docs flow on, dropped docs go to `ctx.drop` with the reason. */
export function filterStage(f: Filter): Stage {
  return {
    name: f.name,
    source: f,
    async *run(docs, ctx) {
      for await (const doc of docs) {
        const r = await f.filter(doc);
        if (r === true) yield doc;
        else ctx.drop(doc, f.name, r.reason);
      }
    },
  };
}

/** Merge user settings over defaults; any key not in `defaults` is an error naming key and where. */
export function settings<T extends object>(defaults: T, user: unknown, where: string): T {
  if (user === undefined || user === null) return { ...defaults };
  if (typeof user !== 'object' || Array.isArray(user)) {
    throw new Error(
      `${where}: settings must be a mapping, got ${Array.isArray(user) ? 'list' : typeof user}`,
    );
  }
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(user as Record<string, unknown>)) {
    if (!(k in defaults)) {
      throw new Error(
        `${where}: unknown key "${k}" (allowed: ${Object.keys(defaults).join(', ') || 'none'})`,
      );
    }
    const d = (defaults as Record<string, unknown>)[k];
    if (d !== undefined && d !== null && v !== null && typeof d !== typeof v) {
      throw new Error(
        `${where}: key "${k}" expects ${Array.isArray(d) ? 'list' : typeof d}, got ${typeof v}`,
      );
    }
    out[k] = v;
  }
  return out as T;
}
