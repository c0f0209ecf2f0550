// Waiting on a shared counter: spin briefly (µs), then sleep in Atomics.wait (≈200 µs per round trip here).

/**
 * Waits until `a[index] !== old` (returns the new value). Spins about `spinMs` milliseconds first, then
 * raises `a[sleepFlag]` and sleeps; the writer notifies when it sees the flag.
 */
export function waitChange(
  a: Int32Array,
  index: number,
  old: number,
  sleepFlag: number,
  spinMs: number,
): number {
  let v = Atomics.load(a, index);
  if (v !== old) return v;
  const deadline = performance.now() + spinMs;
  for (let i = 1; ; i++) {
    v = Atomics.load(a, index);
    if (v !== old) return v;
    if ((i & 1023) === 0 && performance.now() > deadline) break;
  }
  for (;;) {
    Atomics.store(a, sleepFlag, 1);
    v = Atomics.load(a, index);
    if (v !== old) {
      Atomics.store(a, sleepFlag, 0);
      return v;
    }
    Atomics.wait(a, index, old, 1000);
    Atomics.store(a, sleepFlag, 0);
    v = Atomics.load(a, index);
    if (v !== old) return v;
  }
}

/** Sets `a[index] = value` and wakes the other side if it sleeps (flag `a[sleepFlag]`). */
export function publish(a: Int32Array, index: number, value: number, sleepFlag: number): void {
  Atomics.store(a, index, value);
  if (Atomics.load(a, sleepFlag) !== 0) Atomics.notify(a, index);
}
