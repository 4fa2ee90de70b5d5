/**
 * Topic templates of the hallucination evaluation set: fictional entities (names built from syllables,
 * so no answer can be right or wrong by world knowledge) with numeric and named attributes, each
 * attribute with a context sentence and two answer phrasings (one reusing the context's words, one
 * paraphrased with other words).
 */

export type Attr = {
  readonly key: string;
  readonly kind: 'number' | 'name';
  /** A value for an entity: numbers as strings as written ("1,200" style when large). */
  readonly make: (g: Gen) => string;
  /** Context sentence about entity `e` with value `v`. */
  readonly context: (e: string, v: string) => string;
  /** Answer sentences: [same words as the context, paraphrase]. */
  readonly answer: readonly [(e: string, v: string) => string, (e: string, v: string) => string];
};

export type Topic = { readonly name: string; readonly entity: (g: Gen) => string; readonly attrs: readonly Attr[]; readonly question: (e: string) => string };

export interface Gen {
  readonly rng: () => number;
  int(lo: number, hi: number): number;
  pick<T>(list: readonly T[]): T;
  word(): string;
  person(): string;
}

const FIRST = ['Anna', 'Boris', 'Chiara', 'Dmitri', 'Elif', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kemal', 'Lucia', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Rafael', 'Sofia', 'Tomasz', 'Yara'];
const SYLLABLES = ['ka', 'lo', 'ven', 'dar', 'mi', 'tor', 'sa', 'rel', 'quin', 'bo', 'ra', 'the', 'li', 'mon', 'zu', 'fen', 'gal', 'nor', 'pe', 'vi', 'stra', 'ul', 'co', 'wen'];
const LANGUAGES = ['Rust', 'Go', 'Python', 'Haskell', 'Kotlin', 'Elixir', 'Zig', 'OCaml', 'Julia', 'Swift'];

export function makeGen(rng: () => number): Gen {
  const g: Gen = {
    rng,
    int: (lo, hi) => lo + Math.floor(rng() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(rng() * list.length)]!,
    word: () => {
      let w = '';
      const n = g.int(2, 3);
      for (let i = 0; i < n; i++) w += g.pick(SYLLABLES);
      return w[0]!.toUpperCase() + w.slice(1);
    },
    person: () => `${g.pick(FIRST)} ${g.word()}`,
  };
  return g;
}

const big = (g: Gen, lo: number, hi: number): string => g.int(lo, hi).toLocaleString('en-US');
const year = (g: Gen): string => String(g.int(1650, 2015));

