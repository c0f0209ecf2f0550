// Dedup merge step: reads every shard's signatures, finds duplicate clusters (union-find), keeps one doc per cluster.

import type { SignatureFile } from './signatures.js';
import { UnionFind } from './union-find.js';

/** Decision for one shard: local indices to remove (with the kept doc's id) and cluster sizes of kept docs. */
export interface ShardDedupDecision {
  remove: [number, string][];
  cluster_size: [number, number][];
}

/** Result of a merge over all shards. */
export interface DedupDecision {
  kind: string;
  total_docs: number;
  removed: number;
  clusters: number;
  /** cluster size → number of clusters (sizes ≥ 2). */
  cluster_size_histogram: Record<string, number>;
  /** Bucket matches not merged because their estimated Jaccard was below `minJaccard` (0 without verification). */
  candidates_rejected: number;
  shards: ShardDedupDecision[];
}

/** Options of `mergeSignatures`. */
export interface MergeOptions {
  /** LSH bands (key pairs per row); default: every word after the index is a key word ((width − 1) / 2 bands). */
  bands?: number;
  /**
   * Verify minhash candidates: merge a bucket match only when the two full signatures (stored after the band
   * keys) agree on at least this fraction of their entries. 0 (default) merges every bucket match.
   */
  minJaccard?: number;
}

/**
 * Cluster documents that share any key (exact: the text hash; minhash: any LSH band bucket).
 * With `minJaccard` > 0 a bucket match (the bucket's first document and a later one) is merged only when
 * their signatures' estimated Jaccard reaches it. The kept document of each cluster is the first in
 * (shard, index) order — deterministic across machines.
 */
export function mergeSignatures(files: SignatureFile[], opts: MergeOptions = {}): DedupDecision {
  const offsets: number[] = [];
  let total = 0;
  for (const f of files) {
    offsets.push(total);
    total += f.count;
  }
  const uf = new UnionFind(total);
  const kind = files[0]?.kind ?? 'exact';
  const width = files[0]?.width ?? 1;
  const nKeys = opts.bands ?? (width - 1) / 2;
  const minJaccard = opts.minJaccard ?? 0;
  const sigStart = 1 + 2 * nKeys;
  const sigLen = width - sigStart;
  if (minJaccard > 0 && sigLen <= 0)
    throw new Error(
      `dedup merge: min_jaccard ${minJaccard} needs full signatures after the ${nKeys} band keys, but rows have ${width} words`,
    );
  const rowOf = (g: number): [Uint32Array, number] => {
    let s = 0;
    while (s + 1 < offsets.length && (offsets[s + 1] as number) <= g) s++;
    return [(files[s] as SignatureFile).rows, (g - (offsets[s] as number)) * width + sigStart];
  };
  let rejected = 0;
  const buckets: Map<number, number>[] = Array.from({ length: nKeys }, () => new Map());
  files.forEach((f, s) => {
    if (f.kind !== kind || f.width !== width)
      throw new Error(`dedup merge: shard ${s} has a different signature layout`);
    for (let d = 0; d < f.count; d++) {
      const g = (offsets[s] as number) + d;
      const row = d * f.width;
      for (let k = 0; k < nKeys; k++) {
        const hi = f.rows[row + 1 + 2 * k] as number;
        const lo = f.rows[row + 2 + 2 * k] as number;
        const key = hi * 0x200000 + (lo >>> 11);
        const m = buckets[k] as Map<number, number>;
        const prev = m.get(key);
        if (prev === undefined) m.set(key, g);
        else if (minJaccard <= 0) uf.union(prev, g);
        else if (uf.find(prev) !== uf.find(g)) {
          const [pr, po] = rowOf(prev);
          let eq = 0;
          for (let i = 0; i < sigLen; i++) if (pr[po + i] === f.rows[row + sigStart + i]) eq++;
          if (eq >= minJaccard * sigLen) uf.union(prev, g);
          else rejected++;
        }
      }
    }
  });
  const size = new Int32Array(total);
  for (let g = 0; g < total; g++) size[uf.find(g)]++;
  const shardOf = (g: number) => {
    let s = 0;
    while (s + 1 < offsets.length && (offsets[s + 1] as number) <= g) s++;
    return s;
  };
  const hist: Record<string, number> = {};
  let removed = 0;
  let clusters = 0;
  const shards: ShardDedupDecision[] = files.map(() => ({ remove: [], cluster_size: [] }));
  files.forEach((f, s) => {
    for (let d = 0; d < f.count; d++) {
      const g = (offsets[s] as number) + d;
      const r = uf.find(g);
      const sh = shards[s] as ShardDedupDecision;
      if (r !== g) {
        const rs = shardOf(r);
        sh.remove.push([d, (files[rs] as SignatureFile).ids[r - (offsets[rs] as number)] as string]);
        removed++;
      } else if ((size[g] as number) > 1) {
        sh.cluster_size.push([d, size[g] as number]);
        hist[String(size[g])] = (hist[String(size[g])] ?? 0) + 1;
        clusters++;
      }
    }
  });
  return {
    kind,
    total_docs: total,
    removed,
    clusters,
    cluster_size_histogram: hist,
    candidates_rejected: rejected,
    shards,
  };
}
