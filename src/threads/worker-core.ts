// A kernel worker's life (portable): its own wasm memory holding its rows; matmuls run from the shared control block.
import { KernelModule, KernelPool, type PooledMatrix } from '../kernels/matvec.js';
import { instantiateOpsShared, type OpsExports, runAttendKernel } from '../kernels/ops.js';
import { detectRelaxedSimd } from '../kernels/relaxed.js';
import {
  ARG_ID,
  ARG_N,
  ATTEND_ARGS,
  CALLER_SLEEPS,
  CMD,
  CMD_ATTEND,
  CMD_MATMUL,
  CMD_MESSAGE,
  DONE,
  ERR_BYTES,
  ERR_LEN,
  getAttendArgs,
  SEQ,
  SLOT_INTS,
  WORKER_SLEEPS,
  type WorkerInit,
  type WorkerPort,
  type WorkerRequest,
} from './protocol.js';
import { publish, waitChange } from './sync.js';

/** How long an idle worker spins before sleeping (ms): covers the gaps between a token's matmuls. */
const IDLE_SPIN_MS = 2;

interface Part {
  m: PooledMatrix;
  rowsTotal: number;
  row0: number;
}

/** Serves requests until told to exit. Call once in the worker with the init message. */
export function serveWorker(init: WorkerInit, port: WorkerPort): void {
  const all = new Int32Array(init.ctrl);
  const ctrl = all.subarray(init.slot * SLOT_INTS, (init.slot + 1) * SLOT_INTS);
  const errArea = new Uint8Array(init.errors, init.slot * ERR_BYTES, ERR_BYTES);
  // A failed start is reported through the error area on every request instead of killing the worker
  // (the caller blocks in Atomics.wait and would not see an 'error' event).
  let km: KernelPool | undefined;
  let initError: unknown;
  try {
    if (init.relaxed && !detectRelaxedSimd()) throw new Error('relaxed SIMD is not available in this worker');
    const pool = new KernelPool(() => new KernelModule(init.relaxed, undefined, init.flavor));
    void pool.first; // instantiate now: a failure shows on the first request
    km = pool;
  } catch (e) {
    initError = e;
  }
  const parts = new Map<number, Part>();
  const shared = new Map<number, OpsExports>();
  const ctrlF32 = new Float32Array(init.ctrl, init.slot * SLOT_INTS * 4, SLOT_INTS);
  let x: Float32Array<ArrayBufferLike> = new Float32Array(0);
  let out: Float32Array<ArrayBufferLike> = new Float32Array(0);
  let seen = 0; // the caller may have announced requests before this worker started

  const fail = (e: unknown) => {
    const msg = new TextEncoder().encode(String((e as Error)?.message ?? e)).subarray(0, ERR_BYTES);
    errArea.set(msg);
    Atomics.store(ctrl, ERR_LEN, msg.length);
  };
  const ack = () => publish(ctrl, DONE, seen, CALLER_SLEEPS);

  const handle = (req: WorkerRequest) => {
    try {
      if (initError !== undefined && req.kind !== 'exit') throw initError;
      if (req.kind === 'buffers') {
        x = new Float32Array(req.x);
        out = new Float32Array(req.out);
      } else if (req.kind === 'prepare') {
        let m: PooledMatrix;
        try {
          m = km!.pack(req.type, req.rows, req.cols, req.data);
        } catch (e) {
          // named here: the caller learns of it later (it does not wait for each prepare)
          throw new Error(`preparing ${req.name ?? `matrix ${req.id}`}: ${(e as Error)?.message ?? e}`);
        }
        parts.set(req.id, { m, rowsTotal: req.rowsTotal, row0: req.row0 });
      } else if (req.kind === 'share') {
        shared.set(req.id, instantiateOpsShared(req.memory));
      } else if (req.kind === 'exit') {
        ack();
        port.close();
        return;
      }
    } catch (e) {
      fail(e);
    }
    ack();
    loop();
  };

  /** Runs commands from the control block; returns to the event loop on CMD_MESSAGE. */
  function loop(): void {
    for (;;) {
      seen = waitChange(ctrl, SEQ, seen, WORKER_SLEEPS, IDLE_SPIN_MS);
      const cmd = Atomics.load(ctrl, CMD);
      if (cmd === CMD_MESSAGE) return; // the posted request arrives through port.onRequest
      if (cmd === CMD_MATMUL) {
        try {
          const p = parts.get(Atomics.load(ctrl, ARG_ID));
          if (!p) throw new Error(`kernel worker ${init.slot}: unknown matrix id ${ctrl[ARG_ID]}`);
          const n = Atomics.load(ctrl, ARG_N);
          p.m.km.matmul(p.m.m, x, n, out, p.rowsTotal, p.row0);
        } catch (e) {
          fail(e);
        }
      }
      if (cmd === CMD_ATTEND) {
        try {
          runAttend();
        } catch (e) {
          fail(e);
        }
      }
      ack();
    }
  }

  /** Runs the attention kernel whose arguments the caller left in the slot (see putAttendArgs). */
  const attendArgs: number[] = new Array(ATTEND_ARGS - 1).fill(0);
  function runAttend(): void {
    const id = getAttendArgs(ctrl, ctrlF32, attendArgs);
    const ex = shared.get(id);
    if (!ex) throw new Error(`kernel worker ${init.slot}: unknown shared memory ${id}`);
    runAttendKernel(ex, attendArgs);
  }

  port.onRequest(handle);
  loop();
}
