// The latency scenarios' alert reader, in a thread of its own so that the producer's work on the
// bench's main thread never delays when an alert is seen. It reads the alerts topic (read_committed,
// maxWaitTimeInMs 50), decodes each alert and posts what the scenario matches on, stamped with the
// time it was read on the shared wall clock (performance.timeOrigin + performance.now(), in ms).
// Plain JavaScript over the compiled sources (`npm run bench` builds them first).
import { parentPort, workerData } from 'node:worker_threads';
import { avroType } from '../../dist/src/contracts/schemas.js';
import { kafkaClient } from '../../dist/src/pipeline/sink/kafka.js';

const { brokers, topic, groupId } = workerData;
const alertType = avroType('Alert');
const kafka = kafkaClient({ brokers, clientId: 'vigil-bench-alert-reader' });
const reader = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 50, sessionTimeout: 30_000 });
reader.on(reader.events.GROUP_JOIN, () => parentPort.postMessage({ type: 'joined' }));
parentPort.on('message', (message) => {
  if (message?.type === 'stop') void reader.disconnect().finally(() => parentPort.postMessage({ type: 'stopped' }));
});
await reader.connect();
await reader.subscribe({ topic, fromBeginning: true });
await reader.run({
  eachBatch: async ({ batch }) => {
    const at = performance.timeOrigin + performance.now();
    const alerts = [];
    for (const message of batch.messages) {
      if (message.value === null) continue;
      const alert = alertType.fromBuffer(message.value.subarray(5));
      alerts.push({ modelId: alert.modelId, kind: alert.kind, windowEnd: alert.windowEnd, eventId: alert.evidence['eventId'] ?? null });
    }
    if (alerts.length > 0) parentPort.postMessage({ type: 'alerts', at, alerts });
  },
});
