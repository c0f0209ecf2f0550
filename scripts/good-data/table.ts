// Prints the markdown tables of docs/good-data.md from a results JSON written by run.ts.
// Usage: npx tsx scripts/good-data/table.ts [scripts/good-data/results.json]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

interface SetEval {
  loss: number;
  ppl: number;
  tokens: number;
  docs: number;
  by_kind: Record<string, { loss: number; tokens: number; docs: number }>;
}
interface RunResult {
  recipe: string;
  run: string;
  seed: number;
  params: number;
  steps: number;
  tokens: number;
  wall_s: number;
  tok_s: number;
  train_loss_last20: number;
  heldout: Record<string, SetEval>;
  samples: { prompt: string; text: string }[];
}

const path = resolve(process.argv[2] ?? new URL('results.json', import.meta.url).pathname);
const res = JSON.parse(readFileSync(path, 'utf8')) as { runs: RunResult[] };
const runs = res.runs;
const recipes = [...new Set(runs.map((r) => r.run))].sort();
const SETS = ['edu', 'web', 'web_filtered', 'textbook'];
const f = (x: number, d = 3) => x.toFixed(d);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const out: string[] = [];

out.push('Per run (held-out loss in nats/token, perplexity in parentheses):', '');
out.push(
  '| recipe | seed | held-out edu | held-out web (raw) | held-out web, filtered | held-out textbook | train tokens | steps | params | wall |',
);
out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of runs)
  out.push(
    `| ${r.recipe} | ${r.seed} | ${SETS.map((s) => `${f(r.heldout[s]?.loss as number)} (${f(r.heldout[s]?.ppl as number, 2)})`).join(' | ')} | ${r.tokens.toLocaleString('en-US')} | ${r.steps} | ${r.params.toLocaleString('en-US')} | ${(r.wall_s / 60).toFixed(1)} min |`,
  );
out.push('', 'Mean over seeds (nats/token; ± sample standard deviation over seeds):', '');
out.push(
  '| recipe | seeds | held-out edu | held-out web (raw) | held-out web, filtered | held-out textbook |',
);
out.push('|---|---:|---:|---:|---:|---:|');
for (const k of recipes) {
  const rs = runs.filter((r) => r.run === k);
  const cell = (s: string) => {
    const xs = rs.map((r) => r.heldout[s]?.loss as number);
    const m = mean(xs);
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
    return rs.length > 1 ? `${f(m)} ± ${f(sd)}` : f(m);
  };
  out.push(`| ${rs[0]?.recipe} | ${rs.length} | ${SETS.map(cell).join(' | ')} |`);
}
const kinds = [...new Set(runs.flatMap((r) => Object.keys(r.heldout.web?.by_kind ?? {})))].sort();
out.push(
  '',
  'Held-out raw web by page kind (nats/token, mean over seeds; tokens scored in parentheses):',
  '',
);
out.push(
  `| recipe | ${kinds.map((k) => `${k} (${runs[0]?.heldout.web?.by_kind[k]?.tokens})`).join(' | ')} |`,
);
out.push(`|---|${kinds.map(() => '---:').join('|')}|`);
for (const k of recipes) {
  const rs = runs.filter((r) => r.run === k);
  out.push(
    `| ${k} | ${kinds.map((kind) => f(mean(rs.map((r) => r.heldout.web?.by_kind[kind]?.loss as number)))).join(' | ')} |`,
  );
}
out.push('', 'Held-out edu by kind (nats/token, mean over seeds):', '');
const ek = Object.keys(runs[0]?.heldout.edu?.by_kind ?? {}).sort();
out.push(`| recipe | ${ek.map((k) => `${k} (${runs[0]?.heldout.edu?.by_kind[k]?.tokens})`).join(' | ')} |`);
out.push(`|---|${ek.map(() => '---:').join('|')}|`);
for (const k of recipes) {
  const rs = runs.filter((r) => r.run === k);
  out.push(
    `| ${k} | ${ek.map((kind) => f(mean(rs.map((r) => r.heldout.edu?.by_kind[kind]?.loss as number)))).join(' | ')} |`,
  );
}
out.push('', 'Samples (seed-1 models, temperature 0.7, 48 tokens):', '');
for (const k of recipes) {
  const r = runs.find((x) => x.run === k && x.seed === 1) ?? runs.find((x) => x.run === k);
  if (!r) continue;
  out.push(`**${r.recipe}**`, '');
  for (const s of r.samples)
    out.push(`- *${JSON.stringify(s.prompt).slice(1, -1)}* → ${JSON.stringify(s.text).slice(1, -1)}`);
  out.push('');
}
process.stdout.write(`${out.join('\n')}\n`);
