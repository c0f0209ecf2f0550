// Runs the kernel check under V8's baseline compiler only and under the optimizing compiler only (V8 11.3's Liftoff once miscompiled a relaxed dot).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

for (const flags of [['--liftoff', '--no-wasm-tier-up'], ['--no-liftoff']]) {
  test(`kernels match the reference with ${flags.join(' ')}`, () => {
    const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', 'test/kernels/tier-check.ts'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /tier-check ok/);
  });
}
