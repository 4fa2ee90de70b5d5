/**
 * Vigil's metrics, in their own prom-client Registry (no process-global state, so two engines in one
 * process or in one test never share counters). Usage metrics per model version come from the
 * inference events themselves (invocations by status, serving latency); the engine's own metrics say
 * how the pipeline is doing. Labels are bounded: model and version only, never event or principal ids,
 * and at most `maxModelSeries` model versions get their own series (the rest share `_other`).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { BatchHistogram } from './batch-histogram.js';

const LATENCY_BUCKETS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const BATCH_BUCKETS = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 50000];

export interface EngineMetrics {
  readonly registry: Registry;
  readonly invocations: Counter<'model' | 'version' | 'status'>;
  readonly servingLatency: BatchHistogram;
  readonly consumed: Counter<'topic'>;
  readonly decoded: Counter<'topic'>;
  readonly deadLettered: Counter<'code'>;
  readonly batchSize: BatchHistogram;
  readonly processingLatency: BatchHistogram;
  /** Partition restores (fenced producer, changelog, committed floors), from start to ready to process. */
  readonly partitionRestore: BatchHistogram;
  readonly poolUtilization: Gauge;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  readonly windowsClosed: Counter<'model' | 'version'>;
  readonly alerts: Counter<'model' | 'version' | 'kind' | 'severity'>;
  readonly rollbacks: Counter<'model' | 'version' | 'action'>;
  readonly accessDenied: Counter<'model' | 'version'>;
  readonly transactions: Counter<'outcome'>;
  readonly paused: Gauge;
  readonly consumerRestarts: Counter;
  /** The label values to use for a model version, with the series cap applied. */
  modelLabels(modelId: string, version: string): { model: string; version: string };
}

export function createMetrics(options: { maxModelSeries?: number; defaultMetrics?: boolean } = {}): EngineMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'vigil_process_' });
  const cap = options.maxModelSeries ?? 500;
  const known = new Set<string>();
  const registers = [registry];
  return {
    registry,
    invocations: new Counter({ name: 'vigil_model_invocations_total', help: 'Inference events seen, by model version and outcome status', labelNames: ['model', 'version', 'status'], registers }),
    servingLatency: new BatchHistogram({ name: 'vigil_model_latency_ms', help: 'Serving latency reported by the model (latencyMs), milliseconds', buckets: LATENCY_BUCKETS_MS, labelNames: ['model', 'version'], registry }),
    consumed: new Counter({ name: 'vigil_events_consumed_total', help: 'Records read from input topics', labelNames: ['topic'], registers }),
    decoded: new Counter({ name: 'vigil_events_decoded_total', help: 'Records decoded and validated', labelNames: ['topic'], registers }),
    deadLettered: new Counter({ name: 'vigil_events_dead_lettered_total', help: 'Records routed to the dead-letter topic, by error code', labelNames: ['code'], registers }),
    batchSize: new BatchHistogram({ name: 'vigil_batch_size', help: 'Records per consumed batch', buckets: BATCH_BUCKETS, labelNames: [], registry }),
    processingLatency: new BatchHistogram({ name: 'vigil_batch_processing_ms', help: 'Time from batch arrival to committed transaction, milliseconds', buckets: LATENCY_BUCKETS_MS, labelNames: [], registry }),
    partitionRestore: new BatchHistogram({ name: 'vigil_partition_restore_ms', help: 'Time to restore an assigned partition from its changelog (producer fenced, state and committed floors read), milliseconds', buckets: LATENCY_BUCKETS_MS, labelNames: [], registry }),
    poolUtilization: new Gauge({ name: 'vigil_pool_utilization', help: 'Share of the worker pool threads\' time spent running tasks since the pool started (0 to 1), counted by the threads themselves', registers }),
    consumerLag: new Gauge({ name: 'vigil_consumer_lag', help: 'Records between the last processed offset and the high watermark', labelNames: ['topic', 'partition'], registers }),
    windowsClosed: new Counter({ name: 'vigil_windows_closed_total', help: 'Detector windows closed and scored', labelNames: ['model', 'version'], registers }),
    alerts: new Counter({ name: 'vigil_alerts_total', help: 'Alerts emitted', labelNames: ['model', 'version', 'kind', 'severity'], registers }),
    rollbacks: new Counter({ name: 'vigil_rollback_commands_total', help: 'Rollback, fallback and shutdown commands emitted', labelNames: ['model', 'version', 'action'], registers }),
    accessDenied: new Counter({ name: 'vigil_model_access_denied_total', help: 'Inference calls outside the model access policy (principals are in the ACCESS alerts, never in labels)', labelNames: ['model', 'version'], registers }),
    transactions: new Counter({ name: 'vigil_transactions_total', help: 'Output transactions, by outcome', labelNames: ['outcome'], registers }),
    paused: new Gauge({ name: 'vigil_consumer_paused', help: '1 while the consumer is paused for backpressure', registers }),
    consumerRestarts: new Counter({ name: 'vigil_consumer_restarts_total', help: 'Times the input consumer crashed and rejoined its group', registers }),
    modelLabels(modelId, version) {
      const key = `${modelId}\u0000${version}`;
      if (known.has(key)) return { model: modelId, version };
      if (known.size < cap) {
        known.add(key);
        return { model: modelId, version };
      }
      return { model: '_other', version: '_other' };
    },
  };
}
