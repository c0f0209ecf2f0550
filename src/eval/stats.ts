// Small statistics helpers with llama.cpp's definitions (mean ± uncertainty, covariance, percentiles).

/** A value with its statistical uncertainty (one standard error). */
export interface Estimate {
  value: number;
  uncertainty: number;
}

/**
 * llama.cpp's mean_and_uncertainty: mean = sum/n and sqrt((sum2/n - mean²)/(n-1)), the latter 0 unless
 * it is positive and n > 10.
 */
export function meanAndUncertainty(sum: number, sum2: number, count: number): Estimate {
  if (count < 1) return { value: 0, uncertainty: 0 };
  const f = sum / count;
  const df = sum2 / count - f * f;
  return { value: f, uncertainty: df > 0 && count > 10 ? Math.sqrt(df / (count - 1)) : 0 };
}

/** llama.cpp's covariance of two means: (Σab/n - Σa/n·Σb/n)/(n-1), 0 for n < 10. */
export function covarianceOfMeans(sumA: number, sumB: number, sumAB: number, count: number): number {
  if (count < 10) return 0;
  return (sumAB / count - (sumA / count) * (sumB / count)) / (count - 1);
}

/** Percentile of sorted values by linear interpolation at fraction·(n-1), as llama.cpp. */
export function percentileSorted(sorted: ArrayLike<number>, fraction: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (fraction <= 0) return sorted[0]!;
  if (fraction >= 1) return sorted[n - 1]!;
  let p = fraction * (n - 1);
  const ip = Math.floor(p);
  p -= ip;
  return (1 - p) * sorted[ip]! + p * sorted[Math.min(ip + 1, n - 1)]!;
}

/** Median of sorted values (mean of the middle two for even n), as llama.cpp. */
export function medianSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 0 ? 0.5 * (sorted[n / 2]! + sorted[n / 2 - 1]!) : sorted[(n - 1) / 2]!;
}

/** Binomial proportion k/n with llama.cpp's uncertainty sqrt(p(1-p)/(n-1)). */
export function proportion(k: number, n: number): Estimate {
  const p = n > 0 ? k / n : 0;
  return { value: p, uncertainty: n > 1 ? Math.sqrt((p * (1 - p)) / (n - 1)) : 0 };
}
