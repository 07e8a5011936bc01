import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuditEntry } from '../../../common/audit/audit-appender.js';
import type { AppConfig } from '../../../common/config/app-config.js';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import { PgListener } from '../../../common/database/pg-listener.js';
import { redactText } from '../../../common/redaction/index.js';
import { ClaimPump } from '../../../common/concurrency/claim-pump.js';
import { SlotPromises } from '../../../common/concurrency/slot-promises.js';
import { ChannelRouter } from '../channels/channel-router.js';
import { DeliveryError } from '../channels/delivery-error.js';
import { redactRecipient } from '../channels/redact-recipient.js';
import type { Notification } from '../notification.types.js';
import { NotificationOutboxRepository, OUTBOX_NOTIFY_CHANNEL, type AttemptResult } from '../outbox/notification-outbox.repository.js';
import { notificationAudit } from '../notification-audit.js';
import { LocalDispatcher, type LocalDelivery } from './local-dispatcher.js';
import { NotificationRetryPolicy } from './notification-retry-policy.js';

const POLL_INTERVAL = 'notification-dispatcher-poll';
/** A claimed row is left alone by every other instance this long (default; `NOTIFICATION_LEASE_MS`); an attempt is aborted well before. */
export const OUTBOX_LEASE_MS = 60_000;
const ATTEMPT_TIMEOUT_MS = 30_000;
const SHUTDOWN_GRACE_MS = 10_000;
const FLUSH_BATCH = 500;
const MAX_TIMER_MS = 2_147_000_000;

interface Attempt {
  row: Notification;
  result: AttemptResult;
  note?: string;
  durationMs: number;
}

export interface NotificationDispatcherState {
  running: boolean;
  instanceId: string;
  inFlight: number;
  concurrency: number;
  listening: boolean;
  sent: number;
  failed: number;
  retried: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Sends due outbox rows. Claims are leases (`FOR UPDATE SKIP LOCKED`, then `next_attempt_at` moved
 * past the attempt's timeout), so no two instances attempt a row at once; results are fenced by
 * the attempt number and written in batches with their audit rows. Woken by the enqueue's NOTIFY
 * (at commit), by `wake()`, by a timer for each retry it scheduled, and by the poll interval (which
 * also picks up rows whose lease expired and retries scheduled by an instance that has gone).
 * `APP_ROLE=api` runs none.
 */
@Injectable()
export class NotificationDispatcher implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  readonly instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly actor = `notification-dispatcher:${this.instanceId}`;
  private readonly logger = new Logger('NotificationDispatcher');
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly attemptTimeoutMs: number;
  private running = false;
  private stopping: Promise<void> | null = null;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private attempts: Attempt[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> | null = null;
  private flushErrors = 0;
  private flushDeadline = Infinity;
  private readonly pump = new ClaimPump<Notification>(
    {
      running: () => this.running,
      free: () => this.free(),
      claim: (limit) => this.repo.claimDue(this.db.manager, limit, this.leaseMs),
      claimed: (rows) => {
        for (const row of rows) this.launch(row);
      },
      describe: (e) => redactText(e instanceof Error ? e.message : String(e)),
    },
    this.logger,
  );
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private listener: PgListener | null = null;
  private readonly counts = { sent: 0, failed: 0, retried: 0 };
  /** Slots promised to rows inserted leased to this dispatcher, until their transaction ends. */
  private readonly promised: SlotPromises;
  /** What the outbox of this process hands over (see LocalDispatcher). */
  private readonly delivery: LocalDelivery = {
    promise: () => (this.running && this.free() > 0 ? { leaseMs: this.leaseMs, slot: this.promised.make(1) } : null),
    adopt: (slot, row) => {
      this.promised.settle(slot);
      if (this.running) return this.launch(row);
      // stopping: the lease goes back unused, so another instance can send the row at once
      void this.repo.releaseLease(this.db.manager, row.id, row.attempts).catch((e: unknown) => {
        this.logger.warn(`could not give back notification ${row.id} at shutdown (its lease will expire): ${redactText(String(e))}`);
      });
    },
    unpromise: (slot) => {
      if (this.promised.settle(slot)) this.pump.slotFreed();
    },
    wake: () => this.wake(),
  };

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: NotificationOutboxRepository,
    private readonly router: ChannelRouter,
    private readonly retry: NotificationRetryPolicy,
    private readonly scheduler: SchedulerRegistry,
    private readonly local: LocalDispatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.concurrency = config.notificationConcurrency;
    this.leaseMs = config.notificationLeaseMs ?? OUTBOX_LEASE_MS;
    this.attemptTimeoutMs = Math.min(ATTEMPT_TIMEOUT_MS, Math.floor(this.leaseMs / 2));
    this.promised = new SlotPromises(this.leaseMs);
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.running || this.stopping) return;
    this.running = true;
    this.local.attach(this.delivery);
    this.scheduler.addInterval(POLL_INTERVAL, setInterval(() => this.wake(), this.config.notificationPollIntervalMs));
    if (this.config.databaseUrl) {
      this.listener = new PgListener(this.config.databaseUrl, 'agent-runtime-outbox-listen');
      this.listener.onReconnect(() => this.wake());
      void this.listener.listen(OUTBOX_NOTIFY_CHANNEL, () => this.wake()).catch((e: unknown) => this.logger.warn(`LISTEN failed (polling only): ${String(e)}`));
    }
    this.wake();
  }

