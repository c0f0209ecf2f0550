// Quantization loss as llama.cpp's `--kl-divergence`: base vs quantized model on the same perplexity windows.
import { checkLogitsShape, logSoftmaxRow, type ScoringModel, throwIfAborted } from './model.js';
import {
  covarianceOfMeans,
  type Estimate,
  meanAndUncertainty,
  medianSorted,
  percentileSorted,
  proportion,
} from './stats.js';
import {
  planWindows,
  tokenizeForPerplexity,
  type WindowOptions,
  type WindowPlan,
  windowInput,
} from './windows.js';

/** Options for {@link klDivergence}. */
export interface KldOptions extends WindowOptions {
  onProgress?: (p: KldChunkStats) => void;
  signal?: AbortSignal;
}

/** Running statistics after one window (one row of llama.cpp's per-chunk table). */
export interface KldChunkStats {
  chunk: number;
  nChunks: number;
  ppl: Estimate;
  lnPplRatio: Estimate;
  kld: Estimate;
  deltaPRms: Estimate;
  sameTop: Estimate;
}

/** Sorted-distribution summary (llama.cpp's percentile lines). */
export interface Distribution {
  max: number;
  p99_9: number;
  p99: number;
  p95: number;
  p90: number;
  p75: number;
  median: number;
  p25: number;
  p10: number;
  p5: number;
  p1: number;
  p0_1: number;
  min: number;
}

/** The full report of a KL-divergence run. */
export interface KldResult {
  nCtx: number;
  nChunks: number;
  /** Tokens compared. */
  count: number;
  /** PPL of the quantized model, Q. */
  pplQuant: Estimate;
  pplBase: Estimate;
  /** Correlation of ln PPL(Q) and ln PPL(base). */
  corLnPpl: number;
  lnPplRatio: Estimate;
  pplRatio: Estimate;
  pplDiff: Estimate;
  /** Per-token KL(base ‖ Q) in nats: mean ± uncertainty and distribution. */
  kld: Estimate & Distribution;
  /** Δp = p_Q(token) − p_base(token): mean ± uncertainty and distribution. */
  deltaP: Estimate & Distribution;
  deltaPRms: Estimate;
  /** Fraction of positions where both models' argmax agree. */
  sameTop: Estimate;
  chunks: KldChunkStats[];
}

/** Running sums (llama.cpp's kl_divergence_result), accumulated in double. */
class KldAccumulator {
  sumNll = 0;
  sumNll2 = 0;
  sumNllBase = 0;
  sumNllBase2 = 0;
  sumNllNllBase = 0;
  sumKld = 0;
  sumKld2 = 0;
  sumPDiff = 0;
  sumPDiff2 = 0;
  sumPDiff4 = 0;
  nSameTop = 0;
  count = 0;
  readonly kldValues: number[] = [];
  readonly pDiffValues: number[] = [];

  /**
   * Adds one position: base log-probs, quantized log-probs (both full rows), argmaxes, target token; KL
   * terms with base log-prob ≤ klCutoff are skipped (llama.cpp: −16 with its 16-bit base file).
   */
  add(
    base: Float64Array,
    baseTop: number,
    quant: Float64Array,
    quantTop: number,
    tok: number,
    klCutoff = -Infinity,
  ): void {
    const nllBase = -base[tok]!;
    const nll = -quant[tok]!;
    this.sumNll += nll;
    this.sumNll2 += nll * nll;
    this.sumNllBase += nllBase;
    this.sumNllBase2 += nllBase * nllBase;
    this.sumNllNllBase += nll * nllBase;
    let kl = 0;
    for (let i = 0; i < base.length; i++) {
      const lp = base[i]!;
      if (lp > klCutoff) kl += Math.exp(lp) * (lp - quant[i]!);
    }
    this.sumKld += kl;
    this.sumKld2 += kl * kl;
    this.count++;
    if (baseTop === quantTop) this.nSameTop++;
    const pDiff = Math.exp(-nll) - Math.exp(-nllBase);
    this.sumPDiff += pDiff;
    this.sumPDiff2 += pDiff * pDiff;
    this.sumPDiff4 += pDiff * pDiff * pDiff * pDiff;
    this.kldValues.push(kl);
    this.pDiffValues.push(pDiff);
  }

