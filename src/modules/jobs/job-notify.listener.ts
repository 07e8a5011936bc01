import { Inject, Injectable, Logger } from '@nestjs/common';
import pg from 'pg';
import type { AppConfig } from '../../common/config/app-config.js';
import { APP_CONFIG } from '../../common/config/config.module.js';
import { JOBS_CHANNEL } from './job-signal.js';

export interface NotifyHandlers {
  /** A job became runnable at `runAtMs` (epoch ms). */
  onJobs(runAtMs: number): void;
  /** (Re)connected: notifications sent while disconnected were missed. */
  onConnected(): void;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 10_000;

/**
 * `LISTEN` on a dedicated connection (not from the pool: a pooled connection would lose the
 * subscription on release). Reconnects by itself, with backoff, when the connection drops.
 */
@Injectable()
export class JobNotifyListener {
  private readonly logger = new Logger('JobNotify');
  private client: pg.Client | null = null;
  private handlers: NotifyHandlers | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backoffMs = MIN_BACKOFF_MS;
  private connected = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig & { databaseUrl?: string }) {}

  get listening(): boolean {
    return this.connected;
  }

  start(handlers: NotifyHandlers): void {
    if (this.handlers) return;
    this.handlers = handlers;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.handlers = null;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const c = this.client;
    this.client = null;
    this.connected = false;
    if (!c) return;
    c.removeAllListeners();
    c.on('error', () => undefined);
    // end() waits for the socket to close; a connection the server already dropped may never say so.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([c.end().catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
  }

  private async connect(): Promise<void> {
    if (!this.handlers || !this.config.databaseUrl) return;
    const client = new pg.Client({ connectionString: this.config.databaseUrl, application_name: 'agent-runtime-job-listen', keepAlive: true });
    this.client = client;
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = null;
      this.connected = false;
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      this.logger.warn(`LISTEN connection lost${err ? `: ${err.message}` : ''}; reconnecting in ${this.backoffMs} ms`);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (n) => {
      if (n.channel !== JOBS_CHANNEL) return;
      const at = Number(n.payload);
      this.handlers?.onJobs(Number.isFinite(at) ? at : Date.now());
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${JOBS_CHANNEL}`);
    } catch (err) {
      lost(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (this.client !== client) return;
    this.connected = true;
    this.backoffMs = MIN_BACKOFF_MS;
    this.handlers?.onConnected();
  }

  private scheduleReconnect(): void {
    if (!this.handlers || this.reconnectTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }
}
