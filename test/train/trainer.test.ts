// Trainer: learning, SIGKILL mid-run then exact (bit-for-bit) resume, the config layering, and the plot.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTrainConfig } from '../../src/train/config.js';
import { type LogRecord, train } from '../../src/train/trainer.js';
import { writeTokenDir } from './helpers.js';

const flags = (data: string, out: string) => [
  '--data',
  data,
  '--out',
  out,
  '--n_embd',
  '32',
  '--n_layer',
  '2',
  '--n_head',
  '4',
  '--n_head_kv',
  '2',
  '--n_ff',
  '64',
  '--seq_len',
  '24',
  '--batch_size',
  '3',
  '--grad_accum',
  '2',
  '--steps',
  '160',
  '--eval_every',
  '40',
  '--ckpt_every',
  '7',
  '--log_every',
  '1000',
  '--warmup_steps',
  '5',
  '--lr',
  '3e-3',
];

function trainRecords(out: string): LogRecord[] {
  return readFileSync(join(out, 'log.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogRecord)
    .map((r) => (r.kind === 'train' ? { ...r, tok_s: 0 } : r));
}

test('a run killed with SIGKILL resumes to the identical loss curve', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plm-train-'));
  try {
    const data = writeTokenDir(join(dir, 'data'));
    const ref = join(dir, 'ref');
    const res = train(loadTrainConfig(undefined, flags(data, ref)), { log: () => {} });
    assert.equal(res.steps, 160);
    const want = trainRecords(ref);
    const first = want.find((r) => r.kind === 'train');
    const last = want.filter((r) => r.kind === 'train').at(-1);
    assert.ok(
      first && last && last.loss < first.loss - 1,
      `loss should fall: ${first?.loss} → ${last?.loss}`,
    );

    const out = join(dir, 'killed');
    const script = `import('${join(process.cwd(), 'src/train/cli.ts')}').then((m) => m.trainCommand(${JSON.stringify(flags(data, out))}))`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_c, s) => res(s)));
    // kill once a checkpoint exists and the run is well past it
    const logPath = join(out, 'log.jsonl');
    for (;;) {
      await new Promise((r) => setTimeout(r, 5));
      if (child.exitCode !== null) break;
      if (existsSync(join(out, 'checkpoint.bin')) && existsSync(logPath)) {
        const n = readFileSync(logPath, 'utf8').split('\n').length;
        if (n > 45) {
          child.kill('SIGKILL');
          break;
        }
      }
    }
    const sig = await exited;
    assert.equal(sig, 'SIGKILL', `child was not killed mid-run (stderr: ${stderr})`);
    const partial = trainRecords(out).filter((r) => r.kind === 'train').length;
    assert.ok(partial < 160, `child finished before the kill (${partial} steps)`);

    const logs: string[] = [];
    train(loadTrainConfig(undefined, flags(data, out)), { log: (s) => logs.push(s) });
    assert.match(logs.join('\n'), /resumed from .* at step \d+/);
    assert.deepEqual(trainRecords(out), want);
    const html = readFileSync(join(out, 'loss.html'), 'utf8');
    assert.match(html, /<svg[\s\S]*<path d="M/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('config: defaults ← YAML ← flags; unknown keys and bad values are named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plm-cfg-'));
  try {
    const y = join(dir, 'c.yaml');
    writeFileSync(y, 'n_embd: 64\nlr: 0.002\nschedule: cosine\n');
    const c = loadTrainConfig(y, ['--lr', '5e-4', '--tied-embeddings']);
    assert.equal(c.n_embd, 64);
    assert.equal(c.lr, 5e-4);
    assert.equal(c.schedule, 'cosine');
    assert.equal(c.tied_embeddings, true);
    assert.equal(c.n_layer, 4);
    writeFileSync(y, 'n_embd: 64\nlearning_rate: 0.1\n');
    assert.throws(() => loadTrainConfig(y), /c\.yaml: unknown key "learning_rate"/);
    assert.throws(() => loadTrainConfig(undefined, ['--bogus', '1']), /unknown key "bogus"/);
    assert.throws(() => loadTrainConfig(undefined, ['--lr', 'fast']), /lr must be a number/);
    assert.throws(
      () => loadTrainConfig(undefined, ['--schedule', 'linear']),
      /schedule must be one of wsd, cosine, constant/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
