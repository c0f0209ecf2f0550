// Reads and writes llama.cpp-compatible KL-divergence base files, so base and quantized runs can be separate.
import { closeSync, fstatSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { type KldOptions, type KldResult, klDivergenceCore } from './kld.js';
import { decodeLogProbRow, encodeLogProbRow, kldBaseRowSlots } from './kld-base.js';
import { checkLogitsShape, type ScoringModel, throwIfAborted } from './model.js';
import type { PerplexityProgress } from './perplexity.js';
import {
  planWindows,
  tokenizeForPerplexity,
  type WindowOptions,
  type WindowPlan,
  windowInput,
} from './windows.js';

const MAGIC = '_logits_';

/** What {@link saveKldBase} wrote, with the base model's perplexity from the stored values. */
export interface KldBaseSummary {
  path: string;
  nCtx: number;
  nVocab: number;
  nChunks: number;
  bytes: number;
  /** Perplexity of the base model on the scored tokens (llama.cpp prints it during the base run). */
  ppl: number;
}

/**
 * Writes the base model's log-probabilities for `text` to `path` in llama.cpp's `--kl-divergence-base`
 * layout ("_logits_", n_ctx, n_vocab, n_chunk, tokens, then per window n_ctx−1−n_ctx/2 rows of 16-bit
 * log-probs). The file works with `llama-perplexity --kl-divergence` and with {@link klDivergenceFromBase}.
 */
export function saveKldBase(
  base: ScoringModel,
  text: string,
  path: string,
  opts: WindowOptions & { onProgress?: (p: PerplexityProgress) => void; signal?: AbortSignal } = {},
): KldBaseSummary {
  const tokens = tokenizeForPerplexity(base, text);
  const plan = planWindows(tokens.length, opts);
  const { nCtx, nChunks, first } = plan;
  const nVocab = base.nVocab;
  const nv = kldBaseRowSlots(nVocab);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  let bytes = 0;
  let nll = 0;
  let count = 0;
  const put = (b: Uint8Array) => {
    writeSync(fd, b);
    bytes += b.length;
  };
  try {
    const head = new Uint8Array(20);
    head.set(new TextEncoder().encode(MAGIC));
    new DataView(head.buffer).setInt32(8, nCtx, true);
    new DataView(head.buffer).setInt32(12, nVocab, true);
    new DataView(head.buffer).setInt32(16, nChunks, true);
    put(head);
    const toks = new Int32Array(tokens.slice(0, nChunks * nCtx));
    put(new Uint8Array(toks.buffer));
    const rows = new Uint16Array((nCtx - 1 - first) * nv);
    for (let c = 0; c < nChunks; c++) {
      throwIfAborted(opts.signal);
      const logits = base.logitsAll(windowInput(base, tokens, plan, c), { signal: opts.signal });
      checkLogitsShape(logits, nCtx, nVocab, 'base');
      for (let j = first; j < nCtx - 1; j++) {
        nll += encodeLogProbRow(
          logits,
          j,
          nVocab,
          tokens[c * nCtx + j + 1]!,
          rows.subarray((j - first) * nv, (j - first + 1) * nv),
        );
        count++;
      }
      put(new Uint8Array(rows.buffer));
      opts.onProgress?.({ chunk: c + 1, nChunks, ppl: Math.exp(nll / count), count });
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return { path, nCtx, nVocab, nChunks, bytes, ppl: Math.exp(nll / count) };
}

function readAt(fd: number, pos: number, n: number, path: string, what: string): Uint8Array {
  const buf = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const r = readSync(fd, buf, got, n - got, pos + got);
    if (r === 0)
      throw new Error(
        `${path}: file ends inside ${what} (offset ${pos + got}, needed ${n - got} more bytes)`,
      );
    got += r;
  }
  return buf;
}

/**
 * KL-divergence of `quant` against a base file written by {@link saveKldBase} or llama.cpp's
 * `--kl-divergence-base`: same windows and tokens as stored; numbers computed as llama.cpp does from the
 * 16-bit base log-probs (KL terms with log p_base ≤ −16 skipped). `nChunks` may use fewer windows.
 */
export function klDivergenceFromBase(
  quant: ScoringModel,
  path: string,
  opts: Pick<KldOptions, 'onProgress' | 'signal' | 'nChunks'> = {},
): KldResult {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = readAt(fd, 0, 20, path, 'the header');
    if (new TextDecoder().decode(head.subarray(0, 8)) !== MAGIC) {
      throw new Error(`${path}: does not look like a KL-divergence base file (no "${MAGIC}" at offset 0)`);
    }
    const dv = new DataView(head.buffer);
    const nCtx = dv.getInt32(8, true);
    const nVocab = dv.getInt32(12, true);
    const nChunkFile = dv.getInt32(16, true);
    if (nCtx < 4 || nChunkFile < 1)
      throw new Error(`${path}: bad header n_ctx=${nCtx}, n_chunk=${nChunkFile}`);
    if (nVocab !== quant.nVocab) {
      throw new Error(
        `${path}: inconsistent vocabulary: base file has n_vocab ${nVocab}, quantized model ${quant.nVocab}`,
      );
    }
    const first = Math.floor(nCtx / 2);
    const nv = kldBaseRowSlots(nVocab);
    const chunkBytes = (nCtx - 1 - first) * nv * 2;
    const tokBytes = nChunkFile * nCtx * 4;
    const expected = 20 + tokBytes + nChunkFile * chunkBytes;
    if (size !== expected) {
      throw new Error(
        `${path}: size ${size} bytes, expected ${expected} for n_ctx=${nCtx}, n_vocab=${nVocab}, n_chunk=${nChunkFile}`,
      );
    }
    const tokens = new Int32Array(readAt(fd, 20, tokBytes, path, 'the tokens').buffer);
    const nChunks =
      opts.nChunks === undefined || opts.nChunks < 0 ? nChunkFile : Math.min(opts.nChunks, nChunkFile);
    const plan: WindowPlan = { nCtx, nBatch: nCtx, nSeq: 1, nChunks, first };
    return klDivergenceCore(quant, tokens, plan, opts, (c) => {
      const raw = readAt(fd, 20 + tokBytes + c * chunkBytes, chunkBytes, path, `window ${c + 1}`);
      const slots = new Uint16Array(raw.buffer);
      return (j) => decodeLogProbRow(slots.subarray((j - first) * nv, (j - first + 1) * nv), nVocab);
    });
  } finally {
    closeSync(fd);
  }
}
