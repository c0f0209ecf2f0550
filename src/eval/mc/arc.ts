// ARC (AI2 Reasoning Challenge) JSONL and lm-eval-harness's "Question: …\nAnswer:" continuation prompt.
import { arr, obj, parseJsonl, str } from './jsonl.js';
import type { McItem } from './types.js';

/** lm-eval-harness's ARC doc_to_text. */
export function arcQuery(stem: string): string {
  return `Question: ${stem}\nAnswer:`;
}

/**
 * Parses ARC JSONL (`{id, question: {stem, choices: [{text, label}]}, answerKey}`, or the Hugging Face
 * export `{id, question, choices: {text: [], label: []}, answerKey}`) as task `task`
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
    let stem: string;
    const texts: string[] = [];
    const labels: string[] = [];
    if (typeof value.question === 'string') {
      // Hugging Face ai2_arc export: {question, choices: {text: [...], label: [...]}, answerKey}
      stem = value.question;
      const ch = obj(value, 'choices', where);
      const t = arr(ch, 'text', where, 'choices.text');
      const l = arr(ch, 'label', where, 'choices.label');
      if (t.length !== l.length) {
        throw new Error(
          `${where}: fields "choices.text" and "choices.label" differ in length (${t.length} vs ${l.length})`,
        );
      }
      t.forEach((x, i) => {
        if (typeof x !== 'string' || typeof l[i] !== 'string') {
          throw new Error(`${where}: field "choices.text[${i}]"/"choices.label[${i}]" must be strings`);
        }
        texts.push(x);
        labels.push(l[i] as string);
      });
    } else {
      const q = obj(value, 'question', where);
      stem = str(q, 'stem', where, 'question.stem');
      arr(q, 'choices', where, 'question.choices').forEach((c, i) => {
        const path = `question.choices[${i}]`;
        if (typeof c !== 'object' || c === null)
          throw new Error(`${where}: field "${path}" must be an object`);
        texts.push(str(c as Record<string, unknown>, 'text', where, `${path}.text`));
        labels.push(str(c as Record<string, unknown>, 'label', where, `${path}.label`));
      });
    }
    if (texts.length < 2) throw new Error(`${where}: needs at least 2 choices, got ${texts.length}`);
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
