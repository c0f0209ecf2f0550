// ARC (AI2 Reasoning Challenge) JSONL and lm-eval-harness's "Question: …\nAnswer:" continuation prompt.
import { arr, obj, parseJsonl, str } from './jsonl.js';
import type { McItem } from './types.js';

/** lm-eval-harness's ARC doc_to_text. */
export function arcQuery(stem: string): string {
  return `Question: ${stem}\nAnswer:`;
}

/**
 * Parses ARC JSONL (`{id, question: {stem, choices: [{text, label}]}, answerKey}`) as task `task`
 * (`arc_challenge`, `arc_easy`). The gold index is the position of answerKey among the labels (letters or
 * digits alike). Throws naming file, line and field.
 */
export function parseArcJsonl(text: string, file: string, task = 'arc'): McItem[] {
  const items: McItem[] = [];
  const seen = new Set<string>();
  for (const { line, value } of parseJsonl(text, file)) {
    const where = `${file}:${line}`;
    const id = str(value, 'id', where);
    if (seen.has(id)) throw new Error(`${where}: duplicate id ${JSON.stringify(id)}`);
    seen.add(id);
    const q = obj(value, 'question', where);
    const stem = str(q, 'stem', where, 'question.stem');
    const choices = arr(q, 'choices', where, 'question.choices');
    if (choices.length < 2)
      throw new Error(`${where}: field "question.choices" needs at least 2 entries, got ${choices.length}`);
    const texts: string[] = [];
    const labels: string[] = [];
    choices.forEach((c, i) => {
      const path = `question.choices[${i}]`;
      if (typeof c !== 'object' || c === null) throw new Error(`${where}: field "${path}" must be an object`);
      texts.push(str(c as Record<string, unknown>, 'text', where, `${path}.text`));
      labels.push(str(c as Record<string, unknown>, 'label', where, `${path}.label`));
    });
    const key = str(value, 'answerKey', where);
    const gold = labels.indexOf(key);
    if (gold < 0) {
      throw new Error(
        `${where}: field "answerKey" is ${JSON.stringify(key)}, not one of the labels ${labels.join(', ')}`,
      );
    }
    items.push({
      id,
      task,
      subject: task,
      query: arcQuery(stem),
      choices: texts,
      gold,
      source: { file, line },
    });
  }
  return items;
}
