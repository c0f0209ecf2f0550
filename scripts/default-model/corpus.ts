// Procedural English corpus for the default model: children's stories, school paragraphs, textbook lessons and web-like noise.
import { mulberry32 } from '../../src/util/prng.js';

/** One generated document (the data toolkit's JSONL shape). */
export interface CorpusDoc {
  id: string;
  text: string;
  url: string;
  metadata: { kind: string; synthetic?: boolean };
}

/** mulberry32: deterministic floats in [0, 1) for a seed. */
export const rng = mulberry32;

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const w = (s: string): string[] => s.trim().split(/\s*\|\s*/);

const GIRLS = w(
  'Lily|Mia|Sara|Emma|Anna|Lucy|Zoe|Ella|Nina|Rosa|Amy|Kate|Maya|Ruby|Jane|Sophie|Grace|Ivy|Hannah|Clara',
);
const BOYS = w(
  'Tom|Ben|Sam|Max|Leo|Jack|Tim|Noah|Finn|Oscar|Jake|Luke|Owen|Eli|Adam|Theo|Pete|Dan|Hugo|Milo',
);
const ANIMALS = w(
  'cat|dog|rabbit|bear|fox|mouse|duck|frog|owl|turtle|squirrel|pig|horse|lion|elephant|bird|puppy|kitten|goat|hen',
);
const ADJ_ANIMAL = w(
  'little|small|brave|friendly|shy|happy|sleepy|fluffy|curious|kind|tiny|young|clever|gentle',
);
const PLACES = w(
  'a small house near the woods|a little village by the sea|a big farm|a quiet town|a cozy house on a hill|a green forest|a sunny garden|a busy city|a tall tree in the park|a house next to a river',
);
const TOYS = w(
  'red ball|blue kite|toy car|teddy bear|shiny stone|little boat|yellow hat|big box|old book|new drum',
);
const PARK = w(
  'the park|the garden|the beach|the forest|the lake|the hill|the field|the school|the river|the zoo',
);
const FEEL_GOOD = w('happy|glad|proud|excited|thankful|calm|cheerful');
const FEEL_BAD = w('sad|scared|worried|upset|lonely|tired|cross');
const WEATHER = w(
  'the sun was shining|it was a rainy morning|the wind was blowing|the sky was blue|it was a cold winter day|the leaves were falling|it was a warm summer day|snow covered the ground',
);
const PROBLEMS = [
  'could not find {pos} {toy}',
  'saw that {pos} {toy} was stuck in a tree',
  'wanted to play but it started to rain',
  'dropped {pos} {toy} into the water',
  'found a bird with a hurt wing',
  'got lost on the way home',
  'wanted to climb the big hill but was too small',
  'broke {pos} {toy} by mistake',
  'was afraid of the dark',
  'did not want to share {pos} {toy}',
];
const HELPERS = w(
  'mom|dad|grandma|grandpa|a kind friend|an old owl|the teacher|a big brother|a wise turtle|a little sister',
);
const LESSONS = w(
  'it is good to share with friends|friends help each other|being kind makes everyone happy|it is brave to ask for help|we should always say thank you|it is important to be patient|trying again is the best way to learn|telling the truth is always right',
);
const ENDINGS = w(
  'From that day on, {name} and {friend} were the best of friends.|That night, {name} went to sleep with a big smile.|{name} never forgot that day.|And they all lived happily ever after.|The next day, they played together again.|{name} learned that {lesson}.',
);

function storyCast(r: R) {
  const girl = r() < 0.5;
  const animal = r() < 0.35;
  const a = pick(r, ANIMALS);
  const name = animal
    ? `${pick(r, ADJ_ANIMAL)} ${a} named ${pick(r, girl ? GIRLS : BOYS)}`
    : pick(r, girl ? GIRLS : BOYS);
  const short = animal ? name.split(' named ')[1] : name;
  return {
    intro: animal
      ? `a ${name}`
      : `a ${pick(r, ['little', 'young', 'kind', 'happy', 'curious'])} ${girl ? 'girl' : 'boy'} named ${name}`,
    name: short as string,
    he: girl ? 'she' : 'he',
    pos: girl ? 'her' : 'his',
    him: girl ? 'her' : 'him',
  };
}

