// Deterministic generator of the "Vessmar registry" QA set: a harder retrieval benchmark (confusable entities,
// paraphrased questions, code-keyed questions, typos) written to examples/qa-registry/ by `npx tsx src/rag/qa-synth.ts`.

import { mulberry32 as prng } from '../util/prng.js';
import type { QaItem } from './eval-qa.js';

/** One generated markdown document (path relative to the corpus folder). */
export interface SynthDoc {
  path: string;
  text: string;
}

/** Kinds of question wording, so results can be broken down by what makes them hard. */
export type QuestionForm = 'keyword' | 'paraphrase' | 'code' | 'typo';

/** A generated question: the QA item plus how it was worded and which document it was written from. */
export interface SynthQuestion extends QaItem {
  form: QuestionForm;
  /** Corpus path of the document the fact comes from. */
  doc: string;
}

/** The generated corpus and questions. */
export interface SynthQa {
  docs: SynthDoc[];
  questions: SynthQuestion[];
}

const FIRST =
  'Ilsa Marten Oskar Brannoch Edda Corvin Halla Joram Tamsin Wendel Ysolde Anselm Brisca Daved Elowen Fenn Gisla Hollis Ivo Jessamy Kasimir Liesl Mabon Nerys Orrin Petra Quill Rosalind Sefton Tobiah'.split(
    ' ',
  );
const LAST =
  'Cordren Vask Hallowmere Brightwater Dunne Fairhook Greyling Harl Ivesby Kettleby Lorne Marrow Netherby Osterhald Penhallow Quarrie Rook Saltash Tremayne Underhill'.split(
    ' ',
  );
const PLACE_A = 'Dun Har Kes Mor Vel Ash Brin Cal Fen Gal Tor Wes'.split(' ');
const PLACE_B = 'more mere gate wick holm stead ford haven'.split(' ');
const SHIP_A = 'Grey Red Silver Black Swift Bright Old Little Golden Wandering'.split(' ');
const SHIP_B = 'Heron Gull Otter Seal Tern Pike Cormorant Plover Curlew Kestrel Petrel Osprey'.split(' ');
const CARGO = [
  'salted cod',
  'slate roofing',
  'barrels of whale oil',
  'raw wool',
  'glass floats',
  'peat bricks',
  'kelp ash',
  'tin ingots',
  'smoked eel',
  'rope and canvas',
];
const TRADE = [
  'net-making',
  'salt panning',
  'boat building',
  'kelp burning',
  'oyster farming',
  'slate quarrying',
  'glassblowing',
  'rope walking',
  'peat cutting',
  'herring curing',
];
const FEAST_A = 'Lanterns Nets Oars Bells Kelp Gulls Tides Embers Ropes Shells Anchors Herring'.split(' ');
const FEAST_B = ['Feast', 'Fair', 'Procession', 'Vigil', 'Regatta'];
const MONTHS = 'January February March April May June July August September October November December'.split(
  ' ',
);
const ROLES = [
  'shipwright',
  'cartographer',
  'harbour pilot',
  'archivist',
  'sailmaker',
  'ferry captain',
  'lamp engineer',
  'customs officer',
];
const FEATS_V = [
  'charting',
  'dredging',
  'surveying',
  'buoying',
  'sounding',
  'mapping',
  'lighting',
  'clearing',
];
const FEATS_N =
  'Skerry Narrows|Black Sound|Gannet Shoals|Widow Reef|Long Channel|Mire Banks|Seal Gut|Rook Passage|Teller Deeps|Corran Bar|Hook Sands|Lantern Race|Maiden Stacks|Ashby Flats|Cold Harbour|Thorn Shallows|Pilgrim Rocks|Eel Sound'.split(
    '|',
  );
