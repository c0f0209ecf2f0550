// Loss-curve plot: a self-contained HTML page with an inline SVG (train loss per step, validation points).

/** Renders train and validation loss against step as an HTML page. */
export function lossPlotHtml(
  train: { step: number; loss: number }[],
  val: { step: number; loss: number }[],
  title: string,
): string {
  const W = 800;
  const H = 420;
  const m = { l: 60, r: 20, t: 40, b: 40 };
  const all = [...train, ...val];
  const maxStep = Math.max(1, ...all.map((p) => p.step));
  const ys = all.map((p) => p.loss).filter(Number.isFinite);
  const yMin = ys.length ? Math.min(...ys) : 0;
  const yMax = ys.length ? Math.max(...ys) : 1;
  const span = yMax - yMin || 1;
  const X = (s: number) => m.l + ((W - m.l - m.r) * s) / maxStep;
  const Y = (v: number) => m.t + ((H - m.t - m.b) * (yMax - v)) / span;
  const path = train
    .map((p, i) => `${i ? 'L' : 'M'}${X(p.step).toFixed(1)},${Y(p.loss).toFixed(1)}`)
    .join('');
  const dots = val
    .map((p) => `<circle cx="${X(p.step).toFixed(1)}" cy="${Y(p.loss).toFixed(1)}" r="3.5" fill="#d62728"/>`)
    .join('');
  const ticks: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const v = yMin + (span * i) / 5;
    ticks.push(
      `<text x="${m.l - 6}" y="${Y(v) + 4}" text-anchor="end" font-size="11">${v.toFixed(3)}</text>`,
    );
    ticks.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(v)}" y2="${Y(v)}" stroke="#eee"/>`);
    const s = Math.round((maxStep * i) / 5);
    ticks.push(`<text x="${X(s)}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${s}</text>`);
  }
  const esc = title.replace(/[<&>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc}</title></head><body style="font-family:sans-serif">
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc}</text>
${ticks.join('\n')}
<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#000"/><line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#000"/>
<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>${dots}
<text x="${W - m.r}" y="${m.t - 6}" text-anchor="end" font-size="12"><tspan fill="#1f77b4">— train</tspan> <tspan fill="#d62728">● validation</tspan></text>
<text x="${W / 2}" y="${H - 6}" text-anchor="middle" font-size="12">step</text>
</svg></body></html>
`;
}
