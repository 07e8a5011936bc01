import { Injectable } from '@nestjs/common';
import { EventHandlingLedger } from '../../../common/events/event-handling-ledger.js';
import type { DomainEvent } from '../../../common/events/domain-events.js';
import { OnDomainEvent } from '../../../common/events/on-domain-event.decorator.js';
import { Orchestrator } from '../orchestrator.service.js';

@Injectable()
export class BookingCancelledHandler {
  constructor(
    private readonly ledger: EventHandlingLedger,
    private readonly orchestrator: Orchestrator,
  ) {}

  /** Cancels every pending job of the appointment and, if the policy allows, sends a cancellation notice. */
  @OnDomainEvent('BookingCancelled')
  async onBookingCancelled(event: DomainEvent<'BookingCancelled'>): Promise<void> {
    await this.ledger.once(event, 'autonomy.onBookingCancelled', async (m, scope) => {
      const apt = event.payload.appointment;
      await this.orchestrator.cancelPending(m, event, apt.id, 'appointment cancelled');
      await this.orchestrator.schedule(scope, event, apt, [{ type: 'send_cancellation_notice', runAt: new Date(), template: 'cancellation' }]);
    });
  }
}
