import { Injectable } from '@nestjs/common';
import { EventHandlingLedger } from '../../../common/events/event-handling-ledger.js';
import type { DomainEvent } from '../../../common/events/domain-events.js';
import { OnDomainEvent } from '../../../common/events/on-domain-event.decorator.js';
import { Orchestrator } from '../orchestrator.service.js';
import { planForBooking } from '../planning/action-planner.js';

@Injectable()
export class BookingRescheduledHandler {
  constructor(
    private readonly ledger: EventHandlingLedger,
    private readonly orchestrator: Orchestrator,
  ) {}

  /** Atomically: the old version's jobs are cancelled and the new ones scheduled, with a confirmation of the new time. */
  @OnDomainEvent('BookingRescheduled')
  async onBookingRescheduled(event: DomainEvent<'BookingRescheduled'>): Promise<void> {
    await this.ledger.once(event, 'autonomy.onBookingRescheduled', async (m, scope) => {
      const apt = event.payload.new_apt;
      await this.orchestrator.cancelPending(m, event, apt.id, `appointment rescheduled (version ${event.payload.old_apt.version} → ${apt.version})`);
      const { planned, skipped } = planForBooking(apt, this.orchestrator.timings, new Date(), 'reschedule');
      const old = event.payload.old_apt;
      const withOldTime = planned.map((p) => (p.type === 'send_confirmation' ? { ...p, extra: { old_start: old.start, old_end: old.end } } : p));
      await this.orchestrator.schedule(scope, event, apt, withOldTime, skipped);
    });
  }
}
