// HellaSwag JSONL with lm-eval-harness's preprocessing (WikiHow "[title]" artifacts removed).
import { arr, parseJsonl, str } from './jsonl.js';
import type { McItem } from './types.js';

/** lm-eval-harness's HellaSwag `preprocess`: trim, " [title]" → ". ", drop "[…]", "  " → " ". */
export function hellaswagPreprocess(text: string): string {
  return text
    .trim()
    .replaceAll(' [title]', '. ')
    .replace(/\[.*?\]/g, '')
    .replaceAll('  ', ' ');
}

/** Python's str.capitalize(): first character upper-cased, the rest lower-cased. */
export function pyCapitalize(s: string): string {
  const cp = s.codePointAt(0);
  if (cp === undefined) return s;
  const head = String.fromCodePoint(cp);
  return head.toUpperCase() + s.slice(head.length).toLowerCase();
}

/**
 * Parses HellaSwag JSONL (`{ctx_a, ctx_b, endings, label, activity_label, ind?}`): query =
 * preprocess(activity_label + ": " + ctx_a + " " + capitalize(ctx_b)), choices = preprocess(ending).
 * Item ids are `ind` when present, else the line number. Throws naming file, line and field.
 */
export function parseHellaswagJsonl(text: string, file: string, task = 'hellaswag'): McItem[] {
  const items: McItem[] = [];
  for (const { line, value } of parseJsonl(text, file)) {
    const where = `${file}:${line}`;
    const activity = str(value, 'activity_label', where);
    let ctx: string;
    if (value.ctx_a === undefined && value.ctx_b === undefined && typeof value.ctx === 'string') {
      ctx = value.ctx;
    } else {
      ctx = `${str(value, 'ctx_a', where)} ${pyCapitalize(str(value, 'ctx_b', where))}`;
    }
    const endings = arr(value, 'endings', where);
    if (endings.length < 2)
      throw new Error(`${where}: field "endings" needs at least 2 entries, got ${endings.length}`);
    const choices = endings.map((e, i) => {
      if (typeof e !== 'string')
        throw new Error(`${where}: field "endings[${i}]" must be a string, got ${typeof e}`);
      return hellaswagPreprocess(e);
    });
    const rawLabel = value.label;
    const gold =
      typeof rawLabel === 'number'
        ? rawLabel
        : typeof rawLabel === 'string' && /^\d+$/.test(rawLabel.trim())
          ? Number(rawLabel)
          : Number.NaN;
    if (!Number.isInteger(gold) || gold < 0 || gold >= choices.length) {
      throw new Error(
        `${where}: field "label" must be an index 0..${choices.length - 1}, got ${JSON.stringify(rawLabel)}` +
          (rawLabel === '' ? ' (the test split has no labels; use the validation split)' : ''),
      );
    }
    const ind = value.ind;
    const id = typeof ind === 'number' || typeof ind === 'string' ? String(ind) : `line${line}`;
    items.push({
      id,
      task,
      subject: task,
      query: hellaswagPreprocess(`${activity}: ${ctx}`),
      choices,
      gold,
      source: { file, line },
    });
  }
  const seen = new Set<string>();
  for (const it of items) {
    if (seen.has(it.id))
      throw new Error(`${file}:${it.source.line}: duplicate id ${JSON.stringify(it.id)} (field "ind")`);
    seen.add(it.id);
  }
  return items;
}
