// Browser vs Node: prefill and decode tokens/s of the same engine on the same GGUF file, in headless Chromium (the chat page's worker) and in Node.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { buildWebPage, startWebServer } from '../src/cli/web.js';
import { PocketModel } from '../src/engine/pocket-model.js';
import { readGgufFile, writeGgufFile } from '../src/format/gguf-node.js';
import type { ModelConfig } from '../src/model/config.js';
import { PRESETS, randomModelSpec } from '../src/model/random.js';
import type { QuantFileType } from '../src/quant/index.js';
import { benchModel } from '../src/web/bench-core.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    preset: { type: 'string', default: 'small' },
    type: { type: 'string', default: 'q4_0' },
    threads: { type: 'string', default: '1,2' },
    prompt: { type: 'string', default: '64' },
    gen: { type: 'string', default: '32' },
    runs: { type: 'string', default: '3' },
    chromium: { type: 'string', default: process.env.POCKETLM_CHROMIUM ?? '/usr/bin/chromium' },
    out: { type: 'string', default: 'bench/results/web.json' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`node --import tsx bench/web.ts [--model FILE | --preset tiny|small|medium --type q4_0|q8_0|q4_k_m]
  [--threads 1,2] [--prompt 64] [--gen 32] [--runs 3] [--chromium /usr/bin/chromium] [--out bench/results/web.json]`);
  process.exit(0);
}

/** Random-weight shapes (real Phi-3 tokenizer, so the vocabulary matmul is realistic). */
const SHAPES: Record<string, Partial<ModelConfig>> = {
  tiny: { nEmbd: 256, nFf: 512, nLayer: 2, nHead: 4, nHeadKv: 4, headDim: 64, nRot: 64 },
  small: { nEmbd: 512, nFf: 1536, nLayer: 4, nHead: 8, nHeadKv: 8, headDim: 64, nRot: 64 },
  medium: { nEmbd: 1024, nFf: 2816, nLayer: 8, nHead: 16, nHeadKv: 16, headDim: 64, nRot: 64 },
};

const threads = values.threads.split(',').map(Number);
const prompt = Number(values.prompt);
const gen = Number(values.gen);
const runs = Number(values.runs);
const dir = mkdtempSync(join(tmpdir(), 'pocketlm-bench-web-'));

function makeModel(): string {
  const shape = SHAPES[values.preset];
  if (!shape) throw new Error(`--preset ${values.preset}: expected one of ${Object.keys(SHAPES).join(', ')}`);
  const tok = readGgufFile(new URL('../models/phi3-tokenizer.gguf', import.meta.url).pathname);
  const config: ModelConfig = { ...PRESETS.tiny!, nVocab: 32064, ...shape };
  const path = join(dir, `random-${values.preset}-${values.type}.gguf`);
  writeGgufFile(
    path,
    randomModelSpec({
      config,
      tokenizer: [...tok.metadata].filter(([k]) => k.startsWith('tokenizer.')),
      fileType: values.type as QuantFileType,
      seed: 1,
    }),
  );
  return path;
}

interface Row {
  runtime: string;
  threads: number;
  backend: string;
  prefillTokPerS: number;
  decodeTokPerS: number;
}

const rows: Row[] = [];
const fmt = (x: number) => x.toFixed(1).padStart(8);
const print = (r: Row) =>
  console.log(
    `${r.runtime.padEnd(9)} ${String(r.threads).padStart(2)}  ${fmt(r.prefillTokPerS)}  ${fmt(r.decodeTokPerS)}   ${r.backend}`,
  );

try {
  const model = values.model ?? makeModel();
  console.log(`model: ${model}; prompt ${prompt}, gen ${gen}, best of ${runs}; ${cpus().length} cpus`);
  console.log('runtime    t   prefill   decode    backend   (tokens/s)');

  for (const t of threads) {
    const m = await PocketModel.load(model, { threads: t });
    const r = benchModel(m, prompt, gen, runs);
    m.dispose();
    const row = { runtime: 'node', threads: t, backend: m.backendName, ...r };
    rows.push(row);
    print(row);
  }

  const root = buildWebPage(join(dir, 'dist'));
  const srv = await startWebServer({ root, port: 0, models: [model] });
  const ctx = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: values.chromium,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  const version =
    ctx.browser()?.version() ?? (await ctx.newPage().then((p) => p.evaluate(() => navigator.userAgent)));
  try {
    for (const t of threads) {
      const page = await ctx.newPage();
      await page.goto(`${srv.url}?model=${encodeURIComponent(`/models/${basename(model)}`)}&threads=${t}`);
      await page.waitForSelector('body[data-model="loaded"]', { timeout: 300_000 });
      const r = (await page.evaluate(
        ([p, g, n]) =>
          (
            globalThis as unknown as {
              pocketlm: { bench(p: number, g: number, n: number): Promise<unknown> };
            }
          ).pocketlm.bench(p!, g!, n!),
        [prompt, gen, runs],
      )) as Omit<Row, 'runtime'>;
      const row = { ...r, runtime: 'chromium' };
      rows.push(row);
      print(row);
      await page.close();
    }
  } finally {
    await ctx.close();
    await srv.close();
  }

  const out = {
    date: new Date().toISOString(),
    model: values.model ?? `random ${values.preset} ${values.type} (phi3 tokenizer)`,
    prompt,
    gen,
    runs,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    node: process.version,
    chromium: version,
    note: 'Same engine code (src/web/bench-core.ts) in Node and in the page worker; threads include the calling thread. Chromium threads need COOP/COEP (served by pocketlm web).',
    results: rows.map((r) => ({
      runtime: r.runtime,
      threads: r.threads,
      backend: r.backend,
      prefill_tok_s: Number(r.prefillTokPerS.toFixed(2)),
      decode_tok_s: Number(r.decodeTokPerS.toFixed(2)),
    })),
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(values.out, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${values.out}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
