// Benchmark of the knowledge base: ingest throughput, query latency over 100k chunks, index size, QA recall.
// Usage: npx tsx bench/rag.ts [--chunks 100000] [--queries 200]   → bench/results/rag.json + summary.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HashingEmbedder } from '../src/rag/embedder.js';
import { evalRetrieval, loadQa, withTypos } from '../src/rag/eval-qa.js';
import { embedText, openKnowledgeBase } from '../src/rag/index.js';
import type { ChunkInput } from '../src/rag/store.js';
import { approxTokenCount } from '../src/rag/tokens.js';

const { values } = parseArgs({
  options: { chunks: { type: 'string' }, queries: { type: 'string' }, docs: { type: 'string' } },
});
const N_CHUNKS = Number(values.chunks ?? 100_000);
const N_QUERIES = Number(values.queries ?? 200);
const N_DOCS = Number(values.docs ?? 300);

// deterministic pseudo-text: Zipf-distributed words from a 20k-word synthetic vocabulary
let seed = 12345;
const rnd = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const SYL = 'ka lo mi ne ru sa to vi ze da fe gi ho ju ke la mo nu pi qu ra se ti vo wa xe yo zu'.split(' ');
const VOCAB = Array.from({ length: 20_000 }, () =>
  Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => SYL[Math.floor(rnd() * SYL.length)]).join(''),
);
const H = VOCAB.map((_, i) => 1 / (i + 1));
const CDF: number[] = [];
H.reduce((s, x, i) => (CDF[i] = s + x), 0);
const word = () => {
  const r = rnd() * CDF[CDF.length - 1]!;
  let lo = 0;
  let hi = CDF.length - 1;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (CDF[m]! < r) lo = m + 1;
    else hi = m;
  }
  return VOCAB[lo]!;
};
const sentence = () => {
  const n = 8 + Math.floor(rnd() * 12);
  const w = Array.from({ length: n }, word);
  w[0] = w[0]![0]!.toUpperCase() + w[0]!.slice(1);
  return `${w.join(' ')}.`;
};
const paragraph = () => Array.from({ length: 3 + Math.floor(rnd() * 4) }, sentence).join(' ');
const markdownDoc = (i: number) =>
  `# Document ${i}\n\n${Array.from({ length: 4 }, (_, s) => `## Section ${s}\n\n${Array.from({ length: 3 }, paragraph).join('\n\n')}`).join('\n\n')}\n`;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const dirSize = (p: string) =>
  ['', '-wal', '-shm'].reduce((s, ext) => s + (statSync(p + ext, { throwIfNoEntry: false })?.size ?? 0), 0);

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'pocketlm-bench-rag-'));
  const emb = new HashingEmbedder();
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    embedder: emb.id,
    loadAverageAtStart: loadavg().map((x) => +x.toFixed(1)),
  };
  try {
    // 1. ingest throughput (files → parse → chunk → [embed] → SQLite), without and with embedding
    const docsDir = join(work, 'docs');
    mkdirSync(docsDir);
    for (let i = 0; i < N_DOCS; i++) writeFileSync(join(docsDir, `doc${i}.md`), markdownDoc(i));
    const ingest: Record<string, unknown> = {};
    for (const withEmb of [false, true]) {
      const p = join(work, `ingest-${withEmb}.sqlite`);
      const kb = await openKnowledgeBase(p, { embedder: withEmb ? emb : null });
      const t0 = performance.now();
      const r = await kb.add([docsDir]);
      const s = (performance.now() - t0) / 1000;
      ingest[withEmb ? 'withEmbedding' : 'withoutEmbedding'] = {
        files: r.added.length,
        chunks: r.chunks,
        seconds: +s.toFixed(2),
        chunksPerSecond: Math.round(r.chunks / s),
        filesPerSecond: Math.round(r.added.length / s),
      };
      const t1 = performance.now();
      const r2 = await kb.add([docsDir]);
      ingest[withEmb ? 'rerunUnchangedMsWithEmbedding' : 'rerunUnchangedMs'] = Math.round(
        performance.now() - t1,
      );
      if (r2.unchanged !== N_DOCS) throw new Error('re-run should skip every file');
      kb.close();
    }
    const t0 = performance.now();
    const texts = Array.from({ length: 2000 }, paragraph);
    await emb.embed(texts);
    ingest.hashingEmbedderTextsPerSecond = Math.round(2000 / ((performance.now() - t0) / 1000));
    results.ingest = ingest;

    // 2. a 100k-chunk KB built through the store (chunk texts of ~ 100–200 tokens)
    const bigPath = join(work, 'big.sqlite');
    const kb = await openKnowledgeBase(bigPath, { embedder: emb });
    const perDoc = 100;
    const tb = performance.now();
    let embedMs = 0;
    for (let d = 0; d * perDoc < N_CHUNKS; d++) {
      const chunks: ChunkInput[] = [];
      for (let c = 0; c < perDoc && d * perDoc + c < N_CHUNKS; c++) {
        const text = paragraph();
        chunks.push({
          text,
          headingPath: `Doc ${d} > Part ${c % 7}`,
          charStart: c * 1000,
          charEnd: c * 1000 + text.length,
          lineStart: c * 3 + 1,
          lineEnd: c * 3 + 2,
          nTokens: approxTokenCount(text),
        });
      }
      const te = performance.now();
      const vecs = await emb.embed(chunks.map(embedText));
      embedMs += performance.now() - te;
      kb.store.replaceDocument(
        { source: `/bench/doc${d}.md`, kind: 'md', size: 0, contentHash: String(d) },
        chunks,
        vecs,
      );
    }
    const buildS = (performance.now() - tb) / 1000;
    kb.optimize();
    const st = kb.stats();
    const tl = performance.now();
    kb.store.vectorIndex();
    const loadMs = performance.now() - tl;
    results.index = {
      chunks: st.chunks,
      vectors: st.vectors,
      dim: emb.dim,
      buildSeconds: +buildS.toFixed(1),
      buildEmbedSeconds: +(embedMs / 1000).toFixed(1),
      storeChunksPerSecond: Math.round(st.chunks / (buildS - embedMs / 1000)),
      fileBytes: dirSize(bigPath),
      bytesPerChunk: Math.round(dirSize(bigPath) / st.chunks),
      vectorBytes: st.vectors * emb.dim * 4,
      vectorCacheLoadMs: Math.round(loadMs),
    };

    // 3. query latency, excluding query embedding (query vectors computed beforehand and served from a map)
    // user-like queries: a question frame plus 2–5 content words (Zipf ranks ≥ 200: the most frequent
    // synthetic words play the role of stop words, which the query analyser removes in real text)
    const rankOf = new Map(VOCAB.map((w, i) => [w, i]));
    const contentWord = () => {
      for (;;) {
        const w = word();
        if (rankOf.get(w)! >= 200) return w;
      }
    };
    const frames = ['what is', 'how does the', 'where are', 'who made the', ''];
    const queries = Array.from({ length: N_QUERIES }, (_, i) =>
      `${frames[i % frames.length]} ${Array.from({ length: 2 + Math.floor(rnd() * 4) }, contentWord).join(' ')}`.trim(),
    );
    const tq = performance.now();
    const qv = new Map((await emb.embed(queries)).map((v, i) => [queries[i]!, v]));
    const queryEmbedMs = (performance.now() - tq) / N_QUERIES;
    const cached = {
      id: emb.id,
      dim: emb.dim,
      embed: async (t: string[]) => t.map((x) => qv.get(x) ?? emb.embedOne(x)),
    };
    const kb2 = await openKnowledgeBase(bigPath, { embedder: cached });
    kb2.store.vectorIndex();
    const latency: Record<string, unknown> = { queryEmbeddingMsMean: +queryEmbedMs.toFixed(3) };
    // wall time and this process's CPU time per query (the machine may be shared: CPU time is what an
    // idle machine's wall time would be, since a query runs synchronously on one thread)
    const measure = async (f: (q: string) => unknown) => {
      for (const q of queries.slice(0, 10)) await f(q); // warm-up
      const wall: number[] = [];
      const cpu: number[] = [];
      for (const q of queries) {
        const c0 = process.cpuUsage();
        const a = performance.now();
        await f(q);
        wall.push(performance.now() - a);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
      }
      return {
        p50: +pct(wall, 50).toFixed(2),
        p95: +pct(wall, 95).toFixed(2),
        cpuP50: +pct(cpu, 50).toFixed(2),
        cpuP95: +pct(cpu, 95).toFixed(2),
      };
    };
    for (const mode of ['bm25', 'vector', 'hybrid'] as const)
      latency[mode] = await measure((q) => kb2.search(q, { k: 10, mode }));
    latency.hybridWithSourceGlob = await measure((q) =>
      kb2.search(q, { k: 10, mode: 'hybrid', source: '/bench/doc1*' }),
    );
    // the exact cosine kernel alone (no SQLite, no gate)
    const vi = kb2.store.vectorIndex()!;
    latency.vectorScanOnly = await measure((q) => vi.search(qv.get(q)!, 10));
    latency.vectorKernel = vi.kernel;
    results.queryLatencyMs = latency;
    results.loadAverageAfterQueries = loadavg().map((x) => +x.toFixed(1));
    kb2.close();
    kb.close();

    // 4. retrieval quality on the shipped QA set
    const qa = loadQa(new URL('../examples/qa/qa.jsonl', import.meta.url).pathname);
    const qkb = await openKnowledgeBase(':memory:', { embedder: emb });
    await qkb.add([new URL('../examples/qa/corpus', import.meta.url).pathname]);
    const quality: Record<string, unknown> = {};
    for (const [set, items] of [
      ['clean', qa],
      ['typos', withTypos(qa)],
    ] as const)
      for (const mode of ['bm25', 'vector', 'hybrid'] as const) {
        const r5 = await evalRetrieval(qkb, items, { mode, k: 5 });
        const r3 = await evalRetrieval(qkb, items, { mode, k: 3 });
        const r1 = await evalRetrieval(qkb, items, { mode, k: 1 });
        quality[`${set}/${mode}`] = {
          recallAt1: +r1.recall.toFixed(3),
          recallAt3: +r3.recall.toFixed(3),
          recallAt5: +r5.recall.toFixed(3),
          mrrAt5: +r5.mrr.toFixed(3),
          gateFoundAnswerable: +r5.foundAnswerable.toFixed(3),
          gateRejectedUnanswerable: +r5.rejectedUnanswerable.toFixed(3),
        };
      }
    results.qaRetrieval = { questions: qa.length, chunks: qkb.stats().chunks, ...quality };
    qkb.close();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const outDir = new URL('./results/', import.meta.url).pathname;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'rag.json'), `${JSON.stringify(results, null, 2)}\n`);
  const L = results.queryLatencyMs as Record<
    string,
    { p50: number; p95: number; cpuP50: number; cpuP95: number }
  >;
  const I = results.index as Record<string, number>;
  const G = results.ingest as Record<string, { chunksPerSecond: number }>;
  console.log(
    `ingest: ${G.withoutEmbedding!.chunksPerSecond} chunks/s without embedding, ${G.withEmbedding!.chunksPerSecond} with HashingEmbedder`,
  );
  console.log(
    `index: ${I.chunks} chunks × ${I.dim}-d, ${(I.fileBytes! / 2 ** 20).toFixed(0)} MiB on disk (${I.bytesPerChunk} B/chunk), cache load ${I.vectorCacheLoadMs} ms`,
  );
  for (const m of ['bm25', 'vector', 'hybrid', 'hybridWithSourceGlob', 'vectorScanOnly'])
    console.log(
      `query ${m}: wall p50 ${L[m]!.p50} ms, p95 ${L[m]!.p95} ms; CPU p50 ${L[m]!.cpuP50} ms, p95 ${L[m]!.cpuP95} ms`,
    );
  for (const [k, v] of Object.entries(results.qaRetrieval as Record<string, unknown>))
    console.log(`QA ${k}: ${JSON.stringify(v)}`);
  console.log('wrote bench/results/rag.json');
}

await main();
