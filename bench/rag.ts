// Benchmark of the knowledge base: ingest throughput, query latency over 100k chunks (with and without a
// bge-small-shaped BERT query embedder), index size, QA recall.
// Usage: npm run bench:rag [-- --quick] [--chunks 100000] [--queries 200] [--kb FILE (reuse/keep the big KB)]
//        [--embed-types f32,f16,f16>f32,f16>q8_0,q8_0] [--out FILE]   → bench/results/rag.json (+ a summary on stdout).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GgmlType } from '../src/format/ggml-types.js';
import { readGgufFile, writeGgufFile } from '../src/format/gguf-node.js';
import { randomBertSpec } from '../src/model/bert-random.js';
import { type Embedder, HashingEmbedder } from '../src/rag/embedder.js';
import { evalRetrieval, loadQa, type QaItem, recallAt, withTypos } from '../src/rag/eval-qa.js';
import { loadGgufEmbedder } from '../src/rag/gguf-embedder.js';
import { embedText, openKnowledgeBase } from '../src/rag/index.js';
import type { ChunkInput } from '../src/rag/store.js';
import { approxTokenCount } from '../src/rag/tokens.js';

const { values } = parseArgs({
  options: {
    chunks: { type: 'string' },
    queries: { type: 'string' },
    docs: { type: 'string' },
    quick: { type: 'boolean' },
    kb: { type: 'string' },
    'embed-types': { type: 'string' },
    out: { type: 'string' },
  },
});
const QUICK = values.quick ?? false;
const N_CHUNKS = Number(values.chunks ?? (QUICK ? 10_000 : 100_000));
const N_QUERIES = Number(values.queries ?? (QUICK ? 60 : 200));
const N_DOCS = Number(values.docs ?? (QUICK ? 60 : 300));
const EMBED_TYPES = (values['embed-types'] ?? (QUICK ? 'q8_0' : 'f32,f16,f16>f32,f16>q8_0,q8_0'))
  .split(',')
  .filter(Boolean);

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

    // 2. a 100k-chunk KB built through the store (chunk texts of ~ 100–200 tokens); --kb reuses/keeps one
    const bigPath = values.kb ?? join(work, 'big.sqlite');
    const reuse = !!values.kb && existsSync(bigPath);
    const kb = await openKnowledgeBase(bigPath, { embedder: emb });
    const perDoc = 100;
    const tb = performance.now();
    let embedMs = 0;
    for (let d = 0; !reuse && d * perDoc < N_CHUNKS; d++) {
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
    if (!reuse) kb.optimize();
    const st = kb.stats();
    if (reuse && st.chunks !== N_CHUNKS)
      throw new Error(`--kb ${bigPath} holds ${st.chunks} chunks, not --chunks ${N_CHUNKS}`);
    kb.close();
    // the cache load as a fresh process would do it (new connection)
    const kbl = await openKnowledgeBase(bigPath, { embedder: emb });
    const c0 = cpuMs();
    const tl = performance.now();
    const vindex = kbl.store.vectorIndex()!;
    const loadMs = performance.now() - tl;
    const loadCpuMs = cpuMs() - c0;
    kbl.close();
    results.index = {
      chunks: st.chunks,
      vectors: st.vectors,
      dim: emb.dim,
      ...(reuse
        ? { reused: bigPath }
        : {
            buildSeconds: +buildS.toFixed(1),
            buildEmbedSeconds: +(embedMs / 1000).toFixed(1),
            storeChunksPerSecond: Math.round(st.chunks / (buildS - embedMs / 1000)),
          }),
      fileBytes: dirSize(bigPath),
      bytesPerChunk: Math.round(dirSize(bigPath) / st.chunks),
      vectorBytes: st.vectors * emb.dim * 4,
      vectorCacheLoadMs: Math.round(loadMs),
      vectorCacheLoadCpuMs: Math.round(loadCpuMs),
      vectorCacheBytes: vindex.bytes,
      vectorKernel: vindex.kernel,
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
    for (const mode of ['bm25', 'vector', 'hybrid'] as const)
      latency[mode] = await measure(queries, (q) => kb2.search(q, { k: 10, mode }));
    latency.hybridWithSourceGlob = await measure(queries, (q) =>
      kb2.search(q, { k: 10, mode: 'hybrid', source: '/bench/doc1*' }),
    );
    // the vector top-k alone (no SQLite, no gate): int8 scan + f32 rescoring (default) vs the f32 scan
    const vi = kb2.store.vectorIndex()!;
    latency.vectorScanOnly = await measure(queries, (q) => vi.search(qv.get(q)!, 40));
    latency.vectorKernel = vi.kernel;
    {
      const { VectorIndex } = await import('../src/rag/vector-index.js');
      const f = new VectorIndex(emb.dim, st.vectors, { kernel: 'wasm-f32' });
      for (const r of kb2.store.db
        .prepare('SELECT v.chunk_id, c.doc_id, v.vec FROM vectors v JOIN chunks c ON c.id = v.chunk_id')
        .iterate() as Iterable<{ chunk_id: number; doc_id: number; vec: Buffer }>)
        f.addBytes(r.chunk_id, r.doc_id, r.vec);
      latency.vectorScanOnlyF32 = await measure(queries, (q) => f.search(qv.get(q)!, 40));
    }
    results.queryLatencyMs = latency;
    results.loadAverageAfterQueries = loadavg().map((x) => +x.toFixed(1));

    // 4. query embedding with a bge-small-shaped BERT (12 layers, 384-d, 1536 FF, 12 heads, bge WordPiece
    // vocabulary; random weights written by the project) through loadGgufEmbedder, and the hybrid search
    // including it (its vectors stand in for the KB's hashing vectors, same dim: timing only)
    const embedLat: Record<string, unknown> = {};
    const voc = '/work/shared/fixtures/vocab/ggml-vocab-bert-bge.gguf';
    const vocPath = existsSync(voc)
      ? voc
      : new URL('../../shared/fixtures/vocab/ggml-vocab-bert-bge.gguf', import.meta.url).pathname;
    if (existsSync(vocPath)) {
      const tokenizer = [...readGgufFile(vocPath).metadata].filter(([k]) => k.startsWith('tokenizer.'));
      // each question 3× in the full run (90 samples: a p95 that is not just the slowest few)
      const userQueries = QUICK
        ? USER_QUESTIONS.slice(0, 20)
        : [...USER_QUESTIONS, ...USER_QUESTIONS, ...USER_QUESTIONS];
      for (const t of EMBED_TYPES) {
        // "f16>q8_0" / "f16>f32": an F16 file requantized / expanded at load (GgufEmbedderOptions.matmulType)
        const [ft, mm] = t.split('>') as [string, string | undefined];
        const type = { f32: GgmlType.F32, f16: GgmlType.F16, q8_0: GgmlType.Q8_0 }[ft];
        if (type === undefined || (mm !== undefined && mm !== 'q8_0' && mm !== 'f32'))
          throw new Error(`--embed-types: ${t} is not f32, f16, q8_0, f16>q8_0 or f16>f32`);
        const path = join(work, `bge-small-random-${ft}.gguf`);
        writeGgufFile(
          path,
          randomBertSpec({
            arch: 'bert',
            type,
            tokenizer,
            nEmbd: 384,
            nFf: 1536,
            nLayer: 12,
            nHead: 12,
            name: 'bge-small-shaped random',
          }),
        );
        const tl0 = performance.now();
        const g = await loadGgufEmbedder(path, mm ? { matmulType: mm as 'q8_0' | 'f32' } : {});
        const loadS = (performance.now() - tl0) / 1000;
        try {
          const toks = userQueries.map((q) => g.tokens(q).length);
          const embedOnly = await measure(userQueries, (q) => g.embed([q]));
          const asKb: Embedder = { id: emb.id, dim: emb.dim, embed: (x) => g.embed(x) };
          const kb3 = await openKnowledgeBase(bigPath, { embedder: asKb, readonly: true });
          kb3.store.vectorIndex();
          const withSearch = await measure(userQueries, (q) => kb3.search(q, { k: 10, mode: 'hybrid' }));
          kb3.close();
          embedLat[t] = {
            fileMiB: +(statSync(path).size / 2 ** 20).toFixed(1),
            loadSeconds: +loadS.toFixed(2),
            queryTokensMin: Math.min(...toks),
            queryTokensMax: Math.max(...toks),
            embedQuery: embedOnly,
            hybridIncludingEmbedding: withSearch,
          };
        } finally {
          g.dispose();
          rmSync(path, { force: true });
        }
      }
    } else embedLat.skipped = `no bge vocabulary at ${vocPath}`;
    results.queryEmbeddingLatencyMs = {
      model: 'bge-small-shaped random bert (33M params), 2 threads',
      ...embedLat,
    };
    results.loadAverageAfterEmbedding = loadavg().map((x) => +x.toFixed(1));
    kb2.close();

    // 5. retrieval quality on the shipped QA sets
    const quality: Record<string, unknown> = {};
    for (const [name, dir] of [
      ['vessmar', '../examples/qa/'],
      ['registry', '../examples/qa-registry/'],
    ] as const) {
      const base = new URL(dir, import.meta.url).pathname;
      const qa = loadQa(join(base, 'qa.jsonl'));
      const forms = readFileSync(join(base, 'qa.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { form?: string }).form);
      const qkb = await openKnowledgeBase(':memory:', { embedder: emb });
      await qkb.add([join(base, 'corpus')]);
      const q: Record<string, unknown> = { questions: qa.length, chunks: qkb.stats().chunks };
      const sets: [string, QaItem[]][] = [
        ['clean', qa],
        ['typos', withTypos(qa)],
      ];
      for (const [set, items] of sets)
        for (const mode of [
          'bm25',
          'vector',
          'hybrid',
          ...(set === 'clean' ? (['hybrid-rrf'] as const) : []),
        ] as const) {
          const r5 = await evalRetrieval(qkb, items, {
            mode: mode === 'hybrid-rrf' ? 'hybrid' : mode,
            k: 5,
            ...(mode === 'hybrid-rrf' ? { fusion: 'rrf' as const } : {}),
          });
          const answerableForms = forms.filter((_, i) => qa[i]!.answers.length > 0);
          const byForm: Record<string, number> = {};
          if (set === 'clean' && answerableForms.some(Boolean))
            for (const f of new Set(answerableForms)) {
              const rs = r5.ranks.filter((_, i) => answerableForms[i] === f);
              byForm[f!] = +recallAt(rs, 5).toFixed(3);
            }
          q[`${set}/${mode}`] = {
            recallAt1: +recallAt(r5.ranks, 1).toFixed(3),
            recallAt3: +recallAt(r5.ranks, 3).toFixed(3),
            recallAt5: +r5.recall.toFixed(3),
            mrrAt5: +r5.mrr.toFixed(3),
            gateFoundAnswerable: +r5.foundAnswerable.toFixed(3),
            gateRejectedUnanswerable: +r5.rejectedUnanswerable.toFixed(3),
            ...(Object.keys(byForm).length ? { recallAt5ByForm: byForm } : {}),
          };
        }
      quality[name] = q;
      qkb.close();
    }
    results.qaRetrieval = quality;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const outPath = values.out ?? join(new URL('./results/', import.meta.url).pathname, 'rag.json');
  mkdirSync(join(outPath, '..'), { recursive: true });
  // arrays of numbers on one line, as Biome formats JSON
  const json = JSON.stringify(results, null, 2).replace(
    /\[\s*([-\d.,\s]+?)\s*\]/g,
    (_, xs: string) => `[${xs.split(/,\s*/).join(', ')}]`,
  );
  writeFileSync(outPath, `${json}\n`);
  const L = results.queryLatencyMs as Record<string, Lat>;
  const I = results.index as Record<string, number>;
  const G = results.ingest as Record<string, { chunksPerSecond: number }>;
  console.log(
    `load average: start ${results.loadAverageAtStart}, after queries ${results.loadAverageAfterQueries}`,
  );
  console.log(
    `ingest: ${G.withoutEmbedding!.chunksPerSecond} chunks/s without embedding, ${G.withEmbedding!.chunksPerSecond} with HashingEmbedder`,
  );
  console.log(
    `index: ${I.chunks} chunks × ${I.dim}-d, ${(I.fileBytes! / 2 ** 20).toFixed(0)} MiB on disk (${I.bytesPerChunk} B/chunk), cache load ${I.vectorCacheLoadMs} ms (CPU ${I.vectorCacheLoadCpuMs} ms)`,
  );
  for (const m of ['bm25', 'vector', 'hybrid', 'hybridWithSourceGlob', 'vectorScanOnly', 'vectorScanOnlyF32'])
    console.log(`query ${m}: ${fmt(L[m]!)}`);
  for (const [t, v] of Object.entries(results.queryEmbeddingLatencyMs as Record<string, unknown>)) {
    const e = v as { embedQuery?: Lat; hybridIncludingEmbedding?: Lat };
    if (e.embedQuery)
      console.log(
        `embed ${t}: query embedding ${fmt(e.embedQuery)}; hybrid incl. embedding ${fmt(e.hybridIncludingEmbedding!)}`,
      );
  }
  for (const [set, v] of Object.entries(results.qaRetrieval as Record<string, Record<string, unknown>>))
    for (const [k, r] of Object.entries(v))
      if (typeof r === 'object') {
        const x = r as Record<string, number>;
        console.log(
          `QA ${set} ${k}: R@1 ${x.recallAt1} R@3 ${x.recallAt3} R@5 ${x.recallAt5} MRR ${x.mrrAt5} gate ${x.gateFoundAnswerable}/${x.gateRejectedUnanswerable}`,
        );
      }
  console.log(`wrote ${outPath}`);
}

type Lat = { p50: number; p95: number; cpuP50: number; cpuP95: number };
const fmt = (l: Lat) => `wall p50 ${l.p50} ms, p95 ${l.p95} ms; CPU p50 ${l.cpuP50} ms, p95 ${l.cpuP95} ms`;
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/**
 * Wall time and this process's CPU time per call (all its threads: the BERT embedder's workers count). The
 * machine may be shared: CPU time of a single-threaded query is what an idle core's wall time would be.
 */
async function measure(queries: string[], f: (q: string) => unknown): Promise<Lat> {
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
}

/** Typical user questions (8–20 WordPiece tokens with [CLS]/[SEP]) for the query-embedding timing. */
const USER_QUESTIONS = [
  'Who founded the harbour town of Harrowgate?',
  'What is the capital of the archipelago?',
  'How many islands are inhabited today?',
  'When was the lighthouse on the north cape first lit?',
  'Which ship carries hull number VH-2417?',
  'What does the tide council decide each spring?',
  'How do I reset the router to factory settings?',
  'What is the refund policy for damaged items?',
  'Which python version does the project require?',
  'How long does the battery last on a full charge?',
  'Who wrote the chapter about glass making in the old town?',
  'What are the side effects of the medication?',
  'Where can I find the invoice for last month?',
  'Explain how the caching layer handles stale entries.',
  'What was the population of Dunmore in the last census?',
  'Which festival takes place every June on the quay?',
  'How is the vector index kept in sync with the database?',
  'What error does the parser return for an empty file?',
  'Summarize the meeting notes from the design review.',
  'Which captain commands the Grey Heron this season?',
  'What temperature should the oven be set to for bread?',
  'How many tons can the cargo hold carry at most?',
  'Which port is the ferry registered at?',
  'What is the keeper of the Dunmere lighthouse called?',
  'Is there a train from the harbour to the old quarter?',
  'What is the deadline for the grant application?',
  'Which license does this library use?',
  'How do the two retrievers get fused into one ranking?',
  'What happened to the crew of the Silver Gull in the storm?',
  'Where is the spare key kept?',
];

await main();
