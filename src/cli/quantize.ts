// pocketlm quantize IN OUT --type q4_0|q8_0|q4_k_m|f16|f32 — from a GGUF file or a safetensors directory.
import { statSync } from 'node:fs';
import { quantizeModel } from '../engine/quantize.js';
import { parse, UsageError } from './args.js';

export async function quantizeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {
    type: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help || positionals.length !== 2) {
    if (!values.help) throw new UsageError('usage: pocketlm quantize IN OUT --type q4_0|q8_0|q4_k_m|f16|f32');
    process.stdout.write('usage: pocketlm quantize IN OUT --type q4_0|q8_0|q4_k_m|f16|f32\n');
    return;
  }
  const [input, output] = positionals as [string, string];
  const type = values.type ?? 'q4_k_m';
  const t0 = performance.now();
  const r = await quantizeModel(input, output, type, (done, total, name) => {
    if (process.stderr.isTTY) process.stderr.write(`\r[${done}/${total}] ${name.padEnd(40)}`);
  });
  const inBytes = statSync(input).isDirectory() ? r.inputBytes : statSync(input).size;
  process.stderr.write(
    `${process.stderr.isTTY ? '\n' : ''}wrote ${output}: ${(r.outputBytes / 2 ** 20).toFixed(1)} MiB (from ${(inBytes / 2 ** 20).toFixed(1)} MiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}
