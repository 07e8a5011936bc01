import { Injectable } from '@nestjs/common';
import { EventHandlingLedger } from '../../../common/events/event-handling-ledger.js';
import type { DomainEvent } from '../../../common/events/domain-events.js';
import { OnDomainEvent } from '../../../common/events/on-domain-event.decorator.js';
import { Orchestrator } from '../orchestrator.service.js';
import { planForBooking } from '../planning/action-planner.js';

@Injectable()
export class BookingCreatedHandler {
  constructor(
    private readonly ledger: EventHandlingLedger,
    private readonly orchestrator: Orchestrator,
  ) {}

  /** Confirmation now, reminder before, no-show check after the start, follow-up after the end. */
  @OnDomainEvent('BookingCreated')
  async onBookingCreated(event: DomainEvent<'BookingCreated'>): Promise<void> {
    await this.ledger.once(event, 'autonomy.onBookingCreated', async (_m, scope) => {
      const { planned, skipped } = planForBooking(event.payload.appointment, this.orchestrator.timings, new Date());
      await this.orchestrator.schedule(scope, event, event.payload.appointment, planned, skipped);
    });
  }
}
