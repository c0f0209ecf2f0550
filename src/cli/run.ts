// pocketlm run -m FILE -p TEXT [-n N] [--temp T] [--seed S] [--threads T] [--json]
import { num, parse, UsageError } from './args.js';
import { kvTypeArg, loadModelFromArgs, MODEL_OPTIONS, printJson } from './common.js';

export async function runCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    ...MODEL_OPTIONS,
    prompt: { type: 'string', short: 'p' },
    file: { type: 'string', short: 'f' },
    'n-predict': { type: 'string', short: 'n' },
    temp: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    'min-p': { type: 'string' },
    'repeat-penalty': { type: 'string' },
    seed: { type: 'string' },
    stop: { type: 'string', multiple: true },
    ctx: { type: 'string', short: 'c' },
    'kv-type': { type: 'string' },
    chat: { type: 'boolean' },
    system: { type: 'string' },
    'json-schema': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(
      'usage: pocketlm run [-m MODEL] -p TEXT [-n N] [--temp T] [--top-k K] [--top-p P] [--min-p P] [--repeat-penalty R]\n' +
        '       [--seed S] [--stop STR]... [--ctx N] [--kv-type f16|q8_0|f32] [--chat [--system TEXT]] [--json-schema FILE] [--threads T] [--json]\n',
    );
    return;
  }
  let prompt = values.prompt;
  if (values.file) prompt = (await import('node:fs')).readFileSync(values.file, 'utf8');
  if (prompt === undefined) throw new UsageError('missing -p TEXT (or -f FILE)');
  const t0 = performance.now();
  const model = await loadModelFromArgs(values, values.json);
  const loadMs = performance.now() - t0;
  try {
    if (values.chat) {
      const msgs = values.system ? [{ role: 'system', content: values.system }] : [];
      prompt = model.applyChatTemplate([...msgs, { role: 'user', content: prompt }]);
    }
    let constraint: import('../generate/generate.js').TokenConstraint | undefined;
    if (values['json-schema']) {
      const { readFileSync } = await import('node:fs');
      const { jsonSchemaConstraint } = await import('../generate/json-schema.js');
      constraint = jsonSchemaConstraint(model, JSON.parse(readFileSync(values['json-schema'], 'utf8')));
    }
    const streaming = !values.json;
    const result = await model.complete(
      prompt,
      {
        maxTokens: num(values, 'n-predict', { int: true, min: 0, fallback: 128 }),
        temperature: num(values, 'temp', { min: 0, fallback: 0.8 }),
        topK: num(values, 'top-k', { int: true, min: 0 }),
        topP: num(values, 'top-p', { min: 0, max: 1 }),
        minP: num(values, 'min-p', { min: 0, max: 1 }),
        repeatPenalty: num(values, 'repeat-penalty', { min: 0 }),
        seed: num(values, 'seed', { int: true }),
        stop: values.stop,
        nCtx: num(values, 'ctx', { int: true, min: 1 }),
        kvType: kvTypeArg(values['kv-type']),
        constraint,
      },
      streaming ? (c) => process.stdout.write(c.text) : undefined,
    );
    if (values.json) {
      printJson({
        text: result.text,
        tokens: result.tokens,
        finish_reason: result.finishReason,
        timings: { load_ms: loadMs, ...result.timings },
      });
    } else {
      process.stdout.write('\n');
      const t = result.timings;
      process.stderr.write(
        `\n[${t.prompt_tokens} prompt tokens in ${t.prompt_ms.toFixed(0)} ms, ${t.gen_tokens} generated in ${t.gen_ms.toFixed(0)} ms` +
          ` (${t.gen_ms > 0 ? ((1000 * t.gen_tokens) / t.gen_ms).toFixed(1) : '-'} tok/s), ${model.backendName}]\n`,
      );
    }
  } finally {
    model.dispose();
  }
}
