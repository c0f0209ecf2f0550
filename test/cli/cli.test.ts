import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readGgufHeader } from '../../src/format/gguf-node.js';
import { PHI3_TOKENIZER, smallModel } from '../helpers/models.js';

const BIN = new URL('../../src/cli/bin.ts', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'pocketlm-cli-'));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, POCKETLM_CACHE: join(tmp, 'cache'), ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('run --json prints text, tokens and timings', () => {
  const m = smallModel({ type: 'q4_0' });
  const r = cli([
    'run',
    '-m',
    m,
    '-p',
    'Hello',
    '-n',
    '5',
    '--temp',
    '0',
    '--seed',
    '1',
    '--threads',
    '1',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(typeof out.text, 'string');
  assert.equal(out.tokens.length, 5);
  for (const k of ['load_ms', 'prompt_tokens', 'prompt_ms', 'gen_tokens', 'gen_ms'])
    assert.equal(typeof out.timings[k], 'number', k);
  assert.equal(out.timings.gen_tokens, 5);
  const again = JSON.parse(
    cli(['run', '-m', m, '-p', 'Hello', '-n', '5', '--temp', '0', '--threads', '1', '--json']).stdout,
  );
  assert.deepEqual(again.tokens, out.tokens);
});

test('tokenize: --text, --file, --jsonl, --no-bos, --special', () => {
  const m = smallModel({ type: 'q4_0' });
  const t = JSON.parse(cli(['tokenize', '-m', m, '--text', 'Hello world', '--json']).stdout);
  assert.equal(t[0], 1, 'BOS first');
  const nb = JSON.parse(cli(['tokenize', '-m', m, '--text', 'Hello world', '--no-bos', '--json']).stdout);
  assert.deepEqual(nb, t.slice(1));
  const sp = JSON.parse(
    cli(['tokenize', '-m', PHI3_TOKENIZER, '--text', '<|user|>', '--no-bos', '--special', '--json']).stdout,
  );
  assert.deepEqual(sp, [32010]);
  const f = join(tmp, 'in.txt');
  writeFileSync(f, 'Hello world');
  assert.deepEqual(JSON.parse(cli(['tokenize', '-m', m, '--file', f, '--json']).stdout), t);
  const jl = join(tmp, 'in.jsonl');
  writeFileSync(jl, '"Hello world"\n"a"\n');
  const lines = cli(['tokenize', '-m', m, '--jsonl', jl, '--json'])
    .stdout.trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.deepEqual(lines[0], t);
});

test('logits prints n_vocab floats; info describes the file', () => {
  const m = smallModel({ type: 'q4_0' });
  const r = cli(['logits', '-m', m, '--tokens', '1,15043,3186', '--threads', '1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.n_vocab, 32064);
  assert.equal(out.logits.length, 32064);
  assert.ok(out.logits.every((v: number) => Number.isFinite(v)));
  const info = JSON.parse(cli(['info', '-m', m, '--json']).stdout);
  assert.equal(info.architecture, 'phi3');
  assert.equal(info.hyperparameters.block_count, 2);
  assert.ok(info.tensor_types.q4_0.count > 0);
});

test('create-random-model and quantize write loadable files', () => {
  const out = join(tmp, 'r.gguf');
  const r = cli([
    'create-random-model',
    '--preset',
    'tiny',
    '--type',
    'f16',
    '--layers',
    '1',
    '--seed',
    '3',
    '-o',
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readGgufHeader(out).header.metadata.get('phi3.block_count')?.value, 1);
  const q = join(tmp, 'q.gguf');
  const rq = cli(['quantize', out, q, '--type', 'q4_k_m']);
  assert.equal(rq.code, 0, rq.stderr);
  const h = readGgufHeader(q).header;
  assert.equal(h.metadata.get('general.file_type')?.value, 15);
  const types = new Set(h.tensors.filter((t) => t.dims.length === 2).map((t) => t.type));
  assert.ok(types.has(12), 'Q4_K present');
});

test('errors are one line on stderr with a non-zero exit; --verbose adds the stack', () => {
  const bad = join(tmp, 'bad.gguf');
  writeFileSync(bad, 'GGUF\x03\x00\x00\x00garbage');
  for (const args of [
    ['run', '-m', join(tmp, 'missing.gguf'), '-p', 'x'],
    ['info', '-m', bad],
    ['run', '--bogus-flag'],
    ['nope'],
    ['logits', '-m', smallModel({ type: 'q4_0' }), '--tokens', '1,x', '--json'],
  ]) {
    const r = cli(args);
    assert.notEqual(r.code, 0, args.join(' '));
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0]!, /^pocketlm \S+: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  const v = cli(['info', '-m', bad, '--verbose']);
  assert.match(v.stderr, /\n\s+at /);
});

test('--kv-type: q8_0 runs; an unknown type is a one-line error naming the choices', () => {
  const m = smallModel({ type: 'q4_0' });
  const ok = cli([
    'run',
    '-m',
    m,
    '-p',
    'Hello',
    '-n',
    '3',
    '--temp',
    '0',
    '--threads',
    '1',
    '--kv-type',
    'q8_0',
    '--json',
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).tokens.length, 3);
  const bad = cli(['run', '-m', m, '-p', 'Hello', '--kv-type', 'q4']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--kv-type must be one of f16, q8_0, f32, got "q4"/);
});
