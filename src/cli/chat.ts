// pocketlm chat -m FILE: interactive multi-turn chat with the model's template (KV cache kept across turns).
import { createInterface } from 'node:readline/promises';
import { num, parse } from './args.js';
import { kvTypeArg, loadModelFromArgs, MODEL_OPTIONS } from './common.js';

export async function chatCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    ...MODEL_OPTIONS,
    system: { type: 'string' },
    temp: { type: 'string' },
    seed: { type: 'string' },
    'n-predict': { type: 'string', short: 'n' },
    ctx: { type: 'string', short: 'c' },
    'kv-type': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(
      'usage: pocketlm chat [-m MODEL] [--system TEXT] [--temp T] [--seed S] [-n N] [--ctx N] [--kv-type f16|q8_0|f32] [--threads T]\n',
    );
    return;
  }
  const model = await loadModelFromArgs(values);
  const chat = model.createChat({
    system: values.system,
    nCtx: num(values, 'ctx', { int: true, min: 64 }),
    kvType: kvTypeArg(values['kv-type']),
  });
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  const abort = { ctl: undefined as AbortController | undefined };
  rl.on('SIGINT', () => {
    if (abort.ctl) abort.ctl.abort();
    else rl.close();
  });
  process.stdout.write(
    `pocketlm chat — ${model.source} (${model.backendName}). Ctrl-C stops a reply; Ctrl-D or /exit quits, /reset clears.\n`,
  );
  try {
    for (;;) {
      let line: string;
      try {
        line = await rl.question('> ');
      } catch {
        break; // input closed
      }
      const text = line.trim();
      if (text === '/exit' || text === '/quit') break;
      if (text === '/reset') {
        chat.reset();
        continue;
      }
      if (!text) continue;
      abort.ctl = new AbortController();
      const it = chat.send(text, {
        temperature: num(values, 'temp', { min: 0, fallback: 0.7 }),
        seed: num(values, 'seed', { int: true }),
        maxTokens: num(values, 'n-predict', { int: true, min: 1, fallback: 512 }),
        signal: abort.ctl.signal,
      });
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        process.stdout.write(r.value.text);
      }
      abort.ctl = undefined;
      process.stdout.write('\n');
    }
  } finally {
    rl.close();
    model.dispose();
  }
}
