// pocketlm tokenize -m FILE (--text TEXT | --file PATH | --jsonl PATH) [--no-bos] [--special] --json
import { readFileSync } from 'node:fs';
import { readGgufHeader } from '../format/gguf-node.js';
import { createTokenizer } from '../tokenizer/tokenizer.js';
import { parse, UsageError } from './args.js';
import { resolveModelPath } from './common.js';

export async function tokenizeCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    model: { type: 'string', short: 'm' },
    text: { type: 'string' },
    file: { type: 'string' },
    jsonl: { type: 'string' },
    'no-bos': { type: 'boolean' },
    special: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(
      'usage: pocketlm tokenize -m MODEL (--text TEXT | --file PATH | --jsonl PATH) [--no-bos] [--special] --json\n',
    );
    return;
  }
  const sources = [values.text, values.file, values.jsonl].filter((v) => v !== undefined).length;
  if (sources !== 1) throw new UsageError('give exactly one of --text, --file, --jsonl');
  const path = await resolveModelPath(values.model, true);
  // Only the header is needed: tokenizing never reads the weights.
  const { header } = readGgufHeader(path);
  const tok = createTokenizer(header.metadata, path);
  const opts = { addSpecial: !values['no-bos'], parseSpecial: !!values.special };
  if (values.jsonl !== undefined) {
    const lines = readFileSync(values.jsonl, 'utf8').split('\n');
    const out: string[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let s: unknown;
      try {
        s = JSON.parse(line);
      } catch (e) {
        throw new UsageError(`${values.jsonl}:${i + 1}: not valid JSON (${(e as Error).message})`);
      }
      if (typeof s !== 'string') throw new UsageError(`${values.jsonl}:${i + 1}: expected a JSON string`);
      out.push(JSON.stringify(tok.tokenize(s, opts)));
    });
    process.stdout.write(out.length ? `${out.join('\n')}\n` : '');
    return;
  }
  const text = values.text ?? readFileSync(values.file!, 'utf8');
  process.stdout.write(`${JSON.stringify(tok.tokenize(text, opts))}\n`);
}
