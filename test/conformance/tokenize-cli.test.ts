// `pocketlm tokenize` CLI: every input form vs llama.cpp's tokenizer on the Phi-3 vocabulary; error behaviour.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LlamaModel } from 'node-llama-cpp';
import { llama, PHI3_TOKENIZER, tempDir } from './llama-ref.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'src/cli/bin.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `pocketlm ARGS` from source (tsx), without Node's own warnings on stderr. */
function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', BIN, ...args],
      { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' }, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const TEXTS = [
  'Hello world',
  ' leading space and  double  spaces',
  'Once upon a time, in a quiet village by the sea,\nthere lived an old fisherman.',
  '<|user|>\nWhat is 2+2?<|end|>\n<|assistant|>',
  '<|system|>You are helpful.<|end|><|user|>hi<|end|>',
  'naïve café — 日本語のテキスト 🦙🚀 Ελληνικά',
  'function f(x) {\n\treturn x ** 2; // tabs\n}',
  '   ',
  '\n\n\n',
  'numbers 1234567890 3.14159 -42',
  '<s> and </s> and <unk> as text',
  "'s 're 've don't I'm",
];

/** llama.cpp's ids for `text`: BOS (1) unless noBos, special tokens parsed only when `special`. */
function refIds(model: LlamaModel, text: string, noBos: boolean, special: boolean): number[] {
  const ids = [...model.tokenize(text, special)].map(Number);
  return noBos ? ids : [1, ...ids];
}

const tmp = tempDir('tokenize-cli');
let ref: LlamaModel;
before(async () => {
  ref = await (await llama()).loadModel({ modelPath: PHI3_TOKENIZER, vocabOnly: true });
});
after(async () => {
  await ref?.dispose();
  tmp.cleanup();
});

describe('pocketlm tokenize matches llama.cpp', () => {
  for (const [flags, noBos, special] of [
    [[], false, false],
    [['--no-bos'], true, false],
    [['--special'], false, true],
    [['--no-bos', '--special'], true, true],
  ] as [string[], boolean, boolean][]) {
    it(`--jsonl ${flags.join(' ')}: one JSON array per line, equal to llama.cpp's ids`, async () => {
      const path = join(tmp.dir, `in-${flags.join('')}.jsonl`);
      // a blank line in the middle is skipped
      writeFileSync(
        path,
        `${TEXTS.slice(0, 6)
          .map((t) => JSON.stringify(t))
          .join('\n')}\n\n${TEXTS.slice(6)
          .map((t) => JSON.stringify(t))
          .join('\n')}\n`,
      );
      const r = await cli(['tokenize', '-m', PHI3_TOKENIZER, '--jsonl', path, '--json', ...flags]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.equal(lines.length, TEXTS.length);
      lines.forEach((line, i) => {
        assert.deepEqual(
          JSON.parse(line),
          refIds(ref, TEXTS[i]!, noBos, special),
          `text ${JSON.stringify(TEXTS[i])}`,
        );
      });
    });
  }

  it('--text prints one JSON array', async () => {
    const text = TEXTS[3]!;
    const r = await cli(['tokenize', '-m', PHI3_TOKENIZER, '--text', text, '--json', '--special']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${JSON.stringify(refIds(ref, text, false, true))}\n`);
    assert.equal(r.stderr, '');
  });

  it('--file tokenizes the whole file (newlines and all), UTF-8', async () => {
    const text = `${TEXTS.join('\n')}\n`;
    const path = join(tmp.dir, 'in.txt');
    writeFileSync(path, text);
    const r = await cli(['tokenize', '-m', PHI3_TOKENIZER, '--file', path, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), refIds(ref, text, false, false));
  });
});

/** One line on stderr that names the command, no stack trace, the given exit code. */
function assertOneLineError(r: Run, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^pocketlm tokenize: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
}

describe('pocketlm tokenize errors', () => {
  it('a missing model file: usage error (exit 2) naming the path', async () => {
    const missing = join(tmp.dir, 'nope.gguf');
    const r = await cli(['tokenize', '-m', missing, '--text', 'hi']);
    assertOneLineError(r, 2, new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('a missing --file: exit 1 naming the path', async () => {
    const missing = join(tmp.dir, 'nope.txt');
    const r = await cli(['tokenize', '-m', PHI3_TOKENIZER, '--file', missing]);
    assertOneLineError(r, 1, /nope\.txt/);
  });

  it('a corrupt GGUF: exit 1, the message names the file', async () => {
    const bad = join(tmp.dir, 'corrupt.gguf');
    const bytes = Buffer.alloc(256, 0xab);
    bytes.write('GGUF', 0, 'latin1');
    bytes.writeUInt32LE(3, 4); // version 3, then garbage counts
    writeFileSync(bad, bytes);
    const r = await cli(['tokenize', '-m', bad, '--text', 'hi']);
    assertOneLineError(r, 1, /corrupt\.gguf/);
  });

  it('an unknown flag: usage error (exit 2) naming the flag', async () => {
    const r = await cli(['tokenize', '-m', PHI3_TOKENIZER, '--text', 'hi', '--bogus-flag']);
    assertOneLineError(r, 2, /bogus-flag/);
  });

  it('--verbose adds the stack trace', async () => {
    const r = await cli(['tokenize', '-m', join(tmp.dir, 'corrupt-too.gguf'), '--text', 'hi', '--verbose']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /^\s+at /m);
  });
});
