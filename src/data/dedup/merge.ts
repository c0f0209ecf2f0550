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
  shards: ShardDedupDecision[];
}

/**
 * Cluster documents that share any key (exact: the text hash; minhash: any LSH band bucket).
 * The kept document of each cluster is the first in (shard, index) order — deterministic across machines.
 */
export function mergeSignatures(files: SignatureFile[]): DedupDecision {
  const offsets: number[] = [];
  let total = 0;
  for (const f of files) {
    offsets.push(total);
    total += f.count;
  }
  const uf = new UnionFind(total);
  const kind = files[0]?.kind ?? 'exact';
  const nKeys = files[0] ? (files[0].width - 1) / 2 : 0;
  const buckets: Map<number, number>[] = Array.from({ length: nKeys }, () => new Map());
  files.forEach((f, s) => {
    if (f.kind !== kind || (f.width - 1) / 2 !== nKeys)
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
        else uf.union(prev, g);
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
  return { kind, total_docs: total, removed, clusters, cluster_size_histogram: hist, shards };
}
