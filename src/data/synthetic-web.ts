// Deterministic synthetic web-text generator (educational pages, spam, near-duplicates) for tests and benchmarks.

/** Small seeded PRNG (xorshift32). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const NOUNS =
  `river mountain cell plant animal planet star number fraction angle triangle circle map country city
village farmer teacher student scientist engineer doctor bridge tower engine machine battery magnet wire light sound
wave ocean island forest desert volcano glacier cloud storm rain seed flower root leaf tree insect bird fish whale
bone muscle heart lung brain blood molecule atom element metal crystal rock mineral soil fossil dinosaur language
poem story novel letter alphabet sentence paragraph library museum history empire king queen war treaty market
coin price trade ship harbor road wheel clock calendar season month moon sun orbit gravity force energy heat ice
steam pressure volume mass weight length area shape pattern equation graph table chart experiment result theory
question answer method tool hammer lever pulley ramp screw computer program code network signal message picture
song instrument drum guitar violin painting color museum garden kitchen recipe bread cheese milk grain rice wheat`.split(
    /\s+/,
  );
const ADJS =
  `small large bright dark warm cold heavy light quick slow careful simple complex ancient modern natural
important useful common rare strong weak curious patient young old green blue red golden silver wooden round narrow
wide deep shallow early late quiet loud gentle clever famous local distant hidden clear`.split(/\s+/);
const VERBS =
  `explains shows measures builds carries changes protects follows describes compares records collects
connects divides multiplies observes predicts creates moves holds reflects absorbs produces needs uses finds tests
studies draws writes reads counts sorts mixes heats cools balances supports`.split(/\s+/);
const ADVS =
  `in the morning|during the summer|after a long journey|with great care|for many years|in the classroom|near the
coast|under the microscope|at the top of the hill|before the storm|in every season|on a clear night|inside the
laboratory|across the valley|with a simple tool|at the end of the lesson`
    .split('|')
    .map((s) => s.replace(/\s+/g, ' '));
const CONNECT = [
  'Because of this,',
  'For example,',
  'In addition,',
  'As a result,',
  'However,',
  'This means that',
  'Later,',
  'Finally,',
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

/** One varied English sentence built from a small grammar. */
export function sentence(r: () => number): string {
  const np = () => `the ${r() < 0.6 ? `${pick(r, ADJS)} ` : ''}${pick(r, NOUNS)}`;
  let s = `${np()} ${pick(r, VERBS)} ${np()}`;
  if (r() < 0.7) s += ` ${pick(r, ADVS)}`;
  if (r() < 0.4) s += ` and ${pick(r, VERBS)} ${np()} with ${np()}`;
  if (r() < 0.3) s = `${pick(r, CONNECT)} ${s}`;
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
}

/** A paragraph of `n` sentences. */
export function paragraph(r: () => number, n: number): string {
  return Array.from({ length: n }, () => sentence(r)).join(' ');
}

/** An "educational page": a heading and several paragraphs (passes the default heuristic filters). */
export function educationalPage(r: () => number, paragraphs = 4): string {
  const topic = `${pick(r, ADJS)} ${pick(r, NOUNS)}`;
  const parts = [`How the ${topic} works`];
  for (let i = 0; i < paragraphs; i++) parts.push(paragraph(r, 4 + Math.floor(r() * 4)));
  return parts.join('\n\n');
}

/** Copy of `text` with a fraction `p` of words replaced (a near-duplicate). */
export function perturb(r: () => number, text: string, p: number): string {
  return text
    .split(' ')
    .map((w) => (r() < p ? pick(r, NOUNS) : w))
    .join(' ');
}

/** Synthetic corpus of roughly `bytes` characters as JSONL lines (mostly good pages, some spam and dupes). */
export function* syntheticJsonl(seed: number, bytes: number): Generator<string> {
  const r = seededRandom(seed);
  let n = 0;
  let size = 0;
  let prev = '';
  while (size < bytes) {
    const kind = r();
    let text: string;
    if (kind < 0.05 && prev) text = perturb(r, prev, 0.03);
    else if (kind < 0.1) text = Array.from({ length: 12 }, () => 'Buy cheap watches online now').join('\n');
    else text = educationalPage(r, 3 + Math.floor(r() * 5));
    prev = text;
    const line = `${JSON.stringify({ id: `syn-${seed}-${n++}`, text, url: `https://example.org/page/${n}` })}\n`;
    size += line.length;
    yield line;
  }
}
