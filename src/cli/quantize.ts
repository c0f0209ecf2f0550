// pocketlm quantize IN OUT --type q4_0|q8_0|q4_k_m|f16|f32 — from a GGUF file or a safetensors directory.
import { readFileSync, statSync } from 'node:fs';
import { quantizeModel } from '../engine/quantize.js';
import { num, parse, UsageError } from './args.js';

const USAGE =
  'usage: pocketlm quantize IN OUT --type q4_0|q8_0|q4_k_m|f16|f32 [--kld-file TEXT [--kld-ctx 512] [--kld-chunks N] [--threads N]]';

export async function quantizeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {
    type: { type: 'string' },
    'kld-file': { type: 'string' },
    'kld-ctx': { type: 'string' },
    'kld-chunks': { type: 'string' },
    threads: { type: 'string', short: 't' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help || positionals.length !== 2) {
    if (!values.help) throw new UsageError(USAGE);
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [input, output] = positionals as [string, string];
  const type = values.type ?? 'q4_k_m';
  const kldFile = values['kld-file'];
  const kldCtx = num(values, 'kld-ctx', { int: true, min: 4, fallback: 512 })!;
  const kldChunks = num(values, 'kld-chunks', { int: true, min: 1 });
  const threads = num(values, 'threads', { int: true, min: 1 });
  // check the KL inputs before spending time on quantization
  let kldText: string | undefined;
  if (kldFile !== undefined) {
    if (statSync(input).isDirectory())
      throw new UsageError(`--kld-file needs a GGUF input (IN ${input} is a directory)`);
    try {
      kldText = readFileSync(kldFile, 'utf8');
    } catch (e) {
      throw new UsageError(`--kld-file ${kldFile}: ${(e as Error).message}`);
    }
  }
  const t0 = performance.now();
  const r = await quantizeModel(input, output, type, (done, total, name) => {
    if (process.stderr.isTTY) process.stderr.write(`\r[${done}/${total}] ${name.padEnd(40)}`);
  });
  const inBytes = statSync(input).isDirectory() ? r.inputBytes : statSync(input).size;
  process.stderr.write(
    `${process.stderr.isTTY ? '\n' : ''}wrote ${output}: ${(r.outputBytes / 2 ** 20).toFixed(1)} MiB (from ${(inBytes / 2 ** 20).toFixed(1)} MiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  if (kldText !== undefined) await printKld(input, output, kldText, kldCtx, kldChunks, threads);
}

/** Prints the KL-divergence report (llama.cpp's --kl-divergence layout) of OUT against IN on `text`. */
async function printKld(
  input: string,
  output: string,
  text: string,
  nCtx: number,
  nChunks: number | undefined,
  threads: number | undefined,
): Promise<void> {
  const [{ PocketModel }, { scoringModel }, { klDivergence, formatKld }] = await Promise.all([
    import('../engine/pocket-model.js'),
    import('../engine/adapters.js'),
    import('../eval/index.js'),
  ]);
  const base = await PocketModel.load(input, { threads });
  try {
    const quant = await PocketModel.load(output, { threads });
    try {
      const r = klDivergence(scoringModel(base), scoringModel(quant), text, {
        nCtx,
        nChunks,
        onProgress: (c) => {
          if (process.stderr.isTTY) process.stderr.write(`\rKL divergence [${c.chunk}/${c.nChunks}]`);
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      process.stdout.write(`KL divergence of ${output} against ${input}:\n${formatKld(r)}`);
    } finally {
      quant.dispose();
    }
  } finally {
    base.dispose();
  }
}