export const TOPICS: readonly Topic[] = [
  {
    name: 'city',
    entity: (g) => g.word(),
    question: (e) => `Tell me about the city of ${e}.`,
    attrs: [
      { key: 'population', kind: 'number', make: (g) => big(g, 12_000, 1_900_000), context: (e, v) => `${e} has a population of ${v} inhabitants.`, answer: [(e, v) => `${e} has a population of ${v} inhabitants.`, (e, v) => `About ${v} people live in ${e}.`] },
      { key: 'founded', kind: 'number', make: year, context: (e, v) => `The city was founded in ${v} by merchants.`, answer: [(e, v) => `${e} was founded in ${v}.`, (e, v) => `Its origins go back to ${v}, when traders settled there.`] },
      { key: 'mayor', kind: 'name', make: (g) => g.person(), context: (e, v) => `The current mayor of ${e} is ${v}.`, answer: [(e, v) => `The current mayor is ${v}.`, (e, v) => `${v} leads the municipal government of ${e}.`] },
    ],
  },
  {
    name: 'company',
    entity: (g) => `${g.word()} Systems`,
    question: (e) => `What do we know about ${e}?`,
    attrs: [
      { key: 'employees', kind: 'number', make: (g) => big(g, 40, 90_000), context: (e, v) => `${e} employs ${v} staff across its offices.`, answer: [(e, v) => `${e} employs ${v} staff.`, (e, v) => `The firm has a workforce of roughly ${v}.`] },
      { key: 'founded', kind: 'number', make: (g) => String(g.int(1950, 2020)), context: (e, v) => `It was established in ${v}.`, answer: [(e, v) => `${e} was established in ${v}.`, (e, v) => `The business started operating in ${v}.`] },
      { key: 'founder', kind: 'name', make: (g) => g.person(), context: (e, v) => `The company was founded by ${v}.`, answer: [(e, v) => `It was founded by ${v}.`, (e, v) => `${v} started ${e}.`] },
    ],
  },
  {
    name: 'bridge',
    entity: (g) => `${g.word()} Bridge`,
    question: (e) => `Describe the ${e}.`,
    attrs: [
      { key: 'length', kind: 'number', make: (g) => big(g, 120, 6_400), context: (e, v) => `The ${e} is ${v} metres long.`, answer: [(e, v) => `The ${e} is ${v} metres long.`, (e, v) => `It spans a total distance of ${v} metres.`] },
      { key: 'opened', kind: 'number', make: (g) => String(g.int(1880, 2020)), context: (e, v) => `It opened to traffic in ${v}.`, answer: [(e, v) => `It opened to traffic in ${v}.`, (e, v) => `Vehicles first crossed it in ${v}.`] },
      { key: 'engineer', kind: 'name', make: (g) => g.person(), context: (e, v) => `The chief engineer was ${v}.`, answer: [(e, v) => `The chief engineer was ${v}.`, (e, v) => `${v} designed the structure.`] },
    ],
  },
  {
    name: 'mountain',
    entity: (g) => `Mount ${g.word()}`,
    question: (e) => `What is notable about ${e}?`,
    attrs: [
      { key: 'height', kind: 'number', make: (g) => big(g, 900, 8_200), context: (e, v) => `${e} rises to ${v} metres above sea level.`, answer: [(e, v) => `${e} rises to ${v} metres above sea level.`, (e, v) => `Its summit reaches an elevation of ${v} metres.`] },
      { key: 'ascent', kind: 'number', make: (g) => String(g.int(1780, 1990)), context: (e, v) => `The first ascent was made in ${v}.`, answer: [(e, v) => `The first ascent was made in ${v}.`, (e, v) => `Climbers first stood on top in ${v}.`] },
      { key: 'climber', kind: 'name', make: (g) => g.person(), context: (e, v) => `That expedition was led by ${v}.`, answer: [(e, v) => `The expedition was led by ${v}.`, (e, v) => `${v} headed the party that reached the top.`] },
    ],
  },
  {
    name: 'drug',
    entity: (g) => `${g.word().toLowerCase()}amab`.replace(/^./, (c) => c.toUpperCase()),
    question: (e) => `Summarise the facts about ${e}.`,
    attrs: [
      { key: 'dose', kind: 'number', make: (g) => String(g.int(2, 80) * 5), context: (e, v) => `${e} is given at a dose of ${v} mg per day.`, answer: [(e, v) => `${e} is given at a dose of ${v} mg per day.`, (e, v) => `Patients take ${v} mg daily.`] },
      { key: 'participants', kind: 'number', make: (g) => big(g, 80, 12_000), context: (e, v) => `Its main trial enrolled ${v} participants.`, answer: [(e, v) => `Its main trial enrolled ${v} participants.`, (e, v) => `The pivotal study included ${v} volunteers.`] },
      { key: 'developer', kind: 'name', make: (g) => `${g.word()} Pharma`, context: (e, v) => `It was developed by ${v}.`, answer: [(e, v) => `It was developed by ${v}.`, (e, v) => `${v} created the compound.`] },
    ],
  },
  {
    name: 'ship',
    entity: (g) => `the ${g.word()}`,
    question: (e) => `What is the history of ${e}?`,
    attrs: [
      { key: 'tonnage', kind: 'number', make: (g) => big(g, 300, 95_000), context: (e, v) => `The vessel ${e} displaced ${v} tonnes.`, answer: [(e, v) => `The vessel displaced ${v} tonnes.`, (e, v) => `It weighed about ${v} tonnes fully loaded.`] },
      { key: 'launched', kind: 'number', make: (g) => String(g.int(1850, 2010)), context: (e, v) => `She was launched in ${v}.`, answer: [(e, v) => `She was launched in ${v}.`, (e, v) => `The ship entered the water in ${v}.`] },
      { key: 'captain', kind: 'name', make: (g) => g.person(), context: (e, v) => `Her first captain was ${v}.`, answer: [(e, v) => `Her first captain was ${v}.`, (e, v) => `${v} commanded her on the maiden voyage.`] },
    ],
  },
  {
    name: 'library',
    entity: (g) => `${g.word().toLowerCase()}js`,
    question: (e) => `Give me an overview of the ${e} project.`,
    attrs: [
      { key: 'contributors', kind: 'number', make: (g) => big(g, 3, 2_400), context: (e, v) => `The ${e} project has ${v} contributors.`, answer: [(e, v) => `The ${e} project has ${v} contributors.`, (e, v) => `${v} developers have submitted changes to it.`] },
      { key: 'release', kind: 'number', make: (g) => String(g.int(1995, 2024)), context: (e, v) => `Its first release came out in ${v}.`, answer: [(e, v) => `Its first release came out in ${v}.`, (e, v) => `Version one shipped in ${v}.`] },
      { key: 'language', kind: 'name', make: (g) => g.pick(LANGUAGES), context: (e, v) => `It is written in ${v}.`, answer: [(e, v) => `It is written in ${v}.`, (e, v) => `The code base uses ${v}.`] },
    ],
  },
  {
    name: 'lake',
    entity: (g) => `Lake ${g.word()}`,
    question: (e) => `What are the key facts about ${e}?`,
    attrs: [
      { key: 'area', kind: 'number', make: (g) => big(g, 4, 9_000), context: (e, v) => `${e} covers an area of ${v} square kilometres.`, answer: [(e, v) => `${e} covers an area of ${v} square kilometres.`, (e, v) => `Its surface extends over ${v} square kilometres.`] },
      { key: 'depth', kind: 'number', make: (g) => String(g.int(6, 1_400)), context: (e, v) => `Its maximum depth is ${v} metres.`, answer: [(e, v) => `Its maximum depth is ${v} metres.`, (e, v) => `At its deepest point the water goes down ${v} metres.`] },
      { key: 'surveyor', kind: 'name', make: (g) => g.person(), context: (e, v) => `It was first surveyed by ${v}.`, answer: [(e, v) => `It was first surveyed by ${v}.`, (e, v) => `${v} produced the earliest map of it.`] },
    ],
  },
  {
    name: 'club',
    entity: (g) => `${g.word()} United`,
    question: (e) => `Tell me about ${e}.`,
    attrs: [
      { key: 'capacity', kind: 'number', make: (g) => big(g, 2_000, 81_000), context: (e, v) => `${e} plays in a stadium with a capacity of ${v} seats.`, answer: [(e, v) => `${e} plays in a stadium with a capacity of ${v} seats.`, (e, v) => `Their ground holds ${v} spectators.`] },
      { key: 'founded', kind: 'number', make: (g) => String(g.int(1870, 1990)), context: (e, v) => `The club was formed in ${v}.`, answer: [(e, v) => `The club was formed in ${v}.`, (e, v) => `${e} dates from ${v}.`] },
      { key: 'coach', kind: 'name', make: (g) => g.person(), context: (e, v) => `The team is coached by ${v}.`, answer: [(e, v) => `The team is coached by ${v}.`, (e, v) => `${v} is in charge of the squad.`] },
    ],
  },
  {
    name: 'comet',
    entity: (g) => `Comet ${g.word()}`,
    question: (e) => `What do astronomers know about ${e}?`,
    attrs: [
      { key: 'period', kind: 'number', make: (g) => (g.int(30, 2_000) / 10).toFixed(1), context: (e, v) => `${e} orbits the Sun every ${v} years.`, answer: [(e, v) => `${e} orbits the Sun every ${v} years.`, (e, v) => `It returns to the inner solar system every ${v} years.`] },
      { key: 'discovered', kind: 'number', make: (g) => String(g.int(1700, 2022)), context: (e, v) => `It was discovered in ${v}.`, answer: [(e, v) => `It was discovered in ${v}.`, (e, v) => `Observers first spotted it in ${v}.`] },
      { key: 'discoverer', kind: 'name', make: (g) => g.person(), context: (e, v) => `The discovery is credited to ${v}.`, answer: [(e, v) => `The discovery is credited to ${v}.`, (e, v) => `${v} found it.`] },
    ],
  },
  {
    name: 'museum',
    entity: (g) => `${g.word()} Museum`,
    question: (e) => `What should a visitor know about the ${e}?`,
    attrs: [
      { key: 'visitors', kind: 'number', make: (g) => big(g, 5_000, 4_000_000), context: (e, v) => `The ${e} receives ${v} visitors each year.`, answer: [(e, v) => `The ${e} receives ${v} visitors each year.`, (e, v) => `Annual attendance is around ${v}.`] },
      { key: 'opened', kind: 'number', make: (g) => String(g.int(1820, 2021)), context: (e, v) => `It opened in ${v}.`, answer: [(e, v) => `It opened in ${v}.`, (e, v) => `Its doors first welcomed the public in ${v}.`] },
      { key: 'architect', kind: 'name', make: (g) => g.person(), context: (e, v) => `The building was designed by ${v}.`, answer: [(e, v) => `The building was designed by ${v}.`, (e, v) => `${v} drew the plans for the building.`] },
    ],
  },
  {
    name: 'festival',
    entity: (g) => `${g.word()} Festival`,
    question: (e) => `Explain what the ${e} is.`,
    attrs: [
      { key: 'attendees', kind: 'number', make: (g) => big(g, 500, 400_000), context: (e, v) => `The ${e} attracts ${v} attendees.`, answer: [(e, v) => `The ${e} attracts ${v} attendees.`, (e, v) => `Around ${v} people come to it.`] },
      { key: 'first', kind: 'number', make: (g) => String(g.int(1900, 2020)), context: (e, v) => `It was first held in ${v}.`, answer: [(e, v) => `It was first held in ${v}.`, (e, v) => `The inaugural edition took place in ${v}.`] },
      { key: 'organiser', kind: 'name', make: (g) => g.person(), context: (e, v) => `It is organised by ${v}.`, answer: [(e, v) => `It is organised by ${v}.`, (e, v) => `${v} runs the event.`] },
    ],
  },
];