  lnPpl(): Estimate {
    return meanAndUncertainty(this.sumNll, this.sumNll2, this.count);
  }
  lnPplBase(): Estimate {
    return meanAndUncertainty(this.sumNllBase, this.sumNllBase2, this.count);
  }
  cov(): number {
    return covarianceOfMeans(this.sumNll, this.sumNllBase, this.sumNllNllBase, this.count);
  }
  lnRatio(): Estimate {
    const a = this.lnPpl();
    const b = this.lnPplBase();
    return {
      value: a.value - b.value,
      uncertainty: Math.sqrt(Math.max(0, a.uncertainty ** 2 + b.uncertainty ** 2 - 2 * this.cov())),
    };
  }
  pDiffRms(): Estimate {
    const mse = meanAndUncertainty(this.sumPDiff2, this.sumPDiff4, this.count);
    const v = Math.sqrt(mse.value);
    return { value: v, uncertainty: v > 0 ? (0.5 / v) * mse.uncertainty : 0 };
  }
}

function expEstimate(e: Estimate): Estimate {
  const v = Math.exp(e.value);
  return { value: v, uncertainty: v * e.uncertainty };
}

function distribution(values: number[]): Distribution {
  const s = Float64Array.from(values).sort();
  return {
    max: s[s.length - 1]!,
    p99_9: percentileSorted(s, 0.999),
    p99: percentileSorted(s, 0.99),
    p95: percentileSorted(s, 0.95),
    p90: percentileSorted(s, 0.9),
    p75: percentileSorted(s, 0.75),
    median: medianSorted(s),
    p25: percentileSorted(s, 0.25),
    p10: percentileSorted(s, 0.1),
    p5: percentileSorted(s, 0.05),
    p1: percentileSorted(s, 0.01),
    p0_1: percentileSorted(s, 0.001),
    min: s[0]!,
  };
}

/**
 * KL(base ‖ quant) and friends over llama.cpp's perplexity windows of `text` (tokenized by `base`). Both
 * models are evaluated window by window, so memory stays at two windows of logits; log-probs are exact
 * doubles (llama.cpp stores the base's as 16-bit and skips p_base < e^-16, differences ≪ the uncertainty).
 */
export function klDivergence(
  base: ScoringModel,
  quant: ScoringModel,
  text: string,
  opts: KldOptions = {},
): KldResult {
  return klDivergenceOfTokens(base, quant, tokenizeForPerplexity(base, text), opts);
}

/** {@link klDivergence} over an already tokenized stream. */
export function klDivergenceOfTokens(
  base: ScoringModel,
  quant: ScoringModel,
  tokens: number[],
  opts: KldOptions = {},
): KldResult {
  if (base.nVocab !== quant.nVocab) {
    throw new Error(`inconsistent vocabulary: base has n_vocab ${base.nVocab}, quantized ${quant.nVocab}`);
  }
  const plan = planWindows(tokens.length, opts);
  return klDivergenceCore(quant, tokens, plan, opts, (c) => {
    const lb = base.logitsAll(windowInput(base, tokens, plan, c), { signal: opts.signal });
    checkLogitsShape(lb, plan.nCtx, base.nVocab, 'base');
    return (j) => ({ ...logSoftmaxRow(lb, j, base.nVocab), klCutoff: -Infinity });
  });
}

/** One base-model row: log-probabilities, argmax, and the log-prob at or below which KL terms are skipped. */
export interface BaseRow {
  logp: Float64Array;
  argmax: number;
  klCutoff: number;
}

/**
 * The KL-divergence loop over `plan`'s windows: `baseWindow(c)` gives the base rows of window c (row j =
 * distribution after position j), the quantized model is evaluated here.
 */
