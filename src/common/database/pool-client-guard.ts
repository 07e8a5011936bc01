import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import type { DataSource } from 'typeorm';

const GUARDED = Symbol('pool-client-guarded');

/**
 * Gives every pooled connection a permanent 'error' listener, from its first checkout on.
 *
 * pg-pool removes its own listener when it hands a connection out, and TypeORM adds its listener
 * a few microtasks later (its checkout is a promise). When the server ends a connection (a
 * restart: FATAL 57P01) its last ReadyForQuery and the FATAL can arrive in one TCP read; the
 * ReadyForQuery releases it to a waiting checkout, and the FATAL is then emitted synchronously on
 * a connection with no listener at all — an uncaught 'error' that ends the process (seen in
 * test/resilience/postgres-restart under load). With this listener the error is only logged; the
 * next query on that connection fails, is answered 503, and the pool drops the connection.
 */
@Injectable()
export class PoolClientGuard implements OnModuleInit {
  private readonly logger = new Logger('DatabasePool');
  private errors = 0;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  onModuleInit(): void {
    const pool = (this.db.driver as unknown as { master?: pg.Pool }).master;
    pool?.on('acquire', (client: pg.PoolClient & { [GUARDED]?: boolean }) => {
      if (client[GUARDED]) return;
      client[GUARDED] = true;
      client.on('error', (e: Error) => {
        if (this.errors++ % 50 === 0) this.logger.warn(`pooled connection lost: ${e.message}`);
      });
    });
  }
}
