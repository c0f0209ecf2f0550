// One WebAssembly instance of the matvec kernels with its own memory: repacks weight rows into it, runs matmuls.
import { GgmlType, ggmlTypeName, rowBytes } from '../format/ggml-types.js';
import type { ActivationFlavor } from '../quant/registry.js';
import { wasmBase64 as plainBase64 } from './wasm/matvec.generated.js';
import { wasmBase64 as relaxedBase64 } from './wasm/matvec-relaxed.generated.js';

/** Weight types the wasm kernels multiply. */
export const KERNEL_TYPES: readonly GgmlType[] = [
  GgmlType.Q4_0,
  GgmlType.Q8_0,
  GgmlType.Q4_K,
  GgmlType.Q5_K,
  GgmlType.Q6_K,
  GgmlType.F16,
  GgmlType.F32,
];

/** Bytes of one repacked block (per row); grouped types store 4 rows interleaved. */
const PACKED: Partial<Record<GgmlType, { block: number; elems: number; grouped: boolean }>> = {
  [GgmlType.Q4_0]: { block: 18, elems: 32, grouped: true },
  [GgmlType.Q8_0]: { block: 34, elems: 32, grouped: true },
  [GgmlType.Q4_K]: { block: 148, elems: 256, grouped: true },
  [GgmlType.Q5_K]: { block: 180, elems: 256, grouped: false },
  [GgmlType.Q6_K]: { block: 210, elems: 256, grouped: true },
  [GgmlType.F16]: { block: 2, elems: 1, grouped: false },
  [GgmlType.F32]: { block: 4, elems: 1, grouped: false },
};

/** Activation bytes per element block once quantized for the kernel (see matvec.wat). */
const Q8_0_X = 40;
const Q8_K_X = 320;
/** Bytes of raw rows staged per repack call at load time. */
const RAW_CHUNK = 1 << 20;

/** A matrix living in one KernelModule's memory (a row range of a model matrix). */
export interface PackedMatrix {
  readonly type: GgmlType;
  readonly rows: number;
  readonly cols: number;
  /** Byte offset of the packed rows in the module memory. */
  readonly ptr: number;
  /** Rows rounded up to a multiple of 4 for grouped types. */
  readonly rowsPadded: number;
}

interface Exports {
  memory: WebAssembly.Memory;
  quant_q8_0(src: number, dst: number, nb: number, x86: number): void;
  quant_q8_k(src: number, dst: number, nb: number): void;
  round_f16(src: number, dst: number, n: number): void;
  mm_q4_0(w: number, ng: number, nb: number, x: number, n: number, out: number, ldo: number): void;
  mm_q8_0(w: number, ng: number, nb: number, x: number, n: number, out: number, ldo: number): void;
  repack_g4(src: number, dst: number, ng: number, nb: number, bs: number): void;
  repack_q4_0(src: number, dst: number, ng: number, nb: number): void;
  repack_q4_k(src: number, dst: number, ng: number, nb: number): void;
  pair_q8_k(x: number, nb: number): void;
  mm_q4_k(w: number, ng: number, nb: number, x: number, n: number, out: number, ldo: number): void;
  repack_k4(src: number, dst: number, nblocks: number, qhBytes: number): void;
  repack_q6_k_g4(src: number, dst: number, ng: number, nb: number): void;
  mm_q6_k_g4(w: number, ng: number, nb: number, x: number, n: number, out: number, ldo: number): void;
  mm_q5_k(w: number, rows: number, nb: number, x: number, n: number, out: number, ldo: number): void;
  mm_rows(
    kind: number,
    w: number,
    rows: number,
    nb: number,
    x: number,
    n: number,
    out: number,
    ldo: number,
  ): void;
}

