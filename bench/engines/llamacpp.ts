// One benchmark run of llama.cpp (node-llama-cpp 3.21.1, CPU) in its own process; prints JSON.
import { getLlama } from 'node-llama-cpp';

const [model, threads, nPrompt, nGen, mmap, ctxArg] = process.argv.slice(2);
const t0 = performance.now();
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never, progressLogs: false });
const m = await llama.loadModel({ modelPath: model!, useMmap: mmap !== 'nommap' });
const ctx = await m.createContext({
  contextSize: Number(ctxArg) || Number(nPrompt) + Number(nGen) + 8,
  batchSize: 512,
  threads: Number(threads),
  flashAttention: false,
});
const seq = ctx.getSequence();
const loadMs = performance.now() - t0;
const prompt = Array.from({ length: Number(nPrompt) }, (_, i) => 1000 + ((i * 7919) % 30000));
prompt[0] = 1;
const t1 = performance.now();
const c1 = process.cpuUsage();
await seq.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1) as never);
const gen = seq.evaluate([prompt.at(-1)!] as never, { temperature: 0 } as never);
// The first token needs the last prompt token evaluated: count it with prefill.
let r = await gen.next();
const prefillMs = performance.now() - t1;
const prefillCpu = process.cpuUsage(c1);
const t2 = performance.now();
const c2 = process.cpuUsage();
for (let i = 0; i < Number(nGen) && !r.done; i++) r = await gen.next();
const decodeMs = performance.now() - t2;
const decodeCpu = process.cpuUsage(c2);
await gen.return(undefined);
const out = {
  engine: 'llama.cpp',
  backend: `node-llama-cpp 3.21.1 cpu${mmap === 'nommap' ? ' no-mmap' : ''}`,
  // which CPU library llama.cpp loaded (e.g. AVX512_VNNI = 1 for its zen4 build)
  cpu: llama.systemInfo,
  load_ms: loadMs,
  prefill_tps: (1000 * Number(nPrompt)) / prefillMs,
  decode_tps: (1000 * Number(nGen)) / decodeMs,
  peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  // CPU seconds of the whole process (all threads): robust to a busy machine at 1 thread
  prefill_cpu_s: (prefillCpu.user + prefillCpu.system) / 1e6,
  decode_cpu_s: (decodeCpu.user + decodeCpu.system) / 1e6,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
