// Turns argv into `{ _: positionals, flag: value }` for commands whose modules read flags by name.

/** `--a b` → {a: 'b'}; `--flag` → {flag: true}; `--a=b`; repeated flags become arrays. */
export function looseArgs(argv: string[]): { _: string[] } & Record<string, unknown> {
  const out: { _: string[] } & Record<string, unknown> = { _: [] };
  const set = (k: string, v: unknown) => {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out._.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) set(a.slice(2, eq), a.slice(eq + 1));
      else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) set(a.slice(2), argv[++i]);
      else set(a.slice(2), true);
    } else if (a.startsWith('-') && a.length === 2 && i + 1 < argv.length) set(a.slice(1), argv[++i]);
    else out._.push(a);
  }
  return out;
}
