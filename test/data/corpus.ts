// Test corpus builder: good educational pages plus planted bad documents, each with the drop it should get.
import { HELDOUT_TEXT } from '../../src/data/langid/samples.js';
import { educationalPage, seededRandom } from '../../src/data/synthetic-web.js';

export interface Planted {
  id: string;
  text: string;
  url?: string;
  /** `stage:reason` expected, or null for documents that must be kept. */
  expect: string | null;
}

export const MMLU_QUESTION =
  'Which of the following best explains why the seasons change on Earth over the course of a year';
export const MMLU_CSV = `"${MMLU_QUESTION}?","The distance to the Sun changes","The tilt of the axis","The Moon's orbit","Solar flares",B\n"What is the boiling point of water at sea level in degrees Celsius?","90","100","110","120",B\n`;

const ADJ = ['red', 'big', 'odd', 'tiny', 'wet', 'dry', 'old', 'new', 'shy', 'calm'];
const NOUN = ['frog', 'lamp', 'desk', 'kite', 'boat', 'cake', 'drum', 'fern', 'goat', 'harp', 'iris', 'jade'];
const VERB = ['eats', 'sees', 'hits', 'digs', 'gets', 'holds', 'lifts', 'finds'];

/** Build the planted corpus; `shards` lists of documents. */
export function plantedCorpus(): Planted[][] {
  const r = seededRandom(2024);
  const good = Array.from({ length: 14 }, (_, i) => ({
    id: `good-${i}`,
    text: educationalPage(r, 4),
    url: `https://learn.example/${i}`,
    expect: null,
  }));
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)] as T;
  const shortLines = Array.from(
    { length: 24 },
    () => `The ${pick(ADJ)} ${pick(NOUN)} ${pick(VERB)} the ${pick(NOUN)}.`,
  );
  const base = good[0] as Planted;
  const words = base.text.split(' ');
  const near = [...words];
  near[40] = 'zeppelin';
  near[120] = 'harmonica';
  const html = `<!doctype html><html><head><title>Rivers</title></head><body><nav><a href="/">Home</a></nav><article><h1>How rivers shape valleys</h1>${educationalPage(
    r,
    4,
  )
    .split('\n\n')
    .slice(1)
    .map((p) => `<p>${p}</p>`)
    .join('')}</article><footer>Copyright 2024</footer></body></html>`;
  const bad: Planted[] = [
    {
      id: 'spam-url',
      text: educationalPage(r, 3),
      url: 'https://deals.example/casino-bonus',
      expect: 'url_filter:url_banned_word',
    },
    {
      id: 'german',
      text: [
        ...(HELDOUT_TEXT.de as string[]),
        ...(HELDOUT_TEXT.de as string[]).map((s) => s.replace('Der', 'Ein')),
      ].join(' '),
      url: 'https://de.example/a',
      expect: 'language:lang_de',
    },
    {
      id: 'repeated-lines',
      text: Array.from({ length: 15 }, () => 'Buy cheap watches online now and save big today.').join('\n'),
      url: 'https://shop.example/w',
      expect: 'gopher_repetition:dup_line_frac',
    },
    {
      id: 'too-short',
      text: educationalPage(r, 1).split('\n\n')[1]?.split('. ').slice(0, 3).join('. ') ?? '',
      url: 'https://learn.example/short',
      expect: 'gopher_quality:gopher_short_doc',
    },
    {
      id: 'lorem',
      text: `${educationalPage(r, 3)}\nLorem ipsum dolor sit amet, consectetur adipiscing elit.`,
      url: 'https://lorem.example/',
      expect: 'c4:lorem_ipsum',
    },
    {
      id: 'cookie-wall',
      text: [
        'This site uses cookies to give you the best experience and to measure traffic.',
        'Please enable JavaScript in your browser settings to see the rest of this page.',
        'By continuing you agree to the terms of use and to the privacy policy of the company.',
        'Read our cookie policy to learn how we and our partners use the data we collect.',
        'JavaScript is required for the shopping cart and for the search box to work.',
        'We use cookies for advertising and analytics, and you can change this at any time.',
        'The store will be back soon with many new products and deals for the whole family.',
        'Thank you for your patience while we update the catalogue and the checkout.',
      ].join('\n'),
      url: 'https://wall.example/',
      expect: 'c4:too_few_sentences',
    },
    {
      id: 'short-lines',
      text: shortLines.join('\n'),
      url: 'https://list.example/',
      expect: 'fineweb:short_line_ratio',
    },
    {
      id: 'benchmark',
      text: `${educationalPage(r, 3)}\n\n${MMLU_QUESTION}? The answer is the tilt of the axis of the planet.`,
      url: 'https://quiz.example/',
      expect: 'decontaminate:benchmark_overlap',
    },
    {
      id: 'exact-copy',
      text: base.text.replace(/ /g, '  '),
      url: 'https://mirror.example/0',
      expect: 'exact_dedup:duplicate',
    },
    {
      id: 'near-copy',
      text: near.join(' '),
      url: 'https://mirror2.example/0',
      expect: 'minhash_dedup:duplicate',
    },
  ];
  const htmlDoc: Planted = { id: 'html-good', text: html, url: 'https://rivers.example/', expect: null };
  // two shards; duplicates sit in the other shard than their original
  return [
    [...good.slice(0, 7), bad[0], bad[1], bad[2], bad[3], bad[4], htmlDoc] as Planted[],
    [...good.slice(7), bad[5], bad[6], bad[7], bad[8], bad[9]] as Planted[],
  ];
}

/** JSONL text of a shard. */
export function toJsonl(docs: Planted[]): string {
  return `${docs.map((d) => JSON.stringify({ id: d.id, text: d.text, url: d.url })).join('\n')}\n`;
}
