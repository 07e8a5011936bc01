import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import { APP_DB_ROLE } from '../database/data-source-options.js';

/** The socket.io version Nest's adapter creates servers with (it may differ from the top-level one). */
type IoServer = ReturnType<IoAdapter['createIOServer']>;
type IoServerOptions = NonNullable<Parameters<IoAdapter['createIOServer']>[1]>;

export interface PostgresIoAdapterOptions {
  databaseUrl: string;
  /** Origins allowed to open a socket from a browser page (CORS_ORIGINS); empty = same origin only. */
  corsOrigins: readonly string[];
}

/**
 * socket.io on the HTTP server, with `@socket.io/postgres-adapter` so a broadcast made on one
 * instance reaches the clients of every instance through PostgreSQL's LISTEN/NOTIFY (large payloads
 * go through `socket_io_attachments`): no extra broker. The adapter gets its own small pool.
 */
export class PostgresIoAdapter extends IoAdapter {
  private readonly socketLogger = new Logger('SocketIo');
  private io: IoServer | null = null;
  private pool: pg.Pool | null = null;
  private errors = 0;

  constructor(
    app: INestApplicationContext,
    private readonly options: PostgresIoAdapterOptions,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: IoServerOptions): IoServer {
    // Every gateway namespace shares one server (and one LISTEN connection).
    if (this.io) return this.io;
    const cors = this.options.corsOrigins.length > 0 ? { origin: [...this.options.corsOrigins] } : undefined;
    const io = super.createIOServer(port, { ...options, ...(cors ? { cors } : {}) } as IoServerOptions);
    const pool = new pg.Pool({
      connectionString: this.options.databaseUrl,
      max: 3,
      application_name: 'agent-runtime-socket.io',
      options: `-c role=${APP_DB_ROLE}`,
      keepAlive: true,
    });
    // An idle client's error (the server restarted) must not take the process down.
    pool.on('error', (e) => this.onError(e));
    io.adapter(createAdapter(this.listenSafe(pool), { errorHandler: (e) => this.onError(e) }) as unknown as Parameters<IoServer['adapter']>[0]);
    this.io = io;
    this.pool = pool;
    return io;
  }

  /**
   * What `io.close()` does, except closing the HTTP server, which Nest closes next together with its
   * open keep-alive connections: disconnect this instance's sockets, close the adapters (releasing
   * the LISTEN connection), stop the engine; then end the pool.
   */
  override async dispose(): Promise<void> {
    const io = this.io;
    const pool = this.pool;
    this.io = null;
    this.pool = null;
    if (io) {
      await Promise.allSettled(
        [...io._nsps.values()].map(async (nsp) => {
          nsp.local.disconnectSockets(true);
          await nsp.adapter.close();
        }),
      );
      io.engine.close();
    }
    // bounded: a connection stuck in the network must not hold the shutdown
    await Promise.race([pool?.end().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
  }

  /**
   * The adapter takes its LISTEN client with `pool.connect()` and, when that connection is lost,
   * drops it and takes another — without an error listener (an uncaught 'error' would end the
   * process) and without releasing it (the pool would count it forever and `end()` would never
   * finish). This gives the adapter clients that report errors and go back to the pool when lost.
   */
  private listenSafe(pool: pg.Pool): pg.Pool {
    const connect = async () => {
      const client = await pool.connect();
      client.on('error', (e) => this.onError(e));
      client.once('end', () => {
        try {
          client.release(new Error('connection lost'));
        } catch {
          // released already
        }
      });
      return client;
    };
    return { query: pool.query.bind(pool), connect } as unknown as pg.Pool;
  }

  private onError(e: unknown): void {
    if (this.errors++ % 50 === 0) this.socketLogger.warn(`socket.io postgres adapter: ${e instanceof Error ? e.message : String(e)}`);
  }
}
