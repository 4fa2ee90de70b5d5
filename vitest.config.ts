import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing running; `integration` talks to a real Kafka broker and schema
// registry, found or started by the global setup (test/integration/stack.setup.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/stack.setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Integration suites share one broker; running them one file at a time keeps the 2-core
          // machine from turning timing into flakiness.
          fileParallelism: false,
        },
      },
    ],
  },
});
