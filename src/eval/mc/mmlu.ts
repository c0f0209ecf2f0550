// MMLU (Hendrycks et al.) per-subject CSV files and lm-eval-harness's letter-scoring prompt.
import { parseCsv } from './csv.js';
import type { McItem } from './types.js';

const LETTERS = ['A', 'B', 'C', 'D'];

/** lm-eval-harness's MMLU description: "The following are multiple choice questions (with answers) about {subject}.\n\n". */
export function mmluDescription(subject: string): string {
  return `The following are multiple choice questions (with answers) about ${subject.replaceAll('_', ' ')}.\n\n`;
}

/** lm-eval-harness's MMLU doc_to_text: "{question}\nA. …\nB. …\nC. …\nD. …\nAnswer:". */
export function mmluQuery(question: string, options: string[]): string {
  return `${question.trim()}\n${options.map((o, i) => `${LETTERS[i]}. ${o}`).join('\n')}\nAnswer:`;
}

/** The subject named by an MMLU file name such as `abstract_algebra_test.csv`, or undefined. */
export function mmluSubjectFromFile(name: string, split: string): string | undefined {
  const m = new RegExp(`^(.+)_${split}\\.csv$`).exec(name);
  return m?.[1];
}

/**
 * Parses one MMLU CSV (rows: question, A, B, C, D, answer letter; no header) into items whose choices are
 * the letters "A".."D" (scored as " A".." D" after "Answer:"). Throws naming file, line and field.
 */
export function parseMmluCsv(text: string, file: string, subject: string, split: string): McItem[] {
  const items: McItem[] = [];
  for (const rec of parseCsv(text, file)) {
    const f = rec.fields;
    if (f.length !== 6) {
      throw new Error(
        `${file}:${rec.line}: expected 6 fields (question, A, B, C, D, answer), got ${f.length}`,
      );
    }
    const answer = f[5]!.trim();
    const gold = LETTERS.indexOf(answer);
    if (gold < 0)
      throw new Error(
        `${file}:${rec.line}: field "answer" must be one of A, B, C, D, got ${JSON.stringify(f[5])}`,
      );
    if (f[0]!.trim() === '') throw new Error(`${file}:${rec.line}: field "question" is empty`);
    items.push({
      id: `${subject}/${split}/${items.length}`,
      task: 'mmlu',
      subject,
      query: mmluQuery(f[0]!, f.slice(1, 5)),
      choices: [...LETTERS],
      gold,
      source: { file, line: rec.line },
    });
  }
  return items;
}