/** Sentences that carry no checkable fact, for padding contexts. */
export const FILLER = [
  'Local records describe the area in some detail.',
  'Several guidebooks mention it in passing.',
  'The surrounding region is known for its mild climate.',
  'Historians continue to debate some earlier accounts.',
  'A small archive keeps the original documents.',
  'Visitors often arrive by train from the coast.',
  'Later reports added little new information.',
];

/** Claims a generated answer may add that no context supports. */
export const UNSUPPORTED = [
  (e: string, g: Gen) => `${e} received the ${g.word()} Prize in ${g.int(1950, 2023)}.`,
  (e: string, g: Gen) => `It was renovated by ${g.person()} in ${g.int(1960, 2023)}.`,
  (e: string, g: Gen) => `${e} is twinned with ${g.word()} and ${g.word()}.`,
  (e: string, g: Gen) => `A documentary by ${g.person()} made ${e} famous.`,
  (e: string, g: Gen) => `Its annual budget is ${g.int(2, 900)} million euros.`,
];

/** Harmless sentences a grounded answer may add (not in the contexts, but no false fact). */
export const HEDGES = ['This makes it one of the better known examples of its kind.', 'Further details are given in the sources above.', 'These figures come from the retrieved passages.', 'That is the essential information available.'];

export const REFUSALS = [
  "I'm sorry, but the provided context does not contain enough information to answer that.",
  'I cannot answer this question based on the documents I was given.',
  "I don't have information about that in the retrieved passages.",
  'As a language model I am unable to verify this claim.',
  'Unfortunately, I could not find this in the sources.',
];
