// Benchmark loaders for decontamination: MMLU-style CSV, QA JSONL (question/answers), plain text (one item per line).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/** One benchmark item to protect. */
export interface BenchmarkItem {
  benchmark: string;
  id: string;
  text: string;
}

/** Parse CSV with quotes (RFC 4180 subset). */
export function parseCsv(src: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (q) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i++;
        } else q = false;
      } else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(cell);
      if (row.some((x) => x !== '')) rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  row.push(cell);
  if (row.some((x) => x !== '')) rows.push(row);
  return rows;
}

/**
 * Load a benchmark file by extension: `.csv` (MMLU: question, A, B, C, D, answer; a header row is skipped),
 * `.jsonl` (fields question + answers|answer|choices), anything else: one item per non-empty line.
 */
export async function loadBenchmark(path: string): Promise<BenchmarkItem[]> {
  const src = await readFile(path, 'utf8');
  const name = basename(path);
  const items: BenchmarkItem[] = [];
  if (path.endsWith('.csv')) {
    parseCsv(src).forEach((r, i) => {
      if (i === 0 && (r[0] ?? '').toLowerCase() === 'question') return;
      if (r.length < 2)
        throw new Error(`${path}:${i + 1}: expected question and options, got ${r.length} column(s)`);
      items.push({
        benchmark: name,
        id: `${name}#${i + 1}`,
        text: r.slice(0, Math.max(1, r.length - 1)).join(' '),
      });
    });
  } else if (path.endsWith('.jsonl') || path.endsWith('.json')) {
    src.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line);
      } catch (e) {
        throw new Error(`${path}:${i + 1}: invalid JSON (${(e as Error).message})`);
      }
      const q = o.question ?? o.prompt ?? o.text;
      if (typeof q !== 'string') throw new Error(`${path}:${i + 1}: missing string field "question"`);
      const extra = [o.answers, o.answer, o.choices].flat().filter((x) => typeof x === 'string');
      items.push({ benchmark: name, id: String(o.id ?? `${name}#${i + 1}`), text: [q, ...extra].join(' ') });
    });
  } else {
    src.split('\n').forEach((line, i) => {
      if (line.trim() !== '') items.push({ benchmark: name, id: `${name}#${i + 1}`, text: line.trim() });
    });
  }
  return items;
}
