/**
 * The metrics of one committed batch: what was consumed, decoded and dead-lettered, the usage
 * metrics of each model version (invocations by status, serving latency), windows, alerts, commands,
 * refused calls, the consumer lag and the processing latency. Labels stay bounded (model and version).
 */
import type { BatchOutcome } from '../pipeline/processor.js';
import type { EngineMetrics } from './metrics.js';

export interface CommittedBatch {
  readonly topic: string;
  readonly partition: number;
  /** Records consumed. */
  readonly size: number;
  readonly outcome: BatchOutcome;
  readonly highWatermark: string;
  /** Offset of the batch's last record. */
  readonly last: string;
  /** performance.now() when the batch was taken. */
  readonly started: number;
  readonly poolUtilization: number;
}

export function recordBatchMetrics(m: EngineMetrics, batch: CommittedBatch): void {
    const { topic, partition, size, outcome, highWatermark, last, started } = batch;
    m.consumed.inc({ topic }, size);
    m.decoded.inc({ topic }, outcome.decoded);
    const byCode = new Map<string, number>();
    for (const dead of outcome.deadLettered) byCode.set(dead.code, (byCode.get(dead.code) ?? 0) + 1);
    for (const [code, n] of byCode) m.deadLettered.inc({ code }, n);
    m.batchSize.observe({}, size);
    for (const columns of outcome.batches) {
      const labels = m.modelLabels(columns.modelId, columns.modelVersion);
      const byStatus = [0, 0, 0, 0];
      for (let i = 0; i < columns.count; i++) byStatus[columns.statuses[i]!]! += 1;
      (['OK', 'ERROR', 'TIMEOUT', 'FALLBACK'] as const).forEach((status, code) => {
        if (byStatus[code]! > 0) m.invocations.inc({ ...labels, status }, byStatus[code]);
      });
      m.servingLatency.observeMany(labels, columns.latencies, 0, columns.count);
    }
    for (const window of outcome.windowsClosed) m.windowsClosed.inc(m.modelLabels(window.modelId, window.modelVersion));
    for (const alert of outcome.alerts) m.alerts.inc({ ...m.modelLabels(alert.modelId, alert.modelVersion), kind: alert.kind, severity: alert.severity });
    for (const command of outcome.commands) m.rollbacks.inc({ ...m.modelLabels(command.modelId, command.fromVersion), action: command.action });
    for (const denied of outcome.deniedCalls) m.accessDenied.inc(m.modelLabels(denied.modelId, denied.modelVersion), denied.calls);
    m.consumerLag.set({ topic, partition: String(partition) }, Number(BigInt(highWatermark) - BigInt(last) - 1n));
    m.poolUtilization.set(batch.poolUtilization);
    m.processingLatency.observe({}, performance.now() - started);
}
