// Scores a GGUF model on the validation shards of a token mix (nats/token per phase), with pocketlm's inference engine.
// Usage: node --import tsx scripts/default-model/score.ts [model.gguf] [tokens dir] (defaults: models/default.gguf, $DM_WORK/tokens)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PocketModel } from '../../src/engine/pocket-model.js';
import { loadManifest } from '../../src/train/data.js';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const modelPath = process.argv[2] ?? join(ROOT, 'models', 'default.gguf');
const dir = process.argv[3] ?? join(process.env.DM_WORK ?? '/tmp/pocketlm-default-model', 'tokens');
const SEQ = 128;

/**
 * Cuts `ids` into windows of SEQ + 1 tokens overlapping by one and returns the summed negative log-likelihood of
 * every token after the first of each window (each predicted once, up to SEQ tokens of context) and their count.
 */
function scoreStream(model: PocketModel, ids: Uint16Array | Uint32Array): { nats: number; tokens: number } {
  let nats = 0;
  let tokens = 0;
  const V = model.config.nVocab;
  for (let i = 0; i + SEQ + 1 <= ids.length; i += SEQ) {
    const w = Array.from(ids.subarray(i, i + SEQ + 1));
    const logits = model.logits(w.slice(0, SEQ), 'all');
    for (let t = 0; t < SEQ; t++) {
      let max = -Infinity;
      for (let v = 0; v < V; v++) max = Math.max(max, logits[t * V + v] as number);
      let sum = 0;
      for (let v = 0; v < V; v++) sum += Math.exp((logits[t * V + v] as number) - max);
      nats += Math.log(sum) + max - (logits[t * V + (w[t + 1] as number)] as number);
    }
    tokens += SEQ;
  }
  return { nats, tokens };
}

const m = loadManifest(dir);
const model = await PocketModel.load(modelPath, { threads: 1 });
const out: Record<string, { loss: number; tokens: number }> = {};
let allN = 0;
let allT = 0;
for (const p of m.phases) {
  let n = 0;
  let t = 0;
  for (const s of p.splits.val ?? []) {
    const b = readFileSync(join(dir, s.file));
    const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    const ids = m.dtype === 'uint16' ? new Uint16Array(ab, 0, s.tokens) : new Uint32Array(ab, 0, s.tokens);
    const r = scoreStream(model, ids);
    n += r.nats;
    t += r.tokens;
  }
  out[p.name] = { loss: n / t, tokens: t };
  allN += n;
  allT += t;
}
out.all = { loss: allN / allT, tokens: allT };
process.stdout.write(`${JSON.stringify({ model: modelPath, tokens_dir: dir, val: out })}\n`);
model.dispose();