function fill(s: string, v: Record<string, string>): string {
  return s.replace(/\{(\w+)\}/g, (_, k: string) => v[k] ?? k);
}

/** A short children's story, 6–14 sentences, "Once upon a time" or another opening. */
export function story(r: R): string {
  const c = storyCast(r);
  const friendGirl = r() < 0.5;
  let friend =
    r() < 0.5
      ? `${pick(r, ['a', 'a little', 'a friendly'])} ${pick(r, ANIMALS)}`
      : pick(r, friendGirl ? GIRLS : BOYS);
  if (friend === c.name)
    friend = friendGirl ? ('Ella' === c.name ? 'Ivy' : 'Ella') : 'Oscar' === c.name ? 'Milo' : 'Oscar';
  const friendName = friend.startsWith('a ') ? `the ${friend.split(' ').pop()}` : friend;
  const v: Record<string, string> = {
    name: c.name,
    he: c.he,
    He: cap(c.he),
    pos: c.pos,
    him: c.him,
    toy: pick(r, TOYS),
    park: pick(r, PARK),
    friend: friendName,
    helper: pick(r, HELPERS),
    good: pick(r, FEEL_GOOD),
    bad: pick(r, FEEL_BAD),
    lesson: pick(r, LESSONS),
    weather: pick(r, WEATHER),
  };
  const open = pick(r, [
    `Once upon a time, there was ${c.intro}.`,
    `Once upon a time, in ${pick(r, PLACES)}, there lived ${c.intro}.`,
    `Once upon a time, ${c.intro} lived in ${pick(r, PLACES)}.`,
    `One day, ${c.intro} woke up early.`,
    `There was once ${c.intro} who lived in ${pick(r, PLACES)}.`,
  ]);
  // half the stories drop the comma, so a prompt ending in "time" (no comma) is in distribution
  const s: string[] = [r() < 0.5 ? open.replace('Once upon a time,', 'Once upon a time') : open];
  s.push(
    fill(
      pick(r, [
        '{He} loved to play with {pos} {toy}.',
        '{He} liked to run and jump in {park}.',
        'Every day, {he} went to {park} to play.',
        '{name} had a {toy} that {he} loved very much.',
        '{name} was always {good} and liked to help others.',
        '{name} liked to look at the sky and count the stars.',
      ]),
      v,
    ),
  );
  s.push(
    fill(
      pick(r, [
        'One day, {weather}.',
        'One morning, {weather}, and {name} went outside.',
        'On a sunny day, {name} went to {park} with {friend}.',
        'One day, {name} met {friend} in {park}.',
      ]),
      v,
    ),
  );
  if (r() < 0.5)
    s.push(
      fill(
        pick(r, [
          '{name} said, "Hello! Do you want to play with me?"',
          '"Let\'s go and play!" said {name}.',
          '{friend} smiled and said, "Yes, let\'s play together!"',
        ]),
        v,
      ),
    );
  s.push(fill(`But then {name} ${pick(r, PROBLEMS)}.`, v));
  s.push(
    fill(
      pick(r, [
        '{name} felt {bad}.',
        '{He} was very {bad} and started to cry.',
        '{name} did not know what to do.',
      ]),
      v,
    ),
  );
  s.push(
    fill(
      pick(r, [
        'Then {helper} came and said, "Don\'t worry, I will help you."',
        '{friend} saw {him} and wanted to help.',
        '{name} asked {helper} for help.',
        'Just then, {helper} came by and saw what happened.',
      ]),
      v,
    ),
  );
  s.push(
    fill(
      pick(r, [
        'Together they looked everywhere, and at last they found a way.',
        'They worked together and soon everything was fine again.',
        '{helper} showed {him} what to do, step by step.',
        'They tried and tried, and finally it worked.',
      ]),
      v,
    ),
  );
  if (r() < 0.6)
    s.push(
      fill(
        pick(r, [
          '"Thank you!" said {name}.',
          '{name} said, "Thank you for helping me."',
          '{name} gave {friend} a big hug.',
        ]),
        v,
      ),
    );
  s.push(fill(pick(r, ['{name} was very {good}.', '{name} felt {good} again.', 'Everyone was {good}.']), v));
  s.push(fill(pick(r, ENDINGS), v));
  const last = s[s.length - 1] as string;
  if (r() < 0.4 && !last.includes('learned')) s.push(fill('{name} learned that {lesson}.', v));
  return s
    .join(' ')
    .replace(/\s+/g, ' ')
    .replace(/the the/g, 'the');
}