const compiled: { plain?: WebAssembly.Module; relaxed?: WebAssembly.Module } = {};
/** Variants whose kernels were already warmed up in this thread. */
const warmed = new Set<boolean>();

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The compiled kernel module (cached per variant). Relaxed needs `enableRelaxedSimd()` first on Node 20. */
export function kernelModule(relaxed: boolean): WebAssembly.Module {
  const key = relaxed ? 'relaxed' : 'plain';
  let m = compiled[key];
  if (!m) {
    m = new WebAssembly.Module(
      decodeBase64(relaxed ? relaxedBase64 : plainBase64) as Uint8Array<ArrayBuffer>,
    );
    compiled[key] = m;
  }
  return m;
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;

/**
 * A kernel instance and its private memory (grows as matrices are added; a wasm32 memory holds ≤ 4 GiB,
 * so a threaded backend gives each worker its own). Not thread-safe; one per thread.
 */
export class KernelModule {
  readonly relaxed: boolean;
  /**
   * How activations are rounded to Q8_0 (for Q4_0/Q8_0 weights): 'x86' mirrors llama.cpp's AVX build
   * (q = nearest-even(x·127/amax), the project's reference), 'generic' ggml's quantize_row_q8_0_ref.
   */
  readonly flavor: ActivationFlavor;
  private readonly ex: Exports;
  private top: number;
  private scratch = 0;
  private scratchSize = 0;

  constructor(
    relaxed: boolean,
    module: WebAssembly.Module = kernelModule(relaxed),
    flavor: ActivationFlavor = 'x86',
  ) {
    this.relaxed = relaxed;
    this.flavor = flavor;
    this.ex = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
    this.top = 1024;
    if (!warmed.has(relaxed)) {
      warmed.add(relaxed);
      warmUp(relaxed, module);
    }
  }

  private f32view = new Float32Array(0);
  /** A Float32Array over the whole memory (recreated only after the memory grew). */
  private heapF32(): Float32Array {
    if (this.f32view.buffer !== this.ex.memory.buffer) this.f32view = new Float32Array(this.ex.memory.buffer);
    return this.f32view;
  }

  /** Bytes of memory in use (weights and scratch). */
  get bytesUsed(): number {
    return this.top;
  }

  private alloc(bytes: number): number {
    const ptr = this.top;
    const end = align(ptr + bytes, 64);
    const mem = this.ex.memory;
    const need = end - mem.buffer.byteLength;
    if (need > 0) {
      // Grow in large steps: each grow changes the process's memory map, which stalls page faults on
      // other threads (workers packing at load); pages beyond `top` are never touched, so cost no RSS.
      const size = mem.buffer.byteLength;
      const exact = Math.ceil(need / 65536);
      const step = Math.ceil(Math.max(need, Math.min(size / 4, 256 * 2 ** 20), 64 * 2 ** 20) / 65536);
      try {
        try {
          mem.grow(step);
        } catch {
          mem.grow(exact); // near the engine's memory limit: just what is needed
        }
      } catch (e) {
        throw new Error(
          `wasm memory cannot grow to ${end} bytes (a wasm32 memory holds at most 4 GiB; use more threads so each holds fewer rows): ${(e as Error).message}`,
        );
      }
    }
    this.top = end;
    return ptr;
  }

  /** A scratch area of at least `bytes` (reused; moved to the top when it must grow). */
  private scratchArea(bytes: number): number {
    if (bytes > this.scratchSize) {
      this.scratchSize = align(Math.max(bytes, this.scratchSize * 1.5), 65536);
      this.scratch = this.alloc(this.scratchSize);
    }
    return this.scratch;
  }

  /** Allocates room for a rows×cols matrix of `type`; fill it with `fill`. */
  allocMatrix(type: GgmlType, rows: number, cols: number): PackedMatrix {
    const p = PACKED[type];
    if (!p) throw new Error(`wasm kernels do not support weight type ${ggmlTypeName(type)}`);
    rowBytes(type, cols); // throws unless cols is a whole number of blocks
    const rowsPadded = p.grouped ? align(rows, 4) : rows;
    const bytes = rowsPadded * (cols / p.elems) * p.block;
    const ptr = this.alloc(bytes); // fresh pages above every earlier allocation: already zero
    return { type, rows, cols, ptr, rowsPadded };
  }

  /**
   * Writes rows [row0, row0 + k) of `m` from `src` (GGUF layout: k consecutive rows). For grouped types
   * `row0` must be a multiple of 4.
   */
  fillRows(m: PackedMatrix, row0: number, src: Uint8Array): void {
    const rb = rowBytes(m.type, m.cols);
    const k = src.length / rb;
    if (!Number.isInteger(k) || row0 + k > m.rows) {
      throw new Error(
        `fillRows: ${src.length} bytes is not a whole number of rows (${rb} B) within ${m.rows} rows`,
      );
    }
    const nb = m.cols / PACKED[m.type]!.elems;
    const ex = this.ex;
    switch (m.type) {
      case GgmlType.Q4_0:
      case GgmlType.Q8_0:
      case GgmlType.Q6_K:
      case GgmlType.Q4_K: {
        if (row0 % 4 !== 0)
          throw new Error(`fillRows: row0 ${row0} of a grouped type must be a multiple of 4`);
        const bs = PACKED[m.type]!.block;
        // Raw rows go through a scratch area in chunks of whole 4-row groups (a short last group is
        // padded with zero rows, whose zero scales make them inert), then the type's repacker interleaves
        // them (Q4_K: first to 148 B rows with unpacked scales by repack_k4, then repack_q4_k).
        const chunkRows = Math.max(4, Math.floor(RAW_CHUNK / rb / 4) * 4);
        const stage = this.scratchArea(
          chunkRows * rb + (m.type === GgmlType.Q4_K ? chunkRows * nb * 148 : 0),
        );
        const unpacked = stage + chunkRows * rb;
        for (let r = 0; r < k; r += chunkRows) {
          const kr = Math.min(chunkRows, k - r);
          const groups = Math.ceil(kr / 4);
          const mem = new Uint8Array(ex.memory.buffer);
          mem.set(src.subarray(r * rb, (r + kr) * rb), stage);
          mem.fill(0, stage + kr * rb, stage + groups * 4 * rb);
          const dst = m.ptr + ((row0 + r) / 4) * nb * 4 * bs;
          if (m.type === GgmlType.Q4_0) ex.repack_q4_0(stage, dst, groups, nb);
          else if (m.type === GgmlType.Q6_K) ex.repack_q6_k_g4(stage, dst, groups, nb);
          else if (m.type === GgmlType.Q4_K) {
            ex.repack_k4(stage, unpacked, groups * 4 * nb, 0);
            ex.repack_q4_k(unpacked, dst, groups, nb);
          } else ex.repack_g4(stage, dst, groups, nb, bs);
        }
        break;
      }
      case GgmlType.Q5_K: {
        const qh = 32; // Q5_K's high bits (repack_k4 also serves Q4_K with 0)
        const chunkRows = Math.max(1, Math.floor(RAW_CHUNK / rb));
        const stage = this.scratchArea(chunkRows * rb);
        for (let r = 0; r < k; r += chunkRows) {
          const kr = Math.min(chunkRows, k - r);
          new Uint8Array(ex.memory.buffer).set(src.subarray(r * rb, (r + kr) * rb), stage);
          ex.repack_k4(stage, m.ptr + (row0 + r) * nb * (148 + qh), kr * nb, qh);
        }
        break;
      }
      default:
        new Uint8Array(ex.memory.buffer).set(src, m.ptr + row0 * rb);
    }
  }

  /** allocMatrix + fillRows of all rows. */
  pack(type: GgmlType, rows: number, cols: number, data: Uint8Array): PackedMatrix {
    const m = this.allocMatrix(type, rows, cols);
    this.fillRows(m, 0, data.subarray(0, rows * rowBytes(type, cols)));
    return m;
  }

  /**
   * out[off + t·ldo + r] = Σ_c m[r, c]·x[t·cols + c] for t < n, r < m.rows (x quantized to the weight's
   * vec-dot type first).
   */
  matmul(m: PackedMatrix, x: Float32Array, n: number, out: Float32Array, ldo: number, off: number): void {
    const { cols, rowsPadded } = m;
    const ex = this.ex;
    const xBytes = n * cols * 4;
    let qBytes = 0;
    if (m.type === GgmlType.Q4_0 || m.type === GgmlType.Q8_0) qBytes = (n * cols * Q8_0_X) / 32;
    else if (m.type === GgmlType.Q4_K || m.type === GgmlType.Q5_K || m.type === GgmlType.Q6_K) {
      qBytes = (n * cols * Q8_K_X) / 256;
    }
    const outBytes = n * rowsPadded * 4;
    const base = this.scratchArea(xBytes + qBytes + outBytes + 64);
    const xp = base;
    const qp = align(xp + xBytes, 16);
    const op = align(qp + qBytes, 16);
    const f32 = this.heapF32();
    f32.set(x.length === n * cols ? x : x.subarray(0, n * cols), xp >>> 2);
    switch (m.type) {
      case GgmlType.Q4_0:
        ex.quant_q8_0(xp, qp, (n * cols) / 32, this.flavor === 'x86' ? 1 : 0);
        ex.mm_q4_0(m.ptr, rowsPadded / 4, cols / 32, qp, n, op, rowsPadded);
        break;
      case GgmlType.Q8_0:
        ex.quant_q8_0(xp, qp, (n * cols) / 32, this.flavor === 'x86' ? 1 : 0);
        ex.mm_q8_0(m.ptr, rowsPadded / 4, cols / 32, qp, n, op, rowsPadded);
        break;
      case GgmlType.Q4_K:
        ex.quant_q8_k(xp, qp, (n * cols) / 256);
        ex.pair_q8_k(qp, (n * cols) / 256);
        ex.mm_q4_k(m.ptr, rowsPadded / 4, cols / 256, qp, n, op, rowsPadded);
        break;
      case GgmlType.Q5_K:
        ex.quant_q8_k(xp, qp, (n * cols) / 256);
        ex.mm_q5_k(m.ptr, m.rows, cols / 256, qp, n, op, rowsPadded);
        break;
      case GgmlType.Q6_K:
        ex.quant_q8_k(xp, qp, (n * cols) / 256);
        ex.mm_q6_k_g4(m.ptr, rowsPadded / 4, cols / 256, qp, n, op, rowsPadded);
        break;
      case GgmlType.F16:
        ex.round_f16(xp, xp, n * cols);
        ex.mm_rows(2, m.ptr, m.rows, cols, xp, n, op, rowsPadded);
        break;
      case GgmlType.F32:
        ex.mm_rows(3, m.ptr, m.rows, cols, xp, n, op, rowsPadded);
        break;
      default:
        throw new Error(`wasm kernels do not support weight type ${ggmlTypeName(m.type)}`);
    }
    const o = op >>> 2;
    for (let t = 0; t < n; t++)
      out.set(f32.subarray(o + t * rowsPadded, o + t * rowsPadded + m.rows), off + t * ldo);
  }
}

/**
 * Runs every kernel on tiny inputs (1 and 2 tokens) in a throwaway instance so V8 starts optimizing them
 * in the background now: wasm has no on-stack replacement, so a long first matmul would otherwise run
 * start to end in the baseline tier (several times slower).
 */
function warmUp(relaxed: boolean, module: WebAssembly.Module): void {
  const km = new KernelModule(relaxed, module);
  const x = new Float32Array(2 * 256).fill(0.5);
  const out = new Float32Array(2 * 8);
  for (const type of KERNEL_TYPES) {
    const m = km.allocMatrix(type, 8, 256);
    for (let i = 0; i < 20; i++) km.matmul(m, x, 1 + (i & 1), out, 8, 0);
  }
}

/** Bytes one memory of a KernelPool is filled to before the next one is started (room left for scratch). */
export const POOL_MEMORY_BYTES = 3.5 * 2 ** 30;

/** A matrix packed into one of a KernelPool's memories. */
export interface PooledMatrix {
  readonly km: KernelModule;
  readonly m: PackedMatrix;
}

/**
 * Several KernelModules on one thread, each with its own memory: matrices go into the current one until it
 * would pass `limit` bytes, then into a fresh one. Lets one thread hold more than a wasm32 memory's 4 GiB
 * (Phi-3-medium at 4 bits on one thread, or one worker's share of a larger model).
 */
export class KernelPool {
  private readonly modules: KernelModule[] = [];

  constructor(
    private readonly make: () => KernelModule,
    private readonly limit = POOL_MEMORY_BYTES,
  ) {}

  /** The first module (created on demand): for callers that need one instance, e.g. a name or warm-up. */
  get first(): KernelModule {
    if (this.modules.length === 0) this.modules.push(this.make());
    return this.modules[0]!;
  }

  /** Memories in use. */
  get count(): number {
    return this.modules.length;
  }

  pack(type: GgmlType, rows: number, cols: number, data: Uint8Array): PooledMatrix {
    // repacking adds at most a few bytes per block; round up generously
    const bytes = Math.ceil(rows * rowBytes(type, cols) * 1.05) + (1 << 20);
    let km = this.modules.at(-1) ?? this.first;
    if (km.bytesUsed > 1 << 20 && km.bytesUsed + bytes > this.limit) {
      km = this.make();
      this.modules.push(km);
    }
    return { km, m: km.pack(type, rows, cols, data) };
  }
}
