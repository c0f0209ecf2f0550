// WebAssembly SIMD MinHash kernel (minhash.wat): eight hash functions per pass over the shingles.
import { MINHASH_WASM_BASE64 } from './minhash-wasm.generated.js';

/** An instantiated kernel with its memory. */
interface Kernel {
  memory: WebAssembly.Memory;
  run: (ab: number, k: number, sh: number, ns: number, out: number) => void;
  /** Hash constants currently stored at offset 0 (a then b). */
  ab: Uint32Array | null;
}

let kernel: Kernel | null | undefined;

/** The kernel, or null where WebAssembly SIMD is not available (callers fall back to JavaScript). */
function getKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const bytes = Uint8Array.from(atob(MINHASH_WASM_BASE64), (c) => c.charCodeAt(0));
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const e = inst.exports as { memory: WebAssembly.Memory; signature: Kernel['run'] };
    kernel = { memory: e.memory, run: e.signature, ab: null };
  } catch {
    kernel = null;
  }
  return kernel;
}

/** Can {@link simdSignature} handle `k` hash functions here? */
export function simdAvailable(k: number): boolean {
  return k % 8 === 0 && k > 0 && getKernel() !== null;
}

/**
 * Signed minima of h_i(x) = xorshift15((x ^ b_i) · a_i) over `ns` shingle hashes, for the k = a.length hash
 * functions (k a multiple of 8), written to `out` (same bits as the JavaScript loop in minhash.ts).
 */
export function simdSignature(
  a: Uint32Array,
  b: Uint32Array,
  shingles: Uint32Array,
  ns: number,
  out: Int32Array,
): void {
  const kn = getKernel() as Kernel;
  const k = a.length;
  const shOff = k * 12 + 15 - ((k * 12 + 15) % 16);
  const need = shOff + ns * 4;
  if (kn.memory.buffer.byteLength < need) {
    kn.memory.grow(Math.ceil((need - kn.memory.buffer.byteLength) / 65536));
    kn.ab = null;
  }
  const mem = new Uint32Array(kn.memory.buffer);
  if (kn.ab !== a) {
    mem.set(a, 0);
    mem.set(b, k);
    kn.ab = a;
  }
  mem.set(shingles.subarray(0, ns), shOff >> 2);
  kn.run(0, k, shOff, ns, k * 8);
  out.set(new Int32Array(kn.memory.buffer, k * 8, k));
}
