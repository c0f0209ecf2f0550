// Browser vs Node: prefill and decode tokens/s of the same engine on the same GGUF file, in headless Chromium (the chat page's worker) and in Node.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
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
    wllama: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`node --import tsx bench/web.ts [--model FILE | --preset tiny|small|medium --type q4_0|q8_0|q4_k_m]
  [--threads 1,2] [--prompt 64] [--gen 32] [--runs 3] [--chromium /usr/bin/chromium] [--out bench/results/web.json]
  [--wllama DIR]   also run wllama (llama.cpp in wasm) in the same Chromium; DIR is an installed
                   @wllama/wllama package (e.g. node_modules/@wllama/wllama), served locally (no CDN)`);
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
  if (values.wllama) rows.push(...(await benchWllama(values.wllama, model)));

  const out = {
    date: new Date().toISOString(),
    model: values.model ?? `random ${values.preset} ${values.type} (phi3 tokenizer)`,
    prompt,
    gen,
    runs,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    loadavg_1m: Number(loadavg()[0]!.toFixed(2)),
    node: process.version,
    chromium: version,
    wllama: values.wllama
      ? 'llama.cpp via @wllama/wllama, timings from its completion result (prompt_per_second, predicted_per_second); prompt is English text of about the same token count'
      : 'not run (pass --wllama DIR)',
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

/** The wllama benchmark page (function declarations are hoisted above the top-level run). */
function wllamaPage(): string {
  return `<!doctype html><meta charset="utf-8"><title>wllama bench</title>
<script type="module">
import { Wllama } from './wllama/index.js';
window.runWllama = async (modelUrl, threads, prompt, gen, runs) => {
  const w = new Wllama({ default: './wllama/wasm/wllama.wasm' }, { suppressNativeLog: true });
  const blob = await (await fetch(modelUrl)).blob();
  await w.loadModel([blob], { n_ctx: 512, n_batch: 512, n_threads: threads, n_gpu_layers: 0, warmup: true });
  const timings = [];
  for (let r = 0; r <= runs; r++) {
    const res = await w.createCompletion({ prompt, max_tokens: gen, temperature: 0, cache_prompt: false, ignore_eos: true });
    if (r > 0) timings.push(res.timings);
  }
  const out = { multithread: w.isMultithread(), threads: w.getNumThreads(), version: Wllama.getLibllamaVersion?.(), timings };
  await w.exit();
  return out;
};
window.wllamaReady = true;
</script>`;
}

/** Runs wllama (llama.cpp compiled to wasm) on the same file in the same Chromium, served from a local copy. */
async function benchWllama(pkg: string, model: string): Promise<Row[]> {
  const esm = join(pkg, 'esm');
  if (!existsSync(join(esm, 'index.js')) || !existsSync(join(esm, 'wasm', 'wllama.wasm')))
    throw new Error(
      `--wllama ${pkg}: expected esm/index.js and esm/wasm/wllama.wasm (an installed @wllama/wllama)`,
    );
  const root = join(dir, 'wllama-root');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'index.html'), wllamaPage());
  symlinkSync(esm, join(root, 'wllama'));
  // About `prompt` tokens of English text (the Phi-3 tokenizer gives ~1.3 tokens per word here).
  const words =
    'the quick brown fox jumps over the lazy dog while seven wizards quietly judge boxing matches'.split(' ');
  const text = Array.from({ length: Math.round(prompt / 1.3) }, (_, i) => words[i % words.length]).join(' ');
  const srv = await startWebServer({ root, port: 0, models: [model] });
  const ctx = await chromium.launchPersistentContext(join(dir, 'profile-wllama'), {
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
  const out: Row[] = [];
  try {
    for (const t of threads) {
      const page = await ctx.newPage();
      await page.goto(srv.url);
      await page.waitForFunction(() => (globalThis as { wllamaReady?: boolean }).wllamaReady === true);
      const r = (await page.evaluate(
        ([u, th, p, g, n]) =>
          (globalThis as unknown as { runWllama: (...a: unknown[]) => Promise<unknown> }).runWllama(
            u,
            th,
            p,
            g,
            n,
          ),
        [`/models/${basename(model)}`, t, text, gen, runs] as const,
      )) as {
        multithread: boolean;
        threads: number;
        version?: string;
        timings: {
          prompt_n: number;
          prompt_per_second: number;
          predicted_n: number;
          predicted_per_second: number;
        }[];
      };
      const row: Row = {
        runtime: 'wllama',
        threads: r.threads,
        backend: `llama.cpp ${r.version ?? ''} wasm (${r.multithread ? 'multi' : 'single'}-thread build), prompt ${r.timings[0]?.prompt_n} tokens`,
        prefillTokPerS: Math.max(...r.timings.map((x) => x.prompt_per_second)),
        decodeTokPerS: Math.max(...r.timings.map((x) => x.predicted_per_second)),
      };
      out.push(row);
      print(row);
      await page.close();
    }
  } finally {
    await ctx.close();
    await srv.close();
  }
  return out;
}
