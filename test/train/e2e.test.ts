// End to end through the CLI functions: train-tokenizer → tokens → train (2 threads) → export Q8_0 → llama.cpp generates.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { getLlama, type Token } from 'node-llama-cpp';
import { readGgufFile } from '../../src/format/gguf-node.js';
import { createTokenizer } from '../../src/tokenizer/index.js';
import { exportCommand, trainCommand, trainTokenizerCommand } from '../../src/train/cli.js';

test('a model trained by pocketlm and exported to Q8_0 continues its training text in llama.cpp', async () => {
  const d = mkdtempSync(join(tmpdir(), 'plm-e2e-'));
  const stderr = process.stderr.write.bind(process.stderr);
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    mkdirSync(join(d, 'data'));
    const lines = Array.from(
      { length: 400 },
      (_, i) => `the cat number ${i % 17} sat on the mat and the dog ran ${i % 5} times.`,
    );
    writeFileSync(join(d, 'corpus.txt'), lines.join('\n'));
    await trainTokenizerCommand([
      '--input',
      join(d, 'corpus.txt'),
      '--vocab-size',
      '400',
      '-o',
      join(d, 'tok.gguf'),
    ]);
    const meta = readGgufFile(join(d, 'tok.gguf')).metadata;
    const tk = createTokenizer(meta);
    const eos = meta.get('tokenizer.ggml.eos_token_id')?.value as number;
    const ids = lines.flatMap((l) => [...tk.tokenize(l), eos]);
    const arr = Uint16Array.from(ids);
    writeFileSync(join(d, 'data', 'train.bin'), new Uint8Array(arr.buffer));
    writeFileSync(join(d, 'data', 'val.bin'), new Uint8Array(arr.buffer.slice(0, 4000)));
    const V = (meta.get('tokenizer.ggml.tokens')?.value as string[] | undefined)?.length ?? 0;
    const manifest = {
      format: 'pocketlm-tokens-v1',
      dtype: 'uint16',
      vocab_size: V,
      eos_id: eos,
      phases: [
        {
          name: 'p1',
          splits: {
            train: [{ file: 'train.bin', tokens: arr.length }],
            val: [{ file: 'val.bin', tokens: 2000 }],
          },
        },
      ],
    };
    writeFileSync(join(d, 'data', 'manifest.json'), JSON.stringify(manifest));
    writeFileSync(
      join(d, 'train.yaml'),
      `data: ${join(d, 'data')}\nout: ${join(d, 'out')}\ntokenizer: ${join(d, 'tok.gguf')}\nn_embd: 64\nn_layer: 2\nn_head: 4\nn_ff: 128\nseq_len: 64\nbatch_size: 8\nsteps: 150\nlr: 3.0e-3\nwarmup_steps: 10\neval_every: 50\nthreads: 2\n`,
    );
    await trainCommand([join(d, 'train.yaml')]);
    await exportCommand([join(d, 'out'), '-o', join(d, 'model.gguf'), '--type', 'q8_0']);
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
    const model = await llama.loadModel({ modelPath: join(d, 'model.gguf') });
    const ctx = await model.createContext({ contextSize: 128 });
    const out: Token[] = [];
    for await (const t of ctx
      .getSequence()
      .evaluate([1 as Token, ...model.tokenize('the cat number 3')], { temperature: 0 })) {
      out.push(t);
      if (out.length >= 8) break;
    }
    const text = model.detokenize(out);
    await ctx.dispose();
    await model.dispose();
    await llama.dispose();
    assert.match(text, /^ ?sat on the mat and the dog/, `llama.cpp continued with ${JSON.stringify(text)}`);
  } finally {
    process.stderr.write = stderr;
    rmSync(d, { recursive: true, force: true });
  }
});