  /** Dispatch due rows now (an enqueue committed, a test, an operator). A no-op where no dispatcher runs. */
  wake(): void {
    this.pump.wake();
  }

  state(): NotificationDispatcherState {
    return {
      running: this.running,
      instanceId: this.instanceId,
      inFlight: this.inFlight.size,
      concurrency: this.concurrency,
      listening: this.listener?.connected ?? false,
      ...this.counts,
    };
  }

  /** Stops claiming, lets attempts under way finish (bounded), records their results. Unrecorded rows keep their lease and are retried. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.local.detach(this.delivery);
    if (this.scheduler.doesExist('interval', POLL_INTERVAL)) this.scheduler.deleteInterval(POLL_INTERVAL);
    if (this.timer) clearTimeout(this.timer);
    await this.listener?.close();
    await this.pump.stop();
    if (this.inFlight.size > 0) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.inFlight.values()]), new Promise<void>((r) => (t = setTimeout(r, SHUTDOWN_GRACE_MS)))]);
      clearTimeout(t);
    }
    this.abort.abort(new Error('dispatcher shutting down'));
    await Promise.allSettled([...this.inFlight.values()]);
    this.flushDeadline = Date.now() + 2000;
    while (this.attempts.length > 0 || this.flushing) {
      await this.startFlush();
      if (Date.now() > this.flushDeadline) break;
    }
  }

  /** Slots neither sending nor promised to a row being handed over. */
  private free(): number {
    return this.concurrency - this.inFlight.size - this.promised.count();
  }