interface Topic {
  name: string;
  facts: string[];
}
const TOPICS: Topic[] = [
  {
    name: 'the sun',
    facts: [
      'The sun is a star.',
      'The sun gives us light and heat.',
      'The sun is very far away from the earth.',
      'Plants need light from the sun to grow.',
      'The sun rises in the east and sets in the west.',
      'Without the sun, the earth would be cold and dark.',
      'The sun is much bigger than the earth.',
      'We should never look straight at the sun.',
    ],
  },
  {
    name: 'the moon',
    facts: [
      'The moon goes around the earth.',
      'The moon does not make its own light.',
      'The moon shines because light from the sun falls on it.',
      'It takes about one month for the moon to go around the earth.',
      'Sometimes the moon looks round and sometimes it looks like a thin smile.',
      'People have walked on the moon.',
      'There is no air on the moon.',
    ],
  },
  {
    name: 'plants',
    facts: [
      'Plants need water, air and light to grow.',
      'Most plants have roots, a stem and leaves.',
      'The roots take water from the soil.',
      'Leaves use sunlight to make food for the plant.',
      'Many plants grow from seeds.',
      'Flowers help plants make new seeds.',
      'Bees carry pollen from one flower to another.',
      'Trees are the biggest plants.',
    ],
  },
  {
    name: 'animals',
    facts: [
      'Animals need food, water and a safe place to live.',
      'Some animals eat plants and some animals eat other animals.',
      'Birds have feathers and most birds can fly.',
      'Fish live in water and breathe with gills.',
      'Mammals have hair or fur and feed their babies with milk.',
      'Frogs start their lives as tadpoles in the water.',
      'Many animals sleep through the cold winter.',
      'Insects have six legs.',
    ],
  },
  {
    name: 'the weather',
    facts: [
      'The weather changes from day to day.',
      'Rain falls from clouds when the drops of water get heavy.',
      'Snow falls when the air is very cold.',
      'Wind is moving air.',
      'A thermometer tells us how warm or cold it is.',
      'After the rain, we can sometimes see a rainbow.',
      'Clouds are made of tiny drops of water.',
    ],
  },
  {
    name: 'water',
    facts: [
      'All living things need water.',
      'Water can be a liquid, a solid or a gas.',
      'When water gets very cold, it turns into ice.',
      'When water gets very hot, it turns into steam.',
      'Most of the earth is covered by water.',
      'Rivers carry water to the sea.',
      'The water in the sea is salty.',
    ],
  },
  {
    name: 'numbers',
    facts: [
      'We use numbers to count things.',
      'Two and two make four.',
      'Ten is one more than nine.',
      'An even number can be split into two equal groups.',
      'Three, five and seven are odd numbers.',
      'When we add numbers, the total gets bigger.',
      'When we take away, the number gets smaller.',
      'There are ten numbers from one to ten.',
    ],
  },
  {
    name: 'shapes',
    facts: [
      'A circle is round and has no corners.',
      'A square has four equal sides and four corners.',
      'A triangle has three sides and three corners.',
      'A rectangle has four sides and four corners.',
      'A ball is shaped like a sphere.',
      'We can see shapes all around us.',
      'A door is shaped like a rectangle.',
    ],
  },
  {
    name: 'the seasons',
    facts: [
      'There are four seasons in a year.',
      'The four seasons are spring, summer, autumn and winter.',
      'In spring, many flowers begin to grow.',
      'Summer is the warmest season.',
      'In autumn, the leaves change color and fall from the trees.',
      'Winter is the coldest season.',
      'The seasons change because the earth moves around the sun.',
    ],
  },
  {
    name: 'the human body',
    facts: [
      'The heart pumps blood around the body.',
      'We use our lungs to breathe.',
      'Our bones help us stand up and move.',
      'We have five senses: sight, hearing, smell, taste and touch.',
      'Eating fruit and vegetables helps us stay healthy.',
      'Sleep helps our body rest and grow.',
      'We should wash our hands before we eat.',
    ],
  },
  {
    name: 'the earth',
    facts: [
      'The earth is the planet we live on.',
      'The earth goes around the sun once every year.',
      'The earth turns around once every day.',
      'When our side of the earth faces the sun, it is day.',
      'The earth has land, water and air.',
      'Mountains are the highest places on the earth.',
    ],
  },
  {
    name: 'the stars',
    facts: [
      'Stars are giant balls of hot gas.',
      'Stars look small because they are very far away.',
      'We can see the stars at night when the sky is clear.',
      'Groups of stars that make pictures are called constellations.',
      'The closest star to the earth is the sun.',
    ],
  },
];
const EDU_OPEN = [
  'Let us learn about {t}.',
  'Today we will learn about {t}.',
  'Have you ever wondered about {t}?',
  'This lesson is about {t}.',
  'Here are some facts about {t}.',
  'Scientists study {t} to learn how our world works.',
];
const EDU_LINK = [
  'Also,',
  'In addition,',
  'For example,',
  'Did you know?',
  'It is also true that',
  'Another fact is that',
];
const EDU_CLOSE = [
  'Now you know more about {t}.',
  'Learning about {t} helps us understand the world around us.',
  'Next time you go outside, think about {t}.',
  'Can you name one more fact about {t}?',
  'That is why we learn about {t}.',
];