export function klDivergenceCore(
  quant: ScoringModel,
  tokens: ArrayLike<number>,
  plan: WindowPlan,
  opts: Pick<KldOptions, 'onProgress' | 'signal'>,
  baseWindow: (chunk: number) => (row: number) => BaseRow,
): KldResult {
  const { nCtx, nChunks, first } = plan;
  const nVocab = quant.nVocab;
  const acc = new KldAccumulator();
  const chunks: KldChunkStats[] = [];
  for (let c = 0; c < nChunks; c++) {
    throwIfAborted(opts.signal);
    const baseRow = baseWindow(c);
    const lq = quant.logitsAll(windowInput(quant, tokens, plan, c), { signal: opts.signal });
    checkLogitsShape(lq, nCtx, nVocab, 'quant');
    const start = c * nCtx;
    for (let j = first; j < nCtx - 1; j++) {
      const b = baseRow(j);
      const q = logSoftmaxRow(lq, j, nVocab);
      acc.add(b.logp, b.argmax, q.logp, q.argmax, tokens[start + j + 1]!, b.klCutoff);
    }
    const row: KldChunkStats = {
      chunk: c + 1,
      nChunks,
      ppl: expEstimate(acc.lnPpl()),
      lnPplRatio: acc.lnRatio(),
      kld: meanAndUncertainty(acc.sumKld, acc.sumKld2, acc.count),
      deltaPRms: acc.pDiffRms(),
      sameTop: proportion(acc.nSameTop, acc.count),
    };
    chunks.push(row);
    opts.onProgress?.(row);
  }
  const lnQ = acc.lnPpl();
  const lnB = acc.lnPplBase();
  const cov = acc.cov();
  const pplQuant = expEstimate(lnQ);
  const pplBase = expEstimate(lnB);
  const lnPplRatio = acc.lnRatio();
  const pplCov = pplQuant.value * pplBase.value * cov;
  return {
    nCtx,
    nChunks,
    count: acc.count,
    pplQuant,
    pplBase,
    corLnPpl:
      lnQ.uncertainty > 0 && lnB.uncertainty > 0 ? cov / (lnQ.uncertainty * lnB.uncertainty) : Number.NaN,
    lnPplRatio,
    pplRatio: expEstimate(lnPplRatio),
    pplDiff: {
      value: pplQuant.value - pplBase.value,
      uncertainty: Math.sqrt(Math.max(0, pplQuant.uncertainty ** 2 + pplBase.uncertainty ** 2 - 2 * pplCov)),
    },
    kld: { ...meanAndUncertainty(acc.sumKld, acc.sumKld2, acc.count), ...distribution(acc.kldValues) },
    deltaP: {
      ...meanAndUncertainty(acc.sumPDiff, acc.sumPDiff2, acc.count),
      ...distribution(acc.pDiffValues),
    },
    deltaPRms: acc.pDiffRms(),
    sameTop: proportion(acc.nSameTop, acc.count),
    chunks,
  };
}

const f = (x: number, d: number, w = 10) => x.toFixed(d).padStart(w);
const pct = (x: number) => `${(100 * x).toFixed(3).padStart(6)}%`;

