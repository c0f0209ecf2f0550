// Run report: reads a run directory's stats and outputs, writes summary.json and a self-contained report.html.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../pipeline/atomic.js';
import { layout } from '../pipeline/layout.js';
import type { RunStats } from '../pipeline/runner.js';
import { DEFAULT_FIELDS } from '../readers/fields.js';
import { readJsonl } from '../readers/jsonl.js';
import { barChart, esc, histogram } from './svg.js';

/** The machine-readable summary written next to report.html. */
export interface RunSummary {
  name: string;
  complete: boolean;
  docs_read: number;
  docs_written: number;
  tokens_written_approx: number;
  kept_fraction: number;
  stages: { name: string; docs_in: number; docs_out: number; tokens_out: number; dropped: number }[];
  top_drop_reasons: { reason: string; docs: number }[];
  edu_score_histogram: Record<string, number> | null;
  duplicate_cluster_sizes: Record<string, Record<string, number>>;
  decontamination_hits: number;
}

/** Write `<runDir>/summary.json` and `<runDir>/report.html`; returns the summary. */
export async function writeDataReport(runDir: string): Promise<RunSummary> {
  const statsPath = layout.stats(runDir);
  if (!existsSync(statsPath))
    throw new Error(`${statsPath}: missing — is ${runDir} a pipeline run directory?`);
  const stats = JSON.parse(await readFile(statsPath, 'utf8')) as RunStats;
  const stages = stats.stages.map((s) => ({
    name: `${s.index}:${s.name}`,
    docs_in: s.docs_in,
    docs_out: s.docs_out,
    tokens_out: s.tokens_out,
    dropped: Object.values(s.drops).reduce((a, b) => a + b, 0),
  }));
  const top = Object.entries(stats.drop_reasons)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([reason, docs]) => ({ reason, docs }));
  // edu score histogram from the outputs (if a score stage ran)
  let hist: Record<string, number> | null = null;
  const outDir = join(runDir, 'output');
  if (existsSync(outDir)) {
    const { readdir } = await import('node:fs/promises');
    for (const f of (await readdir(outDir)).filter((x) => /\.jsonl(\.gz)?$/.test(x)).sort()) {
      for await (const d of readJsonl(join(outDir, f), DEFAULT_FIELDS)) {
        const v = d.metadata.edu_score;
        if (typeof v !== 'number') continue;
        hist ??= { '0': 0, '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
        const b = String(Math.max(0, Math.min(5, Math.round(v))));
        hist[b] = (hist[b] ?? 0) + 1;
      }
    }
  }
  const clusters: Record<string, Record<string, number>> = {};
  for (const [k, v] of Object.entries(stats.dedup)) clusters[k] = v.cluster_size_histogram;
  const lastOut = stats.stages[stats.stages.length - 1];
  const summary: RunSummary = {
    name: stats.name,
    complete: stats.complete,
    docs_read: stats.docs_read,
    docs_written: stats.docs_written,
    tokens_written_approx: lastOut?.tokens_out ?? 0,
    kept_fraction: stats.docs_read ? stats.docs_written / stats.docs_read : 0,
    stages,
    top_drop_reasons: top,
    edu_score_histogram: hist,
    duplicate_cluster_sizes: clusters,
    decontamination_hits: stats.notes.decontaminate?.length ?? 0,
  };
  await writeJsonAtomic(join(runDir, 'summary.json'), summary);

  const charts: string[] = [];
  charts.push(
    barChart(
      stages.map((s) => ({ label: s.name, value: s.docs_out })),
      { title: 'Documents kept after each stage' },
    ),
  );
  charts.push(
    barChart(
      stages.map((s) => ({ label: s.name, value: s.tokens_out })),
      { title: 'Tokens (≈ chars/4) kept after each stage', color: '#8a5cc2' },
    ),
  );
  if (top.length)
    charts.push(
      barChart(
        top.map((t) => ({ label: t.reason, value: t.docs })),
        { title: 'Top drop reasons', color: '#d0644a' },
      ),
    );
  if (hist)
    charts.push(
      histogram(
        Object.entries(hist).map(([label, value]) => ({ label, value })),
        { title: 'Educational score histogram' },
      ),
    );
  for (const [k, h] of Object.entries(clusters)) {
    const bins = Object.entries(h)
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([label, value]) => ({ label, value }));
    if (bins.length)
      charts.push(histogram(bins, { title: `Duplicate cluster sizes (${k})`, color: '#c29a2a' }));
  }
  const rows = stages
    .map(
      (s) =>
        `<tr><td>${esc(s.name)}</td><td>${s.docs_in}</td><td>${s.docs_out}</td><td>${s.dropped}</td><td>${s.tokens_out}</td></tr>`,
    )
    .join('');
  const decon = (stats.notes.decontaminate ?? [])
    .slice(0, 50)
    .map(
      (n) =>
        `<tr><td>${esc(String(n.doc_id))}</td><td>${esc(String(n.benchmark))}</td><td>${esc(String(n.item))}</td><td>${esc(String(n.match))}</td></tr>`,
    )
    .join('');
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>pocketlm data report: ${esc(stats.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:980px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right}td:first-child{text-align:left}svg{display:block;margin:18px 0}</style></head><body>
<h1>Data run: ${esc(stats.name)}</h1>
<p>${stats.complete ? 'Complete' : '<b>Incomplete</b>'} · ${stats.shards} shards · ${stats.docs_read.toLocaleString('en-US')} documents read · ${stats.docs_written.toLocaleString('en-US')} written (${(summary.kept_fraction * 100).toFixed(1)}%)</p>
<table><tr><th>stage</th><th>docs in</th><th>docs out</th><th>dropped</th><th>tokens out</th></tr>${rows}</table>
${charts.join('\n')}
${decon ? `<h2>Decontamination hits</h2><table><tr><th>doc</th><th>benchmark</th><th>item</th><th>match</th></tr>${decon}</table>` : ''}
</body></html>`;
  await writeFile(join(runDir, 'report.html'), html);
  return summary;
}
