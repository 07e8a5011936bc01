import { Logger } from '@nestjs/common';
import pg from 'pg';

type Handler = (payload: string) => void;

/**
 * One dedicated connection for `LISTEN` (a pooled connection cannot keep a subscription).
 * Reconnects with backoff; after a reconnect `onReconnect` callbacks run, because notifications
 * sent while the connection was down are lost and caches must assume the worst.
 */
export class PgListener {
  private readonly logger = new Logger('PgListener');
  private client: pg.Client | null = null;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly reconnectCallbacks: (() => void)[] = [];
  private closed = false;
  private backoffMs = 100;
  private connecting: Promise<void> | null = null;

  constructor(private readonly url: string, private readonly name = 'agent-runtime-listener') {}

  async listen(channel: string, handler: Handler): Promise<void> {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      if (this.client) await this.client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    }
    set.add(handler);
    await this.ensureConnected();
  }

  onReconnect(cb: () => void): void {
    this.reconnectCallbacks.push(cb);
  }

  get connected(): boolean {
    return this.client !== null;
  }

  private ensureConnected(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: this.name, keepAlive: true });
    client.on('notification', (msg) => {
      for (const h of this.handlers.get(msg.channel) ?? []) {
        try {
          h(msg.payload ?? '');
        } catch (e) {
          this.logger.warn(`notification handler failed: ${String(e)}`);
        }
      }
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.backoffMs = 100;
    } catch (e) {
      await client.end().catch(() => undefined);
      this.scheduleReconnect(`connect failed: ${String(e)}`);
    }
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    if (!this.closed) this.scheduleReconnect('connection lost');
  }

  private scheduleReconnect(why: string): void {
    if (this.closed) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(5000, this.backoffMs * 2);
    this.logger.warn(`LISTEN ${why}; reconnecting in ${delay} ms`);
    setTimeout(() => {
      void this.ensureConnected().then(() => {
        if (this.client) for (const cb of this.reconnectCallbacks) cb();
      });
    }, delay).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}
