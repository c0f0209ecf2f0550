// Tiny inline-SVG chart helpers (horizontal bar chart, histogram) for the self-contained HTML report.

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** Horizontal bars: one row per label, value printed at the bar end. */
export function barChart(
  rows: { label: string; value: number }[],
  opts: { title: string; width?: number; color?: string },
): string {
  const w = opts.width ?? 640;
  const rowH = 22;
  const labelW = 220;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const h = 30 + rows.length * rowH;
  const bars = rows
    .map((r, i) => {
      const y = 28 + i * rowH;
      const bw = Math.max(1, ((w - labelW - 80) * r.value) / max);
      return `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end" font-size="12">${esc(r.label)}</text><rect x="${labelW}" y="${y + 2}" width="${bw.toFixed(1)}" height="${rowH - 6}" fill="${opts.color ?? '#4a7bd0'}"/><text x="${(labelW + bw + 4).toFixed(1)}" y="${y + 14}" font-size="12">${r.value.toLocaleString('en-US')}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img"><text x="4" y="16" font-size="14" font-weight="bold">${esc(opts.title)}</text>${bars}</svg>`;
}

/** Vertical histogram over labelled bins. */
export function histogram(
  bins: { label: string; value: number }[],
  opts: { title: string; width?: number; color?: string },
): string {
  const w = opts.width ?? 640;
  const h = 220;
  const max = Math.max(1, ...bins.map((b) => b.value));
  const bw = (w - 40) / Math.max(1, bins.length);
  const bars = bins
    .map((b, i) => {
      const bh = ((h - 70) * b.value) / max;
      const x = 20 + i * bw;
      return `<rect x="${(x + 2).toFixed(1)}" y="${(h - 30 - bh).toFixed(1)}" width="${(bw - 4).toFixed(1)}" height="${bh.toFixed(1)}" fill="${opts.color ?? '#3c9a5f'}"/><text x="${(x + bw / 2).toFixed(1)}" y="${h - 14}" text-anchor="middle" font-size="11">${esc(b.label)}</text><text x="${(x + bw / 2).toFixed(1)}" y="${(h - 34 - bh).toFixed(1)}" text-anchor="middle" font-size="11">${b.value}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img"><text x="4" y="16" font-size="14" font-weight="bold">${esc(opts.title)}</text>${bars}</svg>`;
}

export { esc };
