import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics, JOB_BUCKETS, SYNC_BUCKETS } from './metrics.ts';

/** Every metric of Flux v1 (`flux-v1.md` §10): name, type, labels. */
const FLUX_V1_METRICS: ReadonlyArray<[name: string, type: string, labels: string[]]> = [
  ['flux_request_duration_seconds', 'histogram', ['method', 'route', 'status_code', 'ws']],
  ['flux_daemon_sync_duration_seconds', 'histogram', ['success']],
  ['flux_daemon_job_duration_seconds', 'histogram', ['success']],
  ['flux_daemon_queue_duration_seconds', 'histogram', []],
  ['flux_daemon_queue_length_count', 'gauge', []],
  ['flux_daemon_sync_manifests', 'gauge', ['success']],
  ['flux_git_ready', 'gauge', []],
  ['flux_registry_fetch_duration_seconds', 'histogram', ['success']],
  ['flux_client_fetch_duration_seconds', 'histogram', ['kind', 'success']],
  ['flux_cache_request_duration_seconds', 'histogram', ['method', 'success']],
  ['flux_fluxsvc_release_duration_seconds', 'histogram', ['release_type', 'release_kind', 'success']],
  ['flux_fluxsvc_release_stage_duration_seconds', 'histogram', ['stage']],
  ['flux_fluxd_connection_duration_seconds', 'gauge', ['target']],
];

describe('createMetrics', () => {
  it('registers every Flux v1 metric with its type and labels', async () => {
    const metrics = createMetrics(new Registry(), { defaultMetrics: false });
    const text = await metrics.registry.metrics();
    for (const [name, type, labels] of FLUX_V1_METRICS) {
      expect(text).toContain(`# TYPE ${name} ${type}`);
      const metric = metrics.registry.getSingleMetric(name) as unknown as { labelNames: string[] };
      expect(metric.labelNames).toEqual(labels);
    }
  });

  it('uses Flux v1 buckets and records observations', async () => {
    const metrics = createMetrics(new Registry(), { defaultMetrics: false });
    metrics.syncDuration.observe({ success: 'true' }, 3);
    metrics.jobDuration.observe({ success: 'false' }, 0.2);
    metrics.queueDuration.observe(1);
    metrics.queueLength.set(2);
    metrics.gitReady.set(1);
    metrics.syncManifests.set({ success: 'false' }, 4);
    const text = await metrics.registry.metrics();
    for (const le of SYNC_BUCKETS)
      expect(text).toContain(`flux_daemon_sync_duration_seconds_bucket{le="${le}",success="true"}`);
    for (const le of JOB_BUCKETS)
      expect(text).toContain(`flux_daemon_job_duration_seconds_bucket{le="${le}",success="false"}`);
    expect(text).toContain('flux_daemon_sync_duration_seconds_count{success="true"} 1');
    expect(text).toContain('flux_daemon_queue_length_count 2');
    expect(text).toContain('flux_git_ready 1');
    expect(text).toContain('flux_daemon_sync_manifests{success="false"} 4');
  });

  it('adds default process metrics', async () => {
    const metrics = createMetrics(new Registry());
    expect(await metrics.registry.metrics()).toContain('process_cpu_seconds_total');
  });
});
