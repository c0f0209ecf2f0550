// Scores a GGUF model with pocketlm's inference engine: on the validation shards of a token mix (nats/token per
// phase), or on JSONL documents (nats/token and nats/byte per metadata.kind, comparable across tokenizers).
// Usage: node --import tsx scripts/default-model/score.ts [model.gguf] [tokens dir | --jsonl a.jsonl,b.jsonl]
// (defaults: models/default.gguf, $DM_WORK/tokens)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PocketModel } from '../../src/engine/pocket-model.js';
import { loadManifest } from '../../src/train/data.js';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const args = process.argv.slice(2);
const jsonlAt = args.indexOf('--jsonl');
const jsonl = jsonlAt >= 0 ? (args[jsonlAt + 1] ?? '').split(',').filter(Boolean) : null;
const pos = args.filter((_, i) => jsonlAt < 0 || (i !== jsonlAt && i !== jsonlAt + 1));
const modelPath = pos[0] ?? join(ROOT, 'models', 'default.gguf');
const dir = pos[1] ?? join(process.env.DM_WORK ?? '/tmp/pocketlm-default-model', 'tokens');
const SEQ = 128;

/**
 * Cuts `ids` into windows of SEQ + 1 tokens overlapping by one (with `tail`, also the shorter last window) and
 * returns the summed negative log-likelihood of every token after the first of each window (each predicted
 * once, with up to SEQ tokens of context) and their count.
 */
function scoreStream(
  model: PocketModel,
  ids: ArrayLike<number>,
  tail = false,
): { nats: number; tokens: number } {
  let nats = 0;
  let tokens = 0;
  const V = model.config.nVocab;
  for (let i = 0; i + 1 < ids.length; i += SEQ) {
    const end = Math.min(ids.length, i + SEQ + 1);
    if (end - i < SEQ + 1 && !tail) break;
    const w = Array.from({ length: end - i }, (_, j) => ids[i + j] as number);
    const n = w.length - 1;
    const logits = model.logits(w.slice(0, n), 'all');
    for (let t = 0; t < n; t++) {
      let max = -Infinity;
      for (let v = 0; v < V; v++) max = Math.max(max, logits[t * V + v] as number);
      let sum = 0;
      for (let v = 0; v < V; v++) sum += Math.exp((logits[t * V + v] as number) - max);
      nats += Math.log(sum) + max - (logits[t * V + (w[t + 1] as number)] as number);
    }
    tokens += n;
  }
  return { nats, tokens };
}

const model = await PocketModel.load(modelPath, { threads: 1 });
const out: Record<string, { loss: number; tokens: number; nats_per_byte?: number; docs?: number }> = {};
let allN = 0;
let allT = 0;
let allB = 0;
if (jsonl) {
  // documents as in the mixes (BOS + text + EOS), concatenated per kind
  const eos = model.tokenizer.vocab.eosId;
  if (eos === null) throw new Error(`${modelPath}: the tokenizer has no EOS token`);
  const streams = new Map<string, { ids: number[]; bytes: number; docs: number }>();
  for (const p of jsonl)
    for (const line of readFileSync(p, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const d = JSON.parse(line) as { text: string; metadata?: { kind?: string } };
      const k = d.metadata?.kind ?? 'all';
      const s = streams.get(k) ?? { ids: [], bytes: 0, docs: 0 };
      streams.set(k, s);
      for (const id of model.tokenize(d.text, { addBos: true, parseSpecial: false })) s.ids.push(id);
      s.ids.push(eos);
      s.bytes += Buffer.byteLength(d.text);
      s.docs++;
    }
  for (const [k, s] of [...streams].sort((a, b) => a[0].localeCompare(b[0]))) {
    const r = scoreStream(model, s.ids, true);
    out[k] = { loss: r.nats / r.tokens, tokens: r.tokens, nats_per_byte: r.nats / s.bytes, docs: s.docs };
    allN += r.nats;
    allT += r.tokens;
    allB += s.bytes;
  }
  out.all = { loss: allN / allT, tokens: allT, nats_per_byte: allN / allB };
} else {
  const m = loadManifest(dir);
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
}
process.stdout.write(`${JSON.stringify({ model: modelPath, data: jsonl ?? dir, scores: out })}\n`);
model.dispose();
