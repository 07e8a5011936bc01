import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { DomainEvent } from './domain-events.js';

/**
 * Makes a handler idempotent per event id: its work and its completion mark commit in one
 * transaction, so an event delivered again (relay, restart) is not handled twice.
 */
@Injectable()
export class EventHandlingLedger {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Runs `work` once per (event, handler); answers false when it had already run. */
  async once(event: DomainEvent, handler: string, work: (manager: EntityManager) => Promise<void>): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      const rows: unknown[] = await manager.query(
        `INSERT INTO domain_event_handlings (event_id, handler) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
        [event.id, handler],
      );
      if (rows.length === 0) return false;
      await work(manager);
      return true;
    });
  }
}
