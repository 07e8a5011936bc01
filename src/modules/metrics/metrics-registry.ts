import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { POLICY_ACTIONS } from '../policy/engine/policy.types.js';
import { BoundedLabel } from './bounded-label.js';
import { JobStatsRepository } from './job-stats.repository.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * The service's Prometheus metrics, in a registry of its own (not prom-client's global one, so
 * several app instances in one process, as in the tests, do not collide).
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  readonly jobTypes = new BoundedLabel(100);
  readonly policyActions = new BoundedLabel(POLICY_ACTIONS.length + 20, POLICY_ACTIONS);

  readonly jobs: Gauge<'status' | 'type'>;
  readonly claimLatency: Histogram<'type'>;
  readonly jobDuration: Histogram<'type' | 'result'>;
  readonly policyDecisions: Counter<'action' | 'effect'>;
  readonly domainEvents: Counter<'type'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(stats: JobStatsRepository) {
    const registers = [this.registry];
    const jobTypes = this.jobTypes;
    this.jobs = new Gauge({
      name: 'agent_jobs',
      help: 'Jobs in the queue by status and type (from the database, cached 5 s)',
      labelNames: ['status', 'type'],
      registers,
      async collect() {
        const rows = await stats.countByStatusAndType();
        this.reset();
        for (const r of rows) this.inc({ status: r.status, type: jobTypes.value(r.type) }, r.n);
      },
    });
    this.claimLatency = new Histogram({
      name: 'agent_job_claim_latency_seconds',
      help: 'Time from a job being due (run_at) to its claim by a runner of this instance',
      labelNames: ['type'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'agent_job_duration_seconds',
      help: 'Time from the claim to the recorded result of jobs run by this instance, by result (completed, skipped, cancelled, failed, retry)',
      labelNames: ['type', 'result'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.policyDecisions = new Counter({
      name: 'agent_policy_decisions_total',
      help: 'Policy decisions made by this instance (dry runs included), by action and effect',
      labelNames: ['action', 'effect'],
      registers,
    });
    this.domainEvents = new Counter({
      name: 'agent_domain_events_total',
      help: 'Domain events delivered to the in-process listeners, by type (a re-delivery by the relay counts again)',
      labelNames: ['type'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'agent_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