  private wakeIn(ms: number): void {
    if (!this.running) return;
    const at = Date.now() + Math.max(0, ms);
    if (at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.wake();
    }, Math.min(MAX_TIMER_MS, Math.max(0, ms)));
  }

  private launch(row: Notification): void {
    const done = this.attempt(row).then((a) => {
      this.attempts.push(a);
      this.scheduleFlush();
    });
    this.inFlight.set(row.id, done);
    void done.finally(() => {
      this.inFlight.delete(row.id);
      this.pump.slotFreed();
    });
  }

  /** One attempt: never throws; the outcome says what to record. */
  private async attempt(row: Notification): Promise<Attempt> {
    const started = performance.now();
    const schedule = this.retry.for(row.channel);
    const base = { id: row.id, attempts: row.attempts, providerMessageId: null, deliveredVia: null };
    if (row.attempts > schedule.maxAttempts) {
      // The previous holder's lease expired during the last allowed attempt (it died or hung).
      const error = `gave up: attempt ${row.attempts} of ${schedule.maxAttempts} (an earlier attempt's lease expired unfinished)`;
      return { row, result: { ...base, outcome: 'failed', error, delayMs: null }, durationMs: 0 };
    }
    try {
      const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.attemptTimeoutMs)]);
      const receipt = await this.router.for(row.channel).send(row, signal);
      return {
        row,
        result: { ...base, outcome: 'sent', providerMessageId: receipt.providerMessageId, deliveredVia: receipt.deliveredVia, error: null, delayMs: null },
        note: receipt.note,
        durationMs: performance.now() - started,
      };
    } catch (e) {
      const permanent = e instanceof DeliveryError && e.permanent;
      const error = redactText(e instanceof Error ? e.message || e.name : String(e)).slice(0, 2000);
      const delay = permanent ? null : schedule.delayAfter(row.attempts);
      return {
        row,
        result: { ...base, outcome: delay === null ? 'failed' : 'retry', error, delayMs: delay },
        durationMs: performance.now() - started,
      };
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    // setImmediate: attempts finishing in the same tick are recorded in one transaction.
    setImmediate(() => {
      this.flushScheduled = false;
      void this.startFlush();
    });
  }

  private startFlush(): Promise<void> {
    this.flushing ??= this.flush().finally(() => {
      this.flushing = null;
      if (this.attempts.length > 0 && Date.now() <= this.flushDeadline) this.scheduleFlush();
    });
    return this.flushing;
  }

  /** Writes results and their audit rows in one transaction per batch; retries while the database is away. */
  private async flush(): Promise<void> {
    while (this.attempts.length > 0) {
      const batch = this.attempts.splice(0, FLUSH_BATCH);
      try {
        // results and audit rows in one statement (no transaction): the shortest window between a
        // provider's "accepted" and the committed `sent`
        const updated = await this.repo.settle(
          this.db.manager,
          batch.map((a) => a.result),
          batch.map((a) => this.auditOf(a)),
        );
        this.flushErrors = 0;
        this.report(batch, updated);
      } catch (e) {
        this.attempts = batch.concat(this.attempts);
        this.flushErrors++;
        if (this.flushErrors === 1 || this.flushErrors % 20 === 0) {
          this.logger.warn(`could not record ${batch.length} notification result(s) (${this.flushErrors} in a row): ${redactText(e instanceof Error ? e.message : String(e))}`);
        }
        if (Date.now() > this.flushDeadline) return;
        await sleep(Math.min(5000, 50 * 2 ** Math.min(this.flushErrors, 10)));
      }
    }
  }

  /** The audit row of an attempt as the row will read once its result is recorded (the statement adds the times). */
  private auditOf(a: Attempt): AuditEntry {
    const { row, result } = a;
    const status = result.outcome === 'sent' ? 'sent' : result.outcome === 'failed' ? 'failed' : 'pending';
    const after: Notification = {
      ...row,
      status,
      provider_message_id: result.providerMessageId ?? row.provider_message_id,
      delivered_via: result.deliveredVia ?? row.delivered_via,
      last_error: result.error === null ? row.last_error : result.error,
    };
    const transition = status === 'sent' ? 'sent' : status === 'failed' ? 'failed' : 'retry_scheduled';
    return notificationAudit(after, transition, this.actor, { duration_ms: Math.round(a.durationMs), ...(a.note ? { fallback_reason: a.note } : {}) });
  }

  private report(batch: readonly Attempt[], updated: readonly Notification[]): void {
    const recorded = new Set(updated.map((r) => r.id));
    for (const a of batch) {
      const { row, result } = a;
      const to = redactRecipient(row.recipient);
      if (!recorded.has(row.id)) {
        this.logger.warn(`notification ${row.id}: result of attempt ${row.attempts} not recorded (its lease was lost to another attempt)`);
        continue;
      }
      if (result.outcome === 'sent') {
        this.counts.sent++;
        if (result.deliveredVia !== 'log') this.logger.log(`notification ${row.id} [${row.channel}/${row.template}] sent to ${to} via ${result.deliveredVia} (attempt ${row.attempts})`);
      } else if (result.outcome === 'retry') {
        this.counts.retried++;
        this.logger.warn(`notification ${row.id} [${row.channel}] to ${to}: attempt ${row.attempts} failed, retrying in ${result.delayMs} ms: ${result.error}`);
        this.wakeIn((result.delayMs ?? 0) + 5); // a little late: the row is due by the database clock
      } else {
        this.counts.failed++;
        this.logger.warn(`notification ${row.id} [${row.channel}] to ${to} failed after ${row.attempts} attempt(s): ${result.error}`);
      }
    }
  }
}
