// llama.cpp's AVX2 build as a second reference: node-llama-cpp 3.21.1 ships one CPU library per x86 level
// (haswell = AVX2 … zen4 = AVX-512 VNNI) and loads the best the CPU supports. The reference figures
// were taken with the AVX2 one, so the bench can also run that: a copy of the package's binary folder
// holding only the haswell library, reached through a node_modules tree of symlinks (node run with
// --preserve-symlinks resolves node-llama-cpp's own imports from there). Built once, cached outside the repo.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const VARIANT = 'libggml-cpu-haswell.so';

/**
 * Path of an engine script that runs llama.cpp's AVX2 (haswell) build, or undefined where the package has
 * no such library (not linux-x64). Run it with `node --preserve-symlinks --preserve-symlinks-main`.
 */
export function avx2Engine(root: string): string | undefined {
  const nm = join(root, 'node_modules');
  const bins = join(nm, '@node-llama-cpp/linux-x64/bins/linux-x64');
  if (!existsSync(join(bins, VARIANT))) return undefined;
  const dir = join(homedir(), '.cache/pocketlm/llama-avx2-3.21.1');
  const engine = join(dir, 'engine.ts');
  if (existsSync(join(dir, 'ready'))) return engine;
  rmSync(dir, { recursive: true, force: true });
  const pkg = join(dir, 'node_modules/@node-llama-cpp/linux-x64');
  mkdirSync(join(pkg, 'bins/linux-x64'), { recursive: true });
  for (const e of readdirSync(nm))
    if (e !== '@node-llama-cpp') symlinkSync(join(nm, e), join(dir, 'node_modules', e));
  for (const e of readdirSync(join(nm, '@node-llama-cpp')))
    if (e !== 'linux-x64')
      symlinkSync(join(nm, '@node-llama-cpp', e), join(dir, 'node_modules/@node-llama-cpp', e));
  const src = join(nm, '@node-llama-cpp/linux-x64');
  copyFileSync(join(src, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(join(src, 'dist'), join(pkg, 'dist'));
  // real copies: the libraries find each other (and ggml its CPU variants) in their own folder
  for (const f of readdirSync(bins))
    if (!f.startsWith('libggml-cpu-') || f === VARIANT)
      copyFileSync(join(bins, f), join(pkg, 'bins/linux-x64', f));
  symlinkSync(join(root, 'bench/engines/llamacpp.ts'), engine);
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  writeFileSync(join(dir, 'ready'), '');
  return engine;
}