const CAUSES = [
  'a snapped rudder chain',
  'a fire in the galley',
  'fog over the shoals',
  'a dragged anchor',
  'a cracked mast step',
  'ice on the rigging',
  'a mistaken light',
  'a shifting cargo of slate',
];
const COLOURS = ['white', 'red', 'green'];
const NUMW = ['one', 'two', 'three', 'four', 'five'];
const FILLER = [
  'Records kept in the harbour office describe a busy season of repairs and surveys.',
  'The ledgers of the registry were copied twice, once in ink and once in the tally books of the customs house.',
  'Winter storms on the Teller Sea regularly close the northern passages for weeks at a time.',
  'Visitors arriving by the mail packet are asked to register with the harbour office on landing.',
  'Older islanders still tell stories of the great gale that flattened the sea walls.',
  'The archive at Harrowgate keeps a copy of every entry, bound by decade.',
  'Much of the coastal trade moves in small boats that never appear in any register.',
  'Fees for mooring and pilotage are set each spring by the Tide Council.',
  'Sailors on this coast prefer oak from the inland forests for keels and ribs.',
  'Several accounts disagree on the details, and the registry gives the figures from the original survey.',
];

/** The Vessmar registry world: ships, villages, people, lighthouses and incidents. */
interface World {
  people: Person[];
  villages: Village[];
  ships: Ship[];
  lights: Light[];
  incidents: Incident[];
}
interface Person {
  name: string;
  first: string;
  last: string;
  born: number;
  birthplace?: Village;
  role: string;
  feat: string;
  slug: string;
  /** What else the registry says this person does ("captain of the Grey Heron"). */
  duties: string[];
}
interface Village {
  name: string;
  founded: number;
  founder: Person;
  population: string;
  trade: string;
  feast: string;
  feastMonth: string;
  master: Person;
  slug: string;
}
interface Ship {
  name: string;
  code: string;
  captain: Person;
  tons: number;
  launched: number;
  yard: Village;
  port: Village;
  cargo: string;
  crew: number;
  slug: string;
}
interface Light {
  name: string;
  code: string;
  village: Village;
  height: number;
  signal: string;
  keeper: Person;
  lit: number;
  slug: string;
}
interface Incident {
  code: string;
  date: string;
  ship: Ship;
  light: Light;
  cause: string;
  saved: number;
  slug: string;
}

const slugify = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');

function buildWorld(r: () => number): World {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const shuffle = <T>(xs: T[]): T[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  };
  const uniq = new Set<string>();
  const fresh = (f: () => string) => {
    for (let tries = 0; tries < 100_000; tries++) {
      const s = f();
      if (!uniq.has(s)) {
        uniq.add(s);
        return s;
      }
    }
    throw new Error('synthQa: ran out of distinct names (a list is too short)');
  };
  const people: Person[] = Array.from({ length: 120 }, () => {
    const name = fresh(() => `${pick(FIRST)} ${pick(LAST)}`);
    const [first, last] = name.split(' ') as [string, string];
    return {
      name,
      first,
      last,
      born: int(1640, 1760),
      role: pick(ROLES),
      feat: fresh(() => `${pick(FEATS_V)} the ${pick(FEATS_N)}`),
      slug: slugify(name),
      duties: [],
    };
  });
  const pool = shuffle([...people]);
  let pi = 0;
  const nextPerson = () => pool[pi++ % pool.length]!;
  const villages: Village[] = Array.from({ length: 24 }, () => {
    const name = fresh(() => `${pick(PLACE_A)}${pick(PLACE_B)}`);
    return {
      name,
      founded: int(1520, 1700),
      founder: nextPerson(),
      population: int(300, 9800).toLocaleString('en-US'),
      trade: pick(TRADE),
      feast: fresh(() => `${pick(FEAST_B)} of ${pick(FEAST_A)}`),
      feastMonth: pick(MONTHS),
      master: nextPerson(),
      slug: slugify(name),
    };
  });
  for (const p of people) p.birthplace = pick(villages);
  // hull numbers come in confusable families: permutations of the same four digits
  const bases = Array.from({ length: 16 }, () => {
    for (;;) {
      const b = String(int(1000, 9999));
      // four distinct digits (24 permutations), and no two families alike
      const family = `digits:${[...b].sort().join('')}`;
      if (new Set(b).size === 4 && !uniq.has(family)) {
        uniq.add(family);
        return b;
      }
    }
  });
  const perm = (s: string) => shuffle(s.split('')).join('');
  const ships: Ship[] = Array.from({ length: 48 }, (_, i) => {
    const name = fresh(() => `${pick(SHIP_A)} ${pick(SHIP_B)}`);
    const code = fresh(() => `VH-${i < 16 ? bases[i]! : perm(bases[i % 16]!)}`);
    return {
      name,
      code,
      captain: nextPerson(),
      tons: int(60, 980),
      launched: int(1660, 1790),
      yard: pick(villages),
      port: pick(villages),
      cargo: pick(CARGO),
      crew: int(6, 64),
      slug: slugify(name),
    };
  });
  const lights: Light[] = Array.from({ length: 18 }, (_, i) => {
    const village = villages[i]!;
    const n = int(1, 5);
    return {
      name: `${village.name} ${pick(['Point', 'Head', 'Rock', 'Ness'])} Light`,
      code: fresh(() => `LT-${int(100, 999)}`),
      village,
      height: int(9, 61),
      signal: fresh(
        () =>
          `${NUMW[n - 1]} ${pick(COLOURS)} flash${n > 1 ? 'es' : ''} every ${pick([5, 6, 8, 10, 12, 15, 20, 30])} seconds`,
      ),
      keeper: nextPerson(),
      lit: int(1690, 1800),
      slug: slugify(`${village.name}-light`),
    };
  });
  const incidents: Incident[] = Array.from({ length: 36 }, () => {
    const year = int(1740, 1805);
    const code = fresh(() => `INC-${year}-${String(int(1, 40)).padStart(2, '0')}`);
    return {
      code,
      date: `${int(1, 28)} ${pick(MONTHS)} ${year}`,
      ship: pick(ships),
      light: pick(lights),
      cause: pick(CAUSES),
      saved: int(2, 60),
      slug: slugify(code),
    };
  });
  for (const v of villages) {
    v.founder.duties.push(`founder of ${v.name}`);
    v.master.duties.push(`harbour master of ${v.name}`);
  }
  for (const s of ships) s.captain.duties.push(`captain of the ${s.name}`);
  for (const l of lights) l.keeper.duties.push(`keeper of the ${l.name}`);
  return { people, villages, ships, lights, incidents };
}

