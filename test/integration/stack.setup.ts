/**
 * Global setup of the integration project: find the stack or start it.
 *
 * When VIGIL_BROKERS / VIGIL_SCHEMA_REGISTRY_URL (or the contract's defaults) already answer a client
 * round trip, the tests use them. Otherwise the local JVM stack is started with the project's own
 * code (`vigil stack up`) and stopped again when the run ends.
 */
import type { TestProject } from 'vitest/node';
import { infraFromEnv } from '../../src/config/infra.js';
import { kafkaReady, registryReady } from '../../src/stack/services.js';
import { stackDown, stackUp } from '../../src/stack/stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    brokers: string[];
    registryUrl: string;
    stackStartedByTests: boolean;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const infra = infraFromEnv();
  const started = Date.now();
  const [kafka, registry] = await Promise.all([kafkaReady(infra.brokers), registryReady(infra.registryUrl)]);
  let startedHere = false;
  if (!kafka || !registry) {
    if (process.env.VIGIL_BROKERS || process.env.VIGIL_SCHEMA_REGISTRY_URL) {
      throw new Error(
        `VIGIL_BROKERS / VIGIL_SCHEMA_REGISTRY_URL are set but do not answer (kafka ${kafka ? 'ok' : 'down'}, registry ${registry ? 'ok' : 'down'}); unset them to let the tests start the local stack`,
      );
    }
    process.stderr.write('[integration] no stack answers on the defaults; starting the local stack\n');
    await stackUp({ timeoutMs: 240_000, onProgress: (m) => process.stderr.write(`[integration] ${m}\n`) });
    startedHere = true;
  }
  process.stderr.write(
    `[integration] Kafka ${infra.brokers.join(',')} and registry ${infra.registryUrl} ready in ${((Date.now() - started) / 1000).toFixed(1)} s${startedHere ? ' (started by the tests)' : ' (already running)'}\n`,
  );
  project.provide('brokers', [...infra.brokers]);
  project.provide('registryUrl', infra.registryUrl);
  project.provide('stackStartedByTests', startedHere);
  return async () => {
    if (startedHere && !process.env.VIGIL_KEEP_STACK) {
      await stackDown();
      process.stderr.write('[integration] local stack stopped\n');
    }
  };
}
