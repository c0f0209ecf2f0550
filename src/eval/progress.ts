// A one-line text progress bar for stderr (redrawn in place on a TTY, every 10% otherwise).

/** Where the bar is drawn (process.stderr fits). */
export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean;
}

/** A progress bar: `update(done, total, note)` redraws, `end()` finishes the line. */
export interface ProgressBar {
  update(done: number, total: number, note?: string): void;
  end(): void;
}

/** Creates a progress bar labelled `label` that writes to `sink`. */
export function createProgressBar(sink: ProgressSink, label: string, width = 30): ProgressBar {
  let lastDecile = -1;
  let drawn = false;
  const t0 = Date.now();
  return {
    update(done, total, note = '') {
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(frac * width);
      const secs = (Date.now() - t0) / 1000;
      const eta = done > 0 && done < total ? ` eta ${Math.round((secs / done) * (total - done))}s` : '';
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${eta}${note ? ` ${note}` : ''}`;
      if (sink.isTTY) {
        sink.write(`\r${line}\u001b[K`);
        drawn = true;
      } else {
        const decile = Math.floor(frac * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          sink.write(`${line}\n`);
        }
      }
    },
    end() {
      if (drawn) sink.write('\n');
      drawn = false;
    },
  };
}
