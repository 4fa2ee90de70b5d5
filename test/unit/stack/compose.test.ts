import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot, stackVersions } from '../../../src/stack/paths.js';

// docker-compose.yml cannot run on a machine without a Docker engine; this keeps it from drifting
// away from the JVM stack, which the integration tests do run.
interface Compose {
  services: Record<string, { image: string; ports: string[]; environment: Record<string, string> }>;
}

const compose = parse(readFileSync(join(packageRoot(), 'docker-compose.yml'), 'utf8')) as Compose;
const versions = stackVersions();
const properties = Object.fromEntries(
  readFileSync(join(packageRoot(), 'infra', 'kafka', 'server.properties'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

describe('docker-compose.yml matches the JVM stack', () => {
  it('runs the same Kafka and registry versions', () => {
    expect(compose.services.kafka?.image).toBe(`apache/kafka:${versions.kafka}`);
    expect(compose.services.registry?.image).toBe(`apicurio/apicurio-registry:${versions.registry}`);
  });

  it('publishes the same ports on loopback', () => {
    expect(compose.services.kafka?.ports).toEqual([`127.0.0.1:${versions.ports.kafka}:${versions.ports.kafka}`]);
    expect(compose.services.registry?.ports?.[0]).toMatch(new RegExp(`^127\\.0\\.0\\.1:${versions.ports.registry}:`));
  });

  it('configures the broker like infra/kafka/server.properties', () => {
    const env = compose.services.kafka?.environment ?? {};
    const skip = new Set(['listeners', 'log.dirs', 'log.segment.bytes', 'log.cleaner.backoff.ms', 'log.retention.check.interval.ms']);
    for (const [key, value] of Object.entries(properties)) {
      if (skip.has(key)) continue;
      const name = `KAFKA_${key.toUpperCase().replace(/\./g, '_')}`;
      expect({ [name]: env[name] }).toEqual({ [name]: value });
    }
  });

  it('sets the BACKWARD compatibility rule on the registry', () => {
    expect(compose.services.registry?.environment.APICURIO_RULES_GLOBAL_COMPATIBILITY).toBe('BACKWARD');
  });
});
