// Progress line on stderr: tasks done, documents, docs/s and ETA.

/** Tracks progress and renders a one-line status at most every `intervalMs`. */
export class Progress {
  private docs = 0;
  private done = 0;
  private readonly t0 = performance.now();
  private last = 0;
  constructor(
    private readonly total: number,
    private readonly enabled: boolean,
    private readonly label = 'data',
    private readonly intervalMs = 1000,
  ) {}
  /** Count documents read. */
  addDocs(n: number): void {
    this.docs += n;
    this.render(false);
  }
  /** Count a finished task (one phase of one shard). */
  taskDone(): void {
    this.done++;
    this.render(true);
  }
  /** Current rate in docs/s. */
  rate(): number {
    const s = (performance.now() - this.t0) / 1000;
    return s > 0 ? this.docs / s : 0;
  }
  private render(force: boolean): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (!force && now - this.last < this.intervalMs) return;
    this.last = now;
    const el = (now - this.t0) / 1000;
    const eta = this.done > 0 ? (el / this.done) * (this.total - this.done) : Number.NaN;
    const fmt = (s: number) =>
      Number.isFinite(s) ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : '?';
    const line = `[${this.label}] tasks ${this.done}/${this.total} | ${this.docs} docs | ${this.rate().toFixed(0)} docs/s | elapsed ${fmt(el)} | ETA ${fmt(eta)}`;
    process.stderr.write(process.stderr.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  }
  /** Finish the line. */
  end(): void {
    if (this.enabled && process.stderr.isTTY) process.stderr.write('\n');
  }
}
