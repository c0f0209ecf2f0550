// Stop strings over streamed text: holds back only the tail that could still become a stop string.

/** Result of pushing text: what may be emitted now, and whether a stop string was hit. */
export interface StopPiece {
  text: string;
  stopped: boolean;
}

export class StopMatcher {
  private held = '';
  stopped = false;

  constructor(private readonly stops: string[]) {
    for (const s of stops) if (s.length === 0) throw new Error('stop strings must not be empty');
  }

  /** Adds text; returns the part that is safe to emit (never any part of a stop string). */
  push(text: string): StopPiece {
    if (this.stopped) return { text: '', stopped: true };
    if (this.stops.length === 0) return { text, stopped: false };
    const buf = this.held + text;
    let cut = -1;
    for (const s of this.stops) {
      const i = buf.indexOf(s);
      if (i >= 0 && (cut < 0 || i < cut)) cut = i;
    }
    if (cut >= 0) {
      this.stopped = true;
      this.held = '';
      return { text: buf.slice(0, cut), stopped: true };
    }
    // Hold back the longest suffix that is a prefix of some stop string.
    let hold = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, buf.length); k > hold; k--) {
        if (buf.endsWith(s.slice(0, k))) {
          hold = k;
          break;
        }
      }
    }
    this.held = buf.slice(buf.length - hold);
    return { text: buf.slice(0, buf.length - hold), stopped: false };
  }

  /** Releases held text at the end of generation. */
  flush(): string {
    const h = this.held;
    this.held = '';
    return this.stopped ? '' : h;
  }
}
