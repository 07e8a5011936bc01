import { Logger, OnModuleDestroy } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { ApiKeyService } from '../../../common/auth/api-key.service.js';
import type { Principal } from '../../../common/auth/principal.js';
import { JOB_UPDATED, type JobUpdatedEvent } from '../../jobs/job.types.js';
import { AutonomyStatusService, type StatusScope } from '../autonomy-status.service.js';
import { AUTONOMY_STATUS_CHANGED } from '../settings/autonomy-settings.service.js';

export const AUTONOMY_NAMESPACE = '/autonomy';
export const ADMIN_ROOM = 'admin';
export const tenantRoom = (tenantId: string) => `tenant:${tenantId}`;
/** Between instances (through the adapter): one message per batch of job transitions, not one per job. */
const JOB_UPDATES_BATCH = 'runtime:job-updates';
const FLUSH_MS = 25;
const BATCH_MAX = 500;
const STATUS_DEBOUNCE_MS = 50;
/** Longer than the adapter's heartbeat timeout (10 s): by then every live peer has been heard from. */
const ALONE_AFTER_MS = 12_000;

function scopeOf(p: Principal): StatusScope {
  return p.kind === 'admin' ? { admin: true } : { admin: false, tenantId: p.tenantId };
}

/**
 * The live feed (socket.io namespace `/autonomy`). The handshake's `auth.token` is an API key: a
 * bad one is refused (`connect_error` UNAUTHORIZED). A tenant key joins only `tenant:<id>`, the
 * admin joins `admin`. Pushes `autonomy:status` on connect and whenever the toggle changes, and
 * `job:updated` on every job transition, to the job's tenant room and to `admin`.
 *
 * Job transitions happen on the instance that made them; each instance sends its transitions to
 * its own clients and, batched, to the other instances through the Postgres adapter, which deliver
 * them to theirs. A toggle change is seen by every instance itself (settings reload), so each
 * pushes the status to its own clients only.
 */
@WebSocketGateway({ namespace: AUTONOMY_NAMESPACE })
export class AutonomyGateway implements OnGatewayInit, OnGatewayConnection, OnModuleDestroy {
  private readonly logger = new Logger('AutonomyGateway');
  @WebSocketServer() private readonly nsp!: Namespace;
  private pending: JobUpdatedEvent[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private initAt = Date.now();

  constructor(
    private readonly keys: ApiKeyService,
    private readonly status: AutonomyStatusService,
  ) {}

  afterInit(nsp: Namespace): void {
    this.initAt = Date.now();
    nsp.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (e: Error) => next(e),
      );
    });
    nsp.on(JOB_UPDATES_BATCH, (batch: JobUpdatedEvent[]) => this.deliverLocally(batch));
  }

  async handleConnection(socket: Socket): Promise<void> {
    const principal = socket.data.principal as Principal | undefined;
    if (!principal) {
      socket.disconnect(true);
      return;
    }
    await socket.join(principal.kind === 'admin' ? ADMIN_ROOM : tenantRoom(principal.tenantId));
    try {
      socket.emit('autonomy:status', await this.status.status(scopeOf(principal)));
    } catch (e) {
      this.logger.warn(`could not send the status to a new client: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  @OnEvent(JOB_UPDATED)
  onJobUpdated(event: JobUpdatedEvent): void {
    this.pending.push(event);
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  @OnEvent(AUTONOMY_STATUS_CHANGED)
  onStatusChanged(): void {
    this.statusTimer ??= setTimeout(() => {
      this.statusTimer = null;
      void this.pushStatus();
    }, STATUS_DEBOUNCE_MS);
  }

  onModuleDestroy(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.flushTimer = this.statusTimer = null;
    this.pending = [];
  }

  private async authenticate(socket: Socket): Promise<void> {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    let principal: Principal | null = null;
    try {
      principal = typeof token === 'string' ? await this.keys.resolve(token) : null;
    } catch {
      throw Object.assign(new Error('UNAVAILABLE: the API key could not be checked; retry shortly'), { data: { error: 'DATABASE_UNAVAILABLE' } });
    }
    if (!principal) {
      const why = typeof token === 'string' && token.length > 0 ? 'invalid API key' : 'missing API key: pass it as auth.token';
      throw Object.assign(new Error(`UNAUTHORIZED: ${why}`), { data: { error: 'UNAUTHORIZED' } });
    }
    socket.data.principal = principal;
  }

  private flush(): void {
    this.flushTimer = null;
    const events = this.pending;
    this.pending = [];
    if (events.length === 0 || !this.nsp) return;
    this.deliverLocally(events);
    // the in-memory adapter (no Postgres adapter installed, e.g. an app context without the HTTP
    // server) has no other instances to tell, and warns on every serverSideEmit
    if (this.nsp.adapter.constructor.name === 'Adapter') return;
    // Alone in the cluster, there is nobody to tell: each serverSideEmit is a NOTIFY, and a
    // notifying transaction takes a database-wide lock at commit. "Alone" is only believed once
    // the adapter has had time to hear every peer's periodic heartbeat (sent every 5 s): until
    // then a peer may be running unseen (its first heartbeat went out before we listened).
    void this.nsp.adapter.serverCount().then(
      (instances) => {
        if (instances <= 1 && Date.now() - this.initAt > ALONE_AFTER_MS) return;
        for (let i = 0; i < events.length; i += BATCH_MAX) this.nsp.serverSideEmit(JOB_UPDATES_BATCH, events.slice(i, i + BATCH_MAX));
      },
      (e: unknown) => this.logger.warn(`could not relay job updates to the other instances: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  private deliverLocally(events: readonly JobUpdatedEvent[]): void {
    if (!Array.isArray(events)) return;
    for (const e of events) {
      const target = e.tenant_id ? this.nsp.local.to([ADMIN_ROOM, tenantRoom(e.tenant_id)]) : this.nsp.local.to(ADMIN_ROOM);
      target.emit('job:updated', e);
    }
  }

  /** The status as each of this instance's rooms may see it (the admin's, and each tenant's own). */
  private async pushStatus(): Promise<void> {
    if (!this.nsp) return;
    try {
      for (const room of this.nsp.adapter.rooms.keys()) {
        if (room === ADMIN_ROOM) this.nsp.local.to(room).emit('autonomy:status', await this.status.status({ admin: true }));
        else if (room.startsWith('tenant:')) this.nsp.local.to(room).emit('autonomy:status', await this.status.status({ admin: false, tenantId: room.slice(7) }));
      }
    } catch (e) {
      this.logger.warn(`could not push the status: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
