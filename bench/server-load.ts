// Load test on loopback: N parallel streaming clients against `pocketlm serve`'s app; aggregate tokens/s vs
// one client, time to first token p50/p95, memory, errors, and whether any generation is left running.
// Bounded in count and time. Usage: npx tsx bench/server-load.ts [--model FILE] [--clients 8] [--requests 2] [--tokens 32]
import { mkdirSync, writeFileSync } from 'node:fs';
import OpenAI from 'openai';
import { defaultModel } from '../src/engine/default-model.js';
import { PocketModel } from '../src/engine/pocket-model.js';
import { startServer } from '../src/server/serve.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const modelPath = args.get('model') ?? defaultModel().path;
const clients = Number(args.get('clients') ?? 8);
const perClient = Number(args.get('requests') ?? 2);
const maxTokens = Number(args.get('tokens') ?? 32);
const deadline = Date.now() + 5 * 60_000;

const model = await PocketModel.load(modelPath, { threads: Number(args.get('threads') ?? 1) });
const server = await startServer(model, {
  modelId: 'bench',
  port: 0,
  maxConcurrent: clients,
  maxQueue: clients * perClient,
});
const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'none', maxRetries: 0 });

async function one(seed: number): Promise<{ ttft: number; tokens: number; ms: number }> {
  const t0 = performance.now();
  let ttft = -1;
  let tokens = 0;
  const stream = await client.chat.completions.create({
    model: 'bench',
    messages: [{ role: 'user', content: `Tell me something, #${seed}` }],
    max_tokens: maxTokens,
    temperature: 0.8,
    seed,
    stream: true,
  });
  for await (const c of stream) {
    if (c.choices[0]?.delta?.content) {
      if (ttft < 0) ttft = performance.now() - t0;
      tokens++;
    }
  }
  return { ttft, tokens, ms: performance.now() - t0 };
}

async function phase(n: number) {
  const t0 = performance.now();
  const results: { ttft: number; tokens: number; ms: number }[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: n }, async (_, c) => {
      for (let r = 0; r < perClient && Date.now() < deadline; r++) {
        try {
          results.push(await one(c * 1000 + r));
        } catch {
          errors++;
        }
      }
    }),
  );
  const wall = performance.now() - t0;
  const ttfts = results.map((r) => r.ttft).sort((a, b) => a - b);
  const q = (p: number) => ttfts[Math.min(ttfts.length - 1, Math.floor(p * ttfts.length))] ?? Number.NaN;
  const tokens = results.reduce((a, r) => a + r.tokens, 0);
  return {
    clients: n,
    requests: results.length,
    errors,
    tokens_per_s: (1000 * tokens) / wall,
    ttft_p50_ms: q(0.5),
    ttft_p95_ms: q(0.95),
  };
}

const single = await phase(1);
const parallel = await phase(clients);
const health = (await (await fetch(`${server.url}/health`)).json()) as { running: number; queued: number };
const result = {
  model: modelPath,
  backend: model.backendName,
  max_tokens: maxTokens,
  single,
  parallel,
  aggregate_speedup: parallel.tokens_per_s / single.tokens_per_s,
  rss_mb: process.memoryUsage().rss / 2 ** 20,
  left_running: health.running,
  left_queued: health.queued,
};
await server.close();
model.dispose();
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/server-load.json', `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `1 client: ${single.tokens_per_s.toFixed(1)} tok/s, TTFT p50 ${single.ttft_p50_ms.toFixed(0)} ms\n` +
    `${clients} clients: ${parallel.tokens_per_s.toFixed(1)} tok/s aggregate (×${result.aggregate_speedup.toFixed(2)}), ` +
    `TTFT p50 ${parallel.ttft_p50_ms.toFixed(0)} ms / p95 ${parallel.ttft_p95_ms.toFixed(0)} ms, errors ${single.errors + parallel.errors}, ` +
    `RSS ${result.rss_mb.toFixed(0)} MB, left running ${health.running}`,
);