/** Swaps two inner letters of the longest word (≥ 5 letters) of `s`, or returns null. */
function typo(s: string, r: () => number): string | null {
  const words = [...s.matchAll(/\p{L}{5,}/gu)];
  if (words.length === 0) return null;
  const w = words.reduce((a, b) => (b[0].length > a[0].length ? b : a));
  const i = 1 + Math.floor(r() * (w[0].length - 3));
  const t = w[0].slice(0, i) + w[0][i + 1] + w[0][i] + w[0].slice(i + 2);
  return s.slice(0, w.index) + t + s.slice(w.index! + w[0].length);
}

/** A fact: sentences stating it (one is used), and questions asking for it by form. */
interface Fact {
  answer: string;
  /** The key the questions name (entity name or code): the evidence must mention it too. */
  key: string;
  keyword: string;
  paraphrase: string;
  code?: string;
}

/**
 * Generates the Vessmar registry corpus and questions from a seed. Every answer occurs verbatim in its
 * document; a question is kept only if each paragraph holding its answer also names its key (entity or
 * code), so recall@k cannot be earned by an unrelated chunk that happens to contain the answer string.
 */
export function synthQa(seed = 20261127): SynthQa {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const w = buildWorld(r);
  const docs: SynthDoc[] = [];
  const facts: { doc: string; fact: Fact }[] = [];
  const filler = (n: number) => Array.from({ length: n }, () => pick(FILLER)).join(' ');
  const other = <T>(xs: T[], not: T) => {
    for (;;) {
      const x = pick(xs);
      if (x !== not) return x;
    }
  };

  for (const s of w.ships) {
    const path = `ships/${s.slug}.md`;
    const sister = other(w.ships, s);
    const lede = pick([
      `The ${s.name} (hull number ${s.code}) is a coastal trader registered at ${s.port.name}.`,
      `Registered at ${s.port.name}, the ${s.name} carries hull number ${s.code}.`,
    ]);
    const captainS = pick([
      `She is commanded by Captain ${s.captain.name}.`,
      `Her master is Captain ${s.captain.name}, who took command after a long apprenticeship.`,
    ]);
    const tonsS = pick([
      `The ${s.name} is rated at ${s.tons} tons burden.`,
      `Her registered burden is ${s.tons} tons.`,
      `The survey of ${s.code} gives a burden of ${s.tons} tons.`,
    ]);
    const launchS = pick([
      `She was launched at the ${s.yard.name} yard in ${s.launched}.`,
      `Hull ${s.code} was launched at the ${s.yard.name} yard in ${s.launched}.`,
    ]);
    const crewS = pick([
      `She sails with a crew of ${s.crew} hands.`,
      `A complement of ${s.crew} hands works ${s.code}.`,
    ]);
    const text = `# ${s.name}\n\n${lede} ${captainS}\n\n## Build\n\n${launchS} ${tonsS} ${filler(2)}\n\n## Service\n\n${crewS} Her usual cargo is ${s.cargo}, carried between ${s.port.name} and ${other(w.villages, s.port).name}. She is often confused with the ${sister.name} (${sister.code}), which works the same waters. ${filler(3)}\n\n## Notes\n\n${filler(4)}\n`;
    docs.push({ path, text });
    const add = (fact: Fact) => facts.push({ doc: path, fact });
    add({
      answer: s.captain.name,
      key: s.name,
      keyword: `Who is the captain of the ${s.name}?`,
      paraphrase: pick([
        `Who is the skipper of the ${s.name}?`,
        `Which officer is in charge aboard the ${s.name}?`,
      ]),
      code: `Who commands vessel ${s.code}?`,
    });
    add({
      answer: s.code,
      key: s.name,
      keyword: `What is the hull number of the ${s.name}?`,
      paraphrase: `Which registration mark identifies the ${s.name}?`,
    });
    add({
      answer: `${s.tons} tons`,
      key: s.name,
      keyword: `What is the registered burden of the ${s.name}?`,
      paraphrase: `How big a load can the ${s.name} take, by weight?`,
      code: `What burden is ${s.code} rated at?`,
    });
    add({
      answer: String(s.launched),
      key: s.name,
      keyword: `In what year was the ${s.name} launched?`,
      paraphrase: `When did the ${s.name} first take to the water?`,
      code: `What year was ${s.code} launched?`,
    });
    add({
      answer: `${s.crew} hands`,
      key: s.name,
      keyword: `How large is the crew of the ${s.name}?`,
      paraphrase: `How many sailors does it take to work the ${s.name}?`,
      code: `How many hands sail on ${s.code}?`,
    });
  }

  for (const v of w.villages) {
    const path = `villages/${v.slug}.md`;
    const foundedS = pick([
      `${v.name} was founded in ${v.founded} by ${v.founder.name}.`,
      `The settlement of ${v.name} dates from ${v.founded}, when ${v.founder.name} built the first quay.`,
    ]);
    const popS = `The last census counted ${v.population} residents in ${v.name}.`;
    const tradeS = `Its chief trade is ${v.trade}.`;
    const feastS = `Every ${v.feastMonth} the village holds the ${v.feast}, when boats are blessed at the quay.`;
    const masterS = `The harbour master of ${v.name} is ${v.master.name}.`;
    const text = `# ${v.name}\n\n${foundedS} ${tradeS}\n\n## People\n\n${popS} ${masterS} ${filler(3)}\n\n## Customs\n\n${feastS} ${filler(3)}\n\n## Neighbours\n\n${v.name} trades with ${other(w.villages, v).name} and ${other(w.villages, v).name}. ${filler(3)}\n`;
    docs.push({ path, text });
    const add = (fact: Fact) => facts.push({ doc: path, fact });
    add({
      answer: v.founder.name,
      key: v.name,
      keyword: `Who founded ${v.name}?`,
      paraphrase: `Whose settlement grew into the village of ${v.name}?`,
    });
    add({
      answer: String(v.founded),
      key: v.name,
      keyword: `When was ${v.name} founded?`,
      paraphrase: `How old is ${v.name} — in which year did it begin?`,
    });
    add({
      answer: v.population,
      key: v.name,
      keyword: `What is the population of ${v.name}?`,
      paraphrase: `How many people live in ${v.name}?`,
    });
    add({
      answer: v.feast,
      key: v.name,
      keyword: `Which festival does ${v.name} hold?`,
      paraphrase: `What celebration takes place in ${v.name} each year?`,
    });
    add({
      answer: v.master.name,
      key: v.name,
      keyword: `Who is the harbour master of ${v.name}?`,
      paraphrase: `Who runs the port at ${v.name}?`,
    });
  }

  for (const p of w.people) {
    const path = `people/${p.slug}.md`;
    const text = `# ${p.name}\n\n${p.name} (born ${p.born} in ${p.birthplace!.name}) is a ${p.role} of the Vessmar islands, best known for ${p.feat}.${p.duties.length ? ` The registry lists ${p.first} ${p.last} as ${p.duties.join(' and ')}.` : ''}\n\n## Life\n\nLike many from ${p.birthplace!.name}, ${p.first} went to sea young. ${filler(3)}\n\n## Work\n\n${p.last}'s survey notes are kept in the archive. ${filler(3)}\n`;
    docs.push({ path, text });
    const add = (fact: Fact) => facts.push({ doc: path, fact });
    add({
      answer: String(p.born),
      key: p.name,
      keyword: `In what year was ${p.name} born?`,
      paraphrase: `What is the birth year of ${p.name}?`,
    });
    add({
      answer: p.feat,
      key: p.name,
      keyword: `What is ${p.name} best known for?`,
      paraphrase: `What made ${p.name} famous?`,
    });
  }

  for (const l of w.lights) {
    const path = `lights/${l.slug}.md`;
    const text = `# ${l.name}\n\n${l.name} (station ${l.code}) stands above the harbour of ${l.village.name}. Its tower is ${l.height} metres tall and it was first lit in ${l.lit}.\n\n## Signal\n\n${pick(['The light', `Station ${l.code}`])} shows ${l.signal}. ${filler(2)}\n\n## Keepers\n\nThe present keeper ${pick(['', `of ${l.code} `])}is ${l.keeper.name}. ${filler(3)}\n`;
    docs.push({ path, text });
    const add = (fact: Fact) => facts.push({ doc: path, fact });
    add({
      answer: l.signal,
      key: l.name,
      keyword: `What signal does the ${l.name} show?`,
      paraphrase: `How can a sailor recognise the ${l.name} at night?`,
      code: `What is the light pattern of station ${l.code}?`,
    });
    add({
      answer: `${l.height} metres`,
      key: l.name,
      keyword: `How tall is the tower of the ${l.name}?`,
      paraphrase: `What is the height of the ${l.name}?`,
      code: `How tall is station ${l.code}?`,
    });
    add({
      answer: l.keeper.name,
      key: l.name,
      keyword: `Who is the keeper of the ${l.name}?`,
      paraphrase: `Who tends the lamp at the ${l.name}?`,
      code: `Who keeps station ${l.code}?`,
    });
  }

  for (const n of w.incidents) {
    const path = `incidents/${n.slug}.md`;
    const text = `# Incident ${n.code}\n\nOn ${n.date} the ${n.ship.name} (${n.ship.code}) came to grief near the ${n.light.name}. The inquiry found the cause to be ${n.cause}.\n\n## Outcome\n\n${n.saved} people were brought ashore by the ${n.light.village.name} boats. ${filler(3)}\n`;
    docs.push({ path, text });
    const add = (fact: Fact) => facts.push({ doc: path, fact });
    add({
      answer: n.date,
      key: n.code,
      keyword: `On what date did incident ${n.code} happen?`,
      paraphrase: `When did the mishap recorded as ${n.code} take place?`,
    });
    add({
      answer: n.cause,
      key: n.code,
      keyword: `What was the cause of incident ${n.code}?`,
      paraphrase: `Why did the accident filed under ${n.code} happen?`,
    });
  }

  // registry tables: every ship's code, port and captain in one place (confusable rows, long chunks)
  for (let part = 0; part * 12 < w.ships.length; part++) {
    const rows = w.ships
      .slice(part * 12, part * 12 + 12)
      .map((s) => `| ${s.code} | ${s.name} | ${s.port.name} | ${s.captain.name} |`);
    docs.push({
      path: `registry/vessels-${part + 1}.md`,
      text: `# Register of vessels, part ${part + 1}\n\n| Hull | Name | Port | Master |\n|---|---|---|---|\n${rows.join('\n')}\n`,
    });
  }

  // Keep a fact only when every paragraph (with its document title) that contains the answer also
  // names the key: otherwise a chunk could be credited for an answer string it holds by coincidence.
  const norm = (s: string) =>
    ` ${s
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim()} `;
  const paras = docs.flatMap((d) => {
    const title = d.text.split('\n', 1)[0]!;
    return d.text.split(/\n\n+/).map((p) => norm(`${title} ${p}`));
  });
  const questions: SynthQuestion[] = [];
  const forms: QuestionForm[] = ['keyword', 'paraphrase', 'code', 'typo'];
  let qi = 0;
  for (const { doc, fact } of facts) {
    const a = norm(fact.answer);
    const k = norm(fact.key);
    if (paras.some((p) => p.includes(a) && !p.includes(k))) continue;
    // rotate through the forms; a code wording only where the code sits next to the answer (one hop)
    let form = forms[qi % forms.length]!;
    const code = fact.code?.match(/\b(?:VH|LT|INC)-[\d-]+/)?.[0];
    if (form === 'code' && !(code && paras.some((p) => p.includes(a) && p.includes(norm(code)))))
      form = 'paraphrase';
    let question = form === 'keyword' ? fact.keyword : form === 'code' ? fact.code! : fact.paraphrase;
    if (form === 'typo') {
      const base = r() < 0.5 ? fact.keyword : fact.paraphrase;
      question = typo(base, r) ?? base;
    }
    qi++;
    questions.push({
      id: `r${String(questions.length + 1).padStart(3, '0')}`,
      question,
      answers: [fact.answer],
      form,
      doc,
    });
  }

  // unanswerable: the same wordings about ships, villages and people the registry does not hold
  const names = new Set([...w.ships.map((s) => s.name), ...w.villages.map((v) => v.name)]);
  const people = new Set(w.people.map((p) => p.name));
  const missing: string[] = [];
  for (const a of SHIP_A)
    for (const b of SHIP_B) if (!names.has(`${a} ${b}`) && missing.length < 10) missing.push(`${a} ${b}`);
  const ghosts = missing.flatMap((s, i) => [
    i % 2 ? `Who is the captain of the ${s}?` : `What is the registered burden of the ${s}?`,
  ]);
  for (const a of PLACE_A.slice().reverse())
    for (const b of PLACE_B)
      if (!names.has(a + b) && ghosts.length < 20)
        ghosts.push(ghosts.length % 2 ? `Who founded ${a}${b}?` : `What is the population of ${a}${b}?`);
  for (const f of FIRST)
    for (const l of LAST.slice().reverse())
      if (!people.has(`${f} ${l}`) && ghosts.length < 30 && (f.length + l.length) % 5 === 0)
        ghosts.push(`In what year was ${f} ${l} born?`);
  for (const q of ghosts)
    questions.push({
      id: `r${String(questions.length + 1).padStart(3, '0')}`,
      question: q,
      answers: [],
      form: 'keyword',
      doc: '',
    });
  return { docs, questions };
}

/** The QA set as JSONL lines (`{id, question, answers, form}`), as written to qa.jsonl. */
export function synthQaJsonl(q: SynthQa): string {
  return q.questions
    .map((x) => JSON.stringify({ id: x.id, question: x.question, answers: x.answers, form: x.form }))
    .join('\n')
    .concat('\n');
}

/** Writes the corpus (`corpus/…`) and `qa.jsonl` under `dir` (Node only). */
export async function writeSynthQa(dir: string, seed?: number): Promise<SynthQa> {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { dirname, join } = await import('node:path');
  const q = synthQa(seed);
  for (const d of q.docs) {
    const p = join(dir, 'corpus', d.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, d.text);
  }
  writeFileSync(join(dir, 'qa.jsonl'), synthQaJsonl(q));
  return q;
}

if (typeof process !== 'undefined' && process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? new URL('../../examples/qa-registry/', import.meta.url).pathname;
  const q = await writeSynthQa(dir);
  console.log(
    `wrote ${q.docs.length} documents and ${q.questions.length} questions to ${dir} (${q.questions.filter((x) => x.answers.length === 0).length} unanswerable)`,
  );
}