/** Text report laid out like llama.cpp's `--kl-divergence` output. */
export function formatKld(r: KldResult): string {
  const L: string[] = [];
  L.push(
    'chunk             PPL               ln(PPL(Q)/PPL(base))          KL Divergence              Δp RMS            Same top p',
  );
  for (const c of r.chunks) {
    L.push(
      `${String(c.chunk).padStart(4)}    ${f(c.ppl.value, 4, 9)} ± ${f(c.ppl.uncertainty, 4, 9)}` +
        `    ${f(c.lnPplRatio.value, 5)} ± ${f(c.lnPplRatio.uncertainty, 5)}` +
        `    ${f(c.kld.value, 5)} ± ${f(c.kld.uncertainty, 5)}` +
        `    ${f(100 * c.deltaPRms.value, 3, 6)} ± ${f(100 * c.deltaPRms.uncertainty, 3, 6)} %` +
        `    ${f(100 * c.sameTop.value, 3, 6)} ± ${f(100 * c.sameTop.uncertainty, 3, 6)} %`,
    );
  }
  L.push('');
  if (r.count < 100) L.push(`(only ${r.count} tokens compared; llama.cpp prints no summary below 100)`);
  L.push('====== Perplexity statistics ======');
  L.push(`Mean PPL(Q)                   : ${f(r.pplQuant.value, 6)} ± ${f(r.pplQuant.uncertainty, 6)}`);
  L.push(`Mean PPL(base)                : ${f(r.pplBase.value, 6)} ± ${f(r.pplBase.uncertainty, 6)}`);
  L.push(`Cor(ln(PPL(Q)), ln(PPL(base))): ${f(100 * r.corLnPpl, 2, 6)}%`);
  L.push(`Mean ln(PPL(Q)/PPL(base))     : ${f(r.lnPplRatio.value, 6)} ± ${f(r.lnPplRatio.uncertainty, 6)}`);
  L.push(`Mean PPL(Q)/PPL(base)         : ${f(r.pplRatio.value, 6)} ± ${f(r.pplRatio.uncertainty, 6)}`);
  L.push(`Mean PPL(Q)-PPL(base)         : ${f(r.pplDiff.value, 6)} ± ${f(r.pplDiff.uncertainty, 6)}`);
  L.push('');
  L.push('====== KL divergence statistics ======');
  const k = r.kld;
  L.push(`Mean    KLD: ${f(k.value, 6)} ± ${f(k.uncertainty, 6)}`);
  L.push(`Maximum KLD: ${f(k.max, 6)}`);
  L.push(`99.9%   KLD: ${f(k.p99_9, 6)}`);
  L.push(`99.0%   KLD: ${f(k.p99, 6)}`);
  L.push(`95.0%   KLD: ${f(k.p95, 6)}`);
  L.push(`90.0%   KLD: ${f(k.p90, 6)}`);
  L.push(`Median  KLD: ${f(k.median, 6)}`);
  L.push(`10.0%   KLD: ${f(k.p10, 6)}`);
  L.push(` 5.0%   KLD: ${f(k.p5, 6)}`);
  L.push(` 1.0%   KLD: ${f(k.p1, 6)}`);
  L.push(` 0.1%   KLD: ${f(k.p0_1, 6)}`);
  L.push(`Minimum KLD: ${f(k.min, 6)}`);
  L.push('');
  L.push('====== Token probability statistics ======');
  const d = r.deltaP;
  L.push(`Mean    Δp: ${f(100 * d.value, 3, 6)} ± ${f(100 * d.uncertainty, 3, 5)} %`);
  L.push(`Maximum Δp: ${pct(d.max)}`);
  L.push(`99.9%   Δp: ${pct(d.p99_9)}`);
  L.push(`99.0%   Δp: ${pct(d.p99)}`);
  L.push(`95.0%   Δp: ${pct(d.p95)}`);
  L.push(`90.0%   Δp: ${pct(d.p90)}`);
  L.push(`75.0%   Δp: ${pct(d.p75)}`);
  L.push(`Median  Δp: ${pct(d.median)}`);
  L.push(`25.0%   Δp: ${pct(d.p25)}`);
  L.push(`10.0%   Δp: ${pct(d.p10)}`);
  L.push(` 5.0%   Δp: ${pct(d.p5)}`);
  L.push(` 1.0%   Δp: ${pct(d.p1)}`);
  L.push(` 0.1%   Δp: ${pct(d.p0_1)}`);
  L.push(`Minimum Δp: ${pct(d.min)}`);
  L.push(`RMS Δp    : ${f(100 * r.deltaPRms.value, 3, 6)} ± ${f(100 * r.deltaPRms.uncertainty, 3, 5)} %`);
  L.push(`Same top p: ${f(100 * r.sameTop.value, 3, 6)} ± ${f(100 * r.sameTop.uncertainty, 3, 5)} %`);
  return `${L.join('\n')}\n`;
}
