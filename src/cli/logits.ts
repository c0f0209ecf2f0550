// pocketlm logits -m FILE --tokens 1,2,3 --json
import { parse, UsageError } from './args.js';
import { loadModelFromArgs, MODEL_OPTIONS, printJson } from './common.js';

export async function logitsCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    ...MODEL_OPTIONS,
    tokens: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write('usage: pocketlm logits -m MODEL --tokens 1,2,3 --json\n');
    return;
  }
  if (!values.tokens) throw new UsageError('missing --tokens (comma-separated ids)');
  const tokens = values.tokens.split(',').map((s, i) => {
    const v = Number(s.trim());
    if (!Number.isInteger(v) || v < 0) throw new UsageError(`--tokens: item ${i} ("${s}") is not a token id`);
    return v;
  });
  const model = await loadModelFromArgs(values, true);
  try {
    for (const t of tokens) {
      if (t >= model.config.nVocab)
        throw new UsageError(`--tokens: id ${t} is outside the vocabulary (${model.config.nVocab})`);
    }
    const logits = model.logits(tokens);
    printJson({ n_vocab: model.config.nVocab, logits: Array.from(logits) });
  } finally {
    model.dispose();
  }
}
