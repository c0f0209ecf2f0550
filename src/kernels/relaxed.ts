// Start-up detection of WebAssembly relaxed SIMD (turning on V8's flag first where Node 20 hides it).

/** A module whose one function uses i16x8.relaxed_dot_i8x16_i7x16_s (validates only with relaxed SIMD). */
const PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 123, 123, 1, 123, 3, 2, 1, 0, 10, 11, 1, 9, 0, 32, 0, 32, 1,
  253, 146, 2, 11,
]);

let cached: boolean | undefined;

/** Whether the engine validates relaxed SIMD right now (no flags touched, nothing cached). */
export function relaxedSimdValidates(): boolean {
  return WebAssembly.validate(PROBE);
}

/**
 * True when this engine compiles relaxed SIMD. In Node (where V8 11.3, Node 20, needs
 * `--experimental-wasm-relaxed-simd`, which NODE_OPTIONS refuses) the flag is set with
 * `v8.setFlagsFromString` first, through `process.getBuiltinModule` (Node ≥ 20.16) so this file stays free
 * of `node:` imports; threads/node-adapter.ts does the same with a static import for older Node 20.
 * Call before compiling any module that uses relaxed SIMD.
 */
export function detectRelaxedSimd(): boolean {
  if (cached !== undefined) return cached;
  if (!WebAssembly.validate(PROBE)) {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const v8 = proc?.getBuiltinModule?.('node:v8') as
      | { setFlagsFromString?(flags: string): void }
      | undefined;
    v8?.setFlagsFromString?.('--experimental-wasm-relaxed-simd');
  }
  cached = WebAssembly.validate(PROBE);
  return cached;
}
