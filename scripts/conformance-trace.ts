// Replays every MUL_MAT of a llama.cpp evaluation through pocketlm's matmulRef on llama.cpp's own inputs.
//
// Builds test/conformance/native/llama-dump.c against the libllama/libggml that node-llama-cpp ships (needs
// gcc and the llama.cpp headers from node-llama-cpp's gitRelease.bundle, cloned to LLAMA_SRC), evaluates a
// prompt with weight repacking on (node-llama-cpp's default) and off, and reports for each weight matmul:
// how far llama.cpp's output is from matmulRef applied to llama.cpp's input (kernel disagreement), and how
// far the two llama.cpp runs are apart (llama.cpp's own spread). Usage:
//   node --import tsx scripts/conformance-trace.ts MODEL.gguf N_TOKENS [SEED]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PocketModel } from '../src/engine/pocket-model.js';
import { GgmlType, rowBytes } from '../src/format/ggml-types.js';
import { readGgufFile } from '../src/format/gguf-node.js';
import type { Backend } from '../src/model/backend.js';
import { createRefBackend } from '../src/model/ref-backend.js';
import { activationQuantizer, matmulRef, vecDotType } from '../src/quant/index.js';
import { logSoftmax, maxAbsDiff, tempDir, testTokens, topK } from '../test/conformance/llama-ref.js';

const root = new URL('..', import.meta.url).pathname;
const bins = join(root, 'node_modules/@node-llama-cpp/linux-x64/bins/linux-x64');
const src = process.env.LLAMA_SRC ?? '/tmp/nlc-llama';

function buildDumper(dir: string): string {
  if (!existsSync(join(src, 'include/llama.h'))) {
    execFileSync('git', [
      'clone',
      '-q',
      join(root, 'node_modules/node-llama-cpp/llama/gitRelease.bundle'),
      src,
    ]);
  }
  const exe = join(dir, 'llama-dump');
  execFileSync('gcc', [
    '-O1',
    '-o',
    exe,
    join(root, 'test/conformance/native/llama-dump.c'),
    `-I${src}/include`,
    `-I${src}/ggml/include`,
    `-L${bins}`,
    '-l:libllama.v0.4.0.so',
    '-l:libggml.v0.4.0.so',
    '-l:libggml-base.so',
    `-Wl,-rpath,${bins}`,
  ]);
  return exe;
}

