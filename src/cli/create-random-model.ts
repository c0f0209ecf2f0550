// pocketlm create-random-model --preset tiny|phi3-mini|phi3-medium [--type TYPE] [--seed S] -o FILE

import { join } from 'node:path';
import { packageDir } from '../engine/default-model.js';
import { readGgufFile, writeGgufFile } from '../format/gguf-node.js';
import type { ModelConfig } from '../model/config.js';
import { PRESETS, randomModelSpec } from '../model/random.js';
import type { QuantFileType } from '../quant/index.js';
import { num, parse, UsageError } from './args.js';

const TYPES: QuantFileType[] = ['f32', 'f16', 'q8_0', 'q4_0', 'q4_k_m'];

export async function createRandomModelCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    preset: { type: 'string' },
    type: { type: 'string' },
    seed: { type: 'string' },
    output: { type: 'string', short: 'o' },
    arch: { type: 'string' },
    layers: { type: 'string' },
    'n-embd': { type: 'string' },
    'n-ff': { type: 'string' },
    'n-head': { type: 'string' },
    'n-head-kv': { type: 'string' },
    vocab: { type: 'string' },
    tied: { type: 'boolean' },
    'distinct-rows': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(
      `usage: pocketlm create-random-model --preset ${Object.keys(PRESETS).join('|')} [--type ${TYPES.join('|')}] [--seed S] -o FILE\n` +
        '       [--arch phi3|llama] [--layers N] [--n-embd N] [--n-ff N] [--n-head N] [--n-head-kv N] [--vocab FILE.gguf] [--tied]\n' +
        '       [--distinct-rows N]  (benchmark files: quantize N rows per matrix and repeat them; much faster)\n',
    );
    return;
  }
  const preset = values.preset ?? 'tiny';
  const base = PRESETS[preset];
  if (!base)
    throw new UsageError(`unknown --preset "${preset}" (expected ${Object.keys(PRESETS).join(', ')})`);
  const type = (values.type ?? 'q4_0') as QuantFileType;
  if (!TYPES.includes(type)) throw new UsageError(`unknown --type "${type}" (expected ${TYPES.join(', ')})`);
  if (!values.output) throw new UsageError('missing -o FILE');
  const vocabPath = values.vocab ?? join(packageDir(), 'models', 'phi3-tokenizer.gguf');
  const vocab = readGgufFile(vocabPath);
  const tokenizer = [...vocab.metadata].filter(([k]) => k.startsWith('tokenizer.'));
  const tokens = vocab.get('tokenizer.ggml.tokens');
  if (!Array.isArray(tokens)) throw new UsageError(`${vocabPath}: no tokenizer.ggml.tokens`);
  const nEmbd = num(values, 'n-embd', { int: true, min: 1, fallback: base.nEmbd })!;
  const nHead = num(values, 'n-head', { int: true, min: 1, fallback: base.nHead })!;
  const arch = (values.arch ?? base.arch) as ModelConfig['arch'];
  if (arch !== 'phi3' && arch !== 'llama')
    throw new UsageError(`--arch must be phi3 or llama, got "${arch}"`);
  if (nEmbd % nHead !== 0) throw new UsageError(`--n-embd ${nEmbd} must be a multiple of --n-head ${nHead}`);
  const nHeadKv = num(values, 'n-head-kv', {
    int: true,
    min: 1,
    fallback: values['n-head'] ? nHead : base.nHeadKv,
  })!;
  if (nHead % nHeadKv !== 0)
    throw new UsageError(`--n-head ${nHead} must be a multiple of --n-head-kv ${nHeadKv}`);
  const config: ModelConfig = {
    ...base,
    arch,
    ropeType: arch === 'phi3' ? 'neox' : 'norm',
    nVocab: tokens.length,
    nEmbd,
    nHead,
    nHeadKv,
    headDim: nEmbd / nHead,
    nRot: nEmbd / nHead,
    nFf: num(values, 'n-ff', { int: true, min: 1, fallback: base.nFf })!,
    nLayer: num(values, 'layers', { int: true, min: 1, fallback: base.nLayer })!,
    tiedEmbeddings: !!values.tied,
  };
  const spec = randomModelSpec({
    config,
    tokenizer,
    fileType: type,
    seed: num(values, 'seed', { int: true, fallback: 42 }),
    name: `random ${preset} ${type}`,
    distinctRows: num(values, 'distinct-rows', { int: true, min: 1 }),
  });
  const t0 = performance.now();
  let lastPct = -1;
  const total = spec.tensors.length;
  let done = 0;
  for (const t of spec.tensors) {
    const gen = t.data as () => Uint8Array;
    t.data = () => {
      const d = gen();
      done++;
      const pct = Math.floor((100 * done) / total);
      if (pct !== lastPct && process.stderr.isTTY) process.stderr.write(`\rwriting ${values.output} ${pct}%`);
      lastPct = pct;
      return d;
    };
  }
  const bytes = writeGgufFile(values.output, spec);
  process.stderr.write(
    `${process.stderr.isTTY ? '\n' : ''}wrote ${values.output}: ${(bytes / 2 ** 20).toFixed(1)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}
