import { Injectable } from '@nestjs/common';
import type { AppointmentSnapshot, DomainEvent } from '../../../common/events/domain-events.js';
import { EventHandlingLedger } from '../../../common/events/event-handling-ledger.js';
import { OnDomainEvent } from '../../../common/events/on-domain-event.decorator.js';
import { AppointmentService } from '../../booking/appointments/appointment.service.js';
import { snapshot } from '../../booking/appointments/appointment.types.js';
import { Orchestrator } from '../orchestrator.service.js';

@Injectable()
export class CalendarWriteFailedHandler {
  constructor(
    private readonly ledger: EventHandlingLedger,
    private readonly orchestrator: Orchestrator,
    private readonly appointments: AppointmentService,
  ) {}

  /** Schedules `retry_calendar_sync`; the job's own retries back off exponentially with jitter. */
  @OnDomainEvent('CalendarWriteFailed')
  async onCalendarWriteFailed(event: DomainEvent<'CalendarWriteFailed'>): Promise<void> {
    await this.ledger.once(event, 'autonomy.onCalendarWriteFailed', async (m, scope) => {
      const apt = await this.appointments.lockForAction(m, event.payload.appointment_id);
      if (!apt) return;
      const snap: AppointmentSnapshot = snapshot(apt);
      await this.orchestrator.schedule(scope, event, snap, [{ type: 'retry_calendar_sync', runAt: new Date(Date.now() + 1000) }]);
    });
  }
}
