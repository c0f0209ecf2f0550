// A bounded admission gate: at most `maxRunning` jobs at once, at most `maxQueued` waiting; more → 429.
import { ApiError } from './requests.js';

export class Gate {
  running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly maxRunning: number,
    readonly maxQueued: number,
  ) {}

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `fn` when a slot is free; rejects at once when the queue is full, or when `signal` aborts while waiting. */
  async run<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxRunning) {
      if (this.waiting.length >= this.maxQueued) {
        throw new ApiError(
          429,
          `server busy: ${this.running} requests running and ${this.waiting.length} queued`,
          'rate_limit_error',
          null,
          'queue_full',
        );
      }
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal.removeEventListener('abort', cancel);
          resolve();
        };
        const cancel = () => {
          const i = this.waiting.indexOf(go);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(
            new ApiError(
              408,
              'request cancelled or timed out while queued',
              'invalid_request_error',
              null,
              'cancelled',
            ),
          );
        };
        signal.addEventListener('abort', cancel, { once: true });
        this.waiting.push(go);
      });
    }
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