function f32(path: string): Float32Array | undefined {
  if (!existsSync(path)) return undefined;
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const [modelPath, nArg, seedArg] = process.argv.slice(2);
if (!modelPath) throw new Error('usage: conformance-trace.ts MODEL.gguf N_TOKENS [SEED]');
const n = Number(nArg ?? 101);
const { dir, cleanup } = tempDir('trace');
try {
  const exe = buildDumper(dir);
  const gguf = readGgufFile(modelPath);
  const nVocab = (gguf.get('tokenizer.ggml.tokens') as unknown[]).length;
  const tokens = testTokens(n, Number(seedArg ?? 7 + n), true, nVocab);
  const run = (noRepack: boolean) => {
    const d = join(dir, noRepack ? 'plain' : 'repack');
    mkdirSync(d);
    const out = execFileSync(exe, [modelPath, noRepack ? '1' : '0', d, ...tokens.map(String)], {
      env: { ...process.env, LLDIR: bins },
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 28,
    });
    const logits = new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + nVocab * 4));
    const index = readFileSync(join(d, 'index.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    return { d, logits: logSoftmax(logits), index };
  };
  const repack = run(false);
  const plain = run(true);
  // a spy around the reference backend keeps pocketlm's own matmul inputs, by weight name
  const inner = createRefBackend();
  const ourX = new Map<string, Float32Array>();
  const spy: Backend = {
    name: 'spy',
    dispose() {},
    prepareMatrix: (t) => inner.prepareMatrix(t),
    matmul(w, x, k, out) {
      inner.matmul(w, x, k, out);
      ourX.set(w.name, x.slice(0, k * w.cols));
    },
  };
  const model = await PocketModel.load(modelPath, { backend: spy });
  const ours = logSoftmax(model.logits(tokens));
  model.dispose();
  const top = topK(repack.logits, 200);
  console.log(`${n} tokens: max |Δ log-prob| over llama.cpp's top 200:`);
  console.log(`  pocketlm vs llama.cpp (repack): ${maxAbsDiff(ours, repack.logits, top).toExponential(2)}`);
  console.log(`  pocketlm vs llama.cpp (no repack): ${maxAbsDiff(ours, plain.logits, top).toExponential(2)}`);
  console.log(
    `  llama.cpp repack vs no repack: ${maxAbsDiff(repack.logits, plain.logits, top).toExponential(2)}`,
  );
  console.log(
    'weight matmuls (kernel = |llama.cpp y − matmulRef(llama.cpp x)| / max|y|; runs = max |Δx|, |Δy| between the two llama.cpp runs):',
  );
  for (let i = 0; i < repack.index.length; i++) {
    const [id, , wName, wType] = repack.index[i]!;
    const t = gguf.byName.get(wName!);
    if (!t || t.dims.length < 2) continue;
    const rows = t.dims[1]!;
    const cols = t.dims[0]!;
    const data = gguf.tensorBytes(wName!).slice();
    const rel: string[] = [];
    for (const r of [repack, plain]) {
      const x = f32(join(r.d, `${id!.padStart(3, '0')}.x`));
      const y = f32(join(r.d, `${id!.padStart(3, '0')}.y`));
      if (!x || !y) continue;
      const k = x.length / cols;
      const mine = new Float32Array(k * rows);
      matmulRef({ type: t.type as GgmlType, data, rows, cols }, x, k, mine, { flavor: 'x86' });
      let err = 0;
      let mag = 0;
      for (let j = 0; j < y.length; j++) {
        err = Math.max(err, Math.abs(y[j]! - mine[j]!));
        mag = Math.max(mag, Math.abs(y[j]!));
      }
      rel.push((err / mag).toExponential(1));
    }
    const id3 = id!.padStart(3, '0');
    const lx = f32(join(repack.d, `${id3}.x`))!;
    const mx = ourX.get(wName!)!;
    const mine = mx.length > lx.length ? mx.subarray(mx.length - lx.length) : mx;
    // activation-quantization flips: quantized values (as integers of the block's own scale) that differ
    // between pocketlm's input and llama.cpp's, and blocks whose scale differs
    let flips = 0;
    let scales = 0;
    if (t.type !== GgmlType.F32 && t.type !== GgmlType.F16 && t.type !== GgmlType.BF16) {
      const vt = vecDotType(t.type as GgmlType);
      const q = activationQuantizer(vt, 'x86');
      const rb = rowBytes(vt, cols);
      const qa = new Uint8Array(rb);
      const qb = new Uint8Array(rb);
      const isK = vt === GgmlType.Q8_K;
      const blk = isK ? 256 : 32;
      const bytes = isK ? 292 : vt === GgmlType.Q8_1 ? 36 : 34;
      const qsOff = isK ? 4 : vt === GgmlType.Q8_1 ? 4 : 2;
      for (let r = 0; r < lx.length / cols; r++) {
        q(lx, r * cols, qa, 0, cols);
        q(mine, r * cols, qb, 0, cols);
        for (let b = 0; b < cols / blk; b++) {
          for (let j = 0; j < qsOff; j++)
            if (qa[b * bytes + j] !== qb[b * bytes + j]) {
              scales++;
              break;
            }
          for (let j = 0; j < blk; j++) if (qa[b * bytes + qsOff + j] !== qb[b * bytes + qsOff + j]) flips++;
        }
      }
    }
    let dOurs = 0;
    let xMag = 0;
    for (let j = 0; j < lx.length; j++) {
      dOurs = Math.max(dOurs, Math.abs(lx[j]! - mine[j]!));
      xMag = Math.max(xMag, Math.abs(lx[j]!));
    }
    const dx = maxAbsDiff(f32(join(repack.d, `${id3}.x`))!, f32(join(plain.d, `${id3}.x`))!, [
      ...Array(f32(join(repack.d, `${id3}.x`))!.length).keys(),
    ]);
    const yr = f32(join(repack.d, `${id3}.y`))!;
    const dy = maxAbsDiff(yr, f32(join(plain.d, `${id3}.y`))!, [...Array(yr.length).keys()]);
    console.log(
      `  ${wName!.padEnd(26)} ${wType!.padEnd(5)} n=${repack.index[i]![5]!.padEnd(4)} kernel repack ${rel[0]} plain ${rel[1]}  runs Δx ${dx.toExponential(1)} Δy ${dy.toExponential(1)}  |x pocketlm − x llama.cpp| ${dOurs.toExponential(1)} (max|x| ${xMag.toFixed(2)}), activation quants differing ${flips}, block scales differing ${scales}`,
    );
  }
} finally {
  cleanup();
}
