/**
 * Synthetic LLM traffic for the demo: a question-answering assistant over retrieved passages about
 * made-up cities. Its answers restate facts of the passages (grounded), until `hallucinateFrom`, after
 * which a share of them state a number or a name the passages do not hold, with the lower token
 * confidence such answers tend to have. Deterministic for a seed.
 */
import type { InferenceEvent, LlmTrace } from '../contracts/records.js';
import { mulberry32, normal } from './random.js';

export interface AssistantOptions {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly seed: number;
  /** Index of the first event that may be a hallucination; Infinity for none. */
  readonly hallucinateFrom: number;
  /** Share of answers from `hallucinateFrom` on that state an unsupported fact. */
  readonly hallucinationRate: number;
  readonly startTime: number;
  readonly spacingMs: number;
}

const SYLLABLES = ['bel', 'dor', 'ka', 'lun', 'mar', 'nex', 'or', 'pra', 'qui', 'ros', 'sel', 'tav', 'vin', 'zor'];
const FIRST = ['Ada', 'Boris', 'Clara', 'Dmitri', 'Elena', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas'];
const LAST = ['Arnsberg', 'Bellamy', 'Castell', 'Duarte', 'Engstrom', 'Ferreira', 'Galway', 'Hoffmann'];

export class AssistantGenerator {
  readonly #o: AssistantOptions;
  readonly #uniform: () => number;
  readonly #normal: () => number;
  #index = 0;

  constructor(options: Partial<AssistantOptions> & Pick<AssistantOptions, 'modelId' | 'modelVersion'>) {
    this.#o = { seed: 7, hallucinateFrom: Number.POSITIVE_INFINITY, hallucinationRate: 0.3, startTime: Date.UTC(2026, 0, 1), spacingMs: 100, ...options };
    this.#uniform = mulberry32(this.#o.seed);
    this.#normal = normal(this.#uniform);
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#uniform() * items.length)]!;
  }

  #city(): string {
    const name = this.#pick(SYLLABLES) + this.#pick(SYLLABLES) + this.#pick(SYLLABLES);
    return name[0]!.toUpperCase() + name.slice(1);
  }

  next(): InferenceEvent {
    const o = this.#o;
    const i = this.#index++;
    const city = this.#city();
    const population = 10_000 + Math.floor(this.#uniform() * 2_000_000);
    const founded = 1100 + Math.floor(this.#uniform() * 850);
    const mayor = `${this.#pick(FIRST)} ${this.#pick(LAST)}`;
    const facts = `${city} has a population of ${population.toLocaleString('en-US')} inhabitants. The city was founded in ${founded} by merchants. The current mayor of ${city} is ${mayor}.`;
    const other = `${this.#city()} lies on a river and is known for its old market. Its harbour was rebuilt in ${1800 + Math.floor(this.#uniform() * 200)}.`;
    const hallucinated = i >= o.hallucinateFrom && this.#uniform() < o.hallucinationRate;
    let response: string;
    if (!hallucinated) response = `${city} was founded in ${founded}. Its mayor is ${mayor}, and about ${population.toLocaleString('en-US')} people live there.`;
    else {
      const wrongYear = founded + 37 + Math.floor(this.#uniform() * 200);
      const wrongMayor = `${this.#pick(FIRST)} ${this.#pick(LAST)}`;
      response = `${city} was founded in ${wrongYear} by settlers from the coast. Its mayor is ${wrongMayor}.`;
    }
    const tokens = 18 + Math.floor(this.#uniform() * 8);
    const tokenLogprobs = Array.from({ length: tokens }, () => {
      const base = hallucinated ? -1.4 : -0.35;
      return Math.min(0, base + 0.5 * this.#normal());
    });
    const llm: LlmTrace = {
      prompt: `Tell me about ${city}.`,
      response,
      contexts: [facts, other],
      tokenLogprobs,
      responseEmbedding: null,
      contextEmbedding: null,
      samples: [],
      inputTokens: 120 + Math.floor(this.#uniform() * 40),
      outputTokens: tokens,
    };
    return {
      eventId: `${o.modelId}-${o.seed}-${i}`,
      timestamp: o.startTime + i * o.spacingMs,
      modelId: o.modelId,
      modelVersion: o.modelVersion,
      endpoint: '/v1/chat',
      principal: 'svc-demo-chat',
      features: {},
      categorical: {},
      embedding: null,
      score: null,
      predictedClass: null,
      classProbabilities: null,
      latencyMs: 300 + 200 * this.#uniform(),
      status: 'OK',
      llm,
      attributes: {},
    };
  }
}
