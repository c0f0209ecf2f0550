// Deterministic test input shared with the C harness that produced the golden hashes (xorshift32, 7 block modes).

const fr = Math.fround;

/**
 * n floats from seed: xorshift32 → u in [−1, 1); each 256-element block takes a mode (block index mod 7):
 * plain u, all-positive narrow, zeros, heavy-tailed u³·50, outliers (every 7th ×1000, rest ×0.001),
 * tiny (×1e-5), constant 0.25. Every operation is float32, as in the C generator.
 */
export function goldenInput(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const u = fr(fr((s >>> 8) / 16777216) * 2 - 1);
    let v: number;
    switch ((i >> 8) % 7) {
      case 0:
        v = u;
        break;
      case 1:
        v = fr(fr(u * fr(0.01)) + 0.5);
        break;
      case 2:
        v = 0;
        break;
      case 3:
        v = fr(fr(fr(u * u) * u) * 50);
        break;
      case 4:
        v = i % 7 === 0 ? fr(u * 1000) : fr(u * fr(0.001));
        break;
      case 5:
        v = fr(u * fr(1e-5));
        break;
      default:
        v = 0.25;
    }
    x[i] = v;
  }
  return x;
}

/** Golden row length (14 blocks of 256, two rounds of the 7 modes). */
export const GOLDEN_N = 3584;

/** Weights input (seed 12345). */
export function goldenWeights(): Float32Array {
  return goldenInput(GOLDEN_N, 12345);
}

/** Activation input: seed 777 rotated left by 512 elements so its modes differ from the weights'. */
export function goldenActivations(): Float32Array {
  const a = goldenInput(GOLDEN_N, 777);
  const r = new Float32Array(GOLDEN_N);
  // the C harness rotates in place (a[i] = a[(i + 512) % N]), so the last 512 read already-rotated values
  for (let i = 0; i < GOLDEN_N; i++) r[i] = i + 512 < GOLDEN_N ? a[i + 512]! : r[(i + 512) % GOLDEN_N]!;
  return r;
}

/**
 * 20 blocks of 256 hard cases (exact halves at d = 1, zeros, ±1e30, ±65504, beyond fp16, float32
 * subnormals, constants, spikes, ramps, mixed 1e20/1e-20), built from exact float32 operations only.
 */
export function extremeInput(): Float32Array {
  const gens: ((i: number) => number)[] = [
    (i) => (i % 32 === 0 ? 127 : (i % 16) - 7.5),
    (i) => (i % 32 === 0 ? -127 : ((i % 9) - 4) * 0.5),
    (i) => (i % 32 === 0 ? 8 : (i % 17) - 8.5),
    () => 0,
    () => 1e30,
    (i) => (i & 1 ? -1e30 : 1e30),
    (i) => (i & 1 ? -65504 : 65504),
    (i) => 700 * (((i * 37) % 201) - 100),
    (i) => 1e-8 * ((i % 13) - 6),
    (i) => 1e-20 * (i - 128),
    (i) => 1e-40 * (i - 128),
    () => -3.25,
    (i) => (i === 77 ? 5 : 0),
    (i) => (i === 77 ? -5 : 0),
    (i) => (i < 128 ? 1 : -1),
    (i) => i,
    (i) => -i,
    (i) => (i % 16 === 3 ? 100 : 0.01 * (i % 7)),
    (i) => 3e9 * ((i % 5) - 2),
    (i) => (i % 64 === 0 ? 1e20 : 1e-20),
  ];
  const x = new Float32Array(256 * gens.length);
  gens.forEach((g, b) => {
    for (let i = 0; i < 256; i++) x[256 * b + i] = g(i);
  });
  return x;
}
