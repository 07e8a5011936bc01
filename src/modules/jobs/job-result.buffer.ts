import type { Logger } from '@nestjs/common';
import type { AuditEntry } from '../../common/audit/audit-appender.js';
import type { JobQueue, JobResults } from './job-queue.service.js';
import type { JobClaim, JobCompletion, JobFailure, JobOutcome } from './job.types.js';

/** What one run of a job came to. */
export type JobRunResult =
  | { ok: true; outcome: JobOutcome; reason: string | null; audit?: readonly AuditEntry[] }
  | { ok: false; error: string; permanent: boolean };

const BATCH = 1000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The runner's finished-but-not-yet-recorded results. Results of jobs finishing in the same tick
 * are written in one transaction; while the database is unreachable they are kept and retried with
 * backoff, and their claims stay leased (the runner's heartbeat renews `claims()`).
 */
export class JobResultBuffer {
  private completions: JobCompletion[] = [];
  private failures: JobFailure[] = [];
  private readonly unsettled = new Map<string, JobClaim>();
  private flushing: Promise<void> | null = null;
  private scheduled = false;
  private errors = 0;
  private deadline = Infinity;

  constructor(
    private readonly queue: JobQueue,
    private readonly workerId: string,
    private readonly logger: Logger,
  ) {}

  add(claim: JobClaim, result: JobRunResult): void {
    if (result.ok) this.completions.push({ ...claim, outcome: result.outcome, reason: result.reason, audit: result.audit });
    else this.failures.push({ ...claim, error: result.error, permanent: result.permanent });
    this.unsettled.set(claim.id, claim);
    this.schedule();
  }

  /** Claims whose results are not recorded yet. */
  claims(): IterableIterator<JobClaim> {
    return this.unsettled.values();
  }

  get size(): number {
    return this.unsettled.size;
  }

  /** Writes what is left, retrying until `deadline` (epoch ms); what is still unwritten then is given up. */
  async drain(deadline: number): Promise<void> {
    this.deadline = deadline;
    while (this.pending() || this.flushing) {
      if (Date.now() > this.deadline) {
        const n = this.completions.length + this.failures.length;
        if (n > 0) this.logger.warn(`${n} job result(s) not recorded at shutdown (their leases will expire)`);
        return;
      }
      await this.start();
    }
  }

  private pending(): boolean {
    return this.completions.length > 0 || this.failures.length > 0;
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // setImmediate: the results of jobs finishing in the same tick go out together.
    setImmediate(() => {
      this.scheduled = false;
      void this.start();
    });
  }

  private start(): Promise<void> {
    this.flushing ??= this.flush().finally(() => {
      this.flushing = null;
      if (this.pending() && Date.now() <= this.deadline) this.schedule();
    });
    return this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.pending()) {
      const batch: JobResults = { completions: this.completions.splice(0, BATCH), failures: this.failures.splice(0, BATCH) };
      try {
        await this.queue.settle(this.workerId, batch);
        this.errors = 0;
        for (const c of batch.completions) this.unsettled.delete(c.id);
        for (const f of batch.failures) this.unsettled.delete(f.id);
      } catch (e) {
        this.completions = [...batch.completions, ...this.completions];
        this.failures = [...batch.failures, ...this.failures];
        this.errors++;
        if (this.errors === 1 || this.errors % 20 === 0) {
          const n = batch.completions.length + batch.failures.length;
          this.logger.warn(`could not record ${n} job result(s) (${this.errors} in a row): ${e instanceof Error ? e.message : String(e)}`);
        }
        if (Date.now() > this.deadline) return;
        await sleep(Math.min(5000, 50 * 2 ** Math.min(this.errors, 10)));
      }
    }
  }
}
