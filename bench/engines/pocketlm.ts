// One benchmark run of pocketlm in its own process: load, prefill N tokens, decode M tokens; prints JSON.
import { PocketModel } from '../../src/engine/pocket-model.js';

const [model, threads, nPrompt, nGen, kv, ctxArg] = process.argv.slice(2);
const t0 = performance.now();
const m = await PocketModel.load(model!, { threads: Number(threads), backend: 'wasm' });
const ctx = m.createContext({
  nCtx: Number(ctxArg) || Number(nPrompt) + Number(nGen) + 8,
  nBatch: 512,
  kvType: (kv as 'f16' | 'f32' | 'q8_0') || 'f16',
});
const loadMs = performance.now() - t0;
// Deterministic pseudo-random prompt of ordinary tokens (ids 1000..30999).
const prompt = Array.from({ length: Number(nPrompt) }, (_, i) => 1000 + ((i * 7919) % 30000));
prompt[0] = 1;
const t1 = performance.now();
const c1 = process.cpuUsage();
let logits = ctx.eval(prompt, 'last');
const prefillMs = performance.now() - t1;
const prefillCpu = process.cpuUsage(c1);
const t2 = performance.now();
const c2 = process.cpuUsage();
for (let i = 0; i < Number(nGen); i++) {
  let best = 0;
  for (let j = 1; j < logits.length; j++) if (logits[j]! > logits[best]!) best = j;
  logits = ctx.eval([best], 'last');
}
const decodeMs = performance.now() - t2;
const decodeCpu = process.cpuUsage(c2);
const out = {
  engine: 'pocketlm',
  backend: `${m.backendName}, ${kv || 'f16'} KV`,
  load_ms: loadMs,
  prefill_tps: (1000 * Number(nPrompt)) / prefillMs,
  decode_tps: (1000 * Number(nGen)) / decodeMs,
  peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  // CPU seconds of the whole process (all threads): robust to a busy machine at 1 thread
  prefill_cpu_s: (prefillCpu.user + prefillCpu.system) / 1e6,
  decode_cpu_s: (decodeCpu.user + decodeCpu.system) / 1e6,
};
m.dispose();
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
