// The message protocol between the backend and its kernel workers (shared by the Node and browser adapters).
import type { GgmlType } from '../format/ggml-types.js';

/**
 * Control block: one SLOT_INTS-int32 slot per worker in a SharedArrayBuffer (slots 128 bytes apart so two
 * workers' counters never share a cache line). The hot path (matmul) goes only through these integers;
 * rarer requests (prepare, new buffers, exit) are posted as messages and announced with CMD_MESSAGE.
 */
export const SLOT_INTS = 32;
/** Command counter, bumped by the caller for each command. */
export const SEQ = 0;
/** Last command counter the worker finished. */
export const DONE = 1;
/** Command code (CMD_*). */
export const CMD = 2;
/** Matrix id of a matmul. */
export const ARG_ID = 3;
/** Token count of a matmul. */
export const ARG_N = 4;
/** 1 while the worker sleeps in Atomics.wait on SEQ (the caller then notifies). */
export const WORKER_SLEEPS = 5;
/** 1 while the caller sleeps in Atomics.wait on DONE (the worker then notifies). */
export const CALLER_SLEEPS = 6;
/** Byte length of an error message the worker left in the slot's error area (0: none). */
export const ERR_LEN = 7;
/** Bytes per slot for an error message (UTF-8), after the control ints. */
export const ERR_BYTES = 1024;

/** First slot int of an attention call's arguments (ATTEND_ARGS of them; see putAttendArgs). */
export const ARG_ATTEND = 8;
/** Ints an attention call's arguments take in a slot: memory id, then ops.wat `attend`'s 22 parameters
 * (the f32 scale, parameter 8, as its bits). */
export const ATTEND_ARGS = 23;
/** Run ops.wat's attention on a shared memory (arguments from ARG_ATTEND). */
export const CMD_ATTEND = 3;
/** Run a matmul on the shared activations. */
export const CMD_MATMUL = 1;
/** Return to the event loop and handle one posted WorkerRequest. */
export const CMD_MESSAGE = 2;

/** Sent once when a worker starts. */
export interface WorkerInit {
  /** Control block of all workers (Int32Array view); this worker uses slot `slot`. */
  ctrl: SharedArrayBuffer;
  /** Error text areas, ERR_BYTES per slot. */
  errors: SharedArrayBuffer;
  slot: number;
  relaxed: boolean;
  /** Q8_0 activation rounding (KernelModule.flavor). */
  flavor: 'x86' | 'generic';
}

/** Requests posted to a worker (each announced with CMD_MESSAGE and acknowledged through DONE). */
export type WorkerRequest =
  | { kind: 'buffers'; x: SharedArrayBuffer; out: SharedArrayBuffer }
  | {
      kind: 'prepare';
      id: number;
      /** Tensor name, for error messages. */
      name?: string;
      type: GgmlType;
      /** Rows of the whole matrix (the shared output's row stride). */
      rowsTotal: number;
      /** First row this worker holds. */
      row0: number;
      rows: number;
      cols: number;
      /** The rows' bytes in GGUF layout. */
      data: Uint8Array;
    }
  | {
      kind: 'share';
      id: number;
      /** A shared WebAssembly.Memory the worker runs ops.wat kernels on (attention over a KV cache). */
      memory: WebAssembly.Memory;
    }
  | { kind: 'exit' };

/** What an adapter gives the pool for one started worker. */
export interface WorkerHandle {
  postMessage(msg: WorkerRequest, transfer?: Transferable[]): void;
  terminate(): void;
}

/** Starts kernel workers: Node's worker_threads or browser Web Workers. */
export interface WorkerSpawner {
  spawn(init: WorkerInit): WorkerHandle;
}

/** Something a worker receives requests from (parentPort in Node, `self` in a Web Worker). */
export interface WorkerPort {
  onRequest(handler: (req: WorkerRequest) => void): void;
  close(): void;
}

/** Index of the f32 argument (the score scale) among ops.wat `attend`'s parameters. */
const ATTEND_SCALE_ARG = 8;

/**
 * Writes an attention call into a worker's control slot (`slot` and `slotF32`: Int32 and Float32 views of
 * the same SLOT_INTS ints): the shared memory's id, then the kernel's arguments.
 */
export function putAttendArgs(
  slot: Int32Array,
  slotF32: Float32Array,
  memoryId: number,
  args: readonly number[],
): void {
  if (args.length + 1 > ATTEND_ARGS) throw new Error(`attention call with ${args.length} arguments`);
  slot[ARG_ATTEND] = memoryId;
  for (let i = 0; i < args.length; i++) {
    if (i === ATTEND_SCALE_ARG) slotF32[ARG_ATTEND + 1 + i] = args[i]!;
    else slot[ARG_ATTEND + 1 + i] = args[i]!;
  }
}

/** Reads what putAttendArgs wrote: returns the memory id, fills `args` (ATTEND_ARGS − 1 of them). */
export function getAttendArgs(slot: Int32Array, slotF32: Float32Array, args: number[]): number {
  for (let i = 0; i < ATTEND_ARGS - 1; i++)
    args[i] = i === ATTEND_SCALE_ARG ? slotF32[ARG_ATTEND + 1 + i]! : slot[ARG_ATTEND + 1 + i]!;
  return slot[ARG_ATTEND]!;
}
