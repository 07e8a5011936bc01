import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DomainEvent } from '../../../common/events/domain-events.js';
import { EventHandlingLedger } from '../../../common/events/event-handling-ledger.js';
import { OnDomainEvent } from '../../../common/events/on-domain-event.decorator.js';
import { CalendarSyncRepository } from './calendar-sync.repository.js';
import { CalendarSyncService } from './calendar-sync.service.js';

const HANDLER = 'booking.calendar-sync';

/**
 * Mirrors booked, moved and cancelled appointments into the calendar, after the booking committed
 * (events are published after the commit, so the booking request never waits for the calendar).
 *
 * Per event, the ledger records the handling and marks the appointment `pending` in one short
 * transaction; the calendar write happens after it, holding no database connection while the
 * server answers. A delivery that finds the handling already recorded syncs only if the status is
 * still `pending` (the process died mid-sync; the relay re-delivers until this handler returns),
 * so a redelivered event neither writes twice nor records a second failure.
 */
@Injectable()
export class CalendarSyncListener {
  constructor(
    private readonly calendar: CalendarSyncService,
    private readonly ledger: EventHandlingLedger,
    private readonly repo: CalendarSyncRepository,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @OnDomainEvent('BookingCreated')
  async onBookingCreated(event: DomainEvent<'BookingCreated'>): Promise<void> {
    await this.handle(event, event.payload.appointment.id);
  }

  @OnDomainEvent('BookingRescheduled')
  async onBookingRescheduled(event: DomainEvent<'BookingRescheduled'>): Promise<void> {
    await this.handle(event, event.payload.new_apt.id);
  }

  @OnDomainEvent('BookingCancelled')
  async onBookingCancelled(event: DomainEvent<'BookingCancelled'>): Promise<void> {
    await this.handle(event, event.payload.appointment.id);
  }

  private async handle(event: DomainEvent, appointmentId: string): Promise<void> {
    if (!this.calendar.enabled) return;
    const tenantId = event.tenant_id ?? undefined;
    const first = await this.ledger.once(event, HANDLER, (m) => this.repo.markPending(m, appointmentId));
    if (!first && (await this.repo.status(this.db.manager, appointmentId, tenantId)) !== 'pending') return;
    await this.calendar.sync(appointmentId, { tenantId, context: { correlationId: event.correlation_id, actor: 'system' } });
  }
}
