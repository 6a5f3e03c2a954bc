export type { FluxMetrics, MetricsOptions, RequestLabel } from './metrics.ts';
export { createMetrics, DEFAULT_BUCKETS, JOB_BUCKETS, SYNC_BUCKETS } from './metrics.ts';
