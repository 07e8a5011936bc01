import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { JOB_UPDATED, type JobUpdatedEvent } from '../jobs/job.types.js';
import { MetricsRegistry } from './metrics-registry.js';

const MAX_TRACKED = 10_000;

/**
 * Claim latency and job duration from the job status feed: a `claimed` transition observes
 * now − run_at and starts the clock; the next transition of that job recorded by this instance
 * (completed, skipped, cancelled, failed, or back to pending for a retry) stops it.
 */
@Injectable()
export class JobMetricsListener {
  private readonly claimedAt = new Map<string, number>();

  constructor(private readonly metrics: MetricsRegistry) {}

  @OnEvent(JOB_UPDATED)
  onJobUpdated(e: JobUpdatedEvent): void {
    const now = Date.now();
    const type = this.metrics.jobTypes.value(e.type);
    if (e.status === 'claimed') {
      const due = Date.parse(e.run_at);
      if (Number.isFinite(due)) this.metrics.claimLatency.observe({ type }, Math.max(0, now - due) / 1000);
      this.track(e.id, now);
      return;
    }
    const started = this.claimedAt.get(e.id);
    if (started === undefined) return;
    this.claimedAt.delete(e.id);
    const result = e.status === 'pending' ? 'retry' : e.status === 'failed' ? 'failed' : (e.outcome ?? e.status);
    this.metrics.jobDuration.observe({ type, result }, (now - started) / 1000);
  }

  /** Claims whose result another instance recorded (a lost lease) are forgotten, oldest first. */
  private track(id: string, at: number): void {
    this.claimedAt.set(id, at);
    if (this.claimedAt.size <= MAX_TRACKED) return;
    for (const key of this.claimedAt.keys()) {
      this.claimedAt.delete(key);
      if (this.claimedAt.size <= MAX_TRACKED / 2) break;
    }
  }
}
