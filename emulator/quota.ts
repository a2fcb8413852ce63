// Quota enforcement with Google's default limits (gcp-api-facts.md), switched on by `quotas: true`.
// A sliding window per (metric, scope) counts calls; over the limit the call fails the way the
// real API fails: 429 RESOURCE_EXHAUSTED with an ErrorInfo (One Platform APIs) or 429
// rateLimitExceeded (Cloud Storage).
import type { Clock } from './clock.js';
import { ApiError, errorInfo, storageError } from './errors.js';

export interface QuotaMetric {
  limit: number;
  windowMs: number;
  /** Wording of the real error: metric and limit names and the service. */
  metricName: string;
  limitName: string;
  service: string;
  /** Cloud Storage answers in its own dialect and words. */
  storageMessage?: string;
}

export const DEFAULT_QUOTAS: Record<string, QuotaMetric> = {
  'iam.read': {
    limit: 6000,
    windowMs: 60_000,
    metricName: 'iam.googleapis.com/default',
    limitName: 'defaultPerMinutePerProject',
    service: 'iam.googleapis.com',
  },
  'iam.write': {
    limit: 600,
    windowMs: 60_000,
    metricName: 'iam.googleapis.com/service_account_writes',
    limitName: 'ServiceAccountWritesPerMinutePerProject',
    service: 'iam.googleapis.com',
  },
  'run.read': {
    limit: 1000,
    windowMs: 60_000,
    metricName: 'run.googleapis.com/read_regional',
    limitName: 'ReadsPerMinutePerProjectPerRegion',
    service: 'run.googleapis.com',
  },
  'run.write': {
    limit: 60,
    windowMs: 60_000,
    metricName: 'run.googleapis.com/write_regional',
    limitName: 'WritesPerMinutePerProjectPerRegion',
    service: 'run.googleapis.com',
  },
  'secretmanager.read': {
    limit: 600,
    windowMs: 60_000,
    metricName: 'secretmanager.googleapis.com/read_requests',
    limitName: 'ReadRequestsPerMinutePerProject',
    service: 'secretmanager.googleapis.com',
  },
  'secretmanager.write': {
    limit: 600,
    windowMs: 60_000,
    metricName: 'secretmanager.googleapis.com/write_requests',
    limitName: 'WriteRequestsPerMinutePerProject',
    service: 'secretmanager.googleapis.com',
  },
  'secretmanager.access': {
    limit: 90_000,
    windowMs: 60_000,
    metricName: 'secretmanager.googleapis.com/access_requests',
    limitName: 'AccessRequestsPerMinutePerProject',
    service: 'secretmanager.googleapis.com',
  },
  'resourcemanager.read': {
    limit: 600,
    windowMs: 60_000,
    metricName: 'cloudresourcemanager.googleapis.com/read_requests',
    limitName: 'ReadRequestsPerMinute',
    service: 'cloudresourcemanager.googleapis.com',
  },
  'resourcemanager.write': {
    limit: 600,
    windowMs: 60_000,
    metricName: 'cloudresourcemanager.googleapis.com/write_requests',
    limitName: 'WriteRequestsPerMinute',
    service: 'cloudresourcemanager.googleapis.com',
  },
  'artifactregistry.request': {
    limit: 60_000,
    windowMs: 60_000,
    metricName: 'artifactregistry.googleapis.com/project_requests',
    limitName: 'RequestsPerMinutePerProject',
    service: 'artifactregistry.googleapis.com',
  },
  'serviceusage.read': {
    limit: 2400,
    windowMs: 60_000,
    metricName: 'serviceusage.googleapis.com/read_requests',
    limitName: 'ReadRequestsPerMinute',
    service: 'serviceusage.googleapis.com',
  },
  'serviceusage.write': {
    limit: 180,
    windowMs: 60_000,
    metricName: 'serviceusage.googleapis.com/mutate_requests',
    limitName: 'MutateRequestsPerMinute',
    service: 'serviceusage.googleapis.com',
  },
  'storage.bucketCreateDelete': {
    limit: 1,
    windowMs: 2_000,
    metricName: '',
    limitName: '',
    service: 'storage.googleapis.com',
    storageMessage: 'The project exceeded the rate limit for creating and deleting buckets.',
  },
  'storage.bucketUpdate': {
    limit: 1,
    windowMs: 1_000,
    metricName: '',
    limitName: '',
    service: 'storage.googleapis.com',
    storageMessage: 'The bucket exceeded the rate limit for metadata updates. Please reduce your request rate.',
  },
};

export class QuotaTracker {
  private readonly calls = new Map<string, number[]>();

  constructor(
    readonly enabled: boolean,
    private readonly clock: Clock,
    private readonly metrics: Record<string, QuotaMetric> = DEFAULT_QUOTAS,
  ) {}

  /**
   * Charges one call of `metric` to `scope` (a project, project+region or bucket), or throws the
   * API's 429 when the window is full. `projectNumber` names the consumer in the message.
   */
  charge(metric: string, scope: string, projectNumber: string, now = this.clock.now()): void {
    if (!this.enabled) return;
    const m = this.metrics[metric];
    if (!m) throw new Error(`emulator: unknown quota metric ${metric}`);
    const key = `${metric}|${scope}`;
    const recent = (this.calls.get(key) ?? []).filter((t) => t > now - m.windowMs);
    if (recent.length >= m.limit) {
      this.calls.set(key, recent);
      throw quotaError(m, projectNumber);
    }
    recent.push(now);
    this.calls.set(key, recent);
  }

  reset(): void {
    this.calls.clear();
  }
}

function quotaError(m: QuotaMetric, projectNumber: string): ApiError {
  if (m.storageMessage) {
    return storageError(429, 'rateLimitExceeded', m.storageMessage, { domain: 'usageLimits' });
  }
  const message = `Quota exceeded for quota metric '${m.metricName}' and limit '${m.limitName}' of service '${m.service}' for consumer 'project_number:${projectNumber}'.`;
  return new ApiError(429, message, 'RESOURCE_EXHAUSTED', [
    errorInfo('RATE_LIMIT_EXCEEDED', 'googleapis.com', {
      service: m.service,
      quota_metric: m.metricName,
      quota_limit: m.limitName,
      consumer: `projects/${projectNumber}`,
    }),
  ]);
}
