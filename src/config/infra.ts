/**
 * Where Vigil finds Kafka, the schema registry and its own HTTP port: the contract's defaults,
 * overridden by environment variables. Read once, validated, frozen.
 */
import { VigilError } from '../errors.js';

export interface InfraSettings {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  readonly topicPrefix: string;
  readonly httpHost: string;
  readonly httpPort: number;
}

export const INFRA_DEFAULTS: InfraSettings = Object.freeze({
  brokers: Object.freeze(['127.0.0.1:19092']),
  registryUrl: 'http://127.0.0.1:18081/apis/ccompat/v7',
  topicPrefix: 'vigil.',
  httpHost: '127.0.0.1',
  httpPort: 8787,
});

const BROKER = /^[A-Za-z0-9._-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;
const PREFIX = /^[A-Za-z0-9._-]{0,200}$/;

export function infraFromEnv(env: NodeJS.ProcessEnv = process.env): InfraSettings {
  const brokers = env.VIGIL_BROKERS
    ? env.VIGIL_BROKERS.split(',').map((b) => b.trim()).filter((b) => b.length > 0)
    : [...INFRA_DEFAULTS.brokers];
  if (brokers.length === 0) throw invalid('VIGIL_BROKERS', env.VIGIL_BROKERS, 'a comma list of host:port');
  for (const broker of brokers) {
    if (!BROKER.test(broker)) throw invalid('VIGIL_BROKERS', broker, 'host:port');
  }
  const registryUrl = (env.VIGIL_SCHEMA_REGISTRY_URL ?? INFRA_DEFAULTS.registryUrl).replace(/\/+$/, '');
  try {
    const url = new URL(registryUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch (cause) {
    throw invalid('VIGIL_SCHEMA_REGISTRY_URL', registryUrl, 'an http(s) URL', cause);
  }
  const topicPrefix = env.VIGIL_TOPIC_PREFIX ?? INFRA_DEFAULTS.topicPrefix;
  if (!PREFIX.test(topicPrefix)) throw invalid('VIGIL_TOPIC_PREFIX', topicPrefix, 'letters, digits, ".", "_" or "-"');
  const httpHost = env.VIGIL_HTTP_HOST ?? INFRA_DEFAULTS.httpHost;
  const portText = env.VIGIL_HTTP_PORT ?? String(INFRA_DEFAULTS.httpPort);
  const httpPort = Number(portText);
  if (!/^\d+$/.test(portText) || httpPort < 0 || httpPort > 65535) {
    throw invalid('VIGIL_HTTP_PORT', portText, 'a port number from 0 to 65535');
  }
  return Object.freeze({ brokers: Object.freeze(brokers), registryUrl, topicPrefix, httpHost, httpPort });
}

function invalid(variable: string, value: string | undefined, expected: string, cause?: unknown): VigilError {
  return new VigilError('VIGIL_CONFIG_INVALID', `${variable}=${JSON.stringify(value ?? '')} is not valid: expected ${expected}`, {
    cause,
    details: { variable },
  });
}