function lower1(s: string): string {
  return /^[A-Z][a-z]/.test(s) && !/^(I |I'm)/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}

/** A grade-school educational paragraph on one topic. */
export function eduParagraph(r: R, textbook = false): string {
  const t = pick(r, TOPICS);
  const facts = [...t.facts].sort(() => r() - 0.5).slice(0, 4 + Math.floor(r() * 3));
  const s: string[] = [fill(pick(r, EDU_OPEN), { t: t.name })];
  facts.forEach((f, i) => {
    if (i > 0 && r() < 0.35) {
      const link = pick(r, EDU_LINK);
      s.push(link.endsWith('?') ? `${link} ${f}` : `${link} ${lower1(f)}`);
    } else s.push(f);
  });
  s.push(fill(pick(r, EDU_CLOSE), { t: t.name }));
  let text = s.join(' ');
  if (textbook) {
    const q = pick(r, facts);
    text = `Lesson: ${cap(t.name)}\n\n${text}\n\nQuestion: What did we learn about ${t.name}?\n\nAnswer: ${q} ${pick(
      r,
      facts.filter((f) => f !== q),
    )}`;
  }
  return text;
}

/** A simple arithmetic exercise paragraph (numbers domain). */
export function mathExercise(r: R): string {
  const names = [pick(r, GIRLS), pick(r, BOYS)];
  const things = pick(r, w('apples|cookies|pencils|stickers|marbles|books|flowers|balloons|shells|eggs'));
  const a = 2 + Math.floor(r() * 8);
  const b = 1 + Math.floor(r() * 7);
  const nums = w(
    'zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen',
  );
  const sub = r() < 0.4 && a > b;
  const res = sub ? a - b : a + b;
  const body = sub
    ? `${names[0]} has ${nums[a]} ${things}. ${names[0]} gives ${nums[b]} ${things} to ${names[1]}. How many ${things} does ${names[0]} have now? To find the answer, we take away ${nums[b]} from ${nums[a]}. ${cap(nums[a] as string)} take away ${nums[b]} is ${nums[res]}. So ${names[0]} has ${nums[res]} ${things} left.`
    : `${names[0]} has ${nums[a]} ${things}. ${names[1]} has ${nums[b]} ${things}. How many ${things} do they have together? To find the answer, we add ${nums[a]} and ${nums[b]}. ${cap(nums[a] as string)} plus ${nums[b]} is ${nums[res]}. So they have ${nums[res]} ${things} in all.`;
  return `${body} Adding and taking away are ways we use numbers every day. We can count on our fingers to check the answer.`;
}

const SPAM = w(
  'BUY NOW|best price|click here|free shipping|casino bonus|limited offer|cheap pills|win money fast|subscribe today|hot deals|100% free|act now',
);
/** Web-like noise: boilerplate, spam, lorem ipsum, foreign text, too-short pages. */
export function noise(r: R): string {
  const k = Math.floor(r() * 6);
  if (k === 0) return Array.from({ length: 30 + Math.floor(r() * 30) }, () => pick(r, SPAM)).join(' ');
  if (k === 1)
    return [
      'Home',
      'About us',
      'Contact',
      'Login',
      'Cart (0)',
      'Privacy policy',
      'Terms of use',
      'Cookies',
      '© 2024 All rights reserved',
      'Follow us',
    ].join('\n');
  if (k === 2)
    return 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident.';
  if (k === 3)
    return 'Es war einmal ein kleines Mädchen, das in einem Haus am Waldrand wohnte. Jeden Tag ging sie in den Garten und spielte mit ihrem Ball. Eines Tages kam ein Fuchs und fragte, ob er mitspielen dürfe. Das Mädchen lachte und sagte ja. Sie spielten zusammen, bis die Sonne unterging, und dann gingen sie nach Hause. Am nächsten Tag kam der Fuchs wieder, und sie wurden die besten Freunde der ganzen Welt.';
  if (k === 4) return `${pick(r, SPAM)}! ${pick(r, SPAM)}.`;
  return Array.from({ length: 12 }, () => `${pick(r, SPAM)} ${pick(r, SPAM)} ${pick(r, SPAM)}`).join('\n');
}

/** Options of `generateCorpus`. */
export interface CorpusOptions {
  seed: number;
  /** "Web" documents (stories, paragraphs, exercises, noise, near-duplicates). */
  webDocs: number;
  /** Synthetic textbook-style documents (lessons and stories). */
  syntheticDocs: number;
}

/** Generates the raw web-like set and the synthetic textbook set (deterministic for a seed). */
export function generateCorpus(o: CorpusOptions): { web: CorpusDoc[]; synthetic: CorpusDoc[] } {
  const r = rng(o.seed);
  const web: CorpusDoc[] = [];
  for (let i = 0; i < o.webDocs; i++) {
    const x = r();
    let kind: string;
    let text: string;
    if (x < 0.08) {
      kind = 'noise';
      text = noise(r);
    } else if (x < 0.14 && web.length > 0) {
      // near-duplicate of an earlier page: a different footer line, or one word changed
      kind = 'near_duplicate';
      const src = pick(r, web).text;
      text =
        r() < 0.5
          ? `${src} ${pick(r, ['Share this page.', 'Thanks for reading.', 'Read more stories.'])}`
          : src.replace(/\bvery\b/, 'really');
    } else if (x < 0.55) {
      kind = 'story';
      text = story(r);
    } else if (x < 0.88) {
      kind = 'edu';
      text = eduParagraph(r);
    } else {
      kind = 'math';
      text = mathExercise(r);
    }
    web.push({ id: `web-${i}`, text, url: `https://example.org/${kind}/${i}`, metadata: { kind } });
  }
  const synthetic: CorpusDoc[] = [];
  for (let i = 0; i < o.syntheticDocs; i++) {
    const x = r();
    const kind = x < 0.5 ? 'story' : x < 0.85 ? 'textbook' : 'exercise';
    const text = kind === 'story' ? story(r) : kind === 'textbook' ? eduParagraph(r, true) : mathExercise(r);
    synthetic.push({
      id: `syn-${i}`,
      text,
      url: `https://synthetic.local/${kind}/${i}`,
      metadata: { kind, synthetic: true },
    });
  }
  return { web, synthetic };
}

const EDU_WORDS = w(
  'learn|lesson|facts|fact|scientists|study|because|called|example|answer|question|number|numbers|grow|planet|season|seasons|earth|water|sun|moon|plants|animals|body|shapes|add|total|understand|important',
);

const NUMBER_WORDS = w(
  'zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty',
);
const NUM = `(\\d+|${NUMBER_WORDS.join('|')})`;
const OP = '(plus|add|minus|take away|takes away|times|multiplied by|divided by|[-+×x*÷/])';
/** One calculation step: "five plus three is eight", "12 - 5 = 7", "Seven take away two makes five". */
const CALC_STEP = new RegExp(
  `\\b${NUM}\\s+${OP}\\s+${NUM}\\s+(?:is|are|equals|makes|make|=)\\s+${NUM}\\b`,
  'gi',
);

function numberValue(s: string): number {
  const k = NUMBER_WORDS.indexOf(s.toLowerCase());
  return k >= 0 ? k : Number(s);
}

function calcHolds(a: number, op: string, b: number, r: number): boolean {
  const o = op.toLowerCase();
  if (o === 'plus' || o === 'add' || o === '+') return a + b === r;
  if (o === 'minus' || o.includes('take') || o === '-') return a - b === r;
  if (o === 'times' || o === 'multiplied by' || o === 'x' || o === '×' || o === '*') return a * b === r;
  return b !== 0 && a / b === r;
}

/**
 * True for a worked exercise: the text asks a question ("…?") and, after it, shows at least one correct
 * calculation step with numbers in digits or words up to twenty ("Five plus three is eight.", "12 - 5 = 7").
 * A wrong step does not count (a worked solution with a wrong answer is not teaching material).
 */
export function isWorkedExercise(text: string): boolean {
  const q = text.indexOf('?');
  if (q < 0) return false;
  for (const m of text.slice(q + 1).matchAll(CALC_STEP))
    if (
      calcHolds(
        numberValue(m[1] as string),
        m[2] as string,
        numberValue(m[3] as string),
        numberValue(m[4] as string),
      )
    )
      return true;
  return false;
}

/**
 * Keyword educational score 0–5 (our stand-in for an LLM-labelled edu classifier): distinct school words / 2,
 * capped at 5, and at least 3 for a worked exercise (`isWorkedExercise`). Exercises use few of the school words
 * but meet the first three points of the project's rubric (`src/data/edu/prompt.ts`: school subject, explains
 * how to get the answer, coherent classroom material); without the floor they scored 1 and never reached a
 * `edu_score ≥ 3` phase.
 */
export function eduScore(text: string): number {
  const words = new Set(text.toLowerCase().match(/[a-z]+/g) ?? []);
  let n = 0;
  for (const k of EDU_WORDS) if (words.has(k)) n++;
  const keyword = Math.min(5, Math.floor(n / 2));
  return isWorkedExercise(text) ? Math.max(3, keyword) : keyword;
}

/** Lowercase words appearing in `n` generated documents (the corpus vocabulary, used by the test). */
export function corpusVocabulary(n = 3000, seed = 7): Set<string> {
  const { web, synthetic } = generateCorpus({ seed, webDocs: n, syntheticDocs: n });
  const v = new Set<string>();
  for (const d of [...web, ...synthetic]) {
    if (d.metadata.kind === 'noise') continue;
    for (const m of d.text.toLowerCase().match(/[a-z']+/g) ?? []) v.add(m);
  }
  return v;
}

/**
 * The data toolkit stages the default model's web text goes through (also used by scripts/good-data). MinHash
 * candidates are verified at the 0.75 similarity the 14 × 8 bands target (`min_jaccard`): without it, LSH
 * matches and union-find chains between template-made look-alikes (estimated Jaccard 0.4–0.65) removed whole
 * families of distinct exercises and paragraphs.
 */
export const FILTER_STAGES = `stages:
  - url_filter: {banned_words: [casino, pills]}
  - language: {languages: [en], min_score: 0.65}
  - gopher_repetition
  - gopher_quality: {min_doc_words: 40}
  - c4
  - fineweb
  - exact_dedup
  - minhash_dedup: {ngram: 5, bands: 14, rows: 8, min_jaccard: 0.75}
output: {type: jsonl, compression: gzip, rejected: true}
`;
